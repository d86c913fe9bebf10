package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

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

// TestBrowserEnhancements checks what htmx adds on top of plain HTML: "Load
// more" appends the next page in place, and Preview renders Markdown through
// the server without leaving the composer.
func TestBrowserEnhancements(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env := testenv.New(t)
	for i := range content.PageSize + 3 {
		env.CreateTopic(t, env.Alice, env.PublicSpace, fmt.Sprintf("Topic number %02d", i))
	}
	srv := httptest.NewServer(env.App.Handler)
	defer srv.Close()
	ctx := browser(t)
	var rows int
	var url, preview string
	err := chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+"/"),
		chromedp.WaitVisible(`#pager a`, chromedp.ByQuery),
		chromedp.Click(`#pager a`, chromedp.ByQuery),
		chromedp.WaitNotPresent(`#pager a`, chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll("#topic-list > li").length`, &rows),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatalf("load more: %v", err)
	}
	if rows != content.PageSize+3 || url != srv.URL+"/" {
		t.Errorf("after Load more: %d rows at %s; want %d rows, still at /", rows, url, content.PageSize+3)
	}
	// Preview needs a signed-in composer.
	err = chromedp.Run(ctx,
		network.SetCookie("practica_session", env.Alice.Session).WithDomain("127.0.0.1").WithPath("/"),
		chromedp.Navigate(srv.URL+"/new?space="+env.PublicSpace.Slug),
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "Some **bold** claim", chromedp.ByQuery),
		chromedp.Click(`.composer-head button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#preview-body strong`, chromedp.ByQuery),
		chromedp.Text(`#preview-body strong`, &preview, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("preview: %v", err)
	}
	if preview != "bold" {
		t.Errorf("preview shows %q in bold, want %q", preview, "bold")
	}
	// "Show more comments" brings the rest in place.
	bg := context.Background()
	q, err := env.App.Content.CreateTopic(bg, env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Which comments show at first?", Body: "A question with a long thread of comments under it."})
	if err != nil {
		t.Fatal(err)
	}
	opening, err := env.App.Store.Read().TopicPosts(bg, q.ID, 0, 1, false)
	if err != nil || len(opening) == 0 {
		t.Fatalf("opening post: %v", err)
	}
	var last model.Post
	for i := range content.CommentsShown + 2 {
		if last, err = env.App.Content.Comment(bg, env.Alice.Viewer(), opening[0].Post.ID, fmt.Sprintf("Comment number %02d in the thread.", i)); err != nil {
			t.Fatal(err)
		}
	}
	var comments int
	err = chromedp.Run(ctx,
		chromedp.Navigate(srv.URL+q.Path()),
		chromedp.WaitVisible(`.more-comments`, chromedp.ByQuery),
		chromedp.Click(`.more-comments`, chromedp.ByQuery),
		chromedp.WaitVisible(fmt.Sprintf(`#p%d`, last.ID), chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelectorAll(".comments li").length`, &comments),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatalf("more comments: %v", err)
	}
	if comments != content.CommentsShown+2 || url != srv.URL+q.Path() {
		t.Errorf("after Show more comments: %d comments at %s; want %d, still at the question", comments, url, content.CommentsShown+2)
	}
}
