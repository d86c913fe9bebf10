package content_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"practica/internal/apperr"
	"practica/internal/community"
	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/store"
	"practica/internal/testenv"
)

var ctx = context.Background()

func ids(items []model.TopicItem) []int64 {
	out := make([]int64, len(items))
	for i, it := range items {
		out[i] = it.Topic.ID
	}
	return out
}

func sorted(xs []int64) []int64 {
	out := slices.Clone(xs)
	slices.Sort(out)
	return out
}

func opening(t *testing.T, env *testenv.Env, topicID int64) model.Post {
	t.Helper()
	p, err := env.App.Store.Read().OpeningPost(ctx, topicID)
	if err != nil {
		t.Fatalf("OpeningPost(%d): %v", topicID, err)
	}
	return p
}

func loadTopic(t *testing.T, env *testenv.Env, id int64) model.Topic {
	t.Helper()
	tp, err := env.App.Store.Read().Topic(ctx, id)
	if err != nil {
		t.Fatalf("Topic(%d): %v", id, err)
	}
	return tp
}

// unverified creates a member who has not confirmed their email.
func unverified(t *testing.T, env *testenv.Env, name string) model.Viewer {
	t.Helper()
	u := model.User{Username: name, Email: name + "@example.org", PasswordHash: "!", Role: model.RoleMember, Status: model.StatusActive, CreatedAt: env.Clock.Now()}
	err := env.App.Store.InTx(ctx, func(q *store.Queries) error {
		var err error
		u, err = q.CreateUser(ctx, u)
		return err
	})
	if err != nil {
		t.Fatalf("CreateUser(%s): %v", name, err)
	}
	return model.Viewer{User: &u}
}

func TestCreateTopicValidation(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pub := env.PublicSpace.Slug
	body := "Some body text."
	tests := []struct {
		name       string
		in         content.TopicInput
		wantFields []string
	}{
		{"title too short", content.TopicInput{Space: pub, Title: "abc", Body: body}, []string{"title"}},
		{"title only spaces", content.TopicInput{Space: pub, Title: "      ", Body: body}, []string{"title"}},
		{"title too long", content.TopicInput{Space: pub, Title: strings.Repeat("t", content.MaxTitle+1), Body: body}, []string{"title"}},
		{"body empty", content.TopicInput{Space: pub, Title: "A fine title", Body: " \r\n\t "}, []string{"body"}},
		{"body too long", content.TopicInput{Space: pub, Title: "A fine title", Body: strings.Repeat("b", content.MaxBody+1)}, []string{"body"}},
		{"body not UTF-8", content.TopicInput{Space: pub, Title: "A fine title", Body: "ab\xff\xfe"}, []string{"body"}},
		{"tag with bad characters", content.TopicInput{Space: pub, Title: "A fine title", Body: body, Tags: "go bad_tag!"}, []string{"tags"}},
		{"tag too long", content.TopicInput{Space: pub, Title: "A fine title", Body: body, Tags: strings.Repeat("g", content.MaxTagLen+1)}, []string{"tags"}},
		{"too many tags", content.TopicInput{Space: pub, Title: "A fine title", Body: body, Tags: "a b c d e f"}, []string{"tags"}},
		{"unknown kind", content.TopicInput{Space: pub, Kind: "poll", Title: "A fine title", Body: body}, []string{"kind"}},
		{"no space", content.TopicInput{Title: "A fine title", Body: body}, []string{"space"}},
		{"unknown space", content.TopicInput{Space: "nowhere", Title: "A fine title", Body: body}, []string{"space"}},
		{"everything wrong", content.TopicInput{Space: pub, Title: "x", Body: "", Tags: "NO!"}, []string{"body", "tags", "title"}},
	}
	before := loadSpace(t, env, env.PublicSpace.ID).TopicCount
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tp, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), tt.in)
			if apperr.KindOf(err) != apperr.Invalid {
				t.Fatalf("CreateTopic(%s) = topic %d, %v; want Invalid", tt.name, tp.ID, err)
			}
			if got := testenv.FieldsOf(err); !slices.Equal(got, tt.wantFields) {
				t.Errorf("CreateTopic(%s): error fields %v, want %v (%v)", tt.name, got, tt.wantFields, err)
			}
		})
	}
	if after := loadSpace(t, env, env.PublicSpace.ID).TopicCount; after != before {
		t.Errorf("refused topics changed topic_count from %d to %d", before, after)
	}

	// Spaces the viewer may not post in.
	readToken := env.Alice.Viewer()
	readToken.Scope = model.ScopeRead
	who := []struct {
		name       string
		v          model.Viewer
		space      string
		wantKind   apperr.Kind
		wantFields []string
	}{
		{"guest", model.Viewer{}, pub, apperr.Unauthenticated, nil},
		{"unverified member", unverified(t, env, "newbie"), pub, apperr.Forbidden, nil},
		{"read-only token", readToken, pub, apperr.Forbidden, nil},
		{"non-member in a private space", env.Bob.Viewer(), env.PrivateSpace.Slug, apperr.Invalid, []string{"space"}},
		{"non-member in a secret space", env.Bob.Viewer(), env.SecretSpace.Slug, apperr.Invalid, []string{"space"}},
	}
	for _, w := range who {
		_, err := env.App.Content.CreateTopic(ctx, w.v, content.TopicInput{Space: w.space, Title: "A fine title", Body: body})
		if apperr.KindOf(err) != w.wantKind || !slices.Equal(testenv.FieldsOf(err), w.wantFields) {
			t.Errorf("CreateTopic as %s in %s = %v; want kind %d with fields %v", w.name, w.space, err, w.wantKind, w.wantFields)
		}
		if e, ok := apperr.As(err); ok && strings.Contains(strings.ToLower(e.Error()), "secret") {
			t.Errorf("CreateTopic as %s: the error %q names the hidden space", w.name, e.Error())
		}
	}

	tp, err := env.App.Content.CreateTopic(ctx, env.Bob.Viewer(), content.TopicInput{Space: pub, Title: "  Hello    wide   world ", Body: "Line one\r\nLine two  \n\n", Tags: "Go, go  SQL"})
	if err != nil {
		t.Fatalf("CreateTopic as bob in a public space: %v", err)
	}
	if tp.Title != "Hello wide world" || tp.Slug != "hello-wide-world" || tp.Kind != model.KindDiscussion || !slices.Equal(tp.Tags, []string{"go", "sql"}) {
		t.Errorf("CreateTopic made %+v; want the title's spaces collapsed, slug hello-wide-world, kind discussion, tags [go sql]", tp)
	}
	if p := opening(t, env, tp.ID); p.Body != "Line one\nLine two" || p.AuthorID != env.Bob.ID || p.Revision != 1 {
		t.Errorf("opening post = %+v; want the body with CRLF and trailing space removed, by bob, revision 1", p)
	}
	env.CheckCounters(t)
}

