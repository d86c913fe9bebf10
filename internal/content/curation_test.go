package content_test

import (
	"slices"
	"testing"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/testenv"
)

func TestSuggestedEdits(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Alice, "Phase kickback explained")
	ans := env.Reply(t, env.Bob, q.ID, "It moves the phase to the control.")

	// Below the privilege Carol may only suggest; Edit refuses, EditOrSuggest queues.
	if _, err := env.App.Content.Edit(ctx, carol.Viewer(), ans.ID, content.EditInput{Body: "Better."}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("direct edit below the privilege: %v, want Forbidden", err)
	}
	res, err := env.App.Content.EditOrSuggest(ctx, carol.Viewer(), ans.ID, content.EditInput{Body: "It moves the phase onto the control qubit.", Reason: "clarity"})
	if err != nil || res.Suggestion == nil {
		t.Fatalf("suggest: %+v, %v", res, err)
	}
	if p, _ := env.App.Store.Read().Post(ctx, ans.ID); p.Revision != 1 {
		t.Errorf("a suggestion changed the post (revision %d)", p.Revision)
	}
	if _, err := env.App.Content.EditOrSuggest(ctx, env.Mod.Viewer(), ans.ID, content.EditInput{Body: "Typo fix by a moderator."}); err != nil {
		t.Fatalf("moderator edits directly: %v", err)
	}
	// The moderator's edit made the suggestion stale: it can only be rejected.
	items, can, err := env.App.Content.ReviewQueue(ctx, env.Mod.Viewer())
	if err != nil || !can || len(items) != 1 || !items[0].Stale {
		t.Fatalf("review queue: %d items, can %v, %v", len(items), can, err)
	}
	if _, err := env.App.Content.DecideEdit(ctx, env.Mod.Viewer(), res.Suggestion.ID, true); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("approve a stale edit: %v, want Conflict", err)
	}
	if _, err := env.App.Content.DecideEdit(ctx, env.Mod.Viewer(), res.Suggestion.ID, false); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.DecideEdit(ctx, env.Mod.Viewer(), res.Suggestion.ID, false); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("decide twice: %v, want Conflict", err)
	}

	// A fresh suggestion; a second one waits its turn; Carol cannot review her own.
	res, err = env.App.Content.EditOrSuggest(ctx, carol.Viewer(), ans.ID, content.EditInput{Body: "It moves the phase onto the control qubit."})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.EditOrSuggest(ctx, env.Admin.Viewer(), ans.ID, content.EditInput{Body: "Admins edit directly anyway."}); err != nil {
		t.Fatal(err)
	}
	res2, err := env.App.Content.EditOrSuggest(ctx, carol.Viewer(), opening(t, env, q.ID).ID, content.EditInput{Title: "Phase kickback, explained", Body: "How does it work?", Tags: "testing"})
	if err != nil || res2.Suggestion == nil {
		t.Fatalf("suggest on the question: %v", err)
	}
	if _, err := env.App.Content.EditOrSuggest(ctx, carol.Viewer(), opening(t, env, q.ID).ID, content.EditInput{Title: "Another title", Body: "How does it work?", Tags: "testing"}); apperr.KindOf(err) != apperr.Conflict {
		t.Errorf("second pending suggestion: %v, want Conflict", err)
	}
	if _, err := env.App.Content.DecideEdit(ctx, carol.Viewer(), res2.Suggestion.ID, true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("self-review: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.DecideEdit(ctx, env.Bob.Viewer(), res2.Suggestion.ID, true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("review below the privilege: %v, want Forbidden", err)
	}
	// The leader of the space approves: the edit is saved under Carol's name.
	if _, err := env.App.Content.DecideEdit(ctx, env.Alice.Viewer(), res2.Suggestion.ID, true); err != nil {
		t.Fatalf("leader approves: %v", err)
	}
	if got := loadTopic(t, env, q.ID).Title; got != "Phase kickback, explained" {
		t.Errorf("title after approval: %q", got)
	}
	_, _, revs, err := env.App.Content.Revisions(ctx, env.Bob.Viewer(), opening(t, env, q.ID).ID)
	if err != nil || revs[0].Editor.ID != carol.ID {
		t.Errorf("the approved revision's editor: %+v, %v", revs[0].Editor, err)
	}
	// With the privilege, edits are direct.
	setting(t, env, reputation.PrivilegeKey(reputation.EditOthers), "0")
	res, err = env.App.Content.EditOrSuggest(ctx, carol.Viewer(), ans.ID, content.EditInput{Body: "Carol edits freely now."})
	if err != nil || res.Suggestion != nil || res.Post.Body != "Carol edits freely now." {
		t.Errorf("privileged edit: %+v, %v", res, err)
	}
}

