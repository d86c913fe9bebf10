package api_test

import (
	"fmt"
	"net/http"
	"testing"

	"practica/internal/api"
	"practica/internal/model"
)

// TestLeaderManagesMembership walks a private space's door through the API:
// a request to join, approval, roles, removal, invitation links and tags.
func TestLeaderManagesMembership(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	priv := "/api/v1/spaces/" + e.PrivateSpace.Slug

	// Bob asks to join; only leaders and staff see and decide requests.
	e.call(t, e.Bob, "POST", priv+"/join", map[string]any{"message": "I study qubits"}, http.StatusOK)
	e.call(t, e.Bob, "GET", priv+"/requests", nil, http.StatusNotFound) // he cannot read the space yet
	e.call(t, nil, "GET", priv+"/requests", nil, http.StatusNotFound)
	reqs := decode[struct{ Requests []api.JoinRequest }](t, e.call(t, e.Alice, "GET", priv+"/requests", nil, http.StatusOK))
	if len(reqs.Requests) != 1 || reqs.Requests[0].User.Username != "bob" || reqs.Requests[0].Message != "I study qubits" {
		t.Fatalf("GET %s/requests as alice: %+v, want bob's one request", priv, reqs.Requests)
	}
	id := reqs.Requests[0].ID
	e.call(t, e.Alice, "POST", fmt.Sprintf("%s/requests/%d/approve", priv, id), nil, http.StatusNoContent)
	e.call(t, e.Alice, "POST", fmt.Sprintf("%s/requests/%d/decline", priv, id), nil, http.StatusNotFound) // already decided
	e.call(t, e.Bob, "GET", "/api/v1/topics?space="+e.PrivateSpace.Slug, nil, http.StatusOK)

	// Roles: a member cannot promote; the leader can; the last leader stays.
	e.call(t, e.Bob, "PUT", priv+"/members/bob", map[string]any{"role": "leader"}, http.StatusForbidden)
	e.call(t, e.Alice, "PUT", priv+"/members/bob", map[string]any{"role": "king"}, http.StatusBadRequest)
	e.call(t, e.Alice, "PUT", priv+"/members/bob", map[string]any{"role": "leader"}, http.StatusNoContent)
	e.call(t, e.Bob, "PUT", priv+"/members/alice", map[string]any{"role": "member"}, http.StatusNoContent)
	e.call(t, e.Bob, "DELETE", priv+"/members/bob", nil, http.StatusConflict) // he is the last leader now
	e.call(t, e.Bob, "DELETE", priv+"/members/alice", nil, http.StatusNoContent)
	e.call(t, e.Bob, "DELETE", priv+"/members/nobody", nil, http.StatusBadRequest)
	e.CheckCounters(t)

	// Invitations: created by a leader, listed without secrets, accepted once, revoked.
	sec := "/api/v1/spaces/" + e.SecretSpace.Slug
	e.call(t, e.Bob, "POST", sec+"/invites", nil, http.StatusNotFound) // he cannot see the secret space
	inv := decode[api.NewInvite](t, e.call(t, e.Alice, "POST", sec+"/invites", nil, http.StatusCreated))
	secret := inv.Path[len("/invite/"):]
	list := decode[struct{ Invites []api.Invite }](t, e.call(t, e.Alice, "GET", sec+"/invites", nil, http.StatusOK))
	if len(list.Invites) != 1 || list.Invites[0].Uses != 0 || list.Invites[0].MaxUses < 1 {
		t.Fatalf("GET %s/invites: %+v, want one unused link", sec, list.Invites)
	}
	e.call(t, nil, "POST", "/api/v1/invites/"+secret+"/accept", nil, http.StatusUnauthorized)
	joined := decode[api.Space](t, e.call(t, e.Bob, "POST", "/api/v1/invites/"+secret+"/accept", nil, http.StatusOK))
	if joined.Slug != e.SecretSpace.Slug || joined.Role != string(model.SpaceMember) {
		t.Errorf("accept invite: space %q role %q, want %q member", joined.Slug, joined.Role, e.SecretSpace.Slug)
	}
	e.call(t, e.Bob, "GET", sec, nil, http.StatusOK)
	e.call(t, e.Alice, "DELETE", fmt.Sprintf("%s/invites/%d", sec, list.Invites[0].ID), nil, http.StatusNoContent)
	e.call(t, e.Mod, "POST", "/api/v1/invites/"+secret+"/accept", nil, http.StatusNotFound)
	e.call(t, e.Alice, "POST", "/api/v1/invites/not-a-real-secret/accept", nil, http.StatusNotFound)
}

// TestListTags counts only topics the viewer may read.
func TestListTags(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.CreateTopic(t, e.Alice, e.PublicSpace, "Open topic")
	e.CreateTopic(t, e.Alice, e.SecretSpace, "Hidden topic")
	for _, tt := range []struct {
		name string
		want int64
		tags []api.Tag
	}{
		{"guest", 1, decode[struct{ Tags []api.Tag }](t, e.call(t, nil, "GET", "/api/v1/tags", nil, http.StatusOK)).Tags},
		{"alice", 2, decode[struct{ Tags []api.Tag }](t, e.call(t, e.Alice, "GET", "/api/v1/tags", nil, http.StatusOK)).Tags},
	} {
		if len(tt.tags) != 1 || tt.tags[0].Name != "testing" || tt.tags[0].TopicCount != tt.want {
			t.Errorf("GET /api/v1/tags as %s: %+v, want testing with %d topics", tt.name, tt.tags, tt.want)
		}
	}
}
