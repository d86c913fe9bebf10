package api

import (
	"net/http"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/markup"
	"practica/internal/messages"
	"practica/internal/model"
)

// Conversation is the JSON form of a direct-message conversation.
type Conversation struct {
	ID int64 `json:"id"`
	// Title is what a group was called; Name is what to show: the title,
	// else the other participants' names.
	Title         string          `json:"title"`
	Name          string          `json:"name"`
	Group         bool            `json:"group"`
	Participants  []Participant   `json:"participants"`
	MessageCount  int64           `json:"message_count"`
	LastMessageAt time.Time       `json:"last_message_at"`
	LastMessage   *MessageExcerpt `json:"last_message,omitempty"`
	Unread        bool            `json:"unread"`
	URL           string          `json:"url"`
}

// Participant is a member of a conversation.
type Participant struct {
	User UserRef `json:"user"`
	Left bool    `json:"left"`
}

// MessageExcerpt is the start of a conversation's latest message.
type MessageExcerpt struct {
	ID       int64  `json:"id"`
	AuthorID int64  `json:"author_id"`
	Excerpt  string `json:"excerpt"`
}

// Message is the JSON form of a direct message.
type Message struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	Author         UserRef   `json:"author"`
	Body           string    `json:"body"`
	BodyHTML       string    `json:"body_html"`
	CreatedAt      time.Time `json:"created_at"`
}

func conversationJSON(c model.Conversation, parts []model.Participant, viewer int64) Conversation {
	out := Conversation{ID: c.ID, Title: c.Title, Group: c.Group, MessageCount: c.MessageCount, LastMessageAt: c.LastMessageAt, URL: c.Path(),
		Participants: make([]Participant, len(parts))}
	var others []model.Participant
	for i, p := range parts {
		out.Participants[i] = Participant{User: userRefJSON(p.User), Left: !p.In()}
		if p.User.ID != viewer {
			others = append(others, p)
		}
	}
	out.Name = messages.Name(c, others)
	return out
}

func messageJSON(m model.Message, author model.UserRef) Message {
	return Message{ID: m.ID, ConversationID: m.ConversationID, Author: userRefJSON(author), Body: m.Body, BodyHTML: m.BodyHTML, CreatedAt: m.CreatedAt}
}

