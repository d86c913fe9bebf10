package store

import (
	"context"
	"errors"
	"time"

	"practica/internal/model"
	"practica/internal/policy"
)

// FindImport returns the import of a source and the space it went into, or
// ErrNotFound before the first run.
func (q *Queries) FindImport(ctx context.Context, source string) (id, spaceID int64, err error) {
	err = q.db.QueryRowContext(ctx, `SELECT id, space_id FROM imports WHERE source = $1`, source).Scan(&id, &spaceID)
	return id, spaceID, classify("find import", err)
}

// StartImport records the first run of an import of source into a space.
func (q *Queries) StartImport(ctx context.Context, source, siteURL string, spaceID int64, now time.Time) (int64, error) {
	return q.insert(ctx, "start import", `INSERT INTO imports (source, site_url, space_id, started_at) VALUES ($1, $2, $3, $4) RETURNING id`, source, siteURL, spaceID, now)
}

// FinishImport records that an import run completed.
func (q *Queries) FinishImport(ctx context.Context, id int64, now time.Time) error {
	return q.exec(ctx, "finish import", `UPDATE imports SET finished_at = $1 WHERE id = $2`, now, id)
}

// ImportMap returns what an import already brought in of one kind: source
// id to local id. Badges are the exception: an imported award keeps its
// source id as a negative post id (see AddImportedBadge), so they are found
// among the awards of the import's accounts, with no map row of their own.
func (q *Queries) ImportMap(ctx context.Context, importID int64, kind string) (map[string]int64, error) {
	query := `SELECT ext_id, local_id FROM import_map WHERE import_id = $1 AND kind = $2`
	if kind == "badge" {
		query += ` UNION SELECT CAST(-b.post_id AS TEXT), b.user_id FROM user_badges b
			JOIN import_map m ON m.import_id = $1 AND m.kind = 'user' AND m.local_id = b.user_id
			WHERE b.post_id < 0`
	}
	rows, err := q.db.QueryContext(ctx, query, importID, kind)
	if err != nil {
		return nil, classify("import map", err)
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var ext string
		var id int64
		if err := rows.Scan(&ext, &id); err != nil {
			return nil, classify("import map", err)
		}
		out[ext] = id
	}
	return out, classify("import map", rows.Err())
}

// MapImported records that source thing ext of kind became local id.
func (q *Queries) MapImported(ctx context.Context, importID int64, kind, ext string, id int64) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO import_map (import_id, kind, ext_id, local_id) VALUES ($1, $2, $3, $4)`, importID, kind, ext, id)
	return classify("map imported", err)
}

// Usernames returns every username key in use, for choosing new ones in bulk.
func (q *Queries) Usernames(ctx context.Context) (map[string]bool, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT username_key FROM users`)
	names, err := collect(rows, err, "usernames", func(r scanner) (string, error) {
		var s string
		return s, r.Scan(&s)
	})
	out := make(map[string]bool, len(names))
	for _, n := range names {
		out[n] = true
	}
	return out, err
}

// CreatePlaceholder inserts an imported author: no email, no password, so
// nobody can sign in as them until an admin lets someone claim the account.
func (q *Queries) CreatePlaceholder(ctx context.Context, u model.User) (int64, error) {
	return q.insert(ctx, "create placeholder", `INSERT INTO users (username, username_key, display_name, bio, role, status, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, 'placeholder', $6, $6) RETURNING id`, u.Username, Key(u.Username), u.DisplayName, u.Bio, u.Role, u.CreatedAt)
}

