package web_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestBrowserQuestionJourney walks the practice loop in a real browser: Bob
// asks (similar questions appear as he types the title), Alice answers, Bob
// votes the answer up (app.js swaps the vote box) and accepts it, and the
// header search finds the question with its words highlighted.
func TestBrowserQuestionJourney(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env := testenv.New(t)
	if _, err := env.App.Content.CreateTopic(ctx, env.Carol(t).Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Tracking transmon frequency drift", Body: "Our transmons drift by 50 kHz a day."}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(env.App.Handler)
	defer srv.Close()
	defer env.App.Live.Close() // open pages keep event streams; Close waits for them
	ctx := browser(t)
	as := func(u *testenv.User) chromedp.Action {
		return network.SetCookie("practica_session", u.Session).WithDomain("127.0.0.1").WithPath("/")
	}
	run := func(step string, actions ...chromedp.Action) {
		t.Helper()
		if err := chromedp.Run(ctx, actions...); err != nil {
			t.Fatalf("%s: %v", step, err)
		}
	}
	var similar, title, score, accepted, mark, url string
	run("ask, seeing similar questions",
		as(env.Bob),
		chromedp.Navigate(srv.URL+"/new?space="+env.PublicSpace.Slug+"&kind=question"),
		chromedp.WaitVisible(`#f-title`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-title`, "How fast do transmon frequencies drift?", chromedp.ByQuery),
		chromedp.WaitVisible(`#similar a`, chromedp.ByQuery),
		chromedp.Text(`#similar`, &similar, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "We see **kHz** per hour. Is that normal for fixed-frequency transmons?", chromedp.ByQuery),
		chromedp.Submit(`#f-title`, chromedp.ByQuery),
		chromedp.WaitVisible(`.topic-head h1`, chromedp.ByQuery),
		chromedp.Text(`.topic-head h1`, &title, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if !strings.Contains(similar, "Tracking transmon frequency drift") || title != "How fast do transmon frequencies drift?" {
		t.Fatalf("similar questions %q; question page %q", similar, title)
	}
	questionURL := url
	run("answer",
		as(env.Alice),
		chromedp.Navigate(questionURL),
		chromedp.WaitVisible(`#f-body`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-body`, "Yes: two-level-system defects near the junction make the frequency wander.", chromedp.ByQuery),
		chromedp.Submit(`#f-body`, chromedp.ByQuery),
		chromedp.WaitVisible(`#posts .post .prose`, chromedp.ByQuery),
	)
	run("vote the answer up",
		as(env.Bob),
		chromedp.Navigate(questionURL),
		chromedp.WaitVisible(`#posts .vote-btn`, chromedp.ByQuery),
		chromedp.Click(`#posts .vote-btn`, chromedp.ByQuery),
		chromedp.WaitVisible(`#posts .vote-btn[aria-pressed=true]`, chromedp.ByQuery),
		chromedp.Text(`#posts .score`, &score, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if score != "1" || url != questionURL {
		t.Errorf("after voting: score %q at %s; want 1, still on the question", score, url)
	}
	run("accept",
		chromedp.Click(`#posts .post-actions form[action$="/accept"] button`, chromedp.ByQuery),
		chromedp.WaitVisible(`#posts .post-accepted .accepted`, chromedp.ByQuery),
		chromedp.Text(`#posts .post-accepted .prose`, &accepted, chromedp.ByQuery),
	)
	if !strings.Contains(accepted, "two-level-system") {
		t.Errorf("the accepted answer reads %q", accepted)
	}
	run("find it by search",
		chromedp.SendKeys(`#site-search`, "junction"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`#results mark`, chromedp.ByQuery),
		chromedp.Text(`#results mark`, &mark, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if !strings.EqualFold(mark, "junction") || !strings.HasSuffix(url, "/search?q=junction") {
		t.Errorf("header search: mark %q at %s; want junction at /search?q=junction", mark, url)
	}
}
