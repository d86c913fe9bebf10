package cli_test

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"practica/internal/cli"
	"practica/internal/db"
)

// run calls the command line as a user would and returns its output and exit code.
func run(t *testing.T, args ...string) (string, string, int) {
	t.Helper()
	var out, errb bytes.Buffer
	code := cli.Run(context.Background(), args, &out, &errb)
	return out.String(), errb.String(), code
}

func TestCommands(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "cli.db")
	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
	}{
		{[]string{"version"}, 0, "practica"},
		{[]string{"help"}, 0, "Commands:"},
		{[]string{"migrate", "--database", dbPath}, 0, "up to date"},
		{[]string{"user", "create", "--database", dbPath, "--username", "ada", "--email", "ada@example.org", "--password", "analytical engine", "--role", "admin"}, 0, "created ada"},
		{[]string{"user", "create", "--database", dbPath, "--username", "ada", "--email", "other@example.org", "--password", "analytical engine"}, 1, ""},
		{[]string{"user", "create", "--database", dbPath, "--username", "bob"}, 1, ""},
		{[]string{"user", "create", "--database", dbPath, "--username", "bob", "--email", "bob@example.org", "--password", "0123456789"}, 0, "created bob"},
		{[]string{"user", "set-role", "--database", dbPath, "--username", "bob", "--role", "moderator"}, 0, "bob is now moderator"},
		{[]string{"user", "set-role", "--database", dbPath, "--username", "bob", "--role", "king"}, 1, ""},
		{[]string{"user", "reset-password", "--database", dbPath, "--username", "bob", "--password", "a new password"}, 0, "password of bob changed"},
		{[]string{"token", "create", "--database", dbPath, "--username", "ada", "--scope", "write"}, 0, "pat_"},
		{[]string{"token", "create", "--database", dbPath, "--username", "ada", "--scope", "admin"}, 1, ""},
		{[]string{"token", "revoke", "--database", dbPath, "--username", "ada", "--id", "1"}, 0, "token 1 revoked"},
		{[]string{"token", "revoke", "--database", dbPath, "--username", "ada", "--id", "1"}, 1, ""},
		{[]string{"user", "--help"}, 0, "reset-password"},
		{[]string{"token", "--help"}, 0, "revoke"},
		{[]string{"serve", "--help"}, 0, ""},
		{[]string{"reputation", "verify", "--database", dbPath}, 0, "reputation verified"},
		{[]string{"reputation", "--help"}, 0, "verify"},
		{[]string{"search", "reindex", "--database", dbPath}, 0, "search index rebuilt: 0 posts"},
		{[]string{"import", "stackexchange", "--database", dbPath, "../importer/testdata/mini.example.com"}, 0, "questions       2 new,"},
		{[]string{"import", "stackexchange", "--database", dbPath, "../importer/testdata/mini.example.com"}, 0, "questions       0 new,      2 already imported"},
		{[]string{"import", "stackexchange", "--database", dbPath}, 1, ""},
		{[]string{"nonsense"}, 2, ""},
	}
	for _, s := range steps {
		out, errOut, code := run(t, s.args...)
		if code != s.wantCode || !strings.Contains(out, s.wantOut) {
			t.Errorf("practica %s: exit %d, stdout %q, stderr %q; want exit %d and stdout containing %q",
				strings.Join(s.args, " "), code, out, errOut, s.wantCode, s.wantOut)
		}
	}
}

func TestServeRejectsBadConfig(t *testing.T) {
	_, errOut, code := run(t, "serve", "--addr", "nonsense", "--log-format", "xml")
	if code != 1 || !strings.Contains(errOut, "addr") || !strings.Contains(errOut, "log-format") {
		t.Errorf("serve with two bad settings: exit %d, stderr %q; want exit 1 naming both", code, errOut)
	}
}

// TestReputationVerify: a stored reputation changed behind the ledger's back
// is reported (exit 1) and corrected with --fix.
func TestReputationVerify(t *testing.T) {
	dbPath := filepath.Join(t.TempDir(), "rep.db")
	if _, errOut, code := run(t, "user", "create", "--database", dbPath, "--username", "bob", "--email", "bob@example.org", "--password", "0123456789"); code != 0 {
		t.Fatalf("create bob: %s", errOut)
	}
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	_, err = d.Write.Exec(`UPDATE users SET reputation = 5 WHERE username = 'bob'`)
	d.Close()
	if err != nil {
		t.Fatal(err)
	}
	out, errOut, code := run(t, "reputation", "verify", "--database", dbPath)
	if code != 1 || !strings.Contains(out, "stored reputation 5, ledger sum 0") || !strings.Contains(errOut, "--fix") {
		t.Errorf("verify after tampering: exit %d, stdout %q, stderr %q", code, out, errOut)
	}
	if out, _, code := run(t, "reputation", "verify", "--fix", "--database", dbPath); code != 0 || !strings.Contains(out, "fixed") {
		t.Errorf("verify --fix: exit %d, stdout %q", code, out)
	}
	if out, _, code := run(t, "reputation", "verify", "--database", dbPath); code != 0 || !strings.Contains(out, "verified") {
		t.Errorf("verify after the fix: exit %d, stdout %q", code, out)
	}
}
