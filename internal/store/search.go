package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"practica/internal/db"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/policy"
)

// Full-text search. The index (search_fts on SQLite, search_docs on
// PostgreSQL) holds one row per post, written by IndexPost in the same
// transaction as the content; who may see a row is decided only when
// querying, by joining posts, topics and spaces and applying visibleContent.
// This file and the migrations are the only places with engine-specific SQL.

// IndexPost writes the search index row of a post from its current body and,
// for an opening post, its topic's current title and tags. Call it inside the
// write transaction of every change to those: creating a topic or any post
// (replies, answers, comments), editing a post, retitling or retagging a
// topic. Deleting, restoring, moving or hiding content needs no call, since
// search filters those when it runs.
func (q *Queries) IndexPost(ctx context.Context, postID int64) error {
	var kind model.PostKind
	var body, title string
	var topicID int64
	err := q.db.QueryRowContext(ctx, `SELECT p.kind, p.body_html, t.id, t.title FROM posts p JOIN topics t ON t.id = p.topic_id WHERE p.id = $1`, postID).
		Scan(&kind, &body, &topicID, &title)
	if err != nil {
		return classify(fmt.Sprintf("index post %d", postID), err)
	}
	var tags string
	if kind == model.PostOpening {
		names, err := q.topicTags(ctx, []int64{topicID})
		if err != nil {
			return err
		}
		tags = strings.Join(names[topicID], " ")
	} else {
		title = ""
	}
	return q.WriteIndex(ctx, postID, title, tags, body)
}

// WriteIndex writes a post's search row from what the caller already holds:
// the title and tags (opening posts only; empty otherwise) and the rendered
// body. IndexPost reads them itself; bulk writers such as imports call this.
func (q *Queries) WriteIndex(ctx context.Context, postID int64, title, tags, bodyHTML string) error {
	body := markup.TextOfHTML(bodyHTML)
	var err error
	if q.dialect == db.Postgres {
		// to_tsvector drops anything shaped like an HTML tag ("<script>",
		// "List<String>"); with < swapped for a private-use character the
		// words inside are indexed as written.
		lt := strings.NewReplacer("<", "\uE000")
		_, err = q.db.ExecContext(ctx, `INSERT INTO search_docs (post_id, body, doc) VALUES ($1, $2,
			setweight(to_tsvector('english', $3), 'A') || setweight(to_tsvector('english', $4), 'B') || setweight(to_tsvector('english', $5), 'C'))
			ON CONFLICT (post_id) DO UPDATE SET body = EXCLUDED.body, doc = EXCLUDED.doc`, postID, body, lt.Replace(title), tags, lt.Replace(body))
		return classify("index post", err)
	}
	if _, err := q.db.ExecContext(ctx, `DELETE FROM search_fts WHERE rowid = $1`, postID); err != nil {
		return classify("unindex post", err)
	}
	_, err = q.db.ExecContext(ctx, `INSERT INTO search_fts (rowid, title, tags, body) VALUES ($1, $2, $3, $4)`, postID, title, tags, body)
	return classify("index post", err)
}

// SearchSort orders search results.
type SearchSort string

// Search orders. Relevance needs text to match; without text it is newest.
const (
	SearchRelevance SearchSort = "relevance"
	SearchNewest    SearchSort = "newest"
	SearchScore     SearchSort = "score"
)

// SearchQuery is a search: text to match and filters. Zero values mean "any".
type SearchQuery struct {
	// Words and Phrases must all match, or any one of them when Any is set.
	Words   []string
	Phrases []string
	Any     bool
	Tags    []string // every tag must be on the topic
	Space   string   // space slug
	User    string   // author's username
	// OnlyQuestions keeps opening posts of questions; OnlyAnswers answers.
	OnlyQuestions bool
	OnlyAnswers   bool
	// Answered and Accepted: +1 yes, -1 no, 0 either. Answered means an
	// accepted answer or one scored above zero. Both keep only questions,
	// except that Accepted with OnlyAnswers asks whether the answer itself is
	// the accepted one.
	Answered int
	Accepted int
	MinScore *int64
	// From (inclusive) and To (exclusive) bound the post's creation time.
	From, To time.Time
	Sort     SearchSort
	Offset   int
	Limit    int
}

