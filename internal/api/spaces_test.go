package api_test

import (
	"net/http"
	"slices"
	"testing"

	"practica/internal/api"
	"practica/internal/model"
	"practica/internal/testenv"
)

func spaceSlugs(ss []api.Space) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = s.Slug
	}
	return out
}

func TestListSpaces(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	old := e.NewSpace(t, e.Alice, "Old Hall", model.Public)
	e.call(t, e.Alice, "POST", "/api/v1/spaces/"+old.Slug+"/archive", nil, http.StatusOK)
	pub, priv, sec := e.PublicSpace.Slug, e.PrivateSpace.Slug, e.SecretSpace.Slug
	tests := []struct {
		name string
		as   *testenv.User
		path string
		want []string
	}{
		{"guest sees public and private, not secret", nil, "/api/v1/spaces", []string{pub, priv}},
		{"non-member sees public and private, not secret", e.Bob, "/api/v1/spaces", []string{pub, priv}},
		{"leader sees the secret space too", e.Alice, "/api/v1/spaces", []string{pub, priv, sec}},
		{"moderator sees every space", e.Mod, "/api/v1/spaces", []string{pub, priv, sec}},
		{"archived=true adds archived spaces", e.Alice, "/api/v1/spaces?archived=true", []string{pub, priv, sec, old.Slug}},
		{"guest with archived=true still no secret", nil, "/api/v1/spaces?archived=true", []string{pub, priv, old.Slug}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "GET", tt.path, nil, http.StatusOK)
			got := decode[struct{ Spaces []api.Space }](t, rec).Spaces
			if !sameSet(spaceSlugs(got), tt.want) {
				t.Errorf("GET %s as %s: spaces %v, want %v", tt.path, who(tt.as), spaceSlugs(got), tt.want)
			}
		})
	}
	t.Run("role is the viewer's", func(t *testing.T) {
		got := decode[struct{ Spaces []api.Space }](t, e.call(t, e.Alice, "GET", "/api/v1/spaces", nil, http.StatusOK)).Spaces
		for _, s := range got {
			if s.Role != "leader" {
				t.Errorf("GET /api/v1/spaces as alice: role in %s is %q, want leader", s.Slug, s.Role)
			}
		}
		got = decode[struct{ Spaces []api.Space }](t, e.call(t, e.Bob, "GET", "/api/v1/spaces", nil, http.StatusOK)).Spaces
		for _, s := range got {
			if s.Role != "" {
				t.Errorf("GET /api/v1/spaces as bob: role in %s is %q, want empty", s.Slug, s.Role)
			}
		}
	})
}

func TestCreateSpace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	roAdmin := readOnly(t, e, e.Admin)
	tests := []struct {
		name       string
		as         *testenv.User
		body       any
		wantStatus int
		wantFields []string
	}{
		{"admin creates", e.Admin, map[string]any{"name": "Chess Club", "visibility": "public", "focus": "Openings", "color": "teal"}, http.StatusCreated, nil},
		{"moderator creates", e.Mod, map[string]any{"name": "Mod Room", "slug": "mods", "visibility": "secret"}, http.StatusCreated, nil},
		{"member may not", e.Alice, map[string]any{"name": "Alice Place", "visibility": "public"}, http.StatusForbidden, nil},
		{"guest must sign in", nil, map[string]any{"name": "Guest Place", "visibility": "public"}, http.StatusUnauthorized, nil},
		{"read-only token may not", roAdmin, map[string]any{"name": "Read Only", "visibility": "public"}, http.StatusForbidden, nil},
		{"missing name and visibility", e.Admin, map[string]any{}, http.StatusBadRequest, []string{"name", "visibility"}},
		{"bad slug", e.Admin, map[string]any{"name": "Slugs", "slug": "Not A Slug!", "visibility": "public"}, http.StatusBadRequest, []string{"slug"}},
		{"bad colour", e.Admin, map[string]any{"name": "Colours", "visibility": "public", "color": "chartreuse"}, http.StatusBadRequest, []string{"color"}},
		{"slug in use", e.Admin, map[string]any{"name": "Again", "slug": e.PublicSpace.Slug, "visibility": "public"}, http.StatusBadRequest, []string{"slug"}},
		{"unknown field", e.Admin, map[string]any{"name": "Sneaky", "visibility": "public", "created_by": 1}, http.StatusBadRequest, []string{"created_by"}},
		{"wrong type", e.Admin, map[string]any{"name": 7, "visibility": "public"}, http.StatusBadRequest, []string{"name"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "POST", "/api/v1/spaces", tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
			if tt.wantStatus != http.StatusCreated {
				return
			}
			sp := decode[api.Space](t, rec)
			in := tt.body.(map[string]any)
			if sp.Name != in["name"] || sp.Visibility != in["visibility"] || sp.Role != "leader" || sp.URL != "/s/"+sp.Slug {
				t.Errorf("POST /api/v1/spaces %v: got %+v, want the name, visibility, role leader and url /s/<slug>", in, sp)
			}
			got := decode[api.Space](t, e.call(t, tt.as, "GET", "/api/v1/spaces/"+sp.Slug, nil, http.StatusOK))
			if got.ID != sp.ID || got.MemberCount != 1 {
				t.Errorf("GET the new space %s: id %d members %d, want id %d and 1 member (the creator)", sp.Slug, got.ID, got.MemberCount, sp.ID)
			}
		})
	}
}

