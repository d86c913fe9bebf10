package web_test

import (
	"net/http"
	"strings"
	"testing"

	"practica/internal/testenv"
)

func TestShowTopic(t *testing.T) {
	env := testenv.New(t)
	public := env.CreateTopic(t, env.Alice, env.PublicSpace, "Welcome everyone")
	private := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Private plans")
	secret := env.CreateTopic(t, env.Alice, env.SecretSpace, "Board notes")
	tests := []struct {
		name       string
		as         *testenv.User
		path       string
		wantStatus int
		wantBody   string
	}{
		{"guest reads public", nil, public.Path(), http.StatusOK, "Welcome everyone"},
		{"guest cannot read private", nil, private.Path(), http.StatusNotFound, ""},
		{"non-member cannot read private", env.Bob, private.Path(), http.StatusNotFound, ""},
		{"leader reads private", env.Alice, private.Path(), http.StatusOK, "Private plans"},
		{"guest cannot see secret", nil, secret.Path(), http.StatusNotFound, ""},
		{"non-member cannot see secret", env.Bob, secret.Path(), http.StatusNotFound, ""},
		{"admin sees secret", env.Admin, secret.Path(), http.StatusOK, "Board notes"},
		{"non-numeric id", nil, "/t/abc/x", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := env.Get(t, tt.as, tt.path)
			if rec.Code != tt.wantStatus {
				t.Fatalf("GET %s: status %d, want %d", tt.path, rec.Code, tt.wantStatus)
			}
			if !strings.Contains(rec.Body.String(), tt.wantBody) {
				t.Errorf("GET %s: body lacks %q", tt.path, tt.wantBody)
			}
			if tt.wantStatus == http.StatusNotFound && (strings.Contains(rec.Body.String(), "Board notes") || strings.Contains(rec.Body.String(), "Private plans")) {
				t.Errorf("GET %s: 404 page leaks the title", tt.path)
			}
		})
	}
}
