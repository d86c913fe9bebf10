package httpx

import (
	"mime"
	"net/http"
	"strconv"
)

// WriteAttachment sends body as a file download named name. It is never
// cached: downloads of this kind hold a member's private data.
func WriteAttachment(w http.ResponseWriter, contentType, name string, body []byte) {
	h := w.Header()
	h.Set("Content-Type", contentType)
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Length", strconv.Itoa(len(body)))
	h.Set("Cache-Control", "private, no-store")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(body)
}
