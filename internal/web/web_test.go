package web_test

import (
	"compress/gzip"
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/auth"
	"practica/internal/config"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

var ctx = context.Background()

// request describes one HTTP call through the real router.
type request struct {
	method, path string
	form         url.Values
	as           *testenv.User
	ip           string            // client address; default 192.0.2.1
	header       map[string]string // extra headers
	// cut ends the request after this long (a stream that would not end).
	cut time.Duration
}

// send makes the request and fails the test on any 5xx: no request in these
// tests may produce a server error.
func send(t *testing.T, env *testenv.Env, r request) *httptest.ResponseRecorder {
	t.Helper()
	var body io.Reader
	if r.form != nil {
		body = strings.NewReader(r.form.Encode())
	}
	if r.method == "" {
		r.method = http.MethodGet
	}
	req := httptest.NewRequest(r.method, r.path, body)
	if r.form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, v := range r.header {
		req.Header.Set(k, v)
	}
	if r.ip != "" {
		req.RemoteAddr = r.ip + ":4321"
	}
	if r.cut > 0 {
		ctx, cancel := context.WithTimeout(req.Context(), r.cut)
		defer cancel()
		req = req.WithContext(ctx)
	}
	rec := env.Do(t, r.as, req)
	if rec.Code >= 500 {
		t.Errorf("%s %s: status %d, want no server error; body %.300q", r.method, r.path, rec.Code, rec.Body.String())
	}
	return rec
}

func wantStatus(t *testing.T, rec *httptest.ResponseRecorder, what string, want int) {
	t.Helper()
	if rec.Code != want {
		t.Fatalf("%s: status %d, want %d; body %.400q", what, rec.Code, want, rec.Body.String())
	}
}

func wantRedirect(t *testing.T, rec *httptest.ResponseRecorder, what, to string) {
	t.Helper()
	wantStatus(t, rec, what, http.StatusSeeOther)
	if got := rec.Header().Get("Location"); got != to {
		t.Fatalf("%s: redirects to %q, want %q", what, got, to)
	}
}

// sessionCookie returns the session cookie the response sets, if any.
func sessionCookie(rec *httptest.ResponseRecorder) *http.Cookie {
	for _, c := range rec.Result().Cookies() {
		if strings.HasSuffix(c.Name, "practica_session") {
			return c
		}
	}
	return nil
}

func countRows(t *testing.T, env *testenv.Env, table string) int {
	t.Helper()
	var n int
	if err := env.App.DB.Read.QueryRowContext(ctx, "SELECT COUNT(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

func TestSetupFlow(t *testing.T) {
	t.Parallel()
	env := testenv.Bare(t)
	for _, p := range []string{"/", "/spaces", "/signin", "/t/1/x"} {
		wantRedirect(t, send(t, env, request{path: p}), "GET "+p+" before setup", "/setup")
	}
	rec := send(t, env, request{path: "/setup"})
	wantStatus(t, rec, "GET /setup", http.StatusOK)

	bad := url.Values{"community_name": {""}, "username": {"x"}, "email": {"nope"}, "password": {"short"}}
	rec = send(t, env, request{method: "POST", path: "/setup", form: bad})
	wantStatus(t, rec, "POST /setup with bad input", http.StatusBadRequest)
	for _, id := range []string{"e-community_name", "e-username", "e-email", "e-password"} {
		if !strings.Contains(rec.Body.String(), `id="`+id+`"`) {
			t.Errorf("POST /setup with bad input: the form lacks the message %s", id)
		}
	}
	if sessionCookie(rec) != nil || countRows(t, env, "users") != 0 {
		t.Fatalf("a refused setup set a cookie or created a user")
	}

	good := url.Values{"community_name": {"Makers"}, "username": {"root"}, "email": {"root@example.org"}, "password": {testenv.Password}}
	rec = send(t, env, request{method: "POST", path: "/setup", form: good})
	wantRedirect(t, rec, "POST /setup", "/spaces/new")
	c := sessionCookie(rec)
	if c == nil || c.Value == "" || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
		t.Fatalf("POST /setup set the session cookie %+v; want an HttpOnly, SameSite=Lax cookie for /", c)
	}
	root := &testenv.User{Session: c.Value}
	rec = send(t, env, request{path: "/", as: root})
	wantStatus(t, rec, "GET / as the new admin", http.StatusOK)
	if !strings.Contains(rec.Body.String(), "Makers") {
		t.Errorf("GET / after setup does not show the community name")
	}
	wantStatus(t, send(t, env, request{path: "/spaces/new", as: root}), "GET /spaces/new as the new admin", http.StatusOK)

	again := url.Values{"community_name": {"Takeover"}, "username": {"intruder"}, "email": {"intruder@example.org"}, "password": {testenv.Password}}
	wantStatus(t, send(t, env, request{method: "POST", path: "/setup", form: again}), "second POST /setup", http.StatusNotFound)
	wantStatus(t, send(t, env, request{method: "POST", path: "/setup", form: bad}), "second POST /setup with bad input", http.StatusNotFound)
	wantStatus(t, send(t, env, request{path: "/setup"}), "GET /setup after setup", http.StatusNotFound)
	if n := countRows(t, env, "users"); n != 1 {
		t.Errorf("after a refused second setup there are %d users, want 1", n)
	}
}

func TestSignUpForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	users, sessions, mails := countRows(t, env, "users"), countRows(t, env, "sessions"), countRows(t, env, "outbox")
	const secretPassword = "MyOwnSecretPassphrase"
	cases := []struct {
		name     string
		form     url.Values
		messages []string
	}{
		{"all fields bad", url.Values{"username": {"x!"}, "email": {"nope"}, "password": {"short"}},
			[]string{`id="e-username"`, `id="e-email"`, `id="e-password"`, "Use at least 10 characters.", "Enter a valid email address"}},
		{"taken username and email", url.Values{"username": {"ALICE"}, "email": {"alice@example.org"}, "password": {secretPassword}},
			[]string{"That username is taken."}},
		{"bad email only", url.Values{"username": {"newbie"}, "email": {"newbie@localhost"}, "password": {secretPassword}},
			[]string{`id="e-email"`, `value="newbie"`}},
	}
	for i, c := range cases {
		rec := send(t, env, request{method: "POST", path: "/signup", form: c.form, ip: fmt.Sprintf("198.51.100.%d", i+1)})
		wantStatus(t, rec, "POST /signup "+c.name, http.StatusBadRequest)
		body := rec.Body.String()
		for _, m := range c.messages {
			if !strings.Contains(body, m) {
				t.Errorf("POST /signup %s: the page lacks %q", c.name, m)
			}
		}
		if strings.Contains(body, secretPassword) {
			t.Errorf("POST /signup %s: the page echoes the password", c.name)
		}
		if sessionCookie(rec) != nil {
			t.Errorf("POST /signup %s set a session cookie", c.name)
		}
	}
	if u, s, m := countRows(t, env, "users"), countRows(t, env, "sessions"), countRows(t, env, "outbox"); u != users || s != sessions || m != mails {
		t.Errorf("refused sign-ups wrote: users %d→%d, sessions %d→%d, outbox %d→%d; want nothing", users, u, sessions, s, mails, m)
	}

	// A new address and a taken one get the same answer, and neither signs in.
	var answers []string
	for i, email := range []string{"carol@example.org", "Bob@Example.org"} {
		rec := send(t, env, request{method: "POST", path: "/signup", ip: fmt.Sprintf("198.51.100.%d", 9+i),
			form: url.Values{"username": {fmt.Sprintf("carol%d", i)}, "email": {email}, "password": {secretPassword}}})
		wantRedirect(t, rec, "POST /signup with "+email, "/signin")
		if sessionCookie(rec) != nil {
			t.Errorf("POST /signup with %s set a session cookie; want none until the address is confirmed", email)
		}
		cookies := ""
		for _, c := range rec.Result().Cookies() {
			cookies += c.Name + ";"
		}
		answers = append(answers, fmt.Sprint(rec.Code, rec.Header().Get("Location"), cookies, rec.Body.String()))
	}
	if answers[0] != answers[1] {
		t.Errorf("sign-up answers differ for a new and a taken address:\n%q\n%q", answers[0], answers[1])
	}
	if countRows(t, env, "users") != users+1 || countRows(t, env, "outbox") != mails+2 {
		t.Errorf("two sign-ups (one with a taken address) should add one user and two mails")
	}
	rec := send(t, env, request{path: verifyLink(t, env, "", "carol@example.org")})
	wantRedirect(t, rec, "GET the confirmation link", "/")
	c := sessionCookie(rec)
	if c == nil || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
		t.Fatalf("the confirmation link set the session cookie %+v; want HttpOnly and SameSite=Lax", c)
	}
	carol := &testenv.User{Session: c.Value}
	wantStatus(t, send(t, env, request{path: "/settings", as: carol}), "GET /settings as carol", http.StatusOK)
	topics := countRows(t, env, "topics")
	rec = send(t, env, request{method: "POST", path: "/new", as: carol, form: url.Values{"space": {env.PublicSpace.Slug}, "title": {"Confirmed topic"}, "body": {"hello"}}})
	wantStatus(t, rec, "POST /new as a member who just confirmed", http.StatusSeeOther)
	if countRows(t, env, "topics") != topics+1 {
		t.Errorf("a confirmed new member could not create a topic")
	}

	// Five sign-ups per address per ten minutes.
	for i := range 6 {
		rec := send(t, env, request{method: "POST", path: "/signup", ip: "203.0.113.50", form: url.Values{"username": {fmt.Sprintf("x%d!", i)}}})
		want := http.StatusBadRequest
		if i == 5 {
			want = http.StatusTooManyRequests
		}
		wantStatus(t, rec, fmt.Sprintf("sign-up attempt %d from one address", i+1), want)
	}
}

