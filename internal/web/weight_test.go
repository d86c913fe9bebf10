package web_test

import (
	"context"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/testenv"
)

// pageBudget is the most HTML+CSS+JS one page may weigh, uncompressed and
// images aside (PRODUCT.md: fast, small pages).
const pageBudget = 100_000

var assetRE = regexp.MustCompile(`(?:href|src)="(/static/[^"]+\.(?:css|js))"`)

// pageWeight returns the bytes of a page's HTML plus the stylesheets and
// scripts it loads.
func pageWeight(t *testing.T, env *testenv.Env, as *testenv.User, path string) int {
	t.Helper()
	rec := env.Get(t, as, path)
	if rec.Code != http.StatusOK {
		t.Fatalf("GET %s: %d", path, rec.Code)
	}
	total := rec.Body.Len()
	for _, m := range assetRE.FindAllStringSubmatch(rec.Body.String(), -1) {
		asset := env.Get(t, nil, m[1])
		if asset.Code != http.StatusOK {
			t.Fatalf("GET %s (linked from %s): %d", m[1], path, asset.Code)
		}
		total += asset.Body.Len()
	}
	return total
}

// TestPageWeight fills list pages with full pages of long-titled, tagged
// topics and checks every main page stays within the budget.
func TestPageWeight(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	var first string
	for i := range content.PageSize + 5 {
		title := fmt.Sprintf("How do we keep logical error rates below threshold on a %d-qubit heavy-hex device?", 100+i)
		tp, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Title: title,
			Body: strings.Repeat("Some **Markdown** with `code` and a [link](https://example.org). ", 8), Tags: "surface-code decoders fault-tolerance"})
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			first = tp.Path()
		}
		env.Reply(t, env.Bob, tp.ID, "A reply that moves the topic and names a last poster.")
	}
	for i := range content.PostsPage {
		env.Reply(t, env.Bob, mustID(t, env, first), fmt.Sprintf("Reply %d: %s", i, strings.Repeat("A sentence of a typical answer. ", 6)))
	}
	for _, as := range []*testenv.User{nil, env.Alice} {
		for _, path := range []string{"/", env.PublicSpace.Path(), "/tags/decoders", first, "/spaces", "/tags", "/u/alice", "/new", "/settings"} {
			if as == nil && (path == "/new" || path == "/settings") {
				continue
			}
			w := pageWeight(t, env, as, path)
			t.Logf("GET %s as %v: %d bytes of HTML+CSS+JS", path, name(as), w)
			if w > pageBudget {
				t.Errorf("GET %s as %v weighs %d bytes of HTML+CSS+JS, over the %d budget", path, name(as), w, pageBudget)
			}
		}
	}
}

func mustID(t *testing.T, env *testenv.Env, path string) int64 {
	t.Helper()
	var id int64
	if _, err := fmt.Sscanf(path, "/t/%d/", &id); err != nil {
		t.Fatalf("topic path %q: %v", path, err)
	}
	return id
}

func name(u *testenv.User) string {
	if u == nil {
		return "guest"
	}
	return u.Username
}
