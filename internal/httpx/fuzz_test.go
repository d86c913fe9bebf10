package httpx_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"practica/internal/api"
	"practica/internal/apperr"
	"practica/internal/httpx"
)

// decodeTargets are the request bodies the API decodes with DecodeJSON: the
// exported input types, and copies of the small anonymous ones in
// internal/api (same fields, same tags).
var decodeTargets = []func() any{
	func() any { return &api.SpaceInput{} },
	func() any { return &api.TopicInput{} },
	func() any { return &api.EditInput{} },
	func() any {
		return &struct {
			Usernames []string `json:"usernames"`
		}{}
	},
	func() any {
		return &struct {
			Settings map[string]int64 `json:"settings"`
		}{}
	},
	func() any {
		return &struct {
			Revision int64 `json:"revision"`
		}{}
	},
	func() any {
		return &struct {
			Value int `json:"value"`
		}{}
	},
	func() any {
		return &struct {
			PostID int64 `json:"post_id"`
		}{}
	},
	func() any {
		return &struct {
			Body string `json:"body"`
		}{}
	},
	func() any {
		return &struct {
			Reason string `json:"reason"`
		}{}
	},
	func() any {
		return &struct {
			Email string `json:"email"`
		}{}
	},
	func() any {
		return &struct {
			Role string `json:"role"`
		}{}
	},
	func() any {
		return &struct {
			Space string `json:"space"`
		}{}
	},
	func() any {
		return &struct {
			Into string `json:"into"`
		}{}
	},
}

// decodeCap is the body cap in the fuzz target: small, so the fuzzer reaches it.
const decodeCap = 512

// leaksInternals matches Go's own vocabulary in a message meant for clients.
var leaksInternals = regexp.MustCompile(`json:|\[\][a-z]|\b[a-z]+\.[A-Z][A-Za-z]+\b|\bu?int(8|16|32|64)?\b|struct|map\[|reflect|\bGo\b`)

// jsonNames returns the JSON names of the fields of the struct v points to.
func jsonNames(v any) []string {
	t := reflect.TypeOf(v).Elem()
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		names = append(names, name)
	}
	return names
}

func knownName(names []string, key string) bool {
	for _, n := range names {
		if strings.EqualFold(n, key) { // encoding/json matches names case-insensitively
			return true
		}
	}
	return false
}

// FuzzDecodeJSON feeds arbitrary bytes and content types to DecodeJSON with
// every request struct of the API (SECURITY.md R6). Invariants: no panic;
// every error maps to a 4xx (413 past the cap) with a message that names no
// Go internals; type errors name a real field; unknown fields are refused; a
// body is accepted only if it is one JSON object (or null) within the cap,
// with a JSON content type, whose keys are all fields of the struct.
func FuzzDecodeJSON(f *testing.F) {
	seeds := []string{
		`{"space":"public-square","kind":"question","title":"Hello","body":"World","tags":["a","b"]}`,
		`{"title":null,"body":"x","tags":null,"reason":"typo"}`,
		`{"name":"Lab","slug":"lab","focus":"f","rules":"r","visibility":"secret","color":"blue"}`,
		`{"settings":{"privilege.downvote":125,"reputation.answer_upvote":-99999999999999999999}}`,
		`{"usernames":["alice","bob"]}`, `{"value":1}`, `{"value":1e400}`, `{"post_id":"12"}`, `{"revision":-1}`,
		`{"body":"a","body":"b"}`, `{"is_admin":true}`, `{"BODY":"upper"}`, `{"\u017fpace":"long s"}`,
		`[]`, `null`, `"x"`, `{}{}`, `{"body":"x"} x`, `{"body":"\xff\x00"}`, ``, `{`, `{"tags":[1,2]}`,
		`{"tags":"a,b"}`, `{"email":"a@b.c"}`, `{"role":{"x":1}}`, `{"into":` + strings.Repeat("[", 600) + `}`,
		`{"body":"` + strings.Repeat("x", decodeCap) + `"}`,
	}
	for i, s := range seeds {
		f.Add([]byte(s), uint8(i), "application/json")
	}
	f.Add([]byte(`{"body":"x"}`), uint8(8), "")
	f.Add([]byte(`{"body":"x"}`), uint8(8), "text/plain")
	f.Add([]byte(`{"body":"x"}`), uint8(8), "application/json; charset=utf-8")
	f.Add([]byte(`{"body":"x"}`), uint8(8), "application/json; charset")
	f.Fuzz(func(t *testing.T, data []byte, which uint8, ctype string) {
		v := decodeTargets[int(which)%len(decodeTargets)]()
		names := jsonNames(v)
		r := httptest.NewRequest(http.MethodPost, "/api/v1/x", bytes.NewReader(data))
		r.Header.Set("Content-Type", ctype)
		r.Body = http.MaxBytesReader(httptest.NewRecorder(), r.Body, decodeCap)
		err := httpx.DecodeJSON(r, v)
		call := func() string {
			return "DecodeJSON(" + reflect.TypeOf(v).Elem().String() + ", " + strconvQ(ctype) + ", " + strconvQ(string(data)) + ")"
		}
		if err != nil {
			checkDecodeError(t, call(), err, names, len(data))
			return
		}
		if len(data) > decodeCap {
			t.Fatalf("%s accepted %d bytes past the %d-byte cap", call(), len(data), decodeCap)
		}
		if ctype != "" {
			if mt, _, perr := mime.ParseMediaType(ctype); perr != nil || mt != "application/json" {
				t.Fatalf("%s accepted a body sent as %q", call(), ctype)
			}
		}
		var top any
		if uerr := json.Unmarshal(data, &top); uerr != nil {
			t.Fatalf("%s accepted a body that is not one JSON value: %v", call(), uerr)
		}
		obj, isObj := top.(map[string]any)
		if top != nil && !isObj {
			t.Fatalf("%s accepted a %T, not an object", call(), top)
		}
		for k := range obj {
			if !knownName(names, k) {
				t.Fatalf("%s accepted unknown field %q (fields %v)", call(), k, names)
			}
		}
	})
}

