package web

import (
	"net/http"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/web/view"
)

func (h *Handler) spaces(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	spaces, err := h.Community.Spaces(r.Context(), v, false)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Spaces(view.SpacesPage{Chrome: h.chrome(r, "Spaces", "spaces"), Spaces: spaces,
		CanCreate: policy.Can(v, policy.CreateSpace, policy.Subject{})}))
}

func (h *Handler) space(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	sv, err := h.Community.Space(r.Context(), v, r.PathValue("slug"))
	if err != nil {
		return err
	}
	p := view.SpacePage{Chrome: h.lean(r, sv.Space.Name, "s:"+sv.Space.Slug), View: sv}
	p.Description = sv.Space.Focus
	if sv.Space.Rules != "" {
		p.Rules = h.Markup.Render(sv.Space.Rules)
	}
	if sv.CanRead && !v.Guest() {
		if p.Watch, err = h.Content.Watching(r.Context(), v, content.WatchRef{Target: model.WatchSpace, Name: sv.Space.Slug}); err != nil {
			return err
		}
	}
	if sv.CanRead {
		if p.List, err = h.Content.Latest(r.Context(), v, content.ListInput{Space: sv.Space.Slug, Cursor: r.URL.Query().Get("after")}); err != nil {
			return err
		}
		if p.Events, err = h.upcoming(r, sv.Space.Slug); err != nil {
			return err
		}
		members, err := h.Community.Members(r.Context(), v, sv.Space.Slug)
		if err != nil {
			return err
		}
		for _, m := range members {
			if m.Role == model.SpaceLeader {
				p.Leaders = append(p.Leaders, m)
			}
		}
	}
	pagecache.Depend(r.Context(), pagecache.Lists, pagecache.Space(sv.Space.ID))
	return h.render(w, r, http.StatusOK, view.Space(p))
}

func spaceForm(r *http.Request) view.Form {
	return form(r, "name", "slug", "focus", "rules", "visibility", "color")
}

func spaceInput(f view.Form) community.SpaceInput {
	return community.SpaceInput{Name: f.Get("name"), Slug: f.Get("slug"), Focus: f.Get("focus"), Rules: f.Get("rules"), Visibility: model.Visibility(f.Get("visibility")), Color: f.Get("color")}
}

func (h *Handler) newSpaceForm(w http.ResponseWriter, r *http.Request) error {
	if err := policy.Check(auth.ViewerFrom(r.Context()), policy.CreateSpace, policy.Subject{}); err != nil {
		return err
	}
	f := view.Form{Values: map[string]string{"visibility": "public", "color": "blue"}}
	return h.render(w, r, http.StatusOK, view.SpaceForm(view.SpaceFormPage{Chrome: h.chrome(r, "New space", "spaces"), Form: f, Colors: community.Colors}))
}

func (h *Handler) createSpace(w http.ResponseWriter, r *http.Request) error {
	f := spaceForm(r)
	sp, err := h.Community.CreateSpace(r.Context(), auth.ViewerFrom(r.Context()), spaceInput(f))
	if err != nil {
		if !formError(&f, err) || apperr.KindOf(err) == apperr.Forbidden {
			return err
		}
		return h.render(w, r, formStatus(err), view.SpaceForm(view.SpaceFormPage{Chrome: h.chrome(r, "New space", "spaces"), Form: f, Colors: community.Colors}))
	}
	return h.redirect(w, r, sp.Path(), "Space created. Start its first topic, or invite people in.")
}

