package app_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// A workload is a mixed write load on the JSON API (SECURITY.md R1, R2) and
// the record of every write it sent: the writer's round and number make a
// unique marker word that goes into each title and body, so what reached the
// database can be told apart, write by write, from what did not. verify.go's
// checks compare the record with the database.
type workload struct {
	space   string
	seed    uint64
	writers []*writer
	reg     registry
}

// writer is one account writing from one goroutine: its writes are
// sequential, so the last of its votes on a post is the one that counts.
type writer struct {
	idx    int
	userID int64
	token  string
	staff  bool
	n      int
	writes []write
}

type opKind string

const (
	opTopic    opKind = "topic"
	opQuestion opKind = "question"
	opReply    opKind = "reply"
	opAnswer   opKind = "answer"
	opComment  opKind = "comment"
	opVote     opKind = "vote"
	opEdit     opKind = "edit"
	opAccept   opKind = "accept"
)

// outcome is what the client learnt of a write.
type outcome int

const (
	acked   outcome = iota // 2xx with the new id: must be stored
	unacked                // sent, no answer (server killed): all or nothing
	refused                // 4xx: nothing may be stored
	failed                 // 5xx: reported as a bug; all or nothing
)

func (o outcome) String() string {
	return [...]string{"acknowledged", "unacknowledged", "refused", "failed"}[o]
}

// write is one request and what came of it.
type write struct {
	op     opKind
	writer int
	// target is the topic (reply, answer, accept) or post (comment, vote, edit).
	target int64
	// post is the answer an accept names.
	post int64
	// id is the new topic (topic, question) or post (reply, answer,
	// comment), known only when acknowledged.
	id      int64
	marker  string
	title   string
	body    string
	value   int
	status  int
	outcome outcome
	took    time.Duration
	reply   string // start of the response, for failures
}

// postRef is a post writers may vote on, comment on, edit or accept.
type postRef struct {
	id, topicID int64
	author      int // writer index
	qa, answer  bool
}

// registry holds the acknowledged topics and posts the writers aim at.
type registry struct {
	mu          sync.Mutex
	discussions []int64
	questions   []int64
	posts       []postRef
}

func (r *registry) add(topic, question int64, p postRef) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if topic != 0 {
		r.discussions = append(r.discussions, topic)
	}
	if question != 0 {
		r.questions = append(r.questions, question)
	}
	r.posts = append(r.posts, p)
}

// pick returns a random element of the list chosen by f, and false when it is empty.
func pick[T any](r *registry, rng *rand.Rand, f func(*registry) []T) (T, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	var zero T
	list := f(r)
	if len(list) == 0 {
		return zero, false
	}
	return list[rng.IntN(len(list))], true
}

// pickPost returns a random post matching ok, trying a few times.
func (r *registry) pickPost(rng *rand.Rand, ok func(postRef) bool) (postRef, bool) {
	for range 8 {
		p, found := pick(r, rng, func(r *registry) []postRef { return r.posts })
		if !found {
			return p, false
		}
		if ok(p) {
			return p, true
		}
	}
	return postRef{}, false
}

// apiClient sends JSON with a bearer token.
type apiClient struct {
	base string
	http *http.Client
}

func newClient(base string, timeout time.Duration) *apiClient {
	tr := &http.Transport{MaxIdleConns: 256, MaxIdleConnsPerHost: 256, IdleConnTimeout: 30 * time.Second}
	return &apiClient{base: base, http: &http.Client{Timeout: timeout, Transport: tr,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// call sends one request; status 0 means no answer came.
func (c *apiClient) call(method, path, token string, body any) (int, []byte, time.Duration) {
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, c.base+path, r)
	if err != nil {
		return 0, nil, 0
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	start := time.Now()
	res, err := c.http.Do(req)
	if err != nil {
		return 0, nil, time.Since(start)
	}
	defer res.Body.Close()
	data, err := io.ReadAll(res.Body)
	took := time.Since(start)
	if err != nil {
		return 0, nil, took
	}
	return res.StatusCode, data, took
}

// run makes every writer write until stop is closed. With stopOnSilence a
// writer also stops at its first request that gets no answer (the server was
// killed). round numbers the markers, so each round's writes are unique.
func (w *workload) run(c *apiClient, round int, stop <-chan struct{}, stopOnSilence bool) {
	var wg sync.WaitGroup
	for _, wr := range w.writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(w.seed, uint64(round)<<16|uint64(wr.idx)))
			for {
				select {
				case <-stop:
					return
				default:
				}
				res := w.writeOne(c, wr, rng, round)
				wr.writes = append(wr.writes, res)
				if res.status == 0 && stopOnSilence {
					return
				}
			}
		}()
	}
	wg.Wait()
}

