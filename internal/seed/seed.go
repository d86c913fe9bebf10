// Package seed generates realistic communities of a given size into an empty
// database, for performance work and demos: members, public and private
// spaces, discussions and questions with a power law of replies (and one hot
// topic with thousands), answers, comments, votes with their reputation
// ledger, accepted answers, tags, view counts, Markdown bodies with code and
// links, some Chinese, Japanese and emoji, over two years. The same seed
// always gives the same community, byte for byte.
package seed

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"math"
	mrand "math/rand/v2"
	"slices"
	"strings"
	"time"

	"practica/internal/auth"
	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/store"
)

// Size is how much to generate. Posts counts replies and answers (not
// opening posts or comments); HotPosts of them go to the one hot topic.
type Size struct {
	Name                              string
	Topics, Posts, Users, Tags, Votes int
	Comments                          int
	HotPosts                          int
}

// The sizes of docs/performance.md (PERFORMANCE.md, Datasets).
var (
	SizeS = Size{Name: "S", Topics: 5_000, Posts: 10_000, Users: 100, Tags: 20, Votes: 7_500, Comments: 1_000, HotPosts: 1_000}
	SizeM = Size{Name: "M", Topics: 50_000, Posts: 500_000, Users: 5_000, Tags: 500, Votes: 500_000, Comments: 25_000, HotPosts: 2_000}
	SizeL = Size{Name: "L", Topics: 500_000, Posts: 5_000_000, Users: 50_000, Tags: 5_000, Votes: 5_000_000, Comments: 250_000, HotPosts: 5_000}
)

// SizeNamed returns the size called name (S, M or L, any case).
func SizeNamed(name string) (Size, bool) {
	for _, s := range []Size{SizeS, SizeM, SizeL} {
		if strings.EqualFold(s.Name, name) {
			return s, true
		}
	}
	return Size{}, false
}

// Options configure a run.
type Options struct {
	Size Size
	Seed uint64
	// AdminPassword is the password of the account "admin"; empty: a random
	// one, returned in the summary.
	AdminPassword string
	// CommunityName names the community; empty: "Practica Demo (size S)".
	CommunityName string
	// Progress, when set, receives a one-line progress display (\r-updated).
	Progress io.Writer
}

// Summary says what a run wrote.
type Summary struct {
	Size                                                Size
	Users, Spaces, Tags, Topics, Posts, Comments, Votes int
	HotTopicID                                          int64
	HotTopicPath                                        string
	AdminPassword                                       string
	Steps                                               []Step
	GenerateBusy, WriteBusy                             time.Duration
	// TableBusy is the writer's time per table.
	TableBusy map[string]time.Duration
}

// Step is one phase of a run and how long it took.
type Step struct {
	Name string
	Took time.Duration
}

// ErrNotEmpty is returned for a database that already holds a community.
var ErrNotEmpty = errors.New("the database already holds accounts, spaces or topics; seed writes only into an empty database")

// Clock returns the end of the generated history for a seed: content is
// dated over the two years before it, never from the real clock.
func Clock(seed uint64) time.Time {
	return time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).Add(time.Duration(seed%180) * 24 * time.Hour)
}

// span is how long the generated history lasts.
const span = 730 * 24 * time.Hour

