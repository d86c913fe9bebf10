package content_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
	"practica/internal/testenv"
)

// ask starts a question as u in the public space.
func ask(t *testing.T, env *testenv.Env, u *testenv.User, title string) model.Topic {
	t.Helper()
	tp, err := env.App.Content.CreateTopic(ctx, u.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion, Title: title, Body: "How does " + title + " work?", Tags: "testing"})
	if err != nil {
		t.Fatalf("ask %q: %v", title, err)
	}
	return tp
}

// setting stores a setting as the organizer would.
func setting(t *testing.T, env *testenv.Env, key, value string) {
	t.Helper()
	if err := env.App.Store.InTx(ctx, func(q *store.Queries) error { return q.SetSetting(ctx, key, value, env.Clock.Now()) }); err != nil {
		t.Fatalf("set %s: %v", key, err)
	}
}

func rep(t *testing.T, env *testenv.Env, u *testenv.User) int64 {
	t.Helper()
	env.Refresh(t, u)
	return u.Reputation
}

func vote(t *testing.T, env *testenv.Env, u *testenv.User, postID int64, value int) content.VoteResult {
	t.Helper()
	r, err := env.App.Content.Vote(ctx, u.Viewer(), postID, value)
	if err != nil {
		t.Fatalf("%s votes %d on %d: %v", u.Username, value, postID, err)
	}
	return r
}

// checkLedger asserts the reputation invariants: the ledger matches the state
// and every stored reputation matches its ledger.
func checkLedger(t *testing.T, env *testenv.Env) {
	t.Helper()
	r, err := env.App.Content.VerifyReputation(ctx, false)
	if err != nil {
		t.Fatalf("VerifyReputation: %v", err)
	}
	if !r.OK() {
		t.Fatalf("reputation does not verify: drifts %+v, mismatches %+v", r.Drifts, r.Mismatches)
	}
	env.CheckCounters(t)
}

func TestVotesAndReputation(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Entanglement swapping")
	qp := opening(t, env, q.ID)
	ans := env.Reply(t, env.Bob, q.ID, "It teleports entanglement.")
	if ans.Kind != model.PostAnswer {
		t.Fatalf("a reply to a question is a %s, want answer", ans.Kind)
	}

	if r := vote(t, env, carol, ans.ID, 1); r.Score != 1 || r.Mine != 1 {
		t.Errorf("after one upvote: %+v, want score 1", r)
	}
	if got := rep(t, env, env.Bob); got != 10 {
		t.Errorf("answer upvoted: Bob has %d, want 10", got)
	}
	vote(t, env, carol, ans.ID, 1) // the same vote again changes nothing
	vote(t, env, carol, qp.ID, 1)
	if a, b := rep(t, env, env.Alice), rep(t, env, env.Bob); a != 5 || b != 10 {
		t.Errorf("after upvotes: Alice %d Bob %d, want 5 and 10", a, b)
	}
	if got := loadTopic(t, env, q.ID).Score; got != 1 {
		t.Errorf("question score = %d, want 1", got)
	}

	// Downvoting needs the privilege; below it the vote is refused and nothing changes.
	if _, err := env.App.Content.Vote(ctx, carol.Viewer(), ans.ID, -1); apperr.KindOf(err) != apperr.Forbidden {
		t.Fatalf("downvote below the threshold: %v, want Forbidden", err)
	}
	if got := rep(t, env, env.Bob); got != 10 {
		t.Errorf("refused downvote changed Bob's reputation to %d", got)
	}
	setting(t, env, reputation.PrivilegeKey(reputation.Downvote), "0")
	if r := vote(t, env, carol, ans.ID, -1); r.Score != -1 {
		t.Errorf("changed vote: score %d, want -1", r.Score)
	}
	if b, c := rep(t, env, env.Bob), rep(t, env, carol); b != -2 || c != -1 {
		t.Errorf("after the downvote: Bob %d Carol %d, want -2 and -1", b, c)
	}
	vote(t, env, carol, ans.ID, 0)
	if b, c := rep(t, env, env.Bob), rep(t, env, carol); b != 0 || c != 0 {
		t.Errorf("after retracting: Bob %d Carol %d, want 0 and 0", b, c)
	}

	// No votes on one's own posts, on discussions, or with bad values.
	if _, err := env.App.Content.Vote(ctx, env.Bob.Viewer(), ans.ID, 1); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("self-vote: %v, want Forbidden", err)
	}
	d := env.CreateTopic(t, env.Alice, env.PublicSpace, "A plain discussion")
	if _, err := env.App.Content.Vote(ctx, carol.Viewer(), opening(t, env, d.ID).ID, 1); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("vote on a discussion: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.Vote(ctx, carol.Viewer(), ans.ID, 2); !slices.Equal(testenv.FieldsOf(err), []string{"value"}) {
		t.Errorf("vote of 2: %v, want an error on value", err)
	}
	if _, err := env.App.Content.Vote(ctx, model.Viewer{}, ans.ID, 1); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("guest vote: %v, want Unauthenticated", err)
	}
	// A post in a space the voter cannot read does not exist for them.
	secret, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.SecretSpace.Slug, Kind: model.KindQuestion, Title: "Secret question", Body: "Hidden"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.Vote(ctx, carol.Viewer(), opening(t, env, secret.ID).ID, 1); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("vote in a secret space: %v, want NotFound", err)
	}
	checkLedger(t, env)
}

