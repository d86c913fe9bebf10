package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/policy"
	"practica/internal/store"
)

// What a digest holds, at most.
const (
	digestTopics   = 5
	digestMembers  = 5
	digestWindow   = 200 // newest questions looked at for the top ones
	digestsPerRun  = 200
	digestBatches  = 10 // per run: 2,000 digests every 10 minutes at most
	digestTitleCap = 120
)

// DigestView is one member's digest: the best and the unanswered questions
// of their spaces and followed tags since their last one (not their own),
// the events there that are coming up, and who joined.
type DigestView struct {
	Top        []model.TopicItem
	Unanswered []model.TopicItem
	Upcoming   []model.TopicItem
	Members    []model.UserRef
	// Zone is the member's time zone, which event times are given in
	// (empty: each event's own).
	Zone string
}

// Empty reports whether the digest has nothing to say.
func (d DigestView) Empty() bool {
	return len(d.Top) == 0 && len(d.Unanswered) == 0 && len(d.Upcoming) == 0 && len(d.Members) == 0
}

// digest gathers a member's digest. Every list is read as that member, so
// it holds only what they may read now.
func (s *Service) digest(ctx context.Context, q *store.Queries, u model.User, freq model.DigestFrequency, since time.Time) (DigestView, error) {
	v := model.Viewer{User: &u}
	f := store.TopicFilter{Kind: model.KindQuestion, Interests: u.ID, Since: since, Sort: store.SortNewest, Limit: digestWindow}
	recent, err := q.Topics(ctx, policy.ScopeOf(v), f)
	if err != nil {
		return DigestView{}, err
	}
	var d DigestView
	for _, it := range recent {
		if it.Topic.AuthorID != u.ID && it.Topic.Score > 0 {
			d.Top = append(d.Top, it)
		}
	}
	slices.SortStableFunc(d.Top, func(a, b model.TopicItem) int { return cmp.Compare(b.Topic.Score, a.Topic.Score) })
	d.Top = d.Top[:min(len(d.Top), digestTopics)]
	f.Sort, f.Limit = store.SortUnanswered, 2*digestTopics
	waiting, err := q.Topics(ctx, policy.ScopeOf(v), f)
	if err != nil {
		return d, err
	}
	for _, it := range waiting {
		if it.Topic.AuthorID != u.ID && len(d.Unanswered) < digestTopics {
			d.Unanswered = append(d.Unanswered, it)
		}
	}
	if err := s.digestEvents(ctx, q, v, freq, since, &d); err != nil {
		return d, err
	}
	d.Members, err = q.NewMembers(ctx, since, digestMembers)
	return d, err
}

// digestEvents adds the events of the member's spaces and tags that start
// before the next digest is out (a day's grace), and those announced since
// the last one however far ahead; not their own.
func (s *Service) digestEvents(ctx context.Context, q *store.Queries, v model.Viewer, freq model.DigestFrequency, since time.Time, d *DigestView) error {
	now := s.now()
	f := store.EventFilter{Interests: v.UserID(), At: now, Until: now.Add(freq.Period() + 24*time.Hour), NewSince: since, Limit: 2 * digestTopics}
	events, err := q.Events(ctx, policy.ScopeOf(v), f)
	if err != nil {
		return err
	}
	for _, it := range events {
		if it.Topic.AuthorID != v.UserID() && len(d.Upcoming) < digestTopics {
			d.Upcoming = append(d.Upcoming, it)
		}
	}
	if len(d.Upcoming) == 0 {
		return nil
	}
	p, err := q.Profile(ctx, v.UserID())
	if model.ValidTimeZone(p.TimeZone) {
		d.Zone = p.TimeZone
	}
	return err
}

// SendDigests writes the digests that are due to the outbox, the longest
// waiting first, and reports how many it wrote. A digest with nothing new
// is skipped, but counts as sent: the next one covers the period after it.
func (s *Service) SendDigests(ctx context.Context) (int, error) {
	sent := 0
	for range digestBatches {
		due, err := s.store.Read().DueDigests(ctx, s.now(), digestsPerRun)
		if err != nil {
			return sent, err
		}
		for _, d := range due {
			wrote, err := s.sendDigest(ctx, d)
			if err != nil {
				return sent, err
			}
			if wrote {
				sent++
			}
		}
		if len(due) < digestsPerRun {
			break
		}
	}
	return sent, nil
}

