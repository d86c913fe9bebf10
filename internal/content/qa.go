package content

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
)

// Comment length limits: comments are short asides, not answers.
const (
	MinComment = 10
	MaxComment = 600
)

// ReputationConfig returns the community's reputation rules and privilege
// thresholds (defaults overridden by settings).
func (s *Service) ReputationConfig(ctx context.Context) (reputation.Config, error) {
	return s.repConfig(ctx, s.store.Read())
}

func (s *Service) repConfig(ctx context.Context, q *store.Queries) (reputation.Config, error) {
	settings, err := q.Settings(ctx)
	if err != nil {
		return reputation.Config{}, err
	}
	return reputation.Load(settings), nil
}

// privilegeError explains a missing privilege.
func privilegeError(cfg reputation.Config, p reputation.Privilege, what string) error {
	return apperr.New(apperr.Forbidden, "%s needs %d reputation. See /privileges for how reputation is earned.", what, cfg.Privileges[p])
}

// VoteResult is a post's score after a vote, and the viewer's vote on it.
type VoteResult struct {
	PostID int64
	Score  int64
	Mine   int
}

// Vote records the viewer's vote on a question or answer: 1 up, -1 down, 0
// to retract. Repeating a vote changes nothing.
func (s *Service) Vote(ctx context.Context, v model.Viewer, postID int64, value int) (VoteResult, error) {
	if value < -1 || value > 1 {
		return VoteResult{}, apperr.Field("value", "Vote 1 (up), -1 (down) or 0 (retract).")
	}
	res := VoteResult{PostID: postID, Mine: value}
	err := s.inTopicTx(ctx, postID, func(q *store.Queries, l *ledger) error {
		sub, err := s.postSubject(ctx, q, v, postID, policy.Vote)
		if err != nil {
			return err
		}
		if value < 0 && !l.cfg.Has(v.User, reputation.Downvote) && !policy.Moderates(v, sub) {
			return privilegeError(l.cfg, reputation.Downvote, "Voting down")
		}
		changed, err := q.SetVote(ctx, postID, v.UserID(), value, s.now())
		if err != nil || !changed {
			res.Score = sub.Post.Score
			return err
		}
		if res.Score, err = q.RecountScore(ctx, postID); err != nil {
			return err
		}
		undo := "vote_changed"
		if value == 0 {
			undo = "vote_retracted"
		}
		fact := reputation.VoteFact{PostID: postID, VoterID: v.UserID(), AuthorID: sub.Post.AuthorID, Value: value, Kind: sub.Post.Kind, Live: true, Wiki: sub.Post.Wiki()}
		return l.settle(ctx, reputation.VoteSource(postID, v.UserID()), l.cfg.ForVote(fact), postID, v.UserID(), undo)
	})
	return res, err
}

// Accept marks an answer as the accepted one for its question, replacing any
// earlier choice; postID 0 clears the choice.
func (s *Service) Accept(ctx context.Context, v model.Viewer, topicID, postID int64) (model.Topic, error) {
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockTopic(ctx, topicID); err != nil {
			return err
		}
		l, err := s.newLedger(ctx, q)
		if err != nil {
			return err
		}
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.ReadTopic)
		if err != nil {
			return err
		}
		if err := s.checkAccept(ctx, q, v, sub, postID); err != nil {
			return err
		}
		if sub.Topic.AcceptedPostID == postID {
			t = *sub.Topic
			return nil
		}
		if err := q.SetAccepted(ctx, topicID, postID); err != nil {
			return err
		}
		if err := l.settleAccept(ctx, topicID, v.UserID(), "accept_undone"); err != nil {
			return err
		}
		if err := l.close(ctx); err != nil {
			return err
		}
		if postID != 0 {
			if err := s.notifyAccepted(ctx, q, v, sub, postID); err != nil {
				return err
			}
		}
		t, err = q.Topic(ctx, topicID)
		return err
	})
	return t, err
}

// notifyAccepted tells an answer's author it was accepted.
func (s *Service) notifyAccepted(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, postID int64) error {
	p, err := q.Post(ctx, postID)
	if err != nil {
		return err
	}
	// Accepting it again (after another answer) says nothing new.
	if told, err := q.HasNotification(ctx, p.AuthorID, model.NoteAccepted, postID); err != nil || told {
		return err
	}
	sub.Post = &p
	n := s.notes(v, sub)
	if err := n.to(ctx, q, p.AuthorID, model.NoteAccepted); err != nil {
		return err
	}
	return n.send(ctx, q)
}

