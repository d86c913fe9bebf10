package web_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

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

// stream reads server-sent events from /events as u.
type stream struct {
	t      *testing.T
	events chan string
}

func openStream(t *testing.T, base string, u *testenv.User) (*stream, *http.Response) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+"/live", nil)
	if err != nil {
		t.Fatal(err)
	}
	if u != nil {
		req.AddCookie(&http.Cookie{Name: "practica_session", Value: u.Session})
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { res.Body.Close() })
	s := &stream{t: t, events: make(chan string, 16)}
	go func() {
		defer close(s.events)
		sc := bufio.NewScanner(res.Body)
		var event string
		for sc.Scan() {
			switch line := sc.Text(); {
			case strings.HasPrefix(line, "event: "):
				event = strings.TrimPrefix(line, "event: ")
			case strings.HasPrefix(line, "data: "):
				s.events <- event + " " + strings.TrimPrefix(line, "data: ")
			}
		}
	}()
	return s, res
}

// next waits for the next event, as "name data".
func (s *stream) next(what string) string {
	s.t.Helper()
	select {
	case ev, ok := <-s.events:
		if !ok {
			s.t.Fatalf("%s: the stream ended", what)
		}
		return ev
	case <-time.After(10 * time.Second):
		s.t.Fatalf("%s: no event in 10 s", what)
	}
	return ""
}

// TestNotificationEvents: an open page hears its member's unread count at
// once and again when a notification arrives or is read; guests get no
// stream, and closing the hub (shutdown) ends the streams.
func TestNotificationEvents(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	srv := httptest.NewServer(env.App.Handler)
	defer srv.Close()
	defer env.App.Live.Close()

	_, res := openStream(t, srv.URL, nil)
	if res.StatusCode != http.StatusNoContent {
		t.Errorf("GET /events as a guest: %d, want 204", res.StatusCode)
	}
	s, res := openStream(t, srv.URL, env.Alice)
	if ct := res.Header.Get("Content-Type"); res.StatusCode != http.StatusOK || ct != "text/event-stream" {
		t.Fatalf("GET /events as alice: %d %q, want 200 text/event-stream", res.StatusCode, ct)
	}
	if ev := s.next("first event"); ev != `notifications {"unread":0,"conversations":0}` {
		t.Fatalf("first event: %q, want the unread count 0", ev)
	}
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Live topic")
	env.Reply(t, env.Bob, tp.ID, "A reply alice hears about at once.")
	if ev := s.next("after bob's reply"); ev != `notifications {"unread":1,"conversations":0}` {
		t.Fatalf("after bob's reply: %q, want the unread count 1", ev)
	}
	send(t, env, request{method: "POST", path: "/notifications/read", as: env.Alice, form: url.Values{}})
	if ev := s.next("after marking read"); ev != `notifications {"unread":0,"conversations":0}` {
		t.Fatalf("after marking read: %q, want the unread count 0", ev)
	}
	env.App.Live.Close()
	select {
	case _, open := <-s.events:
		for open {
			_, open = <-s.events
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the stream stayed open after the hub closed")
	}
}

// TestNotificationSettingsForm: the settings page shows each kind's
// delivery, saves a change, and refuses a made-up value without changing
// anything.
func TestNotificationSettingsForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	body := send(t, env, request{path: "/settings", as: env.Bob}).Body.String()
	for _, want := range []string{`id="notifications"`, `name="note.reply" value="email" checked`, `name="note.badge" value="app" checked`, `aria-label="Mentions of you: app only"`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /settings: lacks %q", want)
		}
	}
	rec := send(t, env, request{method: "POST", path: "/settings/notifications", as: env.Bob, form: url.Values{"note.reply": {"off"}, "note.mention": {"app"}}})
	wantRedirect(t, rec, "POST /settings/notifications", "/settings#notifications")
	body = send(t, env, request{path: "/settings", as: env.Bob}).Body.String()
	for _, want := range []string{`name="note.reply" value="off" checked`, `name="note.mention" value="app" checked`, `name="note.answer" value="email" checked`} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /settings after saving: lacks %q", want)
		}
	}
	rec = send(t, env, request{method: "POST", path: "/settings/notifications", as: env.Bob, form: url.Values{"note.reply": {"email"}, "note.answer": {"loud"}}})
	wantRedirect(t, rec, "POST /settings/notifications with a made-up value", "/settings#notifications")
	if body = send(t, env, request{path: "/settings", as: env.Bob}).Body.String(); !strings.Contains(body, `name="note.reply" value="off" checked`) {
		t.Errorf("a refused form changed a setting")
	}
	wantStatus(t, send(t, env, request{path: "/unsubscribe/1-forged"}), "GET a forged unsubscribe link", http.StatusNotFound)
}

