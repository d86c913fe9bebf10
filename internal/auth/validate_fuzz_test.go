package auth

import (
	"html"
	"net/mail"
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
)

// FuzzValidateUsername: an accepted username is 3–30 ASCII characters from
// [A-Za-z0-9_.-], starts with a letter or digit, ends with one or '_', is not
// reserved in any letter case, needs no escaping in a URL path or in HTML, and
// is found by the mention parser when written after an @; a refused one gets
// exactly one message, on the username field. Case does not change the verdict.
func FuzzValidateUsername(f *testing.F) {
	for _, s := range []string{"alice", "Bob_", "a.b-c", "ab", "abc", strings.Repeat("a", 30), strings.Repeat("a", 31), "_x1", "x..y", "x.",
		"ME", "Settings", "deleted-42", "DELETED-x", "api", "al ice", "al\x00ice", "alïce", "\u212aelvin", "a/b", "a%2fb", "-ab", "9lives", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, name string) {
		ok, msg := usernameVerdict(name)
		if !ok {
			if msg == "" {
				t.Fatalf("validateUsername(%q) refused it without a message", name)
			}
			return
		}
		n := len(name)
		if n < 3 || n > 30 || utf8.RuneCountInString(name) != n {
			t.Fatalf("validateUsername(%q) accepted %d bytes (want 3–30 ASCII)", name, n)
		}
		for i := 0; i < n; i++ {
			c := name[i]
			alnum := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
			switch {
			case !alnum && c != '_' && c != '.' && c != '-':
				t.Fatalf("validateUsername(%q) accepted the character %q", name, c)
			case i == 0 && !alnum:
				t.Fatalf("validateUsername(%q) accepted a name starting with %q", name, c)
			case i == n-1 && !alnum && c != '_':
				t.Fatalf("validateUsername(%q) accepted a name ending with %q", name, c)
			}
		}
		if low := strings.ToLower(name); reserved[low] || strings.HasPrefix(low, "deleted-") {
			t.Fatalf("validateUsername(%q) accepted a reserved name", name)
		}
		if url.PathEscape(name) != name || html.EscapeString(name) != name {
			t.Fatalf("validateUsername(%q) accepted a name that needs escaping", name)
		}
		for _, other := range []string{strings.ToLower(name), strings.ToUpper(name)} {
			if ok2, _ := usernameVerdict(other); !ok2 {
				t.Fatalf("validateUsername accepts %q but refuses %q", name, other)
			}
		}
		if got := markup.Mentions("thanks @" + name + "!"); len(got) != 1 || got[0] != name {
			t.Fatalf("Mentions(\"thanks @%s!\") = %q: a valid username is not mentionable", name, got)
		}
	})
}

func usernameVerdict(name string) (bool, string) {
	f := apperr.Fields{}
	validateUsername(f, name)
	if len(f) == 0 {
		return true, ""
	}
	if len(f) != 1 || f["username"] == "" {
		return false, ""
	}
	return false, f["username"]
}

// FuzzNormalizeEmail: the result is always the trimmed input; an accepted
// address is at most 254 bytes of valid UTF-8 with no control characters,
// spaces, commas or angle brackets (it goes into mail headers), has a dot in
// its domain, is its own net/mail address, and is accepted again unchanged
// (idempotent); a refused one gets exactly one message, on the email field.
func FuzzNormalizeEmail(f *testing.F) {
	for _, s := range []string{"alice@example.org", "  bob@example.org\n", "a@b", "a@b.c", "Alice <alice@example.org>", `"a b"@example.org`,
		`"a,b"@example.org`, "a@b.c\r\nBcc: x@y.z", "a@[127.0.0.1]", "a@b..c", "é@exämple.org", strings.Repeat("a", 250) + "@b.co",
		"a@b.c,d@e.f", "(comment)a@b.c", "a@b.c (comment)", "=?utf-8?q?x?=@b.c", "\x00@b.c", "a@\xff.c", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		fields := apperr.Fields{}
		out := NormalizeEmail(fields, in)
		if out != strings.TrimSpace(in) {
			t.Fatalf("NormalizeEmail(%q) = %q, want the trimmed input", in, out)
		}
		if len(fields) != 0 {
			if len(fields) != 1 || fields["email"] == "" {
				t.Fatalf("NormalizeEmail(%q) refused it with fields %v, want one message on email", in, fields)
			}
			return
		}
		if len(out) > MaxEmail || !utf8.ValidString(out) {
			t.Fatalf("NormalizeEmail(%q) accepted %d bytes (valid UTF-8: %v)", in, len(out), utf8.ValidString(out))
		}
		for _, r := range out {
			if r < 0x20 || r == 0x7f || r == ' ' || r == ',' || r == '<' || r == '>' || (r >= 0x80 && r < 0xa0) {
				t.Fatalf("NormalizeEmail(%q) accepted %q with the character %q", in, out, r)
			}
		}
		at := strings.LastIndexByte(out, '@')
		if at <= 0 || !strings.Contains(out[at:], ".") {
			t.Fatalf("NormalizeEmail(%q) accepted %q without a local part or a dotted domain", in, out)
		}
		if a, err := mail.ParseAddress(out); err != nil || a.Address != out {
			t.Fatalf("NormalizeEmail(%q) accepted %q, which net/mail reads as %v, %v", in, out, a, err)
		}
		again := apperr.Fields{}
		if twice := NormalizeEmail(again, out); twice != out || len(again) != 0 {
			t.Fatalf("NormalizeEmail is not idempotent: %q then %q (%v)", out, twice, again)
		}
	})
}