// checkAccept checks the viewer may accept postID (or, for 0, clear the
// current choice) on the question.
func (s *Service) checkAccept(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, postID int64) error {
	if sub.Topic.Kind != model.KindQuestion {
		return apperr.New(apperr.Forbidden, "Only questions have accepted answers.")
	}
	if postID == 0 {
		if sub.Topic.AcceptedPostID == 0 {
			return nil
		}
		// Clearing is about the question, not the answer: a deleted accepted
		// answer must not keep its asker from clearing the choice.
		p, err := q.Post(ctx, sub.Topic.AcceptedPostID)
		if err != nil {
			return err
		}
		p.DeletedAt = nil
		sub.Post = &p
		return policy.Check(v, policy.AcceptAnswer, sub)
	}
	p, err := q.Post(ctx, postID)
	if err != nil || p.TopicID != sub.Topic.ID {
		return apperr.Field("post_id", "Choose an answer to this question.")
	}
	sub.Post = &p
	return policy.Check(v, policy.AcceptAnswer, sub)
}

// Comment adds a comment under a question or an answer. Below the comment
// privilege, members comment on their own posts and on answers to their own
// questions only.
func (s *Service) Comment(ctx context.Context, v model.Viewer, postID int64, body string) (model.Post, error) {
	f := apperr.Fields{}
	body = checkComment(f, body)
	var c model.Post
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.postSubject(ctx, q, v, postID, policy.Comment)
		if err != nil {
			return err
		}
		if err := f.Err(); err != nil {
			return err
		}
		cfg, err := s.repConfig(ctx, q)
		if err != nil {
			return err
		}
		own := sub.Post.AuthorID == v.UserID() || sub.Topic.AuthorID == v.UserID()
		if !own && !cfg.Has(v.User, reputation.CommentEverywhere) && !policy.Moderates(v, sub) {
			return privilegeError(cfg, reputation.CommentEverywhere, "Commenting on others' posts")
		}
		now := s.now()
		c, err = q.CreatePost(ctx, model.Post{TopicID: sub.Topic.ID, AuthorID: v.UserID(), Kind: model.PostComment, ParentID: postID, Body: body, BodyHTML: s.md.Render(body), CreatedAt: now})
		if err != nil {
			return err
		}
		if err := markActive(ctx, q, sub.Space, v.UserID(), now); err != nil {
			return err
		}
		if err := q.AddRevision(ctx, model.Revision{PostID: c.ID, Number: 1, EditorID: v.UserID(), Body: body, CreatedAt: now}); err != nil {
			return err
		}
		if err := q.IndexPost(ctx, c.ID); err != nil {
			return err
		}
		if err := q.TouchTopic(ctx, c); err != nil {
			return err
		}
		return s.notifyPost(ctx, q, v, sub, c, sub.Post.AuthorID)
	})
	return c, err
}

func checkComment(f apperr.Fields, body string) string {
	body = strings.TrimSpace(strings.ReplaceAll(body, "\r\n", "\n"))
	switch n := utf8.RuneCountInString(body); {
	case n < MinComment:
		f.Add("body", fmt.Sprintf("Comments need at least %d characters.", MinComment))
	case n > MaxComment:
		f.Add("body", fmt.Sprintf("Keep comments to %d characters; longer thoughts make a good answer.", MaxComment))
	case markup.BadText(body):
		f.Add("body", markup.BadTextMessage)
	}
	return body
}

// ledger settles reputation sources within one write transaction and then
// adds what it changed to the stored reputation of everyone it touched.
type ledger struct {
	s   *Service
	q   *store.Queries
	cfg reputation.Config
	// deltas is what the rows appended here add to each user's total; close
	// adds it to the stored reputation. Adding, not summing the ledger again,
	// keeps a vote's cost flat however many rows its author has.
	deltas map[int64]int64
}

func (s *Service) newLedger(ctx context.Context, q *store.Queries) (*ledger, error) {
	cfg, err := s.repConfig(ctx, q)
	return &ledger{s: s, q: q, cfg: cfg, deltas: map[int64]int64{}}, err
}

