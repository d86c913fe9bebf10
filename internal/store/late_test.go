package store

import (
	"context"
	"errors"
	"testing"
	"time"

	"practica/internal/model"
)

// TestLateWrites checks the writes deferred to the end of a transaction
// (late.go): they are applied once at commit, a recount in the same
// transaction runs them first rather than being adjusted after it, and a
// transaction that fails leaves none of them.
func TestLateWrites(t *testing.T) {
	s := openGroupStore(t)
	ctx := context.Background()
	now := time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC)
	var author, space int64
	if err := s.InTx(ctx, func(q *Queries) error {
		u, err := q.CreateUser(ctx, model.User{Username: "late", Role: model.RoleMember, Status: model.StatusActive, CreatedAt: now})
		if err != nil {
			return err
		}
		sp, err := q.CreateSpace(ctx, model.Space{Slug: "late", Name: "Late", Visibility: model.Public, CreatedAt: now})
		author, space = u.ID, sp.ID
		return err
	}); err != nil {
		t.Fatal(err)
	}
	topic := func(q *Queries, title string) error {
		_, err := q.CreateTopic(ctx, NewTopic{SpaceID: space, Kind: model.KindDiscussion, AuthorID: author, Title: title, Slug: "t",
			Body: "Body.", BodyHTML: "<p>Body.</p>", Tags: []string{"late"}, CreatedAt: now})
		return err
	}
	counts := func() (spaceTopics, tagTopics int64) {
		t.Helper()
		err := s.db.Read.QueryRowContext(ctx, `SELECT (SELECT topic_count FROM spaces WHERE id = $1),
			(SELECT COALESCE(SUM(c.topic_count), 0) FROM tag_counts c JOIN tags g ON g.id = c.tag_id WHERE g.name = 'late')`, space).Scan(&spaceTopics, &tagTopics)
		if err != nil {
			t.Fatal(err)
		}
		return spaceTopics, tagTopics
	}

	if err := s.InTx(ctx, func(q *Queries) error {
		if err := topic(q, "First"); err != nil {
			return err
		}
		if n := len(q.changed.late); n == 0 {
			t.Errorf("a new topic queued no late writes; its counters were written midway")
		}
		return topic(q, "Second")
	}); err != nil {
		t.Fatal(err)
	}
	if sp, tag := counts(); sp != 2 || tag != 2 {
		t.Errorf("after two topics in one transaction the space counts %d and the tag %d, want 2 and 2", sp, tag)
	}

	if err := s.InTx(ctx, func(q *Queries) error {
		if err := topic(q, "Third"); err != nil {
			return err
		}
		if err := q.RecountSpaceTopics(ctx, space); err != nil {
			return err
		}
		var tag int64
		if err := q.db.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = 'late'`).Scan(&tag); err != nil {
			return err
		}
		return q.recountTags(ctx, []int64{tag})
	}); err != nil {
		t.Fatal(err)
	}
	if sp, tag := counts(); sp != 3 || tag != 3 {
		t.Errorf("a recount after a late write counted the space %d and the tag %d, want 3 and 3 (a late write applied after the recount counts twice)", sp, tag)
	}

	failed := errors.New("refused")
	if err := s.InTx(ctx, func(q *Queries) error {
		if err := topic(q, "Fourth"); err != nil {
			return err
		}
		return failed
	}); !errors.Is(err, failed) {
		t.Fatalf("InTx = %v, want %v", err, failed)
	}
	if sp, tag := counts(); sp != 3 || tag != 3 {
		t.Errorf("a failed transaction changed the counts to %d and %d, want 3 and 3", sp, tag)
	}
}
