package content_test

import (
	"slices"
	"testing"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/testenv"
)

func TestCreatingTagsNeedsThePrivilege(t *testing.T) {
	env := testenv.New(t)
	setting(t, env, reputation.PrivilegeKey(reputation.CreateTags), "150")
	env.CreateTopic(t, env.Admin, env.PublicSpace, "Staff create tags freely") // tag "testing"
	in := content.TopicInput{Space: env.PublicSpace.Slug, Title: "A brand new tag", Body: "Body.", Tags: "testing brand-new"}
	if _, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), in); !slices.Equal(testenv.FieldsOf(err), []string{"tags"}) {
		t.Fatalf("new tag below the threshold: %v, want an error on tags", err)
	}
	in.Tags = "testing"
	tp, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), in)
	if err != nil {
		t.Fatalf("existing tag below the threshold: %v", err)
	}
	// Editing in a new tag is checked the same way.
	op := opening(t, env, tp.ID)
	if _, err := env.App.Content.Edit(ctx, env.Bob.Viewer(), op.ID, content.EditInput{Title: in.Title, Body: "Body.", Tags: "testing other-new"}); !slices.Equal(testenv.FieldsOf(err), []string{"tags"}) {
		t.Errorf("edit adding a new tag: %v, want an error on tags", err)
	}
	setting(t, env, reputation.PrivilegeKey(reputation.CreateTags), "0")
	if _, err := env.App.Content.Edit(ctx, env.Bob.Viewer(), op.ID, content.EditInput{Title: in.Title, Body: "Body.", Tags: "testing other-new"}); err != nil {
		t.Errorf("edit adding a new tag with the privilege: %v", err)
	}
}

