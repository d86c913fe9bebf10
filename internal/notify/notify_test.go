package notify_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"testing"

	"practica/internal/notify"
	"practica/internal/testenv"
)

// sink is a minimal SMTP server that records each message it accepts.
type sink struct {
	ln   net.Listener
	mu   sync.Mutex
	msgs []string
	rcpt []string
}

func newSink(t *testing.T) *sink {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &sink{ln: ln}
	go s.serve()
	t.Cleanup(func() { ln.Close() })
	return s
}

func (s *sink) serve() {
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		go s.session(c)
	}
}

// session speaks just enough SMTP (RFC 5321) for net/smtp's SendMail.
func (s *sink) session(c net.Conn) {
	defer c.Close()
	tp := textproto.NewConn(c)
	_ = tp.PrintfLine("220 sink ready")
	for {
		line, err := tp.ReadLine()
		if err != nil {
			return
		}
		cmd := strings.ToUpper(strings.Fields(line + " x")[0])
		switch cmd {
		case "EHLO", "HELO":
			_ = tp.PrintfLine("250 sink")
		case "MAIL", "RSET", "NOOP":
			_ = tp.PrintfLine("250 ok")
		case "RCPT":
			s.mu.Lock()
			s.rcpt = append(s.rcpt, line)
			s.mu.Unlock()
			_ = tp.PrintfLine("250 ok")
		case "DATA":
			_ = tp.PrintfLine("354 go ahead")
			data, err := io.ReadAll(tp.DotReader())
			if err != nil {
				return
			}
			s.mu.Lock()
			s.msgs = append(s.msgs, string(data))
			s.mu.Unlock()
			_ = tp.PrintfLine("250 queued")
		case "QUIT":
			_ = tp.PrintfLine("221 bye")
			return
		default:
			_ = tp.PrintfLine("502 not implemented")
		}
	}
}

func (s *sink) received() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.msgs...)
}

// TestSenderDeliversOutbox: queued mail goes out through SMTP once, is
// marked sent, and a failed delivery is recorded and retried later.
func TestSenderDeliversOutbox(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if err := env.App.Auth.RequestPasswordReset(ctx, "bob@example.org"); err != nil {
		t.Fatal(err)
	}
	smtp := newSink(t)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))

	// A server that refuses connections: the attempt is recorded, nothing is lost.
	dead, _ := net.Listen("tcp", "127.0.0.1:0")
	deadAddr := dead.Addr().String()
	dead.Close()
	(&notify.Sender{Store: env.App.Store, SMTPURL: "smtp://" + deadAddr + "?from=community@example.org", Log: log, Now: env.Clock.Now}).Flush(ctx)
	mails, err := env.App.Store.Read().Outbox(ctx, 0, 10)
	if err != nil || len(mails) != 1 || mails[0].SentAt != nil || mails[0].Attempts != 1 || mails[0].LastError == "" {
		t.Fatalf("after a failed delivery: %+v, %v; want one unsent mail with 1 attempt and an error", mails, err)
	}

	sender := &notify.Sender{Store: env.App.Store, SMTPURL: "smtp://" + smtp.ln.Addr().String() + "?from=community@example.org", Log: log, Now: env.Clock.Now}
	sender.Flush(ctx)
	sender.Flush(ctx) // a second pass sends nothing again
	got := smtp.received()
	if len(got) != 1 {
		t.Fatalf("SMTP sink received %d messages, want 1", len(got))
	}
	msg := got[0]
	for _, want := range []string{"To: bob@example.org", "From: community@example.org", "Subject: Reset your password", "/reset/pe_"} {
		if !strings.Contains(msg, want) {
			t.Errorf("delivered message lacks %q:\n%s", want, msg)
		}
	}
	mails, err = env.App.Store.Read().Outbox(ctx, 0, 10)
	if err != nil || mails[0].SentAt == nil {
		t.Errorf("after delivery the outbox entry is not marked sent: %+v, %v", mails, err)
	}
}
