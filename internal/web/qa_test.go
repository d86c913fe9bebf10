package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

func TestQuestionPageFlow(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	carol := env.NewUser(t, "carol", model.RoleMember)
	q, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Why does my circuit decohere?", Body: "It runs for 200 µs."})
	if err != nil {
		t.Fatal(err)
	}
	ans := env.Reply(t, env.Alice, q.ID, "Your T2 is shorter than the circuit.")
	id := fmt.Sprint(ans.ID)

	// The page: a vote box per post, the answers heading, no accept button for others.
	page := send(t, env, request{path: q.Path(), as: carol})
	wantStatus(t, page, "GET the question", http.StatusOK)
	body := page.Body.String()
	for _, want := range []string{`id="v` + id + `"`, "1 answer", `action="/p/` + id + `/vote"`, "Vote up"} {
		if !strings.Contains(body, want) {
			t.Errorf("question page lacks %q", want)
		}
	}
	if strings.Contains(body, "/accept") {
		t.Errorf("a non-asker sees the accept button")
	}

	// htmx vote: the vote box comes back with the new score and a pressed button.
	rec := send(t, env, request{method: "POST", path: "/p/" + id + "/vote", as: carol, form: url.Values{"value": {"1"}}, header: map[string]string{"HX-Request": "true"}})
	wantStatus(t, rec, "htmx vote", http.StatusOK)
	if b := rec.Body.String(); !strings.HasPrefix(b, `<div class="vote" id="v`+id+`"`) || !strings.Contains(b, `aria-label="Score 1"`) || !strings.Contains(b, `aria-pressed="true"`) {
		t.Errorf("htmx vote answered %q", b)
	}
	// A refused vote (downvote below the privilege) keeps the box and says why.
	rec = send(t, env, request{method: "POST", path: "/p/" + id + "/vote", as: carol, form: url.Values{"value": {"-1"}}, header: map[string]string{"HX-Request": "true"}})
	if b := rec.Body.String(); rec.Code != http.StatusOK || !strings.Contains(b, "needs 125 reputation") || !strings.Contains(b, `aria-label="Score 1"`) {
		t.Errorf("refused htmx vote: %d %q", rec.Code, b)
	}
	// Without htmx the form returns to the post; a guest is asked to sign in.
	rec = send(t, env, request{method: "POST", path: "/p/" + id + "/vote", as: carol, form: url.Values{"value": {"0"}}})
	wantStatus(t, rec, "plain vote", http.StatusSeeOther)
	rec = send(t, env, request{method: "POST", path: "/p/" + id + "/vote", form: url.Values{"value": {"1"}}})
	if rec.Code != http.StatusSeeOther && rec.Code != http.StatusUnauthorized {
		t.Errorf("guest vote: %d, want a sign-in", rec.Code)
	}

	// Accept as the asker; the answer is marked and Alice earns 15.
	rec = send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/accept", q.ID), as: env.Bob, form: url.Values{"post_id": {id}}})
	wantStatus(t, rec, "accept", http.StatusSeeOther)
	env.Refresh(t, env.Alice)
	if env.Alice.Reputation != 15 {
		t.Errorf("Alice after acceptance: %d, want 15", env.Alice.Reputation)
	}
	if b := send(t, env, request{path: q.Path(), as: env.Bob}).Body.String(); !strings.Contains(b, "post-accepted") || !strings.Contains(b, "Unaccept") {
		t.Errorf("the asker's page does not show the accepted answer and Unaccept")
	}
	rec = send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/accept", q.ID), as: carol, form: url.Values{"post_id": {id}}})
	wantStatus(t, rec, "accept by a third person (flash and back)", http.StatusSeeOther)

	// Comments: a short one re-renders the page with the form open and its message.
	rec = send(t, env, request{method: "POST", path: "/p/" + id + "/comments", as: env.Bob, form: url.Values{"body": {"ok"}}})
	wantStatus(t, rec, "short comment", http.StatusBadRequest)
	if b := rec.Body.String(); !strings.Contains(b, `id="ce-`+id+`"`) || !strings.Contains(b, "<details class=\"add-comment\" open") {
		t.Errorf("short comment: the form is not open with its error")
	}
	rec = send(t, env, request{method: "POST", path: "/p/" + id + "/comments", as: env.Bob, form: url.Values{"body": {"Thanks, that was it."}}})
	wantStatus(t, rec, "comment", http.StatusSeeOther)
	if b := send(t, env, request{path: q.Path()}).Body.String(); !strings.Contains(b, "Thanks, that was it.") {
		t.Errorf("the comment does not show on the question page")
	}

	// Lists, privileges and reputation pages.
	for _, path := range []string{"/questions", "/questions?sort=unanswered", "/questions?sort=top", "/questions?sort=newest&tag=none", "/privileges", "/u/alice/reputation"} {
		wantStatus(t, send(t, env, request{path: path}), "GET "+path, http.StatusOK)
	}
	if b := send(t, env, request{path: "/questions"}).Body.String(); !strings.Contains(b, "Why does my circuit decohere?") || !strings.Contains(b, "stat-accepted") {
		t.Errorf("/questions lacks the answered question")
	}
	if b := send(t, env, request{path: "/questions?sort=unanswered"}).Body.String(); strings.Contains(b, "Why does my circuit decohere?") {
		t.Errorf("/questions?sort=unanswered lists an answered question")
	}
	if b := send(t, env, request{path: "/u/alice/reputation"}).Body.String(); !strings.Contains(b, "Answer accepted") || !strings.Contains(b, "+15") {
		t.Errorf("Alice's reputation page lacks the accepted answer")
	}
}

