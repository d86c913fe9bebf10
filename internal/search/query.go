package search

import (
	"errors"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

// Limits on what Parse accepts.
const (
	// MaxLen is the longest query, in bytes.
	MaxLen = 500
	// MaxTerms is the most words, phrases, tags and filters in one query.
	MaxTerms = 20
	// maxScore bounds score: filters to what a post could plausibly reach.
	maxScore = 1_000_000
)

// Parse errors.
var (
	ErrTooLong  = errors.New("search: query over MaxLen bytes")
	ErrTooMany  = errors.New("search: query over MaxTerms terms")
	errBadRange = errors.New("bad range")
)

// Is restricts results to one kind of post.
type Is string

// Kinds of post a query may ask for.
const (
	IsAny      Is = ""
	IsQuestion Is = "question" // the opening post of a question
	IsAnswer   Is = "answer"   // an answer to a question
)

// Sort orders results.
type Sort string

// Sort orders. Relevance needs words; without them results come newest first.
const (
	SortDefault   Sort = ""
	SortRelevance Sort = "relevance"
	SortNewest    Sort = "newest"
	SortScore     Sort = "score"
)

// ParseSort reads a sort name; ok is false for anything unknown.
func ParseSort(s string) (Sort, bool) {
	switch Sort(strings.ToLower(s)) {
	case SortDefault:
		return SortDefault, true
	case SortRelevance:
		return SortRelevance, true
	case SortNewest:
		return SortNewest, true
	case SortScore:
		return SortScore, true
	}
	return SortDefault, false
}

// Query is a parsed search. The zero value matches nothing in particular
// (IsEmpty reports it).
type Query struct {
	Words   []string // plain words, as typed
	Phrases []string // quoted phrases, inner spaces collapsed
	Tags    []string // [tag], lowercased; every one must be on the topic
	Space   string   // space:slug, lowercased
	User    string   // user:name, lowercased
	Is      Is
	// Answered and Accepted: +1 yes, -1 no, 0 either.
	Answered int
	Accepted int
	// MinScore is score:N (post score >= N); nil when absent.
	MinScore *int64
	// Created is created:from..to, from inclusive and to exclusive (UTC days);
	// a zero bound is open.
	From, To time.Time
	Sort     Sort
}

// IsEmpty reports whether the query has no words and no filters (a sort alone
// asks for nothing).
func (q Query) IsEmpty() bool {
	return !q.HasText() && len(q.Tags) == 0 && q.Space == "" && q.User == "" && q.Is == IsAny &&
		q.Answered == 0 && q.Accepted == 0 && q.MinScore == nil && q.From.IsZero() && q.To.IsZero()
}

// HasText reports whether the query has words or phrases to match.
func (q Query) HasText() bool { return len(q.Words) > 0 || len(q.Phrases) > 0 }

// HasFilters reports whether the query narrows by anything but text.
func (q Query) HasFilters() bool {
	f := q
	f.Words, f.Phrases = nil, nil
	return !f.IsEmpty()
}

// Parse reads a query. Malformed filters become plain words; only input over
// the limits is an error (ErrTooLong, ErrTooMany).
func Parse(s string) (Query, error) {
	if len(s) > MaxLen {
		return Query{}, ErrTooLong
	}
	var q Query
	terms := 0
	for _, tok := range tokens(clean(s)) {
		if terms++; terms > MaxTerms {
			return Query{}, ErrTooMany
		}
		q.add(tok)
	}
	// Canonical forms are never much longer than what was typed, but an
	// unterminated phrase gains its closing quote: keep String parseable.
	if len(q.String()) > MaxLen {
		return Query{}, ErrTooLong
	}
	return q, nil
}

// token is one space-separated piece of a query, or one quoted phrase.
type token struct {
	text   string
	phrase bool
}

// clean drops invalid UTF-8 and turns control characters into spaces, so
// nothing invisible reaches the index or the page.
func clean(s string) string {
	s = strings.ToValidUTF8(s, "")
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == utf8.RuneError {
			return ' '
		}
		return r
	}, s)
}

