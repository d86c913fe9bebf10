package routes_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// bodyKind is one of R7's malformed inputs; it builds a form (web routes) or
// JSON (API routes) body and a query string from the names handlers read.
type bodyKind struct {
	name  string
	form  func(names []string) string
	json  func(names []string) string
	query func(names []string) string
}

const maxBody = 1 << 20 // app.MaxBody

func formOf(names []string, val func(i int, n string) []string) string {
	v := url.Values{}
	for i, n := range names {
		v[n] = val(i, n)
	}
	return v.Encode()
}

func jsonOf(names []string, val func(i int, n string) string) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, "%q:%s", n, val(i, n))
	}
	b.WriteByte('}')
	return b.String()
}

var bodyKinds = []bodyKind{
	{name: "empty",
		form:  func([]string) string { return "" },
		json:  func([]string) string { return "" },
		query: func([]string) string { return "" }},
	{name: "1 MiB + 1",
		form:  func([]string) string { return "body=" + strings.Repeat("x", maxBody+1-5) },
		json:  func([]string) string { return `{"body":"` + strings.Repeat("x", maxBody+1-11) + `"}` },
		query: func([]string) string { return "" }},
	{name: "invalid UTF-8",
		form: func(ns []string) string {
			return formOf(ns, func(int, string) []string { return []string{"\xff\xfe\xc3("} })
		},
		json: func(ns []string) string {
			return jsonOf(ns, func(int, string) string { return "\"\xff\xfe\xc3(\\ud800\"" })
		},
		query: func(ns []string) string {
			return formOf(ns, func(int, string) []string { return []string{"\xff\xfe"} })
		}},
	{name: "NUL bytes",
		form: func(ns []string) string { return formOf(ns, func(int, string) []string { return []string{"a\x00b"} }) },
		json: func(ns []string) string {
			return jsonOf(ns, func(int, string) string { return `"a\u0000b"` }) + "\x00"
		},
		query: func(ns []string) string { return formOf(ns, func(int, string) []string { return []string{"\x00"} }) }},
	{name: "wrong JSON types",
		form: func(ns []string) string {
			return formOf(ns, func(i int, _ string) []string { return []string{[]string{"[]", "{}", "true", "abc", "1.5"}[i%5]} })
		},
		json: func(ns []string) string {
			return jsonOf(ns, func(i int, _ string) string {
				return []string{"[]", "{}", "true", `"abc"`, "1.5", "null", `[{"a":1}]`}[i%7]
			})
		},
		query: func(ns []string) string {
			return formOf(ns, func(i int, _ string) []string { return []string{[]string{"[]", "abc", "1.5", "true"}[i%4]} })
		}},
	{name: "huge and negative ints",
		form: func(ns []string) string {
			return formOf(ns, func(i int, _ string) []string { return []string{bigInts[i%len(bigInts)]} })
		},
		json: func(ns []string) string {
			return jsonOf(ns, func(i int, _ string) string { return bigInts[i%len(bigInts)] })
		},
		query: func(ns []string) string {
			return formOf(ns, func(i int, _ string) []string { return []string{bigInts[(i+1)%len(bigInts)]} })
		}},
	{name: "repeated params",
		form: func(ns []string) string {
			return formOf(ns, func(i int, _ string) []string { return []string{"1", "a second value", "-1"} })
		},
		json: func(ns []string) string {
			return strings.TrimSuffix(jsonOf(ns, func(int, string) string { return `"first"` }), "}") + "," +
				strings.TrimPrefix(jsonOf(ns, func(int, string) string { return `2` }), "{")
		},
		query: func(ns []string) string {
			return formOf(ns, func(int, string) []string { return []string{"1", "2", "-3"} })
		}},
	{name: "unknown fields",
		form: func(ns []string) string {
			return formOf(append([]string{"is_admin", "role", "user_id", "id", "status", "verified"}, ns...), func(int, string) []string { return []string{"1"} })
		},
		json: func([]string) string {
			return `{"is_admin":true,"role":"admin","user_id":1,"id":1,"status":"active","__proto__":{"x":1}}`
		},
		query: func([]string) string { return "is_admin=1&role=admin&debug=1" }},
}

var bigInts = []string{"-1", "0", "9223372036854775807", "9223372036854775808", "-9223372036854775809", "99999999999999999999999999", "1e400", "-0", "2147483648"}

// routeCase is one request of the table: a route, a path, a body kind, a viewer.
func (w *world) requestFor(t testing.TB, r route, path string, k bodyKind, jsonNames []string) *http.Request {
	t.Helper()
	method := r.Method
	if method == "" {
		method = http.MethodPost
	}
	api := strings.HasPrefix(path, "/api/")
	target := path
	if q := k.query(w.names.Query); q != "" {
		target += "?" + q
	}
	var body, ctype string
	switch {
	case method == http.MethodGet || method == http.MethodHead:
		if k.name == "1 MiB + 1" { // a GET with a body over the cap is refused as well
			body = k.form(nil)
		}
	case api:
		body, ctype = k.json(jsonNames), "application/json"
	default:
		body, ctype = k.form(w.names.Form), "application/x-www-form-urlencoded"
	}
	if body == "" {
		ctype = ""
	}
	return newRequest(t, method, target, strings.NewReader(body), ctype)
}

