package content

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"

	"practica/internal/memo"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// PopularTags returns the most used tags across the spaces the viewer may
// read, with their topic counts there.
//
// Both the counts of every tag per space and the sums for each set of
// readable spaces are kept in the store's memo until a write changes the
// lists or a tag: a grouped query over every tag and space row, then a sort
// of every tag, were most of a member's home page on dataset M. Visibility
// is still decided per request, by the readable set.
func (s *Service) PopularTags(ctx context.Context, v model.Viewer, limit int) ([]model.Tag, error) {
	q := s.store.Read()
	return byReadable(ctx, s, q, v, "popular-tags:"+strconv.Itoa(limit), tagsWeight, func(spaces []int64) ([]model.Tag, error) {
		rows, err := memo.Get(s.store.Memo, "tag-space-counts", countsWeight, func() ([]store.TagSpaceCount, error) {
			return q.TagSpaceCounts(ctx)
		}, pagecache.Lists, pagecache.AnyTag)
		if err != nil {
			return nil, err
		}
		return sumTags(rows, spaces, limit), nil
	}, pagecache.Lists, pagecache.AnyTag)
}

// sumTags adds up each tag's counts in spaces and returns the limit largest.
func sumTags(rows []store.TagSpaceCount, spaces []int64, limit int) []model.Tag {
	sums := map[int64]*model.Tag{}
	for _, r := range rows {
		if _, ok := slices.BinarySearch(spaces, r.SpaceID); !ok {
			continue
		}
		t := sums[r.Tag.ID]
		if t == nil {
			tag := r.Tag
			t = &tag
			sums[r.Tag.ID] = t
		}
		t.TopicCount += r.Count
	}
	out := make([]model.Tag, 0, len(sums))
	for _, t := range sums {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b model.Tag) int {
		return cmp.Or(cmp.Compare(b.TopicCount, a.TopicCount), cmp.Compare(a.Name, b.Name))
	})
	return out[:min(limit, len(out))]
}

// topics runs a topic list query through the memo. A list depends only on
// the spaces the viewer may read and the filter, so viewers who may read the
// same spaces share it until the lists change: a member's list was the
// largest part of their home page on dataset M (guests' pages are cached
// whole by the page cache).
func (s *Service) topics(ctx context.Context, q *store.Queries, v model.Viewer, f store.TopicFilter) ([]model.TopicItem, error) {
	return byReadable(ctx, s, q, v, "topics:"+f.Key(), itemsWeight, func([]int64) ([]model.TopicItem, error) {
		items, err := q.Topics(ctx, policy.ScopeOf(v), f)
		return slices.Clip(items), err
	}, pagecache.Lists)
}

// linkedTopics returns the questions linked with a question that the viewer
// may read, kept like a list under the readable set. Links are written only
// by imports, which declare nothing; the linked topics' titles and states
// change with the lists.
func (s *Service) linkedTopics(ctx context.Context, q *store.Queries, v model.Viewer, topicID int64) ([]store.TopicLink, error) {
	return byReadable(ctx, s, q, v, "links:"+strconv.FormatInt(topicID, 10), func(ls []store.TopicLink) int64 {
		n := int64(64)
		for _, l := range ls {
			n += 256 + int64(len(l.Topic.Title))
		}
		return n
	}, func([]int64) ([]store.TopicLink, error) {
		return q.LinkedTopics(ctx, policy.ScopeOf(v), topicID)
	}, pagecache.Topic(topicID), pagecache.Lists)
}

// byReadable keeps what load reads for v in the memo under name and the
// set of spaces v may read: what depends on the viewer only through the
// spaces they may read is shared by every viewer who may read the same
// ones. load gets that set.
func byReadable[T any](ctx context.Context, s *Service, q *store.Queries, v model.Viewer, name string, weight func(T) int64, load func(spaces []int64) (T, error), keys ...string) (T, error) {
	spaces, err := s.readableSpaces(ctx, q, v)
	if err != nil {
		var zero T
		return zero, err
	}
	return memo.Get(s.store.Memo, name+"@"+spaceSet(spaces), weight, func() (T, error) { return load(spaces) }, keys...)
}

// readableSpaces returns the ids of the spaces whose content the viewer may
// read, sorted. It is kept in the memo with no keys: spaces' privacy,
// memberships and roles change only in writes that declare nothing, which
// drop every value.
func (s *Service) readableSpaces(ctx context.Context, q *store.Queries, v model.Viewer) ([]int64, error) {
	sc := policy.ScopeOf(v)
	name := "readable-spaces:" + strconv.FormatInt(sc.UserID, 10) + ":" + strconv.FormatBool(sc.All)
	return memo.Get(s.store.Memo, name, func(ids []int64) int64 { return int64(8 * len(ids)) }, func() ([]int64, error) {
		ids, err := q.ReadableSpaceIDs(ctx, sc)
		slices.Sort(ids)
		return ids, err
	})
}

// spaceSet names a sorted set of space ids, so that viewers who may read the
// same spaces share what the memo keeps for them.
func spaceSet(ids []int64) string {
	var b strings.Builder
	for i, id := range ids {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.FormatInt(id, 10))
	}
	return b.String()
}

func itemsWeight(items []model.TopicItem) int64 {
	n := int64(0)
	for _, it := range items {
		n += 768 + int64(len(it.Topic.Title)+len(it.Space.Focus)+len(it.Space.Rules)+len(it.Space.Attribution)+32*len(it.Topic.Tags))
	}
	return n
}

func tagsWeight(tags []model.Tag) int64 {
	n := int64(0)
	for _, t := range tags {
		n += 64 + int64(len(t.Name)+len(t.Description))
	}
	return n
}

func countsWeight(rows []store.TagSpaceCount) int64 {
	n := int64(0)
	for _, r := range rows {
		n += 80 + int64(len(r.Tag.Name)+len(r.Tag.Description))
	}
	return n
}