func TestSignInAndOut(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	rec := send(t, env, request{method: "POST", path: "/signin", form: url.Values{"login": {"alice"}, "password": {"wrong password"}}})
	wantStatus(t, rec, "POST /signin with a wrong password", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "That username or password is not right.") || sessionCookie(rec) != nil {
		t.Errorf("a wrong password: want the generic message and no cookie")
	}
	rec = send(t, env, request{method: "POST", path: "/signin", form: url.Values{"login": {"Alice@Example.org"}, "password": {testenv.Password}, "next": {"/settings"}}})
	wantRedirect(t, rec, "POST /signin", "/settings")
	c := sessionCookie(rec)
	if c == nil || c.Value == env.Alice.Session || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Secure {
		t.Fatalf("POST /signin set %+v; want a new HttpOnly, SameSite=Lax cookie for / (not Secure over plain http)", c)
	}
	alice := &testenv.User{Session: c.Value}
	wantStatus(t, send(t, env, request{path: "/settings", as: alice}), "GET /settings signed in", http.StatusOK)

	rec = send(t, env, request{method: "POST", path: "/signout", as: alice})
	wantRedirect(t, rec, "POST /signout", "/")
	if c := sessionCookie(rec); c == nil || c.MaxAge >= 0 {
		t.Errorf("POST /signout set %+v; want the cookie deleted", c)
	}
	rec = send(t, env, request{path: "/settings", as: alice})
	wantRedirect(t, rec, "GET /settings with a signed-out session", "/signin?next=%2Fsettings")
	if c := sessionCookie(rec); c == nil || c.MaxAge >= 0 {
		t.Errorf("a dead session cookie is not cleared: %+v", c)
	}
	// The other session of alice is untouched.
	wantStatus(t, send(t, env, request{path: "/settings", as: env.Alice}), "GET /settings with alice's other session", http.StatusOK)
}