// writeOne chooses and sends one write. Members (not staff) comment and
// edit only their own posts and never vote down, which needs reputation
// they may not have; everything else they may be refused (posting limits)
// is recorded as refused and checked to have left nothing behind.
func (w *workload) writeOne(c *apiClient, wr *writer, rng *rand.Rand, round int) write {
	wr.n++
	m := fmt.Sprintf("m%dx%dx%d", round, wr.idx, wr.n)
	own := func(p postRef) bool { return wr.staff || p.author == wr.idx }
	switch n := rng.IntN(100); {
	case n < 4 && wr.staff:
		if p, ok := w.reg.pickPost(rng, func(p postRef) bool { return p.answer }); ok {
			return w.accept(c, wr, p)
		}
	case n < 24:
		if p, ok := w.reg.pickPost(rng, func(p postRef) bool { return p.qa && p.author != wr.idx }); ok {
			values := []int{1, 1, 0}
			if wr.staff {
				values = []int{1, -1, 0}
			}
			return w.vote(c, wr, p.id, values[rng.IntN(len(values))])
		}
	case n < 44:
		if id, ok := pick(&w.reg, rng, func(r *registry) []int64 { return r.questions }); ok {
			return w.post(c, wr, opAnswer, id, m)
		}
	case n < 60:
		if id, ok := pick(&w.reg, rng, func(r *registry) []int64 { return r.discussions }); ok {
			return w.post(c, wr, opReply, id, m)
		}
	case n < 74:
		if p, ok := w.reg.pickPost(rng, func(p postRef) bool { return p.qa && own(p) }); ok {
			return w.post(c, wr, opComment, p.id, m)
		}
	case n < 88:
		if p, ok := w.reg.pickPost(rng, own); ok {
			return w.edit(c, wr, p.id, m)
		}
	case n < 94:
		return w.topic(c, wr, opTopic, m)
	}
	return w.topic(c, wr, opQuestion, m)
}

// classify sets the outcome from the status.
func classify(res *write, status int, data []byte, took time.Duration) {
	res.status, res.took = status, took
	switch {
	case status == 0:
		res.outcome = unacked
	case status >= 500:
		res.outcome = failed
		res.reply = string(data[:min(len(data), 300)])
	case status >= 400:
		res.outcome = refused
		res.reply = string(data[:min(len(data), 300)])
	default:
		res.outcome = acked
	}
}

func (w *workload) topic(c *apiClient, wr *writer, op opKind, m string) write {
	kind := "discussion"
	if op == opQuestion {
		kind = "question"
	}
	res := write{op: op, writer: wr.idx, marker: m, title: "Load " + kind + " " + m, body: "Opening post " + m + " written under load."}
	status, data, took := c.call(http.MethodPost, "/api/v1/topics", wr.token, map[string]any{"space": w.space, "kind": kind, "title": res.title, "body": res.body, "tags": []string{"load"}})
	classify(&res, status, data, took)
	if res.outcome != acked {
		return res
	}
	var out struct {
		ID    int64
		Posts []struct {
			ID   int64
			Kind string
		}
	}
	if err := json.Unmarshal(data, &out); err != nil || out.ID == 0 || len(out.Posts) == 0 || out.Posts[0].Kind != "opening" {
		res.outcome, res.reply = failed, "unreadable 2xx answer: "+string(data[:min(len(data), 300)])
		return res
	}
	res.id = out.ID
	if op == opQuestion {
		w.reg.add(0, out.ID, postRef{id: out.Posts[0].ID, topicID: out.ID, author: wr.idx, qa: true})
	} else {
		w.reg.add(out.ID, 0, postRef{id: out.Posts[0].ID, topicID: out.ID, author: wr.idx})
	}
	return res
}

// post writes a reply or answer to a topic, or a comment under a post.
func (w *workload) post(c *apiClient, wr *writer, op opKind, target int64, m string) write {
	res := write{op: op, writer: wr.idx, target: target, marker: m, body: fmt.Sprintf("The %s %s, written by writer %d under load.", op, m, wr.idx)}
	path := fmt.Sprintf("/api/v1/topics/%d/posts", target)
	if op == opComment {
		path = fmt.Sprintf("/api/v1/posts/%d/comments", target)
	}
	status, data, took := c.call(http.MethodPost, path, wr.token, map[string]any{"body": res.body})
	classify(&res, status, data, took)
	if res.outcome != acked {
		return res
	}
	var out struct {
		ID      int64
		TopicID int64 `json:"topic_id"`
	}
	if err := json.Unmarshal(data, &out); err != nil || out.ID == 0 {
		res.outcome, res.reply = failed, "unreadable 2xx answer: "+string(data[:min(len(data), 300)])
		return res
	}
	res.id = out.ID
	if op != opComment {
		w.reg.add(0, 0, postRef{id: out.ID, topicID: target, author: wr.idx, qa: op == opAnswer, answer: op == opAnswer})
	}
	return res
}

