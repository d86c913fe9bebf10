package content_test

import (
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
	"practica/internal/web/view"
)

// newEvent starts an event in sp, as u.
func newEvent(t *testing.T, env *testenv.Env, u *testenv.User, sp model.Space, title string, in content.EventInput) model.Topic {
	t.Helper()
	tp, err := env.App.Content.CreateTopic(ctx, u.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindEvent, Title: title, Body: "About " + title, Event: in})
	if err != nil {
		t.Fatalf("start event %q: %v", title, err)
	}
	return tp
}

// wallClock is hour:minute in loc on the day of t there: a time no clock
// change makes ambiguous, and never across midnight from an hour later.
func wallClock(t time.Time, loc *time.Location, hour, minute int) time.Time {
	d := t.In(loc)
	return time.Date(d.Year(), d.Month(), d.Day(), hour, minute, 0, 0, loc)
}

// at is a time from now, in RFC 3339.
func at(env *testenv.Env, d time.Duration) string {
	return env.Clock.Now().Add(d).Format(time.RFC3339)
}

func eventTitles(l content.List) []string {
	var out []string
	for _, it := range l.Items {
		out = append(out, it.Topic.Title)
	}
	return out
}

// TestEventSchedule: an event's times are read in its time zone (the
// author's by default), end an hour later unless told, and every bad field
// is named; nothing is written when one is wrong.
func TestEventSchedule(t *testing.T) {
	env := testenv.New(t)
	paris, _ := time.LoadLocation("Europe/Paris")
	local := wallClock(env.Clock.Now().Add(72*time.Hour), paris, 18, 30)
	tp := newEvent(t, env, env.Alice, env.PublicSpace, "Office hours in Paris", content.EventInput{Starts: local.Format(content.EventLayout), TimeZone: "Europe/Paris", Location: "Room 4", URL: "https://meet.example.org/qec"})
	e := tp.Event
	if e == nil || !e.StartsAt.Equal(local) || !e.EndsAt.Equal(local.Add(time.Hour)) || e.TimeZone != "Europe/Paris" || e.Location != "Room 4" {
		t.Fatalf("event read as %+v, want it to start at %v Paris time and last an hour", e, local)
	}
	page, err := env.App.Content.TopicPage(ctx, env.Bob.Viewer(), tp.ID, content.TopicQuery{})
	if err != nil || page.Topic.Event == nil || !page.Topic.Event.StartsAt.Equal(local) || page.CanEditEvent {
		t.Errorf("bob's page of the event: %v, event %+v, may edit %v; want the schedule, not editable", err, page.Topic.Event, page.CanEditEvent)
	}
	if page, _ := env.App.Content.TopicPage(ctx, env.Alice.Viewer(), tp.ID, content.TopicQuery{}); !page.CanEditEvent {
		t.Error("alice may not change her own event")
	}

	// The author's own time zone is the default.
	if err := env.App.Auth.UpdateProfile(ctx, env.Alice.Viewer(), auth.ProfileInput{DisplayName: "Alice", TimeZone: "America/New_York"}); err != nil {
		t.Fatal(err)
	}
	ny, _ := time.LoadLocation("America/New_York")
	local = wallClock(env.Clock.Now().Add(96*time.Hour), ny, 10, 0)
	tp = newEvent(t, env, env.Alice, env.PublicSpace, "Office hours in New York", content.EventInput{Starts: local.Format(content.EventLayout), Ends: local.Add(3 * time.Hour).Format(content.EventLayout)})
	if tp.Event.TimeZone != "America/New_York" || !tp.Event.StartsAt.Equal(local) || tp.Event.EndsAt.Sub(tp.Event.StartsAt) != 3*time.Hour {
		t.Errorf("event in the author's zone: %+v", tp.Event)
	}

	// A zone the author keeps to themselves is not published with their
	// events: UTC stands in.
	if err := env.App.Auth.UpdateProfile(ctx, env.Alice.Viewer(), auth.ProfileInput{DisplayName: "Alice", TimeZone: "America/New_York", Visibility: map[string]string{"time_zone": "me"}}); err != nil {
		t.Fatal(err)
	}
	if tp := newEvent(t, env, env.Alice, env.PublicSpace, "Office hours somewhere", content.EventInput{Starts: at(env, 24*time.Hour)}); tp.Event.TimeZone != "UTC" {
		t.Errorf("an event by a member who hides their zone is in %s, want UTC", tp.Event.TimeZone)
	}

	before, err := env.App.Content.Events(ctx, env.Admin.Viewer(), content.EventsInput{})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		in   content.EventInput
		want []string
	}{
		{"no start", content.EventInput{}, []string{"starts_at"}},
		{"nonsense", content.EventInput{Starts: "tomorrow", Ends: "later", TimeZone: "Mars/Base", URL: "javascript:alert(1)", Location: "<script>"}, []string{"starts_at", "ends_at", "time_zone", "url", "location"}},
		{"ends first", content.EventInput{Starts: at(env, 48*time.Hour), Ends: at(env, 47*time.Hour)}, []string{"ends_at"}},
		{"too long", content.EventInput{Starts: at(env, 48*time.Hour), Ends: at(env, 48*time.Hour+32*24*time.Hour)}, []string{"ends_at"}},
		{"over", content.EventInput{Starts: at(env, -3*time.Hour), Ends: at(env, -time.Hour)}, []string{"ends_at"}},
		{"far ahead", content.EventInput{Starts: at(env, 6*366*24*time.Hour)}, []string{"starts_at"}},
		{"year 0", content.EventInput{Starts: "0000-01-01T00:00"}, []string{"starts_at"}},
	} {
		_, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindEvent, Title: "A bad event: " + c.name, Body: "Body", Event: c.in})
		got := testenv.FieldsOf(err)
		slices.Sort(got)
		want := slices.Clone(c.want)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s: fields %v (%v), want %v", c.name, got, err, want)
		}
	}
	// An event that has begun but not ended may still be announced.
	newEvent(t, env, env.Alice, env.PublicSpace, "Already going", content.EventInput{Starts: at(env, -time.Hour), Ends: at(env, time.Hour)})
	after, err := env.App.Content.Events(ctx, env.Admin.Viewer(), content.EventsInput{})
	if err != nil || len(after.Items) != len(before.Items)+1 {
		t.Errorf("refused events were written: %d events before, %d after (%v)", len(before.Items), len(after.Items), err)
	}
}

