package api_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/content"
	"practica/internal/testenv"
)

func TestListTopicsFilters(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub, priv, sec := e.PublicSpace.Slug, e.PrivateSpace.Slug, e.SecretSpace.Slug
	e.newTopic(t, e.Alice, pub, "Go generics in practice", "go", "generics")
	e.newTopic(t, e.Bob, pub, "Tea brewing notes", "tea")
	q := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", "/api/v1/topics",
		map[string]any{"space": pub, "kind": "question", "title": "How do I profile Go?", "body": "pprof?", "tags": []string{"go"}}, http.StatusCreated))
	if q.Kind != "question" {
		t.Fatalf("POST /api/v1/topics kind=question: kind %q", q.Kind)
	}
	e.newTopic(t, e.Alice, priv, "Private plans", "go")
	e.newTopic(t, e.Alice, sec, "Board notes", "go")
	publicAll := []string{"Go generics in practice", "Tea brewing notes", "How do I profile Go?"}
	everything := append(slices.Clone(publicAll), "Private plans", "Board notes")
	tests := []struct {
		name       string
		as         *testenv.User
		query      string
		wantStatus int
		want       []string
		wantField  string
	}{
		{"guest sees public topics only", nil, "", http.StatusOK, publicAll, ""},
		{"non-member sees public topics only", e.Bob, "", http.StatusOK, publicAll, ""},
		{"leader sees all three spaces", e.Alice, "", http.StatusOK, everything, ""},
		{"admin sees everything", e.Admin, "", http.StatusOK, everything, ""},
		{"space filter", nil, "space=" + pub, http.StatusOK, publicAll, ""},
		{"space filter, private, as member", e.Alice, "space=" + priv, http.StatusOK, []string{"Private plans"}, ""},
		{"tag filter", nil, "tag=go", http.StatusOK, []string{"Go generics in practice", "How do I profile Go?"}, ""},
		{"tag filter ignores case", nil, "tag=GO", http.StatusOK, []string{"Go generics in practice", "How do I profile Go?"}, ""},
		{"tag filter as leader includes private and secret", e.Alice, "tag=go", http.StatusOK, []string{"Go generics in practice", "How do I profile Go?", "Private plans", "Board notes"}, ""},
		{"kind filter", nil, "kind=question", http.StatusOK, []string{"How do I profile Go?"}, ""},
		{"space, tag and kind", nil, "space=" + pub + "&tag=go&kind=discussion", http.StatusOK, []string{"Go generics in practice"}, ""},
		{"unknown tag lists nothing", nil, "tag=nothing-here", http.StatusOK, []string{}, ""},
		{"private space is 404 to guests", nil, "space=" + priv, http.StatusNotFound, nil, ""},
		{"private space is 404 to non-members", e.Bob, "space=" + priv, http.StatusNotFound, nil, ""},
		{"secret space is 404 to non-members", e.Bob, "space=" + sec, http.StatusNotFound, nil, ""},
		{"unknown space is 404", nil, "space=no-such-space", http.StatusNotFound, nil, ""},
		{"unknown kind", nil, "kind=poem", http.StatusBadRequest, nil, "kind"},
		{"limit over 100", nil, "limit=101", http.StatusBadRequest, nil, "limit"},
		{"negative limit", nil, "limit=-1", http.StatusBadRequest, nil, "limit"},
		{"limit not a number", nil, "limit=ten", http.StatusBadRequest, nil, "limit"},
		{"bad cursor", nil, "cursor=not-a-cursor", http.StatusBadRequest, nil, "cursor"},
		{"cursor with a bad id", nil, "cursor=abc.0", http.StatusBadRequest, nil, "cursor"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := "/api/v1/topics?" + tt.query
			rec := e.call(t, tt.as, "GET", path, nil, tt.wantStatus)
			if tt.wantField != "" {
				wantFields(t, rec, tt.wantField)
			}
			if tt.wantStatus != http.StatusOK {
				return
			}
			got := decode[api.TopicList](t, rec)
			if !sameSet(titles(got.Topics), tt.want) {
				t.Errorf("GET %s as %s: topics %q, want %q", path, who(tt.as), titles(got.Topics), tt.want)
			}
			for _, tp := range got.Topics {
				if tp.Author == nil || tp.Author.Username == "" || tp.URL != fmt.Sprintf("/t/%d/%s", tp.ID, tp.Slug) {
					t.Errorf("GET %s: topic %d has author %v url %q, want an author and /t/<id>/<slug>", path, tp.ID, tp.Author, tp.URL)
				}
			}
		})
	}
}