func TestSynonymsMergeAndFollow(t *testing.T) {
	env := testenv.New(t)
	mk := func(title, tags string) model.Topic {
		t.Helper()
		tp, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: title, Body: "Body.", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	a := mk("Surface codes one", "surface-code")
	b := mk("Surface codes two", "surfacecode")
	if err := env.App.Content.FollowTag(ctx, env.Bob.Viewer(), "surfacecode", true); err != nil {
		t.Fatal(err)
	}
	// Only staff merge; the merged name becomes a synonym.
	if _, err := env.App.Content.MergeTag(ctx, env.Alice.Viewer(), "surfacecode", "surface-code"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("member merges: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.MergeTag(ctx, env.Mod.Viewer(), "surfacecode", "nowhere"); !slices.Equal(testenv.FieldsOf(err), []string{"into"}) {
		t.Errorf("merge into a missing tag: %v, want an error on into", err)
	}
	if _, err := env.App.Content.MergeTag(ctx, env.Mod.Viewer(), "surfacecode", "surface-code"); err != nil {
		t.Fatalf("merge: %v", err)
	}
	if got := loadTopic(t, env, b.ID).Tags; !slices.Equal(got, []string{"surface-code"}) {
		t.Errorf("merged topic's tags = %v", got)
	}
	view, err := env.App.Content.TagPage(ctx, env.Bob.Viewer(), "surfacecode")
	if err != nil {
		t.Fatal(err)
	}
	if view.Canonical != "surface-code" || view.Tag.TopicCount != 2 || !view.Following || !slices.Equal(view.Synonyms, []string{"surfacecode"}) {
		t.Errorf("tag page via the synonym: %+v", view)
	}
	// New posts using the synonym get the tag.
	c := mk("Surface codes three", "surfacecode")
	if got := loadTopic(t, env, c.ID).Tags; !slices.Equal(got, []string{"surface-code"}) {
		t.Errorf("topic tagged with a synonym has %v", got)
	}
	// Synonyms: staff only, a new name only.
	if err := env.App.Content.AddSynonym(ctx, env.Mod.Viewer(), "surface-code", "sc"); err != nil {
		t.Errorf("add synonym: %v", err)
	}
	if err := env.App.Content.AddSynonym(ctx, env.Mod.Viewer(), "surface-code", "sc"); !slices.Equal(testenv.FieldsOf(err), []string{"synonym"}) {
		t.Errorf("add the same synonym twice: %v", err)
	}
	mk("Other", "qec")
	if err := env.App.Content.AddSynonym(ctx, env.Mod.Viewer(), "surface-code", "qec"); !slices.Equal(testenv.FieldsOf(err), []string{"synonym"}) {
		t.Errorf("synonym that is a tag: %v", err)
	}
	if err := env.App.Content.AddSynonym(ctx, env.Bob.Viewer(), "surface-code", "surf"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("member adds a synonym: %v", err)
	}
	// Descriptions need the edit privilege.
	if _, err := env.App.Content.DescribeTag(ctx, env.Bob.Viewer(), "surface-code", "Topological codes on a lattice."); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("member describes a tag: %v", err)
	}
	if got, err := env.App.Content.DescribeTag(ctx, env.Mod.Viewer(), "sc", "Topological codes on a lattice."); err != nil || got.Description == "" {
		t.Errorf("moderator describes a tag through its synonym: %v", err)
	}
	// Top answerers count only what the viewer can read.
	ans := env.Reply(t, env.Bob, a.ID, "Use a matching decoder.")
	vote(t, env, env.Alice, ans.ID, 1)
	view, _ = env.App.Content.TagPage(ctx, model.Viewer{}, "surface-code")
	if len(view.TopAnswerers) != 1 || view.TopAnswerers[0].User.ID != env.Bob.ID || view.TopAnswerers[0].Score != 1 {
		t.Errorf("top answerers: %+v", view.TopAnswerers)
	}
	if err := env.App.Content.FollowTag(ctx, env.Bob.Viewer(), "surface-code", false); err != nil {
		t.Fatal(err)
	}
	if tags, _ := env.App.Content.FollowedTags(ctx, env.Bob.Viewer()); len(tags) != 0 {
		t.Errorf("after unfollowing: %v", tags)
	}
}

func TestSearchAfterMerge(t *testing.T) {
	env := testenv.New(t)
	tp, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Decoding with belief propagation", Body: "Body.", Tags: "bp-decoding"})
	if err != nil {
		t.Fatal(err)
	}
	env.CreateTopic(t, env.Alice, env.PublicSpace, "Unrelated topic")
	if _, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Title: "Decoders overview", Body: "Body.", Tags: "decoders"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.MergeTag(ctx, env.Mod.Viewer(), "bp-decoding", "decoders"); err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{"[bp-decoding]", "[decoders]", "decoders belief"} {
		res, err := env.App.Content.Search(ctx, model.Viewer{}, content.SearchInput{Q: q})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, h := range res.Hits {
			found = found || h.Topic.ID == tp.ID
		}
		if !found {
			t.Errorf("search %q after the merge does not find the merged topic", q)
		}
	}
}

func TestReindex(t *testing.T) {
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Reindexed fluxonium topic")
	env.Reply(t, env.Bob, tp.ID, "A reply about fluxonium.")
	q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Which fluxonium readout?", Body: "A tagged question about readout.", Tags: "readout"})
	if err != nil {
		t.Fatal(err)
	}
	env.Reply(t, env.Bob, q.ID, "An answer about dispersive readout.")
	searches := map[string]int{"fluxonium": 3, "readout [readout]": 2, "fluxonium [readout]": 1, "dispersive": 1}
	n, err := env.App.Content.Reindex(ctx)
	if err != nil || n != 4 {
		t.Fatalf("Reindex = %d, %v; want 4 posts", n, err)
	}
	// A member's search is not served from the guests' memo.
	for query, want := range searches {
		res, err := env.App.Content.Search(ctx, env.Alice.Viewer(), content.SearchInput{Q: query})
		if err != nil || len(res.Hits) != want {
			t.Errorf("search %q after reindex: %d hits, %v; want %d", query, len(res.Hits), err, want)
		}
	}
}

func TestFollowedTagsList(t *testing.T) {
	env := testenv.New(t)
	a, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Tagged with qec", Body: "Body.", Tags: "qec"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Tagged with vqe", Body: "Body.", Tags: "vqe"}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Content.FollowTag(ctx, env.Bob.Viewer(), "qec", true); err != nil {
		t.Fatal(err)
	}
	l, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Followed: true})
	if err != nil || len(l.Items) != 1 || l.Items[0].Topic.ID != a.ID {
		t.Errorf("followed list: %v, %v", ids(l.Items), err)
	}
	if _, err := env.App.Content.Latest(ctx, model.Viewer{}, content.ListInput{Followed: true}); err == nil {
		t.Error("a guest listed followed tags")
	}
}