func (f SearchQuery) hasText() bool { return len(f.Words)+len(f.Phrases) > 0 }

// SearchHit is one post a search found, with its topic, space and author.
type SearchHit struct {
	Post   model.Post // without its body
	Author model.UserRef
	Topic  model.Topic // with its tags
	Space  model.Space // id, slug, name, colour and visibility
	// Snippet is plain text from the post; matched words sit between
	// markup.HighlightStart and markup.HighlightEnd (markup.Highlight makes
	// it HTML).
	Snippet string
}

// Search runs a search over what the scope may read. Deleted posts, posts
// under deleted posts, and deleted or pending topics are never returned, to
// anyone.
func (q *Queries) Search(ctx context.Context, sc policy.Scope, f SearchQuery) ([]SearchHit, error) {
	var hits []SearchHit
	var err error
	if q.dialect != db.Postgres && f.hasText() && f.Sort == SearchRelevance {
		hits, err = q.searchRanked(ctx, sc, f)
	} else {
		hits, err = q.searchSorted(ctx, sc, f)
	}
	if err != nil {
		return hits, err
	}
	return hits, fillTags(ctx, q, hits, func(h *SearchHit) *model.Topic { return &h.Topic })
}

// rankWindow is how many of the newest matching posts SQLite ranks for one
// search by relevance when more match. bm25 costs a few microseconds per
// matching row (the row's column sizes and positions are read for each), so
// ranking every post that holds a common word costs tens of milliseconds on
// a community of 10,000 posts and grows with it; a window keeps a search to
// about rankWindow rows of work. Searches with fewer matches are ranked
// whole, exactly as before, and so is any window that leaves less than one
// page (see searchRanked).
const rankWindow = 500

// bm25Weights weighs title, tags and body matches.
const bm25Weights = `bm25(10.0, 4.0, 1.0)`

// searchRanked is a relevance search on SQLite. FTS5 orders by its own rank
// (ORDER BY rank with the rank function set in the query), so the joins,
// filters and snippets run row by row in rank order only until the page is
// full, rather than for every match before sorting; snippets are computed on
// the ranked cursor, so there is no second lookup of the index per result.
// When many posts match, only the newest rankWindow matches (post ids are
// assigned in time order, and the index walks ids from its end cheaply) are
// ranked; if that window holds too few rows the viewer may read and the
// filters keep to fill the page, searchSorted runs over every match (it
// filters before ranking, which is cheaper when filters discard most), so
// results are never missing, only ranked within the newest posts when there
// are plenty of them. Ties keep FTS5's order (one order per query and data).
// With a tag filter the window is the newest rankWindow tagged matches;
// when there are fewer, searchSorted checks the tag's set of posts before
// ranking, which is cheaper than ranking every untagged match.
func (q *Queries) searchRanked(ctx context.Context, sc policy.Scope, f SearchQuery) ([]SearchHit, error) {
	match := ftsMatch(f)
	var b builder
	b.add(`SELECT rowid FROM search_fts WHERE search_fts MATCH `, b.arg(match))
	for _, tag := range f.Tags {
		// Tagged matches only, checked newest first until the window is
		// counted: a popular tag holds a large share of the posts, so few
		// matches are looked at.
		b.add(` AND EXISTS (SELECT 1 FROM posts tp JOIN topic_tags tt ON tt.topic_id = tp.topic_id JOIN tags g ON g.id = tt.tag_id WHERE tp.id = search_fts.rowid AND g.name = `,
			b.arg(Key(tag)), `)`)
	}
	b.add(` ORDER BY rowid DESC LIMIT 1 OFFSET `, b.arg(rankWindow-1))
	var floor int64
	err := q.db.QueryRowContext(ctx, b.String(), b.args...).Scan(&floor)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, classify("search window", err)
	}
	if floor == 0 && len(f.Tags) > 0 {
		// Fewer tagged matches than a window: ranking in FTS5's order
		// would score every untagged match too; searchSorted checks the
		// tag's set of posts before ranking.
		return q.searchSorted(ctx, sc, f)
	}
	hits, err := q.rankedPage(ctx, sc, f, match, floor)
	if err == nil && floor > 0 && len(hits) < f.Limit {
		return q.searchSorted(ctx, sc, f)
	}
	return hits, err
}