func TestParallelIdenticalVotes(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Parallel voting")
	ans := env.Reply(t, env.Bob, q.ID, "One vote only.")
	var wg sync.WaitGroup
	errs := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := env.App.Content.Vote(ctx, carol.Viewer(), ans.ID, 1)
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Errorf("parallel vote: %v", err)
		}
	}
	p, err := env.App.Store.Read().Post(ctx, ans.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Score != 1 || rep(t, env, env.Bob) != 10 {
		t.Errorf("50 identical votes: score %d, Bob's reputation %d; want 1 and 10", p.Score, env.Bob.Reputation)
	}
	hist, err := env.App.Store.Read().ReputationHistory(ctx, policy.Scope{All: true}, env.Bob.ID, 100)
	if err != nil || len(hist) != 1 {
		t.Errorf("ledger rows for Bob: %d (%v), want 1", len(hist), err)
	}
	checkLedger(t, env)
}

func TestAcceptAnswer(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Bob, "Which gate set is universal?")
	a1 := env.Reply(t, env.Alice, q.ID, "Clifford plus T.")
	a2 := env.Reply(t, carol, q.ID, "H, S, T and CNOT.")

	if _, err := env.App.Content.Accept(ctx, carol.Viewer(), q.ID, a1.ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a third person accepts: %v, want Forbidden", err)
	}
	tp, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, a1.ID)
	if err != nil || tp.AcceptedPostID != a1.ID {
		t.Fatalf("asker accepts: %v, accepted %d", err, tp.AcceptedPostID)
	}
	if a, b := rep(t, env, env.Alice), rep(t, env, env.Bob); a != 15 || b != 2 {
		t.Errorf("after accepting: Alice %d Bob %d, want 15 and 2", a, b)
	}
	// Accepting the same answer again is a no-op; switching moves the 15 points.
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, a1.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, a2.ID); err != nil {
		t.Fatal(err)
	}
	if a, b, c := rep(t, env, env.Alice), rep(t, env, env.Bob), rep(t, env, carol); a != 0 || b != 2 || c != 15 {
		t.Errorf("after switching: Alice %d Bob %d Carol %d, want 0, 2, 15", a, b, c)
	}
	// The accepted answer leads, whatever the scores.
	vote(t, env, carol, a1.ID, 1)
	view, err := env.App.Content.TopicPage(ctx, env.Bob.Viewer(), q.ID, content.TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Posts) != 3 || view.Posts[1].Post.ID != a2.ID || !view.Posts[1].Accepted || view.Posts[2].Post.ID != a1.ID {
		t.Errorf("answer order: %v, want the question, then %d (accepted), then %d", postIDs(view.Posts), a2.ID, a1.ID)
	}
	if !view.Posts[1].CanAccept || view.Posts[0].CanAccept {
		t.Errorf("the asker may accept answers, not the question")
	}
	// Deleting the accepted answer takes its points and its acceptance;
	// restoring it does not accept it again.
	if _, err := env.App.Content.SetDeleted(ctx, carol.Viewer(), a2.ID, true); err != nil {
		t.Fatal(err)
	}
	if c, b := rep(t, env, carol), rep(t, env, env.Bob); c != 0 || b != 0 || loadTopic(t, env, q.ID).AcceptedPostID != 0 {
		t.Errorf("accepted answer deleted: Carol %d Bob %d, accepted %d; want 0, 0, none", c, b, loadTopic(t, env, q.ID).AcceptedPostID)
	}
	if _, err := env.App.Content.SetDeleted(ctx, carol.Viewer(), a2.ID, false); err != nil {
		t.Fatal(err)
	}
	if c := rep(t, env, carol); c != 0 {
		t.Errorf("restored: Carol %d, want 0 (no longer accepted)", c)
	}
	// The space's leader may accept and clear the choice; a question's own answer earns nothing.
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), q.ID, a2.ID); err != nil {
		t.Fatalf("leader accepts: %v", err)
	}
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), q.ID, 0); err != nil {
		t.Fatalf("leader clears: %v", err)
	}
	own := env.Reply(t, env.Bob, q.ID, "Answering myself.")
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, own.ID); err != nil {
		t.Fatal(err)
	}
	if b := rep(t, env, env.Bob); b != 0 {
		t.Errorf("self-accepted: Bob %d, want 0", b)
	}
	// Only answers of this question can be accepted.
	other := ask(t, env, env.Bob, "Another question")
	stray := env.Reply(t, env.Alice, other.ID, "An answer elsewhere.")
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), q.ID, stray.ID); !slices.Equal(testenv.FieldsOf(err), []string{"post_id"}) {
		t.Errorf("accept another question's answer: %v, want an error on post_id", err)
	}
	d := env.CreateTopic(t, env.Bob, env.PublicSpace, "A discussion")
	r := env.Reply(t, env.Alice, d.ID, "A reply.")
	if _, err := env.App.Content.Accept(ctx, env.Bob.Viewer(), d.ID, r.ID); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("accept on a discussion: %v, want Forbidden", err)
	}
	checkLedger(t, env)
}