// Run generates a community of opts.Size into st, which must be migrated and
// empty.
func Run(ctx context.Context, st *store.Store, opts Options) (Summary, error) {
	sz := opts.Size
	sum := Summary{Size: sz, TableBusy: map[string]time.Duration{}}
	if sz.Topics < 2 || sz.Users < 4 || sz.Tags < 1 || sz.Posts < 0 || sz.Votes < 0 {
		return sum, fmt.Errorf("size %q is too small: at least 2 topics, 4 users and 1 tag", sz.Name)
	}
	// Asked on the writer, so that no reader holds the file open while
	// BulkLoad changes its journal mode.
	var has bool
	err := st.InTx(ctx, func(q *store.Queries) error {
		var err error
		has, err = q.HasContent(ctx)
		return err
	})
	if err != nil {
		return sum, err
	}
	if has {
		return sum, ErrNotEmpty
	}
	if opts.AdminPassword == "" {
		b := make([]byte, 12)
		_, _ = rand.Read(b)
		opts.AdminPassword = base64.RawURLEncoding.EncodeToString(b)
		sum.AdminPassword = opts.AdminPassword
	}
	if opts.CommunityName == "" {
		opts.CommunityName = "Practica Demo (size " + sz.Name + ")"
	}
	began := time.Now()
	step := func(name string) {
		sum.Steps = append(sum.Steps, Step{name, time.Since(began)})
		began = time.Now()
	}
	g := newGenerator(opts)
	// The pool is rendered while the plan is drawn.
	poolDone := make(chan *pool, 1)
	go func() { poolDone <- sharedPool() }()
	g.plan()
	g.pool = <-poolDone
	step("plan")

	err = st.InTx(ctx, func(q *store.Queries) error { return g.writeSetup(ctx, q) })
	if err != nil {
		return sum, err
	}
	step("setup")
	if err := st.BulkLoad(ctx, true); err != nil {
		return sum, err
	}
	var indexes, searchIndexes store.IndexSet
	err = st.InTx(ctx, func(q *store.Queries) error {
		var err error
		if indexes, err = q.DropIndexes(ctx, bulkTables...); err != nil {
			return err
		}
		searchIndexes, err = q.DropIndexes(ctx, searchTables...)
		return err
	})
	// The search index is built on another connection, and so on another
	// core (see store.SearchBuilder).
	var search *store.SearchBuilder
	if err == nil {
		search, err = st.NewSearchBuilder(ctx)
	}
	defer search.Close()
	if err == nil {
		err = g.writeContent(ctx, st, &sum, search)
		step("content")
	}
	// The indexes are built while the search index is written out.
	optimized := make(chan error, 1)
	if err == nil {
		go func() { optimized <- search.Optimize(ctx) }()
	} else {
		optimized <- err
	}
	if err == nil {
		err = st.InTx(ctx, func(q *store.Queries) error { return q.CreateIndexes(ctx, indexes) })
		step("indexes")
	}
	if searchErr := <-optimized; err == nil {
		err = searchErr
		if err == nil {
			err = search.Finish(ctx)
		}
		if err == nil {
			err = st.InTx(ctx, func(q *store.Queries) error { return q.CreateIndexes(ctx, searchIndexes) })
		}
		sum.TableBusy["search index"] = search.Busy()
		step("search index")
	}
	if err == nil {
		err = st.InTx(ctx, func(q *store.Queries) error {
			if err := q.SeedRecount(ctx); err != nil {
				return err
			}
			if err := q.SyncIDs(ctx, "users", "tags", "topics", "posts"); err != nil {
				return err
			}
			return q.Analyze(ctx)
		})
		step("counts")
	}
	if err == nil {
		err = st.BulkLoad(ctx, false)
		step("checkpoint")
	} else {
		// Leave the schema whole, if not the community. Each set is created
		// in one transaction, so a set created already fails as a whole.
		ctx := context.WithoutCancel(ctx)
		search.Close()
		for _, set := range []store.IndexSet{indexes, searchIndexes} {
			_ = st.InTx(ctx, func(q *store.Queries) error { return q.CreateIndexes(ctx, set) })
		}
		_ = st.BulkLoad(ctx, false)
	}
	if err != nil {
		return sum, err
	}
	g.progress("", 0, 0)
	sum.Users, sum.Spaces, sum.Tags, sum.Topics = len(g.users)+1, len(g.spaces), len(g.tags), sz.Topics
	sum.Posts, sum.Comments, sum.Votes = g.posts, g.comments, g.votes
	sum.HotTopicID = g.topicBase + int64(g.hot)
	sum.HotTopicPath = fmt.Sprintf("/t/%d/%s", sum.HotTopicID, hotSlug)
	return sum, nil
}

// bulkTables are the tables whose secondary indexes (and on PostgreSQL
// foreign keys) are built after the load rather than during it.
var bulkTables = []string{"topics", "posts", "topic_tags", "votes", "reputation_events", "post_revisions"}

// searchTables are those of PostgreSQL's search index, whose GIN index and
// foreign key are built once the search index is written (SQLite has none).
var searchTables = []string{"search_docs"}

// acceptEvery: questions whose id is a multiple of it keep no accepted
// answer, whatever their answers' scores.
const acceptEvery = 3

