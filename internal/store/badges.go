package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"practica/internal/model"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/reputation"
)

// liveQuestion is the condition for a post (p) in a live question (t).
const liveQuestion = `p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND t.kind = 'question'`

// badgeCandidates returns the query of (user_id, post_id) pairs that earn a
// badge now; post_id is 0 for badges earned once per member.
func badgeCandidates(b reputation.Badge, bd *builder) (string, error) {
	post := "0"
	if b.PerPost {
		post = "p.id"
	}
	switch b.Rule {
	case reputation.PostScore:
		return `SELECT DISTINCT p.author_id AS user_id, ` + post + ` AS post_id FROM posts p JOIN topics t ON t.id = p.topic_id
			WHERE ` + liveQuestion + ` AND p.kind = ` + bd.arg(b.Kind) + ` AND p.score >= ` + bd.arg(b.N), nil
	case reputation.AnsweredOwn:
		return `SELECT DISTINCT p.author_id AS user_id, ` + post + ` AS post_id FROM posts p JOIN topics t ON t.id = p.topic_id
			WHERE ` + liveQuestion + ` AND p.kind = 'answer' AND p.author_id = t.author_id AND p.score >= ` + bd.arg(b.N), nil
	case reputation.AcceptedAnswer:
		return `SELECT DISTINCT p.author_id AS user_id, ` + post + ` AS post_id FROM topics t JOIN posts p ON p.id = t.accepted_post_id
			WHERE ` + liveQuestion + ` AND p.author_id <> t.author_id`, nil
	case reputation.AcceptedOwnQuestion:
		return `SELECT DISTINCT t.author_id AS user_id, 0 AS post_id FROM topics t JOIN posts p ON p.id = t.accepted_post_id WHERE ` + liveQuestion, nil
	case reputation.Views:
		return `SELECT DISTINCT p.author_id AS user_id, ` + post + ` AS post_id FROM topics t JOIN posts p ON p.topic_id = t.id AND p.kind = 'opening'
			WHERE ` + liveQuestion + ` AND t.view_count >= ` + bd.arg(b.N), nil
	case reputation.VoteCast:
		// By member (one index probe each), not by vote: a community has
		// a hundred times more votes than members.
		return `SELECT u.id AS user_id, 0 AS post_id FROM users u WHERE EXISTS (SELECT 1 FROM votes v WHERE v.user_id = u.id AND v.value = ` + bd.arg(b.N) + `)`, nil
	case reputation.VisitStreak:
		// Consecutive days share day - row_number(): one group per streak.
		return `SELECT DISTINCT user_id, 0 AS post_id FROM (SELECT user_id, day - ROW_NUMBER() OVER (PARTITION BY user_id ORDER BY day) AS streak FROM user_visits) g
			GROUP BY user_id, streak HAVING COUNT(*) >= ` + bd.arg(b.N), nil
	}
	return "", fmt.Errorf("store: unknown badge rule %d", b.Rule)
}

// BadgeCandidate is a member, and for a per-post badge the post, that
// earned a badge.
type BadgeCandidate struct{ UserID, PostID int64 }

// BadgeCandidates lists who earned badge b and does not hold it yet. It is a
// read, meant for the read pool: on dataset L the rules read millions of
// rows, which inside a write transaction held SQLite's one writer for up to
// 26 s per badge.
func (q *Queries) BadgeCandidates(ctx context.Context, b reputation.Badge) ([]BadgeCandidate, error) {
	var bd builder
	key := bd.arg(b.Key)
	sel, err := badgeCandidates(b, &bd)
	if err != nil {
		return nil, err
	}
	rows, err := q.db.QueryContext(ctx, `SELECT c.user_id, c.post_id FROM (`+sel+`) c
		WHERE NOT EXISTS (SELECT 1 FROM user_badges ub WHERE ub.user_id = c.user_id AND ub.badge = `+key+` AND ub.post_id = c.post_id)`, bd.args...)
	return collect(rows, err, "badge candidates "+b.Key, func(r scanner) (BadgeCandidate, error) {
		var c BadgeCandidate
		return c, r.Scan(&c.UserID, &c.PostID)
	})
}