func postIDs(posts []content.PostView) []int64 {
	out := make([]int64, len(posts))
	for i, p := range posts {
		out[i] = p.Post.ID
	}
	return out
}

func TestComments(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Measuring a qubit")
	qp := opening(t, env, q.ID)
	ans := env.Reply(t, env.Bob, q.ID, "Use the Z basis.")

	// Below the privilege: own posts, and answers to one's own question.
	if _, err := env.App.Content.Comment(ctx, carol.Viewer(), qp.ID, "Which hardware is this on?"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("comment without the privilege: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.Comment(ctx, env.Bob.Viewer(), ans.ID, "Edit: or any basis you rotate to."); err != nil {
		t.Errorf("comment on own answer: %v", err)
	}
	c, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), ans.ID, "Thanks, that settles it.")
	if err != nil {
		t.Fatalf("asker comments on an answer: %v", err)
	}
	if c.Kind != model.PostComment || c.ParentID != ans.ID {
		t.Errorf("comment stored as %s under %d", c.Kind, c.ParentID)
	}
	if _, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), ans.ID, "short"); !slices.Equal(testenv.FieldsOf(err), []string{"body"}) {
		t.Errorf("short comment: %v, want an error on body", err)
	}
	if _, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), c.ID, "A comment on a comment."); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("comment on a comment: %v, want Forbidden", err)
	}
	setting(t, env, reputation.PrivilegeKey(reputation.CommentEverywhere), "0")
	if _, err := env.App.Content.Comment(ctx, carol.Viewer(), qp.ID, "Which hardware is this on?"); err != nil {
		t.Errorf("comment with the privilege: %v", err)
	}
	// Comments do not count as answers and show under their post.
	if got := loadTopic(t, env, q.ID).ReplyCount; got != 1 {
		t.Errorf("reply_count = %d, want 1 (comments are not answers)", got)
	}
	view, err := env.App.Content.TopicPage(ctx, carol.Viewer(), q.ID, content.TopicQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if len(view.Posts) != 2 || len(view.Posts[0].Comments) != 1 || len(view.Posts[1].Comments) != 2 {
		t.Fatalf("page: %d posts, comments %d and %d; want 2 posts with 1 and 2 comments", len(view.Posts), len(view.Posts[0].Comments), len(view.Posts[1].Comments))
	}
	// Editing keeps the comment length limit; deleting hides it.
	if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), c.ID, content.EditInput{Body: string(make([]byte, 700))}); !slices.Equal(testenv.FieldsOf(err), []string{"body"}) {
		t.Errorf("over-long comment edit: %v, want an error on body", err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, env.Alice.Viewer(), c.ID, true); err != nil {
		t.Fatal(err)
	}
	view, _ = env.App.Content.TopicPage(ctx, carol.Viewer(), q.ID, content.TopicQuery{})
	if len(view.Posts[1].Comments) != 1 {
		t.Errorf("deleted comment still shown: %d comments", len(view.Posts[1].Comments))
	}
	env.CheckCounters(t)
}

