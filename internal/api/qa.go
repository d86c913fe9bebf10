package api

import (
	"net/http"
	"time"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/reputation"
)

// VoteResult is a post's score after a vote and the caller's vote on it.
type VoteResult struct {
	PostID int64 `json:"post_id"`
	Score  int64 `json:"score"`
	Vote   int   `json:"vote"`
}

func (h *Handler) vote(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Value int `json:"value"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	res, err := h.Content.Vote(r.Context(), auth.ViewerFrom(r.Context()), id, in.Value)
	if err != nil {
		return err
	}
	httpx.WriteJSON(w, http.StatusOK, VoteResult{PostID: res.PostID, Score: res.Score, Vote: res.Mine})
	return nil
}

func (h *Handler) accept(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		PostID int64 `json:"post_id"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if in.PostID <= 0 {
		return apperr.Field("post_id", "Name the answer to accept; to clear the choice, POST to /unaccept.")
	}
	return h.setAccepted(w, r, id, in.PostID)
}

func (h *Handler) unaccept(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return h.setAccepted(w, r, id, 0)
}

func (h *Handler) setAccepted(w http.ResponseWriter, r *http.Request, topicID, postID int64) error {
	t, err := h.Content.Accept(r.Context(), auth.ViewerFrom(r.Context()), topicID, postID)
	if err != nil {
		return err
	}
	return h.writeTopic(w, r, t.ID, http.StatusOK, true)
}

func (h *Handler) comments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cs, err := h.Content.Comments(r.Context(), auth.ViewerFrom(r.Context()), id)
	if err != nil {
		return err
	}
	out := make([]Post, len(cs))
	for i, c := range cs {
		out[i] = postViewJSON(c, false, true)
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Comments []Post `json:"comments"`
	}{out})
	return nil
}

func (h *Handler) comment(w http.ResponseWriter, r *http.Request) error {
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
	v := auth.ViewerFrom(r.Context())
	if err := h.Limits.Posting(v); err != nil {
		return err
	}
	c, err := h.Content.Comment(r.Context(), v, id, in.Body)
	if err != nil {
		return err
	}
	return h.writePost(w, r, c.ID, http.StatusCreated)
}

// ReputationEvent is one row of a member's reputation history.
type ReputationEvent struct {
	Delta     int64     `json:"delta"`
	Reason    string    `json:"reason"`
	PostID    int64     `json:"post_id,omitempty"`
	TopicID   int64     `json:"topic_id,omitempty"`
	Title     string    `json:"title,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func (h *Handler) reputationHistory(w http.ResponseWriter, r *http.Request) error {
	page, err := h.Content.ReputationHistory(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("username"))
	if err != nil {
		return err
	}
	out := make([]ReputationEvent, len(page.Events))
	for i, it := range page.Events {
		e := it.Event
		out[i] = ReputationEvent{Delta: e.Delta, Reason: e.Reason, PostID: e.PostID, TopicID: it.Topic.ID, Title: it.Topic.Title, CreatedAt: e.CreatedAt}
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Reputation int64             `json:"reputation"`
		Events     []ReputationEvent `json:"events"`
	}{page.User.Reputation, out})
	return nil
}

// Privilege is one thing reputation unlocks, and whether the caller holds it.
type Privilege struct {
	Key        string `json:"key"`
	Name       string `json:"name"`
	About      string `json:"about"`
	Reputation int64  `json:"reputation"`
	Held       bool   `json:"held"`
}

// ReputationRule is how many points one kind of event is worth.
type ReputationRule struct {
	Key    string `json:"key"`
	Label  string `json:"label"`
	Points int64  `json:"points"`
}

func (h *Handler) privileges(w http.ResponseWriter, r *http.Request) error {
	cfg, err := h.Content.ReputationConfig(r.Context())
	if err != nil {
		return err
	}
	v := auth.ViewerFrom(r.Context())
	privs := make([]Privilege, len(reputation.AllPrivileges))
	for i, p := range reputation.AllPrivileges {
		privs[i] = Privilege{Key: string(p.Key), Name: p.Name, About: p.About, Reputation: cfg.Privileges[p.Key], Held: cfg.Has(v.User, p.Key)}
	}
	var rules []ReputationRule
	for _, s := range cfg.Settings() {
		rules = append(rules, ReputationRule{Key: s.Key, Label: s.Label, Points: *s.Value})
	}
	httpx.WriteJSON(w, http.StatusOK, struct {
		Privileges []Privilege      `json:"privileges"`
		Rules      []ReputationRule `json:"rules"`
	}{privs, rules})
	return nil
}

// postViewJSON is a post as a topic page shows it: with its author, score,
// the caller's vote and, on question pages (qa), its comments.
// postViewJSON is a post as a topic's page shows it; withBody keeps the
// Markdown source (see writeTopic).
func postViewJSON(p content.PostView, qa, withBody bool) Post {
	out := postJSON(p.Post)
	if !withBody {
		out.Body = ""
	}
	a := userRefJSON(p.Author)
	out.Author = &a
	out.Vote, out.Accepted = p.Vote, p.Accepted
	if qa {
		out.Comments = []Post{}
		for _, c := range p.Comments {
			out.Comments = append(out.Comments, postViewJSON(c, false, withBody))
		}
	}
	return out
}
