package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"practica/internal/db"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/policy"
)

// Full-text search. The index (search_fts on SQLite, search_docs on
// PostgreSQL) holds one row per post: on PostgreSQL written by IndexPost in
// the same transaction as the content, on SQLite queued by it and written
// in batches after commit (see search_queue.go); who may see a row is
// decided only when querying, by joining posts, topics and spaces and
// applying visibleContent. This file, search_queue.go and the migrations
// are the only places with engine-specific SQL.

// IndexPost brings the search row of a post up to date with its current
// body and, for an opening post, its topic's current title and tags. Call it
// inside the write transaction of every change to those: creating a topic or
// any post (replies, answers, comments), editing a post, retitling or
// retagging a topic. Deleting, restoring, moving or hiding content needs no
// call, since search filters those when it runs. On SQLite every post's row
// also holds its topic's tag set (see SearchTagSet), which SetTopicTags and
// MergeTag keep current for every post of a retagged topic.
func (q *Queries) IndexPost(ctx context.Context, postID int64) error {
	if q.dialect != db.Postgres {
		return q.queue(ctx, postID)
	}
	docs, err := q.indexDocs(ctx, `p.id = $1`, postID)
	if err == nil && len(docs) == 0 {
		err = ErrNotFound
	}
	if err != nil {
		return classify(fmt.Sprintf("index post %d", postID), err)
	}
	d := docs[0]
	_, err = q.db.ExecContext(ctx, `INSERT INTO search_docs (post_id, body, doc) VALUES ($1, $2, `+pgDocument("$3", "$4", "$2")+`)
		ON CONFLICT (post_id) DO UPDATE SET body = EXCLUDED.body, doc = EXCLUDED.doc`, d.PostID, d.text(), d.Title, d.Tags)
	return classify("index post", err)
}

// pgDocument is the SQL of a post's search document on PostgreSQL from SQL
// expressions for its title, tags and plain-text body; every writer of
// search_docs uses it, so that live, bulk-loaded and seeded rows match
// alike. to_tsvector drops anything shaped like an HTML tag ("<script>",
// "List<String>"); with "<" swapped for a private-use character (U+E000)
// the words inside are indexed as written.
func pgDocument(title, tags, body string) string {
	return `setweight(to_tsvector('english', replace(` + title + `, '<', chr(57344))), 'A') || setweight(to_tsvector('english', ` + tags +
		`), 'B') || setweight(to_tsvector('english', replace(` + body + `, '<', chr(57344))), 'C')`
}

// tagMark starts every token of a search row's tag set, and tagToken every
// tag's. unicode61 keeps a private-use character inside a token, porter
// leaves a token ending in a digit alone, and ftsMatch removes the
// character from what people type, so no typed word matches a tag token and
// no tag token matches a word.
const (
	tagMark  = "\uE000"
	tagToken = tagMark + "g"
)

// SearchTagged is the tagged column of every SQLite search row whose tag
// set was written (by this file, the migration that added tag sets, or a
// bulk writer beside SearchTagSet): one token, so that tagSetComplete can
// tell from FTS5's column totals whether any row lacks its tag set.
const SearchTagged = tagMark + "all"

// SearchTagSet is the tagset column of a post's search row on SQLite, from
// its topic's tag ids: one token per tag, in id order (tag ids, so renaming
// a tag leaves rows as they are). Bulk writers put it in the tagset column of every post
// they index, and SearchTagged in its tagged column; a row without the
// latter makes tag filters fall back to checking topic_tags per match.
func SearchTagSet(tagIDs []int64) string {
	ids := slices.Sorted(slices.Values(tagIDs))
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = tagToken + strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, " ")
}

