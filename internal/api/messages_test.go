package api_test

import (
	"context"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"practica/internal/api"
	"practica/internal/model"
	"practica/internal/testenv"
)

type conversationPage struct {
	Conversation api.Conversation `json:"conversation"`
	Messages     []api.Message    `json:"messages"`
	CanWrite     bool             `json:"can_write"`
}

type conversationList struct {
	Conversations []api.Conversation `json:"conversations"`
}

// start opens a conversation as u and returns it.
func (e *apiEnv) start(t *testing.T, u *testenv.User, to []string, title, body string) conversationPage {
	t.Helper()
	return decode[conversationPage](t, e.call(t, u, "POST", "/api/v1/conversations", map[string]any{"to": to, "title": title, "body": body}, http.StatusCreated))
}

func (e *apiEnv) conversations(t *testing.T, u *testenv.User) []api.Conversation {
	t.Helper()
	return decode[conversationList](t, e.call(t, u, "GET", "/api/v1/conversations", nil, http.StatusOK)).Conversations
}

// messageNotes counts u's notifications of messages.
func (e *apiEnv) messageNotes(t *testing.T, u *testenv.User) (all, unread int) {
	t.Helper()
	for _, n := range e.inbox(t, u).Notifications {
		if n.Kind == "message" {
			all++
			if n.ReadAt == nil {
				unread++
			}
		}
	}
	return all, unread
}

