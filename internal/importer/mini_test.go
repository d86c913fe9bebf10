package importer_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"practica/internal/content"
	"practica/internal/importer"
	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/testenv"
)

// TestImportMini runs the importer on a small hand-written dump with every
// file kind, dangling references, hostile markup and a revision history.
func TestImportMini(t *testing.T) {
	env := testenv.Bare(t)
	ctx := context.Background()
	opts := importer.Options{Dir: "testdata/mini.example.com"}
	sum, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, opts)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{"users": 4, "questions": 2, "answers": 1, "comments": 1, "tags": 3, "badges": 3, "links": 1}
	for k, n := range want {
		if sum.New[k] != n {
			t.Errorf("new %s = %d, want %d (summary %+v)", k, sum.New[k], n, sum)
		}
	}
	for _, reason := range []string{"answers to questions not in the dump", "comments on posts not in the dump", "votes on posts not in the dump (deleted posts)",
		"badges of users not in the dump", "links to posts not in the dump"} {
		if sum.Skipped[reason] != 1 {
			t.Errorf("skipped %q = %d, want 1", reason, sum.Skipped[reason])
		}
	}
	if sum.Space != "mini" {
		t.Errorf("space %q, want mini (from the folder's name)", sum.Space)
	}
	// The question: sanitized, accepted answer, history, tags, attribution.
	sp, err := env.App.Store.Read().SpaceBySlug(ctx, "mini")
	if err != nil || !strings.Contains(sp.Attribution, "https://mini.example.com") || !strings.Contains(sp.Attribution, "CC BY-SA") {
		t.Fatalf("space %+v, %v", sp, err)
	}
	list, err := env.App.Content.Latest(ctx, model.Viewer{}, contentList(sp.Slug))
	if err != nil || len(list.Items) != 2 {
		t.Fatalf("topics: %d, %v", len(list.Items), err)
	}
	var q model.Topic
	for _, it := range list.Items {
		if it.Topic.Title == "What is a qubit?" {
			q = it.Topic
		}
	}
	view, err := env.App.Content.Topic(ctx, model.Viewer{}, q.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	op := view.Posts[0].Post
	if strings.Contains(op.BodyHTML, "<script") || strings.Contains(op.BodyHTML, "javascript:") || !strings.Contains(op.BodyHTML, "<em>qubit</em>") {
		t.Errorf("question body not sanitized: %q", op.BodyHTML)
	}
	if q.AcceptedPostID == 0 || q.ViewCount != 42 || q.Score != 3 || strings.Join(q.Tags, " ") != "basics qubit" {
		t.Errorf("question %+v", q)
	}
	if len(view.Posts) != 2 || len(view.Posts[1].Comments) != 1 || view.Originals[op.ID] != "https://mini.example.com/q/10" {
		t.Errorf("page: %d posts, originals %v", len(view.Posts), view.Originals)
	}
	_, _, revs, err := env.App.Content.Revisions(ctx, model.Viewer{}, op.ID)
	if err != nil || len(revs) != 2 || revs[1].Revision.Title != "What's a qubit" || revs[0].Revision.Tags != "qubit basics" {
		t.Errorf("history: %d revisions, %v", len(revs), err)
	}
	tag, err := env.App.Content.Tag(ctx, "qubit")
	if err != nil || tag.Description != "The unit of quantum information." {
		t.Errorf("tag description %q, %v", tag.Description, err)
	}
	// Two authors share a display name: both get distinct usernames.
	ada, err := env.App.Store.Read().UserByUsername(ctx, "Ada-Lovelace")
	if err != nil || ada.Status != model.StatusPlaceholder || strings.Contains(ada.Bio, "script") || ada.Reputation != 101 {
		t.Errorf("Ada: %+v, %v", ada, err)
	}
	if _, err := env.App.Store.Read().UserByUsername(ctx, "Ada-Lovelace-2"); err != nil {
		t.Errorf("the second Ada: %v", err)
	}
	env.CheckCounters(t)
	// A rerun into another space is refused; a second run imports nothing new.
	if _, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: opts.Dir, Space: "elsewhere"}); err == nil || !strings.Contains(err.Error(), "--space mini") {
		t.Errorf("rerun into another space: %v", err)
	}
	again, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, opts)
	if err != nil {
		t.Fatal(err)
	}
	for k, n := range again.New {
		if n != 0 {
			t.Errorf("second run: %d new %s", n, k)
		}
	}
}