// allPages follows next_cursor from path to the end and returns every topic
// and how many pages it took.
func allPages(t *testing.T, e *apiEnv, u *testenv.User, path string) ([]api.Topic, []int) {
	t.Helper()
	var all []api.Topic
	var sizes []int
	cursor := ""
	for range 20 {
		p := path
		if cursor != "" {
			p += "&cursor=" + url.QueryEscape(cursor)
		}
		page := decode[api.TopicList](t, e.call(t, u, "GET", p, nil, http.StatusOK))
		all = append(all, page.Topics...)
		sizes = append(sizes, len(page.Topics))
		if page.NextCursor == "" {
			return all, sizes
		}
		cursor = page.NextCursor
	}
	t.Fatalf("GET %s: still a next_cursor after 20 pages", path)
	return nil, nil
}

func TestListTopicsPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const n = 35
	for i := range n {
		e.Clock.Advance(time.Second)
		e.CreateTopic(t, e.Alice, e.PublicSpace, fmt.Sprintf("Topic number %02d", i))
	}
	e.CreateTopic(t, e.Alice, e.PrivateSpace, "Private topic") // never in a guest's pages
	tests := []struct {
		name      string
		path      string
		wantSizes []int
	}{
		{"default page is 20", "/api/v1/topics?space=" + e.PublicSpace.Slug, []int{20, 15}},
		{"no filter", "/api/v1/topics?", []int{20, 15}},
		{"limit 10", "/api/v1/topics?limit=10", []int{10, 10, 10, 5}},
		{"limit 0 means the default", "/api/v1/topics?limit=0", []int{20, 15}},
		{"limit 35 fits all", "/api/v1/topics?limit=35", []int{35}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all, sizes := allPages(t, e, nil, tt.path)
			if !slices.Equal(sizes, tt.wantSizes) {
				t.Errorf("GET %s page by page: page sizes %v, want %v", tt.path, sizes, tt.wantSizes)
			}
			seen := map[int64]bool{}
			for i, tp := range all {
				if seen[tp.ID] {
					t.Errorf("GET %s: topic %d appears twice", tt.path, tp.ID)
				}
				seen[tp.ID] = true
				if want := fmt.Sprintf("Topic number %02d", n-1-i); tp.Title != want {
					t.Errorf("GET %s: topic %d across pages is %q, want %q (newest activity first)", tt.path, i, tp.Title, want)
				}
			}
		})
	}
	t.Run("a reply moves a topic to the front", func(t *testing.T) {
		first := decode[api.TopicList](t, e.call(t, nil, "GET", "/api/v1/topics?limit=1", nil, http.StatusOK)).Topics[0]
		old := decode[api.TopicList](t, e.call(t, nil, "GET", "/api/v1/topics?limit=35", nil, http.StatusOK)).Topics[34]
		e.Clock.Advance(time.Minute)
		e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", old.ID), map[string]any{"body": "Reviving this."}, http.StatusCreated)
		got := decode[api.TopicList](t, e.call(t, nil, "GET", "/api/v1/topics?limit=2", nil, http.StatusOK)).Topics
		if got[0].ID != old.ID || got[1].ID != first.ID || got[0].ReplyCount != 1 {
			t.Errorf("after replying to %q: first two are %q with %d replies, want %q then %q", old.Title, titles(got), got[0].ReplyCount, old.Title, first.Title)
		}
	})
}