func TestSignInRateLimit(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	const attacker = "198.51.100.7"
	for i := range 10 {
		rec := send(t, env, request{method: "POST", path: "/signin", ip: attacker, form: url.Values{"login": {fmt.Sprintf("guess%d", i)}, "password": {"wrong guess"}}})
		wantStatus(t, rec, fmt.Sprintf("sign-in attempt %d", i+1), http.StatusBadRequest)
	}
	rec := send(t, env, request{method: "POST", path: "/signin", ip: attacker, form: url.Values{"login": {"guess10"}, "password": {"wrong guess"}}})
	wantStatus(t, rec, "sign-in attempt 11 from one address", http.StatusTooManyRequests)
	for _, h := range []map[string]string{
		{"X-Forwarded-For": "203.0.113.9"},
		{"X-Forwarded-For": "203.0.113.10, 10.0.0.1"},
		{"X-Real-Ip": "203.0.113.11"},
		{"Forwarded": "for=203.0.113.12"},
	} {
		rec := send(t, env, request{method: "POST", path: "/signin", ip: attacker, header: h, form: url.Values{"login": {"alice"}, "password": {testenv.Password}}})
		wantStatus(t, rec, fmt.Sprintf("sign-in from the limited address with spoofed %v", h), http.StatusTooManyRequests)
	}
	rec = send(t, env, request{method: "POST", path: "/signin", ip: "198.51.100.8", form: url.Values{"login": {"bob"}, "password": {testenv.Password}}})
	wantRedirect(t, rec, "sign-in from another address", "/")

	// Guessing one account's password from many addresses is limited too.
	for i := range 10 {
		rec := send(t, env, request{method: "POST", path: "/signin", ip: fmt.Sprintf("203.0.113.%d", 100+i), form: url.Values{"login": {"mod"}, "password": {"wrong guess"}}})
		wantStatus(t, rec, fmt.Sprintf("guess %d at mod's password", i+1), http.StatusBadRequest)
	}
	for i, login := range []string{"mod", "MOD", " Mod "} {
		rec = send(t, env, request{method: "POST", path: "/signin", ip: fmt.Sprintf("203.0.113.%d", 200+i), form: url.Values{"login": {login}, "password": {testenv.Password}}})
		wantStatus(t, rec, fmt.Sprintf("the right password for %q after 10 guesses at mod from other addresses", login), http.StatusTooManyRequests)
	}
	env.Clock.Advance(time.Minute + time.Second)
	rec = send(t, env, request{method: "POST", path: "/signin", ip: "203.0.113.200", form: url.Values{"login": {"mod"}, "password": {testenv.Password}}})
	wantRedirect(t, rec, "the right password for mod a minute later", "/")
	rec = send(t, env, request{method: "POST", path: "/signin", ip: attacker, form: url.Values{"login": {"alice"}, "password": {testenv.Password}}})
	wantRedirect(t, rec, "the limited address a minute later", "/")
}

func TestSecurityHeaders(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Header check")
	pages := []request{
		{path: "/"}, {path: "/spaces"}, {path: "/signin"}, {path: "/signup"}, {path: "/forgot"}, {path: "/tags"},
		{path: tp.Path()}, {path: tp.Path(), as: env.Alice}, {path: "/settings", as: env.Bob}, {path: "/admin", as: env.Admin},
		{path: "/no/such/page"}, {path: "/t/999999/gone"}, {path: "/settings"},
		{method: "POST", path: "/signin", form: url.Values{"login": {"x"}}},
		{method: "POST", path: "/t/" + fmt.Sprint(tp.ID) + "/replies", form: url.Values{"body": {""}}, as: env.Bob},
		{path: "/static/app.css"}, {path: "/healthz"},
	}
	for _, p := range pages {
		rec := send(t, env, p)
		what := fmt.Sprintf("%s %s (status %d)", p.method, p.path, rec.Code)
		h := rec.Header()
		csp := directives(h.Get("Content-Security-Policy"))
		script := csp["script-src"]
		if script == "" {
			script = csp["default-src"]
		}
		if script == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
			t.Errorf("%s: CSP script-src %q; want a strict one without 'unsafe-inline'", what, script)
		}
		if csp["frame-ancestors"] != "'none'" {
			t.Errorf("%s: CSP frame-ancestors %q, want 'none'", what, csp["frame-ancestors"])
		}
		if csp["object-src"] != "'none'" {
			t.Errorf("%s: CSP object-src %q, want 'none'", what, csp["object-src"])
		}
		if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
		}
		if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
			t.Errorf("%s: Referrer-Policy %q, want one that keeps paths on this site", what, got)
		}
		if got := h.Get("Strict-Transport-Security"); got != "" {
			t.Errorf("%s: HSTS %q over plain http, want none", what, got)
		}
		if strings.HasPrefix(h.Get("Content-Type"), "text/html") && strings.Contains(h.Get("Cache-Control"), "public") {
			t.Errorf("%s: an HTML page is publicly cacheable (%q)", what, h.Get("Cache-Control"))
		}
	}
}

func directives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, value, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[name] = strings.TrimSpace(value)
		}
	}
	return out
}

