package content_test

import (
	"fmt"
	"slices"
	"testing"
	"time"

	"practica/internal/apperr"
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
	// A profile's badge row: the badges of the awards the viewer may see.
	for _, v := range []model.Viewer{{}, env.Bob.Viewer(), env.Alice.Viewer()} {
		keys, err := env.App.Content.UserBadgeKeys(ctx, v, env.Alice.ID)
		if want := slices.Compact(badgesOf(t, env, env.Alice, v)); err != nil || !slices.Equal(keys, want) {
			t.Errorf("badge keys for %v = %v, %v; want %v", v.UserID(), keys, err, want)
		}
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

func TestLeaderboard(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	pub := ask(t, env, env.Alice, "A public question")
	a1 := env.Reply(t, env.Bob, pub.ID, "A public answer.")
	vote(t, env, carol, a1.ID, 1) // Bob +10, now
	priv, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PrivateSpace.Slug, Kind: model.KindQuestion, Title: "A private question", Body: "Members only.", Tags: "private-tag"})
	if err != nil {
		t.Fatal(err)
	}
	env.AddMember(t, env.PrivateSpace, carol, model.SpaceMember)
	a2 := env.Reply(t, carol, priv.ID, "A private answer.")
	env.Clock.Advance(10 * 24 * time.Hour)
	vote(t, env, env.Alice, a2.ID, 1) // Carol +10, ten days later

	names := func(in content.LeaderboardInput, v model.Viewer) []string {
		t.Helper()
		lb, err := env.App.Content.Leaderboard(ctx, v, in)
		if err != nil {
			t.Fatalf("leaderboard %+v: %v", in, err)
		}
		var out []string
		for _, l := range lb.Leaders {
			out = append(out, fmt.Sprintf("%s:%d", l.User.Username, l.Points))
		}
		return out
	}
	if got := names(content.LeaderboardInput{}, model.Viewer{}); !slices.Equal(got, []string{"bob:10", "carol:10"}) {
		t.Errorf("all time = %v", got)
	}
	if got := names(content.LeaderboardInput{Period: "week"}, model.Viewer{}); !slices.Equal(got, []string{"carol:10"}) {
		t.Errorf("this week = %v", got)
	}
	if got := names(content.LeaderboardInput{Space: env.PublicSpace.Slug}, model.Viewer{}); !slices.Equal(got, []string{"bob:10"}) {
		t.Errorf("public space = %v", got)
	}
	if _, err := env.App.Content.Leaderboard(ctx, env.Bob.Viewer(), content.LeaderboardInput{Space: env.PrivateSpace.Slug}); err == nil {
		t.Error("a non-member sees the private space's leaderboard")
	}
	if _, err := env.App.Content.Leaderboard(ctx, env.Bob.Viewer(), content.LeaderboardInput{Tag: "private-tag"}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a non-member's board for a tag used only in a private space: %v, want NotFound", err)
	}
	if got := names(content.LeaderboardInput{Tag: "private-tag"}, carol.Viewer()); !slices.Equal(got, []string{"carol:10"}) {
		t.Errorf("a member's board for the private tag = %v", got)
	}
	if _, err := env.App.Content.Leaderboard(ctx, model.Viewer{}, content.LeaderboardInput{Period: "decade"}); !slices.Equal(testenv.FieldsOf(err), []string{"period"}) {
		t.Errorf("bad period: %v", err)
	}
}
