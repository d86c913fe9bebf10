package web_test

import (
	"net/http"
	"strings"
	"testing"

	"practica/internal/testenv"
)

// TestSettingsExport: a member downloads their own data from Settings as a
// zip attachment; guests are sent to sign in.
func TestSettingsExport(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateTopic(t, env.Alice, env.PublicSpace, "Alice writes about decoders")
	env.CreateTopic(t, env.Bob, env.PublicSpace, "Bob writes about lattices")
	page := send(t, env, request{path: "/settings", as: env.Alice})
	if !strings.Contains(page.Body.String(), `href="/settings/export"`) {
		t.Errorf("GET /settings lacks the download link")
	}
	rec := send(t, env, request{path: "/settings/export", as: env.Alice})
	wantStatus(t, rec, "GET /settings/export as alice", http.StatusOK)
	if ct := rec.Header().Get("Content-Type"); ct != "application/zip" {
		t.Errorf("Content-Type %q, want application/zip", ct)
	}
	if cd := rec.Header().Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment; filename=practica-alice-") || !strings.HasSuffix(cd, ".zip") {
		t.Errorf("Content-Disposition %q, want an attachment named practica-alice-DATE.zip", cd)
	}
	if cc := rec.Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
		t.Errorf("Cache-Control %q, want no-store", cc)
	}
	var all strings.Builder
	for _, body := range testenv.Unzip(t, rec.Body.Bytes()) {
		all.WriteString(body)
	}
	if s := all.String(); !strings.Contains(s, "Alice writes about decoders") || strings.Contains(s, "lattices") {
		t.Errorf("alice's export: has her topic %v, has bob's %v; want hers only", strings.Contains(s, "decoders"), strings.Contains(s, "lattices"))
	}
	wantRedirect(t, send(t, env, request{path: "/settings/export"}), "GET /settings/export as a guest", "/signin?next=%2Fsettings%2Fexport")
}

// TestAdminData: the data page shows the database and the commands to
// admins, and does not exist for anyone else.
func TestAdminData(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	rec := send(t, env, request{path: "/admin/data", as: env.Admin})
	wantStatus(t, rec, "GET /admin/data as admin", http.StatusOK)
	engine := map[string]string{"sqlite": "SQLite", "postgres": "PostgreSQL"}[testenv.Engine()]
	for _, want := range []string{engine, "Size on disk", "Last backup", "practica backup", "practica restore", "practica export --to", "practica import stackexchange", `aria-current="page">Data`} {
		if !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET /admin/data lacks %q", want)
		}
	}
	for _, u := range []*testenv.User{nil, env.Mod, env.Alice} {
		wantStatus(t, send(t, env, request{path: "/admin/data", as: u}), "GET /admin/data as "+name(u), http.StatusNotFound)
	}
	users := send(t, env, request{path: "/admin", as: env.Admin}).Body.String()
	if !strings.Contains(users, ">Anonymize</button>") || strings.Contains(users, ">Delete</button>") {
		t.Errorf("GET /admin: the account action should read Anonymize")
	}
}
