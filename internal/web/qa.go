package web

import (
	"net/http"
	"strconv"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/reputation"
	"practica/internal/store"
	"practica/internal/web/view"
)

// vote records a vote. A fragment request (HX-Request) gets the post's vote box back (with
// the reason when the vote was refused); a plain form post returns to the post.
func (h *Handler) vote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	value, perr := strconv.Atoi(r.PostFormValue("value"))
	if perr != nil {
		value = 2 // out of range: the service names the field
	}
	_, err = h.Content.Vote(r.Context(), v, id, value)
	if apperr.KindOf(err) == apperr.NotFound || apperr.KindOf(err) == apperr.Unauthenticated {
		return err
	}
	msg := ""
	if err != nil {
		msg, _ = httpx.Message(err)
	}
	if r.Header.Get("HX-Request") != "true" {
		return h.redirect(w, r, "/p/"+strconv.FormatInt(id, 10), msg)
	}
	pv, serr := h.Content.VoteState(r.Context(), v, id)
	if serr != nil {
		return serr
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return view.VoteBox(pv, msg).Render(r.Context(), w)
}

// accept marks (post_id) or clears (post_id 0) a question's accepted answer.
func (h *Handler) accept(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	postID, _ := strconv.ParseInt(r.PostFormValue("post_id"), 10, 64)
	t, err := h.Content.Accept(r.Context(), auth.ViewerFrom(r.Context()), id, max(postID, 0))
	if err != nil {
		return h.flashBack(w, r, "/t/"+strconv.FormatInt(id, 10), err)
	}
	if postID > 0 {
		return h.redirect(w, r, t.Path()+"#p"+strconv.FormatInt(postID, 10), "Accepted. Thank you for closing the loop.")
	}
	return h.redirect(w, r, t.Path(), "Acceptance taken back.")
}

// comment adds a comment; on a bad comment the topic page shows again with
// the comment form open and its message.
func (h *Handler) comment(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	f := form(r, "body")
	err = h.Limits.Posting(v)
	var c model.Post
	if err == nil {
		c, err = h.Content.Comment(r.Context(), v, id, f.Get("body"))
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		_, t, perr := h.Content.Post(r.Context(), v, id)
		if perr != nil {
			return perr
		}
		return h.renderTopic(w, r, t.ID, view.TopicPage{CommentOn: id, CommentForm: f}, formStatus(err))
	}
	return h.redirect(w, r, "/p/"+strconv.FormatInt(c.ID, 10), "")
}

// questions lists questions by activity, age, score or lack of answers.
func (h *Handler) questions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	v := auth.ViewerFrom(r.Context())
	in := content.ListInput{Kind: model.KindQuestion, Sort: store.TopicSort(q.Get("sort")), Space: q.Get("space"), Tag: q.Get("tag"), Cursor: q.Get("after"),
		Followed: q.Get("followed") == "1" && !v.Guest()}
	list, err := h.Content.Latest(r.Context(), v, in)
	if apperr.KindOf(err) == apperr.Invalid {
		in.Sort, in.Cursor = "", ""
		list, err = h.Content.Latest(r.Context(), v, in)
	}
	if err != nil {
		return err
	}
	page := view.QuestionsPage{Chrome: h.lean(r, "Questions", "questions"), List: list, Sort: in.Sort, Space: in.Space, Tag: in.Tag, Followed: in.Followed}
	if !v.Guest() {
		if page.FollowedTags, err = h.Content.FollowedTags(r.Context(), v); err != nil {
			return err
		}
	}
	pagecache.Depend(r.Context(), pagecache.Lists)
	return h.render(w, r, http.StatusOK, view.Questions(page))
}

func (h *Handler) privileges(w http.ResponseWriter, r *http.Request) error {
	cfg, err := h.Content.ReputationConfig(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Privileges(view.PrivilegesPage{Chrome: h.chrome(r, "Privileges", ""), Config: cfg}))
}

// closeTopic closes (POST /t/{id}/close, with a reason) or reopens a question.
func (h *Handler) closeTopic(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	closing := strings.HasSuffix(r.URL.Path, "/close")
	t, err := h.Content.Close(r.Context(), auth.ViewerFrom(r.Context()), id, r.PostFormValue("reason"), closing)
	if err != nil {
		return h.flashBack(w, r, "/t/"+strconv.FormatInt(id, 10), err)
	}
	msg := "Reopened: it takes answers again."
	if closing {
		msg = "Closed. Thank you for keeping the questions answerable."
	}
	return h.redirect(w, r, t.Path(), msg)
}

// flashBack answers a refused or invalid action by going back to a page with
// the reason as a flash; errors about sight (404) or sign-in stay errors.
func (h *Handler) flashBack(w http.ResponseWriter, r *http.Request, to string, err error) error {
	switch apperr.KindOf(err) {
	case apperr.Forbidden, apperr.Invalid, apperr.Conflict:
		msg, _ := httpx.Message(err)
		if e, ok := apperr.As(err); ok && len(e.Fields) > 0 {
			for _, m := range e.Fields {
				msg = m
			}
		}
		return h.redirect(w, r, to, msg)
	}
	return err
}

// wiki makes an answer community wiki (on=1) or undoes it.
func (h *Handler) wiki(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	on := r.PostFormValue("on") == "1"
	back := "/p/" + strconv.FormatInt(id, 10)
	if _, err := h.Content.SetWiki(r.Context(), auth.ViewerFrom(r.Context()), id, on); err != nil {
		return h.flashBack(w, r, back, err)
	}
	msg := "This answer is no longer community wiki."
	if on {
		msg = "This answer is now community wiki."
	}
	return h.redirect(w, r, back, msg)
}

