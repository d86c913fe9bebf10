package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"practica/internal/testenv"
)

// TestMessagesJourney: from a profile's Message button to a conversation,
// its unread count in the bar, a reply, a report that opens it to the
// moderators until they resolve it, and leaving.
func TestMessagesJourney(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Advance(4 * 24 * time.Hour) // past the limits on new accounts

	profile := send(t, env, request{path: "/u/alice", as: env.Bob}).Body.String()
	if !strings.Contains(profile, `href="/messages/new?to=alice"`) || !strings.Contains(profile, `action="/u/alice/block"`) {
		t.Fatal("alice's profile offers bob neither Message nor Block")
	}
	form := send(t, env, request{path: "/messages/new?to=alice", as: env.Bob}).Body.String()
	if !strings.Contains(form, `value="alice"`) {
		t.Error("the new message form is not filled with ?to=")
	}
	rec := send(t, env, request{method: "POST", path: "/messages/new", as: env.Bob, form: url.Values{"to": {"alice"}, "body": {""}}})
	wantStatus(t, rec, "an empty message", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "Write a message.") || !strings.Contains(rec.Body.String(), `value="alice"`) {
		t.Error("the refused message does not re-render the form with its message and what was typed")
	}
	rec = send(t, env, request{method: "POST", path: "/messages/new", as: env.Bob, form: url.Values{"to": {"alice"}, "body": {"Could you look at my *draft*?"}}})
	wantStatus(t, rec, "send", http.StatusSeeOther)
	path, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
	if !strings.HasPrefix(path, "/messages/") {
		t.Fatalf("sending goes to %q", path)
	}

	bar := send(t, env, request{path: "/", as: env.Alice}).Body.String()
	if !strings.Contains(bar, `aria-label="Messages, 1 unread"`) {
		t.Error("alice's bar does not count the unread conversation")
	}
	list := send(t, env, request{path: "/messages", as: env.Alice}).Body.String()
	if !strings.Contains(list, "conversation-unread") || !strings.Contains(list, "Could you look at my draft?") {
		t.Error("alice's messages do not show the unread conversation with its excerpt")
	}
	page := send(t, env, request{path: path, as: env.Alice}).Body.String()
	if !strings.Contains(page, "<em>draft</em>") || !strings.Contains(page, "Report to moderators") {
		t.Error("the conversation page lacks the message or the report form")
	}
	if bar := send(t, env, request{path: "/", as: env.Alice}).Body.String(); strings.Contains(bar, "Messages, 1 unread") {
		t.Error("the conversation is still counted unread after alice read it")
	}
	rec = send(t, env, request{method: "POST", path: path, as: env.Alice, form: url.Values{"body": {"Gladly."}}})
	wantStatus(t, rec, "reply", http.StatusSeeOther)
	wantStatus(t, send(t, env, request{method: "POST", path: path, as: env.Alice, form: url.Values{"body": {" "}}}), "an empty reply", http.StatusBadRequest)

	// Nobody else, staff included, reads it until it is reported.
	for _, u := range []*testenv.User{env.Mod, env.Carol(t)} {
		wantStatus(t, send(t, env, request{path: path, as: u}), "the conversation as "+u.Username, http.StatusNotFound)
	}
	page = send(t, env, request{path: path, as: env.Alice}).Body.String()
	msgID := between(page, `<input type="hidden" name="message" value="`, `"`)
	rec = send(t, env, request{method: "POST", path: path + "/report", as: env.Alice, form: url.Values{"message": {msgID}, "reason": {"Spam about drafts."}}})
	wantStatus(t, rec, "report", http.StatusSeeOther)
	reports := send(t, env, request{path: "/messages/reports", as: env.Mod}).Body.String()
	if !strings.Contains(reports, "Spam about drafts.") {
		t.Error("the moderators' page lacks the report")
	}
	wantStatus(t, send(t, env, request{path: "/messages/reports", as: env.Bob}), "reports as a member", http.StatusNotFound)
	modView := send(t, env, request{path: path, as: env.Mod}).Body.String()
	if !strings.Contains(modView, "because a message in it was reported") || strings.Contains(modView, `name="body"`) {
		t.Error("the moderator's view of the reported conversation is not read-only with its notice")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: path + "/resolve", as: env.Mod, form: url.Values{}}), "resolve", http.StatusSeeOther)
	wantStatus(t, send(t, env, request{path: path, as: env.Mod}), "the resolved conversation as the moderator", http.StatusNotFound)

	wantStatus(t, send(t, env, request{method: "POST", path: path + "/leave", as: env.Alice, form: url.Values{}}), "leave", http.StatusSeeOther)
	wantStatus(t, send(t, env, request{path: path, as: env.Alice}), "the conversation after leaving", http.StatusNotFound)
	if body := send(t, env, request{path: path, as: env.Bob}).Body.String(); !strings.Contains(body, "(left)") || !strings.Contains(body, "Everyone else left") {
		t.Error("bob does not see that alice left, or may still write to nobody")
	}
}

