package content_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// found runs a search as u (nil for a guest) and returns the post ids found,
// in order.
func found(t *testing.T, env *testenv.Env, u *testenv.User, q string) []int64 {
	t.Helper()
	res := searchAs(t, env, u, content.SearchInput{Q: q})
	out := make([]int64, len(res.Hits))
	for i, h := range res.Hits {
		out[i] = h.Post.ID
	}
	return out
}

func searchAs(t *testing.T, env *testenv.Env, u *testenv.User, in content.SearchInput) content.SearchResults {
	t.Helper()
	res, err := env.App.Content.Search(ctx, u.Viewer(), in)
	if err != nil {
		t.Fatalf("Search(%+v) as %s on %s: %v", in, who(u), testenv.Engine(), err)
	}
	return res
}

func who(u *testenv.User) string {
	if u == nil {
		return "guest"
	}
	return u.Username
}

// sql runs a statement straight on the database, for states the services do
// not offer yet (pending topics) or that belong to other features (scores,
// accepted answers), and drops the store's memo as a write through the
// store would.
func sql(t *testing.T, env *testenv.Env, query string, args ...any) {
	t.Helper()
	if _, err := env.App.DB.Write.ExecContext(ctx, query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
	// Written behind the store's back: what it keeps in memory (guests'
	// search results among them) would wait for its expiry.
	env.App.Store.Memo.Invalidate(nil, true)
}

type post struct {
	topic model.Topic
	id    int64
}

// start creates a topic as u and returns it with its opening post's id.
func start(t *testing.T, env *testenv.Env, u *testenv.User, sp model.Space, kind model.Kind, title, body, tags string) post {
	t.Helper()
	tp, err := env.App.Content.CreateTopic(ctx, u.Viewer(), content.TopicInput{Space: sp.Slug, Kind: kind, Title: title, Body: body, Tags: tags})
	if err != nil {
		t.Fatalf("create %q: %v", title, err)
	}
	return post{tp, opening(t, env, tp.ID).ID}
}

func wantFound(t *testing.T, env *testenv.Env, u *testenv.User, q string, want ...int64) {
	t.Helper()
	got := found(t, env, u, q)
	if !slices.Equal(got, want) && !(len(got) == 0 && len(want) == 0) {
		t.Errorf("search %q as %s on %s: found %v, want %v", q, who(u), testenv.Engine(), got, want)
	}
}

func TestSearchFiltersAndRanking(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pub := env.PublicSpace
	q1 := start(t, env, env.Alice, pub, model.KindQuestion, "Decoder latency on surface codes",
		"Our **decoder** misses the measurement errors budget. Any ideas?", "qec decoders")
	env.Clock.Advance(time.Hour)
	d1 := start(t, env, env.Bob, pub, model.KindDiscussion, "Lab coffee rota",
		"The rota is long. Someone mentioned a decoder once, among many other words about coffee, milk, cups and cleaning.", "lab")
	env.Clock.Advance(time.Hour)
	a1 := env.Reply(t, env.Bob, q1.topic.ID, "Try a union-find decoder; errors in measurement are handled by repeating rounds.")
	env.Clock.Advance(time.Hour)
	a2 := env.Reply(t, env.Mod, q1.topic.ID, "A lookup-table decoder works for small distances.")
	q2 := start(t, env, env.Bob, pub, model.KindQuestion, "Which cryostat vendor for transmons?", "Looking at cryostat vendors.", "hardware")
	sql(t, env, `UPDATE posts SET score = $1 WHERE id = $2`, 5, a1.ID)
	sql(t, env, `UPDATE posts SET score = $1 WHERE id = $2`, -1, a2.ID)

	// The title match ranks first; body-only matches follow.
	got := found(t, env, nil, "decoder")
	if len(got) != 4 || got[0] != q1.id || !slices.Contains(got, d1.id) || !slices.Contains(got, a1.ID) || !slices.Contains(got, a2.ID) {
		t.Errorf("search decoder on %s: %v, want question %d first of 4", testenv.Engine(), got, q1.id)
	}
	tests := []struct {
		q    string
		want []int64
	}{
		{`"measurement errors"`, []int64{q1.id}},
		{`measurement errors sort:newest`, []int64{a1.ID, q1.id}},
		{"decoder is:question", []int64{q1.id}},
		{"decoder is:answer sort:newest", []int64{a2.ID, a1.ID}},
		{"decoder [lab]", []int64{d1.id}},
		{"[hardware]", []int64{q2.id}},
		{"decoder user:BOB sort:newest", []int64{a1.ID, d1.id}},
		{"decoder space:" + pub.Slug + " score:1", []int64{a1.ID}},
		{"decoder score:-1 sort:score", []int64{a1.ID, d1.id, q1.id, a2.ID}},
		{"decoder space:nowhere", nil},
		{"is:question sort:newest", []int64{q2.id, q1.id}},
		{"is:question answered:no", []int64{q2.id}},
		{"is:question answered:yes", []int64{q1.id}},
		{"accepted:yes", nil},
		{"created:" + env.Clock.Now().Format("2006") + " cryostat", []int64{q2.id}},
		{"created:..1999 cryostat", nil},
		{"nosuchwordanywhere", nil},
	}
	for _, tt := range tests {
		wantFound(t, env, nil, tt.q, tt.want...)
	}

	sql(t, env, `UPDATE topics SET accepted_post_id = $1 WHERE id = $2`, a2.ID, q1.topic.ID)
	wantFound(t, env, nil, "accepted:yes", q1.id)
	wantFound(t, env, nil, "accepted:no is:question", q2.id)
	wantFound(t, env, nil, "is:answer accepted:yes", a2.ID)
	wantFound(t, env, nil, "is:answer accepted:no", a1.ID)

	// Sort by parameter beats sort: in the query; relevance without words is newest.
	res := searchAs(t, env, nil, content.SearchInput{Q: "decoder sort:newest", Sort: "score"})
	if res.Sort != "score" || res.Hits[0].Post.ID != a1.ID {
		t.Errorf("sort=score over sort:newest: sort %q, first %d; want score, %d", res.Sort, res.Hits[0].Post.ID, a1.ID)
	}
	if res := searchAs(t, env, nil, content.SearchInput{Q: "[qec]", Sort: "relevance"}); res.Sort != "newest" {
		t.Errorf("relevance without words: sort %q, want newest", res.Sort)
	}
}

func TestSearchSnippets(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	p := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Markup in snippets",
		"Never paste `<script>alert('zebrafish')</script>` into a page; the **zebrafish** & friends agree.", "")
	res := searchAs(t, env, nil, content.SearchInput{Q: "zebrafish"})
	if len(res.Hits) != 1 || res.Hits[0].Post.ID != p.id {
		t.Fatalf("search zebrafish: %d hits, want post %d", len(res.Hits), p.id)
	}
	h := res.Hits[0]
	if !strings.Contains(h.SnippetHTML, "<mark>zebrafish</mark>") || !strings.Contains(h.SnippetHTML, "&lt;script&gt;") ||
		strings.Contains(h.SnippetHTML, "<script") || strings.Contains(h.SnippetHTML, "**") || !strings.Contains(h.SnippetHTML, "&amp; friends") {
		t.Errorf("snippet on %s = %q; want the match marked, the markup escaped and Markdown gone", testenv.Engine(), h.SnippetHTML)
	}
	if strings.ContainsAny(h.Plain(), "\x02\x03") || !strings.Contains(h.Plain(), "<script>") {
		t.Errorf("plain snippet = %q; want the text without markers", h.Plain())
	}
	if h.Topic.Title != "Markup in snippets" || h.Space.Slug != env.PublicSpace.Slug || h.Author.Username != "alice" || h.Path() != fmt.Sprintf("/p/%d", p.id) {
		t.Errorf("hit = %+v; want its topic, space, author and path", h)
	}
	// Without words there is nothing to mark: the snippet is the start of the post.
	res = searchAs(t, env, nil, content.SearchInput{Q: "user:alice"})
	if len(res.Hits) != 1 || !strings.HasPrefix(res.Hits[0].SnippetHTML, "Never paste &lt;script&gt;") || strings.Contains(res.Hits[0].SnippetHTML, "<mark>") {
		t.Errorf("filter-only snippet = %+v", res.Hits)
	}
}

