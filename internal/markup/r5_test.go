package markup_test

import (
	"os"
	"regexp"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	xhtml "golang.org/x/net/html"

	"practica/internal/markup"
)

// r5Seeds are hand-written bodies that probe the sanitizer; the Stack
// Exchange sample adds real ones when it is present.
var r5Seeds = []string{
	"", "hello *world*", "<script>alert(1)</script>", "<SCRIPT SRC=//x.org/a.js></SCRIPT>", "[a](javascript:alert(1))",
	"[a](JaVaScRiPt&#58;alert(1))", "[a](\x01javascript:alert(1))", "[a](vbscript:msgbox(1))", "![i](data:image/png;base64,iVBORw0KGgo=)",
	"![i](data:text/html;base64,PHNjcmlwdD4=)", "<img src=x onerror=alert(1)>", "<img src=\"https://x.org/a.png\" OnLoad = 'x'>",
	"<a href=\"&#106;avascript:alert(1)\">x</a>", "<a href=\"java\tscript:alert(1)\">x</a>", "<svg><script>alert(1)</script></svg>",
	"<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>", "<iframe src=https://evil.example></iframe>", "<form action=/signout><button>x</button></form>",
	"<div>unclosed <table><tr><td>cell", "</div></div></div><p>escape", "<p>a<b>b<i>c", "<table><tr><td></div><p>out", "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
	"<style>body{}</style>", "<p style=\"position:fixed\">x</p>", "<object data=x></object>", "<base href=//evil>", "<meta http-equiv=refresh content=0;url=//evil>",
	"@alice `@bob` ```\n@carol\n```", "<a href=\"/u/x\">@alice</a>", "<code>@alice</code> @bob.", "x <a href=\"https://x.org\" target=_blank>y</a>",
	"- [ ] task\n- [x] done", "| a |\n|---|\n| <svg onload=x> |", "<input type=password name=pw><input type=checkbox checked>",
	strings.Repeat("<div>", 500), strings.Repeat("*a ", 2000), strings.Repeat("[", 3000) + strings.Repeat("]", 3000), strings.Repeat("> ", 1000) + "x",
	"\xff\xfe<\x00script>", "<a href=\"http://x.org/\x00javascript:\">x</a>",
}

// addSampleBodies adds a few real bodies from the shared Stack Exchange
// sample to f, read in place and never copied into the repository.
func addSampleBodies(f *testing.F, n int) {
	data, err := os.ReadFile("../../../shared/data/quantumcomputing.stackexchange.com/Posts.xml")
	if err != nil {
		return
	}
	unescape := strings.NewReplacer("&lt;", "<", "&gt;", ">", "&quot;", `"`, "&#xA;", "\n", "&#xD;", "\r", "&amp;", "&")
	for i, m := range regexp.MustCompile(`Body="([^"]*)"`).FindAllStringSubmatch(string(data), n*7) {
		if i%7 == 3 && len(m[1]) <= 4000 {
			f.Add(unescape.Replace(m[1]))
		}
	}
}

// urlAttrs are the attributes whose value a browser follows or loads.
var urlAttrs = map[string]bool{"href": true, "src": true, "cite": true, "action": true, "formaction": true, "poster": true,
	"background": true, "srcset": true, "xlink:href": true, "data": true, "longdesc": true, "usemap": true, "ping": true}

// forbiddenElems may never reach a page from a post.
var forbiddenElems = map[string]bool{"script": true, "style": true, "iframe": true, "frame": true, "frameset": true, "object": true,
	"embed": true, "form": true, "base": true, "meta": true, "link": true, "svg": true, "math": true, "template": true, "noscript": true,
	"textarea": true, "button": true, "select": true, "applet": true, "portal": true}

