package content

import (
	"context"
	"slices"
	"sync"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
)

// AwardBadges runs every badge rule and awards what was earned since the last
// run. It is what the background job calls; running it twice in a row awards
// nothing the second time. Who earned a badge is read on the read pool, and
// the awards are written badgeChunk at a time: on a large community
// (500,000 topics) one transaction for all held SQLite's only writer for
// 42 s, and even one per badge held it for up to 26 s, every run, while
// sign-ins and posts waited. A candidate read a moment before its award is
// still right: badges are kept once earned.
func (s *Service) AwardBadges(ctx context.Context) (int64, error) {
	var total int64
	now := s.now()
	for _, b := range reputation.Badges {
		cands, err := s.store.Read().BadgeCandidates(ctx, b)
		if err != nil {
			return total, err
		}
		for chunk := range slices.Chunk(cands, badgeChunk) {
			err := s.store.InTx(ctx, func(q *store.Queries) error {
				q.Touch() // GiveBadge declares each member who gained a badge; badge pages are not cached
				users, err := q.GiveBadge(ctx, b, chunk, now)
				if err != nil {
					return err
				}
				total += int64(len(users))
				notes := make([]model.Notification, len(users))
				for i, id := range users {
					notes[i] = model.Notification{UserID: id, Kind: model.NoteBadge, Badge: b.Key, CreatedAt: now}
				}
				return notify.Add(ctx, q, notes)
			})
			if err != nil {
				return total, err
			}
		}
	}
	return total, nil
}

// badgeChunk is how many awards one write transaction makes, so that a first
// run on a large community holds the writer for milliseconds at a time.
const badgeChunk = 500

// BadgeSummary is a badge with how often it was awarded.
type BadgeSummary struct {
	reputation.Badge
	Awarded int64
}

// Badges lists every badge with its award count.
func (s *Service) Badges(ctx context.Context) ([]BadgeSummary, error) {
	counts, err := s.store.Read().BadgeCounts(ctx)
	if err != nil {
		return nil, err
	}
	out := make([]BadgeSummary, len(reputation.Badges))
	for i, b := range reputation.Badges {
		out[i] = BadgeSummary{Badge: b, Awarded: counts[b.Key]}
	}
	return out, nil
}

// BadgeRecipients returns a badge and its latest recipients the viewer may
// see (per-post awards on hidden posts are left out).
func (s *Service) BadgeRecipients(ctx context.Context, v model.Viewer, key string) (reputation.Badge, []store.BadgeAward, error) {
	b, ok := reputation.BadgeByKey(key)
	if !ok {
		return b, nil, apperr.NotFoundf("There is no badge %q.", truncate(key, 40))
	}
	awards, err := s.store.Read().BadgeRecipients(ctx, policy.ScopeOf(v), key, 100)
	return b, awards, err
}

// UserBadgeKeys returns which badges a member holds where the viewer may
// see at least one award.
func (s *Service) UserBadgeKeys(ctx context.Context, v model.Viewer, userID int64) ([]string, error) {
	return s.store.Read().UserBadgeKeys(ctx, policy.ScopeOf(v), userID)
}

// UserBadges returns a member's badges the viewer may see, newest first.
func (s *Service) UserBadges(ctx context.Context, v model.Viewer, userID int64) ([]store.BadgeAward, error) {
	return s.store.Read().UserBadges(ctx, policy.ScopeOf(v), userID)
}

// Activity buffers page views and member visits in memory and writes them in
// one transaction per flush, so reading a page never waits on a write.
type Activity struct {
	mu     sync.Mutex
	views  map[int64]int64
	seen   map[seenKey]bool
	visits map[[2]int64]bool
}

// seenKey is one viewer's view of one topic within a flush window; repeats
// within the window count once.
type seenKey struct {
	topic  int64
	viewer string
}

// maxSeen bounds the de-duplication set; past it, views still count.
const maxSeen = 100_000

// NewActivity returns an empty buffer.
func NewActivity() *Activity {
	return &Activity{views: map[int64]int64{}, seen: map[seenKey]bool{}, visits: map[[2]int64]bool{}}
}

