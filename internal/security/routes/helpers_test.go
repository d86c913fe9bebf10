package routes_test

import (
	"context"
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// route is one pattern registered with a ServeMux in the product's source.
type route struct {
	Method  string // "" when the pattern matches every method
	Pattern string
	Where   string // file:line
}

func (r route) String() string { return strings.TrimSpace(r.Method + " " + r.Pattern) }

// routeDirs are the packages whose ServeMux registrations make up the router.
var routeDirs = []string{"../../web", "../../api", "../../app"}

// loadRoutes reads every mux.Handle and mux.HandleFunc call with a literal
// pattern from the non-test sources of the router packages, so that a route
// added there is covered here without a change. The router offers no list.
func loadRoutes(t testing.TB) []route {
	t.Helper()
	var out []route
	seen := map[string]bool{}
	fset := token.NewFileSet()
	for _, dir := range routeDirs {
		files, err := filepath.Glob(filepath.Join(dir, "*.go"))
		if err != nil {
			t.Fatal(err)
		}
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") {
				continue
			}
			f, err := parser.ParseFile(fset, file, nil, 0)
			if err != nil {
				t.Fatalf("parse %s: %v", file, err)
			}
			ast.Inspect(f, func(n ast.Node) bool {
				call, ok := n.(*ast.CallExpr)
				if !ok || len(call.Args) != 2 {
					return true
				}
				sel, ok := call.Fun.(*ast.SelectorExpr)
				if !ok || (sel.Sel.Name != "Handle" && sel.Sel.Name != "HandleFunc") {
					return true
				}
				lit, ok := call.Args[0].(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					return true
				}
				pat, err := strconv.Unquote(lit.Value)
				if err != nil || !strings.Contains(pat, "/") {
					return true
				}
				r := route{Pattern: pat, Where: fset.Position(lit.Pos()).String()}
				if m, p, ok := strings.Cut(pat, " "); ok {
					r.Method, r.Pattern = m, strings.TrimSpace(p)
				}
				if !seen[r.String()] {
					seen[r.String()] = true
					out = append(out, r)
				}
				return true
			})
		}
	}
	if len(out) < 150 {
		t.Fatalf("found only %d routes in %v; has routing moved out of mux.Handle calls with literal patterns?", len(out), routeDirs)
	}
	return out
}

// sourceNames collects the form fields, query parameters and JSON request
// fields the handlers read, from their source, so bodies and queries carry the
// names that reach real code.
type sourceNames struct{ Form, Query, JSON []string }

var (
	getRE      = regexp.MustCompile(`(?:\.Get|FormValue|PostFormValue|queryInt\(r,)\(?\s*"([a-z_][a-z0-9_.]*)"`)
	formCallRE = regexp.MustCompile(`form\(r((?:,\s*"[a-z_][a-z0-9_.]*")+)\)`)
	quotedRE   = regexp.MustCompile(`"([^"]+)"`)
	jsonTagRE  = regexp.MustCompile("json:\"([a-z_][a-z0-9_]*)[,\"]")
)

func loadNames(t testing.TB) sourceNames {
	t.Helper()
	set := func(m map[string]bool) []string {
		var out []string
		for k := range m {
			out = append(out, k)
		}
		sort.Strings(out)
		return out
	}
	form, query, js := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for _, dir := range []string{"../../web", "../../api"} {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, file := range files {
			if strings.HasSuffix(file, "_test.go") || strings.HasSuffix(file, "_templ.go") {
				continue
			}
			src, err := os.ReadFile(file)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range getRE.FindAllStringSubmatch(string(src), -1) {
				if m[1] == "Authorization" || strings.Contains(m[1], "-") {
					continue
				}
				form[m[1]], query[m[1]] = true, true
			}
			for _, m := range formCallRE.FindAllStringSubmatch(string(src), -1) {
				for _, q := range quotedRE.FindAllStringSubmatch(m[1], -1) {
					form[q[1]] = true
				}
			}
			if strings.Contains(dir, "api") {
				for _, m := range jsonTagRE.FindAllStringSubmatch(string(src), -1) {
					js[m[1]] = true
				}
			}
		}
	}
	for _, n := range []string{"limit", "page", "after", "before", "cursor", "per_page", "sort", "q"} {
		query[n] = true
	}
	return sourceNames{Form: set(form), Query: set(query), JSON: set(js)}
}

