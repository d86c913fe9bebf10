package store

import (
	"context"
	"database/sql"
	"time"

	"practica/internal/memo"
	"practica/internal/model"
)

// QueueMail writes an outgoing message to the outbox.
func (q *Queries) QueueMail(ctx context.Context, m model.Mail) (int64, error) {
	return q.insert(ctx, "queue mail", `INSERT INTO outbox (to_addr, subject, body_text, unsubscribe, created_at) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
		m.To, m.Subject, m.Body, m.Unsubscribe, m.CreatedAt)
}

func scanMail(r scanner) (model.Mail, error) {
	var m model.Mail
	var sent sql.NullTime
	err := r.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &m.Unsubscribe, &m.CreatedAt, &sent, &m.Attempts, &m.LastError)
	m.SentAt = timePtr(sent)
	return m, err
}

const mailCols = `id, to_addr, subject, body_text, unsubscribe, created_at, sent_at, attempts, last_error`

// Outbox lists messages newest first, before the given id (0 for the newest).
func (q *Queries) Outbox(ctx context.Context, before int64, limit int) ([]model.Mail, error) {
	var b builder
	b.add(`SELECT `, mailCols, ` FROM outbox`)
	if before > 0 {
		b.add(` WHERE id < `, b.arg(before))
	}
	b.add(` ORDER BY id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "outbox", scanMail)
}

// UnsentMail lists messages still to deliver, oldest first.
func (q *Queries) UnsentMail(ctx context.Context, limit int) ([]model.Mail, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+mailCols+` FROM outbox WHERE sent_at IS NULL AND attempts < 10 ORDER BY id LIMIT $1`, limit)
	return collect(rows, err, "unsent mail", scanMail)
}

// MarkMailSent records a delivery.
func (q *Queries) MarkMailSent(ctx context.Context, id int64, now time.Time) error {
	return q.exec(ctx, "mark sent", `UPDATE outbox SET sent_at = $1, attempts = attempts + 1 WHERE id = $2`, now, id)
}

// MarkMailFailed records a failed delivery attempt.
func (q *Queries) MarkMailFailed(ctx context.Context, id int64, reason string) error {
	return q.exec(ctx, "mark failed", `UPDATE outbox SET attempts = attempts + 1, last_error = $1 WHERE id = $2`, reason, id)
}

// Settings returns every stored setting. On the read pool they come from
// the memo (every page's frame and every reputation check reads them; they
// change only in writes that declare nothing); callers must not change the
// map.
func (q *Queries) Settings(ctx context.Context) (map[string]string, error) {
	if q.memo == nil {
		return q.settings(ctx)
	}
	return memo.Get(q.memo, "settings", func(m map[string]string) int64 {
		n := int64(0)
		for k, v := range m {
			n += int64(32 + len(k) + len(v))
		}
		return n
	}, func() (map[string]string, error) { return q.settings(ctx) })
}

func (q *Queries) settings(ctx context.Context) (map[string]string, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT key, value FROM settings`)
	if err != nil {
		return nil, classify("settings", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, classify("settings", err)
		}
		out[k] = v
	}
	return out, classify("settings", rows.Err())
}

// SetSetting stores one setting.
func (q *Queries) SetSetting(ctx context.Context, key, value string, now time.Time) error {
	q.touchAll()
	_, err := q.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at`, key, value, now)
	return classify("set setting", err)
}

// EnsureSetting stores a setting unless it exists, and returns the value it
// has: the one given, or the one another writer stored first.
func (q *Queries) EnsureSetting(ctx context.Context, key, value string, now time.Time) (string, error) {
	q.touchAll()
	if _, err := q.db.ExecContext(ctx, `INSERT INTO settings (key, value, updated_at) VALUES ($1, $2, $3) ON CONFLICT (key) DO NOTHING`, key, value, now); err != nil {
		return "", classify("ensure setting", err)
	}
	var got string
	err := q.db.QueryRowContext(ctx, `SELECT value FROM settings WHERE key = $1`, key).Scan(&got)
	return got, classify("ensure setting", err)
}
