package content

import (
	"context"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/model"
	"practica/internal/policy"
	"practica/internal/store"
)

// WatchRef names what a member watches: a topic by id, a space by slug, or
// a member by username.
type WatchRef struct {
	Target model.WatchTarget
	ID     int64
	Name   string
}

// SetWatch sets how closely the viewer follows a topic, a space or a
// member. What the viewer may not read is NotFound, as everywhere; a member
// cannot follow themselves, and only topics and spaces can be muted.
func (s *Service) SetWatch(ctx context.Context, v model.Viewer, ref WatchRef, level model.WatchLevel) (model.WatchLevel, error) {
	if err := policy.CheckWriter(v); err != nil {
		return "", err
	}
	if level != model.Watching && level != model.WatchNormal && level != model.Muted {
		return "", apperr.Field("level", "Choose watching, normal or muted.")
	}
	if ref.Target == model.WatchUser && level == model.Muted {
		return "", apperr.Field("level", "Members are followed or not; mute a topic or a space instead.")
	}
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		id, err := s.watchTarget(ctx, q, v, ref)
		if err != nil {
			return err
		}
		return q.SetWatch(ctx, v.UserID(), ref.Target, id, level, s.now())
	})
	return level, err
}

// Watching returns how closely the viewer follows a target (normal for a
// guest).
func (s *Service) Watching(ctx context.Context, v model.Viewer, ref WatchRef) (model.WatchLevel, error) {
	if v.Guest() {
		return model.WatchNormal, nil
	}
	q := s.store.Read()
	id, err := s.watchTarget(ctx, q, v, ref)
	if err != nil {
		return "", err
	}
	return q.WatchLevel(ctx, v.UserID(), ref.Target, id)
}

// watchTarget resolves ref to an id the viewer may watch.
func (s *Service) watchTarget(ctx context.Context, q *store.Queries, v model.Viewer, ref WatchRef) (int64, error) {
	switch ref.Target {
	case model.WatchTopic:
		sub, err := s.topicSubject(ctx, q, v, ref.ID, policy.ReadTopic)
		return sub.Topic.ID, err
	case model.WatchSpace:
		sub, err := community.Subject(ctx, q, v, ref.Name, policy.ReadContent)
		return sub.Space.ID, err
	case model.WatchUser:
		u, err := q.UserByUsername(ctx, ref.Name)
		if err != nil {
			return 0, err
		}
		if u.ID == v.UserID() {
			return 0, apperr.New(apperr.Invalid, "You cannot follow yourself.")
		}
		if u.Status != model.StatusActive {
			return 0, apperr.ErrNotFound
		}
		return u.ID, nil
	}
	return 0, apperr.ErrNotFound
}

// Watches lists what the viewer watches, mutes or follows.
func (s *Service) Watches(ctx context.Context, v model.Viewer) ([]store.Watch, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	return s.store.Read().Watches(ctx, v.UserID())
}