// TestHTTPSCookies: behind https the session cookie is Secure with the
// __Host- prefix, and responses carry HSTS.
func TestHTTPSCookies(t *testing.T) {
	t.Parallel()
	d := testenv.OpenDB(t)
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clock := &testenv.Clock{}
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "https://forum.example", DatabaseURL: "test", LogFormat: "text"}
	env := &testenv.Env{App: app.Wire(d, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now), Clock: clock}
	rec := send(t, env, request{method: "POST", path: "/setup", form: url.Values{"community_name": {"Secure"}, "username": {"root"}, "email": {"root@example.org"}, "password": {testenv.Password}}})
	wantRedirect(t, rec, "POST /setup over https", "/spaces/new")
	c := sessionCookie(rec)
	if c == nil || c.Name != "__Host-practica_session" || !c.Secure || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" || c.Domain != "" {
		t.Fatalf("session cookie over https = %+v; want __Host-practica_session, Secure, HttpOnly, SameSite=Lax, Path=/, no Domain", c)
	}
	if got := rec.Header().Get("Strict-Transport-Security"); !strings.Contains(got, "max-age=") {
		t.Errorf("HSTS over https = %q, want a max-age", got)
	}
	req := httptest.NewRequest(http.MethodGet, "/settings", nil)
	req.AddCookie(&http.Cookie{Name: c.Name, Value: c.Value})
	out := httptest.NewRecorder()
	env.App.Handler.ServeHTTP(out, req)
	wantStatus(t, out, "GET /settings with the __Host- cookie", http.StatusOK)
}

var (
	topicPathRE = regexp.MustCompile(`^/t/(\d+)/[a-z0-9-]+$`)
	postPathRE  = regexp.MustCompile(`^/p/(\d+)$`)
)

func TestTopicReplyEditRevisions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	topics := countRows(t, env, "topics")
	rec := send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: url.Values{"space": {env.PublicSpace.Slug}, "title": {"x"}, "body": {""}, "tags": {"bad tag!"}}})
	wantStatus(t, rec, "POST /new with bad input", http.StatusBadRequest)
	for _, id := range []string{`id="e-title"`, `id="e-body"`, `id="e-tags"`} {
		if !strings.Contains(rec.Body.String(), id) {
			t.Errorf("POST /new with bad input: the form lacks %s", id)
		}
	}
	if countRows(t, env, "topics") != topics {
		t.Fatalf("a refused topic was written")
	}

	rec = send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: url.Values{
		"space": {env.PublicSpace.Slug}, "kind": {"discussion"}, "title": {"Web flow topic"}, "body": {"Opening words."}, "tags": {"web"}}})
	wantStatus(t, rec, "POST /new", http.StatusSeeOther)
	m := topicPathRE.FindStringSubmatch(rec.Header().Get("Location"))
	if m == nil {
		t.Fatalf("POST /new redirects to %q, want a topic path", rec.Header().Get("Location"))
	}
	topicPath, topicID := rec.Header().Get("Location"), m[1]
	rec = send(t, env, request{path: topicPath})
	wantStatus(t, rec, "GET the new topic as a guest", http.StatusOK)
	if !strings.Contains(rec.Body.String(), "Web flow topic") || !strings.Contains(rec.Body.String(), "Opening words.") {
		t.Errorf("the topic page lacks its title or body")
	}

	rec = send(t, env, request{method: "POST", path: "/t/" + topicID + "/replies", as: env.Bob, form: url.Values{"body": {"   "}}})
	wantStatus(t, rec, "POST a blank reply", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "Write something first.") {
		t.Errorf("a blank reply: the page lacks the message")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/t/" + topicID + "/replies", form: url.Values{"body": {"guest words"}}}), "POST a reply as a guest", http.StatusUnauthorized)

	rec = send(t, env, request{method: "POST", path: "/t/" + topicID + "/replies", as: env.Bob, form: url.Values{"body": {"A reply from bob\nwith two lines"}}})
	wantStatus(t, rec, "POST a reply", http.StatusSeeOther)
	pm := postPathRE.FindStringSubmatch(rec.Header().Get("Location"))
	if pm == nil {
		t.Fatalf("POST a reply redirects to %q, want /p/{id}", rec.Header().Get("Location"))
	}
	postID := pm[1]
	wantRedirect(t, send(t, env, request{path: "/p/" + postID}), "GET /p/{id}", topicPath+"#p"+postID)

	wantStatus(t, send(t, env, request{path: "/p/" + postID + "/edit", as: env.Alice}), "GET the edit form for someone else's reply as its leader", http.StatusOK)
	wantStatus(t, send(t, env, request{method: "POST", path: "/p/" + postID + "/edit", as: env.Mod, form: url.Values{"body": {"A reply from bob\nwith two lines"}}}),
		"POST an edit that changes nothing", http.StatusBadRequest)
	rec = send(t, env, request{method: "POST", path: "/p/" + postID + "/edit", as: env.Bob, form: url.Values{"body": {"A reply from bob\nwith three lines"}, "reason": {"counting"}}})
	wantRedirect(t, rec, "POST an edit", "/p/"+postID)

	rec = send(t, env, request{path: "/p/" + postID + "/revisions"})
	wantStatus(t, rec, "GET revisions as a guest", http.StatusOK)
	body := html.UnescapeString(rec.Body.String())
	for _, want := range []string{"<del>- with two lines", "<ins>+ with three lines", "<span>  A reply from bob", "counting"} {
		if !strings.Contains(body, want) {
			t.Errorf("the revisions page lacks %q", want)
		}
	}

	// Someone else's post, and a private topic.
	rec = send(t, env, request{path: topicPath, as: env.Bob})
	openingID := regexp.MustCompile(`id="p(\d+)"`).FindStringSubmatch(rec.Body.String())
	if openingID == nil {
		t.Fatalf("the topic page has no post anchors")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/p/" + openingID[1] + "/edit", as: env.Bob, form: url.Values{"title": {"Hijacked"}, "body": {"hijacked"}}}),
		"POST an edit of someone else's post", http.StatusForbidden)
	private := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Private web topic")
	wantStatus(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/replies", private.ID), as: env.Bob, form: url.Values{"body": {"let me in"}}}),
		"POST a reply to a private topic as a non-member", http.StatusNotFound)
	env.CheckCounters(t)
}

