package store

import (
	"context"
	"database/sql"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
)

// LedgerSums returns each user's current total from one source.
func (q *Queries) LedgerSums(ctx context.Context, source string) (map[int64]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT user_id, SUM(delta) FROM reputation_events WHERE source = $1 GROUP BY user_id`, source)
	return sums(rows, err, "ledger sums")
}

func sums(rows *sql.Rows, err error, what string) (map[int64]int64, error) {
	pairs, err := collect(rows, err, what, func(r scanner) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	out := make(map[int64]int64, len(pairs))
	for _, p := range pairs {
		out[p[0]] = p[1]
	}
	return out, err
}

// AppendReputation adds ledger rows in one statement (a vote changed the
// other way adds three: one round trip instead of three on PostgreSQL).
func (q *Queries) AppendReputation(ctx context.Context, events ...model.ReputationEvent) error {
	if len(events) == 0 {
		return nil
	}
	var b builder
	b.add(`INSERT INTO reputation_events (user_id, delta, reason, source, post_id, actor_id, created_at) VALUES `)
	for i, e := range events {
		if i > 0 {
			b.add(", ")
		}
		b.add("(", b.arg(e.UserID), ", ", b.arg(e.Delta), ", ", b.arg(e.Reason), ", ", b.arg(e.Source), ", ",
			b.arg(nullInt(e.PostID)), ", ", b.arg(nullInt(e.ActorID)), ", ", b.arg(e.CreatedAt), ")")
	}
	_, err := q.db.ExecContext(ctx, b.String(), b.args...)
	return classify("append reputation", err)
}

func nullInt(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

// AddReputation adds delta to a user's stored reputation, after the ledger
// rows that make it were appended in the same transaction. A zero delta
// still declares the user: their ledger, which profiles show, changed.
func (q *Queries) AddReputation(ctx context.Context, userID, delta int64) error {
	q.Touch(pagecache.User(userID))
	if delta == 0 {
		return nil
	}
	// Last: every vote on a member's posts writes their row (see late.go).
	q.atEnd("users", userID, `UPDATE users SET reputation = reputation + $2 WHERE id = $1`, userID, delta)
	return nil
}

// RecountReputation sets a user's reputation to the sum of their ledger.
func (q *Queries) RecountReputation(ctx context.Context, userID int64) error {
	q.Touch(pagecache.User(userID))
	return q.recount(ctx, "recount reputation", `users`, `reputation`, `SELECT COALESCE(SUM(delta), 0) FROM reputation_events WHERE user_id = $1`, userID)
}

// LedgerBySource returns every source's total per user, for verification.
func (q *Queries) LedgerBySource(ctx context.Context) (map[string]map[int64]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT source, user_id, SUM(delta) FROM reputation_events GROUP BY source, user_id HAVING SUM(delta) <> 0`)
	if err != nil {
		return nil, classify("ledger by source", err)
	}
	defer rows.Close()
	out := map[string]map[int64]int64{}
	for rows.Next() {
		var src string
		var user, sum int64
		if err := rows.Scan(&src, &user, &sum); err != nil {
			return nil, classify("ledger by source", err)
		}
		if out[src] == nil {
			out[src] = map[int64]int64{}
		}
		out[src][user] = sum
	}
	return out, classify("ledger by source", rows.Err())
}

// ReputationDrift is a user whose stored reputation is not their ledger's sum.
type ReputationDrift struct {
	UserID   int64
	Username string
	Stored   int64
	Ledger   int64
}

