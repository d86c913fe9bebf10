package content_test

import (
	"context"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// BenchmarkQueries measures the services behind the hot pages without HTTP
// or templates (their SQL, scanning and policy checks), over
// testenv.SmallVolume: 2,000 questions, 10,000 posts, one question with
// 1,000 answers. internal/web's BenchmarkPages measures the same pages
// whole; the difference is routing, sessions and rendering.
func BenchmarkQueries(b *testing.B) {
	env := testenv.New(b)
	f := env.Fill(b, testenv.SmallVolume)
	ctx := context.Background()
	guest := model.Viewer{}
	deep := testenv.SmallVolume.HotPosts / 20
	cases := []struct {
		name string
		run  func() (int, error)
	}{
		{"latest", func() (int, error) {
			l, err := env.App.Content.Latest(ctx, guest, content.ListInput{})
			return len(l.Items), err
		}},
		{"latest_space", func() (int, error) {
			l, err := env.App.Content.Latest(ctx, guest, content.ListInput{Space: env.PublicSpace.Slug})
			return len(l.Items), err
		}},
		{"latest_tag", func() (int, error) {
			l, err := env.App.Content.Latest(ctx, guest, content.ListInput{Tag: f.Tag})
			return len(l.Items), err
		}},
		{"questions_unanswered", func() (int, error) {
			l, err := env.App.Content.Latest(ctx, guest, content.ListInput{Kind: model.KindQuestion, Sort: "unanswered"})
			return len(l.Items) + 1, err
		}},
		{"popular_tags", func() (int, error) {
			tags, err := env.App.Content.PopularTags(ctx, guest, 20)
			return len(tags), err
		}},
		{"topic_20_posts", func() (int, error) {
			t, err := env.App.Content.TopicPage(ctx, guest, f.Typical.ID, content.TopicQuery{})
			return len(t.Posts), err
		}},
		{"topic_20_posts_member", func() (int, error) {
			t, err := env.App.Content.TopicPage(ctx, env.Alice.Viewer(), f.Typical.ID, content.TopicQuery{})
			return len(t.Posts), err
		}},
		{"topic_deep_page", func() (int, error) {
			t, err := env.App.Content.TopicPage(ctx, guest, f.Hot.ID, content.TopicQuery{Page: deep})
			return len(t.Posts), err
		}},
		{"search_word", func() (int, error) {
			r, err := env.App.Content.Search(ctx, guest, content.SearchInput{Q: f.Word})
			return len(r.Hits), err
		}},
		{"search_phrase", func() (int, error) {
			r, err := env.App.Content.Search(ctx, guest, content.SearchInput{Q: `"` + f.Phrase + `"`})
			return len(r.Hits), err
		}},
		{"search_tag_filter", func() (int, error) {
			r, err := env.App.Content.Search(ctx, guest, content.SearchInput{Q: f.Word + " [" + f.Tag + "]"})
			return len(r.Hits), err
		}},
		{"profile", func() (int, error) {
			_, items, err := env.App.Content.Profile(ctx, guest, env.Alice.Username)
			return len(items), err
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			if n, err := c.run(); err != nil || n == 0 {
				b.Fatalf("%s: %d rows, %v; want some", c.name, n, err)
			}
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.run(); err != nil {
					b.Fatalf("%s: %v", c.name, err)
				}
			}
		})
	}
}