func TestQuestionLists(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	var qs []model.Topic
	for i := range 4 {
		qs = append(qs, ask(t, env, env.Alice, fmt.Sprintf("Question number %d", i)))
		env.Clock.Advance(1e9)
	}
	// q0: accepted answer; q1: an upvoted answer; q2: an unscored answer; q3: nothing.
	a0 := env.Reply(t, env.Bob, qs[0].ID, "Accepted.")
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), qs[0].ID, a0.ID); err != nil {
		t.Fatal(err)
	}
	a1 := env.Reply(t, env.Bob, qs[1].ID, "Useful.")
	vote(t, env, carol, a1.ID, 1)
	env.Reply(t, env.Bob, qs[2].ID, "Meh.")
	vote(t, env, carol, opening(t, env, qs[2].ID).ID, 1)
	vote(t, env, env.Bob, opening(t, env, qs[2].ID).ID, 1)
	vote(t, env, carol, opening(t, env, qs[1].ID).ID, 1)

	list := func(sort store.TopicSort) []int64 {
		t.Helper()
		l, err := env.App.Content.Latest(ctx, carol.Viewer(), content.ListInput{Kind: model.KindQuestion, Sort: sort})
		if err != nil {
			t.Fatalf("list %s: %v", sort, err)
		}
		return ids(l.Items)
	}
	if got, want := list(store.SortUnanswered), []int64{qs[3].ID, qs[2].ID}; !slices.Equal(got, want) {
		t.Errorf("unanswered = %v, want %v", got, want)
	}
	if got, want := list(store.SortNewest), []int64{qs[3].ID, qs[2].ID, qs[1].ID, qs[0].ID}; !slices.Equal(got, want) {
		t.Errorf("newest = %v, want %v", got, want)
	}
	if got, want := list(store.SortTop), []int64{qs[2].ID, qs[1].ID, qs[3].ID, qs[0].ID}; !slices.Equal(got, want) {
		t.Errorf("top = %v, want %v", got, want)
	}
	if _, err := env.App.Content.Latest(ctx, carol.Viewer(), content.ListInput{Sort: "loudest"}); !slices.Equal(testenv.FieldsOf(err), []string{"sort"}) {
		t.Errorf("unknown sort: %v, want an error on sort", err)
	}
	// Top pages walk by score with a cursor and never repeat a question.
	var seen []int64
	cursor := ""
	for {
		l, err := env.App.Content.Latest(ctx, carol.Viewer(), content.ListInput{Kind: model.KindQuestion, Sort: store.SortTop, Limit: 1, Cursor: cursor})
		if err != nil {
			t.Fatal(err)
		}
		seen = append(seen, ids(l.Items)...)
		if cursor = l.Next; cursor == "" {
			break
		}
	}
	if want := list(store.SortTop); !slices.Equal(seen, want) {
		t.Errorf("top, one per page = %v, want %v", seen, want)
	}
}

