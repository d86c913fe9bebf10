package api_test

import (
	"net/http"
	"slices"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/testenv"
)

// TestEventsAPI: an event is started with its date and place, read back
// with them, listed by date for whoever may read its space, and
// rescheduled by its author; bad fields are named, others get 403 or 404.
func TestEventsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	soon := e.Clock.Now().Add(48 * time.Hour).Truncate(time.Minute) // events keep minutes
	event := func(u string, starts time.Time) map[string]any {
		return map[string]any{"starts_at": starts.Format(time.RFC3339), "time_zone": "Europe/Berlin", "location": "Lab 2", "url": "https://meet.example.org/" + u}
	}
	rec := e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "event", "title": "Journal club: surface codes",
		"body": "We read the paper together.", "event": event("journal", soon)}, http.StatusCreated)
	tp := decode[api.TopicDetail](t, rec)
	if tp.Event == nil || !tp.Event.StartsAt.Equal(soon) || !tp.Event.EndsAt.Equal(soon.Add(time.Hour)) || tp.Event.TimeZone != "Europe/Berlin" || tp.Event.URL != "https://meet.example.org/journal" {
		t.Fatalf("the new event: %+v", tp.Event)
	}
	e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PrivateSpace.Slug, "kind": "event", "title": "Leaders' planning session",
		"body": "Members only.", "event": event("plan", soon.Add(-time.Hour))}, http.StatusCreated)

	// Bad fields, each named; a discussion ignores an event it is given.
	rec = e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "event", "title": "A broken event", "body": "Body.",
		"event": map[string]any{"starts_at": "soon", "time_zone": "Mars/Base", "url": "ftp://example.org"}}, http.StatusBadRequest)
	wantFields(t, rec, "starts_at", "time_zone", "url")
	e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "event", "title": "An event with no date", "body": "Body."}, http.StatusBadRequest)
	e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "event", "title": "An event with a stray field", "body": "Body.",
		"event": map[string]any{"starts_at": soon.Format(time.RFC3339), "capacity": 10}}, http.StatusBadRequest)
	disc := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "title": "Just a discussion", "body": "Body.",
		"event": event("nope", soon)}, http.StatusCreated))
	if disc.Event != nil {
		t.Errorf("a discussion carries an event: %+v", disc.Event)
	}

	// Read and listed by whoever may read the space.
	got := decode[api.TopicDetail](t, e.call(t, nil, "GET", "/api/v1/topics/"+itoa(tp.ID), nil, http.StatusOK))
	if got.Event == nil || !got.Event.StartsAt.Equal(soon) {
		t.Errorf("a guest reads the event: %+v", got.Event)
	}
	list := func(u *testenv.User, query string) []string {
		t.Helper()
		return titles(decode[api.TopicList](t, e.call(t, u, "GET", "/api/v1/events"+query, nil, http.StatusOK)).Topics)
	}
	if got := list(nil, ""); !slices.Equal(got, []string{"Journal club: surface codes"}) {
		t.Errorf("a guest's events: %v", got)
	}
	if got := list(e.Alice, ""); !slices.Equal(got, []string{"Leaders' planning session", "Journal club: surface codes"}) {
		t.Errorf("alice's events, soonest first: %v", got)
	}
	if got := list(e.Alice, "?past=true"); len(got) != 0 {
		t.Errorf("past events before any ended: %v", got)
	}
	e.call(t, e.Bob, "GET", "/api/v1/events?space="+e.PrivateSpace.Slug, nil, http.StatusNotFound)
	e.call(t, e.Bob, "GET", "/api/v1/events?past=maybe", nil, http.StatusBadRequest)
	e.call(t, e.Bob, "GET", "/api/v1/events?cursor=zz", nil, http.StatusBadRequest)

	// Rescheduled by its author only.
	later := soon.Add(24 * time.Hour)
	e.call(t, e.Bob, "PUT", "/api/v1/topics/"+itoa(tp.ID)+"/event", event("bob", later), http.StatusForbidden)
	e.call(t, nil, "PUT", "/api/v1/topics/"+itoa(tp.ID)+"/event", event("guest", later), http.StatusUnauthorized)
	e.call(t, readOnly(t, e, e.Alice), "PUT", "/api/v1/topics/"+itoa(tp.ID)+"/event", event("ro", later), http.StatusForbidden)
	e.call(t, e.Alice, "PUT", "/api/v1/topics/"+itoa(disc.ID)+"/event", event("disc", later), http.StatusNotFound)
	rec = e.call(t, e.Alice, "PUT", "/api/v1/topics/"+itoa(tp.ID)+"/event", map[string]any{"starts_at": later.Format(time.RFC3339), "ends_at": later.Add(-time.Minute).Format(time.RFC3339)}, http.StatusBadRequest)
	wantFields(t, rec, "ends_at")
	berlin, _ := time.LoadLocation("Europe/Berlin")
	day := later.In(berlin)
	wall := time.Date(day.Year(), day.Month(), day.Day(), 18, 0, 0, 0, berlin)
	moved := decode[api.TopicDetail](t, e.call(t, e.Alice, "PUT", "/api/v1/topics/"+itoa(tp.ID)+"/event", map[string]any{"starts_at": wall.Format("2006-01-02T15:04")}, http.StatusOK))
	if moved.Event == nil || moved.Event.TimeZone != "Europe/Berlin" || !moved.Event.StartsAt.Equal(wall) || moved.Event.URL != "" {
		t.Errorf("the rescheduled event (local to its kept zone, place cleared): %+v", moved.Event)
	}
}
