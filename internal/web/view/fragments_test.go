package view

import (
	"bytes"
	"context"
	"io"
	"reflect"
	"strings"
	"testing"
	"time"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/store"
)

func samplePostView() content.PostView {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	post := func(id int64, kind model.PostKind) model.PostItem {
		return model.PostItem{
			Post: model.Post{ID: id, TopicID: 9, AuthorID: 3, Kind: kind, ParentID: 0, Body: "**b**", BodyHTML: "<p><strong>b</strong></p>",
				Revision: 1, Score: 2, CreatedAt: at, UpdatedAt: at, EditedAt: &at, DeletedAt: &at, DeletedBy: 3, WikiAt: &at},
			Author: model.UserRef{ID: 3, Username: "ada", DisplayName: "Ada", Role: model.RoleMember},
		}
	}
	return content.PostView{PostItem: post(10, model.PostAnswer), CanComment: true,
		Comments: []content.PostView{{PostItem: post(11, model.PostComment)}}}
}

func sampleTopicItem() model.TopicItem {
	at := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	return model.TopicItem{
		Topic: model.Topic{ID: 9, SpaceID: 2, Kind: model.KindQuestion, AuthorID: 3, Title: "Why?", Slug: "why", State: "published",
			CreatedAt: at, UpdatedAt: at, LastPostAt: at, LastPosterID: 4, ReplyCount: 2, ViewCount: 7, Score: 1, AcceptedPostID: 12,
			PinnedAt: &at, LockedAt: &at, DeletedAt: &at, ClosedAt: &at, CloseReason: "duplicate", Tags: []string{"qiskit"}},
		Space:      model.Space{ID: 2, Slug: "lab", Name: "Lab", Color: "teal", ArchivedAt: &at},
		Author:     model.UserRef{ID: 3, Username: "ada", DisplayName: "Ada", Role: model.RoleMember},
		LastPoster: model.UserRef{ID: 4, Username: "bob", Role: model.RoleModerator},
	}
}

func sampleSearchHit() content.SearchHit {
	it := sampleTopicItem()
	pv := samplePostView()
	pv.Post.Kind, pv.Post.DeletedAt = model.PostOpening, nil
	return content.SearchHit{SearchHit: store.SearchHit{Post: pv.Post, Author: pv.Author, Topic: it.Topic, Space: it.Space, Snippet: "a snippet"},
		SnippetHTML: "a <mark>snippet</mark>"}
}

// TestFragmentNames changes each field of what a cached fragment renders (a
// post, a topic row, a search result), one at a time, and holds that
// whenever the HTML changes the fragment's name changes too: a shown field the name missed would hand one viewer's
// rendering (or a stale one) to another.
func TestFragmentNames(t *testing.T) {
	question := TopicPage{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion}}}
	discussion := TopicPage{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindDiscussion}}}
	for _, tp := range []TopicPage{question, discussion} {
		pv := samplePostView()
		n := checkNames(t, &pv, func() string { return postName(&tp, &pv) }, func() string { return html(t, Post(tp, pv)) })
		if n < 40 {
			t.Fatalf("checked %d fields of a post view; the walk missed most of them", n)
		}
	}
	for _, showSpace := range []bool{true, false} {
		it := sampleTopicItem()
		checkNames(t, &it, func() string { return rowName(&it, showSpace) }, func() string { return html(t, TopicRow(it, showSpace)) })
		if rowName(&it, showSpace) == rowName(&it, !showSpace) {
			t.Error("a row with and without its space has one name")
		}
	}
	hit := sampleSearchHit()
	checkNames(t, &hit, func() string { return hitName(&hit) }, func() string { return html(t, searchHit(hit)) })
	pv := samplePostView()
	for _, other := range []TopicPage{
		{View: content.TopicView{Topic: model.Topic{ID: 8, Kind: model.KindQuestion}}},
		discussion,
		{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion}, Originals: map[int64]string{11: "https://example.org/c/11"}}},
		{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion, Slug: "renamed"}}},
		{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion}, Page: 2}},
		{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion}, Order: store.AnswersByNewest}},
	} {
		if postName(&other, &pv) == postName(&question, &pv) {
			t.Errorf("a post on %+v has the same name as on the base topic", other.View.Topic)
		}
	}
}

// checkNames walks the leaf fields under ptr, changes each in turn and
// fails when the rendering changed but the name did not. It returns how many
// fields it changed.
func checkNames(t *testing.T, ptr any, name, render func() string) int {
	t.Helper()
	baseName, baseHTML := name(), render()
	checked := 0
	var walk func(path string, v reflect.Value)
	walk = func(path string, v reflect.Value) {
		switch {
		case v.Kind() == reflect.Struct && v.Type() != reflect.TypeFor[time.Time]():
			for i := range v.NumField() {
				walk(strings.TrimPrefix(path+"."+v.Type().Field(i).Name, "."), v.Field(i))
			}
			return
		case v.Kind() == reflect.Slice && v.Type().Elem().Kind() == reflect.Struct:
			for i := range v.Len() {
				walk(path, v.Index(i))
			}
			return
		}
		old := reflect.New(v.Type()).Elem()
		old.Set(v)
		mutate(t, path, v)
		if render() != baseHTML && name() == baseName {
			t.Errorf("changing %s (%s) changes the HTML but not the fragment's name", path, v.Type())
		}
		v.Set(old)
		checked++
	}
	walk("", reflect.ValueOf(ptr).Elem())
	if name() != baseName || render() != baseHTML {
		t.Fatal("the walk did not restore the value")
	}
	return checked
}

