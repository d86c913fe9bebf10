package content_test

import (
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// Popular tags are summed from counts kept in memory; every write that
// changes a count must reach them before the next read.
func TestPopularTagsFollowWrites(t *testing.T) {
	env := testenv.New(t)
	count := func(v model.Viewer, name string) int64 {
		t.Helper()
		tags, err := env.App.Content.PopularTags(ctx, v, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, tg := range tags {
			if tg.Name == name {
				return tg.TopicCount
			}
		}
		return 0
	}
	newTopic := func(sp model.Space, title string) model.Topic {
		t.Helper()
		tp, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: sp.Slug, Title: title, Body: "Body of " + title, Tags: "fresh"})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	if n := count(model.Viewer{}, "fresh"); n != 0 {
		t.Fatalf("before any topic: %d", n)
	}
	pub := newTopic(env.PublicSpace, "A fresh public topic")
	newTopic(env.PrivateSpace, "A fresh private topic")
	if g, a := count(model.Viewer{}, "fresh"), count(env.Alice.Viewer(), "fresh"); g != 1 || a != 2 {
		t.Errorf("after two topics: guest %d, member of both %d; want 1 and 2", g, a)
	}
	posts, err := env.App.Store.Read().TopicPosts(ctx, pub.ID, 0, 1, false)
	if err != nil || len(posts) == 0 {
		t.Fatal(err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), posts[0].Post.ID, true); err != nil {
		t.Fatal(err)
	}
	if g, a := count(model.Viewer{}, "fresh"), count(env.Admin.Viewer(), "fresh"); g != 0 || a != 1 {
		t.Errorf("after deleting the public one: guest %d, admin %d; want 0 and 1", g, a)
	}
}
