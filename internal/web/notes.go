package web

import (
	"net/http"
	"strconv"

	"practica/internal/auth"
	"practica/internal/notify"
	"practica/internal/web/view"
)

// notifications lists the member's notifications. Opening the first page
// marks what it shows read, as an inbox does; unread ones are highlighted
// this once.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), auth.ViewerFrom(r.Context())
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	p, err := h.Inbox.List(ctx, v, max(before, 0), notify.DefaultPage)
	if err != nil {
		return err
	}
	c := h.chrome(r, "Notifications", "notifications")
	if before <= 0 && p.Unread > 0 && p.Newest > 0 {
		if c.Unread, err = h.Inbox.MarkRead(ctx, v, p.Newest); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, view.Notifications(view.NotificationsPage{Chrome: c, Items: p.Items, Next: p.Next}))
}

// readNotifications marks every notification read.
func (h *Handler) readNotifications(w http.ResponseWriter, r *http.Request) error {
	if _, err := h.Inbox.MarkRead(r.Context(), auth.ViewerFrom(r.Context()), 0); err != nil {
		return err
	}
	return h.redirect(w, r, "/notifications", "All notifications are marked read.")
}