// rankedPage is one page of searchRanked over the matches with ids from
// floor up (0 for all). The CROSS JOIN keeps the index as the outer loop so
// that its rank order is the query's.
func (q *Queries) rankedPage(ctx context.Context, sc policy.Scope, f SearchQuery, match string, floor int64) ([]SearchHit, error) {
	var b builder
	b.add(`SELECT `, searchCols, `, snippet(search_fts, 2, char(2), char(3), '…', 24) FROM search_fts
		CROSS JOIN posts p ON p.id = search_fts.rowid JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id
		WHERE search_fts MATCH `, b.arg(match), ` AND search_fts.rank MATCH '`, bm25Weights, `'`)
	if floor > 0 {
		b.add(` AND search_fts.rowid >= `, b.arg(floor))
	}
	b.add(` AND t.deleted_at IS NULL AND t.state = 'published' AND p.deleted_at IS NULL AND `, b.visibleContent(sc),
		` AND NOT EXISTS (SELECT 1 FROM posts pp WHERE pp.id = p.parent_id AND pp.deleted_at IS NOT NULL)`)
	searchFilters(&b, f)
	b.add(` ORDER BY search_fts.rank LIMIT `, b.arg(f.Limit), ` OFFSET `, b.arg(f.Offset))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "search", scanSearchHit)
}

// searchSorted is every search but SQLite's by relevance: by newest or
// score, without text, and PostgreSQL's.
func (q *Queries) searchSorted(ctx context.Context, sc policy.Scope, f SearchQuery) ([]SearchHit, error) {
	var b builder
	var match, rank, snippet, index string
	if f.hasText() {
		match, rank, snippet, index = q.textSearch(&b, f)
	} else {
		rank, snippet = "0", "substr(p.body, 1, 600)"
	}
	order := map[SearchSort]string{
		SearchRelevance: `rnk DESC, pscore DESC, pcreated DESC, pid DESC`,
		SearchNewest:    `pcreated DESC, pid DESC`,
		SearchScore:     `pscore DESC, pcreated DESC, pid DESC`,
	}[f.Sort]
	if order == "" || (f.Sort == SearchRelevance && !f.hasText()) {
		order = `pcreated DESC, pid DESC`
	}
	if f.Sort != SearchRelevance {
		// Only relevance needs the rank, which costs a read per match.
		rank = "0"
	}
	// The inner query finds and orders one page of post ids; the outer one
	// loads those rows and builds snippets, so highlighting costs one page of
	// work however many posts match.
	b.add(`SELECT `, searchCols, `, `, snippet, ` FROM (SELECT p.id AS pid, `, rank, ` AS rnk, p.score AS pscore, p.created_at AS pcreated FROM `)
	if index != "" {
		b.add(index, ` JOIN posts p ON p.id = `, q.indexKey(), ` JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE `, match, ` AND `)
		if q.dialect != db.Postgres {
			for _, tag := range f.Tags {
				// The posts of the tag's topics, as a set SQLite builds once:
				// each match is checked against it before any join and
				// before bm25, so a tag costs a lookup per match rather
				// than three joins and a rank. The unary + keeps SQLite
				// from probing the index once per tagged post instead.
				// searchFilters still checks the tag the usual way.
				b.add(`+search_fts.rowid IN (SELECT tp.id FROM tags g JOIN topic_tags tt ON tt.tag_id = g.id JOIN posts tp ON tp.topic_id = tt.topic_id WHERE g.name = `, b.arg(Key(tag)), `) AND `)
			}
		}
	} else {
		b.add(`posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE `)
	}
	b.add(`t.deleted_at IS NULL AND t.state = 'published' AND p.deleted_at IS NULL AND `, b.visibleContent(sc),
		` AND NOT EXISTS (SELECT 1 FROM posts pp WHERE pp.id = p.parent_id AND pp.deleted_at IS NOT NULL)`)
	searchFilters(&b, f)
	b.add(` ORDER BY `, order, ` LIMIT `, b.arg(f.Limit), ` OFFSET `, b.arg(f.Offset), `) r
		JOIN posts p ON p.id = r.pid JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id`)
	if index != "" {
		// CROSS JOIN keeps SQLite from reordering: the index is probed by
		// rowid for each row of the page, not scanned for the match again.
		b.add(` CROSS JOIN `, index, ` WHERE `, q.indexKey(), ` = r.pid AND `, match)
	}
	b.add(` ORDER BY `, strings.NewReplacer("rnk", "r.rnk", "pscore", "r.pscore", "pcreated", "r.pcreated", "pid", "r.pid").Replace(order))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	hits, err := collect(rows, err, "search", scanSearchHit)
	if index == "" {
		for i := range hits {
			hits[i].Snippet = excerpt(hits[i].Snippet, 240)
		}
	}
	return hits, err
}