// TestDirectMessages: a one-to-one conversation from start to read, one
// notification for a run of unread messages, the pair's conversation
// reused, and a group with a member leaving.
func TestDirectMessages(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	carol := e.Carol(t)
	first := e.start(t, e.Alice, []string{"@bob"}, "ignored for two", "Hello **Bob**.")
	c := first.Conversation
	if c.Group || c.Title != "" || c.Name != "Bob" && c.Name != "bob" || len(first.Messages) != 1 || !strings.Contains(first.Messages[0].BodyHTML, "<strong>Bob</strong>") {
		t.Fatalf("the new conversation: %+v", first)
	}
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(c.ID)+"/messages", map[string]any{"body": "Are you there?"}, http.StatusCreated)
	list := e.conversations(t, e.Bob)
	if len(list) != 1 || !list[0].Unread || list[0].LastMessage == nil || list[0].LastMessage.Excerpt != "Are you there?" || list[0].MessageCount != 2 {
		t.Fatalf("bob's conversations: %+v", list)
	}
	if all, unread := e.messageNotes(t, e.Bob); all != 1 || unread != 1 {
		t.Errorf("bob's message notifications: %d (%d unread), want one for the two unread messages", all, unread)
	}
	for _, n := range e.inbox(t, e.Bob).Notifications {
		if n.Kind == "message" && (n.Title != "" || !strings.HasPrefix(n.URL, "/messages/"+itoa(c.ID)+"#m")) {
			t.Errorf("bob's notification of a message between two: %+v, want no title and a link to the conversation", n)
		}
	}
	page := decode[conversationPage](t, e.call(t, e.Bob, "GET", "/api/v1/conversations/"+itoa(c.ID), nil, http.StatusOK))
	if len(page.Messages) != 2 || page.Messages[0].Body != "Hello **Bob**." || page.Messages[1].Author.Username != "alice" || !page.CanWrite {
		t.Errorf("bob reads the conversation: %+v", page)
	}
	if list := e.conversations(t, e.Bob); list[0].Unread {
		t.Error("the conversation is still unread after bob read it")
	}
	if _, unread := e.messageNotes(t, e.Bob); unread != 0 {
		t.Error("reading the conversation left its notification unread")
	}
	if again := e.start(t, e.Bob, []string{"alice"}, "", "Yes, here."); again.Conversation.ID != c.ID || len(again.Messages) != 3 {
		t.Errorf("bob writing to alice opened conversation %d, want the pair's %d", again.Conversation.ID, c.ID)
	}

	group := e.start(t, e.Alice, []string{"bob", "carol"}, "Reading group", "Welcome, both.").Conversation
	if !group.Group || group.Name != "Reading group" || len(group.Participants) != 3 {
		t.Fatalf("the group: %+v", group)
	}
	// People are brought into a group, not into a conversation of two.
	dan := e.NewUser(t, "dan", model.RoleMember)
	added := decode[conversationPage](t, e.call(t, e.Bob, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/participants", map[string]any{"to": []string{"dan"}}, http.StatusOK))
	if len(added.Conversation.Participants) != 4 {
		t.Errorf("after adding dan: %+v", added.Conversation.Participants)
	}
	if _, unread := e.messageNotes(t, dan); unread != 1 {
		t.Errorf("dan has %d unread notices of being added, want 1", unread)
	}
	if seen := decode[conversationPage](t, e.call(t, dan, "GET", "/api/v1/conversations/"+itoa(group.ID), nil, http.StatusOK)); len(seen.Messages) != 1 {
		t.Errorf("dan sees %d messages of the group, want its history", len(seen.Messages))
	}
	for who, body := range map[string]map[string]any{
		"already in": {"to": []string{"carol"}},
		"nobody":     {"to": []string{"nobody"}},
		"empty":      {"to": []string{}},
	} {
		rec := e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/participants", body, http.StatusBadRequest)
		if errorOf(t, rec).Error.Fields["to"] == "" {
			t.Errorf("adding %s: %s", who, rec.Body)
		}
	}
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(c.ID)+"/participants", map[string]any{"to": []string{"carol"}}, http.StatusBadRequest)
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/participants", map[string]any{"to": []string{"mod"}}, http.StatusNotFound)
	e.call(t, carol, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/leave", nil, http.StatusNoContent)
	e.call(t, carol, "GET", "/api/v1/conversations/"+itoa(group.ID), nil, http.StatusNotFound)
	e.call(t, carol, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/messages", map[string]any{"body": "back?"}, http.StatusNotFound)
	if list := e.conversations(t, carol); len(list) != 0 {
		t.Errorf("carol's list after leaving: %+v", list)
	}
	after := decode[conversationPage](t, e.call(t, e.Bob, "GET", "/api/v1/conversations/"+itoa(group.ID), nil, http.StatusOK))
	for _, p := range after.Conversation.Participants {
		if p.User.Username == "carol" && !p.Left {
			t.Error("bob does not see that carol left")
		}
	}
	e.call(t, e.Bob, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/leave", nil, http.StatusNoContent)
	e.call(t, dan, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/leave", nil, http.StatusNoContent)
	rec := e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/messages", map[string]any{"body": "Anyone?"}, http.StatusForbidden)
	if !strings.Contains(rec.Body.String(), "Everyone else left") {
		t.Errorf("writing to an empty group: %s", rec.Body)
	}
}

// TestMessagePrivacy: nobody outside a conversation learns of it, staff
// included, until a participant reports a message; then staff read it
// (and cannot write) until they resolve the report.
func TestMessagePrivacy(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	carol := e.Carol(t)
	c := e.start(t, e.Alice, []string{"bob"}, "", "A private matter.")
	id := itoa(c.Conversation.ID)
	msg := itoa(c.Messages[0].ID)
	for _, u := range []*testenv.User{carol, e.Mod, e.Admin} {
		e.call(t, u, "GET", "/api/v1/conversations/"+id, nil, http.StatusNotFound)
		e.call(t, u, "POST", "/api/v1/conversations/"+id+"/messages", map[string]any{"body": "hi"}, http.StatusNotFound)
		e.call(t, u, "POST", "/api/v1/conversations/"+id+"/leave", nil, http.StatusNotFound)
		e.call(t, u, "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": "spam"}, http.StatusNotFound)
		if list := e.conversations(t, u); len(list) != 0 {
			t.Errorf("%s's conversations: %+v", u.Username, list)
		}
		for _, n := range e.inbox(t, u).Notifications {
			if n.Kind == "message" {
				t.Errorf("%s has a notification of the conversation: %+v", u.Username, n)
			}
		}
	}
	e.call(t, nil, "GET", "/api/v1/conversations/"+id, nil, http.StatusUnauthorized)
	e.call(t, e.Bob, "GET", "/api/v1/message-reports", nil, http.StatusNotFound)

	rec := e.call(t, e.Alice, "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": "mine"}, http.StatusBadRequest)
	if errorOf(t, rec).Error.Fields["reason"] == "" {
		t.Errorf("reporting one's own message: %s", rec.Body)
	}
	e.call(t, e.Bob, "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": ""}, http.StatusBadRequest)
	e.call(t, readOnly(t, e, e.Bob), "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": "rude"}, http.StatusForbidden)
	e.call(t, e.Bob, "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": "Rude to me."}, http.StatusNoContent)
	e.call(t, e.Bob, "POST", "/api/v1/messages/"+msg+"/report", map[string]any{"reason": "Again."}, http.StatusConflict)

	reports := decode[struct {
		Reports []api.MessageReport `json:"reports"`
	}](t, e.call(t, e.Mod, "GET", "/api/v1/message-reports", nil, http.StatusOK)).Reports
	if len(reports) != 1 || reports[0].Reason != "Rude to me." || reports[0].Message.Body != "A private matter." || reports[0].Reporter.Username != "bob" {
		t.Fatalf("the moderators' reports: %+v", reports)
	}
	page := decode[conversationPage](t, e.call(t, e.Mod, "GET", "/api/v1/conversations/"+id, nil, http.StatusOK))
	if page.CanWrite || len(page.Messages) != 1 {
		t.Errorf("the moderator reading the reported conversation: %+v", page)
	}
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+id+"/messages", map[string]any{"body": "Moderator here."}, http.StatusForbidden)
	e.call(t, carol, "GET", "/api/v1/conversations/"+id, nil, http.StatusNotFound) // a report opens it to staff only
	e.call(t, e.Bob, "POST", "/api/v1/conversations/"+id+"/resolve", nil, http.StatusNotFound)
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+id+"/resolve", nil, http.StatusNoContent)
	// A moderator in a reported conversation leaves its report to others.
	own := e.start(t, e.Mod, []string{"bob"}, "", "A moderator writes.")
	e.call(t, e.Bob, "POST", "/api/v1/messages/"+itoa(own.Messages[0].ID)+"/report", map[string]any{"reason": "About the moderator."}, http.StatusNoContent)
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+itoa(own.Conversation.ID)+"/resolve", nil, http.StatusForbidden)
	e.call(t, e.Admin, "GET", "/api/v1/conversations/"+itoa(own.Conversation.ID), nil, http.StatusOK)
	e.call(t, e.Admin, "POST", "/api/v1/conversations/"+itoa(own.Conversation.ID)+"/resolve", nil, http.StatusNoContent)
	e.call(t, e.Mod, "GET", "/api/v1/conversations/"+id, nil, http.StatusNotFound)
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+id+"/resolve", nil, http.StatusNotFound)
}

