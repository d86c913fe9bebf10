package matrix

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"practica/internal/testenv"
)

// probe performs one (action, surface) pair as a role and says what came back.
type probe struct {
	// phase orders the rows: reads (0) see the world as built, emails (1)
	// only add invitations, writes (2) come last and act on fresh questions
	// whenever they are expected to change something.
	phase  int
	states []string
	values []string // outcome words besides status codes
	run    func(t *testing.T, w *world, c cell) (got, request string)
}

func (p probe) accepts(v string) bool { return isStatus(v) || slices.Contains(p.values, v) }

var (
	topicStates  = []string{"normal", "locked", "deleted"}
	answerStates = []string{"normal", "deleted"}
	readWords    = []string{"shown", "hidden", "signin"}
	linkWords    = []string{"ok", "signin"}
	writeWords   = []string{"ok", "suggested", "refused"}
)

// probes maps "action surface" to its probe.
var probes = map[string]probe{
	"list-latest html":    listProbe(func(w *world, c cell) string { return "/" }),
	"list-questions html": listProbe(func(w *world, c cell) string { return "/questions" }),
	"list-space html":     listProbe(func(w *world, c cell) string { return w.spaces[c.space].Path() }),
	"list-tag html":       listProbe(func(w *world, c cell) string { return "/tags/matrix" }),
	"list-topics api":     listProbe(func(w *world, c cell) string { return "/api/v1/topics" }),
	"list-space api":      listProbe(func(w *world, c cell) string { return "/api/v1/topics?space=" + w.spaces[c.space].Slug }),

	"read-topic html": {states: append(slices.Clone(topicStates), "pending"), values: readWords, run: readTopic},
	"read-topic api":  {states: append(slices.Clone(topicStates), "pending"), values: readWords, run: readTopic},
	"read-post html":  {states: topicStates, values: linkWords, run: readPost},
	"read-post api":   {states: topicStates, values: readWords, run: readPost},
	"revisions html":  {states: topicStates, values: readWords, run: revisions},
	"revisions api":   {states: topicStates, values: readWords, run: revisions},

	"answer-in-topic html":  {states: answerStates, values: readWords, run: answerInTopic},
	"answer-in-topic api":   {states: answerStates, values: readWords, run: answerInTopic},
	"read-answer html":      {states: answerStates, values: linkWords, run: readAnswer},
	"read-answer api":       {states: answerStates, values: readWords, run: readAnswer},
	"answer-revisions html": {states: answerStates, values: readWords, run: answerRevisions},
	"answer-revisions api":  {states: answerStates, values: readWords, run: answerRevisions},

	"search search-html":        {states: append(slices.Clone(topicStates), "pending"), values: readWords, run: searchTopic},
	"search search-api":         {states: append(slices.Clone(topicStates), "pending"), values: readWords, run: searchTopic},
	"search-answer search-html": {states: answerStates, values: readWords, run: searchAnswer},
	"search-answer search-api":  {states: answerStates, values: readWords, run: searchAnswer},

	"review html": {states: []string{"pending"}, values: readWords, run: review},
	"review api":  {states: []string{"pending"}, values: readWords, run: review},

	"export-own-answer export-html":   {states: answerStates, values: readWords, run: exportProbe},
	"export-own-answer export-api":    {states: answerStates, values: readWords, run: exportProbe},
	"export-others-topic export-html": {states: topicStates, values: readWords, run: exportProbe},
	"export-others-topic export-api":  {states: topicStates, values: readWords, run: exportProbe},
	"export-suggestion export-html":   {states: []string{"pending"}, values: readWords, run: exportProbe},
	"export-suggestion export-api":    {states: []string{"pending"}, values: readWords, run: exportProbe},

	"invite-email email": {phase: 1, states: topicStates, values: []string{"shown", "hidden"}, run: inviteEmail},

	"create html": {phase: 2, states: []string{"normal"}, values: writeWords, run: create},
	"create api":  {phase: 2, states: []string{"normal"}, values: writeWords, run: create},
	"reply html":  {phase: 2, states: topicStates, values: writeWords, run: reply},
	"reply api":   {phase: 2, states: topicStates, values: writeWords, run: reply},
	"edit html":   {phase: 2, states: topicStates, values: writeWords, run: edit},
	"edit api":    {phase: 2, states: topicStates, values: writeWords, run: edit},
	"delete html": {phase: 2, states: topicStates, values: writeWords, run: deleteAnswer},
	"delete api":  {phase: 2, states: topicStates, values: writeWords, run: deleteAnswer},
	"vote html":   {phase: 2, states: topicStates, values: writeWords, run: vote},
	"vote api":    {phase: 2, states: topicStates, values: writeWords, run: vote},
	"accept html": {phase: 2, states: topicStates, values: writeWords, run: accept},
	"accept api":  {phase: 2, states: topicStates, values: writeWords, run: accept},
}

