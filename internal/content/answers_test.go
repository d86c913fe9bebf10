package content_test

import (
	"slices"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

// TestAnswerPages pages through a question with more answers than three
// pages hold, in both orders: the accepted answer leads, then score, then
// age; newest is by id, descending; every answer appears once, deleted ones
// only to moderators.
func TestAnswerPages(t *testing.T) {
	env := testenv.New(t)
	q := ask(t, env, env.Bob, "How do answer pages work")
	carol := env.Carol(t)
	var ids []int64
	for i := range 2*content.PostsPage + 5 {
		a, err := env.App.Content.Reply(ctx, carol.Viewer(), q.ID, "Answer number "+string(rune('A'+i%26))+" with enough words to count.")
		if err != nil {
			t.Fatalf("answer %d: %v", i, err)
		}
		ids = append(ids, a.ID)
	}
	// Two upvoted answers near the end, one accepted in the middle, one deleted.
	vote(t, env, env.Alice, ids[40], 1)
	vote(t, env, env.Bob, ids[40], 1)
	vote(t, env, env.Alice, ids[30], 1)
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, ids[22]); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), ids[5], true); err != nil {
		t.Fatal(err)
	}
	live := slices.Delete(slices.Clone(ids), 5, 6)
	byVotes := append([]int64{ids[22], ids[40], ids[30]}, slices.DeleteFunc(slices.Clone(live), func(id int64) bool {
		return id == ids[22] || id == ids[40] || id == ids[30]
	})...)
	newest := slices.Clone(live)
	slices.Reverse(newest)
	for _, c := range []struct {
		name  string
		order store.AnswerOrder
		want  []int64
	}{{"votes", store.AnswersByVotes, byVotes}, {"newest", store.AnswersByNewest, newest}} {
		var got []int64
		for page := 1; page <= 3; page++ {
			view, err := env.App.Content.TopicPage(ctx, env.Bob.Viewer(), q.ID, content.TopicQuery{Order: c.order, Page: page})
			if err != nil {
				t.Fatal(err)
			}
			if view.Posts[0].Post.Kind != model.PostOpening {
				t.Errorf("%s page %d starts with a %s, want the question", c.name, page, view.Posts[0].Post.Kind)
			}
			got = append(got, postIDs(view.Posts[1:])...)
			if (view.NextPage != 0) != (page < 3) {
				t.Errorf("%s page %d: next page %d", c.name, page, view.NextPage)
			}
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("answers by %s over three pages:\n got %v\nwant %v", c.name, got, c.want)
		}
	}
	// A moderator also sees the deleted answer, in its place.
	var all []int64
	for page := 1; page <= 3; page++ {
		view, err := env.App.Content.TopicPage(ctx, env.Mod.Viewer(), q.ID, content.TopicQuery{Order: store.AnswersByNewest, Page: page})
		if err != nil {
			t.Fatal(err)
		}
		all = append(all, postIDs(view.Posts[1:])...)
	}
	want := slices.Clone(ids)
	slices.Reverse(want)
	if !slices.Equal(all, want) {
		t.Errorf("a moderator's newest answers over three pages:\n got %v\nwant %v", all, want)
	}
}
