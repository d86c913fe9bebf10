package auth_test

import (
	"strings"
	"testing"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestAnonymizeForgetsIdentity: anonymizing keeps the member's posts but
// leaves nothing that says who they were: no name, address, profile, emailed
// tokens, mail to their address, API token names or searches tied to them.
func TestAnonymizeForgetsIdentity(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob
	if err := env.App.Auth.UpdateProfile(ctx, bob.Viewer(), auth.ProfileInput{DisplayName: "Robert Tables", Bio: "I work on lattice surgery."}); err != nil {
		t.Fatal(err)
	}
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "A topic")
	reply := env.Reply(t, bob, tp.ID, "Bob's reply stays")
	if err := env.App.Auth.RequestPasswordReset(ctx, "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.Search(ctx, bob.Viewer(), content.SearchInput{Q: "nothingmatchesthis"}); err != nil {
		t.Fatalf("search: %v", err)
	}
	var misses int
	env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM search_misses WHERE user_id = $1`, bob.ID).Scan(&misses)
	if misses == 0 {
		t.Fatalf("bob's search left no miss to forget; the test would prove nothing")
	}
	if err := env.App.Auth.AnonymizeByName(ctx, env.Alice.Viewer(), "bob"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("AnonymizeByName by a member = %v; want NotFound", err)
	}
	if err := env.App.Auth.AnonymizeByName(ctx, env.Admin.Viewer(), "nobody"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("AnonymizeByName of an unknown name = %v; want NotFound", err)
	}
	if err := env.App.Auth.AnonymizeByName(ctx, env.Admin.Viewer(), "bob"); err != nil {
		t.Fatalf("AnonymizeByName(bob): %v", err)
	}
	u, err := env.App.Store.Read().User(ctx, bob.ID)
	if err != nil {
		t.Fatal(err)
	}
	if u.DisplayName != "" || u.Bio != "" || u.Email != "" || u.Status != model.StatusDeleted {
		t.Errorf("anonymized account = %+v", u)
	}
	for _, c := range []struct{ what, query string }{
		{"emailed tokens", `SELECT COUNT(*) FROM user_tokens WHERE user_id = $1`},
		{"API tokens", `SELECT COUNT(*) FROM api_tokens WHERE user_id = $1`},
		{"sessions", `SELECT COUNT(*) FROM sessions WHERE user_id = $1`},
		{"searches", `SELECT COUNT(*) FROM search_misses WHERE user_id = $1`},
		{"mail to the old address", `SELECT COUNT(*) FROM outbox WHERE lower(to_addr) = 'bob@example.org' AND $1 > 0`},
	} {
		var n int
		if err := env.App.DB.Read.QueryRowContext(ctx, c.query, bob.ID).Scan(&n); err != nil {
			t.Fatalf("%s: %v", c.what, err)
		}
		if n != 0 {
			t.Errorf("after anonymizing, %d %s remain", n, c.what)
		}
	}
	p, err := env.App.Store.Read().Post(ctx, reply.ID)
	if err != nil || p.Body != "Bob's reply stays" || p.AuthorID != bob.ID {
		t.Errorf("bob's reply after anonymizing: %+v, %v; want it unchanged", p, err)
	}
	page := env.Get(t, nil, tp.Path()).Body.String()
	if strings.Contains(page, "Robert") || !strings.Contains(page, "deleted-") {
		t.Errorf("the topic page still names bob, or lacks the neutral name")
	}
}