// GiveBadge awards badge b to the candidates who do not hold it yet and
// returns the member of each new award; (user, badge, post) is unique, so
// giving it again awards nothing. Each member who gained it is declared
// changed: their profile shows it.
func (q *Queries) GiveBadge(ctx context.Context, b reputation.Badge, cands []BadgeCandidate, now time.Time) ([]int64, error) {
	if len(cands) == 0 {
		return nil, nil
	}
	var bd builder
	key, at := bd.arg(b.Key), bd.arg(now)
	bd.add(`INSERT INTO user_badges (user_id, badge, post_id, awarded_at) VALUES `)
	for i, c := range cands {
		if i > 0 {
			bd.add(`, `)
		}
		bd.add(`(`, bd.arg(c.UserID), `, `, key, `, `, bd.arg(c.PostID), `, `, at, `)`)
	}
	bd.add(` ON CONFLICT (user_id, badge, post_id) DO NOTHING RETURNING user_id`)
	rows, err := q.db.QueryContext(ctx, bd.String(), bd.args...)
	users, err := collect(rows, err, "give badge "+b.Key, func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	seen := map[int64]bool{}
	for _, id := range users {
		if !seen[id] {
			seen[id] = true
			q.Touch(pagecache.User(id))
		}
	}
	return users, err
}

// BadgeAward is a badge a member holds; per-post badges name their topic.
type BadgeAward struct {
	Badge     string
	UserID    int64
	User      model.UserRef
	PostID    int64
	Topic     model.Topic
	AwardedAt time.Time
}

// badgeAwards lists awards (of one user, or of one badge) newest first,
// leaving out per-post awards whose post the scope may not read, so a badge
// never reveals hidden content.
func (q *Queries) badgeAwards(ctx context.Context, sc policy.Scope, userID int64, badge string, limit int) ([]BadgeAward, error) {
	var b builder
	b.add(`SELECT ub.badge, ub.user_id, u.username, u.display_name, u.role, u.avatar, ub.post_id, COALESCE(t.id, 0), COALESCE(t.title, ''), COALESCE(t.slug, ''), ub.awarded_at
		FROM user_badges ub JOIN users u ON u.id = ub.user_id LEFT JOIN posts p ON p.id = ub.post_id LEFT JOIN topics t ON t.id = p.topic_id LEFT JOIN spaces s ON s.id = t.space_id
		WHERE (ub.post_id <= 0 OR (p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), `))`)
	if userID != 0 {
		b.add(` AND ub.user_id = `, b.arg(userID))
	}
	if badge != "" {
		b.add(` AND ub.badge = `, b.arg(badge))
	}
	b.add(` ORDER BY ub.awarded_at DESC, ub.id DESC LIMIT `, b.arg(limit))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "badge awards", func(r scanner) (BadgeAward, error) {
		var a BadgeAward
		u, t := &a.User, &a.Topic
		err := r.Scan(&a.Badge, &a.UserID, &u.Username, &u.DisplayName, &u.Role, &u.Avatar, &a.PostID, &t.ID, &t.Title, &t.Slug, &a.AwardedAt)
		u.ID = a.UserID
		return a, err
	})
}

// UserBadges lists a member's badges the scope may see, newest first.
func (q *Queries) UserBadges(ctx context.Context, sc policy.Scope, userID int64) ([]BadgeAward, error) {
	return q.badgeAwards(ctx, sc, userID, "", 500)
}

// UserBadgeKeys returns the badges a member holds at least once where the
// scope may see the award, for a profile's badge row. Each badge stops at
// its first visible award, so a member with thousands of per-post awards
// costs a walk of their index entries, not a sort of every award.
func (q *Queries) UserBadgeKeys(ctx context.Context, sc policy.Scope, userID int64) ([]string, error) {
	var b builder
	u := b.arg(userID)
	b.add(`SELECT k.badge FROM (SELECT DISTINCT badge FROM user_badges WHERE user_id = `, u, `) k
		WHERE EXISTS (SELECT 1 FROM user_badges ub LEFT JOIN posts p ON p.id = ub.post_id LEFT JOIN topics t ON t.id = p.topic_id LEFT JOIN spaces s ON s.id = t.space_id
		WHERE ub.user_id = `, u, ` AND ub.badge = k.badge AND (ub.post_id <= 0 OR (p.deleted_at IS NULL AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), `)))
		ORDER BY k.badge`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "user badge keys", func(r scanner) (string, error) {
		var k string
		return k, r.Scan(&k)
	})
}

// BadgeRecipients lists the latest awards of one badge the scope may see.
func (q *Queries) BadgeRecipients(ctx context.Context, sc policy.Scope, badge string, limit int) ([]BadgeAward, error) {
	return q.badgeAwards(ctx, sc, 0, badge, limit)
}

// BadgeCounts returns how many times each badge was awarded.
func (q *Queries) BadgeCounts(ctx context.Context) (map[string]int64, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT badge, COUNT(*) FROM user_badges GROUP BY badge`)
	pairs, err := collect(rows, err, "badge counts", func(r scanner) (struct {
		k string
		n int64
	}, error) {
		var p struct {
			k string
			n int64
		}
		return p, r.Scan(&p.k, &p.n)
	})
	out := make(map[string]int64, len(pairs))
	for _, p := range pairs {
		out[p.k] = p.n
	}
	return out, err
}

// RecordVisits notes that members visited on given days (days since the
// epoch), in a stable order so concurrent instances lock rows alike.
func (q *Queries) RecordVisits(ctx context.Context, visits [][2]int64) error {
	slices.SortFunc(visits, func(a, b [2]int64) int { return cmp.Or(cmp.Compare(a[0], b[0]), cmp.Compare(a[1], b[1])) })
	for _, v := range visits {
		if _, err := q.db.ExecContext(ctx, `INSERT INTO user_visits (user_id, day) SELECT id, $2 FROM users WHERE id = $1 ON CONFLICT DO NOTHING`, v[0], v[1]); err != nil {
			return classify("record visit", err)
		}
	}
	return nil
}

// AddViews adds buffered page views to topics' view counts, in id order.
func (q *Queries) AddViews(ctx context.Context, views map[int64]int64) error {
	ids := make([]int64, 0, len(views))
	for id := range views {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		q.Touch(pagecache.Topic(id), pagecache.Lists)
		if _, err := q.db.ExecContext(ctx, `UPDATE topics SET view_count = view_count + $1 WHERE id = $2`, views[id], id); err != nil {
			return classify("add views", err)
		}
	}
	return nil
}
