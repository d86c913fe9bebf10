// Package apperr defines the errors services return to say what went wrong in
// terms a handler can map to a status and a safe message.
package apperr

import (
	"errors"
	"fmt"
	"sort"
	"strings"
)

// Kind classifies an error for the HTTP layer.
type Kind int

// Error kinds. Each maps to one HTTP status.
const (
	Internal Kind = iota
	Invalid
	Unauthenticated
	Forbidden
	NotFound
	Conflict
	TooMany
)

// Error is an error a user may see: its Msg and Fields are safe to show.
type Error struct {
	Kind   Kind
	Msg    string
	Fields map[string]string
}

func (e *Error) Error() string {
	if len(e.Fields) == 0 {
		return e.Msg
	}
	keys := make([]string, 0, len(e.Fields))
	for k := range e.Fields {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + ": " + e.Fields[k]
	}
	return e.Msg + " (" + strings.Join(parts, "; ") + ")"
}

// KindOf returns the kind of err, Internal when it is not an *Error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return Internal
}

// As returns err as an *Error when it is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// New returns an error of the given kind with a user-facing message.
func New(k Kind, format string, args ...any) *Error {
	return &Error{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// NotFoundf is the answer for anything missing or not visible to the viewer.
func NotFoundf(format string, args ...any) *Error { return New(NotFound, format, args...) }

// ErrNotFound is the generic "not found" used where the thing's name adds nothing.
var ErrNotFound = &Error{Kind: NotFound, Msg: "Not found."}

// ErrSignIn asks the visitor to sign in.
var ErrSignIn = &Error{Kind: Unauthenticated, Msg: "Please sign in first."}

// Fields collects per-field validation messages.
type Fields map[string]string

// Add records msg for field unless the field already has one.
func (f Fields) Add(field, msg string) {
	if _, ok := f[field]; !ok {
		f[field] = msg
	}
}

// Err returns an Invalid error carrying the fields, or nil when there are none.
func (f Fields) Err() error {
	if len(f) == 0 {
		return nil
	}
	return &Error{Kind: Invalid, Msg: "Please correct the highlighted fields.", Fields: f}
}

// Field returns an Invalid error for a single field.
func Field(field, msg string) *Error {
	return &Error{Kind: Invalid, Msg: msg, Fields: map[string]string{field: msg}}
}