func TestCrossOriginPostsRefused(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	newTopic := url.Values{"space": {env.PublicSpace.Slug}, "title": {"Cross-site topic"}, "body": {"planted"}}
	refused := []map[string]string{
		{"Sec-Fetch-Site": "cross-site"},
		{"Sec-Fetch-Site": "same-site"},
		{"Origin": "https://evil.example"},
		{"Origin": "null"},
	}
	topics := countRows(t, env, "topics")
	for _, h := range refused {
		wantStatus(t, send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: newTopic, header: h}), fmt.Sprintf("POST /new with %v", h), http.StatusForbidden)
		wantStatus(t, send(t, env, request{method: "POST", path: "/signout", as: env.Bob, header: h}), fmt.Sprintf("POST /signout with %v", h), http.StatusForbidden)
		wantStatus(t, send(t, env, request{method: "POST", path: "/signin", form: url.Values{"login": {"bob"}, "password": {testenv.Password}}, header: h}),
			fmt.Sprintf("POST /signin with %v (login CSRF)", h), http.StatusForbidden)
	}
	if n := countRows(t, env, "topics"); n != topics {
		t.Errorf("cross-origin posts created %d topics", n-topics)
	}
	wantStatus(t, send(t, env, request{path: "/settings", as: env.Bob}), "GET /settings after refused cross-site sign-outs", http.StatusOK)
	wantStatus(t, send(t, env, request{path: "/", header: map[string]string{"Sec-Fetch-Site": "cross-site"}}), "a cross-site GET (a link)", http.StatusOK)
	for _, h := range []map[string]string{{"Sec-Fetch-Site": "same-origin"}, {"Origin": "http://example.com"}, {}} {
		wantStatus(t, send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: newTopic, header: h}), fmt.Sprintf("a same-origin POST /new with %v", h), http.StatusSeeOther)
	}
}

func TestOversizedBody(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	big := url.Values{"space": {env.PublicSpace.Slug}, "title": {"Huge topic"}, "body": {strings.Repeat("x", app.MaxBody)}}.Encode()
	topics := countRows(t, env, "topics")
	for _, path := range []string{"/new", "/signin", "/signup", "/preview", "/settings/profile"} {
		req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(big))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec := env.Do(t, env.Alice, req)
		wantStatus(t, rec, "POST "+path+" with a body over 1 MiB", http.StatusRequestEntityTooLarge)

		// Without a Content-Length the cap is met while reading.
		req = httptest.NewRequest(http.MethodPost, path, io.MultiReader(strings.NewReader(big)))
		req.ContentLength = -1
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		rec = env.Do(t, env.Alice, req)
		wantStatus(t, rec, "POST "+path+" with a streamed body over 1 MiB", http.StatusRequestEntityTooLarge)
	}
	if n := countRows(t, env, "topics"); n != topics {
		t.Errorf("oversized posts created %d topics", n-topics)
	}
	// Just under the cap is fine (the body field itself is then too long: 400).
	ok := url.Values{"space": {env.PublicSpace.Slug}, "title": {"Large topic"}, "body": {strings.Repeat("y", 60000)}}
	wantStatus(t, send(t, env, request{method: "POST", path: "/new", as: env.Alice, form: ok}), "POST /new with a 60 kB body", http.StatusBadRequest)
}

func TestSignInRedirectStaysOnSite(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	nextRE := regexp.MustCompile(`name="next" value="([^"]*)"`)
	cases := []struct{ next, want string }{
		{"//evil.example", "/"},
		{"//evil.example/path", "/"},
		{"https://evil.example", "/"},
		{"/\\evil.example", "/"},
		{"\\\\evil.example", "/"},
		{"/\t/evil.example", "/"},
		{"/\n/evil.example", "/"},
		{" //evil.example", "/"},
		{"javascript:alert(1)", "/"},
		{"", "/"},
		{"/settings", "/settings"},
		{"/t/1/x?after=3", "/t/1/x?after=3"},
	}
	for _, c := range cases {
		rec := send(t, env, request{path: "/signin?next=" + url.QueryEscape(c.next)})
		wantStatus(t, rec, fmt.Sprintf("GET /signin?next=%q", c.next), http.StatusOK)
		m := nextRE.FindStringSubmatch(rec.Body.String())
		if m == nil || html.UnescapeString(m[1]) != c.want {
			t.Errorf("GET /signin?next=%q: the form carries next=%q, want %q", c.next, m, c.want)
		}
	}
	// Sign in with each next; every redirect must stay on this site.
	for i, c := range cases {
		login := []string{"alice", "bob", "mod"}[i%3]
		rec := send(t, env, request{method: "POST", path: "/signin", ip: fmt.Sprintf("203.0.113.%d", i+1),
			form: url.Values{"login": {login}, "password": {testenv.Password}, "next": {c.next}}})
		wantRedirect(t, rec, fmt.Sprintf("POST /signin as %s with next=%q", login, c.next), c.want)
	}
}