// spaceSpec is one of the generated spaces.
type spaceSpec struct {
	slug, name, focus string
	vis               model.Visibility
	color             string
	weight            int // share of topics
}

var spaceSpecs = []spaceSpec{
	{"general", "General", "Everything that fits nowhere else, introductions included.", model.Public, "slate", 30},
	{"go", "Go", "Writing, testing and shipping Go.", model.Public, "blue", 20},
	{"databases", "Databases", "SQLite, PostgreSQL and the queries between them.", model.Public, "green", 18},
	{"web", "Web", "HTML, CSS, accessibility and the browser.", model.Public, "amber", 12},
	{"operations", "Operations", "Deploys, backups, incidents and on-call.", model.Public, "red", 8},
	{"careers", "Careers", "Jobs, interviews, mentoring and growth.", model.Public, "violet", 4},
	{"staff-room", "Staff room", "Where the organizers plan.", model.Private, "slate", 4},
	{"mentors", "Mentors circle", "Mentors compare notes.", model.Private, "teal", 4},
}

// hotTitle and hotSlug name the hot topic, which every size has.
const (
	hotTitle = "Welcome thread: introduce yourself 👋 / 自己紹介"
	hotSlug  = "welcome-thread-introduce-yourself"
)

// hotBody is the hot topic's opening post: fixed, so tests can search it.
const hotBody = "Welcome! Say hello below: who you are, what you work on, and what brought you to this community. 🎉\n\n" +
	"Newcomers are always welcome; please **introduce** yourself and link your favourite project, e.g. [Practica](https://example.org/practica).\n\n" +
	"自己紹介 を お願い します 。 欢迎 大家 来 社区 学习 和 交流 。"

// userPlan is a generated member.
type userPlan struct {
	id                int64
	username, display string
	bio               string
	created           time.Time
}

// topicPlan is what the plan decides about a topic before it is written.
type topicPlan struct {
	created  time.Time
	replies  int32
	comments int32
	space    uint8
	question bool
}

type generator struct {
	opts  Options
	sz    Size
	r     *mrand.Rand
	end   time.Time
	start time.Time
	pool  *pool

	adminID int64
	users   []userPlan
	// byActivity draws a member, the most active most often.
	byActivity *sampler
	spaces     []spaceSpec
	spaceIDs   []int64
	// members[s] are the members of private space s (indexes into users);
	// nil for public spaces, where anyone posts.
	members     [][]int
	poolSampler []*sampler
	tags        []string
	tagSampler  *sampler
	topics      []topicPlan
	hot         int
	// votesPer holds the votes of each question and answer, in the order
	// they are written.
	votesPer []int32

	cfg                          reputation.Config
	topicBase, postBase, tagBase int64
	posts, comments, votes       int
	seen                         map[int32]bool
}

func newGenerator(opts Options) *generator {
	end := Clock(opts.Seed)
	return &generator{opts: opts, sz: opts.Size, r: mrand.New(mrand.NewPCG(opts.Seed, opts.Seed^0x9e3779b97f4a7c15)),
		end: end, start: end.Add(-span), seen: map[int32]bool{}, cfg: reputation.Default()}
}

// sampler draws indexes 0..n-1 with probability falling as a power of the
// rank: a few very active members, popular tags, many quiet ones.
type sampler struct{ cum []float64 }

func newSampler(n int, exp float64) *sampler {
	s := &sampler{cum: make([]float64, n)}
	total := 0.0
	for i := range n {
		total += 1 / math.Pow(float64(i+1), exp)
		s.cum[i] = total
	}
	return s
}

func (s *sampler) draw(r *mrand.Rand) int {
	x := r.Float64() * s.cum[len(s.cum)-1]
	i, _ := slices.BinarySearch(s.cum, x)
	return min(i, len(s.cum)-1)
}

var firstNames = strings.Fields(`ada alan grace linus ken dennis rob barbara margaret edsger donald leslie
john frances radia sophie katherine hedy annie mary tim vint bjarne guido yukihiro james anders brian
niklaus tony jean marie lina omar amir fatima chen wei li mei hiro yuki aiko kenji sora priya ravi arjun
ana lucia mateo sofia diego elena ivan olga nina lars ingrid sven maja noah emma liam mia`)

