package auth_test

import (
	"context"
	"encoding/base64"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

var ctx = context.Background()

const newPassword = "a brand new passphrase"

// mails returns the outbox, newest first.
func mails(t *testing.T, env *testenv.Env) []model.Mail {
	t.Helper()
	m, err := env.App.Store.Read().Outbox(ctx, 0, 500)
	if err != nil {
		t.Fatalf("Outbox: %v", err)
	}
	return m
}

var linkRE = regexp.MustCompile(`/(reset|verify)/(\S+)`)

// lastLink returns the secret of the newest mail to addr carrying a link of
// the given kind ("reset" or "verify").
func lastLink(t *testing.T, env *testenv.Env, addr, kind string) string {
	t.Helper()
	for _, m := range mails(t, env) {
		if m.To != addr {
			continue
		}
		if l := linkRE.FindStringSubmatch(m.Body); l != nil && l[1] == kind {
			return l[2]
		}
	}
	t.Fatalf("no %s mail to %s in the outbox", kind, addr)
	return ""
}

// sessionWorks reports whether a session secret still signs someone in.
func sessionWorks(t *testing.T, env *testenv.Env, secret string) bool {
	t.Helper()
	v, _, err := env.App.Auth.SessionViewer(ctx, secret)
	if err != nil {
		t.Fatalf("SessionViewer: %v", err)
	}
	return !v.Guest()
}

// tokenWorks reports whether an API token still authenticates; a dead token
// must be an Unauthenticated error (the API answers 401).
func tokenWorks(t *testing.T, env *testenv.Env, secret string) bool {
	t.Helper()
	v, err := env.App.Auth.TokenViewer(ctx, secret)
	if err == nil {
		return !v.Guest()
	}
	if k := apperr.KindOf(err); k != apperr.Unauthenticated {
		t.Fatalf("TokenViewer: error kind %d (%v), want Unauthenticated", k, err)
	}
	return false
}

func countUsers(t *testing.T, env *testenv.Env) int {
	t.Helper()
	users, err := env.App.Store.Read().ListUsers(ctx, 0, 1000, "")
	if err != nil {
		t.Fatalf("ListUsers: %v", err)
	}
	return len(users)
}

func TestSignUpValidation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pw := testenv.Password
	tests := []struct {
		name                      string
		username, email, password string
		wantFields                []string
	}{
		{"everything empty", "", "", "", []string{"email", "password", "username"}},
		{"username too short", "ab", "carol@example.org", pw, []string{"username"}},
		{"username with a space", "bad name", "carol@example.org", pw, []string{"username"}},
		{"username with markup", "<b>x</b>", "carol@example.org", pw, []string{"username"}},
		{"username too long", strings.Repeat("a", 31), "carol@example.org", pw, []string{"username"}},
		{"username reserved", "Settings", "carol@example.org", pw, []string{"username"}},
		{"username like a deleted account", "deleted-12", "carol@example.org", pw, []string{"username"}},
		{"email not an address", "carol", "not-an-email", pw, []string{"email"}},
		{"email without a domain dot", "carol", "carol@localhost", pw, []string{"email"}},
		{"email with a display name", "carol", "Carol <carol@example.org>", pw, []string{"email"}},
		{"email too long", "carol", strings.Repeat("a", 250) + "@example.org", pw, []string{"email"}},
		{"password too short", "carol", "carol@example.org", "short", []string{"password"}},
		{"password too long", "carol", "carol@example.org", strings.Repeat("x", auth.MaxPassword+1), []string{"password"}},
		{"username taken in another case", "ALICE", "carol@example.org", pw, []string{"username"}},
		{"username and email taken", "Bob", "BOB@example.org", pw, []string{"username"}},
	}
	users, outbox := countUsers(t, env), len(mails(t, env))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: tt.username, Email: tt.email, Password: tt.password})
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("SignUp(%q, %q) = user %d, error %v; want an Invalid error", tt.username, tt.email, u.ID, err)
			}
			if got := testenv.FieldsOf(err); !slices.Equal(got, tt.wantFields) {
				t.Errorf("SignUp(%q, %q): error fields %v, want %v (%v)", tt.username, tt.email, got, tt.wantFields, err)
			}
		})
	}
	if got := countUsers(t, env); got != users {
		t.Errorf("after refused sign-ups there are %d users, want %d", got, users)
	}
	if got := len(mails(t, env)); got != outbox {
		t.Errorf("after refused sign-ups the outbox holds %d mails, want %d", got, outbox)
	}

	// A taken address looks like success to the caller; its owner is told.
	if u, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "carol", Email: "Alice@EXAMPLE.org", Password: pw}); err != nil || u.ID != 0 {
		t.Errorf("SignUp(carol, alice's address in another case) = user %d, %v; want no account and no error", u.ID, err)
	}
	if got := countUsers(t, env); got != users {
		t.Errorf("a sign-up with a taken address made an account: %d users, want %d", got, users)
	}
	if m := mails(t, env)[0]; m.To != "alice@example.org" || !strings.Contains(m.Subject, "tried to join") || !strings.Contains(m.Body, "/forgot") {
		t.Errorf("newest mail after a sign-up with alice's address = to %q, subject %q; want a note to alice", m.To, m.Subject)
	}

	u, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "  Carol ", Email: " carol@example.org ", Password: pw})
	if err != nil {
		t.Fatalf("SignUp(carol): %v", err)
	}
	if u.Username != "Carol" || u.Email != "carol@example.org" || u.Role != model.RoleMember || u.Verified() {
		t.Errorf("SignUp(carol) = %+v; want username Carol, trimmed email, role member, unverified", u)
	}
	link := lastLink(t, env, "carol@example.org", "verify")
	if link == "" {
		t.Fatalf("SignUp(carol): no verification link mailed")
	}
	session, err := env.App.Auth.ConfirmAndSignIn(ctx, link, "test")
	if err != nil || !sessionWorks(t, env, session) {
		t.Errorf("ConfirmAndSignIn(carol's link) = %v; want a working session", err)
	}
	if _, err := env.App.Auth.ConfirmAndSignIn(ctx, link, "test"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("ConfirmAndSignIn(the same link again) = %v, want Invalid", err)
	}
	if _, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "carol", Email: "carol2@example.org", Password: pw}); !slices.Equal(testenv.FieldsOf(err), []string{"username"}) {
		t.Errorf("SignUp(carol) a second time: %v, want an error on field username", err)
	}
}

