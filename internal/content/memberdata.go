package content

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"practica/internal/apperr"
	"practica/internal/model"
	"practica/internal/store"
)

// MemberData is everything a member's data export holds: their profile and
// what they wrote or own, whatever its state. Their deleted topics and posts
// are included and marked (the community still stores them, so they are the
// member's data); text written by others is not: no titles of others' topics,
// no revisions made by others, no suggested-edit text (it embeds the
// original), no voter names.
type MemberData struct {
	User           model.User
	Profile        model.Profile
	ExportedAt     time.Time
	BaseURL        string
	Topics         []model.Topic
	Posts          []model.Post
	Revisions      []model.Revision
	Votes          []store.MemberVote
	Reputation     []model.ReputationEvent
	Badges         []store.MemberBadge
	FollowedTags   []string
	Tokens         []model.APIToken
	Spaces         []store.MemberSpace
	Sessions       []model.Session
	SuggestedEdits []model.SuggestedEdit
	Messages       []model.Message
	// Avatar is their picture as stored (empty when they have none).
	Avatar     []byte
	AvatarType string
}

// MemberData gathers the viewer's own profile and content for download.
func (s *Service) MemberData(ctx context.Context, v model.Viewer) (MemberData, error) {
	if v.Guest() {
		return MemberData{}, apperr.ErrSignIn
	}
	q := s.store.Read()
	id := v.UserID()
	d := MemberData{ExportedAt: s.now(), BaseURL: s.BaseURL}
	var err error
	steps := []func() error{
		func() error { d.User, err = q.User(ctx, id); return err },
		func() error { d.Profile, err = q.Profile(ctx, id); return err },
		func() error { d.Topics, err = q.MemberTopics(ctx, id); return err },
		func() error { d.Posts, err = q.MemberPosts(ctx, id); return err },
		func() error { d.Revisions, err = q.MemberRevisions(ctx, id); return err },
		func() error { d.Votes, err = q.MemberVotes(ctx, id); return err },
		func() error { d.Reputation, err = q.MemberReputation(ctx, id); return err },
		func() error { d.Badges, err = q.MemberBadges(ctx, id); return err },
		func() error { d.FollowedTags, err = q.FollowedTags(ctx, id); return err },
		func() error { d.Tokens, err = q.APITokens(ctx, id); return err },
		func() error { d.Spaces, err = q.MemberSpaces(ctx, id); return err },
		func() error { d.Sessions, err = q.MemberSessions(ctx, id); return err },
		func() error { d.SuggestedEdits, err = q.MemberSuggestedEdits(ctx, id); return err },
		func() error { d.Messages, err = q.MemberMessages(ctx, id); return err },
		func() error {
			if d.User.Avatar > 0 {
				d.AvatarType, d.Avatar, err = q.Avatar(ctx, id, d.User.Avatar)
			}
			return err
		},
	}
	for _, step := range steps {
		if err := step(); err != nil {
			return MemberData{}, err
		}
	}
	return d, nil
}

// FileName is the name the export downloads as.
func (d MemberData) FileName() string {
	return "practica-" + d.User.Username + "-" + d.ExportedAt.UTC().Format("2006-01-02") + ".zip"
}

