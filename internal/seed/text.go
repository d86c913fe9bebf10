package seed

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"unicode/utf8"

	"practica/internal/markup"
)

// Bodies are assembled from a fixed pool of Markdown fragments (paragraphs,
// lists, quotes and fenced code), each rendered once through the real
// renderer: rendering is the generator's main CPU cost, and a body's HTML is
// then the concatenation of its fragments' HTML (TestFragmentsRenderAlone
// holds the pool to that).

// fragment is one block of Markdown with its rendered HTML and plain text.
type fragment struct {
	src, html, text string
	// runes is the length of src in characters.
	runes int
	// list: two lists in a row would merge into one, so they never follow
	// each other.
	list bool
}

// pool holds the fragments bodies are made of.
type pool struct {
	prose []fragment // paragraphs, lists and quotes
	code  []fragment
	cjk   []fragment // paragraphs in Chinese or Japanese
	// comments are one or two sentences (comments are short).
	comments []fragment
	// hot is the hot topic's opening post.
	hot body
}

// poolSeed fixes the pool: it is the same for every --seed, so it is built
// and rendered once per process.
const poolSeed = 0x5eed

var sharedPool = sync.OnceValue(func() *pool { return newPool(markup.New()) })

func newPool(md *markup.Renderer) *pool {
	r := rand.New(rand.NewPCG(poolSeed, poolSeed))
	p := &pool{}
	mk := func(src string, list bool) fragment {
		h := md.Render(src)
		return fragment{src: src, html: h, text: markup.TextOfHTML(h), runes: utf8.RuneCountInString(src), list: list}
	}
	for i := range 900 {
		switch {
		case i%9 == 4:
			p.prose = append(p.prose, mk(listBlock(r), true))
		case i%13 == 6:
			p.prose = append(p.prose, mk("> "+paragraph(r, 1), false))
		default:
			p.prose = append(p.prose, mk(paragraph(r, 1+r.IntN(3)), false))
		}
	}
	for range 120 {
		p.code = append(p.code, mk(codeBlock(r), false))
	}
	for range 60 {
		p.cjk = append(p.cjk, mk(cjkParagraph(r), false))
	}
	for len(p.comments) < 300 {
		src := sentence(r)
		if r.IntN(2) == 0 {
			src += " " + sentence(r)
		}
		if len(src) <= 600 {
			p.comments = append(p.comments, mk(src, false))
		}
	}
	h := mk(hotBody, false)
	p.hot = body{src: h.src, html: h.html, text: h.text}
	return p
}

// words is the vocabulary of prose, roughly most frequent first: picks are
// skewed towards the start, so some words are everywhere and some rare, as
// in real text.
var words = strings.Fields(`the a to of and in is it that for you this with on be not are can if I we
have but or as use when what from your there my at which one all so how would do was by an they will
just about more like some then only also than other into any because should here way need does now
query index table cache request server client database page user value error test build deploy config
function method type struct interface package module import file path string number list map slice
channel goroutine context timeout retry connection transaction lock row column schema migration backup
release version branch commit review merge pipeline container image cluster node service endpoint
handler router middleware session token cookie header template render stream buffer queue worker job
event log metric trace alert latency throughput memory allocation garbage pointer reference closure
callback promise async await thread process signal socket port proxy certificate domain address
network packet protocol encoding json yaml xml csv parser lexer compiler runtime benchmark profile
flame graph hot path bottleneck regression upgrade downgrade rollback feature flag experiment
question answer vote comment reply thread topic space member tag badge reputation search filter sort
pagination cursor offset limit keyset sqlite postgres mysql redis kafka nginx docker kubernetes linux
macos windows terminal shell bash zsh vim emacs editor plugin extension library framework toolkit
golang python rust javascript typescript java kotlin swift ruby elixir haskell ocaml clojure scala
lambda recursion iteration loop condition branch prediction vector matrix tensor model training
inference dataset sample batch epoch gradient learning rate overfitting validation accuracy precision
recall latency budget deadline estimate roadmap milestone sprint standup retrospective mentor
mentoring onboarding documentation tutorial guide reference example snippet gist playground sandbox
staging production incident postmortem outage pager rotation escalation runbook checklist workaround
fix patch hotfix bug issue ticket report reproduce minimal failing case stack trace panic exception
assertion fixture mock stub fake integration unit end-to-end flaky deterministic seed random clock
timezone calendar locale unicode emoji utf8 normalization collation accent ligature glyph font
accessibility contrast keyboard focus screen reader label landmark heading semantic markup css layout
grid flexbox responsive mobile desktop tablet offline cache-control etag compression gzip brotli
http https tls quic websocket sse polling webhook callback oauth openid password argon2 bcrypt hash
salt pepper nonce csrf xss injection sanitizer escaping validation policy permission role admin
moderator guest visitor anonymous spam flag review queue appeal audit privacy export deletion consent
reliable robust simple small fast slow careful clear obvious subtle tricky surprising elegant ugly
pragmatic idiomatic portable concurrent parallel sequential lazy eager strict loose optional required
prefer avoid measure compare profile optimize refactor rename extract inline delete rewrite document
explain understand learn teach share ask wonder suspect notice assume verify check confirm doubt`)

