package auth

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/store"
)

// Lifetimes of credentials.
const (
	SessionTTL      = 30 * 24 * time.Hour
	sessionTouch    = time.Hour
	resetTTL        = 60 * time.Minute
	verifyTTL       = 48 * time.Hour
	purposeReset    = "reset_password"
	purposeVerify   = "verify_email"
	sessionPrefix   = "ps_"
	apiTokenPrefix  = "pat_"
	emailLinkPrefix = "pe_"
)

// Service manages accounts, sessions and tokens.
type Service struct {
	store   *store.Store
	now     func() time.Time
	baseURL string
	log     *slog.Logger
}

// NewService returns an auth service; baseURL is used in emailed links.
func NewService(s *store.Store, now func() time.Time, baseURL string, log *slog.Logger) *Service {
	return &Service{store: s, now: now, baseURL: strings.TrimRight(baseURL, "/"), log: log}
}

// SignUpInput is what a new member provides.
type SignUpInput struct {
	Username string
	Email    string
	Password string
}

// SetupInput creates the first admin and names the community.
type SetupInput struct {
	SignUpInput
	CommunityName string
}

// SetupNeeded reports whether no admin exists yet.
func (s *Service) SetupNeeded(ctx context.Context) (bool, error) {
	n, err := s.store.Read().CountAdmins(ctx)
	return n == 0, err
}

// Setup creates the first admin (email trusted as verified) and stores the
// community's name. It refuses once any admin exists; the check runs inside
// the write transaction so two racing setups cannot both succeed.
func (s *Service) Setup(ctx context.Context, in SetupInput) (model.User, string, error) {
	f := apperr.Fields{}
	name := strings.TrimSpace(in.CommunityName)
	if name == "" || len([]rune(name)) > 80 {
		f.Add("community_name", "Name your community (up to 80 characters).")
	}
	u, err := s.newUser(f, in.SignUpInput, model.RoleAdmin)
	if err != nil {
		return model.User{}, "", err
	}
	now := s.now()
	u.EmailVerifiedAt = &now
	var secret string
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		if n, err := q.CountAdmins(ctx); err != nil || n > 0 {
			return errors.Join(err, apperr.New(apperr.Conflict, "This community is already set up."))
		}
		if u, err = s.insertUser(ctx, q, u); err != nil {
			return err
		}
		if err := q.SetSetting(ctx, "community_name", name, now); err != nil {
			return err
		}
		secret, err = s.startSession(ctx, q, u.ID, "")
		return err
	})
	return u, secret, err
}

// newUser validates sign-up input and returns the unsaved account.
func (s *Service) newUser(f apperr.Fields, in SignUpInput, role model.Role) (model.User, error) {
	in.Username = strings.TrimSpace(in.Username)
	validateUsername(f, in.Username)
	email := NormalizeEmail(f, in.Email)
	validatePassword(f, "password", in.Password)
	if err := f.Err(); err != nil {
		return model.User{}, err
	}
	return model.User{Username: in.Username, Email: email, PasswordHash: HashPassword(in.Password), Role: role, Status: model.StatusActive, CreatedAt: s.now()}, nil
}

// insertUser saves u, turning a taken name or address into field errors.
func (s *Service) insertUser(ctx context.Context, q *store.Queries, u model.User) (model.User, error) {
	f := apperr.Fields{}
	if _, err := q.UserByUsername(ctx, u.Username); err == nil {
		f.Add("username", "That username is taken.")
	}
	if u.Email != "" {
		if _, err := q.UserByEmail(ctx, u.Email); err == nil {
			f.Add("email", "An account with that email already exists. Sign in or reset your password.")
		}
	}
	if err := f.Err(); err != nil {
		return u, err
	}
	u, err := q.CreateUser(ctx, u)
	if errors.Is(err, store.ErrConflict) {
		// A racing sign-up took the name or address after the checks above.
		return u, fmt.Errorf("%w (%w)", apperr.Field("username", "That username or email is taken."), store.ErrConflict)
	}
	return u, err
}

// SignUp creates a member and emails them a link that confirms the address
// and signs them in. An address that already has an account gets a note
// instead, and the caller sees the same success: sign-up never tells
// whether an address is registered (SECURITY.md ATK-21). Usernames are
// public, so a taken one is still a field error.
func (s *Service) SignUp(ctx context.Context, in SignUpInput) (model.User, error) {
	u, err := s.newUser(apperr.Fields{}, in, model.RoleMember)
	if err != nil {
		return model.User{}, err
	}
	err = s.signUp(ctx, &u)
	if errors.Is(err, store.ErrConflict) {
		// A racing sign-up committed first; looking again tells a taken
		// name (an error) from a taken address (the same success).
		err = s.signUp(ctx, &u)
	}
	return u, err
}