// TestReputationInvariant drives random sequences of votes, accepts, edits,
// deletes and restores, and checks after every step that the ledger matches
// the state and every stored reputation matches its ledger.
func TestReputationInvariant(t *testing.T) {
	env := testenv.New(t)
	setting(t, env, reputation.PrivilegeKey(reputation.Downvote), "0")
	people := []*testenv.User{env.Alice, env.Bob, env.NewUser(t, "carol", model.RoleMember), env.NewUser(t, "dave", model.RoleMember)}
	var questions []model.Topic
	var posts []model.Post
	for i, u := range people[:2] {
		q := ask(t, env, u, fmt.Sprintf("Invariant question %d", i))
		questions = append(questions, q)
		posts = append(posts, opening(t, env, q.ID))
		for _, a := range people {
			if a != u {
				posts = append(posts, env.Reply(t, a, q.ID, "An answer by "+a.Username))
			}
		}
	}
	seed := uint64(7)
	r := rand.New(rand.NewPCG(seed, seed))
	steps := 150
	if testing.Short() {
		steps = 40
	}
	for step := range steps {
		u := people[r.IntN(len(people))]
		p := posts[r.IntN(len(posts))]
		var what string
		var err error
		switch op := r.IntN(10); {
		case op < 5:
			value := r.IntN(3) - 1
			what = fmt.Sprintf("%s votes %d on %d", u.Username, value, p.ID)
			_, err = env.App.Content.Vote(ctx, u.Viewer(), p.ID, value)
		case op < 7:
			q := questions[r.IntN(len(questions))]
			var target int64
			if r.IntN(4) > 0 {
				target = posts[r.IntN(len(posts))].ID
			}
			what = fmt.Sprintf("%s accepts %d on %d", u.Username, target, q.ID)
			_, err = env.App.Content.Accept(ctx, u.Viewer(), q.ID, target)
		case op < 9:
			del := r.IntN(2) == 0
			what = fmt.Sprintf("moderator sets deleted=%v on %d", del, p.ID)
			_, err = env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), p.ID, del)
		default:
			what = fmt.Sprintf("moderator edits %d", p.ID)
			in := content.EditInput{Body: fmt.Sprintf("Edited at step %d.", step)}
			if p.Kind == model.PostOpening {
				in.Title, in.Tags = fmt.Sprintf("Invariant question edited %d", step), "testing"
			}
			_, err = env.App.Content.Edit(ctx, env.Mod.Viewer(), p.ID, in)
		}
		if k := apperr.KindOf(err); err != nil && k != apperr.Forbidden && k != apperr.Invalid && k != apperr.NotFound {
			t.Fatalf("step %d (%s): unexpected error %v", step, what, err)
		}
		rp, err := env.App.Content.VerifyReputation(ctx, false)
		if err != nil || !rp.OK() {
			t.Fatalf("step %d (%s): reputation does not verify: %v %+v %+v", step, what, err, rp.Drifts, rp.Mismatches)
		}
	}
	env.CheckCounters(t)
}

func TestVerifyReputationFindsAndFixesDrift(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Drifting reputation")
	ans := env.Reply(t, env.Bob, q.ID, "An answer.")
	vote(t, env, carol, ans.ID, 1)
	// Tamper behind the service's back: a stored reputation and a vote.
	for _, stmt := range []string{`UPDATE users SET reputation = 999 WHERE username = 'bob'`, `DELETE FROM votes`} {
		if _, err := env.App.DB.Write.ExecContext(ctx, stmt); err != nil {
			t.Fatal(err)
		}
	}
	r, err := env.App.Content.VerifyReputation(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Drifts) != 1 || r.Drifts[0].UserID != env.Bob.ID || len(r.Mismatches) != 1 || r.Mismatches[0].Want != 0 || r.Mismatches[0].Ledger != 10 {
		t.Fatalf("report = %+v, want Bob's drift and one mismatch of 10 against 0", r)
	}
	r, err = env.App.Content.VerifyReputation(ctx, true)
	if err != nil || !r.OK() || !r.Fixed {
		t.Fatalf("after fix: %+v, %v", r, err)
	}
	if got := rep(t, env, env.Bob); got != 0 {
		t.Errorf("Bob after the fix: %d, want 0", got)
	}
}

