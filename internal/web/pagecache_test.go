package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// guestGet fetches path as a guest and reports whether the page cache
// answered it.
func guestGet(t *testing.T, env *testenv.Env, path string) (*httptest.ResponseRecorder, bool) {
	t.Helper()
	before := env.App.Pages.Stats().Hits
	rec := env.Get(t, nil, path)
	return rec, env.App.Pages.Stats().Hits > before
}

// warm fetches each path twice as a guest and fails unless the second
// answer came from the cache with the same page.
func warm(t *testing.T, env *testenv.Env, paths ...string) {
	t.Helper()
	for _, p := range paths {
		first, _ := guestGet(t, env, p)
		if first.Code != http.StatusOK {
			t.Fatalf("GET %s: %d, want 200", p, first.Code)
		}
		second, hit := guestGet(t, env, p)
		if !hit || second.Body.String() != first.Body.String() {
			t.Fatalf("GET %s again: hit=%v, same page=%v; want a hit with the same page", p, hit, second.Body.String() == first.Body.String())
		}
	}
}

// TestPageCacheFollowsWrites checks that every kind of write a guest can
// see reaches the cached pages at once: replies, edits, votes, deletions,
// privacy and tag changes; and that members never get a guest's page.
func TestPageCacheFollowsWrites(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if env.App.Pages == nil {
		t.Fatal("the page cache is off in the test environment")
	}
	q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "How do cached pages learn about writes?", Body: "The opening post of a question about caching pages.", Tags: "testing"})
	if err != nil {
		t.Fatal(err)
	}
	other := env.CreateTopic(t, env.Alice, env.PublicSpace, "An untouched discussion")
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	lists := []string{"/", "/questions", "/s/" + env.PublicSpace.Slug, "/tags/testing"}
	all := append([]string{q.Path(), other.Path()}, lists...)

	step := func(name string, write func(), check func(path, body string) error) {
		t.Helper()
		warm(t, env, all...)
		write()
		if _, hit := guestGet(t, env, other.Path()); !hit {
			t.Errorf("after %s, the untouched topic was not served from the cache", name)
		}
		for _, p := range all {
			rec, hit := guestGet(t, env, p)
			if err := check(p, rec.Body.String()); err != nil || (rec.Code != http.StatusOK && rec.Code != http.StatusNotFound) {
				t.Fatalf("after %s, GET %s (%d, from cache: %v): %v", name, p, rec.Code, hit, err)
			}
		}
	}
	contains := func(want string, paths ...string) func(string, string) error {
		return func(p, body string) error {
			for _, w := range paths {
				if w == p && !strings.Contains(body, want) {
					return fmt.Errorf("page lacks %q", want)
				}
			}
			return nil
		}
	}

	var answer model.Post
	step("an answer", func() {
		answer = env.Reply(t, env.Bob, q.ID, "A fresh answer: invalidate by key after commit.")
	}, contains("invalidate by key after commit", q.Path()))

	opening, err := env.App.Store.Read().TopicPosts(ctx, q.ID, 0, 1, false)
	if err != nil || len(opening) == 0 {
		t.Fatalf("opening post: %v", err)
	}
	step("a title edit", func() {
		if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), opening[0].Post.ID, content.EditInput{Title: "How do cached pages hear of every write?",
			Body: "The opening post of a question about caching pages.", Tags: "testing", Reason: "clearer title"}); err != nil {
			t.Fatal(err)
		}
	}, contains("hear of every write", append([]string{q.Path()}, lists...)...))

	before := env.Get(t, nil, q.Path()).Body.String()
	step("a vote", func() {
		if _, err := env.App.Content.Vote(ctx, env.Alice.Viewer(), answer.ID, 1); err != nil {
			t.Fatal(err)
		}
	}, func(p, body string) error {
		if p == q.Path() && body == before {
			return fmt.Errorf("the question page did not change")
		}
		return nil
	})

	step("a deletion", func() {
		if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), answer.ID, true); err != nil {
			t.Fatal(err)
		}
	}, func(p, body string) error {
		if p == q.Path() && strings.Contains(body, "invalidate by key after commit") {
			return fmt.Errorf("the deleted answer is still shown")
		}
		return nil
	})

	step("a tag description", func() {
		if _, err := env.App.Content.DescribeTag(ctx, env.Mod.Viewer(), "testing", "Everything about checking that software works."); err != nil {
			t.Fatal(err)
		}
	}, contains("checking that software works", "/tags/testing"))

	// Members get their own page, never the guests' copy.
	warm(t, env, "/")
	if rec := env.Get(t, env.Bob, "/"); !strings.Contains(rec.Body.String(), "bob") {
		t.Errorf("a member got a page without their name: a guest's cached copy?")
	}

	// A space turned private disappears for guests at once, everywhere.
	warm(t, env, all...)
	in := community.SpaceInput{Name: env.PublicSpace.Name, Slug: env.PublicSpace.Slug, Focus: env.PublicSpace.Focus, Visibility: model.Private, Color: env.PublicSpace.Color}
	if _, err := env.App.Community.UpdateSpace(ctx, env.Alice.Viewer(), env.PublicSpace.Slug, in); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{q.Path(), other.Path()} {
		if rec := env.Get(t, nil, p); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s after the space went private: %d, want 404", p, rec.Code)
		}
	}
	for _, p := range []string{"/", "/questions"} {
		if body := env.Get(t, nil, p).Body.String(); strings.Contains(body, "untouched discussion") {
			t.Errorf("GET %s after the space went private still lists its topic", p)
		}
	}
}

