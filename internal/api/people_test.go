package api_test

import (
	"bytes"
	"context"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// pngPicture is a w×h opaque PNG.
func pngPicture(t testing.TB, w, h int) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, w, h))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
		if i%4 == 3 {
			img.Pix[i] = 255
		}
	}
	img.Set(0, 0, color.RGBA{R: 255, A: 255})
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// putAvatar uploads data as u's picture with u's token (or the one given).
func (e *apiEnv) putAvatar(t *testing.T, token string, data []byte, want int) *httptest.ResponseRecorder {
	t.Helper()
	req := httptest.NewRequest(http.MethodPut, "/api/v1/me/avatar", bytes.NewReader(data))
	req.Header.Set("Content-Type", "image/png")
	return e.raw(t, "Bearer "+token, req, want)
}

// TestAvatar: a member uploads a picture, which is re-encoded, served for
// good under an address carrying its version, shown on what they wrote,
// replaced and removed; what is not a picture is refused on its field.
func TestAvatar(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	tp := e.CreateTopic(t, e.Bob, e.PublicSpace, "Bob's topic with a picture")

	e.call(t, nil, "DELETE", "/api/v1/me/avatar", nil, http.StatusUnauthorized)
	e.putAvatar(t, readOnly(t, e, e.Bob).Token, pngPicture(t, 300, 200), http.StatusForbidden)
	rec := e.putAvatar(t, e.Bob.Token, []byte("<html><script>alert(1)</script>"), http.StatusBadRequest)
	if errorOf(t, rec).Error.Fields["avatar"] == "" {
		t.Errorf("a page uploaded as a picture: %s, want an error on avatar", rec.Body)
	}

	first := decode[struct {
		AvatarURL string `json:"avatar_url"`
	}](t, e.putAvatar(t, e.Bob.Token, pngPicture(t, 300, 200), http.StatusOK)).AvatarURL
	if !strings.HasPrefix(first, "/avatars/") {
		t.Fatalf("avatar_url %q", first)
	}
	img := e.Get(t, nil, first)
	if img.Code != http.StatusOK || img.Header().Get("Content-Type") != "image/jpeg" || !strings.Contains(img.Header().Get("Cache-Control"), "immutable") ||
		!strings.HasPrefix(img.Header().Get("Content-Disposition"), "attachment") || img.Header().Get("X-Content-Type-Options") != "nosniff" {
		t.Errorf("GET %s: %d %v", first, img.Code, img.Header())
	}
	if cfg, format, err := image.DecodeConfig(bytes.NewReader(img.Body.Bytes())); err != nil || format != "jpeg" || cfg.Width != 200 || cfg.Height != 200 {
		t.Errorf("the served picture: %s %d×%d (%v), want the middle 200×200 square as a JPEG", format, cfg.Width, cfg.Height, err)
	}
	if got := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/bob", nil, http.StatusOK)); got.AvatarURL != first {
		t.Errorf("bob's profile: avatar_url %q, want %q", got.AvatarURL, first)
	}
	detail := decode[api.TopicDetail](t, e.call(t, nil, "GET", "/api/v1/topics/"+itoa(tp.ID), nil, http.StatusOK))
	if len(detail.Posts) == 0 || detail.Posts[0].Author == nil || detail.Posts[0].Author.AvatarURL != first {
		t.Errorf("bob's post: author %+v, want avatar_url %q", detail.Posts[0].Author, first)
	}
	export := testenv.Unzip(t, e.call(t, e.Bob, "GET", "/api/v1/me/export", nil, http.StatusOK).Body.Bytes())
	found := false
	for name, data := range export {
		if strings.HasSuffix(name, "/avatar.jpg") {
			found = data == img.Body.String()
		}
	}
	if !found {
		t.Error("bob's data export lacks his picture (avatar.jpg)")
	}
	page := e.Get(t, nil, "/t/"+itoa(tp.ID))
	if !strings.Contains(page.Body.String(), `src="`+first+`"`) {
		t.Errorf("bob's topic page does not show his picture %s", first)
	}

	second := decode[struct {
		AvatarURL string `json:"avatar_url"`
	}](t, e.putAvatar(t, e.Bob.Token, pngPicture(t, 64, 64), http.StatusOK)).AvatarURL
	if second == first {
		t.Fatalf("a new picture kept the address %s", first)
	}
	if rec := e.Get(t, nil, first); rec.Code != http.StatusNotFound {
		t.Errorf("the replaced picture %s: status %d, want 404", first, rec.Code)
	}
	e.call(t, e.Bob, "DELETE", "/api/v1/me/avatar", nil, http.StatusNoContent)
	if rec := e.Get(t, nil, second); rec.Code != http.StatusNotFound {
		t.Errorf("the removed picture %s: status %d, want 404", second, rec.Code)
	}
	if got := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/bob", nil, http.StatusOK)); got.AvatarURL != "" {
		t.Errorf("after removing: avatar_url %q", got.AvatarURL)
	}
	// A picture after a removed one never takes an address used before:
	// caches keep those for a year.
	third := decode[struct {
		AvatarURL string `json:"avatar_url"`
	}](t, e.putAvatar(t, e.Bob.Token, pngPicture(t, 48, 48), http.StatusOK)).AvatarURL
	if third == first || third == second {
		t.Errorf("the picture after a removal took the used address %s", third)
	}

	// Each upload is decoded: a member gets ten an hour.
	carol := e.Carol(t)
	for i := range 10 {
		e.putAvatar(t, carol.Token, pngPicture(t, 32+i, 32), http.StatusOK)
	}
	e.putAvatar(t, carol.Token, pngPicture(t, 32, 32), http.StatusTooManyRequests)
	e.Clock.Advance(time.Hour + time.Second)
	e.putAvatar(t, carol.Token, pngPicture(t, 32, 32), http.StatusOK)
}

