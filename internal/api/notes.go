package api

import (
	"net/http"
	"time"

	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
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
	n := Notification{ID: it.ID, Kind: string(it.Kind), TopicID: it.TopicID, PostID: it.PostID, Title: it.Subject(), Badge: it.Badge.Key,
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

// Watch is how closely the caller follows a topic, a space or a member.
type Watch struct {
	Target   string    `json:"target"`
	TargetID int64     `json:"target_id"`
	Level    string    `json:"level"`
	Since    time.Time `json:"since"`
}

// watch sets how closely the caller follows a topic or a space, from
// {"level": "watching" | "normal" | "muted"}.
func (h *Handler) watch(target model.WatchTarget) apiFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref := content.WatchRef{Target: target, Name: r.PathValue("slug")}
		if target == model.WatchTopic {
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			ref.ID = id
		}
		var in struct {
			Level string `json:"level"`
		}
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
		return h.setWatch(w, r, ref, model.WatchLevel(in.Level))
	}
}

// follow follows (PUT) or stops following (DELETE) a member: each topic
// they start, in a space the caller can read, is a notification.
func (h *Handler) follow(w http.ResponseWriter, r *http.Request) error {
	level := model.WatchNormal
	if r.Method == http.MethodPut {
		level = model.Watching
	}
	return h.setWatch(w, r, content.WatchRef{Target: model.WatchUser, Name: r.PathValue("username")}, level)
}

func (h *Handler) setWatch(w http.ResponseWriter, r *http.Request, ref content.WatchRef, level model.WatchLevel) error {
	got, err := h.Content.SetWatch(r.Context(), auth.ViewerFrom(r.Context()), ref, level)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Level string `json:"level"`
	}{string(got)})
	return nil
}

// watches lists what the caller watches, mutes or follows.
func (h *Handler) watches(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Content.Watches(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	out := make([]Watch, len(list))
	for i, x := range list {
		out[i] = Watch{Target: string(x.Target), TargetID: x.TargetID, Level: string(x.Level), Since: x.Created}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Watches []Watch `json:"watches"`
	}{out})
	return nil
}
