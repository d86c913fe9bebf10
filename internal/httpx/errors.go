package httpx

import (
	"context"
	"errors"
	"net/http"

	"practica/internal/apperr"
)

// Status maps an error to its HTTP status.
func Status(err error) int {
	if errors.Is(err, context.Canceled) {
		return 499
	}
	switch apperr.KindOf(err) {
	case apperr.Invalid:
		return http.StatusBadRequest
	case apperr.Unauthenticated:
		return http.StatusUnauthorized
	case apperr.Forbidden:
		return http.StatusForbidden
	case apperr.NotFound:
		return http.StatusNotFound
	case apperr.Conflict:
		return http.StatusConflict
	case apperr.TooMany:
		return http.StatusTooManyRequests
	}
	return http.StatusInternalServerError
}

// Code is the API's short error code for a status.
func Code(status int) string {
	switch status {
	case http.StatusBadRequest:
		return "invalid"
	case http.StatusUnauthorized:
		return "unauthenticated"
	case http.StatusForbidden:
		return "forbidden"
	case http.StatusNotFound:
		return "not_found"
	case http.StatusConflict:
		return "conflict"
	case http.StatusRequestEntityTooLarge:
		return "too_large"
	case http.StatusTooManyRequests:
		return "rate_limited"
	case http.StatusMethodNotAllowed:
		return "method_not_allowed"
	case http.StatusUnsupportedMediaType:
		return "unsupported_media_type"
	}
	return "internal"
}

// Message is the text a user may see for err: an apperr's own message, or a
// generic one that reveals nothing about internals.
func Message(err error) (string, map[string]string) {
	if e, ok := apperr.As(err); ok && e.Kind != apperr.Internal {
		return e.Msg, e.Fields
	}
	var mb *http.MaxBytesError
	if errors.As(err, &mb) {
		return "The request is too large.", nil
	}
	return "Something went wrong. It has been logged; please try again.", nil
}

// ErrTooLarge is the answer to a request body over its cap.
var ErrTooLarge = apperr.New(apperr.Invalid, "The request is too large.")