// syncSearchTags rewrites the tag set in the search rows of every post of
// the topics, after their tags changed. PostgreSQL's rows hold no tag set
// (tag filters join topic_tags there).
func (q *Queries) syncSearchTags(ctx context.Context, topicIDs ...int64) error {
	if q.dialect == db.Postgres {
		return nil
	}
	for _, id := range topicIDs {
		ids, err := q.TopicTagIDs(ctx, id)
		if err != nil {
			return err
		}
		// FTS5 rewrites each row whole; rows not written yet (a topic's
		// opening post before IndexPost) are left to IndexPost.
		if _, err := q.db.ExecContext(ctx, `UPDATE search_fts SET tagset = $1 WHERE rowid IN (SELECT id FROM posts WHERE topic_id = $2)`, SearchTagSet(ids), id); err != nil {
			return classify("sync search tags", err)
		}
	}
	return nil
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
	if f.hasText() {
		if err := q.index.catchUp(ctx); err != nil {
			return nil, err
		}
	}
	var hits []SearchHit
	var err error
	switch {
	case !f.hasText() || f.Sort != SearchRelevance:
		hits, err = q.searchSorted(ctx, sc, f, nil)
	case q.dialect == db.Postgres:
		hits, err = q.searchRankedPG(ctx, sc, f)
	default:
		hits, err = q.searchRanked(ctx, sc, f)
	}
	if err != nil {
		return hits, err
	}
	return hits, fillTags(ctx, q, hits, func(h *SearchHit) *model.Topic { return &h.Topic })
}

// rankWindow is how many of the newest matching posts SQLite (and
// PostgreSQL) ranks for one search by relevance when more match. Ranking
// reads each ranked row's column sizes and positions, so ranking every post
// that holds a common word costs tens of milliseconds on a community of
// 10,000 posts and grows with it; a window keeps a search to about
// rankWindow rows of work. Searches with fewer matches are ranked whole,
// and so is any window that leaves less than one page (see searchRanked).
const rankWindow = 500

// bm25Weights weighs title, tags and body matches; the tag set and its
// marker (tag filters only) weigh nothing.
const bm25Weights = `bm25(search_fts, 10.0, 4.0, 1.0, 0.0, 0.0)`

// rankedID is a match and its bm25 score (lower is better).
type rankedID struct {
	id    int64
	score float64
}

// searchRanked is a relevance search on SQLite. It first takes the newest
// rankWindow+1 matches, newest first, without ranking them (searchWindow):
// when more than rankWindow match, the newest rankWindow are ranked, when
// fewer, all of them, so the match expression, a phrase's positions
// included, is evaluated once. A full window of a word's own matches is
// ranked by FTS5 itself (rankedPage); any other window is scored by bm25
// row by row (rankScores), its ids meet posts, topics, spaces, the
// visibility policy and the filters in rank order (rankedHits), and
// snippets are made for the page shown only. If the window holds too few
// rows the viewer may read and the filters keep to fill the page,
// searchSorted runs over every match (it filters before ranking, which is
// cheaper when filters discard most), so results are never missing, only
// ranked within the newest posts when there are plenty of them.
func (q *Queries) searchRanked(ctx context.Context, sc policy.Scope, f SearchQuery) ([]SearchHit, error) {
	text, window, narrowed, err := q.searchWindow(ctx, f)
	if err != nil || len(window) == 0 {
		return nil, err
	}
	windowed := len(window) > rankWindow
	if windowed {
		window = window[:rankWindow]
	}
	if windowed && !narrowed {
		// A full window of the text's own matches is every match from its
		// oldest row up: FTS5 ranks them itself. With a tag the window is
		// narrower than the text's matches from that row up, and scoring
		// only the window's rows costs less.
		hits, err := q.rankedPage(ctx, sc, f, text, window[len(window)-1])
		if err == nil && len(hits) < f.Limit {
			return q.searchSorted(ctx, sc, f, nil)
		}
		return hits, err
	}
	order, err := q.scanOrder(ctx, window, windowed)
	if err != nil {
		return nil, err
	}
	ranked, err := q.rankScores(ctx, text, window, order)
	if err != nil {
		return nil, err
	}
	hits, err := q.rankedHits(ctx, sc, f, ranked)
	if err != nil {
		return nil, err
	}
	if windowed && len(hits) < f.Limit {
		return q.searchSorted(ctx, sc, f, nil)
	}
	return hits, q.snippets(ctx, text, hits, order)
}

