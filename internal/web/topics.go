package web

import (
	"cmp"
	"context"
	"net/http"
	"strconv"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
	"practica/internal/web/view"
)

func (h *Handler) home(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	list, err := h.Content.Latest(r.Context(), v, content.ListInput{Cursor: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	tags, err := h.Content.PopularTags(r.Context(), v, 20)
	if err != nil {
		return err
	}
	events, err := h.upcoming(r, "")
	if err != nil {
		return err
	}
	pagecache.Depend(r.Context(), pagecache.Lists)
	return h.render(w, r, http.StatusOK, view.Home(view.HomePage{Chrome: h.lean(r, "", "home"), List: list, Tags: tags, Welcome: v.Guest(), Events: events}))
}

func (h *Handler) topic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.renderTopic(w, r, id, view.TopicPage{}, http.StatusOK); err != nil {
		return err
	}
	h.countView(r, id)
	pagecache.OnHit(r.Context(), func(r *http.Request) { h.countView(r, id) })
	return nil
}

// countView records that the requester opened topic id (once per flush
// window), whether the page was rendered or served from the page cache.
func (h *Handler) countView(r *http.Request, id int64) {
	viewer := "ip:" + httpx.ClientIP(r, h.TrustedProxies)
	if v := auth.ViewerFrom(r.Context()); !v.Guest() {
		viewer = "u:" + strconv.FormatInt(v.UserID(), 10)
	}
	h.Content.Activity.View(id, viewer)
}

// renderTopic shows a topic page at the page the query asks for, with the
// forms of p as submitted (after an error).
func (h *Handler) renderTopic(w http.ResponseWriter, r *http.Request, id int64, p view.TopicPage, status int) error {
	v := auth.ViewerFrom(r.Context())
	query := r.URL.Query()
	after, _ := strconv.ParseInt(query.Get("after"), 10, 64)
	page, _ := strconv.Atoi(query.Get("page"))
	tq := content.TopicQuery{After: after, Order: store.AnswerOrder(query.Get("answers")), Page: page, Comments: content.CommentsShown}
	if query.Get("comments") == "all" {
		tq.Comments = 0
	}
	tv, err := h.Content.TopicPage(r.Context(), v, id, tq)
	if err != nil {
		return err
	}
	p.Chrome, p.View = h.lean(r, tv.Topic.Title, "s:"+tv.Space.Slug), tv
	dependOnTopic(r.Context(), tv)
	if len(tv.Posts) > 0 {
		p.Description = h.Content.Description(tv.Posts[0].Post)
	}
	if tv.CanModerate {
		if p.MoveTo, err = h.Community.Spaces(r.Context(), v, false); err != nil {
			return err
		}
	}
	if !v.Guest() {
		if p.Watch, err = h.Content.Watching(r.Context(), v, content.WatchRef{Target: model.WatchTopic, ID: id}); err != nil {
			return err
		}
	}
	return h.render(w, r, status, view.Topic(p))
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	f := form(r, "body")
	err = h.Limits.Posting(v)
	var post model.Post
	if err == nil {
		post, err = h.Content.Reply(r.Context(), v, id, f.Get("body"))
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		return h.renderTopic(w, r, id, view.TopicPage{ReplyForm: f}, formStatus(err))
	}
	return h.redirect(w, r, "/p/"+strconv.FormatInt(post.ID, 10), "")
}

// postLink redirects a post id to its place in its topic.
func (h *Handler) postLink(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	to, err := h.Content.PostLocation(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}

func (h *Handler) newTopicForm(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	f := view.Form{Values: map[string]string{"space": r.URL.Query().Get("space"), "kind": r.URL.Query().Get("kind")}}
	// An event's times are in the author's own zone unless they pick another.
	prof, err := h.Auth.ProfileOf(r.Context(), v, *v.User)
	if err != nil {
		return err
	}
	f.Values["time_zone"] = cmp.Or(prof.TimeZone, "UTC")
	return h.renderNewTopic(w, r, f, http.StatusOK)
}

func (h *Handler) renderNewTopic(w http.ResponseWriter, r *http.Request, f view.Form, status int) error {
	v := auth.ViewerFrom(r.Context())
	all, err := h.Community.Spaces(r.Context(), v, false)
	if err != nil {
		return err
	}
	p := view.NewTopicPage{Chrome: h.chrome(r, "New topic", ""), Form: f}
	for _, s := range all {
		if policy.Can(v, policy.CreateTopic, policy.Subject{Space: s.Space, Role: s.Role}) {
			p.Spaces = append(p.Spaces, s)
		}
	}
	p.Unverified = !v.User.Verified() && !v.Staff()
	return h.render(w, r, status, view.NewTopic(p))
}

func (h *Handler) createTopic(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	f := form(r, append([]string{"space", "kind", "title", "body", "tags"}, eventFields...)...)
	err := h.Limits.Posting(v)
	var t model.Topic
	if err == nil {
		t, err = h.Content.CreateTopic(r.Context(), v, content.TopicInput{Space: f.Get("space"), Kind: model.Kind(f.Get("kind")), Title: f.Get("title"), Body: f.Get("body"), Tags: f.Get("tags"),
			Event: eventInput(f)})
	}
	if err != nil {
		if !formError(&f, err) {
			return err
		}
		return h.renderNewTopic(w, r, f, formStatus(err))
	}
	return h.redirect(w, r, t.Path(), "")
}

// preview renders Markdown for the composer's Preview button (a fragment).
func (h *Handler) preview(w http.ResponseWriter, r *http.Request) error {
	html, err := h.Content.Preview(r.PostFormValue("body"))
	if err != nil {
		msg, _ := httpx.Message(err)
		html = "<p class=\"muted\">" + msg + "</p>"
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return view.PostBody(html).Render(r.Context(), w)
}

func (h *Handler) editPostForm(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, t, direct, err := h.Content.EditablePost(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	f := view.Form{Values: map[string]string{"title": t.Title, "body": p.Body, "tags": strings.Join(t.Tags, " ")}}
	return h.render(w, r, http.StatusOK, view.EditPost(view.EditPostPage{Chrome: h.chrome(r, "Edit", ""), Form: f, Post: p, Topic: t, Opening: p.Kind == model.PostOpening, Suggest: !direct}))
}

func (h *Handler) editPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	f := form(r, "title", "body", "tags", "reason")
	res, err := h.Content.EditOrSuggest(r.Context(), v, id, content.EditInput{Title: f.Get("title"), Body: f.Get("body"), Tags: f.Get("tags"), Reason: f.Get("reason")})
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		p, t, direct, perr := h.Content.EditablePost(r.Context(), v, id)
		if perr != nil {
			return perr
		}
		return h.render(w, r, formStatus(err), view.EditPost(view.EditPostPage{Chrome: h.chrome(r, "Edit", ""), Form: f, Post: p, Topic: t, Opening: p.Kind == model.PostOpening, Suggest: !direct}))
	}
	if res.Suggestion != nil {
		return h.redirect(w, r, "/p/"+strconv.FormatInt(id, 10), "Thank you. Your edit is waiting for a reviewer.")
	}
	return h.redirect(w, r, "/p/"+strconv.FormatInt(id, 10), "Saved.")
}

// confirmDelete asks before deleting: a page, so it works without script.
func (h *Handler) confirmDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, t, err := h.Content.DeletablePost(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	page := view.ConfirmDeletePage{Chrome: h.chrome(r, "Delete", ""), Post: p, Topic: t, Excerpt: markup.Excerpt(p.Body, 280)}
	return h.render(w, r, http.StatusOK, view.ConfirmDelete(page))
}

func (h *Handler) deletePost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	deleting := r.URL.Path == "/p/"+strconv.FormatInt(id, 10)+"/delete"
	t, err := h.Content.SetDeleted(r.Context(), v, id, deleting)
	if err != nil {
		return err
	}
	msg := "Restored."
	to := t.Path()
	if deleting {
		msg = "Deleted."
		if _, err := h.Content.Topic(r.Context(), v, t.ID, 0); err != nil {
			to = "/s/" + strconv.FormatInt(t.SpaceID, 10)
			if sp, err := h.spaceOf(r, t.SpaceID); err == nil {
				to = sp
			}
		}
	}
	return h.redirect(w, r, to, msg)
}

// spaceOf returns the path of a space the viewer can see, by id.
func (h *Handler) spaceOf(r *http.Request, id int64) (string, error) {
	spaces, err := h.Community.Spaces(r.Context(), auth.ViewerFrom(r.Context()), true)
	if err != nil {
		return "", err
	}
	for _, s := range spaces {
		if s.Space.ID == id {
			return s.Space.Path(), nil
		}
	}
	return "/", nil
}

func (h *Handler) moderate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.Content.Moderate(r.Context(), auth.ViewerFrom(r.Context()), id, content.Moderation(r.PostFormValue("action")))
	if err != nil {
		return err
	}
	return h.redirect(w, r, t.Path(), "Done.")
}

