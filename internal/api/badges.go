package api

import (
	"net/http"
	"strconv"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
	"practica/internal/store"
)

// Badge is a badge with how often it was awarded.
type Badge struct {
	Key     string `json:"key"`
	Name    string `json:"name"`
	Tier    string `json:"tier"`
	About   string `json:"about"`
	PerPost bool   `json:"per_post"`
	Awarded int64  `json:"awarded"`
}

// BadgeAward is one award of a badge.
type BadgeAward struct {
	Badge     string    `json:"badge"`
	User      UserRef   `json:"user"`
	PostID    int64     `json:"post_id,omitempty"`
	TopicID   int64     `json:"topic_id,omitempty"`
	Title     string    `json:"title,omitempty"`
	AwardedAt time.Time `json:"awarded_at"`
}

func awardsJSON(awards []store.BadgeAward) []BadgeAward {
	out := make([]BadgeAward, len(awards))
	for i, a := range awards {
		out[i] = BadgeAward{Badge: a.Badge, User: userRefJSON(a.User), PostID: a.PostID, TopicID: a.Topic.ID, Title: a.Topic.Title, AwardedAt: a.AwardedAt}
	}
	return out
}

func (h *Handler) badges(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Content.Badges(r.Context())
	if err != nil {
		return err
	}
	out := make([]Badge, len(list))
	for i, b := range list {
		out[i] = Badge{Key: b.Key, Name: b.Name, Tier: string(b.Tier), About: b.About, PerPost: b.PerPost, Awarded: b.Awarded}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Badges []Badge `json:"badges"`
	}{out})
	return nil
}

func (h *Handler) badgeRecipients(w http.ResponseWriter, r *http.Request) error {
	_, awards, err := h.Content.BadgeRecipients(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("key"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Awards []BadgeAward `json:"awards"`
	}{awardsJSON(awards)})
	return nil
}

func (h *Handler) userBadges(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	u, _, err := h.Content.Profile(r.Context(), v, r.PathValue("username"))
	if err != nil {
		return err
	}
	awards, err := h.Content.UserBadges(r.Context(), v, u.ID)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Awards []BadgeAward `json:"awards"`
	}{awardsJSON(awards)})
	return nil
}

// Leader is one row of a leaderboard.
type Leader struct {
	User   UserRef `json:"user"`
	Points int64   `json:"points"`
}

func (h *Handler) leaderboard(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	board, err := h.Content.Leaderboard(r.Context(), auth.ViewerFrom(r.Context()), content.LeaderboardInput{Period: q.Get("period"), Space: q.Get("space"), Tag: q.Get("tag")})
	if err != nil {
		return err
	}
	out := make([]Leader, len(board.Leaders))
	for i, l := range board.Leaders {
		out[i] = Leader{User: userRefJSON(l.User), Points: l.Points}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Period  string   `json:"period"`
		Leaders []Leader `json:"leaders"`
	}{board.Input.Period, out})
	return nil
}

func (h *Handler) answerInvites(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	users, err := h.Content.AnswerInvites(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	return writeInvited(w, http.StatusOK, users)
}

func (h *Handler) inviteToAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Usernames []string `json:"usernames"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	names := ""
	for _, n := range in.Usernames {
		names += n + " "
	}
	v := auth.ViewerFrom(r.Context())
	if err := h.Limits.Posting(v); err != nil {
		return err
	}
	users, err := h.Content.InviteToAnswer(r.Context(), v, id, names)
	if err != nil {
		return err
	}
	return writeInvited(w, http.StatusCreated, users)
}

func writeInvited(w http.ResponseWriter, status int, users []model.UserRef) error {
	out := make([]UserRef, len(users))
	for i, u := range users {
		out[i] = userRefJSON(u)
	}
	httpx.WriteJSON(w, status, struct {
		Users []UserRef `json:"users"`
	}{out})
	return nil
}

func (h *Handler) setPrivileges(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Settings map[string]int64 `json:"settings"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if len(in.Settings) == 0 {
		return apperr.Field("settings", "Give at least one setting to change.")
	}
	values := map[string]string{}
	for k, n := range in.Settings {
		values[k] = strconv.FormatInt(n, 10)
	}
	if _, err := h.Content.SetReputationConfig(r.Context(), auth.ViewerFrom(r.Context()), values); err != nil {
		return err
	}
	return h.privileges(w, r)
}
