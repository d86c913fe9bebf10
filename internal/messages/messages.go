// Package messages is direct messages: one-to-one and small group
// conversations, blocks, and reports to the moderators.
//
// A conversation is for its participants. Staff cannot read one unless a
// participant reported a message in it, and then only until the report is
// resolved (policy.CheckReadConversation). Everything else (lists, counts,
// notifications, emails) shows a member only the conversations they are in.
package messages

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"practica/internal/apperr"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/policy"
	"practica/internal/store"
)

// Limits of what a member writes.
const (
	MaxBody   = 10_000
	MaxTitle  = 100
	MaxReason = 300
	// Page is how many messages a conversation shows at once, and
	// conversations an inbox page lists.
	Page = 50
)

// Service runs direct messages.
type Service struct {
	store *store.Store
	md    *markup.Renderer
	now   func() time.Time
}

// New returns the messages service.
func New(s *store.Store, md *markup.Renderer, now func() time.Time) *Service {
	return &Service{store: s, md: md, now: now}
}

// subject loads a conversation as the viewer relates to it, and checks the
// rule given (policy.CheckReadConversation or CheckWriteConversation).
func (s *Service) subject(ctx context.Context, q *store.Queries, v model.Viewer, id int64, check func(model.Viewer, policy.ConversationSubject) error) (policy.ConversationSubject, error) {
	var sub policy.ConversationSubject
	if v.Guest() {
		return sub, apperr.ErrSignIn
	}
	c, err := q.Conversation(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return sub, apperr.ErrNotFound
	} else if err != nil {
		return sub, err
	}
	sub.Conversation = c
	parts, err := q.Participants(ctx, []int64{id})
	if err != nil {
		return sub, err
	}
	for _, p := range parts[id] {
		if p.User.ID == v.UserID() {
			me := p
			sub.Me = &me
		} else {
			sub.Others = append(sub.Others, p)
		}
	}
	if sub.Me == nil && v.Staff() {
		if sub.Reported, err = q.ConversationReported(ctx, id); err != nil {
			return sub, err
		}
	}
	if sub.Me != nil {
		if sub.Blocked, err = blockedPair(ctx, q, v, sub.Others); err != nil {
			return sub, err
		}
	}
	return sub, check(v, sub)
}

// blockedPair reports whether the viewer and the one other member still in
// a conversation (a one-to-one one, or a group down to two) blocked one
// another: then it takes no more messages.
func blockedPair(ctx context.Context, q *store.Queries, v model.Viewer, others []model.Participant) (bool, error) {
	var in []int64
	for _, p := range others {
		if p.In() {
			in = append(in, p.User.ID)
		}
	}
	if len(in) != 1 {
		return false, nil
	}
	blocked, blockedBy, err := q.BlocksAmong(ctx, v.UserID(), in)
	return blocked[in[0]] || blockedBy[in[0]], err
}

// StartInput opens a conversation.
type StartInput struct {
	// To names the other members, separated by spaces or commas; "@" is
	// optional.
	To    string
	Title string // groups only
	Body  string
}

// Start opens a conversation with its first message and returns it. A
// message to one member goes to the open conversation the two already
// have, if any.
func (s *Service) Start(ctx context.Context, v model.Viewer, in StartInput) (model.Conversation, error) {
	if err := policy.CheckWriter(v); err != nil {
		return model.Conversation{}, err
	}
	f := apperr.Fields{}
	in.Title = strings.TrimSpace(in.Title)
	body := checkBody(f, in.Body)
	if utf8.RuneCountInString(in.Title) > MaxTitle || strings.ContainsAny(in.Title, "\r\n") || markup.BadText(in.Title) {
		f.Add("title", "Keep the title to one line of at most 100 characters.")
	}
	names := usernames(in.To)
	if len(names) == 0 {
		f.Add("to", "Name at least one member.")
	}
	if err := f.Err(); err != nil {
		return model.Conversation{}, err
	}
	html := s.md.Render(body)
	var c model.Conversation
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		me, err := q.User(ctx, v.UserID())
		if err != nil {
			return err
		}
		to, err := s.recipients(ctx, q, v, names)
		if err != nil {
			return err
		}
		if err := policy.CheckStartConversation(v, me.MessagesFrom, to); err != nil {
			return err
		}
		ids := []int64{v.UserID()}
		for _, r := range to {
			ids = append(ids, r.User.ID)
		}
		id := int64(0)
		if len(to) == 1 {
			if id, err = q.PairConversation(ctx, ids[0], ids[1]); err != nil {
				return err
			}
		}
		if id == 0 {
			c = model.Conversation{Title: in.Title, Group: len(to) > 1, CreatedBy: v.UserID(), CreatedAt: s.now()}
			if !c.Group {
				c.Title = ""
			}
			if id, err = q.CreateConversation(ctx, c, ids); err != nil {
				return err
			}
		}
		if c, err = q.Conversation(ctx, id); err != nil {
			return err
		}
		_, err = s.add(ctx, q, v, c, ids, body, html)
		return err
	})
	if errors.Is(err, store.ErrConflict) {
		return c, apperr.New(apperr.Conflict, "A conversation with this member was just started. Open your messages to find it.")
	}
	return c, err
}

