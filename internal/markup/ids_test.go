package markup

import (
	"bytes"
	"strings"
	"testing"
)

// TestHeadingIDsMatchGoldmark: headings get the same ids as from goldmark's
// own generator (repeats, a heading whose text is a repeat's id, empty and
// non-ASCII headings, setext headings), so posts rendered before and after
// keep their anchors.
func TestHeadingIDsMatchGoldmark(t *testing.T) {
	md := New().md
	for _, src := range []string{
		"# a\n# a\n# a\n",
		"# a\n# a 1\n# a\n# a\n# A\n",
		"# a-2\n# a\n# a\n# a\n# a\n",
		"#\n# \n# !!!\n# 日本\n# héllo wörld\n# héllo wörld\n",
		"Title\n=====\n\nTitle\n-----\n\n# Title\n",
		"# x_y\n# x-y\n# x y\n# x  y\n",
		"# heading\n#\n#\n# heading-1\n",
		strings.Repeat("# Setup\n## Steps\n### Setup\n", 30),
	} {
		var ours, theirs bytes.Buffer
		if err := md.Convert([]byte(src), &ours, convertOpts()); err != nil {
			t.Fatal(err)
		}
		if err := md.Convert([]byte(src), &theirs); err != nil {
			t.Fatal(err)
		}
		if ours.String() != theirs.String() {
			t.Errorf("%q:\nours   %s\ngoldmark %s", src, ours.String(), theirs.String())
		}
	}
}

// BenchmarkRenderRepeatedHeadings renders the largest post of one repeated
// heading (12,500 lines): 25 s with goldmark's id generator, quadratic in
// the repeats; linear now.
func BenchmarkRenderRepeatedHeadings(b *testing.B) {
	r := New()
	src := strings.Repeat("# a\n", 12500)
	for b.Loop() {
		r.Render(src)
	}
}
