package web

import (
	"net/http"
	"strings"

	"practica/internal/apperr"
	"practica/internal/auth"
	"practica/internal/httpx"
	"practica/internal/web/view"
)

var errNotFound = apperr.NotFoundf("Not found.")

func (h *Handler) setupForm(w http.ResponseWriter, r *http.Request) error {
	if needed, err := h.Auth.SetupNeeded(r.Context()); err != nil || !needed {
		return orNotFound(err)
	}
	return h.render(w, r, http.StatusOK, view.Setup(view.AuthPage{Chrome: h.setupChrome(r), Form: view.Form{}}))
}

// orNotFound turns "nothing to do here" into a 404, keeping real errors.
func orNotFound(err error) error {
	if err != nil {
		return err
	}
	return errNotFound
}

// setupChrome is the frame of the setup page: no navigation, nothing exists yet.
func (h *Handler) setupChrome(r *http.Request) view.Chrome {
	c := h.chrome(r, "Set up", "")
	c.Bare = true
	return c
}

func (h *Handler) setup(w http.ResponseWriter, r *http.Request) error {
	if needed, err := h.Auth.SetupNeeded(r.Context()); err != nil || !needed {
		return orNotFound(err)
	}
	f := form(r, "community_name", "username", "email", "password")
	_, secret, err := h.Auth.Setup(r.Context(), auth.SetupInput{CommunityName: f.Get("community_name"),
		SignUpInput: auth.SignUpInput{Username: f.Get("username"), Email: f.Get("email"), Password: f.Get("password")}})
	if apperr.KindOf(err) == apperr.Conflict {
		return errNotFound // already set up: the page no longer exists
	}
	if err != nil {
		f.Values["password"] = ""
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.Setup(view.AuthPage{Chrome: h.setupChrome(r), Form: f}))
	}
	h.setupDone.Store(true)
	h.setSession(w, secret)
	return h.redirect(w, r, "/spaces/new", "Your community is ready. Create its first space.")
}

func (h *Handler) signUpForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, view.SignUp(view.AuthPage{Chrome: h.chrome(r, "Join", "")}))
}

func (h *Handler) signUp(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "username", "email", "password")
	err := limit(h.Limits.SignUp, "ip:"+httpx.ClientIP(r, h.TrustedProxies))
	if err == nil {
		_, err = h.Auth.SignUp(r.Context(), auth.SignUpInput{Username: f.Get("username"), Email: f.Get("email"), Password: f.Get("password")})
	}
	if err != nil {
		f.Values["password"] = ""
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.SignUp(view.AuthPage{Chrome: h.chrome(r, "Join", ""), Form: f}))
	}
	// The same answer whether or not the address already had an account.
	return h.redirect(w, r, "/signin", "Almost there: we sent you an email. Open its link to confirm your address and sign in.")
}

func (h *Handler) signInForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, view.SignIn(view.AuthPage{Chrome: h.chrome(r, "Sign in", ""), Next: safeNext(r.URL.Query().Get("next"))}))
}

func (h *Handler) signIn(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "login", "password")
	next := safeNext(r.PostFormValue("next"))
	// Names match in any case, so the per-account key must too, or "Alice",
	// "ALICE", ... would each get their own ten guesses.
	err := limit(h.Limits.SignIn, "ip:"+httpx.ClientIP(r, h.TrustedProxies), "login:"+strings.ToLower(strings.TrimSpace(f.Get("login"))))
	var secret string
	if err == nil {
		_, secret, err = h.Auth.SignIn(r.Context(), f.Get("login"), f.Get("password"), r.UserAgent())
	}
	if err != nil {
		f.Values["password"] = ""
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.SignIn(view.AuthPage{Chrome: h.chrome(r, "Sign in", ""), Form: f, Next: next}))
	}
	h.setSession(w, secret)
	return h.redirect(w, r, next, "")
}

func (h *Handler) signOut(w http.ResponseWriter, r *http.Request) error {
	if secret := h.sessionSecret(r); secret != "" {
		if err := h.Auth.SignOut(r.Context(), secret); err != nil {
			return err
		}
	}
	h.clearSession(w)
	return h.redirect(w, r, "/", "You are signed out.")
}

func (h *Handler) forgotForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, view.Forgot(view.AuthPage{Chrome: h.chrome(r, "Reset password", "")}))
}

func (h *Handler) forgot(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "email")
	err := limit(h.Limits.Reset, "ip:"+httpx.ClientIP(r, h.TrustedProxies))
	if err == nil {
		err = h.Auth.RequestPasswordReset(r.Context(), f.Get("email"))
	}
	if err != nil {
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.Forgot(view.AuthPage{Chrome: h.chrome(r, "Reset password", ""), Form: f}))
	}
	return h.render(w, r, http.StatusOK, view.Forgot(view.AuthPage{Chrome: h.chrome(r, "Reset password", ""), Done: true}))
}

func (h *Handler) resetForm(w http.ResponseWriter, r *http.Request) error {
	return h.render(w, r, http.StatusOK, view.Reset(view.AuthPage{Chrome: h.chrome(r, "New password", ""), Secret: r.PathValue("secret")}))
}

func (h *Handler) reset(w http.ResponseWriter, r *http.Request) error {
	f := form(r, "password")
	secret := r.PathValue("secret")
	err := limit(h.Limits.Reset, "ip:"+httpx.ClientIP(r, h.TrustedProxies))
	if err == nil {
		err = h.Auth.ResetPassword(r.Context(), secret, f.Get("password"))
	}
	if err != nil {
		f.Values["password"] = ""
		if !formError(&f, err) {
			return err
		}
		return h.render(w, r, formStatus(err), view.Reset(view.AuthPage{Chrome: h.chrome(r, "New password", ""), Form: f, Secret: secret}))
	}
	h.clearSession(w)
	return h.redirect(w, r, "/signin", "Your password is changed. Sign in with the new one.")
}

func (h *Handler) verify(w http.ResponseWriter, r *http.Request) error {
	var err error
	if auth.ViewerFrom(r.Context()).Guest() {
		var session string
		if session, err = h.Auth.ConfirmAndSignIn(r.Context(), r.PathValue("secret"), r.UserAgent()); err == nil {
			h.setSession(w, session)
		}
	} else {
		err = h.Auth.VerifyEmail(r.Context(), r.PathValue("secret"))
	}
	if e, ok := apperr.As(err); ok && e.Kind == apperr.Invalid {
		return h.render(w, r, http.StatusBadRequest, view.Message(h.chrome(r, "Confirm email", ""), "Link not valid", e.Msg, "/settings", "Send a new link"))
	}
	if err != nil {
		return err
	}
	return h.redirect(w, r, "/", "Thanks, your email address is confirmed. You can post now.")
}
