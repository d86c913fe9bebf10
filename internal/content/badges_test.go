package content_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/testenv"
)

func badgesOf(t *testing.T, env *testenv.Env, u *testenv.User, v model.Viewer) []string {
	t.Helper()
	awards, err := env.App.Content.UserBadges(ctx, v, u.ID)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range awards {
		out = append(out, a.Badge)
	}
	slices.Sort(out)
	return out
}

func award(t *testing.T, env *testenv.Env) int64 {
	t.Helper()
	n, err := env.App.Content.AwardBadges(ctx)
	if err != nil {
		t.Fatalf("AwardBadges: %v", err)
	}
	return n
}

func TestBadges(t *testing.T) {
	env := testenv.New(t)
	setting(t, env, reputation.PrivilegeKey(reputation.Downvote), "0")
	voters := []*testenv.User{}
	for i := range 10 {
		voters = append(voters, env.NewUser(t, fmt.Sprintf("voter%d", i), model.RoleMember))
	}
	q := ask(t, env, env.Alice, "A question that becomes nice")
	ans := env.Reply(t, env.Bob, q.ID, "An answer that becomes nice too.")
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), q.ID, ans.ID); err != nil {
		t.Fatal(err)
	}
	for _, v := range voters {
		vote(t, env, v, ans.ID, 1)
		vote(t, env, v, opening(t, env, q.ID).ID, 1)
	}
	vote(t, env, env.Alice, ans.ID, -1) // a critic, for once (score 9)
	if n := award(t, env); n == 0 {
		t.Fatal("no badges awarded")
	}
	if n := award(t, env); n != 0 {
		t.Errorf("a second run awarded %d more: not idempotent", n)
	}
	want := []string{"critic", "first-question", "nice-question", "scholar", "student"}
	if got := badgesOf(t, env, env.Alice, model.Viewer{}); !slices.Equal(got, want) {
		t.Errorf("Alice's badges = %v, want %v", got, want)
	}
	want = []string{"first-accepted", "first-answer", "teacher"}
	if got := badgesOf(t, env, env.Bob, model.Viewer{}); !slices.Equal(got, want) {
		t.Errorf("Bob's badges = %v, want %v (nice-answer needs 10, the answer has 9)", got, want)
	}
	if got := badgesOf(t, env, voters[0], model.Viewer{}); !slices.Equal(got, []string{"supporter"}) {
		t.Errorf("a voter's badges = %v", got)
	}
	// A per-post badge on a post the viewer cannot see stays hidden.
	secret, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.SecretSpace.Slug, Kind: model.KindQuestion, Title: "A secret nice question", Body: "Hidden."})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range voters {
		env.AddMember(t, env.SecretSpace, v, model.SpaceMember)
		vote(t, env, v, opening(t, env, secret.ID).ID, 1)
	}
	award(t, env)
	if got := badgesOf(t, env, env.Alice, model.Viewer{}); slices.Index(got, "nice-question") < 0 || len(got) != 5 {
		t.Errorf("a guest sees Alice's badges as %v, want the five public ones", got)
	}
	if got := badgesOf(t, env, env.Alice, env.Alice.Viewer()); len(got) != 6 {
		t.Errorf("Alice sees her own badges as %v, want six (two nice questions)", got)
	}
	_, recipients, err := env.App.Content.BadgeRecipients(ctx, model.Viewer{}, "nice-question")
	if err != nil || len(recipients) != 1 {
		t.Errorf("nice-question recipients for a guest: %d, %v", len(recipients), err)
	}
	if _, _, err := env.App.Content.BadgeRecipients(ctx, model.Viewer{}, "no-such-badge"); err == nil {
		t.Error("an unknown badge was found")
	}
}

func TestViewsAndVisits(t *testing.T) {
	env := testenv.New(t)
	q := ask(t, env, env.Alice, "A popular question")
	for i := range 1200 {
		env.App.Content.Activity.View(q.ID, fmt.Sprintf("ip:10.0.%d.%d", i/250, i%250))
	}
	env.App.Content.Activity.View(q.ID, "ip:10.0.0.0") // a repeat counts once
	if err := env.App.Content.FlushActivity(ctx); err != nil {
		t.Fatal(err)
	}
	if got := loadTopic(t, env, q.ID).ViewCount; got != 1200 {
		t.Errorf("view_count = %d, want 1200", got)
	}
	// Thirty consecutive days of visits make an enthusiast.
	for range 30 {
		env.App.Content.Visited(env.Bob.ID)
		env.Clock.Advance(24 * time.Hour)
	}
	if err := env.App.Content.FlushActivity(ctx); err != nil {
		t.Fatal(err)
	}
	award(t, env)
	if got := badgesOf(t, env, env.Alice, model.Viewer{}); slices.Index(got, "popular-question") < 0 {
		t.Errorf("Alice's badges = %v, want popular-question", got)
	}
	if got := badgesOf(t, env, env.Bob, model.Viewer{}); !slices.Equal(got, []string{"enthusiast"}) {
		t.Errorf("Bob's badges = %v, want enthusiast", got)
	}
	var n int64
	if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM user_visits`).Scan(&n); err != nil || n != 30 {
		t.Errorf("user_visits rows = %d (%v), want 30", n, err)
	}
}