// TestPageCacheCountsViews checks that a topic page served from the cache
// still counts a view per visitor.
func TestPageCacheCountsViews(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "A page many guests read")
	for i := range 5 {
		req := httptest.NewRequest(http.MethodGet, tp.Path(), nil)
		req.RemoteAddr = fmt.Sprintf("198.51.100.%d:1000", i+1)
		if rec := env.Do(t, nil, req); rec.Code != http.StatusOK {
			t.Fatalf("GET: %d", rec.Code)
		}
	}
	if s := env.App.Pages.Stats(); s.Hits < 4 {
		t.Fatalf("cache hits %d, want at least 4", s.Hits)
	}
	if err := env.App.Content.FlushActivity(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := env.App.Store.Read().Topic(ctx, tp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.ViewCount != 5 {
		t.Errorf("views %d, want 5 (one per visitor, cached or not)", got.ViewCount)
	}
}

// TestPageCacheOnlyForGuests checks which requests the cache may answer.
func TestPageCacheOnlyForGuests(t *testing.T) {
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Shared with guests only")
	warm(t, env, tp.Path())
	for name, req := range map[string]func(*http.Request){
		"session cookie": func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "practica_session", Value: "whatever"}) },
		"flash cookie":   func(r *http.Request) { r.AddCookie(&http.Cookie{Name: "practica_flash", Value: "Saved."}) },
		"htmx request":   func(r *http.Request) { r.Header.Set("HX-Request", "true") },
	} {
		r := httptest.NewRequest(http.MethodGet, tp.Path(), nil)
		req(r)
		before := env.App.Pages.Stats().Hits
		env.Do(t, nil, r)
		if env.App.Pages.Stats().Hits != before {
			t.Errorf("%s: answered from the cache", name)
		}
	}
	// A member's view is theirs; the next guest still gets the shared page.
	if rec := env.Get(t, env.Alice, tp.Path()); !strings.Contains(rec.Body.String(), "alice") {
		t.Errorf("member page lacks the member's name")
	}
	if _, hit := guestGet(t, env, tp.Path()); !hit {
		t.Errorf("guest page no longer cached after a member's visit")
	}
	// Conditional requests get 304 from the cache.
	rec, _ := guestGet(t, env, tp.Path())
	r := httptest.NewRequest(http.MethodGet, tp.Path(), nil)
	r.Header.Set("If-None-Match", rec.Header().Get("ETag"))
	if got := env.Do(t, nil, r); got.Code != http.StatusNotModified || rec.Header().Get("ETag") == "" {
		t.Errorf("If-None-Match with the ETag %q: %d, want 304", rec.Header().Get("ETag"), got.Code)
	}
}

// TestPageCacheProfiles checks that a cached profile follows what it shows:
// reputation from a vote, a badge awarded by the background job, and a new
// topic in the member's list.
func TestPageCacheProfiles(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Which profile pages may the cache keep?", Body: "A question whose answer earns reputation.", Tags: "testing"})
	if err != nil {
		t.Fatal(err)
	}
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	answer := env.Reply(t, env.Bob, q.ID, "Every profile, as long as each write names the member.")
	profile := "/u/" + env.Bob.Username
	check := func(what, want string, write func()) {
		t.Helper()
		warm(t, env, profile)
		write()
		if rec, hit := guestGet(t, env, profile); !strings.Contains(rec.Body.String(), want) {
			t.Errorf("after %s, %s (from cache: %v) lacks %q", what, profile, hit, want)
		}
	}
	check("a vote", "<strong>10</strong> reputation", func() {
		if _, err := env.App.Content.Vote(ctx, env.Alice.Viewer(), answer.ID, 1); err != nil {
			t.Fatal(err)
		}
	})
	check("a badge", `id="badges-h"`, func() {
		if n, err := env.App.Content.AwardBadges(ctx); err != nil || n == 0 {
			t.Fatalf("awarding badges: %d, %v; want some", n, err)
		}
	})
	check("a new topic", "Bob starts a discussion", func() {
		env.CreateTopic(t, env.Bob, env.PublicSpace, "Bob starts a discussion")
	})
}
