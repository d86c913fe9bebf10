package testenv

import (
	"context"
	"slices"
	"testing"

	"practica/internal/apperr"
	"practica/internal/model"
)

// Person creates a verified, active member straight in the store, with no
// usable password, session or token. It skips password hashing, so tests that
// need many people stay fast; such people act through services only.
func (e *Env) Person(t testing.TB, name string) model.Viewer {
	t.Helper()
	ctx := context.Background()
	now := e.Clock.Now()
	u := model.User{Username: name, Email: name + "@example.org", EmailVerifiedAt: &now, PasswordHash: "!", Role: model.RoleMember, Status: model.StatusActive, CreatedAt: now}
	err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
		var err error
		u, err = q.CreateUser(ctx, u)
		return err
	})
	if err != nil {
		t.Fatalf("create person %s: %v", name, err)
	}
	return model.Viewer{User: &u}
}

// CheckCounters fails the test when a denormalized counter differs from the
// count it caches (SECURITY.md R1 and row 31): spaces.member_count and
// spaces.topic_count against space_members and live topics, and
// topics.reply_count against live replies and answers, scores against
// votes, and reputation against the ledger. The queries are written here, apart
// from the store, so they check the store rather than repeat it.
func (e *Env) CheckCounters(t testing.TB) {
	t.Helper()
	ctx := context.Background()
	rows, err := e.App.DB.Read.QueryContext(ctx, `SELECT s.slug, s.member_count, (SELECT COUNT(*) FROM space_members m WHERE m.space_id = s.id),
		s.topic_count, (SELECT COUNT(*) FROM topics t WHERE t.space_id = s.id AND t.deleted_at IS NULL) FROM spaces s ORDER BY s.id`)
	if err != nil {
		t.Fatalf("count space members and topics: %v", err)
	}
	defer rows.Close()
	for rows.Next() {
		var slug string
		var members, memberRows, topics, topicRows int64
		if err := rows.Scan(&slug, &members, &memberRows, &topics, &topicRows); err != nil {
			t.Fatalf("scan space counters: %v", err)
		}
		if members != memberRows {
			t.Errorf("space %s: member_count = %d, but space_members holds %d rows", slug, members, memberRows)
		}
		if topics != topicRows {
			t.Errorf("space %s: topic_count = %d, but it holds %d live topics", slug, topics, topicRows)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("space counters: %v", err)
	}
	for _, c := range []struct{ what, query string }{
		{"reply_count (live replies and answers)", `SELECT t.id, t.reply_count,
			(SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.kind IN ('reply', 'answer') AND p.deleted_at IS NULL) FROM topics t`},
		{"post score (imported score plus votes)", `SELECT p.id, p.score, p.base_score + (SELECT COALESCE(SUM(v.value), 0) FROM votes v WHERE v.post_id = p.id) FROM posts p`},
		{"topic score (its opening post's)", `SELECT t.id, t.score, p.score FROM topics t JOIN posts p ON p.topic_id = t.id AND p.kind = 'opening'`},
		{"user reputation (sum of ledger)", `SELECT u.id, u.reputation, (SELECT COALESCE(SUM(r.delta), 0) FROM reputation_events r WHERE r.user_id = u.id) FROM users u`},
		// Rows are named tag id × 1,000,000 + space id.
		{"tag_counts (live topics of a space with the tag)", `SELECT c.tag_id * 1000000 + c.space_id, c.topic_count,
			(SELECT COUNT(*) FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id WHERE tt.tag_id = c.tag_id AND t.space_id = c.space_id
				AND t.deleted_at IS NULL AND t.state = 'published') FROM tag_counts c`},
		{"tag_counts (a row for every tag in use)", `SELECT tt.tag_id * 1000000 + t.space_id,
			COALESCE((SELECT c.topic_count FROM tag_counts c WHERE c.tag_id = tt.tag_id AND c.space_id = t.space_id), 0), COUNT(*)
			FROM topic_tags tt JOIN topics t ON t.id = tt.topic_id WHERE t.deleted_at IS NULL AND t.state = 'published' GROUP BY tt.tag_id, t.space_id`},
	} {
		e.checkCached(t, c.what, c.query)
	}
}

// checkCached runs a query of (id, cached, counted) rows and reports each
// row where the two differ.
func (e *Env) checkCached(t testing.TB, what, query string) {
	t.Helper()
	rows, err := e.App.DB.Read.QueryContext(context.Background(), query)
	if err != nil {
		t.Fatalf("check %s: %v", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, cached, counted int64
		if err := rows.Scan(&id, &cached, &counted); err != nil {
			t.Fatalf("scan %s: %v", what, err)
		}
		if cached != counted {
			t.Errorf("%s: row %d holds %d, recomputed %d", what, id, cached, counted)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("check %s: %v", what, err)
	}
}

// FieldsOf returns the sorted field names of an Invalid error, for tests that
// check which fields a validation names.
func FieldsOf(err error) []string {
	e, ok := apperr.As(err)
	if !ok {
		return nil
	}
	var out []string
	for k := range e.Fields {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