// TestAddPeopleForm: a group's page adds people; a bad name re-renders
// the form with its message.
func TestAddPeopleForm(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.Clock.Advance(4 * 24 * time.Hour)
	carol := env.Carol(t)
	rec := send(t, env, request{method: "POST", path: "/messages/new", as: env.Alice, form: url.Values{"to": {"bob mod"}, "title": {"Organisers"}, "body": {"Hello."}}})
	path, _, _ := strings.Cut(rec.Header().Get("Location"), "#")
	if !strings.Contains(send(t, env, request{path: path, as: env.Alice}).Body.String(), "Add people") {
		t.Fatal("the group's page offers no way to add people")
	}
	rec = send(t, env, request{method: "POST", path: path + "/add", as: env.Alice, form: url.Values{"to": {"nobody"}}})
	wantStatus(t, rec, "add nobody", http.StatusBadRequest)
	if !strings.Contains(rec.Body.String(), "No member is named nobody.") {
		t.Error("adding an unknown name does not say so")
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: path + "/add", as: env.Alice, form: url.Values{"to": {"carol"}}}), "add carol", path)
	if body := send(t, env, request{path: path, as: carol}).Body.String(); !strings.Contains(body, "Organisers") {
		t.Error("carol, added, cannot read the group")
	}
}

// between returns the text of s between the first before and the after
// that follows it.
func between(s, before, after string) string {
	_, rest, ok := strings.Cut(s, before)
	if !ok {
		return ""
	}
	v, _, _ := strings.Cut(rest, after)
	return v
}

// TestMessageSettingsAndBlocks: turning messages off hides the Message
// button; a block from a profile shows in settings, and is undone there.
func TestMessageSettingsAndBlocks(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	wantRedirect(t, send(t, env, request{method: "POST", path: "/settings/messages", as: env.Alice, form: url.Values{"messages": {"off"}}}), "turn off", "/settings#messages-h")
	if body := send(t, env, request{path: "/u/alice", as: env.Bob}).Body.String(); strings.Contains(body, "/messages/new?to=alice") {
		t.Error("alice turned messages off, yet her profile offers bob a Message button")
	}
	if body := send(t, env, request{path: "/u/alice", as: env.Mod}).Body.String(); !strings.Contains(body, "/messages/new?to=alice") {
		t.Error("a moderator cannot reach alice, who turned messages off")
	}
	rec := send(t, env, request{method: "POST", path: "/settings/messages", as: env.Alice, form: url.Values{"messages": {"friends"}}})
	wantStatus(t, rec, "a bad choice", http.StatusBadRequest)

	wantRedirect(t, send(t, env, request{method: "POST", path: "/u/bob/block", as: env.Alice, form: url.Values{"block": {"1"}}}), "block", "/u/bob")
	settings := send(t, env, request{path: "/settings", as: env.Alice}).Body.String()
	if !strings.Contains(settings, "Blocked members") || !strings.Contains(settings, `href="/u/bob"`) {
		t.Error("alice's settings do not list bob as blocked")
	}
	if body := send(t, env, request{path: "/u/bob", as: env.Alice}).Body.String(); !strings.Contains(body, "Unblock") || strings.Contains(body, "/messages/new?to=bob") {
		t.Error("bob's profile, as alice who blocked him, offers no Unblock or still a Message button")
	}
	wantRedirect(t, send(t, env, request{method: "POST", path: "/u/bob/block", as: env.Alice, form: url.Values{"block": {"0"}, "back": {"settings"}}}), "unblock", "/settings#messages-h")
	if settings := send(t, env, request{path: "/settings", as: env.Alice}).Body.String(); strings.Contains(settings, "Blocked members") {
		t.Error("bob is still listed as blocked after unblocking")
	}
	wantStatus(t, send(t, env, request{method: "POST", path: "/u/nobody/block", as: env.Alice, form: url.Values{"block": {"1"}}}), "block nobody", http.StatusNotFound)
	// Staff reach members who turned messages off, but not one who blocked
	// them: the button would tell of the block.
	wantRedirect(t, send(t, env, request{method: "POST", path: "/u/mod/block", as: env.Alice, form: url.Values{"block": {"1"}}}), "block the moderator", "/u/mod")
	if body := send(t, env, request{path: "/u/alice", as: env.Mod}).Body.String(); strings.Contains(body, "/messages/new?to=alice") {
		t.Error("a moderator alice blocked is offered a Message button")
	}
}