func TestChangingTheRulesRecomputes(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Rules change")
	ans := env.Reply(t, env.Bob, q.ID, "An answer.")
	vote(t, env, carol, ans.ID, 1)
	if _, err := env.App.Content.SetReputationConfig(ctx, env.Mod.Viewer(), map[string]string{"reputation.answer_upvote": "20"}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a moderator changes the rules: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.SetReputationConfig(ctx, env.Admin.Viewer(), map[string]string{"reputation.answer_upvote": "lots", "nonsense": "1"}); !slices.Equal(testenv.FieldsOf(err), []string{"nonsense", "reputation.answer_upvote"}) {
		t.Errorf("bad values: %v", err)
	}
	cfg, err := env.App.Content.SetReputationConfig(ctx, env.Admin.Viewer(), map[string]string{"reputation.answer_upvote": "20", "privilege.downvote": "0"})
	if err != nil || cfg.AnswerUpvote != 20 || cfg.Privileges[reputation.Downvote] != 0 {
		t.Fatalf("set rules: %+v, %v", cfg, err)
	}
	if got := rep(t, env, env.Bob); got != 20 {
		t.Errorf("Bob after the change: %d, want 20", got)
	}
	checkLedger(t, env)
}

// TestReputationInvariantConcurrent runs random votes, accepts, deletes and
// restores from several members at once; afterwards the ledger must match the
// state exactly and every counter its rows, on both engines.
func TestReputationInvariantConcurrent(t *testing.T) {
	env := testenv.New(t)
	setting(t, env, reputation.PrivilegeKey(reputation.Downvote), "0")
	people := []*testenv.User{env.Alice, env.Bob, env.NewUser(t, "carol", model.RoleMember), env.NewUser(t, "dave", model.RoleMember)}
	var questions []model.Topic
	var posts []model.Post
	for i, u := range people[:2] {
		q := ask(t, env, u, fmt.Sprintf("Concurrent question %d", i))
		questions = append(questions, q)
		posts = append(posts, opening(t, env, q.ID))
		for _, a := range people {
			if a != u {
				posts = append(posts, env.Reply(t, a, q.ID, "An answer by "+a.Username))
			}
		}
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(people))
	for w, u := range people {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 99))
			for range 40 {
				p := posts[r.IntN(len(posts))]
				var err error
				switch op := r.IntN(10); {
				case op < 6:
					_, err = env.App.Content.Vote(ctx, u.Viewer(), p.ID, r.IntN(3)-1)
				case op < 8:
					q := questions[r.IntN(len(questions))]
					_, err = env.App.Content.Accept(ctx, u.Viewer(), q.ID, posts[r.IntN(len(posts))].ID)
				default:
					_, err = env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), p.ID, r.IntN(2) == 0)
				}
				if k := apperr.KindOf(err); err != nil && k != apperr.Forbidden && k != apperr.Invalid && k != apperr.NotFound {
					errs <- fmt.Errorf("%s: %v", u.Username, err)
					return
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	checkLedger(t, env)
}

func TestPostLocation(t *testing.T) {
	env := testenv.New(t)
	q := ask(t, env, env.Alice, "A question with many answers")
	var answers []model.Post
	for i := range 25 {
		answers = append(answers, env.Reply(t, env.Bob, q.ID, fmt.Sprintf("Answer number %d.", i)))
	}
	vote(t, env, env.Alice, answers[24].ID, 1) // the last answer rises to the top
	loc, err := env.App.Content.PostLocation(ctx, env.Bob.Viewer(), answers[24].ID)
	if err != nil || loc != q.Path()+fmt.Sprintf("#p%d", answers[24].ID) {
		t.Errorf("top answer at %q, %v", loc, err)
	}
	// In votes order the 21st..25th answers are on page 2.
	loc, _ = env.App.Content.PostLocation(ctx, env.Bob.Viewer(), answers[23].ID)
	if want := fmt.Sprintf("%s?page=2#p%d", q.Path(), answers[23].ID); loc != want {
		t.Errorf("answer 24 at %q, want %q", loc, want)
	}
	view, err := env.App.Content.TopicPage(ctx, env.Bob.Viewer(), q.ID, content.TopicQuery{Page: 2})
	found := false
	for _, p := range view.Posts {
		found = found || p.Post.ID == answers[23].ID
	}
	if err != nil || !found {
		t.Errorf("page 2 does not hold answer 24")
	}
	d := env.CreateTopic(t, env.Alice, env.PublicSpace, "A long discussion")
	var replies []model.Post
	for i := range 25 {
		replies = append(replies, env.Reply(t, env.Bob, d.ID, fmt.Sprintf("Reply %d.", i)))
	}
	loc, _ = env.App.Content.PostLocation(ctx, env.Bob.Viewer(), replies[22].ID)
	page, err := env.App.Content.TopicPage(ctx, env.Bob.Viewer(), d.ID, content.TopicQuery{After: afterOf(t, loc)})
	found = false
	for _, p := range page.Posts {
		found = found || p.Post.ID == replies[22].ID
	}
	if err != nil || !found {
		t.Errorf("reply 23 at %q is not on that page", loc)
	}
}

