package content_test

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// allFound pages through a search as u and returns every post id found, in
// order.
func allFound(t *testing.T, env *testenv.Env, u *testenv.User, q string) []int64 {
	t.Helper()
	var out []int64
	for page := 1; page <= content.MaxSearchPages; page++ {
		res := searchAs(t, env, u, content.SearchInput{Q: q, Page: page})
		for _, h := range res.Hits {
			out = append(out, h.Post.ID)
		}
		if !res.Next {
			return out
		}
	}
	t.Fatalf("search %q: more than %d pages", q, content.MaxSearchPages)
	return nil
}

// wantSet checks that a search by relevance finds exactly want, in any
// order.
func wantSet(t *testing.T, env *testenv.Env, u *testenv.User, q string, want []int64) {
	t.Helper()
	got := sorted(allFound(t, env, u, q))
	want = sorted(slices.Clone(want))
	if !slices.Equal(got, want) {
		t.Errorf("search %q as %s on %s: found %v, want %v", q, who(u), testenv.Engine(), got, want)
	}
}

// TestSearchTagFilterFollowsTagEdits: a tag filter finds every post (opening
// posts and replies) of the topics that carry the tag now, after the tags of
// a topic are edited, after a tag is merged into another (by either name,
// the old one being a synonym), and never a post of a space the viewer may
// not read. On SQLite the tag is part of the index's match, so this checks
// that every write that changes a topic's tags rewrites its posts' rows.
func TestSearchTagFilterFollowsTagEdits(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Flux pinning", "tagword about flux", "vortex")
	ra := env.Reply(t, env.Alice, a.topic.ID, "tagword in a reply").ID
	b := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Meissner effect", "tagword about fields", "fields")
	rb := env.Reply(t, env.Alice, b.topic.ID, "tagword again").ID
	c := start(t, env, env.Alice, env.PrivateSpace, model.KindDiscussion, "Private vortices", "tagword in private", "vortex")
	rc := env.Reply(t, env.Alice, c.topic.ID, "tagword private reply").ID
	env.Reply(t, env.Alice, a.topic.ID, "no match here")

	wantSet(t, env, nil, "tagword [vortex]", []int64{a.id, ra})
	wantSet(t, env, env.Alice, "tagword [vortex]", []int64{a.id, ra, c.id, rc})
	wantSet(t, env, nil, "tagword [fields]", []int64{b.id, rb})
	wantSet(t, env, nil, "tagword [nosuchtag]", nil)
	wantSet(t, env, nil, "tagword [vortex] [fields]", nil)

	// Retag b: it gains vortex and keeps fields; a loses vortex.
	edit := func(p post, title, tags string) {
		t.Helper()
		body := opening(t, env, p.topic.ID).Body
		if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), p.id, content.EditInput{Title: title, Body: body, Tags: tags}); err != nil {
			t.Fatalf("edit tags of %q to %q: %v", title, tags, err)
		}
	}
	edit(b, "Meissner effect", "fields vortex")
	edit(a, "Flux pinning", "pinning")
	wantSet(t, env, nil, "tagword [vortex]", []int64{b.id, rb})
	wantSet(t, env, nil, "tagword [vortex] [fields]", []int64{b.id, rb})
	wantSet(t, env, nil, "tagword [pinning]", []int64{a.id, ra})
	// A reply written after the edit carries the topic's tags too.
	rb2 := env.Reply(t, env.Alice, b.topic.ID, "tagword after the edit").ID
	wantSet(t, env, nil, "tagword [vortex]", []int64{b.id, rb, rb2})

	// Merge pinning into vortex: a's posts are found under vortex, and the
	// old name, now a synonym, leads there.
	if _, err := env.App.Content.MergeTag(ctx, env.Mod.Viewer(), "pinning", "vortex"); err != nil {
		t.Fatalf("merge pinning into vortex: %v", err)
	}
	want := []int64{a.id, ra, b.id, rb, rb2}
	wantSet(t, env, nil, "tagword [vortex]", want)
	wantSet(t, env, nil, "tagword [pinning]", want)
	wantSet(t, env, env.Alice, "tagword [vortex]", append(want, c.id, rc))
	// The other orders, which never use the index's tag sets, agree.
	for _, sort := range []string{"newest", "score"} {
		wantSet(t, env, env.Alice, "tagword [vortex] sort:"+sort, append(want, c.id, rc))
	}
}

