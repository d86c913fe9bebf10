package notify

import (
	"context"
	"strconv"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/store"
)

// Sees reports whether a viewer may read a topic, or one post of it when
// postID is set, as things stand now. The content service implements it
// with the one visibility policy; the inbox asks it about every
// notification it shows, so one about a post that was deleted, or moved
// where the recipient cannot follow, is not shown.
type Sees func(ctx context.Context, q *store.Queries, v model.Viewer, topicID, postID int64) (bool, error)

// SeesConversation reports whether a viewer is in a direct-message
// conversation now and has not blocked the message's author, and the
// conversation's name for them; the messages service implements it.
type SeesConversation func(ctx context.Context, q *store.Queries, v model.Viewer, conversationID, authorID int64) (string, bool, error)

// Inbox is a member's notifications in the app.
type Inbox struct {
	Store            *store.Store
	Sees             Sees
	SeesConversation SeesConversation
	Now              func() time.Time
	// BaseURL starts the links in emails.
	BaseURL string
}

// Item is a notification as shown: what happened, who did it, and where.
type Item struct {
	store.NoteRow
	Topic model.Topic      // what it is about; zero for a badge or a message
	Badge reputation.Badge // for a badge
	// Conversation names a message's group conversation; empty for one
	// between two.
	Conversation string
}

// Subject is what the notification is about, after its Lead: a topic's
// title or a conversation's name; empty for a badge.
func (it Item) Subject() string {
	if it.Kind == model.NoteMessage {
		return it.Conversation
	}
	return it.Topic.Title
}

// Lead says what happened, up to the topic's title: "Bob answered" (the
// page shows the title after it); for a badge, the whole sentence.
func (it Item) Lead() string {
	who := it.Actor.Name()
	if it.Actor.Username == "" {
		who = "Someone" // an account since removed
	}
	switch it.Kind {
	case model.NoteReply:
		return who + " replied to"
	case model.NoteAnswer:
		return who + " answered"
	case model.NoteComment:
		return who + " commented on your post in"
	case model.NoteMention:
		return who + " mentioned you in"
	case model.NoteAccepted:
		return who + " accepted your answer to"
	case model.NoteInvited:
		return who + " asked you to answer"
	case model.NotePosted:
		return who + " posted in"
	case model.NoteStarted:
		return who + " started"
	case model.NoteBadge:
		return "You earned the " + it.Badge.Name + " badge."
	case model.NoteMessage:
		if it.Conversation == "" { // one to one: the sender is all there is to say
			return who + " sent you a message"
		}
		return who + " sent you a message in"
	}
	return who + " wrote in"
}

// Link is where the notification leads: the post, the topic or the badge.
func (it Item) Link() string {
	switch {
	case it.Kind == model.NoteBadge:
		return "/badges/" + it.Badge.Key
	case it.Kind == model.NoteMessage:
		return "/messages/" + strconv.FormatInt(it.ConversationID, 10) + "#m" + strconv.FormatInt(it.MessageID, 10)
	case it.PostID != 0:
		return "/p/" + strconv.FormatInt(it.PostID, 10)
	}
	return it.Topic.Path()
}

// Page is one page of a member's notifications, newest first. Next is the
// cursor of the following page, 0 when there is none.
type Page struct {
	Items  []Item
	Unread int
	Next   int64
	// Looked are the unread notifications the page looked at, shown or
	// not (one hidden from the viewer counts as seen): what opening the
	// page marks read.
	Looked []int64
}

// Page sizes of the inbox.
const (
	DefaultPage = 30
	MaxPage     = 100
)

// List returns the viewer's notifications before the given id (0 for the
// newest), leaving out any whose subject the viewer may no longer see.
func (in *Inbox) List(ctx context.Context, v model.Viewer, before int64, limit int) (Page, error) {
	if v.Guest() {
		return Page{}, apperr.ErrSignIn
	}
	if limit <= 0 || limit > MaxPage {
		limit = DefaultPage
	}
	q := in.Store.Read()
	var p Page
	// A page of rows can lose some to the visibility check; a few more
	// rounds fill it, without walking a whole inbox of hidden ones. Next is
	// set only when rows remain after the last one looked at.
	for round := 0; round < 4 && len(p.Items) < limit; round++ {
		rows, err := q.Notifications(ctx, v.UserID(), before, limit+1)
		if err != nil {
			return p, err
		}
		p.Next = 0
		for i, r := range rows {
			if i == limit || len(p.Items) == limit {
				p.Next = before
				break
			}
			before = r.ID
			if r.ReadAt == nil {
				p.Looked = append(p.Looked, r.ID)
			}
			it, ok, err := in.item(ctx, q, v, r)
			if err != nil {
				return p, err
			}
			if ok {
				p.Items = append(p.Items, it)
			}
		}
		if p.Next == 0 {
			break // every row was looked at
		}
	}
	unread, err := q.UnreadNotifications(ctx, v.UserID())
	p.Unread = unread
	return p, err
}

// item fills in what a notification row points at, and reports whether the
// viewer may see it.
func (in *Inbox) item(ctx context.Context, q *store.Queries, v model.Viewer, r store.NoteRow) (Item, bool, error) {
	it := Item{NoteRow: r}
	if r.Kind == model.NoteBadge {
		b, ok := reputation.BadgeByKey(r.Badge)
		it.Badge = b
		return it, ok, nil
	}
	if r.Kind == model.NoteMessage {
		name, ok, err := in.SeesConversation(ctx, q, v, r.ConversationID, r.ActorID)
		it.Conversation = name
		return it, ok, err
	}
	if r.TopicID == 0 {
		return it, false, nil
	}
	ok, err := in.Sees(ctx, q, v, r.TopicID, r.PostID)
	if err != nil || !ok {
		return it, false, err
	}
	it.Topic, err = q.Topic(ctx, r.TopicID)
	return it, err == nil, err
}

// Unread counts the viewer's unread notifications, up to store.MaxUnread.
func (in *Inbox) Unread(ctx context.Context, v model.Viewer) (int, error) {
	if v.Guest() {
		return 0, nil
	}
	return in.Store.Read().UnreadNotifications(ctx, v.UserID())
}

// MarkRead marks the viewer's notifications up to and including id read,
// every one when id is 0, and returns how many are still unread.
func (in *Inbox) MarkRead(ctx context.Context, v model.Viewer, upTo int64) (int, error) {
	if v.Guest() {
		return 0, apperr.ErrSignIn
	}
	if v.Scope == model.ScopeRead {
		return 0, apperr.New(apperr.Forbidden, "This token is read-only.")
	}
	if upTo < 0 {
		return 0, apperr.Field("up_to", "Give the id of the newest notification to mark read, or 0 for all.")
	}
	err := in.Store.InTx(ctx, func(q *store.Queries) error {
		return q.MarkNotificationsRead(ctx, v.UserID(), upTo, in.Now())
	})
	if err != nil {
		return 0, err
	}
	return in.Unread(ctx, v)
}

// MarkSeen marks read the notifications a page looked at (Page.Looked) and
// returns how many are still unread.
func (in *Inbox) MarkSeen(ctx context.Context, v model.Viewer, ids []int64) (int, error) {
	if v.Guest() {
		return 0, apperr.ErrSignIn
	}
	err := in.Store.InTx(ctx, func(q *store.Queries) error {
		return q.MarkNotificationsSeen(ctx, v.UserID(), ids, in.Now())
	})
	if err != nil {
		return 0, err
	}
	return in.Unread(ctx, v)
}
