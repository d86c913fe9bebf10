package web_test

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// uploadAvatar posts a picture to the settings page's form as u.
func uploadAvatar(t *testing.T, env *testenv.Env, u *testenv.User, name string, data []byte) *httptest.ResponseRecorder {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	fw, err := mw.CreateFormFile("avatar", name)
	if err != nil {
		t.Fatal(err)
	}
	fw.Write(data)
	mw.Close()
	req := httptest.NewRequest(http.MethodPost, "/settings/avatar", &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	rec := env.Do(t, u, req)
	if rec.Code >= 500 {
		t.Fatalf("POST /settings/avatar: %d", rec.Code)
	}
	return rec
}

func squarePNG(t *testing.T, side int) []byte {
	t.Helper()
	img := image.NewGray(image.Rect(0, 0, side, side))
	for i := range img.Pix {
		img.Pix[i] = uint8(i)
	}
	var b bytes.Buffer
	if err := png.Encode(&b, img); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestAvatarForm: the settings page takes a picture, shows it in the bar,
// on the profile and in the directory, refuses what is not one with a
// message on the field, and removes it.
func TestAvatarForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	rec := uploadAvatar(t, env, env.Bob, "evil.png", []byte("<html><script>alert(1)</script>"))
	wantStatus(t, rec, "upload a page named .png", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "Upload a PNG, JPEG, GIF or WebP picture.") || !strings.Contains(rec.Body.String(), `id="f-avatar"`) {
		t.Errorf("the refused upload does not re-render the form with the field's message")
	}
	wantRedirect(t, uploadAvatar(t, env, env.Bob, "me.png", squarePNG(t, 120)), "upload a picture", "/settings")
	env.Refresh(t, env.Bob)
	path := env.Bob.Ref().AvatarPath()
	if path == "" {
		t.Fatal("bob has no picture after uploading one")
	}
	for page, as := range map[string]*testenv.User{"/settings": env.Bob, "/u/bob": env.Alice, "/members": nil, "/u/bob/answers": nil} {
		rec := send(t, env, request{path: page, as: as})
		if !strings.Contains(rec.Body.String(), `src="`+path+`"`) {
			t.Errorf("%s does not show bob's picture %s", page, path)
		}
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/settings/avatar/remove", as: env.Bob, form: url.Values{}}), "remove the picture", "/settings")
	if rec := send(t, env, request{path: "/u/bob", as: env.Alice}); strings.Contains(rec.Body.String(), path) {
		t.Error("the profile still shows the removed picture")
	}
	rec = send(t, env, request{method: "POST", path: "/settings/avatar", as: env.Bob, form: url.Values{"avatar": {"not a file"}}})
	wantStatus(t, rec, "upload with no file", http.StatusBadRequest)
	wantStatus(t, uploadAvatar(t, env, nil, "me.png", squarePNG(t, 64)), "upload as a guest", http.StatusUnauthorized)
}

// TestProfilePages: the profile's tabs, declared and demonstrated expertise,
// and what the settings form saves; a private space's answers stay out of a
// guest's view.
func TestProfilePages(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	ctx := context.Background()
	env.AddMember(t, env.PrivateSpace, env.Bob, model.SpaceMember)
	ask := func(sp model.Space, title, tags string) model.Topic {
		t.Helper()
		q, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: sp.Slug, Kind: model.KindQuestion, Title: title, Body: "Why?", Tags: tags})
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	pub := ask(env.PublicSpace, "Public question on decoherence", "decoherence")
	a := env.Reply(t, env.Bob, pub.ID, "Because of the environment.")
	if _, err := env.App.Content.Accept(ctx, env.Alice.Viewer(), pub.ID, a.ID); err != nil {
		t.Fatal(err)
	}
	priv := ask(env.PrivateSpace, "Private question on the lab", "lab-notes")
	env.Reply(t, env.Bob, priv.ID, "Ask the lab.")
	env.CreateTopic(t, env.Bob, env.PublicSpace, "Bob opens a discussion")

	rec := send(t, env, request{method: "POST", path: "/settings/profile", as: env.Bob, form: url.Values{"bio": {"I *measure* things."},
		"expertise": {"decoherence nope-tag"}, "interests": {"lab-notes"}, "visibility.bio": {"members"}}})
	wantStatus(t, rec, "save an unknown expertise tag", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "No tag is named nope-tag") {
		t.Error("the settings form does not name the unknown tag")
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/settings/profile", as: env.Bob, form: url.Values{"bio": {"I *measure* things."},
		"expertise": {"decoherence"}, "interests": {"lab-notes"}, "visibility.bio": {"members"}}}), "save the profile", "/settings")

	guest := send(t, env, request{path: "/u/bob"}).Body.String()
	member := send(t, env, request{path: "/u/bob", as: env.Alice}).Body.String()
	for _, want := range []string{"Declared", `href="/tags/decoherence"`, "Shown in answers", "Interested in", `href="/u/bob/answers"`} {
		if !strings.Contains(guest, want) {
			t.Errorf("bob's profile as a guest lacks %q", want)
		}
	}
	if strings.Contains(guest, "<em>measure</em>") || !strings.Contains(member, "<em>measure</em>") {
		t.Error("a bio kept for members shows to guests, or not to members")
	}
	tabs := map[string][2]string{ // tab: what a guest sees, what a guest must not see
		"/u/bob/answers":     {"Public question on decoherence", "Private question on the lab"},
		"/u/bob/questions":   {"Nothing here yet", "Public question"}, // bob asked nothing
		"/u/bob/discussions": {"Bob opens a discussion", "Private question"},
		"/u/alice/questions": {"Public question on decoherence", "Private question on the lab"},
		"/u/bob/reputation":  {"Accepted", "Private question"},
		"/u/bob/badges":      {"Badges", "Private question"},
	}
	for path, c := range tabs {
		rec := send(t, env, request{path: path})
		wantStatus(t, rec, "GET "+path, http.StatusOK)
		body := rec.Body.String()
		if !strings.Contains(strings.ToLower(body), strings.ToLower(c[0])) {
			t.Errorf("GET %s as a guest lacks %q", path, c[0])
		}
		if strings.Contains(body, c[1]) {
			t.Errorf("GET %s as a guest shows %q", path, c[1])
		}
	}
	if body := send(t, env, request{path: "/u/bob/answers", as: env.Alice}).Body.String(); !strings.Contains(body, "Private question on the lab") {
		t.Error("bob's answers as alice (a member of the private space) leave out his private answer")
	}
	wantStatus(t, send(t, env, request{path: "/u/nobody/answers"}), "a missing member's tab", http.StatusNotFound)
}