// memberNames lists the usernames of a directory answer.
func memberNames(t *testing.T, e *apiEnv, u *testenv.User, query string) []string {
	t.Helper()
	list := decode[api.MemberList](t, e.call(t, u, "GET", "/api/v1/users"+query, nil, http.StatusOK))
	var out []string
	for _, m := range list.Users {
		out = append(out, m.Username)
	}
	return out
}

// TestDirectory: the member directory's filters and sorts, each profile
// field's visibility, and spaces' privacy.
func TestDirectory(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	if _, err := e.App.Content.CreateTopic(ctx, e.Alice.Viewer(), content.TopicInput{Space: e.PublicSpace.Slug, Title: "Tagging the topics we know", Body: "Tags.", Tags: "qubits error-correction"}); err != nil {
		t.Fatal(err)
	}
	got := decode[api.User](t, e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"expertise": []string{"Qubits"}, "interests": []string{"error-correction"},
		"location": "Lisbon, Portugal"}, http.StatusOK))
	if !slices.Equal(got.Expertise, []string{"qubits"}) || !slices.Equal(got.Interests, []string{"error-correction"}) {
		t.Fatalf("PATCH expertise and interests: %+v", got)
	}
	for field, body := range map[string]map[string]any{
		"expertise": {"expertise": []string{"no-such-tag"}},
		"interests": {"interests": []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k"}},
	} {
		rec := e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", body, http.StatusBadRequest)
		if errorOf(t, rec).Error.Fields[field] == "" {
			t.Errorf("PATCH %v: %s, want an error on %s", body, rec.Body, field)
		}
	}
	if got := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/bob", nil, http.StatusOK)); !slices.Equal(got.Expertise, []string{"qubits"}) {
		t.Errorf("a refused PATCH changed the expertise: %+v", got)
	}

	for _, c := range []struct {
		as    *testenv.User
		query string
		want  []string
	}{
		{nil, "?expertise=qubits", []string{"bob"}},
		{nil, "?interest=error-correction", []string{"bob"}},
		{nil, "?location=lisbon", []string{"bob"}},
		{nil, "?q=AL", []string{"alice"}},
		{nil, "?role=moderator", []string{"mod"}},
		{nil, "?sort=name", []string{"admin", "alice", "bob", "mod"}},
		{e.Alice, "?space=" + e.PrivateSpace.Slug, []string{"alice"}},
		{e.Alice, "?space=" + e.SecretSpace.Slug, []string{"alice"}},
		{nil, "?new=month&sort=name", []string{"admin", "alice", "bob", "mod"}},
	} {
		if got := memberNames(t, e, c.as, c.query); !slices.Equal(got, c.want) {
			t.Errorf("GET /api/v1/users%s as %s: %v, want %v", c.query, who(c.as), got, c.want)
		}
	}
	// Privacy: a space one may not read is not found; a field kept from the
	// caller does not find its member.
	e.call(t, e.Bob, "GET", "/api/v1/users?space="+e.PrivateSpace.Slug, nil, http.StatusNotFound) // a private space's members are for its members
	e.call(t, nil, "GET", "/api/v1/users?space="+e.SecretSpace.Slug, nil, http.StatusNotFound)
	e.call(t, e.Bob, "GET", "/api/v1/users?space="+e.SecretSpace.Slug, nil, http.StatusNotFound)
	e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"visibility": map[string]string{"expertise": "me", "location": "members"}}, http.StatusOK)
	for _, c := range []struct {
		as    *testenv.User
		query string
		want  bool
	}{
		{nil, "?expertise=qubits", false}, {e.Alice, "?expertise=qubits", false}, {e.Bob, "?expertise=qubits", true},
		{nil, "?location=lisbon", false}, {e.Alice, "?location=lisbon", true},
		{nil, "?interest=error-correction", true},
	} {
		if got := slices.Contains(memberNames(t, e, c.as, c.query), "bob"); got != c.want {
			t.Errorf("GET /api/v1/users%s as %s finds bob: %v, want %v", c.query, who(c.as), got, c.want)
		}
	}
	if got := decode[api.User](t, e.call(t, e.Alice, "GET", "/api/v1/users/bob", nil, http.StatusOK)); got.Expertise != nil || got.Location == "" {
		t.Errorf("bob's profile as alice: %+v, want the location and no expertise", got)
	}
	list := decode[api.MemberList](t, e.call(t, nil, "GET", "/api/v1/users?sort=name", nil, http.StatusOK))
	for _, m := range list.Users {
		if m.Username == "bob" && (m.Location != "" || m.Expertise != nil || len(m.Interests) != 1) {
			t.Errorf("bob in the directory as a guest: %+v, want only his interests", m)
		}
	}

	for param, query := range map[string]string{"sort": "?sort=karma", "role": "?role=root", "new": "?new=year", "q": "?q=" + strings.Repeat("x", 81), "page": "?page=-1"} {
		rec := e.call(t, nil, "GET", "/api/v1/users"+query, nil, http.StatusBadRequest)
		if errorOf(t, rec).Error.Fields[param] == "" {
			t.Errorf("GET /api/v1/users%s: %s, want an error on %s", query, rec.Body, param)
		}
	}
	// Case folds beyond ASCII on both engines.
	e.call(t, e.Alice, "PATCH", "/api/v1/me/profile", map[string]any{"display_name": "Ümit Alice", "location": "ZÜRICH"}, http.StatusOK)
	for _, q := range []string{"?q=%C3%BCmit", "?location=z%C3%BCrich"} {
		if got := memberNames(t, e, nil, q); !slices.Equal(got, []string{"alice"}) {
			t.Errorf("GET /api/v1/users%s: %v, want alice", q, got)
		}
	}
	// Posting in a private space is no "recent activity" for others to see.
	carol := e.Carol(t)
	e.AddMember(t, e.PrivateSpace, carol, model.SpaceMember)
	e.CreateTopic(t, carol, e.PrivateSpace, "Carol posts where few can read")
	if got := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/carol", nil, http.StatusOK)); got.ActiveAt != nil {
		t.Errorf("carol posted only in a private space, yet her active_at is %v", got.ActiveAt)
	}
	e.CreateTopic(t, carol, e.PublicSpace, "Carol posts in the open")
	if got := decode[api.User](t, e.call(t, nil, "GET", "/api/v1/users/carol", nil, http.StatusOK)); got.ActiveAt == nil {
		t.Error("carol posted in a public space, yet she has no active_at")
	}
	if got := memberNames(t, e, nil, "?sort=activity"); len(got) == 0 || got[0] != "carol" {
		t.Errorf("by recent activity: %v, want carol first", got)
	}
	e.Clock.Advance(31 * 24 * time.Hour)
	if got := memberNames(t, e, nil, "?new=month"); len(got) != 0 {
		t.Errorf("a month later, new members: %v", got)
	}
}

