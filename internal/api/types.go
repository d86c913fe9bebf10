package api

import (
	"time"

	"practica/internal/model"
	"practica/internal/store"
)

// Space is the JSON form of a space.
type Space struct {
	ID          int64      `json:"id"`
	Slug        string     `json:"slug"`
	Name        string     `json:"name"`
	Focus       string     `json:"focus"`
	Rules       string     `json:"rules"`
	Visibility  string     `json:"visibility"`
	Color       string     `json:"color"`
	TopicCount  int64      `json:"topic_count"`
	MemberCount int64      `json:"member_count"`
	CreatedAt   time.Time  `json:"created_at"`
	ArchivedAt  *time.Time `json:"archived_at"`
	Role        string     `json:"role"`
	URL         string     `json:"url"`
}

func spaceJSON(s model.Space, role model.SpaceRole) Space {
	return Space{ID: s.ID, Slug: s.Slug, Name: s.Name, Focus: s.Focus, Rules: s.Rules, Visibility: string(s.Visibility), Color: s.Color,
		TopicCount: s.TopicCount, MemberCount: s.MemberCount, CreatedAt: s.CreatedAt, ArchivedAt: s.ArchivedAt, Role: string(role), URL: s.Path()}
}

func spacesJSON(items []store.SpaceListItem) []Space {
	out := make([]Space, len(items))
	for i, it := range items {
		out[i] = spaceJSON(it.Space, it.Role)
	}
	return out
}

// UserRef is the JSON form of an author.
type UserRef struct {
	ID          int64  `json:"id"`
	Username    string `json:"username"`
	DisplayName string `json:"display_name"`
	// AvatarURL is the path of their picture; absent when they have none.
	AvatarURL string `json:"avatar_url,omitempty"`
}

func userRefJSON(u model.UserRef) UserRef {
	return UserRef{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, AvatarURL: u.AvatarPath()}
}

// User is the public JSON form of a member. The profile fields are those
// the caller may see; one hidden from them, or empty, is left out.
type User struct {
	ID          int64     `json:"id"`
	Username    string    `json:"username"`
	DisplayName string    `json:"display_name"`
	Bio         string    `json:"bio"`
	Role        string    `json:"role"`
	Reputation  int64     `json:"reputation"`
	CreatedAt   time.Time `json:"created_at"`
	Location    string    `json:"location,omitempty"`
	Pronouns    string    `json:"pronouns,omitempty"`
	TimeZone    string    `json:"time_zone,omitempty"`
	Links       []string  `json:"links,omitempty"`
	AvatarURL   string    `json:"avatar_url,omitempty"`
	// ActiveAt is when they last posted, to the hour.
	ActiveAt  *time.Time `json:"active_at,omitempty"`
	Expertise []string   `json:"expertise,omitempty"`
	Interests []string   `json:"interests,omitempty"`
	// Demonstrated is only in a single member's answer: the tags where
	// their answers were accepted or voted up.
	Demonstrated []TagRecord `json:"demonstrated,omitempty"`
}

// TagRecord is what a member's answers under one tag earned.
type TagRecord struct {
	Tag      string `json:"tag"`
	Answers  int64  `json:"answers"`
	Accepted int64  `json:"accepted"`
	Score    int64  `json:"score"`
}

// Topic is the JSON form of a topic.
type Topic struct {
	ID         int64    `json:"id"`
	Kind       string   `json:"kind"`
	Title      string   `json:"title"`
	Slug       string   `json:"slug"`
	Space      string   `json:"space"`
	Tags       []string `json:"tags"`
	Author     *UserRef `json:"author,omitempty"`
	ReplyCount int64    `json:"reply_count"`
	Score      int64    `json:"score"`
	// AcceptedPostID is set on questions with an accepted answer.
	AcceptedPostID int64 `json:"accepted_post_id,omitempty"`
	// ClosedAt and CloseReason are set on closed questions.
	ClosedAt    *time.Time `json:"closed_at,omitempty"`
	CloseReason string     `json:"close_reason,omitempty"`
	CreatedAt   time.Time  `json:"created_at"`
	LastPostAt  time.Time  `json:"last_post_at"`
	PinnedAt    *time.Time `json:"pinned_at"`
	LockedAt    *time.Time `json:"locked_at"`
	DeletedAt   *time.Time `json:"deleted_at,omitempty"`
	URL         string     `json:"url"`
	// Event is set on events with a schedule.
	Event *Event `json:"event,omitempty"`
}

