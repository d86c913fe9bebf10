package api

import (
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/httpx"
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
