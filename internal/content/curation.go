package content

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/reputation"
	"practica/internal/store"
)

// ReviewItem is a pending suggested edit with its diff against the post.
type ReviewItem struct {
	store.SuggestionItem
	Diff      []DiffLine
	TitleDiff []DiffLine
	// Stale: the post changed since the edit was suggested; it can only be rejected.
	Stale bool
}

// ReviewQueue lists the pending suggested edits the viewer may review: in
// spaces they moderate, or anywhere they can read with the edit privilege;
// never their own. CanReview says whether the viewer may review at all.
func (s *Service) ReviewQueue(ctx context.Context, v model.Viewer) (items []ReviewItem, canReview bool, err error) {
	if v.Guest() {
		return nil, false, nil
	}
	q := s.store.Read()
	cfg, err := s.repConfig(ctx, q)
	if err != nil {
		return nil, false, err
	}
	pending, err := q.PendingEdits(ctx, policy.ScopeOf(v), 100)
	if err != nil {
		return nil, false, err
	}
	privileged := cfg.Has(v.User, reputation.EditOthers)
	canReview = privileged
	for _, it := range pending {
		role, err := q.SpaceRole(ctx, it.Space.ID, v.UserID())
		if err != nil {
			return nil, false, err
		}
		sub := policy.Subject{Space: it.Space, Role: role, Topic: &it.Topic, Post: &it.Post}
		mod := policy.Moderates(v, sub)
		canReview = canReview || mod
		if it.Edit.AuthorID == v.UserID() || !(mod || privileged) || policy.Check(v, policy.ReviewEdit, sub) != nil {
			continue
		}
		ri := ReviewItem{SuggestionItem: it, Diff: Diff(it.Post.Body, it.Edit.Body), Stale: it.Edit.BaseRevision != it.Post.Revision}
		if it.Post.Kind == model.PostOpening && it.Edit.Title != it.Topic.Title {
			ri.TitleDiff = Diff(it.Topic.Title, it.Edit.Title)
		}
		items = append(items, ri)
	}
	return items, canReview, nil
}

// DecideEdit approves (saving it as a revision by its author) or rejects a
// suggested edit. An edit whose post changed since it was suggested can only
// be rejected; an edit someone already decided is a conflict.
func (s *Service) DecideEdit(ctx context.Context, v model.Viewer, id int64, approve bool) (model.SuggestedEdit, error) {
	var e model.SuggestedEdit
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		if e, err = q.SuggestedEdit(ctx, id); err != nil {
			return err
		}
		if err := lockPostTopic(ctx, q, e.PostID); err != nil {
			return err
		}
		sub, err := s.postSubject(ctx, q, v, e.PostID, policy.ReviewEdit)
		if err != nil {
			return err
		}
		if err := s.checkReviewer(ctx, q, v, sub, e); err != nil {
			return err
		}
		status := model.EditRejected
		if approve {
			status = model.EditApproved
			if err := s.applySuggestion(ctx, q, v, sub, e); err != nil {
				return err
			}
		}
		err = q.DecideSuggestedEdit(ctx, id, status, v.UserID(), s.now())
		if errors.Is(err, store.ErrNotFound) {
			return apperr.New(apperr.Conflict, "Someone already reviewed this edit.")
		}
		e.Status = status
		return err
	})
	return e, err
}

// checkReviewer: moderators of the space, or members with the edit
// privilege, review others' suggestions.
func (s *Service) checkReviewer(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, e model.SuggestedEdit) error {
	if e.AuthorID == v.UserID() {
		return apperr.New(apperr.Forbidden, "Someone else has to review your own suggestion.")
	}
	if e.Status != model.EditPending {
		return apperr.New(apperr.Conflict, "Someone already reviewed this edit.")
	}
	if policy.Moderates(v, sub) {
		return nil
	}
	cfg, err := s.repConfig(ctx, q)
	if err != nil {
		return err
	}
	if !cfg.Has(v.User, reputation.EditOthers) {
		return privilegeError(cfg, reputation.EditOthers, "Reviewing suggested edits")
	}
	return nil
}

// applySuggestion saves an approved suggestion as a revision by its author.
func (s *Service) applySuggestion(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, e model.SuggestedEdit) error {
	if e.BaseRevision != sub.Post.Revision {
		return apperr.New(apperr.Conflict, "The post changed after this edit was suggested; reject it, and the author can suggest it again.")
	}
	f := apperr.Fields{}
	ch, err := s.checkEdit(ctx, q, v, sub, f, EditInput{Title: e.Title, Body: e.Body, Tags: e.Tags})
	if err != nil {
		return err
	}
	reviewer := v.User.Username
	reason := strings.TrimSpace(e.Reason + " (suggested edit, approved by @" + reviewer + ")")
	_, err = s.applyEdit(ctx, q, e.AuthorID, sub, ch, reason)
	return err
}