// TestEventLists: upcoming events come soonest first (a happening one
// included), past ones latest first, a page at a time; each viewer sees
// only the events of spaces they may read.
func TestEventLists(t *testing.T) {
	env := testenv.New(t)
	newEvent(t, env, env.Alice, env.PublicSpace, "Third", content.EventInput{Starts: at(env, 72*time.Hour)})
	newEvent(t, env, env.Alice, env.PublicSpace, "First", content.EventInput{Starts: at(env, 24*time.Hour)})
	newEvent(t, env, env.Alice, env.PrivateSpace, "Second, for members", content.EventInput{Starts: at(env, 48*time.Hour)})
	newEvent(t, env, env.Alice, env.PublicSpace, "Soon over", content.EventInput{Starts: at(env, time.Hour), Ends: at(env, 2*time.Hour)})
	env.CreateTopic(t, env.Alice, env.PublicSpace, "Not an event")

	list := func(v model.Viewer, in content.EventsInput) content.List {
		t.Helper()
		l, err := env.App.Content.Events(ctx, v, in)
		if err != nil {
			t.Fatal(err)
		}
		return l
	}
	if got := eventTitles(list(env.Alice.Viewer(), content.EventsInput{})); !slices.Equal(got, []string{"Soon over", "First", "Second, for members", "Third"}) {
		t.Errorf("alice's upcoming events: %v", got)
	}
	for _, v := range []model.Viewer{{}, env.Bob.Viewer()} {
		if got := eventTitles(list(v, content.EventsInput{})); !slices.Equal(got, []string{"Soon over", "First", "Third"}) {
			t.Errorf("upcoming events a non-member sees: %v", got)
		}
	}
	if _, err := env.App.Content.Events(ctx, env.Bob.Viewer(), content.EventsInput{Space: env.PrivateSpace.Slug}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("bob lists the private space's events: %v, want NotFound", err)
	}
	if got := eventTitles(list(env.Alice.Viewer(), content.EventsInput{Space: env.PrivateSpace.Slug})); !slices.Equal(got, []string{"Second, for members"}) {
		t.Errorf("the private space's events: %v", got)
	}

	// Page by page.
	var pages []string
	in := content.EventsInput{Limit: 1}
	for range 10 {
		l := list(env.Alice.Viewer(), in)
		pages = append(pages, eventTitles(l)...)
		if in.Cursor = l.Next; l.Next == "" {
			break
		}
	}
	if !slices.Equal(pages, []string{"Soon over", "First", "Second, for members", "Third"}) {
		t.Errorf("upcoming events a page at a time: %v", pages)
	}

	// Two days on, two are over: the past list has them, latest first.
	env.Clock.Advance(50 * time.Hour)
	if got := eventTitles(list(env.Alice.Viewer(), content.EventsInput{})); !slices.Equal(got, []string{"Third"}) {
		t.Errorf("upcoming after two days: %v", got)
	}
	if got := eventTitles(list(env.Alice.Viewer(), content.EventsInput{Past: true})); !slices.Equal(got, []string{"Second, for members", "First", "Soon over"}) {
		t.Errorf("past events: %v", got)
	}
}