var lastNames = strings.Fields(`lovelace turing hopper torvalds thompson ritchie pike liskov hamilton
dijkstra knuth lamport backus allen perlman wilson johnson lamarr easley rivest cerf stroustrup rossum
matsumoto gosling hejlsberg kernighan wirth hoare sammet curie garcia silva rossi novak berg larsen
tanaka sato suzuki kim park nguyen patel singh khan haddad moreau dubois weber fischer kowalski`)

var cjkNames = strings.Fields(`王伟 李娜 张敏 刘洋 陈静 佐藤 鈴木 高橋 田中 渡辺`)

// plan draws everything that must be known before writing: members, tags,
// and how many replies, comments and votes each topic gets.
func (g *generator) plan() {
	r, sz := g.r, g.sz
	taken := map[string]bool{"admin": true}
	for i := range sz.Users {
		f, l := firstNames[r.IntN(len(firstNames))], lastNames[r.IntN(len(lastNames))]
		name := f + "_" + l
		switch r.IntN(3) {
		case 0:
			name = f + "." + l
		case 1:
			name = f + l[:1] + fmt.Sprint(r.IntN(100))
		}
		for taken[name] {
			name = fmt.Sprintf("%s%d", name, r.IntN(10))
		}
		taken[name] = true
		display := strings.ToUpper(f[:1]) + f[1:] + " " + strings.ToUpper(l[:1]) + l[1:]
		if r.IntN(30) == 0 {
			display = cjkNames[r.IntN(len(cjkNames))]
		}
		bio := ""
		if r.IntN(3) == 0 {
			bio = fmt.Sprintf("Works on %s and %s. %s", word(r), word(r), emoji[r.IntN(len(emoji))])
		}
		// Members join in the half year before the history starts, so no one
		// posts before joining.
		created := g.start.Add(-time.Duration(sz.Users-i) * (180 * 24 * time.Hour) / time.Duration(sz.Users)).Truncate(time.Second)
		g.users = append(g.users, userPlan{username: name, display: display, bio: bio, created: created})
	}
	g.byActivity = newSampler(sz.Users, 0.9)

	g.spaces = spaceSpecs
	g.members = make([][]int, len(g.spaces))
	g.poolSampler = make([]*sampler, len(g.spaces))
	for s, sp := range g.spaces {
		if sp.vis == model.Public {
			continue
		}
		n := max(4, sz.Users/10)
		m := r.Perm(sz.Users)[:n]
		g.members[s] = m
		g.poolSampler[s] = newSampler(n, 0.7)
	}

	seen := map[string]bool{}
	for _, t := range baseTags {
		if len(g.tags) == sz.Tags {
			break
		}
		seen[t] = true
		g.tags = append(g.tags, t)
	}
	for len(g.tags) < sz.Tags {
		t := baseTags[r.IntN(len(baseTags))] + "-" + tagWord(r)
		if len(t) > 30 || seen[t] {
			continue
		}
		seen[t] = true
		g.tags = append(g.tags, t)
	}
	g.tagSampler = newSampler(len(g.tags), 1.0)

	// Topics: evenly spread over the history, one of them hot.
	g.topics = make([]topicPlan, sz.Topics)
	g.hot = sz.Topics / 4
	weights := 0
	for _, sp := range g.spaces {
		weights += sp.weight
	}
	step := span / time.Duration(sz.Topics)
	for i := range g.topics {
		t := &g.topics[i]
		t.created = g.start.Add(time.Duration(i)*step + time.Duration(r.Int64N(int64(step)))).Truncate(time.Second)
		x := r.IntN(weights)
		for s, sp := range g.spaces {
			if x < sp.weight {
				t.space = uint8(s)
				break
			}
			x -= sp.weight
		}
		t.question = r.IntN(5) < 3
	}
	hot := &g.topics[g.hot]
	hot.space, hot.question = 0, false
	hotPosts := min(sz.HotPosts, sz.Posts/2)
	rest := sz.Posts - hotPosts
	capReplies := max(1, hotPosts/2)
	replies := allocate(r, rest, sz.Topics-1, 1.15, func(int) int { return capReplies })
	for i, j := 0, 0; i < sz.Topics; i++ {
		if i == g.hot {
			g.topics[i].replies = int32(hotPosts)
			continue
		}
		g.topics[i].replies = replies[j]
		j++
	}
	var questions []int
	qaPosts := 0
	for i, t := range g.topics {
		if t.question {
			questions = append(questions, i)
			qaPosts += 1 + int(t.replies)
		}
	}
	if len(questions) > 0 {
		comments := allocate(r, sz.Comments, len(questions), 1.5, func(i int) int { return 4 * (1 + int(g.topics[questions[i]].replies)) })
		for k, i := range questions {
			g.topics[i].comments = comments[k]
		}
	}
	// Votes go to questions and answers, at most one per member and post.
	caps := make([]int32, 0, qaPosts)
	for _, t := range g.topics {
		if t.question {
			c := int32(min(sz.Users-1, 400))
			if m := g.members[t.space]; m != nil {
				c = int32(min(len(m)-1, 400))
			}
			for range 1 + t.replies {
				caps = append(caps, c)
			}
		}
	}
	g.votesPer = allocate(r, sz.Votes, len(caps), 1.3, func(i int) int { return int(caps[i]) })
}

