package api_test

import (
	"net/http"
	"testing"

	"practica/internal/api"
)

func TestTagsOverTheAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.newTopic(t, e.Alice, e.PublicSpace.Slug, "About decoders", "decoders")
	e.newTopic(t, e.Alice, e.PublicSpace.Slug, "About decoding", "decoding")
	e.newTopic(t, e.Alice, e.PrivateSpace.Slug, "Private decoders", "decoders")

	got := decode[api.TagDetail](t, e.call(t, nil, "GET", "/api/v1/tags/decoders", nil, http.StatusOK))
	if got.Name != "decoders" || got.TopicCount != 1 || got.Following {
		t.Errorf("guest sees %+v, want one readable topic", got)
	}
	e.call(t, nil, "GET", "/api/v1/tags/nothing-here", nil, http.StatusNotFound)

	// Follow and unfollow.
	e.call(t, nil, "PUT", "/api/v1/tags/decoders/follow", nil, http.StatusUnauthorized)
	if got := decode[api.TagDetail](t, e.call(t, e.Bob, "PUT", "/api/v1/tags/decoders/follow", nil, http.StatusOK)); !got.Following || got.Followers != 1 {
		t.Errorf("after following: %+v", got)
	}
	if got := decode[api.TagDetail](t, e.call(t, e.Bob, "DELETE", "/api/v1/tags/decoders/follow", nil, http.StatusOK)); got.Following || got.Followers != 0 {
		t.Errorf("after unfollowing: %+v", got)
	}

	// Merge and synonyms are for staff.
	e.call(t, e.Bob, "POST", "/api/v1/tags/decoding/merge", map[string]any{"into": "decoders"}, http.StatusForbidden)
	wantFields(t, e.call(t, e.Mod, "POST", "/api/v1/tags/decoding/merge", map[string]any{"into": "decoding"}, http.StatusBadRequest), "into")
	merged := decode[api.TagDetail](t, e.call(t, e.Mod, "POST", "/api/v1/tags/decoding/merge", map[string]any{"into": "decoders"}, http.StatusOK))
	if merged.Name != "decoders" || len(merged.Synonyms) != 1 || merged.Synonyms[0] != "decoding" {
		t.Errorf("after merging: %+v", merged)
	}
	if got := decode[api.TagDetail](t, e.call(t, nil, "GET", "/api/v1/tags/decoding", nil, http.StatusOK)); got.Name != "decoders" || got.TopicCount != 2 {
		t.Errorf("the old name leads to %+v", got)
	}
	e.call(t, e.Mod, "POST", "/api/v1/tags/decoders/synonyms", map[string]any{"synonym": "mwpm"}, http.StatusCreated)
	wantFields(t, e.call(t, e.Mod, "POST", "/api/v1/tags/decoders/synonyms", map[string]any{"synonym": "not a tag!"}, http.StatusBadRequest), "synonym")

	// Descriptions need the edit privilege.
	e.call(t, e.Bob, "PATCH", "/api/v1/tags/decoders", map[string]any{"description": "Turning syndromes into corrections."}, http.StatusForbidden)
	if got := decode[api.TagDetail](t, e.call(t, e.Mod, "PATCH", "/api/v1/tags/decoders", map[string]any{"description": "Turning syndromes into corrections."}, http.StatusOK)); got.Description == "" {
		t.Errorf("description not saved: %+v", got)
	}
}