func TestSignIn(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	_, _, errWrongPassword := env.App.Auth.SignIn(ctx, "alice", "not the password", "test")
	if apperr.KindOf(errWrongPassword) != apperr.Invalid {
		t.Fatalf("SignIn(alice, wrong password) = %v, want an Invalid error", errWrongPassword)
	}
	tests := []struct {
		name, login, password string
		wantUser              string // "" when sign-in must fail
	}{
		{"username", "alice", testenv.Password, "alice"},
		{"username in another case, padded", "  ALICE ", testenv.Password, "alice"},
		{"email", "alice@example.org", testenv.Password, "alice"},
		{"email in another case", "Alice@Example.ORG", testenv.Password, "alice"},
		{"wrong password", "alice", "Correct Horse Battery", ""},
		{"unknown username", "nobody", testenv.Password, ""},
		{"unknown email", "nobody@example.org", testenv.Password, ""},
		{"empty login", "", testenv.Password, ""},
		{"empty password", "alice", "", ""},
		{"overlong login", strings.Repeat("a", auth.MaxEmail+1), testenv.Password, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, secret, err := env.App.Auth.SignIn(ctx, tt.login, tt.password, "test")
			if tt.wantUser != "" {
				if err != nil || u.Username != tt.wantUser || !sessionWorks(t, env, secret) {
					t.Fatalf("SignIn(%q) = %q, %v; want %s signed in with a working session", tt.login, u.Username, err, tt.wantUser)
				}
				return
			}
			// Every failure reads the same, so the answer does not tell which
			// accounts exist.
			if err == nil || err.Error() != errWrongPassword.Error() || apperr.KindOf(err) != apperr.KindOf(errWrongPassword) || secret != "" {
				t.Errorf("SignIn(%q) = %q, %v; want the same error as a wrong password (%v)", tt.login, u.Username, err, errWrongPassword)
			}
		})
	}
}

func TestSuspendedUserLosesAccess(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob
	if !sessionWorks(t, env, bob.Session) || !tokenWorks(t, env, bob.Token) {
		t.Fatalf("Bob's session and token should work before suspension")
	}
	if err := env.App.Auth.SetSuspended(ctx, env.Mod.Viewer(), bob.ID, true); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("SetSuspended(bob) as a moderator = %v, want NotFound (admins only)", err)
	}
	if err := env.App.Auth.SetSuspended(ctx, env.Admin.Viewer(), bob.ID, true); err != nil {
		t.Fatalf("SetSuspended(bob, true) as admin: %v", err)
	}
	if sessionWorks(t, env, bob.Session) {
		t.Errorf("SessionViewer(bob's session) after suspension: still signed in, want a guest")
	}
	if tokenWorks(t, env, bob.Token) {
		t.Errorf("TokenViewer(bob's token) after suspension: still works, want 401")
	}
	_, _, wrong := env.App.Auth.SignIn(ctx, "alice", "wrong password!", "test")
	if _, secret, err := env.App.Auth.SignIn(ctx, "bob", testenv.Password, "test"); err == nil || err.Error() != wrong.Error() {
		t.Errorf("SignIn(bob) while suspended = %q, %v; want the generic sign-in error", secret, err)
	}
	if err := env.App.Auth.SetSuspended(ctx, env.Admin.Viewer(), bob.ID, false); err != nil {
		t.Fatalf("SetSuspended(bob, false): %v", err)
	}
	if sessionWorks(t, env, bob.Session) || tokenWorks(t, env, bob.Token) {
		t.Errorf("after reinstatement Bob's old session or token works again; they must stay revoked")
	}
	if _, secret, err := env.App.Auth.SignIn(ctx, "bob", testenv.Password, "test"); err != nil || !sessionWorks(t, env, secret) {
		t.Errorf("SignIn(bob) after reinstatement: %v, want a working session", err)
	}

	// A status changed behind the service's back (an import, a manual fix)
	// also counts: sessions and tokens are checked against the account on
	// every call, not cached.
	err := env.App.Store.InTx(ctx, func(q *store.Queries) error {
		return q.SetUserStatus(ctx, env.Mod.ID, model.StatusSuspended, env.Clock.Now())
	})
	if err != nil {
		t.Fatalf("SetUserStatus(mod, suspended): %v", err)
	}
	if sessionWorks(t, env, env.Mod.Session) || tokenWorks(t, env, env.Mod.Token) {
		t.Errorf("a suspended account's unrevoked session or token still works")
	}
}

