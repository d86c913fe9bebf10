package view

import (
	"net/url"
	"strconv"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/search"
)

// SearchPage is the search form with one page of results.
type SearchPage struct {
	Chrome
	// Q and Sort are the parameters as sent; Error a problem with them.
	Q       string
	Sort    string
	Results content.SearchResults
	Error   string
}

// SearchHelp lists the query syntax, shown under every search box.
const SearchHelp = `Words, "exact phrases", [tag], space:slug, user:name, is:question, is:answer, answered:no, accepted:yes, score:3, created:2026-01..2026-06, sort:newest`

// SearchURL is the address of a results page.
func SearchURL(q, sort string, page int) string {
	v := url.Values{"q": {q}}
	if sort != "" {
		v.Set("sort", sort)
	}
	if page > 1 {
		v.Set("page", strconv.Itoa(page))
	}
	return "/search?" + v.Encode()
}

// sortChoices are the orders a results page offers: relevance needs words.
func sortChoices(q search.Query) [][2]string {
	out := [][2]string{{"newest", "Newest"}, {"score", "Highest score"}}
	if q.HasText() {
		out = append([][2]string{{"relevance", "Best match"}}, out...)
	}
	return out
}

// hitLabel names what a result is: the topic's kind for an opening post,
// otherwise the kind of post.
func hitLabel(h content.SearchHit) string {
	switch h.Post.Kind {
	case model.PostAnswer:
		return "Answer"
	case model.PostReply:
		return "Reply"
	case model.PostComment:
		return "Comment"
	}
	k := string(h.Topic.Kind)
	if k == "" {
		return "Topic"
	}
	return k
}

// accepted reports whether a hit is an accepted answer, or a question with one.
func accepted(h content.SearchHit) bool {
	if h.Post.Kind == model.PostAnswer {
		return h.Topic.AcceptedPostID == h.Post.ID
	}
	return h.Post.Kind == model.PostOpening && h.Topic.AcceptedPostID != 0
}