// inTopicTx runs fn in a write transaction holding the lock of the topic that
// post postID belongs to, then recounts the reputation fn changed.
func (s *Service) inTopicTx(ctx context.Context, postID int64, fn func(q *store.Queries, l *ledger) error) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		if err := lockPostTopic(ctx, q, postID); err != nil {
			return err
		}
		l, err := s.newLedger(ctx, q)
		if err != nil {
			return err
		}
		if err := fn(q, l); err != nil {
			return err
		}
		return l.close(ctx)
	})
}

// settle brings one source's ledger rows to what the rules say now: when a
// user's current total differs from their award, the old total is reversed
// (reason undo) and the new award recorded with its own reason.
func (l *ledger) settle(ctx context.Context, source string, awards []reputation.Award, postID, actorID int64, undo string) error {
	current, err := l.q.LedgerSums(ctx, source)
	if err != nil {
		return err
	}
	want := map[int64]reputation.Award{}
	for _, a := range awards {
		w := want[a.UserID]
		w.UserID, w.Delta, w.Reason = a.UserID, w.Delta+a.Delta, a.Reason
		want[a.UserID] = w
	}
	users := make([]int64, 0, len(current)+len(want))
	for u := range current {
		users = append(users, u)
	}
	for u := range want {
		if _, ok := current[u]; !ok {
			users = append(users, u)
		}
	}
	slices.Sort(users)
	now := l.s.now()
	var events []model.ReputationEvent
	for _, u := range users {
		have, w := current[u], want[u]
		if have == w.Delta {
			continue
		}
		l.deltas[u] += w.Delta - have
		if have != 0 {
			events = append(events, model.ReputationEvent{UserID: u, Delta: -have, Reason: undo, Source: source, PostID: postID, ActorID: actorID, CreatedAt: now})
		}
		if w.Delta != 0 {
			events = append(events, model.ReputationEvent{UserID: u, Delta: w.Delta, Reason: w.Reason, Source: source, PostID: postID, ActorID: actorID, CreatedAt: now})
		}
	}
	return l.q.AppendReputation(ctx, events...)
}

// settleAccept settles a question's accepted-answer source.
func (l *ledger) settleAccept(ctx context.Context, topicID, actorID int64, undo string) error {
	f, err := l.q.AcceptFact(ctx, topicID)
	if err != nil {
		return err
	}
	return l.settle(ctx, reputation.AcceptSource(topicID), l.cfg.ForAccept(f), f.Post(), actorID, undo)
}

// settleVotes settles the votes on one post (postID != 0) or on every post of
// a topic, after the post or topic was deleted or restored.
func (l *ledger) settleVotes(ctx context.Context, postID, topicID int64, undo string) error {
	facts, err := l.q.VoteFacts(ctx, postID, topicID)
	if err != nil {
		return err
	}
	for _, f := range facts {
		if err := l.settle(ctx, reputation.VoteSource(f.PostID, f.VoterID), l.cfg.ForVote(f), f.PostID, f.VoterID, undo); err != nil {
			return err
		}
	}
	return nil
}

// close adds each touched user's delta to their stored reputation, in id
// order so concurrent transactions lock users in the same order.
func (l *ledger) close(ctx context.Context) error {
	users := make([]int64, 0, len(l.deltas))
	for u := range l.deltas {
		users = append(users, u)
	}
	slices.Sort(users)
	for _, u := range users {
		if err := l.q.AddReputation(ctx, u, l.deltas[u]); err != nil {
			return err
		}
	}
	return nil
}

// LedgerMismatch is a source whose ledger total for a user differs from what
// the rules give for the current state.
type LedgerMismatch struct {
	Source string
	UserID int64
	Ledger int64
	Want   int64
}

// ReputationReport is what VerifyReputation found.
type ReputationReport struct {
	Drifts     []store.ReputationDrift
	Mismatches []LedgerMismatch
	Fixed      bool
}

// OK reports whether the ledger and the stored reputations agree with the state.
func (r ReputationReport) OK() bool { return len(r.Drifts) == 0 && len(r.Mismatches) == 0 }

// VerifyReputation recomputes every source's effect from the votes and
// accepted answers as they are now and compares it with the ledger, and every
// stored reputation with its ledger's sum. With fix, it appends corrections
// (reason "recomputed") and recounts, then checks again.
func (s *Service) VerifyReputation(ctx context.Context, fix bool) (ReputationReport, error) {
	var rep ReputationReport
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		rep, err = s.checkLedger(ctx, q, fix)
		return err
	})
	return rep, err
}