// --- reads ---

// get performs a read as the cell's role through its surface, once per role
// and path: the read phase changes nothing.
func (w *world) get(t *testing.T, c cell, path string) *httptest.ResponseRecorder {
	t.Helper()
	api := strings.HasPrefix(path, "/api/")
	key := c.role + " " + path
	if rec, ok := w.cache[key]; ok {
		return rec
	}
	if strings.Contains(path, "search?") {
		w.e.Clock.Advance(61 * time.Second) // stay under the search limit
	}
	var rec *httptest.ResponseRecorder
	if api {
		rec = w.e.API(t, w.roles[c.role], http.MethodGet, path, nil)
	} else {
		rec = w.e.Get(t, w.roles[c.role], path)
	}
	w.cache[key] = rec
	return rec
}

// outcome reads a response: shown or hidden (the marker in a 200 body), ok
// (a redirect to a topic), signin (a redirect to sign in), else the status.
func outcome(rec *httptest.ResponseRecorder, present func(body string) bool) string {
	loc := rec.Header().Get("Location")
	switch {
	case rec.Code == http.StatusOK && present(rec.Body.String()):
		return "shown"
	case rec.Code == http.StatusOK:
		return "hidden"
	case rec.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/signin"):
		return "signin"
	case rec.Code == http.StatusSeeOther && strings.HasPrefix(loc, "/t/"):
		return "ok"
	}
	return strconv.Itoa(rec.Code)
}

func contains(marker string) func(string) bool {
	return func(body string) bool { return strings.Contains(body, marker) }
}

func (c cell) api() bool { return strings.HasSuffix(c.surface, "api") }

func (c cell) pick(html, api string) string {
	if c.api() {
		return api
	}
	return html
}

func listProbe(path func(w *world, c cell) string) probe {
	return probe{states: topicStates, values: readWords, run: func(t *testing.T, w *world, c cell) (string, string) {
		q := w.objs[c.space][c.state]
		p := path(w, c)
		return outcome(w.get(t, c, p), contains(q.mark)), "GET " + p + " looking for " + q.mark
	}}
}

func readTopic(t *testing.T, w *world, c cell) (string, string) {
	q, mark := w.objs[c.space][c.state], ""
	if c.state == "pending" {
		q = w.objs[c.space]["normal"]
		mark = q.sugMark // the suggestion's text must not show before review
	} else {
		mark = q.mark
	}
	p := c.pick("/t/", "/api/v1/topics/") + itoa(q.topic.ID)
	return outcome(w.get(t, c, p), contains(mark)), "GET " + p + " looking for " + mark
}

func readPost(t *testing.T, w *world, c cell) (string, string) {
	q := w.objs[c.space][c.state]
	p := c.pick("/p/", "/api/v1/posts/") + itoa(q.opening)
	return outcome(w.get(t, c, p), contains(q.mark)), "GET " + p + " looking for " + q.mark
}

func revisions(t *testing.T, w *world, c cell) (string, string) {
	q := w.objs[c.space][c.state]
	p := c.pick("/p/", "/api/v1/posts/") + itoa(q.opening) + "/revisions"
	return outcome(w.get(t, c, p), contains(q.mark)), "GET " + p + " looking for " + q.mark
}

// answerOf is the live answer (state normal) or the deleted one (state
// deleted) of the space's normal question.
func (w *world) answerOf(c cell) (q *question, id int64, mark string) {
	q = w.objs[c.space]["normal"]
	if c.state == "deleted" {
		return q, q.deadAnswer, q.deadMark
	}
	return q, q.answer, q.answerMark
}

func answerInTopic(t *testing.T, w *world, c cell) (string, string) {
	q, _, mark := w.answerOf(c)
	p := c.pick("/t/", "/api/v1/topics/") + itoa(q.topic.ID)
	return outcome(w.get(t, c, p), contains(mark)), "GET " + p + " looking for " + mark
}

func readAnswer(t *testing.T, w *world, c cell) (string, string) {
	_, id, mark := w.answerOf(c)
	p := c.pick("/p/", "/api/v1/posts/") + itoa(id)
	return outcome(w.get(t, c, p), contains(mark)), "GET " + p + " looking for " + mark
}

func answerRevisions(t *testing.T, w *world, c cell) (string, string) {
	_, id, mark := w.answerOf(c)
	p := c.pick("/p/", "/api/v1/posts/") + itoa(id) + "/revisions"
	return outcome(w.get(t, c, p), contains(mark)), "GET " + p + " looking for " + mark
}

