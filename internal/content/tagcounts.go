package content

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// tagCounts keeps every tag's topic count per space in memory, so popular
// tags, which each member sums over the spaces they may read, cost a pass
// over a slice rather than a grouped query over every tag and space row on
// every home page (the largest part of a member's home page on dataset M).
// Writes that may change a count (the lists, a tag, or anything undeclared;
// see Changed) drop it, and the next reader loads it again.
type tagCounts struct {
	mu   sync.Mutex
	rows []store.TagSpaceCount // nil: not loaded
	gen  uint64                // bumped by every drop
}

// get returns the counts, loading them when dropped. A load that raced a
// drop is used once but not kept.
func (c *tagCounts) get(ctx context.Context, q *store.Queries) ([]store.TagSpaceCount, error) {
	c.mu.Lock()
	rows, gen := c.rows, c.gen
	c.mu.Unlock()
	if rows != nil {
		return rows, nil
	}
	rows, err := q.TagSpaceCounts(ctx)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []store.TagSpaceCount{}
	}
	c.mu.Lock()
	if c.gen == gen {
		c.rows = rows
	}
	c.mu.Unlock()
	return rows, nil
}

func (c *tagCounts) drop() {
	c.mu.Lock()
	c.rows = nil
	c.gen++
	c.mu.Unlock()
}

// Changed hears what a committed write changed (store.OnChange) and drops
// what the service keeps in memory that it may have made wrong.
func (s *Service) Changed(keys []string, all bool) {
	if all || slices.ContainsFunc(keys, func(k string) bool { return k == pagecache.Lists || pagecache.IsTag(k) }) {
		s.tags.drop()
	}
}

// PopularTags returns the most used tags across the spaces the viewer may
// read, with their topic counts there.
func (s *Service) PopularTags(ctx context.Context, v model.Viewer, limit int) ([]model.Tag, error) {
	q := s.store.Read()
	spaces, err := q.ReadableSpaceIDs(ctx, policy.ScopeOf(v))
	if err != nil {
		return nil, err
	}
	rows, err := s.tags.get(ctx, q)
	if err != nil {
		return nil, err
	}
	sums := map[int64]*model.Tag{}
	for _, r := range rows {
		if !slices.Contains(spaces, r.SpaceID) {
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
	return out[:min(limit, len(out))], nil
}