func TestRollback(t *testing.T) {
	env := testenv.New(t)
	q := ask(t, env, env.Alice, "Rolling back")
	op := opening(t, env, q.ID)
	if _, err := env.App.Content.Edit(ctx, env.Alice.Viewer(), op.ID, content.EditInput{Title: "Rolling back, take two", Body: "Second body.", Tags: "testing"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Content.Rollback(ctx, env.Bob.Viewer(), op.ID, 1); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a member rolls back someone's post: %v", err)
	}
	p, err := env.App.Content.Rollback(ctx, env.Alice.Viewer(), op.ID, 1)
	if err != nil || p.Revision != 3 || p.Body != op.Body {
		t.Fatalf("rollback: %+v, %v", p, err)
	}
	if got := loadTopic(t, env, q.ID).Title; got != "Rolling back" {
		t.Errorf("title after rollback: %q", got)
	}
	if _, err := env.App.Content.Rollback(ctx, env.Alice.Viewer(), op.ID, 3); !slices.Equal(testenv.FieldsOf(err), []string{"body"}) {
		t.Errorf("rollback to the current revision: %v, want Nothing changed", err)
	}
	if _, err := env.App.Content.Rollback(ctx, env.Alice.Viewer(), op.ID, 9); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("rollback to a missing revision: %v", err)
	}
}

func TestCloseAndWiki(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Bob, "Too broad a question")
	ans := env.Reply(t, env.Alice, q.ID, "A wiki answer.")

	if _, err := env.App.Content.Close(ctx, carol.Viewer(), q.ID, "needs-focus", true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("close below the privilege: %v", err)
	}
	if _, err := env.App.Content.Close(ctx, env.Alice.Viewer(), q.ID, "because", true); !slices.Equal(testenv.FieldsOf(err), []string{"reason"}) {
		t.Errorf("close with an unknown reason: %v", err)
	}
	tp, err := env.App.Content.Close(ctx, env.Alice.Viewer(), q.ID, "needs-focus", true)
	if err != nil || !tp.Closed() || tp.CloseReason != "needs-focus" {
		t.Fatalf("leader closes: %+v, %v", tp, err)
	}
	if _, err := env.App.Content.Reply(ctx, carol.Viewer(), q.ID, "Late answer."); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("answer a closed question: %v, want Forbidden", err)
	}
	vote(t, env, carol, ans.ID, 1) // votes still count on closed questions
	setting(t, env, reputation.PrivilegeKey(reputation.CloseReopen), "0")
	if tp, err := env.App.Content.Close(ctx, carol.Viewer(), q.ID, "", false); err != nil || tp.Closed() {
		t.Errorf("privileged member reopens: %v", err)
	}

	// Wiki: the author marks it; its votes stop earning reputation.
	if got := rep(t, env, env.Alice); got != 10 {
		t.Fatalf("Alice before wiki: %d", got)
	}
	if _, err := env.App.Content.SetWiki(ctx, carol.Viewer(), ans.ID, true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("someone else marks wiki: %v", err)
	}
	if _, err := env.App.Content.SetWiki(ctx, env.Alice.Viewer(), ans.ID, true); err != nil {
		t.Fatal(err)
	}
	if got := rep(t, env, env.Alice); got != 0 {
		t.Errorf("Alice after wiki: %d, want 0", got)
	}
	setting(t, env, reputation.PrivilegeKey(reputation.EditWiki), "0")
	res, err := env.App.Content.EditOrSuggest(ctx, carol.Viewer(), ans.ID, content.EditInput{Body: "A wiki answer, improved."})
	if err != nil || res.Suggestion != nil {
		t.Errorf("wiki privilege edits directly: %+v, %v", res, err)
	}
	if _, err := env.App.Content.SetWiki(ctx, env.Mod.Viewer(), ans.ID, false); err != nil {
		t.Fatal(err)
	}
	if got := rep(t, env, env.Alice); got != 10 {
		t.Errorf("Alice after undoing wiki: %d, want 10", got)
	}
	checkLedger(t, env)
}