func TestListTopicsPinned(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	slug := e.PublicSpace.Slug
	pinned := e.newTopic(t, e.Alice, slug, "Read this first", "testing")
	for i := range 4 {
		e.newTopic(t, e.Alice, slug, fmt.Sprintf("Ordinary topic %d", i), "testing")
	}
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/pin", pinned.ID), nil, http.StatusOK)
	tests := []struct {
		name      string
		path      string
		wantFirst bool // the pinned topic leads the first page
	}{
		{"space list puts it first", "/api/v1/topics?space=" + slug + "&limit=2", true},
		{"space and tag list keeps it", "/api/v1/topics?space=" + slug + "&tag=testing&limit=2", false},
		{"space and kind list puts it first", "/api/v1/topics?space=" + slug + "&kind=discussion&limit=2", true},
		{"list across spaces keeps it in activity order", "/api/v1/topics?limit=2", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			all, _ := allPages(t, e, nil, tt.path)
			var count int
			for _, tp := range all {
				if tp.ID == pinned.ID {
					count++
				}
			}
			if count != 1 {
				t.Errorf("GET %s page by page: the pinned topic appears %d times in %q, want once", tt.path, count, titles(all))
			}
			if tt.wantFirst && (len(all) == 0 || all[0].ID != pinned.ID || all[0].PinnedAt == nil) {
				t.Errorf("GET %s: first topic %q, want the pinned %q with pinned_at set", tt.path, titles(all), pinned.Title)
			}
			if len(all) != 5 {
				t.Errorf("GET %s page by page: %d topics %q, want all 5", tt.path, len(all), titles(all))
			}
		})
	}
}

func TestCreateTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.PublicSpace.Slug
	t.Run("leader starts a topic", func(t *testing.T) {
		rec := e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": pub, "title": "  Hello   world  ", "body": "First **post**", "tags": []string{"Go", "go", "web"}}, http.StatusCreated)
		got := decode[api.TopicDetail](t, rec)
		if got.Title != "Hello world" || got.Kind != "discussion" || got.Space != pub || !slices.Equal(got.Tags, []string{"go", "web"}) {
			t.Errorf("POST /api/v1/topics: title %q kind %q space %q tags %v, want \"Hello world\", discussion, %s, [go web]", got.Title, got.Kind, got.Space, got.Tags, pub)
		}
		if got.Author == nil || got.Author.Username != "alice" || len(got.Posts) != 1 || got.Posts[0].Kind != "opening" || !strings.Contains(got.Posts[0].BodyHTML, "<strong>post</strong>") {
			t.Errorf("POST /api/v1/topics: author %v posts %+v, want alice and one rendered opening post", got.Author, got.Posts)
		}
	})
	t.Run("any signed-in member posts in a public space", func(t *testing.T) {
		e.newTopic(t, e.Bob, pub, "Bob says hello")
	})
	priorTopics := len(decode[api.TopicList](t, e.call(t, e.Admin, "GET", "/api/v1/topics?limit=100", nil, http.StatusOK)).Topics)
	valid := map[string]any{"space": pub, "title": "A valid title", "body": "A body", "tags": []string{"ok"}}
	with := func(k string, v any) map[string]any {
		m := map[string]any{}
		for k2, v2 := range valid {
			m[k2] = v2
		}
		if v == nil {
			delete(m, k)
		} else {
			m[k] = v
		}
		return m
	}
	tests := []struct {
		name       string
		as         *testenv.User
		body       any
		wantStatus int
		wantFields []string
	}{
		{"guest must sign in", nil, valid, http.StatusUnauthorized, nil},
		{"short title", e.Alice, with("title", "Hi"), http.StatusBadRequest, []string{"title"}},
		{"long title", e.Alice, with("title", strings.Repeat("x", 151)), http.StatusBadRequest, []string{"title"}},
		{"empty body", e.Alice, with("body", "   "), http.StatusBadRequest, []string{"body"}},
		{"body too long", e.Alice, with("body", strings.Repeat("x", 50001)), http.StatusBadRequest, []string{"body"}},
		{"bad tag", e.Alice, with("tags", []string{"no spaces!"}), http.StatusBadRequest, []string{"tags"}},
		{"too many tags", e.Alice, with("tags", []string{"a", "b", "c", "d", "e", "f"}), http.StatusBadRequest, []string{"tags"}},
		{"no space", e.Alice, with("space", nil), http.StatusBadRequest, []string{"space"}},
		{"unknown space", e.Alice, with("space", "no-such-space"), http.StatusBadRequest, []string{"space"}},
		{"private space, non-member: no such space", e.Bob, with("space", e.PrivateSpace.Slug), http.StatusBadRequest, []string{"space"}},
		{"secret space, non-member: no such space", e.Bob, with("space", e.SecretSpace.Slug), http.StatusBadRequest, []string{"space"}},
		{"unknown kind", e.Alice, with("kind", "poem"), http.StatusBadRequest, []string{"kind"}},
		{"every problem at once", e.Alice, map[string]any{"title": "", "body": "", "tags": []string{"!"}}, http.StatusBadRequest, []string{"title", "body", "tags", "space"}},
		{"unknown field is named", e.Alice, with("pinned_at", "2020-01-01T00:00:00Z"), http.StatusBadRequest, []string{"pinned_at"}},
		{"author cannot be chosen", e.Alice, with("author_id", 1), http.StatusBadRequest, []string{"author_id"}},
		{"title of the wrong type", e.Alice, with("title", 5), http.StatusBadRequest, []string{"title"}},
		{"tags as a string", e.Alice, with("tags", "go web"), http.StatusBadRequest, []string{"tags"}},
		{"tags holding numbers", e.Alice, with("tags", []int{1}), http.StatusBadRequest, []string{"tags"}},
		{"body not JSON", e.Alice, "title=hello", http.StatusBadRequest, nil},
		{"empty body", e.Alice, "", http.StatusBadRequest, nil},
		{"two JSON objects", e.Alice, `{"space":"x"}{"space":"y"}`, http.StatusBadRequest, nil},
		{"a JSON array", e.Alice, `[]`, http.StatusBadRequest, nil},
		{"a JSON string", e.Alice, `"space"`, http.StatusBadRequest, nil},
		{"JSON null", e.Alice, `null`, http.StatusBadRequest, []string{"space", "title", "body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Clock.Advance(time.Minute) // stay clear of the posting rate limit
			rec := e.call(t, tt.as, "POST", "/api/v1/topics", tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
		})
	}
	t.Run("non-JSON content type", func(t *testing.T) {
		for _, ct := range []string{"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/jsonx", "not a media type"} {
			req := jsonRequest("POST", "/api/v1/topics", ct, []byte(`{"space":"`+pub+`","title":"Sneaky form post","body":"x"}`))
			rec := e.raw(t, "Bearer "+e.Alice.Token, req, http.StatusBadRequest)
			if msg := errorOf(t, rec).Error.Message; !strings.Contains(msg, "application/json") {
				t.Errorf("POST /api/v1/topics with Content-Type %q: message %q, want it to ask for application/json", ct, msg)
			}
		}
		req := jsonRequest("POST", "/api/v1/topics", "application/json; charset=utf-8", []byte(`{"space":"`+pub+`","title":"Charset is fine","body":"x"}`))
		e.raw(t, "Bearer "+e.Alice.Token, req, http.StatusCreated)
	})
	t.Run("nothing written by a refused request", func(t *testing.T) {
		got := decode[api.TopicList](t, e.call(t, e.Admin, "GET", "/api/v1/topics?limit=100", nil, http.StatusOK)).Topics
		if len(got) != priorTopics+1 { // +1: the charset request above
			t.Errorf("after the refused requests: %d topics %q, want %d", len(got), titles(got), priorTopics+1)
		}
	})
}

func TestPostingRateLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "Rate limited")
	path := fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID)
	for i := range 10 {
		e.call(t, e.Bob, "POST", path, map[string]any{"body": fmt.Sprintf("reply %d", i)}, http.StatusCreated)
	}
	e.call(t, e.Bob, "POST", path, map[string]any{"body": "one too many"}, http.StatusTooManyRequests)
	e.call(t, e.Bob, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "title": "Also limited", "body": "x"}, http.StatusTooManyRequests)
	e.call(t, e.Alice, "POST", path, map[string]any{"body": "others are not limited"}, http.StatusCreated)
	e.Clock.Advance(time.Minute)
	e.call(t, e.Bob, "POST", path, map[string]any{"body": "a minute later"}, http.StatusCreated)
}

func TestGetTopic(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Alice, e.PublicSpace, "A long thread")
	for i := range 55 {
		e.Reply(t, e.Bob, tp.ID, fmt.Sprintf("reply %02d", i))
	}
	path := fmt.Sprintf("/api/v1/topics/%d", tp.ID)
	first := decode[api.TopicDetail](t, e.call(t, nil, "GET", path, nil, http.StatusOK))
	if first.ID != tp.ID || first.Title != "A long thread" || first.ReplyCount != 55 || first.Author == nil || first.Author.Username != "alice" {
		t.Errorf("GET %s: id %d title %q replies %d author %v, want %d, \"A long thread\", 55, alice", path, first.ID, first.Title, first.ReplyCount, first.Author, tp.ID)
	}
	if len(first.Posts) != content.PostsPage || first.Posts[0].Kind != "opening" || first.Posts[1].BodyHTML != "<p>reply 00</p>\n" || first.NextAfter != first.Posts[content.PostsPage-1].ID {
		t.Fatalf("GET %s: %d posts, first kind %q, next_after %d; want %d posts, opening first, next_after = last post id", path, len(first.Posts), first.Posts[0].Kind, first.NextAfter, content.PostsPage)
	}
	for _, p := range first.Posts {
		if p.Author == nil || p.TopicID != tp.ID {
			t.Errorf("GET %s: post %d has author %v topic %d", path, p.ID, p.Author, p.TopicID)
		}
	}
	// The Markdown source only when asked for.
	if first.Posts[1].Body != "" {
		t.Errorf("GET %s: body %q, want none without include=body", path, first.Posts[1].Body)
	}
	e.call(t, nil, "GET", path+"?include=source", nil, http.StatusBadRequest)
	first = decode[api.TopicDetail](t, e.call(t, nil, "GET", path+"?include=body", nil, http.StatusOK))
	// Walk the remaining pages: every reply comes exactly once, in order.
	bodies := []string{}
	for _, p := range first.Posts[1:] {
		bodies = append(bodies, p.Body)
	}
	for after, pages := first.NextAfter, 0; after != 0; pages++ {
		if pages > 5 {
			t.Fatalf("GET %s: more pages than 56 posts need", path)
		}
		page := decode[api.TopicDetail](t, e.call(t, nil, "GET", fmt.Sprintf("%s?include=body&after=%d", path, after), nil, http.StatusOK))
		if page.NextAfter != 0 && len(page.Posts) != content.PostsPage {
			t.Errorf("GET %s?after=%d: a middle page of %d posts, want %d", path, after, len(page.Posts), content.PostsPage)
		}
		for _, p := range page.Posts {
			bodies = append(bodies, p.Body)
		}
		after = page.NextAfter
	}
	if len(bodies) != 55 || bodies[0] != "reply 00" || bodies[54] != "reply 54" {
		t.Errorf("GET %s across pages: %d replies from %q to %q, want 55 from reply 00 to reply 54", path, len(bodies), bodies[0], bodies[len(bodies)-1])
	}
	for i, b := range bodies {
		if want := fmt.Sprintf("reply %02d", i); b != want {
			t.Fatalf("GET %s across pages: reply %d is %q, want %q", path, i, b, want)
		}
	}
	for _, bad := range []struct {
		path       string
		wantStatus int
	}{
		{path + "?after=abc", http.StatusBadRequest},
		{path + "?after=-5", http.StatusBadRequest},
		{"/api/v1/topics/abc", http.StatusNotFound},
		{"/api/v1/topics/0", http.StatusNotFound},
		{"/api/v1/topics/-1", http.StatusNotFound},
		{"/api/v1/topics/99999999", http.StatusNotFound},
		{"/api/v1/topics/99999999999999999999", http.StatusNotFound},
	} {
		rec := e.call(t, e.Alice, "GET", bad.path, nil, bad.wantStatus)
		if bad.wantStatus == http.StatusBadRequest {
			wantFields(t, rec, "after")
		}
	}
}

