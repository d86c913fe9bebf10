package atk

import (
	"net/url"
	"strings"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/importer"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/testenv"
)

// Row 1: every text field of create and edit forms carries the payload list;
// every page that shows them is parsed for surviving script.
func TestATK01_StoredXSSInEditForms(t *testing.T) {
	env := newEnv(t)
	sp := env.PublicSpace
	var topics []int64
	for _, p := range payloads { // one question per title payload (staff are not rate limited)
		title := p
		if len(title) > content.MaxTitle {
			title = title[:content.MaxTitle]
		}
		rec := env.PostForm(t, env.Mod, "/new", url.Values{"space": {sp.Slug}, "kind": {"question"}, "title": {title}, "body": {allPayloads()}, "tags": {"xss"}})
		topics = append(topics, createdTopic(t, rec))
	}
	first := topics[0]
	// A form with an error re-renders what was typed.
	clean(t, "POST /new with errors", env.PostForm(t, env.Mod, "/new", url.Values{"space": {"nope"}, "title": {payloads[3]}, "body": {allPayloads()}, "tags": {payloads[1]}}))

	// Answer, comments, edits with reasons, on the web forms.
	rec := env.PostForm(t, env.Alice, "/t/"+id(first)+"/replies", url.Values{"body": {allPayloads()}})
	wantCode(t, rec, "answer", 303)
	tv, err := env.App.Content.Topic(ctx, env.Admin.Viewer(), first, 0)
	if err != nil || len(tv.Posts) < 2 {
		t.Fatalf("topic %d: %v", first, err)
	}
	op, answer := tv.Posts[0].Post, tv.Posts[1].Post
	for _, c := range chunks(content.MaxComment) {
		wantCode(t, env.PostForm(t, env.Mod, "/p/"+id(answer.ID)+"/comments", url.Values{"body": {c}}), "comment", 303, 200)
	}
	for i, p := range payloads[:6] {
		form := url.Values{"title": {p + " edited"}, "body": {allPayloads() + "\n\nedit " + id(int64(i))}, "tags": {"xss"}, "reason": {p}}
		wantCode(t, env.PostForm(t, env.Mod, "/p/"+id(op.ID)+"/edit", form), "edit question", 303)
	}
	wantCode(t, env.PostForm(t, env.Alice, "/p/"+id(answer.ID)+"/edit", url.Values{"body": {allPayloads() + " v2"}, "reason": {payloads[1]}}), "edit answer", 303)
	clean(t, "edit form with errors", env.PostForm(t, env.Alice, "/p/"+id(answer.ID)+"/edit", url.Values{"body": {""}, "reason": {payloads[0]}}))
	// Tag description, space texts, profile.
	for _, c := range chunks(content.MaxTagDescription) {
		wantCode(t, env.PostForm(t, env.Mod, "/tags/xss/describe", url.Values{"description": {c}}), "describe tag", 303)
	}
	spaceForm := url.Values{"name": {`"><svg onload=alert(1)>`}, "slug": {sp.Slug}, "focus": {chunks(280)[0]}, "rules": {allPayloads()}, "visibility": {"public"}, "color": {sp.Color}}
	wantCode(t, env.PostForm(t, env.Alice, "/s/"+sp.Slug+"/edit", spaceForm), "edit space", 303)
	wantCode(t, env.PostForm(t, env.Alice, "/settings/profile", url.Values{"display_name": {`" onmouseover="alert(1)" x="javascript:alert(1)`}, "bio": {chunks(500)[0]}}), "profile", 303)
	clean(t, "profile with errors", env.PostForm(t, env.Alice, "/settings/profile", url.Values{"display_name": {payloads[0]}, "bio": {allPayloads()}}))

	pages := []string{"/", "/questions", "/spaces", sp.Path(), "/tags", "/tags/xss", "/u/alice", "/u/mod", "/leaderboard", "/search?q=alert",
		"/p/" + id(op.ID) + "/revisions", "/p/" + id(op.ID) + "/revisions?view=side", "/p/" + id(answer.ID) + "/revisions", "/p/" + id(answer.ID) + "/edit",
		"/p/" + id(op.ID) + "/edit", "/s/" + sp.Slug + "/edit", "/s/" + sp.Slug + "/members", "/settings", "/admin", "/review", "/badges"}
	for _, tp := range topics {
		pages = append(pages, "/t/"+id(tp))
	}
	for _, u := range []*testenv.User{nil, env.Alice, env.Admin} {
		for _, p := range pages {
			getClean(t, env, u, p)
		}
	}
	// The API returns the rendered HTML too: the same sanitizer applies.
	for _, p := range []int64{op.ID, answer.ID} {
		rec := env.API(t, nil, "GET", "/api/v1/posts/"+id(p), nil)
		var post struct {
			BodyHTML string `json:"body_html"`
		}
		testenvDecode(t, rec, &post)
		if bad := injections(post.BodyHTML); len(bad) > 0 {
			t.Errorf("API body_html of post %d: %v", p, bad)
		}
	}
}

