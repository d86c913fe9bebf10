package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

func TestSearchPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pub, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Tuning the flux qubit", Body: "The fluxonium `<script>alert(1)</script>` sweet spot drifts.", Tags: "hardware"})
	if err != nil {
		t.Fatal(err)
	}
	env.CreateTopic(t, env.Alice, env.PrivateSpace, "Private fluxonium notes")
	env.CreateTopic(t, env.Alice, env.SecretSpace, "Secret fluxonium board")
	tests := []struct {
		name     string
		as       *testenv.User
		q        string
		status   int
		want     []string
		unwanted []string
	}{
		{"no query shows the form and the syntax", nil, "", http.StatusOK, []string{`role="search"`, `for="search-q"`, "is:question"}, []string{"Nothing found"}},
		{"guest finds public, highlighted and escaped", nil, "q=fluxonium", http.StatusOK,
			[]string{"Tuning the flux qubit", "<mark>fluxonium</mark>", "&lt;script&gt;alert(1)&lt;/script&gt;", fmt.Sprintf(`href="/p/%d"`, pub.ID), "Best match", ">question<"},
			[]string{"Private fluxonium", "Secret fluxonium", "<script>alert"}},
		{"non-member sees no private or secret", env.Bob, "q=fluxonium+notes", http.StatusOK, []string{"Nothing found"}, []string{"Private fluxonium", "Secret"}},
		{"member finds private", env.Alice, "q=fluxonium&sort=newest", http.StatusOK, []string{"Private fluxonium notes", "Secret fluxonium board", `aria-current="page">Newest`}, nil},
		{"empty result suggests removing filters", nil, "q=fluxonium+%5Bnosuchtag%5D", http.StatusOK, []string{"Nothing found", "removing a filter"}, nil},
		{"too long re-renders with a message", nil, "q=" + strings.Repeat("x", 501), http.StatusBadRequest, []string{"Keep the search under 500 characters.", `aria-invalid="true"`}, nil},
		{"bad sort", nil, "q=x&sort=random", http.StatusBadRequest, []string{"Sort by relevance, newest or score."}, nil},
		{"bad page", nil, "q=x&page=abc", http.StatusBadRequest, []string{"Pages run from 1 to 50"}, nil},
		{"invalid UTF-8 is no error", nil, "q=%ff%fe", http.StatusOK, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/search?" + tt.q
			rec := send(t, env, request{path: path, as: tt.as})
			wantStatus(t, rec, "GET "+path, tt.status)
			body := rec.Body.String()
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("GET %s as %s on %s: body lacks %q", path, name(tt.as), testenv.Engine(), w)
				}
			}
			for _, u := range tt.unwanted {
				if strings.Contains(body, u) {
					t.Errorf("GET %s as %s on %s: body has %q", path, name(tt.as), testenv.Engine(), u)
				}
			}
		})
	}
	// Every page carries the site search box.
	if body := env.Get(t, nil, "/spaces").Body.String(); !strings.Contains(body, `action="/search" role="search"`) || !strings.Contains(body, `for="site-search"`) {
		t.Errorf("GET /spaces: no labelled search form in the header")
	}
}

func TestSimilarFragment(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	for _, sp := range []model.Space{env.PublicSpace, env.SecretSpace} {
		if _, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion,
			Title: "Resonator linewidth in " + sp.Name, Body: "Why is it broad?"}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(as *testenv.User, kind, title string) string {
		path := "/similar?" + url.Values{"kind": {kind}, "title": {title}}.Encode()
		rec := send(t, env, request{path: path, as: as})
		wantStatus(t, rec, "GET "+path, http.StatusOK)
		return rec.Body.String()
	}
	body := get(env.Bob, "question", "Measuring resonator linewidth")
	if !strings.Contains(body, "Resonator linewidth in Public Square") || strings.Contains(body, "Secret") || strings.Contains(body, "<html") {
		t.Errorf("similar for bob: %q; want the public question only, as a fragment", body)
	}
	for _, b := range []string{get(env.Bob, "discussion", "Measuring resonator linewidth"), get(nil, "question", "linewidth"), get(nil, "question", strings.Repeat("long ", 300))} {
		if strings.TrimSpace(b) != "" {
			t.Errorf("similar for a discussion, a one-word or an over-long title: %q, want nothing", b)
		}
	}
	// The new topic form asks for them as the title is typed.
	form := env.Get(t, env.Alice, "/new").Body.String()
	for _, w := range []string{`hx-get="/similar"`, `hx-target="#similar"`, `id="similar"`} {
		if !strings.Contains(form, w) {
			t.Errorf("GET /new lacks %q", w)
		}
	}
}