func TestRoleChangeRevokesSessionsAndTokens(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	tests := []struct {
		name string
		user *testenv.User
		role model.Role
	}{
		{"promote member to moderator", env.Bob, model.RoleModerator},
		{"demote moderator to member", env.Mod, model.RoleMember},
		{"promote member to admin", env.Alice, model.RoleAdmin},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := env.App.Auth.SetRole(ctx, env.Admin.Viewer(), tt.user.ID, tt.role); err != nil {
				t.Fatalf("SetRole(%s, %s): %v", tt.user.Username, tt.role, err)
			}
			if sessionWorks(t, env, tt.user.Session) {
				t.Errorf("after SetRole(%s, %s) the old session still works", tt.user.Username, tt.role)
			}
			if tokenWorks(t, env, tt.user.Token) {
				t.Errorf("after SetRole(%s, %s) the old API token still works", tt.user.Username, tt.role)
			}
			u, secret, err := env.App.Auth.SignIn(ctx, tt.user.Username, testenv.Password, "test")
			if err != nil {
				t.Fatalf("SignIn(%s) after role change: %v", tt.user.Username, err)
			}
			v, _, _ := env.App.Auth.SessionViewer(ctx, secret)
			if u.Role != tt.role || v.Guest() || v.User.Role != tt.role {
				t.Errorf("after SetRole(%s, %s) a new session has role %q, want %q", tt.user.Username, tt.role, u.Role, tt.role)
			}
		})
	}
	if err := env.App.Auth.SetRole(ctx, env.Admin.Viewer(), env.Bob.ID, model.RoleSystem); !slices.Equal(testenv.FieldsOf(err), []string{"role"}) {
		t.Errorf("SetRole(bob, system) = %v, want an error on field role", err)
	}
	if err := env.App.Auth.SetRole(ctx, env.Mod.Viewer(), env.Bob.ID, model.RoleAdmin); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("SetRole(bob, admin) by a non-admin = %v, want NotFound", err)
	}
	readToken := env.Admin.Viewer()
	readToken.Scope = model.ScopeRead
	if err := env.App.Auth.SetRole(ctx, readToken, env.Bob.ID, model.RoleAdmin); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("SetRole(bob, admin) through an admin's read-only token = %v, want NotFound", err)
	}
}

func TestDeleteUser(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob
	env.AddMember(t, env.PublicSpace, bob, model.SpaceMember)
	if err := env.App.Auth.DeleteUser(ctx, env.Alice.Viewer(), bob.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("DeleteUser(bob) by a member = %v, want NotFound", err)
	}
	if err := env.App.Auth.DeleteUser(ctx, env.Admin.Viewer(), bob.ID); err != nil {
		t.Fatalf("DeleteUser(bob): %v", err)
	}
	if sessionWorks(t, env, bob.Session) || tokenWorks(t, env, bob.Token) {
		t.Errorf("after DeleteUser(bob) his session or token still works")
	}
	for _, login := range []string{"bob", "bob@example.org"} {
		if _, _, err := env.App.Auth.SignIn(ctx, login, testenv.Password, "test"); err == nil {
			t.Errorf("SignIn(%s) after deletion succeeded", login)
		}
	}
	u, err := env.App.Store.Read().User(ctx, bob.ID)
	if err != nil {
		t.Fatalf("User(bob): %v", err)
	}
	if u.Status != model.StatusDeleted || u.Email != "" || u.PasswordHash != "" || u.Username != fmt.Sprintf("deleted-%d", bob.ID) {
		t.Errorf("deleted account = %+v; want status deleted, no email or password, a neutral name", u)
	}
	if role, err := env.App.Store.Read().SpaceRole(ctx, env.PublicSpace.ID, bob.ID); err != nil || role != model.SpaceNone {
		t.Errorf("deleted bob's role in %s = %q, %v; want no membership", env.PublicSpace.Slug, role, err)
	}
	env.CheckCounters(t)
	if err := env.App.Auth.SetRole(ctx, env.Admin.Viewer(), bob.ID, model.RoleModerator); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("SetRole on a deleted account = %v, want Conflict", err)
	}
	if err := env.App.Auth.RequestPasswordReset(ctx, "bob@example.org"); err != nil {
		t.Errorf("RequestPasswordReset for a deleted account's address: %v, want nil", err)
	}
	for _, m := range mails(t, env) {
		if m.To == "bob@example.org" && strings.Contains(m.Body, "/reset/") {
			t.Errorf("a reset link was mailed to a deleted account's address")
		}
	}
	// The name is free again.
	if _, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "bob", Email: "bob@example.org", Password: testenv.Password}); err != nil {
		t.Errorf("SignUp(bob) after the old bob was deleted: %v", err)
	}
}

