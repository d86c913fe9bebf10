// Package notify delivers outgoing email. Every message is first written to
// the outbox table inside the transaction that caused it, so nothing is sent
// for a change that rolled back and nothing is lost if delivery fails. A
// Sender drains the outbox through SMTP when one is configured; without one,
// messages stay in the outbox for an admin to read, and each is logged.
package notify

import (
	"context"
	"fmt"
	"log/slog"
	"mime"
	"net"
	"net/smtp"
	"net/url"
	"strings"
	"time"

	"practica/internal/model"
	"practica/internal/store"
)

// Queue writes a message to the outbox within the caller's transaction.
func Queue(ctx context.Context, q *store.Queries, to, subject, body string, now time.Time) error {
	_, err := q.QueueMail(ctx, model.Mail{To: to, Subject: subject, Body: body, CreatedAt: now})
	return err
}

// Sender delivers queued mail.
type Sender struct {
	Store *store.Store
	// SMTPURL is smtp://user:pass@host:port?from=addr; empty keeps mail in the outbox.
	SMTPURL string
	Log     *slog.Logger
	Now     func() time.Time
}

// Run delivers mail every interval until ctx ends.
func (s *Sender) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		s.Flush(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Flush makes one pass over unsent mail.
func (s *Sender) Flush(ctx context.Context) {
	mails, err := s.Store.Read().UnsentMail(ctx, 50)
	if err != nil {
		s.Log.Error("outbox read failed", "err", err)
		return
	}
	for _, m := range mails {
		if s.SMTPURL == "" {
			return // without SMTP, mail stays in the outbox (logged when queued)
		}
		err := s.send(m)
		_ = s.Store.InTx(ctx, func(q *store.Queries) error {
			q.Touch() // the outbox shows on no shared page
			if err != nil {
				s.Log.Warn("mail delivery failed", "id", m.ID, "to", m.To, "err", err)
				return q.MarkMailFailed(ctx, m.ID, err.Error())
			}
			return q.MarkMailSent(ctx, m.ID, s.Now())
		})
	}
}

func (s *Sender) send(m model.Mail) error {
	u, err := url.Parse(s.SMTPURL)
	if err != nil {
		return fmt.Errorf("notify: smtp url: %w", err)
	}
	from := u.Query().Get("from")
	if from == "" {
		from = "practica@" + u.Hostname()
	}
	var a smtp.Auth
	if u.User != nil {
		pw, _ := u.User.Password()
		host, _, _ := net.SplitHostPort(u.Host)
		a = smtp.PlainAuth("", u.User.Username(), pw, host)
	}
	return smtp.SendMail(u.Host, a, from, []string{m.To}, message(m, from, u.Hostname()))
}

func headerSafe(s string) string { return strings.NewReplacer("\r", " ", "\n", " ").Replace(s) }

// message is m as an RFC 5322 message. Its Message-ID is the outbox row's:
// should a crash between delivery and recording it send the message again,
// receivers see the same message twice, not two messages. A message one can
// opt out of carries the one-click unsubscribe headers (RFC 2369, 8058).
func message(m model.Mail, from, host string) []byte {
	var b strings.Builder
	header := func(name, value string) { b.WriteString(name + ": " + headerSafe(value) + "\r\n") }
	header("From", from)
	header("To", m.To)
	header("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	header("Date", m.CreatedAt.Format(time.RFC1123Z))
	header("Message-ID", fmt.Sprintf("<outbox-%d@%s>", m.ID, host))
	if m.Unsubscribe != "" {
		header("List-Unsubscribe", "<"+m.Unsubscribe+">")
		header("List-Unsubscribe-Post", "List-Unsubscribe=One-Click")
	}
	header("MIME-Version", "1.0")
	header("Content-Type", "text/plain; charset=utf-8")
	header("Content-Transfer-Encoding", "8bit")
	b.WriteString("\r\n")
	b.WriteString(strings.ReplaceAll(m.Body, "\n", "\r\n"))
	return []byte(b.String())
}