// world is a seeded community behind the real router, wired with a logger
// that keeps errors (panics included) so a failure can show them.
type world struct {
	env     *testenv.Env
	handler http.Handler
	logs    *testenv.LogBuffer
	values  map[string][]string // real path values by placeholder name
	member  *testenv.User       // a signed-in member: Alice, who leads the spaces
	topic   model.Topic
	names   sourceNames
	routes  []route
	mu      sync.Mutex     // guards member's credentials while they are renewed
	status  map[string]int // responses by viewer and status, for the log
}

func newWorld(t testing.TB) *world {
	t.Helper()
	ctx := context.Background()
	env := testenv.New(t)
	logs := &testenv.LogBuffer{}
	log := slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelError}))
	h := app.Wire(env.App.DB, env.App.Config, log, env.Clock.Now).Handler
	w := &world{env: env, handler: h, logs: logs, member: env.Alice, names: loadNames(t), routes: loadRoutes(t)}

	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Route table topic")
	reply := env.Reply(t, env.Bob, tp.ID, "A reply mentioning @alice")
	q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Route table question", Body: "Why?", Tags: "testing routes"})
	if err != nil {
		t.Fatal(err)
	}
	answer := env.Reply(t, env.Bob, q.ID, "Because.")
	comment, err := env.App.Content.Comment(ctx, env.Mod.Viewer(), answer.ID, "A comment on the answer.")
	if err != nil {
		t.Fatalf("comment: %v", err)
	}
	if _, err := env.App.Community.Join(ctx, env.Bob.Viewer(), env.PrivateSpace.Slug, "let me in"); err != nil {
		t.Fatalf("join request: %v", err)
	}
	ids := []string{fmt.Sprint(tp.ID), fmt.Sprint(reply.ID), fmt.Sprint(q.ID), fmt.Sprint(answer.ID), fmt.Sprint(comment.ID), fmt.Sprint(env.Bob.ID)}
	if reqs, err := env.App.Community.JoinRequests(ctx, env.Alice.Viewer(), env.PrivateSpace.Slug); err == nil && len(reqs) > 0 {
		ids = append(ids, fmt.Sprint(reqs[0].ID))
	}
	secret, err := env.App.Community.CreateInvite(ctx, env.Alice.Viewer(), env.PrivateSpace.Slug)
	if err != nil {
		t.Fatalf("invite: %v", err)
	}
	if invs, err := env.App.Community.Invites(ctx, env.Alice.Viewer(), env.PrivateSpace.Slug); err == nil && len(invs) > 0 {
		ids = append(ids, fmt.Sprint(invs[0].ID))
	}
	if tok, _, err := env.App.Auth.CreateAPIToken(ctx, env.Alice.Viewer(), "spare", model.ScopeWrite); err == nil {
		ids = append(ids, fmt.Sprint(tok.ID)) // a token she may revoke without losing the one the test uses
	}
	w.topic = tp
	w.values = map[string][]string{
		"id":       ids,
		"slug":     {env.PublicSpace.Slug, env.PrivateSpace.Slug, env.SecretSpace.Slug, tp.Slug},
		"username": {"alice", "bob", "mod"},
		"name":     {"alice", "testing", "routes"},
		"secret":   {secret, "nope"},
		"key":      {"teacher", "se:bronze:Nice Answer"},
		"action":   {"follow", "unfollow", "describe", "synonyms", "merge"},
	}
	return w
}

