package content

import (
	"context"
	"time"

	"practica/internal/apperr"
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

// notes gathers the notifications one write sends: at most one per member
// (the first reason given wins), never to whoever made the write, never to
// an account that cannot sign in, and never about a post the recipient may
// not read. They are written with the write, in its transaction.
type notes struct {
	actor int64
	// sub is what they are about (Post set: one post, else the topic), as
	// the write loaded it; each recipient's role is added to check sight.
	sub  policy.Subject
	now  time.Time
	seen map[int64]bool
	out  []model.Notification
}

func (s *Service) notes(v model.Viewer, sub policy.Subject) *notes {
	return &notes{actor: v.UserID(), sub: sub, now: s.now(), seen: map[int64]bool{}}
}

// to notifies one member, by id, of kind.
func (n *notes) to(ctx context.Context, q *store.Queries, userID int64, kind model.NoteKind) error {
	if userID == 0 || userID == n.actor || n.seen[userID] {
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
	if u.ID == n.actor || n.seen[u.ID] {
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
	if u.ID == n.actor || n.seen[u.ID] || u.Status != model.StatusActive {
		return
	}
	n.seen[u.ID] = true
	sub, read, postID := n.sub, policy.ReadTopic, int64(0)
	if sub.Post != nil {
		read, postID = policy.ReadPost, sub.Post.ID
	}
	sub.Role = role
	if policy.Check(model.Viewer{User: &u}, read, sub) != nil {
		return
	}
	n.out = append(n.out, model.Notification{UserID: u.ID, Kind: kind, ActorID: n.actor, TopicID: sub.Topic.ID, PostID: postID, CreatedAt: n.now})
}

// watchers notifies, of kind, the members watching any of targets.
func (n *notes) watchers(ctx context.Context, q *store.Queries, kind model.NoteKind, targets map[model.WatchTarget]int64) error {
	ws, err := q.Watchers(ctx, n.sub.Space.ID, targets)
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
	names := markup.Mentions(src)
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
