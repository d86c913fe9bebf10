package cli_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"practica/internal/testenv"
)

// TestBackupRestoreCommands runs backup and restore as an operator would,
// including the refusals, which must exit non-zero with a reason.
func TestBackupRestoreCommands(t *testing.T) {
	dir := t.TempDir()
	src := filepath.Join(dir, "live.db")
	backup := filepath.Join(dir, "backup.db")
	restored := filepath.Join(dir, "restored", "practica.db")
	steps := []struct {
		args     []string
		wantCode int
		wantOut  string
		wantErr  string
	}{
		{[]string{"user", "create", "--database", src, "--username", "ada", "--email", "ada@example.org", "--password", "analytical engine", "--role", "admin"}, 0, "created ada", ""},
		{[]string{"backup", "--database", src}, 1, "", "missing FILE"},
		{[]string{"backup", backup, "--database", filepath.Join(dir, "nowhere.db")}, 1, "", "no database at"},
		{[]string{"backup", backup, "--database", src}, 0, "backup written", ""},
		{[]string{"backup", "--database", src, backup}, 1, "", "already exists"},
		{[]string{"restore", backup, "--database", src}, 1, "", "already holds a community"},
		{[]string{"restore", filepath.Join(dir, "missing.db"), "--database", restored}, 1, "", "not found"},
		{[]string{"restore", backup, "--database", restored}, 0, "1 accounts", ""},
		{[]string{"user", "reset-password", "--database", restored, "--username", "ada", "--password", "a new password"}, 0, "password of ada changed", ""},
		{[]string{"backup", "x.dump", "--database", "postgres://u:secret@db.example/prod"}, 1, "pg_dump --format=custom", "pg_dump"},
		{[]string{"restore", "x.dump", "--database", "postgres://u:secret@db.example/prod"}, 1, "pg_restore", "pg_restore"},
		{[]string{"backup", "--help"}, 0, "", "VACUUM INTO"},
		{[]string{"restore", "--help"}, 0, "", "never overwrites"},
		{[]string{"export", "--help"}, 0, "", "--sessions"},
		{[]string{"export", "--database", src}, 1, "", "missing --to"},
		{[]string{"export", "--database", src, "--to", filepath.Join(dir, "other.db")}, 1, "", "postgres://"},
	}
	for _, s := range steps {
		out, errOut, code := run(t, s.args...)
		if code != s.wantCode || !strings.Contains(out, s.wantOut) || !strings.Contains(errOut, s.wantErr) {
			t.Errorf("practica %s: exit %d, stdout %q, stderr %q; want exit %d, stdout containing %q, stderr containing %q",
				strings.Join(s.args, " "), code, out, errOut, s.wantCode, s.wantOut, s.wantErr)
		}
		if strings.Contains(out+errOut, "secret") {
			t.Errorf("practica %s printed the database password", strings.Join(s.args, " "))
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "nowhere.db")); err == nil {
		t.Errorf("backup of a missing database created it")
	}
}

// TestExportCommand moves a SQLite database into PostgreSQL with the command.
func TestExportCommand(t *testing.T) {
	pg := testenv.PostgresURL(t)
	src := filepath.Join(t.TempDir(), "live.db")
	if _, errOut, code := run(t, "user", "create", "--database", src, "--username", "ada", "--email", "ada@example.org", "--password", "analytical engine", "--role", "admin"); code != 0 {
		t.Fatalf("create ada: %s", errOut)
	}
	out, errOut, code := run(t, "export", "--database", src, "--to", pg, "--sessions")
	if code != 0 || !strings.Contains(out, "export verified") || !strings.Contains(out, "users") {
		t.Fatalf("practica export: exit %d, stdout %q, stderr %q; want exit 0 and a verified summary", code, out, errOut)
	}
	if _, errOut, code := run(t, "export", "--database", src, "--to", pg); code != 1 || !strings.Contains(errOut, "not empty") {
		t.Errorf("a second export into the same database: exit %d, stderr %q; want exit 1 saying it is not empty", code, errOut)
	}
	if out, errOut, code := run(t, "user", "reset-password", "--database", pg, "--username", "ada", "--password", "a new password"); code != 0 {
		t.Errorf("the exported account on PostgreSQL: exit %d, %q %q", code, out, errOut)
	}
}
