package content_test

import (
	"fmt"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestSearchRankWindow: when more posts match than SQLite ranks at once
// (store.rankWindow, 500), what lies outside the newest matches is still
// found when the window holds nothing the viewer may read, and pages of a
// windowed search neither repeat nor skip posts.
func TestSearchRankWindow(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	old := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Old public note", "windowword in public", "")
	priv := start(t, env, env.Alice, env.PrivateSpace, model.KindDiscussion, "Private thread", "windowword in private", "")
	for i := range 510 {
		env.Reply(t, env.Alice, priv.topic.ID, fmt.Sprintf("windowword reply %d", i))
	}
	// Every one of the newest 500 matches is private: a guest still finds
	// the old public post, by relevance and by the other orders.
	for _, q := range []string{"windowword", "windowword sort:newest", "windowword sort:score", `"windowword in"`} {
		wantFound(t, env, nil, q, old.id)
	}
	// A member pages through the matches: no post twice.
	seen := map[int64]bool{}
	for page := 1; page <= 3; page++ {
		res := searchAs(t, env, env.Alice, content.SearchInput{Q: "windowword", Page: page})
		if len(res.Hits) != content.SearchPage || !res.Next {
			t.Fatalf("page %d on %s: %d hits, next %v; want a full page and more", page, testenv.Engine(), len(res.Hits), res.Next)
		}
		for _, h := range res.Hits {
			if seen[h.Post.ID] {
				t.Errorf("page %d on %s: post %d again", page, testenv.Engine(), h.Post.ID)
			}
			seen[h.Post.ID] = true
		}
	}
}
