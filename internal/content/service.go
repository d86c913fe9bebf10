package content

import (
	"context"
	"errors"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/store"
)

// Service manages topics and posts.
type Service struct {
	store *store.Store
	md    *markup.Renderer
	now   func() time.Time
}

// NewService returns a content service.
func NewService(s *store.Store, md *markup.Renderer, now func() time.Time) *Service {
	return &Service{store: s, md: md, now: now}
}

// topicSubject loads a topic with its space and the viewer's role, and checks a.
func (s *Service) topicSubject(ctx context.Context, q *store.Queries, v model.Viewer, topicID int64, a policy.Action) (policy.Subject, error) {
	t, err := q.Topic(ctx, topicID)
	if err != nil {
		return policy.Subject{}, err
	}
	sp, err := q.Space(ctx, t.SpaceID)
	if err != nil {
		return policy.Subject{}, err
	}
	role, err := q.SpaceRole(ctx, sp.ID, v.UserID())
	if err != nil {
		return policy.Subject{}, err
	}
	sub := policy.Subject{Space: sp, Role: role, Topic: &t}
	return sub, policy.Check(v, a, sub)
}

// postSubject loads a post with its topic and space, and checks a.
func (s *Service) postSubject(ctx context.Context, q *store.Queries, v model.Viewer, postID int64, a policy.Action) (policy.Subject, error) {
	p, err := q.Post(ctx, postID)
	if err != nil {
		return policy.Subject{}, err
	}
	sub, err := s.topicSubject(ctx, q, v, p.TopicID, policy.ReadTopic)
	if err != nil {
		return sub, err
	}
	sub.Post = &p
	return sub, policy.Check(v, a, sub)
}

// CreateTopic starts a topic with its opening post.
func (s *Service) CreateTopic(ctx context.Context, v model.Viewer, in TopicInput) (model.Topic, error) {
	f := apperr.Fields{}
	title := checkTitle(f, in.Title)
	body := checkBody(f, in.Body)
	tags := ParseTags(f, in.Tags)
	if in.Kind == "" {
		in.Kind = model.KindDiscussion
	}
	if !model.ValidKind(in.Kind) {
		f.Add("kind", "Choose a known kind, such as discussion or question.")
	}
	if in.Space == "" {
		f.Add("space", "Choose a space.")
	}
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sp, err := s.spaceFor(ctx, q, v, in.Space, f)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		t, err = q.CreateTopic(ctx, store.NewTopic{SpaceID: sp.ID, Kind: in.Kind, AuthorID: v.UserID(), Title: title, Slug: topicSlug(title),
			Body: body, BodyHTML: s.md.Render(body), Tags: tags, CreatedAt: s.now()})
		return err
	})
	return t, err
}

// spaceFor checks the viewer may start a topic in the named space. A space the
// viewer cannot see is reported on the field, like one that does not exist.
func (s *Service) spaceFor(ctx context.Context, q *store.Queries, v model.Viewer, slug string, f apperr.Fields) (model.Space, error) {
	if slug == "" {
		return model.Space{}, f.Err()
	}
	sub, err := community.Subject(ctx, q, v, slug, policy.CreateTopic)
	if apperr.KindOf(err) == apperr.NotFound {
		f.Add("space", "There is no such space.")
		return model.Space{}, f.Err()
	}
	return sub.Space, err
}

func topicSlug(title string) string {
	slug := community.Slugify(title, 60)
	if slug == "" {
		return "topic"
	}
	return slug
}

// ListInput selects a list of topics.
type ListInput struct {
	Space  string
	Tag    string
	Kind   model.Kind
	Cursor string
	Limit  int
}

// List is a page of topics.
type List struct {
	Items  []model.TopicItem
	Pinned []model.TopicItem
	Next   string
}