// recipients reads the named members. A name that is no account, or one
// that cannot take part (policy.Messageable), is the same unknown name.
func (s *Service) recipients(ctx context.Context, q *store.Queries, v model.Viewer, names []string) ([]policy.Recipient, error) {
	f := apperr.Fields{}
	var users []model.User
	var ids []int64
	for _, n := range names {
		u, err := q.UserByUsername(ctx, n)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !policy.Messageable(u)) {
			f.Add("to", "No member is named "+n+".")
			continue
		} else if err != nil {
			return nil, err
		}
		if !slices.Contains(ids, u.ID) {
			users, ids = append(users, u), append(ids, u.ID)
		}
	}
	if err := f.Err(); err != nil {
		return nil, err
	}
	blocked, blockedBy, err := q.BlocksAmong(ctx, v.UserID(), ids)
	out := make([]policy.Recipient, len(users))
	for i, u := range users {
		out[i] = policy.Recipient{User: u, From: u.MessagesFrom, SenderBlocks: blocked[u.ID], BlocksSender: blockedBy[u.ID]}
	}
	return out, err
}

// usernames splits a list of members: spaces or commas, "@" optional.
func usernames(raw string) []string {
	var out []string
	for _, n := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == ' ' || r == '\n' || r == '\t' }) {
		if n = strings.TrimPrefix(n, "@"); n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
		if len(out) > policy.MaxParticipants {
			break // more is refused anyway; do not look them all up
		}
	}
	return out
}

// checkBody trims a message and adds what is wrong with it to f.
func checkBody(f apperr.Fields, body string) string {
	body = strings.TrimSpace(body)
	switch {
	case body == "":
		f.Add("body", "Write a message.")
	case utf8.RuneCountInString(body) > MaxBody:
		f.Add("body", "Keep a message under 10,000 characters.")
	case markup.BadText(body):
		f.Add("body", markup.BadTextMessage)
	}
	return body
}

// Add brings members into a group conversation the viewer is in; they see
// its history and hear of it like the others.
func (s *Service) Add(ctx context.Context, v model.Viewer, id int64, to string) error {
	names := usernames(to)
	if len(names) == 0 {
		if _, err := s.subject(ctx, s.store.Read(), v, id, policy.CheckReadConversation); err != nil {
			return err
		}
		return apperr.Field("to", "Name at least one member.")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.subject(ctx, q, v, id, policy.CheckReadConversation)
		if err != nil {
			return err
		}
		me, err := q.User(ctx, v.UserID())
		if err != nil {
			return err
		}
		rs, err := s.recipients(ctx, q, v, names)
		if err != nil {
			return err
		}
		if err := policy.CheckAddParticipants(v, sub, me.MessagesFrom, rs); err != nil {
			return err
		}
		ids := make([]int64, len(rs))
		var ns []model.Notification
		for i, r := range rs {
			ids[i] = r.User.ID
			ns = append(ns, model.Notification{UserID: r.User.ID, Kind: model.NoteMessage, ActorID: v.UserID(), MessageID: sub.Conversation.LastMessageID,
				ConversationID: id, CreatedAt: s.now()})
		}
		if err := q.AddParticipants(ctx, id, ids, s.now()); err != nil {
			return err
		}
		return notify.Add(ctx, q, ns)
	})
}