// searchFor searches a marker and says whether post id is among the hits
// (the page echoes the query, so the marker itself proves nothing).
func searchFor(t *testing.T, w *world, c cell, mark string, id int64) (string, string) {
	p := c.pick("/search?q=", "/api/v1/search?q=") + mark
	rec := w.get(t, c, p)
	found := func(body string) bool {
		if !c.api() {
			return strings.Contains(body, `href="/p/`+itoa(id)+`"`)
		}
		var res struct {
			Results []struct {
				PostID int64 `json:"post_id"`
			} `json:"results"`
		}
		if err := json.Unmarshal([]byte(body), &res); err != nil {
			t.Fatalf("GET %s: decode %q: %v", p, body, err)
		}
		return slices.ContainsFunc(res.Results, func(r struct {
			PostID int64 `json:"post_id"`
		}) bool {
			return r.PostID == id
		})
	}
	return outcome(rec, found), "GET " + p + " looking for post " + itoa(id)
}

func searchTopic(t *testing.T, w *world, c cell) (string, string) {
	if c.state == "pending" {
		q := w.objs[c.space]["normal"]
		return searchFor(t, w, c, q.sugMark, q.opening)
	}
	q := w.objs[c.space][c.state]
	return searchFor(t, w, c, q.mark, q.opening)
}

func searchAnswer(t *testing.T, w *world, c cell) (string, string) {
	_, id, mark := w.answerOf(c)
	return searchFor(t, w, c, mark, id)
}

func review(t *testing.T, w *world, c cell) (string, string) {
	q := w.objs[c.space]["normal"]
	p := c.pick("/review", "/api/v1/suggested-edits")
	return outcome(w.get(t, c, p), contains(q.sugMark)), "GET " + p + " looking for " + q.sugMark
}

// exportProbe downloads the role's own data and looks for a marker in
// every file of the zip.
func exportProbe(t *testing.T, w *world, c cell) (string, string) {
	var mark string
	switch c.action {
	case "export-own-answer":
		_, _, mark = w.answerOf(c)
	case "export-others-topic":
		mark = w.objs[c.space][c.state].mark
	default:
		mark = w.objs[c.space]["normal"].sugMark
	}
	p := c.pick("/settings/export", "/api/v1/me/export")
	rec := w.get(t, c, p)
	inZip := func(string) bool {
		for _, body := range testenv.Unzip(t, rec.Body.Bytes()) {
			if strings.Contains(body, mark) {
				return true
			}
		}
		return false
	}
	return outcome(rec, inZip), "GET " + p + " looking for " + mark
}

// --- email ---

// inviteEmail has a moderator invite the role's account to answer the
// question, then looks in the outbox for a message to the role's address
// that names it. Whoever cannot read the question must get nothing.
func inviteEmail(t *testing.T, w *world, c cell) (string, string) {
	q, u := w.objs[c.space][c.state], w.roles[c.role]
	p := "/api/v1/topics/" + itoa(q.topic.ID) + "/invites"
	rec := w.e.API(t, w.inviter, http.MethodPost, p, map[string]any{"usernames": []string{u.Username}})
	req := "POST " + p + " inviting " + u.Username + " (" + strconv.Itoa(rec.Code) + ")"
	if rec.Code >= 500 {
		return strconv.Itoa(rec.Code), req
	}
	mails, err := w.e.App.Store.Read().Outbox(w.ctx, 0, 1000)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	for _, m := range mails {
		if m.To == u.Email && strings.Contains(m.Body+m.Subject, q.mark) {
			return "shown", req
		}
	}
	return "hidden", req
}

// --- writes ---

// target is the question a write acts on: the shared one when the cell
// expects no effect, a fresh one when it does (or might, for a known bug).
func (w *world) target(t *testing.T, c cell) *question {
	// Edits always get a fresh question: the shared one carries a pending
	// suggestion, and one edit would make the next identical one a no-op.
	if c.want == "ok" || c.want == "suggested" || c.bug != "" || c.action == "edit" {
		return w.freshQuestion(t, c.space, c.state)
	}
	return w.objs[c.space][c.state]
}

// written reads a write's response. Through the API, 2xx is ok (202: the edit
// became a suggestion). Through the web, a 303 is ok only when it goes where
// success goes or carries the flash success carries (a refused action also
// answers 303, with its reason as the flash: "refused").
func written(c cell, rec *httptest.ResponseRecorder, success func(loc, flash string) string) string {
	if c.api() {
		switch {
		case rec.Code == http.StatusAccepted:
			return "suggested"
		case rec.Code >= 200 && rec.Code < 300:
			return "ok"
		}
		return strconv.Itoa(rec.Code)
	}
	if rec.Code != http.StatusSeeOther {
		return strconv.Itoa(rec.Code)
	}
	loc, flash := rec.Header().Get("Location"), ""
	for _, ck := range rec.Result().Cookies() {
		if ck.Name == "practica_flash" {
			flash, _ = url.QueryUnescape(ck.Value)
		}
	}
	if strings.HasPrefix(loc, "/signin") {
		return "signin"
	}
	if s := success(loc, flash); s != "" {
		return s
	}
	return "refused"
}