func (h *Handler) manageable(r *http.Request) (community.SpaceView, error) {
	sv, err := h.Community.Space(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err == nil && !sv.CanManage {
		err = apperr.New(apperr.Forbidden, "Only the space's leaders can change its settings.")
	}
	return sv, err
}

func (h *Handler) editSpaceForm(w http.ResponseWriter, r *http.Request) error {
	sv, err := h.manageable(r)
	if err != nil {
		return err
	}
	s := sv.Space
	f := view.Form{Values: map[string]string{"name": s.Name, "slug": s.Slug, "focus": s.Focus, "rules": s.Rules, "visibility": string(s.Visibility), "color": s.Color}}
	return h.render(w, r, http.StatusOK, view.SpaceForm(view.SpaceFormPage{Chrome: h.chrome(r, "Space settings", "s:"+s.Slug), Form: f, Space: &s, Colors: community.Colors}))
}

func (h *Handler) editSpace(w http.ResponseWriter, r *http.Request) error {
	f := spaceForm(r)
	sp, err := h.Community.UpdateSpace(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"), spaceInput(f))
	if err != nil {
		if apperr.KindOf(err) != apperr.Invalid || !formError(&f, err) {
			return err
		}
		sv, verr := h.manageable(r)
		if verr != nil {
			return verr
		}
		return h.render(w, r, formStatus(err), view.SpaceForm(view.SpaceFormPage{Chrome: h.chrome(r, "Space settings", ""), Form: f, Space: &sv.Space, Colors: community.Colors}))
	}
	return h.redirect(w, r, sp.Path(), "Settings saved.")
}

func (h *Handler) archiveSpace(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	archive := r.URL.Path == "/s/"+slug+"/archive"
	if err := h.Community.SetArchived(r.Context(), auth.ViewerFrom(r.Context()), slug, archive); err != nil {
		return err
	}
	msg := "The space is back."
	if archive {
		msg = "The space is archived."
	}
	return h.redirect(w, r, "/s/"+slug, msg)
}

func (h *Handler) joinSpace(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	res, err := h.Community.Join(r.Context(), auth.ViewerFrom(r.Context()), slug, r.PostFormValue("message"))
	if err != nil {
		return err
	}
	msg := "Welcome to the space!"
	if res == community.Requested {
		msg = "Your request is sent. A leader of the space will answer it."
	}
	return h.redirect(w, r, "/s/"+slug, msg)
}

func (h *Handler) leaveSpace(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	if err := h.Community.Leave(r.Context(), auth.ViewerFrom(r.Context()), slug); err != nil {
		if apperr.KindOf(err) == apperr.Conflict {
			return h.redirect(w, r, "/s/"+slug, err.Error())
		}
		return err
	}
	to := "/s/" + slug
	if _, err := h.Community.Space(r.Context(), auth.ViewerFrom(r.Context()), slug); err != nil {
		to = "/spaces" // a secret space vanishes for those who leave it
	}
	return h.redirect(w, r, to, "You left the space.")
}

func (h *Handler) members(w http.ResponseWriter, r *http.Request) error {
	return h.renderMembers(w, r, "")
}

func (h *Handler) renderMembers(w http.ResponseWriter, r *http.Request, newLink string) error {
	v := auth.ViewerFrom(r.Context())
	slug := r.PathValue("slug")
	sv, err := h.Community.Space(r.Context(), v, slug)
	if err != nil {
		return err
	}
	members, err := h.Community.Members(r.Context(), v, slug)
	if err != nil {
		return err
	}
	p := view.MembersPage{Chrome: h.chrome(r, "Members of "+sv.Space.Name, "s:"+slug), View: sv, Members: members, NewLink: newLink}
	if sv.CanManage {
		if p.Requests, err = h.Community.JoinRequests(r.Context(), v, slug); err != nil {
			return err
		}
		if p.Invites, err = h.Community.Invites(r.Context(), v, slug); err != nil {
			return err
		}
	}
	return h.render(w, r, http.StatusOK, view.Members(p))
}

func (h *Handler) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	slug := r.PathValue("slug")
	role := model.SpaceRole(r.PostFormValue("role"))
	switch role {
	case model.SpaceLeader, model.SpaceMember:
	case "remove":
		role = model.SpaceNone
	default:
		return apperr.Field("role", "Choose leader, member or remove.")
	}
	err := h.Community.SetMemberRole(r.Context(), auth.ViewerFrom(r.Context()), slug, r.PostFormValue("username"), role)
	if k := apperr.KindOf(err); k == apperr.Conflict || k == apperr.Invalid {
		return h.redirect(w, r, "/s/"+slug+"/members", err.Error())
	}
	if err != nil {
		return err
	}
	return h.redirect(w, r, "/s/"+slug+"/members", "Membership updated.")
}

func (h *Handler) decideRequest(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slug := r.PathValue("slug")
	approve := r.PostFormValue("decision") == "approve"
	if err := h.Community.DecideJoinRequest(r.Context(), auth.ViewerFrom(r.Context()), slug, id, approve); err != nil {
		return err
	}
	msg := "Request declined."
	if approve {
		msg = "Request approved: they are a member now."
	}
	return h.redirect(w, r, "/s/"+slug+"/members", msg)
}

func (h *Handler) createInvite(w http.ResponseWriter, r *http.Request) error {
	secret, err := h.Community.CreateInvite(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("slug"))
	if err != nil {
		return err
	}
	// Shown once, on this response, never stored in a cookie or URL we log.
	return h.renderMembers(w, r, h.absURL(r, "/invite/"+secret))
}

func (h *Handler) absURL(r *http.Request, path string) string {
	scheme := "http"
	if r.TLS != nil || h.SecureCookies {
		scheme = "https"
	}
	return scheme + "://" + r.Host + path
}

func (h *Handler) revokeInvite(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	slug := r.PathValue("slug")
	if err := h.Community.RevokeInvite(r.Context(), auth.ViewerFrom(r.Context()), slug, id); err != nil {
		return err
	}
	return h.redirect(w, r, "/s/"+slug+"/members", "Invitation link revoked.")
}

func (h *Handler) invite(w http.ResponseWriter, r *http.Request) error {
	secret := r.PathValue("secret")
	sp, err := h.Community.InviteSpace(r.Context(), secret)
	if err != nil {
		return err
	}
	w.Header().Set("Referrer-Policy", "no-referrer")
	return h.render(w, r, http.StatusOK, view.Invite(view.InvitePage{Chrome: h.chrome(r, "Invitation", ""), Space: sp, Secret: secret}))
}

func (h *Handler) acceptInvite(w http.ResponseWriter, r *http.Request) error {
	sp, err := h.Community.AcceptInvite(r.Context(), auth.ViewerFrom(r.Context()), r.PathValue("secret"))
	if err != nil {
		return err
	}
	return h.redirect(w, r, sp.Path(), "Welcome to "+sp.Name+"!")
}