// searchWindow returns the ids of the newest rankWindow+1 posts that match
// the query's text and tags, newest first (post ids are assigned in time
// order, and the index walks ids from its end cheaply), with the text alone
// as an FTS5 query; narrowed reports that tags made the window narrower
// than the text's matches. A tag filter is part of the match: every post's
// row holds its topic's tag set, so FTS5 walks the words' and the tag's
// lists together. Should a bulk writer have left rows without tag sets,
// each match is checked against topic_tags instead (tagSetComplete).
func (q *Queries) searchWindow(ctx context.Context, f SearchQuery) (text string, window []int64, narrowed bool, err error) {
	text = ftsMatch(f)
	match := text
	var b builder
	var extra []string
	if len(f.Tags) > 0 {
		complete, err := q.tagSetComplete(ctx)
		if err != nil {
			return "", nil, false, err
		}
		if complete {
			ids, err := q.tagIDs(ctx, f.Tags)
			if err != nil || ids == nil {
				return "", nil, false, err // an unknown tag: nothing carries it
			}
			match = "(" + match + ")"
			for _, id := range ids {
				match += ` AND tagset : "` + tagToken + strconv.FormatInt(id, 10) + `"`
			}
		} else {
			for _, tag := range f.Tags {
				extra = append(extra, ` AND `+postTagged(&b, "search_fts.rowid", tag))
			}
		}
	}
	m := b.arg(match)
	b.add(`SELECT rowid FROM search_fts WHERE search_fts MATCH `, m)
	b.add(extra...)
	b.add(` ORDER BY rowid DESC LIMIT `, b.arg(rankWindow+1))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	window, err = collect(rows, err, "search window", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	return text, window, len(f.Tags) > 0, err
}

// rankedPage is one page of a full window of the text's matches, the ones
// with ids from floor up: FTS5 orders them by its rank (ORDER BY rank with
// the rank function set in the query), and the CROSS JOIN keeps the index
// as the outer loop, so joins, filters and snippets run row by row in rank
// order only until the page is full. Ties keep FTS5's order.
func (q *Queries) rankedPage(ctx context.Context, sc policy.Scope, f SearchQuery, text string, floor int64) ([]SearchHit, error) {
	var b builder
	b.add(`SELECT `, searchCols, `, snippet(search_fts, 2, char(2), char(3), '…', 24) FROM search_fts
		CROSS JOIN posts p ON p.id = search_fts.rowid JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id
		WHERE search_fts MATCH `, b.arg(text), ` AND search_fts.rank MATCH '`, strings.Replace(bm25Weights, "search_fts, ", "", 1), `' AND search_fts.rowid >= `, b.arg(floor))
	b.add(` AND `, searchable(&b, sc))
	searchFilters(&b, f)
	b.add(` ORDER BY search_fts.rank LIMIT `, b.arg(f.Limit), ` OFFSET `, b.arg(f.Offset))
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	return collect(rows, err, "search", scanSearchHit)
}

// searchable is the condition every search puts on a matching post p of
// topic t in space s: live and published, under the visibility policy for
// sc, and not a comment on a deleted post.
func searchable(b *builder, sc policy.Scope) string {
	return `t.deleted_at IS NULL AND t.state = 'published' AND p.deleted_at IS NULL AND ` + b.visibleContent(sc) +
		` AND NOT EXISTS (SELECT 1 FROM posts pp WHERE pp.id = p.parent_id AND pp.deleted_at IS NOT NULL)`
}

// postTagged is the condition that the post whose id is postID is in a
// topic tagged tag.
func postTagged(b *builder, postID, tag string) string {
	return `EXISTS (SELECT 1 FROM posts tp JOIN topic_tags tt ON tt.topic_id = tp.topic_id JOIN tags g ON g.id = tt.tag_id WHERE tp.id = ` +
		postID + ` AND g.name = ` + b.arg(Key(tag)) + `)`
}

// scanOrder is the direction in which to look up rows of the window again.
// FTS5 stops a cursor bounded by id only once it reaches a match past the
// bound, so a lookup ends with a walk from its last row to the next match
// in its direction, or to the end of the index when there is none: cheap
// for a common word, but a walk of most of the index for a rare phrase
// whose few matches are old and looked up in ascending order. When the
// window is not full it holds every match, so the walk goes towards the
// nearer end; a full window is the newest matches, with more below it.
func (q *Queries) scanOrder(ctx context.Context, window []int64, windowed bool) (string, error) {
	if windowed || len(window) == 0 {
		return "DESC", nil
	}
	var last int64
	if err := q.db.QueryRowContext(ctx, `SELECT COALESCE(MAX(id), 0) FROM posts`).Scan(&last); err != nil {
		return "", classify("search order", err)
	}
	if window[len(window)-1] <= last-window[0] {
		return "DESC", nil
	}
	return "ASC", nil
}

// rankScores orders the window's ids by bm25 on the query's words and
// phrases, best first, ties to the newer post. bm25 reads, once per query,
// how many posts hold each phrase, a walk of the phrase's whole list in the
// index: the text alone is scored (a tag's list can be far longer than a
// word's and weighs nothing), and a window of one needs no score. The rows
// are the window's, found by their id range and then by id.
func (q *Queries) rankScores(ctx context.Context, text string, window []int64, order string) ([]rankedID, error) {
	if len(window) <= 1 {
		out := make([]rankedID, len(window))
		for i, id := range window {
			out[i].id = id
		}
		return out, nil
	}
	rows, err := q.db.QueryContext(ctx, `SELECT rowid, `+bm25Weights+` FROM search_fts
		WHERE search_fts MATCH $1 AND rowid >= $2 AND rowid <= $3 AND +rowid IN (SELECT value FROM json_each($4)) ORDER BY rowid `+order,
		text, window[len(window)-1], window[0], idList(window))
	ranked, err := collect(rows, err, "search rank", func(r scanner) (rankedID, error) {
		var x rankedID
		return x, r.Scan(&x.id, &x.score)
	})
	sort.Slice(ranked, func(i, j int) bool {
		if ranked[i].score != ranked[j].score {
			return ranked[i].score < ranked[j].score
		}
		return ranked[i].id > ranked[j].id
	})
	return ranked, err
}

// idList is ids as a JSON array, for json_each: one statement text however
// many ids there are.
func idList(ids []int64) string {
	b := make([]byte, 0, 8*len(ids)+2)
	b = append(b, '[')
	for i, id := range ids {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, id, 10)
	}
	return string(append(b, ']'))
}