func TestCurationPages(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	carol := env.NewUser(t, "carol", model.RoleMember)
	q, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "What does a syndrome tell us?", Body: "Basics."})
	if err != nil {
		t.Fatal(err)
	}
	ans := env.Reply(t, env.Alice, q.ID, "Which stabilizers flipped.")
	id := fmt.Sprint(ans.ID)

	// Carol sees "Suggest edit"; her edit form says it will be reviewed.
	if b := send(t, env, request{path: q.Path(), as: carol}).Body.String(); !strings.Contains(b, "Suggest edit") {
		t.Errorf("the question page offers Carol no suggested edit")
	}
	if b := send(t, env, request{path: "/p/" + id + "/edit", as: carol}).Body.String(); !strings.Contains(b, "Suggest this edit") {
		t.Errorf("the edit form does not say the edit will be reviewed")
	}
	rec := send(t, env, request{method: "POST", path: "/p/" + id + "/edit", as: carol, form: url.Values{"body": {"Which stabilizers flipped, hence where the error is."}}})
	wantStatus(t, rec, "suggest an edit", http.StatusSeeOther)

	// The review page: Carol may not review; the moderator approves.
	if b := send(t, env, request{path: "/review", as: carol}).Body.String(); !strings.Contains(b, "Reviewing opens at") {
		t.Errorf("Carol's review page does not explain the threshold")
	}
	page := send(t, env, request{path: "/review", as: env.Mod}).Body.String()
	m := regexp.MustCompile(`/review/(\d+)/approve`).FindStringSubmatch(page)
	if m == nil {
		t.Fatalf("the moderator's review page lists no edit")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/review/" + m[1] + "/approve", as: env.Mod}), "approve", http.StatusSeeOther)
	if b := send(t, env, request{path: q.Path()}).Body.String(); !strings.Contains(b, "hence where the error is") {
		t.Errorf("the approved edit is not on the page")
	}

	// Revisions side by side, and a rollback by the author.
	if b := send(t, env, request{path: "/p/" + id + "/revisions?view=side", as: env.Alice}).Body.String(); !strings.Contains(b, `class="diff diff2"`) || !strings.Contains(b, "Roll back to this") {
		t.Errorf("side-by-side revisions lack the diff or the rollback")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/p/" + id + "/rollback", as: env.Alice, form: url.Values{"revision": {"1"}}}), "rollback", http.StatusSeeOther)
	if p, _ := env.App.Store.Read().Post(ctx, ans.ID); p.Body != "Which stabilizers flipped." {
		t.Errorf("after rollback the body is %q", p.Body)
	}

	// Close with a reason, and the page says so; wiki; delete asks first.
	wantStatus(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/close", q.ID), as: env.Alice, form: url.Values{"reason": {"needs-details"}}}), "close", http.StatusSeeOther)
	if b := send(t, env, request{path: q.Path(), as: carol}).Body.String(); !strings.Contains(b, "notice-closed") || strings.Contains(b, `action="/t/`+fmt.Sprint(q.ID)+`/replies"`) {
		t.Errorf("a closed question shows no notice, or still takes answers")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/p/" + id + "/wiki", as: env.Alice, form: url.Values{"on": {"1"}}}), "wiki", http.StatusSeeOther)
	if b := send(t, env, request{path: q.Path()}).Body.String(); !strings.Contains(b, "Community wiki") {
		t.Errorf("the wiki badge is missing")
	}
	if b := send(t, env, request{path: "/p/" + id + "/delete", as: env.Alice}).Body.String(); !strings.Contains(b, "Delete this post?") {
		t.Errorf("the delete confirmation is missing")
	}
	wantStatus(t, send(t, env, request{path: "/p/" + id + "/delete", as: carol}), "delete confirmation for someone else's post", http.StatusForbidden)
}

func TestBadgesLeaderboardAndRules(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	q, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: "Badge hunting question", Body: "Body."})
	if err != nil {
		t.Fatal(err)
	}
	ans := env.Reply(t, env.Alice, q.ID, "An answer worth a vote.")
	if _, err := env.App.Content.Vote(ctx, env.Bob.Viewer(), ans.ID, 1); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.AwardBadges(ctx); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]string{
		"/badges":                  "Teacher",
		"/badges/teacher":          "alice",
		"/u/alice":                 `href="/badges/teacher"`,
		"/leaderboard":             "alice",
		"/leaderboard?period=week": "+10",
		"/leaderboard?period=nope": "All time",
		"/u/alice/reputation":      "Answer voted up",
	} {
		rec := send(t, env, request{path: path})
		if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), want) {
			t.Errorf("GET %s: %d, want 200 with %q", path, rec.Code, want)
		}
	}
	wantStatus(t, send(t, env, request{path: "/badges/nope"}), "unknown badge", http.StatusNotFound)

	// Invite from the question page; a bad name re-renders with the message.
	rec := send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/invite", q.ID), as: env.Bob, form: url.Values{"usernames": {"ghost"}}})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "There is no member @ghost") {
		t.Errorf("invite a ghost: %d", rec.Code)
	}
	wantStatus(t, send(t, env, request{method: "POST", path: fmt.Sprintf("/t/%d/invite", q.ID), as: env.Bob, form: url.Values{"usernames": {"mod"}}}), "invite", http.StatusSeeOther)
	if b := send(t, env, request{path: q.Path()}).Body.String(); !strings.Contains(b, "Invited to answer:") || !strings.Contains(b, "@mod") {
		t.Errorf("the question does not list who was invited")
	}

	// The admin's rules page: bad input re-renders; good input recomputes.
	wantStatus(t, send(t, env, request{path: "/admin/reputation", as: env.Mod}), "rules page for a moderator", http.StatusNotFound)
	wantStatus(t, send(t, env, request{path: "/admin/reputation", as: env.Admin}), "rules page", http.StatusOK)
	form := url.Values{}
	for _, k := range []string{"reputation.question_upvote", "reputation.answer_upvote", "reputation.accepted", "reputation.accepting", "reputation.downvoted", "reputation.downvote_cast",
		"privilege.comment_everywhere", "privilege.edit_wiki", "privilege.downvote", "privilege.create_tags", "privilege.close_reopen", "privilege.edit_others"} {
		form.Set(k, "5")
	}
	form.Set("privilege.downvote", "-1")
	rec = send(t, env, request{method: "POST", path: "/admin/reputation", as: env.Admin, form: form})
	if rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), `id="e-privilege.downvote"`) {
		t.Errorf("bad threshold: %d", rec.Code)
	}
	form.Set("privilege.downvote", "0")
	wantStatus(t, send(t, env, request{method: "POST", path: "/admin/reputation", as: env.Admin, form: form}), "save rules", http.StatusSeeOther)
	env.Refresh(t, env.Alice)
	if env.Alice.Reputation != 5 {
		t.Errorf("Alice after the change: %d, want 5", env.Alice.Reputation)
	}
}

