package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/testenv"
)

// TestMemoFollowsWrites checks that what the store's memo keeps for
// members (lists, topic rows, posts, comments, spaces, roles, settings)
// follows every kind of write at once: a member reads each page twice (the
// second read comes from the memo), a write commits, and the next read shows
// it.
func TestMemoFollowsWrites(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	bob := env.Bob
	env.AddMember(t, env.PublicSpace, bob, model.SpaceMember)
	q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "What does the memo keep for members?", Body: "The opening post of a question about the memo.", Tags: "testing"})
	if err != nil {
		t.Fatal(err)
	}
	secret := env.CreateTopic(t, env.Alice, env.PrivateSpace, "A topic only members of the private space read")
	api := "/api/v1/topics/" + strconv.FormatInt(q.ID, 10)

	read := func(path string) (int, string) {
		t.Helper()
		before := env.App.Store.Memo.Stats().Hits
		env.Get(t, bob, path)
		rec := env.Get(t, bob, path)
		if rec.Code == http.StatusOK && env.App.Store.Memo.Stats().Hits == before {
			t.Fatalf("GET %s as a member twice: nothing came from the memo", path)
		}
		return rec.Code, rec.Body.String()
	}
	shows := func(step, path, want string) {
		t.Helper()
		if code, body := read(path); code != http.StatusOK || !strings.Contains(body, want) {
			t.Errorf("after %s, GET %s as a member: %d, lacks %q", step, path, code, want)
		}
	}
	read("/")
	read(q.Path())
	read(api)

	answer := env.Reply(t, env.Alice, q.ID, "An answer the memo must not hide.")
	shows("an answer", q.Path(), "An answer the memo must not hide.")
	shows("an answer", api, "An answer the memo must not hide.")

	if _, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), answer.ID, "A comment on the fresh answer, seen at once."); err != nil {
		t.Fatal(err)
	}
	shows("a comment", q.Path(), "A comment on the fresh answer, seen at once.")

	if _, err := env.App.Content.Vote(ctx, bob.Viewer(), answer.ID, 1); err != nil {
		t.Fatal(err)
	}
	shows("a vote", q.Path(), `aria-pressed="true"`)

	if _, err := env.App.Content.InviteToAnswer(ctx, env.Alice.Viewer(), q.ID, env.Mod.Username); err != nil {
		t.Fatal(err)
	}
	shows("an invitation", q.Path(), "Invited to answer")

	opening, err := env.App.Store.Read().TopicPosts(ctx, q.ID, 0, 1, false)
	if err != nil || len(opening) == 0 {
		t.Fatalf("opening post: %v", err)
	}
	if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), opening[0].Post.ID, content.EditInput{Title: "What does the memo keep, and for how long?",
		Body: "The opening post of a question about the memo.", Tags: "testing", Reason: "sharper"}); err != nil {
		t.Fatal(err)
	}
	shows("a title edit", "/", "and for how long?")
	shows("a title edit", q.Path(), "and for how long?")

	// Settings are kept with no keys: their writes drop everything.
	p := reputation.AllPrivileges[0]
	if _, err := env.App.Content.SetReputationConfig(ctx, env.Admin.Viewer(), map[string]string{reputation.PrivilegeKey(p.Key): "777"}); err != nil {
		t.Fatal(err)
	}
	shows("a privilege threshold", "/privileges", "777")

	// Joining and leaving a private space: lists and the topic follow.
	if code, body := read("/"); code != http.StatusOK || strings.Contains(body, secret.Title) {
		t.Fatalf("before joining, the home page lists the private topic (%d)", code)
	}
	env.AddMember(t, env.PrivateSpace, bob, model.SpaceMember)
	shows("joining", "/", secret.Title)
	shows("joining", secret.Path(), secret.Title)
	if err := env.App.Community.Leave(ctx, bob.Viewer(), env.PrivateSpace.Slug); err != nil {
		t.Fatal(err)
	}
	if code, body := read("/"); strings.Contains(body, secret.Title) {
		t.Errorf("after leaving, the home page (%d) still lists the private topic", code)
	}
	if code, _ := read(secret.Path()); code != http.StatusNotFound {
		t.Errorf("after leaving, GET %s: %d, want 404", secret.Path(), code)
	}

	// So is a token: revoking it ends it at once.
	withToken := func() int {
		req := httptest.NewRequest(http.MethodGet, "/api/v1/topics", nil)
		req.Header.Set("Authorization", "Bearer "+bob.Token)
		return env.Do(t, nil, req).Code
	}
	if a, b := withToken(), withToken(); a != http.StatusOK || b != http.StatusOK {
		t.Fatalf("GET /api/v1/topics with a token: %d, %d", a, b)
	}
	tokens, err := env.App.Auth.APITokens(ctx, bob.Viewer())
	if err != nil || len(tokens) == 0 {
		t.Fatalf("bob's tokens: %v", err)
	}
	for _, tk := range tokens {
		if err := env.App.Auth.RevokeAPIToken(ctx, bob.Viewer(), tk.ID); err != nil {
			t.Fatal(err)
		}
	}
	if code := withToken(); code != http.StatusUnauthorized {
		t.Errorf("after revoking the token, the API answered %d, want 401", code)
	}

	// The session is kept too: signing out ends it at once.
	if code, _ := read("/settings"); code != http.StatusOK {
		t.Fatalf("GET /settings as a member: %d", code)
	}
	if err := env.App.Auth.SignOut(ctx, bob.Session); err != nil {
		t.Fatal(err)
	}
	if rec := env.Get(t, bob, "/settings"); rec.Code == http.StatusOK {
		t.Error("after signing out, the old session still opens /settings")
	}
}