// Event is an event's schedule and place. Times are UTC; time_zone is the
// zone the organizer set them in.
type Event struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	TimeZone string    `json:"time_zone"`
	Location string    `json:"location"`
	URL      string    `json:"url"`
}

func eventJSON(e *model.Event) *Event {
	if e == nil {
		return nil
	}
	return &Event{StartsAt: e.StartsAt, EndsAt: e.EndsAt, TimeZone: e.TimeZone, Location: e.Location, URL: e.URL}
}

func topicJSON(t model.Topic, spaceSlug string) Topic {
	tags := t.Tags
	if tags == nil {
		tags = []string{}
	}
	return Topic{ID: t.ID, Kind: string(t.Kind), Title: t.Title, Slug: t.Slug, Space: spaceSlug, Tags: tags, ReplyCount: t.ReplyCount, Score: t.Score, AcceptedPostID: t.AcceptedPostID, ClosedAt: t.ClosedAt, CloseReason: t.CloseReason,
		CreatedAt: t.CreatedAt, LastPostAt: t.LastPostAt, PinnedAt: t.PinnedAt, LockedAt: t.LockedAt, DeletedAt: t.DeletedAt, URL: t.Path(), Event: eventJSON(t.Event)}
}

func topicItemJSON(it model.TopicItem) Topic {
	t := topicJSON(it.Topic, it.Space.Slug)
	a := userRefJSON(it.Author)
	t.Author = &a
	return t
}

// Post is the JSON form of a post.
type Post struct {
	ID      int64    `json:"id"`
	TopicID int64    `json:"topic_id"`
	Kind    string   `json:"kind"`
	Author  *UserRef `json:"author,omitempty"`
	// Body, the Markdown source, is left out of a topic's page unless asked
	// for (see writeTopic).
	Body      string     `json:"body,omitempty"`
	BodyHTML  string     `json:"body_html"`
	Revision  int64      `json:"revision"`
	Score     int64      `json:"score"`
	CreatedAt time.Time  `json:"created_at"`
	EditedAt  *time.Time `json:"edited_at"`
	DeletedAt *time.Time `json:"deleted_at,omitempty"`
	// Comments, questions and answers.
	ParentID int64 `json:"parent_id,omitempty"`
	Vote     int   `json:"vote,omitempty"`
	Accepted bool  `json:"accepted,omitempty"`
	// WikiAt is set on community wiki answers.
	WikiAt   *time.Time `json:"wiki_at,omitempty"`
	Comments []Post     `json:"comments,omitempty"`
}

func postJSON(p model.Post) Post {
	return Post{ID: p.ID, TopicID: p.TopicID, Kind: string(p.Kind), Body: p.Body, BodyHTML: p.BodyHTML, Revision: p.Revision, Score: p.Score, ParentID: p.ParentID, WikiAt: p.WikiAt,
		CreatedAt: p.CreatedAt, EditedAt: p.EditedAt, DeletedAt: p.DeletedAt}
}

// TopicDetail is a topic with a page of its posts.
type TopicDetail struct {
	Topic
	Posts     []Post `json:"posts"`
	NextAfter int64  `json:"next_after,omitempty"`
	// Questions: the answer order, this page and the next one.
	Answers  string `json:"answers,omitempty"`
	Page     int    `json:"page,omitempty"`
	NextPage int    `json:"next_page,omitempty"`
}

// TopicList is a page of topics.
type TopicList struct {
	Topics     []Topic `json:"topics"`
	NextCursor string  `json:"next_cursor,omitempty"`
}

// Revision is one saved version of a post.
type Revision struct {
	Number    int64     `json:"number"`
	Editor    UserRef   `json:"editor"`
	Title     string    `json:"title,omitempty"`
	Tags      []string  `json:"tags,omitempty"`
	Body      string    `json:"body"`
	Reason    string    `json:"reason"`
	CreatedAt time.Time `json:"created_at"`
}