// Send writes a message in a conversation the viewer is in.
func (s *Service) Send(ctx context.Context, v model.Viewer, id int64, body string) (model.Message, error) {
	f := apperr.Fields{}
	body = checkBody(f, body)
	if err := f.Err(); err != nil {
		if _, serr := s.subject(ctx, s.store.Read(), v, id, policy.CheckReadConversation); serr != nil {
			return model.Message{}, serr // what the viewer may not see is 404 first
		}
		return model.Message{}, err
	}
	html := s.md.Render(body)
	var m model.Message
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.subject(ctx, q, v, id, policy.CheckWriteConversation)
		if err != nil {
			return err
		}
		ids := []int64{v.UserID()}
		for _, p := range sub.Others {
			if p.In() {
				ids = append(ids, p.User.ID)
			}
		}
		m, err = s.add(ctx, q, v, sub.Conversation, ids, body, html)
		return err
	})
	return m, err
}

// add writes a message to the participants ids (the author first) and
// notifies the others who have no unread notice of this conversation yet,
// and who did not block the author.
func (s *Service) add(ctx context.Context, q *store.Queries, v model.Viewer, c model.Conversation, ids []int64, body, html string) (model.Message, error) {
	m := model.Message{ConversationID: c.ID, AuthorID: v.UserID(), Body: body, BodyHTML: html, CreatedAt: s.now()}
	var err error
	if m.ID, err = q.AddMessage(ctx, m, ids); err != nil {
		return m, err
	}
	_, blockedBy, err := q.BlocksAmong(ctx, v.UserID(), ids[1:])
	if err != nil {
		return m, err
	}
	var ns []model.Notification
	for _, to := range ids[1:] {
		if blockedBy[to] {
			continue
		}
		has, err := q.HasUnreadMessageNote(ctx, to, c.ID)
		if err != nil {
			return m, err
		}
		if !has {
			ns = append(ns, model.Notification{UserID: to, Kind: model.NoteMessage, ActorID: v.UserID(), MessageID: m.ID, ConversationID: c.ID, CreatedAt: m.CreatedAt})
		}
	}
	return m, notify.Add(ctx, q, ns)
}

// View is a conversation as a participant (or staff reading a report)
// sees it: its messages oldest first, up to Page of them before Before.
type View struct {
	Conversation model.Conversation
	Participants []model.Participant
	Messages     []model.Message
	// Older is the id to pass as before for the page of older messages; 0
	// when there are none.
	Older int64
	// Mine: the viewer takes part (else staff reading a report).
	Mine     bool
	CanWrite bool
	// WriteBlocked says why not, when the viewer takes part.
	WriteBlocked string
	// Folded are the authors whose messages the viewer folds away (they
	// blocked them).
	Folded   map[int64]bool
	Reported bool
}

// Others are the participants besides the given member.
func (cv View) Others(userID int64) []model.Participant {
	var out []model.Participant
	for _, p := range cv.Participants {
		if p.User.ID != userID {
			out = append(out, p)
		}
	}
	return out
}

// Conversation returns a page of a conversation the viewer may read; the
// page's messages count as read by a participant.
func (s *Service) Conversation(ctx context.Context, v model.Viewer, id, before int64) (View, error) {
	q := s.store.Read()
	sub, err := s.subject(ctx, q, v, id, policy.CheckReadConversation)
	if err != nil {
		return View{}, err
	}
	msgs, err := q.Messages(ctx, id, before, Page+1)
	if err != nil {
		return View{}, err
	}
	out := View{Conversation: sub.Conversation, Mine: policy.Participates(sub), Reported: sub.Reported, Folded: map[int64]bool{}}
	if len(msgs) > Page {
		msgs = msgs[:Page]
		out.Older = msgs[Page-1].ID
	}
	slices.Reverse(msgs)
	out.Messages = msgs
	out.Participants = append([]model.Participant{}, sub.Others...)
	if sub.Me != nil {
		out.Participants = append([]model.Participant{*sub.Me}, out.Participants...)
	}
	if !out.Mine {
		return out, nil
	}
	if werr := policy.CheckWriteConversation(v, sub); werr == nil {
		out.CanWrite = true
	} else if e, ok := apperr.As(werr); ok {
		out.WriteBlocked = e.Msg
	}
	others := make([]int64, len(sub.Others))
	for i, p := range sub.Others {
		others[i] = p.User.ID
	}
	blocked, _, err := q.BlocksAmong(ctx, v.UserID(), others)
	out.Folded = blocked
	if err != nil || len(msgs) == 0 || msgs[len(msgs)-1].ID <= sub.Me.LastReadID {
		return out, err
	}
	last := msgs[len(msgs)-1].ID
	return out, s.store.InTx(ctx, func(q *store.Queries) error {
		return q.MarkConversationRead(ctx, id, v.UserID(), last, s.now())
	})
}