func (w *world) send(t *testing.T, c cell, method, webPath, apiPath string, form url.Values, body any) (*httptest.ResponseRecorder, string) {
	u := w.roles[c.role]
	if c.api() {
		return w.e.API(t, u, method, apiPath, body), method + " " + apiPath
	}
	return w.e.PostForm(t, u, webPath, form), "POST " + webPath
}

func create(t *testing.T, w *world, c cell) (string, string) {
	sp := w.spaces[c.space]
	title, body := "A new question from the matrix run", "The body of a new question, long enough to be accepted."
	rec, req := w.send(t, c, http.MethodPost, "/new", "/api/v1/topics",
		url.Values{"space": {sp.Slug}, "kind": {"question"}, "title": {title}, "body": {body}, "tags": {"matrix"}},
		map[string]any{"space": sp.Slug, "kind": "question", "title": title, "body": body, "tags": []string{"matrix"}})
	return written(c, rec, func(loc, _ string) string { return when(strings.HasPrefix(loc, "/t/"), "ok") }), req
}

func reply(t *testing.T, w *world, c cell) (string, string) {
	q := w.objs[c.space][c.state] // an added answer changes nothing another cell reads
	body := "An answer from the matrix run, long enough to be accepted."
	id := itoa(q.topic.ID)
	rec, req := w.send(t, c, http.MethodPost, "/t/"+id+"/replies", "/api/v1/topics/"+id+"/posts", url.Values{"body": {body}}, map[string]any{"body": body})
	return written(c, rec, func(loc, _ string) string { return when(strings.HasPrefix(loc, "/p/"), "ok") }), req
}

func edit(t *testing.T, w *world, c cell) (string, string) {
	q := w.target(t, c)
	body := "The question's body, edited in the matrix run to say more."
	id := itoa(q.opening)
	rec, req := w.send(t, c, http.MethodPatch, "/p/"+id+"/edit", "/api/v1/posts/"+id,
		url.Values{"title": {q.topic.Title}, "body": {body}, "tags": {"matrix"}, "reason": {"clarify"}},
		map[string]any{"body": body, "reason": "clarify"})
	return written(c, rec, func(_, flash string) string {
		switch {
		case flash == "Saved.":
			return "ok"
		case strings.Contains(flash, "waiting for a reviewer"):
			return "suggested"
		}
		return ""
	}), req
}

func deleteAnswer(t *testing.T, w *world, c cell) (string, string) {
	q := w.target(t, c)
	id := itoa(q.answer)
	rec, req := w.send(t, c, http.MethodDelete, "/p/"+id+"/delete", "/api/v1/posts/"+id, url.Values{}, nil)
	return written(c, rec, func(_, flash string) string { return when(flash == "Deleted.", "ok") }), req
}

func vote(t *testing.T, w *world, c cell) (string, string) {
	q := w.target(t, c)
	id := itoa(q.answer)
	rec, req := w.send(t, c, http.MethodPost, "/p/"+id+"/vote", "/api/v1/posts/"+id+"/vote", url.Values{"value": {"1"}}, map[string]any{"value": 1})
	// The web answers a vote with a redirect either way; whether it counted
	// is read back from the store, and a success must carry no error flash.
	return written(c, rec, func(_, flash string) string {
		pv, err := w.e.App.Content.VoteState(w.ctx, w.roles[c.role].Viewer(), q.answer)
		switch {
		case err != nil || pv.Vote != 1:
			return ""
		case flash != "":
			return "ok-with-flash:" + strings.ReplaceAll(flash, " ", "_")
		}
		return "ok"
	}), req
}

func accept(t *testing.T, w *world, c cell) (string, string) {
	q := w.target(t, c)
	id := itoa(q.topic.ID)
	rec, req := w.send(t, c, http.MethodPost, "/t/"+id+"/accept", "/api/v1/topics/"+id+"/accept",
		url.Values{"post_id": {itoa(q.answer)}}, map[string]any{"post_id": q.answer})
	return written(c, rec, func(_, flash string) string { return when(strings.HasPrefix(flash, "Accepted"), "ok") }), req
}

func when(ok bool, s string) string {
	if ok {
		return s
	}
	return ""
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
