package search_test

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"practica/internal/search"
)

func day(s string) time.Time {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		panic(err)
	}
	return t
}

func score(n int64) *int64 { return &n }

func TestParse(t *testing.T) {
	tests := []struct {
		in   string
		want search.Query
	}{
		{"", search.Query{}},
		{"   ", search.Query{}},
		{"surface code", search.Query{Words: []string{"surface", "code"}}},
		{"surface surface", search.Query{Words: []string{"surface"}}},
		{`"logical error rate" decoder`, search.Query{Words: []string{"decoder"}, Phrases: []string{"logical error rate"}}},
		{`"  spaced   out  "`, search.Query{Phrases: []string{"spaced out"}}},
		{`"unterminated phrase`, search.Query{Phrases: []string{"unterminated phrase"}}},
		{`""`, search.Query{}},
		{`"ab"cd`, search.Query{Words: []string{"cd"}, Phrases: []string{"ab"}}},
		{`say"what"`, search.Query{Words: []string{`say"what"`}}},
		{"[Qiskit] [error-correction] [qiskit]", search.Query{Tags: []string{"qiskit", "error-correction"}}},
		{"[not a tag] [a_b]", search.Query{Words: []string{"[not", "a", "tag]", "[a_b]"}}},
		{"space:Quantum-Lab user:Alice", search.Query{Space: "quantum-lab", User: "alice"}},
		{"space:a space:b", search.Query{Space: "b"}},
		{"is:question", search.Query{Is: search.IsQuestion}},
		{"IS:Answer", search.Query{Is: search.IsAnswer}},
		{"is:poll", search.Query{Words: []string{"is:poll"}}},
		{"answered:no accepted:yes", search.Query{Answered: -1, Accepted: 1}},
		{"answered:maybe", search.Query{Words: []string{"answered:maybe"}}},
		{"score:3", search.Query{MinScore: score(3)}},
		{"score:-2", search.Query{MinScore: score(-2)}},
		{"score:+4", search.Query{MinScore: score(4)}},
		{"score:lots score:99999999999", search.Query{Words: []string{"score:lots", "score:99999999999"}}},
		{"created:2026", search.Query{From: day("2026-01-01"), To: day("2027-01-01")}},
		{"created:2026-02", search.Query{From: day("2026-02-01"), To: day("2026-03-01")}},
		{"created:2026-01-15", search.Query{From: day("2026-01-15"), To: day("2026-01-16")}},
		{"created:2026-01..2026-06", search.Query{From: day("2026-01-01"), To: day("2026-07-01")}},
		{"created:2026-01..", search.Query{From: day("2026-01-01")}},
		{"created:..2025", search.Query{To: day("2026-01-01")}},
		{"created:2026-13 created:2026-06..2026-01 created:.. created:1900", search.Query{Words: []string{"created:2026-13", "created:2026-06..2026-01", "created:..", "created:1900"}}},
		{"sort:newest qubits", search.Query{Words: []string{"qubits"}, Sort: search.SortNewest}},
		{"sort:best", search.Query{Words: []string{"sort:best"}}},
		{"color:blue", search.Query{Words: []string{"color:blue"}}},
		{"space:", search.Query{Words: []string{"space:"}}},
		{"- ... ** c++", search.Query{Words: []string{"c++"}}},
		{"<script>alert(1)</script>", search.Query{Words: []string{"<script>alert(1)</script>"}}},
		{"bad\xffutf8 ctrl\x00char", search.Query{Words: []string{"badutf8", "ctrl", "char"}}},
	}
	for _, tt := range tests {
		got, err := search.Parse(tt.in)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.in, err)
			continue
		}
		if !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Parse(%q) = %#v, want %#v", tt.in, got, tt.want)
		}
		again, err := search.Parse(got.String())
		if err != nil || !reflect.DeepEqual(again, got) {
			t.Errorf("Parse(%q).String() = %q, which parses to %#v, %v", tt.in, got.String(), again, err)
		}
	}
}