// TestSetEvent: the author and the space's moderators change an event's
// date and place; others may not; a new date must be ahead, but the place
// of an ended event may still be put right.
func TestSetEvent(t *testing.T) {
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	tp := newEvent(t, env, env.Alice, env.PublicSpace, "Show and tell", content.EventInput{Starts: at(env, 24*time.Hour), TimeZone: "Europe/Berlin"})
	if _, err := env.App.Content.SetEvent(ctx, env.Bob.Viewer(), tp.ID, content.EventInput{Starts: at(env, 48*time.Hour)}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("bob reschedules alice's event: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.SetEvent(ctx, model.Viewer{}, tp.ID, content.EventInput{Starts: at(env, 48*time.Hour)}); err == nil {
		t.Error("a guest rescheduled an event")
	}
	plain := env.CreateTopic(t, env.Alice, env.PublicSpace, "A discussion")
	if _, err := env.App.Content.SetEvent(ctx, env.Alice.Viewer(), plain.ID, content.EventInput{Starts: at(env, 48*time.Hour)}); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("a discussion given a date: %v, want NotFound", err)
	}
	hidden := newEvent(t, env, env.Alice, env.SecretSpace, "Secret meeting", content.EventInput{Starts: at(env, 24*time.Hour)})
	if _, err := env.App.Content.EventForm(ctx, env.Bob.Viewer(), hidden.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("bob opens the form of a secret space's event: %v, want NotFound", err)
	}

	moved, err := env.App.Content.SetEvent(ctx, env.Mod.Viewer(), tp.ID, content.EventInput{Starts: at(env, 48*time.Hour), URL: "https://meet.example.org/show"})
	if err != nil || moved.Event.TimeZone != "Europe/Berlin" || moved.Event.URL != "https://meet.example.org/show" {
		t.Fatalf("the moderator moves the event: %v, %+v (the zone is kept when none is given)", err, moved.Event)
	}
	e, err := env.App.Content.EventForm(ctx, env.Alice.Viewer(), tp.ID)
	if err != nil || !e.Event.StartsAt.Equal(moved.Event.StartsAt) {
		t.Errorf("the event as saved: %v, %+v", err, e.Event)
	}

	// The night clocks go back repeats 02:30; an event at the first one
	// stays there when only its place is edited through the form.
	berlin, _ := time.LoadLocation("Europe/Berlin")
	night := time.Date(env.Clock.Now().Year()+1, 10, 31, 0, 0, 0, 0, berlin)
	for night.Weekday() != time.Sunday {
		night = night.AddDate(0, 0, -1)
	}
	first := night.Add(150 * time.Minute) // 02:30 summer time, 00:30 UTC
	early := newEvent(t, env, env.Alice, env.PublicSpace, "At the first half past two", content.EventInput{Starts: first.Format(time.RFC3339), TimeZone: "Europe/Berlin"})
	form := view.EventValues(*early.Event)
	kept, err := env.App.Content.SetEvent(ctx, env.Alice.Viewer(), early.ID, content.EventInput{Starts: form["starts_at"], Ends: form["ends_at"], TimeZone: form["time_zone"], Location: "The night lab"})
	if err != nil || !kept.Event.StartsAt.Equal(early.Event.StartsAt) || !kept.Event.EndsAt.Equal(early.Event.EndsAt) {
		t.Errorf("a place edited through the form moved the event: %v, %v → %+v", err, early.Event.StartsAt, kept.Event)
	}
	// A kept time is checked with the new one: a start moved to 02:40 (read
	// as the second 02:40) would come after the kept end at the first 02:45.
	short := newEvent(t, env, env.Alice, env.PublicSpace, "Fifteen minutes at half past two", content.EventInput{Starts: first.Format(time.RFC3339), Ends: first.Add(15 * time.Minute).Format(time.RFC3339), TimeZone: "Europe/Berlin"})
	form = view.EventValues(*short.Event)
	_, err = env.App.Content.SetEvent(ctx, env.Alice.Viewer(), short.ID, content.EventInput{Starts: strings.Replace(form["starts_at"], ":30", ":40", 1), Ends: form["ends_at"], TimeZone: "Europe/Berlin"})
	if !slices.Contains(testenv.FieldsOf(err), "ends_at") {
		t.Errorf("a start moved past the kept end: %v, want a field error on ends_at", err)
	}

	env.Clock.Advance(72 * time.Hour)
	start, end := moved.Event.StartsAt.Format(time.RFC3339), moved.Event.EndsAt.Format(time.RFC3339)
	if _, err := env.App.Content.SetEvent(ctx, env.Alice.Viewer(), tp.ID, content.EventInput{Starts: start, Ends: end, Location: "The lab", URL: moved.Event.URL}); err != nil {
		t.Errorf("alice puts right the place of her ended event: %v", err)
	}
	if _, err := env.App.Content.SetEvent(ctx, env.Alice.Viewer(), tp.ID, content.EventInput{Starts: at(env, -2*time.Hour)}); !slices.Contains(testenv.FieldsOf(err), "ends_at") {
		t.Errorf("alice moves it into the past: %v, want a field error", err)
	}
}

