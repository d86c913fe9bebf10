package policy

import (
	"practica/internal/apperr"
	"practica/internal/model"
)

// Action is something a viewer wants to do.
type Action int

// Actions the policy knows. Read actions come first; everything from
// CreateSpace on is a write.
const (
	ReadSpace     Action = iota // see the space exists: name, focus, rules
	ReadContent                 // read the space's topics, posts and members
	ReadTopic                   // read one topic (state-aware)
	ReadPost                    // read one post and its revisions
	CreateSpace                 // create a new space
	ManageSpace                 // edit, archive, invite, approve requests
	JoinSpace                   // join a public space or ask to join a private one
	LeaveSpace                  // leave a space one belongs to
	CreateTopic                 // start a topic in the space
	Reply                       // add a post to the topic
	EditPost                    // change a post (and, for the opening post, the topic)
	DeletePost                  // soft-delete a post or, for the opening post, the topic
	RestorePost                 // undo a soft delete
	ModerateTopic               // pin, unpin, lock, unlock, move
)

func (a Action) write() bool { return a >= CreateSpace }

// Subject is what an action is about. Role is the viewer's role in Space.
type Subject struct {
	Space model.Space
	Role  model.SpaceRole
	Topic *model.Topic
	Post  *model.Post
}

// Errors the policy returns besides NotFound.
var (
	errLocked     = apperr.New(apperr.Forbidden, "This topic is locked.")
	errArchived   = apperr.New(apperr.Forbidden, "This space is archived and read-only.")
	errVerify     = apperr.New(apperr.Forbidden, "Please confirm your email address before posting.")
	errScope      = apperr.New(apperr.Forbidden, "This token is read-only.")
	errNotAllow   = apperr.New(apperr.Forbidden, "You are not allowed to do that.")
	errJoin       = apperr.New(apperr.Forbidden, "Join this space to post in it.")
	errDeleted    = apperr.New(apperr.Forbidden, "This topic is deleted.")
	errHasReplies = apperr.New(apperr.Forbidden, "This topic has replies, so only a moderator can delete it. Edit it instead, or flag it.")
)

// Check returns nil when viewer may perform a on s, or the error to show:
// NotFound when the viewer may not even see the subject.
func Check(v model.Viewer, a Action, s Subject) error {
	if a == CreateSpace {
		return checkCreateSpace(v)
	}
	if !canSeeSpace(v, s) {
		return apperr.ErrNotFound
	}
	if a != ReadSpace && a != JoinSpace && a != LeaveSpace && !canReadContent(v, s) {
		return apperr.ErrNotFound
	}
	if s.Topic != nil && !canSeeTopic(v, s) {
		return apperr.ErrNotFound
	}
	if s.Post != nil && s.Post.Deleted() && !Moderates(v, s) && !restoresOwn(v, a, s) {
		return apperr.ErrNotFound
	}
	if !a.write() {
		return nil
	}
	if err := checkWriter(v); err != nil {
		return err
	}
	if s.Space.Archived() && a != ManageSpace && a != LeaveSpace {
		return errArchived
	}
	return checkWrite(v, a, s)
}

// restoresOwn: an author may restore a post they deleted themselves; a post a
// moderator removed, or anyone else's, stays invisible (NotFound) to them.
func restoresOwn(v model.Viewer, a Action, s Subject) bool {
	return a == RestorePost && !v.Guest() && s.Post.AuthorID == v.UserID() && s.Post.DeletedBy == v.UserID()
}

func checkCreateSpace(v model.Viewer) error {
	if err := checkWriter(v); err != nil {
		return err
	}
	if !v.Staff() {
		return errNotAllow
	}
	return nil
}

// CheckWriter holds for every write: a signed-in person with a write-capable
// door. Writes that have no subject to check (accepting an invitation, which
// itself grants sight of its space) call it directly.
func CheckWriter(v model.Viewer) error { return checkWriter(v) }

func checkWriter(v model.Viewer) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	if v.Scope == model.ScopeRead {
		return errScope
	}
	return nil
}

