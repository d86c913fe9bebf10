package api

import (
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
)

// listEvents answers GET /events: the events the viewer may read, upcoming
// (soonest first) or, with past=true, ended (latest first).
func (h *Handler) listEvents(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > content.MaxPage {
		return apperr.Field("limit", "Use at most 100.")
	}
	q := r.URL.Query()
	past := false
	switch q.Get("past") {
	case "", "false":
	case "true":
		past = true
	default:
		return apperr.Field("past", "Use true or false.")
	}
	list, err := h.Content.Events(r.Context(), auth.ViewerFrom(r.Context()), content.EventsInput{Space: q.Get("space"), Past: past, Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, topicListJSON(list.Next, list.Items))
	return nil
}

// setEvent answers PUT /topics/{id}/event: the event's new schedule and
// place, for its author and the space's moderators.
func (h *Handler) setEvent(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in EventInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Content.SetEvent(r.Context(), auth.ViewerFrom(r.Context()), id, in.content())
	if err != nil {
		return err
	}
	return h.writeTopic(w, r, t.ID, http.StatusOK, false)
}
