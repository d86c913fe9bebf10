package store

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"practica/internal/model"
)

// SetWatch sets how closely a member follows a target; WatchNormal removes
// the watch.
func (q *Queries) SetWatch(ctx context.Context, userID int64, target model.WatchTarget, targetID int64, level model.WatchLevel, now time.Time) error {
	q.Touch() // what a member watches shows on no shared page
	if level == model.WatchNormal {
		return q.exec(ctx, "unwatch", `DELETE FROM watches WHERE user_id = $1 AND target = $2 AND target_id = $3`, userID, string(target), targetID)
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO watches (user_id, target, target_id, level, created_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (user_id, target, target_id) DO UPDATE SET level = excluded.level`, userID, string(target), targetID, string(level), now)
	return classify("watch", err)
}

// WatchLevel returns how closely a member follows a target.
func (q *Queries) WatchLevel(ctx context.Context, userID int64, target model.WatchTarget, targetID int64) (model.WatchLevel, error) {
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

// Watchers lists the active members watching any of the targets, at most
// MaxWatchers, with their role in spaceID.
func (q *Queries) Watchers(ctx context.Context, spaceID int64, targets map[model.WatchTarget]int64) ([]Watcher, error) {
	var b builder
	space := b.arg(spaceID)
	b.add(`SELECT DISTINCT `, userCols, `, COALESCE(m.role, '') FROM watches w JOIN users u ON u.id = w.user_id
		LEFT JOIN space_members m ON m.space_id = `, space, ` AND m.user_id = w.user_id
		WHERE w.level = 'watching' AND u.status = 'active' AND (`)
	first := true
	for target, id := range targets {
		if !first {
			b.add(` OR `)
		}
		first = false
		b.add(`(w.target = `, b.arg(string(target)), ` AND w.target_id = `, b.arg(id), `)`)
	}
	b.add(`) ORDER BY u.id LIMIT `, b.arg(MaxWatchers))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "watchers", func(r scanner) (Watcher, error) {
		var w Watcher
		var err error
		w.User, err = scanUserAnd(r, &w.Role)
		return w, err
	})
}

// MutedBy returns which of the members muted the topic or its space.
func (q *Queries) MutedBy(ctx context.Context, userIDs []int64, topicID, spaceID int64) (map[int64]bool, error) {
	out := map[int64]bool{}
	if len(userIDs) == 0 {
		return out, nil
	}
	var b builder
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
