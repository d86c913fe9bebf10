// Package importer brings a community's history in from elsewhere: today a
// Stack Exchange data dump. Imports are idempotent (what was imported is
// recorded in import_map, so a second run adds nothing and an interrupted one
// resumes) and never trust the source: bodies go through the same sanitizer
// as every post, and dangling references are counted and skipped.
package importer

import (
	"context"
	"errors"
	"fmt"
	"html"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/microcosm-cc/bluemonday"

	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/store"
)

// Options configure a Stack Exchange import.
type Options struct {
	// Dir holds the dump's XML files (Posts.xml, Users.xml, ...).
	Dir string
	// Space is the slug of the space to import into; it is created (public)
	// when missing. Empty: derived from the site's name.
	Space string
	// SiteURL is the original site, for links and attribution. Empty:
	// https:// plus the folder's name when that looks like a host name.
	SiteURL string
	// Progress, when set, receives a one-line progress display (\r-updated).
	Progress io.Writer
}

// Summary says what an import did.
type Summary struct {
	Space string
	// New and Existing count, per kind, what this run imported and what an
	// earlier run had already imported.
	New, Existing map[string]int
	// Skipped counts rows left out, by reason.
	Skipped map[string]int
	// Steps says how long each file took, in order.
	Steps []Step
}

// Step is one file's part of an import.
type Step struct {
	File string
	Took time.Duration
}

// batch is how many rows go in one transaction: big enough to be fast with
// synchronous commits, small enough that an interruption loses little.
const batch = 500

// importer holds one run's state.
type importer struct {
	st          *store.Store
	md          *markup.Renderer
	now         func() time.Time
	opts        Options
	importID    int64
	space       model.Space
	users       map[string]int64 // source user id (or "name:" + display name) -> user
	posts       map[string]int64 // source post id -> post
	topics      map[string]int64 // source question id -> topic
	comments    map[string]int64
	badges      map[string]int64
	links       map[string]int64
	tags        map[string]int64
	postKind    map[int64]string  // local post id -> "q" or "a"
	topicOfPost map[int64]int64   // local post id -> its topic, for comments
	taken       map[string]bool   // username keys in use
	excerpts    map[string]string // tag excerpt post id -> body
	tagByName   map[string]int64  // tag ids met so far
	accepted    map[int64]string  // new topic -> its accepted answer's source id
	// topicTags are topics' tag ids in id order, for their posts' search
	// rows (see store.IndexDoc).
	topicTags map[int64][]int64
	// empty is an empty body rendered, once.
	empty   *string
	summary Summary
	strip   *bluemonday.Policy
	// w buffers the current batch's rows (nil outside one).
	w *batchWriter
	// readers are the files being read ahead, by path.
	readers map[string]*reader
}

// StackExchange imports a Stack Exchange data dump directory.
func StackExchange(ctx context.Context, st *store.Store, md *markup.Renderer, now func() time.Time, opts Options) (Summary, error) {
	if _, err := os.Stat(filepath.Join(opts.Dir, "Posts.xml")); err != nil {
		return Summary{}, fmt.Errorf("%s does not look like a Stack Exchange dump: %w", opts.Dir, err)
	}
	site := filepath.Base(filepath.Clean(opts.Dir))
	if opts.SiteURL == "" && strings.Contains(site, ".") {
		opts.SiteURL = "https://" + site
	}
	opts.SiteURL = strings.TrimRight(opts.SiteURL, "/")
	im := &importer{st: st, md: md, now: now, opts: opts, strip: bluemonday.StrictPolicy(),
		postKind: map[int64]string{}, topicOfPost: map[int64]int64{}, excerpts: map[string]string{}, tagByName: map[string]int64{}, accepted: map[int64]string{}, topicTags: map[int64][]int64{},
		summary: Summary{New: map[string]int{}, Existing: map[string]int{}, Skipped: map[string]int{}}}
	if err := im.start(ctx, site); err != nil {
		return im.summary, err
	}
	steps := []struct {
		file string
		run  func(context.Context, string) error
	}{
		{"Users.xml", im.importUsers},
		{"Posts.xml", im.importPosts},
		{"Tags.xml", im.importTags},
		{"Comments.xml", im.importComments},
		{"PostLinks.xml", im.importLinks},
		{"Badges.xml", im.importBadges},
		{"Votes.xml", im.countVotes},
		{"PostHistory.xml", im.importHistory},
	}
	// The next file is read ahead while the writer stores this one: parsing
	// and rendering overlap writing without piling up work for later files.
	im.readers = map[string]*reader{}
	defer func() {
		for _, rd := range im.readers {
			rd.close()
		}
	}()
	for i, s := range steps {
		if i+1 < len(steps) {
			next := filepath.Join(opts.Dir, steps[i+1].file)
			if _, err := os.Stat(next); err == nil && steps[i+1].file != "PostHistory.xml" && steps[i+1].file != "Votes.xml" && im.readers[next] == nil {
				im.readers[next] = im.readAhead(ctx, next)
			}
		}
		path := filepath.Join(opts.Dir, s.file)
		if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) && s.file != "Posts.xml" {
			continue
		}
		began := time.Now()
		if err := s.run(ctx, path); err != nil {
			return im.summary, err
		}
		im.summary.Steps = append(im.summary.Steps, Step{s.file, time.Since(began)})
	}
	err := st.InTx(ctx, func(q *store.Queries) error {
		if err := q.RecountImported(ctx, im.importID, im.space.ID); err != nil {
			return err
		}
		if err := q.RefreshStatistics(ctx); err != nil {
			return err
		}
		return q.FinishImport(ctx, im.importID, now())
	})
	im.progress("", 0, 0)
	return im.summary, err
}