func TestChangePassword(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice := env.Alice
	_, other, err := env.App.Auth.SignIn(ctx, "alice", testenv.Password, "other browser")
	if err != nil {
		t.Fatalf("SignIn(alice): %v", err)
	}
	if err := env.App.Auth.RequestPasswordReset(ctx, alice.Email); err != nil {
		t.Fatalf("RequestPasswordReset: %v", err)
	}
	reset := lastLink(t, env, alice.Email, "reset")

	_, err = env.App.Auth.ChangePassword(ctx, alice.Viewer(), auth.ChangePasswordInput{Current: "wrong", New: "short"}, "test")
	if got := testenv.FieldsOf(err); !slices.Equal(got, []string{"current_password", "new_password"}) {
		t.Errorf("ChangePassword(wrong current, short new) = %v, want errors on current_password and new_password", err)
	}
	if !sessionWorks(t, env, alice.Session) {
		t.Fatalf("a refused password change ended the session")
	}
	if _, err := env.App.Auth.ChangePassword(ctx, model.Viewer{}, auth.ChangePasswordInput{Current: testenv.Password, New: newPassword}, "test"); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("ChangePassword as a guest = %v, want Unauthenticated", err)
	}

	secret, err := env.App.Auth.ChangePassword(ctx, alice.Viewer(), auth.ChangePasswordInput{Current: testenv.Password, New: newPassword}, "test")
	if err != nil {
		t.Fatalf("ChangePassword: %v", err)
	}
	if !sessionWorks(t, env, secret) {
		t.Errorf("ChangePassword returned a session that does not work")
	}
	if sessionWorks(t, env, alice.Session) || sessionWorks(t, env, other) {
		t.Errorf("after ChangePassword the earlier sessions still work")
	}
	if tokenWorks(t, env, alice.Token) {
		t.Errorf("after ChangePassword the API token still works; SECURITY.md R11 wants it revoked")
	}
	if err := env.App.Auth.ResetPassword(ctx, reset, "yet another password"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("ResetPassword with a link sent before the change = %v, want Invalid", err)
	}
	if _, _, err := env.App.Auth.SignIn(ctx, "alice", testenv.Password, "test"); err == nil {
		t.Errorf("SignIn(alice) with the old password still works")
	}
	if _, _, err := env.App.Auth.SignIn(ctx, "alice", newPassword, "test"); err != nil {
		t.Errorf("SignIn(alice) with the new password: %v", err)
	}
}

