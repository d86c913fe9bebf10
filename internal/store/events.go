package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
)

const eventCols = `e.starts_at, e.ends_at, e.time_zone, e.location, e.url`

func eventDest(e *model.Event) []any {
	return []any{&e.StartsAt, &e.EndsAt, &e.TimeZone, &e.Location, &e.URL}
}

// SetEvent writes an event topic's schedule and place, replacing what it
// had.
func (q *Queries) SetEvent(ctx context.Context, topicID int64, e model.Event) error {
	q.Touch(pagecache.Topic(topicID), pagecache.Lists)
	_, err := q.db.ExecContext(ctx, `INSERT INTO events (topic_id, starts_at, ends_at, time_zone, location, url) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (topic_id) DO UPDATE SET starts_at = excluded.starts_at, ends_at = excluded.ends_at, time_zone = excluded.time_zone,
		location = excluded.location, url = excluded.url`, topicID, e.StartsAt.UTC(), e.EndsAt.UTC(), e.TimeZone, e.Location, e.URL)
	return classify("set event", err)
}

// Event returns an event topic's schedule and place; nil when it has none.
func (q *Queries) Event(ctx context.Context, topicID int64) (*model.Event, error) {
	var e model.Event
	err := q.db.QueryRowContext(ctx, `SELECT `+eventCols+` FROM events e WHERE e.topic_id = $1`, topicID).Scan(eventDest(&e)...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	if err != nil {
		return nil, classify("event", err)
	}
	e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()
	return &e, nil
}

// EventFilter picks the events of a list.
type EventFilter struct {
	SpaceID int64
	// Interests keeps events in a space this user belongs to or carrying a
	// tag they follow.
	Interests int64
	// At is now. Upcoming events (the default) have not ended at At and
	// come soonest first; Past ones have, and come latest first.
	At   time.Time
	Past bool
	// Until keeps upcoming events that start between At and it, and those
	// announced after NewSince (the digest: what is soon, and what is new;
	// one under way is neither, or every digest would carry it).
	Until    time.Time
	NewSince time.Time
	// Cursor is the start time and id of the last event of the page before.
	Cursor Cursor
	Limit  int
}

// Key names the filter, for keeping a list's result in memory.
func (f EventFilter) Key() string {
	return fmt.Sprintf("%d|%d|%d|%t|%d|%d|%d.%d|%d", f.SpaceID, f.Interests, f.At.UnixMicro(), f.Past, f.Until.UnixMicro(), f.NewSince.UnixMicro(),
		f.Cursor.At.UnixMicro(), f.Cursor.ID, f.Limit)
}

// Events lists the published events the scope may read, each with its
// schedule.
func (q *Queries) Events(ctx context.Context, sc policy.Scope, f EventFilter) ([]model.TopicItem, error) {
	var b builder
	b.add(`SELECT `, topicItemCols, `, `, eventCols, ` FROM events e JOIN topics t ON t.id = e.topic_id JOIN spaces s ON s.id = t.space_id
		JOIN users au ON au.id = t.author_id LEFT JOIN users lp ON lp.id = t.last_poster_id
		WHERE t.kind = 'event' AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc))
	if f.SpaceID != 0 {
		b.add(` AND t.space_id = `, b.arg(f.SpaceID))
	}
	if f.Interests != 0 {
		b.interests(f.Interests)
	}
	at, dir, cmp := b.arg(f.At), "ASC", ">"
	if f.Past {
		b.add(` AND e.ends_at <= `, at)
		dir, cmp = "DESC", "<"
	} else {
		b.add(` AND e.ends_at > `, at)
	}
	if !f.Until.IsZero() {
		b.add(` AND ((e.starts_at >= `, at, ` AND e.starts_at < `, b.arg(f.Until), `) OR t.created_at > `, b.arg(f.NewSince), `)`)
	}
	if f.Cursor.ID != 0 {
		k := b.arg(f.Cursor.At)
		b.add(` AND (e.starts_at `, cmp, ` `, k, ` OR (e.starts_at = `, k, ` AND t.id `, cmp, ` `, b.arg(f.Cursor.ID), `))`)
	}
	b.add(` ORDER BY e.starts_at `, dir, `, t.id `, dir, ` LIMIT `, b.arg(f.Limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	items, err := collect(rows, err, "events", func(r scanner) (model.TopicItem, error) {
		var e model.Event
		it, err := scanTopicItemAnd(r, eventDest(&e)...)
		e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()
		it.Topic.Event = &e
		return it, err
	})
	if err != nil {
		return items, err
	}
	return items, fillTags(ctx, q, items, func(it *model.TopicItem) *model.Topic { return &it.Topic })
}

// fillEvents adds their schedule to the events among a list's topics.
func fillEvents[T any](ctx context.Context, q *Queries, items []T, topic func(*T) *model.Topic) error {
	var ids []int64
	at := map[int64]*model.Topic{}
	for i := range items {
		if t := topic(&items[i]); t.Kind == model.KindEvent {
			ids = append(ids, t.ID)
			at[t.ID] = t
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var b builder
	b.add(`SELECT e.topic_id, `, eventCols, ` FROM events e WHERE e.topic_id IN (`, b.ids(ids), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	_, err = collect(rows, err, "list events", func(r scanner) (struct{}, error) {
		var id int64
		var e model.Event
		if err := r.Scan(append([]any{&id}, eventDest(&e)...)...); err != nil || at[id] == nil {
			return struct{}{}, err
		}
		e.StartsAt, e.EndsAt = e.StartsAt.UTC(), e.EndsAt.UTC()
		at[id].Event = &e
		return struct{}{}, nil
	})
	return err
}