// TestSearchNeverLeaks: private and secret content, deleted posts and
// topics and pending topics never appear to those who may not see them, and
// deleted or pending content to no one; edits and deletes show at once.
func TestSearchNeverLeaks(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	priv := start(t, env, env.Alice, env.PrivateSpace, model.KindQuestion, "Private plans", "privateword in a private space", "")
	secret := start(t, env, env.Alice, env.SecretSpace, model.KindDiscussion, "Secret plans", "secretword in a secret space", "")
	gone := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Removed topic", "deletedtopicword", "")
	if _, err := env.App.Content.SetDeleted(ctx, env.Alice.Viewer(), gone.id, true); err != nil {
		t.Fatal(err)
	}
	live := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Live topic", "liveword", "")
	reply := env.Reply(t, env.Bob, live.topic.ID, "deletedreplyword here")
	if _, err := env.App.Content.SetDeleted(ctx, env.Bob.Viewer(), reply.ID, true); err != nil {
		t.Fatal(err)
	}
	pending := start(t, env, env.Bob, env.PublicSpace, model.KindDiscussion, "Pending topic", "pendingword", "")
	sql(t, env, `UPDATE topics SET state = 'pending' WHERE id = $1`, pending.topic.ID)

	for _, u := range []*testenv.User{nil, env.Bob, env.Alice, env.Admin} {
		for _, w := range []string{"deletedtopicword", "deletedreplyword", "pendingword", "Removed", "Pending"} {
			wantFound(t, env, u, w)
		}
		member := u == env.Alice || u == env.Admin
		for _, c := range []struct {
			q  string
			id int64
		}{{"privateword", priv.id}, {"secretword", secret.id}, {"plans is:question", priv.id}, {"space:" + env.SecretSpace.Slug, secret.id}} {
			if member {
				wantFound(t, env, u, c.q, c.id)
			} else {
				wantFound(t, env, u, c.q)
			}
		}
	}
	wantFound(t, env, nil, "liveword", live.id)

	// A reply disappears the moment it is deleted, and comes back restored.
	r2 := env.Reply(t, env.Alice, live.topic.ID, "vanishingword")
	wantFound(t, env, nil, "vanishingword", r2.ID)
	if _, err := env.App.Content.SetDeleted(ctx, env.Alice.Viewer(), r2.ID, true); err != nil {
		t.Fatal(err)
	}
	wantFound(t, env, nil, "vanishingword")
	// Moving a topic into a secret space hides it from search too.
	if _, err := env.App.Content.Move(ctx, env.Alice.Viewer(), live.topic.ID, env.SecretSpace.Slug); err != nil {
		t.Fatal(err)
	}
	wantFound(t, env, nil, "liveword")
	wantFound(t, env, env.Alice, "liveword", live.id)

	// Edits re-index: new words are found, old ones are not; an opening
	// post's new title and tags too.
	pub := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Original heading", "oldbodyword", "oldtag")
	if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), pub.id, content.EditInput{Title: "Renamed heading", Body: "newbodyword", Tags: "newtag"}); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"oldbodyword", "Original", "[oldtag]"} {
		wantFound(t, env, nil, q)
	}
	for _, q := range []string{"newbodyword", "Renamed", "[newtag]", "newtag"} {
		wantFound(t, env, nil, q, pub.id)
	}
}