// Latest lists the topics the viewer may read, most recently active first.
// Within a space, pinned topics come first on the first page.
func (s *Service) Latest(ctx context.Context, v model.Viewer, in ListInput) (List, error) {
	cur, err := DecodeCursor(in.Cursor)
	if err != nil {
		return List{}, err
	}
	if in.Kind != "" && !model.ValidKind(in.Kind) {
		return List{}, apperr.Field("kind", "Unknown kind.")
	}
	limit := in.Limit
	if limit <= 0 || limit > MaxPage {
		limit = PageSize
	}
	q := s.store.Read()
	f := store.TopicFilter{Tag: strings.ToLower(in.Tag), Kind: in.Kind, Cursor: cur, Limit: limit + 1}
	var out List
	if in.Space != "" {
		sub, err := community.Subject(ctx, q, v, in.Space, policy.ReadContent)
		if err != nil {
			return List{}, err
		}
		f.SpaceID = sub.Space.ID
		// Pinned topics lead a space's plain list (any kind) and are left out
		// of its pages; a tag list keeps them in activity order instead.
		if in.Tag == "" {
			f.Pinned = -1
		}
		if cur.ID == 0 && in.Tag == "" {
			pf := f
			pf.Pinned, pf.Limit = 1, MaxPage
			if out.Pinned, err = q.Topics(ctx, policy.ScopeOf(v), pf); err != nil {
				return List{}, err
			}
		}
	}
	items, err := q.Topics(ctx, policy.ScopeOf(v), f)
	if err != nil {
		return List{}, err
	}
	if len(items) > limit {
		items = items[:limit]
		last := items[limit-1].Topic
		out.Next = EncodeCursor(store.Cursor{At: last.LastPostAt, ID: last.ID})
	}
	out.Items = items
	return out, nil
}

// TopicView is a topic page: the topic, its space, a page of posts and what
// the viewer may do.
type TopicView struct {
	Topic       model.Topic
	Space       model.Space
	Posts       []PostView
	Next        int64
	CanReply    bool
	CanModerate bool
	ReplyError  string
}

// PostView is a post with the viewer's permissions on it.
type PostView struct {
	model.PostItem
	CanEdit    bool
	CanDelete  bool
	CanRestore bool
}

// Topic returns a topic page, posts after the given post id.
func (s *Service) Topic(ctx context.Context, v model.Viewer, id, after int64) (TopicView, error) {
	q := s.store.Read()
	sub, err := s.topicSubject(ctx, q, v, id, policy.ReadTopic)
	if err != nil {
		return TopicView{}, err
	}
	mod := policy.Moderates(v, sub)
	posts, err := q.TopicPosts(ctx, id, after, PostsPage+1, mod)
	if err != nil {
		return TopicView{}, err
	}
	view := TopicView{Topic: *sub.Topic, Space: sub.Space, CanModerate: mod && !v.Guest() && v.Scope != model.ScopeRead}
	if len(posts) > PostsPage {
		posts = posts[:PostsPage]
		view.Next = posts[PostsPage-1].Post.ID
	}
	replyErr := policy.Check(v, policy.Reply, sub)
	view.CanReply = replyErr == nil
	if e, ok := apperr.As(replyErr); ok && e.Kind == apperr.Forbidden {
		view.ReplyError = e.Msg
	}
	for _, p := range posts {
		ps := sub
		ps.Post = &p.Post
		view.Posts = append(view.Posts, PostView{PostItem: p,
			CanEdit:    !p.Post.Deleted() && policy.Can(v, policy.EditPost, ps),
			CanDelete:  !p.Post.Deleted() && policy.Can(v, policy.DeletePost, ps),
			CanRestore: p.Post.Deleted() && policy.Can(v, policy.RestorePost, ps)})
	}
	return view, nil
}

// Post returns one post the viewer may read.
func (s *Service) Post(ctx context.Context, v model.Viewer, id int64) (model.Post, model.Topic, error) {
	sub, err := s.postSubject(ctx, s.store.Read(), v, id, policy.ReadPost)
	if err != nil {
		return model.Post{}, model.Topic{}, err
	}
	return *sub.Post, *sub.Topic, nil
}

// PostWithAuthor returns one post the viewer may read, with its author.
func (s *Service) PostWithAuthor(ctx context.Context, v model.Viewer, id int64) (model.PostItem, error) {
	q := s.store.Read()
	sub, err := s.postSubject(ctx, q, v, id, policy.ReadPost)
	if err != nil {
		return model.PostItem{}, err
	}
	author, err := q.UserRef(ctx, sub.Post.AuthorID)
	return model.PostItem{Post: *sub.Post, Author: author}, err
}