// ReputationDrifts lists every user whose stored reputation differs from the
// sum of their ledger rows.
func (q *Queries) ReputationDrifts(ctx context.Context) ([]ReputationDrift, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT u.id, u.username, u.reputation, COALESCE(l.total, 0) FROM users u
		LEFT JOIN (SELECT user_id, SUM(delta) AS total FROM reputation_events GROUP BY user_id) l ON l.user_id = u.id
		WHERE u.reputation <> COALESCE(l.total, 0) ORDER BY u.id`)
	return collect(rows, err, "reputation drifts", func(r scanner) (ReputationDrift, error) {
		var d ReputationDrift
		return d, r.Scan(&d.UserID, &d.Username, &d.Stored, &d.Ledger)
	})
}

// ReputationHistory lists a user's ledger, newest first, with the topic each
// row came from when the scope may read it (otherwise the row shows without
// its topic, so the history never reveals what the viewer cannot see).
func (q *Queries) ReputationHistory(ctx context.Context, sc policy.Scope, userID int64, limit int) ([]model.ReputationItem, error) {
	var b builder
	visible := `(p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND ` + b.visibleContent(sc) + `)`
	b.add(`SELECT e.id, e.user_id, e.delta, e.reason, e.source, COALESCE(e.post_id, 0), COALESCE(e.actor_id, 0), e.created_at,
		CASE WHEN `, visible, ` THEN t.id ELSE 0 END, CASE WHEN `, visible, ` THEN t.title ELSE '' END, CASE WHEN `, visible, ` THEN t.slug ELSE '' END
		FROM reputation_events e LEFT JOIN posts p ON p.id = e.post_id LEFT JOIN topics t ON t.id = p.topic_id LEFT JOIN spaces s ON s.id = t.space_id
		WHERE e.user_id = `, b.arg(userID), ` ORDER BY e.id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "reputation history", func(r scanner) (model.ReputationItem, error) {
		var it model.ReputationItem
		e, t := &it.Event, &it.Topic
		var id sql.NullInt64
		err := r.Scan(&e.ID, &e.UserID, &e.Delta, &e.Reason, &e.Source, &e.PostID, &e.ActorID, &e.CreatedAt, &id, &t.Title, &t.Slug)
		t.ID = id.Int64
		if t.ID == 0 {
			e.PostID = 0
		}
		return it, err
	})
}

// LeaderFilter selects a leaderboard: reputation earned since a time (zero:
// ever), within a space or under a tag (0: anywhere).
type LeaderFilter struct {
	Since   time.Time
	SpaceID int64
	TagID   int64
	Limit   int
}

// Leader is a member and the reputation they earned in a leaderboard's span.
type Leader struct {
	User   model.UserRef
	Points int64
}

// Leaderboard ranks members by reputation earned. Reputation from posts
// counts in a space's or a tag's board only where the scope may read the
// post; the plain all-time board is the stored reputation.
func (q *Queries) Leaderboard(ctx context.Context, sc policy.Scope, f LeaderFilter) ([]Leader, error) {
	var b builder
	if f.Since.IsZero() && f.SpaceID == 0 && f.TagID == 0 {
		b.add(`SELECT u.id, u.username, u.display_name, u.role, u.avatar, u.reputation FROM users u
			WHERE u.reputation > 0 AND u.status IN ('active', 'placeholder') ORDER BY u.reputation DESC, u.id LIMIT `, b.arg(f.Limit))
	} else {
		b.add(`SELECT u.id, u.username, u.display_name, u.role, u.avatar, SUM(e.delta) FROM reputation_events e JOIN users u ON u.id = e.user_id`)
		if f.SpaceID != 0 || f.TagID != 0 {
			b.add(` JOIN posts p ON p.id = e.post_id JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id`)
		}
		b.add(` WHERE u.status IN ('active', 'placeholder') AND e.created_at >= `, b.arg(f.Since))
		if f.SpaceID != 0 || f.TagID != 0 {
			b.add(` AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc))
		}
		if f.SpaceID != 0 {
			b.add(` AND t.space_id = `, b.arg(f.SpaceID))
		}
		if f.TagID != 0 {
			b.add(` AND EXISTS (SELECT 1 FROM topic_tags tt WHERE tt.topic_id = t.id AND tt.tag_id = `, b.arg(f.TagID), `)`)
		}
		b.add(` GROUP BY u.id, u.username, u.display_name, u.role, u.avatar HAVING SUM(e.delta) > 0 ORDER BY SUM(e.delta) DESC, u.id LIMIT `, b.arg(f.Limit))
	}
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "leaderboard", func(r scanner) (Leader, error) {
		var l Leader
		u := &l.User
		return l, r.Scan(&u.ID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar, &l.Points)
	})
}