func TestParseLimits(t *testing.T) {
	if _, err := search.Parse(strings.Repeat("a", search.MaxLen+1)); err != search.ErrTooLong {
		t.Errorf("Parse of %d bytes: %v, want ErrTooLong", search.MaxLen+1, err)
	}
	if _, err := search.Parse(strings.Repeat("a ", search.MaxTerms+1)); err != search.ErrTooMany {
		t.Errorf("Parse of %d words: %v, want ErrTooMany", search.MaxTerms+1, err)
	}
	if _, err := search.Parse(strings.TrimSpace(strings.Repeat("w ", search.MaxTerms))); err != nil {
		t.Errorf("Parse of %d words: %v, want nil", search.MaxTerms, err)
	}
	// An unterminated phrase gains a quote in canonical form; at the very
	// limit that would not parse back, so Parse refuses it.
	if _, err := search.Parse(`"` + strings.Repeat("a", search.MaxLen-1)); err != search.ErrTooLong {
		t.Errorf("Parse of an unterminated phrase at the limit: %v, want ErrTooLong", err)
	}
}

func TestQueryString(t *testing.T) {
	q, err := search.Parse(`decoder "error rate" [qec] created:2026-01..2026-06 score:2 is:answer accepted:no space:lab user:bob sort:score answered:yes`)
	if err != nil {
		t.Fatal(err)
	}
	want := `decoder "error rate" [qec] space:lab user:bob is:answer answered:yes accepted:no score:2 created:2026..2026-06 sort:score`
	if got := q.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
	if !q.HasText() || !q.HasFilters() || q.IsEmpty() {
		t.Errorf("HasText %v HasFilters %v IsEmpty %v, want true true false", q.HasText(), q.HasFilters(), q.IsEmpty())
	}
	only, _ := search.Parse("sort:newest")
	if !only.IsEmpty() || only.HasFilters() {
		t.Errorf("a sort alone: IsEmpty %v HasFilters %v, want true false", only.IsEmpty(), only.HasFilters())
	}
}

func TestKeywords(t *testing.T) {
	tests := []struct {
		title string
		want  []string
	}{
		{"How do I decode a surface code with PyMatching?", []string{"decode", "surface", "code", "pymatching"}},
		{"Is it ok?", nil},
		{"The the THE decoder", []string{"decoder"}},
		{"Qubit-count: qubit count", []string{"qubit", "count"}},
	}
	for _, tt := range tests {
		if got := search.Keywords(tt.title, 8); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("Keywords(%q) = %q, want %q", tt.title, got, tt.want)
		}
	}
	if got := search.Keywords("alpha beta gamma delta", 2); len(got) != 2 {
		t.Errorf("Keywords with limit 2 = %q", got)
	}
}

// FuzzParse: Parse never panics, what it accepts stays within the limits,
// and its canonical form reads back to the same query.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"", "surface code threshold", `"logical error" [qec] is:question`, "space:lab user:alice score:-3",
		"created:2026-01..2026-06 sort:newest", "created:2026 answered:no accepted:yes", `"unterminated`,
		`a"b c" "" ""x`, "[C++] [c#] [a.b-c]", "score:+0 created:..2025-12-31", "is:answer IS:QUESTION",
		"\xff\xfe\x00\t\n", "created:2026-02-29 created:2024-02-29", strings.Repeat("x ", 30),
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := search.Parse(s)
		if err != nil {
			if len(s) <= search.MaxLen && err != search.ErrTooMany && err != search.ErrTooLong {
				t.Fatalf("Parse(%q): unexpected error %v", s, err)
			}
			return
		}
		terms := len(q.Words) + len(q.Phrases) + len(q.Tags)
		if terms > search.MaxTerms {
			t.Fatalf("Parse(%q) kept %d terms, over %d", s, terms, search.MaxTerms)
		}
		out := q.String()
		if len(out) > search.MaxLen {
			t.Fatalf("Parse(%q).String() is %d bytes, over %d", s, len(out), search.MaxLen)
		}
		again, err := search.Parse(out)
		if err != nil {
			t.Fatalf("Parse(%q).String() = %q does not parse: %v", s, out, err)
		}
		if !reflect.DeepEqual(again, q) {
			t.Fatalf("round trip of %q:\n first  %#v\n String %q\n again  %#v", s, q, out, again)
		}
		if again.String() != out {
			t.Fatalf("String is not stable: %q then %q", out, again.String())
		}
	})
}
