package api_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/model"
	"practica/internal/testenv"
)

type notePage struct {
	Notifications []api.Notification
	Unread        int
	Next          int64
}

// inbox lists u's notifications through the API.
func (e *apiEnv) inbox(t *testing.T, u *testenv.User) notePage {
	t.Helper()
	return decode[notePage](t, e.call(t, u, "GET", "/api/v1/notifications", nil, http.StatusOK))
}

// kinds lists a page's notifications as "kind by actor", newest first.
func kinds(p notePage) []string {
	out := make([]string, len(p.Notifications))
	for i, n := range p.Notifications {
		by := "nobody"
		if n.Actor != nil {
			by = n.Actor.Username
		}
		out[i] = n.Kind + " by " + by
	}
	return out
}

func wantKinds(t *testing.T, who string, p notePage, want ...string) {
	t.Helper()
	got := kinds(p)
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("%s's notifications: %q, want %q", who, got, want)
	}
}

// TestNotificationsOfAConversation: replies, answers, comments, mentions
// and accepted answers reach the member they concern, once each, never the
// one who acted, and can be marked read.
func TestNotificationsOfAConversation(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.PublicSpace.Slug
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+pub+"/join", nil, http.StatusOK)

	disc := e.newTopic(t, e.Alice, pub, "Where do we meet")
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID), map[string]any{"body": "Answering myself, which tells nobody."}, http.StatusCreated)
	wantKinds(t, "alice", e.inbox(t, e.Alice))

	// Bob replies and names alice (one notification: the mention) and the
	// moderator; nobody who does not exist is a problem.
	e.Clock.Advance(time.Minute)
	reply := decode[api.Post](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID),
		map[string]any{"body": "Thursday works, @alice. Cc @mod and @nobody-here."}, http.StatusCreated))
	in := e.inbox(t, e.Alice)
	wantKinds(t, "alice", in, "mention by bob")
	if n := in.Notifications[0]; n.PostID != reply.ID || n.TopicID != disc.ID || n.Title != "Where do we meet" || n.URL != fmt.Sprintf("/p/%d", reply.ID) || n.ReadAt != nil || in.Unread != 1 {
		t.Errorf("alice's reply notification: %+v (unread %d), want post %d of topic %d, unread", n, in.Unread, reply.ID, disc.ID)
	}
	wantKinds(t, "mod", e.inbox(t, e.Mod), "mention by bob")

	// A question: an answer, the accepted answer, a comment.
	e.Clock.Advance(time.Minute)
	q := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": pub, "kind": "question",
		"title": "How do I measure a qubit twice", "body": "Is the second outcome always the same?", "tags": []string{}}, http.StatusCreated))
	e.Clock.Advance(time.Minute)
	ans := decode[api.Post](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID),
		map[string]any{"body": "In the same basis, yes: the state has collapsed."}, http.StatusCreated))
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/accept", q.ID), map[string]any{"post_id": ans.ID}, http.StatusOK)
	e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/posts/%d/comments", ans.ID), map[string]any{"body": "Thanks, that settles it."}, http.StatusCreated)
	wantKinds(t, "alice", e.inbox(t, e.Alice), "answer by bob", "mention by bob")
	wantKinds(t, "bob", e.inbox(t, e.Bob), "comment by alice", "accepted by alice")

	// Marking read: a read-only token may not; everything, then nothing new.
	e.call(t, readOnly(t, e, e.Alice), "POST", "/api/v1/notifications/read", map[string]any{}, http.StatusForbidden)
	e.call(t, e.Alice, "POST", "/api/v1/notifications/read", map[string]any{"up_to": -1}, http.StatusBadRequest)
	e.call(t, e.Alice, "POST", "/api/v1/notifications/read", map[string]any{"up_to": "all"}, http.StatusBadRequest)
	in = e.inbox(t, e.Alice)
	oldest := in.Notifications[len(in.Notifications)-1].ID
	left := decode[struct{ Unread int }](t, e.call(t, e.Alice, "POST", "/api/v1/notifications/read", map[string]any{"up_to": oldest}, http.StatusOK))
	if left.Unread != 1 {
		t.Errorf("after marking the oldest read: %d unread, want 1", left.Unread)
	}
	left = decode[struct{ Unread int }](t, e.call(t, e.Alice, "POST", "/api/v1/notifications/read", map[string]any{}, http.StatusOK))
	in = e.inbox(t, e.Alice)
	if left.Unread != 0 || in.Unread != 0 || in.Notifications[0].ReadAt == nil {
		t.Errorf("after marking all read: %d / %d unread, newest read at %v", left.Unread, in.Unread, in.Notifications[0].ReadAt)
	}
	e.call(t, nil, "GET", "/api/v1/notifications", nil, http.StatusUnauthorized)
	e.call(t, e.Alice, "GET", "/api/v1/notifications?before=x", nil, http.StatusBadRequest)
}

