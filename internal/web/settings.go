package web

import (
	"cmp"
	"net/http"
	"strconv"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/model"
	"practica/internal/web/view"
)

// settingsPage gathers what the settings page shows; forms carry any errors.
func (h *Handler) settingsPage(r *http.Request) (view.SettingsPage, error) {
	v := auth.ViewerFrom(r.Context())
	if v.Guest() {
		return view.SettingsPage{}, apperr.ErrSignIn
	}
	prof, err := h.Auth.ProfileOf(r.Context(), v, *v.User)
	if err != nil {
		return view.SettingsPage{}, err
	}
	values := map[string]string{"display_name": v.User.DisplayName, "bio": v.User.Bio, "location": prof.Location, "pronouns": prof.Pronouns,
		"time_zone": prof.TimeZone, "links": strings.Join(prof.Links, "\n"), "expertise": strings.Join(prof.Expertise, " "), "interests": strings.Join(prof.Interests, " ")}
	for _, f := range model.ProfileFields {
		values["visibility."+f] = string(cmp.Or(prof.Visibility[f], model.VisibleEveryone))
	}
	p := view.SettingsPage{Chrome: h.chrome(r, "Settings", ""), Profile: view.Form{Values: values},
		Token: view.Form{Values: map[string]string{"scope": "read"}}}
	if p.Tokens, err = h.Auth.APITokens(r.Context(), v); err != nil {
		return p, err
	}
	if p.Sessions, err = h.Auth.SessionCount(r.Context(), v); err != nil {
		return p, err
	}
	if p.Notify, err = h.Inbox.Prefs(r.Context(), v); err != nil {
		return p, err
	}
	p.Messages = view.Form{Values: map[string]string{"messages": string(cmp.Or(v.User.MessagesFrom, model.MessagesFromMembers))}}
	p.Blocked, err = h.Messages.Blocked(r.Context(), v)
	return p, err
}

func (h *Handler) settings(w http.ResponseWriter, r *http.Request) error {
	p, err := h.settingsPage(r)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.Settings(p))
}

// settingsError re-renders settings with one form's errors, or fails.
func (h *Handler) settingsError(w http.ResponseWriter, r *http.Request, err error, set func(*view.SettingsPage, view.Form), f view.Form) error {
	if !formError(&f, err) {
		return err
	}
	p, perr := h.settingsPage(r)
	if perr != nil {
		return perr
	}
	set(&p, f)
	return h.render(w, r, formStatus(err), view.Settings(p))
}

func (h *Handler) saveProfile(w http.ResponseWriter, r *http.Request) error {
	names := []string{"display_name", "bio", "location", "pronouns", "time_zone", "links", "expertise", "interests"}
	vis := map[string]string{}
	for _, field := range model.ProfileFields {
		names = append(names, "visibility."+field)
		if v := r.PostFormValue("visibility." + field); v != "" {
			vis[field] = v
		}
	}
	f := form(r, names...)
	err := h.Auth.UpdateProfile(r.Context(), auth.ViewerFrom(r.Context()), auth.ProfileInput{DisplayName: f.Get("display_name"), Bio: f.Get("bio"),
		Location: f.Get("location"), Pronouns: f.Get("pronouns"), TimeZone: f.Get("time_zone"), Links: f.Get("links"),
		Expertise: f.Get("expertise"), Interests: f.Get("interests"), Visibility: vis})
	if err != nil {
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Profile = f }, f)
	}
	return h.redirect(w, r, "/settings", "Profile saved.")
}

func (h *Handler) changeEmail(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "email", "password")
	err := h.Auth.ChangeEmail(r.Context(), auth.ViewerFrom(r.Context()), f.Get("email"), f.Get("password"))
	if err != nil {
		f.Values["password"] = ""
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Email = f }, f)
	}
	return h.redirect(w, r, "/settings", "Email changed. Open the link we sent to the new address to confirm it.")
}

func (h *Handler) changePassword(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "current_password", "new_password")
	secret, err := h.Auth.ChangePassword(r.Context(), auth.ViewerFrom(r.Context()), auth.ChangePasswordInput{Current: f.Get("current_password"), New: f.Get("new_password")}, r.UserAgent())
	if err != nil {
		f.Values = nil
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Password = f }, f)
	}
	h.setSession(w, secret)
	return h.redirect(w, r, "/settings", "Password changed. Every other session is signed out.")
}

func (h *Handler) signOutAll(w http.ResponseWriter, r *http.Request) error {
	if err := h.Auth.SignOutEverywhere(r.Context(), auth.ViewerFrom(r.Context())); err != nil {
		return err
	}
	h.clearSession(w)
	return h.redirect(w, r, "/signin", "You are signed out everywhere.")
}

