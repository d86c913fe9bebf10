package content

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/markup"
	"practica/internal/memo"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
)

// Service manages topics and posts.
type Service struct {
	store *store.Store
	md    *markup.Renderer
	now   func() time.Time
	// Activity buffers page views and visits until FlushActivity.
	Activity *Activity
	// BaseURL starts the links in emails (no trailing slash).
	BaseURL string
}

// NewService returns a content service.
func NewService(s *store.Store, md *markup.Renderer, now func() time.Time) *Service {
	return &Service{store: s, md: md, now: now, Activity: NewActivity()}
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
	if p.Kind == model.PostComment && p.ParentID != 0 && !p.Deleted() {
		// A comment goes with the post it is on: under a deleted answer it
		// is as hidden as the answer.
		parent, err := q.Post(ctx, p.ParentID)
		if err != nil {
			return policy.Subject{}, err
		}
		p.DeletedAt, p.DeletedBy = parent.DeletedAt, parent.DeletedBy
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
	return s.createTopic(ctx, v, in, nil)
}

// CreateTopicPage starts a topic and returns its first page, read in the
// same transaction. SQLite drops a read connection's cache whenever another
// connection has written, so reading the new topic back through the read
// pool read every page it needed again from the file (a quarter of a new
// topic's CPU through the API); the writer has them at hand.
func (s *Service) CreateTopicPage(ctx context.Context, v model.Viewer, in TopicInput, tq TopicQuery) (TopicView, error) {
	var view TopicView
	_, err := s.createTopic(ctx, v, in, func(q *store.Queries, t model.Topic) (err error) {
		view, err = s.topicPage(ctx, q, v, t.ID, tq)
		return err
	})
	return view, err
}

// createTopic starts a topic and, when then is set, runs it in the same
// transaction on what was written.
func (s *Service) createTopic(ctx context.Context, v model.Viewer, in TopicInput, then func(q *store.Queries, t model.Topic) error) (model.Topic, error) {
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
	// Rendered before the transaction: the write connection is SQLite's one
	// queue, and Markdown needs nothing from it.
	html := s.md.Render(body)
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.spaceSubject(ctx, q, v, in.Space, f)
		if err != nil {
			return err
		}
		sp := sub.Space
		if tags, err = s.prepareTags(ctx, q, v, policy.Moderates(v, sub), f, tags); err != nil {
			return err
		}
		var event *model.Event
		if in.Kind == model.KindEvent {
			zone, err := authorZone(ctx, q, v.UserID())
			if err != nil {
				return err
			}
			e := checkEvent(f, in.Event, zone, nil)
			checkNewEvent(f, e, s.now())
			event = &e
		}
		if err := f.Err(); err != nil {
			return err
		}
		t, err = q.CreateTopic(ctx, store.NewTopic{SpaceID: sp.ID, Kind: in.Kind, AuthorID: v.UserID(), Title: title, Slug: topicSlug(title),
			Body: body, BodyHTML: html, Tags: tags, CreatedAt: s.now()})
		if err != nil {
			return err
		}
		if event != nil {
			if err := q.SetEvent(ctx, t.ID, *event); err != nil {
				return err
			}
			t.Event = event
		}
		if err := markActive(ctx, q, sp, v.UserID(), t.CreatedAt); err != nil {
			return err
		}
		n := s.notes(v, policy.Subject{Space: sp, Topic: &t})
		if err := n.mentions(ctx, q, body); err != nil {
			return err
		}
		if err := n.watchers(ctx, q, model.NoteStarted, map[model.WatchTarget]int64{model.WatchSpace: sp.ID, model.WatchUser: v.UserID()}, tags); err != nil {
			return err
		}
		if err := n.send(ctx, q); err != nil || then == nil {
			return err
		}
		return then(q, t)
	})
	return t, err
}

// spaceFor checks the viewer may start a topic in the named space. A space the
// viewer cannot see is reported on the field, like one that does not exist.
func (s *Service) spaceFor(ctx context.Context, q *store.Queries, v model.Viewer, slug string, f apperr.Fields) (model.Space, error) {
	sub, err := s.spaceSubject(ctx, q, v, slug, f)
	return sub.Space, err
}

