package matrix

import (
	"context"
	"fmt"
	"net/http/httptest"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// The roles, in the order of matrix.txt's columns.
var roleNames = []string{"guest", "unverified", "member", "spacemember", "leader", "moderator", "admin", "suspended", "deleted", "demoted", "readtoken"}

// The spaces, by the visibility the table names them with.
var spaceNames = []string{"public", "private", "secret", "archived"}

// world is the fixture every cell runs against.
type world struct {
	e      *testenv.Env
	ctx    context.Context
	roles  map[string]*testenv.User // guest is nil
	spaces map[string]model.Space
	// objs holds, per space, the question in each state: normal, locked, deleted.
	objs map[string]map[string]*question
	// writer asks every question; sam (the space member) answers them; sug
	// suggests an edit to each normal question; inviter is a moderator who
	// sends the invitations to answer.
	writer, sam, sug, inviter *testenv.User
	// cache keeps GET responses of the read phase by role and path: nothing
	// changes while reads run, so one page serves every marker on it.
	cache map[string]*httptest.ResponseRecorder
	fresh int
}

// question is a question with its posts and the markers that identify them.
type question struct {
	topic      model.Topic
	opening    int64
	answer     int64  // sam's live answer
	deadAnswer int64  // sam's answer a moderator deleted (normal questions only)
	suggestion int64  // a pending suggested edit of the opening post (normal only)
	mark       string // in the title and body of the question
	answerMark string
	deadMark   string
	sugMark    string
}

// marker returns an 8-letter word unique to one object, so that no marker is
// part of another and every search engine indexes it as one token.
func marker(space, object string) string { return "zq" + space[:3] + object }

func buildWorld(t *testing.T) *world {
	t.Helper()
	e := testenv.New(t)
	w := &world{e: e, ctx: context.Background(), roles: map[string]*testenv.User{}, spaces: map[string]model.Space{},
		objs: map[string]map[string]*question{}, cache: map[string]*httptest.ResponseRecorder{}}
	w.spaces["public"], w.spaces["private"], w.spaces["secret"] = e.PublicSpace, e.PrivateSpace, e.SecretSpace
	w.spaces["archived"] = e.NewSpace(t, e.Alice, "Old Hall", model.Public)

	w.writer = e.NewUser(t, "wes", model.RoleMember)
	w.sam = e.NewUser(t, "sam", model.RoleMember)
	w.sug = e.NewUser(t, "sug", model.RoleMember)
	w.inviter = e.NewUser(t, "inviter", model.RoleModerator)
	una := e.NewUser(t, "una", model.RoleMember)
	sue := e.NewUser(t, "sue", model.RoleMember)
	dan := e.NewUser(t, "dan", model.RoleMember)
	dem := e.NewUser(t, "dem", model.RoleModerator) // session and token made while moderator
	for _, sp := range w.spaces {
		for _, u := range []*testenv.User{w.writer, w.sam, w.sug, una, sue, dan} {
			e.AddMember(t, sp, u, model.SpaceMember)
		}
	}
	if _, err := e.App.DB.Write.ExecContext(w.ctx, `UPDATE users SET email_verified_at = NULL WHERE id = $1`, una.ID); err != nil {
		t.Fatalf("unverify una: %v", err)
	}
	e.Refresh(t, una)
	_, readTok, err := e.App.Auth.CreateAPIToken(w.ctx, w.sam.Viewer(), "read only", model.ScopeRead)
	if err != nil {
		t.Fatalf("read token: %v", err)
	}
	w.roles = map[string]*testenv.User{"guest": nil, "unverified": una, "member": e.Bob, "spacemember": w.sam, "leader": e.Alice,
		"moderator": e.Mod, "admin": e.Admin, "suspended": sue, "deleted": dan, "demoted": dem,
		"readtoken": {User: w.sam.User, Token: readTok}}

	for _, name := range spaceNames {
		w.objs[name] = map[string]*question{}
		for _, state := range []string{"normal", "locked", "deleted"} {
			w.objs[name][state] = w.newQuestion(t, name, state, true)
		}
	}
	w.archive(t, true)

	// Accounts change after their sessions and tokens were issued.
	admin := e.Admin.Viewer()
	if err := e.App.Auth.SetSuspended(w.ctx, admin, sue.ID, true); err != nil {
		t.Fatalf("suspend sue: %v", err)
	}
	if err := e.App.Auth.DeleteUser(w.ctx, admin, dan.ID); err != nil {
		t.Fatalf("delete dan: %v", err)
	}
	if err := e.App.Auth.SetRole(w.ctx, admin, dem.ID, model.RoleMember); err != nil {
		t.Fatalf("demote dem: %v", err)
	}
	return w
}

// archive archives (or reopens) the archived space, so fixtures can be added to it.
func (w *world) archive(t *testing.T, on bool) {
	t.Helper()
	if err := w.e.App.Community.SetArchived(w.ctx, w.e.Admin.Viewer(), w.spaces["archived"].Slug, on); err != nil {
		t.Fatalf("archive %v: %v", on, err)
	}
}

// newQuestion asks a question in a space (as wes), answers it (as sam) and
// brings it to state. Marked questions carry the table's markers; a normal
// one also gets a deleted answer and a pending suggested edit.
func (w *world) newQuestion(t *testing.T, space, state string, marked bool) *question {
	t.Helper()
	e, ctx := w.e, w.ctx
	sp := w.spaces[space]
	q := &question{}
	code := map[string]string{"normal": "top", "locked": "lck", "deleted": "del"}[state]
	answerCode := map[string]string{"normal": "ans", "locked": "lan", "deleted": "xan"}[state]
	title := fmt.Sprintf("Fresh question number %d for the matrix", w.fresh)
	w.fresh++
	if marked {
		q.mark, q.answerMark = marker(space, code), marker(space, answerCode)
		title = "Matrix question about " + q.mark + " placement"
	}
	tp, err := e.App.Content.CreateTopic(ctx, w.writer.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion, Title: title,
		Body: "The body of the question " + q.mark + " asks something worth answering.", Tags: "matrix"})
	if err != nil {
		t.Fatalf("ask in %s: %v", space, err)
	}
	q.topic = tp
	view, err := e.App.Content.TopicPage(ctx, w.writer.Viewer(), tp.ID, content.TopicQuery{})
	if err != nil || len(view.Posts) == 0 {
		t.Fatalf("read new question %d: %v", tp.ID, err)
	}
	q.opening = view.Posts[0].Post.ID
	q.answer = e.Reply(t, w.sam, tp.ID, "An answer that mentions "+q.answerMark+" and explains it well.").ID
	mod := e.Mod.Viewer()
	if marked && state == "normal" {
		q.deadMark, q.sugMark = marker(space, "dea"), marker(space, "sug")
		q.deadAnswer = e.Reply(t, w.sam, tp.ID, "A second answer about "+q.deadMark+" that a moderator removed.").ID
		if _, err := e.App.Content.SetDeleted(ctx, mod, q.deadAnswer, true); err != nil {
			t.Fatalf("delete answer: %v", err)
		}
		res, err := e.App.Content.EditOrSuggest(ctx, w.sug.Viewer(), q.opening, content.EditInput{Title: title, Tags: "matrix",
			Body: "The body of the question, improved by a suggestion " + q.sugMark + " that waits for review."})
		if err != nil || res.Suggestion == nil {
			t.Fatalf("suggest an edit in %s: %v (suggestion %v)", space, err, res.Suggestion)
		}
		q.suggestion = res.Suggestion.ID
	}
	switch state {
	case "locked":
		if _, err := e.App.Content.Moderate(ctx, mod, tp.ID, content.Lock); err != nil {
			t.Fatalf("lock: %v", err)
		}
	case "deleted":
		if _, err := e.App.Content.SetDeleted(ctx, mod, q.opening, true); err != nil {
			t.Fatalf("delete question: %v", err)
		}
	}
	return q
}

// freshQuestion is an unmarked question in the given space and state, for a
// cell whose action changes what it acts on.
func (w *world) freshQuestion(t *testing.T, space, state string) *question {
	t.Helper()
	if space == "archived" {
		w.archive(t, false)
		defer w.archive(t, true)
	}
	return w.newQuestion(t, space, state, false)
}