// TestMoreComments checks that a post shows its first comments and a link
// to the rest, that the link (and a comment's permalink) shows them all, and
// that the API always lists every comment.
func TestMoreComments(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	q, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "How many comments does a post show?", Body: "A question that draws a long thread of comments."})
	if err != nil {
		t.Fatal(err)
	}
	ans := env.Reply(t, env.Alice, q.ID, "An answer that draws comments.")
	var ids []string
	for i := range content.CommentsShown + 2 {
		c, err := env.App.Content.Comment(ctx, env.Bob.Viewer(), ans.ID, fmt.Sprintf("Comment number %02d on the answer.", i))
		if err != nil {
			t.Fatal(err)
		}
		ids = append(ids, fmt.Sprint(c.ID))
	}
	body := send(t, env, request{path: q.Path()}).Body.String()
	for i, id := range ids {
		if shown := strings.Contains(body, `id="p`+id+`"`); shown != (i < content.CommentsShown) {
			t.Errorf("comment %d shown: %v", i, shown)
		}
	}
	if !strings.Contains(body, "Show 2 more comments") || !strings.Contains(body, `href="`+q.Path()+`?comments=all#p`+fmt.Sprint(ans.ID)+`"`) {
		t.Errorf("the answer lacks its link to the other comments")
	}
	all := send(t, env, request{path: q.Path() + "?comments=all"}).Body.String()
	for _, id := range ids {
		if !strings.Contains(all, `id="p`+id+`"`) {
			t.Errorf("?comments=all lacks comment %s", id)
		}
	}
	if strings.Contains(all, "more comments") {
		t.Error("?comments=all still offers more comments")
	}
	wantRedirect(t, send(t, env, request{path: "/p/" + ids[0]}), "GET /p/{first comment}", q.Path()+"#p"+ids[0])
	wantRedirect(t, send(t, env, request{path: "/p/" + ids[len(ids)-1]}), "GET /p/{last comment}", q.Path()+"?comments=all#p"+ids[len(ids)-1])
	api := send(t, env, request{path: "/api/v1/topics/" + fmt.Sprint(q.ID)}).Body.String()
	for _, id := range ids {
		if !strings.Contains(api, `"id":`+id+`,`) {
			t.Errorf("the API lacks comment %s", id)
		}
	}
}