func (h *Handler) move(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	t, err := h.Content.Move(r.Context(), auth.ViewerFrom(r.Context()), id, r.PostFormValue("space"))
	if err != nil {
		return err
	}
	return h.redirect(w, r, t.Path(), "Moved.")
}

func (h *Handler) revisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, t, revs, err := h.Content.Revisions(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	_, _, direct, err := h.Content.EditablePost(r.Context(), auth.ViewerFrom(r.Context()), id)
	page := view.RevisionsPage{Chrome: h.chrome(r, "Revisions", ""), Post: p, Topic: t, Revisions: revs, SideBySide: r.URL.Query().Get("view") == "side", CanRollback: err == nil && direct}
	return h.render(w, r, http.StatusOK, view.Revisions(page))
}

func (h *Handler) tags(w http.ResponseWriter, r *http.Request) error {
	tags, err := h.Content.PopularTags(r.Context(), auth.ViewerFrom(r.Context()), 200)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Tags(view.TagsPage{Chrome: h.chrome(r, "Tags", "tags"), Tags: tags}))
}

func (h *Handler) tag(w http.ResponseWriter, r *http.Request) error {
	return h.renderTag(w, r, r.PathValue("name"), view.Form{}, http.StatusOK)
}

// renderTag shows a tag page (a synonym redirects to its tag), with the
// curation forms as submitted.
func (h *Handler) renderTag(w http.ResponseWriter, r *http.Request, name string, f view.Form, status int) error {
	v := auth.ViewerFrom(r.Context())
	tv, err := h.Content.TagPage(r.Context(), v, name)
	if err != nil {
		return err
	}
	if tv.Canonical != "" && r.Method == http.MethodGet {
		http.Redirect(w, r, "/tags/"+tv.Canonical, http.StatusMovedPermanently)
		return nil
	}
	kind := model.Kind(r.URL.Query().Get("kind"))
	if kind != model.KindQuestion {
		kind = ""
	}
	list, err := h.Content.Latest(r.Context(), v, content.ListInput{Tag: tv.Tag.Name, Kind: kind, Cursor: r.URL.Query().Get("after")})
	if err != nil {
		return err
	}
	if f.Values == nil {
		f.Values = map[string]string{"description": tv.Tag.Description}
	}
	pagecache.Depend(r.Context(), pagecache.Lists, pagecache.Tag(tv.Tag.ID))
	return h.render(w, r, status, view.Tag(view.TagPage{Chrome: h.lean(r, tv.Tag.Name, "tags"), View: tv, List: list, Kind: kind, Form: f}))
}