// spaceSubject is spaceFor with the viewer's role in the space.
func (s *Service) spaceSubject(ctx context.Context, q *store.Queries, v model.Viewer, slug string, f apperr.Fields) (policy.Subject, error) {
	if slug == "" {
		return policy.Subject{}, f.Err()
	}
	sub, err := community.Subject(ctx, q, v, slug, policy.CreateTopic)
	if apperr.KindOf(err) == apperr.NotFound {
		f.Add("space", "There is no such space.")
		return policy.Subject{}, f.Err()
	}
	return sub, err
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
	Space string
	Tag   string
	Kind  model.Kind
	Sort  store.TopicSort
	// Followed keeps topics with a tag the viewer follows.
	Followed bool
	// Author keeps the topics this member (a username) started.
	Author string
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
	if !store.ValidSort(in.Sort) {
		return List{}, apperr.Field("sort", "Sort by active, newest, top or unanswered.")
	}
	limit := in.Limit
	if limit <= 0 || limit > MaxPage {
		limit = PageSize
	}
	q := s.store.Read()
	f := store.TopicFilter{Tag: strings.ToLower(in.Tag), Kind: in.Kind, Sort: in.Sort, Cursor: cur, Limit: limit + 1}
	if in.Followed {
		if v.Guest() {
			return List{}, apperr.ErrSignIn
		}
		f.FollowedBy = v.UserID()
	}
	if in.Author != "" {
		u, err := q.UserByUsername(ctx, in.Author)
		if err != nil {
			return List{}, err
		}
		f.AuthorID = u.ID
	}
	plain := in.Tag == "" && !in.Followed && (in.Sort == "" || in.Sort == store.SortActive)
	var out List
	if in.Space != "" {
		sub, err := community.Subject(ctx, q, v, in.Space, policy.ReadContent)
		if err != nil {
			return List{}, err
		}
		f.SpaceID = sub.Space.ID
		// Pinned topics lead a space's plain list (any kind) and are left out
		// of its pages; a tag list keeps them in activity order instead.
		if plain {
			f.Pinned = -1
		}
		if cur.ID == 0 && plain {
			pf := f
			pf.Pinned, pf.Limit = 1, MaxPage
			if out.Pinned, err = s.topics(ctx, q, v, pf); err != nil {
				return List{}, err
			}
		}
	}
	items, err := s.topics(ctx, q, v, f)
	if err != nil {
		return List{}, err
	}
	if len(items) > limit {
		items = items[:limit]
		out.Next = EncodeCursor(store.CursorOf(in.Sort, items[limit-1].Topic))
	}
	out.Items = items
	return out, nil
}

// Description returns the plain-text summary of a post for a page's meta
// description. It is kept in the memo under the post's revision (an edit
// makes a new name, so it needs no keys): the Markdown passes behind it were
// a tenth of a member's topic page.
func (s *Service) Description(p model.Post) string {
	name := "description:" + strconv.FormatInt(p.ID, 10) + ":" + strconv.FormatInt(p.Revision, 10)
	d, _ := memo.Get(s.store.Memo, name, func(d string) int64 { return int64(len(d)) }, func() (string, error) {
		return markup.Excerpt(p.Body, 160), nil
	})
	return d
}

// TopicView is a topic page: the topic, its space, a page of posts and what
// the viewer may do. For a question, Posts holds the question and a page of
// answers, each with its comments.
type TopicView struct {
	Topic       model.Topic
	Space       model.Space
	Posts       []PostView
	Next        int64
	CanReply    bool
	CanModerate bool
	ReplyError  string
	// CanClose: the viewer may close (or reopen) the question.
	CanClose bool
	// CanEditEvent: the viewer may change an event's schedule and place.
	CanEditEvent bool
	// CanInvite: the viewer may invite members to answer; Invited lists them.
	CanInvite bool
	Invited   []model.UserRef
	// Originals links imported posts (and comments) to where they came from;
	// Links are the related and duplicate questions the viewer may read.
	Originals map[int64]string
	Links     []store.TopicLink
	// Question pages: answer order, page number, next page (0: none).
	Order    store.AnswerOrder
	Page     int
	NextPage int
}

// PostView is a post with the viewer's permissions on it.
type PostView struct {
	model.PostItem
	CanEdit    bool
	CanDelete  bool
	CanRestore bool
	// Questions and answers only.
	CanSuggest  bool // may suggest an edit for review (CanEdit: may edit directly)
	CanWiki     bool // may make the answer community wiki, or undo it
	Vote        int
	CanVote     bool
	CanDownvote bool
	Accepted    bool
	CanAccept   bool
	CanComment  bool
	Comments    []PostView
	// MoreComments counts the comments left out of Comments (TopicQuery.Comments).
	MoreComments int
}

