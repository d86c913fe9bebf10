package api

import (
	"net/http"
	"time"

	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/notify"
)

// Notification is the JSON form of a notification. Topic and post are
// what it is about (absent for a badge); url leads there.
type Notification struct {
	ID        int64      `json:"id"`
	Kind      string     `json:"kind"`
	Actor     *UserRef   `json:"actor"`
	TopicID   int64      `json:"topic_id,omitempty"`
	PostID    int64      `json:"post_id,omitempty"`
	Title     string     `json:"title,omitempty"`
	Badge     string     `json:"badge,omitempty"`
	URL       string     `json:"url"`
	CreatedAt time.Time  `json:"created_at"`
	ReadAt    *time.Time `json:"read_at"`
}

func notificationJSON(it notify.Item) Notification {
	n := Notification{ID: it.ID, Kind: string(it.Kind), TopicID: it.TopicID, PostID: it.PostID, Title: it.Topic.Title, Badge: it.Badge.Key,
		URL: it.Link(), CreatedAt: it.CreatedAt, ReadAt: it.ReadAt}
	if it.Actor.Username != "" {
		a := userRefJSON(it.Actor)
		n.Actor = &a
	}
	return n
}

// notifications lists the caller's notifications, newest first; ?before= is
// the cursor of the next page. Listing marks nothing read.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) error {
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	p, err := h.Inbox.List(r.Context(), auth.ViewerFrom(r.Context()), int64(before), limit)
	if err != nil {
		return err
	}
	out := make([]Notification, len(p.Items))
	for i, it := range p.Items {
		out[i] = notificationJSON(it)
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Notifications []Notification `json:"notifications"`
		Unread        int            `json:"unread"`
		Next          int64          `json:"next,omitempty"`
	}{out, p.Unread, p.Next})
	return nil
}

// readNotifications marks the caller's notifications read up to and
// including up_to (all of them when it is 0 or absent).
func (h *Handler) readNotifications(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		UpTo int64 `json:"up_to"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	unread, err := h.Inbox.MarkRead(r.Context(), auth.ViewerFrom(r.Context()), in.UpTo)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Unread int `json:"unread"`
	}{unread})
	return nil
}

// notificationSettings answers how the caller hears of each kind:
// "email" (in the app and by email), "app" or "off".
func (h *Handler) notificationSettings(w http.ResponseWriter, r *http.Request) error {
	prefs, err := h.Inbox.Prefs(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, prefs)
	return nil
}

// setNotificationSettings changes the kinds the body names and answers
// every kind's setting.
func (h *Handler) setNotificationSettings(w http.ResponseWriter, r *http.Request) error {
	var in map[string]string
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	prefs, err := h.Inbox.SetPrefs(r.Context(), auth.ViewerFrom(r.Context()), in)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, prefs)
	return nil
}