// TestImportRefusesBrokenFiles: a missing folder and malformed XML are clear
// errors, never a crash.
func TestImportRefusesBrokenFiles(t *testing.T) {
	env := testenv.Bare(t)
	ctx := context.Background()
	if _, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: t.TempDir()}); err == nil {
		t.Error("an empty folder was imported")
	}
	dir := filepath.Join(t.TempDir(), "broken.example.com")
	os.MkdirAll(dir, 0o755)
	os.WriteFile(filepath.Join(dir, "Posts.xml"), []byte(`<posts><row Id="1" PostTypeId="1" Title="x" Body="<p>unclosed`), 0o644)
	_, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: dir})
	if err == nil || !strings.Contains(err.Error(), "Posts.xml") {
		t.Errorf("malformed Posts.xml: %v", err)
	}
}

func FuzzReadRows(f *testing.F) {
	for _, name := range []string{"Posts.xml", "Users.xml", "Comments.xml", "PostHistory.xml"} {
		data, err := os.ReadFile(filepath.Join("testdata/mini.example.com", name))
		if err == nil {
			f.Add(data)
		}
	}
	f.Add([]byte("\xef\xbb\xbf<posts><row Id=\"1\"/></posts>"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "f.xml")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		n := 0
		_ = importer.ReadRows(path, nil, func(r importer.Row) error {
			n++
			_ = r.Time("CreationDate")
			_ = r.Int("Id")
			return nil
		})
		if n > len(data) {
			t.Fatalf("%d rows from %d bytes", n, len(data))
		}
	})
}

func contentList(space string) content.ListInput { return content.ListInput{Space: space} }

// TestClaimImportedAccount: an admin lets a person claim an imported author;
// the link activates the account, which then signs in and keeps its posts
// and reputation.
func TestClaimImportedAccount(t *testing.T) {
	env := testenv.New(t)
	ctx := context.Background()
	if _, err := importer.StackExchange(ctx, env.App.Store, markup.New(), env.Clock.Now, importer.Options{Dir: "testdata/mini.example.com"}); err != nil {
		t.Fatal(err)
	}
	ada, err := env.App.Store.Read().UserByUsername(ctx, "Ada-Lovelace")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Auth.SignIn(ctx, "Ada-Lovelace", "", "test"); err == nil {
		t.Fatal("a placeholder signed in")
	}
	if err := env.App.Auth.InviteClaim(ctx, env.Bob.Viewer(), ada.ID, "ada@example.org"); err == nil {
		t.Error("a member sent a claim link")
	}
	if err := env.App.Auth.InviteClaim(ctx, env.Admin.Viewer(), env.Bob.ID, "bob2@example.org"); err == nil {
		t.Error("an active account was offered for claiming")
	}
	if err := env.App.Auth.InviteClaim(ctx, env.Admin.Viewer(), ada.ID, "bob@example.org"); err == nil {
		t.Error("a claim took another account's address")
	}
	if err := env.App.Auth.InviteClaim(ctx, env.Admin.Viewer(), ada.ID, "ada@example.org"); err != nil {
		t.Fatalf("claim link: %v", err)
	}
	mails, err := env.App.Store.Read().Outbox(ctx, 0, 50)
	if err != nil {
		t.Fatal(err)
	}
	var secret string
	for _, m := range mails {
		if m.To == "ada@example.org" {
			if i := strings.Index(m.Body, "/reset/"); i >= 0 {
				secret = strings.Fields(m.Body[i+len("/reset/"):])[0]
			}
		}
	}
	if secret == "" {
		t.Fatal("no claim mail in the outbox")
	}
	if err := env.App.Auth.ResetPassword(ctx, secret, "the engine of analysis"); err != nil {
		t.Fatalf("claim: %v", err)
	}
	u, _, err := env.App.Auth.SignIn(ctx, "ada@example.org", "the engine of analysis", "test")
	if err != nil || u.ID != ada.ID || u.Status != model.StatusActive || !u.Verified() || u.Reputation != 101 {
		t.Errorf("after claiming: %+v, %v", u, err)
	}
}

// TestHugeRowIsRefused: one enormous element stops the reader with an error
// long before it could exhaust memory.
func TestHugeRowIsRefused(t *testing.T) {
	path := filepath.Join(t.TempDir(), "Posts.xml")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	f.WriteString(`<posts><row Id="1" Body="`)
	chunk := []byte(strings.Repeat("x", 1<<20))
	for range 64 {
		f.Write(chunk)
	}
	f.WriteString(`"/></posts>`)
	f.Close()
	err = importer.ReadRows(path, nil, func(importer.Row) error { return nil })
	if err == nil || !strings.Contains(err.Error(), "limit") {
		t.Errorf("a 64 MB row: %v, want the row limit", err)
	}
}
