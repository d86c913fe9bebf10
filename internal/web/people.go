package web

import (
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/web/view"
)

// profile shows a member's page with one tab of their activity ("" is the
// overview).
func (h *Handler) profile(tab string) pageFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		ctx := r.Context()
		v := auth.ViewerFrom(ctx)
		name := r.PathValue("name")
		u, topics, err := h.Content.Profile(ctx, v, name)
		if err != nil {
			return err
		}
		// The head shows the member (name, picture, fields, bio); the tabs
		// show content of theirs, which lists' keys cover.
		pagecache.Depend(ctx, pagecache.User(u.ID), pagecache.Lists)
		// The overview is a content page (app.css alone); the tabs use tables and lists of the tool pages.
		chrome := h.chrome(r, u.Name()+" · "+tabLabel(tab), "")
		if tab == "" {
			chrome = h.lean(r, u.Name(), "")
		}
		p := view.ProfilePage{Chrome: chrome, User: u, Tab: tab, Sort: r.URL.Query().Get("sort")}
		if p.Profile, err = h.Auth.ProfileOf(ctx, v, u); err != nil {
			return err
		}
		if p.Profile.Bio != "" {
			p.BioHTML = h.Markup.Render(p.Profile.Bio)
		}
		if !v.Guest() && v.UserID() != u.ID && u.Status == model.StatusActive {
			if p.Follow, err = h.Content.Watching(ctx, v, content.WatchRef{Target: model.WatchUser, Name: u.Username}); err != nil {
				return err
			}
		}
		if err := h.messaging(r, v, &p); err != nil {
			return err
		}
		if err := h.profileTab(r, v, &p, topics); err != nil {
			return err
		}
		return h.render(w, r, http.StatusOK, view.Profile(p))
	}
}

// messaging fills the profile's Message and Block buttons. A member who
// turned messages off and one who blocked the viewer look the same: no
// Message button, so a block is not revealed.
func (h *Handler) messaging(r *http.Request, v model.Viewer, p *view.ProfilePage) error {
	if v.Guest() || v.UserID() == p.User.ID || !policy.Messageable(p.User) {
		return nil
	}
	blocking, blockedBy, err := h.Messages.Blocks(r.Context(), v, p.User.ID)
	if err != nil {
		return err
	}
	p.Blocking = &blocking
	p.CanMessage = !blocking && !blockedBy && (v.Staff() || p.User.MessagesFrom != model.MessagesOff)
	return nil
}

// profileTab fills what the page's tab shows.
func (h *Handler) profileTab(r *http.Request, v model.Viewer, p *view.ProfilePage, topics []model.TopicItem) error {
	ctx := r.Context()
	var err error
	switch p.Tab {
	case "questions", "discussions":
		kind := model.KindQuestion
		if p.Tab == "discussions" {
			kind = model.KindDiscussion
		}
		p.List, err = h.Content.Latest(ctx, v, content.ListInput{Author: p.User.Username, Kind: kind, Cursor: r.URL.Query().Get("after")})
	case "answers":
		p.Answers, err = h.Content.UserAnswers(ctx, v, p.User.ID, p.Sort, pageParam(r))
	case "badges":
		p.Awards, err = h.Content.UserBadges(ctx, v, p.User.ID)
	case "reputation":
		var page content.ReputationPage
		page, err = h.Content.ReputationHistory(ctx, v, p.User.Username)
		p.Events = page.Events
	default:
		p.Topics = topics
		if p.Demonstrated, err = h.Content.Demonstrated(ctx, v, p.User.ID); err != nil {
			return err
		}
		var keys []string
		if keys, err = h.Content.UserBadgeKeys(ctx, v, p.User.ID); err != nil {
			return err
		}
		for _, b := range reputation.Badges { // in the rules' order
			if slices.Contains(keys, b.Key) {
				p.Badges = append(p.Badges, b)
			}
		}
	}
	return err
}

