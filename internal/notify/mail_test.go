package notify_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"strings"
	"testing"
	"time"

	"practica/internal/messages"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/testenv"
)

// mailRun advances the clock past the batching delay and runs the mail job,
// returning how many messages it wrote.
func mailRun(t *testing.T, env *testenv.Env) int {
	t.Helper()
	env.Clock.Advance(notify.MailDelay + time.Second)
	n, err := env.App.Inbox.Mail(context.Background())
	if err != nil {
		t.Fatalf("mail job: %v", err)
	}
	return n
}

// TestNotificationEmails: what reaches a member's inbox also reaches their
// email, gathered into one message after a delay, sent once, through SMTP
// with one-click unsubscribe headers; never what they read in the app
// meanwhile or may no longer see, and never against their settings.
func TestNotificationEmails(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	in := env.App.Inbox
	// Bob, a plain member, starts the topic; Carol replies. (Alice leads
	// the space: she would still see a deleted reply.)
	carol := env.Carol(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	env.AddMember(t, env.PublicSpace, carol, model.SpaceMember)
	tp := env.CreateTopic(t, env.Bob, env.PublicSpace, "Field notes on decoherence")
	r1 := env.Reply(t, carol, tp.ID, "My first observation: the **T2** time halves above 40 mK.")
	r2 := env.Reply(t, carol, tp.ID, "Second: shielding helps less than expected.")
	if n, err := in.Mail(ctx); err != nil || n != 0 {
		t.Fatalf("mail job before the delay: %d messages, %v; want none yet", n, err)
	}
	if n := mailRun(t, env); n != 1 {
		t.Fatalf("mail job after the delay: %d messages, want 1 for bob", n)
	}
	if n := mailRun(t, env); n != 0 {
		t.Fatalf("mail job run again: %d messages, want none (each notification is emailed once)", n)
	}
	outbox, err := env.App.Store.Read().Outbox(ctx, 0, 10)
	if err != nil || len(outbox) != 1 {
		t.Fatalf("outbox: %d messages, %v; want 1", len(outbox), err)
	}
	m := outbox[0]
	if m.To != "bob@example.org" || m.Subject != "2 new notifications in Test Community" || !strings.HasPrefix(m.Unsubscribe, "http://example.test/unsubscribe/") {
		t.Errorf("the message: to %q, subject %q, unsubscribe %q", m.To, m.Subject, m.Unsubscribe)
	}
	for _, want := range []string{"carol replied to “Field notes on decoherence”", "> My first observation: the T2 time halves above 40 mK.",
		fmt.Sprintf("http://example.test/p/%d", r1.ID), fmt.Sprintf("http://example.test/p/%d", r2.ID), m.Unsubscribe} {
		if !strings.Contains(m.Body, want) {
			t.Errorf("the message lacks %q:\n%s", want, m.Body)
		}
	}

	// Through SMTP: the headers a mail client needs for one-click unsubscribe.
	sink := newSink(t)
	sender := &notify.Sender{Store: env.App.Store, SMTPURL: "smtp://" + sink.ln.Addr().String() + "?from=community@example.org",
		Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Now: env.Clock.Now}
	sender.Flush(ctx)
	got := sink.received()
	if len(got) != 1 {
		t.Fatalf("SMTP received %d messages, want 1", len(got))
	}
	msg, err := mail.ReadMessage(strings.NewReader(got[0]))
	if err != nil {
		t.Fatalf("the delivered message does not parse: %v", err)
	}
	if h := msg.Header; h.Get("List-Unsubscribe") != "<"+m.Unsubscribe+">" || h.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" ||
		h.Get("Message-Id") != fmt.Sprintf("<outbox-%d@127.0.0.1>", m.ID) {
		t.Errorf("delivered headers: %v", h)
	}

	// Read in the app before the job runs: not emailed.
	env.Reply(t, carol, tp.ID, "Third: the fridge was warming up.")
	if _, err := in.MarkRead(ctx, env.Bob.Viewer(), 0); err != nil {
		t.Fatal(err)
	}
	if n := mailRun(t, env); n != 0 {
		t.Errorf("a notification read in the app was emailed (%d messages)", n)
	}
	// Deleted before the job runs: not emailed.
	gone := env.Reply(t, carol, tp.ID, "Fourth: never mind, I was wrong.")
	if _, err := env.App.Content.SetDeleted(ctx, carol.Viewer(), gone.ID, true); err != nil {
		t.Fatal(err)
	}
	if n := mailRun(t, env); n != 0 {
		t.Errorf("a reply deleted before the job was emailed (%d messages)", n)
	}

	// Settings: replies in the app only, then not at all.
	if _, err := in.SetPrefs(ctx, env.Bob.Viewer(), map[string]string{"reply": "app"}); err != nil {
		t.Fatal(err)
	}
	env.Reply(t, carol, tp.ID, "Fifth: shown, not emailed.")
	if n := mailRun(t, env); n != 0 {
		t.Errorf("a reply set to app only was emailed (%d messages)", n)
	}
	if _, err := in.SetPrefs(ctx, env.Bob.Viewer(), map[string]string{"reply": "off"}); err != nil {
		t.Fatal(err)
	}
	env.Reply(t, carol, tp.ID, "Sixth: not even shown.")
	page, err := in.List(ctx, env.Bob.Viewer(), 0, 50)
	if err != nil || len(page.Items) != 4 {
		t.Errorf("bob's inbox: %d notifications, %v; want 4 (the deleted reply and the one set off are not there)", len(page.Items), err)
	}
	if _, err := in.SetPrefs(ctx, env.Bob.Viewer(), map[string]string{"reply": "loud", "gossip": "email"}); testenv.FieldsOf(err) == nil {
		t.Errorf("SetPrefs with an unknown delivery and kind: %v, want field errors", err)
	}

	// One click, without a session: every emailed kind becomes app only.
	token := strings.TrimPrefix(m.Unsubscribe, "http://example.test/unsubscribe/")
	req := httptest.NewRequest(http.MethodPost, "/unsubscribe/"+token, strings.NewReader("List-Unsubscribe=One-Click"))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "https://mail.example.net")
	if rec := env.Do(t, nil, req); rec.Code != http.StatusOK {
		t.Fatalf("one-click unsubscribe: %d %s", rec.Code, rec.Body.String())
	}
	prefs, err := in.Prefs(ctx, env.Bob.Viewer())
	if err != nil || prefs["mention"] != "app" || prefs["answer"] != "app" || prefs["reply"] != "off" {
		t.Errorf("after unsubscribing: %v, %v; want no kind by email (replies stay off)", prefs, err)
	}
	for _, bad := range []string{token + "x", "1-" + token[strings.Index(token, "-")+1:], "nope"} {
		if rec := env.Get(t, nil, "/unsubscribe/"+bad); rec.Code != http.StatusNotFound {
			t.Errorf("GET /unsubscribe/%s: %d, want 404", bad, rec.Code)
		}
	}
}

