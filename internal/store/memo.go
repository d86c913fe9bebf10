package store

import (
	"context"
	"fmt"
	"slices"

	"practica/internal/memo"
	"practica/internal/model"
	"practica/internal/pagecache"
)

// cached returns load's value through the store's memo when q is the read
// pool; a transaction, which must see its own writes, always loads. name
// must say everything the value depends on besides keys (see package memo):
// the rows it reads are changed only by writes that declare keys, or that
// declare nothing.
func cached[T any](q *Queries, name string, weight func(T) int64, load func() (T, error), keys ...string) (T, error) {
	if q.memo == nil {
		return load()
	}
	return memo.Get(q.memo, name, weight, load, keys...)
}

// cachedKeyed is cached for a value whose keys are known once it is loaded
// (see memo.GetKeyed).
func cachedKeyed[T any](q *Queries, name string, weight func(T) int64, load func() (T, []string, error)) (T, error) {
	if q.memo == nil {
		v, _, err := load()
		return v, err
	}
	return memo.GetKeyed(q.memo, name, weight, load)
}

// The read paths below are the ones every topic page takes (a member's topic
// page on dataset M spent a third of its time in them). A topic's row, posts
// and comments change only in writes that lock or touch the topic, which
// declare its key; a space's counts change with the lists; roles and
// settings change only in writes that declare nothing.

// Topic returns a topic (in any state) with its tags.
func (q *Queries) Topic(ctx context.Context, id int64) (model.Topic, error) {
	return cached(q, fmt.Sprint("topic:", id), func(t model.Topic) int64 { return int64(512 + len(t.Title) + 32*len(t.Tags)) },
		func() (model.Topic, error) { return q.topic(ctx, id) }, pagecache.Topic(id))
}

// Space returns a space by id.
func (q *Queries) Space(ctx context.Context, id int64) (model.Space, error) {
	return cached(q, fmt.Sprint("space:", id), func(s model.Space) int64 { return int64(512 + len(s.Focus) + len(s.Rules) + len(s.Attribution)) },
		func() (model.Space, error) { return q.space(ctx, id) }, pagecache.Lists)
}

// SpaceRole returns a user's role in a space, SpaceNone when not a member.
func (q *Queries) SpaceRole(ctx context.Context, spaceID, userID int64) (model.SpaceRole, error) {
	return cached(q, fmt.Sprint("space-role:", spaceID, ":", userID), func(model.SpaceRole) int64 { return 16 },
		func() (model.SpaceRole, error) { return q.spaceRole(ctx, spaceID, userID) })
}

// TopicPosts lists a topic's posts (not comments) in order after the given
// post id, with their authors; deleted posts only when withDeleted.
func (q *Queries) TopicPosts(ctx context.Context, topicID, after int64, limit int, withDeleted bool) ([]model.PostItem, error) {
	return cached(q, fmt.Sprint("topic-posts:", topicID, ":", after, ":", limit, ":", withDeleted), postsWeight, func() ([]model.PostItem, error) {
		items, err := q.topicPosts(ctx, topicID, after, limit, withDeleted)
		return slices.Clip(items), err
	}, pagecache.Topic(topicID))
}

// Answers lists a page of a question's answers with their authors.
func (q *Queries) Answers(ctx context.Context, topicID int64, order AnswerOrder, offset, limit int, withDeleted bool) ([]model.PostItem, error) {
	return cached(q, fmt.Sprint("answers:", topicID, ":", order, ":", offset, ":", limit, ":", withDeleted), postsWeight, func() ([]model.PostItem, error) {
		items, err := q.answers(ctx, topicID, order, offset, limit, withDeleted)
		return slices.Clip(items), err
	}, pagecache.Topic(topicID))
}

// TopicComments returns the comments on the given posts of one topic,
// oldest first, keyed by the post they are on. Callers must not change the
// map or its slices.
func (q *Queries) TopicComments(ctx context.Context, topicID int64, parentIDs []int64, withDeleted bool) (map[int64][]model.PostItem, error) {
	return cached(q, fmt.Sprint("comments:", topicID, ":", parentIDs, ":", withDeleted), func(m map[int64][]model.PostItem) int64 {
		n := int64(0)
		for _, items := range m {
			n += 64 + postsWeight(items)
		}
		return n
	}, func() (map[int64][]model.PostItem, error) { return q.Comments(ctx, parentIDs, withDeleted) }, pagecache.Topic(topicID))
}

// TopicVotes returns the member's votes on the given posts of one topic.
// Every vote is written in a transaction that locks the topic (LockTopic),
// which declares its key.
func (q *Queries) TopicVotes(ctx context.Context, topicID, userID int64, postIDs []int64) (map[int64]int, error) {
	if userID == 0 {
		return map[int64]int{}, nil
	}
	return cached(q, fmt.Sprint("votes:", topicID, ":", userID, ":", postIDs), func(m map[int64]int) int64 { return int64(64 + 32*len(m)) },
		func() (map[int64]int, error) { return q.Votes(ctx, userID, postIDs) }, pagecache.Topic(topicID))
}

func postsWeight(items []model.PostItem) int64 {
	n := int64(0)
	for _, it := range items {
		n += int64(384 + len(it.Post.Body) + len(it.Post.BodyHTML) + len(it.Author.Username) + len(it.Author.DisplayName))
	}
	return n
}