// tabLabel names a profile tab in the page's title.
func tabLabel(tab string) string {
	if tab == "" {
		return ""
	}
	return strings.ToUpper(tab[:1]) + tab[1:]
}

// pageParam reads ?page=N of an offset-paged list; anything else is page 1.
func pageParam(r *http.Request) int {
	n, _ := strconv.Atoi(r.URL.Query().Get("page"))
	return n
}

// directoryFields are the directory's filters, as its form and address
// name them.
var directoryFields = []string{"q", "expertise", "interest", "location", "space", "role", "new", "sort"}

// directory is the member directory (GET /members).
func (h *Handler) directory(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	q := r.URL.Query()
	f := view.Form{Values: map[string]string{}}
	kept := url.Values{}
	for _, name := range directoryFields {
		if val := strings.TrimSpace(q.Get(name)); val != "" {
			f.Values[name] = val
			kept.Set(name, val)
		}
	}
	in := content.DirectoryInput{Query: f.Get("q"), Expertise: f.Get("expertise"), Interest: f.Get("interest"), Location: f.Get("location"),
		Space: f.Get("space"), Role: f.Get("role"), New: f.Get("new") == "month", Sort: f.Get("sort"), Page: pageParam(r)}
	dir, err := h.Content.Directory(r.Context(), v, in)
	status := http.StatusOK
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		status = formStatus(err)
	}
	p := view.DirectoryPage{Chrome: h.chrome(r, "Members", "members"), Filter: f, Dir: dir, Base: "/members"}
	if len(kept) > 0 {
		p.Base += "?" + kept.Encode()
	}
	return h.render(w, r, status, view.Directory(p))
}

// avatar serves a member's picture (GET /avatars/{id}-{version}). The
// version is in the address, so the answer never changes and is cached for
// good; an old version is gone. The bytes were written by media, never as
// uploaded.
func (h *Handler) avatar(w http.ResponseWriter, r *http.Request) error {
	id, ver, ok := strings.Cut(r.PathValue("ref"), "-")
	userID, err1 := strconv.ParseInt(id, 10, 64)
	version, err2 := strconv.ParseInt(ver, 10, 64)
	if !ok || err1 != nil || err2 != nil {
		return errNotFound
	}
	ct, img, err := h.Auth.Avatar(r.Context(), userID, version)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	// Opened on its own (not as an <img>), a picture downloads (R14).
	ext := ".jpg"
	if ct == "image/png" {
		ext = ".png"
	}
	w.Header().Set("Content-Disposition", "attachment; filename=avatar"+ext)
	_, err = w.Write(img)
	return err
}

// uploadAvatar takes a new picture from the settings page.
func (h *Handler) uploadAvatar(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	err := h.Limits.Uploading(v)
	var data []byte
	if err == nil {
		data, err = readUpload(r, "avatar")
	}
	if err == nil {
		_, err = h.Auth.SetAvatar(r.Context(), v, data)
	}
	if err != nil {
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Avatar = f }, view.Form{})
	}
	return h.redirect(w, r, "/settings", "Picture saved.")
}

// removeAvatar goes back to the initial.
func (h *Handler) removeAvatar(w http.ResponseWriter, r *http.Request) error {
	if err := h.Auth.RemoveAvatar(r.Context(), auth.ViewerFrom(r.Context())); err != nil {
		return err
	}
	return h.redirect(w, r, "/settings", "Picture removed.")
}

// readUpload reads the one file of a multipart form's field. What is not a
// file is a field error; a body over the cap stays the error it is (413).
func readUpload(r *http.Request, field string) ([]byte, error) {
	file, _, err := r.FormFile(field)
	if err != nil {
		if mb := (*http.MaxBytesError)(nil); errors.As(err, &mb) {
			return nil, apperr.Field(field, "The picture is larger than 5 MB.")
		}
		return nil, apperr.Field(field, "Choose a picture to upload.")
	}
	defer file.Close()
	return io.ReadAll(file)
}
