package content

import (
	"context"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/policy"
	"practica/internal/store"
)

// MaxMentions is how many members one post can notify by @name; further
// names are still linked but notify nobody (a post naming a hundred members
// would be a way to spam them).
const MaxMentions = 10

// Sees reports whether v may read a topic, or one of its posts when postID
// is set, with the same policy every page uses (notify.Sees). A subject that
// is gone or hidden is false; only a failure to read is an error.
func (s *Service) Sees(ctx context.Context, q *store.Queries, v model.Viewer, topicID, postID int64) (bool, error) {
	var err error
	if postID != 0 {
		_, err = s.postSubject(ctx, q, v, postID, policy.ReadPost)
	} else {
		_, err = s.topicSubject(ctx, q, v, topicID, policy.ReadTopic)
	}
	switch {
	case err == nil:
		return true, nil
	case apperr.KindOf(err) == apperr.NotFound:
		return false, nil
	}
	return false, err
}

// notes gathers the notifications one write sends: never to whoever made
// the write, never to an account that cannot sign in, and never about a
// post the recipient may not read. A member may gather several reasons, in
// order of preference (a mention before a reply); notify.Add writes the
// first one they want. They are written with the write, in its transaction.
type notes struct {
	actor int64
	// sub is what they are about (Post set: one post, else the topic), as
	// the write loaded it; each recipient's role is added to check sight.
	sub   policy.Subject
	now   time.Time
	sight map[int64]bool // whether each member looked at may read sub
	has   map[noteKey]bool
	out   []model.Notification
}

type noteKey struct {
	user int64
	kind model.NoteKind
}

func (s *Service) notes(v model.Viewer, sub policy.Subject) *notes {
	return &notes{actor: v.UserID(), sub: sub, now: s.now(), sight: map[int64]bool{}, has: map[noteKey]bool{}}
}

// to notifies one member, by id, of kind.
func (n *notes) to(ctx context.Context, q *store.Queries, userID int64, kind model.NoteKind) error {
	if userID == 0 || userID == n.actor {
		return nil
	}
	if ok, known := n.sight[userID]; known {
		n.add(userID, kind, ok)
		return nil
	}
	u, err := q.User(ctx, userID)
	if apperr.KindOf(err) == apperr.NotFound {
		return nil
	}
	if err != nil {
		return err
	}
	return n.toUser(ctx, q, u, kind)
}

func (n *notes) toUser(ctx context.Context, q *store.Queries, u model.User, kind model.NoteKind) error {
	if u.ID == n.actor {
		return nil
	}
	if ok, known := n.sight[u.ID]; known {
		n.add(u.ID, kind, ok)
		return nil
	}
	role, err := q.SpaceRole(ctx, n.sub.Space.ID, u.ID)
	if err != nil {
		return err
	}
	n.toMember(u, role, kind)
	return nil
}

// toMember notifies u, whose role in the space is known, of kind.
func (n *notes) toMember(u model.User, role model.SpaceRole, kind model.NoteKind) {
	if u.ID == n.actor {
		return
	}
	ok, known := n.sight[u.ID]
	if !known {
		ok = canRead(u, role, n.sub)
		n.sight[u.ID] = ok
	}
	n.add(u.ID, kind, ok)
}

// canRead reports whether u, an active account whose role in the subject's
// space is role, may read the subject (its post when set, else its topic,
// else its space's content), by the policy.
func canRead(u model.User, role model.SpaceRole, sub policy.Subject) bool {
	read := policy.ReadContent
	switch {
	case sub.Post != nil:
		read = policy.ReadPost
	case sub.Topic != nil:
		read = policy.ReadTopic
	}
	sub.Role = role
	return u.Status == model.StatusActive && policy.Check(model.Viewer{User: &u}, read, sub) == nil
}

func (n *notes) add(userID int64, kind model.NoteKind, sees bool) {
	k := noteKey{userID, kind}
	if !sees || n.has[k] {
		return
	}
	n.has[k] = true
	postID := int64(0)
	if n.sub.Post != nil {
		postID = n.sub.Post.ID
	}
	n.out = append(n.out, model.Notification{UserID: userID, Kind: kind, ActorID: n.actor, TopicID: n.sub.Topic.ID, PostID: postID, CreatedAt: n.now})
}

// watchers notifies, of kind, the members watching any of targets or
// following any of tags.
func (n *notes) watchers(ctx context.Context, q *store.Queries, kind model.NoteKind, targets map[model.WatchTarget]int64, tags []string) error {
	ws, err := q.Watchers(ctx, n.sub.Space.ID, n.sub.Topic.ID, n.sub.Space.Visibility != model.Public, targets, tags)
	if err != nil {
		return err
	}
	for _, w := range ws {
		n.toMember(w.User, w.Role, kind)
	}
	return nil
}