// rollback restores a revision of a post as a new one.
func (h *Handler) rollback(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	n, _ := strconv.ParseInt(r.PostFormValue("revision"), 10, 64)
	back := "/p/" + strconv.FormatInt(id, 10)
	if _, err := h.Content.Rollback(r.Context(), auth.ViewerFrom(r.Context()), id, n); err != nil {
		if _, perr := h.Content.PostWithAuthor(r.Context(), auth.ViewerFrom(r.Context()), id); apperr.KindOf(err) == apperr.NotFound && perr == nil {
			return h.flashBack(w, r, back+"/revisions", apperr.Field("revision", "There is no such revision."))
		}
		return h.flashBack(w, r, back+"/revisions", err)
	}
	return h.redirect(w, r, back, "Rolled back to revision "+strconv.FormatInt(n, 10)+".")
}

// review lists the suggested edits waiting for the viewer's review.
func (h *Handler) review(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return apperr.ErrSignIn
	}
	items, can, err := h.Content.ReviewQueue(r.Context(), v)
	if err != nil {
		return err
	}
	cfg, err := h.Content.ReputationConfig(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Review(view.ReviewPage{Chrome: h.chrome(r, "Review", "review"), Items: items, CanReview: can, Needs: cfg.Privileges[reputation.EditOthers]}))
}

// decideEdit approves or rejects a suggested edit.
func (h *Handler) decideEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	approve := strings.HasSuffix(r.URL.Path, "/approve")
	if _, err := h.Content.DecideEdit(r.Context(), auth.ViewerFrom(r.Context()), id, approve); err != nil {
		return h.flashBack(w, r, "/review", err)
	}
	msg := "Rejected."
	if approve {
		msg = "Approved and saved."
	}
	return h.redirect(w, r, "/review", msg)
}

func (h *Handler) badges(w http.ResponseWriter, r *http.Request) error {
	list, err := h.Content.Badges(r.Context())
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Badges(view.BadgesPage{Chrome: h.chrome(r, "Badges", ""), Badges: list}))
}

func (h *Handler) badge(w http.ResponseWriter, r *http.Request) error {
	b, recipients, err := h.Content.BadgeRecipients(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("key"))
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Badge(view.BadgePage{Chrome: h.chrome(r, b.Name, ""), Badge: b, Recipients: recipients}))
}

func (h *Handler) leaderboard(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	in := content.LeaderboardInput{Period: q.Get("period"), Space: q.Get("space"), Tag: q.Get("tag")}
	board, err := h.Content.Leaderboard(r.Context(), auth.ViewerFrom(r.Context()), in)
	if apperr.KindOf(err) == apperr.Invalid {
		in.Period = content.PeriodAll
		board, err = h.Content.Leaderboard(r.Context(), auth.ViewerFrom(r.Context()), in)
	}
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Leaderboard(view.LeaderboardPage{Chrome: h.chrome(r, "Leaderboard", "leaderboard"), Board: board}))
}

// inviteToAnswer asks members to answer a question.
func (h *Handler) inviteToAnswer(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	f := form(r, "usernames")
	v := auth.ViewerFrom(r.Context())
	err = h.Limits.Posting(v)
	var invited []model.UserRef
	if err == nil {
		invited, err = h.Content.InviteToAnswer(r.Context(), v, id, f.Get("usernames"))
	}
	if err != nil {
		if apperr.KindOf(err) == apperr.NotFound || !formError(&f, err) {
			return err
		}
		return h.renderTopic(w, r, id, view.TopicPage{InviteForm: f}, formStatus(err))
	}
	msg := "They were already invited."
	if len(invited) > 0 {
		msg = "Invitations sent. Thank you for bringing people in."
	}
	return h.redirect(w, r, "/t/"+strconv.FormatInt(id, 10), msg)
}

// adminReputation shows (GET) and saves (POST) the reputation rules.
func (h *Handler) adminReputation(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if !v.Admin() {
		return errNotFound
	}
	cfg, err := h.Content.ReputationConfig(r.Context())
	if err != nil {
		return err
	}
	f := view.Form{Values: map[string]string{}}
	keys := reputationKeys(cfg)
	for k, n := range keys {
		f.Values[k] = strconv.FormatInt(n, 10)
	}
	status := http.StatusOK
	if r.Method == http.MethodPost {
		values := map[string]string{}
		for k := range keys {
			values[k] = r.PostFormValue(k)
		}
		if cfg, err = h.Content.SetReputationConfig(r.Context(), v, values); err == nil {
			return h.redirect(w, r, "/admin/reputation", "Saved; reputation recomputed.")
		}
		f = view.Form{Values: values}
		if !formError(&f, err) {
			return err
		}
		status = formStatus(err)
	}
	return h.render(w, r, status, view.AdminReputation(view.AdminReputationPage{Chrome: h.chrome(r, "Reputation", "admin"), Config: cfg, Form: f}))
}

// reputationKeys maps every reputation setting key to its current value.
func reputationKeys(cfg reputation.Config) map[string]int64 {
	out := map[string]int64{}
	for _, s := range cfg.Settings() {
		out[s.Key] = *s.Value
	}
	for _, p := range reputation.AllPrivileges {
		out[reputation.PrivilegeKey(p.Key)] = cfg.Privileges[p.Key]
	}
	return out
}