// TestSearchPhrasesMatchExhaustiveScan: on a corpus of random sentences over
// a few words, a phrase search by relevance finds exactly the posts whose
// text holds the phrase, as a scan of every post finds them, for phrases
// with few matches, old or new (the index is read again from the nearer
// end), alone, with a word and with a tag. A phrase with more matches than
// a rank window finds, on its first 24 pages, only its newest 500.
func TestSearchPhrasesMatchExhaustiveScan(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	rng := rand.New(rand.NewPCG(7, 11))
	topics := []post{
		start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Rocks one", "amber basalt", "minerals"),
		start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Rocks two", "cobalt dolomite", ""),
	}
	texts := map[int64]string{topics[0].id: "amber basalt", topics[1].id: "cobalt dolomite"}
	reply := func(topic int, body string) int64 {
		id := env.Reply(t, env.Alice, topics[topic].topic.ID, body).ID
		texts[id] = body
		return id
	}
	// Rare phrases at both ends of the history, and a hidden one.
	reply(0, "zircon quartz early")
	reply(1, "dolomite zircon quartz")
	priv := start(t, env, env.Alice, env.PrivateSpace, model.KindDiscussion, "Private rocks", "zircon quartz hidden", "minerals")
	for range 700 {
		w := make([]string, 6)
		for i := range w {
			w[i] = []string{"amber", "basalt"}[rng.IntN(2)]
			if rng.IntN(10) == 0 {
				w[i] = []string{"cobalt", "dolomite"}[rng.IntN(2)]
			}
		}
		reply(rng.IntN(2), strings.Join(w, " "))
	}
	reply(1, "quartz zircon late")
	reply(0, "quartz zircon late again")

	scan := func(phrase string, topic int64) []int64 {
		var out []int64
		for id, text := range texts {
			if strings.Contains(" "+text+" ", " "+phrase+" ") && (topic == 0 || inTopic(t, env, id) == topic) {
				out = append(out, id)
			}
		}
		return out
	}
	for _, phrase := range []string{"cobalt dolomite cobalt", "dolomite dolomite", "zircon quartz", "quartz zircon"} {
		if n := len(scan(phrase, 0)); n > 500 {
			t.Fatalf("%q matches %d posts; it should fit a rank window", phrase, n)
		}
		wantSet(t, env, nil, `"`+phrase+`"`, scan(phrase, 0))
		wantSet(t, env, nil, `"`+phrase+`" [minerals]`, scan(phrase, topics[0].topic.ID))
	}
	wantSet(t, env, env.Alice, `"zircon quartz" [minerals]`, append(scan("zircon quartz", topics[0].topic.ID), priv.id))
	var both []int64
	for _, id := range scan("dolomite dolomite", 0) {
		if strings.Contains(texts[id], "cobalt") {
			both = append(both, id)
		}
	}
	wantSet(t, env, nil, `cobalt "dolomite dolomite"`, both)

	many := sorted(scan("amber basalt", 0))
	if len(many) <= 500 {
		t.Fatalf("the corpus has %d posts with the phrase; the test needs more than a rank window", len(many))
	}
	// The last page of the window asks for one row more than it holds and
	// so ranks every match: pages 1 to 24 are the window's.
	newest := map[int64]bool{}
	for _, id := range many[len(many)-500:] {
		newest[id] = true
	}
	seen := map[int64]bool{}
	for page := 1; page < 500/content.SearchPage; page++ {
		for _, h := range searchAs(t, env, nil, content.SearchInput{Q: `"amber basalt"`, Page: page}).Hits {
			if !newest[h.Post.ID] || seen[h.Post.ID] {
				t.Fatalf("page %d of \"amber basalt\" on %s: post %d is not one of the newest 500 matches, or came twice", page, testenv.Engine(), h.Post.ID)
			}
			seen[h.Post.ID] = true
		}
	}
	if len(seen) != 480 {
		t.Errorf("pages 1 to 24 of \"amber basalt\" on %s: %d posts, want 480", testenv.Engine(), len(seen))
	}
}