func TestSearchMissesAndInput(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Something findable", "findable text", "")
	misses := func() int {
		var n int
		if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_misses`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	searchAs(t, env, env.Bob, content.SearchInput{Q: "findable"})
	searchAs(t, env, env.Bob, content.SearchInput{Q: ""})
	searchAs(t, env, env.Bob, content.SearchInput{Q: "findable", Page: 2})
	if n := misses(); n != 0 {
		t.Fatalf("after searches that found something, an empty one and a later page: %d misses recorded, want 0", n)
	}
	searchAs(t, env, env.Bob, content.SearchInput{Q: "unfindable thing"})
	searchAs(t, env, nil, content.SearchInput{Q: "[nosuchtag]"})
	if n := misses(); n != 2 {
		t.Fatalf("after two searches that found nothing: %d misses recorded, want 2", n)
	}
	var query string
	var user int64
	if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT query, COALESCE(user_id, 0) FROM search_misses ORDER BY id LIMIT 1`).Scan(&query, &user); err != nil || query != "unfindable thing" || user != env.Bob.ID {
		t.Errorf("first miss: %q by %d (%v); want %q by bob", query, user, err, "unfindable thing")
	}

	bad := []struct {
		in    content.SearchInput
		field string
	}{
		{content.SearchInput{Q: strings.Repeat("x", 501)}, "q"},
		{content.SearchInput{Q: strings.Repeat("x ", 21)}, "q"},
		{content.SearchInput{Q: "x", Sort: "random"}, "sort"},
		{content.SearchInput{Q: "x", Page: 51}, "page"},
		{content.SearchInput{Q: "x", Page: -1}, "page"},
	}
	for _, b := range bad {
		_, err := env.App.Content.Search(ctx, env.Bob.Viewer(), b.in)
		if e, ok := apperr.As(err); !ok || e.Kind != apperr.Invalid || e.Fields[b.field] == "" {
			t.Errorf("Search(%.40v): %v, want Invalid on field %q", b.in, err, b.field)
		}
	}
	// Nothing typed is query syntax to either engine.
	for _, q := range []string{`findable*`, `NEAR(findable text)`, `findable OR nothing`, `NOT findable`, `^findable`, `title:findable`, `{body}:findable`,
		`a"b`, `"unbalanced`, `findable -text`, `(findable)`, `findable & !text | x:*`, `' OR 1=1 --`, `\x00`} {
		searchAs(t, env, env.Bob, content.SearchInput{Q: q})
	}
	if got := found(t, env, nil, `findable OR nothing`); len(got) != 0 {
		t.Errorf("OR is a word, not an operator: found %v", got)
	}
	// A query that is only a sort, or only punctuation, asks for nothing.
	for _, q := range []string{"sort:newest", "- ** ..."} {
		if res := searchAs(t, env, nil, content.SearchInput{Q: q}); len(res.Hits) != 0 || !res.Query.IsEmpty() {
			t.Errorf("search %q: %d hits, empty %v; want none", q, len(res.Hits), res.Query.IsEmpty())
		}
	}
}