func (s *Service) signUp(ctx context.Context, in *model.User) error {
	u := *in
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		q.Touch() // a new account has written nothing a shared page shows
		owner, err := q.UserByEmail(ctx, u.Email)
		switch {
		case err == nil:
			if _, err := q.UserByUsername(ctx, u.Username); err == nil {
				return apperr.Field("username", "That username is taken.")
			}
			u = model.User{}
			return s.queueMail(ctx, q, owner.Email, "Someone tried to join with your address", fmt.Sprintf(
				"Hello %s,\n\nSomeone, perhaps you, tried to create a new account with this email address, which already has one.\n\nSign in: %s/signin\nForgot your password? %s/forgot\n\nIf it was not you, you can ignore this email; nothing changed.\n",
				owner.Username, s.baseURL, s.baseURL))
		case !errors.Is(err, store.ErrNotFound):
			return err
		}
		if u, err = s.insertUser(ctx, q, u); err != nil {
			return err
		}
		return s.queueVerification(ctx, q, u)
	})
	if err == nil {
		*in = u
	}
	return err
}

// CreateUser makes an account from the CLI or an admin, verified and active.
func (s *Service) CreateUser(ctx context.Context, in SignUpInput, role model.Role) (model.User, error) {
	if !model.ValidRole(role) {
		return model.User{}, apperr.Field("role", "Role must be admin, moderator or member.")
	}
	u, err := s.newUser(apperr.Fields{}, in, role)
	if err != nil {
		return u, err
	}
	now := s.now()
	u.EmailVerifiedAt = &now
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		u, err = s.insertUser(ctx, q, u)
		return err
	})
	return u, err
}

var errBadLogin = apperr.New(apperr.Invalid, "That username or password is not right.")

// SignIn checks a username (or email) and password and starts a session.
func (s *Service) SignIn(ctx context.Context, login, password, userAgent string) (model.User, string, error) {
	login = strings.TrimSpace(login)
	if login == "" || password == "" || len(login) > MaxEmail || len(password) > MaxPassword {
		return model.User{}, "", errBadLogin
	}
	q := s.store.Read()
	u, err := q.UserByUsername(ctx, login)
	if errors.Is(err, store.ErrNotFound) && strings.Contains(login, "@") {
		u, err = q.UserByEmail(ctx, login)
	}
	if errors.Is(err, store.ErrNotFound) {
		_, _ = CheckPassword(dummyHash(), password)
		return model.User{}, "", errBadLogin
	}
	if err != nil {
		return model.User{}, "", err
	}
	ok, err := CheckPassword(u.PasswordHash, password)
	if err != nil || !ok || u.Status != model.StatusActive {
		return model.User{}, "", errBadLogin
	}
	var secret string
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		q.Touch() // sessions show on no shared page
		secret, err = s.startSession(ctx, q, u.ID, userAgent)
		return err
	})
	return u, secret, err
}

func (s *Service) startSession(ctx context.Context, q *store.Queries, userID int64, userAgent string) (string, error) {
	secret := NewSecret(sessionPrefix)
	now := s.now()
	if len(userAgent) > 200 {
		userAgent = userAgent[:200]
	}
	_, err := q.CreateSession(ctx, HashSecret(secret), model.Session{UserID: userID, CreatedAt: now, ExpiresAt: now.Add(SessionTTL), UserAgent: userAgent})
	return secret, err
}

// SessionViewer resolves a session cookie to its viewer; an unknown, expired
// or inactive one yields a guest. It also returns the session id.
func (s *Service) SessionViewer(ctx context.Context, secret string) (model.Viewer, int64, error) {
	if secret == "" || len(secret) > 100 {
		return model.Viewer{}, 0, nil
	}
	now := s.now()
	sess, u, err := s.store.Read().SessionUser(ctx, HashSecret(secret), now)
	if errors.Is(err, store.ErrNotFound) {
		return model.Viewer{}, 0, nil
	}
	if err != nil {
		return model.Viewer{}, 0, err
	}
	if u.Status != model.StatusActive {
		return model.Viewer{}, 0, nil
	}
	if now.Sub(sess.LastSeenAt) > sessionTouch {
		err = s.store.InTx(ctx, func(q *store.Queries) error {
			q.Touch() // sessions show on no shared page
			return q.TouchSession(ctx, sess.ID, now, now.Add(SessionTTL))
		})
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return model.Viewer{}, 0, err
		}
	}
	return model.Viewer{User: &u}, sess.ID, nil
}