// TestWatchForms: members set how they follow a topic, a space and a
// member from its page; guests see no such controls.
func TestWatchForms(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Watched from the page")
	topicPath := fmt.Sprintf("/t/%d", tp.ID)
	if body := send(t, env, request{path: topicPath}).Body.String(); strings.Contains(body, "watch-form") {
		t.Errorf("GET %s as a guest: shows the watch form", topicPath)
	}
	if body := send(t, env, request{path: topicPath, as: env.Bob}).Body.String(); !strings.Contains(body, `<option value="normal" selected>`) {
		t.Errorf("GET %s as bob: the watch form does not show normal", topicPath)
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: topicPath + "/watch", as: env.Bob, form: url.Values{"level": {"watching"}}}), "POST watch", topicPath)
	if body := send(t, env, request{path: topicPath, as: env.Bob}).Body.String(); !strings.Contains(body, `<option value="watching" selected>`) {
		t.Errorf("GET %s as bob after watching: the form does not show watching", topicPath)
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: topicPath + "/watch", as: env.Bob, form: url.Values{"level": {"loud"}}}), "POST a made-up level", topicPath)
	wantStatus(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/watch", env.CreateTopic(t, env.Alice, env.SecretSpace, "Hidden").ID), as: env.Bob, form: url.Values{"level": {"watching"}}}),
		"POST watch on a topic bob cannot see", http.StatusNotFound)

	spacePath := "/s/" + env.PublicSpace.Slug
	if body := send(t, env, request{path: spacePath, as: env.Bob}).Body.String(); !strings.Contains(body, `action="`+spacePath+`/watch"`) {
		t.Errorf("GET %s as bob: no watch form", spacePath)
	}
	if body := send(t, env, request{path: "/u/alice", as: env.Bob}).Body.String(); !strings.Contains(body, `aria-pressed="false">Follow</button>`) {
		t.Errorf("GET /u/alice as bob: no Follow button")
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/u/alice/follow", as: env.Bob, form: url.Values{"level": {"watching"}}}), "POST follow", "/u/alice")
	if body := send(t, env, request{path: "/u/alice", as: env.Bob}).Body.String(); !strings.Contains(body, `aria-pressed="true">Following</button>`) {
		t.Errorf("GET /u/alice as bob after following: the button does not say Following")
	}
	if body := send(t, env, request{path: "/u/bob", as: env.Bob}).Body.String(); strings.Contains(body, "/follow") {
		t.Errorf("GET /u/bob as bob: offers to follow himself")
	}
}

// TestMentionSuggestions: a composer is offered only members who could
// read the post where it goes, never the author, and nothing for a place
// the author cannot see.
func TestMentionSuggestions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	pub := env.CreateTopic(t, env.Alice, env.PublicSpace, "Open to all")
	priv := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Leaders only")
	suggest := func(as *testenv.User, query string) string {
		t.Helper()
		rec := send(t, env, request{path: "/mentions?" + query, as: as})
		wantStatus(t, rec, "GET /mentions?"+query, http.StatusOK)
		return rec.Body.String()
	}
	if body := suggest(env.Alice, fmt.Sprintf("q=bo&topic=%d", pub.ID)); !strings.Contains(body, `data-username="bob"`) {
		t.Errorf("suggestions for @bo in a public topic: %q, want bob", body)
	}
	if body := suggest(env.Alice, fmt.Sprintf("q=bo&topic=%d", priv.ID)); strings.Contains(body, "bob") {
		t.Errorf("suggestions for @bo in a private topic bob cannot read: %q", body)
	}
	if body := suggest(env.Alice, "q=mo&space="+env.PrivateSpace.Slug); !strings.Contains(body, `data-username="mod"`) {
		t.Errorf("suggestions for @mo in a private space: %q, want the moderator (staff read it)", body)
	}
	if body := suggest(env.Alice, "q=al"); strings.Contains(body, "alice") {
		t.Errorf("alice is offered herself: %q", body)
	}
	if body := suggest(env.Alice, "q=%25"); strings.TrimSpace(body) != "" {
		t.Errorf("suggestions for @%%: %q, want none", body)
	}
	wantStatus(t, send(t, env, request{path: fmt.Sprintf("/mentions?q=al&topic=%d", priv.ID), as: env.Bob}), "GET /mentions in a topic bob cannot see", http.StatusNotFound)
	if rec := send(t, env, request{path: "/mentions?q=al"}); rec.Code != http.StatusSeeOther {
		t.Errorf("GET /mentions as a guest: %d, want a redirect to sign in", rec.Code)
	}
}

// TestProfileFieldsForm: the settings form saves the profile fields with
// who sees each, re-renders a bad link with its message, and the profile
// page shows each field only to those it is meant for.
func TestProfileFieldsForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	form := url.Values{"display_name": {"Bob B."}, "bio": {"Cryostats."}, "location": {"Delft"}, "visibility.location": {"members"},
		"pronouns": {"he/him"}, "time_zone": {"Europe/Amsterdam"}, "links": {"https://bob.example\nftp://nope.example"}}
	rec := send(t, env, request{method: "POST", path: "/settings/profile", as: env.Bob, form: form})
	wantStatus(t, rec, "POST /settings/profile with an ftp link", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "must be a web address") || !strings.Contains(rec.Body.String(), "Delft") {
		t.Errorf("the refused form lacks the link's message or the typed location")
	}
	form.Set("links", "https://bob.example")
	wantRedirect(t, send(t, env, request{method: "POST", path: "/settings/profile", as: env.Bob, form: form}), "POST /settings/profile", "/settings")
	guest := send(t, env, request{path: "/u/bob"}).Body.String()
	member := send(t, env, request{path: "/u/bob", as: env.Alice}).Body.String()
	if strings.Contains(guest, "Delft") || !strings.Contains(guest, "he/him") || !strings.Contains(guest, `href="https://bob.example"`) || !strings.Contains(guest, "local time (Europe/Amsterdam)") {
		t.Errorf("bob's profile for a guest shows the members-only location or lacks the public fields")
	}
	if !strings.Contains(member, "Delft") {
		t.Errorf("bob's profile for a member lacks the location")
	}
}
