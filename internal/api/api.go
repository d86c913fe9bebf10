package api

import (
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"

	spec "practica/api"
	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/messages"
	"practica/internal/notify"
)

// Deps is what the API handler needs.
type Deps struct {
	Auth           *auth.Service
	Community      *community.Service
	Content        *content.Service
	Inbox          *notify.Inbox
	Messages       *messages.Service
	Log            *slog.Logger
	Limits         *httpx.Limits
	TrustedProxies []netip.Prefix
}

// Handler serves the JSON API.
type Handler struct{ Deps }

// New returns the API handler.
func New(d Deps) *Handler { return &Handler{Deps: d} }

// apiFunc is a JSON handler that reports failure by returning an error.
type apiFunc func(w http.ResponseWriter, r *http.Request) error

func (h *Handler) handle(fn apiFunc) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			if httpx.Status(err) >= 500 {
				h.Log.Error("api request failed", "id", httpx.RequestID(r.Context()), "path", r.URL.Path, "err", err)
			}
			httpx.WriteError(w, err)
		}
	})
}

// withToken resolves the bearer token. No header means a guest; a bad token
// is a 401, never a silent downgrade to guest.
func (h *Handler) withToken(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		authz := r.Header.Get("Authorization")
		if authz == "" {
			next.ServeHTTP(w, r)
			return
		}
		scheme, secret, _ := strings.Cut(authz, " ")
		if !strings.EqualFold(scheme, "Bearer") { // auth schemes are case-insensitive (RFC 9110)
			httpx.WriteError(w, apperr.New(apperr.Unauthenticated, "Use Authorization: Bearer <token>."))
			return
		}
		v, err := h.Auth.TokenViewer(r.Context(), strings.TrimSpace(secret))
		if err != nil {
			httpx.WriteError(w, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(auth.WithViewer(r.Context(), v)))
	})
}

func (h *Handler) spec(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/yaml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=300")
	_, _ = w.Write(spec.OpenAPI)
}

// pathID reads a positive integer path value; anything else is a 404.
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, apperr.NotFoundf("Not found.")
	}
	return id, nil
}

// queryInt reads an optional integer query parameter.
func queryInt(r *http.Request, name string) (int, error) {
	s := r.URL.Query().Get(name)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return 0, apperr.Field(name, "Expected a non-negative integer.")
	}
	return n, nil
}
