package auth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	_ "time/tzdata" // time zones resolve on machines without a zone database
	"unicode"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/media"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/store"
)

// System is the viewer the command line acts as: an admin with full access.
var System = model.Viewer{User: &model.User{ID: 0, Username: "system", Role: model.RoleAdmin, Status: model.StatusActive}}

func requireAdmin(v model.Viewer) error {
	if !policy.CanManageUsers(v) {
		return apperr.ErrNotFound
	}
	return nil
}

// Users lists accounts for the admin pages.
func (s *Service) Users(ctx context.Context, v model.Viewer, after int64, search string) ([]model.User, error) {
	if err := requireAdmin(v); err != nil {
		return nil, err
	}
	if len(search) > 100 {
		search = search[:100]
	}
	return s.store.Read().ListUsers(ctx, after, 50, search)
}

// User returns one account by name for admin use.
func (s *Service) UserByName(ctx context.Context, name string) (model.User, error) {
	return s.store.Read().UserByUsername(ctx, name)
}

// SetRole changes a user's instance role and ends their sessions and tokens,
// so the old role is not kept by any open door.
func (s *Service) SetRole(ctx context.Context, v model.Viewer, userID int64, role model.Role) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	if !model.ValidRole(role) {
		return apperr.Field("role", "Role must be admin, moderator or member.")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Status == model.StatusDeleted || u.Role == model.RoleSystem {
			return apperr.New(apperr.Conflict, "This account's role cannot be changed.")
		}
		if err := s.keepAnAdmin(ctx, q, u, role == model.RoleAdmin); err != nil {
			return err
		}
		if err := q.SetUserRole(ctx, userID, role, s.now()); err != nil {
			return err
		}
		return s.revokeAll(ctx, q, userID)
	})
}

// keepAnAdmin refuses to remove the last active admin.
func (s *Service) keepAnAdmin(ctx context.Context, q *store.Queries, u model.User, staysAdmin bool) error {
	if u.Role != model.RoleAdmin || u.Status != model.StatusActive || staysAdmin {
		return nil
	}
	n, err := q.CountAdmins(ctx)
	if err != nil {
		return err
	}
	if n <= 1 {
		return apperr.New(apperr.Conflict, "The community needs at least one admin.")
	}
	return nil
}

func (s *Service) revokeAll(ctx context.Context, q *store.Queries, userID int64) error {
	if err := q.DeleteUserSessions(ctx, userID, 0); err != nil {
		return err
	}
	if err := q.RevokeUserAPITokens(ctx, userID, s.now()); err != nil {
		return err
	}
	return q.RevokeUserTokens(ctx, userID, s.now())
}

// SetSuspended suspends (ending every session and token) or reinstates a user.
func (s *Service) SetSuspended(ctx context.Context, v model.Viewer, userID int64, suspended bool) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Status == model.StatusDeleted || u.Status == model.StatusPlaceholder || u.Role == model.RoleSystem {
			return apperr.New(apperr.Conflict, "This account cannot be suspended.")
		}
		if !suspended {
			return q.SetUserStatus(ctx, userID, model.StatusActive, s.now())
		}
		if err := s.keepAnAdmin(ctx, q, u, false); err != nil {
			return err
		}
		if err := q.SetUserStatus(ctx, userID, model.StatusSuspended, s.now()); err != nil {
			return err
		}
		return s.revokeAll(ctx, q, userID)
	})
}

// DeleteUser anonymizes an account: its posts stay, its identity goes (the
// admin pages and the API call it Anonymize; see store.AnonymizeUser).
func (s *Service) DeleteUser(ctx context.Context, v model.Viewer, userID int64) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Status == model.StatusDeleted {
			return nil
		}
		if err := s.keepAnAdmin(ctx, q, u, false); err != nil {
			return err
		}
		if err := s.revokeAll(ctx, q, userID); err != nil {
			return err
		}
		if err := q.RemoveUserMemberships(ctx, userID); err != nil {
			return err
		}
		return q.AnonymizeUser(ctx, userID, s.now())
	})
}

// AnonymizeByName anonymizes the account with the given name, as DeleteUser
// does: admins only, through a session or a write token.
func (s *Service) AnonymizeByName(ctx context.Context, v model.Viewer, username string) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	if err := requireAdmin(v); err != nil {
		return err
	}
	u, err := s.store.Read().UserByUsername(ctx, username)
	if err != nil {
		return err
	}
	return s.DeleteUser(ctx, v, u.ID)
}

// SetPasswordAdmin sets a user's password from the command line, ending their sessions.
func (s *Service) SetPasswordAdmin(ctx context.Context, userID int64, password string) error {
	f := apperr.Fields{}
	validatePassword(f, "password", password)
	if err := f.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return s.replacePassword(ctx, q, userID, password, nil) })
}