func loadSpace(t *testing.T, env *testenv.Env, id int64) model.Space {
	t.Helper()
	sp, err := env.App.Store.Read().Space(ctx, id)
	if err != nil {
		t.Fatalf("Space(%d): %v", id, err)
	}
	return sp
}

func TestReplyAndLock(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	env.AddMember(t, env.PublicSpace, env.Bob, model.SpaceMember)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Lockable topic")
	private := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Members only")
	bob, alice, mod := env.Bob.Viewer(), env.Alice.Viewer(), env.Mod.Viewer()

	mine, err := env.App.Content.Reply(ctx, bob, tp.ID, "First!")
	if err != nil {
		t.Fatalf("Reply as a member: %v", err)
	}
	if mine.Kind != model.PostReply || mine.AuthorID != env.Bob.ID {
		t.Errorf("Reply made %+v; want a reply by bob", mine)
	}
	if _, err := env.App.Content.Reply(ctx, bob, tp.ID, "   "); !slices.Equal(testenv.FieldsOf(err), []string{"body"}) {
		t.Errorf("Reply(blank) = %v, want an error on field body", err)
	}
	if _, err := env.App.Content.Reply(ctx, bob, private.ID, "Let me in"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Reply to a private topic as a non-member = %v, want NotFound", err)
	}
	if _, err := env.App.Content.Reply(ctx, bob, 999999, "Anyone?"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Reply to a missing topic = %v, want NotFound", err)
	}
	if _, err := env.App.Content.Reply(ctx, model.Viewer{}, tp.ID, "drive-by"); apperr.KindOf(err) != apperr.Unauthenticated {
		t.Errorf("Reply as a guest = %v, want Unauthenticated", err)
	}

	if _, err := env.App.Content.Moderate(ctx, bob, tp.ID, content.Lock); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Moderate(lock) as a member = %v, want Forbidden", err)
	}
	if _, err := env.App.Content.Moderate(ctx, alice, tp.ID, "explode"); !slices.Equal(testenv.FieldsOf(err), []string{"action"}) {
		t.Errorf("Moderate(explode) = %v, want an error on field action", err)
	}
	locked, err := env.App.Content.Moderate(ctx, alice, tp.ID, content.Lock)
	if err != nil || !locked.Locked() {
		t.Fatalf("Moderate(lock) as leader = locked %v, %v", locked.Locked(), err)
	}
	if _, err := env.App.Content.Reply(ctx, bob, tp.ID, "Still here?"); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Reply to a locked topic as a member = %v, want Forbidden", err)
	}
	if _, err := env.App.Content.Edit(ctx, bob, mine.ID, content.EditInput{Body: "First, edited"}); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Edit own reply in a locked topic = %v, want Forbidden", err)
	}
	if _, err := env.App.Content.SetDeleted(ctx, bob, mine.ID, true); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("SetDeleted(own reply) in a locked topic = %v, want Forbidden", err)
	}
	for name, v := range map[string]model.Viewer{"leader": alice, "moderator": mod} {
		if _, err := env.App.Content.Reply(ctx, v, tp.ID, "Closing note from the "+name); err != nil {
			t.Errorf("Reply to a locked topic as %s: %v", name, err)
		}
	}
	view, err := env.App.Content.Topic(ctx, bob, tp.ID, 0)
	if err != nil || view.CanReply || view.ReplyError == "" {
		t.Errorf("Topic(locked) for bob: CanReply %v, ReplyError %q, %v; want no reply and a reason", view.CanReply, view.ReplyError, err)
	}
	if _, err := env.App.Content.Moderate(ctx, alice, tp.ID, content.Unlock); err != nil {
		t.Fatalf("Moderate(unlock): %v", err)
	}
	if _, err := env.App.Content.Reply(ctx, bob, tp.ID, "Back again"); err != nil {
		t.Errorf("Reply after unlock: %v", err)
	}
	if got := loadTopic(t, env, tp.ID).ReplyCount; got != 4 {
		t.Errorf("reply_count = %d, want 4", got)
	}
	env.CheckCounters(t)
}

