package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"practica/internal/testenv"
)

// TestMeExport: a token downloads its owner's data as a zip; guests get 401.
func TestMeExport(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.newTopic(t, e.Alice, e.PublicSpace.Slug, "Alice on decoders")
	e.newTopic(t, e.Bob, e.PublicSpace.Slug, "Bob on lattices")
	e.call(t, nil, "GET", "/api/v1/me/export", nil, http.StatusUnauthorized)
	for _, u := range []string{"write", "read"} {
		as := e.Alice
		if u == "read" {
			as = readOnly(t, e, e.Alice)
		}
		rec := e.call(t, as, "GET", "/api/v1/me/export", nil, http.StatusOK)
		if ct, cd := rec.Header().Get("Content-Type"), rec.Header().Get("Content-Disposition"); ct != "application/zip" || !strings.HasPrefix(cd, "attachment; filename=practica-alice-") {
			t.Errorf("GET /api/v1/me/export with a %s token: Content-Type %q, Content-Disposition %q", u, ct, cd)
		}
		var all strings.Builder
		for _, body := range testenv.Unzip(t, rec.Body.Bytes()) {
			all.WriteString(body)
		}
		if s := all.String(); !strings.Contains(s, "Alice on decoders") || strings.Contains(s, "lattices") {
			t.Errorf("alice's export through the API: has hers %v, has bob's %v; want hers only", strings.Contains(s, "Alice on"), strings.Contains(s, "lattices"))
		}
	}
}

// TestAnonymizeUser: admins anonymize a member through the API; nobody else
// learns the endpoint exists.
func TestAnonymizeUser(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.call(t, nil, "POST", "/api/v1/users/bob/anonymize", nil, http.StatusUnauthorized)
	e.call(t, e.Alice, "POST", "/api/v1/users/bob/anonymize", nil, http.StatusNotFound)
	e.call(t, e.Mod, "POST", "/api/v1/users/bob/anonymize", nil, http.StatusNotFound)
	e.call(t, readOnly(t, e, e.Admin), "POST", "/api/v1/users/bob/anonymize", nil, http.StatusForbidden)
	e.call(t, e.Admin, "POST", "/api/v1/users/nobody/anonymize", nil, http.StatusNotFound)
	e.call(t, e.Admin, "POST", "/api/v1/users/admin/anonymize", nil, http.StatusConflict)
	e.call(t, e.Admin, "POST", "/api/v1/users/bob/anonymize", nil, http.StatusNoContent)
	e.call(t, e.Bob, "GET", "/api/v1/me", nil, http.StatusUnauthorized)
	e.call(t, nil, "GET", "/api/v1/users/bob", nil, http.StatusNotFound)
	rec := e.call(t, nil, "GET", fmt.Sprintf("/api/v1/users/deleted-%d", e.Bob.ID), nil, http.StatusOK)
	if strings.Contains(rec.Body.String(), "bob") {
		t.Errorf("the anonymized profile still says bob: %s", rec.Body.String())
	}
}