// TestActivityAndDemonstratedExpertise: a member's answers and the tags
// where they were accepted or voted up, counting only what the caller may
// read.
func TestActivityAndDemonstratedExpertise(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	e.AddMember(t, e.PrivateSpace, e.Bob, model.SpaceMember)
	answered := func(sp model.Space, tags string, accept bool) model.Post {
		t.Helper()
		q, err := e.App.Content.CreateTopic(ctx, e.Alice.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion, Title: "A question tagged " + tags, Body: "Why?", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		a := e.Reply(t, e.Bob, q.ID, "Because of "+tags+".")
		if accept {
			if _, err := e.App.Content.Accept(ctx, e.Alice.Viewer(), q.ID, a.ID); err != nil {
				t.Fatal(err)
			}
		} else if _, err := e.App.Content.Vote(ctx, e.Alice.Viewer(), a.ID, 1); err != nil {
			t.Fatal(err)
		}
		return a
	}
	answered(e.PublicSpace, "qubits", true)
	answered(e.PublicSpace, "qubits noise", false)
	answered(e.PrivateSpace, "hidden-topic", true)
	plain, err := e.App.Content.CreateTopic(ctx, e.Alice.Viewer(), content.TopicInput{Space: e.PublicSpace.Slug, Kind: model.KindQuestion, Title: "An unloved question", Body: "Why?", Tags: "unloved"})
	if err != nil {
		t.Fatal(err)
	}
	e.Reply(t, e.Bob, plain.ID, "An answer nobody voted for.")

	tags := func(u *testenv.User) map[string]int64 {
		t.Helper()
		out := map[string]int64{}
		for _, d := range decode[api.User](t, e.call(t, u, "GET", "/api/v1/users/bob", nil, http.StatusOK)).Demonstrated {
			out[d.Tag] = d.Answers
		}
		return out
	}
	if got := tags(nil); len(got) != 2 || got["qubits"] != 2 || got["noise"] != 1 {
		t.Errorf("bob's demonstrated expertise as a guest: %v, want qubits 2, noise 1", got)
	}
	if got := tags(e.Alice); len(got) != 3 || got["hidden-topic"] != 1 {
		t.Errorf("bob's demonstrated expertise as alice (in the private space): %v", got)
	}
	answers := func(u *testenv.User, query string) []api.AnswerItem {
		t.Helper()
		return decode[struct {
			Answers []api.AnswerItem `json:"answers"`
		}](t, e.call(t, u, "GET", "/api/v1/users/bob/answers"+query, nil, http.StatusOK)).Answers
	}
	if got := answers(nil, ""); len(got) != 3 || got[0].Topic.Title != "An unloved question" {
		t.Errorf("bob's answers as a guest: %+v, want 3, newest first", got)
	}
	if got := answers(e.Alice, "?sort=top"); len(got) != 4 || got[0].Post.Score != 1 || !got[1].Accepted || got[0].Topic.Space != e.PublicSpace.Slug || len(got[0].Topic.Tags) != 2 {
		t.Errorf("bob's answers as alice, top first: %+v, want 4, the upvoted one first, then an accepted one", got)
	}
	e.call(t, nil, "GET", "/api/v1/users/bob/answers?sort=worst", nil, http.StatusBadRequest)
	e.call(t, nil, "GET", "/api/v1/users/nobody/answers", nil, http.StatusNotFound)
	questions := decode[api.TopicList](t, e.call(t, nil, "GET", "/api/v1/topics?author=alice&kind=question", nil, http.StatusOK))
	if len(questions.Topics) != 3 {
		t.Errorf("alice's questions as a guest: %d, want the 3 public ones", len(questions.Topics))
	}
	e.call(t, nil, "GET", "/api/v1/topics?author=nobody", nil, http.StatusNotFound)
}
