package app_test

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"practica/internal/app"
	"practica/internal/db"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/testenv"
)

// stored is what the database holds, loaded in a few whole-table reads so
// that checking thousands of writes costs no query per write.
type stored struct {
	topics   map[int64]string // id → title
	topicRow map[int64]storedTopic
	byTitle  map[string][]int64 // title → topic ids
	tagged   map[int64]bool     // topics tagged "load"
	posts    map[int64]storedPost
	byBody   map[string][]int64 // body → post ids
	openings map[int64][]int64  // topic → its opening posts
	revs     map[int64][]storedRev
	votes    map[[2]int64]int // (post, voter) → value
	index    map[int64]string // post → its search text
	queued   map[int64]bool   // posts queued for the search index (SQLite)
	ledger   map[[2]string]int64
}

type storedTopic struct{ authorID, accepted int64 }

type storedPost struct {
	topicID, parentID, authorID, revision int64
	kind, body, topicKind                 string
}

type storedRev struct {
	number int64
	body   string
}

func query(t *testing.T, tx *sql.Tx, what, q string, scan func(*sql.Rows) error) {
	t.Helper()
	rows, err := tx.QueryContext(context.Background(), q)
	if err != nil {
		t.Fatalf("load %s: %v", what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			t.Fatalf("scan %s: %v", what, err)
		}
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("load %s: %v", what, err)
	}
}