// Zip returns the export as a zip archive: JSON files for machines, one
// Markdown file per post for people, and a README saying what is where.
func (d MemberData) Zip() ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	dir := strings.TrimSuffix(d.FileName(), ".zip") + "/"
	add := func(name string, write func(io.Writer) error) error {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: dir + name, Method: zip.Deflate, Modified: d.ExportedAt})
		if err != nil {
			return err
		}
		return write(w)
	}
	addJSON := func(name string, v any) error {
		return add(name, func(w io.Writer) error {
			enc := json.NewEncoder(w)
			enc.SetIndent("", "  ")
			return enc.Encode(v)
		})
	}
	files := []struct {
		name string
		v    any
	}{
		{"profile.json", d.profile()},
		{"topics.json", d.topics()},
		{"posts.json", d.posts()},
		{"revisions.json", mapAll(d.Revisions, revisionJSON)},
		{"votes.json", mapAll(d.Votes, voteJSON)},
		{"reputation.json", mapAll(d.Reputation, reputationJSON)},
		{"badges.json", mapAll(d.Badges, badgeJSON)},
		{"followed_tags.json", mapAll(d.FollowedTags, func(s string) string { return s })},
		{"api_tokens.json", mapAll(d.Tokens, tokenJSON)},
		{"spaces.json", mapAll(d.Spaces, spaceJSON)},
		{"sessions.json", mapAll(d.Sessions, sessionJSON)},
		{"suggested_edits.json", mapAll(d.SuggestedEdits, suggestionJSON)},
		{"messages.json", mapAll(d.Messages, messageJSON)},
	}
	if err := add("README.md", func(w io.Writer) error { _, err := io.WriteString(w, d.readme()); return err }); err != nil {
		return nil, fmt.Errorf("content: export zip: %w", err)
	}
	for _, f := range files {
		if err := addJSON(f.name, f.v); err != nil {
			return nil, fmt.Errorf("content: export zip %s: %w", f.name, err)
		}
	}
	titles := map[int64]string{}
	for _, t := range d.Topics {
		titles[t.ID] = t.Title
	}
	if len(d.Avatar) > 0 {
		name := "avatar.jpg"
		if d.AvatarType == "image/png" {
			name = "avatar.png"
		}
		if err := add(name, func(w io.Writer) error { _, err := w.Write(d.Avatar); return err }); err != nil {
			return nil, fmt.Errorf("content: export zip avatar: %w", err)
		}
	}
	for _, p := range d.Posts {
		md := d.markdown(p, titles)
		if err := add("posts/"+strconv.FormatInt(p.ID, 10)+".md", func(w io.Writer) error { _, err := io.WriteString(w, md); return err }); err != nil {
			return nil, fmt.Errorf("content: export zip post %d: %w", p.ID, err)
		}
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("content: export zip: %w", err)
	}
	return buf.Bytes(), nil
}

// mapAll converts a list, never returning nil (JSON [] rather than null).
func mapAll[T, U any](in []T, f func(T) U) []U {
	out := make([]U, 0, len(in))
	for _, v := range in {
		out = append(out, f(v))
	}
	return out
}

func (d MemberData) url(path string) string { return d.BaseURL + path }

func (d MemberData) readme() string {
	u := d.User
	return fmt.Sprintf(`# Your data from Practica

Exported for %s on %s (UTC).

- profile.json: your account (never your password, which is stored only as a hash).
- messages.json: the direct messages you wrote (what others wrote to you is theirs).
- avatar.jpg or avatar.png: your picture, if you uploaded one (as the server re-encoded it).
- topics.json: the %d topics you started; posts.json: the %d posts you wrote (opening posts,
  replies, answers and comments), each also as Markdown in posts/<id>.md.
- revisions.json: every version you saved of your own posts.
- votes.json, reputation.json, badges.json: the votes you cast, your reputation history (who voted
  is not recorded here: votes are anonymous) and your badges.
- followed_tags.json, spaces.json: the tags you follow and the spaces you belong to.
- api_tokens.json, sessions.json: your API tokens and browser sessions (never their secrets).
- suggested_edits.json: edits you suggested to others' posts (without the text, which contains theirs).

Deleted topics and posts are included and carry deleted_at: the community still stores them.
Posts you wrote in others' topics name the topic by id only; its title is theirs.
`, u.Username, d.ExportedAt.UTC().Format("2006-01-02 15:04"), len(d.Topics), len(d.Posts))
}

func (d MemberData) markdown(p model.Post, titles map[int64]string) string {
	var b strings.Builder
	b.WriteString("---\n")
	fmt.Fprintf(&b, "post: %d\nkind: %s\ntopic: %d\n", p.ID, p.Kind, p.TopicID)
	if p.ParentID != 0 {
		fmt.Fprintf(&b, "parent: %d\n", p.ParentID)
	}
	fmt.Fprintf(&b, "url: %s\ncreated: %s\n", d.url(fmt.Sprintf("/p/%d", p.ID)), p.CreatedAt.UTC().Format(time.RFC3339))
	if p.EditedAt != nil {
		fmt.Fprintf(&b, "edited: %s\n", p.EditedAt.UTC().Format(time.RFC3339))
	}
	if p.DeletedAt != nil {
		fmt.Fprintf(&b, "deleted: %s\n", p.DeletedAt.UTC().Format(time.RFC3339))
	}
	b.WriteString("---\n\n")
	if title, ok := titles[p.TopicID]; ok && p.Kind == model.PostOpening {
		b.WriteString("# " + title + "\n\n")
	}
	b.WriteString(p.Body)
	b.WriteString("\n")
	return b.String()
}

