package content

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// Limits of an event's schedule and place.
const (
	MaxEventLength   = 31 * 24 * time.Hour
	maxEventAhead    = 5 * 366 * 24 * time.Hour
	maxEventLocation = 200
	maxEventURL      = 500
	// DefaultEventLength is how long an event lasts when no end is given.
	DefaultEventLength = time.Hour
)

// EventLayout is how a form gives an event's times: a local date and time
// in the event's time zone (what <input type="datetime-local"> sends).
const EventLayout = "2006-01-02T15:04"

// EventInput is an event's schedule and place as a form or the API gives
// them. Times are local to TimeZone (EventLayout) or carry their own offset
// (RFC 3339); TimeZone defaults to the author's own, then UTC.
type EventInput struct {
	Starts   string
	Ends     string
	TimeZone string
	Location string
	URL      string
}

// checkEvent reads an event's schedule and place, adding what is wrong to
// f. zone is the time zone to use when the input names none; old is what
// the event had (nil for a new one), whose times stand where the input
// gives them back unchanged (keepTimes), before the times are checked.
func checkEvent(f apperr.Fields, in EventInput, zone string, old *model.Event) model.Event {
	e := model.Event{TimeZone: strings.TrimSpace(in.TimeZone), Location: strings.TrimSpace(in.Location), URL: strings.TrimSpace(in.URL)}
	if e.TimeZone == "" {
		e.TimeZone = zone
	}
	if !model.ValidTimeZone(e.TimeZone) {
		f.Add("time_zone", "Choose a time zone such as Europe/Berlin or America/New_York.")
		e.TimeZone = "UTC"
	}
	loc := e.Zone()
	start, okStart := eventTime(f, "starts_at", in.Starts, loc)
	e.StartsAt, e.EndsAt = start, start.Add(DefaultEventLength)
	okEnd := true
	if strings.TrimSpace(in.Ends) != "" {
		e.EndsAt, okEnd = eventTime(f, "ends_at", in.Ends, loc)
	}
	if okStart && okEnd {
		keepTimes(old, &e)
	}
	switch d := e.EndsAt.Sub(e.StartsAt); {
	case !okStart || !okEnd:
	case d < 0:
		f.Add("ends_at", "End the event after it starts.")
	case d > MaxEventLength:
		f.Add("ends_at", "An event lasts at most 31 days; make a series of shorter ones.")
	}
	if utf8.RuneCountInString(e.Location) > maxEventLocation || strings.ContainsAny(e.Location, "<>\r\n") || markup.BadText(e.Location) {
		f.Add("location", fmt.Sprintf("Use at most %d characters on one line, without < or >.", maxEventLocation))
	}
	if e.URL != "" && !model.ValidWebLink(e.URL, maxEventURL) {
		f.Add("url", "Give a web address starting with http:// or https://.")
	}
	return e
}

// eventTime reads one of an event's times: local to loc, or with an offset.
func eventTime(f apperr.Fields, field, s string, loc *time.Location) (time.Time, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		f.Add(field, "Give the date and time.")
		return time.Time{}, false
	}
	s = strings.Replace(s, " ", "T", 1)
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t, err = time.Parse(EventLayout+"Z07:00", s)
	}
	if err != nil {
		t, err = time.ParseInLocation(EventLayout, s, loc)
	}
	if err != nil || t.Year() < 2000 || t.Year() > 9000 {
		f.Add(field, "Give a date and time such as 2026-12-03T18:30.")
		return time.Time{}, false
	}
	return t.UTC().Truncate(time.Minute), true
}

// checkNewEvent checks what only a new event must meet: it has not ended,
// and it is not years away.
func checkNewEvent(f apperr.Fields, e model.Event, now time.Time) {
	if f["starts_at"] != "" || f["ends_at"] != "" {
		return
	}
	switch {
	case e.Ended(now):
		f.Add("ends_at", "This event has already ended; check the date.")
	case e.StartsAt.After(now.Add(maxEventAhead)):
		f.Add("starts_at", "Schedule the event within the next five years.")
	}
}

// authorZone is the time zone an event takes when its input names none:
// the author's own when their profile shows it to everyone (the event
// shows its zone to all who may read it), else UTC.
func authorZone(ctx context.Context, q *store.Queries, userID int64) (string, error) {
	p, err := q.Profile(ctx, userID)
	if v, set := p.Visibility["time_zone"]; err != nil || !model.ValidTimeZone(p.TimeZone) || (set && v != model.VisibleEveryone) {
		return "UTC", err
	}
	return p.TimeZone, nil
}

// keepTimes keeps an event's saved times where the form gives them back
// unchanged: forms show local minutes, so a saved time with seconds, or in
// the hour a clock change repeats, would otherwise move when only the
// place is edited.
func keepTimes(old *model.Event, e *model.Event) {
	if old == nil || old.TimeZone != e.TimeZone {
		return
	}
	loc := e.Zone()
	same := func(a, b time.Time) bool { return a.In(loc).Format(EventLayout) == b.In(loc).Format(EventLayout) }
	if same(old.StartsAt, e.StartsAt) {
		e.StartsAt = old.StartsAt
	}
	if same(old.EndsAt, e.EndsAt) {
		e.EndsAt = old.EndsAt
	}
}