func TestEditAndRevisions(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	tp, err := env.App.Content.CreateTopic(ctx, alice, content.TopicInput{Space: env.PublicSpace.Slug, Title: "Original title", Body: "line one\nline two\nline three", Tags: "sql go"})
	if err != nil {
		t.Fatalf("CreateTopic: %v", err)
	}
	op := opening(t, env, tp.ID)

	p, err := env.App.Content.Edit(ctx, alice, op.ID, content.EditInput{Title: "Original title", Tags: "go sql", Body: "line one\nline 2\nline three", Reason: "typo"})
	if err != nil || p.Revision != 2 {
		t.Fatalf("Edit(body) = revision %d, %v; want revision 2", p.Revision, err)
	}
	_, _, revs, err := env.App.Content.Revisions(ctx, bob, op.ID)
	if err != nil || len(revs) != 2 {
		t.Fatalf("Revisions = %d, %v; want 2", len(revs), err)
	}
	if r := revs[0]; r.Revision.Number != 2 || r.Revision.Reason != "typo" || r.Editor.ID != env.Alice.ID || len(r.TitleDiff) != 0 {
		t.Errorf("newest revision = number %d, reason %q, editor %d, title diff %v; want 2, typo, alice, none", r.Revision.Number, r.Revision.Reason, r.Editor.ID, r.TitleDiff)
	}
	if got, want := render(revs[0].Diff), " line one|-line two|+line 2| line three"; got != want {
		t.Errorf("diff of revision 2 = %q, want %q", got, want)
	}
	if got, want := render(revs[1].Diff), "+line one|+line two|+line three"; got != want {
		t.Errorf("diff of revision 1 = %q, want %q (all added)", got, want)
	}

	// Title and tags of the opening post.
	if _, err := env.App.Content.Edit(ctx, alice, op.ID, content.EditInput{Title: "Better title", Tags: "rust sql", Body: "line one\nline 2\nline three"}); err != nil {
		t.Fatalf("Edit(title, tags): %v", err)
	}
	got := loadTopic(t, env, tp.ID)
	if got.Title != "Better title" || got.Slug != "better-title" || !slices.Equal(got.Tags, []string{"rust", "sql"}) {
		t.Errorf("after the edit the topic is %q /%s %v; want Better title /better-title [rust sql]", got.Title, got.Slug, got.Tags)
	}
	_, _, revs, _ = env.App.Content.Revisions(ctx, alice, op.ID)
	if r := revs[0]; r.Revision.Title != "Better title" || r.Revision.Tags != "rust sql" || r.TagsBefore != "go sql" || render(r.TitleDiff) != "-Original title|+Better title" {
		t.Errorf("revision 3 = title %q tags %q (before %q) title diff %q; want the new title and tags and the change from go sql", r.Revision.Title, r.Revision.Tags, r.TagsBefore, render(r.TitleDiff))
	}

	// Edits that change nothing are refused, however they are spelled.
	noops := []content.EditInput{
		{Title: "Better title", Tags: "rust sql", Body: "line one\nline 2\nline three"},
		{Title: "  Better   title ", Tags: "SQL, rust", Body: "line one\r\nline 2\r\nline three\n\n"},
	}
	for _, in := range noops {
		if _, err := env.App.Content.Edit(ctx, alice, op.ID, in); !slices.Equal(testenv.FieldsOf(err), []string{"body"}) {
			t.Errorf("Edit(%+v) that changes nothing = %v, want an error on field body", in, err)
		}
	}
	if _, _, revs, _ := env.App.Content.Revisions(ctx, alice, op.ID); len(revs) != 3 {
		t.Errorf("refused edits left %d revisions, want 3", len(revs))
	}

	invalid := []struct {
		name string
		in   content.EditInput
		want []string
	}{
		{"empty title", content.EditInput{Title: "", Body: "new body"}, []string{"title"}},
		{"bad tags", content.EditInput{Title: "Better title", Tags: "a!", Body: "new body"}, []string{"tags"}},
		{"empty body", content.EditInput{Title: "Better title", Body: ""}, []string{"body"}},
		{"long reason", content.EditInput{Title: "Better title", Body: "new body", Reason: strings.Repeat("r", content.MaxReason+1)}, []string{"reason"}},
	}
	for _, tt := range invalid {
		if _, err := env.App.Content.Edit(ctx, alice, op.ID, tt.in); !slices.Equal(testenv.FieldsOf(err), tt.want) {
			t.Errorf("Edit(%s) = %v, want errors on %v", tt.name, err, tt.want)
		}
	}

	// Replies: title and tags do not apply.
	reply := env.Reply(t, env.Bob, tp.ID, "a reply")
	if p, err := env.App.Content.Edit(ctx, bob, reply.ID, content.EditInput{Body: "a better reply"}); err != nil || p.Revision != 2 || p.Body != "a better reply" {
		t.Errorf("Edit(own reply) = %+v, %v; want revision 2 with the new body", p, err)
	}
	if got := loadTopic(t, env, tp.ID); got.Title != "Better title" {
		t.Errorf("editing a reply changed the topic title to %q", got.Title)
	}

	// Who may edit.
	private := env.CreateTopic(t, env.Alice, env.PrivateSpace, "Private notes")
	denied := []struct {
		name   string
		v      model.Viewer
		postID int64
		want   apperr.Kind
	}{
		{"member edits someone else's post", bob, op.ID, apperr.Forbidden},
		{"guest edits", model.Viewer{}, reply.ID, apperr.Unauthenticated},
		{"non-member edits a private post", bob, opening(t, env, private.ID).ID, apperr.NotFound},
		{"missing post", alice, 999999, apperr.NotFound},
	}
	for _, d := range denied {
		if _, err := env.App.Content.Edit(ctx, d.v, d.postID, content.EditInput{Title: "Hijacked title", Body: "hijacked"}); apperr.KindOf(err) != d.want {
			t.Errorf("Edit: %s = %v, want kind %d", d.name, err, d.want)
		}
	}
	if _, err := env.App.Content.Edit(ctx, env.Mod.Viewer(), reply.ID, content.EditInput{Body: "moderated reply"}); err != nil {
		t.Errorf("Edit(someone's reply) as a moderator: %v", err)
	}
	if _, _, _, err := env.App.Content.Revisions(ctx, bob, opening(t, env, private.ID).ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Revisions of a private post as a non-member = %v, want NotFound", err)
	}
}

// render writes a diff compactly: one entry per line, prefixed with ' ', '+' or '-'.
func render(lines []content.DiffLine) string {
	parts := make([]string, len(lines))
	for i, l := range lines {
		parts[i] = map[content.DiffOp]string{content.Same: " ", content.Added: "+", content.Removed: "-"}[l.Op] + l.Text
	}
	return strings.Join(parts, "|")
}

