package web

import (
	"net/http"
	"strconv"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/messages"
	"practica/internal/model"
	"practica/internal/web/view"
)

// inbox lists the viewer's conversations (GET /messages).
func (h *Handler) inbox(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	items, next, err := h.Messages.Inbox(r.Context(), auth.ViewerFrom(r.Context()), max(before, 0))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Messages(view.MessagesPage{Chrome: h.chrome(r, "Messages", "messages"), Items: items, Next: next}))
}

// newMessage shows the form that starts a conversation; ?to= fills it.
func (h *Handler) newMessage(w http.ResponseWriter, r *http.Request) error {
	if auth.ViewerFrom(r.Context()).Guest() {
		return apperr.ErrSignIn
	}
	f := view.Form{Values: map[string]string{"to": r.URL.Query().Get("to")}}
	return h.render(w, r, http.StatusOK, view.NewMessage(view.NewMessagePage{Chrome: h.chrome(r, "New message", "messages"), Form: f}))
}

// startConversation sends the first message (POST /messages/new).
func (h *Handler) startConversation(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	f := form(r, "to", "title", "body")
	err := h.Limits.Messaging(v, true)
	var c model.Conversation
	if err == nil {
		c, err = h.Messages.Start(r.Context(), v, messages.StartInput{To: f.Get("to"), Title: f.Get("title"), Body: f.Get("body")})
	}
	if err != nil {
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.NewMessage(view.NewMessagePage{Chrome: h.chrome(r, "New message", "messages"), Form: f}))
	}
	return h.redirect(w, r, c.Path()+"#messages-end", "Sent.")
}

// conversation shows one conversation (GET /messages/{id}).
func (h *Handler) conversation(w http.ResponseWriter, r *http.Request) error {
	return h.renderConversation(w, r, view.Form{}, view.Form{}, http.StatusOK)
}

// renderConversation shows a conversation with its forms: the reply (f)
// and the one that adds people (add).
func (h *Handler) renderConversation(w http.ResponseWriter, r *http.Request, f, add view.Form, status int) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	cv, err := h.Messages.Conversation(r.Context(), v, id, max(before, 0))
	if err != nil {
		return err
	}
	p := view.ConversationPage{Chrome: h.chrome(r, "Messages", "messages"), View: cv, Form: f, Add: add, People: map[int64]model.UserRef{}}
	for _, pt := range cv.Participants {
		p.People[pt.User.ID] = pt.User
	}
	p.Chrome.Title = messages.Name(cv.Conversation, cv.Others(v.UserID()))
	return h.render(w, r, status, view.Conversation(p))
}

// sendMessage writes in a conversation (POST /messages/{id}).
func (h *Handler) sendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	f := form(r, "body")
	err = h.Limits.Messaging(v, false)
	var m model.Message
	if err == nil {
		m, err = h.Messages.Send(r.Context(), v, id, f.Get("body"))
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		return h.renderConversation(w, r, f, view.Form{}, formStatus(err))
	}
	return h.redirect(w, r, "/messages/"+strconv.FormatInt(id, 10)+"#m"+strconv.FormatInt(m.ID, 10), "")
}

// addPeople brings members into a group (POST /messages/{id}/add).
func (h *Handler) addPeople(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := form(r, "to")
	if err := h.Messages.Add(r.Context(), auth.ViewerFrom(r.Context()), id, f.Get("to")); err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		return h.renderConversation(w, r, view.Form{}, f, formStatus(err))
	}
	return h.redirect(w, r, "/messages/"+strconv.FormatInt(id, 10), "Added.")
}

// leaveConversation takes the viewer out (POST /messages/{id}/leave).
func (h *Handler) leaveConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Messages.Leave(r.Context(), auth.ViewerFrom(r.Context()), id); err != nil {
		return err
	}
	return h.redirect(w, r, "/messages", "You left the conversation.")
}

// reportMessage sends a message to the moderators (POST /messages/{id}/report).
func (h *Handler) reportMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	back := "/messages/" + strconv.FormatInt(id, 10)
	mid, err := strconv.ParseInt(r.PostFormValue("message"), 10, 64)
	if err != nil {
		return errNotFound
	}
	_, err = h.Messages.Report(r.Context(), auth.ViewerFrom(r.Context()), id, mid, r.PostFormValue("reason"))
	if err != nil {
		return h.flashBack(w, r, back, err)
	}
	return h.redirect(w, r, back, "Reported. The moderators will look at it.")
}

// resolveReports closes a conversation's reports, for staff.
func (h *Handler) resolveReports(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Messages.Resolve(r.Context(), auth.ViewerFrom(r.Context()), id); err != nil {
		return err
	}
	return h.redirect(w, r, "/messages/reports", "Resolved.")
}

// reports lists the reported messages, for staff.
func (h *Handler) reports(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Messages.Reports(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Reports(view.ReportsPage{Chrome: h.chrome(r, "Reported messages", "messages"), Reports: list}))
}

// block blocks or unblocks a member (POST /u/{name}/block, block=1 or 0).
func (h *Handler) block(w http.ResponseWriter, r *http.Request) error {
	name := r.PathValue("name")
	on := r.PostFormValue("block") != "0"
	if err := h.Messages.Block(r.Context(), auth.ViewerFrom(r.Context()), name, on); err != nil {
		return h.flashBack(w, r, "/u/"+name, err)
	}
	msg := "Blocked: they cannot start a conversation with you, and their messages are folded away."
	if !on {
		msg = "Unblocked."
	}
	to := "/u/" + name
	if r.PostFormValue("back") == "settings" {
		to = "/settings#messages-h"
	}
	return h.redirect(w, r, to, msg)
}

// saveMessageSettings chooses who may start a conversation with the viewer.
func (h *Handler) saveMessageSettings(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if err := h.Messages.SetFrom(r.Context(), v, model.MessagesFrom(r.PostFormValue("messages"))); err != nil {
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Messages = f }, form(r, "messages"))
	}
	return h.redirect(w, r, "/settings#messages-h", "Message settings saved.")
}