func TestReply(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	disc := e.CreateTopic(t, e.Alice, e.PublicSpace, "A discussion")
	quest := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", "/api/v1/topics",
		map[string]any{"space": e.PublicSpace.Slug, "kind": "question", "title": "A question?", "body": "Why?"}, http.StatusCreated))
	priv := e.CreateTopic(t, e.Alice, e.PrivateSpace, "Private plans")
	tests := []struct {
		name       string
		as         *testenv.User
		topic      int64
		body       any
		wantStatus int
		wantKind   string
		wantFields []string
	}{
		{"reply to a discussion", e.Bob, disc.ID, map[string]any{"body": "Me too"}, http.StatusCreated, "reply", nil},
		{"answer a question", e.Bob, quest.ID, map[string]any{"body": "Because."}, http.StatusCreated, "answer", nil},
		{"leader replies in a private space", e.Alice, priv.ID, map[string]any{"body": "Noted"}, http.StatusCreated, "reply", nil},
		{"empty reply", e.Bob, disc.ID, map[string]any{"body": " \n"}, http.StatusBadRequest, "", []string{"body"}},
		{"no body field", e.Bob, disc.ID, map[string]any{}, http.StatusBadRequest, "", []string{"body"}},
		{"unknown field", e.Bob, disc.ID, map[string]any{"body": "x", "kind": "opening"}, http.StatusBadRequest, "", []string{"kind"}},
		{"wrong type", e.Bob, disc.ID, map[string]any{"body": true}, http.StatusBadRequest, "", []string{"body"}},
		{"guest must sign in", nil, disc.ID, map[string]any{"body": "hi"}, http.StatusUnauthorized, "", nil},
		{"private topic is 404 to non-members", e.Bob, priv.ID, map[string]any{"body": "let me in"}, http.StatusNotFound, "", nil},
		{"no such topic", e.Bob, 99999999, map[string]any{"body": "hello?"}, http.StatusNotFound, "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e.Clock.Advance(time.Minute)
			path := fmt.Sprintf("/api/v1/topics/%d/posts", tt.topic)
			rec := e.call(t, tt.as, "POST", path, tt.body, tt.wantStatus)
			wantFields(t, rec, tt.wantFields...)
			if tt.wantStatus != http.StatusCreated {
				return
			}
			p := decode[api.Post](t, rec)
			if p.Kind != tt.wantKind || p.TopicID != tt.topic || p.Revision != 1 || p.EditedAt != nil {
				t.Errorf("POST %s: kind %q topic %d revision %d edited %v, want %q, %d, 1, null", path, p.Kind, p.TopicID, p.Revision, p.EditedAt, tt.wantKind, tt.topic)
			}
			got := decode[api.Post](t, e.call(t, tt.as, "GET", fmt.Sprintf("/api/v1/posts/%d", p.ID), nil, http.StatusOK))
			if got.Body != p.Body {
				t.Errorf("GET the new post %d: body %q, want %q", p.ID, got.Body, p.Body)
			}
		})
	}
}