// allocate splits total into n counts that follow a power law (most small,
// a few large), each at most capOf(i), summing to total exactly when the
// caps allow it.
func allocate(r *mrand.Rand, total, n int, alpha float64, capOf func(int) int) []int32 {
	out := make([]int32, n)
	if n == 0 || total <= 0 {
		return out
	}
	w := make([]float64, n)
	sum := 0.0
	for i := range w {
		w[i] = math.Pow(1-r.Float64(), -1/alpha) - 1
		sum += w[i]
	}
	left := total
	for i := range out {
		c := min(int(w[i]/sum*float64(total)), capOf(i))
		out[i] = int32(c)
		left -= c
	}
	room := 0
	for i := range out {
		room += capOf(i) - int(out[i])
	}
	for left > 0 && room > 0 {
		i := r.IntN(n)
		if int(out[i]) < capOf(i) {
			out[i]++
			left--
			room--
		}
	}
	return out
}

var baseTags = strings.Fields(`go sqlite postgresql performance testing http css html javascript
typescript python rust docker kubernetes linux security accessibility search caching concurrency
migrations backups deployment monitoring logging api json templates markdown unicode career mentoring
interviews beginners design architecture refactoring debugging profiling memory networking tls
authentication sessions sql indexes transactions replication queues jobs email events calendar
i18n emoji cjk mobile responsive frontend backend devops ci git code-review documentation onboarding
community moderation privacy gdpr analytics benchmarks load-testing wasm grpc graphql rest websockets
sse htmx templ goldmark fts5 tsvector vacuum wal pragmas goroutines channels generics errors context
modules tooling vim emacs vscode shell bash regex parsing compilers algorithms data-structures math`)

func tagWord(r *mrand.Rand) string {
	for {
		w := word(r)
		if len(w) >= 3 && strings.IndexFunc(w, func(c rune) bool { return !(c >= 'a' && c <= 'z' || c == '-') }) < 0 {
			return w
		}
	}
}