// excerpt is the plain text of the start of a Markdown body, cut at about n
// characters.
func excerpt(body string, n int) string {
	s := markup.PlainText(body)
	if r := []rune(s); len(r) > n {
		return strings.TrimSpace(string(r[:n])) + "…"
	}
	return s
}

// indexKey is the index's post id column.
func (q *Queries) indexKey() string {
	if q.dialect == db.Postgres {
		return "search_docs.post_id"
	}
	return "search_fts.rowid"
}

// textSearch returns the engine's match condition, rank and snippet
// expressions and index table for the query's words and phrases. Every word
// and phrase reaches the engine as data: on SQLite each is one quoted FTS5
// string (so nothing typed is FTS syntax), on PostgreSQL each is the argument
// of plainto_tsquery or phraseto_tsquery.
func (q *Queries) textSearch(b *builder, f SearchQuery) (match, rank, snippet, index string) {
	if q.dialect == db.Postgres {
		var parts []string
		for _, w := range f.Words {
			parts = append(parts, `plainto_tsquery('english', `+b.arg(w)+`)`)
		}
		for _, p := range f.Phrases {
			parts = append(parts, `phraseto_tsquery('english', `+b.arg(p)+`)`)
		}
		op := " && "
		if f.Any {
			op = " || "
		}
		tsq := "(" + strings.Join(parts, op) + ")"
		opts := "StartSel=" + markup.HighlightStart + ", StopSel=" + markup.HighlightEnd + `, MaxWords=30, MinWords=12, ShortWord=2, MaxFragments=2, FragmentDelimiter=" … "`
		// ts_headline drops anything that looks like an HTML tag; a private-use
		// character stands in for "<" so that text about <script> survives.
		lt := b.arg("\uE000")
		return `search_docs.doc @@ ` + tsq, `ts_rank_cd(search_docs.doc, ` + tsq + `)`,
			`replace(ts_headline('english', replace(search_docs.body, '<', ` + lt + `), ` + tsq + `, ` + b.arg(opts) + `), ` + lt + `, '<')`, `search_docs`
	}
	m := b.arg(ftsMatch(f))
	// bm25 is lower for better matches; negated so that both engines sort
	// rank DESC. Columns: title, tags, body.
	return `search_fts MATCH ` + m, `-` + strings.Replace(bm25Weights, "(", "(search_fts, ", 1),
		`snippet(search_fts, 2, char(2), char(3), '…', 24)`, `search_fts`
}

// ftsMatch is the FTS5 query for the words and phrases: each one quoted
// FTS5 string, so nothing typed is FTS syntax, all required unless Any.
func ftsMatch(f SearchQuery) string {
	var parts []string
	for _, s := range append(append([]string{}, f.Words...), f.Phrases...) {
		parts = append(parts, `"`+strings.ReplaceAll(s, `"`, `""`)+`"`)
	}
	op := " "
	if f.Any {
		op = " OR "
	}
	return strings.Join(parts, op)
}

