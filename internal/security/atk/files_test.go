package atk

import (
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"practica/internal/model"
	"practica/internal/testenv"
	"practica/internal/transfer"
)

// Row 37: JSON of the wrong type is a 4xx error envelope naming the field,
// never a crash. There is no websocket (feature missing: realtime frames).
func TestATK37_WrongJSONTypes(t *testing.T) {
	env := newEnv(t)
	q := question(t, env, env.Alice, env.PublicSpace, "Typed input")
	ans := env.Reply(t, env.Bob, q.ID, "An answer")
	cases := []struct {
		method, path, body, field string
	}{
		{"POST", "/api/v1/topics", `{"space":1,"title":"t","body":"b"}`, "space"},
		{"POST", "/api/v1/topics", `{"space":"public-square","title":["x"],"body":"b"}`, "title"},
		{"POST", "/api/v1/topics", `{"space":"public-square","title":"A title","body":"b","tags":"a,b"}`, "tags"},
		{"POST", "/api/v1/topics", `{"space":"public-square","title":"A title","body":{"$gt":""}}`, "body"},
		{"POST", "/api/v1/posts/" + id(ans.ID) + "/vote", `{"value":"up"}`, "value"},
		{"POST", "/api/v1/posts/" + id(ans.ID) + "/vote", `{"value":1e999}`, "value"},
		{"POST", "/api/v1/posts/" + id(ans.ID) + "/vote", `{"value":1.5}`, "value"},
		{"POST", "/api/v1/topics/" + id(q.ID) + "/accept", `{"post_id":"2"}`, "post_id"},
		{"PATCH", "/api/v1/posts/" + id(ans.ID), `{"body":null,"tags":{"a":1}}`, "tags"},
		{"PUT", "/api/v1/privileges", `{"settings":{"privilege.edit":"x"}}`, "settings"},
		{"PATCH", "/api/v1/spaces/public-square", `{"visibility":true}`, "visibility"},
	}
	for _, c := range cases {
		e := apiError(t, env.API(t, env.Alice, c.method, c.path, c.body), c.method+" "+c.path+" "+c.body, 400, 403)
		if e.Code == "invalid" || e.Code == "bad_request" {
			if _, ok := e.Fields[c.field]; !ok {
				t.Errorf("%s %s %s: error %+v does not name %s", c.method, c.path, c.body, e, c.field)
			}
		}
	}
	for _, body := range []string{`[]`, `"s"`, `null`, `1`, `{`, `{"a":`, `{}{}`, "\x00", strings.Repeat("[", 100000)} {
		for _, p := range []string{"/api/v1/topics", "/api/v1/topics/" + id(q.ID) + "/posts", "/api/v1/posts/" + id(ans.ID) + "/vote", "/api/v1/spaces"} {
			rec := env.API(t, env.Alice, "POST", p, body)
			// null decodes to the zero input (a vote of 0 clears a vote), and a
			// body of NULs is text: both only need to not crash.
			lenient := body == "null"
			if rec.Code >= 500 || rec.Code < 400 && !lenient {
				t.Errorf("POST %s with %q: status %d", p, trunc(body), rec.Code)
			}
		}
	}
	// NUL characters inside strings are valid JSON; PostgreSQL text cannot
	// hold them, so they must be refused (or stripped) before the store.
	t.Run("nul", func(t *testing.T) {
		nul := `A\u0000B text long enough`
		var crashed []string
		for _, c := range []struct{ method, path, body string }{
			{"POST", "/api/v1/topics/" + id(q.ID) + "/posts", `{"body":"` + nul + `"}`},
			{"POST", "/api/v1/topics", `{"space":"public-square","title":"` + nul + `","body":"b"}`},
			{"POST", "/api/v1/posts/" + id(ans.ID) + "/comments", `{"body":"` + nul + `"}`},
			{"PATCH", "/api/v1/posts/" + id(ans.ID), `{"body":"ok body","reason":"` + nul + `"}`},
			{"PATCH", "/api/v1/tags/testing", `{"description":"` + nul + `"}`},
			{"PATCH", "/api/v1/spaces/public-square", `{"focus":"` + nul + `"}`},
			{"GET", "/api/v1/search?q=A%00B", ""},
		} {
			var body any
			if c.body != "" {
				body = c.body
			}
			if rec := env.API(t, env.Alice, c.method, c.path, body); rec.Code >= 500 {
				crashed = append(crashed, c.method+" "+c.path)
			}
		}
		if len(crashed) > 0 {
			t.Errorf("a NUL (\\u0000) in a JSON string answers 5xx on %s: %v", testenv.Engine(), crashed)
		}
	})
	// Wrong content type.
	req := newReq("POST", "/api/v1/topics")
	req.Header.Set("Content-Type", "text/plain")
	req.Header.Set("Authorization", "Bearer "+env.Alice.Token)
	apiError(t, env.Do(t, nil, req), "text/plain body", 400, 415)
	wantCode(t, env.API(t, nil, "GET", "/api/v1/me", nil), "server still alive", 401)
}