// cjkWords are Chinese and Japanese words, written with spaces between them
// so that word-based search indexes keep each one as a token.
var cjkWords = strings.Fields(`数据库 索引 性能 查询 缓存 服务器 问题 回答 社区 学习 编程 语言 测试 部署
版本 错误 日志 并发 内存 网络 安全 用户 文档 教程 例子 代码 函数 接口 模块 配置 迁移 备份 事务 连接 超时
勉強会 質問 回答 性能 検索 データベース 設定 開発 東京 大阪 コード 関数 テスト 初心者 ありがとう 確認 問題 解決`)

var emoji = []string{"🚀", "🎉", "👍", "🙏", "🔥", "✅", "🤔", "💡", "🐛", "📚"}

var hosts = []string{"go.dev", "sqlite.org", "www.postgresql.org", "developer.mozilla.org", "docs.python.org", "example.org", "pkg.go.dev", "en.wikipedia.org"}

// word picks a vocabulary word, skewed towards frequent ones.
func word(r *rand.Rand) string {
	u := r.Float64()
	return words[int(u*u*u*float64(len(words)))]
}

func sentence(r *rand.Rand) string {
	n := 6 + r.IntN(14)
	parts := make([]string, 0, n+2)
	for i := range n {
		w := word(r)
		switch x := r.IntN(60); {
		case x == 0:
			w = "`" + w + "()`"
		case x == 1:
			w = "**" + w + "**"
		case x == 2:
			w = "_" + w + "_"
		case x == 3 && i > 0:
			w = fmt.Sprintf("[%s %s](https://%s/%s/%s)", w, word(r), hosts[r.IntN(len(hosts))], word(r), word(r))
		}
		parts = append(parts, w)
	}
	if r.IntN(25) == 0 {
		parts = append(parts, emoji[r.IntN(len(emoji))])
	}
	s := strings.Join(parts, " ")
	end := "."
	switch r.IntN(8) {
	case 0:
		end = "?"
	case 1:
		end = "!"
	}
	return strings.ToUpper(s[:1]) + s[1:] + end
}

func paragraph(r *rand.Rand, sentences int) string {
	s := make([]string, sentences)
	for i := range s {
		s[i] = sentence(r)
	}
	if r.IntN(6) == 0 {
		s = append(s, fmt.Sprintf("See https://%s/%s for more.", hosts[r.IntN(len(hosts))], word(r)))
	}
	return strings.Join(s, " ")
}

func listBlock(r *rand.Rand) string {
	n := 2 + r.IntN(3)
	items := make([]string, n)
	ordered := r.IntN(3) == 0
	for i := range items {
		marker := "-"
		if ordered {
			marker = fmt.Sprintf("%d.", i+1)
		}
		items[i] = marker + " " + sentence(r)
	}
	return strings.Join(items, "\n")
}

func cjkParagraph(r *rand.Rand) string {
	n := 8 + r.IntN(16)
	parts := make([]string, n)
	for i := range parts {
		parts[i] = cjkWords[r.IntN(len(cjkWords))]
		if i > 0 && r.IntN(10) == 0 {
			parts[i] = word(r)
		}
	}
	s := strings.Join(parts, " ") + " 。"
	if r.IntN(3) == 0 {
		s += " " + emoji[r.IntN(len(emoji))]
	}
	return s
}

// codeTemplates are fenced code blocks; %[1]s..%[3]s are identifiers.
var codeTemplates = []string{
	"```go\nfunc %[1]s(ctx context.Context, db *sql.DB) ([]%[2]s, error) {\n\trows, err := db.QueryContext(ctx, `SELECT id, name FROM %[3]s WHERE id > $1`, 0)\n\tif err != nil {\n\t\treturn nil, fmt.Errorf(\"%[1]s: %%w\", err)\n\t}\n\tdefer rows.Close()\n\tvar out []%[2]s\n\tfor rows.Next() {\n\t\tvar x %[2]s\n\t\tif err := rows.Scan(&x.ID, &x.Name); err != nil {\n\t\t\treturn nil, err\n\t\t}\n\t\tout = append(out, x)\n\t}\n\treturn out, rows.Err()\n}\n```",
	"```python\ndef %[1]s(items):\n    \"\"\"Group %[3]s by %[2]s.\"\"\"\n    out = {}\n    for item in items:\n        out.setdefault(item.%[2]s, []).append(item)\n    return out\n```",
	"```sql\nSELECT t.id, t.%[2]s, COUNT(p.id) AS %[1]s\nFROM %[3]s t\nLEFT JOIN posts p ON p.topic_id = t.id\nGROUP BY t.id, t.%[2]s\nORDER BY %[1]s DESC\nLIMIT 20;\n```",
	"```js\nasync function %[1]s(url) {\n  const res = await fetch(url, { headers: { Accept: 'application/json' } });\n  if (!res.ok) throw new Error(`%[2]s failed: ${res.status}`);\n  const { %[3]s } = await res.json();\n  return %[3]s;\n}\n```",
	"```sh\n$ go test ./... -run %[1]s -count=1\nok  \texample.org/%[2]s/%[3]s\t0.42s\n$ go test -bench . -benchmem\n```",
	"```\npanic: runtime error: invalid memory address or nil pointer dereference\n[signal SIGSEGV: segmentation violation]\n\ngoroutine 1 [running]:\nmain.%[1]s(0x0)\n\t/src/%[2]s/%[3]s.go:42 +0x1d\n```",
	"```yaml\n%[1]s:\n  image: %[2]s:latest\n  environment:\n    - %[3]s=true\n  ports:\n    - \"8080:8080\"\n```",
	"```rust\nfn %[1]s(input: &str) -> Result<%[2]s, Error> {\n    let %[3]s = input.trim().parse()?;\n    Ok(%[2]s::new(%[3]s))\n}\n```",
}

