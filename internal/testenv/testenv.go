// Package testenv builds a real Practica for tests: a migrated database
// (SQLite in a temp dir, or a fresh PostgreSQL schema when
// PRACTICA_TEST_POSTGRES is set), the real services and router, a clock tests
// can move, and a few people and spaces to act with.
package testenv

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"practica/internal/app"
	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/config"
	"practica/internal/content"
	"practica/internal/db"
	"practica/internal/model"
)

// PostgresEnv names the variable holding a PostgreSQL URL for tests.
const PostgresEnv = "PRACTICA_TEST_POSTGRES"

// Clock is a clock tests can move forward.
type Clock struct {
	mu     sync.Mutex
	offset time.Duration
}

// Now returns real time plus every Advance so far, as Practica stores times.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return time.Now().UTC().Add(c.offset).Truncate(time.Microsecond)
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.offset += d
	c.mu.Unlock()
}

// User is a person in a test, with a browser session and a write token.
type User struct {
	model.User
	Session string
	Token   string
}

// Viewer is the user as services see them.
func (u *User) Viewer() model.Viewer {
	if u == nil {
		return model.Viewer{}
	}
	m := u.User
	return model.Viewer{User: &m}
}

// Env is a running Practica for one test.
type Env struct {
	App   *app.App
	Clock *Clock
	// Admin is the instance admin; Mod a moderator; Alice leads the three
	// spaces; Bob is a plain member who belongs to none of them.
	Admin, Mod, Alice, Bob                 *User
	PublicSpace, PrivateSpace, SecretSpace model.Space
	carol                                  *User
}

// Password is every test user's password.
const Password = "correct horse battery"

// New returns a fresh environment; the database is removed when the test ends.
func New(t testing.TB) *Env {
	t.Helper()
	return NewOn(t, OpenDB(t))
}

// NewOn is New over d, an opened, empty database (see OpenSQLite and
// OpenPostgres for tests that need one engine whatever the suite runs on).
func NewOn(t testing.TB, d *db.DB) *Env {
	t.Helper()
	e := bareOn(t, d)
	ctx := context.Background()
	// What auth.Setup does, minus its argon2 run: the first admin and the
	// community's name. Setup itself is tested in the auth and web packages.
	e.Admin = e.NewUser(t, "admin", model.RoleAdmin)
	if err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
		if err := q.SetSetting(ctx, "community_name", "Test Community", e.Clock.Now()); err != nil {
			return err
		}
		// This community lets everyone create tags, so tests can tag freely;
		// the create_tags privilege is tested with its default threshold.
		return q.SetSetting(ctx, "privilege.create_tags", "0", e.Clock.Now())
	}); err != nil {
		t.Fatalf("name the community: %v", err)
	}
	e.Mod = e.NewUser(t, "mod", model.RoleModerator)
	e.Alice = e.NewUser(t, "alice", model.RoleMember)
	e.Bob = e.NewUser(t, "bob", model.RoleMember)
	e.PublicSpace = e.NewSpace(t, e.Alice, "Public Square", model.Public)
	e.PrivateSpace = e.NewSpace(t, e.Alice, "Private Room", model.Private)
	e.SecretSpace = e.NewSpace(t, e.Alice, "Secret Garden", model.Secret)
	return e
}

// Bare returns an environment with an empty, migrated database and no setup.
func Bare(t testing.TB) *Env {
	t.Helper()
	return bareOn(t, OpenDB(t))
}

func bareOn(t testing.TB, d *db.DB) *Env {
	t.Helper()
	ctx := context.Background()
	clock := &Clock{}
	// The page cache is on, as in production, so every test that reads as a
	// guest after a write also checks that the write reached the cache.
	cfg := config.Config{Addr: "127.0.0.1:0", BaseURL: "http://example.test", DatabaseURL: "test", LogFormat: "text", PageCacheMB: 64}
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if testing.Verbose() && os.Getenv("PRACTICA_TEST_LOG") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, nil))
	}
	if _, err := d.Migrate(ctx); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return &Env{App: app.Wire(d, cfg, log, clock.Now), Clock: clock}
}