// sendDigest gathers a member's digest on the read pool (SQLite's one
// writer is not held for it), then claims it and queues it in one short
// transaction: a digest another instance claimed first, or that the member
// turned off meanwhile, is dropped; so is one for an account that can no
// longer be emailed.
func (s *Service) sendDigest(ctx context.Context, d store.DigestDue) (bool, error) {
	view, err := s.digest(ctx, s.store.Read(), d.User, d.Frequency, d.Since)
	if err != nil {
		return false, err
	}
	wrote := false
	err = s.store.InTx(ctx, func(q *store.Queries) error {
		claimed, err := q.ClaimDigest(ctx, d, s.now())
		if err != nil || !claimed || view.Empty() {
			return err
		}
		u, err := q.User(ctx, d.User.ID)
		if err != nil || u.Status != model.StatusActive || !u.Verified() || u.Email == "" {
			return err
		}
		m, err := s.digestMail(ctx, q, u, d.Frequency, view)
		if err != nil {
			return err
		}
		_, err = q.QueueMail(ctx, m)
		wrote = err == nil
		return err
	})
	return wrote, err
}

// PreviewDigest shows an admin the digest a member would get now, covering
// the member's usual period; nothing is sent or recorded.
func (s *Service) PreviewDigest(ctx context.Context, v model.Viewer, username string) (model.Mail, DigestView, error) {
	if !v.Admin() {
		return model.Mail{}, DigestView{}, apperr.ErrNotFound
	}
	q := s.store.Read()
	u, err := q.UserByUsername(ctx, username)
	if err != nil {
		return model.Mail{}, DigestView{}, err
	}
	f, err := q.Digest(ctx, u.ID)
	if err != nil {
		return model.Mail{}, DigestView{}, err
	}
	if f == model.DigestOff {
		f = model.DefaultDigest
	}
	view, err := s.digest(ctx, q, u, f, s.now().Add(-f.Period()))
	if err != nil {
		return model.Mail{}, view, err
	}
	m, err := s.digestText(ctx, q, u, f, view, s.BaseURL+"/settings#notifications")
	return m, view, err
}

// digestMail is a member's digest as a message, with its one-click
// unsubscribe link (which turns the digest off).
func (s *Service) digestMail(ctx context.Context, q *store.Queries, u model.User, f model.DigestFrequency, view DigestView) (model.Mail, error) {
	unsub, err := notify.UnsubscribeURL(ctx, q, s.BaseURL, u.ID, s.now)
	if err != nil {
		return model.Mail{}, err
	}
	m, err := s.digestText(ctx, q, u, f, view, unsub+"?list=digest")
	m.Unsubscribe = unsub + "?list=digest"
	return m, err
}

func (s *Service) digestText(ctx context.Context, q *store.Queries, u model.User, f model.DigestFrequency, view DigestView, stop string) (model.Mail, error) {
	settings, err := q.Settings(ctx)
	if err != nil {
		return model.Mail{}, err
	}
	community := cmp.Or(settings["community_name"], "Practica")
	period := "week"
	if f == model.DigestDaily {
		period = "day"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "Hello %s,\n\nHere is your %s in %s.\n", u.Name(), period, community)
	section := func(title string, items []model.TopicItem) {
		if len(items) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n%s\n\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "- %s (%s, %s)\n  %s%s\n", truncate(it.Topic.Title, digestTitleCap), it.Space.Name,
				plural(it.Topic.ReplyCount, "answer", "answers"), s.BaseURL, it.Topic.Path())
		}
	}
	section("Top questions", view.Top)
	section("Waiting for an answer", view.Unanswered)
	if len(view.Upcoming) > 0 {
		fmt.Fprintf(&b, "\nUpcoming events\n\n")
		for _, it := range view.Upcoming {
			fmt.Fprintf(&b, "- %s (%s)\n  %s\n", truncate(it.Topic.Title, digestTitleCap), it.Space.Name, it.Topic.Event.When(view.Zone))
			if it.Topic.Event.Location != "" {
				fmt.Fprintf(&b, "  %s\n", it.Topic.Event.Location)
			}
			fmt.Fprintf(&b, "  %s%s\n", s.BaseURL, it.Topic.Path())
		}
	}
	if len(view.Members) > 0 {
		names := make([]string, len(view.Members))
		for i, m := range view.Members {
			names[i] = m.Name() + " (" + s.BaseURL + "/u/" + m.Username + ")"
		}
		fmt.Fprintf(&b, "\nNew members\n\n%s\n", "- "+strings.Join(names, "\n- "))
	}
	fmt.Fprintf(&b, "\n--\nYou get this %s digest from %s. Change how often: %s/settings#notifications\nStop the digest: %s\n",
		f, community, s.BaseURL, stop)
	return model.Mail{To: u.Email, Subject: fmt.Sprintf("Your %s in %s", period, community), Body: b.String(), CreatedAt: s.now()}, nil
}

func plural(n int64, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
