package model

import (
	"fmt"
	"net/url"
	"strings"
	"time"
)

// Role is an instance-wide role.
type Role string

// Instance roles. Guests (signed-out visitors) have no user and no role.
// System is the account that owns imported or automated content.
const (
	RoleAdmin     Role = "admin"
	RoleModerator Role = "moderator"
	RoleMember    Role = "member"
	RoleSystem    Role = "system"
)

// ValidRole reports whether r may be assigned to a person.
func ValidRole(r Role) bool { return r == RoleAdmin || r == RoleModerator || r == RoleMember }

// UserStatus says whether an account may be used.
type UserStatus string

// Account states. Placeholders are authors brought in by an import; they cannot
// sign in until someone claims them.
const (
	StatusActive      UserStatus = "active"
	StatusSuspended   UserStatus = "suspended"
	StatusDeleted     UserStatus = "deleted"
	StatusPlaceholder UserStatus = "placeholder"
)

// User is an account.
type User struct {
	ID              int64
	Username        string
	Email           string
	EmailVerifiedAt *time.Time
	PasswordHash    string
	DisplayName     string
	Bio             string
	Role            Role
	Status          UserStatus
	Reputation      int64
	CreatedAt       time.Time
	UpdatedAt       time.Time
	// Avatar is the version of their uploaded picture; 0 or less when they
	// have none and their initial is drawn instead (a removed picture's
	// version, negated, so the next one never reuses its address).
	Avatar int64
	// ActiveAt is when they last posted, to the hour; nil if never.
	ActiveAt *time.Time
	// MessagesFrom is who may start a conversation with them.
	MessagesFrom MessagesFrom
}

// Ref is the little of the user that lists and posts show.
func (u User) Ref() UserRef {
	return UserRef{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Role: u.Role, Avatar: u.Avatar}
}

// Name is what the UI shows for the user.
func (u User) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Verified reports whether the user confirmed their email address.
func (u User) Verified() bool { return u.EmailVerifiedAt != nil }

// Visibility decides who can find and read a space.
type Visibility string

// Space visibilities.
const (
	// Public: anyone reads; members post.
	Public Visibility = "public"
	// Private: listed; content for members; join by request or invitation.
	Private Visibility = "private"
	// Secret: unlisted; invitation only; 404 to everyone else.
	Secret Visibility = "secret"
)

// ValidVisibility reports whether v is a known visibility.
func ValidVisibility(v Visibility) bool { return v == Public || v == Private || v == Secret }

// SpaceRole is a person's role inside one space; empty means not a member.
type SpaceRole string

// Space roles.
const (
	SpaceLeader SpaceRole = "leader"
	SpaceMember SpaceRole = "member"
	SpaceNone   SpaceRole = ""
)

// Space is a domain area of the community.
type Space struct {
	ID          int64
	Slug        string
	Name        string
	Focus       string
	Rules       string
	Visibility  Visibility
	Color       string
	CreatedBy   int64
	CreatedAt   time.Time
	UpdatedAt   time.Time
	ArchivedAt  *time.Time
	TopicCount  int64
	MemberCount int64
	// Attribution names the source and licence of imported content.
	Attribution string
}

// Archived reports whether the space is read-only.
func (s Space) Archived() bool { return s.ArchivedAt != nil }

// Path is the space's web address.
func (s Space) Path() string { return "/s/" + s.Slug }

// Member is a person's membership in a space.
type Member struct {
	SpaceID   int64
	User      User
	Role      SpaceRole
	CreatedAt time.Time
}

// JoinRequest asks a private space's leaders to let a person in.
type JoinRequest struct {
	ID        int64
	SpaceID   int64
	User      User
	Message   string
	Status    string
	CreatedAt time.Time
}

// Invite is an invitation link to a space.
type Invite struct {
	ID        int64
	SpaceID   int64
	CreatedBy int64
	CreatedAt time.Time
	ExpiresAt time.Time
	MaxUses   int64
	Uses      int64
	RevokedAt *time.Time
}

// Kind is the type of a topic. Every kind shares topics and posts; kind-specific
// data lives in side tables.
type Kind string

