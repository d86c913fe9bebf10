package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"practica/internal/model"
	"practica/internal/testenv"
)

// TestNotificationsPage: the bell counts unread notifications on every page,
// the page lists them with links to the posts, and opening it marks them
// read; guests are sent to sign in.
func TestNotificationsPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Shared notes")
	env.Reply(t, env.Bob, tp.ID, "First thoughts, @alice.")
	second := env.Reply(t, env.Bob, tp.ID, "Second thoughts.")

	rec := send(t, env, request{path: "/", as: env.Alice})
	wantStatus(t, rec, "GET / as alice", http.StatusOK)
	if body := rec.Body.String(); !strings.Contains(body, `aria-label="Notifications, 2 unread"`) || !strings.Contains(body, `<span class="bell-count" aria-hidden="true">2</span>`) {
		t.Errorf("GET / as alice: the bar does not show 2 unread notifications")
	}

	rec = send(t, env, request{path: "/notifications", as: env.Alice})
	wantStatus(t, rec, "GET /notifications as alice", http.StatusOK)
	body := rec.Body.String()
	for _, want := range []string{fmt.Sprintf(`href="/p/%d"`, second.ID), "bob replied to", "<strong>Shared notes</strong>", `class="note note-unread"`, `aria-label="Notifications"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /notifications as alice: the page lacks %q", want)
		}
	}
	if n := strings.Count(body, `<li class="note`); n != 2 {
		t.Errorf("GET /notifications as alice: %d notifications, want 2 (one per reply, the mention included)", n)
	}

	// Opened once, they are read: the bell is quiet, nothing is highlighted.
	body = send(t, env, request{path: "/notifications", as: env.Alice}).Body.String()
	if strings.Contains(body, "note-unread") || strings.Contains(body, "bell-count") {
		t.Errorf("GET /notifications again: still unread")
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/notifications/read", as: env.Alice, form: url.Values{}}), "POST /notifications/read", "/notifications")

	rec = send(t, env, request{path: "/notifications", as: env.Bob})
	wantStatus(t, rec, "GET /notifications as bob", http.StatusOK)
	if !strings.Contains(rec.Body.String(), "Nothing here yet") {
		t.Errorf("GET /notifications as bob: want the empty state")
	}
	rec = send(t, env, request{path: "/notifications"})
	if rec.Code != http.StatusSeeOther || !strings.HasPrefix(rec.Header().Get("Location"), "/signin") {
		t.Errorf("GET /notifications as a guest: %d to %q, want a redirect to sign in", rec.Code, rec.Header().Get("Location"))
	}
}