// writeSetup writes what the content refers to: the admin and the
// community's name, members, spaces and their memberships, tags.
func (g *generator) writeSetup(ctx context.Context, q *store.Queries) error {
	first := g.start.Add(-200 * 24 * time.Hour)
	verified := first
	admin, err := q.CreateUser(ctx, model.User{Username: "admin", Email: "admin@example.org", EmailVerifiedAt: &verified,
		PasswordHash: auth.HashPassword(g.opts.AdminPassword), DisplayName: "Admin", Role: model.RoleAdmin, Status: model.StatusActive, CreatedAt: first})
	if err != nil {
		return err
	}
	g.adminID = admin.ID
	if err := q.SetSetting(ctx, "community_name", g.opts.CommunityName, first); err != nil {
		return err
	}
	ids, err := q.ReserveIDs(ctx, "users", 1)
	if err != nil {
		return err
	}
	rows := make([][]any, len(g.users))
	for i := range g.users {
		u := &g.users[i]
		u.id = ids[0] + int64(i)
		rows[i] = []any{u.id, u.username, store.Key(u.username), u.display, u.bio, model.RoleMember, model.StatusActive, 0, u.created, u.created}
	}
	if err := q.InsertRows(ctx, "users", rows); err != nil {
		return err
	}
	var members [][]any
	for s, sp := range g.spaces {
		space, err := q.CreateSpace(ctx, model.Space{Slug: sp.slug, Name: sp.name, Focus: sp.focus, Visibility: sp.vis, Color: sp.color, CreatedBy: g.adminID, CreatedAt: first})
		if err != nil {
			return err
		}
		g.spaceIDs = append(g.spaceIDs, space.ID)
		members = append(members, []any{space.ID, g.adminID, model.SpaceLeader, first})
		if m := g.members[s]; m != nil {
			for _, u := range m {
				members = append(members, []any{space.ID, g.users[u].id, model.SpaceMember, g.users[u].created})
			}
		}
	}
	// Everyone belongs to one to three public spaces.
	var public []int
	for s, sp := range g.spaces {
		if sp.vis == model.Public {
			public = append(public, s)
		}
	}
	for _, u := range g.users {
		n := 1 + g.r.IntN(3)
		for _, k := range g.r.Perm(len(public))[:n] {
			members = append(members, []any{g.spaceIDs[public[k]], u.id, model.SpaceMember, u.created})
		}
	}
	if err := q.InsertRows(ctx, "space_members", members); err != nil {
		return err
	}
	tagIDs, err := q.ReserveIDs(ctx, "tags", 1)
	if err != nil {
		return err
	}
	g.tagBase = tagIDs[0]
	rows = rows[:0]
	for i, t := range g.tags {
		desc := ""
		if i < 50 {
			desc = fmt.Sprintf("Questions and discussions about %s.", t)
		}
		rows = append(rows, []any{g.tagBase + int64(i), t, desc, first})
	}
	if err := q.InsertRows(ctx, "tags", rows); err != nil {
		return err
	}
	topicIDs, err := q.ReserveIDs(ctx, "topics", 1)
	if err != nil {
		return err
	}
	postIDs, err := q.ReserveIDs(ctx, "posts", 1)
	if err != nil {
		return err
	}
	g.topicBase, g.postBase = topicIDs[0], postIDs[0]
	return nil
}

// batch is one transaction's rows.
type batch struct {
	topics, topicTags, posts, votes, ledger [][]any
	// revisionTags are the tags of the batch's opening posts; the first
	// revisions themselves are copied from the posts (SeedRevisions).
	revisionTags []store.RevisionTags
	docs         []store.IndexDoc
	done         int // topics generated so far
}

// batchPosts is how many posts go in one transaction.
const batchPosts = 20000

// writeContent generates topics and their posts in one goroutine while the
// caller's writes them in another, and hands each batch's search rows to
// search once they are committed.
func (g *generator) writeContent(ctx context.Context, st *store.Store, sum *Summary, search *store.SearchBuilder) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan *batch, 2)
	go func() {
		defer close(batches)
		began := time.Now()
		g.generate(ctx, batches)
		sum.GenerateBusy = time.Since(began)
	}()
	var err error
	for b := range batches {
		if err != nil {
			continue // drain
		}
		began := time.Now()
		err = st.InBulkTx(ctx, func(q *store.Queries) error {
			for _, t := range []struct {
				table string
				rows  [][]any
			}{{"topics:seed", b.topics}, {"topic_tags", b.topicTags}, {"posts", b.posts}, {"votes", b.votes}, {"reputation_events:seed", b.ledger}} {
				t0 := time.Now()
				if err := q.InsertRows(ctx, t.table, t.rows); err != nil {
					return err
				}
				sum.TableBusy[t.table] += time.Since(t0)
			}
			t0 := time.Now()
			first, last := b.posts[0][0].(int64), b.posts[len(b.posts)-1][0].(int64)
			if err := q.SeedRevisions(ctx, first, last, b.revisionTags); err != nil {
				return err
			}
			sum.TableBusy["post_revisions"] += time.Since(t0)
			return nil
		})
		sum.WriteBusy += time.Since(began)
		// Waits while the search index is more than a batch or two behind.
		if err == nil {
			err = search.Add(ctx, b.docs)
		}
		if err != nil {
			cancel()
		}
		g.progress("content", b.done, g.sz.Topics)
	}
	return err
}