// Row 2: URL-bearing profile fields: the links field takes http(s) addresses
// only, and the bio (Markdown) and post links keep only safe schemes in the
// profile, the user card (author line) and the API.
func TestATK02_StoredXSSInURLFields(t *testing.T) {
	env := newEnv(t)
	bio := "[site](javascript:alert(1)) [s2](JAVASCRIPT:alert(1)) [s3](data:text/html,x) [ok](https://example.org) <a href=\"vbscript:x\">v</a>"
	wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"javascript:alert(1)"}, "bio": {bio}}), "profile", 303)
	tp := env.CreateTopic(t, env.Bob, env.PublicSpace, "Links everywhere")
	env.Reply(t, env.Bob, tp.ID, bio)
	for _, p := range []string{"/u/bob", tp.Path(), "/leaderboard", "/admin", "/s/" + env.PublicSpace.Slug} {
		getClean(t, env, env.Admin, p) // the bio (Markdown) and post links keep only safe schemes
	}
	for _, bad := range []string{"javascript:alert(1)", "JaVaScRiPt:alert(1)", "data:text/html,<script>alert(1)</script>", "//evil.example", `https://ok.example/" onmouseover="alert(1)`} {
		wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"Bob"}, "links": {bad}}), "profile link "+bad, 400)
		rec := env.API(t, env.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"links": []string{bad}})
		wantCode(t, rec, "API profile link "+bad, 400)
	}
	wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"Bob"}, "bio": {bio}, "links": {"https://example.org/a?b=c&d=<e>"}}), "profile link with < >", 400)
	wantCode(t, env.PostForm(t, env.Bob, "/settings/profile", url.Values{"display_name": {"Bob"}, "bio": {bio}, "links": {"https://example.org/notes"}}), "profile link", 303)
	getClean(t, env, nil, "/u/bob")
	rec := env.API(t, nil, "GET", "/api/v1/users/bob", nil)
	lacks(t, "API user", strings.ReplaceAll(rec.Body.String(), `"display_name":"javascript:alert(1)"`, ""), `href=\"javascript`, `href="javascript`)
}

// Row 3: imported (machine-generated) HTML goes through the same sanitizer:
// a tiny Stack Exchange dump with payloads in every text column.
func TestATK03_XSSViaImportedContent(t *testing.T) {
	env := newEnv(t)
	dir := t.TempDir() + "/xss.example.com"
	esc := func(s string) string {
		r := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "\n", "&#xA;")
		return r.Replace(s)
	}
	body := esc("<p>Imported " + strings.Join(payloads, "</p><p>") + "</p>")
	files := map[string]string{
		"Users.xml": `<?xml version="1.0" encoding="utf-8"?>
<users>
  <row Id="1" Reputation="101" CreationDate="2020-01-02T00:00:00.000" DisplayName="` + esc(`<img src=x onerror=alert(1)>`) + `" AboutMe="` + body + `" WebsiteUrl="javascript:alert(1)" />
  <row Id="2" Reputation="5" CreationDate="2020-01-02T00:00:00.000" DisplayName="` + esc(`" onmouseover="alert(1)`) + `" />
</users>`,
		"Posts.xml": `<?xml version="1.0" encoding="utf-8"?>
<posts>
  <row Id="10" PostTypeId="1" CreationDate="2020-02-01T10:00:00.000" Score="3" Body="` + body + `" OwnerUserId="1" Title="` + esc(`<script>alert(1)</script> imported`) + `" Tags="` + esc(`<qubit><x-onerror>`) + `" AcceptedAnswerId="11" />
  <row Id="11" PostTypeId="2" ParentId="10" CreationDate="2020-02-01T11:00:00.000" Score="5" Body="` + body + `" OwnerUserId="2" />
  <row Id="20" PostTypeId="4" CreationDate="2020-01-01T00:00:00.000" Score="0" Body="` + body + `" />
</posts>`,
		"Comments.xml": `<?xml version="1.0" encoding="utf-8"?>
<comments>
  <row Id="100" PostId="11" Score="2" Text="` + esc(`<img src=x onerror=alert(1)> [x](javascript:alert(1))`) + `" CreationDate="2020-02-01T12:00:00.000" UserId="1" />
</comments>`,
		"Tags.xml": `<?xml version="1.0" encoding="utf-8"?>
<tags>
  <row Id="1" TagName="qubit" Count="1" ExcerptPostId="20" />
</tags>`,
	}
	writeFiles(t, dir, files)
	sum, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: dir})
	if err != nil {
		t.Fatalf("import: %v", err)
	}
	list, err := env.App.Content.Latest(ctx, model.Viewer{}, content.ListInput{Space: sum.Space})
	if err != nil || len(list.Items) != 1 {
		t.Fatalf("imported topics: %d, %v", len(list.Items), err)
	}
	tp := list.Items[0].Topic
	pages := []string{tp.Path(), "/s/" + sum.Space, "/tags/qubit", "/tags", "/questions", "/search?q=imported", "/leaderboard", "/admin"}
	users, _ := env.App.Auth.Users(ctx, env.Admin.Viewer(), 0, "")
	for _, u := range users {
		pages = append(pages, "/u/"+url.PathEscape(u.Username))
	}
	for _, p := range pages {
		getClean(t, env, env.Admin, p)
	}
	op := openingPost(t, env, tp.ID)
	if bad := injections(op.BodyHTML); len(bad) > 0 {
		t.Errorf("imported body_html: %v", bad)
	}
}