// TestNoServerErrors sends every route, as a guest, a member and an admin,
// odd ids, slugs and form values, and expects no 5xx (SECURITY.md R7 in small).
func TestNoServerErrors(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Target topic")
	reply := env.Reply(t, env.Bob, tp.ID, "target reply")
	question, err := env.App.Content.CreateTopic(context.Background(), env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Target question", Body: "Why?"})
	if err != nil {
		t.Fatal(err)
	}
	answer := env.Reply(t, env.Bob, question.ID, "Because.")
	event, err := env.App.Content.CreateTopic(context.Background(), env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindEvent, Title: "Target event", Body: "Come.",
		Event: content.EventInput{Starts: env.Clock.Now().Add(48 * time.Hour).Format(time.RFC3339)}})
	if err != nil {
		t.Fatal(err)
	}
	routes := []string{
		"GET /setup", "POST /setup", "GET /signup", "POST /signup", "GET /signin", "POST /signin", "POST /signout",
		"GET /forgot", "POST /forgot", "GET /reset/{secret}", "POST /reset/{secret}", "GET /verify/{secret}",
		"GET /", "GET /spaces", "GET /spaces/new", "POST /spaces/new", "GET /s/{slug}", "GET /s/{slug}/edit", "POST /s/{slug}/edit",
		"POST /s/{slug}/archive", "POST /s/{slug}/unarchive", "POST /s/{slug}/join", "POST /s/{slug}/leave", "GET /s/{slug}/members",
		"POST /s/{slug}/members/role", "POST /s/{slug}/requests/{id}", "POST /s/{slug}/invites", "POST /s/{slug}/invites/{id}/revoke",
		"GET /invite/{secret}", "POST /invite/{secret}", "GET /new", "POST /new", "POST /preview", "GET /t/{id}", "GET /t/{id}/{slug}",
		"POST /t/{id}/replies", "POST /t/{id}/moderate", "POST /t/{id}/move", "GET /p/{id}", "GET /p/{id}/edit", "POST /p/{id}/edit",
		"POST /p/{id}/delete", "POST /p/{id}/restore", "GET /p/{id}/revisions", "GET /tags", "GET /tags/{name}", "GET /u/{name}",
		"GET /settings", "POST /settings/profile", "POST /settings/password", "POST /settings/verify", "POST /settings/tokens",
		"POST /settings/tokens/{id}/revoke", "GET /admin", "POST /admin/users/{id}/role", "POST /admin/users/{id}/suspend",
		"POST /admin/users/{id}/unsuspend", "GET /admin/spaces", "GET /admin/outbox", "GET /static/{name}", "GET /nowhere",
		"POST /settings/signout-all", "POST /admin/users/{id}/delete", "POST /settings/email",
		"GET /search", "GET /similar",
		"POST /t/{id}/accept", "POST /p/{id}/vote", "POST /p/{id}/comments", "GET /questions", "GET /privileges", "GET /u/{name}/reputation",
		"POST /tags/{name}/{action}", "POST /t/{id}/close", "POST /t/{id}/reopen", "POST /p/{id}/wiki", "POST /p/{id}/rollback",
		"GET /review", "POST /review/{id}/approve", "POST /review/{id}/reject", "GET /p/{id}/delete",
		"POST /t/{id}/invite", "POST /admin/users/{id}/claim", "GET /badges", "GET /badges/{key}", "GET /leaderboard", "GET /admin/reputation", "POST /admin/reputation",
		"GET /settings/export", "GET /admin/data", "GET /notifications", "POST /notifications/read", "GET /live",
		"POST /settings/notifications", "GET /unsubscribe/{token}", "POST /unsubscribe/{token}",
		"POST /t/{id}/watch", "POST /s/{slug}/watch", "POST /u/{name}/follow", "GET /mentions", "GET /admin/digest",
		"GET /u/{name}/questions", "GET /u/{name}/answers", "GET /u/{name}/discussions", "GET /u/{name}/badges", "GET /members",
		"GET /avatars/{ref}", "POST /settings/avatar", "POST /settings/avatar/remove",
		"GET /messages", "GET /messages/new", "POST /messages/new", "GET /messages/reports", "GET /messages/{id}", "POST /messages/{id}",
		"POST /messages/{id}/leave", "POST /messages/{id}/add", "POST /messages/{id}/report", "POST /messages/{id}/resolve", "POST /u/{name}/block", "POST /settings/messages",
		"GET /events", "GET /events/{ref}", "GET /events/{id}/edit", "POST /events/{id}/edit",
	}
	checkEveryRoute(t, routes)
	values := map[string][]string{
		"{id}":     {fmt.Sprint(tp.ID), fmt.Sprint(reply.ID), fmt.Sprint(question.ID), fmt.Sprint(answer.ID), fmt.Sprint(event.ID), "0", "-1", "99999999999999999999", "abc"},
		"{slug}":   {env.PublicSpace.Slug, env.SecretSpace.Slug, "nope", "%ff"},
		"{secret}": {"nope", "pe_" + strings.Repeat("A", 43), "%00"},
		"{name}":   {"alice", "app.css", "%ff", "..%2f..%2fetc", "testing"},
		"{action}": {"follow", "unfollow", "describe", "synonyms", "merge", "explode"},
		"{key}":    {"teacher", "nope", "%ff"},
		"{token}":  {"1-abc", "0-", "-", "99999999999999999999-x", "%ff"},
		"{ref}":    {"1-1", "1-0", "0-0", "-", "abc", "99999999999999999999-1", fmt.Sprint(event.ID) + ".ics", fmt.Sprint(tp.ID) + ".ics", ".ics"},
	}
	forms := []url.Values{
		nil,
		{"body": {"\xff\xfe"}, "title": {strings.Repeat("t", 500)}, "space": {"%"}, "role": {"admin"}, "action": {"explode"}, "decision": {"approve"},
			"username": {"bob"}, "visibility": {"weird"}, "scope": {"root"}, "name": {"\x00"}, "password": {"x"}, "login": {"\xff"}, "email": {"a@"}},
		{"value": {"1"}, "post_id": {fmt.Sprint(answer.ID)}, "body": {"A comment that is long enough."}, "note.reply": {"off"}, "note.nope": {"loud"}, "level": {"watching"}},
		{"value": {"-7"}, "post_id": {"abc"}, "reason": {"needs-focus"}, "on": {"1"}, "revision": {"1"}, "kind": {"event"},
			"starts_at": {"99999-12-31T25:61"}, "ends_at": {"1999-01-01T00:00"}, "time_zone": {"Mars/Base"}, "url": {"javascript:alert(1)"}, "location": {"<b>\x00"},
			"usernames": {"alice bob nobody"}, "reputation.answer_upvote": {"x"}, "privilege.downvote": {"-5"}},
		{"level": {"muted"}, "to": {"alice bob nobody"}, "message": {"1"}, "messages": {"off"}, "block": {"1"}, "after": {"-5"}, "next": {"//evil"}, "kind": {"poll"}, "tags": {strings.Repeat("a ", 200)}, "current_password": {testenv.Password}, "new_password": {"short"}},
	}
	queries := []string{"", "?after=-1", "?after=zz.zz", "?q=%ff&before=abc", "?next=%2F%2Fevil&space=nope&kind=poll", "?sort=zzz&answers=loud&page=-3&period=decade&tag=nope", "?page=999999999999&sort=top&after=1.1.1", "?followed=1&view=side&answers=newest&past=1",
		"?expertise=%ff&interest=" + strings.Repeat("x", 200) + "&role=root&new=year&space=nope&location=%25_"}
	people := []*testenv.User{nil, env.Bob, env.Admin}
	count := 0
	for _, route := range routes {
		method, pattern, _ := strings.Cut(route, " ")
		for _, path := range expand(pattern, values) {
			for i, as := range people {
				q := queries[(count+i)%len(queries)]
				form := forms[(count+i)%len(forms)]
				if method == http.MethodGet {
					form = nil
				}
				r := request{method: method, path: path + q, as: as, form: form, ip: fmt.Sprintf("10.1.%d.%d", count%250, i)}
				if pattern == "/live" {
					r.cut = 100 * time.Millisecond
				}
				send(t, env, r)
				count++
			}
		}
	}
	t.Logf("%d requests, none answered 5xx", count)
}