// start finds or creates the space and the import record, and loads what
// earlier runs imported.
func (im *importer) start(ctx context.Context, site string) error {
	return im.st.InTx(ctx, func(q *store.Queries) error {
		id, spaceID, err := q.FindImport(ctx, site)
		switch {
		case err == nil:
			// A rerun continues into the space of the first run.
			if im.space, err = q.Space(ctx, spaceID); err != nil {
				return err
			}
			if im.opts.Space != "" && !strings.EqualFold(im.opts.Space, im.space.Slug) {
				return fmt.Errorf("%s was imported into space %q; run again with --space %s (or without --space)", site, im.space.Slug, im.space.Slug)
			}
			im.importID = id
		case errors.Is(err, store.ErrNotFound):
			if err := im.createSpace(ctx, q, site); err != nil {
				return err
			}
			if im.importID, err = q.StartImport(ctx, site, im.opts.SiteURL, im.space.ID, im.now()); err != nil {
				return err
			}
		default:
			return err
		}
		im.summary.Space = im.space.Slug
		for kind, m := range map[string]*map[string]int64{"user": &im.users, "post": &im.posts, "topic": &im.topics, "comment": &im.comments, "badge": &im.badges, "link": &im.links, "tag": &im.tags} {
			if *m, err = q.ImportMap(ctx, im.importID, kind); err != nil {
				return err
			}
		}
		im.taken, err = q.Usernames(ctx)
		return err
	})
}

// createSpace finds or creates the space a first run imports into, and
// gives it the attribution of the source.
func (im *importer) createSpace(ctx context.Context, q *store.Queries, site string) error {
	slug := community.Slugify(im.opts.Space, 40)
	if im.opts.Space == "" {
		slug = community.Slugify(strings.Split(site, ".")[0], 40)
	} else if slug != strings.ToLower(im.opts.Space) {
		return fmt.Errorf("--space %q is not a space slug (lowercase letters, digits and dashes, such as %q)", im.opts.Space, slug)
	}
	if slug == "" {
		slug = "imported"
	}
	sp, err := q.SpaceBySlug(ctx, slug)
	if errors.Is(err, store.ErrNotFound) {
		name := strings.ToUpper(slug[:1]) + strings.ReplaceAll(slug[1:], "-", " ")
		sp, err = q.CreateSpace(ctx, model.Space{Slug: slug, Name: name, Visibility: model.Public, Color: "slate",
			Focus: "Questions and answers imported from " + site + ".", CreatedAt: im.now()})
	}
	if err != nil {
		return err
	}
	im.space = sp
	attribution := fmt.Sprintf("Questions, answers and comments here come from %s (Stack Exchange), written by its members and licensed "+
		"under CC BY-SA (3.0 before 2018-05-02, 4.0 after). Each imported post links to its original and names its author; "+
		"formatting was adapted on import.", im.opts.SiteURL)
	return q.SetSpaceAttribution(ctx, sp.ID, attribution)
}

