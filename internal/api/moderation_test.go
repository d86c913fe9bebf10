package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"practica/internal/api"
	"practica/internal/model"
	"practica/internal/testenv"
)

func TestModerateTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "To be moderated")
	priv := e.CreateTopic(t, e.Alice, e.PrivateSpace, "Private, moderated")
	roAlice := readOnly(t, e, e.Alice)
	tests := []struct {
		name       string
		as         *testenv.User
		topic      int64
		action     string
		wantStatus int
		pinned     bool
		locked     bool
	}{
		{"leader pins", e.Alice, tp.ID, "pin", http.StatusOK, true, false},
		{"leader locks", e.Alice, tp.ID, "lock", http.StatusOK, true, true},
		{"leader unpins", e.Alice, tp.ID, "unpin", http.StatusOK, false, true},
		{"moderator unlocks", e.Mod, tp.ID, "unlock", http.StatusOK, false, false},
		{"admin pins", e.Admin, tp.ID, "pin", http.StatusOK, true, false},
		{"member may not pin", e.Bob, tp.ID, "unpin", http.StatusForbidden, false, false},
		{"member may not lock", e.Bob, tp.ID, "lock", http.StatusForbidden, false, false},
		{"guest must sign in", nil, tp.ID, "lock", http.StatusUnauthorized, false, false},
		{"read-only token may not", roAlice, tp.ID, "lock", http.StatusForbidden, false, false},
		{"private topic is 404 to non-members", e.Bob, priv.ID, "pin", http.StatusNotFound, false, false},
		{"private topic is 404 to guests", nil, priv.ID, "lock", http.StatusNotFound, false, false},
		{"no such topic", e.Alice, 99999999, "pin", http.StatusNotFound, false, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := fmt.Sprintf("/api/v1/topics/%d/%s", tt.topic, tt.action)
			rec := e.call(t, tt.as, "POST", path, nil, tt.wantStatus)
			if tt.wantStatus != http.StatusOK {
				return
			}
			got := decode[api.TopicDetail](t, rec)
			if (got.PinnedAt != nil) != tt.pinned || (got.LockedAt != nil) != tt.locked || len(got.Posts) == 0 {
				t.Errorf("POST %s as %s: pinned_at %v locked_at %v posts %d, want pinned %v locked %v and the posts", path, who(tt.as), got.PinnedAt, got.LockedAt, len(got.Posts), tt.pinned, tt.locked)
			}
		})
	}
}

func TestLockedTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Soon locked")
	bobs := e.Reply(t, e.Bob, tp.ID, "Bob's early reply")
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/lock", tp.ID), nil, http.StatusOK)
	replies := fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID)
	tests := []struct {
		name       string
		as         *testenv.User
		method     string
		path       string
		body       any
		wantStatus int
	}{
		{"member cannot reply", e.Bob, "POST", replies, map[string]any{"body": "Wait!"}, http.StatusForbidden},
		{"member cannot edit their reply", e.Bob, "PATCH", fmt.Sprintf("/api/v1/posts/%d", bobs.ID), map[string]any{"body": "Edited"}, http.StatusForbidden},
		{"member cannot delete their reply", e.Bob, "DELETE", fmt.Sprintf("/api/v1/posts/%d", bobs.ID), nil, http.StatusForbidden},
		{"leader may reply", e.Alice, "POST", replies, map[string]any{"body": "Closing note"}, http.StatusCreated},
		{"moderator may reply", e.Mod, "POST", replies, map[string]any{"body": "Agreed"}, http.StatusCreated},
		{"everyone may still read", nil, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, tt.method, tt.path, tt.body, tt.wantStatus)
			if tt.method == "POST" && tt.wantStatus == http.StatusForbidden && !strings.Contains(strings.ToLower(errorOf(t, rec).Error.Message), "locked") {
				t.Errorf("%s %s as %s: message %q, want it to say the topic is locked", tt.method, tt.path, who(tt.as), errorOf(t, rec).Error.Message)
			}
		})
	}
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/unlock", tp.ID), nil, http.StatusOK)
	e.call(t, e.Bob, "POST", replies, map[string]any{"body": "Now I can"}, http.StatusCreated)
}

func TestMoveTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	otherPublic := e.NewSpace(t, e.Mod, "Mod Public", model.Public)
	otherPrivate := e.NewSpace(t, e.Mod, "Mod Private", model.Private)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Wandering topic")
	path := fmt.Sprintf("/api/v1/topics/%d/move", tp.ID)
	tests := []struct {
		name       string
		as         *testenv.User
		body       any
		wantStatus int
		wantSpace  string
		wantFields []string
	}{
		{"member may not move", e.Bob, map[string]any{"space": otherPublic.Slug}, http.StatusForbidden, "", nil},
		{"guest must sign in", nil, map[string]any{"space": otherPublic.Slug}, http.StatusUnauthorized, "", nil},
		{"to the space it is in", e.Alice, map[string]any{"space": e.PublicSpace.Slug}, http.StatusBadRequest, "", []string{"space"}},
		{"to a private space the leader is not in", e.Alice, map[string]any{"space": otherPrivate.Slug}, http.StatusBadRequest, "", []string{"space"}},
		{"to a space that does not exist", e.Alice, map[string]any{"space": "no-such-space"}, http.StatusBadRequest, "", []string{"space"}},
		{"without a space", e.Alice, map[string]any{}, http.StatusBadRequest, "", []string{"space"}},
		{"to an empty space name", e.Alice, map[string]any{"space": "  "}, http.StatusBadRequest, "", []string{"space"}},
		{"unknown field", e.Alice, map[string]any{"space": otherPublic.Slug, "force": true}, http.StatusBadRequest, "", []string{"force"}},
		{"leader moves to their private space", e.Alice, map[string]any{"space": e.PrivateSpace.Slug}, http.StatusOK, e.PrivateSpace.Slug, nil},
		{"leader moves it on to a public space they do not lead", e.Alice, map[string]any{"space": otherPublic.Slug}, http.StatusOK, otherPublic.Slug, nil},
		{"moderator moves it to a secret space", e.Mod, map[string]any{"space": e.SecretSpace.Slug}, http.StatusOK, e.SecretSpace.Slug, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "POST", path, tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
			if tt.wantStatus != http.StatusOK {
				return
			}
			if got := decode[api.TopicDetail](t, rec); got.Space != tt.wantSpace {
				t.Errorf("POST %s %v: space %q, want %q", path, tt.body, got.Space, tt.wantSpace)
			}
		})
	}
	// Now in the secret space: gone for everyone outside it.
	e.call(t, e.Bob, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusNotFound)
	e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusNotFound)
	e.call(t, e.Alice, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK)
	counts := map[string]int64{}
	for _, slug := range []string{e.PublicSpace.Slug, otherPublic.Slug, e.SecretSpace.Slug} {
		counts[slug] = decode[api.Space](t, e.call(t, e.Admin, "GET", "/api/v1/spaces/"+slug, nil, http.StatusOK)).TopicCount
	}
	if counts[e.PublicSpace.Slug] != 0 || counts[otherPublic.Slug] != 0 || counts[e.SecretSpace.Slug] != 1 {
		t.Errorf("topic_count after the moves: %v, want 0, 0 and 1 in %s", counts, e.SecretSpace.Slug)
	}
}