func TestDeleteAndRestore(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Deletable")
	r1 := env.Reply(t, env.Bob, tp.ID, "bob one")
	r2 := env.Reply(t, env.Bob, tp.ID, "bob two")
	r3 := env.Reply(t, env.Alice, tp.ID, "alice three")
	env.CheckCounters(t)

	step := func(name string, v model.Viewer, postID int64, deleted bool, want apperr.Kind) {
		t.Helper()
		_, err := env.App.Content.SetDeleted(ctx, v, postID, deleted)
		if (want == apperr.Internal && err != nil) || (want != apperr.Internal && apperr.KindOf(err) != want) {
			t.Fatalf("%s: SetDeleted(%d, %v) = %v, want kind %d", name, postID, deleted, err, want)
		}
		env.CheckCounters(t)
	}
	visible := func(v model.Viewer, postID int64) bool {
		view, err := env.App.Content.Topic(ctx, v, tp.ID, 0)
		if err != nil {
			return false
		}
		for _, p := range view.Posts {
			if p.Post.ID == postID {
				return true
			}
		}
		return false
	}

	step("bob deletes his reply", bob, r1.ID, true, apperr.Internal)
	if loadTopic(t, env, tp.ID).ReplyCount != 2 {
		t.Errorf("reply_count after a deletion = %d, want 2", loadTopic(t, env, tp.ID).ReplyCount)
	}
	if visible(bob, r1.ID) || visible(model.Viewer{}, r1.ID) || !visible(alice, r1.ID) {
		t.Errorf("a deleted reply: visible to bob %v, guest %v, leader %v; want only the leader", visible(bob, r1.ID), visible(model.Viewer{}, r1.ID), visible(alice, r1.ID))
	}
	if _, _, err := env.App.Content.Post(ctx, bob, r1.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Post(deleted reply) as its author = %v, want NotFound", err)
	}
	if _, _, _, err := env.App.Content.Revisions(ctx, model.Viewer{}, r1.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Revisions(deleted reply) as a guest = %v, want NotFound", err)
	}
	step("bob restores his reply", bob, r1.ID, false, apperr.Internal)
	if !visible(bob, r1.ID) {
		t.Errorf("a restored reply is not visible")
	}
	step("bob deletes alice's reply", bob, r3.ID, true, apperr.Forbidden)
	step("alice deletes her reply", alice, r3.ID, true, apperr.Internal)
	step("bob restores alice's deleted reply", bob, r3.ID, false, apperr.NotFound) // invisible to him: 404, not 403
	step("alice restores her reply", alice, r3.ID, false, apperr.Internal)
	step("the leader deletes bob's reply", alice, r2.ID, true, apperr.Internal)
	step("a guest restores it", model.Viewer{}, r2.ID, false, apperr.NotFound)
	step("bob restores what the leader removed", bob, r2.ID, false, apperr.NotFound) // a moderator's removal stands
	step("alice restores bob's reply", alice, r2.ID, false, apperr.Internal)

	// The opening post takes the topic with it.
	op := opening(t, env, tp.ID)
	step("bob deletes alice's topic", bob, op.ID, true, apperr.Forbidden)
	step("alice deletes her topic", alice, op.ID, true, apperr.Internal)
	if loadSpace(t, env, env.PublicSpace.ID).TopicCount != 0 {
		t.Errorf("topic_count after deleting the only topic = %d, want 0", loadSpace(t, env, env.PublicSpace.ID).TopicCount)
	}
	if _, err := env.App.Content.Topic(ctx, bob, tp.ID, 0); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Topic(deleted) as bob = %v, want NotFound", err)
	}
	if _, err := env.App.Content.Reply(ctx, bob, tp.ID, "hello?"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Reply to a deleted topic as bob = %v, want NotFound", err)
	}
	if _, _, err := env.App.Content.Post(ctx, bob, r1.ID); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Post(reply in a deleted topic) as bob = %v, want NotFound", err)
	}
	if view, err := env.App.Content.Topic(ctx, env.Mod.Viewer(), tp.ID, 0); err != nil || len(view.Posts) != 4 {
		t.Errorf("Topic(deleted) as moderator = %d posts, %v; want all 4", len(view.Posts), err)
	}
	step("alice restores her topic", alice, op.ID, false, apperr.Internal)
	if _, err := env.App.Content.Topic(ctx, bob, tp.ID, 0); err != nil {
		t.Errorf("Topic(restored) as bob: %v", err)
	}

	// An author may delete their own topic but, once it is gone, cannot see it
	// to restore it; a leader can.
	own := env.CreateTopic(t, env.Bob, env.PublicSpace, "Bob's own topic")
	ownOp := opening(t, env, own.ID)
	step("bob deletes his topic", bob, ownOp.ID, true, apperr.Internal)
	step("bob restores his topic", bob, ownOp.ID, false, apperr.NotFound)
	step("alice restores bob's topic", alice, ownOp.ID, false, apperr.Internal)
	// Once someone replied, the author may no longer delete the whole topic.
	env.Reply(t, env.Alice, own.ID, "a reply that would vanish with it")
	step("bob deletes his topic that has a reply", bob, ownOp.ID, true, apperr.Forbidden)
	if got := loadSpace(t, env, env.PublicSpace.ID).TopicCount; got != 2 {
		t.Errorf("topic_count = %d, want 2", got)
	}
}

func TestMove(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	staff, err := env.App.Community.CreateSpace(ctx, env.Admin.Viewer(), community.SpaceInput{Name: "Staff Room", Visibility: model.Private})
	if err != nil {
		t.Fatalf("CreateSpace(staff room): %v", err)
	}
	archived := env.NewSpace(t, env.Alice, "Old Archive", model.Public)
	if err := env.App.Community.SetArchived(ctx, alice, archived.Slug, true); err != nil {
		t.Fatalf("SetArchived: %v", err)
	}
	tp := env.CreateTopic(t, env.Bob, env.PublicSpace, "Misplaced question")
	env.Reply(t, env.Bob, tp.ID, "some context")

	refused := []struct {
		name   string
		v      model.Viewer
		to     string
		kind   apperr.Kind
		fields []string
	}{
		{"the author, not a moderator", bob, env.PrivateSpace.Slug, apperr.Forbidden, nil},
		{"a guest", model.Viewer{}, env.PrivateSpace.Slug, apperr.Unauthenticated, nil},
		{"into a space she cannot post in", alice, staff.Slug, apperr.Invalid, []string{"space"}},
		{"into a space that does not exist", alice, "nowhere", apperr.Invalid, []string{"space"}},
		{"into no space", alice, "  ", apperr.Invalid, []string{"space"}},
		{"into the same space", alice, env.PublicSpace.Slug, apperr.Invalid, []string{"space"}},
		{"into an archived space", alice, archived.Slug, apperr.Forbidden, nil},
	}
	for _, r := range refused {
		_, err := env.App.Content.Move(ctx, r.v, tp.ID, r.to)
		if apperr.KindOf(err) != r.kind || !slices.Equal(testenv.FieldsOf(err), r.fields) {
			t.Errorf("Move %s = %v; want kind %d, fields %v", r.name, err, r.kind, r.fields)
		}
		if got := loadTopic(t, env, tp.ID).SpaceID; got != env.PublicSpace.ID {
			t.Fatalf("a refused move (%s) moved the topic to space %d", r.name, got)
		}
	}

	moved, err := env.App.Content.Move(ctx, alice, tp.ID, env.PrivateSpace.Slug)
	if err != nil || moved.SpaceID != env.PrivateSpace.ID {
		t.Fatalf("Move to private as its leader = space %d, %v", moved.SpaceID, err)
	}
	env.CheckCounters(t)
	if _, err := env.App.Content.Topic(ctx, bob, tp.ID, 0); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("after moving into a private space its non-member author gets %v, want NotFound", err)
	}
	if _, err := env.App.Content.Move(ctx, env.Mod.Viewer(), tp.ID, staff.Slug); err != nil {
		t.Errorf("Move into the staff room as a moderator: %v", err)
	}
	env.CheckCounters(t)
	if n := loadSpace(t, env, staff.ID).TopicCount; n != 1 {
		t.Errorf("staff room topic_count = %d, want 1", n)
	}
}