// Event returns an event the viewer may read, with its schedule and its
// space; an event without a schedule is not found.
func (s *Service) Event(ctx context.Context, v model.Viewer, topicID int64) (model.Topic, model.Space, error) {
	q := s.store.Read()
	sub, err := s.topicSubject(ctx, q, v, topicID, policy.ReadTopic)
	if err != nil {
		return model.Topic{}, model.Space{}, err
	}
	t := *sub.Topic
	if t.Kind == model.KindEvent {
		t.Event, err = q.Event(ctx, t.ID)
	}
	if err == nil && t.Event == nil {
		err = apperr.ErrNotFound
	}
	return t, sub.Space, err
}

// EventForm returns an event topic the viewer may reschedule, with its
// schedule, for the form that changes it.
func (s *Service) EventForm(ctx context.Context, v model.Viewer, topicID int64) (model.Topic, error) {
	q := s.store.Read()
	sub, err := s.eventSubject(ctx, q, v, topicID)
	if err != nil {
		return model.Topic{}, err
	}
	t := *sub.Topic
	t.Event, err = q.Event(ctx, t.ID)
	return t, err
}

// SetEvent changes an event's schedule and place. Its author and the
// space's moderators may (whoever may edit its opening post directly).
func (s *Service) SetEvent(ctx context.Context, v model.Viewer, topicID int64, in EventInput) (model.Topic, error) {
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.eventSubject(ctx, q, v, topicID)
		if err != nil {
			return err
		}
		old, err := q.Event(ctx, topicID)
		if err != nil {
			return err
		}
		var zone string
		if old != nil {
			zone = old.TimeZone
		} else if zone, err = authorZone(ctx, q, sub.Topic.AuthorID); err != nil {
			return err
		}
		f := apperr.Fields{}
		e := checkEvent(f, in, zone, old)
		// A new date must be ahead; fixing the place of a past event is fine.
		if old == nil || !old.StartsAt.Equal(e.StartsAt) || !old.EndsAt.Equal(e.EndsAt) {
			checkNewEvent(f, e, s.now())
		}
		if err := f.Err(); err != nil {
			return err
		}
		t = *sub.Topic
		t.Event = &e
		return q.SetEvent(ctx, topicID, e)
	})
	return t, err
}

// eventSubject loads an event topic whose opening post the viewer may
// edit directly; anything else is not found or forbidden, as editing is.
func (s *Service) eventSubject(ctx context.Context, q *store.Queries, v model.Viewer, topicID int64) (policy.Subject, error) {
	sub, err := s.topicSubject(ctx, q, v, topicID, policy.ReadTopic)
	if err != nil {
		return sub, err
	}
	if sub.Topic.Kind != model.KindEvent {
		return sub, apperr.ErrNotFound
	}
	p, err := q.OpeningPost(ctx, topicID)
	if err != nil {
		return sub, err
	}
	sub.Post = &p
	return sub, policy.Check(v, policy.EditPost, sub)
}

// eventView adds an event's schedule to its page, and whether the viewer
// may change it.
func (s *Service) eventView(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, view *TopicView) error {
	var err error
	if view.Topic.Event, err = q.Event(ctx, sub.Topic.ID); err != nil {
		return err
	}
	p, err := q.OpeningPost(ctx, sub.Topic.ID)
	sub.Post = &p
	view.CanEditEvent = err == nil && policy.Can(v, policy.EditPost, sub)
	return err
}

// EventsInput picks a page of events.
type EventsInput struct {
	// Space keeps one space's events (a slug).
	Space string
	// Past lists events that have ended, latest first, instead of the
	// upcoming ones, soonest first.
	Past   bool
	Cursor string
	Limit  int
}

// Events lists the events the viewer may read, each with its schedule.
func (s *Service) Events(ctx context.Context, v model.Viewer, in EventsInput) (List, error) {
	cur, err := DecodeCursor(in.Cursor)
	if err != nil {
		return List{}, err
	}
	limit := in.Limit
	if limit <= 0 || limit > MaxPage {
		limit = PageSize
	}
	q := s.store.Read()
	// Read as of the minute, so that a list is kept in the memo for a
	// minute at most (and until the lists change).
	f := store.EventFilter{At: s.now().Truncate(time.Minute), Past: in.Past, Cursor: cur, Limit: limit + 1}
	if in.Space != "" {
		sub, err := community.Subject(ctx, q, v, in.Space, policy.ReadContent)
		if err != nil {
			return List{}, err
		}
		f.SpaceID = sub.Space.ID
	}
	items, err := byReadable(ctx, s, q, v, "events:"+f.Key(), itemsWeight, func([]int64) ([]model.TopicItem, error) {
		items, err := q.Events(ctx, policy.ScopeOf(v), f)
		return slices.Clip(items), err
	}, pagecache.Lists)
	if err != nil {
		return List{}, err
	}
	out := List{Items: items}
	if len(items) > limit {
		out.Items = items[:limit]
		last := out.Items[limit-1].Topic
		out.Next = EncodeCursor(store.Cursor{At: last.Event.StartsAt, ID: last.ID})
	}
	return out, nil
}
