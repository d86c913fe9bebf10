package view

import (
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/notify"
	"practica/internal/reputation"
	"practica/internal/store"
)

// HomePage is the front page.
type HomePage struct {
	Chrome
	List    content.List
	Tags    []model.Tag
	Welcome bool
	// Events are the next few events the viewer may see.
	Events []model.TopicItem
}

// SpacesPage lists spaces.
type SpacesPage struct {
	Chrome
	Spaces    []store.SpaceListItem
	CanCreate bool
}

// SpacePage is one space with its topics.
type SpacePage struct {
	Chrome
	View    community.SpaceView
	List    content.List
	Leaders []model.Member
	Rules   string // rendered HTML
	// Watch is how closely the member follows the space; empty for guests
	// and for those who cannot read it.
	Watch model.WatchLevel
	// Events are the space's next few events.
	Events []model.TopicItem
}

// SpaceFormPage creates or edits a space.
type SpaceFormPage struct {
	Chrome
	Form   Form
	Space  *model.Space // nil when creating
	Colors []string
}

// MembersPage lists a space's members and, for leaders, requests and invitations.
type MembersPage struct {
	Chrome
	View     community.SpaceView
	Members  []model.Member
	Requests []model.JoinRequest
	Invites  []model.Invite
	NewLink  string
}

// InvitePage shows where an invitation link leads.
type InvitePage struct {
	Chrome
	Space  model.Space
	Secret string
}

// TopicPage is a topic with its posts.
type TopicPage struct {
	Chrome
	View      content.TopicView
	ReplyForm Form
	MoveTo    []store.SpaceListItem
	// CommentOn is the post whose comment form CommentForm fills (after an
	// error), opened so the message shows.
	CommentOn   int64
	CommentForm Form
	InviteForm  Form
	// Watch is how closely the member follows the topic; empty for guests.
	Watch model.WatchLevel
}

// NewTopicPage is the composer for a new topic.
type NewTopicPage struct {
	Chrome
	Form   Form
	Spaces []store.SpaceListItem
	// Unverified is set when the viewer must confirm their email before posting.
	Unverified bool
}

// EditPostPage edits a post.
type EditPostPage struct {
	Chrome
	Form Form
	// Suggest: the edit goes to the review queue instead of being saved.
	Suggest bool
	Post    model.Post
	Topic   model.Topic
	Opening bool
}

// RevisionsPage shows a post's history.
type RevisionsPage struct {
	Chrome
	Post       model.Post
	Topic      model.Topic
	Revisions  []content.RevisionView
	SideBySide bool
	// CanRollback: the viewer edits the post directly, so may restore a revision.
	CanRollback bool
}

// TagPage lists topics with a tag.
type TagPage struct {
	Chrome
	View content.TagView
	List content.List
	Kind model.Kind
	// Form holds the curation forms as submitted (after an error).
	Form Form
}

// TagsPage lists popular tags.
type TagsPage struct {
	Chrome
	Tags []model.Tag
}

// ProfilePage is a member's public profile.
type ProfilePage struct {
	Chrome
	User model.User
	// Profile holds the fields the viewer may see.
	Profile model.Profile
	// BioHTML is the bio rendered from Markdown.
	BioHTML string
	// Follow is whether the viewer follows the member (Watching) or not
	// (WatchNormal); empty when they cannot (a guest, themselves).
	Follow model.WatchLevel
	// Tab is the part shown under the head: "" (overview), "questions",
	// "answers", "discussions", "badges" or "reputation".
	Tab string
	// The overview: recent topics, one chip per badge held, and the tags
	// where the member's answers were accepted or upvoted.
	Topics       []model.TopicItem
	Badges       []reputation.Badge
	Demonstrated []store.TagRecord
	// The tabs' lists.
	List    content.List
	Answers content.AnswerList
	Awards  []store.BadgeAward
	Events  []model.ReputationItem
	Sort    string
	// CanMessage: the viewer may start a conversation with the member;
	// Blocking: the viewer blocked them (nil: they cannot, a guest or
	// themselves).
	CanMessage bool
	Blocking   *bool
}

// AuthPage is any of the sign-up, sign-in, setup and password pages.
type AuthPage struct {
	Chrome
	Form Form
	// Secret carries a reset token into the form.
	Secret string
	Next   string
	Done   bool
}

// SettingsPage is the member's own settings.
type SettingsPage struct {
	Chrome
	Avatar   Form
	Profile  Form
	Email    Form
	Password Form
	Token    Form
	Tokens   []model.APIToken
	NewToken string
	Sessions int64
	// Notify is how the member hears of each kind of notification, and
	// under "digest" how often they get the email digest.
	Notify map[string]string
	// Messages chooses who may start a conversation with the member;
	// Blocked are the members they blocked.
	Messages Form
	Blocked  []model.UserRef
}

// AdminDigestPage previews a member's email digest.
type AdminDigestPage struct {
	Chrome
	Username string
	Mail     model.Mail
	Empty    bool
}

// UnsubscribePage confirms, then reports, a one-click unsubscribe.
type UnsubscribePage struct {
	Chrome
	Email string
	Token string
	// Digest: the link stops the digest, not notification emails.
	Digest bool
	Done   bool
}

// AdminUsersPage lists accounts for admins.
type AdminUsersPage struct {
	Chrome
	Users  []model.User
	Search string
	Next   int64
	Self   int64
}

// AdminSpacesPage lists every space for admins.
type AdminSpacesPage struct {
	Chrome
	Spaces []store.SpaceListItem
}

// AdminOutboxPage shows queued and sent mail.
type AdminOutboxPage struct {
	Chrome
	Mails []model.Mail
	Next  int64
	SMTP  bool
}

// ErrorPage explains a failed request.
type ErrorPage struct {
	Chrome
	Status  int
	Message string
}

// ConfirmDeletePage asks before a delete.
type ConfirmDeletePage struct {
	Chrome
	Post    model.Post
	Topic   model.Topic
	Excerpt string
}

// NotificationsPage is one page of the member's notifications.
type NotificationsPage struct {
	Chrome
	Items []notify.Item
	Next  int64 // cursor of the older page, 0 on the last
}
