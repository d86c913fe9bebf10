package content_test

import (
	"testing"

	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestGuestSearchCache: guests' results are kept in memory, and every write
// that changes what a guest may find reaches them at once: a new matching
// post, a space made private, a tag merged away. Members are never served a
// guest's entry.
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
