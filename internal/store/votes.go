package store

import (
	"context"
	"fmt"
	"time"

	"practica/internal/db"
	"practica/internal/pagecache"
	"practica/internal/reputation"
)

// LockTopic takes the topic's row lock for the rest of the transaction. Every
// write that changes reputation within a topic (votes, accepts, deletes,
// restores) takes it first, so on PostgreSQL they run one after another and
// each sees the others' ledger rows. On SQLite it costs nothing.
//
// Taking it declares the topic changed (see Touch), with the lists that show it.
func (q *Queries) LockTopic(ctx context.Context, id int64) error {
	q.Touch(pagecache.Topic(id), pagecache.Lists)
	return q.exec(ctx, "lock topic", `UPDATE topics SET score = score WHERE id = $1`, id)
}

// LockAllTopics blocks every write that changes reputation (they all lock a
// topic first) until the transaction ends, for recomputing the whole ledger.
// SQLite's single writer already does that.
func (q *Queries) LockAllTopics(ctx context.Context) error {
	if q.dialect != db.Postgres {
		return nil
	}
	_, err := q.db.ExecContext(ctx, `LOCK TABLE topics IN SHARE ROW EXCLUSIVE MODE`)
	return classify("lock topics", err)
}

// SetVote records a member's vote on a post; value 0 removes it. It reports
// whether anything changed.
func (q *Queries) SetVote(ctx context.Context, postID, userID int64, value int, now time.Time) (bool, error) {
	var res interface{ RowsAffected() (int64, error) }
	var err error
	if value == 0 {
		res, err = q.db.ExecContext(ctx, `DELETE FROM votes WHERE post_id = $1 AND user_id = $2`, postID, userID)
	} else {
		res, err = q.db.ExecContext(ctx, `INSERT INTO votes (post_id, user_id, value, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (post_id, user_id) DO UPDATE SET value = excluded.value, created_at = excluded.created_at WHERE votes.value <> excluded.value`,
			postID, userID, value, now)
	}
	if err != nil {
		return false, classify("set vote", err)
	}
	n, err := res.RowsAffected()
	return n > 0, classify("set vote", err)
}

// Vote returns a member's vote on a post (0 when none).
func (q *Queries) Vote(ctx context.Context, postID, userID int64) (int, error) {
	var v int
	err := q.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(value), 0) FROM votes WHERE post_id = $1 AND user_id = $2`, postID, userID).Scan(&v)
	return v, classify("vote", err)
}

// Votes returns a member's votes on the given posts.
func (q *Queries) Votes(ctx context.Context, userID int64, postIDs []int64) (map[int64]int, error) {
	out := map[int64]int{}
	if userID == 0 || len(postIDs) == 0 {
		return out, nil
	}
	var b builder
	b.add(`SELECT post_id, value FROM votes WHERE user_id = `, b.arg(userID), ` AND post_id IN (`, b.ids(postIDs), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	pairs, err := collect(rows, err, "votes", func(r scanner) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	for _, p := range pairs {
		out[p[0]] = int(p[1])
	}
	return out, err
}

// RecountScore sets a post's score from its votes (plus the score it was
// imported with) and, for an opening post, the topic's score too; it returns
// the post's new score.
func (q *Queries) RecountScore(ctx context.Context, postID int64) (int64, error) {
	score, err := q.recountValue(ctx, "recount score", `posts`, `score`, `SELECT MAX(base_score) + COALESCE(SUM(v.value), 0) FROM posts p LEFT JOIN votes v ON v.post_id = p.id WHERE p.id = $1`, postID)
	if err != nil {
		return 0, err
	}
	_, err = q.db.ExecContext(ctx, `UPDATE topics SET score = (SELECT p.score FROM posts p WHERE p.id = $1)
		WHERE id = (SELECT p.topic_id FROM posts p WHERE p.id = $1 AND p.kind = 'opening')`, postID)
	return score, classify("recount topic score", err)
}

const voteFactCols = `v.post_id, v.user_id, p.author_id, v.value, p.kind, (p.deleted_at IS NULL AND t.deleted_at IS NULL), (p.wiki_at IS NOT NULL)`

func scanVoteFact(r scanner) (reputation.VoteFact, error) {
	var f reputation.VoteFact
	return f, r.Scan(&f.PostID, &f.VoterID, &f.AuthorID, &f.Value, &f.Kind, &f.Live, &f.Wiki)
}

// VoteFacts lists the votes on one post (postID != 0) or on every post of a
// topic, with what the reputation rules need.
func (q *Queries) VoteFacts(ctx context.Context, postID, topicID int64) ([]reputation.VoteFact, error) {
	var b builder
	b.add(`SELECT `, voteFactCols, ` FROM votes v JOIN posts p ON p.id = v.post_id JOIN topics t ON t.id = p.topic_id WHERE `)
	if postID != 0 {
		b.add(`v.post_id = `, b.arg(postID))
	} else {
		b.add(`p.topic_id = `, b.arg(topicID))
	}
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "vote facts", scanVoteFact)
}

// EachVoteFact calls fn for every vote, for verifying the whole ledger.
func (q *Queries) EachVoteFact(ctx context.Context, fn func(reputation.VoteFact) error) error {
	rows, err := q.db.QueryContext(ctx, `SELECT `+voteFactCols+` FROM votes v JOIN posts p ON p.id = v.post_id JOIN topics t ON t.id = p.topic_id`)
	if err != nil {
		return classify("vote facts", err)
	}
	defer rows.Close()
	for rows.Next() {
		f, err := scanVoteFact(rows)
		if err != nil {
			return classify("vote facts", err)
		}
		if err := fn(f); err != nil {
			return err
		}
	}
	return classify("vote facts", rows.Err())
}

const acceptFactCols = `t.id, t.author_id, COALESCE(a.id, 0), COALESCE(a.author_id, 0), (t.deleted_at IS NULL AND a.deleted_at IS NULL), (t.import_id IS NOT NULL),
	COALESCE((SELECT o.id FROM posts o WHERE o.topic_id = t.id AND o.kind = 'opening'), 0)`

func scanAcceptFact(r scanner) (reputation.AcceptFact, error) {
	var f reputation.AcceptFact
	return f, r.Scan(&f.TopicID, &f.AskerID, &f.AnswerID, &f.AnswerAuthorID, &f.Live, &f.Imported, &f.QuestionID)
}

// AcceptFact returns what the reputation rules need about a topic's accepted answer.
func (q *Queries) AcceptFact(ctx context.Context, topicID int64) (reputation.AcceptFact, error) {
	f, err := scanAcceptFact(q.db.QueryRowContext(ctx, `SELECT `+acceptFactCols+` FROM topics t LEFT JOIN posts a ON a.id = t.accepted_post_id WHERE t.id = $1`, topicID))
	return f, classify(fmt.Sprintf("accept fact %d", topicID), err)
}

// AcceptFacts lists every topic with an accepted answer, for verification.
func (q *Queries) AcceptFacts(ctx context.Context) ([]reputation.AcceptFact, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT `+acceptFactCols+` FROM topics t JOIN posts a ON a.id = t.accepted_post_id`)
	return collect(rows, err, "accept facts", scanAcceptFact)
}

// SetAccepted records a question's accepted answer (0 for none).
func (q *Queries) SetAccepted(ctx context.Context, topicID, postID int64) error {
	var v any
	if postID != 0 {
		v = postID
	}
	return q.exec(ctx, "set accepted", `UPDATE topics SET accepted_post_id = $1 WHERE id = $2`, v, topicID)
}
