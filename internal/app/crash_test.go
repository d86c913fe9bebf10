package app_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"practica/internal/cli"
	"practica/internal/db"
)

// TestMain lets the test binary double as the server: with
// PRACTICA_TEST_SERVE set it runs "practica serve" and never returns, so the
// crash test can SIGKILL a real server process.
func TestMain(m *testing.M) {
	if os.Getenv("PRACTICA_TEST_SERVE") == "1" {
		os.Exit(cli.Run(context.Background(), []string{"serve"}, os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestAcknowledgedWritesSurviveKill starts the server on SQLite, posts
// replies from several writers, kills the process with SIGKILL at a moment
// the writers do not expect, restarts it, and checks that every reply the API
// acknowledged is there and the database is intact. Repeated a few times.
func TestAcknowledgedWritesSurviveKill(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "crash.db")
	token, topicID := seedForCrash(t, dbPath)
	var acked []string
	for cycle := range 5 {
		addr := freeAddr(t)
		cmd := startServer(t, dbPath, addr)
		acked = append(acked, writeUntilKilled(t, cmd, addr, token, topicID, cycle)...)
	}
	d, err := db.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var check string
	if err := d.Read.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check after %d kills = %q, %v", 5, check, err)
	}
	rows, err := d.Read.Query(`PRAGMA foreign_key_check`)
	if err != nil {
		t.Fatal(err)
	}
	if rows.Next() {
		t.Errorf("foreign_key_check found violations after the kills")
	}
	rows.Close()
	missing := 0
	for _, body := range acked {
		var n int
		if err := d.Read.QueryRow(`SELECT COUNT(*) FROM posts WHERE body = $1`, body).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n != 1 {
			missing++
			t.Errorf("acknowledged reply %q is stored %d times, want once", body, n)
		}
	}
	if len(acked) < 20 {
		t.Errorf("only %d writes were acknowledged across 5 cycles; the test proved little", len(acked))
	}
	t.Logf("%d acknowledged replies, %d missing after 5 SIGKILLs", len(acked), missing)
}

// seedForCrash creates an admin, a space and a topic with the CLI and API
// and returns a write token and the topic id.
func seedForCrash(t *testing.T, dbPath string) (string, int64) {
	t.Helper()
	var out, errb bytes.Buffer
	if code := cli.Run(context.Background(), []string{"user", "create", "--database", dbPath, "--username", "root", "--email", "root@example.org", "--password", "crash test password", "--role", "admin"}, &out, &errb); code != 0 {
		t.Fatalf("user create: %s", errb.String())
	}
	out.Reset()
	if code := cli.Run(context.Background(), []string{"token", "create", "--database", dbPath, "--username", "root", "--scope", "write"}, &out, &errb); code != 0 {
		t.Fatalf("token create: %s", errb.String())
	}
	token := strings.TrimSpace(out.String())
	addr := freeAddr(t)
	cmd := startServer(t, dbPath, addr)
	defer stop(cmd)
	base := "http://" + addr
	if code, body := post(base+"/api/v1/spaces", token, map[string]any{"name": "Crash", "visibility": "public"}); code != http.StatusCreated {
		t.Fatalf("create space: %d %s", code, body)
	}
	code, body := post(base+"/api/v1/topics", token, map[string]any{"space": "crash", "title": "Crash topic", "body": "x"})
	if code != http.StatusCreated {
		t.Fatalf("create topic: %d %s", code, body)
	}
	var tp struct{ ID int64 }
	if err := json.Unmarshal(body, &tp); err != nil {
		t.Fatal(err)
	}
	return token, tp.ID
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startServer runs this test binary as the server and waits until it answers.
func startServer(t *testing.T, dbPath, addr string) *exec.Cmd {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "PRACTICA_TEST_SERVE=1", "PRACTICA_DATABASE_URL="+dbPath, "PRACTICA_ADDR="+addr, "PRACTICA_BASE_URL=http://"+addr)
	cmd.Stdout, cmd.Stderr = io.Discard, io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		if res, err := http.Get("http://" + addr + "/readyz"); err == nil {
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return cmd
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop(cmd)
	t.Fatalf("server on %s did not become ready", addr)
	return nil
}

func stop(cmd *exec.Cmd) {
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
}

// writeUntilKilled runs 4 writers against the server and SIGKILLs it after a
// varying delay; it returns the bodies of the replies the server acknowledged.
func writeUntilKilled(t *testing.T, cmd *exec.Cmd, addr, token string, topicID int64, cycle int) []string {
	t.Helper()
	url := fmt.Sprintf("http://%s/api/v1/topics/%d/posts", addr, topicID)
	var mu sync.Mutex
	var acked []string
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				body := fmt.Sprintf("cycle %d writer %d reply %d", cycle, w, i)
				code, _ := post(url, token, map[string]any{"body": body})
				switch code {
				case http.StatusCreated:
					mu.Lock()
					acked = append(acked, body)
					mu.Unlock()
				case http.StatusTooManyRequests:
					time.Sleep(5 * time.Millisecond)
				case 0:
					return // the server is gone
				}
			}
		}()
	}
	time.Sleep(time.Duration(150+cycle*70) * time.Millisecond)
	stop(cmd)
	wg.Wait()
	return acked
}

var client = &http.Client{Timeout: 5 * time.Second}

// post sends JSON with a bearer token; status 0 means no answer.
func post(url, token string, body any) (int, []byte) {
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := client.Do(req)
	if err != nil {
		return 0, nil
	}
	defer res.Body.Close()
	data, _ := io.ReadAll(res.Body)
	return res.StatusCode, data
}