// TestNotificationsRespectSight: nobody hears of a post they may not read,
// at the time it is written (a mention in a private space) or later (a reply
// since deleted), and pages of notifications follow each other.
func TestNotificationsRespectSight(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	// Alice names bob in spaces he does not belong to: he hears nothing.
	for _, sp := range []string{e.PrivateSpace.Slug, e.SecretSpace.Slug} {
		e.Clock.Advance(time.Minute)
		e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": sp, "title": "Plans for the autumn term",
			"body": "What does @bob think? And @mod?", "tags": []string{}}, http.StatusCreated)
	}
	wantKinds(t, "bob", e.inbox(t, e.Bob))
	wantKinds(t, "mod", e.inbox(t, e.Mod), "mention by alice", "mention by alice") // staff read every space

	// Bob starts a discussion; alice replies, then deletes her reply.
	pub := e.PublicSpace.Slug
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+pub+"/join", nil, http.StatusOK)
	disc := e.newTopic(t, e.Bob, pub, "Reading group")
	reply := decode[api.Post](t, e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID), map[string]any{"body": "Count me in for the first session."}, http.StatusCreated))
	wantKinds(t, "bob", e.inbox(t, e.Bob), "reply by alice")
	e.call(t, e.Alice, "DELETE", fmt.Sprintf("/api/v1/posts/%d", reply.ID), nil, http.StatusNoContent)
	wantKinds(t, "bob", e.inbox(t, e.Bob))

	// Pages: newest first, each page's cursor leads to the next.
	for i := range 5 {
		e.Clock.Advance(time.Minute)
		e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID), map[string]any{"body": fmt.Sprintf("Note number %d for the group.", i)}, http.StatusCreated)
	}
	var seen []int64
	for before := int64(0); ; {
		p := decode[notePage](t, e.call(t, e.Bob, "GET", fmt.Sprintf("/api/v1/notifications?limit=2&before=%d", before), nil, http.StatusOK))
		for _, n := range p.Notifications {
			seen = append(seen, n.ID)
		}
		if p.Next == 0 {
			break
		}
		before = p.Next
	}
	if len(seen) != 5 {
		t.Fatalf("paging bob's notifications by 2: %v, want the 5 live replies", seen)
	}
	for i := 1; i < len(seen); i++ {
		if seen[i] >= seen[i-1] {
			t.Fatalf("paging bob's notifications: %v, want newest first without repeats", seen)
		}
	}
}

// TestBadgeNotifications: a badge awarded by the badge job is announced.
func TestBadgeNotifications(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": e.PublicSpace.Slug, "kind": "question",
		"title": "What is a stabilizer code", "body": "In plain words, please.", "tags": []string{}}, http.StatusCreated)
	if _, err := e.App.Content.AwardBadges(context.Background()); err != nil {
		t.Fatal(err)
	}
	in := e.inbox(t, e.Alice)
	wantKinds(t, "alice", in, "badge by nobody")
	if n := in.Notifications[0]; n.Badge != "first-question" || n.URL != "/badges/first-question" {
		t.Errorf("alice's badge notification: %+v, want first-question", n)
	}
	if _, err := e.App.Content.AwardBadges(context.Background()); err != nil {
		t.Fatal(err)
	}
	wantKinds(t, "alice", e.inbox(t, e.Alice), "badge by nobody") // nothing new awarded, nothing new said
}

