package policy_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/policy"
)

// The matrix below is the permission table of SECURITY.md R9 for the actions
// the policy knows today. Each row names an action, the spaces and topic
// states it covers, which post the action is about, and the outcome for each
// viewer, in this column order:
//
//	guest   signed out
//	unver   signed in, email not confirmed, not in the space
//	member  signed in, confirmed, not in the space
//	smemb   confirmed member of the space
//	leader  leader of the space
//	mod     instance moderator, not in the space
//	admin   instance admin, not in the space
//	reader  confirmed member of the space, through a read-only API token
//
// Outcomes: ok (allowed), 401 (sign in), 403 (Forbidden: visible but not
// allowed), 404 (NotFound: the viewer may not even see it).
//
// Spaces: pub, priv, sec (secret), arch (a public space that is archived).
// States: normal, locked, deleted (the topic is soft-deleted), or "-" for
// actions on the space itself. Posts: "" none, "own" a live reply by the viewer,
// "other" a live reply by someone else, "own-deleted"/"other-deleted" the same
// replies soft-deleted by their author, "own-removed" the viewer's reply
// deleted by a moderator. A guest owns nothing, so "own" is someone else's for them.
var matrix = []struct {
	want   string
	action policy.Action
	spaces string
	states string
	post   string
}{
	// guest unver member smemb leader mod admin reader
	{" ok    ok    ok     ok    ok     ok  ok    ok", policy.ReadSpace, "pub priv arch", "-", ""},
	{" 404   404   404    ok    ok     ok  ok    ok", policy.ReadSpace, "sec", "-", ""},
	{" ok    ok    ok     ok    ok     ok  ok    ok", policy.ReadContent, "pub arch", "-", ""},
	{" 404   404   404    ok    ok     ok  ok    ok", policy.ReadContent, "priv sec", "-", ""},
	{" 401   403   ok     ok    ok     ok  ok    403", policy.CreateTopic, "pub", "-", ""},
	{" 404   404   404    ok    ok     ok  ok    403", policy.CreateTopic, "priv sec", "-", ""},
	{" 401   403   403    403   403    403 403   403", policy.CreateTopic, "arch", "-", ""},
	{" 401   403   403    403   ok     ok  ok    403", policy.ManageSpace, "pub arch", "-", ""},
	{" 404   404   404    403   ok     ok  ok    403", policy.ManageSpace, "priv sec", "-", ""},
	{" 401   ok    ok     ok    ok     ok  ok    403", policy.JoinSpace, "pub priv", "-", ""},
	{" 404   404   404    ok    ok     ok  ok    403", policy.JoinSpace, "sec", "-", ""},
	{" 401   403   403    403   403    403 403   403", policy.JoinSpace, "arch", "-", ""},
	{" 401   403   403    403   403    ok  ok    403", policy.CreateSpace, "-", "-", ""},

	// guest unver member smemb leader mod admin reader
	{" ok    ok    ok     ok    ok     ok  ok    ok", policy.ReadTopic, "pub arch", "normal locked", ""},
	{" 404   404   404    ok    ok     ok  ok    ok", policy.ReadTopic, "priv sec", "normal locked", ""},
	{" 404   404   404    404   ok     ok  ok    404", policy.ReadTopic, "pub priv sec arch", "deleted", ""},

	{" 401   403   ok     ok    ok     ok  ok    403", policy.Reply, "pub", "normal", ""},
	{" 401   403   403    403   ok     ok  ok    403", policy.Reply, "pub", "locked", ""},
	{" 404   404   404    ok    ok     ok  ok    403", policy.Reply, "priv sec", "normal", ""},
	{" 404   404   404    403   ok     ok  ok    403", policy.Reply, "priv sec", "locked", ""},
	{" 404   404   404    404   403    403 403   404", policy.Reply, "pub priv sec", "deleted", ""},
	{" 401   403   403    403   403    403 403   403", policy.Reply, "arch", "normal locked", ""},
	{" 404   404   404    404   403    403 403   404", policy.Reply, "arch", "deleted", ""},

	{" 401   403   403    403   ok     ok  ok    403", policy.ModerateTopic, "pub", "normal locked", ""},
	{" 404   404   404    403   ok     ok  ok    403", policy.ModerateTopic, "priv sec", "normal locked", ""},
	{" 404   404   404    404   ok     ok  ok    404", policy.ModerateTopic, "pub priv sec", "deleted", ""},
	{" 401   403   403    403   403    403 403   403", policy.ModerateTopic, "arch", "normal locked", ""},
	{" 404   404   404    404   403    403 403   404", policy.ModerateTopic, "arch", "deleted", ""},

	// guest unver member smemb leader mod admin reader
	{" ok    ok    ok     ok    ok     ok  ok    ok", policy.ReadPost, "pub arch", "normal locked", "other"},
	{" 404   404   404    ok    ok     ok  ok    ok", policy.ReadPost, "priv sec", "normal locked", "other"},
	{" 404   404   404    404   ok     ok  ok    404", policy.ReadPost, "pub priv sec arch", "deleted", "other"},
	{" 404   404   404    404   ok     ok  ok    404", policy.ReadPost, "pub priv sec arch", "normal locked deleted", "other-deleted"},

	{" 401   403   ok     ok    ok     ok  ok    403", policy.EditPost, "pub", "normal", "own"},
	{" 401   403   403    403   ok     ok  ok    403", policy.EditPost, "pub", "locked", "own"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.EditPost, "priv sec", "normal", "own"},
	{" 404   404   404    403   ok     ok  ok    403", policy.EditPost, "priv sec", "locked", "own"},
	{" 404   404   404    404   ok     ok  ok    404", policy.EditPost, "pub priv sec", "deleted", "own"},
	{" 401   403   403    403   403    403 403   403", policy.EditPost, "arch", "normal locked", "own"},
	{" 404   404   404    404   403    403 403   404", policy.EditPost, "arch", "deleted", "own"},
	{" 404   404   404    404   ok     ok  ok    404", policy.EditPost, "pub priv sec", "normal", "own-deleted"},
	{" 404   404   404    404   403    403 403   404", policy.EditPost, "arch", "normal", "own-deleted"},

	{" 401   403   403    403   ok     ok  ok    403", policy.EditPost, "pub", "normal locked", "other"},
	{" 404   404   404    403   ok     ok  ok    403", policy.EditPost, "priv sec", "normal locked", "other"},
	{" 404   404   404    404   ok     ok  ok    404", policy.EditPost, "pub priv sec", "deleted", "other"},
	{" 401   403   403    403   403    403 403   403", policy.EditPost, "arch", "normal locked", "other"},
	{" 404   404   404    404   403    403 403   404", policy.EditPost, "arch", "deleted", "other"},

	{" 401   ok    ok     ok    ok     ok  ok    403", policy.DeletePost, "pub", "normal", "own"},
	{" 401   403   403    403   ok     ok  ok    403", policy.DeletePost, "pub", "locked", "own"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.DeletePost, "priv sec", "normal", "own"},
	{" 404   404   404    403   ok     ok  ok    403", policy.DeletePost, "priv sec", "locked", "own"},
	{" 404   404   404    404   ok     ok  ok    404", policy.DeletePost, "pub priv sec", "deleted", "own"},
	{" 401   403   403    403   403    403 403   403", policy.DeletePost, "arch", "normal locked", "own"},
	{" 404   404   404    404   403    403 403   404", policy.DeletePost, "arch", "deleted", "own"},

	{" 401   403   403    403   ok     ok  ok    403", policy.DeletePost, "pub", "normal locked", "other"},
	{" 404   404   404    403   ok     ok  ok    403", policy.DeletePost, "priv sec", "normal locked", "other"},
	{" 404   404   404    404   ok     ok  ok    404", policy.DeletePost, "pub priv sec", "deleted", "other"},
	{" 401   403   403    403   403    403 403   403", policy.DeletePost, "arch", "normal locked", "other"},
	{" 404   404   404    404   403    403 403   404", policy.DeletePost, "arch", "deleted", "other"},

	{" 404   ok    ok     ok    ok     ok  ok    403", policy.RestorePost, "pub", "normal", "own-deleted"},
	{" 404   403   403    403   ok     ok  ok    403", policy.RestorePost, "pub", "locked", "own-deleted"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.RestorePost, "priv sec", "normal", "own-deleted"},
	{" 404   404   404    403   ok     ok  ok    403", policy.RestorePost, "priv sec", "locked", "own-deleted"},
	{" 404   404   404    404   ok     ok  ok    404", policy.RestorePost, "pub priv sec", "deleted", "own-deleted"},
	{" 404   403   403    403   403    403 403   403", policy.RestorePost, "arch", "normal locked", "own-deleted"},
	{" 404   404   404    404   403    403 403   404", policy.RestorePost, "arch", "deleted", "own-deleted"},

	// Someone else's deleted post is invisible to non-moderators, so trying to
	// restore it must not reveal that it exists (404, not 403).
	{" 404   404   404    404   ok     ok  ok    404", policy.RestorePost, "pub priv sec", "normal locked deleted", "other-deleted"},
	{" 404   404   404    404   403    403 403   404", policy.RestorePost, "arch", "normal locked deleted", "other-deleted"},
	// What a moderator removed stays removed for its author.
	{" 404   404   404    404   ok     ok  ok    404", policy.RestorePost, "pub priv sec", "normal", "own-removed"},

	// Questions and answers: the topic is a question by someone else, the
	// post an answer by someone else. Voting on one's own post is refused
	// (TestNoSelfVote); the reputation a downvote or a comment needs is the
	// content service's concern.
	// guest unver member smemb leader mod admin reader
	{" 401   403   ok     ok    ok     ok  ok    403", policy.Vote, "pub", "normal", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.Vote, "pub", "locked", "answer"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.Vote, "priv sec", "normal", "answer"},
	{" 404   404   404    403   403    403 403   403", policy.Vote, "priv sec", "locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.Vote, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.Vote, "arch", "normal locked", "answer"},

	// Only the asker (TestAskerAccepts) and those who moderate the space accept.
	{" 401   403   403    403   ok     ok  ok    403", policy.AcceptAnswer, "pub", "normal locked", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.AcceptAnswer, "priv sec", "normal locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.AcceptAnswer, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.AcceptAnswer, "arch", "normal locked", "answer"},

	{" 401   403   ok     ok    ok     ok  ok    403", policy.Comment, "pub", "normal", "answer"},
	{" 401   403   403    403   ok     ok  ok    403", policy.Comment, "pub", "locked", "answer"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.Comment, "priv sec", "normal", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.Comment, "priv sec", "locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.Comment, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.Comment, "arch", "normal locked", "answer"},

	// Suggesting an edit, and reviewing one, follow commenting; the edit
	// privilege (direct edits, reviews) is the content service's concern.
	{" 401   403   ok     ok    ok     ok  ok    403", policy.SuggestEdit, "pub", "normal", "answer"},
	{" 401   403   403    403   ok     ok  ok    403", policy.SuggestEdit, "pub", "locked", "answer"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.SuggestEdit, "priv sec", "normal", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.SuggestEdit, "priv sec", "locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.SuggestEdit, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.SuggestEdit, "arch", "normal locked", "answer"},
	{" 401   403   ok     ok    ok     ok  ok    403", policy.ReviewEdit, "pub", "normal", "answer"},
	{" 401   403   403    403   ok     ok  ok    403", policy.ReviewEdit, "pub", "locked", "answer"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.ReviewEdit, "priv sec", "normal", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.ReviewEdit, "priv sec", "locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.ReviewEdit, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.ReviewEdit, "arch", "normal locked", "answer"},

	// Closing: moderators, and posters with the close privilege (service).
	{" 401   403   ok     ok    ok     ok  ok    403", policy.CloseTopic, "pub", "normal", "answer"},
	{" 401   403   403    403   ok     ok  ok    403", policy.CloseTopic, "pub", "locked", "answer"},
	{" 404   404   404    ok    ok     ok  ok    403", policy.CloseTopic, "priv sec", "normal", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.CloseTopic, "priv sec", "locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.CloseTopic, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.CloseTopic, "arch", "normal locked", "answer"},

	// Inviting members to answer: the asker (TestAskerAccepts) and moderators.
	{" 401   403   403    403   ok     ok  ok    403", policy.InviteAnswer, "pub", "normal locked", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.InviteAnswer, "priv sec", "normal locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.InviteAnswer, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.InviteAnswer, "arch", "normal locked", "answer"},

	// Community wiki: the answer's author (TestAuthorMarksWiki) and moderators.
	{" 401   403   403    403   ok     ok  ok    403", policy.MarkWiki, "pub", "normal locked", "answer"},
	{" 404   404   404    403   ok     ok  ok    403", policy.MarkWiki, "priv sec", "normal locked", "answer"},
	{" 404   404   404    404   403    403 403   404", policy.MarkWiki, "pub priv sec arch", "deleted", "answer"},
	{" 401   403   403    403   403    403 403   403", policy.MarkWiki, "arch", "normal locked", "answer"},
}

// otherAuthor is the id of the person who wrote "other" posts and every topic.
const (
	otherAuthor = 99
	moderatorID = 98 // a moderator who is none of the columns
)

type column struct {
	name   string
	viewer model.Viewer
	role   model.SpaceRole // role in the space under test
}

func columns() []column {
	verified := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	user := func(id int64, role model.Role, ok bool) *model.User {
		u := &model.User{ID: id, Username: fmt.Sprintf("u%d", id), Role: role, Status: model.StatusActive}
		if ok {
			u.EmailVerifiedAt = &verified
		}
		return u
	}
	return []column{
		{"guest", model.Viewer{}, model.SpaceNone},
		{"unver", model.Viewer{User: user(2, model.RoleMember, false)}, model.SpaceNone},
		{"member", model.Viewer{User: user(3, model.RoleMember, true)}, model.SpaceNone},
		{"smemb", model.Viewer{User: user(4, model.RoleMember, true)}, model.SpaceMember},
		{"leader", model.Viewer{User: user(5, model.RoleMember, true)}, model.SpaceLeader},
		{"mod", model.Viewer{User: user(6, model.RoleModerator, true)}, model.SpaceNone},
		{"admin", model.Viewer{User: user(7, model.RoleAdmin, true)}, model.SpaceNone},
		{"reader", model.Viewer{User: user(8, model.RoleMember, true), Scope: model.ScopeRead}, model.SpaceMember},
	}
}

var (
	allSpaces = []string{"pub", "priv", "sec", "arch"}
	allStates = []string{"normal", "locked", "deleted"}
)

func space(name string) model.Space {
	archived := time.Date(2025, 2, 1, 0, 0, 0, 0, time.UTC)
	switch name {
	case "pub":
		return model.Space{ID: 1, Slug: "pub", Visibility: model.Public}
	case "priv":
		return model.Space{ID: 2, Slug: "priv", Visibility: model.Private}
	case "sec":
		return model.Space{ID: 3, Slug: "sec", Visibility: model.Secret}
	case "arch":
		return model.Space{ID: 4, Slug: "arch", Visibility: model.Public, ArchivedAt: &archived}
	}
	panic("unknown space " + name)
}

func topic(state string) *model.Topic {
	at := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	t := &model.Topic{ID: 10, SpaceID: 1, AuthorID: otherAuthor, Title: "A topic", State: "published"}
	switch state {
	case "normal":
	case "locked":
		t.LockedAt = &at
	case "deleted":
		t.DeletedAt = &at
	default:
		panic("unknown state " + state)
	}
	return t
}

func post(kind string, v model.Viewer) *model.Post {
	at := time.Date(2025, 3, 2, 0, 0, 0, 0, time.UTC)
	p := &model.Post{ID: 20, TopicID: 10, AuthorID: otherAuthor, Kind: model.PostReply}
	if strings.HasPrefix(kind, "own") && !v.Guest() {
		p.AuthorID = v.UserID()
	}
	switch {
	case strings.HasSuffix(kind, "-deleted"): // deleted by its own author
		p.DeletedAt, p.DeletedBy = &at, p.AuthorID
	case strings.HasSuffix(kind, "-removed"): // deleted by a moderator
		p.DeletedAt, p.DeletedBy = &at, moderatorID
	}
	return p
}

// subject builds the policy subject of one matrix cell.
func subject(c column, spaceName, state, postKind string) policy.Subject {
	if spaceName == "-" {
		return policy.Subject{}
	}
	s := policy.Subject{Space: space(spaceName), Role: c.role}
	if state != "-" {
		s.Topic = topic(state)
		s.Topic.SpaceID = s.Space.ID
	}
	if postKind == "answer" {
		s.Topic.Kind = model.KindQuestion
		s.Post = post("other", c.viewer)
		s.Post.Kind = model.PostAnswer
	} else if postKind != "" {
		s.Post = post(postKind, c.viewer)
	}
	return s
}

// outcome turns a Check result into the matrix's vocabulary.
func outcome(err error) string {
	if err == nil {
		return "ok"
	}
	switch apperr.KindOf(err) {
	case apperr.Unauthenticated:
		return "401"
	case apperr.Forbidden:
		return "403"
	case apperr.NotFound:
		return "404"
	}
	return fmt.Sprintf("unexpected kind %d (%v)", apperr.KindOf(err), err)
}

var actionNames = map[policy.Action]string{
	policy.ReadSpace: "ReadSpace", policy.ReadContent: "ReadContent", policy.ReadTopic: "ReadTopic", policy.ReadPost: "ReadPost",
	policy.CreateSpace: "CreateSpace", policy.ManageSpace: "ManageSpace", policy.JoinSpace: "JoinSpace", policy.CreateTopic: "CreateTopic",
	policy.Reply: "Reply", policy.EditPost: "EditPost", policy.DeletePost: "DeletePost", policy.RestorePost: "RestorePost",
	policy.ModerateTopic: "ModerateTopic", policy.Vote: "Vote", policy.AcceptAnswer: "AcceptAnswer", policy.Comment: "Comment",
	policy.SuggestEdit: "SuggestEdit", policy.ReviewEdit: "ReviewEdit", policy.CloseTopic: "CloseTopic", policy.MarkWiki: "MarkWiki", policy.InviteAnswer: "InviteAnswer",
}

func TestCheckMatrix(t *testing.T) {
	cols := columns()
	for _, row := range matrix {
		want := strings.Fields(row.want)
		if len(want) != len(cols) {
			t.Fatalf("matrix row %s %q %q %q has %d outcomes, want %d", actionNames[row.action], row.spaces, row.states, row.post, len(want), len(cols))
		}
		for _, sp := range strings.Fields(row.spaces) {
			for _, st := range strings.Fields(row.states) {
				for i, c := range cols {
					sub := subject(c, sp, st, row.post)
					got := outcome(policy.Check(c.viewer, row.action, sub))
					if got != want[i] {
						t.Errorf("Check(%s, %s, space=%s state=%s post=%q) = %s, want %s",
							c.name, actionNames[row.action], sp, st, row.post, got, want[i])
					}
					if can := policy.Can(c.viewer, row.action, sub); can != (want[i] == "ok") {
						t.Errorf("Can(%s, %s, space=%s state=%s post=%q) = %v, want %v", c.name, actionNames[row.action], sp, st, row.post, can, want[i] == "ok")
					}
				}
			}
		}
	}
}

// TestMatrixCoversEveryCell makes sure the table above is complete: every
// action appears, and each (action, post) group covers every space and state
// exactly once.
func TestMatrixCoversEveryCell(t *testing.T) {
	type key struct {
		action policy.Action
		post   string
	}
	cells := map[key]map[string]int{}
	for _, row := range matrix {
		k := key{row.action, row.post}
		if cells[k] == nil {
			cells[k] = map[string]int{}
		}
		for _, sp := range strings.Fields(row.spaces) {
			for _, st := range strings.Fields(row.states) {
				cells[k][sp+"/"+st]++
			}
		}
	}
	for a, name := range actionNames {
		found := false
		for k := range cells {
			found = found || k.action == a
		}
		if !found {
			t.Errorf("matrix has no row for %s", name)
		}
	}
	for k, got := range cells {
		var want []string
		switch {
		case k.action == policy.CreateSpace:
			want = []string{"-/-"}
		case got["pub/-"] > 0:
			for _, sp := range allSpaces {
				want = append(want, sp+"/-")
			}
		default:
			for _, sp := range allSpaces {
				for _, st := range allStates {
					want = append(want, sp+"/"+st)
				}
			}
		}
		if (k.post == "own-deleted" && k.action == policy.EditPost) || k.post == "own-removed" {
			want = []string{"pub/normal", "priv/normal", "sec/normal", "arch/normal"} // a spot check, not a full block
			if k.post == "own-removed" {
				want = want[:3]
			}
		}
		for _, cell := range want {
			if got[cell] != 1 {
				t.Errorf("matrix: %s post=%q covers %s %d times, want once", actionNames[k.action], k.post, cell, got[cell])
			}
		}
		if len(got) != len(want) {
			t.Errorf("matrix: %s post=%q covers %d cells, want %d", actionNames[k.action], k.post, len(got), len(want))
		}
	}
}

// TestInvisibleMeansNotFound checks the rule behind the matrix for every
// action on every subject: whoever cannot read a topic gets NotFound for
// everything about it, never Forbidden, so nothing betrays that it exists.
func TestInvisibleMeansNotFound(t *testing.T) {
	topicActions := []policy.Action{policy.ReadTopic, policy.ReadPost, policy.Reply, policy.EditPost, policy.DeletePost, policy.RestorePost, policy.ModerateTopic,
		policy.Vote, policy.AcceptAnswer, policy.Comment, policy.SuggestEdit, policy.ReviewEdit, policy.CloseTopic, policy.MarkWiki, policy.InviteAnswer}
	for _, c := range columns() {
		for _, sp := range allSpaces {
			for _, st := range allStates {
				for _, pk := range []string{"own", "other", "own-deleted", "other-deleted", "own-removed", "answer"} {
					sub := subject(c, sp, st, pk)
					read := policy.Check(c.viewer, policy.ReadTopic, subject(c, sp, st, ""))
					if apperr.KindOf(read) != apperr.NotFound {
						continue
					}
					for _, a := range topicActions {
						if err := policy.Check(c.viewer, a, sub); apperr.KindOf(err) != apperr.NotFound {
							t.Errorf("Check(%s, %s, space=%s state=%s post=%s) = %s, but ReadTopic is 404: want 404", c.name, actionNames[a], sp, st, pk, outcome(err))
						}
					}
				}
			}
		}
	}
}

// TestPendingTopic: a topic waiting for approval is visible to its author and
// to moderators only.
func TestPendingTopic(t *testing.T) {
	for _, c := range columns() {
		sub := subject(c, "pub", "normal", "")
		sub.Topic.State = "pending"
		got := outcome(policy.Check(c.viewer, policy.ReadTopic, sub))
		want := "404"
		if c.name == "leader" || c.name == "mod" || c.name == "admin" {
			want = "ok"
		}
		if got != want {
			t.Errorf("Check(%s, ReadTopic, pending topic by someone else) = %s, want %s", c.name, got, want)
		}
		if c.viewer.Guest() {
			continue
		}
		sub.Topic.AuthorID = c.viewer.UserID()
		if got := outcome(policy.Check(c.viewer, policy.ReadTopic, sub)); got != "ok" {
			t.Errorf("Check(%s, ReadTopic, own pending topic) = %s, want ok", c.name, got)
		}
	}
}

func TestScopeAndUserManagement(t *testing.T) {
	cols := columns()
	byName := map[string]model.Viewer{}
	for _, c := range cols {
		byName[c.name] = c.viewer
	}
	adminReadToken := byName["admin"]
	adminReadToken.Scope = model.ScopeRead
	adminWriteToken := byName["admin"]
	adminWriteToken.Scope = model.ScopeWrite
	tests := []struct {
		name        string
		v           model.Viewer
		wantScope   policy.Scope
		wantManages bool
	}{
		{"guest", byName["guest"], policy.Scope{}, false},
		{"member", byName["member"], policy.Scope{UserID: 3}, false},
		{"moderator", byName["mod"], policy.Scope{UserID: 6, All: true}, false},
		{"admin", byName["admin"], policy.Scope{UserID: 7, All: true}, true},
		{"admin with a write token", adminWriteToken, policy.Scope{UserID: 7, All: true}, true},
		{"admin with a read token", adminReadToken, policy.Scope{UserID: 7, All: true}, false},
	}
	for _, tt := range tests {
		if got := policy.ScopeOf(tt.v); got != tt.wantScope {
			t.Errorf("ScopeOf(%s) = %+v, want %+v", tt.name, got, tt.wantScope)
		}
		if got := policy.CanManageUsers(tt.v); got != tt.wantManages {
			t.Errorf("CanManageUsers(%s) = %v, want %v", tt.name, got, tt.wantManages)
		}
	}
	// A read-only token never writes, whoever holds it: not even an admin may
	// create a space through one.
	if got := outcome(policy.Check(adminReadToken, policy.CreateSpace, policy.Subject{})); got != "403" {
		t.Errorf("Check(admin read token, CreateSpace) = %s, want 403", got)
	}
	if got := outcome(policy.Check(adminReadToken, policy.ReadTopic, subject(column{viewer: adminReadToken}, "sec", "normal", ""))); got != "ok" {
		t.Errorf("Check(admin read token, ReadTopic in secret space) = %s, want ok", got)
	}
}

// TestAuthorDeletesOwnTopic: an author may delete their own topic only while
// nobody has replied; after that, only moderators may, so others' replies do
// not vanish with it.
func TestAuthorDeletesOwnTopic(t *testing.T) {
	author := model.User{ID: 7, Role: model.RoleMember, Status: model.StatusActive}
	now := time.Now()
	author.EmailVerifiedAt = &now
	v := model.Viewer{User: &author}
	sp := model.Space{ID: 1, Visibility: model.Public}
	for _, tt := range []struct {
		replies int64
		want    string
	}{{0, "ok"}, {1, "403"}} {
		tp := &model.Topic{ID: 1, SpaceID: 1, AuthorID: 7, State: "published", ReplyCount: tt.replies}
		opening := &model.Post{ID: 1, TopicID: 1, AuthorID: 7, Kind: model.PostOpening}
		got := outcome(policy.Check(v, policy.DeletePost, policy.Subject{Space: sp, Topic: tp, Post: opening}))
		if got != tt.want {
			t.Errorf("author deletes own topic with %d replies: %s, want %s", tt.replies, got, tt.want)
		}
	}
}

// TestNoSelfVote: nobody votes on their own question or answer, whatever
// their role.
func TestNoSelfVote(t *testing.T) {
	for _, c := range columns()[1:] {
		for _, kind := range []model.PostKind{model.PostOpening, model.PostAnswer} {
			sub := subject(c, "pub", "normal", "answer")
			sub.Post.Kind, sub.Post.AuthorID = kind, c.viewer.UserID()
			want := "403"
			if got := outcome(policy.Check(c.viewer, policy.Vote, sub)); got != want {
				t.Errorf("Check(%s, Vote, own %s) = %s, want %s", c.name, kind, got, want)
			}
		}
	}
}

// TestAskerAccepts: the person who asked accepts answers to their question,
// in any space they can read, unless the topic is locked.
func TestAskerAccepts(t *testing.T) {
	for _, c := range columns()[1:] {
		for _, st := range []string{"normal", "locked"} {
			sub := subject(c, "pub", st, "answer")
			sub.Topic.AuthorID = c.viewer.UserID()
			want := "ok"
			switch {
			case c.name == "reader":
				want = "403"
			case c.name == "unver":
				want = "403"
			case st == "locked" && !policy.Moderates(c.viewer, sub):
				want = "403"
			}
			if got := outcome(policy.Check(c.viewer, policy.AcceptAnswer, sub)); got != want {
				t.Errorf("Check(%s, AcceptAnswer, own question, %s) = %s, want %s", c.name, st, got, want)
			}
			if c.name == "unver" && st == "normal" {
				want = "ok" // inviting others needs no confirmed address: it posts nothing
			}
			if got := outcome(policy.Check(c.viewer, policy.InviteAnswer, sub)); got != want {
				t.Errorf("Check(%s, InviteAnswer, own question, %s) = %s, want %s", c.name, st, got, want)
			}
		}
	}
}

// TestAuthorMarksWiki: an answer's author may make it community wiki, unless
// the topic is locked; nobody may on a question or a discussion reply.
func TestAuthorMarksWiki(t *testing.T) {
	for _, c := range columns()[1:] {
		for _, st := range []string{"normal", "locked"} {
			sub := subject(c, "pub", st, "answer")
			sub.Post.AuthorID = c.viewer.UserID()
			want := "ok"
			if c.name == "reader" || (st == "locked" && !policy.Moderates(c.viewer, sub)) {
				want = "403"
			}
			if got := outcome(policy.Check(c.viewer, policy.MarkWiki, sub)); got != want {
				t.Errorf("Check(%s, MarkWiki, own answer, %s) = %s, want %s", c.name, st, got, want)
			}
			sub.Post.Kind = model.PostOpening
			if got := outcome(policy.Check(c.viewer, policy.MarkWiki, sub)); got != "403" {
				t.Errorf("Check(%s, MarkWiki, own question, %s) = %s, want 403", c.name, st, got)
			}
		}
	}
}
