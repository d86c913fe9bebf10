package routes_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"practica/internal/content"
)

// maxItems is R13's cap on any list one response returns.
const maxItems = 100

// longestArray returns the length of the longest JSON array in v and where it is.
func longestArray(v any, at string) (int, string) {
	best, where := 0, ""
	switch x := v.(type) {
	case []any:
		best, where = len(x), at
		for i, e := range x {
			if n, w := longestArray(e, fmt.Sprintf("%s[%d]", at, i)); n > best {
				best, where = n, w
			}
		}
	case map[string]any:
		for k, e := range x {
			if n, w := longestArray(e, at+"."+k); n > best {
				best, where = n, w
			}
		}
	}
	return best, where
}

// TestResourceLimits is SECURITY.md R13 as far as Practica has the features:
// no list returns more than 100 items whatever limit or page size is asked
// for (with more than 100 topics and replies in the community), and bodies
// over the 1 MiB cap, a 10 MB field among them, are refused with 413 whether
// their length is declared or streamed. Uploads (pixel floods, TIFF bombs)
// do not exist yet and are not checked here.
func TestResourceLimits(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	ctx := context.Background()
	env := w.env
	const many = maxItems + 5
	for i := range many {
		if _, err := env.App.Content.CreateTopic(ctx, env.Admin.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Title: fmt.Sprintf("Bulk topic number %d", i), Body: "Bulk.", Tags: "testing bulk"}); err != nil {
			t.Fatalf("topic %d: %v", i, err)
		}
		if _, err := env.App.Content.Reply(ctx, env.Admin.Viewer(), w.topic.ID, fmt.Sprintf("Bulk reply %d", i)); err != nil {
			t.Fatalf("reply %d: %v", i, err)
		}
	}

	t.Run("pagination", func(t *testing.T) {
		huge := url.Values{}
		for _, n := range []string{"limit", "per_page", "page_size", "pagesize", "count", "size", "n", "max"} {
			huge.Set(n, "100000")
		}
		checked := 0
		for _, r := range w.routes {
			if r.Method != http.MethodGet || !strings.HasPrefix(r.Pattern, "/api/") || strings.HasSuffix(r.Pattern, "/export") {
				continue
			}
			for _, p := range expand(r.Pattern, w.real) {
				for _, as := range []bool{false, true} {
					rec := w.send(t, newRequest(t, http.MethodGet, p+"?"+huge.Encode(), nil, ""), as, "huge page size")
					if rec.Code >= 400 && rec.Code < 500 {
						continue
					}
					var v any
					if !strings.HasPrefix(rec.Header().Get("Content-Type"), "application/json") || json.Unmarshal(rec.Body.Bytes(), &v) != nil {
						continue
					}
					checked++
					if n, where := longestArray(v, "$"); n > maxItems {
						t.Errorf("GET %s?%s: %d items at %s, over %d", p, huge.Encode(), n, where, maxItems)
					}
				}
			}
		}
		// The topic list must actually page: over 100 exist, at most 100 come back.
		for _, q := range []string{"limit=100", "limit=100000", "limit=-1", "limit=0"} {
			rec := w.send(t, newRequest(t, http.MethodGet, "/api/v1/topics?"+q, nil, ""), true, "topic page size")
			var list struct {
				Topics []json.RawMessage `json:"topics"`
			}
			switch {
			case rec.Code >= 400 && rec.Code < 500:
			case json.Unmarshal(rec.Body.Bytes(), &list) != nil:
				t.Errorf("GET /api/v1/topics?%s: %d %q", q, rec.Code, abbreviate(rec.Body.String()))
			case len(list.Topics) > maxItems || len(list.Topics) == 0:
				t.Errorf("GET /api/v1/topics?%s: %d topics of %d, want 1–%d", q, len(list.Topics), many, maxItems)
			}
		}
		t.Logf("%d JSON list responses checked", checked)
	})

	t.Run("bodies over the cap", func(t *testing.T) {
		big := strings.Repeat("x", 10<<20) // a 10 MB field
		cases := []struct {
			method, path, ctype, body string
		}{
			{"POST", "/new", "application/x-www-form-urlencoded", "space=" + w.env.PublicSpace.Slug + "&title=Big&body=" + big},
			{"POST", fmt.Sprintf("/t/%d/replies", w.topic.ID), "application/x-www-form-urlencoded", "body=" + big[:maxBody+1-5]},
			{"POST", "/signin", "application/x-www-form-urlencoded", "login=alice&password=" + big},
			{"POST", "/api/v1/topics", "application/json", `{"space":"` + w.env.PublicSpace.Slug + `","title":"Big","body":"` + big + `"}`},
			{"POST", fmt.Sprintf("/api/v1/topics/%d/posts", w.topic.ID), "application/json", `{"body":"` + big[:maxBody+1-11] + `"}`},
			{"PATCH", "/api/v1/spaces/" + w.env.PublicSpace.Slug, "application/json", `{"rules":"` + big + `"}`},
			{"GET", "/", "text/plain", big},
		}
		for _, c := range cases {
			for _, streamed := range []bool{false, true} {
				req := newRequest(t, c.method, c.path, strings.NewReader(c.body), c.ctype)
				if streamed {
					req.Body = io.NopCloser(bytes.NewReader([]byte(c.body)))
					req.ContentLength = -1
				}
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				rec := w.send(t, req, true, fmt.Sprintf("%d-byte body, streamed %v", len(c.body), streamed))
				runtime.ReadMemStats(&after)
				want := http.StatusRequestEntityTooLarge
				if c.method == "GET" && streamed { // a GET handler never reads its body; only a declared length is refused
					want = 0
				}
				if want != 0 && rec.Code != want {
					t.Errorf("%s %s with a %d-byte body (streamed %v): status %d, want 413", c.method, c.path, len(c.body), streamed, rec.Code)
				}
				if d := after.TotalAlloc - before.TotalAlloc; d > 64<<20 {
					t.Logf("%s %s (streamed %v): %d MiB allocated in the process during the request (R13 asks < 64 MiB; other tests run too)", c.method, c.path, streamed, d>>20)
				}
			}
		}
	})
}
