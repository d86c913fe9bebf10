package atk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/importer"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/testenv"
)

// payloads is the stored/reflected XSS list every text field receives.
var payloads = []string{
	`<script>alert(1)</script>`,
	`<img src=x onerror=alert(1)>`,
	`<svg onload=alert(1)>`,
	`"><script>alert(1)</script>`,
	`'><img src=x onerror=alert(1)>`,
	`[click](javascript:alert(1))`,
	`![x](javascript:alert(1))`,
	`<a href="javascript:alert(1)">a</a>`,
	`<a href="JaVaScRiPt:alert(1)">b</a>`,
	`<a href="&#106;avascript:alert(1)">c</a>`,
	`<a href="  javascript:alert(1)">d</a>`,
	`<iframe src="javascript:alert(1)"></iframe>`,
	`<details open ontoggle=alert(1)>`,
	`<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>`,
	`<form action="javascript:alert(1)"><button>x</button></form>`,
	`<object data="javascript:alert(1)"></object>`,
	`<base href="javascript:alert(1)//">`,
	`<meta http-equiv="refresh" content="0;url=javascript:alert(1)">`,
	`<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">e</a>`,
	`<div style="background:url(javascript:alert(1))">f</div>`,
	"\"><svg/onload=alert(1)>`${alert(1)}`{{.}}",
}

// allPayloads joins the list into one field value.
func allPayloads() string { return strings.Join(payloads, "\n\n") }

// newEnv starts a parallel test on a fresh Practica.
func newEnv(t *testing.T) *testenv.Env {
	t.Helper()
	t.Parallel()
	return testenv.New(t)
}

var ctx = context.Background()

// wantCode fails unless rec's status is one of codes.
func wantCode(t *testing.T, rec *httptest.ResponseRecorder, what string, codes ...int) {
	t.Helper()
	for _, c := range codes {
		if rec.Code == c {
			return
		}
	}
	t.Errorf("%s: status %d, want %v; body %.300q", what, rec.Code, codes, rec.Body.String())
}

// badURL reports whether an attribute value is a script-bearing URL.
func badURL(v string) bool {
	v = strings.Map(func(r rune) rune {
		if r <= ' ' || r == 0x7f {
			return -1
		}
		return r
	}, strings.ToLower(v))
	return strings.HasPrefix(v, "javascript:") || strings.HasPrefix(v, "vbscript:") || strings.HasPrefix(v, "data:text/html") || strings.Contains(v, "url(javascript:")
}