// each reads a file's rows in batches of transactions, calling fn per row;
// what fn buffers in im.w is written at the end of each batch.
func (im *importer) each(ctx context.Context, path, label string, fn func(q *store.Queries, r Row) error) error {
	rd, ok := im.readers[path]
	if !ok {
		rd = im.readAhead(ctx, path)
	}
	delete(im.readers, path)
	for rows := range rd.batches {
		im.progress(label, rd.done.Load(), rd.total.Load())
		err := im.st.InTx(ctx, func(q *store.Queries) error {
			w, err := newBatch(ctx, q, len(rows))
			if err != nil {
				return err
			}
			im.w = w
			defer func() { im.w = nil }()
			for _, r := range rows {
				if err := fn(q, r); err != nil {
					return fmt.Errorf("%s row %s: %w", filepath.Base(path), r["Id"], err)
				}
			}
			return w.flush(ctx, q)
		})
		if err != nil {
			rd.close()
			return err
		}
	}
	return <-rd.err
}

// reader is a dump file being read ahead of the writer: batches of parsed
// rows with their bodies already rendered.
type reader struct {
	batches     chan []Row
	err         chan error
	stop        context.CancelFunc
	done, total atomic.Int64
}

// readAheadDepth bounds how many batches a reader may hold before the writer
// takes them, and so the memory an import uses.
const readAheadDepth = 16

// readAhead starts a goroutine that parses path and renders its bodies
// (the CPU-heavy part), so that parsing overlaps writing, and the next files
// are ready when the writer gets to them.
func (im *importer) readAhead(ctx context.Context, path string) *reader {
	readCtx, stop := context.WithCancel(ctx)
	rd := &reader{batches: make(chan []Row, readAheadDepth), err: make(chan error, 1), stop: stop}
	go func() {
		defer close(rd.batches)
		var rows []Row
		send := func() bool {
			im.prerenderAll(rows)
			select {
			case rd.batches <- rows:
				rows = nil
				return true
			case <-readCtx.Done():
				return false
			}
		}
		err := ReadRows(path, func(done, total int64) { rd.done.Store(done); rd.total.Store(total) }, func(r Row) error {
			if err := readCtx.Err(); err != nil {
				return err
			}
			if rows = append(rows, r); len(rows) >= batch && !send() {
				return readCtx.Err()
			}
			return nil
		})
		if err == nil && len(rows) > 0 {
			send()
		}
		rd.err <- err
	}()
	return rd
}

// close stops a reader and waits for its goroutine to end.
func (rd *reader) close() {
	rd.stop()
	for range rd.batches {
	}
}

// renderedKey holds a row's body rendered by the reader goroutine, and
// textKey its plain text for the search index.
const (
	renderedKey = "\x00html"
	textKey     = "\x00text"
)

// prerenderAll renders a batch's bodies. One goroutine per file is enough:
// the writer, not rendering, bounds an import's time.
func (im *importer) prerenderAll(rows []Row) {
	for _, r := range rows {
		im.prerender(r)
	}
}

// prerender renders the body of a post or comment row (or the profile of a
// user) ahead of writing it.
func (im *importer) prerender(r Row) {
	switch {
	case r.Has("Body") && (r["PostTypeId"] == "1" || r["PostTypeId"] == "2"):
		r[renderedKey] = im.md.RenderImported(r["Body"])
		r[textKey] = markup.TextOfHTML(r[renderedKey])
	case r.Has("Text") && r.Has("PostId") && !r.Has("PostHistoryTypeId"):
		r[renderedKey] = im.md.RenderImported(r["Text"])
		r[textKey] = markup.TextOfHTML(r[renderedKey])
	case r.Has("AboutMe"):
		r[renderedKey] = im.plain(r["AboutMe"], 500)
	}
}

// rendered returns a row's prerendered body, rendering src if there is none
// (an empty one once: most members leave their profile empty).
func (im *importer) rendered(r Row, src string) string {
	if h, ok := r[renderedKey]; ok {
		return h
	}
	if src == "" {
		if im.empty == nil {
			h := im.md.RenderImported("")
			im.empty = &h
		}
		return *im.empty
	}
	return im.md.RenderImported(src)
}

// batchWriter buffers one transaction's new rows and writes them in a few
// multi-row statements, with ids reserved up front.
type batchWriter struct {
	// reps are imported-reputation ledger rows for accounts of this batch.
	reps [][]any

	userIDs, postIDs, topicIDs                               []int64
	users, topics, topicTags, posts, revisions, maps, badges [][]any
	docs                                                     []store.IndexDoc
}

func newBatch(ctx context.Context, q *store.Queries, n int) (*batchWriter, error) {
	w := &batchWriter{}
	for _, r := range []struct {
		table string
		ids   *[]int64
	}{{"users", &w.userIDs}, {"posts", &w.postIDs}, {"topics", &w.topicIDs}} {
		var err error
		if *r.ids, err = q.ReserveIDs(ctx, r.table, n); err != nil {
			return nil, err
		}
	}
	return w, nil
}

