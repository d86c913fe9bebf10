package api

import (
	"errors"
	"io"
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
)

// MemberList is a page of the member directory.
type MemberList struct {
	Users []User `json:"users"`
	Page  int    `json:"page"`
	// NextPage is set when there are more.
	NextPage int `json:"next_page,omitempty"`
}

// directory answers GET /api/v1/users: the member directory, with the
// web page's filters and sorts.
func (h *Handler) directory(w http.ResponseWriter, r *http.Request) error {
	page, err := queryInt(r, "page")
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if n := q.Get("new"); n != "" && n != "month" {
		return apperr.Field("new", "Use new=month.")
	}
	dir, err := h.Content.Directory(r.Context(), auth.ViewerFrom(r.Context()), content.DirectoryInput{Query: q.Get("q"), Expertise: q.Get("expertise"),
		Interest: q.Get("interest"), Location: q.Get("location"), Space: q.Get("space"), Role: q.Get("role"), New: q.Get("new") == "month",
		Sort: q.Get("sort"), Page: page})
	if err != nil {
		return err
	}
	out := MemberList{Users: make([]User, len(dir.Members)), Page: dir.Page}
	for i, m := range dir.Members {
		out.Users[i] = userJSON(m.User, m.Profile)
	}
	if dir.More {
		out.NextPage = dir.Page + 1
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// AnswerItem is one of a member's answers, with its question.
type AnswerItem struct {
	Post     Post  `json:"post"`
	Topic    Topic `json:"topic"`
	Accepted bool  `json:"accepted"`
}

// userAnswers answers GET /api/v1/users/{username}/answers.
func (h *Handler) userAnswers(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	u, _, err := h.Content.Profile(r.Context(), v, r.PathValue("username"))
	if err != nil {
		return err
	}
	page, err := queryInt(r, "page")
	if err != nil {
		return err
	}
	list, err := h.Content.UserAnswers(r.Context(), v, u.ID, r.URL.Query().Get("sort"), page)
	if err != nil {
		return err
	}
	out := struct {
		Answers  []AnswerItem `json:"answers"`
		Page     int          `json:"page"`
		NextPage int          `json:"next_page,omitempty"`
	}{Answers: make([]AnswerItem, len(list.Items)), Page: list.Page}
	for i, it := range list.Items {
		post := postJSON(it.Post)
		author := userRefJSON(u.Ref())
		post.Author, post.Accepted = &author, it.Accepted
		out.Answers[i] = AnswerItem{Post: post, Topic: topicJSON(it.Topic, it.Space.Slug), Accepted: it.Accepted}
	}
	if list.More {
		out.NextPage = list.Page + 1
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// putAvatar answers PUT /api/v1/me/avatar: the body is the picture itself
// (any content type; the server reads the format from the bytes).
func (h *Handler) putAvatar(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	if err := h.Limits.Uploading(v); err != nil {
		return err
	}
	data, err := io.ReadAll(r.Body)
	if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
		return apperr.Field("avatar", "The picture is larger than 5 MB.")
	} else if err != nil {
		return err
	}
	version, err := h.Auth.SetAvatar(r.Context(), v, data)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		AvatarURL string `json:"avatar_url"`
	}{model.UserRef{ID: v.UserID(), Avatar: version}.AvatarPath()})
	return nil
}

// deleteAvatar answers DELETE /api/v1/me/avatar.
func (h *Handler) deleteAvatar(w http.ResponseWriter, r *http.Request) error {
	if err := h.Auth.RemoveAvatar(r.Context(), auth.ViewerFrom(r.Context())); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
