package api

import (
	"net/http"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
	"practica/internal/store"
)

var errNoRoute = apperr.NotFoundf("No such API endpoint. See /api/v1/openapi.yaml.")

func (h *Handler) me(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.New(apperr.Unauthenticated, "Send a personal access token: Authorization: Bearer <token>.")
	}
	u := *v.User
	out, err := h.userWithProfile(r, u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		User
		Email string `json:"email"`
		Scope string `json:"scope"`
	}{out, u.Email, string(v.Scope)})
	return nil
}

// userWithProfile is u's JSON form with the profile fields the caller may
// see.
func (h *Handler) userWithProfile(r *http.Request, u model.User) (User, error) {
	p, err := h.Auth.ProfileOf(r.Context(), auth.ViewerFrom(r.Context()), u)
	return userJSON(u, p), err
}

// userJSON is a member with the profile p as the caller may see it
// (model.Profile.Seen).
func userJSON(u model.User, p model.Profile) User {
	return User{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: string(u.Role), Reputation: u.Reputation, CreatedAt: u.CreatedAt,
		AvatarURL: u.Ref().AvatarPath(), ActiveAt: u.ActiveAt, Location: p.Location, Pronouns: p.Pronouns, TimeZone: p.TimeZone, Links: p.Links,
		Expertise: p.Expertise, Interests: p.Interests, Bio: p.Bio}
}