// malformed are path values no handler should choke on.
var malformed = []string{"0", "-1", "-9223372036854775809", "9223372036854775808", "99999999999999999999999999", "1e3", "0x1f", "+1", "%201",
	"%ff%fe", "%00", "a%00b", "%2e%2e%2f%2e%2e%2fetc", "..", "%e2%80%ae", "%3Cscript%3E", strings.Repeat("9", 3000), strings.Repeat("x", 5000)}

// expand returns the route's path with each placeholder set from values, one
// path per value of the first placeholder (the others take their first).
func expand(pattern string, pick func(name string) []string) []string {
	pattern = strings.ReplaceAll(pattern, "{$}", "")
	ph := regexp.MustCompile(`\{([A-Za-z_]+)(\.\.\.)?\}`)
	names := ph.FindAllStringSubmatch(pattern, -1)
	if len(names) == 0 {
		if strings.HasSuffix(pattern, "/") && pattern != "/" { // a subtree: add a name under it
			return []string{pattern, pattern + "app.css", pattern + "nope%00"}
		}
		return []string{pattern}
	}
	var out []string
	for _, v := range pick(names[0][1]) {
		p := strings.Replace(pattern, names[0][0], v, 1)
		p = ph.ReplaceAllStringFunc(p, func(m string) string {
			vs := pick(ph.FindStringSubmatch(m)[1])
			return vs[0]
		})
		out = append(out, p)
	}
	return out
}

func (w *world) real(name string) []string {
	if vs, ok := w.values[name]; ok {
		return vs
	}
	return []string{"x"}
}

// send serves req with the member's credentials (as nil for a guest) and
// checks the response. It returns the recorder.
func (w *world) send(t testing.TB, req *http.Request, asMember bool, what string) *httptest.ResponseRecorder {
	t.Helper()
	if asMember {
		w.mu.Lock()
		req.AddCookie(&http.Cookie{Name: "practica_session", Value: w.member.Session})
		if req.Header.Get("Authorization") == "" {
			req.Header.Set("Authorization", "Bearer "+w.member.Token)
		}
		w.mu.Unlock()
	}
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.10:1234"
	}
	rec := httptest.NewRecorder()
	start := time.Now()
	w.handler.ServeHTTP(rec, req)
	took := time.Since(start)
	who := "guest"
	if asMember {
		who = w.member.Username
	}
	w.mu.Lock()
	if w.status == nil {
		w.status = map[string]int{}
	}
	w.status[fmt.Sprintf("%s:%d", who, rec.Code)]++
	w.mu.Unlock()
	what = fmt.Sprintf("%s %s as %s (%s)", req.Method, abbreviate(req.URL.RequestURI()), who, what)
	if took > 2*time.Second {
		t.Logf("slow: %s took %v (R7 asks < 2 s)", what, took)
	}
	if took > 10*time.Second {
		t.Errorf("%s took %v, over 10 s", what, took)
	}
	if logged := w.logs.Take(); strings.Contains(logged, "panic") {
		t.Errorf("%s: status %d, and a panic was logged:\n%s", what, rec.Code, abbreviateN(logged, 4000))
	} else if rec.Code >= 500 {
		t.Errorf("%s: status %d, body %q; logged:\n%s", what, rec.Code, abbreviate(rec.Body.String()), abbreviateN(logged, 2000))
	}
	checkHeaders(t, what, req, rec)
	return rec
}

