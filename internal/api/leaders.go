package api

import (
	"net/http"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/model"
)

// JoinRequest is a pending request to join a private space.
type JoinRequest struct {
	ID        int64     `json:"id"`
	User      UserRef   `json:"user"`
	Message   string    `json:"message"`
	CreatedAt time.Time `json:"created_at"`
}

// Invite is a live invitation link (its secret is shown only when created).
type Invite struct {
	ID        int64     `json:"id"`
	Uses      int64     `json:"uses"`
	MaxUses   int64     `json:"max_uses"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// NewInvite is a freshly created invitation: the path to share, once.
type NewInvite struct {
	Path string `json:"path"`
}

// Tag is a tag with how many readable topics carry it.
type Tag struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	TopicCount  int64  `json:"topic_count"`
}

func (h *Handler) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Role string `json:"role"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	role := model.SpaceRole(in.Role)
	if role != model.SpaceLeader && role != model.SpaceMember {
		return apperr.Field("role", "Use leader or member.")
	}
	return h.changeMember(w, r, role)
}

func (h *Handler) removeMember(w http.ResponseWriter, r *http.Request) error {
	return h.changeMember(w, r, model.SpaceNone)
}

func (h *Handler) changeMember(w http.ResponseWriter, r *http.Request, role model.SpaceRole) error {
	err := h.Community.SetMemberRole(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"), r.PathValue("username"), role)
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) joinRequests(w http.ResponseWriter, r *http.Request) error {
	reqs, err := h.Community.JoinRequests(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	out := make([]JoinRequest, len(reqs))
	for i, jr := range reqs {
		out[i] = JoinRequest{ID: jr.ID, User: userRefJSON(jr.User.Ref()), Message: jr.Message, CreatedAt: jr.CreatedAt}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Requests []JoinRequest `json:"requests"`
	}{out})
	return nil
}

func (h *Handler) decideRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	approve := strings.HasSuffix(r.URL.Path, "/approve")
	if err := h.Community.DecideJoinRequest(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"), id, approve); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) invites(w http.ResponseWriter, r *http.Request) error {
	invs, err := h.Community.Invites(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	out := make([]Invite, len(invs))
	for i, inv := range invs {
		out[i] = Invite{ID: inv.ID, Uses: inv.Uses, MaxUses: inv.MaxUses, CreatedAt: inv.CreatedAt, ExpiresAt: inv.ExpiresAt}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Invites []Invite `json:"invites"`
	}{out})
	return nil
}

func (h *Handler) createInvite(w http.ResponseWriter, r *http.Request) error {
	secret, err := h.Community.CreateInvite(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, NewInvite{Path: "/invite/" + secret})
	return nil
}

func (h *Handler) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Community.RevokeInvite(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	sp, err := h.Community.AcceptInvite(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("secret"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, spaceJSON(sp, model.SpaceMember))
	return nil
}

func (h *Handler) tags(w http.ResponseWriter, r *http.Request) error {
	tags, err := h.Content.PopularTags(r.Context(), auth.ViewerFrom(r.Context()), 200)
	if err != nil {
		return err
	}
	out := make([]Tag, len(tags))
	for i, t := range tags {
		out[i] = Tag{Name: t.Name, Description: t.Description, TopicCount: t.TopicCount}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Tags []Tag `json:"tags"`
	}{out})
	return nil
}
