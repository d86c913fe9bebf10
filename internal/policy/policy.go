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
	Vote                        // vote a question or an answer up or down
	AcceptAnswer                // accept or unaccept an answer to a question
	Comment                     // comment on a question or an answer
	SuggestEdit                 // edit someone else's question or answer (privilege: direct, else reviewed)
	ReviewEdit                  // approve or reject a suggested edit (privilege, or moderators)
	CloseTopic                  // close or reopen a question (privilege, or moderators)
	MarkWiki                    // make an answer community wiki, or undo it
	InviteAnswer                // ask members to answer a question
)

// Some actions are open to members who earned a reputation privilege; the
// policy decides who could (the structure: sight, membership, state), and the
// content service adds the reputation the privilege needs. Moderators need
// no privilege.

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
	errOwnVote    = apperr.New(apperr.Forbidden, "You cannot vote on your own post.")
	errNotQA      = apperr.New(apperr.Forbidden, "Only questions and answers take votes and comments.")
	errClosed     = apperr.New(apperr.Forbidden, "This question is closed, so it takes no new answers. Comments and edits that improve it are welcome.")
	errAsker      = apperr.New(apperr.Forbidden, "Only the person who asked, or a leader of the space, can do that.")
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
		if err := checkReply(v, s); err != nil {
			return err
		}
		return allowIf(!s.Topic.Closed() || Moderates(v, s), errClosed)
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
	case Vote:
		return checkVote(v, s)
	case AcceptAnswer:
		return checkAccept(v, s)
	case SuggestEdit, ReviewEdit:
		if err := checkReply(v, s); err != nil {
			return err
		}
		if s.Post != nil && s.Post.Deleted() {
			return errDeleted
		}
		return allowIf(isQA(s), errNotQA)
	case CloseTopic:
		if s.Topic.Kind != model.KindQuestion {
			return errNotQA
		}
		if s.Topic.Deleted() {
			return errDeleted
		}
		if Moderates(v, s) {
			return nil
		}
		if s.Topic.Locked() {
			return errLocked
		}
		return checkPoster(v, s)
	case InviteAnswer:
		switch {
		case s.Topic.Kind != model.KindQuestion:
			return errNotQA
		case s.Topic.Deleted():
			return errDeleted
		case Moderates(v, s):
			return nil
		case s.Topic.AuthorID != v.UserID():
			return errAsker
		case s.Topic.Locked():
			return errLocked
		}
		return allowIf(!s.Topic.Closed(), errClosed)
	case MarkWiki:
		if s.Post == nil || s.Post.Kind != model.PostAnswer || s.Topic.Kind != model.KindQuestion {
			return errNotQA
		}
		if s.Topic.Deleted() || s.Post.Deleted() {
			return errDeleted
		}
		return allowIf(Moderates(v, s) || (s.Post.AuthorID == v.UserID() && !s.Topic.Locked()))
	case Comment:
		if err := checkReply(v, s); err != nil {
			return err
		}
		if s.Post != nil && s.Post.Deleted() {
			return errDeleted
		}
		return allowIf(isQA(s), errNotQA)
	}
	return errNotAllow
}

// isQA: the subject post is a question (the opening post of a question topic)
// or an answer.
func isQA(s Subject) bool {
	return s.Post != nil && s.Topic.Kind == model.KindQuestion && (s.Post.Kind == model.PostOpening || s.Post.Kind == model.PostAnswer)
}

// checkVote: a confirmed member votes on others' live questions and answers.
// Locked topics keep their scores as they are, for everyone.
func checkVote(v model.Viewer, s Subject) error {
	if err := checkVerified(v); err != nil {
		return err
	}
	switch {
	case !isQA(s):
		return errNotQA
	case s.Topic.Deleted() || s.Post.Deleted():
		return errDeleted
	case s.Topic.Locked():
		return errLocked
	case s.Post.AuthorID == v.UserID():
		return errOwnVote
	}
	return nil
}

// checkAccept: the asker or a moderator of the space accepts a live answer.
func checkAccept(v model.Viewer, s Subject) error {
	if s.Post == nil || s.Post.Kind != model.PostAnswer || s.Topic.Kind != model.KindQuestion {
		return apperr.Field("post_id", "Choose an answer to this question.")
	}
	if s.Topic.Deleted() || s.Post.Deleted() {
		return errDeleted
	}
	if Moderates(v, s) {
		return nil
	}
	if s.Topic.AuthorID != v.UserID() {
		return errAsker
	}
	if s.Topic.Locked() {
		return errLocked
	}
	return checkVerified(v)
}

// checkReply: a poster adds to a live topic; only moderators add to a locked one.
func checkReply(v model.Viewer, s Subject) error {
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

// allowIf returns nil when ok, else the given error (errNotAllow by default).
func allowIf(ok bool, otherwise ...error) error {
	switch {
	case ok:
		return nil
	case len(otherwise) > 0:
		return otherwise[0]
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

// CheckManageTags: merging tags and adding synonyms is for staff, since tags
// span every space.
func CheckManageTags(v model.Viewer) error {
	if err := checkWriter(v); err != nil {
		return err
	}
	return allowIf(v.Staff())
}

// CanManageUsers reports whether the viewer may change roles and suspend or
// delete accounts, and read the outbox.
func CanManageUsers(v model.Viewer) bool { return v.Admin() && v.Scope != model.ScopeRead }
