package markup

import (
	"strings"
	"testing"
)

// TestQuoteDepth: quotes nest at most maxQuoteDepth deep, the text past the
// dropped markers kept; shallower quotes and fenced code are untouched.
func TestQuoteDepth(t *testing.T) {
	r := New()
	deep := r.Render(strings.Repeat(">", 50000) + " the text")
	if n := strings.Count(deep, "<blockquote>"); n != maxQuoteDepth {
		t.Errorf("50,000 quote markers opened %d quotes, want %d", n, maxQuoteDepth)
	}
	if !strings.Contains(deep, "the text") {
		t.Errorf("the text after 50,000 quote markers was lost: %.200s", deep)
	}
	for _, src := range []string{
		"> a\n>> b\n> > > c\n",
		strings.Repeat(">", maxQuoteDepth) + " as deep as allowed",
		"```\n" + strings.Repeat(">", 40) + "\n```\n" + strings.Repeat("> ", 10) + "x\n",
		"~~~~\n" + strings.Repeat(">", 40) + "\n~~~\n" + strings.Repeat(">", 40) + "\n~~~~\n",
		"<b>bold</b> " + strings.Repeat("a > b ", 20),
	} {
		if got := capQuoteDepth(src); got != src {
			t.Errorf("capQuoteDepth changed %q into %q", src, got)
		}
	}
	if got, want := capQuoteDepth("```\nx\n```\n"+strings.Repeat("> ", 40)+"y"), "```\nx\n```\n"+strings.Repeat("> ", maxQuoteDepth)+"y"; got != want {
		t.Errorf("after a closed fence: %q, want %q", got, want)
	}
}