// OpenDB opens an empty database for a test: a SQLite file in a temp dir, or a
// new schema in PRACTICA_TEST_POSTGRES, dropped at the end.
func OpenDB(t testing.TB) *db.DB {
	t.Helper()
	ctx := context.Background()
	if os.Getenv(PostgresEnv) == "" {
		return OpenSQLite(t)
	}
	d, err := db.Open(ctx, PostgresURL(t))
	if err != nil {
		t.Fatalf("open postgres schema: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// OpenSQLite opens an empty SQLite database in a temp dir, whatever the
// suite runs on.
func OpenSQLite(t testing.TB) *db.DB {
	t.Helper()
	d, err := db.Open(context.Background(), filepath.Join(t.TempDir(), "practica.db"))
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// PostgresURL creates a new, empty schema in PRACTICA_TEST_POSTGRES, dropped
// when the test ends, and returns a URL whose search_path is that schema. It
// skips the test when the variable is not set.
func PostgresURL(t testing.TB) string {
	t.Helper()
	ctx := context.Background()
	pg := os.Getenv(PostgresEnv)
	if pg == "" {
		t.Skip(PostgresEnv + " is not set: no PostgreSQL to test against")
	}
	schema := "t_" + randomHex(8)
	admin, err := sql.Open("pgx", pg)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	if _, err := admin.ExecContext(ctx, "CREATE SCHEMA "+schema); err != nil {
		admin.Close()
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		_, _ = admin.ExecContext(context.Background(), "DROP SCHEMA "+schema+" CASCADE")
		admin.Close()
	})
	return withSearchPath(pg, schema)
}

func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil {
		return dsn
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Engine names the database the tests run on, for messages.
func Engine() string {
	if os.Getenv(PostgresEnv) != "" {
		return "postgres"
	}
	return "sqlite"
}

// passwordHash is Password hashed once per test binary. argon2id is slow on
// purpose (tens of milliseconds), and every test user shares the password.
var passwordHash = sync.OnceValue(func() string { return auth.HashPassword(Password) })

// NewUser creates a verified, active user with a session and a write token.
// The account is written straight to the store with the shared password hash,
// so creating people costs no argon2 run; signing in with Password works as
// for any account.
func (e *Env) NewUser(t testing.TB, name string, role model.Role) *User {
	t.Helper()
	ctx := context.Background()
	now := e.Clock.Now()
	u := model.User{Username: name, Email: name + "@example.org", EmailVerifiedAt: &now, PasswordHash: passwordHash(), Role: role, Status: model.StatusActive, CreatedAt: now}
	err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
		var err error
		u, err = q.CreateUser(ctx, u)
		return err
	})
	if err != nil {
		t.Fatalf("create user %s: %v", name, err)
	}
	return e.signIn(t, u)
}

// signIn opens a browser session for u, as auth.SignIn does but without
// checking the password again, and issues a write token.
func (e *Env) signIn(t testing.TB, u model.User) *User {
	t.Helper()
	ctx := context.Background()
	secret := auth.NewSecret("ps_")
	now := e.Clock.Now()
	err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
		_, err := q.CreateSession(ctx, auth.HashSecret(secret), model.Session{UserID: u.ID, CreatedAt: now, ExpiresAt: now.Add(auth.SessionTTL), UserAgent: "test"})
		return err
	})
	if err != nil {
		t.Fatalf("session for %s: %v", u.Username, err)
	}
	_, tok, err := e.App.Auth.CreateAPIToken(ctx, model.Viewer{User: &u}, "test", model.ScopeWrite)
	if err != nil {
		t.Fatalf("token for %s: %v", u.Username, err)
	}
	return &User{User: u, Session: secret, Token: tok}
}

// Refresh reloads a user's account (after a role or status change).
func (e *Env) Refresh(t testing.TB, u *User) {
	t.Helper()
	fresh, err := e.App.Store.Read().User(context.Background(), u.ID)
	if err != nil {
		t.Fatalf("reload %s: %v", u.Username, err)
	}
	u.User = fresh
}

// NewSpace creates a space led by leader (created by the admin, who then
// hands it over, as an organizer would).
func (e *Env) NewSpace(t testing.TB, leader *User, name string, vis model.Visibility) model.Space {
	t.Helper()
	ctx := context.Background()
	sp, err := e.App.Community.CreateSpace(ctx, e.Admin.Viewer(), community.SpaceInput{Name: name, Visibility: vis, Focus: "About " + strings.ToLower(name)})
	if err != nil {
		t.Fatalf("create space %s: %v", name, err)
	}
	if leader != nil && leader != e.Admin {
		if err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
			return q.SetMember(ctx, sp.ID, leader.ID, model.SpaceLeader, e.Clock.Now())
		}); err != nil {
			t.Fatalf("make %s leader: %v", leader.Username, err)
		}
		if err := e.App.Community.Leave(ctx, e.Admin.Viewer(), sp.Slug); err != nil {
			t.Fatalf("admin leaves %s: %v", name, err)
		}
	}
	sp, err = e.App.Store.Read().Space(ctx, sp.ID)
	if err != nil {
		t.Fatalf("reload space: %v", err)
	}
	return sp
}

// AddMember makes u a member of space.
func (e *Env) AddMember(t testing.TB, sp model.Space, u *User, role model.SpaceRole) {
	t.Helper()
	ctx := context.Background()
	if err := e.App.Store.InTx(ctx, func(q *storeQueries) error { return q.SetMember(ctx, sp.ID, u.ID, role, e.Clock.Now()) }); err != nil {
		t.Fatalf("add %s to %s: %v", u.Username, sp.Slug, err)
	}
}

// CreateTopic starts a discussion as u in space.
func (e *Env) CreateTopic(t testing.TB, u *User, sp model.Space, title string) model.Topic {
	t.Helper()
	tp, err := e.App.Content.CreateTopic(context.Background(), u.Viewer(), content.TopicInput{Space: sp.Slug, Title: title, Body: "Body of " + title, Tags: "testing"})
	if err != nil {
		t.Fatalf("create topic %q as %s: %v", title, u.Username, err)
	}
	return tp
}

// Reply posts a reply as u.
func (e *Env) Reply(t testing.TB, u *User, topicID int64, body string) model.Post {
	t.Helper()
	p, err := e.App.Content.Reply(context.Background(), u.Viewer(), topicID, body)
	if err != nil {
		t.Fatalf("reply to %d as %s: %v", topicID, u.Username, err)
	}
	return p
}

// Carol is a third member, created on first use, for tests that need someone
// who is neither Alice nor Bob.
func (e *Env) Carol(t testing.TB) *User {
	t.Helper()
	if e.carol == nil {
		e.carol = e.NewUser(t, "carol", model.RoleMember)
	}
	return e.carol
}