// Row 38: typed decoding refuses unknown fields; role, user, space and
// counters cannot be mass-assigned, on the API and in web forms.
func TestATK38_NoMassAssignment(t *testing.T) {
	env := newEnv(t)
	tp := env.CreateTopic(t, env.Bob, env.PublicSpace, "Mass assignment")
	op := openingPost(t, env, tp.ID)
	cases := []struct {
		method, path string
		body         map[string]any
		field        string
	}{
		{"POST", "/api/v1/topics", map[string]any{"space": env.PublicSpace.Slug, "title": "Sneaky fields", "body": "b", "space_id": env.SecretSpace.ID}, "space_id"},
		{"POST", "/api/v1/topics", map[string]any{"space": env.PublicSpace.Slug, "title": "Sneaky fields", "body": "b", "pinned_at": "2020-01-01T00:00:00Z"}, "pinned_at"},
		{"POST", "/api/v1/topics", map[string]any{"space": env.PublicSpace.Slug, "title": "Sneaky fields", "body": "b", "score": 1000}, "score"},
		{"PATCH", "/api/v1/posts/" + id(op.ID), map[string]any{"body": "edited", "topic_id": 999}, "topic_id"},
		{"PATCH", "/api/v1/posts/" + id(op.ID), map[string]any{"body": "edited", "author_id": env.Alice.ID}, "author_id"},
		{"POST", "/api/v1/spaces", map[string]any{"name": "Sneaky Space", "visibility": "public", "member_count": 100}, "member_count"},
		{"POST", "/api/v1/posts/" + id(op.ID) + "/vote", map[string]any{"value": 1, "user_id": env.Alice.ID}, "user_id"},
		{"POST", "/api/v1/spaces/" + env.PublicSpace.Slug + "/join", map[string]any{"role": "leader"}, "role"},
		{"PATCH", "/api/v1/tags/testing", map[string]any{"description": "d", "followers": 9}, "followers"},
	}
	for _, c := range cases {
		e := apiError(t, env.API(t, env.Bob, c.method, c.path, c.body), c.method+" "+c.path+" with "+c.field, 400)
		if e.Fields[c.field] == "" {
			t.Errorf("%s %s: error %+v does not name the unknown field %s", c.method, c.path, e, c.field)
		}
	}
	// Web forms: extra fields are ignored.
	wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"Bob"}, "role": {"admin"}, "status": {"active"}, "reputation": {"99999"}, "email_verified_at": {"x"}}), "profile with extra fields", 303)
	wantCode(t, env.PostForm(t, env.Bob, "/s/"+env.PublicSpace.Slug+"/join", url.Values{"role": {"leader"}, "message": {"hi"}}), "join with role", 303, 200)
	u := mustUser(t, env, env.Bob.ID)
	if u.Role != model.RoleMember || u.Reputation != 0 {
		t.Errorf("after extra form fields: role %s, reputation %d", u.Role, u.Reputation)
	}
	if role := spaceRole(t, env, env.PublicSpace, env.Bob); role == model.SpaceLeader {
		t.Errorf("Bob joined as %s by posting role=leader", role)
	}
	if got, _ := env.App.Store.Read().Topic(ctx, tp.ID); got.SpaceID != env.PublicSpace.ID || got.Score != 0 || got.Pinned() {
		t.Errorf("topic changed by rejected fields: %+v", got)
	}
}