// Topic kinds.
const (
	KindDiscussion Kind = "discussion"
	KindQuestion   Kind = "question"
	KindArticle    Kind = "article"
	KindEvent      Kind = "event"
	KindResource   Kind = "resource"
	KindJob        Kind = "job"
)

// ValidKind reports whether k is a known kind.
func ValidKind(k Kind) bool {
	switch k {
	case KindDiscussion, KindQuestion, KindArticle, KindEvent, KindResource, KindJob:
		return true
	}
	return false
}

// Topic is a piece of content of some kind; its opening post holds the body.
type Topic struct {
	ID           int64
	SpaceID      int64
	Kind         Kind
	AuthorID     int64
	Title        string
	Slug         string
	State        string
	CreatedAt    time.Time
	UpdatedAt    time.Time
	LastPostAt   time.Time
	LastPosterID int64
	ReplyCount   int64
	ViewCount    int64
	Score        int64
	// AcceptedPostID is a question's accepted answer (0 when none).
	AcceptedPostID int64
	PinnedAt       *time.Time
	LockedAt       *time.Time
	DeletedAt      *time.Time
	// ClosedAt marks a question that takes no new answers, for CloseReason.
	ClosedAt    *time.Time
	CloseReason string
	Tags        []string
	// Event is an event's schedule and place, where it was read (nil for
	// other kinds, and for an event without a schedule).
	Event *Event
}

// Event is an event topic's schedule and place. An event is online (URL),
// in person (Location) or both.
type Event struct {
	StartsAt time.Time
	EndsAt   time.Time
	// TimeZone is the IANA zone the organizer set the times in; pages show
	// them in it.
	TimeZone string
	Location string
	URL      string
}

// Zone is the event's time zone (UTC when its name no longer resolves).
func (e Event) Zone() *time.Location {
	loc, err := time.LoadLocation(e.TimeZone)
	if err != nil {
		return time.UTC
	}
	return loc
}

// When says when the event is, in the named time zone (its own when
// empty): "Thu 3 Dec 2026, 18:30–20:00 (Europe/Paris)", or both dates when
// it ends on a later day.
func (e Event) When(zone string) string {
	loc := e.Zone()
	if zone != "" {
		if l, err := time.LoadLocation(zone); err == nil {
			loc = l
		}
	}
	start, end := e.StartsAt.In(loc), e.EndsAt.In(loc)
	const day, clock = "Mon 2 Jan 2006", "15:04"
	out := start.Format(day + ", " + clock)
	y1, m1, d1 := start.Date()
	y2, m2, d2 := end.Date()
	switch {
	case end.Equal(start):
	case y1 == y2 && m1 == m2 && d1 == d2:
		out += "–" + end.Format(clock)
	default:
		out += " – " + end.Format(day+", "+clock)
	}
	return out + " (" + loc.String() + ")"
}

// Ended reports whether the event is over at t.
func (e Event) Ended(t time.Time) bool { return !e.EndsAt.After(t) }

// Started reports whether the event has begun at t.
func (e Event) Started(t time.Time) bool { return !e.StartsAt.After(t) }

// ValidWebLink reports whether l is a web address (http or https, with a
// host) of at most max bytes, with nothing that could break out of an
// attribute.
func ValidWebLink(l string, max int) bool {
	u, err := url.Parse(l)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != "" && len(l) <= max && !strings.ContainsAny(l, " <>\"\r\n\t")
}

// ValidTimeZone reports whether name is an IANA time zone ("Local", the
// server's own, is not one a member means).
func ValidTimeZone(name string) bool {
	if name == "" || name == "Local" {
		return false
	}
	_, err := time.LoadLocation(name)
	return err == nil
}

// Closed reports whether the question takes no new answers.
func (t Topic) Closed() bool { return t.ClosedAt != nil }

// Path is the topic's web address.
func (t Topic) Path() string { return fmt.Sprintf("/t/%d/%s", t.ID, t.Slug) }

// Pinned reports whether the topic is pinned to the top of its space.
func (t Topic) Pinned() bool { return t.PinnedAt != nil }

// Locked reports whether the topic takes no new replies.
func (t Topic) Locked() bool { return t.LockedAt != nil }

