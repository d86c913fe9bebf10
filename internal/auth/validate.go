package auth

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode/utf8"

	"practica/internal/apperr"
)

var usernameRE = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_]$`)

// reserved names would clash with routes or system accounts.
var reserved = map[string]bool{"system": true, "community": true, "deleted": true, "me": true, "new": true, "settings": true, "api": true, "anonymous": true, "guest": true}

// Field length caps shared by web and API.
const (
	MaxPassword = 200
	MinPassword = 10
	MaxEmail    = 254
)

func validateUsername(f apperr.Fields, name string) {
	switch {
	case name == "":
		f.Add("username", "Choose a username.")
	case !usernameRE.MatchString(name):
		f.Add("username", "Use 3–30 letters, digits, '_', '.' or '-', starting with a letter or digit.")
	case reserved[strings.ToLower(name)] || strings.HasPrefix(strings.ToLower(name), "deleted-"):
		f.Add("username", "That username is reserved.")
	}
}

// NormalizeEmail checks an address and returns it trimmed.
func NormalizeEmail(f apperr.Fields, email string) string {
	email = strings.TrimSpace(email)
	switch {
	case email == "":
		f.Add("email", "Enter your email address.")
	case len(email) > MaxEmail:
		f.Add("email", "That email address is too long.")
	default:
		a, err := mail.ParseAddress(email)
		if err != nil || a.Address != email || !strings.Contains(email[strings.LastIndexByte(email, '@'):], ".") {
			f.Add("email", "Enter a valid email address, like name@example.org.")
		}
	}
	return email
}

func validatePassword(f apperr.Fields, field, pw string) {
	n := utf8.RuneCountInString(pw)
	switch {
	case n < MinPassword:
		f.Add(field, "Use at least 10 characters.")
	case len(pw) > MaxPassword:
		f.Add(field, "Use at most 200 characters.")
	}
}