func (w *workload) vote(c *apiClient, wr *writer, postID int64, value int) write {
	res := write{op: opVote, writer: wr.idx, target: postID, value: value}
	status, data, took := c.call(http.MethodPost, fmt.Sprintf("/api/v1/posts/%d/vote", postID), wr.token, map[string]any{"value": value})
	classify(&res, status, data, took)
	if res.outcome == acked {
		var out struct {
			PostID int64 `json:"post_id"`
			Vote   int
		}
		if err := json.Unmarshal(data, &out); err != nil || out.PostID != postID || out.Vote != value {
			res.outcome, res.reply = failed, "2xx answer does not confirm the vote: "+string(data[:min(len(data), 300)])
		}
	}
	return res
}

// accept marks an answer accepted (staff may, on any question).
func (w *workload) accept(c *apiClient, wr *writer, p postRef) write {
	res := write{op: opAccept, writer: wr.idx, target: p.topicID, post: p.id}
	status, data, took := c.call(http.MethodPost, fmt.Sprintf("/api/v1/topics/%d/accept", p.topicID), wr.token, map[string]any{"post_id": p.id})
	classify(&res, status, data, took)
	if res.outcome == acked {
		var out struct {
			AcceptedPostID int64 `json:"accepted_post_id"`
		}
		if err := json.Unmarshal(data, &out); err != nil || out.AcceptedPostID == 0 {
			res.outcome, res.reply = failed, "2xx answer shows no accepted answer: "+string(data[:min(len(data), 300)])
		}
	}
	return res
}

func (w *workload) edit(c *apiClient, wr *writer, postID int64, m string) write {
	res := write{op: opEdit, writer: wr.idx, target: postID, marker: m, body: fmt.Sprintf("Edited to %s by writer %d under load.", m, wr.idx)}
	status, data, took := c.call(http.MethodPatch, fmt.Sprintf("/api/v1/posts/%d", postID), wr.token, map[string]any{"body": res.body, "reason": "load " + m})
	classify(&res, status, data, took)
	if res.outcome == acked && status != http.StatusOK {
		res.outcome, res.reply = failed, fmt.Sprintf("edit answered %d (a suggestion?), want 200: %s", status, data[:min(len(data), 300)])
	}
	return res
}

// all returns every write of every writer, each writer's in order.
func (w *workload) all() []write {
	var out []write
	for _, wr := range w.writers {
		out = append(out, wr.writes...)
	}
	return out
}

// summary counts writes by op and outcome, for the log.
func summary(ws []write) string {
	counts := map[string]int{}
	for _, x := range ws {
		k := fmt.Sprintf("%s %s", x.op, x.outcome)
		if x.outcome == refused || x.outcome == failed {
			k += fmt.Sprintf(" (%d)", x.status)
		}
		counts[k]++
	}
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s: %d; ", k, counts[k])
	}
	return strings.TrimSuffix(b.String(), "; ")
}

// latencies reports p50, p99 and max latency of acknowledged writes, by op
// and overall (refusals, such as 429s, answer faster and would flatter them).
func latencies(ws []write) string {
	by := map[opKind][]time.Duration{}
	var every []time.Duration
	for _, x := range ws {
		if x.outcome != acked {
			continue
		}
		by[x.op] = append(by[x.op], x.took)
		every = append(every, x.took)
	}
	line := func(name string, d []time.Duration) string {
		slices.Sort(d)
		q := func(p float64) time.Duration { return d[min(len(d)-1, int(p*float64(len(d))))] }
		return fmt.Sprintf("%s n=%d p50=%v p99=%v max=%v", name, len(d), q(0.50).Round(time.Millisecond), q(0.99).Round(time.Millisecond), d[len(d)-1].Round(time.Millisecond))
	}
	if len(every) == 0 {
		return "no acknowledged writes"
	}
	out := []string{line("all writes", every)}
	for _, op := range []opKind{opTopic, opQuestion, opReply, opAnswer, opComment, opVote, opEdit, opAccept} {
		if len(by[op]) > 0 {
			out = append(out, line(string(op), by[op]))
		}
	}
	return strings.Join(out, "\n")
}

// failures reports every 5xx (and unreadable 2xx) as a test error.
func failures(t *testing.T, ws []write) {
	t.Helper()
	n := 0
	for _, x := range ws {
		if x.outcome == failed {
			n++
			if n <= 10 {
				t.Errorf("%s by writer %d (target %d, marker %s) answered %d: %s", x.op, x.writer, x.target, x.marker, x.status, x.reply)
			}
		}
	}
	if n > 10 {
		t.Errorf("... %d failed writes in all", n)
	}
}

func decode(data []byte, v any) error { return json.Unmarshal(data, v) }