// Deleted reports whether the topic is soft-deleted.
func (t Topic) Deleted() bool { return t.DeletedAt != nil }

// PostKind tells an opening post from replies, answers and comments.
type PostKind string

// Post kinds.
const (
	PostOpening PostKind = "opening"
	PostReply   PostKind = "reply"
	PostAnswer  PostKind = "answer"
	PostComment PostKind = "comment"
)

// Post is one message in a topic.
type Post struct {
	ID       int64
	TopicID  int64
	AuthorID int64
	Kind     PostKind
	// ParentID is the question or answer a comment is on (0 otherwise).
	ParentID  int64
	Body      string
	BodyHTML  string
	Revision  int64
	Score     int64
	CreatedAt time.Time
	UpdatedAt time.Time
	EditedAt  *time.Time
	DeletedAt *time.Time
	// DeletedBy is who deleted the post; an author may undo only their own deletion.
	DeletedBy int64
	// WikiAt marks a community wiki answer: editable by many, earning no reputation.
	WikiAt *time.Time
}

// Wiki reports whether the post is community wiki.
func (p Post) Wiki() bool { return p.WikiAt != nil }

// Deleted reports whether the post is soft-deleted.
func (p Post) Deleted() bool { return p.DeletedAt != nil }

// Revision is one saved version of a post.
type Revision struct {
	ID        int64
	PostID    int64
	Number    int64
	EditorID  int64
	Title     string
	Tags      string
	Body      string
	Reason    string
	CreatedAt time.Time
}

// TagList returns the revision's tags as a slice.
func (r Revision) TagList() []string {
	if r.Tags == "" {
		return nil
	}
	return strings.Split(r.Tags, " ")
}

// Tag labels topics across spaces.
type Tag struct {
	ID          int64
	Name        string
	Description string
	TopicCount  int64
}

// Mail is one message in the outbox.
type Mail struct {
	ID      int64
	To      string
	Subject string
	Body    string
	// Unsubscribe is the message's one-click unsubscribe address (RFC
	// 8058), for the List-Unsubscribe header; empty for mail one cannot
	// opt out of (a password reset).
	Unsubscribe string
	CreatedAt   time.Time
	SentAt      *time.Time
	Attempts    int64
	LastError   string
}

// NoteKind says what a notification is about.
type NoteKind string

// The kinds of notification. Each names what happened to the recipient's
// own content or to the recipient.
const (
	NoteReply    NoteKind = "reply"    // a reply in a discussion they started
	NoteAnswer   NoteKind = "answer"   // an answer to their question
	NoteComment  NoteKind = "comment"  // a comment on their post
	NoteMention  NoteKind = "mention"  // @username in a post they can read
	NoteAccepted NoteKind = "accepted" // their answer was accepted
	NoteInvited  NoteKind = "invited"  // asked to answer a question
	NoteBadge    NoteKind = "badge"    // awarded a badge
	NotePosted   NoteKind = "posted"   // a new post in a topic they watch
	NoteStarted  NoteKind = "started"  // a new topic in a space they watch, with a tag they follow, or by a member they follow
	NoteMessage  NoteKind = "message"  // a direct message to them
)

// NoteKinds lists every kind, in the order settings show them.
var NoteKinds = []NoteKind{NoteMessage, NoteReply, NoteAnswer, NoteComment, NoteMention, NoteAccepted, NoteInvited, NotePosted, NoteStarted, NoteBadge}

// Delivery is how a member hears of one kind of notification.
type Delivery string

// The deliveries a member can choose per kind.
const (
	DeliverEmail Delivery = "email" // in the app and by email
	DeliverApp   Delivery = "app"   // in the app only
	DeliverOff   Delivery = "off"   // not at all
)

// ValidDelivery reports whether d is one of the deliveries.
func ValidDelivery(d Delivery) bool { return d == DeliverEmail || d == DeliverApp || d == DeliverOff }

// DefaultDelivery is a kind's delivery for a member who did not choose:
// what answers or names them directly is also emailed; badges and what
// they watch are only shown.
func DefaultDelivery(k NoteKind) Delivery {
	if k == NoteBadge || k == NotePosted || k == NoteStarted {
		return DeliverApp
	}
	return DeliverEmail
}

