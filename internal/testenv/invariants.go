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
// topics.reply_count against live replies. The queries are written here, apart
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
	replyRows, err := e.App.DB.Read.QueryContext(ctx, `SELECT t.id, t.reply_count,
		(SELECT COUNT(*) FROM posts p WHERE p.topic_id = t.id AND p.kind <> 'opening' AND p.deleted_at IS NULL) FROM topics t ORDER BY t.id`)
	if err != nil {
		t.Fatalf("count replies: %v", err)
	}
	defer replyRows.Close()
	for replyRows.Next() {
		var id, cached, counted int64
		if err := replyRows.Scan(&id, &cached, &counted); err != nil {
			t.Fatalf("scan reply counters: %v", err)
		}
		if cached != counted {
			t.Errorf("topic %d: reply_count = %d, but it has %d live replies", id, cached, counted)
		}
	}
	if err := replyRows.Err(); err != nil {
		t.Fatalf("reply counters: %v", err)
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