// topic buffers a question and its tags and returns its id.
func (w *batchWriter) topic(t store.ImportedTopic, tagIDs []int64) int64 {
	id := take(&w.topicIDs)
	w.topics = append(w.topics, store.ImportedTopicRow(id, t))
	for _, tag := range tagIDs {
		w.topicTags = append(w.topicTags, []any{id, tag})
	}
	return id
}

func take(ids *[]int64) int64 {
	id := (*ids)[0]
	*ids = (*ids)[1:]
	return id
}

// user buffers a placeholder account and returns its id.
func (w *batchWriter) user(u model.User) int64 {
	id := take(&w.userIDs)
	w.users = append(w.users, store.PlaceholderRow(id, u))
	return id
}

// post buffers a post with its first revision and search row; tagIDs are
// its topic's.
func (w *batchWriter) post(p store.ImportedPost, title, tags string, tagIDs []int64) int64 {
	id := take(&w.postIDs)
	w.posts = append(w.posts, store.ImportedPostRow(id, p))
	w.revisions = append(w.revisions, store.FirstRevisionRow(id, p, title, tags))
	w.docs = append(w.docs, store.IndexDoc{PostID: id, Title: title, Tags: tags, BodyHTML: p.BodyHTML, Text: p.Text, TagIDs: tagIDs})
	return id
}

// tagsOfTopic returns a topic's tag ids in id order: known for a topic of
// this run, read for one an earlier run imported.
func (im *importer) tagsOfTopic(ctx context.Context, q *store.Queries, topicID int64) ([]int64, error) {
	if ids, ok := im.topicTags[topicID]; ok {
		return ids, nil
	}
	ids, err := q.TopicTagIDs(ctx, topicID)
	if err == nil {
		im.topicTags[topicID] = ids
	}
	return ids, err
}

// flushUsers writes the buffered accounts now, for a row that refers to one
// by a foreign key before the batch ends.
func (w *batchWriter) flushUsers(ctx context.Context, q *store.Queries) error {
	err := q.InsertRows(ctx, "users", w.users)
	w.users = nil
	return err
}

func (w *batchWriter) flush(ctx context.Context, q *store.Queries) error {
	if err := w.flushUsers(ctx, q); err != nil {
		return err
	}
	for _, t := range []struct {
		table string
		rows  [][]any
	}{{"reputation_events", w.reps}, {"topics", w.topics}, {"topic_tags", w.topicTags}, {"posts", w.posts}, {"post_revisions", w.revisions},
		{"user_badges", w.badges}, {"import_map", w.maps}} {
		if err := q.InsertRows(ctx, t.table, t.rows); err != nil {
			return err
		}
	}
	return q.WriteIndexes(ctx, w.docs)
}

// progress redraws the progress line; an empty label clears it.
func (im *importer) progress(label string, done, total int64) {
	if im.opts.Progress == nil {
		return
	}
	if label == "" {
		fmt.Fprint(im.opts.Progress, "\r\033[K")
		return
	}
	pct := 100
	if total > 0 {
		pct = int(done * 100 / total)
	}
	bar := strings.Repeat("#", pct/5) + strings.Repeat(".", 20-pct/5)
	fmt.Fprintf(im.opts.Progress, "\r%-10s [%s] %3d%%", label, bar, pct)
}

// known counts a row imported by an earlier run; it reports whether ext was.
func (im *importer) known(m map[string]int64, kind, ext string) bool {
	if _, ok := m[ext]; ok {
		im.summary.Existing[kind]++
		return true
	}
	return false
}

func (im *importer) skip(reason string) { im.summary.Skipped[reason]++ }

// remember records a newly imported row in the map of its kind, counting it
// under label (none when empty).
func (im *importer) remember(ctx context.Context, q *store.Queries, m map[string]int64, kind, label, ext string, id int64) error {
	m[ext] = id
	if label != "" {
		im.summary.New[label]++
	}
	if im.w != nil {
		im.w.maps = append(im.w.maps, []any{im.importID, kind, ext, id})
		return nil
	}
	return q.MapImported(ctx, im.importID, kind, ext, id)
}

// placeholder creates an imported author: buffered within a batch, at once
// outside one.
func (im *importer) placeholder(ctx context.Context, q *store.Queries, u model.User) (int64, error) {
	if im.w != nil {
		return im.w.user(u), nil
	}
	return q.CreatePlaceholder(ctx, u)
}