func TestPasswordReset(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice := env.Alice
	request := func(t *testing.T) string {
		t.Helper()
		if err := env.App.Auth.RequestPasswordReset(ctx, alice.Email); err != nil {
			t.Fatalf("RequestPasswordReset(%s): %v", alice.Email, err)
		}
		return lastLink(t, env, alice.Email, "reset")
	}

	t.Run("works once and ends sessions", func(t *testing.T) {
		secret := request(t)
		if err := env.App.Auth.ResetPassword(ctx, secret, "short"); !slices.Equal(testenv.FieldsOf(err), []string{"password"}) {
			t.Errorf("ResetPassword(short password) = %v, want an error on field password", err)
		}
		if err := env.App.Auth.ResetPassword(ctx, secret, newPassword); err != nil {
			t.Fatalf("ResetPassword: %v (the refused short password must not use up the link)", err)
		}
		if sessionWorks(t, env, alice.Session) {
			t.Errorf("after ResetPassword the old session still works")
		}
		if tokenWorks(t, env, alice.Token) {
			t.Errorf("after ResetPassword the API token still works; SECURITY.md R11 wants it revoked")
		}
		if _, _, err := env.App.Auth.SignIn(ctx, "alice", newPassword, "test"); err != nil {
			t.Errorf("SignIn with the reset password: %v", err)
		}
		if err := env.App.Auth.ResetPassword(ctx, secret, "a third password"); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ResetPassword with the same link again = %v, want Invalid", err)
		}
		if _, _, err := env.App.Auth.SignIn(ctx, "alice", "a third password", "test"); err == nil {
			t.Errorf("the second use of a reset link changed the password")
		}
	})

	t.Run("a newer link revokes the older", func(t *testing.T) {
		first := request(t)
		second := request(t)
		if first == second {
			t.Fatalf("two reset requests mailed the same secret")
		}
		if err := env.App.Auth.ResetPassword(ctx, first, "password from link one"); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ResetPassword(first link) after a second request = %v, want Invalid", err)
		}
		if err := env.App.Auth.ResetPassword(ctx, second, newPassword); err != nil {
			t.Errorf("ResetPassword(second link): %v", err)
		}
	})

	t.Run("expires after 60 minutes", func(t *testing.T) {
		fresh := request(t)
		env.Clock.Advance(59 * time.Minute)
		if err := env.App.Auth.ResetPassword(ctx, fresh, newPassword); err != nil {
			t.Errorf("ResetPassword 59 minutes after the request: %v, want it to work", err)
		}
		stale := request(t)
		env.Clock.Advance(61 * time.Minute)
		if err := env.App.Auth.ResetPassword(ctx, stale, "too late password"); apperr.KindOf(err) != apperr.Invalid {
			t.Errorf("ResetPassword 61 minutes after the request = %v, want Invalid", err)
		}
	})

	t.Run("unknown or inactive address queues nothing", func(t *testing.T) {
		if err := env.App.Auth.SetSuspended(ctx, env.Admin.Viewer(), env.Bob.ID, true); err != nil {
			t.Fatalf("SetSuspended(bob): %v", err)
		}
		before := len(mails(t, env))
		for _, addr := range []string{"nobody@example.org", "NOBODY@example.org", env.Bob.Email} {
			if err := env.App.Auth.RequestPasswordReset(ctx, addr); err != nil {
				t.Errorf("RequestPasswordReset(%s) = %v, want nil (the answer must not reveal accounts)", addr, err)
			}
		}
		if got := len(mails(t, env)); got != before {
			t.Errorf("reset requests for unknown or suspended addresses queued %d mails, want 0", got-before)
		}
		if err := env.App.Auth.RequestPasswordReset(ctx, "not an address"); !slices.Equal(testenv.FieldsOf(err), []string{"email"}) {
			t.Errorf("RequestPasswordReset(not an address) = %v, want an error on field email", err)
		}
	})

	t.Run("garbage secrets", func(t *testing.T) {
		for _, s := range []string{"", "pe_", "pe_" + strings.Repeat("A", 43), strings.Repeat("x", 5000)} {
			if err := env.App.Auth.ResetPassword(ctx, s, newPassword); apperr.KindOf(err) != apperr.Invalid {
				t.Errorf("ResetPassword(%.12q…) = %v, want Invalid", s, err)
			}
		}
	})

	t.Run("address matches in any case", func(t *testing.T) {
		before := len(mails(t, env))
		if err := env.App.Auth.RequestPasswordReset(ctx, "ALICE@example.ORG"); err != nil {
			t.Fatalf("RequestPasswordReset(upper case): %v", err)
		}
		m := mails(t, env)
		if len(m) != before+1 || m[0].To != alice.Email || m[0].Subject != "Reset your password" {
			t.Errorf("RequestPasswordReset(upper case) queued %d mails (newest to %q), want one reset mail to %s", len(m)-before, m[0].To, alice.Email)
		}
	})
}

func TestEmailVerification(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	u, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "carol", Email: "carol@example.org", Password: testenv.Password})
	if err != nil {
		t.Fatalf("SignUp(carol): %v", err)
	}
	_, session, err := env.App.Auth.SignIn(ctx, "carol", testenv.Password, "test")
	if err != nil {
		t.Fatalf("SignIn(carol) before confirming: %v", err)
	}
	m := mails(t, env)[0]
	if m.To != "carol@example.org" || m.Subject != "Confirm your email address" || !strings.Contains(m.Body, "http://example.test/verify/") {
		t.Errorf("newest mail after sign-up = to %q, subject %q; want the confirmation link for carol", m.To, m.Subject)
	}
	first := lastLink(t, env, "carol@example.org", "verify")
	v, _, _ := env.App.Auth.SessionViewer(ctx, session)
	if err := env.App.Auth.ResendVerification(ctx, v); err != nil {
		t.Fatalf("ResendVerification: %v", err)
	}
	second := lastLink(t, env, "carol@example.org", "verify")
	if err := env.App.Auth.VerifyEmail(ctx, first); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("VerifyEmail(first link) after a resend = %v, want Invalid", err)
	}
	if err := env.App.Auth.VerifyEmail(ctx, second); err != nil {
		t.Fatalf("VerifyEmail(second link): %v", err)
	}
	got, err := env.App.Store.Read().User(ctx, u.ID)
	if err != nil || !got.Verified() {
		t.Errorf("after VerifyEmail carol is verified=%v (err %v), want verified", got.Verified(), err)
	}
	if err := env.App.Auth.VerifyEmail(ctx, second); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("VerifyEmail(same link again) = %v, want Invalid", err)
	}
	v, _, _ = env.App.Auth.SessionViewer(ctx, session)
	if err := env.App.Auth.ResendVerification(ctx, v); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("ResendVerification when verified = %v, want Conflict", err)
	}
	if err := env.App.Auth.ResendVerification(ctx, model.Viewer{}); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("ResendVerification as a guest = %v, want Unauthenticated", err)
	}
	// A verification link is not a reset link, and the other way round.
	if err := env.App.Auth.RequestPasswordReset(ctx, "carol@example.org"); err != nil {
		t.Fatalf("RequestPasswordReset(carol): %v", err)
	}
	reset := lastLink(t, env, "carol@example.org", "reset")
	if err := env.App.Auth.VerifyEmail(ctx, reset); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("VerifyEmail(a reset secret) = %v, want Invalid", err)
	}
	if err := env.App.Auth.ResetPassword(ctx, second, newPassword); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("ResetPassword(a used verification secret) = %v, want Invalid", err)
	}

	if _, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "dave", Email: "dave@example.org", Password: testenv.Password}); err != nil {
		t.Fatalf("SignUp(dave): %v", err)
	}
	late := lastLink(t, env, "dave@example.org", "verify")
	env.Clock.Advance(49 * time.Hour)
	if err := env.App.Auth.VerifyEmail(ctx, late); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("VerifyEmail 49 hours after sign-up = %v, want Invalid", err)
	}
}

