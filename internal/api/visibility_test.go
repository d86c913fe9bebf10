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

// TestHiddenContentIs404 walks every API door to a private or secret topic
// (by id, by post, through revisions, members, lists and every write) as a
// guest and as a signed-in non-member. Each must answer exactly as for
// something that does not exist: 404 with the same message, and nothing of
// the content in the body.
// door is one request that could reveal something.
type door struct {
	method string
	path   string
	body   any
}

func TestHiddenContentIs404(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	for _, sp := range []model.Space{e.PrivateSpace, e.SecretSpace} {
		title := "Hidden plans in " + sp.Slug
		tp := e.CreateTopic(t, e.Alice, sp, title)
		opening := decode[api.TopicDetail](t, e.call(t, e.Alice, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK)).Posts[0]
		reply := e.Reply(t, e.Alice, tp.ID, "Hidden reply in "+sp.Slug)
		doors := []door{
			{"GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil},
			{"GET", fmt.Sprintf("/api/v1/topics/%d?after=1", tp.ID), nil},
			{"GET", fmt.Sprintf("/api/v1/posts/%d", opening.ID), nil},
			{"GET", fmt.Sprintf("/api/v1/posts/%d", reply.ID), nil},
			{"GET", fmt.Sprintf("/api/v1/posts/%d/revisions", opening.ID), nil},
			{"GET", fmt.Sprintf("/api/v1/posts/%d/revisions", reply.ID), nil},
			{"GET", "/api/v1/spaces/" + sp.Slug + "/members", nil},
			{"GET", "/api/v1/topics?space=" + sp.Slug, nil},
			{"GET", "/api/v1/topics?space=" + sp.Slug + "&tag=testing", nil},
			{"PATCH", fmt.Sprintf("/api/v1/posts/%d", reply.ID), map[string]any{"body": "overwrite"}},
			{"DELETE", fmt.Sprintf("/api/v1/posts/%d", reply.ID), nil},
			{"POST", fmt.Sprintf("/api/v1/posts/%d/restore", reply.ID), nil},
			{"POST", fmt.Sprintf("/api/v1/topics/%d/pin", tp.ID), nil},
			{"POST", fmt.Sprintf("/api/v1/topics/%d/lock", tp.ID), nil},
			{"POST", fmt.Sprintf("/api/v1/topics/%d/move", tp.ID), map[string]any{"space": e.PublicSpace.Slug}},
		}
		if sp.Visibility == model.Secret {
			doors = append(doors,
				door{"GET", "/api/v1/spaces/" + sp.Slug, nil},
				door{"PATCH", "/api/v1/spaces/" + sp.Slug, map[string]any{"focus": "x"}},
				door{"POST", "/api/v1/spaces/" + sp.Slug + "/join", nil},
				door{"POST", "/api/v1/spaces/" + sp.Slug + "/archive", nil})
		}
		for _, u := range []*testenv.User{nil, e.Bob} {
			for _, d := range doors {
				t.Run(fmt.Sprintf("%s %s as %s", d.method, d.path, who(u)), func(t *testing.T) {
					rec := e.call(t, u, d.method, d.path, d.body, http.StatusNotFound)
					body := rec.Body.String()
					if strings.Contains(body, "Hidden") || strings.Contains(body, sp.Name) {
						t.Errorf("%s %s as %s: 404 body leaks content: %s", d.method, d.path, who(u), body)
					}
					if got, want := errorOf(t, rec).Error.Message, "Not found."; got != want {
						t.Errorf("%s %s as %s: message %q, want %q, the same as for something that does not exist", d.method, d.path, who(u), got, want)
					}
				})
			}
		}
		// A guest replying is told to sign in before anything is looked up,
		// which says nothing about the topic; a signed-in stranger gets 404.
		replies := fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID)
		e.call(t, nil, "POST", replies, map[string]any{"body": "hi"}, http.StatusUnauthorized)
		e.call(t, e.Bob, "POST", replies, map[string]any{"body": "hi"}, http.StatusNotFound)
		e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": sp.Slug, "title": "Smuggled topic", "body": "x"}, http.StatusBadRequest)
		// Members and staff see all of it.
		for _, u := range []*testenv.User{e.Alice, e.Admin, e.Mod} {
			e.call(t, u, "GET", fmt.Sprintf("/api/v1/topics/%d", tp.ID), nil, http.StatusOK)
			e.call(t, u, "GET", fmt.Sprintf("/api/v1/posts/%d/revisions", reply.ID), nil, http.StatusOK)
			e.call(t, u, "GET", "/api/v1/spaces/"+sp.Slug+"/members", nil, http.StatusOK)
		}
	}
	t.Run("lists and profiles never show hidden topics", func(t *testing.T) {
		for _, u := range []*testenv.User{nil, e.Bob} {
			for _, path := range []string{"/api/v1/topics", "/api/v1/topics?tag=testing", "/api/v1/topics?kind=discussion", "/api/v1/users/alice"} {
				rec := e.call(t, u, "GET", path, nil, http.StatusOK)
				if strings.Contains(rec.Body.String(), "Hidden") {
					t.Errorf("GET %s as %s: shows hidden content: %s", path, who(u), short(rec.Body.String()))
				}
			}
			rec := e.call(t, u, "GET", "/api/v1/spaces", nil, http.StatusOK)
			if strings.Contains(rec.Body.String(), e.SecretSpace.Slug) {
				t.Errorf("GET /api/v1/spaces as %s: lists the secret space", who(u))
			}
		}
	})
}
