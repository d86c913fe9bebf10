package content_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/store"
	"practica/internal/testenv"
)

// TestSearchSeesEveryCommittedPost: a post is found by the first search
// after it is saved, and an edit's new words replace the old ones at once,
// on both engines. On SQLite, where posts are queued and indexed after
// commit, the queue holds what was written until the indexer or a search
// empties it, more than one batch is indexed in one call, and a store opened
// over a database that a crash left with queued posts indexes them before
// its first search.
func TestSearchSeesEveryCommittedPost(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	sqlite := env.App.DB.Dialect == db.SQLite
	queued := func() int64 {
		t.Helper()
		if !sqlite {
			return 0
		}
		var n int64
		if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_pending`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	if _, err := env.App.Store.IndexQueued(ctx); err != nil { // the setup's posts, if any
		t.Fatal(err)
	}

	q := start(t, env, env.Alice, env.PublicSpace, model.KindQuestion, "Flux qubit anneal schedules", "Which anneal schedule suits flux qubits?", "hardware")
	r := env.Reply(t, env.Bob, q.topic.ID, "A pausing schedule, reversed midway.")
	if sqlite && queued() != 2 {
		t.Errorf("after a topic and a reply the search queue holds %d posts, want 2", queued())
	}
	wantFound(t, env, nil, "anneal", q.id)
	wantFound(t, env, env.Bob, "pausing midway", r.ID)
	if n := queued(); n != 0 {
		t.Errorf("after a search the queue holds %d posts, want 0", n)
	}

	if _, err := env.App.Content.Edit(ctx, env.Bob.Viewer(), r.ID, content.EditInput{Body: "A quench schedule instead."}); err != nil {
		t.Fatal(err)
	}
	wantFound(t, env, nil, "pausing")
	wantFound(t, env, nil, "quench", r.ID)
	if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), q.id, content.EditInput{Title: "Flux qubit ramp schedules", Body: "Which ramp suits flux qubits?", Tags: "hardware"}); err != nil {
		t.Fatal(err)
	}
	wantFound(t, env, nil, "anneal")
	wantFound(t, env, nil, "ramp", q.id)
	if !sqlite {
		return
	}

	// More than one batch, indexed by one call, as the indexer does.
	before, _, _ := env.App.Store.IndexStats()
	var last model.Post
	for range 450 {
		last = env.Reply(t, env.Mod, q.topic.ID, "Cryogenic ramp note.")
	}
	if n := queued(); n != 450 {
		t.Fatalf("queued %d posts, want 450", n)
	}
	n, err := env.App.Store.IndexQueued(ctx)
	if err != nil || n != 450 {
		t.Fatalf("IndexQueued = %d, %v; want 450", n, err)
	}
	if after, _, _ := env.App.Store.IndexStats(); after-before < 3 {
		t.Errorf("450 posts indexed in %d transactions, want 3 or more (batches of at most 200)", after-before)
	}
	if n := queued(); n != 0 {
		t.Errorf("after IndexQueued the queue holds %d posts, want 0", n)
	}

	// A crash between a commit and its indexing: the post is queued and
	// its row is stale. A store opened afresh indexes it before searching.
	sql(t, env, `UPDATE posts SET body_html = '<p>Stranded phonon note.</p>' WHERE id = $1`, last.ID)
	sql(t, env, `INSERT INTO search_pending (post_id) VALUES ($1)`, last.ID)
	fresh := store.New(env.App.DB)
	hits, err := fresh.Read().Search(ctx, policy.Scope{}, store.SearchQuery{Words: []string{"phonon"}, Sort: store.SearchRelevance, Limit: 5})
	if err != nil || len(hits) != 1 || hits[0].Post.ID != last.ID {
		t.Errorf("search on a store opened over a queued post: %d hits, %v; want post %d", len(hits), err, last.ID)
	}
}

// TestSearchWithoutTextNewestFirst: a search with only filters ("[tag]",
// "is:question") lists what the viewer may read newest first, page after
// page, whether SQLite finds the page among the newest posts or sorts every
// match (a filter the newest posts do not fill: "user:"), and leaves out
// what a member may not read and what was deleted.
func TestSearchWithoutTextNewestFirst(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	var public, private []int64 // opening posts, oldest first
	for i := range 26 {
		env.Clock.Advance(time.Minute)
		sp, list := env.PublicSpace, &public
		if i%5 == 4 {
			sp, list = env.PrivateSpace, &private
		}
		p := start(t, env, env.Alice, sp, model.KindQuestion, fmt.Sprintf("Walk question %d", i), "Asked.", "walk")
		*list = append(*list, p.id)
	}
	env.Clock.Advance(time.Minute)
	gone := start(t, env, env.Alice, env.PublicSpace, model.KindQuestion, "Walk question deleted", "Asked.", "walk")
	if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), gone.id, true); err != nil {
		t.Fatal(err)
	}
	newest := func(ids ...[]int64) []int64 {
		var all []int64
		for _, l := range ids {
			all = append(all, l...)
		}
		slices.Sort(all)
		slices.Reverse(all)
		return all
	}
	pages := func(u *testenv.User, q string) []int64 {
		t.Helper()
		var got []int64
		for page := 1; ; page++ {
			res := searchAs(t, env, u, content.SearchInput{Q: q, Page: page})
			for _, h := range res.Hits {
				got = append(got, h.Post.ID)
			}
			if !res.Next {
				return got
			}
		}
	}
	for _, c := range []struct {
		who  *testenv.User
		q    string
		want []int64
	}{
		{env.Bob, "[walk]", newest(public)},
		{env.Alice, "[walk]", newest(public, private)},
		{env.Bob, "is:question sort:newest", newest(public)},
		{env.Alice, "[walk] user:alice", newest(public, private)},
		{nil, "[walk] space:" + env.PublicSpace.Slug, newest(public)},
	} {
		if got := pages(c.who, c.q); !slices.Equal(got, c.want) {
			t.Errorf("search %q as %s on %s: %v, want %v", c.q, who(c.who), testenv.Engine(), got, c.want)
		}
	}
}