type profileJSON struct {
	ID          int64    `json:"id"`
	Username    string   `json:"username"`
	DisplayName string   `json:"display_name"`
	Bio         string   `json:"bio"`
	Location    string   `json:"location"`
	Pronouns    string   `json:"pronouns"`
	TimeZone    string   `json:"time_zone"`
	Links       []string `json:"links"`
	Expertise   []string `json:"expertise"`
	Interests   []string `json:"interests"`
	// Visibility is who sees each of the fields above (a field absent: everyone).
	Visibility      map[string]model.FieldVisibility `json:"visibility"`
	Email           string                           `json:"email"`
	EmailVerifiedAt *time.Time                       `json:"email_verified_at"`
	Role            string                           `json:"role"`
	Status          string                           `json:"status"`
	Reputation      int64                            `json:"reputation"`
	CreatedAt       time.Time                        `json:"created_at"`
	UpdatedAt       time.Time                        `json:"updated_at"`
	URL             string                           `json:"url"`
}

func (d MemberData) profile() profileJSON {
	u := d.User
	p := d.Profile
	return profileJSON{ID: u.ID, Username: u.Username, DisplayName: u.DisplayName, Bio: u.Bio, Location: p.Location, Pronouns: p.Pronouns, TimeZone: p.TimeZone,
		Links: p.Links, Expertise: p.Expertise, Interests: p.Interests, Visibility: p.Visibility, Email: u.Email, EmailVerifiedAt: u.EmailVerifiedAt,
		Role: string(u.Role), Status: string(u.Status), Reputation: u.Reputation, CreatedAt: u.CreatedAt, UpdatedAt: u.UpdatedAt, URL: d.url("/u/" + u.Username)}
}

type topicJSON struct {
	ID             int64      `json:"id"`
	Kind           string     `json:"kind"`
	Title          string     `json:"title"`
	Tags           []string   `json:"tags"`
	SpaceID        int64      `json:"space_id"`
	State          string     `json:"state"`
	URL            string     `json:"url"`
	CreatedAt      time.Time  `json:"created_at"`
	UpdatedAt      time.Time  `json:"updated_at"`
	ReplyCount     int64      `json:"reply_count"`
	ViewCount      int64      `json:"view_count"`
	Score          int64      `json:"score"`
	AcceptedPostID int64      `json:"accepted_post_id,omitempty"`
	ClosedAt       *time.Time `json:"closed_at,omitempty"`
	CloseReason    string     `json:"close_reason,omitempty"`
	DeletedAt      *time.Time `json:"deleted_at,omitempty"`
	Event          *eventJSON `json:"event,omitempty"`
}

// eventJSON is an event's schedule and place.
type eventJSON struct {
	StartsAt time.Time `json:"starts_at"`
	EndsAt   time.Time `json:"ends_at"`
	TimeZone string    `json:"time_zone"`
	Location string    `json:"location,omitempty"`
	URL      string    `json:"url,omitempty"`
}

func (d MemberData) topics() []topicJSON {
	return mapAll(d.Topics, func(t model.Topic) topicJSON {
		return topicJSON{ID: t.ID, Kind: string(t.Kind), Title: t.Title, Tags: mapAll(t.Tags, func(s string) string { return s }), SpaceID: t.SpaceID,
			State: t.State, URL: d.url(t.Path()), CreatedAt: t.CreatedAt, UpdatedAt: t.UpdatedAt, ReplyCount: t.ReplyCount, ViewCount: t.ViewCount,
			Score: t.Score, AcceptedPostID: t.AcceptedPostID, ClosedAt: t.ClosedAt, CloseReason: t.CloseReason, DeletedAt: t.DeletedAt, Event: exportEvent(t.Event)}
	})
}

func exportEvent(e *model.Event) *eventJSON {
	if e == nil {
		return nil
	}
	return &eventJSON{StartsAt: e.StartsAt, EndsAt: e.EndsAt, TimeZone: e.TimeZone, Location: e.Location, URL: e.URL}
}

type postJSON struct {
	ID           int64      `json:"id"`
	TopicID      int64      `json:"topic_id"`
	Kind         string     `json:"kind"`
	ParentID     int64      `json:"parent_id,omitempty"`
	Body         string     `json:"body"`
	Revision     int64      `json:"revision"`
	Score        int64      `json:"score"`
	URL          string     `json:"url"`
	CreatedAt    time.Time  `json:"created_at"`
	UpdatedAt    time.Time  `json:"updated_at"`
	EditedAt     *time.Time `json:"edited_at,omitempty"`
	WikiAt       *time.Time `json:"wiki_at,omitempty"`
	DeletedAt    *time.Time `json:"deleted_at,omitempty"`
	DeletedByYou bool       `json:"deleted_by_you,omitempty"`
}

