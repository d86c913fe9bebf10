package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"

	"practica/internal/testenv"
)

// BenchmarkAPI measures the JSON API's hot reads through the real router
// over testenv.SmallVolume (2,000 questions, 10,000 posts), as a guest and
// with a bearer token, and a reply and a vote written through it.
func BenchmarkAPI(b *testing.B) {
	env := testenv.New(b)
	f := env.Fill(b, testenv.SmallVolume)
	reads := []struct {
		name string
		as   *testenv.User
		path string
	}{
		{"topics", nil, "/api/v1/topics"},
		{"topics_token", env.Alice, "/api/v1/topics"},
		{"topics_space", nil, "/api/v1/topics?space=" + env.PublicSpace.Slug},
		{"topic", nil, fmt.Sprintf("/api/v1/topics/%d", f.Typical.ID)},
		{"topic_token", env.Alice, fmt.Sprintf("/api/v1/topics/%d", f.Typical.ID)},
		{"search_word", nil, "/api/v1/search?q=" + url.QueryEscape(f.Word)},
		{"user", nil, "/api/v1/users/" + env.Alice.Username},
	}
	for _, r := range reads {
		b.Run(r.name, func(b *testing.B) {
			rec := apiGet(b, env, r.as, r.path, 0)
			b.ReportAllocs()
			for i := 0; b.Loop(); i++ {
				apiGet(b, env, r.as, r.path, i)
			}
			b.ReportMetric(float64(rec.Body.Len()), "B/response")
		})
	}
	b.Run("reply", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			rec := env.API(b, env.Mod, http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/posts", f.Hot.ID), map[string]string{"body": fmt.Sprintf("API reply %d with a bounded queue.", i)})
			if rec.Code != http.StatusCreated && rec.Code != http.StatusOK {
				b.Fatalf("POST reply %d: %d %.300q", i, rec.Code, rec.Body.String())
			}
		}
	})
	posts, err := env.App.Store.Read().TopicPosts(context.Background(), f.Typical.ID, 0, 20, false)
	if err != nil || len(posts) == 0 {
		b.Fatalf("posts of the typical topic: %d, %v", len(posts), err)
	}
	b.Run("vote", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			// Up, then down: every vote changes a score and a reputation.
			id := posts[i%len(posts)].Post.ID
			rec := env.API(b, env.Mod, http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/vote", id), map[string]int{"value": 1 - 2*(i/len(posts)%2)})
			if rec.Code != http.StatusOK {
				b.Fatalf("POST vote %d: %d %.300q", i, rec.Code, rec.Body.String())
			}
		}
	})
}

// apiGet reads path as u (its token) from a client address of its own per
// iteration, so the per-address search limit stays out of the measure.
func apiGet(b *testing.B, env *testenv.Env, u *testenv.User, path string, i int) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+u.Token)
	}
	req.RemoteAddr = fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
	rec := httptest.NewRecorder()
	env.App.Handler.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s as %v: %d %.300q; want 200", path, u, rec.Code, rec.Body.String())
	}
	return rec
}
