package community

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/markup"
	"practica/internal/memo"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// Service manages spaces and memberships.
type Service struct {
	store *store.Store
	now   func() time.Time
}

// NewService returns a community service.
func NewService(s *store.Store, now func() time.Time) *Service { return &Service{store: s, now: now} }

// SpaceInput is the editable part of a space.
type SpaceInput struct {
	Name       string
	Slug       string
	Focus      string
	Rules      string
	Visibility model.Visibility
	Color      string
}

// Field caps for spaces.
const (
	MaxSpaceName  = 60
	MaxSpaceFocus = 280
	MaxSpaceRules = 10000
)

var slugRE = regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$`)

// Colors are the space colours the stylesheet defines (as .dot-NAME); a fixed
// palette keeps every pair readable and needs no inline styles under the CSP.
var Colors = []string{"slate", "blue", "teal", "green", "amber", "orange", "red", "pink", "purple"}

func (in *SpaceInput) validate() error {
	f := apperr.Fields{}
	in.Name, in.Slug, in.Focus, in.Rules = strings.TrimSpace(in.Name), strings.ToLower(strings.TrimSpace(in.Slug)), strings.TrimSpace(in.Focus), strings.TrimSpace(in.Rules)
	if in.Slug == "" {
		in.Slug = Slugify(in.Name, 40)
	}
	switch n := len([]rune(in.Name)); {
	case n == 0:
		f.Add("name", "Name the space.")
	case n > MaxSpaceName:
		f.Add("name", "Use at most 60 characters.")
	}
	if !slugRE.MatchString(in.Slug) {
		f.Add("slug", "Use 1–40 lowercase letters, digits and dashes.")
	}
	if len([]rune(in.Focus)) > MaxSpaceFocus {
		f.Add("focus", "Keep the focus statement to 280 characters.")
	}
	if len(in.Rules) > MaxSpaceRules {
		f.Add("rules", "Keep the rules under 10,000 characters.")
	}
	for field, text := range map[string]string{"name": in.Name, "focus": in.Focus, "rules": in.Rules} {
		if markup.BadText(text) {
			f.Add(field, markup.BadTextMessage)
		}
	}
	if !model.ValidVisibility(in.Visibility) {
		f.Add("visibility", "Choose public, private or secret.")
	}
	if in.Color == "" {
		in.Color = "slate"
	}
	if !slices.Contains(Colors, in.Color) {
		f.Add("color", "Choose one of the listed colours.")
	}
	return f.Err()
}

var nonSlug = regexp.MustCompile(`[^a-z0-9]+`)

// Slugify makes a URL-friendly slug of at most n bytes from s.
func Slugify(s string, n int) string {
	slug := strings.Trim(nonSlug.ReplaceAllString(strings.ToLower(s), "-"), "-")
	if len(slug) > n {
		slug = strings.Trim(slug[:n], "-")
	}
	return slug
}

var errSlugTaken = apperr.Field("slug", "Another space already uses this address.")

// CreateSpace creates a space led by its creator.
func (s *Service) CreateSpace(ctx context.Context, v model.Viewer, in SpaceInput) (model.Space, error) {
	if err := policy.Check(v, policy.CreateSpace, policy.Subject{}); err != nil {
		return model.Space{}, err
	}
	if err := in.validate(); err != nil {
		return model.Space{}, err
	}
	now := s.now()
	sp := model.Space{Slug: in.Slug, Name: in.Name, Focus: in.Focus, Rules: in.Rules, Visibility: in.Visibility, Color: in.Color, CreatedBy: v.UserID(), CreatedAt: now}
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if sp, err = q.CreateSpace(ctx, sp); err != nil {
			return err
		}
		if v.UserID() == 0 {
			return nil // created from the command line
		}
		return q.SetMember(ctx, sp.ID, v.UserID(), model.SpaceLeader, now)
	})
	if errors.Is(err, store.ErrConflict) {
		return sp, errSlugTaken
	}
	return sp, err
}

// SpaceView is a space with what the viewer may do there.
type SpaceView struct {
	Space          model.Space
	Role           model.SpaceRole
	CanRead        bool
	CanPost        bool
	CanManage      bool
	PendingRequest bool
}

// Subject loads a space by slug with the viewer's role in it and checks a.
// Other services use it to check an action on a space they name.
func Subject(ctx context.Context, q *store.Queries, v model.Viewer, slug string, a policy.Action) (policy.Subject, error) {
	sp, err := q.SpaceBySlug(ctx, slug)
	if err != nil {
		return policy.Subject{}, err
	}
	role, err := q.SpaceRole(ctx, sp.ID, v.UserID())
	if err != nil {
		return policy.Subject{}, err
	}
	sub := policy.Subject{Space: sp, Role: role}
	return sub, policy.Check(v, a, sub)
}

// Space returns a space the viewer may see, with their permissions in it.
func (s *Service) Space(ctx context.Context, v model.Viewer, slug string) (SpaceView, error) {
	q := s.store.Read()
	sub, err := Subject(ctx, q, v, slug, policy.ReadSpace)
	if err != nil {
		return SpaceView{}, err
	}
	view := SpaceView{Space: sub.Space, Role: sub.Role,
		CanRead:   policy.Can(v, policy.ReadContent, sub),
		CanPost:   policy.Can(v, policy.CreateTopic, sub),
		CanManage: policy.Can(v, policy.ManageSpace, sub)}
	if !v.Guest() && sub.Role == model.SpaceNone && sub.Space.Visibility == model.Private {
		view.PendingRequest, err = q.HasPendingJoinRequest(ctx, sub.Space.ID, v.UserID())
	}
	return view, err
}

// Spaces lists the spaces the viewer may see listed, with their role in each.
//
// Every page's frame lists a member's spaces, so the list is kept in the
// store's memo per viewer: spaces, memberships and roles change only in
// writes that declare nothing, and topic counts with the lists. Callers must
// not change the items.
func (s *Service) Spaces(ctx context.Context, v model.Viewer, includeArchived bool) ([]store.SpaceListItem, error) {
	sc := policy.ScopeOf(v)
	name := fmt.Sprintf("spaces:%d:%t:%t", sc.UserID, sc.All, includeArchived)
	return memo.Get(s.store.Memo, name, func(items []store.SpaceListItem) int64 {
		n := int64(0)
		for _, it := range items {
			n += int64(256 + len(it.Space.Focus) + len(it.Space.Rules) + len(it.Space.Attribution))
		}
		return n
	}, func() ([]store.SpaceListItem, error) {
		items, err := s.store.Read().Spaces(ctx, sc, includeArchived)
		return slices.Clip(items), err
	}, pagecache.Lists)
}

// UpdateSpace saves a space's settings.
func (s *Service) UpdateSpace(ctx context.Context, v model.Viewer, slug string, in SpaceInput) (model.Space, error) {
	var sp model.Space
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		if err := in.validate(); err != nil {
			return err
		}
		sp = sub.Space
		sp.Name, sp.Slug, sp.Focus, sp.Rules, sp.Visibility, sp.Color, sp.UpdatedAt = in.Name, in.Slug, in.Focus, in.Rules, in.Visibility, in.Color, s.now()
		return q.UpdateSpace(ctx, sp)
	})
	if errors.Is(err, store.ErrConflict) {
		return sp, errSlugTaken
	}
	return sp, err
}

// SetArchived archives a space (read-only, off the lists) or brings it back.
func (s *Service) SetArchived(ctx context.Context, v model.Viewer, slug string, archived bool) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		now := s.now()
		var at *time.Time
		if archived {
			at = &now
		}
		return q.SetSpaceArchived(ctx, sub.Space.ID, at, now)
	})
}

// JoinResult says what joining did.
type JoinResult string

// Outcomes of Join.
const (
	Joined    JoinResult = "joined"
	Requested JoinResult = "requested"
)

// Join adds the viewer to a public space, or files a request to join a
// private one. Secret spaces are joined only by invitation.
func (s *Service) Join(ctx context.Context, v model.Viewer, slug, message string) (JoinResult, error) {
	if len(message) > 1000 {
		return "", apperr.Field("message", "Keep the message under 1,000 characters.")
	}
	var res JoinResult
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.JoinSpace)
		if err != nil {
			return err
		}
		if sub.Role != model.SpaceNone {
			return apperr.New(apperr.Conflict, "You are already a member of this space.")
		}
		switch sub.Space.Visibility {
		case model.Public:
			res = Joined
			return q.SetMember(ctx, sub.Space.ID, v.UserID(), model.SpaceMember, s.now())
		case model.Private:
			res = Requested
			_, err := q.CreateJoinRequest(ctx, sub.Space.ID, v.UserID(), strings.TrimSpace(message), s.now())
			if errors.Is(err, store.ErrConflict) {
				return apperr.New(apperr.Conflict, "Your request to join is waiting for a leader.")
			}
			return err
		}
		return apperr.New(apperr.Forbidden, "This space is open by invitation only.")
	})
	return res, err
}

// Leave takes the viewer out of a space; the last leader must hand over first.
func (s *Service) Leave(ctx context.Context, v model.Viewer, slug string) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.LeaveSpace)
		if err != nil {
			return err
		}
		if sub.Role == model.SpaceNone {
			return apperr.New(apperr.Conflict, "You are not a member of this space.")
		}
		if err := s.keepALeader(ctx, q, sub.Space.ID, sub.Role); err != nil {
			return err
		}
		return q.RemoveMember(ctx, sub.Space.ID, v.UserID())
	})
}

func (s *Service) keepALeader(ctx context.Context, q *store.Queries, spaceID int64, role model.SpaceRole) error {
	if role != model.SpaceLeader {
		return nil
	}
	n, err := q.CountLeaders(ctx, spaceID)
	if err != nil {
		return err
	}
	if n <= 1 {
		return apperr.New(apperr.Conflict, "A space needs at least one leader: make someone else a leader first.")
	}
	return nil
}

// Members lists a space's members for those who may read its content.
func (s *Service) Members(ctx context.Context, v model.Viewer, slug string) ([]model.Member, error) {
	q := s.store.Read()
	sub, err := Subject(ctx, q, v, slug, policy.ReadContent)
	if err != nil {
		return nil, err
	}
	return q.Members(ctx, sub.Space.ID, 500)
}

// SetMemberRole makes a member a leader or a plain member, or removes them
// (role SpaceNone). Leaders and staff only.
func (s *Service) SetMemberRole(ctx context.Context, v model.Viewer, slug, username string, role model.SpaceRole) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		u, err := q.UserByUsername(ctx, username)
		if errors.Is(err, store.ErrNotFound) {
			return apperr.Field("username", "There is no member with that username.")
		}
		if err != nil {
			return err
		}
		current, err := q.SpaceRole(ctx, sub.Space.ID, u.ID)
		if err != nil {
			return err
		}
		if current == model.SpaceNone {
			return apperr.Field("username", "That person is not a member of this space.")
		}
		if role != model.SpaceLeader {
			if err := s.keepALeader(ctx, q, sub.Space.ID, current); err != nil {
				return err
			}
		}
		if role == model.SpaceNone {
			return q.RemoveMember(ctx, sub.Space.ID, u.ID)
		}
		return q.SetMember(ctx, sub.Space.ID, u.ID, role, s.now())
	})
}

// JoinRequests lists pending requests for a space's leaders.
func (s *Service) JoinRequests(ctx context.Context, v model.Viewer, slug string) ([]model.JoinRequest, error) {
	q := s.store.Read()
	sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
	if err != nil {
		return nil, err
	}
	return q.PendingJoinRequests(ctx, sub.Space.ID)
}

// DecideJoinRequest approves (adding the member) or declines a request.
func (s *Service) DecideJoinRequest(ctx context.Context, v model.Viewer, slug string, id int64, approve bool) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		status := "declined"
		if approve {
			status = "approved"
		}
		userID, err := q.DecideJoinRequest(ctx, sub.Space.ID, id, status, v.UserID(), s.now())
		if err != nil || !approve {
			return err
		}
		// Someone who got in meanwhile (say by invitation, then made a
		// leader) keeps their role: approving must not demote them.
		if current, err := q.SpaceRole(ctx, sub.Space.ID, userID); err != nil || current != model.SpaceNone {
			return err
		}
		return q.SetMember(ctx, sub.Space.ID, userID, model.SpaceMember, s.now())
	})
}

// Invitation defaults.
const (
	InviteTTL     = 7 * 24 * time.Hour
	InviteMaxUses = 25
)

// CreateInvite makes an invitation link for a space and returns its secret.
func (s *Service) CreateInvite(ctx context.Context, v model.Viewer, slug string) (string, error) {
	secret := auth.NewSecret("pi_")
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		now := s.now()
		_, err = q.CreateInvite(ctx, auth.HashSecret(secret), model.Invite{SpaceID: sub.Space.ID, CreatedBy: v.UserID(), CreatedAt: now, ExpiresAt: now.Add(InviteTTL), MaxUses: InviteMaxUses})
		return err
	})
	return secret, err
}

// Invites lists a space's live invitation links (without their secrets).
func (s *Service) Invites(ctx context.Context, v model.Viewer, slug string) ([]model.Invite, error) {
	q := s.store.Read()
	sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
	if err != nil {
		return nil, err
	}
	return q.Invites(ctx, sub.Space.ID, s.now())
}

// RevokeInvite withdraws an invitation link.
func (s *Service) RevokeInvite(ctx context.Context, v model.Viewer, slug string, id int64) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := Subject(ctx, q, v, slug, policy.ManageSpace)
		if err != nil {
			return err
		}
		return q.RevokeInvite(ctx, sub.Space.ID, id, s.now())
	})
}

var errBadInvite = apperr.NotFoundf("This invitation link has expired, was withdrawn or was used up.")

// InviteSpace shows the space an invitation leads to: holding a live link is
// enough to learn the space's name.
func (s *Service) InviteSpace(ctx context.Context, secret string) (model.Space, error) {
	q := s.store.Read()
	id, err := q.InviteSpace(ctx, auth.HashSecret(secret), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return model.Space{}, errBadInvite
	}
	if err != nil {
		return model.Space{}, err
	}
	return q.Space(ctx, id)
}

// AcceptInvite uses an invitation link to join its space.
func (s *Service) AcceptInvite(ctx context.Context, v model.Viewer, secret string) (model.Space, error) {
	if err := policy.CheckWriter(v); err != nil {
		return model.Space{}, err
	}
	var sp model.Space
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		id, err := q.InviteSpace(ctx, auth.HashSecret(secret), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return errBadInvite
		}
		if err != nil {
			return err
		}
		if sp, err = q.Space(ctx, id); err != nil {
			return err
		}
		if sp.Archived() {
			return apperr.New(apperr.Forbidden, "This space is archived and takes no new members.")
		}
		// Join first: if this person is already a member (or a parallel
		// acceptance of theirs won), nothing is used up.
		added, err := q.AddMember(ctx, id, v.UserID(), model.SpaceMember, s.now())
		if err != nil || !added {
			return err
		}
		if _, err := q.UseInvite(ctx, auth.HashSecret(secret), s.now()); err != nil {
			return errors.Join(errBadInvite, err)
		}
		return nil
	})
	return sp, err
}
