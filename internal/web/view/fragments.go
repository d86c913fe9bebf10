package view

import (
	"bytes"
	"context"
	"encoding/binary"
	"hash/maphash"
	"io"
	"strconv"
	"time"

	"github.com/a-h/templ"

	"practica/internal/content"
	"practica/internal/memo"
	"practica/internal/model"
)

// Rendering the posts of a topic page was about half of what a member's
// topic page cost, and nearly every member sees the same post the same way:
// what differs between viewers is a handful of permissions and their vote.
// So a post's HTML is kept, named by a hash of everything Post reads (the
// post and its comments, their authors, the viewer's permissions and vote,
// the relative times as shown, the topic and which page of it, the original
// links), and reused by any viewer whose rendering would be the same bytes.
// Topic rows in lists are kept the same way.
//
// Because the name covers every input, nothing has to invalidate these
// values: a changed post, comment, vote or permission makes a new name, and
// old names fall out by age (memo.MaxAge) or size. TestFragmentNames fails
// when a field that changes the output is left out of a name.

// NewFragments returns the cache of rendered fragments a handler shares
// between requests; WithFragments hands it to the components.
func NewFragments(maxBytes int64) *memo.Cache { return memo.New(maxBytes, time.Now) }

type fragmentsKey struct{}

// WithFragments returns ctx carrying the fragment cache that cachedPost and
// cachedTopicRow use; without it they render every time.
func WithFragments(ctx context.Context, c *memo.Cache) context.Context {
	return context.WithValue(ctx, fragmentsKey{}, c)
}

var fragmentSeed = maphash.MakeSeed()

// cachedPost renders the i-th post of tp through the fragment cache. A post
// whose comment form shows a submitted draft or its errors is rendered
// afresh: it is one viewer's. It takes pointers so that the page and the
// post are not copied to the heap for every post.
func cachedPost(tp *TopicPage, i int) templ.Component {
	if tp.CommentOn == tp.View.Posts[i].Post.ID {
		return Post(*tp, tp.View.Posts[i])
	}
	return postFragment{tp, &tp.View.Posts[i]}
}

type postFragment struct {
	tp *TopicPage
	p  *content.PostView
}

func (f postFragment) Render(ctx context.Context, w io.Writer) error {
	return renderCached(ctx, w, postName(f.tp, f.p), func() templ.Component { return Post(*f.tp, *f.p) })
}

// cachedTopicRow renders a topic row through the fragment cache: a row
// shows the same to every viewer who may see it, and rows were most of a
// member's home page.
func cachedTopicRow(it *model.TopicItem, showSpace bool) templ.Component {
	return rowFragment{it, showSpace}
}

type rowFragment struct {
	it        *model.TopicItem
	showSpace bool
}

func (f rowFragment) Render(ctx context.Context, w io.Writer) error {
	return renderCached(ctx, w, rowName(f.it, f.showSpace), func() templ.Component { return TopicRow(*f.it, f.showSpace) })
}

// renderCached writes the fragment called name, rendering it once.
func renderCached(ctx context.Context, w io.Writer, name string, c func() templ.Component) error {
	f, _ := ctx.Value(fragmentsKey{}).(*memo.Cache)
	if f == nil {
		return c().Render(ctx, w)
	}
	html, err := memo.Get(f, name, func(b []byte) int64 { return int64(cap(b)) }, func() ([]byte, error) {
		var b bytes.Buffer
		err := c().Render(ctx, &b)
		return bytes.Clone(b.Bytes()), err
	})
	if err != nil {
		return err
	}
	_, err = w.Write(html)
	return err
}

// cachedSearchHit renders a search result through the fragment cache: the
// rows were most of a results page once guests' results came from the memo.
func cachedSearchHit(hit *content.SearchHit) templ.Component { return hitFragment{hit} }

type hitFragment struct{ h *content.SearchHit }

func (f hitFragment) Render(ctx context.Context, w io.Writer) error {
	return renderCached(ctx, w, hitName(f.h), func() templ.Component { return searchHit(*f.h) })
}

// rowName names the rendering of a topic row by what it shows.
func rowName(it *model.TopicItem, showSpace bool) string {
	h := newHasher()
	hashTopic(&h, &it.Topic)
	h.ago(it.Topic.LastPostAt)
	for _, s := range [...]string{it.Space.Slug, it.Space.Name, it.Space.Color,
		it.Author.Username, it.Author.DisplayName, it.LastPoster.Username, it.LastPoster.DisplayName} {
		h.str(s)
	}
	h.flags(showSpace)
	return "row:" + strconv.FormatInt(it.Topic.ID, 10) + ":" + strconv.FormatUint(h.sum(), 36)
}