func afterOf(t *testing.T, loc string) int64 {
	t.Helper()
	var after int64
	if i := strings.Index(loc, "?after="); i >= 0 {
		fmt.Sscanf(loc[i+len("?after="):], "%d", &after)
	}
	return after
}

// TestReviewFindings pins down leaks and miscounts found in review.
func TestReviewFindings(t *testing.T) {
	env := testenv.New(t)
	setting(t, env, reputation.PrivilegeKey(reputation.Downvote), "0")
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Review findings question")
	ans := env.Reply(t, env.Bob, q.ID, "An answer to be voted down.")

	// Who voted down what stays private to the voter.
	vote(t, env, carol, ans.ID, -1)
	for _, v := range []model.Viewer{{}, env.Bob.Viewer()} {
		page, err := env.App.Content.ReputationHistory(ctx, v, "carol")
		if err != nil || len(page.Events) != 1 || page.Events[0].Topic.ID != 0 || page.Events[0].Event.PostID != 0 {
			t.Errorf("Carol's downvote cost as seen by others: %+v, %v", page.Events, err)
		}
	}
	if page, _ := env.App.Content.ReputationHistory(ctx, carol.Viewer(), "carol"); len(page.Events) != 1 || page.Events[0].Topic.ID != q.ID {
		t.Errorf("Carol does not see her own downvote's post: %+v", page.Events)
	}

	// A comment under a deleted answer is hidden with it.
	c, err := env.App.Content.Comment(ctx, env.Alice.Viewer(), ans.ID, "A comment under the answer.")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, env.Mod.Viewer(), ans.ID, true); err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Content.Post(ctx, model.Viewer{}, c.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("comment under a deleted answer: %v, want NotFound", err)
	}
	if _, _, err := env.App.Content.Post(ctx, env.Mod.Viewer(), c.ID); err != nil {
		t.Errorf("moderator reads the comment: %v", err)
	}

	// Accepting then clearing leaves nothing on the space's leaderboard.
	a2 := env.Reply(t, carol, q.ID, "Another answer.")
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), q.ID, a2.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), q.ID, 0); err != nil {
		t.Fatal(err)
	}
	lb, err := env.App.Content.Leaderboard(ctx, model.Viewer{}, content.LeaderboardInput{Space: env.PublicSpace.Slug})
	if err != nil || len(lb.Leaders) != 0 {
		t.Errorf("space leaderboard after accept and clear: %+v, %v", lb.Leaders, err)
	}

	// A tag used only in a secret space does not exist for outsiders.
	if _, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.SecretSpace.Slug, Title: "Secret tagged", Body: "Hidden.", Tags: "zebra-secret"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.TagPage(ctx, env.Bob.Viewer(), "zebra-secret"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("secret tag page for an outsider: %v", err)
	}
	if err := env.App.Content.FollowTag(ctx, env.Bob.Viewer(), "zebra-secret", true); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("following a secret tag: %v", err)
	}
	if _, err := env.App.Content.TagPage(ctx, env.Alice.Viewer(), "zebra-secret"); err != nil {
		t.Errorf("the space's leader sees the tag: %v", err)
	}
	checkLedger(t, env)
}

func TestEditWhileVotingOnPostgres(t *testing.T) {
	env := testenv.New(t)
	carol, dave := env.NewUser(t, "carol", model.RoleMember), env.NewUser(t, "dave", model.RoleMember)
	q := ask(t, env, env.Alice, "Edited while voted on")
	op := opening(t, env, q.ID)
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	wg.Go(func() {
		for i := range 20 {
			_, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), op.ID, content.EditInput{Title: "Edited while voted on", Body: fmt.Sprintf("Revision %d.", i), Tags: "testing"})
			if err != nil {
				errs <- err
			}
		}
	})
	for _, u := range []*testenv.User{carol, dave, env.Bob} {
		wg.Go(func() {
			for i := range 20 {
				if _, err := env.App.Content.Vote(ctx, u.Viewer(), op.ID, 1-i%2); err != nil {
					errs <- err
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent edit and votes: %v", err)
	}
	checkLedger(t, env)
}
