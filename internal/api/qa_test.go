package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"practica/internal/api"
	"practica/internal/model"
)

func TestQuestionsOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	carol := e.NewUser(t, "carol", model.RoleMember)
	rec := e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "question", "title": "How do I reset a qubit?", "body": "Mid-circuit."}, http.StatusCreated)
	q := decode[api.TopicDetail](t, rec)
	qPost := q.Posts[0].ID
	ans := decode[api.Post](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "Measure, then flip if one."}, http.StatusCreated))
	if ans.Kind != "answer" {
		t.Fatalf("reply to a question has kind %q", ans.Kind)
	}

	// Votes: up, repeat (no change), own post refused, bad value, guest.
	voteURL := fmt.Sprintf("/api/v1/posts/%d/vote", ans.ID)
	for range 2 {
		got := decode[api.VoteResult](t, e.call(t, carol, "POST", voteURL, map[string]any{"value": 1}, http.StatusOK))
		if got.Score != 1 || got.Vote != 1 {
			t.Errorf("vote: %+v, want score 1 and vote 1", got)
		}
	}
	e.call(t, e.Alice, "POST", voteURL, map[string]any{"value": 1}, http.StatusForbidden)
	wantFields(t, e.call(t, carol, "POST", voteURL, map[string]any{"value": 5}, http.StatusBadRequest), "value")
	e.call(t, carol, "POST", voteURL, map[string]any{"value": -1}, http.StatusForbidden) // below the downvote privilege
	e.call(t, nil, "POST", voteURL, map[string]any{"value": 1}, http.StatusUnauthorized)
	e.call(t, carol, "POST", "/api/v1/posts/99999999/vote", map[string]any{"value": 1}, http.StatusNotFound)
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", qPost), map[string]any{"value": 1}, http.StatusOK)

	// Accept: a third person may not; the asker may; the topic reports it.
	acceptURL := fmt.Sprintf("/api/v1/topics/%d/accept", q.ID)
	e.call(t, carol, "POST", acceptURL, map[string]any{"post_id": ans.ID}, http.StatusForbidden)
	wantFields(t, e.call(t, e.Bob, "POST", acceptURL, map[string]any{}, http.StatusBadRequest), "post_id")
	got := decode[api.TopicDetail](t, e.call(t, e.Bob, "POST", acceptURL, map[string]any{"post_id": ans.ID}, http.StatusOK))
	if got.AcceptedPostID != ans.ID || len(got.Posts) != 2 || !got.Posts[1].Accepted || got.Posts[1].Score != 1 {
		t.Errorf("after accepting: accepted %d, posts %+v", got.AcceptedPostID, got.Posts)
	}
	user := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/alice", nil, http.StatusOK))
	if user.Reputation != 25 {
		t.Errorf("Alice's reputation = %d, want 25 (upvote 10 + accepted 15)", user.Reputation)
	}
	hist := decode[struct {
		Reputation int64                 `json:"reputation"`
		Events     []api.ReputationEvent `json:"events"`
	}](t, e.call(t, nil, "GET", "/api/v1/users/alice/reputation", nil, http.StatusOK))
	if hist.Reputation != 25 || len(hist.Events) != 2 || hist.Events[0].Reason != "answer_accepted" || hist.Events[0].TopicID != q.ID {
		t.Errorf("Alice's history: %+v", hist)
	}

	// Comments: the asker comments on an answer; the list and the topic show it.
	c := decode[api.Post](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", ans.ID), map[string]any{"body": "That did it, thank you."}, http.StatusCreated))
	if c.Kind != "comment" || c.ParentID != ans.ID {
		t.Errorf("comment: kind %q parent %d", c.Kind, c.ParentID)
	}
	wantFields(t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", ans.ID), map[string]any{"body": "short"}, http.StatusBadRequest), "body")
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", ans.ID), map[string]any{"body": "I have no privilege here."}, http.StatusForbidden)
	list := decode[struct {
		Comments []api.Post `json:"comments"`
	}](t, e.call(t, nil, "GET", fmt.Sprintf("/api/v1/posts/%d/comments", ans.ID), nil, http.StatusOK))
	if len(list.Comments) != 1 || list.Comments[0].ID != c.ID {
		t.Errorf("comments: %+v", list.Comments)
	}
	page := decode[api.TopicDetail](t, e.call(t, carol, "GET", fmt.Sprintf("/api/v1/topics/%d?answers=newest", q.ID), nil, http.StatusOK))
	if page.Answers != "newest" || page.Page != 1 || len(page.Posts[1].Comments) != 1 || page.Posts[0].Vote != 1 {
		t.Errorf("topic page: answers %q page %d, posts %+v", page.Answers, page.Page, page.Posts)
	}
	wantFields(t, e.call(t, carol, "GET", fmt.Sprintf("/api/v1/topics/%d?answers=loudest", q.ID), nil, http.StatusBadRequest), "answers")

	// Lists by sort; unaccept.
	unanswered := decode[api.TopicList](t, e.call(t, nil, "GET", "/api/v1/topics?kind=question&sort=unanswered", nil, http.StatusOK))
	if len(unanswered.Topics) != 0 {
		t.Errorf("unanswered lists %v", titles(unanswered.Topics))
	}
	wantFields(t, e.call(t, nil, "GET", "/api/v1/topics?sort=loudest", nil, http.StatusBadRequest), "sort")
	got = decode[api.TopicDetail](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/unaccept", q.ID), nil, http.StatusOK))
	if got.AcceptedPostID != 0 {
		t.Errorf("after unaccept: accepted %d", got.AcceptedPostID)
	}

	// Privileges: a guest holds none; staff hold all.
	privs := decode[struct {
		Privileges []api.Privilege      `json:"privileges"`
		Rules      []api.ReputationRule `json:"rules"`
	}](t, e.call(t, e.Mod, "GET", "/api/v1/privileges", nil, http.StatusOK))
	for _, p := range privs.Privileges {
		if !p.Held {
			t.Errorf("moderator does not hold %s", p.Key)
		}
	}
	if len(privs.Rules) != 6 {
		t.Errorf("rules: %+v", privs.Rules)
	}
}

// TestQAInPrivateSpaces: votes, accepts, comments and reputation history
// never reach into a space the caller cannot read.
func TestQAInPrivateSpaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	rec := e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PrivateSpace.Slug, "kind": "question", "title": "A private question", "body": "Members only."}, http.StatusCreated)
	q := decode[api.TopicDetail](t, rec)
	qPost := q.Posts[0].ID
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", qPost), map[string]any{"value": 1}, http.StatusNotFound)
	e.call(t, e.Bob, "GET", fmt.Sprintf("/api/v1/posts/%d/comments", qPost), nil, http.StatusNotFound)
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", qPost), map[string]any{"body": "Let me in, please."}, http.StatusNotFound)
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/unaccept", q.ID), nil, http.StatusNotFound)
	e.call(t, nil, "POST", fmt.Sprintf("/api/v1/topics/%d/accept", q.ID), map[string]any{"post_id": qPost}, http.StatusNotFound)

	// A member votes; the history shows the title to members only.
	e.AddMember(t, e.PrivateSpace, e.Bob, model.SpaceMember)
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", qPost), map[string]any{"value": 1}, http.StatusOK)
	type history struct {
		Events []api.ReputationEvent `json:"events"`
	}
	outside := decode[history](t, e.call(t, nil, "GET", "/api/v1/users/alice/reputation", nil, http.StatusOK))
	if len(outside.Events) != 1 || outside.Events[0].Title != "" || outside.Events[0].PostID != 0 || outside.Events[0].Delta != 5 {
		t.Errorf("guest sees Alice's history as %+v, want one +5 row without its topic", outside.Events)
	}
	inside := decode[history](t, e.call(t, e.Bob, "GET", "/api/v1/users/alice/reputation", nil, http.StatusOK))
	if len(inside.Events) != 1 || inside.Events[0].Title != "A private question" {
		t.Errorf("member sees Alice's history as %+v, want the topic", inside.Events)
	}
}