// expand substitutes every combination of placeholder values into pattern.
func expand(pattern string, values map[string][]string) []string {
	out := []string{pattern}
	for ph, vs := range values {
		var next []string
		for _, p := range out {
			if !strings.Contains(p, ph) {
				next = append(next, p)
				continue
			}
			for _, v := range vs {
				next = append(next, strings.ReplaceAll(p, ph, v))
			}
		}
		out = next
	}
	return out
}

// TestAccountRevocationOverHTTP: role changes and suspension by an admin end
// the person's browser session on their very next request.
func TestAccountRevocationOverHTTP(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	wantStatus(t, send(t, env, request{path: "/settings", as: env.Bob}), "GET /settings as bob", http.StatusOK)
	wantRedirect(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/admin/users/%d/suspend", env.Bob.ID), as: env.Admin}), "suspend bob", "/admin")
	wantRedirect(t, send(t, env, request{path: "/settings", as: env.Bob}), "GET /settings as suspended bob", "/signin?next=%2Fsettings")

	wantStatus(t, send(t, env, request{path: "/admin", as: env.Mod}), "GET /admin as a moderator", http.StatusNotFound)
	wantRedirect(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/admin/users/%d/role", env.Mod.ID), as: env.Admin, form: url.Values{"role": {string(model.RoleMember)}}}),
		"demote the moderator", "/admin")
	wantRedirect(t, send(t, env, request{path: "/settings", as: env.Mod}), "GET /settings as the demoted moderator", "/signin?next=%2Fsettings")

	rec := send(t, env, request{method: "POST", path: fmt.Sprintf("/admin/users/%d/delete", env.Admin.ID), as: env.Admin})
	wantRedirect(t, rec, "the last admin deleting themselves", "/admin")
	wantStatus(t, send(t, env, request{path: "/admin", as: env.Admin}), "GET /admin after a refused self-deletion", http.StatusOK)
}

// TestTrustedProxyForwardedFor: behind a configured proxy the client address
// comes from X-Forwarded-For, so each client has its own limit, while the
// same header from anyone else is ignored (SECURITY.md R12).
func TestTrustedProxyForwardedFor(t *testing.T) {
	t.Parallel()
	d := testenv.OpenDB(t)
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clock := &testenv.Clock{}
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: "test", LogFormat: "text",
		TrustedProxies: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}
	env := &testenv.Env{App: app.Wire(d, cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), clock.Now), Clock: clock}
	env.Admin = env.NewUser(t, "admin", model.RoleAdmin)

	attempt := func(peer, forwarded string, i int) int {
		r := request{method: "POST", path: "/signin", ip: peer, form: url.Values{"login": {fmt.Sprintf("guess%d", i)}, "password": {"wrong guess"}}}
		if forwarded != "" {
			r.header = map[string]string{"X-Forwarded-For": forwarded}
		}
		return send(t, env, r).Code
	}
	for i := range 10 {
		if got := attempt("10.0.0.5", "198.51.100.7", i); got != http.StatusBadRequest {
			t.Fatalf("attempt %d through the proxy for 198.51.100.7: status %d, want 400", i+1, got)
		}
	}
	if got := attempt("10.0.0.5", "198.51.100.7", 10); got != http.StatusTooManyRequests {
		t.Errorf("attempt 11 through the proxy for 198.51.100.7: status %d, want 429", got)
	}
	if got := attempt("10.0.0.5", "203.0.113.1, 198.51.100.7", 11); got != http.StatusTooManyRequests {
		t.Errorf("a client prepending a fake hop: status %d, want 429 (the proxy's own entry counts)", got)
	}
	if got := attempt("10.0.0.6", "198.51.100.8", 12); got != http.StatusBadRequest {
		t.Errorf("another client through the proxy: status %d, want 400 (its own limit)", got)
	}
	// Not a trusted peer: the header is ignored and the peer itself is limited.
	for i := range 10 {
		attempt("192.0.2.77", fmt.Sprintf("198.51.100.%d", 100+i), 20+i)
	}
	if got := attempt("192.0.2.77", "198.51.100.200", 30); got != http.StatusTooManyRequests {
		t.Errorf("an untrusted peer rotating X-Forwarded-For: status %d on attempt 11, want 429", got)
	}
}