// Row 4: content in a moderation state (a pending suggested edit) is shown
// to moderators in the review queue; payloads there must stay inert. Flags
// and an admin log do not exist yet (feature missing: flags, admin log).
func TestATK04_XSSViaPendingModerationContent(t *testing.T) {
	env := newEnv(t)
	carol := env.Carol(t)
	q := question(t, env, env.Alice, env.PublicSpace, "Pending edits land here")
	ans := env.Reply(t, env.Alice, q.ID, "An answer to improve.")
	op := openingPost(t, env, q.ID)
	wantCode(t, env.PostForm(t, carol, "/p/"+id(op.ID)+"/edit", url.Values{"title": {payloads[0] + " title"}, "body": {allPayloads()}, "tags": {"testing"}, "reason": {payloads[1]}}), "suggest question edit", 303)
	wantCode(t, env.PostForm(t, carol, "/p/"+id(ans.ID)+"/edit", url.Values{"body": {allPayloads()}, "reason": {payloads[3]}}), "suggest answer edit", 303)
	items, _, err := env.App.Content.ReviewQueue(ctx, env.Mod.Viewer())
	if err != nil || len(items) != 2 {
		t.Fatalf("review queue: %d items, %v; want the 2 pending suggestions", len(items), err)
	}
	for _, u := range []*testenv.User{env.Mod, env.Alice, env.Admin, carol} {
		getClean(t, env, u, "/review")
	}
	rec := env.API(t, env.Mod, "GET", "/api/v1/suggested-edits", nil)
	wantCode(t, rec, "API suggested edits", 200)
	// Until approved, the pending text is on no public page.
	for _, p := range []string{q.Path(), "/p/" + id(op.ID) + "/revisions", "/search?q=onerror"} {
		rec := getClean(t, env, nil, p)
		lacks(t, p, rec.Body.String(), "onerror=alert")
	}
}

// Row 5: link previews and embeds do not exist (feature missing: link
// previews/oneboxes); the CSP backstop must be on every HTML response,
// errors and redirects included, and never allow inline script.
func TestATK05_CSPOnEveryHTMLResponse(t *testing.T) {
	env := newEnv(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "A page to crawl")
	paths := []string{"/", "/spaces", "/signin", "/signup", "/forgot", "/reset/nope", "/verify/nope", "/questions", "/tags", "/tags/testing", "/badges",
		"/leaderboard", "/privileges", "/search?q=x", "/similar?title=x", tp.Path(), "/t/" + id(tp.ID), "/s/" + env.PublicSpace.Slug, "/u/alice",
		"/u/alice/reputation", "/no/such/page", "/t/999999", "/settings", "/admin", "/review", "/new", "/spaces/new", "/invite/nope",
		"/static/nope.js", "/api/v1/nope", "/api/v1/me", "/healthz"}
	for _, u := range []*testenv.User{nil, env.Alice, env.Admin} {
		for _, p := range paths {
			rec := env.Get(t, u, p)
			h := rec.Header()
			if got := h.Get("Content-Security-Policy"); got != httpx.CSP {
				t.Errorf("GET %s: CSP %q, want %q", p, got, httpx.CSP)
			}
			if h.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("GET %s: no nosniff", p)
			}
		}
	}
	for _, directive := range strings.Split(httpx.CSP, ";") {
		d := strings.TrimSpace(directive)
		if (strings.HasPrefix(d, "script-src") || strings.HasPrefix(d, "default-src")) && (strings.Contains(d, "unsafe-inline") || strings.Contains(d, "unsafe-eval") || strings.Contains(d, "*")) {
			t.Errorf("CSP directive %q weakens script protection", d)
		}
	}
	if !strings.Contains(httpx.CSP, "frame-ancestors 'none'") || !strings.Contains(httpx.CSP, "object-src 'none'") {
		t.Errorf("CSP %q lacks frame-ancestors/object-src 'none'", httpx.CSP)
	}
	// A POST answered with a form error or a redirect carries it too.
	rec := env.PostForm(t, env.Alice, "/new", url.Values{"title": {"x"}})
	if rec.Header().Get("Content-Security-Policy") == "" {
		t.Errorf("POST /new (form error %d) has no CSP", rec.Code)
	}
}

