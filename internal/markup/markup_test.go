package markup_test

import (
	"os"
	"regexp"
	"strings"
	"testing"

	"practica/internal/markup"
)

func TestRender(t *testing.T) {
	r := markup.New()
	tests := []struct {
		name, src  string
		want       []string
		wantAbsent []string
	}{
		{"paragraph", "Hello *world*", []string{"<p>Hello <em>world</em></p>"}, nil},
		{"code block keeps language", "```go\nfmt.Println(1)\n```", []string{`<code class="language-go">`}, nil},
		{"gfm table", "| a | b |\n|---|---|\n| 1 | 2 |", []string{"<table>", "<td>1</td>"}, nil},
		{"strikethrough", "~~old~~", []string{"<del>old</del>"}, nil},
		{"autolink", "see https://example.org/x", []string{`href="https://example.org/x"`, `rel="nofollow"`}, nil},
		{"image by url", "![q](https://example.org/q.png)", []string{`<img src="https://example.org/q.png"`}, nil},
		{"mention linked", "thanks @alice!", []string{`<a class="mention" href="/u/alice"`, `>@alice</a>!`}, nil},
		{"mention in code not linked", "`@alice`", []string{"<code>@alice</code>"}, []string{`href="/u/alice"`}},
		{"email is not a mention", "write to bob@example.org", nil, []string{`href="/u/example.org"`}},
		{"script removed", "<script>alert(1)</script>hi", []string{"hi"}, []string{"<script"}},
		{"event handler removed", `<img src="https://x.org/a.png" onerror="alert(1)">`, nil, []string{"onerror"}},
		{"javascript link removed", "[x](javascript:alert(1))", nil, []string{"javascript:"}},
		{"iframe removed", `<iframe src="https://evil.example"></iframe>`, nil, []string{"<iframe"}},
		{"style removed", `<p style="position:fixed">x</p>`, []string{"<p>x</p>"}, []string{"style="}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := r.Render(tt.src)
			for _, w := range tt.want {
				if !strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, want it to contain %q", tt.src, got, w)
				}
			}
			for _, w := range tt.wantAbsent {
				if strings.Contains(got, w) {
					t.Errorf("Render(%q) = %q, must not contain %q", tt.src, got, w)
				}
			}
		})
	}
}

func TestMentions(t *testing.T) {
	got := markup.Mentions("hi @alice and @Bob. also @alice again, not `@carol` nor mail@dave.org")
	want := []string{"alice", "Bob"}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("Mentions = %v, want %v", got, want)
	}
}

func TestExcerpt(t *testing.T) {
	got := markup.Excerpt("# Title\n\nSome **bold** text with `code` and a [link](https://x.org).", 30)
	if strings.ContainsAny(got, "#*[]") || len([]rune(got)) > 31 {
		t.Errorf("Excerpt = %q: want plain text of at most 30 characters plus an ellipsis", got)
	}
}

var (
	scriptRE  = regexp.MustCompile(`(?i)<\s*script`)
	handlerRE = regexp.MustCompile(`(?i)<[^>]*\son[a-z]+\s*=`)
	schemeRE  = regexp.MustCompile(`(?i)(href|src)\s*=\s*"\s*(javascript|vbscript|data):`)
)

// checkSafe asserts the invariants every rendered body must keep.
func checkSafe(t *testing.T, src, out string) {
	t.Helper()
	if scriptRE.MatchString(out) || handlerRE.MatchString(out) || schemeRE.MatchString(out) {
		t.Fatalf("unsafe output for %q:\n%s", src, out)
	}
	if again := markup.Policy().Sanitize(out); again != out {
		t.Fatalf("output is not a fixed point of the sanitizer for %q:\n got %q\nagain %q", src, out, again)
	}
}

func FuzzRender(f *testing.F) {
	for _, s := range []string{"", "hello", "<script>x</script>", "[a](javascript:x)", "<img src=x onerror=alert(1)>", "@alice `@bob`",
		"```\n<b>\n```", "<a href=\"&#106;avascript:alert(1)\">x</a>", "| a |\n|---|\n| <svg onload=x> |"} {
		f.Add(s)
	}
	// Real bodies from the shared Stack Exchange sample, when present.
	if data, err := os.ReadFile("../../../shared/data/quantumcomputing.stackexchange.com/Posts.xml"); err == nil {
		for i, m := range regexp.MustCompile(`Body="([^"]{0,1000})"`).FindAllStringSubmatch(string(data), 50) {
			if i%5 == 0 {
				f.Add(strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#xA;", "\n", "&amp;", "&").Replace(m[1]))
			}
		}
	}
	r := markup.New()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 20000 {
			return
		}
		checkSafe(t, src, r.Render(src))
	})
}