// TopicQuery selects the page of a topic to show: posts after a post id for
// discussions, an answer order and page number for questions.
type TopicQuery struct {
	After int64
	Order store.AnswerOrder
	Page  int
	// Comments is how many comments to show per post, the first ones; the
	// rest are counted in PostView.MoreComments. 0 shows all.
	Comments int
}

// CommentsShown is how many comments the web UI shows under a post before
// a "more comments" link, as Stack Overflow does: imported questions with
// dozens of comments per answer outweighed the page budget.
const CommentsShown = 5

// MaxAnswerPage caps question page numbers (offset pagination).
const MaxAnswerPage = 500

// Topic returns a topic page, posts after the given post id.
func (s *Service) Topic(ctx context.Context, v model.Viewer, id, after int64) (TopicView, error) {
	return s.TopicPage(ctx, v, id, TopicQuery{After: after})
}

// TopicPage returns the page of a topic the query selects.
func (s *Service) TopicPage(ctx context.Context, v model.Viewer, id int64, tq TopicQuery) (TopicView, error) {
	return s.topicPage(ctx, s.store.Read(), v, id, tq)
}

func (s *Service) topicPage(ctx context.Context, q *store.Queries, v model.Viewer, id int64, tq TopicQuery) (TopicView, error) {
	sub, err := s.topicSubject(ctx, q, v, id, policy.ReadTopic)
	if err != nil {
		return TopicView{}, err
	}
	mod := policy.Moderates(v, sub)
	view := TopicView{Topic: *sub.Topic, Space: sub.Space, CanModerate: mod && !v.Guest() && v.Scope != model.ScopeRead}
	if view.Topic.Kind == model.KindEvent {
		if err := s.eventView(ctx, q, v, sub, &view); err != nil {
			return TopicView{}, err
		}
	}
	var posts []model.PostItem
	if sub.Topic.Kind == model.KindQuestion {
		posts, err = s.questionPosts(ctx, q, &view, tq, mod)
	} else {
		posts, err = q.TopicPosts(ctx, id, max(tq.After, 0), PostsPage+1, mod)
		if len(posts) > PostsPage {
			posts = posts[:PostsPage]
			view.Next = posts[PostsPage-1].Post.ID
		}
	}
	if err != nil {
		return TopicView{}, err
	}
	replyErr := policy.Check(v, policy.Reply, sub)
	view.CanReply = replyErr == nil
	if e, ok := apperr.As(replyErr); ok && e.Kind == apperr.Forbidden {
		view.ReplyError = e.Msg
	}
	if sub.Topic.Kind != model.KindQuestion {
		for _, p := range posts {
			view.Posts = append(view.Posts, postView(v, sub, p))
		}
		return view, s.sources(ctx, q, v, &view)
	}
	if view.Posts, err = s.qaViews(ctx, q, v, sub, posts, mod); err != nil {
		return view, err
	}
	if n := tq.Comments; n > 0 {
		for i, p := range view.Posts {
			if len(p.Comments) > n {
				view.Posts[i].Comments, view.Posts[i].MoreComments = p.Comments[:n], len(p.Comments)-n
			}
		}
	}
	if err := s.sources(ctx, q, v, &view); err != nil {
		return view, err
	}
	view.CanInvite = policy.Can(v, policy.InviteAnswer, sub)
	if view.Invited, err = q.AnswerInvites(ctx, id); err != nil {
		return view, err
	}
	if policy.Can(v, policy.CloseTopic, sub) {
		cfg, err := s.repConfig(ctx, q)
		view.CanClose = mod || cfg.Has(v.User, reputation.CloseReopen)
		return view, err
	}
	return view, nil
}

// sources adds where imported posts came from and the linked questions.
func (s *Service) sources(ctx context.Context, q *store.Queries, v model.Viewer, view *TopicView) error {
	var ids []int64
	for _, p := range view.Posts {
		ids = append(ids, p.Post.ID)
		for _, c := range p.Comments {
			ids = append(ids, c.Post.ID)
		}
	}
	var err error
	if view.Space.Attribution != "" {
		if view.Originals, err = q.OriginalLinks(ctx, ids); err != nil {
			return err
		}
	}
	if view.Topic.Kind == model.KindQuestion {
		view.Links, err = s.linkedTopics(ctx, q, v, view.Topic.ID)
	}
	return err
}