var usernameJunk = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// username makes a valid, free username from a display name, falling back
// to the source id, and marks it taken.
func (im *importer) username(display, ext string) (string, error) {
	base := strings.Trim(usernameJunk.ReplaceAllString(strings.ReplaceAll(strings.TrimSpace(display), " ", "-"), ""), "-._")
	if len(base) > 24 {
		base = strings.Trim(base[:24], "-.")
	}
	if len(base) < 3 {
		base = "user"
	}
	ext = usernameJunk.ReplaceAllString(ext, "")
	for _, name := range []string{base, base + "-" + ext, "se-user-" + ext} {
		if key := store.Key(name); !im.taken[key] {
			im.taken[key] = true
			return name, nil
		}
	}
	return "", fmt.Errorf("no free username for %q", display)
}

func (im *importer) importUsers(ctx context.Context, path string) error {
	source := reputation.ImportSource(im.importID)
	return im.each(ctx, path, "users", func(q *store.Queries, r Row) error {
		ext := r["Id"]
		if im.known(im.users, "users", ext) {
			return nil
		}
		name, err := im.username(r["DisplayName"], strings.TrimPrefix(ext, "-"))
		if err != nil {
			return err
		}
		role := model.RoleMember
		if ext == "-1" { // the dump's "Community" account: automated actions
			role = model.RoleSystem
		}
		// The reputation members earned at the source comes with them, as one
		// trusted ledger row each, written with the account, which starts
		// with that sum.
		rep := r.Int("Reputation")
		if role == model.RoleSystem {
			rep = 0
		}
		id, err := im.placeholder(ctx, q, model.User{Username: name, DisplayName: r["DisplayName"], Bio: im.rendered(r, r["AboutMe"]), Role: role, Reputation: rep, CreatedAt: im.date(r, "CreationDate")})
		if err != nil {
			return err
		}
		if rep != 0 {
			im.w.reps = append(im.w.reps, []any{id, rep, "imported", source, im.now()})
		}
		return im.remember(ctx, q, im.users, "user", "users", ext, id)
	})
}

// author maps a row's owner to a member: its user, else a placeholder for
// the name the dump kept, else the dump's Community account.
func (im *importer) author(ctx context.Context, q *store.Queries, r Row, idAttr, nameAttr string) (int64, error) {
	if id, ok := im.users[r[idAttr]]; ok && r.Has(idAttr) {
		return id, nil
	}
	display := r[nameAttr]
	if display == "" {
		if id, ok := im.users["-1"]; ok {
			return id, nil
		}
		display = "Anonymous"
	}
	key := "name:" + display
	if id, ok := im.users[key]; ok {
		return id, nil
	}
	name, err := im.username(display, strconv.Itoa(len(im.users)+1))
	if err != nil {
		return 0, err
	}
	id, err := im.placeholder(ctx, q, model.User{Username: name, DisplayName: display, Role: model.RoleMember, CreatedAt: im.date(r, "CreationDate")})
	if err != nil {
		return 0, err
	}
	return id, im.remember(ctx, q, im.users, "user", "users", key, id)
}

// date returns a row's timestamp, or the import time when it has none.
func (im *importer) date(r Row, name string) time.Time {
	if t := r.Time(name); !t.IsZero() {
		return t
	}
	return im.now()
}

