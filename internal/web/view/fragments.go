package view

import (
	"bytes"
	"context"
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

// cachedPost renders Post through the fragment cache. A post whose comment
// form shows a submitted draft or its errors is rendered afresh: it is one
// viewer's.
func cachedPost(tp TopicPage, p content.PostView) templ.Component {
	if tp.CommentOn == p.Post.ID {
		return Post(tp, p)
	}
	return cached(func() string { return postName(tp, p) }, Post(tp, p))
}

// cachedTopicRow renders TopicRow through the fragment cache: a row shows
// the same to every viewer who may see it, and rows were most of a member's
// home page.
func cachedTopicRow(it model.TopicItem, showSpace bool) templ.Component {
	return cached(func() string { return rowName(it, showSpace) }, TopicRow(it, showSpace))
}

// cached renders c once per name and reuses its bytes.
func cached(name func() string, c templ.Component) templ.Component {
	return templ.ComponentFunc(func(ctx context.Context, w io.Writer) error {
		f, _ := ctx.Value(fragmentsKey{}).(*memo.Cache)
		if f == nil {
			return c.Render(ctx, w)
		}
		html, err := memo.Get(f, name(), func(b []byte) int64 { return int64(cap(b)) }, func() ([]byte, error) {
			var b bytes.Buffer
			err := c.Render(ctx, &b)
			return bytes.Clone(b.Bytes()), err
		})
		if err != nil {
			return err
		}
		_, err = w.Write(html)
		return err
	})
}

// rowName names the rendering of a topic row by what it shows.
func rowName(it model.TopicItem, showSpace bool) string {
	var h maphash.Hash
	h.SetSeed(fragmentSeed)
	t := it.Topic
	for _, n := range []int64{t.ID, t.ReplyCount, t.Score, t.AcceptedPostID, t.LastPostAt.UnixNano(), int64(len(t.Tags))} {
		hashInt(&h, n)
	}
	for _, s := range []string{string(t.Kind), t.Title, t.Slug, t.State, Ago(t.LastPostAt),
		it.Space.Slug, it.Space.Name, it.Space.Color,
		it.Author.Username, it.Author.DisplayName, it.LastPoster.Username, it.LastPoster.DisplayName} {
		hashString(&h, s)
	}
	for _, s := range t.Tags {
		hashString(&h, s)
	}
	var flags int64
	for i, f := range []bool{showSpace, t.PinnedAt != nil, t.LockedAt != nil, t.ClosedAt != nil, t.DeletedAt != nil} {
		if f {
			flags |= 1 << i
		}
	}
	hashInt(&h, flags)
	return "row:" + strconv.FormatInt(t.ID, 10) + ":" + strconv.FormatUint(h.Sum64(), 36)
}

// postName names the rendering of p on tp: its id, then a hash of every
// input of Post.
func postName(tp TopicPage, p content.PostView) string {
	var h maphash.Hash
	h.SetSeed(fragmentSeed)
	hashInt(&h, tp.View.Topic.ID)
	hashString(&h, string(tp.View.Topic.Kind))
	hashString(&h, tp.View.Topic.Slug)
	hashString(&h, string(tp.View.Order))
	hashInt(&h, int64(tp.View.Page))
	hashPostView(&h, tp, p)
	return "post:" + strconv.FormatInt(p.Post.ID, 10) + ":" + strconv.FormatUint(h.Sum64(), 36)
}

func hashPostView(h *maphash.Hash, tp TopicPage, p content.PostView) {
	hashPost(h, p.Post)
	hashInt(h, p.Author.ID)
	hashString(h, p.Author.Username)
	hashString(h, p.Author.DisplayName)
	hashString(h, string(p.Author.Role))
	hashString(h, Ago(p.Post.CreatedAt))
	hashString(h, tp.View.Originals[p.Post.ID])
	var flags int64
	for i, f := range []bool{p.CanEdit, p.CanDelete, p.CanRestore, p.CanSuggest, p.CanWiki, p.CanVote, p.CanDownvote, p.Accepted, p.CanAccept, p.CanComment} {
		if f {
			flags |= 1 << i
		}
	}
	hashInt(h, flags)
	hashInt(h, int64(p.Vote))
	hashInt(h, int64(p.MoreComments))
	hashInt(h, int64(len(p.Comments)))
	for _, c := range p.Comments {
		hashPostView(h, tp, c)
	}
}

// hashPost covers every field of a post but its Markdown source, which Post
// does not show (BodyHTML is what it shows).
func hashPost(h *maphash.Hash, p model.Post) {
	for _, n := range []int64{p.ID, p.TopicID, p.AuthorID, p.ParentID, p.Revision, p.Score, p.DeletedBy} {
		hashInt(h, n)
	}
	hashString(h, string(p.Kind))
	hashString(h, p.BodyHTML)
	for _, t := range []*time.Time{&p.CreatedAt, &p.UpdatedAt, p.EditedAt, p.DeletedAt, p.WikiAt} {
		if t == nil {
			hashInt(h, -1)
			continue
		}
		hashInt(h, t.UnixNano())
	}
}

// hashString writes s with its length, so that adjacent strings cannot
// trade bytes and collide.
func hashString(h *maphash.Hash, s string) {
	hashInt(h, int64(len(s)))
	h.WriteString(s)
}

func hashInt(h *maphash.Hash, n int64) {
	var b [8]byte
	for i := range b {
		b[i] = byte(n >> (8 * i))
	}
	h.Write(b[:])
}