// listConversations answers GET /api/v1/conversations: the caller's
// conversations, the latest first; ?before= pages.
func (h *Handler) listConversations(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	items, next, err := h.Messages.Inbox(r.Context(), v, int64(before))
	if err != nil {
		return err
	}
	out := struct {
		Conversations []Conversation `json:"conversations"`
		NextCursor    int64          `json:"next_cursor,omitempty"`
	}{Conversations: make([]Conversation, len(items)), NextCursor: next}
	for i, it := range items {
		c := conversationJSON(it.Conversation, it.Others, v.UserID())
		c.Unread = it.Unread()
		if it.Last.ID != 0 {
			c.LastMessage = &MessageExcerpt{ID: it.Last.ID, AuthorID: it.Last.AuthorID, Excerpt: markup.Excerpt(it.Last.Body, 140)}
		}
		out.Conversations[i] = c
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// startConversation answers POST /api/v1/conversations.
func (h *Handler) startConversation(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	var in struct {
		To    []string `json:"to"`
		Title string   `json:"title"`
		Body  string   `json:"body"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Limits.Messaging(v, true); err != nil {
		return err
	}
	c, err := h.Messages.Start(r.Context(), v, messages.StartInput{To: strings.Join(in.To, " "), Title: in.Title, Body: in.Body})
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, c.ID, http.StatusCreated)
}

// getConversation answers GET /api/v1/conversations/{id}: a page of its
// messages, oldest first; ?before= pages back. Reading marks them read.
func (h *Handler) getConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.writeConversation(w, r, id, http.StatusOK)
}

func (h *Handler) writeConversation(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	v := auth.ViewerFrom(r.Context())
	before, err := queryInt(r, "before")
	if err != nil {
		return err
	}
	cv, err := h.Messages.Conversation(r.Context(), v, id, int64(before))
	if err != nil {
		return err
	}
	people := map[int64]model.UserRef{}
	for _, p := range cv.Participants {
		people[p.User.ID] = p.User
	}
	out := struct {
		Conversation Conversation `json:"conversation"`
		Messages     []Message    `json:"messages"`
		Older        int64        `json:"older_cursor,omitempty"`
		CanWrite     bool         `json:"can_write"`
	}{Conversation: conversationJSON(cv.Conversation, cv.Participants, v.UserID()), Messages: make([]Message, len(cv.Messages)), Older: cv.Older, CanWrite: cv.CanWrite}
	for i, m := range cv.Messages {
		out.Messages[i] = messageJSON(m, people[m.AuthorID])
	}
	httpx.WriteJSON(w, status, out)
	return nil
}

// sendMessage answers POST /api/v1/conversations/{id}/messages.
func (h *Handler) sendMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Limits.Messaging(v, false); err != nil {
		return err
	}
	m, err := h.Messages.Send(r.Context(), v, id, in.Body)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, messageJSON(m, v.User.Ref()))
	return nil
}

// addParticipants answers POST /api/v1/conversations/{id}/participants.
func (h *Handler) addParticipants(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		To []string `json:"to"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Messages.Add(r.Context(), auth.ViewerFrom(r.Context()), id, strings.Join(in.To, " ")); err != nil {
		return err
	}
	return h.writeConversation(w, r, id, http.StatusOK)
}

// leaveConversation answers POST /api/v1/conversations/{id}/leave.
func (h *Handler) leaveConversation(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Messages.Leave(r.Context(), auth.ViewerFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// reportMessage answers POST /api/v1/messages/{id}/report.
func (h *Handler) reportMessage(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := h.Messages.Report(r.Context(), auth.ViewerFrom(r.Context()), 0, id, in.Reason); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MessageReport is an open report, for staff.
type MessageReport struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	Message        Message   `json:"message"`
	Reporter       UserRef   `json:"reporter"`
	Reason         string    `json:"reason"`
	CreatedAt      time.Time `json:"created_at"`
}

// listReports answers GET /api/v1/message-reports (staff).
func (h *Handler) listReports(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Messages.Reports(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	out := struct {
		Reports []MessageReport `json:"reports"`
	}{Reports: make([]MessageReport, len(list))}
	for i, mr := range list {
		out.Reports[i] = MessageReport{ID: mr.ID, ConversationID: mr.Conversation, Message: messageJSON(mr.Message, mr.Author), Reporter: userRefJSON(mr.Reporter),
			Reason: mr.Reason, CreatedAt: mr.CreatedAt}
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// resolveReports answers POST /api/v1/conversations/{id}/resolve (staff).
func (h *Handler) resolveReports(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Messages.Resolve(r.Context(), auth.ViewerFrom(r.Context()), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// block answers PUT and DELETE /api/v1/users/{username}/block.
func (h *Handler) block(w http.ResponseWriter, r *http.Request) error {
	if err := h.Messages.Block(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("username"), r.Method == http.MethodPut); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// MessageSettings is who may start a conversation with the caller, and
// whom they blocked.
type MessageSettings struct {
	Messages string    `json:"messages"`
	Blocked  []UserRef `json:"blocked"`
}

// messageSettings answers GET /api/v1/me/message-settings.
func (h *Handler) messageSettings(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	u, err := h.Auth.UserByID(r.Context(), v.UserID())
	if err != nil {
		return err
	}
	blocked, err := h.Messages.Blocked(r.Context(), v)
	if err != nil {
		return err
	}
	out := MessageSettings{Messages: string(u.MessagesFrom), Blocked: make([]UserRef, len(blocked))}
	for i, b := range blocked {
		out.Blocked[i] = userRefJSON(b)
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// setMessageSettings answers PUT /api/v1/me/message-settings.
func (h *Handler) setMessageSettings(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Messages string `json:"messages"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Messages.SetFrom(r.Context(), auth.ViewerFrom(r.Context()), model.MessagesFrom(in.Messages)); err != nil {
		return err
	}
	return h.messageSettings(w, r)
}