// inTopic returns the topic of a post.
func inTopic(t *testing.T, env *testenv.Env, postID int64) int64 {
	t.Helper()
	var id int64
	if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT topic_id FROM posts WHERE id = $1`, postID).Scan(&id); err != nil {
		t.Fatalf("topic of post %d: %v", postID, err)
	}
	return id
}

// TestSearchTagFilterWithoutTagSets: rows written by a bulk writer that
// leaves the index's tag sets empty (on SQLite) do not make a tag filter
// miss them; the filter then checks each match's topic instead.
func TestSearchTagFilterWithoutTagSets(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	a := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Bulk one", "bulkword one", "loaded")
	r := env.Reply(t, env.Alice, a.topic.ID, "bulkword reply").ID
	b := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Bulk two", "bulkword two", "other")
	if testenv.Engine() == "sqlite" {
		// As a bulk load that fills title, tags and body only.
		sql(t, env, `DELETE FROM search_fts WHERE rowid = $1`, r)
		sql(t, env, `INSERT INTO search_fts (rowid, title, tags, body) VALUES ($1, '', '', 'bulkword reply')`, r)
	}
	wantSet(t, env, nil, "bulkword [loaded]", []int64{a.id, r})
	wantSet(t, env, nil, "bulkword [other]", []int64{b.id})
}

// TestSearchRankedHitsSkipUnreadable: when the best-ranked matches of a
// window are in a space the viewer may not read, the ranked ids are checked
// in growing batches until the page is full, and none is skipped.
func TestSearchRankedHitsSkipUnreadable(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	var public []int64
	pub := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Batch public", "batchword", "batching")
	public = append(public, pub.id)
	priv := start(t, env, env.Alice, env.PrivateSpace, model.KindDiscussion, "Batch private", "batchword batchword", "batching")
	all := []int64{priv.id}
	for i := range 150 {
		// The word twice in a short post ranks above the opening posts.
		all = append(all, env.Reply(t, env.Alice, priv.topic.ID, "batchword batchword").ID)
		if i%50 == 0 {
			id := env.Reply(t, env.Alice, pub.topic.ID, "batchword batchword").ID // ties: newer first
			public = append(public, id)
		}
	}
	all = append(all, public...)
	for _, q := range []string{"batchword", "batchword [batching]"} {
		wantSet(t, env, nil, q, public)
		wantSet(t, env, env.Alice, q, all)
	}
}

// TestSearchTagSetsOfBulkRows: rows written in bulk (testenv's volume, the
// way an import writes them) carry their topic's tag set, so a tag filter
// by relevance finds exactly what the same filter by date (which reads
// topic_tags) finds.
func TestSearchTagSetsOfBulkRows(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	f := env.Fill(t, testenv.Volume{Topics: 300, Posts: 900, HotPosts: 30, Authors: 5, Tags: 12})
	for _, q := range []string{`"` + f.Phrase + `" [tag-3]`, `"` + f.Phrase + `" [tag-7]`, f.Word + " [tag-5] is:question"} {
		want := allFound(t, env, nil, q+" sort:newest")
		if len(want) == 0 || len(want) > 500 {
			t.Fatalf("%q finds %d posts by date; the test wants some, fewer than a rank window", q, len(want))
		}
		wantSet(t, env, nil, q, want)
	}
}