// Profile is what a member tells about themselves beyond their name and
// bio. Each field is for everyone unless Visibility names it.
type Profile struct {
	Bio        string // Markdown
	Expertise  []string
	Interests  []string
	Location   string
	Pronouns   string
	TimeZone   string // an IANA name, such as Europe/Berlin
	Links      []string
	Visibility map[string]FieldVisibility
}

// FieldVisibility is who may see one profile field.
type FieldVisibility string

// The visibilities of a profile field.
const (
	VisibleEveryone FieldVisibility = "everyone"
	VisibleMembers  FieldVisibility = "members" // signed-in members
	VisibleMe       FieldVisibility = "me"      // the member alone
)

// ProfileFields are the fields whose visibility a member chooses.
var ProfileFields = []string{"bio", "expertise", "interests", "location", "pronouns", "time_zone", "links"}

// Seen returns the profile as v sees it: the fields v may not see are
// empty. owner is the profile's member; a suspended member's bio is for
// staff only.
func (p Profile) Seen(v Viewer, owner User) Profile {
	out := p
	ownerID := owner.ID
	if owner.Status == StatusSuspended && !v.Staff() {
		out.Bio = ""
	}
	for _, f := range ProfileFields {
		switch p.Visibility[f] {
		case VisibleMembers:
			if !v.Guest() {
				continue
			}
		case VisibleMe:
			if v.UserID() == ownerID {
				continue
			}
		default:
			continue
		}
		switch f {
		case "bio":
			out.Bio = ""
		case "expertise":
			out.Expertise = nil
		case "interests":
			out.Interests = nil
		case "location":
			out.Location = ""
		case "pronouns":
			out.Pronouns = ""
		case "time_zone":
			out.TimeZone = ""
		case "links":
			out.Links = nil
		}
	}
	return out
}

// DigestFrequency is how often a member gets the email digest.
type DigestFrequency string

// The digest's frequencies; a member who did not choose gets DefaultDigest.
const (
	DigestDaily   DigestFrequency = "daily"
	DigestWeekly  DigestFrequency = "weekly"
	DigestOff     DigestFrequency = "off"
	DefaultDigest                 = DigestWeekly
)

// ValidDigest reports whether f is one of the frequencies.
func ValidDigest(f DigestFrequency) bool {
	return f == DigestDaily || f == DigestWeekly || f == DigestOff
}

// Period is the time a digest covers.
func (f DigestFrequency) Period() time.Duration {
	if f == DigestDaily {
		return 24 * time.Hour
	}
	return 7 * 24 * time.Hour
}

// WatchTarget is what a member can watch: a topic, a space, or a member
// (following them).
type WatchTarget string

// The targets of a watch.
const (
	WatchTopic WatchTarget = "topic"
	WatchSpace WatchTarget = "space"
	WatchUser  WatchTarget = "user"
)

// WatchLevel is how closely a member follows a target.
type WatchLevel string

// The levels: watching hears of everything new, normal only of what
// concerns the member, muted of nothing but what names them.
const (
	Watching    WatchLevel = "watching"
	WatchNormal WatchLevel = "normal"
	Muted       WatchLevel = "muted"
)

// Notification is one thing a member hears about in the app. TopicID and
// PostID point at what it is about (0 for a badge not earned by a post);
// ReadAt is set once the member has seen it. Mail is set while it waits to
// be emailed.
type Notification struct {
	ID      int64
	UserID  int64
	Kind    NoteKind
	ActorID int64
	TopicID int64
	PostID  int64
	Badge   string
	// A direct message's notification names it and its conversation.
	MessageID      int64
	ConversationID int64
	CreatedAt      time.Time
	ReadAt         *time.Time
	Mail           bool
}

// Session is a signed-in browser.
type Session struct {
	ID         int64
	UserID     int64
	CreatedAt  time.Time
	LastSeenAt time.Time
	ExpiresAt  time.Time
	UserAgent  string
}

// TokenScope limits what a personal access token may do.
type TokenScope string

// Token scopes.
const (
	ScopeRead  TokenScope = "read"
	ScopeWrite TokenScope = "write"
)