func html(t *testing.T, c interface {
	Render(context.Context, io.Writer) error
}) string {
	t.Helper()
	var b bytes.Buffer
	if err := c.Render(context.Background(), &b); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// mutate changes one leaf value of a post view.
func mutate(t *testing.T, path string, v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		v.SetString(v.String() + "x")
	case reflect.Int, reflect.Int64:
		v.SetInt(v.Int() + 1)
	case reflect.Bool:
		v.SetBool(!v.Bool())
	case reflect.Pointer:
		if v.IsNil() {
			v.Set(reflect.New(v.Type().Elem()))
			break
		}
		v.Set(reflect.Zero(v.Type()))
	case reflect.Slice: // of strings
		v.Set(reflect.Append(v, reflect.ValueOf("more")))
	case reflect.Map: // of originals
		v.Set(reflect.ValueOf(map[int64]string{1: "x"}))
	case reflect.Struct: // time.Time
		v.Set(reflect.ValueOf(v.Interface().(time.Time).Add(time.Second)))
	default:
		t.Fatalf("%s: no way to change a %s; teach mutate or hashPostView", path, v.Type())
	}
}

// TestCachedFragmentsRenderLikeFresh holds that a post or a row from the
// cache is the same bytes as one rendered afresh, and that a viewer with
// other rights gets their own rendering.
func TestCachedFragmentsRenderLikeFresh(t *testing.T) {
	tp := TopicPage{View: content.TopicView{Topic: model.Topic{ID: 9, Kind: model.KindQuestion}}}
	frags := NewFragments(1 << 20)
	ctx := WithFragments(context.Background(), frags)
	p := samplePostView()
	p.Post.DeletedAt, p.CanVote = nil, true
	it := sampleTopicItem()
	cachedHTML := func(c interface {
		Render(context.Context, io.Writer) error
	}) string {
		var b bytes.Buffer
		if err := c.Render(ctx, &b); err != nil {
			t.Fatal(err)
		}
		return b.String()
	}
	tp.View.Posts = []content.PostView{p}
	for range 2 {
		if got, want := cachedHTML(cachedPost(&tp, 0)), html(t, Post(tp, p)); got != want {
			t.Fatalf("cached post differs from a fresh one:\n%s\n%s", got, want)
		}
		if got, want := cachedHTML(cachedTopicRow(&it, true)), html(t, TopicRow(it, true)); got != want {
			t.Fatalf("cached row differs from a fresh one:\n%s\n%s", got, want)
		}
	}
	if st := frags.Stats(); st.Hits != 2 || st.Misses != 2 {
		t.Errorf("two renders of a post and a row: %+v, want two misses then two hits", st)
	}
	tp.View.Posts[0].CanEdit = true
	if got := cachedHTML(cachedPost(&tp, 0)); !strings.Contains(got, "/p/10/edit") || got != html(t, Post(tp, tp.View.Posts[0])) {
		t.Errorf("a viewer who may edit got another's rendering:\n%s", got)
	}
}

// TestAgoKeyFollowsAgo: fragment names hash agoKey in place of Ago, so two
// times whose Ago differs must differ in agoKey (with the time itself, which
// names hash too). Checked over times from a day ahead to three years back,
// in steps that cross every unit Ago shows.
func TestAgoKeyFollowsAgo(t *testing.T) {
	now := time.Now()
	var times []time.Time
	for d := -24 * time.Hour; d < 3*365*24*time.Hour; {
		times = append(times, now.Add(-d))
		switch {
		case d < 2*time.Hour:
			d += 17 * time.Second
		case d < 40*24*time.Hour:
			d += 7 * time.Minute
		default:
			d += 5 * time.Hour
		}
	}
	type key struct {
		k    int64
		text string
	}
	seen := map[key]string{}
	for _, tm := range times {
		k, text := agoKey(tm)
		ago := Ago(tm)
		kk := key{k, text}
		if k >= 5 { // older than 30 days: the date is the time's own
			kk.text = tm.Format("2006-01-02")
		}
		if prev, ok := seen[kk]; ok && prev != ago {
			t.Fatalf("agoKey %v for %v shows %q, and for another time %q", kk, tm, ago, prev)
		}
		seen[kk] = ago
	}
	if len(seen) < 100 {
		t.Fatalf("only %d distinct keys over three years", len(seen))
	}
}