func (h *Handler) resendVerification(w http.ResponseWriter, r *http.Request) error {
	err := h.Auth.ResendVerification(r.Context(), auth.ViewerFrom(r.Context()))
	if apperr.KindOf(err) == apperr.Conflict {
		return h.redirect(w, r, "/settings", err.Error())
	}
	if err != nil {
		return err
	}
	return h.redirect(w, r, "/settings", "A new confirmation link is on its way.")
}

func (h *Handler) createToken(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "name", "scope")
	_, secret, err := h.Auth.CreateAPIToken(r.Context(), auth.ViewerFrom(r.Context()), f.Get("name"), model.TokenScope(f.Get("scope")))
	if err != nil {
		return h.settingsError(w, r, err, func(p *view.SettingsPage, f view.Form) { p.Token = f }, f)
	}
	p, err := h.settingsPage(r)
	if err != nil {
		return err
	}
	p.NewToken = secret
	return h.render(w, r, http.StatusOK, view.Settings(p))
}

func (h *Handler) revokeToken(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Auth.RevokeAPIToken(r.Context(), auth.ViewerFrom(r.Context()), id); err != nil {
		return err
	}
	return h.redirect(w, r, "/settings", "Token revoked.")
}

func (h *Handler) adminUsers(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	after, _ := strconv.ParseInt(r.URL.Query().Get("after"), 10, 64)
	search := r.URL.Query().Get("q")
	users, err := h.Auth.Users(r.Context(), v, max(after, 0), search)
	if err != nil {
		return err
	}
	p := view.AdminUsersPage{Chrome: h.chrome(r, "Users", "admin"), Users: users, Search: search, Self: v.UserID()}
	if len(users) == 50 {
		p.Next = users[len(users)-1].ID
	}
	return h.render(w, r, http.StatusOK, view.AdminUsers(p))
}

// adminAction runs an admin change on the user in the path and returns to the list.
func (h *Handler) adminAction(w http.ResponseWriter, r *http.Request, msg string, fn func(v model.Viewer, id int64) error) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = fn(auth.ViewerFrom(r.Context()), id)
	if k := apperr.KindOf(err); k == apperr.Conflict || k == apperr.Invalid {
		return h.redirect(w, r, "/admin", err.Error())
	}
	if err != nil {
		return err
	}
	return h.redirect(w, r, "/admin", msg)
}

func (h *Handler) adminSetRole(w http.ResponseWriter, r *http.Request) error {
	return h.adminAction(w, r, "Role changed; their sessions were signed out.", func(v model.Viewer, id int64) error {
		return h.Auth.SetRole(r.Context(), v, id, model.Role(r.PostFormValue("role")))
	})
}

func (h *Handler) adminSuspend(w http.ResponseWriter, r *http.Request) error {
	suspend := r.URL.Path == "/admin/users/"+r.PathValue("id")+"/suspend"
	msg := "Reinstated."
	if suspend {
		msg = "Suspended; every session and token of theirs is revoked."
	}
	return h.adminAction(w, r, msg, func(v model.Viewer, id int64) error { return h.Auth.SetSuspended(r.Context(), v, id, suspend) })
}

func (h *Handler) adminDelete(w http.ResponseWriter, r *http.Request) error {
	return h.adminAction(w, r, "Account anonymized; its posts stay under a neutral name.", func(v model.Viewer, id int64) error {
		return h.Auth.DeleteUser(r.Context(), v, id)
	})
}

func (h *Handler) adminSpaces(w http.ResponseWriter, r *http.Request) error {
	v := auth.ViewerFrom(r.Context())
	if !v.Admin() {
		return errNotFound
	}
	spaces, err := h.Community.Spaces(r.Context(), v, true)
	if err != nil {
		return err
	}
	return h.render(w, r, http.StatusOK, view.AdminSpaces(view.AdminSpacesPage{Chrome: h.chrome(r, "Spaces", "admin"), Spaces: spaces}))
}

func (h *Handler) adminOutbox(w http.ResponseWriter, r *http.Request) error {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	mails, err := h.Auth.Outbox(r.Context(), auth.ViewerFrom(r.Context()), max(before, 0))
	if err != nil {
		return err
	}
	p := view.AdminOutboxPage{Chrome: h.chrome(r, "Outbox", "admin"), Mails: mails, SMTP: h.SMTP}
	if len(mails) == 50 {
		p.Next = mails[len(mails)-1].ID
	}
	return h.render(w, r, http.StatusOK, view.AdminOutbox(p))
}

// adminClaim sends a claim link for a placeholder account to an address.
func (h *Handler) adminClaim(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := h.Auth.InviteClaim(r.Context(), auth.ViewerFrom(r.Context()), id, r.PostFormValue("email")); err != nil {
		return h.flashBack(w, r, "/admin", err)
	}
	return h.redirect(w, r, "/admin", "Claim link sent. The account becomes theirs when they choose a password.")
}
