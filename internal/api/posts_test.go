package api_test

import (
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/testenv"
)

func TestGetPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Posts by id")
	reply := e.Reply(t, e.Bob, tp.ID, "A *reply*")
	rec := e.call(t, nil, "GET", fmt.Sprintf("/api/v1/posts/%d", reply.ID), nil, http.StatusOK)
	p := decode[api.Post](t, rec)
	if p.ID != reply.ID || p.TopicID != tp.ID || p.Kind != "reply" || p.Body != "A *reply*" || !strings.Contains(p.BodyHTML, "<em>reply</em>") {
		t.Errorf("GET /api/v1/posts/%d: %+v, want the reply with its rendered body", reply.ID, p)
	}
	for _, path := range []string{"/api/v1/posts/99999999", "/api/v1/posts/zero", "/api/v1/posts/0"} {
		e.call(t, e.Alice, "GET", path, nil, http.StatusNotFound)
	}
}

func TestEditPost(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Original title")
	opening := decode[api.TopicDetail](t, e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK)).Posts[0]
	bobs := e.Reply(t, e.Bob, tp.ID, "Bob's first words")
	openPath := fmt.Sprintf("/api/v1/posts/%d", opening.ID)
	bobPath := fmt.Sprintf("/api/v1/posts/%d", bobs.ID)

	t.Run("author edits the opening post: title, body and tags", func(t *testing.T) {
		e.Clock.Advance(time.Minute)
		body := map[string]any{"title": "Better title", "body": "Better body", "tags": []string{"Go", "sql"}, "reason": "clarity"}
		p := decode[api.Post](t, e.call(t, e.Alice, "PATCH", openPath, body, http.StatusOK))
		if p.Body != "Better body" || p.Revision != 2 || p.EditedAt == nil {
			t.Errorf("PATCH %s: body %q revision %d edited_at %v, want the new body, revision 2, a time", openPath, p.Body, p.Revision, p.EditedAt)
		}
		got := decode[api.TopicDetail](t, e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK))
		if got.Title != "Better title" || got.Slug != "better-title" || !slices.Equal(got.Tags, []string{"go", "sql"}) {
			t.Errorf("GET the edited topic: title %q slug %q tags %v, want \"Better title\", better-title, [go sql]", got.Title, got.Slug, got.Tags)
		}
	})
	t.Run("fields left out keep their value", func(t *testing.T) {
		e.Clock.Advance(time.Minute)
		e.call(t, e.Alice, "PATCH", openPath, map[string]any{"body": "Third body"}, http.StatusOK)
		got := decode[api.TopicDetail](t, e.call(t, nil, "GET", fmt.Sprintf("/api/v1/topics/%d?include=body", tp.ID), nil, http.StatusOK))
		if got.Title != "Better title" || !slices.Equal(got.Tags, []string{"go", "sql"}) || got.Posts[0].Body != "Third body" {
			t.Errorf("PATCH %s {body}: title %q tags %v body %q, want the title and tags kept", openPath, got.Title, got.Tags, got.Posts[0].Body)
		}
	})
	t.Run("revisions come newest first", func(t *testing.T) {
		rec := e.call(t, nil, "GET", openPath+"/revisions", nil, http.StatusOK)
		revs := decode[struct{ Revisions []api.Revision }](t, rec).Revisions
		var numbers []int64
		for _, r := range revs {
			numbers = append(numbers, r.Number)
		}
		if !slices.Equal(numbers, []int64{3, 2, 1}) {
			t.Fatalf("GET %s/revisions: numbers %v, want [3 2 1]", openPath, numbers)
		}
		if revs[0].Body != "Third body" || revs[1].Reason != "clarity" || revs[1].Title != "Better title" || revs[2].Title != "Original title" || revs[2].Body != "Body of Original title" {
			t.Errorf("GET %s/revisions: %+v, want each version's body, title and reason", openPath, revs)
		}
		if revs[1].Editor.Username != "alice" || !slices.Equal(revs[1].Tags, []string{"go", "sql"}) {
			t.Errorf("GET %s/revisions: revision 2 editor %q tags %v, want alice and [go sql]", openPath, revs[1].Editor.Username, revs[1].Tags)
		}
	})
	tests := []struct {
		name       string
		as         *testenv.User
		path       string
		body       any
		wantStatus int
		wantFields []string
	}{
		{"author edits their reply", e.Bob, bobPath, map[string]any{"body": "Bob's better words"}, http.StatusOK, nil},
		{"title is ignored on a reply", e.Bob, bobPath, map[string]any{"title": "Not a topic", "body": "Bob again"}, http.StatusOK, nil},
		{"another member may not edit", e.Bob, openPath, map[string]any{"body": "Bob rewrites Alice"}, http.StatusForbidden, nil},
		{"leader edits a member's reply", e.Alice, bobPath, map[string]any{"body": "Moderated", "reason": "tone"}, http.StatusOK, nil},
		{"moderator edits", e.Mod, bobPath, map[string]any{"body": "Moderated twice"}, http.StatusOK, nil},
		{"guest must sign in", nil, bobPath, map[string]any{"body": "guest edit"}, http.StatusUnauthorized, nil},
		{"nothing changed", e.Alice, openPath, map[string]any{"body": "Third body"}, http.StatusBadRequest, []string{"body"}},
		{"empty body", e.Alice, openPath, map[string]any{"body": ""}, http.StatusBadRequest, []string{"body"}},
		{"short title", e.Alice, openPath, map[string]any{"title": "No"}, http.StatusBadRequest, []string{"title"}},
		{"bad tags", e.Alice, openPath, map[string]any{"tags": []string{"UPPER CASE!"}}, http.StatusBadRequest, []string{"tags"}},
		{"long reason", e.Alice, openPath, map[string]any{"body": "x", "reason": strings.Repeat("r", 301)}, http.StatusBadRequest, []string{"reason"}},
		{"unknown field", e.Alice, openPath, map[string]any{"body": "x", "revision": 9}, http.StatusBadRequest, []string{"revision"}},
		{"wrong type", e.Alice, openPath, map[string]any{"body": 42}, http.StatusBadRequest, []string{"body"}},
		{"no such post", e.Alice, "/api/v1/posts/99999999", map[string]any{"body": "x"}, http.StatusNotFound, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Clock.Advance(time.Second)
			rec := e.call(t, tt.as, "PATCH", tt.path, tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
			if tt.wantStatus == http.StatusOK {
				if got := decode[api.Post](t, rec).Body; got != tt.body.(map[string]any)["body"] {
					t.Errorf("PATCH %s as %s: body %q, want %q", tt.path, who(tt.as), got, tt.body.(map[string]any)["body"])
				}
			}
		})
	}
	t.Run("each edit of the reply is a revision", func(t *testing.T) {
		revs := decode[struct{ Revisions []api.Revision }](t, e.call(t, nil, "GET", bobPath+"/revisions", nil, http.StatusOK)).Revisions
		var editors []string
		for _, r := range revs {
			editors = append(editors, r.Editor.Username)
			if r.Title != "" || r.Tags != nil {
				t.Errorf("GET %s/revisions: reply revision %d has title %q tags %v, want none", bobPath, r.Number, r.Title, r.Tags)
			}
		}
		if want := []string{"mod", "alice", "bob", "bob", "bob"}; !slices.Equal(editors, want) {
			t.Errorf("GET %s/revisions: editors newest first %v, want %v", bobPath, editors, want)
		}
	})
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Delete me maybe")
	topicPath := fmt.Sprintf("/api/v1/topics/%d", tp.ID)
	opening := decode[api.TopicDetail](t, e.call(t, nil, "GET", topicPath, nil, http.StatusOK)).Posts[0]
	bobs := e.Reply(t, e.Bob, tp.ID, "Bob's reply")
	alices := e.Reply(t, e.Alice, tp.ID, "Alice's reply")
	bobPath := fmt.Sprintf("/api/v1/posts/%d", bobs.ID)
	alicePath := fmt.Sprintf("/api/v1/posts/%d", alices.ID)
	openPath := fmt.Sprintf("/api/v1/posts/%d", opening.ID)

	e.call(t, nil, "DELETE", bobPath, nil, http.StatusUnauthorized)
	e.call(t, e.Bob, "DELETE", alicePath, nil, http.StatusForbidden)
	e.call(t, e.Bob, "DELETE", bobPath, nil, http.StatusNoContent)

	t.Run("a deleted reply is 404 to all but moderators", func(t *testing.T) {
		for _, u := range []*testenv.User{nil, e.Bob} {
			e.call(t, u, "GET", bobPath, nil, http.StatusNotFound)
			e.call(t, u, "GET", bobPath+"/revisions", nil, http.StatusNotFound)
			e.call(t, u, "PATCH", bobPath, map[string]any{"body": "edit a ghost"}, http.StatusNotFound)
			got := decode[api.TopicDetail](t, e.call(t, u, "GET", topicPath, nil, http.StatusOK))
			for _, p := range got.Posts {
				if p.ID == bobs.ID {
					t.Errorf("GET %s as %s: lists the deleted post %d", topicPath, who(u), bobs.ID)
				}
			}
			if got.ReplyCount != 1 {
				t.Errorf("GET %s as %s: reply_count %d, want 1", topicPath, who(u), got.ReplyCount)
			}
		}
		for _, u := range []*testenv.User{e.Alice, e.Mod} {
			if p := decode[api.Post](t, e.call(t, u, "GET", bobPath, nil, http.StatusOK)); p.DeletedAt == nil {
				t.Errorf("GET %s as %s: deleted_at missing on a deleted post", bobPath, who(u))
			}
			got := decode[api.TopicDetail](t, e.call(t, u, "GET", topicPath, nil, http.StatusOK))
			if !slices.ContainsFunc(got.Posts, func(p api.Post) bool { return p.ID == bobs.ID && p.DeletedAt != nil }) {
				t.Errorf("GET %s as %s: the deleted post %d is not listed with deleted_at", topicPath, who(u), bobs.ID)
			}
		}
	})
	t.Run("the author restores their reply", func(t *testing.T) {
		e.call(t, e.Bob, "POST", bobPath+"/restore", nil, http.StatusNoContent)
		if p := decode[api.Post](t, e.call(t, nil, "GET", bobPath, nil, http.StatusOK)); p.DeletedAt != nil {
			t.Errorf("GET %s after restore: deleted_at %v, want none", bobPath, p.DeletedAt)
		}
	})
	t.Run("deleting the opening post deletes the topic", func(t *testing.T) {
		e.call(t, e.Bob, "DELETE", openPath, nil, http.StatusForbidden)
		e.call(t, e.Alice, "DELETE", openPath, nil, http.StatusNoContent)
		for _, u := range []*testenv.User{nil, e.Bob} {
			e.call(t, u, "GET", topicPath, nil, http.StatusNotFound)
			e.call(t, u, "GET", openPath, nil, http.StatusNotFound)
			e.call(t, u, "GET", bobPath, nil, http.StatusNotFound) // a live reply in a deleted topic
			e.call(t, u, "POST", topicPath+"/posts", map[string]any{"body": "anyone?"}, map[bool]int{true: http.StatusUnauthorized, false: http.StatusNotFound}[u == nil])
			list := decode[api.TopicList](t, e.call(t, u, "GET", "/api/v1/topics?space="+e.PublicSpace.Slug, nil, http.StatusOK))
			if slices.Contains(titles(list.Topics), tp.Title) {
				t.Errorf("GET /api/v1/topics as %s: lists the deleted topic", who(u))
			}
		}
		got := decode[api.TopicDetail](t, e.call(t, e.Mod, "GET", topicPath, nil, http.StatusOK))
		if got.DeletedAt == nil {
			t.Errorf("GET %s as mod: deleted_at missing on a deleted topic", topicPath)
		}
		if sp := decode[api.Space](t, e.call(t, nil, "GET", "/api/v1/spaces/"+e.PublicSpace.Slug, nil, http.StatusOK)); sp.TopicCount != 0 {
			t.Errorf("GET the space after deleting its only topic: topic_count %d, want 0", sp.TopicCount)
		}
	})
	t.Run("a moderator restores the topic", func(t *testing.T) {
		e.call(t, e.Bob, "POST", openPath+"/restore", nil, http.StatusNotFound)
		e.call(t, e.Mod, "POST", openPath+"/restore", nil, http.StatusNoContent)
		got := decode[api.TopicDetail](t, e.call(t, nil, "GET", topicPath, nil, http.StatusOK))
		if got.DeletedAt != nil || len(got.Posts) != 3 {
			t.Errorf("GET %s after restore: deleted_at %v, %d posts; want none and 3 posts", topicPath, got.DeletedAt, len(got.Posts))
		}
	})
}