func (h *Handler) getUser(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	u, _, err := h.Content.Profile(r.Context(), v, r.PathValue("username"))
	if err != nil {
		return err
	}
	out, err := h.userWithProfile(r, u)
	if err != nil {
		return err
	}
	shown, err := h.Content.Demonstrated(r.Context(), v, u.ID)
	if err != nil {
		return err
	}
	for _, t := range shown {
		out.Demonstrated = append(out.Demonstrated, TagRecord{Tag: t.Tag, Answers: t.Answers, Accepted: t.Accepted, Score: t.Score})
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// writeUser answers u with the profile fields the caller may see.
func (h *Handler) writeUser(w http.ResponseWriter, r *http.Request, u model.User) error {
	out, err := h.userWithProfile(r, u)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, out)
	return nil
}

// updateProfile changes the fields of the caller's profile the body names;
// the others keep their value.
func (h *Handler) updateProfile(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	var in struct {
		DisplayName *string           `json:"display_name"`
		Bio         *string           `json:"bio"`
		Location    *string           `json:"location"`
		Pronouns    *string           `json:"pronouns"`
		TimeZone    *string           `json:"time_zone"`
		Links       []string          `json:"links"`
		Expertise   []string          `json:"expertise"`
		Interests   []string          `json:"interests"`
		Visibility  map[string]string `json:"visibility"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	cur, err := h.Auth.ProfileOf(r.Context(), v, *v.User)
	if err != nil {
		return err
	}
	p := auth.ProfileInput{DisplayName: v.User.DisplayName, Bio: v.User.Bio, Location: cur.Location, Pronouns: cur.Pronouns,
		TimeZone: cur.TimeZone, Links: strings.Join(cur.Links, "\n"), Expertise: strings.Join(cur.Expertise, " "), Interests: strings.Join(cur.Interests, " "),
		Visibility: map[string]string{}}
	for f, vis := range cur.Visibility {
		p.Visibility[f] = string(vis)
	}
	if in.DisplayName != nil {
		p.DisplayName = *in.DisplayName
	}
	for _, set := range []struct {
		from *string
		to   *string
	}{{in.Bio, &p.Bio}, {in.Location, &p.Location}, {in.Pronouns, &p.Pronouns}, {in.TimeZone, &p.TimeZone}} {
		if set.from != nil {
			*set.to = *set.from
		}
	}
	if in.Links != nil {
		p.Links = strings.Join(in.Links, "\n")
	}
	if in.Expertise != nil {
		p.Expertise = strings.Join(in.Expertise, " ")
	}
	if in.Interests != nil {
		p.Interests = strings.Join(in.Interests, " ")
	}
	for f, vis := range in.Visibility {
		p.Visibility[f] = vis
	}
	if err := h.Auth.UpdateProfile(r.Context(), v, p); err != nil {
		return err
	}
	u, err := h.Auth.UserByID(r.Context(), v.UserID())
	if err != nil {
		return err
	}
	return h.writeUser(w, r, u)
}

func (h *Handler) listSpaces(w http.ResponseWriter, r *http.Request) error {
	archived := r.URL.Query().Get("archived") == "true"
	spaces, err := h.Community.Spaces(r.Context(), auth.ViewerFrom(r.Context()), archived)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Spaces []Space `json:"spaces"`
	}{spacesJSON(spaces)})
	return nil
}

// SpaceInput is the body of space create and update.
type SpaceInput struct {
	Name       string `json:"name"`
	Slug       string `json:"slug"`
	Focus      string `json:"focus"`
	Rules      string `json:"rules"`
	Visibility string `json:"visibility"`
	Color      string `json:"color"`
}

func (in SpaceInput) service() community.SpaceInput {
	return community.SpaceInput{Name: in.Name, Slug: in.Slug, Focus: in.Focus, Rules: in.Rules, Visibility: model.Visibility(in.Visibility), Color: in.Color}
}

func (h *Handler) createSpace(w http.ResponseWriter, r *http.Request) error {
	var in SpaceInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	sp, err := h.Community.CreateSpace(r.Context(), auth.ViewerFrom(r.Context()), in.service())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusCreated, spaceJSON(sp, model.SpaceLeader))
	return nil
}

func (h *Handler) getSpace(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.Community.Space(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, spaceJSON(sv.Space, sv.Role))
	return nil
}

// updateSpace changes the fields sent; missing fields keep their value.
func (h *Handler) updateSpace(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	sv, err := h.Community.Space(r.Context(), v, r.PathValue("slug"))
	if err != nil {
		return err
	}
	s := sv.Space
	in := SpaceInput{Name: s.Name, Slug: s.Slug, Focus: s.Focus, Rules: s.Rules, Visibility: string(s.Visibility), Color: s.Color}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	sp, err := h.Community.UpdateSpace(r.Context(), v, s.Slug, in.service())
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, spaceJSON(sp, sv.Role))
	return nil
}

func (h *Handler) archiveSpace(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	slug := r.PathValue("slug")
	if err := h.Community.SetArchived(r.Context(), v, slug, strings.HasSuffix(r.URL.Path, "/archive")); err != nil {
		return err
	}
	return h.getSpace(w, r)
}

func (h *Handler) joinSpace(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Message string `json:"message"`
	}
	if r.ContentLength != 0 {
		if err := httpx.DecodeJSON(r, &in); err != nil {
			return err
		}
	}
	res, err := h.Community.Join(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"), in.Message)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, map[string]string{"result": string(res)})
	return nil
}

func (h *Handler) leaveSpace(w http.ResponseWriter, r *http.Request) error {
	if err := h.Community.Leave(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug")); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) members(w http.ResponseWriter, r *http.Request) error {
	ms, err := h.Community.Members(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	type member struct {
		UserRef
		Role     string `json:"role"`
		JoinedAt string `json:"joined_at"`
	}
	out := make([]member, len(ms))
	for i, m := range ms {
		out[i] = member{userRefJSON(m.User.Ref()), string(m.Role), m.CreatedAt.UTC().Format("2006-01-02T15:04:05Z07:00")}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Members []member `json:"members"`
	}{out})
	return nil
}

func (h *Handler) listTopics(w http.ResponseWriter, r *http.Request) error {
	limit, err := queryInt(r, "limit")
	if err != nil {
		return err
	}
	if limit > content.MaxPage {
		return apperr.Field("limit", "Use at most 100.")
	}
	q := r.URL.Query()
	list, err := h.Content.Latest(r.Context(), auth.ViewerFrom(r.Context()), content.ListInput{Space: q.Get("space"), Tag: q.Get("tag"), Kind: model.Kind(q.Get("kind")), Author: q.Get("author"),
		Sort: store.TopicSort(q.Get("sort")), Followed: q.Get("followed") == "true", Cursor: q.Get("cursor"), Limit: limit})
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, topicListJSON(list.Next, list.Pinned, list.Items))
	return nil
}

// topicListJSON is a page of topics: the lists in order, then the cursor.
// Sized once, and the lists read where they are: they may be the memo's
// own slices, which an append could write into.
func topicListJSON(next string, lists ...[]model.TopicItem) TopicList {
	n := 0
	for _, items := range lists {
		n += len(items)
	}
	out := TopicList{Topics: make([]Topic, 0, n), NextCursor: next}
	for _, items := range lists {
		for _, it := range items {
			out.Topics = append(out.Topics, topicItemJSON(it))
		}
	}
	return out
}

// TopicInput is the body of topic creation.
type TopicInput struct {
	Space string   `json:"space"`
	Kind  string   `json:"kind"`
	Title string   `json:"title"`
	Body  string   `json:"body"`
	Tags  []string `json:"tags"`
	// Event is an event's schedule and place (kind event only).
	Event EventInput `json:"event"`
}

// EventInput is an event's schedule and place: times in RFC 3339, or local
// to time_zone as 2006-01-02T15:04.
type EventInput struct {
	StartsAt string `json:"starts_at"`
	EndsAt   string `json:"ends_at"`
	TimeZone string `json:"time_zone"`
	Location string `json:"location"`
	URL      string `json:"url"`
}

func (in EventInput) content() content.EventInput {
	return content.EventInput{Starts: in.StartsAt, Ends: in.EndsAt, TimeZone: in.TimeZone, Location: in.Location, URL: in.URL}
}

func (h *Handler) createTopic(w http.ResponseWriter, r *http.Request) error {
	var in TopicInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Limits.Posting(auth.ViewerFrom(r.Context())); err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	tq, err := topicQuery(r)
	if err != nil {
		return err
	}
	tv, err := h.Content.CreateTopicPage(r.Context(), v, content.TopicInput{Space: in.Space, Kind: model.Kind(in.Kind), Title: in.Title, Body: in.Body, Tags: strings.Join(in.Tags, " "), Event: in.Event.content()}, tq)
	if err != nil {
		return err
	}
	writeTopicView(w, tv, http.StatusCreated, true)
	return nil
}

func (h *Handler) getTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var withBody bool
	switch r.URL.Query().Get("include") {
	case "":
	case "body":
		withBody = true
	default:
		return apperr.Field("include", "Include body, or leave it out.")
	}
	return h.writeTopic(w, r, id, http.StatusOK, withBody)
}

// writeTopic answers with a topic and a page of its posts (after=ID pages on).
// withBody adds each post's Markdown source: a reader needs only the HTML,
// and the source doubled what a page weighs and costs to encode. The answers
// to writes carry it.
func (h *Handler) writeTopic(w http.ResponseWriter, r *http.Request, id int64, status int, withBody bool) error {
	tq, err := topicQuery(r)
	if err != nil {
		return err
	}
	tv, err := h.Content.TopicPage(r.Context(), auth.ViewerFrom(r.Context()), id, tq)
	if err != nil {
		return err
	}
	writeTopicView(w, tv, status, withBody)
	return nil
}

// topicQuery reads which page of a topic a request asks for.
func topicQuery(r *http.Request) (content.TopicQuery, error) {
	after, err := queryInt(r, "after")
	if err != nil {
		return content.TopicQuery{}, err
	}
	page, err := queryInt(r, "page")
	if err != nil {
		return content.TopicQuery{}, err
	}
	order := store.AnswerOrder(r.URL.Query().Get("answers"))
	if order != "" && order != store.AnswersByVotes && order != store.AnswersByNewest {
		return content.TopicQuery{}, apperr.Field("answers", "Order answers by votes or newest.")
	}
	return content.TopicQuery{After: int64(after), Order: order, Page: page}, nil
}

func writeTopicView(w http.ResponseWriter, tv content.TopicView, status int, withBody bool) {
	qa := tv.Topic.Kind == model.KindQuestion
	out := TopicDetail{Topic: topicJSON(tv.Topic, tv.Space.Slug), Posts: make([]Post, 0, len(tv.Posts)), NextAfter: tv.Next, Answers: string(tv.Order), Page: tv.Page, NextPage: tv.NextPage}
	for _, p := range tv.Posts {
		pj := postViewJSON(p, qa, withBody)
		if p.Post.Kind == model.PostOpening {
			out.Author = pj.Author
		}
		out.Posts = append(out.Posts, pj)
	}
	httpx.WriteJSON(w, status, out)
}

func (h *Handler) reply(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Body string `json:"body"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Limits.Posting(auth.ViewerFrom(r.Context())); err != nil {
		return err
	}
	it, err := h.Content.ReplyItem(r.Context(), auth.ViewerFrom(r.Context()), id, in.Body)
	if err != nil {
		return err
	}
	writePostItem(w, it, http.StatusCreated)
	return nil
}

func (h *Handler) moderate(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	action := r.URL.Path[strings.LastIndexByte(r.URL.Path, '/')+1:]
	t, err := h.Content.Moderate(r.Context(), auth.ViewerFrom(r.Context()), id, content.Moderation(action))
	if err != nil {
		return err
	}
	return h.writeTopic(w, r, t.ID, http.StatusOK, true)
}

func (h *Handler) move(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Space string `json:"space"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Content.Move(r.Context(), auth.ViewerFrom(r.Context()), id, in.Space)
	if err != nil {
		return err
	}
	return h.writeTopic(w, r, t.ID, http.StatusOK, true)
}

func (h *Handler) getPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.writePost(w, r, id, http.StatusOK)
}

// writePost answers with one post and its author.
func (h *Handler) writePost(w http.ResponseWriter, r *http.Request, id int64, status int) error {
	it, err := h.Content.PostWithAuthor(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	writePostItem(w, it, status)
	return nil
}

func writePostItem(w http.ResponseWriter, it model.PostItem, status int) {
	out := postJSON(it.Post)
	a := userRefJSON(it.Author)
	out.Author = &a
	httpx.WriteJSON(w, status, out)
}

// EditInput is the body of a post edit; title and tags apply to opening posts.
type EditInput struct {
	Title  *string   `json:"title"`
	Body   *string   `json:"body"`
	Tags   *[]string `json:"tags"`
	Reason string    `json:"reason"`
}

func (h *Handler) editPost(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	p, t, err := h.Content.Post(r.Context(), v, id)
	if err != nil {
		return err
	}
	var in EditInput
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	edit := content.EditInput{Title: t.Title, Body: p.Body, Tags: strings.Join(t.Tags, " "), Reason: in.Reason}
	if in.Title != nil {
		edit.Title = *in.Title
	}
	if in.Body != nil {
		edit.Body = *in.Body
	}
	if in.Tags != nil {
		edit.Tags = strings.Join(*in.Tags, " ")
	}
	res, err := h.Content.EditOrSuggest(r.Context(), v, id, edit)
	if err != nil {
		return err
	}
	if res.Suggestion != nil {
		httpx.WriteJSON(w, http.StatusAccepted, suggestedEditJSON(*res.Suggestion))
		return nil
	}
	return h.writePost(w, r, id, http.StatusOK)
}

func (h *Handler) deletePost(w http.ResponseWriter, r *http.Request) error {
	return h.setDeleted(w, r, true)
}

func (h *Handler) restorePost(w http.ResponseWriter, r *http.Request) error {
	return h.setDeleted(w, r, false)
}

func (h *Handler) setDeleted(w http.ResponseWriter, r *http.Request, deleted bool) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if _, err := h.Content.SetDeleted(r.Context(), auth.ViewerFrom(r.Context()), id, deleted); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (h *Handler) revisions(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	_, _, revs, err := h.Content.Revisions(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := make([]Revision, len(revs))
	for i, rv := range revs {
		out[i] = Revision{Number: rv.Revision.Number, Editor: userRefJSON(rv.Editor), Title: rv.Revision.Title, Tags: rv.Revision.TagList(),
			Body: rv.Revision.Body, Reason: rv.Revision.Reason, CreatedAt: rv.Revision.CreatedAt}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Revisions []Revision `json:"revisions"`
	}{out})
	return nil
}
