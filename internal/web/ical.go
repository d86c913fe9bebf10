package web

import (
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"practica/internal/model"
)

// icalendar writes an event as an iCalendar file (RFC 5545) that calendar
// apps import: times in UTC, text escaped, long lines folded. The UID is
// stable, so importing it again updates the same entry.
func icalendar(base string, now time.Time, t model.Topic) string {
	e := t.Event
	host := "practica"
	if u, err := url.Parse(base); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	link := base + t.Path()
	desc := link
	if e.URL != "" {
		desc = "Join online: " + e.URL + "\n" + link
	}
	const stamp = "20060102T150405Z"
	lines := []string{
		"BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Practica//Events//EN", "CALSCALE:GREGORIAN", "METHOD:PUBLISH",
		"BEGIN:VEVENT",
		"UID:event-" + strconv.FormatInt(t.ID, 10) + "@" + host,
		"DTSTAMP:" + now.UTC().Format(stamp),
		"DTSTART:" + e.StartsAt.UTC().Format(stamp),
		"SUMMARY:" + icalText(t.Title),
		"DESCRIPTION:" + icalText(desc),
		"URL:" + link,
	}
	if e.EndsAt.After(e.StartsAt) { // DTEND must come after DTSTART; without it the event is a moment
		lines = append(lines, "DTEND:"+e.EndsAt.UTC().Format(stamp))
	}
	if e.Location != "" {
		lines = append(lines, "LOCATION:"+icalText(e.Location))
	}
	lines = append(lines, "END:VEVENT", "END:VCALENDAR")
	var b strings.Builder
	for _, l := range lines {
		b.WriteString(icalFold(l))
		b.WriteString("\r\n")
	}
	return b.String()
}

// icalText escapes a TEXT value: backslash, semicolon, comma and line
// breaks.
var icalText = strings.NewReplacer(`\`, `\\`, ";", `\;`, ",", `\,`, "\r\n", `\n`, "\n", `\n`, "\r", `\n`).Replace

// icalFold breaks a content line into lines of at most 75 bytes, each
// continuation starting with a space, never inside a UTF-8 character.
func icalFold(l string) string {
	var b strings.Builder
	limit := 75
	for len(l) > limit {
		cut := limit
		for cut > 0 && !utf8.RuneStart(l[cut]) {
			cut--
		}
		b.WriteString(l[:cut])
		b.WriteString("\r\n ")
		l = l[cut:]
		limit = 74 // the leading space counts
	}
	b.WriteString(l)
	return b.String()
}
