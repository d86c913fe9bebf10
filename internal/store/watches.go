package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/pagecache"
)

// SetWatch sets how closely a member follows a target; WatchNormal removes
// the watch.
func (q *Queries) SetWatch(ctx context.Context, userID int64, target model.WatchTarget, targetID int64, level model.WatchLevel, now time.Time) error {
	// Shown on no shared page; the memo keeps it under the member's inbox key.
	q.Touch(pagecache.Inbox(userID))
	if level == model.WatchNormal { // nothing to remove is fine: the level is normal either way
		_, err := q.db.ExecContext(ctx, `DELETE FROM watches WHERE user_id = $1 AND target = $2 AND target_id = $3`, userID, string(target), targetID)
		return classify("unwatch", err)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO watches (user_id, target, target_id, level, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, target, target_id) DO UPDATE SET level = excluded.level`, userID, string(target), targetID, string(level), now)
	return classify("watch", err)
}

// WatchLevel returns how closely a member follows a target. Every page of a
// topic, a space or a profile a member opens shows it, so it is kept in the
// memo under the member's inbox key (SetWatch declares it).
func (q *Queries) WatchLevel(ctx context.Context, userID int64, target model.WatchTarget, targetID int64) (model.WatchLevel, error) {
	return cached(q, fmt.Sprint("watch:", userID, ":", target, ":", targetID), func(model.WatchLevel) int64 { return 48 },
		func() (model.WatchLevel, error) { return q.watchLevel(ctx, userID, target, targetID) }, pagecache.Inbox(userID))
}

func (q *Queries) watchLevel(ctx context.Context, userID int64, target model.WatchTarget, targetID int64) (model.WatchLevel, error) {
	var level model.WatchLevel
	err := q.db.QueryRowContext(ctx, `SELECT level FROM watches WHERE user_id = $1 AND target = $2 AND target_id = $3`, userID, string(target), targetID).Scan(&level)
	if errors.Is(err, sql.ErrNoRows) {
		return model.WatchNormal, nil
	}
	return level, classify("watch level", err)
}

// Watcher is a member watching a target, with their role in the space the
// news is in.
type Watcher struct {
	User model.User
	Role model.SpaceRole
}

// MaxWatchers bounds the members one write notifies as watchers or
// followers: the notifications are written in the write's transaction.
const MaxWatchers = 2000

// Watchers lists the active members watching any of the targets or
// following any of the tags, with their role in spaceID, leaving out those
// who muted the topic (topicID) or the space and, with membersOnly, those
// who are neither the space's members nor staff: the cap of MaxWatchers is
// spent on members who may hear. The caller still checks each with the
// policy.
func (q *Queries) Watchers(ctx context.Context, spaceID, topicID int64, membersOnly bool, targets map[model.WatchTarget]int64, tags []string) ([]Watcher, error) {
	var b builder
	space := b.arg(spaceID)
	b.add(`SELECT `, userCols, `, COALESCE(m.role, '') FROM users u LEFT JOIN space_members m ON m.space_id = `, space, ` AND m.user_id = u.id
		WHERE u.status = 'active'`)
	if membersOnly {
		b.add(` AND (m.user_id IS NOT NULL OR u.role IN ('admin', 'moderator'))`)
	}
	b.add(` AND NOT EXISTS (SELECT 1 FROM watches x WHERE x.user_id = u.id AND x.level = 'muted'
		AND ((x.target = 'topic' AND x.target_id = `, b.arg(topicID), `) OR (x.target = 'space' AND x.target_id = `, space, `)))
		AND u.id IN (SELECT w.user_id FROM watches w WHERE w.level = 'watching' AND (`)
	first := true
	for target, id := range targets {
		if !first {
			b.add(` OR `)
		}
		first = false
		b.add(`(w.target = `, b.arg(string(target)), ` AND w.target_id = `, b.arg(id), `)`)
	}
	b.add(`)`)
	// One IN over a UNION: SQLite looks each member up by id; an OR of two
	// INs would have it read every member.
	if len(tags) > 0 {
		b.add(` UNION SELECT tf.user_id FROM tag_follows tf JOIN tags g ON g.id = tf.tag_id WHERE g.name IN (`)
		for i, t := range tags {
			if i > 0 {
				b.add(`, `)
			}
			b.add(b.arg(t))
		}
		b.add(`)`)
	}
	b.add(`) ORDER BY u.id LIMIT `, b.arg(MaxWatchers))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "watchers", scanWatcher)
}

// scanWatcher reads userCols and the member's role in a space.
func scanWatcher(r scanner) (Watcher, error) {
	var w Watcher
	var err error
	w.User, err = scanUserAnd(r, &w.Role)
	return w, err
}

// MutedBy returns which of the members muted the topic or its space.
func (q *Queries) MutedBy(ctx context.Context, userIDs []int64, topicID, spaceID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	b := builder{positional: q.dialect != db.Postgres} // up to MaxWatchers ids; each value once, in order
	b.add(`SELECT DISTINCT user_id FROM watches WHERE level = 'muted' AND ((target = 'topic' AND target_id = `, b.arg(topicID),
		`) OR (target = 'space' AND target_id = `, b.arg(spaceID), `)) AND user_id IN (`, b.ids(userIDs), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	ids, err := collect(rows, err, "muted by", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	for _, id := range ids {
		out[id] = true
	}
	return out, err
}

// Watch is one target a member watches or mutes.
type Watch struct {
	Target   model.WatchTarget
	TargetID int64
	Level    model.WatchLevel
	Created  time.Time
}

// Watches lists what a member watches or mutes, newest first.
func (q *Queries) Watches(ctx context.Context, userID int64) ([]Watch, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT target, target_id, level, created_at FROM watches WHERE user_id = $1 ORDER BY created_at DESC, target, target_id`, userID)
	return collect(rows, err, "watches", func(r scanner) (Watch, error) {
		var w Watch
		return w, r.Scan(&w.Target, &w.TargetID, &w.Level, &w.Created)
	})
}