// TestMessageEmails: a direct message reaches its recipient's email with an
// excerpt and a link to the conversation; one who left it before the job
// ran gets nothing of it.
func TestMessageEmails(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	carol := env.Carol(t)
	c, err := env.App.Messages.Start(ctx, env.Alice.Viewer(), messages.StartInput{To: "bob carol", Title: "Lab rota", Body: "Who takes **Friday**?"})
	if err != nil {
		t.Fatal(err)
	}
	if err := env.App.Messages.Leave(ctx, carol.Viewer(), c.ID); err != nil {
		t.Fatal(err)
	}
	if n := mailRun(t, env); n != 1 {
		t.Fatalf("mail job: %d messages, want 1 (bob; carol left)", n)
	}
	outbox, err := env.App.Store.Read().Outbox(ctx, 0, 10)
	if err != nil || len(outbox) != 1 {
		t.Fatalf("outbox: %d, %v", len(outbox), err)
	}
	m := outbox[0]
	for _, want := range []string{"alice sent you a message in “Lab rota”", "> Who takes Friday?", fmt.Sprintf("http://example.test/messages/%d#m", c.ID)} {
		if m.To != "bob@example.org" || !strings.Contains(m.Body, want) {
			t.Errorf("the message to %s lacks %q:\n%s", m.To, want, m.Body)
		}
	}
}