// TestWhoMayWrite: members who turned messages off or blocked the sender
// refuse in the same words; accounts that cannot sign in are unknown names;
// a block ends a one-to-one conversation; limits and bad input.
func TestWhoMayWrite(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	ctx := context.Background()
	carol := e.Carol(t)
	e.Clock.Advance(4 * 24 * time.Hour) // no account is new: TestNewAccountMessageLimit has those
	refused := func(u *testenv.User, to []string, want string) {
		t.Helper()
		rec := e.call(t, u, "POST", "/api/v1/conversations", map[string]any{"to": to, "body": "Hello."}, http.StatusBadRequest)
		if got := errorOf(t, rec).Error.Fields["to"]; !strings.Contains(got, want) {
			t.Errorf("%s writing to %v: %q, want %q", u.Username, to, got, want)
		}
	}
	settings := decode[api.MessageSettings](t, e.call(t, e.Bob, "PUT", "/api/v1/me/message-settings", map[string]any{"messages": "off"}, http.StatusOK))
	if settings.Messages != "off" {
		t.Fatalf("bob's settings: %+v", settings)
	}
	refused(e.Alice, []string{"bob"}, "bob does not take direct messages.")
	refused(e.Bob, []string{"alice"}, "You turned direct messages off.")
	e.start(t, e.Mod, []string{"bob"}, "", "A word from the moderators.") // staff reach everyone
	e.call(t, e.Bob, "PUT", "/api/v1/me/message-settings", map[string]any{"messages": "members"}, http.StatusOK)
	e.call(t, e.Bob, "PUT", "/api/v1/me/message-settings", map[string]any{"messages": "friends"}, http.StatusBadRequest)

	c := e.start(t, e.Alice, []string{"bob"}, "", "Before the block.").Conversation
	e.call(t, e.Bob, "PUT", "/api/v1/users/alice/block", nil, http.StatusNoContent)
	refused(e.Alice, []string{"bob"}, "bob does not take direct messages.") // the same words as "off"
	refused(e.Bob, []string{"alice"}, "You blocked alice.")
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(c.ID)+"/messages", map[string]any{"body": "Still there?"}, http.StatusForbidden)
	if got := decode[api.MessageSettings](t, e.call(t, e.Bob, "GET", "/api/v1/me/message-settings", nil, http.StatusOK)); len(got.Blocked) != 1 || got.Blocked[0].Username != "alice" {
		t.Errorf("bob's blocks: %+v", got)
	}
	e.call(t, e.Bob, "DELETE", "/api/v1/users/alice/block", nil, http.StatusNoContent)
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(c.ID)+"/messages", map[string]any{"body": "Thanks."}, http.StatusCreated)
	// A block made before bob looked hides what alice sent meanwhile, and a
	// group down to the two of them takes no more either.
	e.call(t, e.Bob, "PUT", "/api/v1/users/alice/block", nil, http.StatusNoContent)
	for _, n := range e.inbox(t, e.Bob).Notifications {
		if n.Kind == "message" && n.Actor != nil && n.Actor.Username == "alice" {
			t.Errorf("after blocking alice, bob still has a notification of her message: %+v", n)
		}
	}
	group := e.start(t, e.Mod, []string{"alice", "bob"}, "Three of us", "Hello both.").Conversation
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/messages", map[string]any{"body": "Hi all."}, http.StatusCreated)
	e.call(t, e.Mod, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/leave", nil, http.StatusNoContent)
	e.call(t, e.Alice, "POST", "/api/v1/conversations/"+itoa(group.ID)+"/messages", map[string]any{"body": "Just us now."}, http.StatusForbidden)
	e.call(t, e.Bob, "DELETE", "/api/v1/users/alice/block", nil, http.StatusNoContent)
	e.call(t, e.Bob, "PUT", "/api/v1/users/bob/block", nil, http.StatusBadRequest)
	e.call(t, e.Bob, "PUT", "/api/v1/users/nobody/block", nil, http.StatusNotFound)

	// Accounts that cannot sign in are no names at all.
	if err := e.App.Auth.SetSuspended(ctx, e.Admin.Viewer(), carol.ID, true); err != nil {
		t.Fatal(err)
	}
	refused(e.Alice, []string{"carol"}, "No member is named carol.")
	refused(e.Alice, []string{"nobody"}, "No member is named nobody.")
	refused(e.Alice, []string{"system"}, "No member is named system.")
	refused(e.Alice, []string{"alice"}, "Name other members than yourself.")
	many := []string{}
	for i := range 10 {
		many = append(many, e.NewUser(t, "member"+itoa(int64(i)), model.RoleMember).Username)
	}
	refused(e.Alice, many, "at most 10 people")

	rec := e.call(t, e.Alice, "POST", "/api/v1/conversations", map[string]any{"to": []string{"bob"}, "body": "  "}, http.StatusBadRequest)
	if errorOf(t, rec).Error.Fields["body"] == "" {
		t.Errorf("an empty message: %s", rec.Body)
	}
	e.call(t, readOnly(t, e, e.Alice), "POST", "/api/v1/conversations", map[string]any{"to": []string{"bob"}, "body": "hi"}, http.StatusForbidden)
	e.call(t, nil, "POST", "/api/v1/conversations", map[string]any{"to": []string{"bob"}, "body": "hi"}, http.StatusUnauthorized)
}

// TestNewAccountMessageLimit: an account under three days old starts at
// most three conversations an hour.
func TestNewAccountMessageLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t)
	dan := e.NewUser(t, "dan", model.RoleMember)
	for _, to := range []string{"alice", "bob", "mod"} {
		e.start(t, dan, []string{to}, "", "Hello from a new member.")
	}
	e.call(t, dan, "POST", "/api/v1/conversations", map[string]any{"to": []string{"admin"}, "body": "One more."}, http.StatusTooManyRequests)
	e.Clock.Advance(4 * 24 * time.Hour) // no longer new
	e.start(t, dan, []string{"admin"}, "", "Now I may.")
	if names := e.conversations(t, dan); len(names) != 4 || !slices.ContainsFunc(names, func(c api.Conversation) bool { return c.Name == "admin" || c.Name == "Admin" }) {
		t.Errorf("dan's conversations: %+v", names)
	}
}