// TokenViewer resolves a bearer token. Unknown, revoked or inactive-owner
// tokens are an Unauthenticated error (the API answers 401).
func (s *Service) TokenViewer(ctx context.Context, secret string) (model.Viewer, error) {
	bad := apperr.New(apperr.Unauthenticated, "The access token is missing, revoked or not valid.")
	if !strings.HasPrefix(secret, apiTokenPrefix) || len(secret) > 100 {
		return model.Viewer{}, bad
	}
	t, u, err := s.store.Read().APITokenUser(ctx, HashSecret(secret))
	if errors.Is(err, store.ErrNotFound) {
		return model.Viewer{}, bad
	}
	if err != nil {
		return model.Viewer{}, err
	}
	if u.Status != model.StatusActive {
		return model.Viewer{}, bad
	}
	now := s.now()
	if t.LastUsedAt == nil || now.Sub(*t.LastUsedAt) > time.Minute {
		_ = s.store.InTx(ctx, func(q *store.Queries) error {
			q.Touch() // tokens show on no shared page
			return q.TouchAPIToken(ctx, t.ID, now)
		})
	}
	return model.Viewer{User: &u, Scope: t.Scope}, nil
}

// SignOut ends one session.
func (s *Service) SignOut(ctx context.Context, secret string) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		q.Touch() // sessions show on no shared page
		return q.DeleteSession(ctx, HashSecret(secret))
	})
}

// SignOutEverywhere ends all of the viewer's sessions, including this one.
func (s *Service) SignOutEverywhere(ctx context.Context, v model.Viewer) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return q.DeleteUserSessions(ctx, v.UserID(), 0) })
}

// ChangePasswordInput changes the viewer's password.
type ChangePasswordInput struct {
	Current string
	New     string
}

// ChangePassword checks the current password, stores the new one, and ends
// every other session, every API token and all pending reset links. It
// returns a fresh session secret for the browser that made the change.
func (s *Service) ChangePassword(ctx context.Context, v model.Viewer, in ChangePasswordInput, userAgent string) (string, error) {
	if v.Guest() {
		return "", apperr.ErrSignIn
	}
	f := apperr.Fields{}
	if ok, _ := CheckPassword(v.User.PasswordHash, in.Current); !ok {
		f.Add("current_password", "That is not your current password.")
	}
	validatePassword(f, "new_password", in.New)
	if err := f.Err(); err != nil {
		return "", err
	}
	var secret string
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		return s.replacePassword(ctx, q, v.UserID(), in.New, func() (err error) {
			secret, err = s.startSession(ctx, q, v.UserID(), userAgent)
			return err
		})
	})
	return secret, err
}

// replacePassword stores a new hash and revokes sessions, API tokens and
// email tokens (SECURITY.md R11), then runs after (to start the one session
// that survives).
func (s *Service) replacePassword(ctx context.Context, q *store.Queries, userID int64, password string, after func() error) error {
	now := s.now()
	if err := q.SetPassword(ctx, userID, HashPassword(password), now); err != nil {
		return err
	}
	if err := q.DeleteUserSessions(ctx, userID, 0); err != nil {
		return err
	}
	if err := q.RevokeUserAPITokens(ctx, userID, now); err != nil {
		return err
	}
	if err := q.RevokeUserTokens(ctx, userID, now); err != nil {
		return err
	}
	if after != nil {
		return after()
	}
	return nil
}

// RequestPasswordReset emails a reset link if the address belongs to an
// active account. It answers the same either way, so it reveals nothing.
func (s *Service) RequestPasswordReset(ctx context.Context, email string) error {
	f := apperr.Fields{}
	email = NormalizeEmail(f, email)
	if err := f.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByEmail(ctx, email)
		if errors.Is(err, store.ErrNotFound) || (err == nil && u.Status != model.StatusActive) {
			return nil
		}
		if err != nil {
			return err
		}
		secret, err := s.newEmailToken(ctx, q, u, purposeReset, resetTTL)
		if err != nil {
			return err
		}
		body := fmt.Sprintf("Hello %s,\n\nSomeone asked to reset the password of your account. To choose a new password, open this link within 60 minutes:\n\n%s/reset/%s\n\nIf it was not you, ignore this email; your password stays as it is.\n",
			u.Username, s.baseURL, secret)
		return s.queueMail(ctx, q, u.Email, "Reset your password", body)
	})
}

// ResetPassword sets a new password with a reset link's secret; the link works once.
func (s *Service) ResetPassword(ctx context.Context, secret, password string) error {
	f := apperr.Fields{}
	validatePassword(f, "password", password)
	if err := f.Err(); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		userID, email, err := q.ConsumeUserToken(ctx, purposeReset, HashSecret(secret), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Invalid, "This reset link has expired or was already used. Ask for a new one.")
		}
		if err != nil {
			return err
		}
		if err := s.completeClaim(ctx, q, userID, email); err != nil {
			return err
		}
		return s.replacePassword(ctx, q, userID, password, nil)
	})
}