func TestSimilarQuestions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	close := start(t, env, env.Alice, env.PublicSpace, model.KindQuestion, "Calibrating transmon frequency drift", "How often do you recalibrate?", "")
	start(t, env, env.Alice, env.PublicSpace, model.KindQuestion, "Choosing a cryostat", "Vendors and prices.", "")
	start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Transmon frequency drift chat", "Not a question.", "")
	hidden := start(t, env, env.Alice, env.SecretSpace, model.KindQuestion, "Transmon frequency drift in the secret lab", "Secret.", "")
	removed := start(t, env, env.Alice, env.PublicSpace, model.KindQuestion, "Transmon drift removed", "Gone.", "")
	if _, err := env.App.Content.SetDeleted(ctx, env.Alice.Viewer(), removed.id, true); err != nil {
		t.Fatal(err)
	}
	similar := func(u *testenv.User, title string) []int64 {
		hits, err := env.App.Content.SimilarQuestions(ctx, u.Viewer(), title)
		if err != nil {
			t.Fatalf("SimilarQuestions(%q): %v", title, err)
		}
		var out []int64
		for _, h := range hits {
			out = append(out, h.Topic.ID)
		}
		return out
	}
	if got := similar(env.Bob, "How do I track transmon frequency drift?"); !slices.Equal(got, []int64{close.topic.ID}) {
		t.Errorf("similar as bob on %s: %v, want only %d", testenv.Engine(), got, close.topic.ID)
	}
	if got := similar(env.Alice, "transmon frequency drift"); len(got) != 2 || !slices.Contains(got, hidden.topic.ID) {
		t.Errorf("similar as alice: %v, want the public and the secret question", got)
	}
	if got := similar(env.Bob, "How do I drift?"); got != nil {
		t.Errorf("similar for a one-word title: %v, want nothing", got)
	}
	if _, err := env.App.Content.SimilarQuestions(ctx, env.Bob.Viewer(), strings.Repeat("long ", 200)); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("similar for a 1000-byte title: %v, want Invalid", err)
	}
}
