package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// chromium finds the browser for journey tests, or skips the test.
func chromium(t *testing.T) string {
	t.Helper()
	for _, p := range []string{os.Getenv("PRACTICA_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser"} {
		if p == "" {
			continue
		}
		if path, err := exec.LookPath(p); err == nil {
			return path
		}
	}
	t.Skip("chromium not found (install Debian's chromium or set PRACTICA_CHROMIUM): browser journey not run")
	return ""
}

// browser starts a headless Chromium with the flags this machine needs.
func browser(t *testing.T) context.Context {
	t.Helper()
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(chromium(t)),
		chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("disable-quic", true),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelCtx := chromedp.NewContext(actx)
	ctx, cancelTimeout := context.WithTimeout(ctx, 90*time.Second)
	t.Cleanup(func() { cancelTimeout(); cancelCtx(); cancelAlloc() })
	return ctx
}

// TestBrowserJourney walks the main path a new community takes: setup, a
// space, a newcomer who signs up and confirms their email, a topic, a reply,
// an edit and its revision diff.
func TestBrowserJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser journey skipped in -short mode")
	}
	env := testenv.Bare(t)
	srv := httptest.NewServer(env.App.Handler)
	defer srv.Close()
	defer env.App.Live.Close() // open pages keep event streams; Close waits for them
	ctx := browser(t)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	var text string

	run("setup",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#f-community_name`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-community_name`, "Quantum Practice", chromedp.ByQuery),
		chromedp.SendKeys(`#f-username`, "organizer", chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, "organizer@example.org", chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, "a long enough password", chromedp.ByQuery),
		chromedp.Submit(`#f-password`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-name`, chromedp.ByQuery), // the new-space form
	)
	run("create space",
		chromedp.SendKeys(`#f-name`, "Error Correction", chromedp.ByQuery),
		chromedp.SendKeys(`#f-focus`, "Codes, decoders and thresholds.", chromedp.ByQuery),
		chromedp.Submit(`#f-name`, chromedp.ByQuery),
		chromedp.WaitVisible(`.space-head h1`, chromedp.ByQuery),
		chromedp.Text(`.space-head h1`, &text, chromedp.ByQuery),
	)
	if text != "Error Correction" {
		t.Fatalf("space page heading = %q, want Error Correction", text)
	}
	run("sign out",
		chromedp.Click(`details.menu summary`, chromedp.ByQuery),
		chromedp.Click(`.menu-panel button[type=submit]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/signup"]`, chromedp.ByQuery),
	)
	run("sign up",
		chromedp.Navigate(srv.URL+"/signup"),
		chromedp.WaitVisible(`#f-username`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-username`, "newcomer", chromedp.ByQuery),
		chromedp.SendKeys(`#f-email`, "newcomer@example.org", chromedp.ByQuery),
		chromedp.SendKeys(`#f-password`, "another long password", chromedp.ByQuery),
		chromedp.Submit(`#f-username`, chromedp.ByQuery),
		chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
	)
	run("confirm email", chromedp.Navigate(verifyLink(t, env, srv.URL, "newcomer@example.org")), chromedp.WaitVisible(`.flash`, chromedp.ByQuery),
		chromedp.Text(`.flash`, &text, chromedp.ByQuery))
	if !strings.Contains(text, "confirmed") {
		t.Fatalf("after the verification link the flash says %q", text)
	}
	run("new topic",
		chromedp.Navigate(srv.URL+"/s/error-correction"),
		chromedp.WaitVisible(`a[href="/new?space=error-correction"]`, chromedp.ByQuery),
		chromedp.Click(`a[href="/new?space=error-correction"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-title`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-title`, "Why does the surface code need so many qubits?", chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "I read that a **logical** qubit needs ~1000 physical ones.", chromedp.ByQuery),
		chromedp.Submit(`#f-title`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topic-head h1`, chromedp.ByQuery),
		chromedp.Text(`.topic-head h1`, &text, chromedp.ByQuery),
	)
	if text != "Why does the surface code need so many qubits?" {
		t.Fatalf("topic heading = %q", text)
	}
	run("reply",
		chromedp.SendKeys(`#f-body`, "Distance 25 gives about 1250 qubits: `2d^2`.", chromedp.ByQuery),
		chromedp.Submit(`#f-body`, chromedp.ByQuery),
		chromedp.WaitVisible(`.posts li:nth-child(2) .prose code`, chromedp.ByQuery),
		chromedp.Text(`.posts li:nth-child(2) .prose`, &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "Distance 25") {
		t.Fatalf("reply body = %q", text)
	}
	run("edit",
		chromedp.Click(`.posts li:first-child .post-actions a[href$="/edit"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-reason`, chromedp.ByQuery),
		chromedp.SetValue(`#f-body`, "I read that a **logical** qubit needs ~1000 physical ones. Is that still true?", chromedp.ByQuery),
		chromedp.SendKeys(`#f-reason`, "ask the real question", chromedp.ByQuery),
		chromedp.Submit(`#f-reason`, chromedp.ByQuery),
		chromedp.WaitVisible(`.posts li:first-child a.edited`, chromedp.ByQuery),
		chromedp.Click(`.posts li:first-child a.edited`, chromedp.ByQuery),
		chromedp.WaitVisible(`.diff ins`, chromedp.ByQuery),
		chromedp.Text(`.diff ins`, &text, chromedp.ByQuery),
	)
	if !strings.Contains(text, "Is that still true?") {
		t.Fatalf("revision diff shows %q, want the added sentence", text)
	}
}

// verifyLink finds the confirmation link emailed to addr in the outbox, as the
// newcomer would in their inbox.
func verifyLink(t *testing.T, env *testenv.Env, base, addr string) string {
	t.Helper()
	mails, err := env.App.Store.Read().Outbox(context.Background(), 0, 10)
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`/verify/\S+`)
	for _, m := range mails {
		if m.To == addr {
			if path := re.FindString(m.Body); path != "" {
				return base + path
			}
		}
	}
	t.Fatalf("no verification mail to %s in the outbox (%d mails)", addr, len(mails))
	return ""
}

// TestBrowserEnhancements checks what app.js adds on top of plain HTML, in a
// real browser: boosted links and forms swap the page in place (title, URL,
// stylesheets, focus; Back reloads the earlier page; a form with errors shows
// them, one that redirects lands on the new page), "Load more" appends the
// next page, Preview renders Markdown through the server, similar questions
// follow the title and kind, a vote swaps just the vote box and "Show more
// comments" brings the rest in place.
func TestBrowserEnhancements(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env := testenv.New(t)
	for i := range content.PageSize + 3 {
		env.CreateTopic(t, env.Alice, env.PublicSpace, fmt.Sprintf("Topic number %02d", i))
	}
	bg := context.Background()
	if _, err := env.App.Content.CreateTopic(bg, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Tracking transmon frequency drift", Body: "Our transmons drift by 50 kHz a day."}); err != nil {
		t.Fatal(err)
	}
	// Each request's headers say who made it: the browser navigating
	// (Sec-Fetch-Mode: navigate) or app.js (cors), for a page or a fragment
	// (HX-Request).
	var mu sync.Mutex
	seen := map[string]string{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen[r.Method+" "+r.URL.RequestURI()] = r.Header.Get("Sec-Fetch-Mode") + " HX-Request=" + r.Header.Get("HX-Request")
		mu.Unlock()
		env.App.Handler.ServeHTTP(w, r)
	}))
	defer srv.Close()
	defer env.App.Live.Close() // open pages keep event streams; Close waits for them
	requested := func(req, want string) {
		t.Helper()
		mu.Lock()
		defer mu.Unlock()
		if got, ok := seen[req]; !ok || got != want {
			t.Errorf("%s: sent as %q (seen: %v), want %q", req, got, ok, want)
		}
	}
	ctx := browser(t)
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	as := func(u *testenv.User) chromedp.Action {
		return network.SetCookie("practica_session", u.Session).WithDomain("127.0.0.1").WithPath("/")
	}
	// A page swapped in keeps the document, and with it this mark; a page
	// the browser loads itself does not.
	mark := chromedp.Evaluate(`window.kept = true`, nil)
	var kept bool
	keep := chromedp.Evaluate(`window.kept === true`, &kept)
	var url, title, focused string
	var sheets int
	state := chromedp.Tasks{
		keep,
		chromedp.Location(&url),
		chromedp.Title(&title),
		chromedp.Evaluate(`document.activeElement.id || document.activeElement.className`, &focused),
		chromedp.Evaluate(`document.querySelectorAll("link[rel=stylesheet]").length`, &sheets),
	}

	run("boosted link",
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#pager a`, chromedp.ByQuery),
		mark,
		chromedp.Click(`.rail a[href="/tags"]`, chromedp.ByQuery),
		chromedp.Poll(`location.pathname === "/tags" && document.querySelector("main h1").textContent === "Tags"`, nil),
		state,
	)
	if !kept || url != srv.URL+"/tags" || !strings.HasPrefix(title, "Tags ·") || focused != "main" || sheets != 2 {
		t.Errorf("after a boosted link: kept %v, at %s titled %q, focus on %q, %d stylesheets; want the same document at /tags titled Tags, focus on main, more.css loaded too",
			kept, url, title, focused, sheets)
	}
	requested("GET /tags", "cors HX-Request=")
	run("boosted link to a form page",
		chromedp.Click(`.topbar a[href^="/signin"]`, chromedp.ByQuery),
		chromedp.Poll(`location.pathname === "/signin" && !!document.querySelector("#f-login")`, nil),
		state,
	)
	if !kept || !strings.HasPrefix(title, "Sign in ·") || focused != "f-login" {
		t.Errorf("after a boosted link to the sign-in form: kept %v, titled %q, focus on %q; want the same document, focus on the autofocus field",
			kept, title, focused)
	}
	run("back, twice",
		chromedp.Evaluate(`history.back()`, nil),
		chromedp.Poll(`location.pathname === "/tags" && !document.querySelector("#f-login")`, nil),
		chromedp.Evaluate(`history.back()`, nil),
		chromedp.Poll(`location.pathname === "/" && !!document.querySelector("#topic-list")`, nil),
		state,
	)
	if !kept || url != srv.URL+"/" || sheets != 1 {
		t.Errorf("after Back: kept %v, at %s with %d stylesheets; want the same document at / with app.css alone", kept, url, sheets)
	}

	var rows int
	run("load more",
		chromedp.WaitVisible(`#pager a`, chromedp.ByQuery),
		chromedp.Click(`#pager a`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#pager a`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#topic-list > li").length`, &rows),
		state,
	)
	if rows != content.PageSize+4 || url != srv.URL+"/" || !kept {
		t.Errorf("after Load more: %d rows at %s (kept %v); want %d rows, still at /", rows, url, kept, content.PageSize+4)
	}

	// Preview, similar questions and posting need a signed-in composer.
	var preview, similar string
	run("preview",
		as(env.Alice),
		chromedp.Navigate(srv.URL+"/new?space="+env.PublicSpace.Slug),
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		mark,
		chromedp.SendKeys(`#f-body`, "Some **bold** claim", chromedp.ByQuery),
		chromedp.Click(`.composer-head button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#preview-body strong`, chromedp.ByQuery),
		chromedp.Text(`#preview-body strong`, &preview, chromedp.ByQuery),
	)
	if preview != "bold" {
		t.Errorf("preview shows %q in bold, want %q", preview, "bold")
	}
	requested("POST /preview", "cors HX-Request=true")
	run("similar questions",
		// A discussion has no similar questions; choosing Question asks again.
		chromedp.SendKeys(`#f-title`, "How fast do transmon frequencies drift?", chromedp.ByQuery),
		chromedp.Poll(`performance.getEntriesByType("resource").some(e => e.name.includes("/similar?title=How+fast+do+transmon+frequencies+drift%3F&kind=discussion"))`, nil),
		chromedp.SetValue(`#f-kind`, "question", chromedp.ByQuery), // fires input and change
		chromedp.WaitVisible(`#similar a`, chromedp.ByQuery),
		chromedp.Text(`#similar`, &similar, chromedp.ByQuery),
	)
	if !strings.Contains(similar, "Tracking transmon frequency drift") {
		t.Errorf("similar questions: %q", similar)
	}
	requested("GET /similar?title=How+fast+do+transmon+frequencies+drift%3F&kind=question", "cors HX-Request=true")
	var fieldError string
	run("boosted form with an error",
		chromedp.Evaluate(`document.querySelector("#f-title").value = ""`, nil),
		chromedp.Click(`.form-actions button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.error-summary`, chromedp.ByQuery),
		chromedp.Text(`.field-error`, &fieldError, chromedp.ByQuery),
		state,
	)
	if !kept || url != srv.URL+"/new" || focused != "error-summary" || fieldError == "" {
		t.Errorf("after posting without a title: kept %v, at %s, focus on %q, field error %q; want the same document at /new, focus on the error summary",
			kept, url, focused, fieldError)
	}
	requested("POST /new", "cors HX-Request=")
	var heading string
	run("boosted form that redirects",
		chromedp.SendKeys(`#f-title`, "Is the frequency drift seasonal?", chromedp.ByQuery),
		chromedp.Click(`.form-actions button`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topic-head h1`, chromedp.ByQuery),
		chromedp.Text(`.topic-head h1`, &heading, chromedp.ByQuery),
		state,
	)
	if !kept || heading != "Is the frequency drift seasonal?" || !regexp.MustCompile(`^/t/\d+/`).MatchString(strings.TrimPrefix(url, srv.URL)) || focused != "main" {
		t.Errorf("after posting: kept %v, heading %q at %s, focus on %q; want the same document on the new topic's page, focus on main", kept, heading, url, focused)
	}

	// A question with more comments than show at first, for votes and comments.
	q, err := env.App.Content.CreateTopic(bg, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Which comments show at first?", Body: "A question with a long thread of comments under it."})
	if err != nil {
		t.Fatal(err)
	}
	opening, err := env.App.Store.Read().TopicPosts(bg, q.ID, 0, 1, false)
	if err != nil || len(opening) == 0 {
		t.Fatalf("opening post: %v", err)
	}
	id := opening[0].Post.ID
	var last model.Post
	for i := range content.CommentsShown + 2 {
		if last, err = env.App.Content.Comment(bg, env.Alice.Viewer(), id, fmt.Sprintf("Comment number %02d in the thread.", i)); err != nil {
			t.Fatal(err)
		}
	}
	var score string
	run("vote",
		as(env.Bob),
		chromedp.Navigate(srv.URL+q.Path()),
		chromedp.WaitVisible(fmt.Sprintf(`#v%d .vote-btn`, id), chromedp.ByQuery),
		mark,
		chromedp.Click(fmt.Sprintf(`#v%d .vote-btn`, id), chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#v%d .vote-btn[aria-pressed=true]`, id), chromedp.ByQuery),
		chromedp.Text(fmt.Sprintf(`#v%d .score`, id), &score, chromedp.ByQuery),
		state,
	)
	if score != "1" || url != srv.URL+q.Path() || !kept || focused != "vote-btn" {
		t.Errorf("after voting: score %q at %s (kept %v), focus on %q; want 1, still on the question, focus on the vote button", score, url, kept, focused)
	}
	requested(fmt.Sprintf("POST /p/%d/vote", id), "cors HX-Request=true")
	var comments int
	run("more comments",
		chromedp.Click(`.more-comments`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#p%d`, last.ID), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".comments li").length`, &comments),
		state,
	)
	if comments != content.CommentsShown+2 || url != srv.URL+q.Path() || !kept {
		t.Errorf("after Show more comments: %d comments at %s (kept %v); want %d, still at the question", comments, url, kept, content.CommentsShown+2)
	}
}

// TestBrowserLiveBell: the bell of an open page counts a notification that
// arrives after the page loaded, without a reload, and names it for screen
// readers.
func TestBrowserLiveBell(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env, tp, ctx := aliceTopicPage(t, "A topic alice keeps open")
	var label string
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`a.bell[href="/notifications"]`, chromedp.ByQuery),
		chromedp.Evaluate(`window.kept = true`, nil),
	); err != nil {
		t.Fatal(err)
	}
	// Whether the stream opens before or after the reply, it counts it: its
	// first event is the count as it stands.
	env.Reply(t, env.Bob, tp.ID, "Bob writes while alice has the page open.")
	if err := chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector('a.bell[href="/notifications"] .bell-count')?.textContent === "1" && window.kept === true`, nil, chromedp.WithPollingTimeout(15*time.Second)),
		chromedp.AttributeValue(`a.bell[href="/notifications"]`, "aria-label", &label, nil, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("waiting for the bell to count bob's reply: %v", err)
	}
	if label != "Notifications, 1 unread" {
		t.Errorf("the bell's label: %q, want %q", label, "Notifications, 1 unread")
	}
}

// TestBrowserMentionAutocomplete: typing @ and a few letters in the reply
// box lists members; the keyboard picks one and inserts the name.
func TestBrowserMentionAutocomplete(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	_, _, ctx := aliceTopicPage(t, "Who should review this")
	var value, active string
	if err := chromedp.Run(ctx,
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "Thanks @bo", chromedp.ByQuery),
		chromedp.WaitVisible(`.mention-list [data-username="bob"]`, chromedp.ByQuery),
		chromedp.AttributeValue(`#f-body`, "aria-activedescendant", &active, nil, chromedp.ByQuery),
		// Enter as a keydown the page sees: CDP's key events also send a
		// separate character event, which a page cannot cancel.
		chromedp.Evaluate(`document.querySelector("#f-body").dispatchEvent(new KeyboardEvent("keydown", {key: "Enter", bubbles: true, cancelable: true}))`, nil),
		chromedp.WaitNotPresent(`.mention-list`, chromedp.ByQuery),
		chromedp.Value(`#f-body`, &value, chromedp.ByQuery),
	); err != nil {
		t.Fatalf("mention autocomplete: %v", err)
	}
	if value != "Thanks @bob " || active != "mention-bob" {
		t.Errorf("after choosing: %q (active option %q), want %q", value, active, "Thanks @bob ")
	}
}

// TestBrowserDirectMessage: alice finds bob in the directory by his
// expertise, opens his profile, writes to him from the Message button and
// lands in the conversation; when bob answers, his message shows in the
// open page.
func TestBrowserDirectMessage(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env, _, ctx := aliceTopicPage(t, "Tagged so bob can claim it")
	bg := context.Background()
	if _, err := env.App.Content.CreateTopic(bg, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Title: "A topic on cryostats", Body: "x", Tags: "cryostats"}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Auth.UpdateProfile(bg, env.Bob.Viewer(), auth.ProfileInput{Expertise: "cryostats"}); err != nil {
		t.Fatal(err)
	}
	env.Clock.Advance(4 * 24 * time.Hour) // past the limits on new accounts
	var url, text string
	if err := chromedp.Run(ctx,
		chromedp.Click(`a[href="/members"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-expertise`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-expertise`, "cryostats", chromedp.ByQuery),
		chromedp.Submit(`#f-expertise`, chromedp.ByQuery),
		chromedp.WaitVisible(`.member-card a[href="/u/bob"]`, chromedp.ByQuery),
		chromedp.Click(`.member-card a[href="/u/bob"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`a[href="/messages/new?to=bob"]`, chromedp.ByQuery),
		chromedp.Click(`a[href="/messages/new?to=bob"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "Could you check the cryostat logs?", chromedp.ByQuery),
		chromedp.Submit(`#f-body`, chromedp.ByQuery),
		chromedp.WaitVisible(`.message-list .message`, chromedp.ByQuery),
		chromedp.Location(&url),
		chromedp.Text(`.message-list`, &text, chromedp.ByQuery),
		chromedp.Evaluate(`window.kept = true`, nil),
	); err != nil {
		t.Fatalf("from the directory to a conversation: %v", err)
	}
	if !strings.Contains(url, "/messages/") || !strings.Contains(text, "Could you check the cryostat logs?") {
		t.Fatalf("after sending: at %s showing %q", url, text)
	}
	items, _, err := env.App.Messages.Inbox(bg, env.Bob.Viewer(), 0)
	if err != nil || len(items) != 1 {
		t.Fatalf("bob's conversations: %v, %v", items, err)
	}
	if _, err := env.App.Messages.Send(bg, env.Bob.Viewer(), items[0].Conversation.ID, "On it."); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Run(ctx,
		chromedp.Poll(`document.querySelector(".message-list").textContent.includes("On it.") && window.kept === true`, nil, chromedp.WithPollingTimeout(15*time.Second)),
	); err != nil {
		t.Fatalf("waiting for bob's answer to show in the open conversation: %v", err)
	}
	// Shown is read: the envelope counts nothing once the page showed it.
	if err := chromedp.Run(ctx,
		chromedp.Poll(`!document.querySelector('a.bell[href="/messages"] .bell-count')`, nil, chromedp.WithPollingTimeout(15*time.Second)),
	); err != nil {
		t.Fatalf("the envelope still counts the message shown: %v", err)
	}
}

// TestBrowserEvent: choosing Event as a new topic's kind shows the date and
// place fields (hidden for other kinds, with no script); the event's page
// shows them, and the reader's own time when their zone differs.
func TestBrowserEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	_, _, ctx := aliceTopicPage(t, "A topic to start from")
	start := time.Now().Add(72*time.Hour).Format("2006-01-02") + "T18:30"
	var hidden, shown bool
	var card, local, zone string
	var localHidden bool
	if err := chromedp.Run(ctx,
		chromedp.Click(`a[href="/new"]`, chromedp.ByQuery),
		chromedp.WaitVisible(`#f-title`, chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector(".event-fields")).display === "none"`, &hidden),
		chromedp.SetValue(`#f-kind`, "event", chromedp.ByQuery),
		chromedp.Evaluate(`getComputedStyle(document.querySelector(".event-fields")).display !== "none"`, &shown),
		chromedp.SendKeys(`#f-title`, "Show and tell in the lab", chromedp.ByQuery),
		chromedp.SetValue(`#f-starts_at`, start, chromedp.ByQuery),
		chromedp.SetValue(`#f-time_zone`, "Europe/Berlin", chromedp.ByQuery),
		chromedp.SendKeys(`#f-location`, "Lab 2", chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "Five minutes each; bring a demo.", chromedp.ByQuery),
		chromedp.Submit(`#f-body`, chromedp.ByQuery),
		chromedp.WaitVisible(`.event-card`, chromedp.ByQuery),
		chromedp.Text(`.event-card .event-when`, &card, chromedp.ByQuery),
		chromedp.Evaluate(`Intl.DateTimeFormat().resolvedOptions().timeZone`, &zone),
		chromedp.Evaluate(`document.querySelector("[data-local-start]").hidden`, &localHidden),
		chromedp.Evaluate(`document.querySelector("[data-local-start]").textContent`, &local),
	); err != nil {
		t.Fatalf("announcing an event: %v", err)
	}
	if !hidden || !shown {
		t.Errorf("the event fields: hidden for a discussion %v, shown for an event %v; want both", hidden, shown)
	}
	if !strings.Contains(card, "18:30–19:30 (Europe/Berlin)") {
		t.Errorf("the event's card says %q", card)
	}
	if zone == "Europe/Berlin" {
		if !localHidden {
			t.Errorf("a reader in the event's zone is shown their time again: %q", local)
		}
	} else if localHidden || !strings.Contains(local, "Your time") || !strings.Contains(local, zone) {
		t.Errorf("a reader in %s sees their time as %q (hidden %v)", zone, local, localHidden)
	}
}

// aliceTopicPage opens, in a browser signed in as Alice, a topic she starts
// in the public space, which Bob has joined.
func aliceTopicPage(t *testing.T, title string) (*testenv.Env, model.Topic, context.Context) {
	t.Helper()
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, title)
	srv := httptest.NewServer(env.App.Handler)
	t.Cleanup(srv.Close)
	t.Cleanup(env.App.Live.Close) // runs first: open pages keep event streams, and srv.Close waits for them
	ctx := browser(t)
	if err := chromedp.Run(ctx,
		network.SetCookie("practica_session", env.Alice.Session).WithDomain("127.0.0.1").WithPath("/"),
		chromedp.Navigate(srv.URL+tp.Path()),
	); err != nil {
		t.Fatal(err)
	}
	return env, tp, ctx
}
