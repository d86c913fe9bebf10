package content

import (
	"context"
	"fmt"
	"strings"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/pagecache"
	"practica/internal/policy"
	"practica/internal/store"
)

// Invitation limits: a handful per request, a few dozen per question.
const (
	MaxInvitesAtOnce   = 5
	MaxInvitesPerTopic = 30
)

// InviteToAnswer asks members, named by username, to answer a question; each
// gets an email. Everyone named must be able to read the question: nobody is
// told about what they cannot see. Members already invited are skipped.
func (s *Service) InviteToAnswer(ctx context.Context, v model.Viewer, topicID int64, names string) ([]model.UserRef, error) {
	list := strings.FieldsFunc(strings.ReplaceAll(names, "@", " "), func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' })
	switch {
	case len(list) == 0:
		return nil, apperr.Field("usernames", "Name at least one member to invite.")
	case len(list) > MaxInvitesAtOnce:
		return nil, apperr.Field("usernames", fmt.Sprintf("Invite at most %d members at a time.", MaxInvitesAtOnce))
	}
	var invited []model.UserRef
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		q.Touch(pagecache.Topic(topicID)) // the question shows who was invited; mail shows on no shared page
		sub, err := s.topicSubject(ctx, q, v, topicID, policy.InviteAnswer)
		if err != nil {
			return err
		}
		already, err := q.AnswerInvites(ctx, topicID)
		if err != nil {
			return err
		}
		if len(already)+len(list) > MaxInvitesPerTopic {
			return apperr.Field("usernames", fmt.Sprintf("A question can have at most %d invitations.", MaxInvitesPerTopic))
		}
		users, err := s.invitees(ctx, q, v, sub, list)
		if err != nil {
			return err
		}
		n := s.notes(v, sub)
		for _, u := range users {
			added, err := q.AddAnswerInvite(ctx, topicID, u.ID, v.UserID(), s.now())
			if err != nil {
				return err
			}
			if !added {
				continue
			}
			invited = append(invited, u.Ref())
			d, err := notify.Delivery(ctx, q, u.ID, model.NoteInvited)
			if err != nil {
				return err
			}
			if err := n.toUser(ctx, q, u, model.NoteInvited); err != nil {
				return err
			}
			if d != model.DeliverEmail {
				continue // the member asked not to get these by email
			}
			unsub, err := notify.UnsubscribeURL(ctx, q, s.BaseURL, u.ID, s.now)
			if err != nil {
				return err
			}
			body := fmt.Sprintf("%s thinks you could answer this question:\n\n%s\n%s%s\n\nYou got this because you are a member of %s. Answering is never required.\n"+
				"Stop notification emails: %s\n", v.User.Name(), sub.Topic.Title, s.BaseURL, sub.Topic.Path(), sub.Space.Name, unsub)
			if _, err := q.QueueMail(ctx, model.Mail{To: u.Email, Subject: "You are invited to answer: " + sub.Topic.Title, Body: body, Unsubscribe: unsub, CreatedAt: s.now()}); err != nil {
				return err
			}
		}
		return n.send(ctx, q)
	})
	return invited, err
}

// invitees resolves the named members and checks each may read the question.
func (s *Service) invitees(ctx context.Context, q *store.Queries, v model.Viewer, sub policy.Subject, names []string) ([]model.User, error) {
	users, err := q.UsersByUsername(ctx, names)
	if err != nil {
		return nil, err
	}
	found := map[string]model.User{}
	for _, u := range users {
		found[store.Key(u.Username)] = u
	}
	var out []model.User
	for _, n := range names {
		u, ok := found[store.Key(n)]
		if !ok || u.Status != model.StatusActive || u.Email == "" || !u.Verified() {
			return nil, apperr.Field("usernames", fmt.Sprintf("There is no member @%s to invite.", truncate(n, 40)))
		}
		if u.ID == v.UserID() {
			return nil, apperr.Field("usernames", "You cannot invite yourself.")
		}
		role, err := q.SpaceRole(ctx, sub.Space.ID, u.ID)
		if err != nil {
			return nil, err
		}
		them := sub
		them.Role = role
		if policy.Check(model.Viewer{User: &u}, policy.ReadTopic, them) != nil {
			return nil, apperr.Field("usernames", fmt.Sprintf("@%s cannot see this question, so they cannot be invited to answer it.", u.Username))
		}
		out = append(out, u)
	}
	return out, nil
}

// AnswerInvites lists who was invited to answer a question the viewer may read.
func (s *Service) AnswerInvites(ctx context.Context, v model.Viewer, topicID int64) ([]model.UserRef, error) {
	q := s.store.Read()
	if _, err := s.topicSubject(ctx, q, v, topicID, policy.ReadTopic); err != nil {
		return nil, err
	}
	return q.AnswerInvites(ctx, topicID)
}
