package api

import (
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/policy"
)

// meExport downloads the token owner's own content and profile as a zip of
// JSON and Markdown, the same file as Settings → Your data.
func (h *Handler) meExport(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.New(apperr.Unauthenticated, "Send a personal access token: Authorization: Bearer <token>.")
	}
	d, err := h.Content.MemberData(r.Context(), v)
	if err != nil {
		return err
	}
	body, err := d.Zip()
	if err != nil {
		return err
	}
	httpx.WriteAttachment(w, "application/zip", d.FileName(), body)
	return nil
}

// anonymizeUser removes a member's identity while their posts stay (admins).
func (h *Handler) anonymizeUser(w http.ResponseWriter, r *http.Request) error {
	if err := h.Auth.AnonymizeByName(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("username")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// inviteClaim sends a claim link for an imported author's placeholder
// account to a person's address (admins).
func (h *Handler) inviteClaim(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Email string `json:"email"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	u, err := h.Auth.UserByName(r.Context(), r.PathValue("username"))
	if err != nil {
		return err
	}
	if err := h.Auth.InviteClaim(r.Context(), v, u.ID, in.Email); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
