package web

import (
	"net/http"

	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/web/view"
)

// settingsExport downloads the member's own content and profile as a zip.
func (h *Handler) settingsExport(w http.ResponseWriter, r *http.Request) error {
	d, err := h.Content.MemberData(r.Context(), auth.ViewerFrom(r.Context()))
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

// adminData shows the database, its last backup, and how to back up,
// restore, move and import.
func (h *Handler) adminData(w http.ResponseWriter, r *http.Request) error {
	st, err := h.Data.Status(r.Context(), auth.ViewerFrom(r.Context()))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.AdminData(view.AdminDataPage{Chrome: h.chrome(r, "Data", "admin"), Status: st}))
}
