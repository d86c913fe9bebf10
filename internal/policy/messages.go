package policy

import (
	"practica/internal/apperr"
	"practica/internal/model"
)

// MaxParticipants bounds a group conversation, its starter included.
const MaxParticipants = 10

// ConversationSubject is what the messaging rules look at.
type ConversationSubject struct {
	Conversation model.Conversation
	// Me is the viewer's participation; nil when they never were in it.
	Me *model.Participant
	// Others are the other participants, those who left included.
	Others []model.Participant
	// Reported: a message in it awaits the moderators.
	Reported bool
	// Blocked: the viewer and the one other member still in the
	// conversation (one to one, or a group down to two) blocked one
	// another.
	Blocked bool
}

// CheckReadConversation: a conversation is for its participants who have
// not left it. Staff read it only while a message in it is reported: that
// is what a report asks of them. For everyone else it does not exist.
func CheckReadConversation(v model.Viewer, s ConversationSubject) error {
	if v.Guest() {
		return apperr.ErrSignIn
	}
	if (s.Me != nil && s.Me.In()) || (v.Staff() && s.Reported) {
		return nil
	}
	return apperr.ErrNotFound
}

// Participates reports whether the viewer reads the conversation as one of
// its participants (not as staff reading a report).
func Participates(s ConversationSubject) bool { return s.Me != nil && s.Me.In() }

var (
	errAlone   = apperr.New(apperr.Forbidden, "Everyone else left this conversation, so it takes no new messages.")
	errBlocked = apperr.New(apperr.Forbidden, "This conversation takes no new messages.")
)

// CheckWriteConversation: a participant who confirmed their address writes
// while someone else is still in the conversation; one down to two members
// takes nothing more once either of them blocked the other.
func CheckWriteConversation(v model.Viewer, s ConversationSubject) error {
	if err := CheckReadConversation(v, s); err != nil {
		return err
	}
	if err := checkWriter(v); err != nil {
		return err
	}
	if !Participates(s) {
		return errNotAllow // staff reading a report
	}
	if err := checkVerified(v); err != nil {
		return err
	}
	for _, p := range s.Others {
		if p.In() && p.Status == model.StatusActive {
			return allowIf(!s.Blocked, errBlocked)
		}
	}
	return errAlone
}

// CheckAddParticipants: a participant who may write in a group brings in
// others under the same rules as starting a conversation with them, up to
// MaxParticipants still in it. A one-to-one conversation stays one to one:
// a third person starts a group.
func CheckAddParticipants(v model.Viewer, s ConversationSubject, senderFrom model.MessagesFrom, to []Recipient) error {
	if err := CheckWriteConversation(v, s); err != nil {
		return err
	}
	if !s.Conversation.Group {
		return apperr.Field("to", "A conversation between two stays between two: start a group to bring in someone else.")
	}
	in := 1
	for _, p := range s.Others {
		if p.In() {
			in++
			for _, r := range to {
				if r.User.ID == p.User.ID {
					return apperr.Field("to", r.User.Username+" is already in this conversation.")
				}
			}
		}
	}
	if in+len(to) > MaxParticipants {
		return apperr.Field("to", "A conversation takes at most 10 people, you included.")
	}
	return CheckStartConversation(v, senderFrom, to)
}

// Recipient is a member someone wants to start a conversation with, as
// the rules need them.
type Recipient struct {
	User model.User
	From model.MessagesFrom
	// BlocksSender: they blocked the sender. SenderBlocks: the other way.
	BlocksSender, SenderBlocks bool
}

// CheckStartConversation: a member who confirmed their address and takes
// messages themselves starts a conversation with up to MaxParticipants-1
// active members. A member who turned messages off, or blocked the sender,
// refuses with the same words, so a block is not revealed; staff may still
// write to the first (they need to reach members). Accounts that cannot
// sign in are answered as if they did not exist: the caller names them as
// unknown.
func CheckStartConversation(v model.Viewer, senderFrom model.MessagesFrom, to []Recipient) error {
	if err := checkWriter(v); err != nil {
		return err
	}
	if err := checkVerified(v); err != nil {
		return err
	}
	f := apperr.Fields{}
	switch {
	case senderFrom == model.MessagesOff:
		f.Add("to", "You turned direct messages off. Turn them on in Settings to start a conversation.")
	case len(to) == 0:
		f.Add("to", "Name at least one member.")
	case len(to) > MaxParticipants-1:
		f.Add("to", "A conversation takes at most 10 people, you included.")
	}
	for _, r := range to {
		switch {
		case r.User.ID == v.UserID():
			f.Add("to", "Name other members than yourself.")
		case !Messageable(r.User):
			f.Add("to", "No member is named "+r.User.Username+".")
		case r.SenderBlocks:
			f.Add("to", "You blocked "+r.User.Username+". Unblock them first.")
		case r.BlocksSender || (r.From == model.MessagesOff && !v.Staff()):
			f.Add("to", r.User.Username+" does not take direct messages.")
		}
	}
	return f.Err()
}

// Messageable reports whether an account can take part in a conversation:
// one that can sign in (not suspended, deleted, an import's placeholder or
// the system account).
func Messageable(u model.User) bool {
	return u.Status == model.StatusActive && u.Role != model.RoleSystem
}
