package api_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"practica/internal/api"
	"practica/internal/auth"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

func TestMe(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	roBob := readOnly(t, e, e.Bob)
	tests := []struct {
		name       string
		as         *testenv.User
		wantStatus int
		wantUser   string
		wantScope  string
	}{
		{"write token", e.Alice, http.StatusOK, "alice", "write"},
		{"read token", roBob, http.StatusOK, "bob", "read"},
		{"admin", e.Admin, http.StatusOK, "admin", "write"},
		{"guest has no me", nil, http.StatusUnauthorized, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "GET", "/api/v1/me", nil, tt.wantStatus)
			if tt.wantStatus != http.StatusOK {
				return
			}
			var me struct {
				api.User
				Email string `json:"email"`
				Scope string `json:"scope"`
			}
			testenv.Decode(t, rec, &me)
			if me.Username != tt.wantUser || me.Scope != tt.wantScope || me.Email != tt.wantUser+"@example.org" || me.ID != tt.as.ID {
				t.Errorf("GET /api/v1/me as %s: %+v, want %s, scope %s, their email", who(tt.as), me, tt.wantUser, tt.wantScope)
			}
		})
	}
}

func TestGetUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if err := e.App.Auth.UpdateProfile(ctx, e.Bob.Viewer(), auth.ProfileInput{DisplayName: "Bobby", Bio: "I like tea."}); err != nil {
		t.Fatalf("UpdateProfile(bob): %v", err)
	}
	tests := []struct {
		name       string
		as         *testenv.User
		username   string
		wantStatus int
		wantBio    string
	}{
		{"guest reads a profile", nil, "bob", http.StatusOK, "I like tea."},
		{"username ignores case", e.Alice, "BOB", http.StatusOK, "I like tea."},
		{"no such member", nil, "nobody", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/users/" + tt.username
			rec := e.call(t, tt.as, "GET", path, nil, tt.wantStatus)
			if tt.wantStatus != http.StatusOK {
				return
			}
			u := decode[api.User](t, rec)
			if u.Username != "bob" || u.DisplayName != "Bobby" || u.Bio != tt.wantBio || u.Role != "member" {
				t.Errorf("GET %s: %+v, want bob, Bobby, bio %q, member", path, u, tt.wantBio)
			}
			if strings.Contains(rec.Body.String(), "@example.org") || strings.Contains(rec.Body.String(), `"email"`) {
				t.Errorf("GET %s: a public profile shows an email address: %s", path, rec.Body.String())
			}
		})
	}
}

// TestReadOnlyToken: a read token reads everything its owner may read and
// writes nothing, with 403 rather than 401 (the token is valid, just limited).
func TestReadOnlyToken(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Read only world")
	secret := e.CreateTopic(t, e.Alice, e.SecretSpace, "Secret, read only")
	reply := e.Reply(t, e.Alice, tp.ID, "Alice's reply")
	ro, roAdmin := readOnly(t, e, e.Alice), readOnly(t, e, e.Admin)
	post := fmt.Sprintf("/api/v1/posts/%d", reply.ID)
	reads := []string{
		"/api/v1/me",
		"/api/v1/spaces",
		"/api/v1/spaces/" + e.SecretSpace.Slug,
		"/api/v1/spaces/" + e.SecretSpace.Slug + "/members",
		"/api/v1/topics?space=" + e.SecretSpace.Slug,
		fmt.Sprintf("/api/v1/topics/%d", secret.ID),
		post,
		post + "/revisions",
		"/api/v1/users/alice",
	}
	for _, path := range reads {
		e.call(t, ro, "GET", path, nil, http.StatusOK)
	}
	writes := []struct {
		as     *testenv.User
		method string
		path   string
		body   any
	}{
		{roAdmin, "POST", "/api/v1/spaces", map[string]any{"name": "Nope", "visibility": "public"}},
		{ro, "PATCH", "/api/v1/spaces/" + e.PublicSpace.Slug, map[string]any{"focus": "changed"}},
		{ro, "POST", "/api/v1/spaces/" + e.PublicSpace.Slug + "/archive", nil},
		{ro, "POST", "/api/v1/spaces/" + e.PublicSpace.Slug + "/unarchive", nil},
		{readOnly(t, e, e.Bob), "POST", "/api/v1/spaces/" + e.PublicSpace.Slug + "/join", nil},
		{ro, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "title": "Read only topic", "body": "x"}},
		{ro, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "x"}},
		{ro, "POST", fmt.Sprintf("/api/v1/topics/%d/pin", tp.ID), nil},
		{ro, "POST", fmt.Sprintf("/api/v1/topics/%d/lock", tp.ID), nil},
		{ro, "POST", fmt.Sprintf("/api/v1/topics/%d/move", tp.ID), map[string]any{"space": e.PrivateSpace.Slug}},
		{ro, "PATCH", post, map[string]any{"body": "changed"}},
		{ro, "DELETE", post, nil},
		{ro, "POST", post + "/restore", nil},
	}
	for _, w := range writes {
		rec := e.call(t, w.as, w.method, w.path, w.body, http.StatusForbidden)
		if msg := errorOf(t, rec).Error.Message; !strings.Contains(msg, "read-only") {
			t.Errorf("%s %s with a read token: message %q, want it to say the token is read-only", w.method, w.path, msg)
		}
	}
	// Leaving is a write too: a read token must not take its owner out of a space.
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+e.PublicSpace.Slug+"/join", nil, http.StatusOK)
	e.call(t, readOnly(t, e, e.Bob), "POST", "/api/v1/spaces/"+e.PublicSpace.Slug+"/leave", nil, http.StatusForbidden)
	if sp := decode[api.Space](t, e.call(t, e.Bob, "GET", "/api/v1/spaces/"+e.PublicSpace.Slug, nil, http.StatusOK)); sp.Role != "member" {
		t.Errorf("after a read token tried to leave: bob's role %q, want member", sp.Role)
	}
	got := decode[api.TopicDetail](t, e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK))
	if got.PinnedAt != nil || got.LockedAt != nil || got.ReplyCount != 1 || got.Space != e.PublicSpace.Slug {
		t.Errorf("after the refused writes: topic %+v changed", got.Topic)
	}
}

