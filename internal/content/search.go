package content

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/memo"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/search"
	"practica/internal/store"
)

// Search limits: results per page, the deepest page (relevance ranking gets
// no better past it and deep offsets cost the database), similar questions.
const (
	SearchPage     = 20
	MaxSearchPages = 50
	SimilarLimit   = 5
)

// SearchInput is a search as typed: the query text, a sort that overrides
// any sort: in the query, and a 1-based page (0 means 1).
type SearchInput struct {
	Q    string
	Sort string
	Page int
}

// SearchResults is one page of a search.
type SearchResults struct {
	// Query is the parsed query; Raw what was typed.
	Query search.Query
	Raw   string
	// Sort is the order used: relevance, newest or score.
	Sort search.Sort
	Page int
	Hits []SearchHit
	Next bool
}

// SearchHit is a found post with its snippet as safe HTML.
type SearchHit struct {
	store.SearchHit
	// SnippetHTML is the snippet escaped, matches in <mark>.
	SnippetHTML string
}

// Plain is the snippet as text, without highlight markers.
func (h SearchHit) Plain() string { return markup.Unmark(h.Snippet) }

// Path is the post's address (it redirects to its place in the topic).
func (h SearchHit) Path() string { return "/p/" + strconv.FormatInt(h.Post.ID, 10) }

// Search finds what the viewer may read. An empty query finds nothing and
// records nothing; a non-empty one that finds nothing on its first page is
// recorded as a miss.
func (s *Service) Search(ctx context.Context, v model.Viewer, in SearchInput) (SearchResults, error) {
	res, err := checkSearch(in)
	if err != nil || res.Query.IsEmpty() {
		return res, err
	}
	q := res.Query
	sc := policy.ScopeOf(v)
	load := func() ([]SearchHit, error) {
		rq := s.store.Read()
		tags, err := rq.ResolveTags(ctx, q.Tags) // [synonym] finds its tag
		if err != nil {
			return nil, err
		}
		hits, err := rq.Search(ctx, sc, store.SearchQuery{
			Words: q.Words, Phrases: q.Phrases, Tags: tags, Space: q.Space, User: q.User,
			OnlyQuestions: q.Is == search.IsQuestion, OnlyAnswers: q.Is == search.IsAnswer,
			Answered: q.Answered, Accepted: q.Accepted, MinScore: q.MinScore, From: q.From, To: q.To,
			Sort: store.SearchSort(res.Sort), Offset: (res.Page - 1) * SearchPage, Limit: SearchPage + 1,
		})
		return highlight(hits), err
	}
	class, err := s.store.Read().ReadClass(ctx, sc)
	if err != nil {
		return res, err
	}
	hits, err := memo.Get(s.store.Memo, searchName(res, class), searchWeight, load, pagecache.Lists, pagecache.AnyTag)
	if err != nil {
		return res, err
	}
	if len(hits) > SearchPage {
		hits, res.Next = hits[:SearchPage], true
	}
	res.Hits = hits
	if len(hits) == 0 && res.Page == 1 {
		// Insight for organizers, not part of the answer: a failed write must
		// not fail the reader's search.
		_ = s.store.InTx(ctx, func(q *store.Queries) error {
			q.Touch() // shown to organizers only, never on a cached page
			return q.RecordSearchMiss(ctx, in.Q, v.UserID(), s.now())
		})
	}
	return res, nil
}

// searchName names a page of results in the store's memo. Results depend on
// the viewer only through what they may read (store.ReadClass): guests and
// members of public spaces only share one entry, as do members of the same
// other spaces, and staff. The entry depends on the lists (every new topic or
// post, edit, vote, deletion, move or state change declares them, and writes
// that declare nothing drop everything, as changes to spaces, memberships,
// names and visibility do) and on tags (a merge or synonym changes what a
// [tag] finds).
func searchName(res SearchResults, class string) string {
	q := res.Query
	return "search:" + class + "\x00" + strings.Join(q.Words, "\x01") + "\x00" + strings.Join(q.Phrases, "\x01") + "\x00" + q.String() +
		"\x00" + string(res.Sort) + "\x00" + strconv.Itoa(res.Page)
}

// searchWeight is about what a page of hits holds in memory.
func searchWeight(hits []SearchHit) int64 {
	n := int64(0)
	for _, h := range hits {
		n += int64(400 + len(h.Snippet) + len(h.SnippetHTML) + len(h.Topic.Title) + len(h.Topic.Slug) + 24*len(h.Topic.Tags) + len(h.Space.Name) + len(h.Author.DisplayName))
	}
	return n
}

// checkSearch validates the input and settles the sort and page.
func checkSearch(in SearchInput) (SearchResults, error) {
	res := SearchResults{Raw: in.Q, Page: max(in.Page, 1)}
	q, err := search.Parse(in.Q)
	switch {
	case errors.Is(err, search.ErrTooLong):
		return res, apperr.Field("q", "Keep the search under 500 characters.")
	case errors.Is(err, search.ErrTooMany):
		return res, apperr.Field("q", "Use at most 20 words, phrases and filters.")
	case err != nil:
		return res, apperr.Field("q", "The search could not be read.")
	}
	res.Query = q
	sort, ok := search.ParseSort(in.Sort)
	if !ok {
		return res, apperr.Field("sort", "Sort by relevance, newest or score.")
	}
	if in.Page < 0 || in.Page > MaxSearchPages {
		return res, apperr.Field("page", "Pages run from 1 to 50; narrow the search to see more.")
	}
	switch {
	case sort != search.SortDefault:
	case q.Sort != search.SortDefault:
		sort = q.Sort
	default:
		sort = search.SortRelevance
	}
	if sort == search.SortRelevance && !q.HasText() {
		sort = search.SortNewest
	}
	res.Sort = sort
	return res, nil
}

func highlight(hits []store.SearchHit) []SearchHit {
	out := make([]SearchHit, len(hits))
	for i, h := range hits {
		out[i] = SearchHit{SearchHit: h, SnippetHTML: markup.Highlight(h.Snippet)}
	}
	return out
}

// SimilarQuestions returns up to SimilarLimit questions the viewer may read
// that best match a title being typed: any of its significant words, ranked
// by relevance. Titles with fewer than two such words find nothing.
func (s *Service) SimilarQuestions(ctx context.Context, v model.Viewer, title string) ([]SearchHit, error) {
	if len(title) > 4*MaxTitle {
		return nil, apperr.Field("title", "Keep the title to 150 characters.")
	}
	words := search.Keywords(title, 12)
	if len(words) < 2 {
		return nil, nil
	}
	hits, err := s.store.Read().Search(ctx, policy.ScopeOf(v), store.SearchQuery{Words: words, Any: true, OnlyQuestions: true,
		Sort: store.SearchRelevance, Limit: SimilarLimit})
	return highlight(hits), err
}

// SearchPageParam reads a page query parameter; empty is the first page.
func SearchPageParam(s string) (int, error) {
	if s == "" {
		return 1, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > MaxSearchPages {
		return 0, apperr.Field("page", "Pages run from 1 to 50; narrow the search to see more.")
	}
	return n, nil
}

// Reindex rebuilds the whole search index in one transaction.
func (s *Service) Reindex(ctx context.Context) (int, error) {
	var n int
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		n, err = q.ReindexAll(ctx)
		return err
	})
	return n, err
}