// injections parses an HTML document and lists what an attacker could have
// injected: inline or foreign scripts, event handlers, script URLs, and
// elements that load or redirect (iframe, object, embed, base, meta refresh).
func injections(body string) []string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return []string{"unparsable HTML: " + err.Error()}
	}
	var out []string
	var walk func(n *html.Node)
	walk = func(n *html.Node) {
		if n.Type == html.ElementNode {
			switch n.Data {
			case "script":
				src := attr(n, "src")
				if !strings.HasPrefix(src, "/static/") || (n.FirstChild != nil && strings.TrimSpace(n.FirstChild.Data) != "") {
					out = append(out, fmt.Sprintf("<script src=%q>", src))
				}
			case "iframe", "object", "embed", "base", "frame", "frameset", "applet":
				out = append(out, "<"+n.Data+">")
			case "meta":
				if strings.EqualFold(attr(n, "http-equiv"), "refresh") {
					out = append(out, "<meta http-equiv=refresh>")
				}
			}
			for _, a := range n.Attr {
				k := strings.ToLower(a.Key)
				switch {
				case strings.HasPrefix(k, "on"):
					out = append(out, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
				case k == "style" && badURL(a.Val):
					out = append(out, fmt.Sprintf("<%s style=%q>", n.Data, a.Val))
				case (k == "href" || k == "src" || k == "action" || k == "formaction" || k == "data" || k == "xlink:href" || k == "srcdoc") && badURL(a.Val):
					out = append(out, fmt.Sprintf("<%s %s=%q>", n.Data, a.Key, a.Val))
				}
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
		}
	}
	walk(doc)
	return out
}

func attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// clean fails the test when rec's HTML carries injected markup, or when the
// request failed with a server error.
func clean(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if rec.Code >= 500 {
		t.Errorf("%s: status %d", what, rec.Code)
	}
	if bad := injections(rec.Body.String()); len(bad) > 0 {
		t.Errorf("%s (status %d): injected markup survived: %v", what, rec.Code, bad)
	}
}

// getClean fetches path as u and checks it is free of injected markup.
func getClean(t *testing.T, env *testenv.Env, u *testenv.User, path string) *httptest.ResponseRecorder {
	t.Helper()
	rec := env.Get(t, u, path)
	clean(t, "GET "+path, rec)
	return rec
}

// lacks fails when body contains any of the secrets.
func lacks(t *testing.T, what, body string, secrets ...string) {
	t.Helper()
	for _, s := range secrets {
		if s != "" && strings.Contains(strings.ToLower(body), strings.ToLower(s)) {
			t.Errorf("%s: response mentions %q", what, s)
		}
	}
}

var topicPathRE = regexp.MustCompile(`^/t/(\d+)`)

// createdTopic reads the id of the topic a POST /new redirected to.
func createdTopic(t *testing.T, rec *httptest.ResponseRecorder) int64 {
	t.Helper()
	m := topicPathRE.FindStringSubmatch(rec.Header().Get("Location"))
	if rec.Code != http.StatusSeeOther || m == nil {
		t.Fatalf("create topic: status %d, Location %q; body %.300q", rec.Code, rec.Header().Get("Location"), rec.Body.String())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// question creates a question as u through the service.
func question(t *testing.T, env *testenv.Env, u *testenv.User, sp model.Space, title string) model.Topic {
	t.Helper()
	q, err := env.App.Content.CreateTopic(ctx, u.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion, Title: title, Body: "Body of " + title, Tags: "testing"})
	if err != nil {
		t.Fatalf("create question %q as %s: %v", title, u.Username, err)
	}
	return q
}

// comment adds a comment as u through the service.
func comment(t *testing.T, env *testenv.Env, u *testenv.User, postID int64, body string) model.Post {
	t.Helper()
	c, err := env.App.Content.Comment(ctx, u.Viewer(), postID, body)
	if err != nil {
		t.Fatalf("comment on %d as %s: %v", postID, u.Username, err)
	}
	return c
}

// openingPost returns a topic's opening post.
func openingPost(t *testing.T, env *testenv.Env, topicID int64) model.Post {
	t.Helper()
	tv, err := env.App.Content.Topic(ctx, env.Admin.Viewer(), topicID, 0)
	if err != nil || len(tv.Posts) == 0 {
		t.Fatalf("load topic %d: %v", topicID, err)
	}
	return tv.Posts[0].Post
}

// apiError decodes an API error envelope and checks its status.
func apiError(t *testing.T, rec *httptest.ResponseRecorder, what string, codes ...int) httpx.ErrorDetail {
	t.Helper()
	wantCode(t, rec, what, codes...)
	var body httpx.ErrorBody
	if err := json.Unmarshal(rec.Body.Bytes(), &body); err != nil || body.Error.Code == "" {
		t.Errorf("%s: not the error envelope: %.300q", what, rec.Body.String())
	}
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: Content-Type %q, want JSON", what, ct)
	}
	return body.Error
}

// outbox returns every queued mail, newest first.
func outbox(t *testing.T, env *testenv.Env) []model.Mail {
	t.Helper()
	mails, err := env.App.Auth.Outbox(ctx, env.Admin.Viewer(), 0)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return mails
}

var linkSecretRE = regexp.MustCompile(`/(reset|verify)/([A-Za-z0-9_-]+)`)

// mailSecret returns the secret of the newest /reset/ or /verify/ link sent to addr.
func mailSecret(t *testing.T, env *testenv.Env, addr, kind string) string {
	t.Helper()
	for _, m := range outbox(t, env) {
		if m.To != addr {
			continue
		}
		for _, s := range linkSecretRE.FindAllStringSubmatch(m.Body, -1) {
			if s[1] == kind {
				return s[2]
			}
		}
	}
	t.Fatalf("no %s link mailed to %s", kind, addr)
	return ""
}

// postFormFrom submits a form from a given client address.
func postFormFrom(t *testing.T, env *testenv.Env, u *testenv.User, ip, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = ip + ":4321"
	return env.Do(t, u, req)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

// chunks groups the payloads into values of at most max bytes each.
func chunks(max int) []string {
	var out []string
	cur := ""
	for _, p := range payloads {
		if cur != "" && len(cur)+2+len(p) > max {
			out = append(out, cur)
			cur = ""
		}
		if cur != "" {
			cur += "\n\n"
		}
		cur += p
	}
	return append(out, cur)
}

func testenvDecode(t *testing.T, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	testenv.Decode(t, rec, v)
}

// writeFiles writes name → content files under dir.
func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// editInput is an edit of a post's body (and title, for opening posts).
func editInput(title, body string) content.EditInput {
	return content.EditInput{Title: title, Body: body, Tags: "testing", Reason: "test"}
}

func newReq(method, path string) *http.Request { return httptest.NewRequest(method, path, nil) }

func trunc(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// importDump runs the Stack Exchange importer on dir.
func importDump(t *testing.T, env *testenv.Env, dir string) importer.Summary {
	t.Helper()
	sum, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: dir})
	if err != nil {
		t.Fatalf("import %s: %v", dir, err)
	}
	return sum
}

// inputValue returns the value of the first input named name in a page.
func inputValue(body, name string) string {
	doc, err := html.Parse(strings.NewReader(body))
	if err != nil {
		return ""
	}
	var found string
	var walk func(n *html.Node) bool
	walk = func(n *html.Node) bool {
		if n.Type == html.ElementNode && n.Data == "input" && attr(n, "name") == name {
			found = attr(n, "value")
			return true
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if walk(c) {
				return true
			}
		}
		return false
	}
	walk(doc)
	return found
}
