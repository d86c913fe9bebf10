package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"practica/internal/api"
	"practica/internal/model"
)

func TestCurationOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	carol := e.NewUser(t, "carol", model.RoleMember)
	q := decode[api.TopicDetail](t, e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "question", "title": "What is a magic state?", "body": "Short question."}, http.StatusCreated))
	ans := decode[api.Post](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "A resource for T gates."}, http.StatusCreated))
	postURL := fmt.Sprintf("/api/v1/posts/%d", ans.ID)

	// Carol suggests (202); the queue shows it to the moderator; approval saves it.
	sugg := decode[api.SuggestedEdit](t, e.call(t, carol, "PATCH", postURL, map[string]any{"body": "A resource state that makes T gates possible.", "reason": "fuller"}, http.StatusAccepted))
	if sugg.Status != "pending" || sugg.PostID != ans.ID {
		t.Errorf("suggestion: %+v", sugg)
	}
	e.call(t, carol, "PATCH", postURL, map[string]any{"body": "Another try."}, http.StatusConflict)
	queue := decode[struct {
		Edits []api.SuggestedEdit `json:"edits"`
	}](t, e.call(t, e.Mod, "GET", "/api/v1/suggested-edits", nil, http.StatusOK))
	if len(queue.Edits) != 1 || queue.Edits[0].ID != sugg.ID {
		t.Fatalf("queue: %+v", queue.Edits)
	}
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/suggested-edits/%d/approve", sugg.ID), nil, http.StatusForbidden)
	e.call(t, e.Mod, "POST", fmt.Sprintf("/api/v1/suggested-edits/%d/approve", sugg.ID), nil, http.StatusOK)
	e.call(t, e.Mod, "POST", fmt.Sprintf("/api/v1/suggested-edits/%d/reject", sugg.ID), nil, http.StatusConflict)
	if got := decode[api.Post](t, e.call(t, nil, "GET", postURL, nil, http.StatusOK)); got.Body != "A resource state that makes T gates possible." || got.Revision != 2 {
		t.Errorf("after approval: %+v", got)
	}
	e.call(t, e.Mod, "POST", "/api/v1/suggested-edits/99/approve", nil, http.StatusNotFound)

	// Rollback by the author.
	got := decode[api.Post](t, e.call(t, e.Alice, "POST", postURL+"/rollback", map[string]any{"revision": 1}, http.StatusOK))
	if got.Body != "A resource for T gates." || got.Revision != 3 {
		t.Errorf("after rollback: %+v", got)
	}
	e.call(t, carol, "POST", postURL+"/rollback", map[string]any{"revision": 2}, http.StatusForbidden)

	// Wiki by the author; close and reopen by the leader.
	if got := decode[api.Post](t, e.call(t, e.Alice, "PUT", postURL+"/wiki", nil, http.StatusOK)); got.WikiAt == nil {
		t.Errorf("wiki not set: %+v", got)
	}
	e.call(t, carol, "DELETE", postURL+"/wiki", nil, http.StatusForbidden)
	wantFields(t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/close", q.ID), map[string]any{"reason": "boring"}, http.StatusBadRequest), "reason")
	closed := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/close", q.ID), map[string]any{"reason": "needs-details"}, http.StatusOK))
	if closed.ClosedAt == nil || closed.CloseReason != "needs-details" {
		t.Errorf("close: %+v", closed.Topic)
	}
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "A late answer."}, http.StatusForbidden)
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/topics/%d/reopen", q.ID), nil, http.StatusForbidden)
	if got := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/reopen", q.ID), nil, http.StatusOK)); got.ClosedAt != nil {
		t.Errorf("reopen: %+v", got.Topic)
	}
}

func TestBadgesLeaderboardInvitesOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	q := decode[api.TopicDetail](t, e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "question", "title": "Who knows surface codes?", "body": "Asking the experts."}, http.StatusCreated))
	ans := decode[api.Post](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": "I do."}, http.StatusCreated))
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/posts/%d/vote", ans.ID), map[string]any{"value": 1}, http.StatusOK)
	if _, err := e.App.Content.AwardBadges(t.Context()); err != nil {
		t.Fatal(err)
	}
	list := decode[struct {
		Badges []api.Badge `json:"badges"`
	}](t, e.call(t, nil, "GET", "/api/v1/badges", nil, http.StatusOK))
	if len(list.Badges) == 0 {
		t.Fatal("no badges listed")
	}
	mine := decode[struct {
		Awards []api.BadgeAward `json:"awards"`
	}](t, e.call(t, nil, "GET", "/api/v1/users/alice/badges", nil, http.StatusOK))
	if len(mine.Awards) != 2 { // first-answer, teacher
		t.Errorf("Alice's badges: %+v", mine.Awards)
	}
	e.call(t, nil, "GET", "/api/v1/badges/teacher", nil, http.StatusOK)
	e.call(t, nil, "GET", "/api/v1/badges/nope", nil, http.StatusNotFound)

	board := decode[struct {
		Period  string `json:"period"`
		Leaders []struct {
			User   api.UserRef `json:"user"`
			Points int64       `json:"points"`
		} `json:"leaders"`
	}](t, e.call(t, nil, "GET", "/api/v1/leaderboard?period=week", nil, http.StatusOK))
	if len(board.Leaders) != 1 || board.Leaders[0].User.Username != "alice" || board.Leaders[0].Points != 10 {
		t.Errorf("leaderboard: %+v", board)
	}
	wantFields(t, e.call(t, nil, "GET", "/api/v1/leaderboard?period=decade", nil, http.StatusBadRequest), "period")
	e.call(t, nil, "GET", "/api/v1/leaderboard?space="+e.PrivateSpace.Slug, nil, http.StatusNotFound)

	// Invitations: the asker invites; a stranger may not.
	stranger := e.NewUser(t, "stranger", model.RoleMember)
	e.call(t, stranger, "POST", fmt.Sprintf("/api/v1/topics/%d/invites", q.ID), map[string]any{"usernames": []string{"mod"}}, http.StatusForbidden)
	got := decode[struct {
		Users []api.UserRef `json:"users"`
	}](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/invites", q.ID), map[string]any{"usernames": []string{"mod", "admin"}}, http.StatusCreated))
	if len(got.Users) != 2 {
		t.Errorf("invited: %+v", got.Users)
	}
	wantFields(t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/invites", q.ID), map[string]any{"usernames": []string{"ghost"}}, http.StatusBadRequest), "usernames")
	e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d/invites", q.ID), nil, http.StatusOK)

	// Only admins change the rules.
	e.call(t, e.Mod, "PUT", "/api/v1/privileges", map[string]any{"settings": map[string]any{"privilege.downvote": 1}}, http.StatusForbidden)
	wantFields(t, e.call(t, e.Admin, "PUT", "/api/v1/privileges", map[string]any{"settings": map[string]any{"privilege.flying": 1}}, http.StatusBadRequest), "privilege.flying")
	e.call(t, e.Admin, "PUT", "/api/v1/privileges", map[string]any{"settings": map[string]any{"reputation.answer_upvote": 20}}, http.StatusOK)
	if u := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/alice", nil, http.StatusOK)); u.Reputation != 20 {
		t.Errorf("Alice after the rule change: %d, want 20", u.Reputation)
	}
}