// Reply adds a post to a topic.
func (s *Service) Reply(ctx context.Context, v model.Viewer, topicID int64, body string) (model.Post, error) {
	f := apperr.Fields{}
	body = checkBody(f, body)
	var p model.Post
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.Reply)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		kind := model.PostReply
		if sub.Topic.Kind == model.KindQuestion {
			kind = model.PostAnswer
		}
		now := s.now()
		if p, err = q.CreatePost(ctx, model.Post{TopicID: topicID, AuthorID: v.UserID(), Kind: kind, Body: body, BodyHTML: s.md.Render(body), CreatedAt: now}); err != nil {
			return err
		}
		if err := q.AddRevision(ctx, model.Revision{PostID: p.ID, Number: 1, EditorID: v.UserID(), Body: body, CreatedAt: now}); err != nil {
			return err
		}
		return q.TouchTopic(ctx, topicID, v.UserID(), now)
	})
	return p, err
}

// Edit changes a post and records a revision; for an opening post it also
// changes the topic's title and tags. An edit that changes nothing is refused.
func (s *Service) Edit(ctx context.Context, v model.Viewer, postID int64, in EditInput) (model.Post, error) {
	f := apperr.Fields{}
	body := checkBody(f, in.Body)
	reason := checkReason(f, in.Reason)
	var p model.Post
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.postSubject(ctx, q, v, postID, policy.EditPost)
		if err != nil {
			return err
		}
		p = *sub.Post // assign, not :=, so the edited post is what Edit returns
		t := *sub.Topic
		title, tags := t.Title, t.Tags
		if p.Kind == model.PostOpening {
			title, tags = checkTitle(f, in.Title), ParseTags(f, in.Tags)
		}
		if err := f.Err(); err != nil {
			return err
		}
		if body == p.Body && title == t.Title && strings.Join(tags, " ") == strings.Join(t.Tags, " ") {
			return apperr.Field("body", "Nothing changed.")
		}
		now := s.now()
		html := s.md.Render(body)
		if p.Revision, err = q.UpdatePostBody(ctx, postID, body, html, now); err != nil {
			return err
		}
		rev := model.Revision{PostID: postID, Number: p.Revision, EditorID: v.UserID(), Body: body, Reason: reason, CreatedAt: now}
		if p.Kind == model.PostOpening {
			rev.Title, rev.Tags = title, strings.Join(tags, " ")
			if err := q.UpdateTopic(ctx, t.ID, title, topicSlug(title), tags, now); err != nil {
				return err
			}
		}
		p.Body, p.BodyHTML, p.UpdatedAt, p.EditedAt = body, html, now, &now
		return q.AddRevision(ctx, rev)
	})
	return p, err
}

// SetDeleted soft-deletes or restores a post; for an opening post the whole
// topic goes or comes back with it.
func (s *Service) SetDeleted(ctx context.Context, v model.Viewer, postID int64, deleted bool) (model.Topic, error) {
	action := policy.DeletePost
	if !deleted {
		action = policy.RestorePost
	}
	var topic model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.postSubject(ctx, q, v, postID, action)
		if err != nil {
			return err
		}
		topic = *sub.Topic
		now := s.now()
		var at *time.Time
		if deleted {
			at = &now
		}
		if sub.Post.Kind == model.PostOpening {
			if err := q.SetTopicFlag(ctx, topic.ID, store.FlagDeleted, at, v.UserID()); err != nil {
				return err
			}
			return q.RecountSpaceTopics(ctx, topic.SpaceID)
		}
		if err := q.SetPostDeleted(ctx, postID, at, v.UserID()); err != nil {
			return err
		}
		return q.RecountReplies(ctx, topic.ID)
	})
	return topic, err
}

// Moderation is a topic-level moderator action.
type Moderation string

// Topic moderation actions.
const (
	Pin    Moderation = "pin"
	Unpin  Moderation = "unpin"
	Lock   Moderation = "lock"
	Unlock Moderation = "unlock"
)

// Moderate pins, unpins, locks or unlocks a topic.
func (s *Service) Moderate(ctx context.Context, v model.Viewer, topicID int64, m Moderation) (model.Topic, error) {
	flags := map[Moderation]store.TopicFlag{Pin: store.FlagPinned, Unpin: store.FlagPinned, Lock: store.FlagLocked, Unlock: store.FlagLocked}
	flag, ok := flags[m]
	if !ok {
		return model.Topic{}, apperr.Field("action", "Choose pin, unpin, lock or unlock.")
	}
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.ModerateTopic)
		if err != nil {
			return err
		}
		now := s.now()
		var at *time.Time
		if m == Pin || m == Lock {
			at = &now
		}
		if err := q.SetTopicFlag(ctx, topicID, flag, at, v.UserID()); err != nil {
			return err
		}
		t, err = q.Topic(ctx, sub.Topic.ID)
		return err
	})
	return t, err
}