// APIToken is a personal access token (its secret is only ever shown once).
type APIToken struct {
	ID         int64
	UserID     int64
	Name       string
	Scope      TokenScope
	CreatedAt  time.Time
	LastUsedAt *time.Time
	RevokedAt  *time.Time
}

// Viewer is who is making a request: a guest (zero value) or a signed-in user,
// and through which door (browser session or API token with a scope).
type Viewer struct {
	User  *User
	Scope TokenScope // empty for browser sessions (full access)
}

// Guest reports whether nobody is signed in.
func (v Viewer) Guest() bool { return v.User == nil }

// UserID returns the signed-in user's id, or 0 for guests.
func (v Viewer) UserID() int64 {
	if v.User == nil {
		return 0
	}
	return v.User.ID
}

// Staff reports whether the viewer is an admin or moderator.
func (v Viewer) Staff() bool {
	return v.User != nil && (v.User.Role == RoleAdmin || v.User.Role == RoleModerator)
}

// Admin reports whether the viewer is an admin.
func (v Viewer) Admin() bool { return v.User != nil && v.User.Role == RoleAdmin }

// UserRef is the little of a user that lists and posts show.
type UserRef struct {
	ID          int64
	Username    string
	DisplayName string
	Role        Role
	Avatar      int64 // see User.Avatar
}

// AvatarPath is the address of the member's picture, or "" when they
// have none. The version in it lets the picture be cached for good.
func (u UserRef) AvatarPath() string {
	if u.Avatar <= 0 {
		return ""
	}
	return fmt.Sprintf("/avatars/%d-%d", u.ID, u.Avatar)
}

// Name is what the UI shows for the user.
func (u UserRef) Name() string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// Path is the user's profile address.
func (u UserRef) Path() string { return "/u/" + u.Username }

// TopicItem is a topic as lists show it.
type TopicItem struct {
	Topic      Topic
	Space      Space
	Author     UserRef
	LastPoster UserRef
}

// PostItem is a post with its author, as a topic page shows it.
type PostItem struct {
	Post   Post
	Author UserRef
}

// ReputationEvent is one row of the reputation ledger.
type ReputationEvent struct {
	ID     int64
	UserID int64
	Delta  int64
	Reason string
	// Source names the cause ("vote:12:7", "accept:5"); a source's rows sum
	// to its current effect.
	Source    string
	PostID    int64
	ActorID   int64
	CreatedAt time.Time
}

// ReputationItem is a ledger row with the topic it came from, if still there.
type ReputationItem struct {
	Event ReputationEvent
	Topic Topic
}

// SuggestedEdit is an edit to someone else's post waiting for review.
type SuggestedEdit struct {
	ID           int64
	PostID       int64
	AuthorID     int64
	BaseRevision int64
	Title        string
	Tags         string
	Body         string
	Reason       string
	Status       string
	CreatedAt    time.Time
}

// Suggested edit states.
const (
	EditPending  = "pending"
	EditApproved = "approved"
	EditRejected = "rejected"
)

// Conversation is a direct-message conversation between two members, or a
// small group.
type Conversation struct {
	ID            int64
	Title         string // groups may have one
	Group         bool
	CreatedBy     int64
	CreatedAt     time.Time
	LastMessageID int64
	LastMessageAt time.Time
	MessageCount  int64
}

// Path is the conversation's web address.
func (c Conversation) Path() string { return fmt.Sprintf("/messages/%d", c.ID) }

// Participant is a member of a conversation.
type Participant struct {
	User       UserRef
	Status     UserStatus
	JoinedAt   time.Time
	LeftAt     *time.Time
	LastReadID int64
}

// In reports whether the participant is still in the conversation.
func (p Participant) In() bool { return p.LeftAt == nil }

// Message is one message of a conversation.
type Message struct {
	ID             int64
	ConversationID int64
	AuthorID       int64
	Body           string // Markdown
	BodyHTML       string
	CreatedAt      time.Time
}

// MessagesFrom is who may start a conversation with a member.
type MessagesFrom string

// The choices of MessagesFrom.
const (
	MessagesFromMembers MessagesFrom = "members"
	MessagesOff         MessagesFrom = "off"
)