// TestDigestEvents: a member's digest lists the events of their spaces
// and tags that come before the next one, and those announced since the
// last one however far ahead; never one they may not read, nor their own.
func TestDigestEvents(t *testing.T) {
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	env.Clock.Advance(6 * 24 * time.Hour)
	newEvent(t, env, env.Alice, env.PublicSpace, "Announced now for next month", content.EventInput{Starts: at(env, 30*24*time.Hour)})
	newEvent(t, env, env.Alice, env.PublicSpace, "Journal club on Tuesday", content.EventInput{Starts: at(env, 3*24*time.Hour), TimeZone: "Asia/Tokyo", Location: "Lab 2"})
	newEvent(t, env, env.Alice, env.PrivateSpace, "Leaders' retreat", content.EventInput{Starts: at(env, 3*24*time.Hour)})
	newEvent(t, env, env.Bob, env.PublicSpace, "Bob's own meetup", content.EventInput{Starts: at(env, 3*24*time.Hour)})
	newEvent(t, env, env.Alice, env.PublicSpace, "Hackathon fortnight", content.EventInput{Starts: at(env, time.Hour), Ends: at(env, 14*24*time.Hour)})
	env.Clock.Advance(24*time.Hour + time.Minute)

	digest := func() string {
		t.Helper()
		if _, err := env.App.Content.SendDigests(ctx); err != nil {
			t.Fatal(err)
		}
		ms, err := env.App.Store.Read().Outbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms { // newest first
			if m.To == "bob@example.org" && strings.HasPrefix(m.Subject, "Your week") {
				return m.Body
			}
		}
		return ""
	}
	body := digest()
	for _, want := range []string{"Upcoming events", "Journal club on Tuesday (Public Square)", "(Asia/Tokyo)", "Lab 2", "Announced now for next month", "Hackathon fortnight"} {
		if !strings.Contains(body, want) {
			t.Errorf("bob's digest lacks %q:\n%s", want, body)
		}
	}
	for _, not := range []string{"Leaders' retreat", "Bob's own meetup"} {
		if strings.Contains(body, not) {
			t.Errorf("bob's digest holds %q:\n%s", not, body)
		}
	}

	// A week on, the far event is neither new nor near, the hackathon is
	// under way, and nothing else happened: no digest.
	env.Clock.Advance(7*24*time.Hour + time.Minute)
	if again := digest(); again != body {
		t.Errorf("a week with only a far event sent another digest:\n%s", again)
	}
	// Three weeks on, it is near.
	env.Clock.Advance(14 * 24 * time.Hour)
	if body := digest(); !strings.Contains(body, "Announced now for next month") || strings.Contains(body, "Journal club") {
		t.Errorf("the digest the week before the event:\n%s", body)
	}
}