// TestNotificationSettingsAPI: every kind's delivery, defaults first; a
// change of some kinds keeps the others; bad names and values are refused
// on their field and change nothing.
func TestNotificationSettingsAPI(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	const path = "/api/v1/me/notification-settings"
	got := decode[map[string]string](t, e.call(t, e.Bob, "GET", path, nil, http.StatusOK))
	if got["reply"] != "email" || got["message"] != "email" || got["badge"] != "app" || got["posted"] != "app" || got["digest"] != "weekly" || len(got) != len(model.NoteKinds)+1 {
		t.Fatalf("GET %s: %v, want every kind and the digest with their defaults", path, got)
	}
	got = decode[map[string]string](t, e.call(t, e.Bob, "PUT", path, map[string]string{"mention": "off", "badge": "email"}, http.StatusOK))
	if got["mention"] != "off" || got["badge"] != "email" || got["reply"] != "email" {
		t.Errorf("PUT %s: %v, want mention off, badge by email, the rest unchanged", path, got)
	}
	rec := e.call(t, e.Bob, "PUT", path, map[string]string{"reply": "loud", "gossip": "app"}, http.StatusBadRequest)
	if fields := errorOf(t, rec).Error.Fields; fields["reply"] == "" || fields["gossip"] == "" {
		t.Errorf("PUT %s with a bad value and kind: fields %v, want both named", path, fields)
	}
	e.call(t, readOnly(t, e, e.Bob), "PUT", path, map[string]string{"reply": "off"}, http.StatusForbidden)
	e.call(t, nil, "GET", path, nil, http.StatusUnauthorized)
	if got = decode[map[string]string](t, e.call(t, e.Bob, "GET", path, nil, http.StatusOK)); got["reply"] != "email" || got["mention"] != "off" {
		t.Errorf("after refused changes: %v, want them not applied", got)
	}
}

// TestWatchingAndFollowing: watched topics and spaces and followed members
// bring news, muted ones silence it (but for mentions), and nothing comes
// from where the watcher cannot read.
func TestWatchingAndFollowing(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.PublicSpace.Slug
	carol := e.Carol(t)
	for _, u := range []*testenv.User{e.Bob, carol} {
		e.call(t, u, "POST", "/api/v1/spaces/"+pub+"/join", nil, http.StatusOK)
	}
	tp := e.newTopic(t, e.Alice, pub, "Shared reading list")
	topicWatch := fmt.Sprintf("/api/v1/topics/%d/watch", tp.ID)
	e.call(t, e.Bob, "PUT", topicWatch, map[string]string{"level": "watching"}, http.StatusOK)
	e.call(t, e.Alice, "PUT", topicWatch, map[string]string{"level": "muted"}, http.StatusOK)
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "Adding two papers on surface codes."}, http.StatusCreated)
	wantKinds(t, "bob", e.inbox(t, e.Bob), "posted by carol")
	wantKinds(t, "alice", e.inbox(t, e.Alice)) // muted: not even the reply to her topic
	e.call(t, carol, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", tp.ID), map[string]any{"body": "@alice, is the list still open?"}, http.StatusCreated)
	wantKinds(t, "alice", e.inbox(t, e.Alice), "mention by carol") // a mention gets through

	// A watched space and a followed member: one notification per new topic.
	e.call(t, e.Bob, "PUT", "/api/v1/spaces/"+pub+"/watch", map[string]string{"level": "watching"}, http.StatusOK)
	e.call(t, e.Bob, "PUT", "/api/v1/users/carol/follow", nil, http.StatusOK)
	e.call(t, e.Bob, "PUT", "/api/v1/users/alice/follow", nil, http.StatusOK)
	e.newTopic(t, carol, pub, "Journal club in March")
	e.newTopic(t, e.Alice, e.PrivateSpace.Slug, "Leaders only: budget") // bob cannot read it
	wantKinds(t, "bob", e.inbox(t, e.Bob), "started by carol", "posted by carol", "posted by carol")
	list := decode[struct{ Watches []api.Watch }](t, e.call(t, e.Bob, "GET", "/api/v1/me/watches", nil, http.StatusOK))
	if len(list.Watches) != 4 {
		t.Errorf("bob's watches: %+v, want the topic, the space and two members", list.Watches)
	}
	e.call(t, e.Bob, "DELETE", "/api/v1/users/carol/follow", nil, http.StatusOK)
	e.call(t, e.Bob, "PUT", "/api/v1/spaces/"+pub+"/watch", map[string]string{"level": "normal"}, http.StatusOK)
	e.newTopic(t, carol, pub, "Journal club in April")
	if got := kinds(e.inbox(t, e.Bob)); len(got) != 3 {
		t.Errorf("after unfollowing and un-watching: %q, want nothing new", got)
	}
	// A followed tag: each new topic carrying it is news.
	e.newTopic(t, carol, pub, "Tagged before bob follows", "qubits")
	e.call(t, e.Bob, "PUT", "/api/v1/tags/qubits/follow", nil, http.StatusOK)
	e.newTopic(t, carol, pub, "Tagged after bob follows", "qubits")
	if got := kinds(e.inbox(t, e.Bob)); len(got) != 4 || got[0] != "started by carol" {
		t.Errorf("after a topic with a followed tag: %q, want one more, started by carol", got)
	}

	// Refused: following oneself, muting a member, a made-up level, what
	// one cannot see, a read-only token.
	e.call(t, e.Bob, "PUT", "/api/v1/users/bob/follow", nil, http.StatusBadRequest)
	e.call(t, e.Bob, "PUT", topicWatch, map[string]string{"level": "obsessed"}, http.StatusBadRequest)
	e.call(t, e.Bob, "PUT", "/api/v1/spaces/"+e.SecretSpace.Slug+"/watch", map[string]string{"level": "watching"}, http.StatusNotFound)
	e.call(t, e.Bob, "PUT", "/api/v1/users/nobody/follow", nil, http.StatusNotFound)
	e.call(t, readOnly(t, e, e.Bob), "PUT", topicWatch, map[string]string{"level": "normal"}, http.StatusForbidden)
	e.call(t, nil, "PUT", topicWatch, map[string]string{"level": "normal"}, http.StatusUnauthorized)
}