// Outbox lists queued mail for admins.
func (s *Service) Outbox(ctx context.Context, v model.Viewer, before int64) ([]model.Mail, error) {
	if err := requireAdmin(v); err != nil {
		return nil, err
	}
	return s.store.Read().Outbox(ctx, before, 50)
}

// CommunityName returns the name chosen at setup.
func (s *Service) Settings(ctx context.Context) (map[string]string, error) {
	return s.store.Read().Settings(ctx)
}

// ProfileInput is the public part of an account a member edits.
type ProfileInput struct {
	DisplayName string
	Bio         string
	Location    string
	Pronouns    string
	TimeZone    string
	// Links holds http(s) addresses, one per line.
	Links string
	// Expertise and Interests name tags of the community's tag set,
	// separated by spaces or commas.
	Expertise string
	Interests string
	// Visibility maps a field of model.ProfileFields to everyone, members
	// or me; a field not given is for everyone.
	Visibility map[string]string
}

// Profile limits.
const (
	MaxLinks      = 5
	maxLinkLength = 200
	MaxUserTags   = 10 // of each kind
)

// UpdateProfile saves the viewer's profile: name, bio, and the fields whose
// visibility they choose. Everything is checked first; a field in error
// changes nothing.
func (s *Service) UpdateProfile(ctx context.Context, v model.Viewer, in ProfileInput) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	f := apperr.Fields{}
	p := checkProfile(f, in)
	in.DisplayName, in.Bio = strings.TrimSpace(in.DisplayName), strings.TrimSpace(in.Bio)
	if utf8.RuneCountInString(in.DisplayName) > 60 || strings.ContainsAny(in.DisplayName, "<>\r\n") {
		f.Add("display_name", "Use at most 60 characters, without < or >.")
	}
	if utf8.RuneCountInString(in.Bio) > 500 {
		f.Add("bio", "Keep it to 500 characters.")
	}
	for field, text := range map[string]string{"display_name": in.DisplayName, "bio": in.Bio} {
		if markup.BadText(text) {
			f.Add(field, markup.BadTextMessage)
		}
	}
	if err := f.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		tags := map[string][]string{}
		for _, t := range []struct{ field, kind, raw string }{{"expertise", store.TagExpertise, in.Expertise}, {"interests", store.TagInterest, in.Interests}} {
			names, err := userTags(ctx, q, f, t.field, t.raw)
			if err != nil {
				return err
			}
			tags[t.kind] = names
		}
		if err := f.Err(); err != nil {
			return err
		}
		if err := q.UpdateProfile(ctx, v.UserID(), in.DisplayName, in.Bio, s.now()); err != nil {
			return err
		}
		for kind, names := range tags {
			if err := q.SetUserTags(ctx, v.UserID(), kind, names); err != nil {
				return err
			}
		}
		return q.SetProfile(ctx, v.UserID(), p, s.now())
	})
}

// userTags reads a list of tags a member declares (expertise or
// interests): existing tags only (a synonym counts as its tag), at most
// MaxUserTags. What is wrong goes to f under field.
func userTags(ctx context.Context, q *store.Queries, f apperr.Fields, field, raw string) ([]string, error) {
	if len(raw) > 40*MaxUserTags {
		f.Add(field, fmt.Sprintf("Name at most %d tags.", MaxUserTags))
		return nil, nil
	}
	names := strings.FieldsFunc(strings.ToLower(raw), func(r rune) bool { return r == ',' || unicode.IsSpace(r) })
	slices.Sort(names)
	names = slices.Compact(names)
	if len(names) > MaxUserTags {
		f.Add(field, fmt.Sprintf("Name at most %d tags.", MaxUserTags))
		return nil, nil
	}
	for _, n := range names {
		if len(n) > 30 || markup.BadText(n) {
			f.Add(field, "Name tags of this community, separated by spaces.")
			return nil, nil
		}
	}
	names, missing, err := q.SettleTags(ctx, names)
	if err == nil && len(missing) > 0 {
		f.Add(field, fmt.Sprintf("No tag is named %s here: choose tags this community uses.", strings.Join(missing, ", ")))
	}
	return names, err
}