// questionPosts returns the question's opening post (on page 1) and a page of
// its answers in the chosen order.
func (s *Service) questionPosts(ctx context.Context, q *store.Queries, view *TopicView, tq TopicQuery, mod bool) ([]model.PostItem, error) {
	view.Order, view.Page = tq.Order, min(max(tq.Page, 1), MaxAnswerPage)
	if view.Order != store.AnswersByNewest {
		view.Order = store.AnswersByVotes
	}
	opening, err := q.TopicPosts(ctx, view.Topic.ID, 0, 1, mod)
	if err != nil {
		return nil, err
	}
	answers, err := q.Answers(ctx, view.Topic.ID, view.Order, (view.Page-1)*PostsPage, PostsPage+1, mod)
	if err != nil {
		return nil, err
	}
	if len(answers) > PostsPage {
		answers = answers[:PostsPage]
		view.NextPage = view.Page + 1
	}
	return append(opening, answers...), nil
}

// postView is a post with what the viewer may do to it.
func postView(v model.Viewer, sub policy.Subject, p model.PostItem) PostView {
	sub.Post = &p.Post
	return PostView{PostItem: p,
		CanEdit:    !p.Post.Deleted() && policy.Can(v, policy.EditPost, sub),
		CanDelete:  !p.Post.Deleted() && policy.Can(v, policy.DeletePost, sub),
		CanRestore: p.Post.Deleted() && policy.Can(v, policy.RestorePost, sub)}
}

// qaViews adds votes, acceptance and comments to a question page's posts.
func (s *Service) qaViews(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, posts []model.PostItem, mod bool) ([]PostView, error) {
	ids := make([]int64, len(posts))
	for i, p := range posts {
		ids[i] = p.Post.ID
	}
	votes, err := q.TopicVotes(ctx, sub.Topic.ID, v.UserID(), ids)
	if err != nil {
		return nil, err
	}
	comments, err := q.TopicComments(ctx, sub.Topic.ID, ids, mod)
	if err != nil {
		return nil, err
	}
	cfg, err := s.repConfig(ctx, q)
	if err != nil {
		return nil, err
	}
	out := make([]PostView, len(posts))
	for i, p := range posts {
		pv := postView(v, sub, p)
		ps := sub
		ps.Post = &p.Post
		pv.Vote = votes[p.Post.ID]
		pv.CanVote = policy.Can(v, policy.Vote, ps)
		pv.CanDownvote = pv.CanVote && (mod || cfg.Has(v.User, reputation.Downvote))
		pv.Accepted = p.Post.ID == sub.Topic.AcceptedPostID
		pv.CanAccept = p.Post.Kind == model.PostAnswer && policy.Can(v, policy.AcceptAnswer, ps)
		own := !v.Guest() && (p.Post.AuthorID == v.UserID() || sub.Topic.AuthorID == v.UserID())
		pv.CanComment = policy.Can(v, policy.Comment, ps) && (own || mod || cfg.Has(v.User, reputation.CommentEverywhere))
		if !pv.CanEdit && !p.Post.Deleted() && policy.Can(v, policy.SuggestEdit, ps) {
			pv.CanEdit = cfg.Has(v.User, reputation.EditOthers) || (p.Post.Wiki() && cfg.Has(v.User, reputation.EditWiki))
			pv.CanSuggest = !pv.CanEdit
		}
		pv.CanWiki = policy.Can(v, policy.MarkWiki, ps)
		for _, c := range comments[p.Post.ID] {
			pv.Comments = append(pv.Comments, postView(v, sub, c))
		}
		out[i] = pv
	}
	return out, nil
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
	return s.reply(ctx, v, topicID, body, nil)
}

// ReplyItem is Reply returning the new post with its author, read in the
// same transaction (see CreateTopicPage).
func (s *Service) ReplyItem(ctx context.Context, v model.Viewer, topicID int64, body string) (model.PostItem, error) {
	var it model.PostItem
	_, err := s.reply(ctx, v, topicID, body, func(q *store.Queries, p model.Post) (err error) {
		if it.Post, err = q.Post(ctx, p.ID); err != nil {
			return err
		}
		it.Author, err = q.UserRef(ctx, p.AuthorID)
		return err
	})
	return it, err
}