// UsernameTaken reports whether a username is in use (case-insensitively).
func (q *Queries) UsernameTaken(ctx context.Context, name string) (bool, error) {
	var one int
	err := classify("username taken", q.db.QueryRowContext(ctx, `SELECT 1 FROM users WHERE username_key = $1`, Key(name)).Scan(&one))
	if errors.Is(err, ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// ImportedTopic is a question as a dump describes it.
type ImportedTopic struct {
	ImportID     int64
	SpaceID      int64
	AuthorID     int64
	Title, Slug  string
	Tags         []string
	CreatedAt    time.Time
	LastActivity time.Time
	ViewCount    int64
	ClosedAt     *time.Time
	Opening      ImportedPost
}

// ImportedPost is a post as a dump describes it; Score is kept as the post's
// base score.
type ImportedPost struct {
	TopicID, ParentID, AuthorID int64
	Kind                        model.PostKind
	Body, BodyHTML              string
	// Text is BodyHTML's plain text for the search index, when known.
	Text             string
	Score            int64
	CreatedAt        time.Time
	EditedAt, WikiAt *time.Time
}

// ImportedTopicRow is an imported question as a bulk row of topics.
func ImportedTopicRow(id int64, t ImportedTopic) []any {
	return []any{id, t.SpaceID, model.KindQuestion, t.AuthorID, t.Title, t.Slug, t.CreatedAt, t.CreatedAt, t.LastActivity, t.AuthorID, t.ViewCount, t.ClosedAt, t.ImportID}
}

// ImportedPostRow is an imported post as a bulk row of posts, with id.
func ImportedPostRow(id int64, p ImportedPost) []any {
	return []any{id, p.TopicID, p.AuthorID, p.Kind, nullInt(p.ParentID), p.Body, p.BodyHTML, p.Score, p.Score, p.CreatedAt, p.CreatedAt, p.EditedAt, p.WikiAt}
}

// FirstRevisionRow is a post's first revision as a bulk row of post_revisions.
func FirstRevisionRow(id int64, p ImportedPost, title, tags string) []any {
	return []any{id, 1, p.AuthorID, title, tags, p.Body, p.CreatedAt}
}

// PlaceholderRow is an imported author as a bulk row of users (see
// CreatePlaceholder).
func PlaceholderRow(id int64, u model.User) []any {
	return []any{id, u.Username, Key(u.Username), u.DisplayName, u.Bio, u.Role, model.StatusPlaceholder, u.Reputation, u.CreatedAt, u.CreatedAt}
}

// CreateImportedPost inserts an answer or comment (or an opening post, from
// CreateImportedTopic) and its first revision, which carries title and tags
// for an opening post.
func (q *Queries) CreateImportedPost(ctx context.Context, p ImportedPost, title, tags string) (int64, error) {
	id, err := q.insert(ctx, "import post", `INSERT INTO posts (topic_id, author_id, kind, parent_id, body, body_html, base_score, score, created_at, updated_at, edited_at, wiki_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id`,
		p.TopicID, p.AuthorID, p.Kind, nullInt(p.ParentID), p.Body, p.BodyHTML, p.Score, p.Score, p.CreatedAt, p.CreatedAt, p.EditedAt, p.WikiAt)
	if err != nil {
		return 0, err
	}
	return id, q.AddRevision(ctx, model.Revision{PostID: id, Number: 1, EditorID: p.AuthorID, Title: title, Tags: tags, Body: p.Body, CreatedAt: p.CreatedAt})
}

// ReplaceRevisions swaps a post's first and only revision for a history read
// from a dump (oldest first), and sets its revision number to the last. A
// post edited here since the import keeps its history: it reports false.
func (q *Queries) ReplaceRevisions(ctx context.Context, postID int64, revs []model.Revision) (bool, error) {
	var n int
	if err := q.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM post_revisions WHERE post_id = $1`, postID).Scan(&n); err != nil || n != 1 {
		return false, classify("count revisions", err)
	}
	if _, err := q.db.ExecContext(ctx, `DELETE FROM post_revisions WHERE post_id = $1`, postID); err != nil {
		return false, classify("replace revisions", err)
	}
	for i, r := range revs {
		r.PostID, r.Number = postID, int64(i+1)
		if err := q.AddRevision(ctx, r); err != nil {
			return false, err
		}
	}
	return true, q.exec(ctx, "set revision", `UPDATE posts SET revision = $1 WHERE id = $2`, len(revs), postID)
}

// LinkTopics records that topic links to another (related, or duplicate).
func (q *Queries) LinkTopics(ctx context.Context, from, to int64, kind string, at time.Time) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO topic_links (topic_id, linked_topic_id, kind, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, from, to, kind, at)
	return classify("link topics", err)
}

// AddImportedBadge records a badge earned at the source. Its post_id is the
// negated source id, which keeps each award distinct (a badge may be earned
// many times) and never names a post.
func (q *Queries) AddImportedBadge(ctx context.Context, userID int64, badge string, extID int64, at time.Time) error {
	_, err := q.db.ExecContext(ctx, `INSERT INTO user_badges (user_id, badge, post_id, awarded_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`, userID, badge, -extID, at)
	return classify("import badge", err)
}

// SetSpaceAttribution sets the licence and source line a space shows.
func (q *Queries) SetSpaceAttribution(ctx context.Context, spaceID int64, text string) error {
	q.touchAll()
	return q.exec(ctx, "set attribution", `UPDATE spaces SET attribution = $1 WHERE id = $2`, text, spaceID)
}

// SetTagDescriptionIfEmpty fills a tag's description without overwriting one
// the community wrote.
func (q *Queries) SetTagDescriptionIfEmpty(ctx context.Context, name, description string) error {
	_, err := q.db.ExecContext(ctx, `UPDATE tags SET description = $1 WHERE name = $2 AND description = ''`, description, name)
	return classify("describe imported tag", err)
}

// RecountImported sets the cached counts of an import's topics and their
// space after a bulk load: answers, last activity's poster, topic scores and
// the space's topic count.
func (q *Queries) RecountImported(ctx context.Context, importID, spaceID int64) error {
	q.touchAll()
	for _, stmt := range []string{
		`UPDATE topics SET reply_count = (SELECT COUNT(*) FROM posts p WHERE p.topic_id = topics.id AND p.kind IN ('reply', 'answer') AND p.deleted_at IS NULL),
			score = (SELECT p.score FROM posts p WHERE p.topic_id = topics.id AND p.kind = 'opening'),
			last_poster_id = COALESCE((SELECT p.author_id FROM posts p WHERE p.topic_id = topics.id AND p.kind <> 'comment' AND p.deleted_at IS NULL
				ORDER BY p.created_at DESC, p.id DESC LIMIT 1), author_id)
			WHERE import_id = $1`,
	} {
		if _, err := q.db.ExecContext(ctx, stmt, importID); err != nil {
			return classify("recount imported", err)
		}
	}
	if err := q.RecountAllTags(ctx); err != nil {
		return err
	}
	if err := q.RecountActive(ctx); err != nil {
		return err
	}
	return q.RecountSpaceTopics(ctx, spaceID)
}

// OriginalLinks returns, for imported posts among ids, the address of each
// original (the source's site address, then /q/ID or /a/ID), when the scope may
// read the post at all.
func (q *Queries) OriginalLinks(ctx context.Context, ids []int64) (map[int64]string, error) {
	out := map[int64]string{}
	if len(ids) == 0 {
		return out, nil
	}
	var b builder
	b.add(`SELECT m.local_id, m.kind, m.ext_id, i.site_url FROM import_map m JOIN imports i ON i.id = m.import_id
		WHERE m.kind IN ('post', 'comment') AND m.local_id IN (`, b.ids(ids), `)`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	if err != nil {
		return nil, classify("original links", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var kind, ext, site string
		if err := rows.Scan(&id, &kind, &ext, &site); err != nil {
			return nil, classify("original links", err)
		}
		if kind == "comment" {
			out[id] = site + "/posts/comments/" + ext
		} else {
			out[id] = site + "/q/" + ext
		}
	}
	return out, classify("original links", rows.Err())
}

// LinkedTopics lists the questions a topic links to or is linked from that
// the scope may read, duplicates first.
func (q *Queries) LinkedTopics(ctx context.Context, sc policy.Scope, topicID int64) ([]TopicLink, error) {
	var b builder
	id := b.arg(topicID)
	b.add(`SELECT t.id, t.title, t.slug, l.kind, (l.topic_id = `, id, `) FROM topic_links l JOIN topics t ON t.id = CASE WHEN l.topic_id = `, id, ` THEN l.linked_topic_id ELSE l.topic_id END
		JOIN spaces s ON s.id = t.space_id
		WHERE (l.topic_id = `, id, ` OR l.linked_topic_id = `, id, `) AND t.deleted_at IS NULL AND t.state = 'published' AND `, b.visibleContent(sc), `
		ORDER BY CASE WHEN l.kind = 'duplicate' THEN 0 ELSE 1 END, t.id LIMIT 20`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "linked topics", func(r scanner) (TopicLink, error) {
		var l TopicLink
		return l, r.Scan(&l.Topic.ID, &l.Topic.Title, &l.Topic.Slug, &l.Kind, &l.Outgoing)
	})
}

// TopicLink is a linked question; Outgoing when this topic names the other
// (for a duplicate: this one is the duplicate).
type TopicLink struct {
	Topic    model.Topic
	Kind     string
	Outgoing bool
}
