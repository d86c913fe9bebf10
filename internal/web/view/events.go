package view

import (
	"net/url"
	"time"

	"practica/internal/content"
	"practica/internal/model"
)

// EventsPage lists events: upcoming, or past ones.
type EventsPage struct {
	Chrome
	List content.List
	Past bool
	// Space narrows the list to one space (its slug), SpaceName names it.
	Space     string
	SpaceName string
}

// EventFormPage changes an event's schedule and place.
type EventFormPage struct {
	Chrome
	Form  Form
	Topic model.Topic
}

// EventValues are an event's fields as its form shows them: times local
// to the event's zone.
func EventValues(e model.Event) map[string]string {
	loc := e.Zone()
	return map[string]string{"starts_at": e.StartsAt.In(loc).Format(content.EventLayout), "ends_at": e.EndsAt.In(loc).Format(content.EventLayout),
		"time_zone": e.TimeZone, "location": e.Location, "url": e.URL}
}

// eventState is how an event stands now: "Happening now", "Ended", or
// empty while it is ahead.
func eventState(e model.Event) string {
	now := time.Now()
	switch {
	case e.Ended(now):
		return "Ended"
	case e.Started(now):
		return "Happening now"
	}
	return ""
}

// eventDay is the month and day an event starts on, in its zone, for its
// date tile.
func eventDay(e model.Event) (string, string) {
	t := e.StartsAt.In(e.Zone())
	return t.Format("Jan"), t.Format("2")
}

// eventDate is the day and time an event starts, in its zone, for a
// topic row: "Thu 3 Dec, 18:30".
func eventDate(e model.Event) string {
	return e.StartsAt.In(e.Zone()).Format("Mon 2 Jan, 15:04")
}

// eventsURL is the address of a list of events, before its cursor.
func eventsURL(space string, past bool) string {
	q := url.Values{}
	if space != "" {
		q.Set("space", space)
	}
	if past {
		q.Set("past", "1")
	}
	if len(q) == 0 {
		return "/events"
	}
	return "/events?" + q.Encode()
}

// eventsMoreURL is where the next page of a list of events starts.
func eventsMoreURL(space string, past bool) string {
	u := eventsURL(space, past)
	if u == "/events" {
		return u + "?after="
	}
	return u + "&after="
}

// newEventURL starts an event, in the listed space when there is one.
func newEventURL(space string) string {
	if space == "" {
		return "/new?kind=event"
	}
	return "/new?kind=event&space=" + url.QueryEscape(space)
}