// completeClaim activates a placeholder account whose claim link was just
// used: the link reached its address, which is therefore confirmed.
func (s *Service) completeClaim(ctx context.Context, q *store.Queries, userID int64, email string) error {
	u, err := q.User(ctx, userID)
	if err != nil || u.Status != model.StatusPlaceholder {
		return err
	}
	if err := q.SetUserStatus(ctx, userID, model.StatusActive, s.now()); err != nil {
		return err
	}
	return q.MarkEmailVerified(ctx, userID, email, s.now())
}

// ResendVerification emails a new verification link to the viewer.
func (s *Service) ResendVerification(ctx context.Context, v model.Viewer) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	if v.User.Verified() {
		return apperr.New(apperr.Conflict, "Your email address is already confirmed.")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return s.queueVerification(ctx, q, *v.User) })
}

func (s *Service) queueVerification(ctx context.Context, q *store.Queries, u model.User) error {
	secret, err := s.newEmailToken(ctx, q, u, purposeVerify, verifyTTL)
	if err != nil {
		return err
	}
	body := fmt.Sprintf("Welcome, %s!\n\nPlease confirm your email address by opening this link:\n\n%s/verify/%s\n\nUntil then you can read, but not post.\n", u.Username, s.baseURL, secret)
	return s.queueMail(ctx, q, u.Email, "Confirm your email address", body)
}

// VerifyEmail confirms an address with a verification link's secret.
func (s *Service) VerifyEmail(ctx context.Context, secret string) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		_, err := s.verify(ctx, q, secret)
		return err
	})
}

// ConfirmAndSignIn confirms an address like VerifyEmail and starts a session
// for its account, which is how a new member first signs in: the link
// proves they own the address. It returns the session secret.
func (s *Service) ConfirmAndSignIn(ctx context.Context, secret, userAgent string) (string, error) {
	var session string
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		userID, err := s.verify(ctx, q, secret)
		if err != nil {
			return err
		}
		u, err := q.User(ctx, userID)
		if err != nil || u.Status != model.StatusActive {
			return apperr.New(apperr.Invalid, "This account cannot sign in.")
		}
		session, err = s.startSession(ctx, q, userID, userAgent)
		return err
	})
	return session, err
}

func (s *Service) verify(ctx context.Context, q *store.Queries, secret string) (int64, error) {
	userID, email, err := q.ConsumeUserToken(ctx, purposeVerify, HashSecret(secret), s.now())
	if errors.Is(err, store.ErrNotFound) {
		return 0, apperr.New(apperr.Invalid, "This confirmation link has expired or was already used.")
	}
	if err != nil {
		return 0, err
	}
	err = q.MarkEmailVerified(ctx, userID, email, s.now())
	if errors.Is(err, store.ErrNotFound) {
		return 0, apperr.New(apperr.Invalid, "This link was for an email address the account no longer uses.")
	}
	return userID, err
}

func (s *Service) newEmailToken(ctx context.Context, q *store.Queries, u model.User, purpose string, ttl time.Duration) (string, error) {
	secret := NewSecret(emailLinkPrefix)
	now := s.now()
	return secret, q.CreateUserToken(ctx, u.ID, purpose, HashSecret(secret), u.Email, now, now.Add(ttl))
}

func (s *Service) queueMail(ctx context.Context, q *store.Queries, to, subject, body string) error {
	if err := notify.Queue(ctx, q, to, subject, body, s.now()); err != nil {
		return err
	}
	s.log.Info("mail queued", "to", to, "subject", subject)
	return nil
}

// ChangeEmail moves the viewer's account to a new address after checking
// their password. The new address starts unconfirmed and gets a confirmation
// link; every link sent to the old address stops working (SECURITY.md row 27).
func (s *Service) ChangeEmail(ctx context.Context, v model.Viewer, email, password string) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	f := apperr.Fields{}
	email = NormalizeEmail(f, email)
	if ok, _ := CheckPassword(v.User.PasswordHash, password); !ok {
		f.Add("password", "That is not your current password.")
	}
	if err := f.Err(); err != nil {
		return err
	}
	if store.Key(email) == store.Key(v.User.Email) {
		return apperr.Field("email", "That is already your address.")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		err := q.SetEmail(ctx, v.UserID(), email, s.now())
		if errors.Is(err, store.ErrConflict) {
			return apperr.Field("email", "Another account uses that address.")
		}
		if err != nil {
			return err
		}
		if err := q.RevokeUserTokens(ctx, v.UserID(), s.now()); err != nil {
			return err
		}
		u := *v.User
		u.Email = email
		return s.queueVerification(ctx, q, u)
	})
}
