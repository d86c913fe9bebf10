package web

import (
	"net/http"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/web/view"
)

// eventFields are the form fields of an event's schedule and place.
var eventFields = []string{"starts_at", "ends_at", "time_zone", "location", "url"}

// eventInput reads an event's schedule and place from a form.
func eventInput(f view.Form) content.EventInput {
	return content.EventInput{Starts: f.Get("starts_at"), Ends: f.Get("ends_at"), TimeZone: f.Get("time_zone"), Location: f.Get("location"), URL: f.Get("url")}
}

// eventList lists the events the viewer may see (GET /events): upcoming, or
// with ?past=1 the ones that ended; ?space= keeps one space's.
func (h *Handler) eventList(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	q := r.URL.Query()
	in := content.EventsInput{Space: q.Get("space"), Past: q.Get("past") != "", Cursor: q.Get("after")}
	list, err := h.Content.Events(r.Context(), v, in)
	if apperr.KindOf(err) == apperr.Invalid {
		// A cursor that does not parse starts the list over.
		in.Cursor = ""
		list, err = h.Content.Events(r.Context(), v, in)
	}
	if err != nil {
		return err
	}
	p := view.EventsPage{Chrome: h.lean(r, "Events", "events"), List: list, Past: in.Past, Space: in.Space}
	if in.Space != "" {
		sv, err := h.Community.Space(r.Context(), v, in.Space)
		if err != nil {
			return err
		}
		p.SpaceName = sv.Space.Name
	}
	return h.render(w, r, http.StatusOK, view.Events(p))
}

// upcomingShown is how many events the side of a list shows.
const upcomingShown = 3

// upcoming returns the next few events the viewer may see (in one space,
// when given) for the side of a list's first page; a later page, which
// only its rows are taken from, needs none.
func (h *Handler) upcoming(r *http.Request, space string) ([]model.TopicItem, error) {
	if r.URL.Query().Get("after") != "" {
		return nil, nil
	}
	list, err := h.Content.Events(r.Context(), auth.ViewerFrom(r.Context()), content.EventsInput{Space: space, Limit: upcomingShown})
	return list.Items, err
}

// eventFile serves one event as an iCalendar file (GET /events/{id}.ics),
// for "Add to calendar".
func (h *Handler) eventFile(w http.ResponseWriter, r *http.Request) error {
	ref, ok := strings.CutSuffix(r.PathValue("ref"), ".ics")
	id, err := strconv.ParseInt(ref, 10, 64)
	if !ok || err != nil || id <= 0 {
		return errNotFound
	}
	t, _, err := h.Content.Event(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/calendar; charset=utf-8")
	w.Header().Set("Content-Disposition", "attachment; filename=event-"+ref+".ics")
	w.Header().Set("Cache-Control", "private, no-cache")
	_, err = w.Write([]byte(icalendar(h.Content.BaseURL, time.Now(), t)))
	return err
}

// eventForm shows the form that changes an event's date and place.
func (h *Handler) eventForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.Content.EventForm(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	f := view.Form{Values: map[string]string{}}
	if t.Event != nil {
		f.Values = view.EventValues(*t.Event)
	}
	return h.render(w, r, http.StatusOK, view.EventForm(view.EventFormPage{Chrome: h.chrome(r, "Date and place", ""), Form: f, Topic: t}))
}

// setEvent saves an event's date and place.
func (h *Handler) setEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	f := form(r, eventFields...)
	t, err := h.Content.SetEvent(r.Context(), v, id, eventInput(f))
	if err == nil {
		return h.redirect(w, r, t.Path(), "Date and place saved.")
	}
	if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
		return err
	}
	status := formStatus(err)
	if t, err = h.Content.EventForm(r.Context(), v, id); err != nil {
		return err
	}
	return h.render(w, r, status, view.EventForm(view.EventFormPage{Chrome: h.chrome(r, "Date and place", ""), Form: f, Topic: t}))
}