// TestUnverifiedCannotPost: a new member who has not confirmed their email is
// told so on the composer, and a post they send anyway is refused with the reason.
func TestUnverifiedCannotPost(t *testing.T) {
	env := testenv.New(t)
	if _, err := env.App.Auth.SignUp(context.Background(), auth.SignUpInput{Username: "newbie", Email: "newbie@example.org", Password: testenv.Password}); err != nil {
		t.Fatalf("SignUp: %v", err)
	}
	_, secret, err := env.App.Auth.SignIn(context.Background(), "newbie", testenv.Password, "test")
	if err != nil {
		t.Fatalf("SignIn: %v", err)
	}
	newbie := &testenv.User{Session: secret}
	rec := env.Get(t, newbie, "/new")
	if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), "Confirm your email first") {
		t.Fatalf("GET /new as an unverified member: %d, body lacks the confirmation notice", rec.Code)
	}
	rec = env.PostForm(t, newbie, "/new", url.Values{"space": {env.PublicSpace.Slug}, "title": {"My first question"}, "body": {"Hello"}})
	if rec.Code != http.StatusForbidden || !strings.Contains(strings.ToLower(rec.Body.String()), "confirm your email") {
		t.Errorf("POST /new as an unverified member: %d; want 403 saying to confirm the email", rec.Code)
	}
	list, err := env.App.Content.Latest(context.Background(), env.Admin.Viewer(), content.ListInput{Space: env.PublicSpace.Slug})
	if err != nil || len(list.Items) != 0 {
		t.Errorf("after a refused post the space holds %d topics (err %v), want 0", len(list.Items), err)
	}
}

// checkEveryRoute fails when routes.go registers a route the sweep misses, so
// a new page cannot skip the no-5xx check.
func checkEveryRoute(t *testing.T, swept []string) {
	t.Helper()
	src, err := os.ReadFile("routes.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range regexp.MustCompile(`mux\.Handle\("((?:GET|POST) /[^"]*)"`).FindAllStringSubmatch(string(src), -1) {
		route := strings.TrimSuffix(m[1], "{$}")
		if route == "GET /static/" {
			route = "GET /static/{name}"
		}
		if !slices.Contains(swept, route) {
			t.Errorf("route %q from routes.go is not in the no-5xx sweep", route)
		}
	}
}

// TestStaticAssets: hashed URLs are cached for good, gzip is served to those
// who accept it and decompresses to the same bytes, unknown files are 404.
func TestStaticAssets(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	page := env.Get(t, nil, "/spaces").Body.String()
	css := regexp.MustCompile(`href="(/static/[0-9a-f]+/app\.css)"`).FindStringSubmatch(page)
	if css == nil {
		t.Fatalf("no hashed stylesheet link on /spaces")
	}
	plain := env.Get(t, nil, css[1])
	if plain.Code != http.StatusOK || !strings.Contains(plain.Header().Get("Cache-Control"), "immutable") || plain.Header().Get("Content-Encoding") != "" {
		t.Fatalf("GET %s: %d, Cache-Control %q, Content-Encoding %q; want 200, immutable, identity", css[1], plain.Code, plain.Header().Get("Cache-Control"), plain.Header().Get("Content-Encoding"))
	}
	req := httptest.NewRequest(http.MethodGet, css[1], nil)
	req.Header.Set("Accept-Encoding", "gzip, br")
	zipped := env.Do(t, nil, req)
	if zipped.Header().Get("Content-Encoding") != "gzip" || zipped.Body.Len() >= plain.Body.Len() {
		t.Fatalf("GET %s with gzip: Content-Encoding %q, %d bytes (plain %d)", css[1], zipped.Header().Get("Content-Encoding"), zipped.Body.Len(), plain.Body.Len())
	}
	zr, err := gzip.NewReader(zipped.Body)
	if err != nil {
		t.Fatal(err)
	}
	unzipped, err := io.ReadAll(zr)
	if err != nil || string(unzipped) != plain.Body.String() {
		t.Errorf("gzipped stylesheet does not decompress to the plain one (err %v)", err)
	}
	for _, path := range []string{"/static/nope.css", "/static/0000/secret.txt", "/static/0000/..%2fstatic.go"} {
		if rec := env.Get(t, nil, path); rec.Code != http.StatusNotFound {
			t.Errorf("GET %s: %d, want 404", path, rec.Code)
		}
	}
}