// plain turns source HTML into plain text of at most n characters.
func (im *importer) plain(src string, n int) string {
	s := strings.Join(strings.Fields(html.UnescapeString(im.strip.Sanitize(src))), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

// question imports a question row; its accepted answer is set at the end of
// the file (see importPosts), once, when the question is new.
func (im *importer) question(ctx context.Context, q *store.Queries, r Row) error {
	ext := r["Id"]
	if im.known(im.topics, "questions", ext) {
		im.postKind[im.posts[ext]], im.topicOfPost[im.posts[ext]] = "q", im.topics[ext]
		return nil
	}
	author, err := im.author(ctx, q, r, "OwnerUserId", "OwnerDisplayName")
	if err != nil {
		return err
	}
	title := content.FitTitle(r["Title"])
	if title == "" {
		im.skip("questions without a title")
		return nil
	}
	created := im.date(r, "CreationDate")
	slug := community.Slugify(title, 60)
	if slug == "" {
		slug = "topic"
	}
	t := store.ImportedTopic{ImportID: im.importID, SpaceID: im.space.ID, AuthorID: author, Title: title, Slug: slug, Tags: ParseTags(r["Tags"]),
		CreatedAt: created, LastActivity: maxTime(created, r.Time("LastActivityDate")), ViewCount: r.Int("ViewCount"), ClosedAt: r.TimePtr("ClosedDate"),
		Opening: im.post(r, author)}
	tagIDs, err := im.tagIDs(ctx, q, t.Tags)
	if err != nil {
		return err
	}
	topicID := im.w.topic(t, tagIDs)
	im.topicTags[topicID] = slices.Sorted(slices.Values(tagIDs))
	t.Opening.TopicID, t.Opening.Kind = topicID, model.PostOpening
	postID := im.w.post(t.Opening, t.Title, strings.Join(t.Tags, " "), im.topicTags[topicID])
	im.postKind[postID], im.topicOfPost[postID] = "q", topicID
	if err := im.remember(ctx, q, im.posts, "post", "", ext, postID); err != nil {
		return err
	}
	if r.Has("AcceptedAnswerId") {
		im.accepted[topicID] = r["AcceptedAnswerId"]
	}
	return im.remember(ctx, q, im.topics, "topic", "questions", ext, topicID)
}

// tagIDs returns the ids of tag names, creating the tags met for the first time.
func (im *importer) tagIDs(ctx context.Context, q *store.Queries, names []string) ([]int64, error) {
	ids := make([]int64, 0, len(names))
	for _, n := range names {
		id, ok := im.tagByName[n]
		if !ok {
			var err error
			if id, err = q.EnsureTag(ctx, n, im.now()); err != nil {
				return nil, err
			}
			im.tagByName[n] = id
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// post is a dump row as a post body, rendered through the one sanitizer.
func (im *importer) post(r Row, author int64) store.ImportedPost {
	body := r["Body"]
	return store.ImportedPost{AuthorID: author, Body: body, BodyHTML: im.rendered(r, body), Text: r[textKey], Score: r.Int("Score"),
		CreatedAt: im.date(r, "CreationDate"), EditedAt: r.TimePtr("LastEditDate"), WikiAt: r.TimePtr("CommunityOwnedDate")}
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// importPosts reads Posts.xml once: questions, answers (those met before
// their question wait for the end of the file), accepted answers, and the
// tag excerpts importTags uses.
func (im *importer) importPosts(ctx context.Context, path string) error {
	var early []Row
	err := im.each(ctx, path, "posts", func(q *store.Queries, r Row) error {
		switch r["PostTypeId"] {
		case "1":
			if err := im.question(ctx, q, r); err != nil {
				return err
			}
			return nil
		case "2":
			if _, ok := im.topics[r["ParentId"]]; !ok {
				early = append(early, r)
				return nil
			}
			return im.answer(ctx, q, r)
		case "4":
			im.excerpts[r["Id"]] = r["Body"]
			return nil
		case "5":
			return nil // tag wikis: the excerpts serve as descriptions
		}
		im.skip("posts of other types (moderator nominations, wiki placeholders...)")
		return nil
	})
	if err != nil {
		return err
	}
	return im.st.InTx(ctx, func(q *store.Queries) error {
		w, err := newBatch(ctx, q, len(early))
		if err != nil {
			return err
		}
		im.w = w
		defer func() { im.w = nil }()
		for _, r := range early {
			if err := im.answer(ctx, q, r); err != nil {
				return fmt.Errorf("Posts.xml row %s: %w", r["Id"], err)
			}
		}
		if err := w.flush(ctx, q); err != nil {
			return err
		}
		for topic, ext := range im.accepted {
			id, ok := im.posts[ext]
			if !ok || im.postKind[id] != "a" {
				im.skip("accepted answers not in the dump")
				continue
			}
			if err := q.SetAccepted(ctx, topic, id); err != nil {
				return err
			}
		}
		return nil
	})
}

// answer imports an answer row.
func (im *importer) answer(ctx context.Context, q *store.Queries, r Row) error {
	ext := r["Id"]
	if im.known(im.posts, "answers", ext) {
		im.postKind[im.posts[ext]] = "a"
		if p, err := q.Post(ctx, im.posts[ext]); err == nil {
			im.topicOfPost[p.ID] = p.TopicID
		}
		return nil
	}
	topicID, ok := im.topics[r["ParentId"]]
	if !ok {
		im.skip("answers to questions not in the dump")
		return nil
	}
	author, err := im.author(ctx, q, r, "OwnerUserId", "OwnerDisplayName")
	if err != nil {
		return err
	}
	p := im.post(r, author)
	p.TopicID, p.Kind = topicID, model.PostAnswer
	tags, err := im.tagsOfTopic(ctx, q, topicID)
	if err != nil {
		return err
	}
	id := im.w.post(p, "", "", tags)
	im.postKind[id], im.topicOfPost[id] = "a", topicID
	return im.remember(ctx, q, im.posts, "post", "answers", ext, id)
}

// importTags names every tag of the dump (even unused ones) and fills empty
// descriptions from the tag excerpts.
func (im *importer) importTags(ctx context.Context, path string) error {
	excerpts := map[string]string{} // excerpt post id -> tag
	err := im.each(ctx, path, "tags", func(q *store.Queries, r Row) error {
		name := strings.ToLower(strings.TrimSpace(r["TagName"]))
		if !tagRE.MatchString(name) {
			im.skip("tags whose names are not valid tags")
			return nil
		}
		if r.Has("ExcerptPostId") {
			excerpts[r["ExcerptPostId"]] = name
		}
		if im.known(im.tags, "tags", name) {
			return nil
		}
		id, err := q.EnsureTag(ctx, name, im.now())
		if err != nil {
			return err
		}
		return im.remember(ctx, q, im.tags, "tag", "tags", name, id)
	})
	if err != nil || len(excerpts) == 0 {
		return err
	}
	return im.st.InTx(ctx, func(q *store.Queries) error {
		for id, tag := range excerpts {
			if d := im.plain(im.excerpts[id], 600); d != "" {
				if err := q.SetTagDescriptionIfEmpty(ctx, tag, d); err != nil {
					return err
				}
			}
		}
		return nil
	})
}

func (im *importer) importComments(ctx context.Context, path string) error {
	return im.each(ctx, path, "comments", func(q *store.Queries, r Row) error {
		ext := r["Id"]
		if im.known(im.comments, "comments", ext) {
			return nil
		}
		parent, ok := im.posts[r["PostId"]]
		if !ok {
			im.skip("comments on posts not in the dump")
			return nil
		}
		author, err := im.author(ctx, q, r, "UserId", "UserDisplayName")
		if err != nil {
			return err
		}
		text := r["Text"]
		p := store.ImportedPost{TopicID: im.topicOfPost[parent], ParentID: parent, AuthorID: author, Kind: model.PostComment,
			Body: text, BodyHTML: im.rendered(r, text), Text: r[textKey], Score: r.Int("Score"), CreatedAt: im.date(r, "CreationDate")}
		tags, err := im.tagsOfTopic(ctx, q, p.TopicID)
		if err != nil {
			return err
		}
		id := im.w.post(p, "", "", tags)
		return im.remember(ctx, q, im.comments, "comment", "comments", ext, id)
	})
}

func (im *importer) importLinks(ctx context.Context, path string) error {
	return im.each(ctx, path, "links", func(q *store.Queries, r Row) error {
		ext := r["Id"]
		if im.known(im.links, "links", ext) {
			return nil
		}
		from, ok1 := im.topicOf(ctx, q, r["PostId"])
		to, ok2 := im.topicOf(ctx, q, r["RelatedPostId"])
		if !ok1 || !ok2 || from == to {
			im.skip("links to posts not in the dump")
			return nil
		}
		kind := "related"
		if r["LinkTypeId"] == "3" {
			kind = "duplicate"
		}
		if err := q.LinkTopics(ctx, from, to, kind, im.date(r, "CreationDate")); err != nil {
			return err
		}
		return im.remember(ctx, q, im.links, "link", "links", ext, from)
	})
}

// topicOf is the topic of a source post (question or answer).
func (im *importer) topicOf(ctx context.Context, q *store.Queries, ext string) (int64, bool) {
	if t, ok := im.topics[ext]; ok {
		return t, true
	}
	id, ok := im.posts[ext]
	if !ok {
		return 0, false
	}
	p, err := q.Post(ctx, id)
	return p.TopicID, err == nil
}

// badgeTiers maps the dumps' badge classes to tiers.
var badgeTiers = map[string]reputation.Tier{"1": reputation.Gold, "2": reputation.Silver, "3": reputation.Bronze}

func (im *importer) importBadges(ctx context.Context, path string) error {
	return im.each(ctx, path, "badges", func(q *store.Queries, r Row) error {
		ext := r["Id"]
		if im.known(im.badges, "badges", ext) {
			return nil
		}
		user, ok := im.users[r["UserId"]]
		tier, known := badgeTiers[r["Class"]]
		switch {
		case !ok:
			im.skip("badges of users not in the dump")
			return nil
		case !known || strings.TrimSpace(r["Name"]) == "":
			im.skip("badges of an unknown class")
			return nil
		}
		// A badge may be earned many times: each award keeps its identity as
		// a negative post id (see store.AddImportedBadge).
		im.w.badges = append(im.w.badges, []any{user, reputation.ImportedBadgeKey(tier, r["Name"]), -r.Int("Id"), im.date(r, "Date")})
		im.badges[ext] = user // no map row: the award's post id keeps ext
		im.summary.New["badges"]++
		return nil
	})
}

// countVotes reads the votes only to report on them: the dumps leave out
// who voted, so each post's score is kept as its base score instead.
func (im *importer) countVotes(ctx context.Context, path string) error {
	return ReadRows(path, func(done, total int64) { im.progress("votes", done, total) }, func(r Row) error {
		switch {
		case r["PostId"] == "" || im.posts[r["PostId"]] == 0:
			im.skip("votes on posts not in the dump (deleted posts)")
		case r["VoteTypeId"] == "2" || r["VoteTypeId"] == "3":
			im.skip("up and down votes kept as scores (the dump names no voters)")
		default:
			im.skip("other votes (favorites, bounties, close and delete votes)")
		}
		return nil
	})
}

// historyTypes sorts PostHistory rows: which carry a body, a title or tags.
var historyTypes = map[string]string{"2": "body", "5": "body", "8": "body", "1": "title", "4": "title", "7": "title", "3": "tags", "6": "tags", "9": "tags"}

// importHistory rebuilds the revisions of imported posts from PostHistory.xml
// when the dump has it: rows sharing a RevisionGUID make one revision.
func (im *importer) importHistory(ctx context.Context, path string) error {
	history := map[int64][]*historyRev{}
	err := ReadRows(path, func(done, total int64) { im.progress("history", done, total) }, func(r Row) error {
		what, ok := historyTypes[r["PostHistoryTypeId"]]
		post := im.posts[r["PostId"]]
		if !ok || post == 0 {
			return nil
		}
		revs := history[post]
		var cur *historyRev
		if n := len(revs); n > 0 && revs[n-1].guid == r["RevisionGUID"] {
			cur = revs[n-1]
		} else {
			cur = &historyRev{guid: r["RevisionGUID"], at: im.date(r, "CreationDate"), editor: r}
			history[post] = append(revs, cur)
		}
		v := r["Text"]
		switch what {
		case "body":
			cur.body = &v
		case "title":
			v = content.FitTitle(v)
			cur.title = &v
		case "tags":
			t := strings.Join(ParseTags(v), " ")
			cur.tags = &t
		}
		return nil
	})
	if err != nil {
		return err
	}
	ids := make([]int64, 0, len(history))
	for id := range history {
		ids = append(ids, id)
	}
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	done, err := im.st.Read().ImportMap(ctx, im.importID, "history")
	if err != nil {
		return err
	}
	// One transaction per batch of posts, so a running server's writers are
	// never held up for the whole file.
	for start := 0; start < len(ids); start += batch {
		if err := im.writeHistory(ctx, ids[start:min(start+batch, len(ids))], history, done); err != nil {
			return err
		}
	}
	return nil
}

// historyRev is one revision read from PostHistory.xml (rows sharing a
// RevisionGUID); nil fields did not change.
type historyRev struct {
	guid              string
	at                time.Time
	editor            Row
	body, title, tags *string
}

// writeHistory replaces the first revision of each post with its history.
func (im *importer) writeHistory(ctx context.Context, ids []int64, history map[int64][]*historyRev, done map[string]int64) error {
	return im.st.InTx(ctx, func(q *store.Queries) error {
		for _, id := range ids {
			ext := strconv.FormatInt(id, 10)
			if _, ok := done[ext]; ok {
				im.summary.Existing["revisions"] += len(history[id])
				continue
			}
			var revs []model.Revision
			var body, title, tags string
			for _, h := range history[id] {
				if h.body != nil {
					body = *h.body
				}
				if h.title != nil {
					title = *h.title
				}
				if h.tags != nil {
					tags = *h.tags
				}
				editor, err := im.author(ctx, q, h.editor, "UserId", "UserDisplayName")
				if err != nil {
					return err
				}
				r := model.Revision{EditorID: editor, Body: body, CreatedAt: h.at}
				if im.postKind[id] == "q" {
					r.Title, r.Tags = title, tags
				}
				revs = append(revs, r)
			}
			if len(revs) < 2 || body == "" {
				continue // nothing to add to the first revision
			}
			replaced, err := q.ReplaceRevisions(ctx, id, revs)
			if err != nil {
				return err
			}
			if !replaced {
				im.skip("histories of posts edited here since the import")
				continue
			}
			im.summary.New["revisions"] += len(revs)
			if err := q.MapImported(ctx, im.importID, "history", ext, id); err != nil {
				return err
			}
		}
		return nil
	})
}