// InboxItem is one of the viewer's conversations as their list shows it.
type InboxItem struct {
	store.InboxRow
	// Others are the other participants still in it.
	Others []model.Participant
}

// Inbox lists the viewer's conversations, the latest first, before the
// given last message id (0: from the newest). next is the cursor of the
// following page, 0 at the end.
func (s *Service) Inbox(ctx context.Context, v model.Viewer, before int64) (items []InboxItem, next int64, err error) {
	if v.Guest() {
		return nil, 0, apperr.ErrSignIn
	}
	q := s.store.Read()
	rows, err := q.Conversations(ctx, v.UserID(), before, Page+1)
	if err != nil {
		return nil, 0, err
	}
	if len(rows) > Page {
		rows = rows[:Page]
		next = rows[Page-1].Conversation.LastMessageID
	}
	ids := make([]int64, len(rows))
	for i, r := range rows {
		ids[i] = r.Conversation.ID
	}
	parts, err := q.Participants(ctx, ids)
	for _, r := range rows {
		it := InboxItem{InboxRow: r}
		for _, p := range parts[r.Conversation.ID] {
			if p.User.ID != v.UserID() && p.In() {
				it.Others = append(it.Others, p)
			}
		}
		items = append(items, it)
	}
	return items, next, err
}

// Unread counts the viewer's conversations with a message they have not
// seen.
func (s *Service) Unread(ctx context.Context, v model.Viewer) (int, error) {
	if v.Guest() {
		return 0, nil
	}
	return s.store.Read().UnreadConversations(ctx, v.UserID())
}

// Leave takes the viewer out of a conversation: it leaves their list, and
// they hear no more of it.
func (s *Service) Leave(ctx context.Context, v model.Viewer, id int64) error {
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.subject(ctx, q, v, id, policy.CheckReadConversation)
		if err != nil {
			return err
		}
		if err := policy.CheckWriter(v); err != nil {
			return err
		}
		if !policy.Participates(sub) {
			return apperr.ErrNotFound
		}
		return q.LeaveConversation(ctx, id, v.UserID(), s.now())
	})
}

// SetFrom chooses who may start a conversation with the viewer.
func (s *Service) SetFrom(ctx context.Context, v model.Viewer, from model.MessagesFrom) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	if from != model.MessagesFromMembers && from != model.MessagesOff {
		return apperr.Field("messages", "Choose members or off.")
	}
	return s.store.InTx(ctx, func(q *store.Queries) error { return q.SetMessagesFrom(ctx, v.UserID(), from, s.now()) })
}

// Block blocks (or, with block false, unblocks) a member for the viewer.
func (s *Service) Block(ctx context.Context, v model.Viewer, username string, block bool) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		u, err := q.UserByUsername(ctx, username)
		if err != nil {
			return err
		}
		if u.ID == v.UserID() || u.Role == model.RoleSystem {
			return apperr.Field("username", "You cannot block this account.")
		}
		return q.SetBlock(ctx, v.UserID(), u.ID, block, s.now())
	})
}

// Blocked lists the members the viewer blocked.
func (s *Service) Blocked(ctx context.Context, v model.Viewer) ([]model.UserRef, error) {
	if v.Guest() {
		return nil, apperr.ErrSignIn
	}
	return s.store.Read().Blocks(ctx, v.UserID())
}

// Blocks reports whether the viewer blocked a member, and whether that
// member blocked the viewer.
func (s *Service) Blocks(ctx context.Context, v model.Viewer, userID int64) (blocks, blockedBy bool, err error) {
	if v.Guest() {
		return false, false, nil
	}
	blocked, by, err := s.store.Read().BlocksAmong(ctx, v.UserID(), []int64{userID})
	return blocked[userID], by[userID], err
}