// checkLedger verifies the ledger within a transaction and, with fix,
// corrects it and verifies again.
func (s *Service) checkLedger(ctx context.Context, q *store.Queries, fix bool) (ReputationReport, error) {
	if fix {
		// No vote or acceptance may settle with the old points while the
		// whole ledger is recomputed (and read afterwards with the new ones).
		if err := q.LockAllTopics(ctx); err != nil {
			return ReputationReport{}, err
		}
	}
	l, err := s.newLedger(ctx, q)
	if err != nil {
		return ReputationReport{}, err
	}
	rep, err := s.verify(ctx, q, l.cfg)
	if err != nil || !fix || rep.OK() {
		return rep, err
	}
	for _, m := range rep.Mismatches {
		if err := l.resettle(ctx, m.Source); err != nil {
			return rep, err
		}
	}
	if err := l.close(ctx); err != nil {
		return rep, err
	}
	// A drifted total is wrong before any delta: only a full sum mends it.
	for _, d := range rep.Drifts {
		if err := q.RecountReputation(ctx, d.UserID); err != nil {
			return rep, err
		}
	}
	rep, err = s.verify(ctx, q, l.cfg)
	rep.Fixed = true
	return rep, err
}

func (s *Service) verify(ctx context.Context, q *store.Queries, cfg reputation.Config) (ReputationReport, error) {
	var rep ReputationReport
	var err error
	if rep.Drifts, err = q.ReputationDrifts(ctx); err != nil {
		return rep, err
	}
	ledger, err := q.LedgerBySource(ctx)
	if err != nil {
		return rep, err
	}
	want := map[string]map[int64]int64{}
	add := func(source string, awards []reputation.Award) {
		for _, a := range awards {
			if want[source] == nil {
				want[source] = map[int64]int64{}
			}
			want[source][a.UserID] += a.Delta
		}
	}
	if err := q.EachVoteFact(ctx, func(f reputation.VoteFact) error {
		add(reputation.VoteSource(f.PostID, f.VoterID), cfg.ForVote(f))
		return nil
	}); err != nil {
		return rep, err
	}
	accepts, err := q.AcceptFacts(ctx)
	if err != nil {
		return rep, err
	}
	for _, f := range accepts {
		add(reputation.AcceptSource(f.TopicID), cfg.ForAccept(f))
	}
	for source, users := range ledger {
		if reputation.Trusted(source) {
			continue
		}
		for u, have := range users {
			if w := want[source][u]; w != have {
				rep.Mismatches = append(rep.Mismatches, LedgerMismatch{source, u, have, w})
			}
		}
	}
	for source, users := range want {
		for u, w := range users {
			if _, ok := ledger[source][u]; !ok && w != 0 {
				rep.Mismatches = append(rep.Mismatches, LedgerMismatch{source, u, 0, w})
			}
		}
	}
	slices.SortFunc(rep.Mismatches, func(a, b LedgerMismatch) int {
		if c := strings.Compare(a.Source, b.Source); c != 0 {
			return c
		}
		return cmp.Compare(a.UserID, b.UserID)
	})
	return rep, nil
}

// resettle brings one source, named as the ledger names it, back to the rules.
func (l *ledger) resettle(ctx context.Context, source string) error {
	var postID, voterID, topicID int64
	if _, err := fmt.Sscanf(source, "vote:%d:%d", &postID, &voterID); err == nil {
		facts, err := l.q.VoteFacts(ctx, postID, 0)
		if err != nil {
			return err
		}
		var awards []reputation.Award
		for _, f := range facts {
			if f.VoterID == voterID {
				awards = l.cfg.ForVote(f)
			}
		}
		return l.settle(ctx, source, awards, postID, voterID, "recomputed")
	}
	if _, err := fmt.Sscanf(source, "accept:%d", &topicID); err == nil {
		f, err := l.q.AcceptFact(ctx, topicID)
		if errors.Is(err, store.ErrNotFound) {
			return l.settle(ctx, source, nil, 0, 0, "recomputed")
		}
		if err != nil {
			return err
		}
		return l.settle(ctx, source, l.cfg.ForAccept(f), f.Post(), 0, "recomputed")
	}
	return l.settle(ctx, source, nil, 0, 0, "recomputed")
}

