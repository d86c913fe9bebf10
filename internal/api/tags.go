package api

import (
	"net/http"

	"practica/internal/auth"
	"practica/internal/httpx"
)

// Contributor is a member with the score of their answers under a tag.
type Contributor struct {
	User    UserRef `json:"user"`
	Score   int64   `json:"score"`
	Answers int64   `json:"answers"`
}

// TagDetail is a tag with its synonyms, followers and top answerers.
type TagDetail struct {
	Tag
	Synonyms     []string      `json:"synonyms"`
	Followers    int64         `json:"followers"`
	Following    bool          `json:"following"`
	TopAnswerers []Contributor `json:"top_answerers"`
}

func (h *Handler) getTag(w http.ResponseWriter, r *http.Request) error {
	return h.writeTag(w, r, r.PathValue("name"), http.StatusOK)
}

func (h *Handler) writeTag(w http.ResponseWriter, r *http.Request, name string, status int) error {
	tv, err := h.Content.TagPage(r.Context(), auth.ViewerFrom(r.Context()), name)
	if err != nil {
		return err
	}
	out := TagDetail{Tag: Tag{Name: tv.Tag.Name, Description: tv.Tag.Description, TopicCount: tv.Tag.TopicCount}, Synonyms: tv.Synonyms,
		Followers: tv.Followers, Following: tv.Following, TopAnswerers: []Contributor{}}
	if out.Synonyms == nil {
		out.Synonyms = []string{}
	}
	for _, c := range tv.TopAnswerers {
		out.TopAnswerers = append(out.TopAnswerers, Contributor{User: userRefJSON(c.User), Score: c.Score, Answers: c.Answers})
	}
	httpx.WriteJSON(w, status, out)
	return nil
}

func (h *Handler) describeTag(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Description string `json:"description"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Content.DescribeTag(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("name"), in.Description)
	if err != nil {
		return err
	}
	return h.writeTag(w, r, t.Name, http.StatusOK)
}

func (h *Handler) mergeTag(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Into string `json:"into"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	t, err := h.Content.MergeTag(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("name"), in.Into)
	if err != nil {
		return err
	}
	return h.writeTag(w, r, t.Name, http.StatusOK)
}

func (h *Handler) addSynonym(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Synonym string `json:"synonym"`
	}
	if err := httpx.DecodeJSON(r, &in); err != nil {
		return err
	}
	if err := h.Content.AddSynonym(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("name"), in.Synonym); err != nil {
		return err
	}
	return h.writeTag(w, r, r.PathValue("name"), http.StatusCreated)
}

func (h *Handler) followTag(w http.ResponseWriter, r *http.Request) error {
	follow := r.Method == http.MethodPut
	if err := h.Content.FollowTag(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("name"), follow); err != nil {
		return err
	}
	return h.writeTag(w, r, r.PathValue("name"), http.StatusOK)
}