// tokens splits s on white space; a double quote at the start of a token
// opens a phrase that runs to the next double quote (or the end).
func tokens(s string) []token {
	var out []token
	for {
		s = strings.TrimLeftFunc(s, unicode.IsSpace)
		if s == "" {
			return out
		}
		if s[0] == '"' {
			end := strings.IndexByte(s[1:], '"')
			text := s[1:]
			if end >= 0 {
				text, s = s[1:1+end], s[2+end:]
			} else {
				s = ""
			}
			out = append(out, token{text: strings.Join(strings.Fields(text), " "), phrase: true})
			continue
		}
		end := strings.IndexFunc(s, unicode.IsSpace)
		if end < 0 {
			end = len(s)
		}
		out = append(out, token{text: s[:end]})
		s = s[end:]
	}
}

var (
	tagRE  = regexp.MustCompile(`^[a-z0-9][a-z0-9+#.-]{0,29}$`)
	nameRE = regexp.MustCompile(`^[a-z0-9_][a-z0-9_.-]{0,39}$`)
	dateRE = regexp.MustCompile(`^[0-9]{4}(-[0-9]{2}(-[0-9]{2})?)?$`)
)

// add files one token under the field it sets, or as a word.
func (q *Query) add(t token) {
	if !meaningful(t.text) {
		return // only punctuation: nothing an index could match
	}
	if t.phrase {
		q.Phrases = appendNew(q.Phrases, t.text)
		return
	}
	if q.filter(t.text) {
		return
	}
	q.Words = appendNew(q.Words, t.text)
}

// filter applies tok when it is a valid [tag] or key:value filter.
func (q *Query) filter(tok string) bool {
	if len(tok) > 2 && tok[0] == '[' && tok[len(tok)-1] == ']' {
		tag := strings.ToLower(tok[1 : len(tok)-1])
		if !tagRE.MatchString(tag) {
			return false
		}
		q.Tags = appendNew(q.Tags, tag)
		return true
	}
	key, val, ok := strings.Cut(tok, ":")
	if !ok || val == "" {
		return false
	}
	lv := strings.ToLower(val)
	switch strings.ToLower(key) {
	case "space", "user":
		if !nameRE.MatchString(lv) {
			return false
		}
		if strings.EqualFold(key, "space") {
			q.Space = lv
		} else {
			q.User = lv
		}
	case "is":
		if lv != string(IsQuestion) && lv != string(IsAnswer) {
			return false
		}
		q.Is = Is(lv)
	case "answered", "accepted":
		yn := map[string]int{"yes": 1, "no": -1}[lv]
		if yn == 0 {
			return false
		}
		if strings.EqualFold(key, "answered") {
			q.Answered = yn
		} else {
			q.Accepted = yn
		}
	case "score":
		n, err := strconv.ParseInt(val, 10, 64)
		if err != nil || n < -maxScore || n > maxScore {
			return false
		}
		q.MinScore = &n
	case "created":
		from, to, err := parseRange(lv)
		if err != nil {
			return false
		}
		q.From, q.To = from, to
	case "sort":
		s, ok := ParseSort(lv)
		if !ok || s == SortDefault {
			return false
		}
		q.Sort = s
	default:
		return false
	}
	return true
}

