package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/model"
	"practica/internal/testenv"
)

// apiEnv is a running Practica plus the API contract every call is checked
// against: a response whose status the spec does not declare, or whose body
// does not match the declared schema, fails the test that made the call.
type apiEnv struct {
	*testenv.Env
	spec *openAPI
}

func newEnv(t *testing.T) *apiEnv {
	t.Helper()
	return &apiEnv{Env: testenv.New(t), spec: loadSpec(t)}
}

// call sends method path as u (nil for a guest) with u's write token and
// wants status want.
func (e *apiEnv) call(t testing.TB, u *testenv.User, method, path string, body any, want int) *httptest.ResponseRecorder {
	t.Helper()
	rec := e.API(t, u, method, path, body)
	e.check(t, method, path, "as "+who(u), rec, want)
	return rec
}

// raw sends a hand-built request (odd headers, odd bodies) through the real
// handler with the given Authorization header value (empty for none).
func (e *apiEnv) raw(t testing.TB, authz string, req *http.Request, want int) *httptest.ResponseRecorder {
	t.Helper()
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	e.check(t, req.Method, req.URL.RequestURI(), fmt.Sprintf("with Authorization %q", abbreviate(authz)), rec, want)
	return rec
}

// check wants status want, the error envelope on errors, and a response the
// spec declares for the operation.
func (e *apiEnv) check(t testing.TB, method, path, as string, rec *httptest.ResponseRecorder, want int) {
	t.Helper()
	call := method + " " + path + " " + as
	if rec.Code != want {
		t.Fatalf("%s: status %d, want %d; body: %s", call, rec.Code, want, short(rec.Body.String()))
	}
	if rec.Code >= 400 {
		checkEnvelope(t, call, rec)
	}
	if errs := e.spec.checkResponse(method, path, rec); len(errs) > 0 {
		t.Errorf("%s: the %d response does not match api/openapi.yaml:\n  %s", call, rec.Code, strings.Join(errs, "\n  "))
	}
}

// errorBody is the API's error envelope as a client sees it.
type errorBody struct {
	Error struct {
		Code    string            `json:"code"`
		Message string            `json:"message"`
		Fields  map[string]string `json:"fields"`
	} `json:"error"`
}

// internals matches what must never reach a client: Go error prefixes and
// type names, SQL, stack traces.
var internals = regexp.MustCompile(`store:|json:|sql|SQLSTATE|goroutine|\[\][a-z]|\b[a-z]+\.[A-Z][A-Za-z]+\b|\bu?int(8|16|32|64)\b`)

var wantCode = map[int]string{400: "invalid", 401: "unauthenticated", 403: "forbidden", 404: "not_found", 409: "conflict", 413: "too_large", 429: "rate_limited"}

// checkEnvelope wants exactly {"error":{"code","message"[,"fields"]}} with the
// code that belongs to the status and a message a person can read.
func checkEnvelope(t testing.TB, call string, rec *httptest.ResponseRecorder) {
	t.Helper()
	if ct := rec.Header().Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("%s: error %d has Content-Type %q, want application/json; body: %s", call, rec.Code, ct, short(rec.Body.String()))
		return
	}
	var top map[string]json.RawMessage
	if err := json.Unmarshal(rec.Body.Bytes(), &top); err != nil || len(top) != 1 || top["error"] == nil {
		t.Errorf("%s: error body %s is not {\"error\":{...}} (%v)", call, short(rec.Body.String()), err)
		return
	}
	var inner map[string]json.RawMessage
	_ = json.Unmarshal(top["error"], &inner)
	for k := range inner {
		if k != "code" && k != "message" && k != "fields" {
			t.Errorf("%s: error envelope has unexpected key %q: %s", call, k, short(rec.Body.String()))
		}
	}
	var eb errorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &eb)
	if eb.Error.Code != wantCode[rec.Code] {
		t.Errorf("%s: error.code %q for status %d, want %q", call, eb.Error.Code, rec.Code, wantCode[rec.Code])
	}
	if strings.TrimSpace(eb.Error.Message) == "" {
		t.Errorf("%s: error.message is empty: %s", call, short(rec.Body.String()))
	}
	if leak := internals.FindString(rec.Body.String()); leak != "" {
		t.Errorf("%s: error body leaks internals (%q): %s", call, leak, short(rec.Body.String()))
	}
	if _, ok := eb.Error.Fields[""]; ok {
		t.Errorf("%s: error fields name an empty field: %s", call, short(rec.Body.String()))
	}
}

// wantFields checks that a 400 names each of the fields.
func wantFields(t testing.TB, rec *httptest.ResponseRecorder, fields ...string) {
	t.Helper()
	var eb errorBody
	testenv.Decode(t, rec, &eb)
	for _, f := range fields {
		if eb.Error.Fields[f] == "" {
			t.Errorf("error fields %v lack %q; body: %s", eb.Error.Fields, f, short(rec.Body.String()))
		}
	}
}

func errorOf(t testing.TB, rec *httptest.ResponseRecorder) errorBody {
	t.Helper()
	var eb errorBody
	testenv.Decode(t, rec, &eb)
	return eb
}

func decode[T any](t testing.TB, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	testenv.Decode(t, rec, &v)
	return v
}

func who(u *testenv.User) string {
	if u == nil {
		return "guest"
	}
	return u.Username
}

func short(s string) string {
	if len(s) > 400 {
		return s[:400] + "…"
	}
	return s
}

func abbreviate(s string) string {
	if len(s) > 16 {
		return s[:16] + "…"
	}
	return s
}

// readOnly returns u with a read-scope token instead of the write one.
func readOnly(t testing.TB, e *apiEnv, u *testenv.User) *testenv.User {
	t.Helper()
	_, secret, err := e.App.Auth.CreateAPIToken(context.Background(), u.Viewer(), "ro", model.ScopeRead)
	if err != nil {
		t.Fatalf("CreateAPIToken(%s, read): %v", u.Username, err)
	}
	ro := *u
	ro.Token = secret
	return &ro
}

// newTopic starts a topic through the API as u and returns it.
func (e *apiEnv) newTopic(t testing.TB, u *testenv.User, space, title string, tags ...string) api.TopicDetail {
	t.Helper()
	if tags == nil {
		tags = []string{}
	}
	e.Clock.Advance(time.Minute) // a fresh rate-limit window, and a distinct time
	rec := e.call(t, u, "POST", "/api/v1/topics", map[string]any{"space": space, "title": title, "body": "Body of " + title, "tags": tags}, http.StatusCreated)
	return decode[api.TopicDetail](t, rec)
}

func titles(ts []api.Topic) []string {
	out := make([]string, len(ts))
	for i, t := range ts {
		out[i] = t.Title
	}
	return out
}

func sameSet(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}

func jsonRequest(method, path, contentType string, body []byte) *http.Request {
	req := httptest.NewRequest(method, path, bytes.NewReader(body))
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	return req
}