// urlScheme returns the lower-cased scheme of a URL attribute value as a
// browser reads it: ASCII whitespace and control characters are ignored.
func urlScheme(v string) string {
	v = strings.Map(func(r rune) rune {
		if r <= 0x20 || r == 0x7f {
			return -1
		}
		return r
	}, v)
	i := strings.IndexAny(v, ":/?#")
	if i <= 0 || v[i] != ':' {
		return ""
	}
	return strings.ToLower(v[:i])
}

// checkR5 asserts SECURITY.md R5 on one rendered body: a fixed point of the
// sanitizer; no script, handler or dangerous URL, whether written literally
// or discovered by a browser's parser; and no element escaping the container
// the page puts a post in.
func checkR5(t *testing.T, what, src, out string, took time.Duration) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s(%q):\n%s\n"+format, append([]any{what, src, out}, args...)...)
	}
	if took > 2*time.Second { // R5 asks < 100 ms; 20x leaves room for a busy shared machine
		fail("took %v", took)
	}
	if again := markup.Policy().Sanitize(out); again != out {
		fail("not a fixed point of the sanitizer; again:\n%s", again)
	}
	if scriptRE.MatchString(out) || handlerRE.MatchString(out) || schemeRE.MatchString(out) {
		fail("script, handler or dangerous scheme in the text")
	}
	doc, err := xhtml.Parse(strings.NewReader(`<!doctype html><html><body><div id="r5-post">` + out + `</div><p id="r5-after"></p></body></html>`))
	if err != nil {
		if strings.Contains(err.Error(), "exceeds") { // x/net/html stops at 512 open elements, as browsers flatten deep trees
			return
		}
		fail("does not parse: %v", err)
	}
	var body *xhtml.Node
	var walk func(n *xhtml.Node, inPost bool)
	walk = func(n *xhtml.Node, inPost bool) {
		if n.Type == xhtml.ElementNode {
			if n.Data == "body" {
				body = n
			}
			if inPost {
				if forbiddenElems[n.Data] || n.Namespace != "" {
					fail("element <%s> (namespace %q) in a post", n.Data, n.Namespace)
				}
				for _, a := range n.Attr {
					key := strings.ToLower(a.Key)
					if a.Namespace != "" {
						key = a.Namespace + ":" + key
					}
					switch {
					case strings.HasPrefix(key, "on"), key == "style", key == "formaction", key == "srcdoc":
						fail("attribute %s=%q on <%s>", key, a.Val, n.Data)
					case urlAttrs[key]:
						switch s := urlScheme(a.Val); s {
						case "", "http", "https", "mailto":
						default:
							fail("URL scheme %q in %s=%q on <%s>", s, key, a.Val, n.Data)
						}
					}
				}
				if attr(n, "id") == "r5-after" {
					fail("unclosed tags: the element after the post was pulled into it")
				}
			}
			if n.Data == "div" && attr(n, "id") == "r5-post" {
				inPost = true
			}
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c, inPost)
		}
	}
	walk(doc, false)
	if body == nil {
		fail("no body")
	}
	var kids []string
	for c := body.FirstChild; c != nil; c = c.NextSibling {
		switch {
		case c.Type == xhtml.ElementNode:
			kids = append(kids, c.Data+"#"+attr(c, "id"))
		case c.Type == xhtml.TextNode && strings.TrimSpace(c.Data) != "":
			kids = append(kids, "text")
		}
	}
	if strings.Join(kids, " ") != "div#r5-post p#r5-after" {
		fail("the post leaks out of its container: body holds %v", kids)
	}
}