// hitName names the rendering of a search result by what it shows.
func hitName(hit *content.SearchHit) string {
	h := newHasher()
	hashPost(&h, &hit.Post)
	hashTopic(&h, &hit.Topic)
	for _, s := range [...]string{Ago(hit.Post.CreatedAt), hit.Snippet, hit.SnippetHTML, hit.Space.Slug, hit.Space.Name, hit.Space.Color,
		hit.Author.Username, hit.Author.DisplayName, string(hit.Author.Role)} {
		h.str(s)
	}
	return "hit:" + strconv.FormatInt(hit.Post.ID, 10) + ":" + strconv.FormatUint(h.sum(), 36)
}

// hashTopic covers what lists show of a topic.
func hashTopic(h *hasher, t *model.Topic) {
	for _, n := range [...]int64{t.ID, t.ReplyCount, t.Score, t.AcceptedPostID, t.LastPostAt.UnixNano(), int64(len(t.Tags))} {
		h.int(n)
	}
	for _, s := range [...]string{string(t.Kind), t.Title, t.Slug, t.State} {
		h.str(s)
	}
	for _, s := range t.Tags {
		h.str(s)
	}
	h.flags(t.PinnedAt != nil, t.LockedAt != nil, t.ClosedAt != nil, t.DeletedAt != nil, t.Event != nil)
	if e := t.Event; e != nil {
		h.int(e.StartsAt.UnixNano())
		h.int(e.EndsAt.UnixNano())
		h.str(e.TimeZone)
	}
}

// postName names the rendering of p on tp: its id, then a hash of every
// input of Post.
func postName(tp *TopicPage, p *content.PostView) string {
	h := newHasher()
	h.int(tp.View.Topic.ID)
	h.int(int64(tp.View.Page))
	h.str(string(tp.View.Topic.Kind))
	h.str(tp.View.Topic.Slug)
	h.str(string(tp.View.Order))
	hashPostView(&h, tp, p)
	return "post:" + strconv.FormatInt(p.Post.ID, 10) + ":" + strconv.FormatUint(h.sum(), 36)
}

func hashPostView(h *hasher, tp *TopicPage, p *content.PostView) {
	hashPost(h, &p.Post)
	h.int(p.Author.ID)
	h.int(p.Author.Avatar)
	h.str(p.Author.Username)
	h.str(p.Author.DisplayName)
	h.str(string(p.Author.Role))
	h.ago(p.Post.CreatedAt)
	h.str(tp.View.Originals[p.Post.ID])
	h.flags(p.CanEdit, p.CanDelete, p.CanRestore, p.CanSuggest, p.CanWiki, p.CanVote, p.CanDownvote, p.Accepted, p.CanAccept, p.CanComment)
	h.int(int64(p.Vote))
	h.int(int64(p.MoreComments))
	h.int(int64(len(p.Comments)))
	for i := range p.Comments {
		hashPostView(h, tp, &p.Comments[i])
	}
}

// hashPost covers every field of a post but its Markdown source, which Post
// does not show. The body it shows is named by the revision and update time
// (the one statement that writes body_html bumps both) with its length and
// ends, rather than hashed whole: 20 bodies were a seventh of a page.
func hashPost(h *hasher, p *model.Post) {
	for _, n := range [...]int64{p.ID, p.TopicID, p.AuthorID, p.ParentID, p.Revision, p.Score, p.DeletedBy} {
		h.int(n)
	}
	h.str(string(p.Kind))
	if b := p.BodyHTML; len(b) > 128 {
		h.int(int64(len(b)))
		h.str(b[:64])
		h.str(b[len(b)-64:])
	} else {
		h.str(b)
	}
	for _, t := range [...]*time.Time{&p.CreatedAt, &p.UpdatedAt, p.EditedAt, p.DeletedAt, p.WikiAt} {
		if t == nil {
			h.int(-1)
			continue
		}
		h.int(t.UnixNano())
	}
}

// hasher feeds maphash in few calls: numbers and short strings gather in a
// buffer, long strings (post bodies) go straight through.
type hasher struct {
	h   maphash.Hash
	n   int
	buf [512]byte
}

func newHasher() hasher {
	var h hasher
	h.h.SetSeed(fragmentSeed)
	return h
}

func (h *hasher) int(v int64) {
	if h.n+8 > len(h.buf) {
		h.flush()
	}
	binary.LittleEndian.PutUint64(h.buf[h.n:], uint64(v))
	h.n += 8
}

// str writes s with its length, so that adjacent strings cannot trade bytes
// and collide.
func (h *hasher) str(s string) {
	h.int(int64(len(s)))
	if h.n+len(s) > len(h.buf) {
		h.flush()
		h.h.WriteString(s)
		return
	}
	h.n += copy(h.buf[h.n:], s)
}

// ago writes what Ago(t) shows, as agoKey names it.
func (h *hasher) ago(t time.Time) {
	k, text := agoKey(t)
	h.int(k)
	h.str(text)
}

func (h *hasher) flags(fs ...bool) {
	var n int64
	for i, f := range fs {
		if f {
			n |= 1 << i
		}
	}
	h.int(n)
}

func (h *hasher) flush() {
	h.h.Write(h.buf[:h.n])
	h.n = 0
}

func (h *hasher) sum() uint64 {
	h.flush()
	return h.h.Sum64()
}