// TestNotificationPreferencesFallBack: a member who turned mentions off
// still hears of a reply to their topic that mentions them, and accepting
// an answer again does not notify its author again.
func TestNotificationPreferencesFallBack(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.PublicSpace.Slug
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+pub+"/join", nil, http.StatusOK)
	e.call(t, e.Alice, "PUT", "/api/v1/me/notification-settings", map[string]string{"mention": "off"}, http.StatusOK)
	disc := e.newTopic(t, e.Alice, pub, "Picnic planning")
	e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID), map[string]any{"body": "Saturday suits me, @alice."}, http.StatusCreated)
	wantKinds(t, "alice", e.inbox(t, e.Alice), "reply by bob")

	q := decode[api.TopicDetail](t, e.call(t, e.Alice, "POST", "/api/v1/topics", map[string]any{"space": pub, "kind": "question",
		"title": "Which thermometer do you trust", "body": "For the cryostat, below 100 mK.", "tags": []string{}}, http.StatusCreated))
	var answers []int64
	for _, body := range []string{"A ruthenium oxide sensor, calibrated.", "A noise thermometer, if you have one."} {
		e.Clock.Advance(time.Minute)
		answers = append(answers, decode[api.Post](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", q.ID), map[string]any{"body": body}, http.StatusCreated)).ID)
	}
	for _, id := range []int64{answers[0], answers[1], answers[0]} {
		e.call(t, e.Alice, "POST", fmt.Sprintf("/api/v1/topics/%d/accept", q.ID), map[string]any{"post_id": id}, http.StatusOK)
	}
	wantKinds(t, "bob", e.inbox(t, e.Bob), "accepted by alice", "accepted by alice")
}

// TestMentionsAddedByEdits: a name an edit adds is mentioned then; names
// that were already there are not told twice.
func TestMentionsAddedByEdits(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	pub := e.PublicSpace.Slug
	e.call(t, e.Bob, "POST", "/api/v1/spaces/"+pub+"/join", nil, http.StatusOK)
	disc := e.newTopic(t, e.Alice, pub, "Lab safety checklist")
	reply := decode[api.Post](t, e.call(t, e.Bob, "POST", fmt.Sprintf("/api/v1/topics/%d/posts", disc.ID), map[string]any{"body": "Looks complete to me, @alice."}, http.StatusCreated))
	post := fmt.Sprintf("/api/v1/posts/%d", reply.ID)
	e.call(t, e.Bob, "PATCH", post, map[string]any{"body": "Looks complete to me, @alice. @mod, can you sign it off?"}, http.StatusOK)
	wantKinds(t, "mod", e.inbox(t, e.Mod), "mention by bob")
	e.call(t, e.Bob, "PATCH", post, map[string]any{"body": "Looks complete, @alice. @mod, please sign it off."}, http.StatusOK)
	wantKinds(t, "mod", e.inbox(t, e.Mod), "mention by bob")
	wantKinds(t, "alice", e.inbox(t, e.Alice), "mention by bob")
}

// TestProfileFields: a member's location, pronouns, time zone and links,
// each shown to everyone, to members or to the member alone; bad values are
// refused on their field and change nothing.
func TestProfileFields(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	got := decode[api.User](t, e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"location": "Lisbon", "pronouns": "he/him",
		"time_zone": "Europe/Lisbon", "links": []string{"https://bob.example/notes"}, "visibility": map[string]string{"location": "members", "links": "me"}}, http.StatusOK))
	if got.Location != "Lisbon" || got.Pronouns != "he/him" || got.TimeZone != "Europe/Lisbon" || len(got.Links) != 1 {
		t.Fatalf("PATCH /me/profile: %+v", got)
	}
	seen := func(u *testenv.User) api.User {
		t.Helper()
		return decode[api.User](t, e.call(t, u, "GET", "/api/v1/users/bob", nil, http.StatusOK))
	}
	if g := seen(nil); g.Location != "" || g.Links != nil || g.Pronouns != "he/him" || g.TimeZone != "Europe/Lisbon" {
		t.Errorf("bob's profile as a guest: %+v, want pronouns and time zone only", g)
	}
	if g := seen(e.Alice); g.Location != "Lisbon" || g.Links != nil {
		t.Errorf("bob's profile as a member: %+v, want the location but not the links", g)
	}
	if g := seen(e.Bob); len(g.Links) != 1 {
		t.Errorf("bob's profile as bob: %+v, want his links", g)
	}
	for field, body := range map[string]map[string]any{
		"links":               {"links": []string{"javascript:alert(1)"}},
		"time_zone":           {"time_zone": "Mars/Olympus_Mons"},
		"visibility.location": {"visibility": map[string]string{"location": "friends"}},
		"location":            {"location": "<b>Lisbon</b>"},
	} {
		rec := e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", body, http.StatusBadRequest)
		if fields := errorOf(t, rec).Error.Fields; fields[field] == "" {
			t.Errorf("PATCH %v: fields %v, want %q named", body, fields, field)
		}
	}
	got = decode[api.User](t, e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"pronouns": "they/them"}, http.StatusOK))
	if got.Location != "Lisbon" || got.Pronouns != "they/them" || len(got.Links) != 1 {
		t.Errorf("a partial PATCH changed other fields, or refused ones were saved: %+v", got)
	}
	e.call(t, readOnly(t, e, e.Bob), "PATCH", "/api/v1/me/profile", map[string]any{"pronouns": "x"}, http.StatusForbidden)
	// A suspended member's bio is for staff only.
	e.call(t, e.Bob, "PATCH", "/api/v1/me/profile", map[string]any{"bio": "Spam in my bio."}, http.StatusOK)
	if err := e.App.Auth.SetSuspended(context.Background(), e.Admin.Viewer(), e.Bob.ID, true); err != nil {
		t.Fatal(err)
	}
	if g := seen(e.Alice); g.Bio != "" {
		t.Errorf("a suspended member's bio as a member: %q", g.Bio)
	}
	if g := seen(e.Mod); g.Bio != "Spam in my bio." {
		t.Errorf("a suspended member's bio as staff: %q", g.Bio)
	}
	if body := e.Get(t, e.Alice, "/u/bob").Body.String(); strings.Contains(body, "Spam in my bio.") {
		t.Error("the profile page shows a suspended member's bio to a member")
	}
}