// Rollback restores an earlier revision of a post as a new revision; only
// those who may edit the post directly may roll it back.
func (s *Service) Rollback(ctx context.Context, v model.Viewer, postID, number int64) (model.Post, error) {
	var p model.Post
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		if err := lockPostTopic(ctx, q, postID); err != nil {
			return err
		}
		sub, direct, err := s.editAccess(ctx, q, v, postID)
		if err != nil {
			return err
		}
		if !direct {
			return apperr.New(apperr.Forbidden, "Rolling back needs the right to edit this post directly.")
		}
		revs, err := q.Revisions(ctx, postID)
		if err != nil {
			return err
		}
		for _, r := range revs {
			if r.Revision.Number != number {
				continue
			}
			in := EditInput{Title: r.Revision.Title, Body: r.Revision.Body, Tags: r.Revision.Tags}
			if sub.Post.Kind != model.PostOpening {
				in.Title = ""
			}
			ch, err := s.checkEdit(ctx, q, v, sub, apperr.Fields{}, in)
			if err != nil {
				return err
			}
			p, err = s.applyEdit(ctx, q, v.UserID(), sub, ch, fmt.Sprintf("Rolled back to revision %d", number))
			return err
		}
		return apperr.NotFoundf("There is no revision %d of this post.", number)
	})
	return p, err
}

// CloseReasons are why a question may be closed, with how the page says it.
var CloseReasons = [][2]string{
	{"duplicate", "This question has been asked and answered before."},
	{"needs-details", "It needs details or clarity to be answerable."},
	{"needs-focus", "It asks several things at once; it needs more focus."},
	{"opinion-based", "Answers would be mostly opinions."},
	{"off-topic", "It does not fit this space."},
}

// CloseReasonText returns how a close reason reads, or "" for an unknown one.
func CloseReasonText(key string) string {
	for _, r := range CloseReasons {
		if r[0] == key {
			return r[1]
		}
	}
	return ""
}

// Close closes a question for one of CloseReasons, or reopens it (reason "").
// Moderators of the space may; so may members with the close privilege.
func (s *Service) Close(ctx context.Context, v model.Viewer, topicID int64, reason string, closing bool) (model.Topic, error) {
	if closing && CloseReasonText(reason) == "" {
		return model.Topic{}, apperr.Field("reason", "Choose why the question is closed.")
	}
	var t model.Topic
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.CloseTopic)
		if err != nil {
			return err
		}
		if !policy.Moderates(v, sub) {
			cfg, err := s.repConfig(ctx, q)
			if err != nil {
				return err
			}
			if !cfg.Has(v.User, reputation.CloseReopen) {
				return privilegeError(cfg, reputation.CloseReopen, "Closing and reopening questions")
			}
		}
		var at *time.Time
		if closing {
			now := s.now()
			at = &now
		} else {
			reason = ""
		}
		if err := q.SetTopicClosed(ctx, topicID, at, v.UserID(), reason); err != nil {
			return err
		}
		t, err = q.Topic(ctx, topicID)
		return err
	})
	return t, err
}

// SetWiki makes an answer community wiki (on) or undoes it. Its votes stop
// (or start again) earning its author reputation.
func (s *Service) SetWiki(ctx context.Context, v model.Viewer, postID int64, on bool) (model.Post, error) {
	var p model.Post
	err := s.inTopicTx(ctx, postID, func(q *store.Queries, l *ledger) error {
		sub, err := s.postSubject(ctx, q, v, postID, policy.MarkWiki)
		if err != nil {
			return err
		}
		if !on && !policy.Moderates(v, sub) {
			// Undoing wiki would switch its votes' reputation back on: a
			// moderator's call, as on Stack Exchange.
			return apperr.New(apperr.Forbidden, "Only moderators can turn community wiki off.")
		}
		var at *time.Time
		undo := "wiki_undone"
		if on {
			now := s.now()
			at, undo = &now, "made_wiki"
		}
		if err := q.SetPostWiki(ctx, postID, at); err != nil {
			return err
		}
		if err := l.settleVotes(ctx, postID, 0, undo); err != nil {
			return err
		}
		p = *sub.Post
		p.WikiAt = at
		return nil
	})
	return p, err
}