// generate draws every topic in order and sends them in batches.
func (g *generator) generate(ctx context.Context, out chan<- *batch) {
	r := g.r
	b := &batch{}
	// Small sizes write in several batches too, so generating overlaps writing.
	per := min(max(g.sz.Posts/10, 2000), batchPosts)
	postID := g.postBase
	qa := 0 // index into votesPer
	var times []time.Time
	var answerIDs []int64
	for i := range g.topics {
		t := &g.topics[i]
		topicID := g.topicBase + int64(i)
		author := g.author(t.space)
		var ttl, slug string
		if i == g.hot {
			ttl, slug = hotTitle, hotSlug
		} else {
			ttl = title(r)
			if slug = community.Slugify(ttl, 60); slug == "" {
				slug = "topic"
			}
		}
		// Tags: questions carry one to five, discussions up to three.
		ntags := 1 + r.IntN(5)
		if !t.question {
			ntags = r.IntN(4)
		}
		var tagNames []string
		var tagIDs []int64
		for range ntags {
			k := g.tagSampler.draw(r)
			if id := g.tagBase + int64(k); !slices.Contains(tagIDs, id) {
				tagIDs = append(tagIDs, id)
				tagNames = append(tagNames, g.tags[k])
			}
		}
		tags := strings.Join(tagNames, " ")
		for _, id := range tagIDs {
			b.topicTags = append(b.topicTags, []any{topicID, id})
		}
		// Every post's search row holds its topic's tags, in id order.
		docTags := slices.Sorted(slices.Values(tagIDs))
		// Replies come over a lifetime that grows with their number.
		life := time.Duration((1 + r.ExpFloat64()) * float64(24*time.Hour) * (1 + math.Log1p(float64(t.replies))))
		if i == g.hot {
			life = span / 2
		}
		// A topic started in the dataset's last minute (L has some) still
		// gets its replies, a minute after it (past the end: the comment and
		// vote windows below stop at zero).
		life = max(min(life, g.end.Sub(t.created)-time.Minute), 1)
		times = times[:0]
		for range t.replies {
			times = append(times, t.created.Add(time.Minute+time.Duration(r.Int64N(int64(life)))).Truncate(time.Second))
		}
		slices.SortFunc(times, func(a, b time.Time) int { return a.Compare(b) })

		var open body
		if i == g.hot {
			open = g.pool.hot
		} else {
			open = g.pool.compose(r, 200+int(r.ExpFloat64()*350))
		}
		openID := postID
		postID++
		score := g.castVotes(b, openID, author, model.PostOpening, t, t.created, &qa)
		b.posts = append(b.posts, []any{openID, topicID, author, model.PostOpening, nil, open.src, open.html, 0, score, t.created, t.created, nil, nil})
		if tags != "" {
			b.revisionTags = append(b.revisionTags, store.RevisionTags{PostID: openID, Tags: tags})
		}
		b.docs = append(b.docs, store.IndexDoc{PostID: openID, Title: ttl, Tags: tags, BodyHTML: open.html, Text: open.text, TagIDs: docTags})

		kind := model.PostReply
		if t.question {
			kind = model.PostAnswer
		}
		last, lastPoster := t.created, author
		answerIDs = append(answerIDs[:0], openID)
		var best struct {
			id, author int64
			score      int
			at         time.Time
		}
		for _, at := range times {
			who := g.author(t.space)
			rb := g.pool.compose(r, 200+int(r.ExpFloat64()*80))
			id := postID
			postID++
			score := 0
			if t.question {
				score = g.castVotes(b, id, who, model.PostAnswer, t, at, &qa)
				answerIDs = append(answerIDs, id)
				if score > best.score {
					best.id, best.author, best.score, best.at = id, who, score, at
				}
			}
			b.posts = append(b.posts, []any{id, topicID, who, kind, nil, rb.src, rb.html, 0, score, at, at, nil, nil})
			b.docs = append(b.docs, store.IndexDoc{PostID: id, BodyHTML: rb.html, Text: rb.text, TagIDs: docTags})
			last, lastPoster = at, who
		}
		g.posts += int(t.replies)
		for range t.comments {
			k := r.IntN(len(answerIDs))
			parent := answerIDs[k]
			base := t.created
			if k > 0 {
				base = times[k-1]
			}
			at := base.Add(time.Duration(r.Int64N(max(int64(g.end.Sub(base)/8), 0) + 1))).Truncate(time.Second)
			c := g.pool.comments[r.IntN(len(g.pool.comments))]
			id := postID
			postID++
			who := g.author(t.space)
			b.posts = append(b.posts, []any{id, topicID, who, model.PostComment, parent, c.src, c.html, 0, 0, at, at, nil, nil})
			b.docs = append(b.docs, store.IndexDoc{PostID: id, BodyHTML: c.html, Text: c.text, TagIDs: docTags})
		}
		g.comments += int(t.comments)
		views := (int(t.replies) + 1) * (3 + r.IntN(40))
		if r.IntN(50) == 0 {
			views *= 20
		}
		// A question's best answer scored above zero is accepted, except on
		// every acceptEvery-th question.
		var accepted any
		if best.id != 0 && topicID%acceptEvery != 0 {
			accepted = best.id
			f := reputation.AcceptFact{TopicID: topicID, AskerID: author, AnswerID: best.id, AnswerAuthorID: best.author, Live: true, QuestionID: openID}
			for _, a := range g.cfg.ForAccept(f) {
				b.ledger = append(b.ledger, []any{a.UserID, a.Delta, a.Reason, reputation.AcceptSource(topicID), best.id, author, best.at})
			}
		}
		b.topics = append(b.topics, []any{topicID, g.spaceIDs[t.space], kindOf(t.question), author, ttl, slug, t.created, t.created, last, lastPoster, views,
			t.replies, score, accepted})
		if len(b.posts) >= per || i == len(g.topics)-1 {
			b.done = i + 1
			select {
			case out <- b:
			case <-ctx.Done():
				return
			}
			b = &batch{}
		}
	}
}