func (d MemberData) posts() []postJSON {
	return mapAll(d.Posts, func(p model.Post) postJSON {
		return postJSON{ID: p.ID, TopicID: p.TopicID, Kind: string(p.Kind), ParentID: p.ParentID, Body: p.Body, Revision: p.Revision, Score: p.Score,
			URL: d.url(fmt.Sprintf("/p/%d", p.ID)), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt, EditedAt: p.EditedAt, WikiAt: p.WikiAt,
			DeletedAt: p.DeletedAt, DeletedByYou: p.DeletedAt != nil && p.DeletedBy == d.User.ID}
	})
}

type revisionOut struct {
	PostID    int64     `json:"post_id"`
	Number    int64     `json:"number"`
	Title     string    `json:"title,omitempty"`
	Tags      string    `json:"tags,omitempty"`
	Body      string    `json:"body"`
	Reason    string    `json:"reason,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func revisionJSON(r model.Revision) revisionOut {
	return revisionOut{PostID: r.PostID, Number: r.Number, Title: r.Title, Tags: r.Tags, Body: r.Body, Reason: r.Reason, CreatedAt: r.CreatedAt}
}

type voteOut struct {
	PostID    int64     `json:"post_id"`
	Value     int       `json:"value"`
	CreatedAt time.Time `json:"created_at"`
}

func voteJSON(v store.MemberVote) voteOut {
	return voteOut{PostID: v.PostID, Value: v.Value, CreatedAt: v.CreatedAt}
}

type reputationOut struct {
	Delta     int64     `json:"delta"`
	Reason    string    `json:"reason"`
	PostID    int64     `json:"post_id,omitempty"`
	CreatedAt time.Time `json:"created_at"`
}

func reputationJSON(e model.ReputationEvent) reputationOut {
	return reputationOut{Delta: e.Delta, Reason: e.Reason, PostID: e.PostID, CreatedAt: e.CreatedAt}
}

type badgeOut struct {
	Badge     string    `json:"badge"`
	PostID    int64     `json:"post_id,omitempty"`
	AwardedAt time.Time `json:"awarded_at"`
}

func badgeJSON(b store.MemberBadge) badgeOut {
	return badgeOut{Badge: b.Badge, PostID: max(b.PostID, 0), AwardedAt: b.AwardedAt}
}

type tokenOut struct {
	ID         int64      `json:"id"`
	Name       string     `json:"name"`
	Scope      string     `json:"scope"`
	CreatedAt  time.Time  `json:"created_at"`
	LastUsedAt *time.Time `json:"last_used_at"`
	RevokedAt  *time.Time `json:"revoked_at"`
}

func tokenJSON(t model.APIToken) tokenOut {
	return tokenOut{ID: t.ID, Name: t.Name, Scope: string(t.Scope), CreatedAt: t.CreatedAt, LastUsedAt: t.LastUsedAt, RevokedAt: t.RevokedAt}
}

type spaceOut struct {
	Slug     string    `json:"slug"`
	Name     string    `json:"name"`
	Role     string    `json:"role"`
	JoinedAt time.Time `json:"joined_at"`
}

func spaceJSON(m store.MemberSpace) spaceOut {
	return spaceOut{Slug: m.Slug, Name: m.Name, Role: string(m.Role), JoinedAt: m.JoinedAt}
}

type sessionOut struct {
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent"`
}

func sessionJSON(s model.Session) sessionOut {
	return sessionOut{CreatedAt: s.CreatedAt, LastSeenAt: s.LastSeenAt, ExpiresAt: s.ExpiresAt, UserAgent: s.UserAgent}
}

type suggestionOut struct {
	ID        int64     `json:"id"`
	PostID    int64     `json:"post_id"`
	Reason    string    `json:"reason"`
	Status    string    `json:"status"`
	CreatedAt time.Time `json:"created_at"`
}

func suggestionJSON(e model.SuggestedEdit) suggestionOut {
	return suggestionOut{ID: e.ID, PostID: e.PostID, Reason: e.Reason, Status: e.Status, CreatedAt: e.CreatedAt}
}

type messageOut struct {
	ID             int64     `json:"id"`
	ConversationID int64     `json:"conversation_id"`
	Body           string    `json:"body"`
	CreatedAt      time.Time `json:"created_at"`
}

func messageJSON(m model.Message) messageOut {
	return messageOut{ID: m.ID, ConversationID: m.ConversationID, Body: m.Body, CreatedAt: m.CreatedAt}
}
