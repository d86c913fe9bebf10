// Package markup turns Markdown (CommonMark + GFM) into sanitized HTML. It is
// the only source of HTML built from user input: output always passes through
// the bluemonday policy, so raw HTML in a post can never carry script.
package markup

import (
	"bytes"
	"html"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/parser"
	gmhtml "github.com/yuin/goldmark/renderer/html"
	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Renderer converts Markdown to safe HTML. It is safe for concurrent use.
type Renderer struct {
	md     goldmark.Markdown
	policy *bluemonday.Policy
}

// New returns a Renderer with GFM (tables, strikethrough, autolinks, task lists).
func New() *Renderer {
	md := goldmark.New(
		goldmark.WithExtensions(extension.GFM),
		goldmark.WithParserOptions(parser.WithAutoHeadingID()),
		goldmark.WithRendererOptions(gmhtml.WithUnsafe()), // raw HTML is allowed in, then sanitized
	)
	return &Renderer{md: md, policy: Policy()}
}

// Policy is the sanitizer every piece of user HTML goes through (also imports).
func Policy() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.AllowAttrs("class").Matching(regexp.MustCompile(`^(language-[\w+-]+|mention)$`)).OnElements("code", "a")
	p.AllowAttrs("type", "checked", "disabled").OnElements("input")
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(false)
	p.AllowURLSchemes("http", "https", "mailto")
	return p
}

// mentionRE finds @username outside code; usernames are 2–30 of [A-Za-z0-9_.-].
var mentionRE = regexp.MustCompile(`(^|[^\w@/.])@([A-Za-z0-9_][A-Za-z0-9_.-]{1,29})\b`)

// Render returns sanitized HTML for src, with @mentions linked to profiles.
// RenderImported renders a body written elsewhere (an import): the same
// pipeline and sanitizer, but @names are not linked, since they name people
// of another site, not members here.
func (r *Renderer) RenderImported(src string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(capQuoteDepth(src)), &buf, convertOpts()); err != nil {
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return r.clean(buf.String())
}

func (r *Renderer) Render(src string) string {
	var buf bytes.Buffer
	if err := r.md.Convert([]byte(capQuoteDepth(src)), &buf, convertOpts()); err != nil {
		// goldmark only fails on writer errors; a bytes.Buffer has none. Fall back
		// to escaped text rather than losing the post.
		return "<p>" + html.EscapeString(src) + "</p>"
	}
	return r.clean(linkMentions(buf.String()))
}

// clean sanitizes rendered HTML and closes every tag it leaves open:
// bluemonday removes what is dangerous but does not balance, and a post
// ending inside an open <table> or <div> would swallow the rest of the page.
func (r *Renderer) clean(s string) string {
	s = r.policy.Sanitize(s)
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div})
	if err != nil {
		return s
	}
	var b strings.Builder
	for _, n := range nodes {
		if err := xhtml.Render(&b, n); err != nil {
			return s
		}
	}
	return r.policy.Sanitize(b.String())
}

// Mentions returns the distinct usernames mentioned in src, outside code.
func Mentions(src string) []string {
	seen := map[string]bool{}
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(stripCode(src), -1) {
		name := strings.TrimRight(m[2], ".-")
		if k := strings.ToLower(name); !seen[k] {
			seen[k] = true
			out = append(out, name)
		}
	}
	return out
}

var (
	codeRE  = regexp.MustCompile("(?s)```.*?```|`[^`]*`")
	fenceRE = regexp.MustCompile("(?s)```.*?```")
	// linkRE matches Markdown links and images, keeping their text.
	linkRE = regexp.MustCompile(`!?\[([^\]]*)\]\([^)]*\)`)
	// punctRE matches Markdown punctuation that means nothing in plain text;
	// emphRE the emphasis and code marks, which go without leaving a space
	// ("my *draft*?" is "my draft?").
	punctRE = regexp.MustCompile("[#>_\\[\\]()!|]+|(?m)^\\s*[-+*] ")
	emphRE  = regexp.MustCompile("[*~`]+")
)

func stripCode(s string) string { return codeRE.ReplaceAllString(s, " ") }

// linkMentions links @names in rendered HTML text, leaving code, pre and
// existing links alone.
func linkMentions(h string) string {
	var out strings.Builder
	skip := 0
	for len(h) > 0 {
		lt := strings.IndexByte(h, '<')
		if lt < 0 {
			lt = len(h)
		}
		text := h[:lt]
		if skip == 0 && strings.IndexByte(text, '@') >= 0 { // the regexp costs; most text has no @
			text = mentionRE.ReplaceAllStringFunc(text, func(m string) string {
				sub := mentionRE.FindStringSubmatch(m)
				name := strings.TrimRight(sub[2], ".-")
				rest := sub[2][len(name):]
				return sub[1] + `<a class="mention" href="/u/` + name + `">@` + name + `</a>` + rest
			})
		}
		out.WriteString(text)
		h = h[lt:]
		if h == "" {
			break
		}
		gt := strings.IndexByte(h, '>')
		if gt < 0 {
			out.WriteString(h)
			break
		}
		tag := h[:gt+1]
		skip += tagDepth(tag)
		if skip < 0 {
			skip = 0
		}
		out.WriteString(tag)
		h = h[gt+1:]
	}
	return out.String()
}

// tagDepth says whether tag opens (+1) or closes (-1) a region where mentions
// are not linked.
func tagDepth(tag string) int {
	name := strings.ToLower(strings.TrimLeft(tag, "</"))
	for _, n := range []string{"code", "pre", "a"} {
		if strings.HasPrefix(name, n+">") || strings.HasPrefix(name, n+" ") {
			if strings.HasPrefix(tag, "</") {
				return -1
			}
			return 1
		}
	}
	return 0
}