func TestGetSpace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub, priv, sec := e.PublicSpace.Slug, e.PrivateSpace.Slug, e.SecretSpace.Slug
	tests := []struct {
		name       string
		as         *testenv.User
		slug       string
		wantStatus int
		wantRole   string
	}{
		{"guest reads public", nil, pub, http.StatusOK, ""},
		{"guest reads a private space's header", nil, priv, http.StatusOK, ""},
		{"non-member reads a private space's header", e.Bob, priv, http.StatusOK, ""},
		{"guest cannot see secret", nil, sec, http.StatusNotFound, ""},
		{"non-member cannot see secret", e.Bob, sec, http.StatusNotFound, ""},
		{"leader sees secret", e.Alice, sec, http.StatusOK, "leader"},
		{"admin sees secret", e.Admin, sec, http.StatusOK, ""},
		{"no such space", e.Alice, "no-such-space", http.StatusNotFound, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "GET", "/api/v1/spaces/"+tt.slug, nil, tt.wantStatus)
			if tt.wantStatus != http.StatusOK {
				return
			}
			sp := decode[api.Space](t, rec)
			if sp.Slug != tt.slug || sp.Role != tt.wantRole {
				t.Errorf("GET /api/v1/spaces/%s as %s: slug %q role %q, want %q and %q", tt.slug, who(tt.as), sp.Slug, sp.Role, tt.slug, tt.wantRole)
			}
		})
	}
	t.Run("a private header does not open its topics", func(t *testing.T) {
		e.CreateTopic(t, e.Alice, e.PrivateSpace, "Private plans")
		e.call(t, e.Bob, "GET", "/api/v1/topics?space="+priv, nil, http.StatusNotFound)
		e.call(t, nil, "GET", "/api/v1/topics?space="+priv, nil, http.StatusNotFound)
	})
}

func TestUpdateSpace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	path := "/api/v1/spaces/" + e.PublicSpace.Slug
	t.Run("leader changes only what is sent", func(t *testing.T) {
		sp := decode[api.Space](t, e.call(t, e.Alice, "PATCH", path, map[string]any{"focus": "A new focus"}, http.StatusOK))
		if sp.Focus != "A new focus" || sp.Name != e.PublicSpace.Name || sp.Visibility != "public" || sp.Role != "leader" {
			t.Errorf("PATCH %s {focus}: got %+v, want the new focus and the old name and visibility", path, sp)
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
		{"non-member may not", e.Bob, path, map[string]any{"focus": "Bob was here"}, http.StatusForbidden, nil},
		{"guest must sign in", nil, path, map[string]any{"focus": "x"}, http.StatusUnauthorized, nil},
		{"secret space is 404 to non-members", e.Bob, "/api/v1/spaces/" + e.SecretSpace.Slug, map[string]any{"focus": "x"}, http.StatusNotFound, nil},
		{"bad visibility", e.Alice, path, map[string]any{"visibility": "hidden"}, http.StatusBadRequest, []string{"visibility"}},
		{"slug taken", e.Alice, path, map[string]any{"slug": e.PrivateSpace.Slug}, http.StatusBadRequest, []string{"slug"}},
		{"unknown field", e.Alice, path, map[string]any{"topic_count": 0}, http.StatusBadRequest, []string{"topic_count"}},
		{"moderator may", e.Mod, path, map[string]any{"rules": "Be kind."}, http.StatusOK, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "PATCH", tt.path, tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
		})
	}
	t.Run("renaming the slug moves the space", func(t *testing.T) {
		e.call(t, e.Alice, "PATCH", path, map[string]any{"slug": "square"}, http.StatusOK)
		e.call(t, nil, "GET", "/api/v1/spaces/square", nil, http.StatusOK)
		e.call(t, nil, "GET", path, nil, http.StatusNotFound)
	})
}