// TestDirectoryPage: the directory's form keeps its filters, finds by
// expertise, explains an empty result, and refuses bad values on their
// field.
func TestDirectoryPage(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.CreateTopic(t, env.Alice, env.PublicSpace, "Tags for the directory")
	if _, err := env.App.Content.CreateTopic(context.Background(), env.Alice.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Title: "Tagged for experts", Body: "x", Tags: "optics"}); err != nil {
		t.Fatal(err)
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/settings/profile", as: env.Bob, form: url.Values{"expertise": {"optics"}, "location": {"Porto"}}}), "save", "/settings")

	body := send(t, env, request{path: "/members?expertise=optics"}).Body.String()
	if !strings.Contains(body, `href="/u/bob"`) || strings.Contains(body, `href="/u/alice"`) || !strings.Contains(body, `value="optics"`) {
		t.Errorf("/members?expertise=optics does not list just bob with the filter kept")
	}
	if body := send(t, env, request{path: "/members?location=nowhere"}).Body.String(); !strings.Contains(body, "Nobody matches") {
		t.Error("an empty directory does not say so")
	}
	rec := send(t, env, request{path: "/members?sort=karma&role=root"})
	wantStatus(t, rec, "bad sort and role", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "Sort by reputation") || !strings.Contains(rec.Body.String(), "Choose admin, moderator or member") {
		t.Error("the directory does not name the bad filters")
	}
	wantStatus(t, send(t, env, request{path: "/members?space=" + env.SecretSpace.Slug}), "a secret space's members as a guest", http.StatusNotFound)
	if body := send(t, env, request{path: "/members?space=" + env.PrivateSpace.Slug, as: env.Alice}).Body.String(); !strings.Contains(body, "Members of Private Room") {
		t.Error("a space's member directory is not titled with the space")
	}
}