// load reads every table in one read transaction: the server may be
// running beside it (after a restart its indexer empties the search queue),
// and tables read at different instants could show a post neither indexed
// nor queued although every commit kept it one or the other.
func load(t *testing.T, d *db.DB) *stored {
	t.Helper()
	// Repeatable read: PostgreSQL's default takes a snapshot per statement.
	tx, err := d.Read.BeginTx(context.Background(), &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
	if err != nil {
		t.Fatalf("begin the read: %v", err)
	}
	defer tx.Rollback()
	s := &stored{topics: map[int64]string{}, topicRow: map[int64]storedTopic{}, byTitle: map[string][]int64{}, tagged: map[int64]bool{}, posts: map[int64]storedPost{},
		byBody: map[string][]int64{}, openings: map[int64][]int64{}, revs: map[int64][]storedRev{}, votes: map[[2]int64]int{},
		index: map[int64]string{}, queued: map[int64]bool{}, ledger: map[[2]string]int64{}}
	topicKind := map[int64]string{}
	query(t, tx, "topics", `SELECT id, kind, title, author_id, COALESCE(accepted_post_id, 0) FROM topics`, func(r *sql.Rows) error {
		var id int64
		var kind, title string
		var row storedTopic
		err := r.Scan(&id, &kind, &title, &row.authorID, &row.accepted)
		s.topics[id], topicKind[id], s.topicRow[id] = title, kind, row
		s.byTitle[title] = append(s.byTitle[title], id)
		return err
	})
	query(t, tx, "topic tags", `SELECT tt.topic_id FROM topic_tags tt JOIN tags g ON g.id = tt.tag_id WHERE g.name = 'load'`, func(r *sql.Rows) error {
		var id int64
		err := r.Scan(&id)
		s.tagged[id] = true
		return err
	})
	query(t, tx, "posts", `SELECT id, topic_id, COALESCE(parent_id, 0), author_id, revision, kind, body FROM posts`, func(r *sql.Rows) error {
		var id int64
		var p storedPost
		err := r.Scan(&id, &p.topicID, &p.parentID, &p.authorID, &p.revision, &p.kind, &p.body)
		p.topicKind = topicKind[p.topicID]
		s.posts[id] = p
		s.byBody[p.body] = append(s.byBody[p.body], id)
		if p.kind == string(model.PostOpening) {
			s.openings[p.topicID] = append(s.openings[p.topicID], id)
		}
		return err
	})
	query(t, tx, "revisions", `SELECT post_id, number, body FROM post_revisions ORDER BY post_id, number`, func(r *sql.Rows) error {
		var id int64
		var rv storedRev
		err := r.Scan(&id, &rv.number, &rv.body)
		s.revs[id] = append(s.revs[id], rv)
		return err
	})
	query(t, tx, "votes", `SELECT post_id, user_id, value FROM votes`, func(r *sql.Rows) error {
		var k [2]int64
		var v int
		err := r.Scan(&k[0], &k[1], &v)
		s.votes[k] = v
		return err
	})
	index := `SELECT rowid, body FROM search_fts`
	if d.Dialect == db.Postgres {
		index = `SELECT post_id, body FROM search_docs`
	}
	query(t, tx, "search index", index, func(r *sql.Rows) error {
		var id int64
		var body string
		err := r.Scan(&id, &body)
		s.index[id] = body
		return err
	})
	if d.Dialect == db.SQLite {
		query(t, tx, "search queue", `SELECT post_id FROM search_pending`, func(r *sql.Rows) error {
			var id int64
			err := r.Scan(&id)
			s.queued[id] = true
			return err
		})
	}
	query(t, tx, "vote and accept ledger", `SELECT source, user_id, SUM(delta) FROM reputation_events WHERE source LIKE 'vote:%' OR source LIKE 'accept:%' GROUP BY source, user_id`, func(r *sql.Rows) error {
		var src string
		var user, sum int64
		err := r.Scan(&src, &user, &sum)
		if sum != 0 {
			s.ledger[[2]string{src, fmt.Sprint(user)}] = sum
		}
		return err
	})
	return s
}

var markerRE = regexp.MustCompile(`\bm\d+x\d+x\d+\b`)

// checkStored checks what must hold of any database the workload wrote,
// however its writers ended: each topic has one opening post; each post
// has revisions 1..n, the last holding its body; each post has a search row
// carrying its current marker or is queued for one; the vote ledger is exactly what the votes are
// worth; and the cached counters equal their recount (testenv.CheckCounters).
func checkStored(t *testing.T, d *db.DB, s *stored) {
	t.Helper()
	for id := range s.topics {
		if n := len(s.openings[id]); n != 1 {
			t.Errorf("topic %d (%q) has %d opening posts, want 1", id, s.topics[id], n)
		}
	}
	for id, p := range s.posts {
		revs := s.revs[id]
		if int64(len(revs)) != p.revision || len(revs) == 0 || revs[len(revs)-1].number != p.revision || revs[len(revs)-1].body != p.body {
			t.Errorf("post %d: revision %d, body %q, but its revisions are %v: a write was half applied", id, p.revision, p.body, revs)
		}
		text, ok := s.index[id]
		switch m := markerRE.FindString(p.body); {
		case s.queued[id]:
			// Committed with its post, indexed after commit: the row is
			// written from the post as it then is.
		case !ok:
			t.Errorf("post %d (%q) has no search index row", id, p.body)
		case m != "" && !strings.Contains(text, m):
			t.Errorf("post %d: search text %q lacks %s of the body %q: index and post disagree", id, text, m, p.body)
		}
	}
	want := map[[2]string]int64{}
	cfg := reputation.Default()
	for k, v := range s.votes {
		p := s.posts[k[0]]
		fact := reputation.VoteFact{PostID: k[0], VoterID: k[1], AuthorID: p.authorID, Value: v, Kind: model.PostKind(p.kind), Live: true}
		for _, a := range cfg.ForVote(fact) {
			want[[2]string{reputation.VoteSource(k[0], k[1]), fmt.Sprint(a.UserID)}] += a.Delta
		}
	}
	for id, tp := range s.topicRow {
		if tp.accepted == 0 {
			continue
		}
		fact := reputation.AcceptFact{TopicID: id, AskerID: tp.authorID, AnswerID: tp.accepted, AnswerAuthorID: s.posts[tp.accepted].authorID, Live: true}
		for _, a := range cfg.ForAccept(fact) {
			want[[2]string{reputation.AcceptSource(id), fmt.Sprint(a.UserID)}] += a.Delta
		}
	}
	for k, v := range want {
		if s.ledger[k] != v {
			t.Errorf("ledger source %s for user %s sums to %d, but the stored votes and accepted answers are worth %d", k[0], k[1], s.ledger[k], v)
		}
	}
	for k, v := range s.ledger {
		if _, ok := want[k]; !ok {
			t.Errorf("ledger source %s gives user %s %d, but no stored vote or accepted answer is worth anything there", k[0], k[1], v)
		}
	}
	(&testenv.Env{App: &app.App{DB: d}}).CheckCounters(t)
}

// checkWrites compares the record of writes with the database: every
// acknowledged write is stored once, with its id and content; every
// unacknowledged one wholly or not at all; no refused one at all; and
// nothing is stored that no writer sent.
func checkWrites(t *testing.T, s *stored, w *workload) (unansweredStored, unanswered int) {
	t.Helper()
	sent := map[string]bool{}
	type voteState struct {
		value int   // the last acknowledged vote
		maybe []int // votes sent after it with no answer
	}
	votes := map[[2]int64]*voteState{}
	accepts := map[int64][]int64{} // topic → answers named by accepts sent, answered or not
	ackedAccept := map[int64]bool{}
	for _, wr := range w.writers {
		for _, x := range wr.writes {
			if x.marker != "" {
				sent[x.marker] = true
			}
			var found bool
			switch x.op {
			case opTopic, opQuestion:
				found = checkTopicWrite(t, s, x)
			case opReply, opAnswer, opComment:
				found = checkPostWrite(t, s, x)
			case opEdit:
				found = checkEditWrite(t, s, x)
			case opAccept:
				if x.outcome != refused {
					accepts[x.target] = append(accepts[x.target], x.post)
				}
				ackedAccept[x.target] = ackedAccept[x.target] || x.outcome == acked
			case opVote:
				k := [2]int64{x.target, wr.userID}
				v := votes[k]
				if v == nil {
					v = &voteState{}
					votes[k] = v
				}
				switch x.outcome {
				case acked:
					v.value, v.maybe = x.value, nil
				case unacked, failed:
					v.maybe = append(v.maybe, x.value)
				}
			}
			if x.outcome == unacked && x.op != opVote {
				unanswered++
				if found {
					unansweredStored++
				}
			}
		}
	}
	for k, v := range votes {
		got := s.votes[k]
		if got != v.value && !slices.Contains(v.maybe, got) {
			t.Errorf("vote of user %d on post %d is %d, want %d (the last acknowledged) or one of the unanswered %v", k[1], k[0], got, v.value, v.maybe)
		}
	}
	for id, tp := range s.topicRow {
		switch {
		case tp.accepted != 0 && !slices.Contains(accepts[id], tp.accepted):
			t.Errorf("topic %d has accepted answer %d, which no writer accepted (sent: %v)", id, tp.accepted, accepts[id])
		case tp.accepted == 0 && ackedAccept[id]:
			t.Errorf("topic %d has no accepted answer after an acknowledged accept (sent: %v)", id, accepts[id])
		}
	}
	for k, v := range s.votes {
		if votes[k] == nil {
			t.Errorf("user %d has a vote %d on post %d that no writer sent", k[1], v, k[0])
		}
	}
	for id, p := range s.posts {
		for _, m := range markerRE.FindAllString(p.body, -1) {
			if !sent[m] {
				t.Errorf("post %d holds %q, which no writer sent", id, p.body)
			}
		}
	}
	return unansweredStored, unanswered
}

// checkTopicWrite checks a topic or question and reports whether it is stored.
func checkTopicWrite(t *testing.T, s *stored, x write) bool {
	t.Helper()
	ids := s.byTitle[x.title]
	switch {
	case x.outcome == acked && (len(ids) != 1 || ids[0] != x.id):
		t.Errorf("acknowledged %s %d %q: stored as topics %v, want exactly [%d]", x.op, x.id, x.title, ids, x.id)
		return len(ids) > 0
	case x.outcome == refused && len(ids) != 0:
		t.Errorf("refused %s %q (status %d) was stored as topics %v", x.op, x.title, x.status, ids)
		return true
	case len(ids) > 1:
		t.Errorf("%s %s %q stored %d times: %v", x.outcome, x.op, x.title, len(ids), ids)
		return true
	case len(ids) == 0:
		return false
	}
	id := ids[0]
	open := s.openings[id]
	if len(open) != 1 {
		return true // reported by checkStored
	}
	p := s.posts[open[0]]
	kind := "discussion"
	if x.op == opQuestion {
		kind = "question"
	}
	if revs := s.revs[open[0]]; p.topicKind != kind || !s.tagged[id] || len(revs) == 0 || revs[0].body != x.body {
		t.Errorf("%s %s %d stored incompletely: kind %s, tagged %v, opening post %q (revisions %v), want %s with %q",
			x.outcome, x.op, id, p.topicKind, s.tagged[id], p.body, s.revs[open[0]], kind, x.body)
	}
	return true
}

// checkPostWrite checks a reply, answer or comment and reports whether it is stored.
func checkPostWrite(t *testing.T, s *stored, x write) bool {
	t.Helper()
	ids := s.byBody[x.body]
	// An acknowledged post may have been edited since; find it by id.
	if x.outcome == acked {
		p, ok := s.posts[x.id]
		revs := s.revs[x.id]
		if !ok || len(revs) == 0 || revs[0].body != x.body {
			t.Errorf("acknowledged %s %d %q is missing or lost its first version (stored: %v %+v, revisions %v)", x.op, x.id, x.body, ok, p, revs)
			return ok
		}
		if x.op == opComment && (p.parentID != x.target || p.kind != "comment") || x.op != opComment && (p.topicID != x.target || p.kind != string(x.op)) {
			t.Errorf("acknowledged %s %d stored as a %s in topic %d under post %d, want target %d", x.op, x.id, p.kind, p.topicID, p.parentID, x.target)
		}
		if len(ids) > 1 {
			t.Errorf("acknowledged %s %q stored %d times: %v", x.op, x.body, len(ids), ids)
		}
		return true
	}
	switch {
	case x.outcome == refused && len(ids) != 0:
		t.Errorf("refused %s %q (status %d) was stored as posts %v", x.op, x.body, x.status, ids)
	case len(ids) > 1:
		t.Errorf("%s %s %q stored %d times: %v", x.outcome, x.op, x.body, len(ids), ids)
	}
	return len(ids) > 0
}

// checkEditWrite checks an edit and reports whether it is stored.
func checkEditWrite(t *testing.T, s *stored, x write) bool {
	t.Helper()
	n := 0
	for _, rv := range s.revs[x.target] {
		if rv.body == x.body {
			n++
		}
	}
	switch {
	case x.outcome == acked && n != 1:
		t.Errorf("acknowledged edit %s of post %d is in %d of its revisions, want 1", x.marker, x.target, n)
	case x.outcome == refused && n != 0:
		t.Errorf("refused edit %s of post %d (status %d) is in %d revisions", x.marker, x.target, x.status, n)
	case n > 1:
		t.Errorf("%s edit %s of post %d is in %d revisions", x.outcome, x.marker, x.target, n)
	}
	return n > 0
}
