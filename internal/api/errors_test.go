package api_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// TestBodyTooLarge: over 1 MiB is a 413 in the error envelope, whether the
// client declares the length or streams the body.
func TestBodyTooLarge(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	big := []byte(`{"space":"` + e.PublicSpace.Slug + `","title":"Too big","body":"` + strings.Repeat("x", 2<<20) + `"}`)
	t.Run("declared length", func(t *testing.T) {
		req := jsonRequest("POST", "/api/v1/topics", "application/json", big)
		e.raw(t, "Bearer "+e.Alice.Token, req, http.StatusRequestEntityTooLarge)
	})
	t.Run("streamed", func(t *testing.T) {
		req := jsonRequest("POST", "/api/v1/topics", "application/json", nil)
		req.Body = io.NopCloser(bytes.NewReader(big)) // no length: the cap applies while reading
		req.ContentLength = -1
		e.raw(t, "Bearer "+e.Alice.Token, req, http.StatusRequestEntityTooLarge)
	})
	t.Run("a post body over 50,000 characters but under 1 MiB is a field error", func(t *testing.T) {
		rec := e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "title": "Long one", "body": strings.Repeat("x", 60000)}, http.StatusBadRequest)
		wantFields(t, rec, "body")
	})
}

// TestUnknownEndpoint: paths and methods the API does not serve answer 404 in
// the envelope, pointing at the spec, never the web UI's HTML.
func TestUnknownEndpoint(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, r := range []struct{ method, path string }{
		{"GET", "/api/v1/nope"},
		{"GET", "/api/v2/topics"},
		{"GET", "/api/"},
		{"PUT", "/api/v1/spaces"},
		{"DELETE", "/api/v1/topics/1"},
		{"GET", "/api/v1/topics/1/posts"},
	} {
		rec := httptest.NewRecorder()
		e.App.Handler.ServeHTTP(rec, httptest.NewRequest(r.method, r.path, nil))
		call := r.method + " " + r.path + " as guest"
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404; body %s", call, rec.Code, short(rec.Body.String()))
			continue
		}
		checkEnvelope(t, call, rec)
		if msg := errorOf(t, rec).Error.Message; !strings.Contains(msg, "openapi.yaml") {
			t.Errorf("%s: message %q, want it to point at /api/v1/openapi.yaml", call, msg)
		}
	}
}