func TestExcerptKeepsWords(t *testing.T) {
	got := markup.Excerpt("# Title\n\n- item with `qiskit.execute` and error-correction, see [the docs](https://x.org)\n```go\nx := 1\n```\nend", 200)
	want := "Title item with qiskit.execute and error-correction, see the docs end"
	if got != want {
		t.Errorf("Excerpt = %q, want %q", got, want)
	}
}

// TestExcerptOfLongPosts: only the head of a long post is read, and what
// the head gives is what the whole post gives: code blocks of any length are
// skipped whole, an unclosed fence stays text, and multi-byte text is cut on
// a character.
func TestExcerptOfLongPosts(t *testing.T) {
	code := "```\n" + strings.Repeat("x := 1 // code\n", 5000) + "```\n"
	words := strings.Repeat("量子 qubit [gate](https://x.org) *noise* ", 2000)
	tests := []struct{ name, src, prefix string }{
		{"code first", code + "After the code. " + words, "After the code. 量子 qubit gate noise"},
		{"many blocks", strings.Repeat(code, 5) + "Tail words here. " + words, "Tail words here. 量子"},
		{"long text", words + code, "量子 qubit gate noise 量子"},
		{"unclosed fence", "```\n" + words, "量子 qubit gate noise"},
	}
	for _, tc := range tests {
		got := markup.Excerpt(tc.src, 160)
		n := len([]rune(got))
		if !strings.HasPrefix(got, tc.prefix) || !strings.HasSuffix(got, "…") || n < 150 || n > 161 {
			t.Errorf("%s: Excerpt = %q (%d characters), want about 160 starting %q and ending in an ellipsis", tc.name, got, n, tc.prefix)
		}
		if strings.Contains(got, "x := 1") || strings.Contains(got, "https") {
			t.Errorf("%s: Excerpt = %q keeps code or a URL", tc.name, got)
		}
	}
}

func TestPlainText(t *testing.T) {
	tests := []struct{ src, want string }{
		{"# Title\n\nSome **bold** and _it_ text.", "Title Some bold and _it_ text."},
		{"See [the docs](https://example.org/x) and ![a chart](https://example.org/c.png).", "See the docs and a chart."},
		{"```go\nfmt.Println(\"hi\")\n```\nafter", `fmt.Println("hi") after`},
		{"- one\n- two\n> quoted", "one two quoted"},
		{"| a | b |\n|---|---|\n\nC# and c++ > 2\n\n---", "a b C# and c++ > 2"},
		{"x\x02y\x03z\x00", "x y z"},
		{"a <script>alert(1)</script> b", "a <script>alert(1)</script> b"},
	}
	for _, tt := range tests {
		if got := markup.PlainText(tt.src); got != tt.want {
			t.Errorf("PlainText(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
}

func TestHighlight(t *testing.T) {
	tests := []struct{ in, want string }{
		{"plain", "plain"},
		{"a \x02match\x03 b", "a <mark>match</mark> b"},
		{"<script>\x02x\x03</script>", "&lt;script&gt;<mark>x</mark>&lt;/script&gt;"},
		{"\x03stray end \x02open \x02twice", "stray end <mark>open twice</mark>"},
		{`"quotes" & 'apos'`, "&#34;quotes&#34; &amp; &#39;apos&#39;"},
	}
	for _, tt := range tests {
		if got := markup.Highlight(tt.in); got != tt.want {
			t.Errorf("Highlight(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
	if got := markup.Unmark("a \x02b\x03 c"); got != "a b c" {
		t.Errorf("Unmark = %q", got)
	}
}

// FuzzHighlight: whatever a snippet holds, the only elements in the output
// are balanced <mark> pairs.
func FuzzHighlight(f *testing.F) {
	for _, s := range []string{"a \x02b\x03 c", "<script>\x02x", "\x03\x03\x02\x02<mark>", "&amp;\x02<\x03>"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := markup.Highlight(s)
		rest := strings.ReplaceAll(strings.ReplaceAll(out, "<mark>", ""), "</mark>", "")
		if strings.ContainsAny(rest, "<>\"'\x02\x03") {
			t.Fatalf("Highlight(%q) = %q: markup or markers besides <mark>", s, out)
		}
		if strings.Count(out, "<mark>") != strings.Count(out, "</mark>") {
			t.Fatalf("Highlight(%q) = %q: unbalanced", s, out)
		}
	})
}