func kindOf(question bool) model.Kind {
	if question {
		return model.KindQuestion
	}
	return model.KindDiscussion
}

// author draws who writes in space s: anyone in a public space, a member in
// a private one.
func (g *generator) author(s uint8) int64 {
	if m := g.members[s]; m != nil {
		return g.users[m[g.poolSampler[s].draw(g.r)]].id
	}
	return g.users[g.byActivity.draw(g.r)].id
}

// castVotes writes the planned votes on a question or answer (by members
// other than its author, each at most once) and returns its score.
func (g *generator) castVotes(b *batch, postID, author int64, kind model.PostKind, t *topicPlan, at time.Time, qa *int) int {
	if !t.question {
		return 0
	}
	n := int(g.votesPer[*qa])
	*qa++
	if n == 0 {
		return 0
	}
	clear(g.seen)
	score := 0
	window := max(int64(g.end.Sub(at))/4, 0) // posts of the last minute may come after the end
	for cast := 0; cast < n; {
		var u int
		if m := g.members[t.space]; m != nil {
			u = m[g.r.IntN(len(m))]
		} else if n*3 < len(g.users) {
			u = g.byActivity.draw(g.r)
		} else {
			u = g.r.IntN(len(g.users))
		}
		voter := g.users[u].id
		if voter == author || g.seen[int32(u)] {
			continue
		}
		g.seen[int32(u)] = true
		value := 1
		if g.r.IntN(8) == 0 {
			value = -1
		}
		score += value
		when := at.Add(time.Duration(g.r.Int64N(window + 1))).Truncate(time.Second)
		b.votes = append(b.votes, []any{postID, voter, value, when})
		f := reputation.VoteFact{PostID: postID, VoterID: voter, AuthorID: author, Value: value, Kind: kind, Live: true}
		for _, a := range g.cfg.ForVote(f) {
			b.ledger = append(b.ledger, []any{a.UserID, a.Delta, a.Reason, reputation.VoteSource(postID, voter), postID, voter, when})
		}
		cast++
	}
	g.votes += n
	return score
}

// progress redraws the progress line; an empty label clears it.
func (g *generator) progress(label string, done, total int) {
	w := g.opts.Progress
	if w == nil {
		return
	}
	if label == "" {
		fmt.Fprint(w, "\r\033[K")
		return
	}
	pct := 100
	if total > 0 {
		pct = done * 100 / total
	}
	fmt.Fprintf(w, "\r%-8s [%s%s] %3d%%", label, strings.Repeat("#", pct/5), strings.Repeat(".", 20-pct/5), pct)
}