// checkHeaders holds a response to SECURITY.md R14.
func checkHeaders(t testing.TB, what string, req *http.Request, rec *httptest.ResponseRecorder) {
	t.Helper()
	h := rec.Header()
	csp := directives(h.Get("Content-Security-Policy"))
	script, ok := csp["script-src"]
	if !ok {
		script = csp["default-src"]
	}
	if script == "" || strings.Contains(script, "'unsafe-inline'") || strings.Contains(script, "'unsafe-eval'") || strings.Contains(script, "*") {
		t.Errorf("%s: CSP script-src %q; want a strict one without 'unsafe-inline'", what, script)
	}
	xfo := strings.ToUpper(h.Get("X-Frame-Options"))
	if fa := csp["frame-ancestors"]; fa != "'none'" && fa != "'self'" && xfo != "DENY" && xfo != "SAMEORIGIN" {
		t.Errorf("%s: neither CSP frame-ancestors (%q) nor X-Frame-Options (%q) forbids framing", what, fa, xfo)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Errorf("%s: X-Content-Type-Options %q, want nosniff", what, got)
	}
	if got := h.Get("Referrer-Policy"); got == "" || got == "unsafe-url" || got == "no-referrer-when-downgrade" {
		t.Errorf("%s: Referrer-Policy %q, want one that keeps paths on this site", what, got)
	}
	if got := h.Get("Strict-Transport-Security"); got != "" {
		t.Errorf("%s: HSTS %q over plain http", what, got)
	}
	if rec.Body.Len() > 0 && h.Get("Content-Type") == "" {
		t.Errorf("%s: %d-byte body without a Content-Type", what, rec.Body.Len())
	}
	for _, c := range rec.Result().Cookies() {
		if c.Name == "practica_session" && c.MaxAge >= 0 && c.Value != "" && (!c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
			t.Errorf("%s: session cookie HttpOnly=%v SameSite=%v, want HttpOnly and Lax", what, c.HttpOnly, c.SameSite)
		}
	}
	if strings.HasPrefix(req.URL.Path, "/api/") && rec.Code >= 400 {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		ct := h.Get("Content-Type")
		if !strings.HasPrefix(ct, "application/json") || json.Unmarshal(rec.Body.Bytes(), &body) != nil || body.Error.Code == "" || body.Error.Message == "" {
			t.Errorf("%s: API error %d as %q %q; want the JSON error envelope", what, rec.Code, ct, abbreviate(rec.Body.String()))
		}
	}
}

func directives(csp string) map[string]string {
	out := map[string]string{}
	for _, d := range strings.Split(csp, ";") {
		name, val, _ := strings.Cut(strings.TrimSpace(d), " ")
		if name != "" {
			out[strings.ToLower(name)] = strings.TrimSpace(val)
		}
	}
	return out
}

// renew gives the member a working session and token again when a route
// (sign-out, sign-out-everywhere, a revoked token) ended them.
func (w *world) renew(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	a := w.env.App.Auth
	w.mu.Lock()
	defer w.mu.Unlock()
	if v, _, err := a.SessionViewer(ctx, w.member.Session); err != nil || v.Guest() {
		u, secret, err := a.SignIn(ctx, w.member.Username, testenv.Password, "routes test")
		if err != nil {
			t.Fatalf("sign %s in again: %v", w.member.Username, err)
		}
		w.member.User, w.member.Session = u, secret
	}
	if v, err := a.TokenViewer(ctx, w.member.Token); err != nil || v.Guest() {
		_, tok, err := a.CreateAPIToken(ctx, w.member.Viewer(), "routes", model.ScopeWrite)
		if err != nil {
			t.Fatalf("new token for %s: %v", w.member.Username, err)
		}
		w.member.Token = tok
	}
}

func newRequest(t testing.TB, method, target string, body io.Reader, ctype string) *http.Request {
	t.Helper()
	req, err := http.NewRequest(method, "http://example.test"+target, body)
	if err != nil {
		t.Fatalf("build %s %s: %v", method, abbreviate(target), err)
	}
	if ctype != "" {
		req.Header.Set("Content-Type", ctype)
	}
	return req
}

func abbreviate(s string) string { return abbreviateN(s, 160) }

func abbreviateN(s string, n int) string {
	if len(s) > n {
		return s[:n] + fmt.Sprintf("…(%d bytes)", len(s))
	}
	return s
}