// Row 39: restore takes only a regular SQLite backup file and never writes
// over a community; there is no archive (zip/tar) restore or theme import
// (feature missing: archive upload/restore), so entry paths cannot slip.
// The member export is a zip we write: its file name and entry names are
// generated by the server.
func TestATK39_ArchiveSlipAndExportNames(t *testing.T) {
	env := newEnv(t)
	dir := t.TempDir()
	target := filepath.Join(dir, "restored", "practica.db")
	notDB := filepath.Join(dir, "evil.zip")
	if err := os.WriteFile(notDB, []byte("PK\x03\x04../../../etc/passwd"), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, file := range []string{notDB, dir, filepath.Join(dir, "missing.db"), "../../../../etc/passwd"} {
		if _, err := transfer.Restore(ctx, file, target); err == nil {
			t.Errorf("restore from %s succeeded", file)
		}
	}
	if _, err := os.Stat(target); err == nil {
		t.Errorf("a refused restore left a file at %s", target)
	}
	if testenv.Engine() == "sqlite" {
		// Restoring over a live community is refused.
		live := filepath.Join(dir, "live.db")
		if _, err := transfer.Backup(ctx, env.App.DB, live, env.Clock.Now); err != nil {
			t.Fatalf("backup: %v", err)
		}
		if _, err := transfer.Restore(ctx, live, target); err != nil {
			t.Fatalf("restore into an empty place: %v", err)
		}
		if _, err := transfer.Restore(ctx, live, target); err == nil {
			t.Errorf("restore over a restored community succeeded")
		}
	}
	// Export names: from the server, whatever the display name says.
	wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"../../etc/passwd"}}), "profile", 303)
	env.Reply(t, env.Bob, env.CreateTopic(t, env.Bob, env.PublicSpace, "../../../etc/passwd").ID, "reply")
	for _, get := range []func() (string, []byte){
		func() (string, []byte) {
			r := env.API(t, env.Bob, "GET", "/api/v1/me/export", nil)
			return r.Header().Get("Content-Disposition"), r.Body.Bytes()
		},
		func() (string, []byte) {
			r := env.Get(t, env.Bob, "/settings/export?download=1")
			return r.Header().Get("Content-Disposition"), r.Body.Bytes()
		},
	} {
		cd, body := get()
		if cd == "" {
			continue // the web page offers the download behind a form
		}
		if !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, `filename=practica-bob-`) || strings.ContainsAny(strings.TrimPrefix(cd, "attachment;"), `/\`) {
			t.Errorf("export Content-Disposition %q", cd)
		}
		for name := range testenv.Unzip(t, body) {
			if strings.Contains(name, "..") || strings.HasPrefix(name, "/") || strings.Contains(name, `\`) || !strings.HasPrefix(name, "practica-bob-") {
				t.Errorf("export entry %q is not a server-made relative name", name)
			}
		}
	}
}

// Row 40: backups and the database are never served over HTTP; personalized
// and error responses are not cacheable by shared caches; redirects after
// sign-in and sign-out stay on this site.
func TestATK40_FilesCachingRedirects(t *testing.T) {
	env := newEnv(t)
	for _, p := range []string{"/practica.db", "/practica.db-wal", "/backup.db", "/static/../practica.db", "/static/%2e%2e/practica.db", "/static/..%2fpracticadb",
		"/.env", "/static/.env", "/backups/", "/static/", "/static/../../go.mod", "/%2e%2e/%2e%2e/etc/passwd", "/admin/data/backup", "/api/v1/backup"} {
		rec := env.Get(t, env.Admin, p)
		if rec.Code == 200 && (strings.Contains(rec.Body.String(), "SQLite format") || strings.Contains(rec.Body.String(), "module practica")) {
			t.Errorf("GET %s serves a file it must not", p)
		}
		if rec.Code == 200 && !strings.HasPrefix(rec.Header().Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: 200 %s", p, rec.Header().Get("Content-Type"))
		}
	}
	// Caching.
	tp := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Private page")
	for _, c := range []struct {
		u    *testenv.User
		path string
	}{{env.Alice, "/"}, {env.Alice, tp.Path()}, {env.Alice, "/settings"}, {nil, "/nope"}, {env.Bob, tp.Path()}, {env.Admin, "/admin/outbox"}} {
		rec := env.Get(t, c.u, c.path)
		cc := rec.Header().Get("Cache-Control")
		if !strings.Contains(cc, "private") && !strings.Contains(cc, "no-store") {
			t.Errorf("GET %s (%d): Cache-Control %q, want private or no-store", c.path, rec.Code, cc)
		}
		if rec.Code >= 400 && cc != "no-store" {
			t.Errorf("GET %s (%d): Cache-Control %q, want no-store on an error", c.path, rec.Code, cc)
		}
		if rec.Code == 200 && !strings.Contains(rec.Header().Get("Vary"), "Cookie") {
			t.Errorf("GET %s: Vary %q lacks Cookie", c.path, rec.Header().Get("Vary"))
		}
	}
	for _, c := range []struct {
		u    *testenv.User
		path string
	}{{env.Alice, "/api/v1/me"}, {env.Alice, "/api/v1/topics/" + id(tp.ID)}, {nil, "/api/v1/topics/" + id(tp.ID)}, {nil, "/api/v1/nope"}} {
		if cc := env.API(t, c.u, "GET", c.path, nil).Header().Get("Cache-Control"); !strings.Contains(cc, "no-store") {
			t.Errorf("API GET %s: Cache-Control %q, want no-store", c.path, cc)
		}
	}
	// Redirects.
	evil := []string{"https://evil.example", "//evil.example", "/\\evil.example", "/\t/evil.example", "\\\\evil.example", "http:/evil.example", "javascript:alert(1)", "%2F%2Fevil.example", " //evil.example"}
	for i, next := range evil {
		rec := env.Get(t, nil, "/signin?next="+url.QueryEscape(next))
		if v := inputValue(rec.Body.String(), "next"); strings.Contains(v, "evil") || !strings.HasPrefix(v, "/") && v != "" {
			t.Errorf("sign-in form for next=%q carries next=%q", next, v)
		}
		rec = postFormFrom(t, env, nil, "203.0.113."+id(int64(100+i)), "/signin", url.Values{"login": {"bob"}, "password": {testenv.Password}, "next": {next}})
		loc := rec.Header().Get("Location")
		if rec.Code != 303 || !strings.HasPrefix(loc, "/") || strings.HasPrefix(loc, "//") || strings.HasPrefix(loc, "/\\") || strings.Contains(loc, "evil") {
			t.Errorf("sign in with next=%q: %d to %q, want a same-site path", next, rec.Code, loc)
		}
	}
	if loc := env.PostForm(t, env.Carol(t), "/signout", url.Values{"next": {"https://evil.example"}}).Header().Get("Location"); strings.Contains(loc, "evil") {
		t.Errorf("sign-out redirects to %q", loc)
	}
	// A guest sent to sign in keeps a local next.
	if loc := env.Get(t, nil, "/settings").Header().Get("Location"); !strings.HasPrefix(loc, "/signin?next=%2Fsettings") {
		t.Errorf("guest /settings redirects to %q", loc)
	}
}
