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

// TestBrowserSearch: typing a question's title shows similar questions
// (htmx, after a pause), and the header search box finds and highlights.
func TestBrowserSearch(t *testing.T) {
	if testing.Short() {
		t.Skip("browser test skipped in -short mode")
	}
	env := testenv.New(t)
	if _, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Tracking transmon frequency drift", Body: "Our transmons drift by 50 kHz a day."}); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(env.App.Handler)
	defer srv.Close()
	ctx := browser(t)
	var similar, mark, url string
	err := chromedp.Run(ctx,
		network.SetCookie("practica_session", env.Alice.Session).WithDomain("127.0.0.1").WithPath("/"),
		chromedp.Navigate(srv.URL+"/new?space="+env.PublicSpace.Slug+"&kind=question"),
		chromedp.WaitVisible(`#f-title`, chromedp.ByQuery),
		chromedp.SendKeys(`#f-title`, "How fast do transmon frequencies drift?", chromedp.ByQuery),
		chromedp.WaitVisible(`#similar a`, chromedp.ByQuery),
		chromedp.Text(`#similar`, &similar, chromedp.ByQuery),
	)
	if err != nil {
		t.Fatalf("similar questions while asking: %v", err)
	}
	if !strings.Contains(similar, "Tracking transmon frequency drift") {
		t.Errorf("similar questions show %q", similar)
	}
	err = chromedp.Run(ctx,
		chromedp.SendKeys(`#site-search`, "transmons"+kb.Enter, chromedp.ByQuery),
		chromedp.WaitVisible(`#results mark`, chromedp.ByQuery),
		chromedp.Text(`#results mark`, &mark, chromedp.ByQuery),
		chromedp.Location(&url),
	)
	if err != nil {
		t.Fatalf("header search: %v", err)
	}
	if !strings.EqualFold(mark, "transmons") || !strings.HasSuffix(url, "/search?q=transmons") {
		t.Errorf("header search: mark %q at %s; want transmons at /search?q=transmons", mark, url)
	}
}
