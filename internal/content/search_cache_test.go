package content_test

import (
	"testing"

	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestGuestSearchCache: guests' results are kept in memory, and every write
// that changes what a guest may find reaches them at once: a new matching
// post, a space made private, a tag merged away. A member who may read more
// than guests is never served a guest's entry.
func TestGuestSearchCache(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	sp := env.NewSpace(t, env.Alice, "Cache Lab", model.Public)
	a := start(t, env, env.Alice, sp, model.KindDiscussion, "Cached finding", "cacheword first", "cachetag")
	wantFound(t, env, nil, "cacheword", a.id)
	wantFound(t, env, nil, "cacheword", a.id) // served from memory

	r := env.Reply(t, env.Alice, a.topic.ID, "cacheword second").ID
	wantSet(t, env, nil, "cacheword", []int64{a.id, r})

	// A private space's posts are gone for guests, and members of the
	// space still find them.
	if _, err := env.App.Community.UpdateSpace(ctx, env.Alice.Viewer(), sp.Slug, community.SpaceInput{
		Name: sp.Name, Slug: sp.Slug, Focus: sp.Focus, Visibility: model.Private, Color: sp.Color}); err != nil {
		t.Fatalf("make %s private: %v", sp.Slug, err)
	}
	wantFound(t, env, nil, "cacheword")
	wantSet(t, env, env.Alice, "cacheword", []int64{a.id, r})
	wantFound(t, env, env.Bob, "cacheword")

	b := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Public finding", "cacheword public", "oldcachetag")
	wantFound(t, env, nil, "cacheword [cachetag]")
	wantFound(t, env, nil, "cacheword [oldcachetag]", b.id)
	if _, err := env.App.Content.MergeTag(ctx, env.Mod.Viewer(), "oldcachetag", "cachetag"); err != nil {
		t.Fatalf("merge: %v", err)
	}
	wantFound(t, env, nil, "cacheword [cachetag]", b.id)
	wantFound(t, env, nil, "cacheword [oldcachetag]", b.id)
	if testing.Verbose() {
		t.Logf("memo on %s: %+v", testenv.Engine(), env.App.Store.Memo.Stats())
	}
}

// TestSearchCacheByReadClass: members share a page of results with everyone
// who may read the same spaces (guests, for members of public spaces only),
// and never with anyone who reads other spaces: a search made first by a
// member of private and secret spaces is not what the next reader, with other
// rights, is served. Leaving a space changes what its former member finds at
// once.
func TestSearchCacheByReadClass(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pub := start(t, env, env.Alice, env.PublicSpace, model.KindDiscussion, "Class public", "classword public", "")
	priv := start(t, env, env.Alice, env.PrivateSpace, model.KindDiscussion, "Class private", "classword private", "")
	sec := start(t, env, env.Alice, env.SecretSpace, model.KindDiscussion, "Class secret", "classword secret", "")
	env.AddMember(t, env.PrivateSpace, env.Bob, model.SpaceMember)
	carol := env.Carol(t)
	env.AddMember(t, env.PublicSpace, carol, model.SpaceMember)

	for _, c := range []struct {
		who  *testenv.User
		want []int64
	}{
		{env.Alice, []int64{pub.id, priv.id, sec.id}},
		{env.Bob, []int64{pub.id, priv.id}},
		{carol, []int64{pub.id}},
		{nil, []int64{pub.id}},
		{env.Mod, []int64{pub.id, priv.id, sec.id}},
		{env.Bob, []int64{pub.id, priv.id}},
	} {
		wantSet(t, env, c.who, "classword", c.want)
	}
	// Carol reads what guests read: one entry serves both.
	before := env.App.Store.Memo.Stats().Hits
	wantSet(t, env, nil, "classword", []int64{pub.id})
	wantSet(t, env, carol, "classword", []int64{pub.id})
	if hits := env.App.Store.Memo.Stats().Hits - before; hits < 2 {
		t.Errorf("a guest's and a public-only member's searches hit the memo %d times, want 2", hits)
	}

	if err := env.App.Community.Leave(ctx, env.Bob.Viewer(), env.PrivateSpace.Slug); err != nil {
		t.Fatalf("leave: %v", err)
	}
	wantSet(t, env, env.Bob, "classword", []int64{pub.id})
}
