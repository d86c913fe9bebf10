package testenv

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"practica/internal/store"
)

type storeQueries = store.Queries

// Do sends a request through the real handler as u (nil for a guest), with u's
// browser session cookie.
func (e *Env) Do(t testing.TB, u *User, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	if u != nil && u.Session != "" {
		req.AddCookie(&http.Cookie{Name: "practica_session", Value: u.Session})
	}
	if req.RemoteAddr == "" {
		req.RemoteAddr = "192.0.2.1:1234"
	}
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	return rec
}

// Get fetches a page as u.
func (e *Env) Get(t testing.TB, u *User, path string) *httptest.ResponseRecorder {
	t.Helper()
	return e.Do(t, u, httptest.NewRequest(http.MethodGet, path, nil))
}

// PostForm submits a form as u.
func (e *Env) PostForm(t testing.TB, u *User, path string, form url.Values) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return e.Do(t, u, req)
}

// API calls the JSON API as u with u's bearer token (nil for a guest). body
// is JSON-encoded unless it is a string, which is sent as is.
func (e *Env) API(t testing.TB, u *User, method, path string, body any) *httptest.ResponseRecorder {
	t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		data, err := json.Marshal(b)
		if err != nil {
			t.Fatalf("encode body: %v", err)
		}
		r = bytes.NewReader(data)
	}
	req := httptest.NewRequest(method, path, r)
	if r != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if u != nil {
		req.Header.Set("Authorization", "Bearer "+u.Token)
	}
	req.RemoteAddr = "192.0.2.1:1234"
	rec := httptest.NewRecorder()
	e.App.Handler.ServeHTTP(rec, req)
	return rec
}

// Decode parses a JSON response into v.
func Decode(t testing.TB, rec *httptest.ResponseRecorder, v any) {
	t.Helper()
	if err := json.Unmarshal(rec.Body.Bytes(), v); err != nil {
		t.Fatalf("decode %d response %q: %v", rec.Code, truncate(rec.Body.String(), 300), err)
	}
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}
