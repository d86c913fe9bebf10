package content

import (
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/store"
)

// Field caps for content, shared by web, API and importers.
const (
	MinTitle  = 5
	MaxTitle  = 150
	MaxBody   = 50000
	MaxTags   = 5
	MaxTagLen = 30
	MaxReason = 300
	PageSize  = 20
	MaxPage   = 100
	PostsPage = 20
)

var tagRE = regexp.MustCompile(`^[a-z0-9][a-z0-9+#.-]*$`)

// ParseTags splits a tag field on spaces and commas, lowercases, de-duplicates
// and checks each tag. The result is sorted, the order the store lists tags
// in, so an edit that only reorders tags changes nothing.
func ParseTags(f apperr.Fields, raw string) []string {
	var out []string
	seen := map[string]bool{}
	for _, t := range strings.FieldsFunc(strings.ToLower(raw), func(r rune) bool { return r == ',' || r == ' ' || r == '\t' || r == '\n' }) {
		if seen[t] {
			continue
		}
		seen[t] = true
		if len(t) > MaxTagLen || !tagRE.MatchString(t) {
			f.Add("tags", fmt.Sprintf("Tags use lowercase letters, digits and + # . - (up to %d characters): %q is not one.", MaxTagLen, truncate(t, 40)))
			continue
		}
		out = append(out, t)
	}
	slices.Sort(out)
	if len(out) > MaxTags {
		f.Add("tags", "Use at most 5 tags.")
	}
	return out
}

func truncate(s string, n int) string {
	if r := []rune(s); len(r) > n {
		return string(r[:n]) + "…"
	}
	return s
}

// FitTitle makes a title written elsewhere (an import) obey the rules for a
// title written here: spaces collapsed, no control characters, at most
// MaxTitle characters. An import cannot refuse a title, so it fits it.
func FitTitle(title string) string {
	title = strings.Join(strings.Fields(strings.ToValidUTF8(title, "")), " ")
	title = strings.Map(func(r rune) rune {
		if markup.BadText(string(r)) {
			return -1
		}
		return r
	}, title)
	if r := []rune(title); len(r) > MaxTitle {
		return strings.TrimSpace(string(r[:MaxTitle-1])) + "…"
	}
	return title
}

func checkTitle(f apperr.Fields, title string) string {
	title = strings.Join(strings.Fields(title), " ")
	switch n := utf8.RuneCountInString(title); {
	case n < MinTitle:
		f.Add("title", "Write a title of at least 5 characters that says what this is about.")
	case n > MaxTitle:
		f.Add("title", "Keep the title to 150 characters.")
	case markup.BadText(title):
		f.Add("title", markup.BadTextMessage)
	}
	return title
}

func checkBody(f apperr.Fields, body string) string {
	body = strings.TrimRight(strings.ReplaceAll(body, "\r\n", "\n"), " \n\t")
	switch {
	case strings.TrimSpace(body) == "":
		f.Add("body", "Write something first.")
	case len(body) > MaxBody:
		f.Add("body", "Keep it under 50,000 characters.")
	case !utf8.ValidString(body):
		f.Add("body", "The text is not valid UTF-8.")
	case markup.BadText(body):
		f.Add("body", markup.BadTextMessage)
	}
	return body
}

func checkReason(f apperr.Fields, reason string) string {
	reason = strings.TrimSpace(reason)
	if utf8.RuneCountInString(reason) > MaxReason {
		f.Add("reason", "Keep the edit summary to 300 characters.")
	} else if markup.BadText(reason) {
		f.Add("reason", markup.BadTextMessage)
	}
	return reason
}

// TopicInput starts a topic.
type TopicInput struct {
	Space string
	Kind  model.Kind
	Title string
	Body  string
	Tags  string
	// Event is an event's schedule and place (events only).
	Event EventInput
}

// EditInput changes a post; Title and Tags apply to opening posts only.
type EditInput struct {
	Title  string
	Body   string
	Tags   string
	Reason string
}

// EncodeCursor writes a list position for the next page: base-36 time, id
// and, when set, score.
func EncodeCursor(c store.Cursor) string {
	if c.ID == 0 {
		return ""
	}
	out := strconv.FormatInt(c.At.UnixNano(), 36) + "." + strconv.FormatInt(c.ID, 36)
	if c.N != 0 {
		out += "." + strconv.FormatInt(c.N, 36)
	}
	return out
}

// DecodeCursor reads a list position; an empty string is the first page.
func DecodeCursor(s string) (store.Cursor, error) {
	if s == "" {
		return store.Cursor{}, nil
	}
	bad := apperr.Field("cursor", "The page cursor is not valid; start from the first page.")
	parts := strings.Split(s, ".")
	if len(parts) < 2 || len(parts) > 3 || len(s) > 60 {
		return store.Cursor{}, bad
	}
	ns, err1 := strconv.ParseInt(parts[0], 36, 64)
	id, err2 := strconv.ParseInt(parts[1], 36, 64)
	var n int64
	var err3 error
	if len(parts) == 3 {
		n, err3 = strconv.ParseInt(parts[2], 36, 64)
	}
	if err1 != nil || err2 != nil || err3 != nil || id <= 0 {
		return store.Cursor{}, bad
	}
	return store.Cursor{At: time.Unix(0, ns).UTC(), N: n, ID: id}, nil
}