// curateTag runs one of the tag page's forms: follow, unfollow, describe,
// add a synonym, merge.
func (h *Handler) curateTag(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	name := r.PathValue("name")
	f := form(r, "description", "synonym", "into")
	var err error
	msg, to := "", "/tags/"+name
	switch r.PathValue("action") {
	case "follow", "unfollow":
		err = h.Content.FollowTag(r.Context(), v, name, r.PathValue("action") == "follow")
	case "describe":
		_, err = h.Content.DescribeTag(r.Context(), v, name, f.Get("description"))
		msg = "Description saved."
	case "synonyms":
		err = h.Content.AddSynonym(r.Context(), v, name, f.Get("synonym"))
		msg = "Synonym added."
	case "merge":
		var into model.Tag
		if into, err = h.Content.MergeTag(r.Context(), v, name, f.Get("into")); err == nil {
			msg, to = "Merged.", "/tags/"+into.Name
		}
	default:
		return errNotFound
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		return h.renderTag(w, r, name, f, formStatus(err))
	}
	return h.redirect(w, r, to, msg)
}

// dependOnTopic names what a topic page shows for the page cache: the
// topic, its space, the members who wrote on the page and the topics it
// links to (their titles are shown).
func dependOnTopic(ctx context.Context, tv content.TopicView) {
	keys := []string{pagecache.Topic(tv.Topic.ID), pagecache.Space(tv.Space.ID)}
	for _, p := range tv.Posts {
		keys = append(keys, pagecache.User(p.Author.ID))
		for _, c := range p.Comments {
			keys = append(keys, pagecache.User(c.Author.ID))
		}
	}
	for _, l := range tv.Links {
		keys = append(keys, pagecache.Topic(l.Topic.ID))
	}
	pagecache.Depend(ctx, keys...)
}