// mentions notifies the members src names with @, up to MaxMentions names.
func (n *notes) mentions(ctx context.Context, q *store.Queries, src string) error {
	return n.mentionNames(ctx, q, markup.Mentions(src))
}

// addedMentions notifies the members an edit from before to after newly
// names: those named before were told when that was written.
func (n *notes) addedMentions(ctx context.Context, q *store.Queries, before, after string) error {
	had := map[string]bool{}
	for _, name := range markup.Mentions(before) {
		had[strings.ToLower(name)] = true
	}
	var added []string
	for _, name := range markup.Mentions(after) {
		if !had[strings.ToLower(name)] {
			added = append(added, name)
		}
	}
	return n.mentionNames(ctx, q, added)
}

func (n *notes) mentionNames(ctx context.Context, q *store.Queries, names []string) error {
	if len(names) > MaxMentions {
		names = names[:MaxMentions]
	}
	users, err := q.UsersByUsername(ctx, names)
	if err != nil {
		return err
	}
	for _, u := range users {
		if err := n.toUser(ctx, q, u, model.NoteMention); err != nil {
			return err
		}
	}
	return nil
}

// silenced are the kinds a muted topic or space stops; what names the
// member themselves (mentions, accepted answers, invitations) still comes.
var silenced = map[model.NoteKind]bool{model.NoteReply: true, model.NoteAnswer: true, model.NoteComment: true, model.NotePosted: true, model.NoteStarted: true}

// send writes what was gathered, as each recipient chose to hear of it,
// leaving out what they muted.
func (n *notes) send(ctx context.Context, q *store.Queries) error {
	var ids []int64
	for _, o := range n.out {
		if silenced[o.Kind] {
			ids = append(ids, o.UserID)
		}
	}
	muted, err := q.MutedBy(ctx, ids, n.sub.Topic.ID, n.sub.Space.ID)
	if err != nil {
		return err
	}
	out := n.out[:0]
	for _, o := range n.out {
		if !silenced[o.Kind] || !muted[o.UserID] {
			out = append(out, o)
		}
	}
	return notify.Add(ctx, q, out)
}

// MentionQuery is what a composer asks for suggestions: the start of a
// username and where the post goes (a topic by id, a post being edited, or
// a space for a new topic).
type MentionQuery struct {
	Prefix  string
	TopicID int64
	PostID  int64
	Space   string
}

// MaxSuggestions is how many members a composer suggests at once.
const MaxSuggestions = 8

// SuggestMentions lists members the viewer could mention where the post
// goes: only those who may read it there (in a private or secret space,
// its members and staff), since a mention of anyone else notifies nobody.
// Where the viewer may not read is NotFound, as everywhere.
func (s *Service) SuggestMentions(ctx context.Context, v model.Viewer, in MentionQuery) ([]model.UserRef, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	prefix := strings.ToLower(strings.TrimPrefix(strings.TrimSpace(in.Prefix), "@"))
	if prefix == "" || len(prefix) > 30 || strings.Trim(prefix, "abcdefghijklmnopqrstuvwxyz0123456789_.-") != "" {
		return nil, nil
	}
	q := s.store.Read()
	var sub policy.Subject
	var err error
	switch {
	case in.TopicID != 0:
		sub, err = s.topicSubject(ctx, q, v, in.TopicID, policy.ReadTopic)
	case in.PostID != 0:
		sub, err = s.postSubject(ctx, q, v, in.PostID, policy.ReadPost)
	case in.Space != "":
		sub, err = community.Subject(ctx, q, v, in.Space, policy.ReadContent)
	}
	if err != nil {
		return nil, err
	}
	// Candidates come with their role in the space; each is checked with
	// the policy, as a notification would be. In a private or secret space
	// the query already keeps to members and staff, so the page fills.
	cands, err := q.MentionCandidates(ctx, prefix, sub.Space.ID, sub.Space.ID != 0 && sub.Space.Visibility != model.Public, v.UserID(), 4*MaxSuggestions)
	if err != nil {
		return nil, err
	}
	var out []model.UserRef
	for _, c := range cands {
		if (sub.Space.ID == 0 || canRead(c.User, c.Role, sub)) && len(out) < MaxSuggestions {
			out = append(out, c.User.Ref())
		}
	}
	return out, nil
}
