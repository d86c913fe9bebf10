package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"practica/internal/api"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestSearchAPI: results match the spec, hidden content never shows, the
// canonical query and pages come back, and bad input names its parameter.
func TestSearchAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q, err := e.App.Content.CreateTopic(context.Background(), e.Alice.Viewer(), content.TopicInput{Space: e.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Readout fidelity with a parametric amplifier", Body: "Our **readout** fidelity stalls at 97%.", Tags: "readout"})
	if err != nil {
		t.Fatal(err)
	}
	answer := e.Reply(t, e.Bob, q.ID, "Check the pump power; readout `<b>` improves with it.")
	e.CreateTopic(t, e.Alice, e.PrivateSpace, "Private readout notes")
	e.CreateTopic(t, e.Alice, e.SecretSpace, "Secret readout budget")
	hidden := e.CreateTopic(t, e.Alice, e.PublicSpace, "Deleted readout topic")
	if _, err := e.App.Content.SetDeleted(context.Background(), e.Alice.Viewer(), mustOpening(t, e, hidden.ID), true); err != nil {
		t.Fatal(err)
	}

	get := func(u *testenv.User, query url.Values, want int) *api.SearchList {
		t.Helper()
		rec := e.call(t, u, "GET", "/api/v1/search?"+query.Encode(), nil, want)
		if want != http.StatusOK {
			return nil
		}
		l := decode[api.SearchList](t, rec)
		return &l
	}
	titlesOf := func(l *api.SearchList) string {
		var out []string
		for _, r := range l.Results {
			out = append(out, r.Title+"/"+r.PostKind)
		}
		return strings.Join(out, ", ")
	}
	for _, u := range []*testenv.User{nil, e.Bob} {
		l := get(u, url.Values{"q": {"readout"}}, http.StatusOK)
		if len(l.Results) != 2 || strings.Contains(titlesOf(l), "Private") || strings.Contains(titlesOf(l), "Secret") || strings.Contains(titlesOf(l), "Deleted") {
			t.Errorf("search readout as %s on %s: %s; want the question and its answer only", who(u), testenv.Engine(), titlesOf(l))
		}
	}
	if l := get(e.Alice, url.Values{"q": {"readout"}}, http.StatusOK); len(l.Results) != 4 {
		t.Errorf("search readout as alice: %s; want her private and secret topics too", titlesOf(l))
	}
	l := get(nil, url.Values{"q": {"readout is:answer IMPROVES"}, "sort": {"newest"}}, http.StatusOK)
	if len(l.Results) != 1 {
		t.Fatalf("is:answer search: %s", titlesOf(l))
	}
	r := l.Results[0]
	if r.PostID != answer.ID || r.TopicID != q.ID || r.PostKind != "answer" || r.TopicKind != "question" || r.Author.Username != "bob" || r.Space != e.PublicSpace.Slug ||
		r.URL != fmt.Sprintf("/p/%d", answer.ID) || !strings.Contains(r.SnippetHTML, "<mark>improves</mark>") || !strings.Contains(r.SnippetHTML, "&lt;b&gt;") ||
		strings.ContainsAny(r.Snippet, "\x02\x03") || l.Query != "readout IMPROVES is:answer" || l.Sort != "newest" || l.Page != 1 || l.NextPage != 0 {
		t.Errorf("is:answer search = %+v, result %+v", l, r)
	}
	if l := get(nil, url.Values{"q": {"[readout] is:question"}}, http.StatusOK); len(l.Results) != 1 || l.Results[0].ReplyCount != 1 || len(l.Results[0].Tags) != 1 {
		t.Errorf("[readout] is:question: %+v", l)
	}
	if l := get(nil, url.Values{}, http.StatusOK); len(l.Results) != 0 {
		t.Errorf("empty query: %+v, want no results", l)
	}

	for _, bad := range []struct {
		query url.Values
		field string
	}{
		{url.Values{"q": {strings.Repeat("q", 501)}}, "q"},
		{url.Values{"q": {"x"}, "sort": {"best"}}, "sort"},
		{url.Values{"q": {"x"}, "page": {"0"}}, "page"},
		{url.Values{"q": {"x"}, "page": {"51"}}, "page"},
		{url.Values{"q": {"x"}, "page": {"two"}}, "page"},
	} {
		rec := e.call(t, nil, "GET", "/api/v1/search?"+bad.query.Encode(), nil, http.StatusBadRequest)
		wantFields(t, rec, bad.field)
	}
}

func mustOpening(t *testing.T, e *apiEnv, topicID int64) int64 {
	t.Helper()
	p, err := e.App.Store.Read().OpeningPost(context.Background(), topicID)
	if err != nil {
		t.Fatal(err)
	}
	return p.ID
}

func TestSimilarQuestionsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, sp := range []model.Space{e.PublicSpace, e.PrivateSpace} {
		if _, err := e.App.Content.CreateTopic(context.Background(), e.Alice.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion,
			Title: "Leakage reduction units in " + sp.Name, Body: "When are they worth it?"}); err != nil {
			t.Fatal(err)
		}
	}
	similar := func(u *testenv.User, title string) []api.SearchResult {
		rec := e.call(t, u, "GET", "/api/v1/questions/similar?"+url.Values{"title": {title}}.Encode(), nil, http.StatusOK)
		return decode[api.SimilarList](t, rec).Questions
	}
	if got := similar(e.Bob, "Do leakage reduction units help?"); len(got) != 1 || got[0].Space != e.PublicSpace.Slug {
		t.Errorf("similar as bob on %s: %+v; want the public question only", testenv.Engine(), got)
	}
	if got := similar(e.Alice, "leakage reduction"); len(got) != 2 {
		t.Errorf("similar as alice: %+v; want both", got)
	}
	if got := similar(nil, "leakage"); len(got) != 0 {
		t.Errorf("similar for one word: %+v; want none", got)
	}
	rec := e.call(t, nil, "GET", "/api/v1/questions/similar?title="+strings.Repeat("x", 700), nil, http.StatusBadRequest)
	wantFields(t, rec, "title")
}

func TestSearchRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for i := range 60 {
		e.call(t, e.Bob, "GET", "/api/v1/search?q=anything"+strconv.Itoa(i), nil, http.StatusOK)
	}
	e.call(t, e.Bob, "GET", "/api/v1/search?q=one+more", nil, http.StatusTooManyRequests)
	e.call(t, e.Alice, "GET", "/api/v1/search?q=someone+else", nil, http.StatusOK)
}