// Move puts a topic in another space. The viewer must moderate the topic and
// be allowed to start topics in the target space.
func (s *Service) Move(ctx context.Context, v model.Viewer, topicID int64, toSlug string) (model.Topic, error) {
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.ModerateTopic)
		if err != nil {
			return err
		}
		toSlug = strings.TrimSpace(toSlug)
		if toSlug == "" {
			return apperr.Field("space", "Choose a space you can post in.")
		}
		f := apperr.Fields{}
		target, err := s.spaceFor(ctx, q, v, toSlug, f)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return apperr.Field("space", "Choose a space you can post in.")
		}
		if target.ID == sub.Space.ID {
			return apperr.Field("space", "The topic is already in that space.")
		}
		if err := q.MoveTopic(ctx, topicID, sub.Space.ID, target.ID, s.now()); err != nil {
			return err
		}
		t, err = q.Topic(ctx, topicID)
		return err
	})
	return t, err
}

// RevisionView is a revision with its editor and the diff from the one before.
type RevisionView struct {
	store.RevisionItem
	Diff       []DiffLine
	TitleDiff  []DiffLine
	TagsBefore string
}

// Revisions returns a post's history, newest first, each with its diff.
func (s *Service) Revisions(ctx context.Context, v model.Viewer, postID int64) (model.Post, model.Topic, []RevisionView, error) {
	q := s.store.Read()
	sub, err := s.postSubject(ctx, q, v, postID, policy.ReadPost)
	if err != nil {
		return model.Post{}, model.Topic{}, nil, err
	}
	revs, err := q.Revisions(ctx, postID)
	if err != nil {
		return model.Post{}, model.Topic{}, nil, err
	}
	out := make([]RevisionView, len(revs))
	for i, r := range revs {
		var prev model.Revision
		if i+1 < len(revs) {
			prev = revs[i+1].Revision
		}
		out[i] = RevisionView{RevisionItem: r, Diff: Diff(prev.Body, r.Revision.Body), TagsBefore: prev.Tags}
		if r.Revision.Title != prev.Title {
			out[i].TitleDiff = Diff(prev.Title, r.Revision.Title)
		}
	}
	return *sub.Post, *sub.Topic, out, nil
}

// Preview renders Markdown the way a post will show it.
func (s *Service) Preview(body string) (string, error) {
	f := apperr.Fields{}
	body = checkBody(f, body)
	if err := f.Err(); err != nil {
		return "", err
	}
	return s.md.Render(body), nil
}

// PopularTags lists the tags most used in what the viewer may read.
func (s *Service) PopularTags(ctx context.Context, v model.Viewer, limit int) ([]model.Tag, error) {
	return s.store.Read().PopularTags(ctx, policy.ScopeOf(v), limit)
}

// Tag returns a tag by name.
func (s *Service) Tag(ctx context.Context, name string) (model.Tag, error) {
	t, err := s.store.Read().Tag(ctx, strings.ToLower(name))
	if errors.Is(err, store.ErrNotFound) {
		return t, apperr.NotFoundf("There is no tag %q.", truncate(name, 40))
	}
	return t, err
}

// Profile returns a member's public profile and the latest topics they started
// that the viewer may read. Deleted and placeholder-free: anonymized accounts
// still show, under their neutral name.
func (s *Service) Profile(ctx context.Context, v model.Viewer, username string) (model.User, []model.TopicItem, error) {
	q := s.store.Read()
	u, err := q.UserByUsername(ctx, username)
	if err != nil {
		return model.User{}, nil, err
	}
	if u.Status == model.StatusSuspended && !v.Staff() {
		u.Bio = ""
	}
	items, err := q.Topics(ctx, policy.ScopeOf(v), store.TopicFilter{AuthorID: u.ID, Limit: 20})
	return u, items, err
}

// EditablePost returns a post the viewer may edit, for showing the edit form.
func (s *Service) EditablePost(ctx context.Context, v model.Viewer, id int64) (model.Post, model.Topic, error) {
	sub, err := s.postSubject(ctx, s.store.Read(), v, id, policy.EditPost)
	if err != nil {
		return model.Post{}, model.Topic{}, err
	}
	return *sub.Post, *sub.Topic, nil
}
