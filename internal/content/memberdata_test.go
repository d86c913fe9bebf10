package content_test

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestMemberData: a member's export holds their profile and everything they
// wrote, deleted posts marked, and nothing written by anyone else.
func TestMemberData(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice, bob := env.Alice, env.Bob
	v := alice.Viewer()
	question, err := env.App.Content.CreateTopic(ctx, bob.Viewer(), content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindQuestion,
		Title: "Zulu question title", Body: "Yankee question body", Tags: "decoders"})
	if err != nil {
		t.Fatal(err)
	}
	answer := env.Reply(t, alice, question.ID, "Alpha answer text")
	if _, err := env.App.Content.Edit(ctx, v, answer.ID, content.EditInput{Body: "Alpha answer text, sharpened"}); err != nil {
		t.Fatalf("edit own answer: %v", err)
	}
	comment, err := env.App.Content.Comment(ctx, v, answer.ID, "Charlie comment under my own answer")
	if err != nil {
		t.Fatalf("comment: %v", err)
	}
	topic, err := env.App.Content.CreateTopic(ctx, v, content.TopicInput{Space: env.PublicSpace.Slug, Title: "Echo topic of mine", Body: "Echo body", Tags: "surface-code"})
	if err != nil {
		t.Fatal(err)
	}
	env.Reply(t, bob, topic.ID, "Xray reply from the other member")
	if _, err := env.App.Content.CreateTopic(ctx, v, content.TopicInput{Space: env.PublicSpace.Slug, Kind: model.KindEvent, Title: "Foxtrot meetup of mine", Body: "Come along",
		Event: content.EventInput{Starts: env.Clock.Now().Add(24 * time.Hour).Format(time.RFC3339), Location: "Golf hall"}}); err != nil {
		t.Fatal(err)
	}
	gone := env.Reply(t, alice, topic.ID, "Delta reply I deleted")
	if _, err := env.App.Content.SetDeleted(ctx, v, gone.ID, true); err != nil {
		t.Fatalf("delete own reply: %v", err)
	}
	if _, err := env.App.Content.Vote(ctx, bob.Viewer(), answer.ID, 1); err != nil {
		t.Fatalf("bob votes: %v", err)
	}
	if _, err := env.App.Content.Vote(ctx, v, question.ID, 1); err != nil {
		t.Fatalf("alice votes: %v", err)
	}
	if err := env.App.Content.FollowTag(ctx, v, "decoders", true); err != nil {
		t.Fatalf("follow tag: %v", err)
	}

	if _, err := env.App.Content.MemberData(ctx, model.Viewer{}); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("MemberData as a guest = %v; want Unauthenticated", err)
	}
	d, err := env.App.Content.MemberData(ctx, v)
	if err != nil {
		t.Fatalf("MemberData: %v", err)
	}
	data, err := d.Zip()
	if err != nil {
		t.Fatalf("Zip: %v", err)
	}
	files := testenv.Unzip(t, data)
	dir := strings.TrimSuffix(d.FileName(), ".zip") + "/"
	if !strings.HasPrefix(d.FileName(), "practica-alice-") {
		t.Errorf("FileName() = %q", d.FileName())
	}
	var all strings.Builder
	for name, body := range files {
		if !strings.HasPrefix(name, dir) {
			t.Errorf("zip entry %q is outside the folder %q", name, dir)
		}
		all.WriteString(body)
	}
	text := all.String()
	for _, want := range []string{"alice@example.org", "Alpha answer text, sharpened", "Charlie comment under my own answer", "Echo topic of mine", "Echo body",
		"Delta reply I deleted", "decoders", "surface-code", "Public Square", "Foxtrot meetup of mine", `"location": "Golf hall"`} {
		if !strings.Contains(text, want) {
			t.Errorf("the export lacks %q", want)
		}
	}
	for _, leak := range []string{"Zulu", "Yankee", "Xray", "bob", "$argon2", "password_hash", "token_hash"} {
		if strings.Contains(strings.ToLower(text), strings.ToLower(leak)) {
			t.Errorf("the export contains %q, which is not alice's", leak)
		}
	}
	for _, name := range []string{"README.md", "profile.json", "topics.json", "posts.json", "revisions.json", "votes.json", "reputation.json", "badges.json",
		"followed_tags.json", "api_tokens.json", "spaces.json", "sessions.json", "suggested_edits.json",
		fmt.Sprintf("posts/%d.md", answer.ID), fmt.Sprintf("posts/%d.md", comment.ID), fmt.Sprintf("posts/%d.md", gone.ID)} {
		if _, ok := files[dir+name]; !ok {
			t.Errorf("the export lacks %s (has %v)", name, zipNames(files))
		}
	}
	var posts []struct {
		ID        int64   `json:"id"`
		Kind      string  `json:"kind"`
		Body      string  `json:"body"`
		DeletedAt *string `json:"deleted_at"`
		Mine      bool    `json:"deleted_by_you"`
	}
	decodeZipFile(t, files, dir+"posts.json", &posts)
	kinds := map[string]int{}
	for _, p := range posts {
		kinds[p.Kind]++
		if (p.ID == gone.ID) != (p.DeletedAt != nil && p.Mine) {
			t.Errorf("post %d (%q): deleted_at %v, deleted_by_you %v", p.ID, p.Body, p.DeletedAt, p.Mine)
		}
	}
	if kinds["answer"] != 1 || kinds["comment"] != 1 || kinds["opening"] != 2 || kinds["reply"] != 1 {
		t.Errorf("posts.json kinds = %v; want one answer, comment and reply, and two opening posts (a topic, an event)", kinds)
	}
	var revisions []struct{ PostID, Number int64 }
	decodeZipFile(t, files, dir+"revisions.json", &revisions)
	if len(revisions) != len(posts)+1 {
		t.Errorf("revisions.json holds %d revisions; want %d (one per post, plus the edit)", len(revisions), len(posts)+1)
	}
	var votes []struct {
		PostID int64 `json:"post_id"`
		Value  int   `json:"value"`
	}
	decodeZipFile(t, files, dir+"votes.json", &votes)
	if len(votes) != 1 || votes[0].PostID != question.ID || votes[0].Value != 1 {
		t.Errorf("votes.json = %+v; want alice's one upvote on the question", votes)
	}
	var rep []map[string]any
	decodeZipFile(t, files, dir+"reputation.json", &rep)
	if len(rep) == 0 {
		t.Errorf("reputation.json is empty; bob's upvote earned alice reputation")
	}
	for _, e := range rep {
		if _, ok := e["actor_id"]; ok {
			t.Errorf("reputation.json names who caused a change: %v", e)
		}
	}
	var profile map[string]any
	decodeZipFile(t, files, dir+"profile.json", &profile)
	if profile["username"] != "alice" || profile["email"] != "alice@example.org" {
		t.Errorf("profile.json = %v", profile)
	}
	if md := files[dir+fmt.Sprintf("posts/%d.md", answer.ID)]; !strings.Contains(md, "kind: answer") || !strings.Contains(md, "Alpha answer text, sharpened") {
		t.Errorf("posts/%d.md = %q", answer.ID, md)
	}
}

func decodeZipFile(t *testing.T, files map[string]string, name string, v any) {
	t.Helper()
	if err := json.Unmarshal([]byte(files[name]), v); err != nil {
		t.Fatalf("decode %s: %v\n%s", path.Base(name), err, files[name])
	}
}

func zipNames(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