// reply adds a post to a topic and, when then is set, runs it in the same
// transaction on what was written.
func (s *Service) reply(ctx context.Context, v model.Viewer, topicID int64, body string, then func(q *store.Queries, p model.Post) error) (model.Post, error) {
	f := apperr.Fields{}
	body = checkBody(f, body)
	html := s.md.Render(body) // outside the transaction, as in CreateTopic
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
		if p, err = q.CreatePost(ctx, model.Post{TopicID: topicID, AuthorID: v.UserID(), Kind: kind, Body: body, BodyHTML: html, CreatedAt: now}); err != nil {
			return err
		}
		if err := markActive(ctx, q, sub.Space, v.UserID(), now); err != nil {
			return err
		}
		if err := q.AddRevision(ctx, model.Revision{PostID: p.ID, Number: 1, EditorID: v.UserID(), Body: body, CreatedAt: now}); err != nil {
			return err
		}
		if err := q.IndexPost(ctx, p.ID); err != nil {
			return err
		}
		if err := q.TouchTopic(ctx, p); err != nil {
			return err
		}
		if err := s.notifyPost(ctx, q, v, sub, p, sub.Topic.AuthorID); err != nil || then == nil {
			return err
		}
		return then(q, p)
	})
	return p, err
}

// notifyPost tells the members a new post mentions, the member it answers
// to (the topic's author for a reply or an answer, the post's author for a
// comment) and those watching the topic.
func (s *Service) notifyPost(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, p model.Post, to int64) error {
	sub.Post = &p
	n := s.notes(v, sub)
	// Mentions first: the most specific reason wins, and a mention gets
	// through where the member muted the topic.
	if err := n.mentions(ctx, q, p.Body); err != nil {
		return err
	}
	kind := map[model.PostKind]model.NoteKind{model.PostReply: model.NoteReply, model.PostAnswer: model.NoteAnswer, model.PostComment: model.NoteComment}[p.Kind]
	if kind != "" {
		if err := n.to(ctx, q, to, kind); err != nil {
			return err
		}
	}
	if err := n.watchers(ctx, q, model.NotePosted, map[model.WatchTarget]int64{model.WatchTopic: p.TopicID}, nil); err != nil {
		return err
	}
	return n.send(ctx, q)
}

// Edit changes a post directly and records a revision; for an opening post
// it also changes the topic's title and tags. An edit that changes nothing is
// refused. Whoever may only suggest an edit to the post is refused too; see
// EditOrSuggest.
func (s *Service) Edit(ctx context.Context, v model.Viewer, postID int64, in EditInput) (model.Post, error) {
	res, err := s.edit(ctx, v, postID, in, false)
	return res.Post, err
}

// EditResult is what an edit did: saved the post, or queued the edit for
// review (Suggestion set).
type EditResult struct {
	Post       model.Post
	Suggestion *model.SuggestedEdit
}

// EditOrSuggest edits a post directly when the viewer may (its author,
// moderators, members with the edit privilege, or the wiki privilege on a
// wiki post); members below the privilege have their edit to others'
// questions and answers queued for review instead.
func (s *Service) EditOrSuggest(ctx context.Context, v model.Viewer, postID int64, in EditInput) (EditResult, error) {
	return s.edit(ctx, v, postID, in, true)
}

func (s *Service) edit(ctx context.Context, v model.Viewer, postID int64, in EditInput, suggest bool) (EditResult, error) {
	f := apperr.Fields{}
	reason := checkReason(f, in.Reason)
	var res EditResult
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		if err := lockPostTopic(ctx, q, postID); err != nil {
			return err
		}
		sub, direct, err := s.editAccess(ctx, q, v, postID)
		if err != nil {
			return err
		}
		if !direct && !suggest {
			return apperr.New(apperr.Forbidden, "You can suggest an edit to this post; it is saved once a reviewer approves it.")
		}
		ch, err := s.checkEdit(ctx, q, v, sub, f, in)
		if err != nil {
			return err
		}
		if !direct {
			sugg, err := q.CreateSuggestedEdit(ctx, model.SuggestedEdit{PostID: postID, AuthorID: v.UserID(), BaseRevision: sub.Post.Revision,
				Title: ch.title, Tags: strings.Join(ch.tags, " "), Body: ch.body, Reason: reason, CreatedAt: s.now()})
			if errors.Is(err, store.ErrConflict) {
				return apperr.New(apperr.Conflict, "An edit to this post is already waiting for review.")
			}
			res.Post, res.Suggestion = *sub.Post, &sugg
			return err
		}
		res.Post, err = s.applyEdit(ctx, q, v.UserID(), sub, ch, reason)
		return err
	})
	return res, err
}

