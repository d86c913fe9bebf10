package view

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"practica/internal/model"
	"practica/internal/store"
)

// Chrome is what every page's frame needs.
type Chrome struct {
	Title         string
	Description   string
	CommunityName string
	Viewer        model.Viewer
	Flash         string
	Nav           string // which left-rail entry is current
	Spaces        []store.SpaceListItem
	// Unread is the signed-in member's unread notifications, up to
	// store.MaxUnread.
	Unread int
	// Conversations is how many of their conversations have a message
	// they have not seen.
	Conversations int
	Assets        Assets
	Path          string
	// Bare hides navigation, for the setup page where nothing else exists yet.
	Bare bool
	// Lean pages (lists, topics, search, profiles) load only app.css; the
	// rest also load more.css, with the styles of forms, tables and diffs.
	Lean bool
}

// Assets are the content-hashed URLs of the static files.
type Assets struct {
	CSS   string
	More  string
	JS    string
	Icons string
}

// Form carries submitted values and per-field messages back into a form.
type Form struct {
	Values map[string]string
	Errors map[string]string
	// Message is the summary shown at the top when the form has errors.
	Message string
}

// Get returns the submitted value of a field.
func (f Form) Get(name string) string { return f.Values[name] }

// Err returns the message for a field, if any.
func (f Form) Err(name string) string { return f.Errors[name] }

// HasErrors reports whether the form needs correcting.
func (f Form) HasErrors() bool { return len(f.Errors) > 0 || f.Message != "" }

// Ago renders a time relative to now, like "3 h ago".
func Ago(t time.Time) string {
	d := time.Since(t)
	if d < -time.Minute {
		return "in " + strings.TrimSuffix(ago(-d, t), " ago")
	}
	return ago(d, t)
}

func ago(d time.Duration, t time.Time) string {
	switch {
	case d < time.Minute:
		return "just now"
	case d < time.Hour:
		return strconv.Itoa(int(d.Minutes())) + " min ago"
	case d < 24*time.Hour:
		return strconv.Itoa(int(d.Hours())) + " h ago"
	case d < 30*24*time.Hour:
		return strconv.Itoa(int(d.Hours()/24)) + " d ago"
	case t.Year() == time.Now().Year():
		return t.Format("Jan 2")
	}
	return t.Format("Jan 2, 2006")
}

// agoKey changes whenever Ago(t) does, without formatting it: fragment
// names hash it for every post of a page, where formatting dates was a
// twentieth of a member's topic page. Within 30 days it is the count of
// minutes, hours or days Ago shows; later only whether t is in this year
// (the date itself is t's, which names hash anyway). Times ahead of now,
// which Ago shows as "in ...", are keyed by Ago itself.
func agoKey(t time.Time) (key int64, text string) {
	d := time.Since(t)
	switch {
	case d < -time.Minute:
		return 0, Ago(t)
	case d < time.Minute:
		return 1, ""
	case d < time.Hour:
		return 2<<32 | int64(d/time.Minute), ""
	case d < 24*time.Hour:
		return 3<<32 | int64(d/time.Hour), ""
	case d < 30*24*time.Hour:
		return 4<<32 | int64(d/(24*time.Hour)), ""
	case t.Year() == time.Now().Year():
		return 5, ""
	}
	return 6, ""
}

// ISO is a machine-readable time for <time datetime>.
func ISO(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// Full is the absolute time shown on hover.
func Full(t time.Time) string { return t.UTC().Format("Mon, 2 Jan 2006 15:04 MST") }

// Count abbreviates a number for lists (1.2k).
func Count(n int64) string {
	switch {
	case n < 1000:
		return strconv.FormatInt(n, 10)
	case n < 1_000_000:
		return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1000), ".0") + "k"
	}
	return strings.TrimSuffix(fmt.Sprintf("%.1f", float64(n)/1e6), ".0") + "M"
}

// Plural picks the singular or plural noun for n.
func Plural(n int64, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Initial is the letter shown in an avatar.
func Initial(name string) string {
	for _, r := range name {
		return strings.ToUpper(string(r))
	}
	return "?"
}

// avatarPixels is the drawn size of an avatar of the given size class, for
// the image's width and height attributes (no layout shift).
func avatarPixels(size string) string {
	switch size {
	case "xs":
		return "22"
	case "sm":
		return "28"
	case "lg":
		return "72"
	}
	return "40"
}

// AvatarHue gives each name a stable colour class (0–7).
func AvatarHue(name string) string {
	h := 0
	for _, r := range name {
		h = h*31 + int(r)
	}
	if h < 0 {
		h = -h
	}
	return "av" + strconv.Itoa(h%8)
}

// itoa formats an id for URLs.
func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// VisibilityLabel explains a visibility in words.
func VisibilityLabel(v model.Visibility) string {
	switch v {
	case model.Private:
		return "Private"
	case model.Secret:
		return "Secret"
	}
	return "Public"
}