// rankedHits loads, in rank order, the rows the scope may read and the
// filters keep, skipping f.Offset of them and stopping at f.Limit. Ids go in
// batches, as one JSON array each (one statement text whatever their
// number); most pages need one batch.
func (q *Queries) rankedHits(ctx context.Context, sc policy.Scope, f SearchQuery, ranked []rankedID) ([]SearchHit, error) {
	want := f.Offset + f.Limit
	var hits []SearchHit
	skip := f.Offset
	batch := want + want/4 + 4
	for start := 0; start < len(ranked) && len(hits) < f.Limit; {
		chunk := ranked[start:min(start+batch, len(ranked))]
		start += len(chunk)
		batch *= 4
		ids := make([]int64, len(chunk))
		for i, r := range chunk {
			ids[i] = r.id
		}
		var b builder
		b.add(`SELECT `, searchCols, `, '' FROM posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id
			WHERE p.id IN (SELECT value FROM json_each(`, b.arg(idList(ids)), `)) AND `, searchable(&b, sc))
		searchFilters(&b, f)
		rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
		found, err := collect(rows, err, "search", scanSearchHit)
		if err != nil {
			return nil, err
		}
		byID := make(map[int64]SearchHit, len(found))
		for _, h := range found {
			byID[h.Post.ID] = h
		}
		for _, r := range chunk {
			h, ok := byID[r.id]
			switch {
			case !ok:
			case skip > 0:
				skip--
			case len(hits) < f.Limit:
				hits = append(hits, h)
			}
		}
	}
	return hits, nil
}

