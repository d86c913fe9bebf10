package content_test

import (
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestDigests: a member's digest gathers the best and the unanswered
// questions of their spaces since the last one, and new members; it holds
// nothing they may not read, is skipped when there is nothing new, follows
// their choice, and an admin can preview it.
func TestDigests(t *testing.T) {
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	question := func(u *testenv.User, sp model.Space, title string) model.Topic {
		t.Helper()
		tp, err := env.App.Content.CreateTopic(ctx, u.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion, Title: title, Body: "Details of " + title})
		if err != nil {
			t.Fatal(err)
		}
		return tp
	}
	env.Clock.Advance(time.Hour)
	top := question(env.Alice, env.PublicSpace, "Which error model fits our lab")
	open := question(env.Alice, env.PublicSpace, "Who has a spare dilution fridge")
	question(env.Alice, env.PrivateSpace, "Leaders only: next year's budget")
	question(env.Bob, env.PublicSpace, "Bob's own question stays out of his digest")
	env.Reply(t, env.Alice, top.ID, "Depolarizing, to begin with.")
	if _, err := env.App.Content.Vote(ctx, env.Bob.Viewer(), opening(t, env, top.ID).ID, 1); err != nil {
		t.Fatal(err)
	}
	env.Carol(t) // joins after bob

	outbox := func() []model.Mail {
		t.Helper()
		ms, err := env.App.Store.Read().Outbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return ms
	}
	to := func(addr string) []model.Mail {
		var out []model.Mail
		for _, m := range outbox() {
			if m.To == addr && strings.HasPrefix(m.Subject, "Your week") {
				out = append(out, m)
			}
		}
		return out
	}
	if n, err := env.App.Content.SendDigests(ctx); err != nil || n != 0 {
		t.Fatalf("digests before a week has passed: %d, %v", n, err)
	}
	env.Clock.Advance(7 * 24 * time.Hour)
	if _, err := env.App.Content.SendDigests(ctx); err != nil {
		t.Fatal(err)
	}
	got := to("bob@example.org")
	if len(got) != 1 {
		t.Fatalf("bob's digests: %d, want 1", len(got))
	}
	m := got[0]
	for _, want := range []string{"Your week in Test Community", "Top questions", "Which error model fits our lab", "Waiting for an answer",
		"Who has a spare dilution fridge", "http://example.test" + open.Path(), "New members", "carol", "?list=digest"} {
		if !strings.Contains(m.Subject+"\n"+m.Body, want) {
			t.Errorf("bob's digest lacks %q:\n%s", want, m.Body)
		}
	}
	for _, not := range []string{"budget", "Bob's own question"} {
		if strings.Contains(m.Body, not) {
			t.Errorf("bob's digest holds %q:\n%s", not, m.Body)
		}
	}
	if !strings.HasSuffix(m.Unsubscribe, "?list=digest") {
		t.Errorf("the digest's unsubscribe link %q does not stop the digest", m.Unsubscribe)
	}
	if n, err := env.App.Content.SendDigests(ctx); err != nil || n != 0 {
		t.Errorf("digests run again at once: %d, %v; want none", n, err)
	}

	// A week with nothing new: skipped, and the next covers what follows.
	env.Clock.Advance(7*24*time.Hour + time.Minute)
	if _, err := env.App.Content.SendDigests(ctx); err != nil || len(to("bob@example.org")) != 1 {
		t.Errorf("a week with nothing new sent bob a digest (%d in all), %v", len(to("bob@example.org")), err)
	}

	// Turned off, bob gets none; the preview is for admins only.
	if _, err := env.App.Inbox.SetPrefs(ctx, env.Bob.Viewer(), map[string]string{"digest": "off"}); err != nil {
		t.Fatal(err)
	}
	question(env.Alice, env.PublicSpace, "A question in the third week")
	pm, view, err := env.App.Content.PreviewDigest(ctx, env.Admin.Viewer(), "bob")
	if err != nil || view.Empty() || !strings.Contains(pm.Body, "A question in the third week") {
		t.Errorf("admin's preview of bob's digest: %v, empty %v:\n%s", err, view.Empty(), pm.Body)
	}
	env.Clock.Advance(7*24*time.Hour + time.Minute)
	if _, err := env.App.Content.SendDigests(ctx); err != nil || len(to("bob@example.org")) != 1 {
		t.Errorf("bob, digest off, got one (%d in all), %v", len(to("bob@example.org")), err)
	}
	if _, _, err := env.App.Content.PreviewDigest(ctx, env.Bob.Viewer(), "alice"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a member's preview of another's digest: %v, want NotFound", err)
	}
	if _, err := env.App.Inbox.SetPrefs(ctx, env.Bob.Viewer(), map[string]string{"digest": "hourly"}); testenv.FieldsOf(err) == nil {
		t.Errorf("digest hourly: %v, want a field error", err)
	}
}