// meaningful reports whether s has a letter or digit: a term without one
// matches nothing in either engine's index.
func meaningful(s string) bool {
	return strings.IndexFunc(s, func(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }) >= 0
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

// parseRange reads 2026, 2026-01, 2026-01-15, and from..to ranges of those
// with either side open. The result is [from, to) in whole UTC days.
func parseRange(s string) (time.Time, time.Time, error) {
	lo, hi, isRange := strings.Cut(s, "..")
	if !isRange {
		from, next, err := parseDate(s)
		return from, next, err
	}
	var from, to time.Time
	var err error
	if lo != "" {
		if from, _, err = parseDate(lo); err != nil {
			return from, to, err
		}
	}
	if hi != "" {
		if _, to, err = parseDate(hi); err != nil {
			return from, to, err
		}
	}
	if (from.IsZero() && to.IsZero()) || (!from.IsZero() && !to.IsZero() && !from.Before(to)) {
		return time.Time{}, time.Time{}, errBadRange
	}
	return from, to, nil
}

// parseDate reads a year, month or day and returns its first day and the
// first day after it.
func parseDate(s string) (time.Time, time.Time, error) {
	if !dateRE.MatchString(s) {
		return time.Time{}, time.Time{}, errBadRange
	}
	layout, step := "2006", [3]int{1, 0, 0}
	switch len(s) {
	case 7:
		layout, step = "2006-01", [3]int{0, 1, 0}
	case 10:
		layout, step = "2006-01-02", [3]int{0, 0, 1}
	}
	t, err := time.Parse(layout, s)
	if err != nil || t.Year() < 1970 {
		return time.Time{}, time.Time{}, errBadRange
	}
	return t, t.AddDate(step[0], step[1], step[2]), nil
}

// String prints the query in canonical form: Parse(q.String()) equals q.
func (q Query) String() string {
	var parts []string
	parts = append(parts, q.Words...)
	for _, p := range q.Phrases {
		parts = append(parts, `"`+p+`"`)
	}
	for _, t := range q.Tags {
		parts = append(parts, "["+t+"]")
	}
	add := func(key, val string) {
		if val != "" {
			parts = append(parts, key+":"+val)
		}
	}
	add("space", q.Space)
	add("user", q.User)
	add("is", string(q.Is))
	add("answered", yesNo(q.Answered))
	add("accepted", yesNo(q.Accepted))
	if q.MinScore != nil {
		add("score", strconv.FormatInt(*q.MinScore, 10))
	}
	add("created", formatRange(q.From, q.To))
	add("sort", string(q.Sort))
	return strings.Join(parts, " ")
}

func yesNo(n int) string {
	switch {
	case n > 0:
		return "yes"
	case n < 0:
		return "no"
	}
	return ""
}

// formatRange prints [from, to) in the shortest form that reads back the same.
func formatRange(from, to time.Time) string {
	if from.IsZero() && to.IsZero() {
		return ""
	}
	if !from.IsZero() && !to.IsZero() {
		for _, layout := range []string{"2006", "2006-01", "2006-01-02"} {
			if f := from.Format(layout); f == lastUnit(to, layout) && startOf(from, layout) {
				return f
			}
		}
	}
	var lo, hi string
	if !from.IsZero() {
		lo = formatStart(from)
	}
	if !to.IsZero() {
		hi = formatEnd(to)
	}
	return lo + ".." + hi
}

// startOf reports whether t is the first day of its unit in layout.
func startOf(t time.Time, layout string) bool {
	switch layout {
	case "2006":
		return t.YearDay() == 1
	case "2006-01":
		return t.Day() == 1
	}
	return true
}

// lastUnit names the unit that ends just before the exclusive bound to, or ""
// when to does not fall on a boundary of that unit.
func lastUnit(to time.Time, layout string) string {
	if !startOf(to, layout) {
		return ""
	}
	return to.AddDate(0, 0, -1).Format(layout)
}

func formatStart(t time.Time) string {
	switch {
	case t.YearDay() == 1:
		return t.Format("2006")
	case t.Day() == 1:
		return t.Format("2006-01")
	}
	return t.Format("2006-01-02")
}

func formatEnd(to time.Time) string {
	switch {
	case to.YearDay() == 1:
		return lastUnit(to, "2006")
	case to.Day() == 1:
		return lastUnit(to, "2006-01")
	}
	return lastUnit(to, "2006-01-02")
}

// stopWords are common English words that say nothing about a question's
// subject; Keywords leaves them out.
var stopWords = func() map[string]bool {
	m := map[string]bool{}
	for _, w := range strings.Fields(`a about above after again against all also am an and any are as at be because been
		before being between both but by can could did do does doing done down during each else even ever every few for from
		further get gets getting got had has have having he her here hers him his how i if in into is isn it its itself just
		me more most my no nor not now of off on once one only or other our out over own same she should so some still such
		than that the their them then there these they this those through to too under until up use using very was way we
		were what when where which while who whom why will with without would you your yours anyone someone something
		possible best way ways need want know`) {
		m[w] = true
	}
	return m
}()

// Keywords returns the distinct significant words of a title, lowercased, in
// order: words of three or more letters or digits that are not stop words.
// Similar-question lookups match any of them.
func Keywords(title string, limit int) []string {
	var out []string
	words := strings.FieldsFunc(strings.ToLower(clean(title)), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
	for _, w := range words {
		if utf8.RuneCountInString(w) < 3 || stopWords[w] {
			continue
		}
		if out = appendNew(out, w); len(out) == limit {
			break
		}
	}
	return out
}