// Row 6: the search box and messages echo input escaped. Practica has one
// locale (feature missing: i18n locales), so "all locales" is the English one.
func TestATK06_SearchAndMessagesEscaped(t *testing.T) {
	env := newEnv(t)
	env.CreateTopic(t, env.Alice, env.PublicSpace, "Searchable alert thing")
	for _, p := range payloads {
		q := url.QueryEscape(p)
		for _, path := range []string{"/search?q=" + q, "/search?q=alert+" + q, "/similar?kind=question&title=" + q, "/search?q=" + q + "&sort=" + q} {
			getClean(t, env, env.Bob, path)
		}
		// Flash and form-error messages built from input.
		clean(t, "invite-to-answer error", env.PostForm(t, env.Alice, "/t/1/invite", url.Values{"usernames": {p}}))
		clean(t, "sign-in error", postFormFrom(t, env, nil, "198.51.100.9", "/forgot", url.Values{"email": {p}}))
	}
	rec := env.API(t, env.Bob, "GET", "/api/v1/search?q="+url.QueryEscape(payloads[0]), nil)
	if rec.Code >= 500 || strings.Contains(rec.Body.String(), "<script>") {
		t.Errorf("API search echoed raw markup: %d %.200q", rec.Code, rec.Body.String())
	}
}

// Row 7: every query parameter on unauthenticated pages, fuzzed with the
// payloads, is never reflected as markup.
func TestATK07_ReflectedXSSViaQueryParams(t *testing.T) {
	env := newEnv(t)
	tp := question(t, env, env.Alice, env.PublicSpace, "Reflected params")
	pages := []string{"/", "/signin", "/signup", "/forgot", "/reset/x", "/questions", "/tags", "/tags/testing", "/leaderboard", "/search", "/spaces",
		tp.Path(), "/s/" + env.PublicSpace.Slug, "/u/alice", "/badges", "/nope"}
	params := []string{"next", "lang", "q", "after", "sort", "page", "space", "tag", "kind", "view", "answers", "period", "followed", "title", "msg", "error"}
	for _, p := range pages {
		for _, pl := range []string{payloads[0], payloads[3], payloads[5], "javascript:alert(1)"} {
			v := url.Values{}
			for _, k := range params {
				v.Set(k, pl)
			}
			getClean(t, env, nil, p+"?"+v.Encode())
		}
	}
	// Path segments are reflected too.
	for _, pl := range payloads[:5] {
		getClean(t, env, nil, "/tags/"+url.PathEscape(pl))
		getClean(t, env, nil, "/u/"+url.PathEscape(pl))
		getClean(t, env, nil, "/reset/"+url.PathEscape(pl))
		getClean(t, env, nil, "/invite/"+url.PathEscape(pl))
	}
}

// Row 8: e-mails are plain text (Content-Type text/plain in notify), so a
// payload cannot become markup in a mail client; where mail is shown as
// HTML (the admin outbox) it must stay inert. Digests do not exist
// (feature missing: notification digests).
func TestATK08_HTMLInjectionInEmail(t *testing.T) {
	env := newEnv(t)
	q := question(t, env, env.Alice, env.PublicSpace, `<a href="javascript:alert(1)">Win</a><img src=x onerror=alert(1)>`)
	wantCode(t, env.PostForm(t, env.Alice, "/settings/profile", url.Values{"display_name": {`javascript:alert(1) " onmouseover="x`}}), "profile", 303)
	env.Refresh(t, env.Alice)
	if _, err := env.App.Content.InviteToAnswer(ctx, env.Alice.Viewer(), q.ID, "bob"); err != nil {
		t.Fatalf("invite bob: %v", err)
	}
	if err := env.App.Auth.RequestPasswordReset(ctx, "alice@example.org"); err != nil {
		t.Fatal(err)
	}
	// Notification emails and the digest carry the same title and name.
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	env.Reply(t, env.Bob, q.ID, "An answer that notifies alice by email.")
	env.Clock.Advance(8 * 24 * time.Hour)
	if _, err := env.App.Inbox.Mail(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.SendDigests(ctx); err != nil {
		t.Fatal(err)
	}
	mails := outbox(t, env)
	if len(mails) < 4 {
		t.Fatalf("outbox holds %d mails, want the invitation, the reset, a notification and digests", len(mails))
	}
	for _, m := range mails {
		if strings.ContainsAny(m.Subject, "\r\n") {
			t.Errorf("mail subject %q carries a header break", m.Subject)
		}
	}
	getClean(t, env, env.Admin, "/admin/outbox")
}
