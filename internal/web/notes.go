package web

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/pagecache"
	"practica/internal/web/view"
)

// notifications lists the member's notifications. Opening a page marks
// what it shows read, as an inbox does; unread ones are highlighted this
// once.
func (h *Handler) notifications(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), auth.ViewerFrom(r.Context())
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	p, err := h.Inbox.List(ctx, v, max(before, 0), notify.DefaultPage)
	if err != nil {
		return err
	}
	c := h.chrome(r, "Notifications", "notifications")
	if len(p.Looked) > 0 {
		if c.Unread, err = h.Inbox.MarkSeen(ctx, v, p.Looked); err != nil {
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

// Server-sent events: how long one stream lasts before the browser opens a
// new one (which checks the session again), and how often a comment keeps
// proxies from closing a quiet one.
const (
	streamFor     = 10 * time.Minute
	streamPing    = 25 * time.Second
	streamRetryMS = 5000
)

// events streams the member's unread notification count to an open page:
// one event at once, then one whenever it may have changed. A guest gets
// 204, which tells EventSource not to try again; a member with too many
// streams open gets 429.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) error {
	ctx, v := r.Context(), auth.ViewerFrom(r.Context())
	if v.Guest() {
		w.WriteHeader(http.StatusNoContent)
		return nil
	}
	changed, cancel, ok := h.Live.Subscribe(v.UserID())
	defer cancel()
	if !ok {
		return apperr.New(apperr.TooMany, "Too many pages are open.")
	}
	rc := http.NewResponseController(w)
	// The server's timeouts are for requests that end; this one does not,
	// and a read deadline passing would cancel its context.
	_ = rc.SetReadDeadline(time.Time{})
	_ = rc.SetWriteDeadline(time.Time{})
	hd := w.Header()
	hd.Set("Content-Type", "text/event-stream")
	hd.Set("Cache-Control", "no-store")
	hd.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	fmt.Fprintf(w, "retry: %d\n\n", streamRetryMS)
	send := func() error {
		n, err := h.Inbox.Unread(ctx, v)
		if err != nil {
			return err
		}
		c, err := h.Messages.Unread(ctx, v)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "event: notifications\ndata: {\"unread\":%d,\"conversations\":%d}\n\n", n, c)
		return rc.Flush()
	}
	ping, end := time.NewTicker(streamPing), time.NewTimer(streamFor)
	defer ping.Stop()
	defer end.Stop()
	for err := send(); err == nil; {
		select {
		case _, open := <-changed:
			if !open {
				return nil
			}
			err = send()
		case <-ping.C:
			fmt.Fprint(w, ": ping\n\n")
			err = rc.Flush()
		case <-end.C:
			return nil
		case <-ctx.Done():
			return nil
		}
	}
	return nil
}

// saveNotifications stores how the member hears of each kind.
func (h *Handler) saveNotifications(w http.ResponseWriter, r *http.Request) error {
	prefs := map[string]string{}
	for key, vals := range r.PostForm {
		if kind, ok := strings.CutPrefix(key, "note."); ok && len(vals) > 0 {
			prefs[kind] = vals[0]
		}
	}
	if _, err := h.Inbox.SetPrefs(r.Context(), auth.ViewerFrom(r.Context()), prefs); err != nil {
		return h.flashBack(w, r, "/settings#notifications", err)
	}
	return h.redirect(w, r, "/settings#notifications", "Notification settings saved.")
}

// unsubscribe shows, then performs, a one-click unsubscribe from an email.
// The link is the proof: no session is needed. Mail clients that support
// RFC 8058 post to it directly.
func (h *Handler) unsubscribe(w http.ResponseWriter, r *http.Request) error {
	pagecache.Skip(r.Context()) // it names the member's address
	token := r.PathValue("token")
	u, err := h.Inbox.Unsubscribed(r.Context(), token)
	if err != nil {
		return err
	}
	list := r.URL.Query().Get("list")
	p := view.UnsubscribePage{Chrome: h.chrome(r, "Unsubscribe", ""), Email: u.Email, Token: token, Digest: list == notify.DigestList}
	if r.Method == http.MethodPost {
		if err := h.Inbox.Unsubscribe(r.Context(), token, list); err != nil {
			return err
		}
		p.Done = true
	}
	return h.render(w, r, http.StatusOK, view.Unsubscribe(p))
}

// watch sets how closely the member follows a topic (/t/{id}/watch), a
// space (/s/{slug}/watch) or a member (/u/{name}/follow) and returns to it.
func (h *Handler) watch(target model.WatchTarget) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ref, back := content.WatchRef{Target: target}, ""
		switch target {
		case model.WatchTopic:
			id, err := pathID(r, "id")
			if err != nil {
				return err
			}
			ref.ID, back = id, "/t/"+strconv.FormatInt(id, 10)
		case model.WatchSpace:
			ref.Name, back = r.PathValue("slug"), "/s/"+url.PathEscape(r.PathValue("slug"))
		default:
			ref.Name, back = r.PathValue("name"), "/u/"+url.PathEscape(r.PathValue("name"))
		}
		level := model.WatchLevel(r.PostFormValue("level"))
		if _, err := h.Content.SetWatch(r.Context(), auth.ViewerFrom(r.Context()), ref, level); err != nil {
			if apperr.KindOf(err) == apperr.NotFound {
				return err
			}
			return h.flashBack(w, r, back, err)
		}
		return h.redirect(w, r, back, watchMessage(target, level))
	}
}

func watchMessage(target model.WatchTarget, level model.WatchLevel) string {
	switch {
	case target == model.WatchUser && level == model.Watching:
		return "You follow them now: you hear of each topic they start."
	case target == model.WatchUser:
		return "You no longer follow them."
	case level == model.Watching && target == model.WatchTopic:
		return "You are watching this topic: you hear of every new post."
	case level == model.Watching:
		return "You are watching this space: you hear of every new topic."
	case level == model.Muted:
		return "Muted: you hear nothing more of it unless someone mentions you."
	}
	return "Back to normal: you hear of replies to you and mentions."
}

// adminDigest previews the digest a member (?user=, the admin by default)
// would get now.
func (h *Handler) adminDigest(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	name := r.URL.Query().Get("user")
	if name == "" && v.User != nil {
		name = v.User.Username
	}
	m, d, err := h.Content.PreviewDigest(r.Context(), v, name)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.AdminDigest(view.AdminDigestPage{Chrome: h.chrome(r, "Digest", "admin"), Username: name, Mail: m, Empty: d.Empty()}))
}

// mentions suggests members to mention, as a list the composer shows under
// the text (app.js): ?q= is what follows the @, and topic=, post= or
// space= say where the post goes.
func (h *Handler) mentions(w http.ResponseWriter, r *http.Request) error {
	query := r.URL.Query()
	topicID, _ := strconv.ParseInt(query.Get("topic"), 10, 64)
	postID, _ := strconv.ParseInt(query.Get("post"), 10, 64)
	users, err := h.Content.SuggestMentions(r.Context(), auth.ViewerFrom(r.Context()),
		content.MentionQuery{Prefix: query.Get("q"), TopicID: max(topicID, 0), PostID: max(postID, 0), Space: query.Get("space")})
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return view.MentionOptions(users).Render(r.Context(), w)
}
