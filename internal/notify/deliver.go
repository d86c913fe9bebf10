package notify

import (
	"context"

	"practica/internal/model"
	"practica/internal/store"
)

// Delivery returns how a member hears of kind: their choice, else the
// kind's default.
func Delivery(ctx context.Context, q *store.Queries, userID int64, kind model.NoteKind) (model.Delivery, error) {
	got, err := q.Deliveries(ctx, kind, []int64{userID})
	if d, ok := got[userID]; ok {
		return d, err
	}
	return model.DefaultDelivery(kind), err
}

// Add writes notifications in the caller's transaction as their recipients
// chose: not at all ("off"), in the app, or in the app and by email later
// (see Inbox.Mail). ns may hold several for one member, in order of
// preference: the first kind they did not turn off is written, the rest
// dropped (a member who turned mentions off still hears of the reply that
// mentioned them). An invitation to answer is never emailed from here: the
// invitation is an email of its own, sent at once.
func Add(ctx context.Context, q *store.Queries, ns []model.Notification) error {
	byKind := map[model.NoteKind][]int64{}
	for _, n := range ns {
		byKind[n.Kind] = append(byKind[n.Kind], n.UserID)
	}
	chosen := map[model.NoteKind]map[int64]model.Delivery{}
	for kind, ids := range byKind {
		got, err := q.Deliveries(ctx, kind, ids)
		if err != nil {
			return err
		}
		chosen[kind] = got
	}
	out := ns[:0:0]
	written := map[int64]bool{}
	for _, n := range ns {
		d, ok := chosen[n.Kind][n.UserID]
		if !ok {
			d = model.DefaultDelivery(n.Kind)
		}
		if d == model.DeliverOff || written[n.UserID] {
			continue
		}
		written[n.UserID] = true
		n.Mail = d == model.DeliverEmail && n.Kind != model.NoteInvited
		out = append(out, n)
	}
	return q.AddNotifications(ctx, out...)
}
