package api

import (
	"net/http"
	"strings"
	"time"

	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/model"
)

// SuggestedEdit is an edit waiting for review (or decided).
type SuggestedEdit struct {
	ID        int64     `json:"id"`
	PostID    int64     `json:"post_id"`
	AuthorID  int64     `json:"author_id"`
	Title     string    `json:"title,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Body      string    `json:"body"`
	Reason    string    `json:"reason"`
	Status    string    `json:"status"`
	Stale     bool      `json:"stale,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func suggestedEditJSON(e model.SuggestedEdit) SuggestedEdit {
	var tags []string
	if e.Tags != "" {
		tags = strings.Split(e.Tags, " ")
	}
	return SuggestedEdit{ID: e.ID, PostID: e.PostID, AuthorID: e.AuthorID, Title: e.Title, Tags: tags, Body: e.Body, Reason: e.Reason, Status: e.Status, CreatedAt: e.CreatedAt}
}

func (h *Handler) suggestedEdits(w http.ResponseWriter, r *http.Request) error {
	items, _, err := h.Content.ReviewQueue(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	out := []SuggestedEdit{}
	for _, it := range items {
		e := suggestedEditJSON(it.Edit)
		e.Stale = it.Stale
		out = append(out, e)
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Edits []SuggestedEdit `json:"edits"`
	}{out})
	return nil
}

func (h *Handler) decideEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	e, err := h.Content.DecideEdit(r.Context(), auth.ViewerFrom(r.Context()), id, strings.HasSuffix(r.URL.Path, "/approve"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, suggestedEditJSON(e))
	return nil
}

func (h *Handler) rollback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Revision int64 `json:"revision"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if _, err := h.Content.Rollback(r.Context(), auth.ViewerFrom(r.Context()), id, in.Revision); err != nil {
		return err
	}
	return h.writePost(w, r, id, http.StatusOK)
}

func (h *Handler) closeTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Reason string `json:"reason"`
	}
	closing := strings.HasSuffix(r.URL.Path, "/close")
	if closing {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	t, err := h.Content.Close(r.Context(), auth.ViewerFrom(r.Context()), id, in.Reason, closing)
	if err != nil {
		return err
	}
	return h.writeTopic(w, r, t.ID, http.StatusOK, true)
}

func (h *Handler) wiki(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Content.SetWiki(r.Context(), auth.ViewerFrom(r.Context()), id, r.Method == http.MethodPut); err != nil {
		return err
	}
	return h.writePost(w, r, id, http.StatusOK)
}
