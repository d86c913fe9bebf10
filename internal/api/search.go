package api

import (
	"net/http"
	"time"

	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
)

// SearchResult is one post a search found.
type SearchResult struct {
	PostID    int64    `json:"post_id"`
	PostKind  string   `json:"post_kind"`
	TopicID   int64    `json:"topic_id"`
	TopicKind string   `json:"topic_kind"`
	Title     string   `json:"title"`
	Space     string   `json:"space"`
	SpaceName string   `json:"space_name"`
	Tags      []string `json:"tags"`
	Author    UserRef  `json:"author"`
	Score     int64    `json:"score"`
	// ReplyCount is the topic's answers (questions) or replies.
	ReplyCount int64 `json:"reply_count"`
	// HasAcceptedAnswer: the topic is a question with an accepted answer.
	HasAcceptedAnswer bool `json:"has_accepted_answer"`
	// IsAccepted: the post is the accepted answer.
	IsAccepted  bool      `json:"is_accepted"`
	CreatedAt   time.Time `json:"created_at"`
	Snippet     string    `json:"snippet"`
	SnippetHTML string    `json:"snippet_html"`
	URL         string    `json:"url"`
}

func searchResultJSON(h content.SearchHit) SearchResult {
	tags := h.Topic.Tags
	if tags == nil {
		tags = []string{}
	}
	return SearchResult{PostID: h.Post.ID, PostKind: string(h.Post.Kind), TopicID: h.Topic.ID, TopicKind: string(h.Topic.Kind), Title: h.Topic.Title,
		Space: h.Space.Slug, SpaceName: h.Space.Name, Tags: tags, Author: userRefJSON(h.Author), Score: h.Post.Score, ReplyCount: h.Topic.ReplyCount,
		HasAcceptedAnswer: h.Topic.AcceptedPostID != 0, IsAccepted: h.Topic.AcceptedPostID == h.Post.ID, CreatedAt: h.Post.CreatedAt,
		Snippet: h.Plain(), SnippetHTML: h.SnippetHTML, URL: h.Path()}
}

func searchResultsJSON(hits []content.SearchHit) []SearchResult {
	out := make([]SearchResult, len(hits))
	for i, h := range hits {
		out[i] = searchResultJSON(h)
	}
	return out
}

// SearchList is one page of search results.
type SearchList struct {
	Query    string         `json:"query"`
	Sort     string         `json:"sort"`
	Page     int            `json:"page"`
	NextPage int            `json:"next_page,omitempty"`
	Results  []SearchResult `json:"results"`
}

// SimilarList is the questions like a title.
type SimilarList struct {
	Questions []SearchResult `json:"questions"`
}

func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	page, err := content.SearchPageParam(q.Get("page"))
	if err != nil {
		return err
	}
	if err := h.searching(r); err != nil {
		return err
	}
	res, err := h.Content.Search(r.Context(), auth.ViewerFrom(r.Context()), content.SearchInput{Q: q.Get("q"), Sort: q.Get("sort"), Page: page})
	if err != nil {
		return err
	}
	out := SearchList{Query: res.Query.String(), Sort: string(res.Sort), Page: res.Page, Results: searchResultsJSON(res.Hits)}
	if res.Next {
		out.NextPage = res.Page + 1
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

func (h *Handler) similarQuestions(w http.ResponseWriter, r *http.Request) error {
	if err := h.searching(r); err != nil {
		return err
	}
	hits, err := h.Content.SimilarQuestions(r.Context(), auth.ViewerFrom(r.Context()), r.URL.Query().Get("title"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, SimilarList{Questions: searchResultsJSON(hits)})
	return nil
}

// searching counts a search against the caller's search rate limit.
func (h *Handler) searching(r *http.Request) error {
	return h.Limits.Searching(auth.ViewerFrom(r.Context()), httpx.ClientIP(r, h.TrustedProxies))
}