func TestArchiveSpace(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	slug := e.PublicSpace.Slug
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+slug+"/archive", nil, http.StatusForbidden)
	e.call(t, nil, "POST", "/api/v1/spaces/"+slug+"/archive", nil, http.StatusUnauthorized)
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+e.SecretSpace.Slug+"/archive", nil, http.StatusNotFound)

	sp := decode[api.Space](t, e.call(t, e.Alice, "POST", "/api/v1/spaces/"+slug+"/archive", nil, http.StatusOK))
	if sp.ArchivedAt == nil {
		t.Fatalf("POST /api/v1/spaces/%s/archive: archived_at is null, want a time", slug)
	}
	rec := e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": slug, "title": "After the archive", "body": "Hello"}, http.StatusForbidden)
	if msg := errorOf(t, rec).Error.Message; msg == "" {
		t.Errorf("POST /api/v1/topics in an archived space: no message")
	}
	e.call(t, nil, "GET", "/api/v1/spaces/"+slug, nil, http.StatusOK) // still readable

	sp = decode[api.Space](t, e.call(t, e.Alice, "POST", "/api/v1/spaces/"+slug+"/unarchive", nil, http.StatusOK))
	if sp.ArchivedAt != nil {
		t.Errorf("POST /api/v1/spaces/%s/unarchive: archived_at %v, want null", slug, sp.ArchivedAt)
	}
	e.newTopic(t, e.Alice, slug, "After the unarchive")
}

func TestJoinAndLeave(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub, priv, sec := e.PublicSpace.Slug, e.PrivateSpace.Slug, e.SecretSpace.Slug
	steps := []struct {
		name       string
		as         *testenv.User
		method     string
		path       string
		body       any
		wantStatus int
		wantResult string
	}{
		{"guest must sign in to join", nil, "POST", "/api/v1/spaces/" + pub + "/join", nil, http.StatusUnauthorized, ""},
		{"join a public space", e.Bob, "POST", "/api/v1/spaces/" + pub + "/join", nil, http.StatusOK, "joined"},
		{"join it again", e.Bob, "POST", "/api/v1/spaces/" + pub + "/join", nil, http.StatusConflict, ""},
		{"leave it", e.Bob, "POST", "/api/v1/spaces/" + pub + "/leave", nil, http.StatusNoContent, ""},
		{"leave it again", e.Bob, "POST", "/api/v1/spaces/" + pub + "/leave", nil, http.StatusConflict, ""},
		{"ask to join a private space, with a message", e.Bob, "POST", "/api/v1/spaces/" + priv + "/join", map[string]any{"message": "I teach this."}, http.StatusOK, "requested"},
		{"ask again while waiting", e.Bob, "POST", "/api/v1/spaces/" + priv + "/join", nil, http.StatusConflict, ""},
		{"a secret space does not exist for a non-member", e.Bob, "POST", "/api/v1/spaces/" + sec + "/join", nil, http.StatusNotFound, ""},
		{"staff see a secret space but need an invitation", e.Mod, "POST", "/api/v1/spaces/" + sec + "/join", nil, http.StatusForbidden, ""},
		{"unknown field in the join body", e.Mod, "POST", "/api/v1/spaces/" + pub + "/join", map[string]any{"role": "leader"}, http.StatusBadRequest, ""},
		{"the last leader cannot leave", e.Alice, "POST", "/api/v1/spaces/" + sec + "/leave", nil, http.StatusConflict, ""},
		{"guest must sign in to leave", nil, "POST", "/api/v1/spaces/" + pub + "/leave", nil, http.StatusUnauthorized, ""},
		{"leaving a secret space one is not in", e.Bob, "POST", "/api/v1/spaces/" + sec + "/leave", nil, http.StatusNotFound, ""},
	}
	for _, st := range steps {
		rec := e.call(t, st.as, st.method, st.path, st.body, st.wantStatus)
		if st.wantResult != "" {
			if got := decode[map[string]string](t, rec)["result"]; got != st.wantResult {
				t.Errorf("%s: %s %s as %s: result %q, want %q", st.name, st.method, st.path, who(st.as), got, st.wantResult)
			}
		}
	}
}

func TestMembers(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tests := []struct {
		name       string
		as         *testenv.User
		slug       string
		wantStatus int
	}{
		{"guest lists a public space's members", nil, e.PublicSpace.Slug, http.StatusOK},
		{"guest cannot list a private space's members", nil, e.PrivateSpace.Slug, http.StatusNotFound},
		{"non-member cannot list a private space's members", e.Bob, e.PrivateSpace.Slug, http.StatusNotFound},
		{"non-member cannot list a secret space's members", e.Bob, e.SecretSpace.Slug, http.StatusNotFound},
		{"leader lists a secret space's members", e.Alice, e.SecretSpace.Slug, http.StatusOK},
		{"moderator lists a private space's members", e.Mod, e.PrivateSpace.Slug, http.StatusOK},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := e.call(t, tt.as, "GET", "/api/v1/spaces/"+tt.slug+"/members", nil, tt.wantStatus)
			if tt.wantStatus != http.StatusOK {
				return
			}
			var got struct {
				Members []struct {
					Username string `json:"username"`
					Role     string `json:"role"`
				} `json:"members"`
			}
			testenv.Decode(t, rec, &got)
			if !slices.ContainsFunc(got.Members, func(m struct {
				Username string `json:"username"`
				Role     string `json:"role"`
			}) bool {
				return m.Username == "alice" && m.Role == "leader"
			}) {
				t.Errorf("GET /api/v1/spaces/%s/members as %s: %+v, want alice as leader", tt.slug, who(tt.as), got.Members)
			}
		})
	}
}