// TestSecrets: every credential handed out is at least 128 random bits, all
// distinct, and stored only as a hash (SECURITY.md row 29).
func TestSecrets(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	secrets := map[string]string{
		"admin session": env.Admin.Session, "alice session": env.Alice.Session, "bob session": env.Bob.Session,
		"admin token": env.Admin.Token, "alice token": env.Alice.Token, "bob token": env.Bob.Token,
	}
	for i := range 3 {
		if err := env.App.Auth.RequestPasswordReset(ctx, env.Bob.Email); err != nil {
			t.Fatalf("RequestPasswordReset: %v", err)
		}
		secrets[fmt.Sprintf("reset %d", i)] = lastLink(t, env, env.Bob.Email, "reset")
	}
	if _, err := env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: "carol", Email: "carol@example.org", Password: testenv.Password}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	if _, s, err := env.App.Auth.SignIn(ctx, "carol", testenv.Password, "test"); err != nil {
		t.Fatalf("SignIn: %v", err)
	} else {
		secrets["carol session"] = s
	}
	secrets["verify"] = lastLink(t, env, "carol@example.org", "verify")
	if inv, err := env.App.Community.CreateInvite(ctx, env.Alice.Viewer(), env.SecretSpace.Slug); err != nil {
		t.Fatalf("CreateInvite: %v", err)
	} else {
		secrets["invite"] = inv
	}
	for i := range 200 {
		secrets[fmt.Sprintf("NewSecret %d", i)] = auth.NewSecret("x_")
	}
	seen := map[string]string{}
	for name, s := range secrets {
		_, body, ok := strings.Cut(s, "_")
		raw, err := base64.RawURLEncoding.DecodeString(body)
		if !ok || err != nil || len(raw)*8 < 128 {
			t.Errorf("%s %q: %d random bits (decode error %v), want at least 128", name, s, len(raw)*8, err)
		}
		if other, dup := seen[s]; dup {
			t.Errorf("%s and %s are the same secret", name, other)
		}
		seen[s] = name
	}
	tables := map[string]string{"sessions": env.Alice.Session, "api_tokens": env.Alice.Token, "user_tokens": secrets["verify"]}
	for table, s := range tables {
		var n int
		err := env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE token_hash = $1 OR token_hash = $2`, s, strings.SplitN(s, "_", 2)[1]).Scan(&n)
		if err != nil || n != 0 {
			t.Errorf("%s holds %d rows with the secret itself as token_hash (err %v), want only hashes", table, n, err)
		}
		err = env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+table+` WHERE token_hash = $1`, auth.HashSecret(s)).Scan(&n)
		if err != nil || n != 1 {
			t.Errorf("%s holds %d rows with the secret's hash (err %v), want 1", table, n, err)
		}
	}
}

func TestSetup(t *testing.T) {
	t.Parallel()
	env := testenv.Bare(t)
	if needed, err := env.App.Auth.SetupNeeded(ctx); err != nil || !needed {
		t.Fatalf("SetupNeeded on an empty database = %v, %v; want true", needed, err)
	}
	_, _, err := env.App.Auth.Setup(ctx, auth.SetupInput{CommunityName: "  ", SignUpInput: auth.SignUpInput{Username: "x", Email: "nope", Password: "short"}})
	if got := testenv.FieldsOf(err); !slices.Equal(got, []string{"community_name", "email", "password", "username"}) {
		t.Errorf("Setup(all bad) = %v, want errors on community_name, email, password and username", err)
	}
	in := auth.SetupInput{CommunityName: "Makers", SignUpInput: auth.SignUpInput{Username: "root", Email: "root@example.org", Password: testenv.Password}}
	u, secret, err := env.App.Auth.Setup(ctx, in)
	if err != nil {
		t.Fatalf("Setup: %v", err)
	}
	if u.Role != model.RoleAdmin || !u.Verified() || !sessionWorks(t, env, secret) {
		t.Errorf("Setup made %+v; want a verified admin with a working session", u)
	}
	if s, err := env.App.Auth.Settings(ctx); err != nil || s["community_name"] != "Makers" {
		t.Errorf("Settings after Setup = %v, %v; want community_name Makers", s, err)
	}
	if needed, err := env.App.Auth.SetupNeeded(ctx); err != nil || needed {
		t.Errorf("SetupNeeded after Setup = %v, %v; want false", needed, err)
	}
	users := countUsers(t, env)
	in2 := auth.SetupInput{CommunityName: "Takeover", SignUpInput: auth.SignUpInput{Username: "intruder", Email: "intruder@example.org", Password: testenv.Password}}
	if _, secret, err := env.App.Auth.Setup(ctx, in2); apperr.KindOf(err) != apperr.Conflict || secret != "" {
		t.Errorf("Setup a second time = %q, %v; want Conflict and no session", secret, err)
	}
	if got := countUsers(t, env); got != users {
		t.Errorf("a refused second Setup left %d users, want %d", got, users)
	}
	if s, _ := env.App.Auth.Settings(ctx); s["community_name"] != "Makers" {
		t.Errorf("a refused second Setup renamed the community to %q", s["community_name"])
	}
}

func TestLastAdminStays(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	admin := env.Admin.Viewer()
	id := env.Admin.ID
	if err := env.App.Auth.SetRole(ctx, admin, id, model.RoleModerator); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("SetRole(last admin, moderator) = %v, want Conflict", err)
	}
	if err := env.App.Auth.SetSuspended(ctx, admin, id, true); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("SetSuspended(last admin) = %v, want Conflict", err)
	}
	if err := env.App.Auth.DeleteUser(ctx, admin, id); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("DeleteUser(last admin) = %v, want Conflict", err)
	}
	if err := env.App.Auth.SetRole(ctx, admin, id, model.RoleAdmin); err != nil {
		t.Errorf("SetRole(last admin, admin) = %v, want nil (stays an admin)", err)
	}
	if !tokenWorks(t, env, env.Mod.Token) {
		t.Fatalf("a refused change touched someone else's token")
	}
	u, err := env.App.Store.Read().User(ctx, id)
	if err != nil || u.Role != model.RoleAdmin || u.Status != model.StatusActive {
		t.Fatalf("after refused changes the admin is %q/%q (err %v), want an active admin", u.Role, u.Status, err)
	}
	// With a second admin, the first may step down.
	if err := env.App.Auth.SetRole(ctx, admin, env.Mod.ID, model.RoleAdmin); err != nil {
		t.Fatalf("SetRole(mod, admin): %v", err)
	}
	if err := env.App.Auth.SetRole(ctx, admin, id, model.RoleMember); err != nil {
		t.Errorf("SetRole(first admin, member) with another admin present: %v", err)
	}
	env.Refresh(t, env.Mod)
	if err := env.App.Auth.SetSuspended(ctx, env.Mod.Viewer(), env.Mod.ID, true); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("SetSuspended(new last admin, self) = %v, want Conflict", err)
	}
}

func TestAPITokens(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob.Viewer()
	if _, _, err := env.App.Auth.CreateAPIToken(ctx, bob, "", "admin"); !slices.Equal(testenv.FieldsOf(err), []string{"name", "scope"}) {
		t.Errorf("CreateAPIToken(no name, scope admin) = %v, want errors on name and scope", err)
	}
	tok, secret, err := env.App.Auth.CreateAPIToken(ctx, bob, "script", model.ScopeRead)
	if err != nil {
		t.Fatalf("CreateAPIToken: %v", err)
	}
	v, err := env.App.Auth.TokenViewer(ctx, secret)
	if err != nil || v.UserID() != env.Bob.ID || v.Scope != model.ScopeRead {
		t.Fatalf("TokenViewer(new read token) = user %d scope %q, %v; want bob with scope read", v.UserID(), v.Scope, err)
	}
	if _, _, err := env.App.Auth.CreateAPIToken(ctx, v, "minted by a token", model.ScopeWrite); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("CreateAPIToken through a token = %v, want Forbidden", err)
	}
	if err := env.App.Auth.RevokeAPIToken(ctx, env.Alice.Viewer(), tok.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("RevokeAPIToken(bob's token) by alice = %v, want NotFound", err)
	}
	if !tokenWorks(t, env, secret) {
		t.Fatalf("alice's failed revoke killed bob's token")
	}
	if err := env.App.Auth.RevokeAPIToken(ctx, bob, tok.ID); err != nil {
		t.Fatalf("RevokeAPIToken: %v", err)
	}
	if tokenWorks(t, env, secret) {
		t.Errorf("a revoked token still works")
	}
	for _, s := range []string{"", "pat_", "pat_nope", strings.Replace(env.Bob.Token, "pat_", "ps_", 1), env.Bob.Session, strings.Repeat("pat_", 100)} {
		if tokenWorks(t, env, s) {
			t.Errorf("TokenViewer(%.16q…) authenticated someone", s)
		}
	}
	if !tokenWorks(t, env, env.Bob.Token) {
		t.Errorf("revoking one token revoked bob's other token too")
	}
}

func TestSessionLifetime(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice := env.Alice.Session
	for i := range 3 {
		env.Clock.Advance(20 * 24 * time.Hour)
		if !sessionWorks(t, env, alice) {
			t.Fatalf("a session used every 20 days expired after %d uses", i+1)
		}
	}
	env.Clock.Advance(auth.SessionTTL + time.Minute)
	if sessionWorks(t, env, alice) {
		t.Errorf("a session unused for longer than SessionTTL still works")
	}
	_, s2, err := env.App.Auth.SignIn(ctx, "bob", testenv.Password, "test")
	if err != nil {
		t.Fatalf("SignIn(bob): %v", err)
	}
	if err := env.App.Auth.SignOut(ctx, s2); err != nil {
		t.Fatalf("SignOut: %v", err)
	}
	if sessionWorks(t, env, s2) {
		t.Errorf("a signed-out session still works")
	}
	_, s3, _ := env.App.Auth.SignIn(ctx, "bob", testenv.Password, "test")
	_, s4, _ := env.App.Auth.SignIn(ctx, "bob", testenv.Password, "test")
	v, _, _ := env.App.Auth.SessionViewer(ctx, s3)
	if err := env.App.Auth.SignOutEverywhere(ctx, v); err != nil {
		t.Fatalf("SignOutEverywhere: %v", err)
	}
	if sessionWorks(t, env, s3) || sessionWorks(t, env, s4) {
		t.Errorf("after SignOutEverywhere a session still works")
	}
	if !tokenWorks(t, env, env.Bob.Token) {
		t.Errorf("SignOutEverywhere revoked the API token; it ends browser sessions only")
	}
}

// TestParallelSignUps: 50 simultaneous sign-ups for one name, in different
// letter cases, create exactly one account (SECURITY.md row 31, R10).
func TestParallelSignUps(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const n = 50
	names := []string{"racer", "Racer", "RACER", "rAcEr"}
	var wg sync.WaitGroup
	start := make(chan struct{})
	errs := make([]error, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			_, errs[i] = env.App.Auth.SignUp(ctx, auth.SignUpInput{Username: names[i%len(names)], Email: fmt.Sprintf("racer%d@example.org", i), Password: testenv.Password})
		}()
	}
	close(start)
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !slices.Equal(testenv.FieldsOf(err), []string{"username"}):
			t.Errorf("SignUp #%d = %v, want success or an error on field username", i, err)
		}
	}
	if ok != 1 {
		t.Errorf("%d of %d parallel sign-ups for one name succeeded, want exactly 1", ok, n)
	}
	var rows int
	if err := env.App.DB.Read.QueryRowContext(ctx, `SELECT COUNT(*) FROM users WHERE username_key = 'racer'`).Scan(&rows); err != nil || rows != 1 {
		t.Errorf("users named racer: %d (err %v), want 1", rows, err)
	}
	var verifyMails int
	for _, m := range mails(t, env) {
		if strings.HasPrefix(m.To, "racer") {
			verifyMails++
		}
	}
	if verifyMails != 1 {
		t.Errorf("parallel sign-ups queued %d verification mails, want 1 (the failed ones must roll back)", verifyMails)
	}
}

// TestChangeEmail: the password is checked, the new address starts
// unconfirmed with a fresh link, and links sent to the old address die.
func TestChangeEmail(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	bob := env.Bob.Viewer()
	if err := env.App.Auth.RequestPasswordReset(ctx, "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	oldReset := linkIn(t, env, "bob@example.org", "/reset/")
	for _, tt := range []struct {
		name, email, password string
		want                  []string
	}{
		{"wrong password", "bob2@example.org", "nope", []string{"password"}},
		{"bad address", "not-an-address", testenv.Password, []string{"email"}},
		{"taken address", "alice@example.org", testenv.Password, []string{"email"}},
		{"same address", "BOB@example.org", testenv.Password, []string{"email"}},
	} {
		if got := testenv.FieldsOf(env.App.Auth.ChangeEmail(ctx, bob, tt.email, tt.password)); !slices.Equal(got, tt.want) {
			t.Errorf("ChangeEmail %s: fields %v, want %v", tt.name, got, tt.want)
		}
	}
	if err := env.App.Auth.ChangeEmail(ctx, bob, "bob2@example.org", testenv.Password); err != nil {
		t.Fatalf("ChangeEmail: %v", err)
	}
	u, err := env.App.Store.Read().User(ctx, env.Bob.ID)
	if err != nil || u.Email != "bob2@example.org" || u.Verified() {
		t.Fatalf("after ChangeEmail: email %q verified %v (err %v); want bob2@example.org, unconfirmed", u.Email, u.Verified(), err)
	}
	if err := env.App.Auth.ResetPassword(ctx, oldReset, "a password for the thief"); apperr.KindOf(err) != apperr.Invalid {
		t.Errorf("reset link sent to the old address still works after an email change: %v", err)
	}
	if err := env.App.Auth.VerifyEmail(ctx, linkIn(t, env, "bob2@example.org", "/verify/")); err != nil {
		t.Errorf("confirming the new address: %v", err)
	}
}

// linkIn returns the secret of the newest link with prefix mailed to addr.
func linkIn(t *testing.T, env *testenv.Env, addr, prefix string) string {
	t.Helper()
	for _, m := range mails(t, env) {
		if m.To != addr {
			continue
		}
		if i := strings.Index(m.Body, prefix); i >= 0 {
			return strings.Fields(m.Body[i+len(prefix):])[0]
		}
	}
	t.Fatalf("no %s link mailed to %s", prefix, addr)
	return ""
}