// TestBadTokens: a token that does not work is a 401 even on endpoints a
// guest may call, so a script never mistakes a dead token for reduced access.
func TestBadTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	revoked, revokedSecret, err := e.App.Auth.CreateAPIToken(ctx, e.Alice.Viewer(), "old script", model.ScopeWrite)
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	if err := e.App.Auth.RevokeAPIToken(ctx, e.Alice.Viewer(), revoked.ID); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	inactive := e.NewUser(t, "carol", model.RoleMember)
	if err := e.App.Store.InTx(ctx, func(q *store.Queries) error {
		return q.SetUserStatus(ctx, inactive.ID, model.StatusSuspended, e.Clock.Now())
	}); err != nil {
		t.Fatalf("suspend carol in the store: %v", err)
	}
	promoted := e.NewUser(t, "dave", model.RoleMember)
	if err := e.App.Auth.SetRole(ctx, e.Admin.Viewer(), promoted.ID, model.RoleModerator); err != nil {
		t.Fatalf("SetRole(dave, moderator): %v", err)
	}
	tests := []struct {
		name  string
		authz string
	}{
		{"revoked token", "Bearer " + revokedSecret},
		{"token of a suspended member", "Bearer " + inactive.Token},
		{"token from before a role change", "Bearer " + promoted.Token},
		{"unknown token", "Bearer pat_" + strings.Repeat("A", 43)},
		{"garbage", "Bearer garbage"},
		{"empty bearer", "Bearer "},
		{"overlong token", "Bearer pat_" + strings.Repeat("x", 200)},
		{"another scheme", "Basic YWxpY2U6cGFzc3dvcmQ="},
		{"no scheme", e.Alice.Token},
	}
	paths := []string{"/api/v1/topics", "/api/v1/spaces", "/api/v1/me", "/api/v1/spaces/" + e.PublicSpace.Slug}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, path := range paths {
				e.raw(t, tt.authz, httptest.NewRequest("GET", path, nil), http.StatusUnauthorized)
			}
			req := jsonRequest("POST", "/api/v1/topics", "application/json", []byte(`{"space":"`+e.PublicSpace.Slug+`","title":"Should not exist","body":"x"}`))
			e.raw(t, tt.authz, req, http.StatusUnauthorized)
		})
	}
	t.Run("the scheme name ignores case", func(t *testing.T) {
		for _, scheme := range []string{"Bearer", "bearer", "BEARER"} {
			e.raw(t, scheme+" "+e.Alice.Token, httptest.NewRequest("GET", "/api/v1/me", nil), http.StatusOK)
		}
	})
	if list := decode[api.TopicList](t, e.call(t, e.Admin, "GET", "/api/v1/topics", nil, http.StatusOK)); len(list.Topics) != 0 {
		t.Errorf("after requests with bad tokens: topics %q exist, want none", titles(list.Topics))
	}
}