// View records that a viewer (a user id or a client address) opened a topic.
func (a *Activity) View(topicID int64, viewer string) {
	a.mu.Lock()
	defer a.mu.Unlock()
	k := seenKey{topicID, viewer}
	if a.seen[k] {
		return
	}
	if len(a.seen) < maxSeen {
		a.seen[k] = true
	}
	a.views[topicID]++
}

// Visit records that a member used the site on the day of at.
func (a *Activity) Visit(userID int64, at time.Time) {
	day := at.UTC().Unix() / 86400
	a.mu.Lock()
	a.visits[[2]int64{userID, day}] = true
	a.mu.Unlock()
}

// take empties the buffer and returns what it held.
func (a *Activity) take() (map[int64]int64, [][2]int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	views := a.views
	visits := make([][2]int64, 0, len(a.visits))
	for v := range a.visits {
		visits = append(visits, v)
	}
	a.views, a.seen, a.visits = map[int64]int64{}, map[seenKey]bool{}, map[[2]int64]bool{}
	return views, visits
}

// FlushActivity writes the buffered views and visits in one transaction; if
// it fails, they go back into the buffer for the next flush.
func (s *Service) FlushActivity(ctx context.Context) error {
	views, visits := s.Activity.take()
	if len(views) == 0 && len(visits) == 0 {
		return nil
	}
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		q.Touch() // visits show on no shared page; AddViews names the topics
		if err := q.AddViews(ctx, views); err != nil {
			return err
		}
		return q.RecordVisits(ctx, visits)
	})
	if err != nil {
		s.Activity.putBack(views, visits)
	}
	return err
}

// putBack returns counts a failed flush could not write.
func (a *Activity) putBack(views map[int64]int64, visits [][2]int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for id, n := range views {
		a.views[id] += n
	}
	for _, v := range visits {
		a.visits[v] = true
	}
}

// Visited records that a member used the site today.
func (s *Service) Visited(userID int64) { s.Activity.Visit(userID, s.now()) }

// Leaderboard periods.
const (
	PeriodWeek  = "week"
	PeriodMonth = "month"
	PeriodAll   = "all"
)

// LeaderboardInput selects a leaderboard.
type LeaderboardInput struct {
	Period string
	Space  string
	Tag    string
}

// LeaderboardView is a leaderboard with what it covers.
type LeaderboardView struct {
	Input   LeaderboardInput
	Space   model.Space
	Tag     model.Tag
	Leaders []store.Leader
}

// Leaderboard ranks members by reputation earned this week, this month or
// ever, across the community, in one space (which the viewer must be able to
// read) or under one tag.
func (s *Service) Leaderboard(ctx context.Context, v model.Viewer, in LeaderboardInput) (LeaderboardView, error) {
	out := LeaderboardView{Input: in}
	f := store.LeaderFilter{Limit: 50}
	now := s.now()
	switch in.Period {
	case PeriodWeek:
		f.Since = now.AddDate(0, 0, -7)
	case PeriodMonth:
		f.Since = now.AddDate(0, -1, 0)
	case PeriodAll, "":
		out.Input.Period = PeriodAll
	default:
		return out, apperr.Field("period", "Choose week, month or all.")
	}
	q := s.store.Read()
	if in.Space != "" {
		sub, err := community.Subject(ctx, q, v, in.Space, policy.ReadContent)
		if err != nil {
			return out, err
		}
		out.Space, f.SpaceID = sub.Space, sub.Space.ID
	}
	if in.Tag != "" {
		t, err := s.readableTag(ctx, q, v, in.Tag)
		if err != nil {
			return out, err
		}
		out.Tag, f.TagID = t, t.ID
	}
	if f.Since.IsZero() && f.SpaceID+f.TagID != 0 {
		f.Since = time.Unix(0, 0).UTC()
	}
	var err error
	out.Leaders, err = q.Leaderboard(ctx, policy.ScopeOf(v), f)
	return out, err
}