// lockPostTopic takes the lock of a post's topic before anything else in a
// write that will change the post and its topic: every such write locks the
// topic first (see store.LockTopic), so on PostgreSQL they cannot deadlock.
func lockPostTopic(ctx context.Context, q *store.Queries, postID int64) error {
	p, err := q.Post(ctx, postID)
	if err != nil {
		return err
	}
	return q.LockTopic(ctx, p.TopicID)
}

// editAccess loads a post for editing and says whether the viewer edits it
// directly (true) or may only suggest an edit (false); a viewer who may do
// neither gets the policy's error.
func (s *Service) editAccess(ctx context.Context, q *store.Queries, v model.Viewer, postID int64) (policy.Subject, bool, error) {
	sub, err := s.postSubject(ctx, q, v, postID, policy.ReadPost)
	if err != nil {
		return sub, false, err
	}
	editErr := policy.Check(v, policy.EditPost, sub)
	if editErr == nil {
		return sub, true, nil
	}
	if policy.Check(v, policy.SuggestEdit, sub) != nil {
		return sub, false, editErr
	}
	cfg, err := s.repConfig(ctx, q)
	direct := cfg.Has(v.User, reputation.EditOthers) || (sub.Post.Wiki() && cfg.Has(v.User, reputation.EditWiki))
	return sub, direct, err
}

// change is a checked edit: the new body and, for opening posts, title and tags.
type change struct {
	body, title string
	tags        []string
}

// checkEdit validates an edit of sub's post by v and refuses one that changes nothing.
func (s *Service) checkEdit(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, f apperr.Fields, in EditInput) (change, error) {
	p, t := *sub.Post, *sub.Topic
	check := checkBody
	if p.Kind == model.PostComment {
		check = checkComment
	}
	ch := change{body: check(f, in.Body), title: t.Title, tags: t.Tags}
	if p.Kind == model.PostOpening {
		ch.title = checkTitle(f, in.Title)
		var err error
		if ch.tags, err = s.prepareTags(ctx, q, v, policy.Moderates(v, sub), f, ParseTags(f, in.Tags)); err != nil {
			return ch, err
		}
	}
	if err := f.Err(); err != nil {
		return ch, err
	}
	if ch.body == p.Body && ch.title == t.Title && strings.Join(ch.tags, " ") == strings.Join(t.Tags, " ") {
		return ch, apperr.Field("body", "Nothing changed.")
	}
	return ch, nil
}

// applyEdit saves a checked edit as a new revision by editorID.
func (s *Service) applyEdit(ctx context.Context, q *store.Queries, editorID int64, sub policy.Subject, ch change, reason string) (model.Post, error) {
	p, t := *sub.Post, *sub.Topic
	now := s.now()
	html := s.md.Render(ch.body)
	var err error
	if p.Revision, err = q.UpdatePostBody(ctx, p.ID, ch.body, html, now); err != nil {
		return p, err
	}
	rev := model.Revision{PostID: p.ID, Number: p.Revision, EditorID: editorID, Body: ch.body, Reason: reason, CreatedAt: now}
	if p.Kind == model.PostOpening {
		rev.Title, rev.Tags = ch.title, strings.Join(ch.tags, " ")
		if err := q.UpdateTopic(ctx, t.ID, ch.title, topicSlug(ch.title), ch.tags, now); err != nil {
			return p, err
		}
	}
	if err := q.IndexPost(ctx, p.ID); err != nil { // after UpdateTopic: an opening post carries the title and tags
		return p, err
	}
	p.Body, p.BodyHTML, p.UpdatedAt, p.EditedAt = ch.body, html, now, &now
	if err := q.AddRevision(ctx, rev); err != nil {
		return p, err
	}
	edited := sub
	edited.Post = &p
	n := s.notes(model.Viewer{User: &model.User{ID: editorID}}, edited)
	if err := n.addedMentions(ctx, q, sub.Post.Body, ch.body); err != nil {
		return p, err
	}
	return p, n.send(ctx, q)
}