// Report sends a message of a conversation the viewer is in to the
// moderators, who may then read the conversation until they resolve it.
// conversationID, when not 0, is where the viewer saw the message: one
// from elsewhere is not found.
func (s *Service) Report(ctx context.Context, v model.Viewer, conversationID, messageID int64, reason string) (model.Message, error) {
	reason = strings.TrimSpace(reason)
	var m model.Message
	err := s.store.InTx(ctx, func(q *store.Queries) error {
		var err error
		m, err = q.Message(ctx, messageID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && conversationID != 0 && m.ConversationID != conversationID) {
			return apperr.ErrNotFound
		} else if err != nil {
			return err
		}
		sub, err := s.subject(ctx, q, v, m.ConversationID, policy.CheckReadConversation)
		if err != nil {
			return err
		}
		if err := policy.CheckWriter(v); err != nil {
			return err
		}
		switch {
		case !policy.Participates(sub):
			return apperr.ErrNotFound
		case m.AuthorID == v.UserID():
			return apperr.Field("reason", "You cannot report your own message.")
		case reason == "" || utf8.RuneCountInString(reason) > MaxReason || markup.BadText(reason):
			return apperr.Field("reason", "Say in up to 300 characters what is wrong with it.")
		}
		err = q.ReportMessage(ctx, m, v.UserID(), reason, s.now())
		if errors.Is(err, store.ErrConflict) {
			return apperr.New(apperr.Conflict, "You already reported this message.")
		}
		return err
	})
	return m, err
}

// Reports lists the open reports, for staff.
func (s *Service) Reports(ctx context.Context, v model.Viewer) ([]store.MessageReport, error) {
	if err := requireStaff(v); err != nil {
		return nil, err
	}
	return s.store.Read().OpenReports(ctx, 100)
}

// Resolve closes the reports of a conversation, for staff; they can no
// longer read it. A moderator who takes part in the conversation leaves
// its reports to the others.
func (s *Service) Resolve(ctx context.Context, v model.Viewer, id int64) error {
	if err := requireStaff(v); err != nil {
		return err
	}
	return s.store.InTx(ctx, func(q *store.Queries) error {
		sub, err := s.subject(ctx, q, v, id, policy.CheckReadConversation)
		if err != nil {
			return err
		}
		if sub.Me != nil {
			return apperr.New(apperr.Forbidden, "You take part in this conversation: another moderator resolves its reports.")
		}
		if !sub.Reported {
			return apperr.ErrNotFound
		}
		return q.ResolveReports(ctx, id, v.UserID(), s.now())
	})
}

func requireStaff(v model.Viewer) error {
	if err := policy.CheckWriter(v); err != nil {
		return err
	}
	if !v.Staff() {
		return apperr.ErrNotFound
	}
	return nil
}

// SeesConversation is what the notifications inbox (and so the mail job)
// asks of a message's notification: whether the viewer is still in the
// conversation and has not blocked its author since, and what to call it
// (a group's name; nothing for one between two, where the sender says it
// all).
func (s *Service) SeesConversation(ctx context.Context, q *store.Queries, v model.Viewer, id, authorID int64) (string, bool, error) {
	sub, err := s.subject(ctx, q, v, id, policy.CheckReadConversation)
	if err != nil || !policy.Participates(sub) {
		if apperr.KindOf(err) == apperr.NotFound {
			err = nil
		}
		return "", false, err
	}
	blocked, _, err := q.BlocksAmong(ctx, v.UserID(), []int64{authorID})
	name := ""
	if sub.Conversation.Group {
		name = Name(sub.Conversation, sub.Others)
	}
	return name, !blocked[authorID], err
}

// Name is what a conversation is called: its title, else who is in it
// besides the viewer.
func Name(c model.Conversation, others []model.Participant) string {
	if c.Title != "" {
		return c.Title
	}
	var names []string
	for _, p := range others {
		if p.In() {
			names = append(names, p.User.Name())
		}
	}
	switch {
	case len(names) == 0:
		return "Nobody else"
	case len(names) > 3:
		return strings.Join(names[:3], ", ") + " and others"
	}
	return strings.Join(names, ", ")
}
