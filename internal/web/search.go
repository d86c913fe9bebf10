package web

import (
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/content"
	"practica/internal/httpx"
	"practica/internal/model"
	"practica/internal/web/view"
)

// search shows results for ?q= (with sort= and page=). Input it cannot use
// (too long, an unknown sort, a bad page) re-renders the form with the reason
// and a 400, like any form.
func (h *Handler) search(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	qv := r.URL.Query()
	p := view.SearchPage{Chrome: h.lean(r, "Search", ""), Q: qv.Get("q"), Sort: qv.Get("sort")}
	page, err := content.SearchPageParam(qv.Get("page"))
	if p.Q != "" && err == nil {
		err = h.Limits.Searching(v, httpx.ClientIP(r, h.TrustedProxies))
	}
	if err == nil {
		p.Results, err = h.Content.Search(r.Context(), v, content.SearchInput{Q: p.Q, Sort: p.Sort, Page: page})
	}
	status := http.StatusOK
	if err != nil {
		e, ok := apperr.As(err)
		if !ok || e.Kind != apperr.Invalid {
			return err
		}
		p.Error, status = e.Msg, http.StatusBadRequest
	}
	if p.Q != "" {
		p.Title = "Search: " + p.Q
	}
	return h.render(w, r, status, view.Search(p))
}

// similar is the fragment (app.js, hx-trigger) of questions like the title being typed on
// the new topic form (empty unless the kind is question).
func (h *Handler) similar(w http.ResponseWriter, r *http.Request) error {
	qv := r.URL.Query()
	var hits []content.SearchHit
	v := auth.ViewerFrom(r.Context())
	if qv.Get("kind") == string(model.KindQuestion) && h.Limits.Searching(v, httpx.ClientIP(r, h.TrustedProxies)) == nil {
		var err error
		hits, err = h.Content.SimilarQuestions(r.Context(), v, qv.Get("title"))
		if err != nil && apperr.KindOf(err) != apperr.Invalid {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, view.SimilarQuestions(hits))
}