// SetDeleted soft-deletes or restores a post; for an opening post the whole
// topic goes or comes back with it.
func (s *Service) SetDeleted(ctx context.Context, v model.Viewer, postID int64, deleted bool) (model.Topic, error) {
	action := policy.DeletePost
	if !deleted {
		action = policy.RestorePost
	}
	undo := "post_deleted"
	if !deleted {
		undo = "post_restored"
	}
	var topic model.Topic
	err := s.inTopicTx(ctx, postID, func(q *store.Queries, l *ledger) error {
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
			if err := q.RecountSpaceTopics(ctx, topic.SpaceID); err != nil {
				return err
			}
			if err := l.settleVotes(ctx, 0, topic.ID, undo); err != nil {
				return err
			}
			return l.settleAccept(ctx, topic.ID, v.UserID(), undo)
		}
		if err := q.SetPostDeleted(ctx, postID, at, v.UserID()); err != nil {
			return err
		}
		if err := q.RecountReplies(ctx, topic.ID); err != nil {
			return err
		}
		if err := l.settleVotes(ctx, postID, 0, undo); err != nil {
			return err
		}
		if topic.AcceptedPostID != postID || !deleted {
			return nil
		}
		// A deleted answer is no longer the accepted one, on every surface;
		// restoring it does not accept it again.
		if err := q.SetAccepted(ctx, topic.ID, 0); err != nil {
			return err
		}
		return l.settleAccept(ctx, topic.ID, v.UserID(), undo)
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
	items, err := s.topics(ctx, q, v, store.TopicFilter{AuthorID: u.ID, Limit: 20})
	return u, items, err
}

// EditablePost returns a post the viewer may edit, for showing the edit
// form, and whether the edit is saved directly (false: it will be reviewed).
func (s *Service) EditablePost(ctx context.Context, v model.Viewer, id int64) (model.Post, model.Topic, bool, error) {
	sub, direct, err := s.editAccess(ctx, s.store.Read(), v, id)
	if err != nil {
		return model.Post{}, model.Topic{}, false, err
	}
	return *sub.Post, *sub.Topic, direct, nil
}

// DeletablePost returns a post the viewer may delete, for the confirmation.
func (s *Service) DeletablePost(ctx context.Context, v model.Viewer, id int64) (model.Post, model.Topic, error) {
	sub, err := s.postSubject(ctx, s.store.Read(), v, id, policy.DeletePost)
	if err != nil {
		return model.Post{}, model.Topic{}, err
	}
	return *sub.Post, *sub.Topic, nil
}

// PostLocation returns the address of the page of its topic that shows a
// post the viewer may read, with its anchor: the right page of answers, or
// of a discussion; a comment is found under its post.
func (s *Service) PostLocation(ctx context.Context, v model.Viewer, id int64) (string, error) {
	q := s.store.Read()
	sub, err := s.postSubject(ctx, q, v, id, policy.ReadPost)
	if err != nil {
		return "", err
	}
	t, p := sub.Topic, *sub.Post
	params := url.Values{}
	if p.Kind == model.PostComment {
		if p, err = q.Post(ctx, p.ParentID); err != nil {
			return "", err
		}
		siblings, err := q.TopicComments(ctx, t.ID, []int64{p.ID}, policy.Moderates(v, sub))
		if err != nil {
			return "", err
		}
		// A comment past the first few shows only with all comments.
		if slices.IndexFunc(siblings[p.ID], func(c model.PostItem) bool { return c.Post.ID == id }) >= CommentsShown {
			params.Set("comments", "all")
		}
	}
	switch p.Kind {
	case model.PostAnswer:
		rank, err := q.AnswerRank(ctx, t.ID, p.ID)
		if err != nil {
			return "", err
		}
		if rank >= PostsPage {
			params.Set("page", strconv.Itoa(rank/PostsPage+1))
		}
	case model.PostReply:
		after, err := q.PageStart(ctx, t.ID, p.ID, PostsPage)
		if err != nil {
			return "", err
		}
		if after != 0 {
			params.Set("after", strconv.FormatInt(after, 10))
		}
	}
	loc := t.Path()
	if len(params) > 0 {
		loc += "?" + params.Encode()
	}
	return loc + "#p" + strconv.FormatInt(id, 10), nil
}