func TestLatestVisibility(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	pub := env.CreateTopic(t, env.Alice, env.PublicSpace, "Public topic")
	locked := env.CreateTopic(t, env.Alice, env.PublicSpace, "Locked topic")
	if _, err := env.App.Content.Moderate(ctx, env.Alice.Viewer(), locked.ID, content.Lock); err != nil {
		t.Fatalf("lock: %v", err)
	}
	deleted := env.CreateTopic(t, env.Alice, env.PublicSpace, "Deleted topic")
	if _, err := env.App.Content.SetDeleted(ctx, env.Alice.Viewer(), opening(t, env, deleted.ID).ID, true); err != nil {
		t.Fatalf("delete: %v", err)
	}
	priv, err := env.App.Content.CreateTopic(ctx, env.Alice.Viewer(), content.TopicInput{Space: env.PrivateSpace.Slug, Title: "Private topic", Body: "hush", Tags: "hush"})
	if err != nil {
		t.Fatalf("CreateTopic(private): %v", err)
	}
	sec := env.CreateTopic(t, env.Alice, env.SecretSpace, "Secret topic")

	public := sorted([]int64{pub.ID, locked.ID})
	all := sorted([]int64{pub.ID, locked.ID, priv.ID, sec.ID})
	viewers := []struct {
		name string
		v    model.Viewer
		want []int64
	}{
		{"guest", model.Viewer{}, public},
		{"bob", env.Bob.Viewer(), public},
		{"alice", env.Alice.Viewer(), all},
		{"moderator", env.Mod.Viewer(), all},
		{"admin", env.Admin.Viewer(), all},
	}
	for _, vw := range viewers {
		list, err := env.App.Content.Latest(ctx, vw.v, content.ListInput{Limit: content.MaxPage})
		if err != nil {
			t.Fatalf("Latest as %s: %v", vw.name, err)
		}
		if got := sorted(ids(list.Items)); !slices.Equal(got, vw.want) {
			t.Errorf("Latest as %s = %v, want %v (never deleted, private or secret topics for outsiders)", vw.name, got, vw.want)
		}
		tagged, _ := env.App.Content.Latest(ctx, vw.v, content.ListInput{Tag: "hush"})
		popular, _ := env.App.Content.PopularTags(ctx, vw.v, 50)
		sawTag := slices.ContainsFunc(popular, func(tg model.Tag) bool { return tg.Name == "hush" })
		if outsider := len(vw.want) == len(public); outsider == (len(tagged.Items) > 0 || sawTag) {
			t.Errorf("as %s the private tag shows in the tag list %v / popular tags %v; want it only for members and staff", vw.name, len(tagged.Items) > 0, sawTag)
		}
	}
	for _, sp := range []model.Space{env.PrivateSpace, env.SecretSpace} {
		if _, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: sp.Slug}); apperr.KindOf(err) != apperr.NotFound {
			t.Errorf("Latest(space %s) as a non-member = %v, want NotFound", sp.Slug, err)
		}
	}
	if _, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Kind: "poll"}); !slices.Equal(testenv.FieldsOf(err), []string{"kind"}) {
		t.Errorf("Latest(kind poll) = %v, want an error on field kind", err)
	}
	for _, c := range []string{"garbage", "1.", ".1", "zz.-5", strings.Repeat("1", 41) + ".1"} {
		if _, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Cursor: c}); !slices.Equal(testenv.FieldsOf(err), []string{"cursor"}) {
			t.Errorf("Latest(cursor %q) = %v, want an error on field cursor", c, err)
		}
	}
	// A profile lists only what the viewer may read.
	_, items, err := env.App.Content.Profile(ctx, env.Bob.Viewer(), "alice")
	if err != nil || !slices.Equal(sorted(ids(items)), public) {
		t.Errorf("Profile(alice) for bob lists %v (%v), want %v", ids(items), err, public)
	}
}

// TestPagination walks the keyset pages and checks every visible topic comes
// exactly once, in order, also when several share one timestamp.
func TestPagination(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	base := env.Clock.Now().Truncate(time.Second)
	type made struct {
		id      int64
		at      time.Time
		private bool
	}
	var topics []made
	for i := range 23 {
		sp := env.PublicSpace
		if i%4 == 3 {
			sp = env.PrivateSpace
		}
		at := base.Add(time.Duration(i/5) * time.Minute) // groups of five share a timestamp
		var tp model.Topic
		err := env.App.Store.InTx(ctx, func(q *store.Queries) error {
			var err error
			tp, err = q.CreateTopic(ctx, store.NewTopic{SpaceID: sp.ID, Kind: model.KindDiscussion, AuthorID: env.Alice.ID, Title: fmt.Sprintf("Topic %02d", i),
				Slug: fmt.Sprintf("topic-%02d", i), Body: "body", BodyHTML: "<p>body</p>", Tags: []string{"paged"}, CreatedAt: at})
			return err
		})
		if err != nil {
			t.Fatalf("CreateTopic %d: %v", i, err)
		}
		topics = append(topics, made{tp.ID, at, sp.ID == env.PrivateSpace.ID})
	}
	expect := func(withPrivate bool) []int64 {
		var m []made
		for _, tp := range topics {
			if withPrivate || !tp.private {
				m = append(m, tp)
			}
		}
		sort.Slice(m, func(i, j int) bool {
			if !m[i].at.Equal(m[j].at) {
				return m[i].at.After(m[j].at)
			}
			return m[i].id > m[j].id
		})
		out := make([]int64, len(m))
		for i, tp := range m {
			out[i] = tp.id
		}
		return out
	}
	walk := func(v model.Viewer, in content.ListInput) []int64 {
		t.Helper()
		var got []int64
		for page := 0; ; page++ {
			if page > 30 {
				t.Fatalf("Latest(%+v) never ends", in)
			}
			list, err := env.App.Content.Latest(ctx, v, in)
			if err != nil {
				t.Fatalf("Latest(%+v) page %d: %v", in, page, err)
			}
			if len(list.Items) > in.Limit {
				t.Fatalf("Latest(limit %d) returned %d items", in.Limit, len(list.Items))
			}
			got = append(got, ids(list.Items)...)
			if list.Next == "" {
				return got
			}
			in.Cursor = list.Next
		}
	}
	cases := []struct {
		name string
		v    model.Viewer
		in   content.ListInput
		want []int64
	}{
		{"guest, all spaces, pages of 4", model.Viewer{}, content.ListInput{Limit: 4}, expect(false)},
		{"alice, all spaces, pages of 4", env.Alice.Viewer(), content.ListInput{Limit: 4}, expect(true)},
		{"alice, all spaces, pages of 5", env.Alice.Viewer(), content.ListInput{Limit: 5}, expect(true)},
		{"alice, pages of 1", env.Alice.Viewer(), content.ListInput{Limit: 1}, expect(true)},
		{"bob, by tag, pages of 3", env.Bob.Viewer(), content.ListInput{Tag: "paged", Limit: 3}, expect(false)},
		{"bob, public space, pages of 7", env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug, Limit: 7}, expect(false)},
		{"alice, one page", env.Alice.Viewer(), content.ListInput{Limit: 100}, expect(true)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := walk(c.v, c.in); !slices.Equal(got, c.want) {
				t.Errorf("pages of Latest(%+v) = %v, want %v", c.in, got, c.want)
			}
		})
	}
	list, err := env.App.Content.Latest(ctx, env.Alice.Viewer(), content.ListInput{Limit: content.MaxPage + 1})
	if err != nil || len(list.Items) != content.PageSize && len(list.Items) != len(topics) {
		t.Errorf("Latest(limit above the maximum) = %d items, %v; want the default page size", len(list.Items), err)
	}
}