// searchFilters adds the query's filters on posts p, topics t and spaces s.
func searchFilters(b *builder, f SearchQuery) {
	for _, tag := range f.Tags {
		b.add(` AND EXISTS (SELECT 1 FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE tt.topic_id = t.id AND g.name = `, b.arg(Key(tag)), `)`)
	}
	if f.Space != "" {
		b.add(` AND s.slug_key = `, b.arg(Key(f.Space)))
	}
	if f.User != "" {
		b.add(` AND p.author_id = (SELECT u.id FROM users u WHERE u.username_key = `, b.arg(Key(f.User)), `)`)
	}
	question := ` AND t.kind = 'question' AND p.kind = 'opening'`
	switch {
	case f.OnlyAnswers:
		b.add(` AND p.kind = 'answer'`)
	case f.OnlyQuestions || f.Answered != 0 || f.Accepted != 0:
		b.add(question)
	}
	const answered = `(t.accepted_post_id IS NOT NULL OR EXISTS (SELECT 1 FROM posts a WHERE a.topic_id = t.id AND a.kind = 'answer' AND a.deleted_at IS NULL AND a.score > 0))`
	switch {
	case f.Answered > 0:
		b.add(` AND `, answered)
	case f.Answered < 0:
		b.add(` AND NOT `, answered)
	}
	switch {
	case f.Accepted > 0 && f.OnlyAnswers:
		b.add(` AND t.accepted_post_id = p.id`)
	case f.Accepted < 0 && f.OnlyAnswers:
		b.add(` AND (t.accepted_post_id IS NULL OR t.accepted_post_id <> p.id)`)
	case f.Accepted > 0:
		b.add(` AND t.accepted_post_id IS NOT NULL`)
	case f.Accepted < 0:
		b.add(` AND t.accepted_post_id IS NULL`)
	}
	if f.MinScore != nil {
		b.add(` AND p.score >= `, b.arg(*f.MinScore))
	}
	if !f.From.IsZero() {
		b.add(` AND p.created_at >= `, b.arg(f.From.UTC()))
	}
	if !f.To.IsZero() {
		b.add(` AND p.created_at < `, b.arg(f.To.UTC()))
	}
}

const searchCols = `p.id, p.topic_id, p.author_id, p.kind, p.score, p.created_at, au.id, au.username, au.display_name, au.role, ` + topicCols + `,
	s.id, s.slug, s.name, s.color, s.visibility`

func scanSearchHit(r scanner) (SearchHit, error) {
	var h SearchHit
	var tt topicTimes
	p, a, s := &h.Post, &h.Author, &h.Space
	dest := append([]any{&p.ID, &p.TopicID, &p.AuthorID, &p.Kind, &p.Score, &p.CreatedAt, &a.ID, &a.Username, &a.DisplayName, &a.Role},
		topicDest(&h.Topic, &tt)...)
	dest = append(dest, &s.ID, &s.Slug, &s.Name, &s.Color, &s.Visibility, &h.Snippet)
	err := r.Scan(dest...)
	tt.fill(&h.Topic)
	return h, err
}

// RecordSearchMiss notes a search that found nothing (userID 0 for a guest).
func (q *Queries) RecordSearchMiss(ctx context.Context, query string, userID int64, at time.Time) error {
	var user any
	if userID != 0 {
		user = userID
	}
	_, err := q.db.ExecContext(ctx, `INSERT INTO search_misses (query, user_id, created_at) VALUES ($1, $2, $3)`, query, user, at)
	return classify("record search miss", err)
}

// ReindexAll rewrites the search row of every post, for after an import or a
// change to how posts are indexed; it returns how many posts it indexed.
func (q *Queries) ReindexAll(ctx context.Context) (int, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT id FROM posts ORDER BY id`)
	ids, err := collect(rows, err, "all posts", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil {
		return 0, err
	}
	for _, id := range ids {
		if err := q.IndexPost(ctx, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}