// learnJSONFields finds which JSON fields a route's body takes: DecodeJSON
// refuses unknown fields by name, so names are dropped until it stops.
func (w *world) learnJSONFields(t testing.TB, r route, path string) []string {
	t.Helper()
	names := append([]string(nil), w.names.JSON...)
	for range len(w.names.JSON) + 1 {
		body := jsonOf(names, func(int, string) string { return `"x"` })
		rec := w.send(t, newRequest(t, r.Method, path, strings.NewReader(body), "application/json"), true, "learning its JSON fields")
		var e struct {
			Error struct {
				Fields map[string]string `json:"fields"`
			} `json:"error"`
		}
		_ = json.Unmarshal(rec.Body.Bytes(), &e)
		dropped := false
		for f, msg := range e.Error.Fields {
			if msg == "Unknown field." {
				for i, n := range names {
					if n == f {
						names = append(names[:i], names[i+1:]...)
						dropped = true
						break
					}
				}
			}
		}
		if !dropped {
			return names
		}
	}
	return names
}

// TestRouteTable is SECURITY.md R7 and R14 over every route: real and
// malformed path values, every kind of malformed body and query, as a guest
// and as a signed-in member. No response may be a 5xx or take over 10 s, and
// every one must carry the security headers.
func TestRouteTable(t *testing.T) {
	t.Parallel()
	w := newWorld(t)
	start := time.Now()
	n := 0
	for i, r := range w.routes {
		paths := expand(r.Pattern, w.real)
		bad := expand(r.Pattern, func(string) []string { return malformed })
		var jsonNames []string
		if strings.HasPrefix(r.Pattern, "/api/") && r.Method != http.MethodGet && r.Method != "" {
			jsonNames = w.learnJSONFields(t, r, paths[0])
		}
		// Real values with an empty body, as both viewers.
		for _, p := range paths {
			for _, as := range []bool{false, true} {
				w.send(t, w.requestFor(t, r, p, bodyKinds[0], jsonNames), as, "real path")
				n++
			}
		}
		// Malformed values, alternating viewers.
		for j, p := range bad {
			w.send(t, w.requestFor(t, r, p, bodyKinds[j%len(bodyKinds)], jsonNames), j%2 == 1, "malformed path, "+bodyKinds[j%len(bodyKinds)].name)
			n++
		}
		// Every body kind on a real path, as both viewers.
		for j, k := range bodyKinds[1:] {
			p := paths[(i+j)%len(paths)]
			for _, as := range []bool{false, true} {
				w.send(t, w.requestFor(t, r, p, k, jsonNames), as, k.name)
				n++
			}
		}
		w.renew(t)
	}
	t.Logf("%d routes, %d requests in %v; responses by viewer and status: %v", len(w.routes), n, time.Since(start).Round(time.Millisecond), w.status)
}

// FuzzRoutes sends mutated methods, paths, queries and bodies through the
// real router, as a guest or as a member: no 5xx, no panic, headers intact.
func FuzzRoutes(f *testing.F) {
	w := newWorld(f)
	f.Add(uint16(0), "", "", "", []byte(nil), uint8(0), false)
	// A few seeds per kind of input, spread over the routes: enough to start
	// from, few enough that CI's short fuzz run gets past the baseline.
	for i, r := range w.routes {
		j := i / 4 % len(bodyKinds)
		k := bodyKinds[j]
		if i%4 != 0 || k.name == "1 MiB + 1" {
			continue
		}
		body := k.form(w.names.Form)
		if strings.HasPrefix(r.Pattern, "/api/") {
			body = k.json([]string{"body", "title", "space", "tags", "value", "post_id"})
		}
		f.Add(uint16(i), r.Method, w.real("id")[0], k.query(w.names.Query), []byte(body), uint8(j), j%2 == 0)
	}
	f.Add(uint16(3), "PROPFIND", "%ff", "a=%zz", []byte("\x00"), uint8(3), true)
	f.Add(uint16(7), "GET", "../../etc/passwd", "", []byte(nil), uint8(0), false)
	ctypes := []string{"", "application/x-www-form-urlencoded", "application/json", "multipart/form-data; boundary=x", "text/plain", "application/json; charset=utf-16"}
	f.Fuzz(func(t *testing.T, idx uint16, method, param, query string, body []byte, ct uint8, asMember bool) {
		if len(body) > 64<<10 || len(param) > 4096 || len(query) > 4096 {
			return
		}
		r := w.routes[int(idx)%len(w.routes)]
		if method == "" {
			method = r.Method
		}
		if method == "" {
			method = http.MethodPost
		}
		path := expand(r.Pattern, func(string) []string { return []string{url.PathEscape(param)} })[0]
		target := path
		if query != "" {
			target += "?" + query
		}
		req, err := http.NewRequest(method, "http://example.test"+target, bytes.NewReader(body))
		if err != nil {
			return // not a request a client could send
		}
		if c := ctypes[int(ct)%len(ctypes)]; c != "" {
			req.Header.Set("Content-Type", c)
		}
		w.send(t, req, asMember, "fuzz")
		w.renew(t)
	})
}