// snippets fills the hits' snippets from the index: one lookup of the page's
// rows, not of every match, in order (see scanOrder).
func (q *Queries) snippets(ctx context.Context, match string, hits []SearchHit, order string) error {
	if len(hits) == 0 {
		return nil
	}
	ids := make([]int64, len(hits))
	for i, h := range hits {
		ids[i] = h.Post.ID
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	rows, err := q.db.QueryContext(ctx, `SELECT rowid, snippet(search_fts, 2, char(2), char(3), '…', 24) FROM search_fts
		WHERE search_fts MATCH $1 AND rowid >= $2 AND rowid <= $3 AND +rowid IN (SELECT value FROM json_each($4)) ORDER BY rowid `+order, match, lo, hi, idList(ids))
	type snip struct {
		id   int64
		text string
	}
	found, err := collect(rows, err, "search snippets", func(r scanner) (snip, error) {
		var s snip
		return s, r.Scan(&s.id, &s.text)
	})
	if err != nil {
		return err
	}
	byID := make(map[int64]string, len(found))
	for _, s := range found {
		byID[s.id] = s.text
	}
	for i := range hits {
		hits[i].Snippet = byID[hits[i].Post.ID]
	}
	return nil
}

// tagIDs returns the ids of the named tags, or nil when one does not exist.
func (q *Queries) tagIDs(ctx context.Context, names []string) ([]int64, error) {
	var ids []int64
	for _, name := range names {
		var id int64
		err := q.db.QueryRowContext(ctx, `SELECT id FROM tags WHERE name = $1`, Key(name)).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil, nil
		}
		if err != nil {
			return nil, classify("search tag", err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// tagSetComplete reports whether every row of the SQLite index holds its
// tag set, so that a tag filter can be part of the match. The store's
// writers and the migration that added tag sets put one token in the tagged
// column of every row; a bulk writer that fills only title, tags and body
// leaves none. FTS5 keeps the number of rows and each column's token total
// in one record of its data table (the "averages" record), so the check is
// one read: tagged's total equals the number of rows exactly when no row
// lacks its tag set. Until the rows are written again, tag filters check
// topic_tags per match instead.
func (q *Queries) tagSetComplete(ctx context.Context) (bool, error) {
	var rec []byte
	err := q.db.QueryRowContext(ctx, `SELECT block FROM search_fts_data WHERE id = 1`).Scan(&rec)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && len(rec) == 0) {
		return true, nil // an index that never held a row
	}
	if err != nil {
		return false, classify("search tag sets", err)
	}
	// nRow, then the totals of title, tags, body, tagset and tagged.
	var nums [6]uint64
	for i := range nums {
		n, size := ftsVarint(rec)
		if size == 0 {
			return false, nil // not the record this file knows: be safe
		}
		nums[i], rec = n, rec[size:]
	}
	return nums[5] == nums[0], nil
}

// ftsVarint decodes one of SQLite's variable-length integers (as FTS5
// writes them): big-endian groups of seven bits, each byte but the last
// with its high bit set, the ninth byte whole. size is 0 when b is short.
func ftsVarint(b []byte) (v uint64, size int) {
	for i := 0; i < len(b) && i < 9; i++ {
		if i == 8 {
			return v<<8 | uint64(b[i]), 9
		}
		v = v<<7 | uint64(b[i]&0x7f)
		if b[i] < 0x80 {
			return v, i + 1
		}
	}
	return 0, 0
}

// searchRankedPG is a relevance search on PostgreSQL, with the same window
// as SQLite's (see searchRanked): ts_rank_cd reads each match's tsvector,
// so ranking every post that holds a common word grows with the community.
// The newest rankWindow+1 matches (with a tag filter, the newest tagged
// ones) are found first, without ranking; when more than rankWindow match,
// the newest rankWindow are ranked, when fewer, all of them, and a window
// that leaves less than a page the viewer may read falls back to ranking
// every match.
func (q *Queries) searchRankedPG(ctx context.Context, sc policy.Scope, f SearchQuery) ([]SearchHit, error) {
	var b builder
	b.add(`SELECT search_docs.post_id FROM search_docs WHERE search_docs.doc @@ `, tsQuery(&b, f))
	for _, tag := range f.Tags {
		b.add(` AND `, postTagged(&b, "search_docs.post_id", tag))
	}
	b.add(` ORDER BY search_docs.post_id DESC LIMIT `, b.arg(rankWindow+1))
	// Planned for this text every time, as the ranking below: a plan kept
	// for any text could walk the posts newest first testing each, which
	// reads every post for a rare word.
	rows, err := q.db.QueryContext(ctx, b.String(), append([]any{pgx.QueryExecModeExec}, b.args...)...)
	window, err := collect(rows, err, "search window", func(r scanner) (int64, error) {
		var id int64
		return id, r.Scan(&id)
	})
	if err != nil || len(window) == 0 {
		return nil, err
	}
	windowed := len(window) > rankWindow
	if windowed {
		window = window[:rankWindow]
	}
	hits, err := q.searchSorted(ctx, sc, f, window)
	if err == nil && windowed && len(hits) < f.Limit {
		return q.searchSorted(ctx, sc, f, nil)
	}
	return hits, err
}

// searchSorted is every search but SQLite's by relevance: by newest or
// score, without text, and PostgreSQL's. A window (PostgreSQL, by
// relevance) keeps to the posts with those ids.
func (q *Queries) searchSorted(ctx context.Context, sc policy.Scope, f SearchQuery, window []int64) ([]SearchHit, error) {
	if !f.hasText() && q.dialect != db.Postgres && f.Sort != SearchScore && f.User == "" {
		// Newest first without text ("[go]", "is:question"): a search
		// that matches a good share of posts finds a page among the
		// newest few; sorting every match instead took 330 ms for the
		// busiest tag on dataset M. A rare tag or an author is found
		// faster from its own topics or posts, so those, and a search the
		// newest posts do not fill, run the usual way.
		common, err := q.commonTags(ctx, f.Tags)
		if err != nil {
			return nil, err
		}
		if common {
			hits, err := q.sortedPage(ctx, sc, f, nil, true)
			if err != nil || len(hits) == f.Limit {
				return hits, err
			}
		}
	}
	return q.sortedPage(ctx, sc, f, window, false)
}

// commonTags reports whether each tag is on at least one topic in 50, by
// the tag counts: among the newest posts such a tag is frequent enough to
// fill a page.
func (q *Queries) commonTags(ctx context.Context, tags []string) (bool, error) {
	for _, tag := range tags {
		var tagged, all int64
		err := q.db.QueryRowContext(ctx, `SELECT (SELECT COALESCE(SUM(c.topic_count), 0) FROM tag_counts c JOIN tags g ON g.id = c.tag_id WHERE g.name = $1),
			(SELECT COALESCE(SUM(topic_count), 0) FROM spaces)`, Key(tag)).Scan(&tagged, &all)
		if err != nil {
			return false, classify("tag share", err)
		}
		if tagged*50 < all {
			return false, nil
		}
	}
	return true, nil
}

// newestWalk bounds how many of the newest posts a search without text
// tests before it sorts every match instead.
const newestWalk = 3000

// sortedPage is searchSorted; walk (SQLite, no text, newest first) tests
// only the newestWalk newest posts, newest first, and stops at a page.
func (q *Queries) sortedPage(ctx context.Context, sc policy.Scope, f SearchQuery, window []int64, walk bool) ([]SearchHit, error) {
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
		if window != nil {
			// The window drives: a join from its ids, not a test of each
			// match against the array.
			b.add(`unnest(`, b.arg(window), `::bigint[]) AS w(id) JOIN `, index, ` ON `, q.indexKey(), ` = w.id JOIN posts p ON p.id = w.id`)
		} else {
			b.add(index, ` JOIN posts p ON p.id = `, q.indexKey())
		}
		b.add(` JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE `, match, ` AND `)
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
	} else if walk {
		// Newest posts first, each tested by a probe of its topic and
		// space (a join would have SQLite build a Bloom filter over every
		// topic first), and no further back than the newestWalk-th post.
		b.add(`posts p INDEXED BY posts_created WHERE p.created_at >= (SELECT MIN(created_at) FROM (SELECT created_at FROM posts INDEXED BY posts_created ORDER BY created_at DESC, id DESC LIMIT `,
			b.arg(newestWalk), `)) AND EXISTS (SELECT 1 FROM topics t JOIN spaces s ON s.id = t.space_id WHERE t.id = p.topic_id AND `)
	} else {
		b.add(`posts p JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id WHERE `)
		if q.dialect != db.Postgres {
			for _, tag := range f.Tags {
				// Lets SQLite start from the tag's topics rather than
				// test every topic for it.
				b.add(`t.id IN (SELECT tt.topic_id FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = `, b.arg(Key(tag)), `) AND `)
			}
		}
	}
	b.add(searchable(&b, sc))
	searchFilters(&b, f)
	if walk {
		b.add(`)`)
	}
	b.add(` ORDER BY `, order, ` LIMIT `, b.arg(f.Limit), ` OFFSET `, b.arg(f.Offset), `) r
		JOIN posts p ON p.id = r.pid JOIN topics t ON t.id = p.topic_id JOIN spaces s ON s.id = t.space_id JOIN users au ON au.id = p.author_id`)
	if index != "" {
		// CROSS JOIN keeps SQLite from reordering: the index is probed by
		// rowid for each row of the page, not scanned for the match again.
		b.add(` CROSS JOIN `, index, ` WHERE `, q.indexKey(), ` = r.pid AND `, match)
	}
	b.add(` ORDER BY `, strings.NewReplacer("rnk", "r.rnk", "pscore", "r.pscore", "pcreated", "r.pcreated", "pid", "r.pid").Replace(order))
	args := b.args
	if window != nil {
		// Planned for these ids every time: a plan PostgreSQL keeps for
		// any array walked every match of the text and probed the array
		// for each (hundreds of milliseconds on 10,000 posts).
		args = append([]any{pgx.QueryExecModeExec}, args...)
	}
	rows, err := q.db.QueryContext(ctx, b.String(), args...)
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
		tsq := tsQuery(b, f)
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
	return `search_fts MATCH ` + m, `-` + bm25Weights,
		`snippet(search_fts, 2, char(2), char(3), '…', 24)`, `search_fts`
}

// tsQuery is PostgreSQL's tsquery for the words and phrases, each one the
// argument of plainto_tsquery or phraseto_tsquery.
func tsQuery(b *builder, f SearchQuery) string {
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
	return "(" + strings.Join(parts, op) + ")"
}

// ftsMatch is the FTS5 query for the words and phrases: each one quoted
// FTS5 string, so nothing typed is FTS syntax, all required unless Any.
func ftsMatch(f SearchQuery) string {
	var parts []string
	for _, s := range append(append([]string{}, f.Words...), f.Phrases...) {
		s = strings.ReplaceAll(s, tagMark, " ") // never a tag token
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

const searchCols = `p.id, p.topic_id, p.author_id, p.kind, p.score, p.created_at, au.id, au.username, au.display_name, au.role, au.avatar, ` + topicCols + `,
	s.id, s.slug, s.name, s.color, s.visibility`

func scanSearchHit(r scanner) (SearchHit, error) {
	var h SearchHit
	var tt topicTimes
	p, a, s := &h.Post, &h.Author, &h.Space
	dest := append([]any{&p.ID, &p.TopicID, &p.AuthorID, &p.Kind, &p.Score, &p.CreatedAt, &a.ID, &a.Username, &a.DisplayName, &a.Role, &a.Avatar},
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

// ReindexAll empties the search index and writes every post's row again,
// 500 posts per statement: one IndexPost per post (four queries each) took
// over ten minutes for the 575,000 posts of dataset M on PostgreSQL, when
// exporting.
func (q *Queries) ReindexAll(ctx context.Context) (int, error) {
	clear := []string{`DELETE FROM search_fts`, `DELETE FROM search_pending`}
	if q.dialect == db.Postgres {
		clear = []string{`DELETE FROM search_docs`}
	}
	for _, c := range clear {
		if _, err := q.db.ExecContext(ctx, c); err != nil {
			return 0, classify("clear search index", err)
		}
	}
	n := 0
	for after := int64(0); ; {
		docs, err := q.indexDocs(ctx, `p.id > $1 ORDER BY p.id LIMIT 500`, after)
		if err != nil || len(docs) == 0 {
			return n, err
		}
		if err := q.WriteIndexes(ctx, docs); err != nil {
			return n, err
		}
		n += len(docs)
		after = docs[len(docs)-1].PostID
	}
}

// indexDocs reads the search rows of the posts that cond (SQL over posts p,
// after WHERE, with ORDER BY and LIMIT if any) selects, with their topics'
// tags: the title and tags for opening posts only.
func (q *Queries) indexDocs(ctx context.Context, cond string, args ...any) ([]IndexDoc, error) {
	rows, err := q.db.QueryContext(ctx, `SELECT p.id, p.kind, p.body_html, t.id, t.title FROM posts p JOIN topics t ON t.id = p.topic_id
		WHERE `+cond, args...)
	type row struct {
		doc     IndexDoc
		kind    model.PostKind
		topicID int64
	}
	batch, err := collect(rows, err, "posts to index", func(r scanner) (row, error) {
		var x row
		return x, r.Scan(&x.doc.PostID, &x.kind, &x.doc.BodyHTML, &x.topicID, &x.doc.Title)
	})
	if err != nil || len(batch) == 0 {
		return nil, err
	}
	topics := make([]int64, len(batch))
	for i, x := range batch {
		topics[i] = x.topicID
	}
	names, err := q.topicTags(ctx, topics)
	if err != nil {
		return nil, err
	}
	var ids map[int64][]int64
	if q.dialect != db.Postgres { // tag sets are SQLite's
		if ids, err = q.tagIDsOfTopics(ctx, topics); err != nil {
			return nil, err
		}
	}
	docs := make([]IndexDoc, len(batch))
	for i, x := range batch {
		d := x.doc
		if x.kind == model.PostOpening {
			d.Tags = strings.Join(names[x.topicID], " ")
		} else {
			d.Title = ""
		}
		d.TagIDs = ids[x.topicID]
		docs[i] = d
	}
	return docs, nil
}

// tagIDsOfTopics returns the tag ids of each topic, for a batch of them.
func (q *Queries) tagIDsOfTopics(ctx context.Context, topics []int64) (map[int64][]int64, error) {
	var b builder
	b.add(`SELECT topic_id, tag_id FROM topic_tags WHERE topic_id IN (`, b.ids(topics), `) ORDER BY tag_id`)
	rows, err := q.db.QueryContext(ctx, b.String(), b.args...)
	pairs, err := collect(rows, err, "topic tag ids", func(r scanner) ([2]int64, error) {
		var p [2]int64
		return p, r.Scan(&p[0], &p[1])
	})
	out := map[int64][]int64{}
	for _, p := range pairs {
		out[p[0]] = append(out[p[0]], p[1])
	}
	return out, err
}

// sameIDs reports whether a and b hold the same ids, in any order.
func sameIDs(a, b []int64) bool {
	if len(a) != len(b) {
		return false
	}
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(a, b)
}
