package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"practica/internal/testenv"
)

// The page benchmarks run the real router (middleware, session lookup,
// services, SQL, templ) over testenv.SmallVolume: 2,000 questions, 10,000
// posts, one question with 1,000 answers. Run them with
//
//	go test -run '^$' -bench . -benchmem ./internal/web/
//
// and compare runs with benchstat. bench/perf.sh measures the same pages
// over HTTP with wrk; these find where the time goes.

// benchPage is one GET through the real router.
type benchPage struct {
	name string
	as   *testenv.User
	path string
}

// BenchmarkPages measures the hot HTML pages, anonymous unless named.
func BenchmarkPages(b *testing.B) {
	env := testenv.New(b)
	f := env.Fill(b, testenv.SmallVolume)
	pages := []benchPage{
		{"latest", nil, "/"},
		{"latest_signed_in", env.Alice, "/"},
		{"questions", nil, "/questions"},
		{"space", nil, "/s/" + env.PublicSpace.Slug},
		{"topic_20_posts", nil, f.Typical.Path()},
		{"topic_20_posts_signed_in", env.Alice, f.Typical.Path()},
		{"topic_deep_page", nil, f.Hot.Path() + "?page=" + strconv.Itoa(testenv.SmallVolume.HotPosts/20)},
		{"tag", nil, "/tags/" + f.Tag},
		{"search_word", nil, "/search?q=" + url.QueryEscape(f.Word)},
		{"search_phrase", nil, "/search?q=" + url.QueryEscape(`"`+f.Phrase+`"`)},
		{"search_tag_filter", nil, "/search?q=" + url.QueryEscape(f.Word+" ["+f.Tag+"]")},
		{"profile", nil, "/u/" + env.Alice.Username},
	}
	for _, p := range pages {
		// Guests' pages are rendered every time (the page cache emptied
		// before each request), so these measure the work of a miss.
		b.Run(p.name, func(b *testing.B) {
			rec := get(b, env, p.as, p.path, 0)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				env.App.Pages.Invalidate(nil, true)
				get(b, env, p.as, p.path, i)
			}
			b.ReportMetric(float64(rec.Body.Len()), "B/page")
		})
	}
	// A hit: what the page cache costs guests once a page is kept.
	for _, p := range pages[:5] {
		if p.as != nil {
			continue
		}
		b.Run(p.name+"_cached", func(b *testing.B) {
			rec := get(b, env, nil, p.path, 0)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				get(b, env, nil, p.path, i)
			}
			b.ReportMetric(float64(rec.Body.Len()), "B/page")
		})
	}
}

// get fetches path as u and fails unless it answers 200. Each iteration
// comes from its own client address, so the per-address search limit (60
// a minute) measures nothing but the page.
func get(b *testing.B, env *testenv.Env, u *testenv.User, path string, i int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
	rec := env.Do(b, u, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s as %v: %d %.300q; want 200", path, u, rec.Code, rec.Body.String())
	}
	return rec
}

// BenchmarkWrites measures the form posts members make most: a reply and a
// vote, each a transaction on the single writer with its search row or
// reputation ledger. The moderator writes, so the posting limit and the
// downvote privilege stay out of the measure.
func BenchmarkWrites(b *testing.B) {
	env := testenv.New(b)
	f := env.Fill(b, testenv.SmallVolume)
	b.Run("reply", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			body := fmt.Sprintf("Reply %d: measured with a bounded queue and a [link](https://example.org/%d).", i, i)
			rec := env.PostForm(b, env.Mod, fmt.Sprintf("/t/%d/replies", f.Typical.ID), url.Values{"body": {body}})
			if rec.Code != http.StatusSeeOther {
				b.Fatalf("POST reply %d: %d %.300q; want 303", i, rec.Code, rec.Body.String())
			}
		}
	})
	posts, err := env.App.Store.Read().TopicPosts(context.Background(), f.Hot.ID, 0, 200, false)
	if err != nil || len(posts) == 0 {
		b.Fatalf("posts of the hot topic: %d, %v", len(posts), err)
	}
	b.Run("vote", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			// Up on every post, then down on every post, and so on: each
			// vote changes the score and the author's reputation.
			id, value := posts[i%len(posts)].Post.ID, 1-2*(i/len(posts)%2)
			rec := env.PostForm(b, env.Mod, fmt.Sprintf("/p/%d/vote", id), url.Values{"value": {strconv.Itoa(value)}})
			if rec.Code != http.StatusSeeOther || strings.Contains(rec.Header().Get("Location"), "error") {
				b.Fatalf("POST vote %d on %d: %d %q; want 303", value, id, rec.Code, rec.Header().Get("Location"))
			}
		}
	})
}