// Excerpt returns about n characters of plain text from Markdown src, for
// lists, emails and meta descriptions.
func Excerpt(src string, n int) string {
	s := fenceRE.ReplaceAllString(excerptHead(src, n), " ")
	s = linkRE.ReplaceAllString(s, "$1")
	s = punctRE.ReplaceAllString(s, " ")
	s = emphRE.ReplaceAllString(s, "")
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n])) + "…"
	}
	return s
}

// excerptHead returns the part of src an excerpt of n characters can come
// from: whole code blocks (they are dropped anyway) and about 8n bytes of the
// rest, so a long post costs no more than a short one (the regular
// expressions ran over whole bodies, a tenth of a topic page's time for one
// meta description). Link URLs and markup still have room to drop out.
func excerptHead(src string, n int) string {
	limit := 8*n + 256
	if len(src) <= limit {
		return src
	}
	end, text := 0, 0
	for end < len(src) && text < limit {
		i := strings.Index(src[end:], "```")
		j := -1
		if i >= 0 && text+i < limit {
			j = strings.Index(src[end+i+3:], "```")
		}
		if j < 0 { // no closed block before the limit: cut the text there
			end = min(len(src), end+limit-text)
			break
		}
		text += i
		end += i + 3 + j + 3
	}
	for end < len(src) && !utf8.RuneStart(src[end]) {
		end++
	}
	return src[:end]
}

var (
	// fenceLineRE matches a code fence line (``` or ~~~, with any info string):
	// the fence goes, the code between fences stays searchable.
	fenceLineRE = regexp.MustCompile("(?m)^[ \t]*(?:```|~~~)[^\n]*$")
	// plainPunctRE matches Markdown markup that is not text: rules and table
	// separator lines, quote, heading and bullet markers at the start of a
	// line, and emphasis, strikethrough, code ticks and table pipes anywhere.
	plainPunctRE = regexp.MustCompile("(?m)^[ \t]*[-|:= \t]*[-=]{3,}[-|:= \t]*$|(?m)^[ \t]*(?:>[ \t]*)+|(?m)^[ \t]*(?:#{1,6}|[-+*])[ \t]|\\*+|~~|`+|\\|")
)

// PlainText returns the words of Markdown src without its markup, on one
// line, for the search index: link and image text stay, their URLs go; code
// stays; control characters go (the index's snippets use some as markers).
func PlainText(src string) string {
	s := fenceLineRE.ReplaceAllString(src, " ")
	s = linkRE.ReplaceAllString(s, "$1")
	s = plainPunctRE.ReplaceAllString(s, " ")
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	return strings.Join(strings.Fields(s), " ")
}

// Highlight marks (start of a match) and unmark (end of one) are the control
// characters the search index puts around matched words in snippets.
const (
	HighlightStart = "\x02"
	HighlightEnd   = "\x03"
)

// Highlight turns a search snippet into safe HTML: the text is escaped and
// the index's markers become <mark> elements, always balanced, so nothing in
// a post can open an element of its own.
func Highlight(snippet string) string {
	var b strings.Builder
	open := false
	for len(snippet) > 0 {
		i := strings.IndexAny(snippet, HighlightStart+HighlightEnd)
		if i < 0 {
			b.WriteString(html.EscapeString(snippet))
			break
		}
		b.WriteString(html.EscapeString(snippet[:i]))
		switch {
		case snippet[i] == HighlightStart[0] && !open:
			b.WriteString("<mark>")
			open = true
		case snippet[i] == HighlightEnd[0] && open:
			b.WriteString("</mark>")
			open = false
		}
		snippet = snippet[i+1:]
	}
	if open {
		b.WriteString("</mark>")
	}
	return b.String()
}

// unmarker is built once: building a Replacer was 27 % of the JSON search
// API's CPU when each result's snippet built its own.
var unmarker = strings.NewReplacer(HighlightStart, "", HighlightEnd, "")

// Unmark removes the highlight markers, leaving the snippet's plain text.
func Unmark(snippet string) string { return unmarker.Replace(snippet) }

// TextOfHTML returns the words of rendered HTML, on one line: element text
// and nothing else (no tags, no attributes, so no URLs), with control
// characters removed (the index's snippets use some as markers). The search
// index uses it on every post's rendered body, whether written in Markdown
// here or imported as HTML.
func TextOfHTML(src string) string {
	var b strings.Builder
	z := xhtml.NewTokenizer(strings.NewReader(src))
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			s := strings.Map(func(r rune) rune {
				if r < 0x20 || r == 0x7f {
					return ' '
				}
				return r
			}, strings.ToValidUTF8(b.String(), ""))
			return strings.Join(strings.Fields(s), " ")
		case xhtml.TextToken:
			b.Write(z.Text())
		case xhtml.StartTagToken, xhtml.EndTagToken, xhtml.SelfClosingTagToken:
			b.WriteByte(' ') // words in adjacent blocks stay apart
		}
	}
}

// BadTextMessage is the field message for text that BadText refuses.
const BadTextMessage = "Remove the control characters (such as NUL) or bytes that are not UTF-8 from the text."

// BadText reports whether s is not valid UTF-8 or holds a control character
// other than tab, newline and carriage return. None belongs in prose, and
// PostgreSQL cannot store them, so every text field refuses them, on both
// engines alike.
func BadText(s string) bool {
	return !utf8.ValidString(s) || strings.ContainsFunc(s, func(r rune) bool {
		return (r < 0x20 && r != '\t' && r != '\n' && r != '\r') || r == 0x7f
	})
}