// Comments returns the comments on a post the viewer may read.
func (s *Service) Comments(ctx context.Context, v model.Viewer, postID int64) ([]PostView, error) {
	q := s.store.Read()
	sub, err := s.postSubject(ctx, q, v, postID, policy.ReadPost)
	if err != nil {
		return nil, err
	}
	byParent, err := q.Comments(ctx, []int64{postID}, policy.Moderates(v, sub))
	if err != nil {
		return nil, err
	}
	out := []PostView{}
	for _, c := range byParent[postID] {
		out = append(out, postView(v, sub, c))
	}
	return out, nil
}

// ReputationPage is a member's reputation and its history.
type ReputationPage struct {
	User   model.User
	Events []model.ReputationItem
}

// ReputationHistory returns a member's latest ledger rows (up to 200); rows
// about content the viewer cannot read show without it.
func (s *Service) ReputationHistory(ctx context.Context, v model.Viewer, username string) (ReputationPage, error) {
	q := s.store.Read()
	u, err := q.UserByUsername(ctx, username)
	if err != nil {
		return ReputationPage{}, err
	}
	events, err := q.ReputationHistory(ctx, policy.ScopeOf(v), u.ID, 200)
	if v.UserID() != u.ID {
		for i, e := range events {
			// A member's own rows of a vote source are the cost of a downvote
			// they cast: which post they voted down is theirs alone to see.
			if strings.HasPrefix(e.Event.Source, "vote:") && strings.HasSuffix(e.Event.Source, fmt.Sprintf(":%d", u.ID)) {
				events[i].Event.PostID, events[i].Topic = 0, model.Topic{}
			}
		}
	}
	return ReputationPage{User: u, Events: events}, err
}

// VoteState returns a question or answer with the viewer's vote and what they
// may do to it, as its vote box shows them.
func (s *Service) VoteState(ctx context.Context, v model.Viewer, postID int64) (PostView, error) {
	q := s.store.Read()
	sub, err := s.postSubject(ctx, q, v, postID, policy.ReadPost)
	if err != nil {
		return PostView{}, err
	}
	author, err := q.UserRef(ctx, sub.Post.AuthorID)
	if err != nil {
		return PostView{}, err
	}
	views, err := s.qaViews(ctx, q, v, sub, []model.PostItem{{Post: *sub.Post, Author: author}}, false)
	if err != nil {
		return PostView{}, err
	}
	return views[0], nil
}

// SetReputationConfig changes points per event and privilege thresholds
// (admins only) and brings every member's reputation in line with the new
// points (as "recomputed" ledger rows); values maps settings keys (see reputation.Config.Settings and
// reputation.PrivilegeKey) to numbers. Unknown keys and bad numbers are
// refused, naming the key.
func (s *Service) SetReputationConfig(ctx context.Context, v model.Viewer, values map[string]string) (reputation.Config, error) {
	if !policy.CanManageUsers(v) {
		if err := policy.CheckWriter(v); err != nil {
			return reputation.Config{}, err
		}
		return reputation.Config{}, apperr.New(apperr.Forbidden, "Only administrators change reputation rules.")
	}
	limits := map[string][2]int64{}
	def := reputation.Default()
	for _, st := range def.Settings() {
		limits[st.Key] = [2]int64{-1000, 1000}
	}
	for _, p := range reputation.AllPrivileges {
		limits[reputation.PrivilegeKey(p.Key)] = [2]int64{0, 1000000}
	}
	f := apperr.Fields{}
	clean := map[string]string{}
	for k, raw := range values {
		lim, ok := limits[k]
		if !ok {
			f.Add(k, "Not a reputation setting.")
			continue
		}
		n, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil || n < lim[0] || n > lim[1] {
			f.Add(k, fmt.Sprintf("Enter a whole number from %d to %d.", lim[0], lim[1]))
			continue
		}
		clean[k] = strconv.FormatInt(n, 10)
	}
	if err := f.Err(); err != nil {
		return reputation.Config{}, err
	}
	var cfg reputation.Config
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		if err := q.LockAllTopics(ctx); err != nil {
			return err
		}
		for k, val := range clean {
			if err := q.SetSetting(ctx, k, val, s.now()); err != nil {
				return err
			}
		}
		// Everyone's reputation follows the new points at once, as the
		// rules page promises.
		if _, err := s.checkLedger(ctx, q, true); err != nil {
			return err
		}
		var err error
		cfg, err = s.repConfig(ctx, q)
		return err
	})
	return cfg, err
}