func TestTagsAndPinned(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	alice := env.Alice.Viewer()
	mk := func(sp model.Space, title, tags string) model.Topic {
		t.Helper()
		env.Clock.Advance(time.Second)
		tp, err := env.App.Content.CreateTopic(ctx, alice, content.TopicInput{Space: sp.Slug, Title: title, Body: "body of " + title, Tags: tags})
		if err != nil {
			t.Fatalf("CreateTopic(%s): %v", title, err)
		}
		return tp
	}
	oldest := mk(env.PublicSpace, "Oldest, tagged go", "go")
	middle := mk(env.PublicSpace, "Middle, tagged sql", "sql")
	newest := mk(env.PublicSpace, "Newest, tagged go and sql", "go sql")
	privGo := mk(env.PrivateSpace, "Private go topic", "go")

	tagCases := []struct {
		name string
		v    model.Viewer
		in   content.ListInput
		want []int64
	}{
		{"bob, go", env.Bob.Viewer(), content.ListInput{Tag: "go"}, []int64{newest.ID, oldest.ID}},
		{"bob, GO in capitals", env.Bob.Viewer(), content.ListInput{Tag: "GO"}, []int64{newest.ID, oldest.ID}},
		{"alice, go", alice, content.ListInput{Tag: "go"}, []int64{privGo.ID, newest.ID, oldest.ID}},
		{"bob, sql", env.Bob.Viewer(), content.ListInput{Tag: "sql"}, []int64{newest.ID, middle.ID}},
		{"bob, unused tag", env.Bob.Viewer(), content.ListInput{Tag: "cobol"}, nil},
		{"alice, go in the public space", alice, content.ListInput{Space: env.PublicSpace.Slug, Tag: "go"}, []int64{newest.ID, oldest.ID}},
	}
	for _, c := range tagCases {
		list, err := env.App.Content.Latest(ctx, c.v, c.in)
		if err != nil || !slices.Equal(ids(list.Items), c.want) {
			t.Errorf("Latest(%s) = %v, %v; want %v", c.name, ids(list.Items), err, c.want)
		}
	}
	if _, err := env.App.Content.Tag(ctx, "GO"); err != nil {
		t.Errorf("Tag(GO): %v", err)
	}
	if _, err := env.App.Content.Tag(ctx, "cobol"); apperr.KindOf(err) != apperr.NotFound {
		t.Errorf("Tag(cobol) = %v, want NotFound", err)
	}

	if _, err := env.App.Content.Moderate(ctx, env.Bob.Viewer(), oldest.ID, content.Pin); apperr.KindOf(err) != apperr.Forbidden {
		t.Errorf("Moderate(pin) as a member = %v, want Forbidden", err)
	}
	if _, err := env.App.Content.Moderate(ctx, alice, oldest.ID, content.Pin); err != nil {
		t.Fatalf("Moderate(pin): %v", err)
	}
	list, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug})
	if err != nil || !slices.Equal(ids(list.Pinned), []int64{oldest.ID}) || !slices.Equal(ids(list.Items), []int64{newest.ID, middle.ID}) {
		t.Errorf("Latest(public space) = pinned %v, items %v, %v; want pinned [%d] first, then [%d %d]", ids(list.Pinned), ids(list.Items), err, oldest.ID, newest.ID, middle.ID)
	}
	paged, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug, Limit: 1})
	if err != nil || paged.Next == "" {
		t.Fatalf("Latest(public space, limit 1) = %v, next %q", err, paged.Next)
	}
	page2, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug, Limit: 1, Cursor: paged.Next})
	if err != nil || len(page2.Pinned) != 0 || !slices.Equal(ids(page2.Items), []int64{middle.ID}) {
		t.Errorf("page 2 of the space = pinned %v, items %v, %v; want no pinned and [%d]", ids(page2.Pinned), ids(page2.Items), err, middle.ID)
	}
	// A tag list within the space still shows the pinned topic that carries the tag.
	tagged, err := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug, Tag: "go"})
	if got := append(ids(tagged.Pinned), ids(tagged.Items)...); err != nil || !slices.Contains(got, oldest.ID) || len(got) != 2 {
		t.Errorf("Latest(public space, tag go) = pinned %v, items %v, %v; want both go topics, the pinned one included", ids(tagged.Pinned), ids(tagged.Items), err)
	}
	home, _ := env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{})
	if !slices.Equal(ids(home.Items), []int64{newest.ID, middle.ID, oldest.ID}) || len(home.Pinned) != 0 {
		t.Errorf("Latest(everywhere) = pinned %v, items %v; want activity order, pins only count within a space", ids(home.Pinned), ids(home.Items))
	}
	if _, err := env.App.Content.Moderate(ctx, alice, oldest.ID, content.Unpin); err != nil {
		t.Fatalf("Moderate(unpin): %v", err)
	}
	list, _ = env.App.Content.Latest(ctx, env.Bob.Viewer(), content.ListInput{Space: env.PublicSpace.Slug})
	if len(list.Pinned) != 0 || !slices.Equal(ids(list.Items), []int64{newest.ID, middle.ID, oldest.ID}) {
		t.Errorf("after unpinning: pinned %v, items %v", ids(list.Pinned), ids(list.Items))
	}
}