// checkProfile checks the fields beyond name and bio, adding what is wrong
// to f.
func checkProfile(f apperr.Fields, in ProfileInput) model.Profile {
	p := model.Profile{Location: strings.TrimSpace(in.Location), Pronouns: strings.TrimSpace(in.Pronouns), TimeZone: strings.TrimSpace(in.TimeZone),
		Visibility: map[string]model.FieldVisibility{}}
	for field, limit := range map[string]int{"location": 80, "pronouns": 30} {
		text := map[string]string{"location": p.Location, "pronouns": p.Pronouns}[field]
		if utf8.RuneCountInString(text) > limit || strings.ContainsAny(text, "<>\r\n") || markup.BadText(text) {
			f.Add(field, fmt.Sprintf("Use at most %d characters, without < or >.", limit))
		}
	}
	if p.TimeZone != "" {
		if !model.ValidTimeZone(p.TimeZone) {
			f.Add("time_zone", "Choose a time zone such as Europe/Berlin or America/New_York.")
		}
	}
	for _, line := range strings.Split(strings.ReplaceAll(in.Links, "\r\n", "\n"), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			p.Links = append(p.Links, line)
		}
	}
	if len(p.Links) > MaxLinks {
		f.Add("links", fmt.Sprintf("Give at most %d links.", MaxLinks))
	}
	for _, l := range p.Links {
		if !model.ValidWebLink(l, maxLinkLength) {
			f.Add("links", "Each link must be a web address starting with http:// or https://.")
			break
		}
	}
	for field, vis := range in.Visibility {
		switch model.FieldVisibility(vis) {
		case model.VisibleEveryone, model.VisibleMembers, model.VisibleMe:
			if slices.Contains(model.ProfileFields, field) {
				p.Visibility[field] = model.FieldVisibility(vis)
				continue
			}
		}
		f.Add("visibility."+field, "Choose everyone, members or only me.")
	}
	return p
}

// SessionCount counts the viewer's live sessions.
func (s *Service) SessionCount(ctx context.Context, v model.Viewer) (int64, error) {
	return s.store.Read().CountSessions(ctx, v.UserID(), s.now())
}

// claimTTL is how long a claim link works: longer than a password reset, as
// it goes to someone who may not expect it.
const claimTTL = 7 * 24 * time.Hour

// InviteClaim lets a person take over a placeholder account (an author an
// import brought in): the account gets their address, and they get a link
// to choose a password, which also confirms the address and activates the
// account. Admins only; the address must not belong to another account.
func (s *Service) InviteClaim(ctx context.Context, v model.Viewer, userID int64, email string) error {
	if err := requireAdmin(v); err != nil {
		return err
	}
	f := apperr.Fields{}
	email = NormalizeEmail(f, email)
	if err := f.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.User(ctx, userID)
		if err != nil {
			return err
		}
		if u.Status != model.StatusPlaceholder || u.Role == model.RoleSystem {
			return apperr.New(apperr.Conflict, "Only the placeholder accounts of imported authors can be claimed.")
		}
		if err := q.SetEmail(ctx, u.ID, email, s.now()); err != nil {
			if errors.Is(err, store.ErrConflict) {
				return apperr.Field("email", "This address already belongs to an account.")
			}
			return err
		}
		u.Email = email
		secret, err := s.newEmailToken(ctx, q, u, purposeReset, claimTTL)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("Hello,\n\nThe posts of %s were brought into this community from where they were first written. "+
			"An administrator invites you to take over that account: open this link within 7 days to choose a password, and the posts, "+
			"reputation and badges become yours to sign in with.\n\n%s/reset/%s\n\nIf this is not you, ignore this email.\n", strings.Join(strings.Fields(u.Name()), " "), s.baseURL, secret)
		return s.queueMail(ctx, q, email, "Claim your account", body)
	})
}

// ProfileOf returns a member's profile fields as the viewer may see them.
func (s *Service) ProfileOf(ctx context.Context, v model.Viewer, owner model.User) (model.Profile, error) {
	p, err := s.store.Read().Profile(ctx, owner.ID)
	return p.Seen(v, owner), err
}

// UserByID returns an account by id, as stored now.
func (s *Service) UserByID(ctx context.Context, id int64) (model.User, error) {
	return s.store.Read().User(ctx, id)
}

// SetAvatar makes an uploaded picture the viewer's avatar, after checking
// and re-encoding it (media.Avatar). It returns its new version.
func (s *Service) SetAvatar(ctx context.Context, v model.Viewer, data []byte) (int64, error) {
	if err := policy.CheckWriter(v); err != nil {
		return 0, err
	}
	ct, img, err := media.Avatar(data)
	if err != nil {
		return 0, apperr.Field("avatar", err.Error())
	}
	var version int64
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		version, err = q.SetAvatar(ctx, v.UserID(), ct, img, s.now())
		return err
	})
	return version, err
}

// RemoveAvatar goes back to the viewer's initial.
func (s *Service) RemoveAvatar(ctx context.Context, v model.Viewer) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return q.RemoveAvatar(ctx, v.UserID(), s.now()) })
}

// Avatar returns a member's picture of a version: what /avatars/ serves.
// Pictures are as public as names.
func (s *Service) Avatar(ctx context.Context, userID, version int64) (string, []byte, error) {
	return s.store.Read().Avatar(ctx, userID, version)
}
