package web_test

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/testenv"
)

// TestEventPages: an event is announced from the new-topic form, shows its
// date and place on its page and in the events list, downloads as an
// iCalendar file, and is rescheduled by its author through a form that
// names what is wrong; a secret space's event is not found by others.
func TestEventPages(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := env.Clock.Now().Add(72 * time.Hour).In(berlin)
	start := time.Date(day.Year(), day.Month(), day.Day(), 18, 30, 0, 0, berlin) // not across midnight, nor in a clock change
	form := url.Values{"space": {env.PublicSpace.Slug}, "kind": {"event"}, "title": {"Show and tell; bring a demo, please"}, "body": {"Five minutes each."},
		"starts_at": {start.Format(content.EventLayout)}, "ends_at": {"not a time"}, "time_zone": {"Europe/Berlin"}, "location": {"Lab 2, second floor"}, "url": {"https://meet.example.org/show"}}

	// A bad end re-renders the form with its message and what was typed.
	rec := send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: form})
	wantStatus(t, rec, "POST /new with a bad end", http.StatusBadRequest)
	for _, want := range []string{`id="e-ends_at"`, "Give a date and time", `value="Lab 2, second floor"`, `value="` + start.Format(content.EventLayout) + `"`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("the re-rendered form lacks %q", want)
		}
	}
	form.Set("ends_at", start.Add(90*time.Minute).Format(content.EventLayout))
	rec = send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: form})
	wantStatus(t, rec, "POST /new with an event", http.StatusSeeOther)
	path := rec.Header().Get("Location")
	id := strings.Split(path, "/")[2]

	page := send(t, env, request{path: path}).Body.String()
	when := start.Format("Mon 2 Jan 2006, 15:04") + "–" + start.Add(90*time.Minute).Format("15:04") + " (Europe/Berlin)"
	for _, want := range []string{when, "Lab 2, second floor", `href="https://meet.example.org/show"`, `href="/events/` + id + `.ics"`} {
		if !strings.Contains(page, want) {
			t.Errorf("the event's page lacks %q", want)
		}
	}
	if strings.Contains(page, "/events/"+id+"/edit") {
		t.Error("a guest is offered to change the event")
	}
	if !strings.Contains(send(t, env, request{path: path, as: env.Alice}).Body.String(), "/events/"+id+"/edit") {
		t.Error("the author is not offered to change the event")
	}
	if list := send(t, env, request{path: "/events"}).Body.String(); !strings.Contains(list, "Show and tell; bring a demo, please") || !strings.Contains(list, when) {
		t.Error("the events list lacks the event or its date")
	}
	// The home page and the space list it at the side, and their rows carry its date.
	for _, p := range []string{"/", env.PublicSpace.Path()} {
		body := send(t, env, request{path: p}).Body.String()
		side, _, _ := strings.Cut(body[strings.Index(body, "Upcoming events")+1:], "</section>")
		if !strings.Contains(body, "Upcoming events") || !strings.Contains(side, "Show and tell; bring a demo, please") {
			t.Errorf("GET %s does not list the event at the side", p)
		}
		if !strings.Contains(body, start.Format("Mon 2 Jan, 15:04")) {
			t.Errorf("GET %s: the event's row lacks its date", p)
		}
	}

	// The calendar file.
	rec = send(t, env, request{path: "/events/" + id + ".ics"})
	wantStatus(t, rec, "GET the .ics", http.StatusOK)
	ics := rec.Body.String()
	for _, want := range []string{"BEGIN:VCALENDAR\r\n", "DTSTART:" + start.UTC().Format("20060102T150405Z") + "\r\n", `SUMMARY:Show and tell\; bring a demo\, please`,
		"LOCATION:Lab 2\\, second floor\r\n", "UID:event-" + id + "@", "END:VCALENDAR\r\n"} {
		if !strings.Contains(ics, want) {
			t.Errorf("the .ics lacks %q:\n%s", want, ics)
		}
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "text/calendar") {
		t.Errorf("the .ics is served as %q", ct)
	}
	for _, line := range strings.Split(ics, "\r\n") {
		if len(line) > 75 {
			t.Errorf("an unfolded line of %d bytes: %q", len(line), line)
		}
	}

	// Rescheduling: others may not; a bad date is named; a good one saved.
	wantStatus(t, send(t, env, request{path: "/events/" + id + "/edit", as: env.Bob}), "bob opens the event's form", http.StatusForbidden)
	wantStatus(t, send(t, env, request{method: "POST", path: "/events/" + id + "/edit", as: env.Bob, form: form}), "bob saves the event's form", http.StatusForbidden)
	edit := send(t, env, request{path: "/events/" + id + "/edit", as: env.Alice})
	wantStatus(t, edit, "alice opens the event's form", http.StatusOK)
	if !strings.Contains(edit.Body.String(), `value="Europe/Berlin"`) || !strings.Contains(edit.Body.String(), `value="`+start.Format(content.EventLayout)+`"`) {
		t.Error("the event's form does not show its date and zone")
	}
	bad := url.Values{"starts_at": {start.Format(content.EventLayout)}, "ends_at": {start.Add(-time.Hour).Format(content.EventLayout)}, "time_zone": {"Europe/Berlin"}}
	rec = send(t, env, request{method: "POST", path: "/events/" + id + "/edit", as: env.Alice, form: bad})
	wantStatus(t, rec, "an end before the start", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "End the event after it starts.") {
		t.Error("the form does not say the end comes first")
	}
	good := url.Values{"starts_at": {start.Add(24 * time.Hour).Format(content.EventLayout)}, "time_zone": {"Europe/Berlin"}, "location": {"Lab 3"}}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/events/" + id + "/edit", as: env.Alice, form: good}), "alice moves the event", path)
	if page := send(t, env, request{path: path}).Body.String(); !strings.Contains(page, "Lab 3") || !strings.Contains(page, start.Add(24*time.Hour).Format("Mon 2 Jan 2006, 15:04")) {
		t.Error("the event's page does not show the new date and place")
	}

	// A secret space's event is not found by those outside it.
	secret, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.SecretSpace.Slug, Kind: "event", Title: "A secret gathering", Body: "Shh.",
		Event: content.EventInput{Starts: start.Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	sid := strconv.FormatInt(secret.ID, 10)
	for _, u := range []*testenv.User{nil, env.Bob} {
		for _, p := range []string{"/events/" + sid + ".ics", "/events/" + sid + "/edit", secret.Path()} {
			wantStatus(t, send(t, env, request{path: p, as: u}), "GET "+p+" outside the secret space", http.StatusNotFound)
		}
		if strings.Contains(send(t, env, request{path: "/events", as: u}).Body.String(), "A secret gathering") {
			t.Error("the events list shows a secret space's event to an outsider")
		}
	}
	if !strings.Contains(send(t, env, request{path: "/events?space=" + env.SecretSpace.Slug, as: env.Alice}).Body.String(), "A secret gathering") {
		t.Error("the secret space's own events list lacks its event")
	}
}