func TestDiff(t *testing.T) {
	tests := []struct {
		name, a, b, want string
	}{
		{"both empty", "", "", ""},
		{"equal", "a\nb", "a\nb", " a| b"},
		{"from nothing", "", "a\nb", "+a|+b"},
		{"to nothing", "a\nb", "", "-a|-b"},
		{"append a line", "a", "a\nb", " a|+b"},
		{"prepend a line", "b", "a\nb", "+a| b"},
		{"change the middle", "a\nb\nc", "a\nx\nc", " a|-b|+x| c"},
		{"remove the middle", "a\nb\nc", "a\nc", " a|-b| c"},
		{"insert in the middle", "a\nc", "a\nb\nc", " a|+b| c"},
		{"replace everything", "a\nb", "c\nd", "-a|-b|+c|+d"},
		{"trailing newline removed", "a\n", "a", " a|-"},
		{"blank line added", "a\nb", "a\n\nb", " a|+| b"},
		{"common lines kept around two changes", "1\n2\n3\n4\n5", "1\nX\n3\nY\n5", " 1|-2|+X| 3|-4|+Y| 5"},
	}
	for _, tt := range tests {
		if got := render(content.Diff(tt.a, tt.b)); got != tt.want {
			t.Errorf("Diff(%q, %q) = %q, want %q", tt.a, tt.b, got, tt.want)
		}
	}
}

// TestDiffProperties checks, on many random small inputs, that a diff
// rebuilds both sides and keeps as many lines as the longest common
// subsequence, and that huge inputs fall back to "all removed, all added".
func TestDiffProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	text := func() string {
		n := rng.IntN(8)
		lines := make([]string, n)
		for i := range lines {
			lines[i] = string(rune('a' + rng.IntN(3)))
		}
		return strings.Join(lines, "\n")
	}
	for range 2000 {
		a, b := text(), text()
		d := content.Diff(a, b)
		var left, right []string
		same := 0
		for _, l := range d {
			if l.Op != content.Added {
				left = append(left, l.Text)
			}
			if l.Op != content.Removed {
				right = append(right, l.Text)
			}
			if l.Op == content.Same {
				same++
			}
		}
		if strings.Join(left, "\n") != a || strings.Join(right, "\n") != b {
			t.Fatalf("Diff(%q, %q) = %q does not rebuild both sides", a, b, render(d))
		}
		if want := lcs(lines(a), lines(b)); same != want {
			t.Fatalf("Diff(%q, %q) = %q keeps %d lines, want %d (the LCS)", a, b, render(d), same, want)
		}
	}
	var x, y []string
	for i := range 2100 {
		x = append(x, fmt.Sprintf("old %d", i))
		y = append(y, fmt.Sprintf("new %d", i))
	}
	d := content.Diff(strings.Join(x, "\n"), strings.Join(y, "\n"))
	if len(d) != 4200 || d[0].Op != content.Removed || d[2099].Op != content.Removed || d[2100].Op != content.Added {
		t.Errorf("Diff of two 2100-line texts = %d lines; want 2100 removed then 2100 added", len(d))
	}
}

func lines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

// lcs is the textbook dynamic programme, as a reference.
func lcs(a, b []string) int {
	dp := make([][]int, len(a)+1)
	for i := range dp {
		dp[i] = make([]int, len(b)+1)
	}
	for i := 1; i <= len(a); i++ {
		for j := 1; j <= len(b); j++ {
			if a[i-1] == b[j-1] {
				dp[i][j] = dp[i-1][j-1] + 1
			} else {
				dp[i][j] = max(dp[i-1][j], dp[i][j-1])
			}
		}
	}
	return dp[len(a)][len(b)]
}

// TestLockedMeansNoMemberReplies runs random sequences of lock, unlock,
// delete, restore, move and reply, and after every step checks that a member
// can reply exactly when the topic is neither locked nor deleted, and that
// counters match (SECURITY.md ATK-32).
func TestLockedMeansNoMemberReplies(t *testing.T) {
	t.Parallel()
	for _, seed := range []uint64{1, 2, 3} {
		t.Run(fmt.Sprintf("seed %d", seed), func(t *testing.T) {
			t.Parallel()
			lockedInvariant(t, seed)
		})
	}
}