func checkDecodeError(t *testing.T, call string, err error, names []string, n int) {
	t.Helper()
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		if n <= decodeCap {
			t.Fatalf("%s: %v for %d bytes, under the %d-byte cap", call, err, n, decodeCap)
		}
		rec := httptest.NewRecorder()
		httpx.WriteError(rec, err)
		if rec.Code != http.StatusRequestEntityTooLarge {
			t.Fatalf("%s: over the cap written as %d, want 413", call, rec.Code)
		}
		return
	}
	e, ok := apperr.As(err)
	if !ok || e.Kind != apperr.Invalid {
		t.Fatalf("%s = %v (%T); want an apperr Invalid (400)", call, err, err)
	}
	if st := httpx.Status(err); st != http.StatusBadRequest {
		t.Fatalf("%s: status %d, want 400", call, st)
	}
	msg, fields := httpx.Message(err)
	if msg == "" || leaksInternals.MatchString(msg) {
		t.Fatalf("%s: message %q is empty or names Go internals", call, msg)
	}
	for k, m := range fields {
		if leaksInternals.MatchString(m) {
			t.Fatalf("%s: field message %q names Go internals", call, m)
		}
		first, _, _ := strings.Cut(k, ".")
		switch m {
		case "Unknown field.":
			if knownName(names, k) {
				t.Fatalf("%s: known field %q refused as unknown", call, k)
			}
		default:
			if !knownName(names, first) {
				t.Fatalf("%s: type error names %q, which is not a field of %v", call, k, names)
			}
		}
	}
}

func strconvQ(s string) string {
	if len(s) > 200 {
		s = s[:200] + "…"
	}
	b, _ := json.Marshal(s)
	return string(b)
}

// fuzzTrusted are the proxies FuzzClientIP trusts.
var fuzzTrusted = []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("fd00::/8"), netip.MustParsePrefix("127.0.0.1/32")}

func isTrustedAddr(s string) bool {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return false
	}
	for _, p := range fuzzTrusted {
		if p.Contains(a.Unmap()) {
			return true
		}
	}
	return false
}

// FuzzClientIP: whatever the peer address and X-Forwarded-For hold, ClientIP
// does not panic; from an untrusted peer the header is ignored (the answer is
// the peer's host, with or without it); from a trusted one the answer is the
// peer's host or a parseable, untrusted address that is one of the hops.
func FuzzClientIP(f *testing.F) {
	for _, s := range [][2]string{
		{"198.51.100.1:5000", "203.0.113.9"}, {"10.0.0.2:5000", "1.1.1.1, 203.0.113.9"}, {"10.0.0.2:5000", "203.0.113.9, 10.0.0.3"},
		{"[fd00::1]:5000", "2001:db8::7"}, {"[::ffff:10.0.0.2]:5000", "::ffff:203.0.113.9"}, {"10.0.0.2:1", "not an address"},
		{"10.0.0.2:1", ""}, {"10.0.0.2:1", ",,,"}, {"10.0.0.2:1", "fe80::1%eth0"}, {"127.0.0.1", "10.1.1.1,10.2.2.2"},
		{"", "1.2.3.4"}, {"[::1]:80", "1.2.3.4"}, {"garbage", "1.2.3.4"}, {"10.0.0.2:5000", "\xff, 1.2.3.4"},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, peer, xff string) {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		r.RemoteAddr = peer
		bare := httpx.ClientIP(r, fuzzTrusted)
		r.Header.Set("X-Forwarded-For", xff)
		got := httpx.ClientIP(r, fuzzTrusted)
		host, _, err := net.SplitHostPort(peer)
		if err != nil {
			host = peer
		}
		if bare != host {
			t.Fatalf("ClientIP(peer %q) without a header = %q, want the peer's host %q", peer, bare, host)
		}
		if !isTrustedAddr(host) {
			if got != host {
				t.Fatalf("ClientIP(peer %q, X-Forwarded-For %q) = %q: an untrusted peer's header was believed", peer, xff, got)
			}
			return
		}
		if got == host {
			return
		}
		a, err := netip.ParseAddr(got)
		if err != nil || isTrustedAddr(got) {
			t.Fatalf("ClientIP(peer %q, X-Forwarded-For %q) = %q: not an untrusted address", peer, xff, got)
		}
		found := false
		for _, hop := range strings.Split(xff, ",") {
			if h, err := netip.ParseAddr(strings.TrimSpace(hop)); err == nil && h == a {
				found = true
			}
		}
		if !found {
			t.Fatalf("ClientIP(peer %q, X-Forwarded-For %q) = %q, which is none of the hops", peer, xff, got)
		}
	})
}