func ident(r *rand.Rand) string {
	a, b := word(r), word(r)
	a = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' {
			return c
		}
		return -1
	}, a)
	b = strings.Map(func(c rune) rune {
		if c >= 'a' && c <= 'z' {
			return c
		}
		return -1
	}, b)
	if a == "" {
		a = "value"
	}
	if b == "" {
		return strings.ToLower(a)
	}
	return strings.ToLower(a) + strings.ToUpper(b[:1]) + b[1:]
}

func codeBlock(r *rand.Rand) string {
	t := codeTemplates[r.IntN(len(codeTemplates))]
	name := ident(r)
	typ := ident(r)
	typ = strings.ToUpper(typ[:1]) + typ[1:]
	return fmt.Sprintf(t, name, typ, ident(r))
}

// body is an assembled post body.
type body struct {
	src, html, text string
}

// compose assembles a body of at least target characters (200 to 3,000) from
// the pool: prose, with code now and then, and Chinese or Japanese text in
// about one body in twenty.
func (p *pool) compose(r *rand.Rand, target int) body {
	// The fragments are picked first and joined after, into strings of the
	// right size: growing them piece by piece cost more than the picking.
	var picked [32]*fragment
	frags := picked[:0]
	runes := 0
	lastList := false
	add := func(f *fragment) {
		runes += f.runes
		if len(frags) > 0 {
			runes += 2
		}
		frags = append(frags, f)
		lastList = f.list
	}
	if r.IntN(20) == 0 {
		add(&p.cjk[r.IntN(len(p.cjk))])
	}
	for runes < target {
		var f *fragment
		switch x := r.IntN(10); {
		case x == 0 && len(frags) > 0:
			f = &p.code[r.IntN(len(p.code))]
		default:
			f = &p.prose[r.IntN(len(p.prose))]
			for f.list && lastList {
				f = &p.prose[r.IntN(len(p.prose))]
			}
		}
		if len(frags) > 0 && runes+2+f.runes > 3000 {
			if runes >= 200 {
				break
			}
			continue
		}
		add(f)
	}
	var src, html, text strings.Builder
	ns, nh, nt := 2*len(frags), 0, len(frags)
	for _, f := range frags {
		ns, nh, nt = ns+len(f.src), nh+len(f.html), nt+len(f.text)
	}
	src.Grow(ns)
	html.Grow(nh)
	text.Grow(nt)
	for i, f := range frags {
		if i > 0 {
			src.WriteString("\n\n")
			text.WriteByte(' ')
		}
		src.WriteString(f.src)
		html.WriteString(f.html)
		text.WriteString(f.text)
	}
	return body{src: src.String(), html: html.String(), text: text.String()}
}

// titleTemplates make titles; %[1]s..%[3]s are words.
var titleTemplates = []string{
	"How do I %[1]s a %[2]s in %[3]s?",
	"Why is my %[2]s so slow with %[3]s?",
	"Best way to %[1]s %[2]s across %[3]s",
	"%[3]s: %[2]s %[1]s fails after upgrade",
	"What is the idiomatic %[2]s for %[3]s?",
	"Sharing our %[2]s %[3]s setup",
	"Is it safe to %[1]s the %[2]s while %[3]s runs?",
	"Thoughts on %[2]s and %[3]s",
	"%[2]s vs %[3]s for a small team",
	"Help: %[3]s %[2]s returns an error",
}

var verbs = strings.Fields(`cache index migrate deploy test profile debug refactor paginate sort filter
validate sanitize encode parse render stream retry batch shard replicate monitor benchmark document`)

func title(r *rand.Rand) string {
	switch r.IntN(50) {
	case 0:
		return fmt.Sprintf("如何 提高 %s 的 %s ？", cjkWords[r.IntN(len(cjkWords))], cjkWords[r.IntN(len(cjkWords))])
	case 1:
		return fmt.Sprintf("%s の %s について %s", cjkWords[r.IntN(len(cjkWords))], cjkWords[r.IntN(len(cjkWords))], emoji[r.IntN(len(emoji))])
	}
	t := fmt.Sprintf(titleTemplates[r.IntN(len(titleTemplates))], verbs[r.IntN(len(verbs))], word(r), word(r))
	if r.IntN(40) == 0 {
		t += " " + emoji[r.IntN(len(emoji))]
	}
	return strings.ToUpper(t[:1]) + t[1:]
}