func TestSideBySide(t *testing.T) {
	rows := content.SideBySide(content.Diff("a\nb\nc\nd", "a\nB\nc\nd\ne"))
	var got []string
	for _, r := range rows {
		l, rt := "-", "-"
		if r.Left != nil {
			l = r.Left.Text
		}
		if r.Right != nil {
			rt = r.Right.Text
		}
		got = append(got, l+"|"+rt)
	}
	if want := []string{"a|a", "b|B", "c|c", "d|d", "-|e"}; !slices.Equal(got, want) {
		t.Errorf("SideBySide = %v, want %v", got, want)
	}
}

func TestInviteToAnswer(t *testing.T) {
	env := testenv.New(t)
	carol := env.NewUser(t, "carol", model.RoleMember)
	q := ask(t, env, env.Bob, "Who knows about cat states?")
	mails := func() int {
		t.Helper()
		m, err := env.App.Store.Read().Outbox(ctx, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		return len(m)
	}
	before := mails()
	if _, err := env.App.Content.InviteToAnswer(ctx, carol.Viewer(), q.ID, "alice"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("a third person invites: %v, want Forbidden", err)
	}
	if _, err := env.App.Content.InviteToAnswer(ctx, env.Bob.Viewer(), q.ID, "nobody-here"); !slices.Equal(testenv.FieldsOf(err), []string{"usernames"}) {
		t.Errorf("invite an unknown name: %v", err)
	}
	if _, err := env.App.Content.InviteToAnswer(ctx, env.Bob.Viewer(), q.ID, "bob"); !slices.Equal(testenv.FieldsOf(err), []string{"usernames"}) {
		t.Errorf("invite oneself: %v", err)
	}
	got, err := env.App.Content.InviteToAnswer(ctx, env.Bob.Viewer(), q.ID, "@Alice, carol")
	if err != nil || len(got) != 2 {
		t.Fatalf("invite two: %v, %v", got, err)
	}
	if n := mails() - before; n != 2 {
		t.Errorf("%d invitation mails, want 2", n)
	}
	if got, err := env.App.Content.InviteToAnswer(ctx, env.Bob.Viewer(), q.ID, "alice"); err != nil || len(got) != 0 {
		t.Errorf("inviting again: %v, %v; want nobody new", got, err)
	}
	// Nobody is told about a question they cannot see.
	priv, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PrivateSpace.Slug, Kind: model.KindQuestion, Title: "Members only question", Body: "Hidden."})
	if err != nil {
		t.Fatal(err)
	}
	before = mails()
	if _, err := env.App.Content.InviteToAnswer(ctx, env.Alice.Viewer(), priv.ID, "carol"); !slices.Equal(testenv.FieldsOf(err), []string{"usernames"}) {
		t.Errorf("invite a non-member to a private question: %v", err)
	}
	if mails() != before {
		t.Error("a refused invitation sent mail")
	}
	list, err := env.App.Content.AnswerInvites(ctx, model.Viewer{}, q.ID)
	if err != nil || len(list) != 2 {
		t.Errorf("invites listed: %v, %v", list, err)
	}
}