func checkWrite(v model.Viewer, a Action, s Subject) error {
	switch a {
	case ManageSpace:
		return allowIf(Leads(v, s))
	case JoinSpace:
		return nil // the service decides join versus request versus invitation
	case CreateTopic:
		return checkPoster(v, s)
	case Reply:
		if err := checkPoster(v, s); err != nil {
			return err
		}
		if s.Topic.Deleted() {
			return errDeleted
		}
		if s.Topic.Locked() && !Moderates(v, s) {
			return errLocked
		}
		return nil
	case EditPost:
		if Moderates(v, s) {
			return nil
		}
		if s.Post == nil || s.Post.AuthorID != v.UserID() {
			return errNotAllow
		}
		if s.Topic.Locked() {
			return errLocked
		}
		return checkVerified(v)
	case DeletePost, RestorePost:
		if Moderates(v, s) {
			return nil
		}
		own := s.Post != nil && s.Post.AuthorID == v.UserID() && !s.Topic.Locked()
		if own && s.Post.Kind == model.PostOpening && a == DeletePost && s.Topic.ReplyCount > 0 {
			return errHasReplies // others' replies would vanish with the topic
		}
		return allowIf(own)
	case LeaveSpace:
		return nil
	case ModerateTopic:
		return allowIf(Moderates(v, s))
	}
	return errNotAllow
}

// checkPoster: verified, and a member where membership is needed to post.
func checkPoster(v model.Viewer, s Subject) error {
	if err := checkVerified(v); err != nil {
		return err
	}
	if s.Space.Visibility == model.Public || s.Role != model.SpaceNone || v.Staff() {
		return nil
	}
	return errJoin
}

func checkVerified(v model.Viewer) error {
	if !v.User.Verified() && !v.Staff() {
		return errVerify
	}
	return nil
}

func allowIf(ok bool) error {
	if ok {
		return nil
	}
	return errNotAllow
}

// canSeeSpace: staff see every space; public and private spaces are listed;
// secret spaces exist only for their members.
func canSeeSpace(v model.Viewer, s Subject) bool {
	return v.Staff() || s.Space.Visibility != model.Secret || s.Role != model.SpaceNone
}

// canReadContent: public content is for everyone, the rest for members and staff.
func canReadContent(v model.Viewer, s Subject) bool {
	return v.Staff() || s.Space.Visibility == model.Public || s.Role != model.SpaceNone
}

// canSeeTopic hides deleted topics from all but moderators, and pending ones
// from all but their author and moderators.
func canSeeTopic(v model.Viewer, s Subject) bool {
	t := s.Topic
	if t.Deleted() {
		return Moderates(v, s)
	}
	if t.State == "pending" {
		return t.AuthorID == v.UserID() || Moderates(v, s)
	}
	return true
}

// Moderates reports whether the viewer moderates the subject's space: staff
// everywhere, leaders in their own space.
func Moderates(v model.Viewer, s Subject) bool {
	return v.Staff() || (!v.Guest() && s.Role == model.SpaceLeader)
}

// Leads reports whether the viewer may manage the space itself.
func Leads(v model.Viewer, s Subject) bool { return Moderates(v, s) }

// Can is Check as a boolean, for deciding which controls to show.
func Can(v model.Viewer, a Action, s Subject) bool { return Check(v, a, s) == nil }

// Scope describes which spaces' content a viewer may list. The store turns it
// into the SQL filter every list query uses (store.visibleTopics and friends).
type Scope struct {
	// UserID is the viewer (0 for guests); membership grants private and secret content.
	UserID int64
	// All is true for staff, who see every space.
	All bool
}

// ScopeOf returns the listing scope of a viewer.
func ScopeOf(v model.Viewer) Scope { return Scope{UserID: v.UserID(), All: v.Staff()} }

// CanManageUsers reports whether the viewer may change roles and suspend or
// delete accounts, and read the outbox.
func CanManageUsers(v model.Viewer) bool { return v.Admin() && v.Scope != model.ScopeRead }