func lockedInvariant(t *testing.T, seed uint64) {
	env := testenv.New(t)
	rng := rand.New(rand.NewPCG(seed, 99))
	spaces := []model.Space{env.PublicSpace, env.PrivateSpace}
	for _, sp := range spaces {
		env.AddMember(t, sp, env.Bob, model.SpaceMember)
	}
	alice, bob := env.Alice.Viewer(), env.Bob.Viewer()
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "A topic under stress")
	op := opening(t, env, tp.ID)
	var locked, deleted bool
	space := 0
	var bobReplies []int64

	type operation struct {
		name string
		do   func() error
	}
	ops := []operation{
		{"lock", func() error {
			_, err := env.App.Content.Moderate(ctx, alice, tp.ID, content.Lock)
			locked = locked || err == nil
			return err
		}},
		{"unlock", func() error {
			_, err := env.App.Content.Moderate(ctx, alice, tp.ID, content.Unlock)
			locked = locked && err != nil
			return err
		}},
		{"delete", func() error {
			_, err := env.App.Content.SetDeleted(ctx, alice, op.ID, true)
			deleted = deleted || err == nil
			return err
		}},
		{"restore", func() error {
			_, err := env.App.Content.SetDeleted(ctx, alice, op.ID, false)
			deleted = deleted && err != nil
			return err
		}},
		{"move", func() error {
			_, err := env.App.Content.Move(ctx, alice, tp.ID, spaces[1-space].Slug)
			if err == nil {
				space = 1 - space
			}
			return err
		}},
		{"leader replies", func() error {
			_, err := env.App.Content.Reply(ctx, alice, tp.ID, "leader reply")
			if deleted { // nobody replies to a deleted topic, not even its leader
				if apperr.KindOf(err) != apperr.Forbidden {
					return fmt.Errorf("leader reply to a deleted topic: %v, want Forbidden", err)
				}
				return nil
			}
			return err
		}},
		{"bob deletes a reply", func() error {
			if len(bobReplies) == 0 || locked || deleted {
				return nil
			}
			i := rng.IntN(len(bobReplies))
			_, err := env.App.Content.SetDeleted(ctx, bob, bobReplies[i], true)
			bobReplies = slices.Delete(bobReplies, i, i+1)
			return err
		}},
	}
	for step := range 40 {
		o := ops[rng.IntN(len(ops))]
		if err := o.do(); err != nil {
			t.Fatalf("seed %d step %d: %s: %v", seed, step, o.name, err)
		}
		got := loadTopic(t, env, tp.ID)
		if got.Locked() != locked || got.Deleted() != deleted || got.SpaceID != spaces[space].ID {
			t.Fatalf("seed %d step %d after %s: topic locked=%v deleted=%v space=%d; want %v %v %d", seed, step, o.name, got.Locked(), got.Deleted(), got.SpaceID, locked, deleted, spaces[space].ID)
		}
		before := got.ReplyCount
		p, err := env.App.Content.Reply(ctx, bob, tp.ID, fmt.Sprintf("member reply at step %d", step))
		var want apperr.Kind
		switch {
		case deleted:
			want = apperr.NotFound
		case locked:
			want = apperr.Forbidden
		}
		if want == apperr.Internal {
			if err != nil {
				t.Fatalf("seed %d step %d after %s: member Reply to an open topic = %v, want success", seed, step, o.name, err)
			}
			bobReplies = append(bobReplies, p.ID)
		} else {
			if apperr.KindOf(err) != want {
				t.Fatalf("seed %d step %d after %s: member Reply (locked=%v deleted=%v) = %v, want kind %d", seed, step, o.name, locked, deleted, err, want)
			}
			if after := loadTopic(t, env, tp.ID).ReplyCount; after != before {
				t.Fatalf("seed %d step %d: a refused reply changed reply_count from %d to %d", seed, step, before, after)
			}
		}
		if view, err := env.App.Content.Topic(ctx, bob, tp.ID, 0); err == nil && view.CanReply == (locked || deleted) {
			t.Fatalf("seed %d step %d: topic page for the member says CanReply=%v with locked=%v deleted=%v", seed, step, view.CanReply, locked, deleted)
		}
		env.CheckCounters(t)
		if t.Failed() {
			t.Fatalf("seed %d step %d: counters wrong after %s", seed, step, o.name)
		}
	}
}

func FuzzDecodeCursor(f *testing.F) {
	f.Add("")
	f.Add(content.EncodeCursor(store.Cursor{At: time.Date(2025, 5, 6, 7, 8, 9, 123456000, time.UTC), ID: 42}))
	f.Add("zz.zz")
	f.Add("-1.-1")
	f.Add(content.EncodeCursor(store.Cursor{N: -3, ID: 7}))
	f.Fuzz(func(t *testing.T, s string) {
		c, err := content.DecodeCursor(s)
		if err != nil {
			if !slices.Equal(testenv.FieldsOf(err), []string{"cursor"}) {
				t.Fatalf("DecodeCursor(%q) = %v, want an error on field cursor", s, err)
			}
			return
		}
		if s != "" && c.ID <= 0 {
			t.Fatalf("DecodeCursor(%q) accepted id %d", s, c.ID)
		}
		again, err := content.DecodeCursor(content.EncodeCursor(c))
		if err != nil || again.ID != c.ID || !again.At.Equal(c.At) || again.N != c.N {
			t.Fatalf("DecodeCursor(EncodeCursor(%+v)) = %+v, %v", c, again, err)
		}
	})
}

func FuzzParseTags(f *testing.F) {
	for _, s := range []string{"", "go sql", "Go, GO, go", "a b c d e f", "c++ c# .net", "bad_tag!", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		fields := apperr.Fields{}
		tags := content.ParseTags(fields, raw)
		seen := map[string]bool{}
		for _, tg := range tags {
			if tg == "" || len(tg) > content.MaxTagLen || tg != strings.ToLower(tg) || strings.ContainsAny(tg, " ,\t\n") || seen[tg] {
				t.Fatalf("ParseTags(%q) returned the tag %q among %q", raw, tg, tags)
			}
			seen[tg] = true
		}
		if len(tags) > content.MaxTags && fields["tags"] == "" {
			t.Fatalf("ParseTags(%q) returned %d tags without complaint", raw, len(tags))
		}
	})
}

// TestParallelWritesKeepCounters: many members replying, starting topics and
// deleting at once never leave a cached count different from COUNT(*).
func TestParallelWritesKeepCounters(t *testing.T) {
	t.Parallel()
	env := testenv.New(t)
	tp := env.CreateTopic(t, env.Alice, env.PublicSpace, "Busy thread")
	people := make([]model.Viewer, 8)
	for i := range people {
		people[i] = env.Person(t, fmt.Sprintf("writer%d", i))
	}
	var wg sync.WaitGroup
	for i, v := range people {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range 5 {
				p, err := env.App.Content.Reply(ctx, v, tp.ID, fmt.Sprintf("reply %d-%d", i, j))
				if err != nil {
					t.Errorf("Reply as writer%d: %v", i, err)
					return
				}
				if j == 0 {
					if _, err := env.App.Content.SetDeleted(ctx, v, p.ID, true); err != nil {
						t.Errorf("delete own reply as writer%d: %v", i, err)
					}
				}
			}
			if _, err := env.App.Content.CreateTopic(ctx, v, content.TopicInput{Space: env.PublicSpace.Slug, Title: fmt.Sprintf("Topic by writer %d", i), Body: "x"}); err != nil {
				t.Errorf("CreateTopic as writer%d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	env.CheckCounters(t)
	if got := loadTopic(t, env, tp.ID).ReplyCount; got != 8*4 {
		t.Errorf("reply_count after 8 writers x 5 replies, 1 deleted each = %d, want 32", got)
	}
}