func attr(n *xhtml.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// FuzzRenderR5 holds Render and RenderImported (imports send raw HTML through
// the same pipeline) to every R5 invariant, checked on the parsed output.
func FuzzRenderR5(f *testing.F) {
	for _, s := range r5Seeds {
		f.Add(s)
	}
	addSampleBodies(f, 20)
	r := markup.New()
	f.Fuzz(func(t *testing.T, src string) {
		if len(src) > 20000 {
			return
		}
		start := time.Now()
		out := r.Render(src)
		checkR5(t, "Render", src, out, time.Since(start))
		start = time.Now()
		out = r.RenderImported(src)
		checkR5(t, "RenderImported", src, out, time.Since(start))
	})
}

// TestRenderR5Seeds runs the R5 checks on the seeds in every plain test run.
func TestRenderR5Seeds(t *testing.T) {
	r := markup.New()
	for _, src := range r5Seeds {
		start := time.Now()
		checkR5(t, "Render", src, r.Render(src), time.Since(start))
	}
}

// TestRenderR5Containment: the page's next element stays outside a post,
// whatever tags the post leaves open.
func TestRenderR5Containment(t *testing.T) {
	r := markup.New()
	for _, src := range []string{"<div>unclosed <table><tr><td>cell", "<table><tr><td></div><p>out", "</div></div><p>escape", "<ul><li>a", "<blockquote>q"} {
		checkR5(t, "Render", src, r.Render(src), 0)
		checkR5(t, "RenderImported", src, r.RenderImported(src), 0)
	}
}

var mentionName = regexp.MustCompile(`^[A-Za-z0-9_][A-Za-z0-9_.-]{0,29}$`)

// FuzzMentions: Mentions returns distinct (case-insensitively) names of at
// most 30 characters from the username alphabet, each written after an @ in
// the source and not ending in '.' or '-'; never more names than @ signs; and
// a valid username written alone after an @ is always found, and never in code.
func FuzzMentions(f *testing.F) {
	for _, s := range []string{"hi @alice and @Bob. also @alice again", "`@carol` mail@dave.org", "@a.", "@@x @-y @_z_", "(@paren) [@br] /@slash",
		"```\n@fenced\n```", "@" + strings.Repeat("a", 40), "@ALICE @alice", "\xff@bob\x00", "@é @e\u0301"} {
		f.Add(s, "alice")
	}
	f.Add("x", "a.b-c_")
	f.Add("x", "0_9")
	f.Fuzz(func(t *testing.T, src, name string) {
		got := mentionsOf(t, src)
		if len(got) > strings.Count(src, "@") {
			t.Fatalf("Mentions(%q) = %q: more names than @ signs", src, got)
		}
		seen := map[string]bool{}
		for _, m := range got {
			if !mentionName.MatchString(m) || strings.HasSuffix(m, ".") || strings.HasSuffix(m, "-") {
				t.Fatalf("Mentions(%q) returned %q, not a name", src, m)
			}
			if !strings.Contains(src, "@"+m) {
				t.Fatalf("Mentions(%q) returned %q, which is not written after an @", src, m)
			}
			if k := strings.ToLower(m); seen[k] {
				t.Fatalf("Mentions(%q) = %q: %q twice", src, got, m)
			} else {
				seen[k] = true
			}
		}
		if !usernameLike.MatchString(name) {
			return
		}
		if got := mentionsOf(t, "thanks @"+name+" !"); len(got) != 1 || got[0] != name {
			t.Fatalf("Mentions(\"thanks @%s !\") = %q, want [%s]", name, got, name)
		}
		if got := mentionsOf(t, "`@"+name+"`"); len(got) != 0 {
			t.Fatalf("Mentions(\"`@%s`\") = %q: a mention in code", name, got)
		}
	})
}

// usernameLike is the rule usernames follow (auth's validation).
var usernameLike = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{1,28}[A-Za-z0-9_]$`)

// mentionsOf calls markup.Mentions and checks it is deterministic.
func mentionsOf(t *testing.T, src string) []string {
	t.Helper()
	a, b := markup.Mentions(src), markup.Mentions(src)
	if strings.Join(a, "\x00") != strings.Join(b, "\x00") {
		t.Fatalf("Mentions(%q) gave %q then %q", src, a, b)
	}
	for _, m := range a {
		if !utf8.ValidString(m) {
			t.Fatalf("Mentions(%q) returned invalid UTF-8 %q", src, m)
		}
	}
	return a
}
