package testenv

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"practica/internal/markup"
	"practica/internal/model"
	"practica/internal/store"
)

// Volume is the size of a bulk dataset for benchmarks: questions in the
// public space with answers spread over them, plus one hot question with
// many answers for deep pages and one with exactly 20 posts.
type Volume struct {
	Topics   int // questions besides the hot and the typical one
	Posts    int // answers spread over those questions
	HotPosts int // answers of the hot question
	Authors  int // placeholder authors besides Alice and Bob
	Tags     int
}

// Filled names what Fill made, so benchmarks can address it.
type Filled struct {
	// Hot has HotPosts answers; Typical has 19 answers (20 posts, one page).
	Hot, Typical model.Topic
	// Tag is on about one question in Tags; Word is in every body, Phrase
	// in about one in eight.
	Tag, Word, Phrase string
	Topics, Posts     int
}

// SmallVolume is what the Go benchmarks use: big enough for lists, deep
// pages and search to do real work, small enough to build in about a second.
var SmallVolume = Volume{Topics: 2000, Posts: 8000, HotPosts: 1000, Authors: 50, Tags: 40}

var volumeWords = strings.Fields(`latency queue cache index vector kernel thread buffer schema router socket
	compiler lattice qubit circuit gradient tensor matrix sensor signal packet cluster replica shard ledger
	widget garden harvest compost trellis mentor lesson rubric seminar workshop chapter draft review`)

// Fill writes v's rows into the public space in bulk (the way an import
// does, through store.InsertRows), with Alice and Bob among the authors, and
// recounts what lists show. The same v gives the same rows. It takes about a
// second for SmallVolume on SQLite.
func (e *Env) Fill(t testing.TB, v Volume) Filled {
	t.Helper()
	ctx := context.Background()
	rng := rand.New(rand.NewPCG(1, 2))
	md := markup.New()
	bodies := make([]string, 64)
	htmls := make([]string, len(bodies))
	for i := range bodies {
		bodies[i] = volumeBody(rng, i)
		htmls[i] = md.Render(bodies[i])
	}
	f := Filled{Tag: "tag-0", Word: "latency", Phrase: "bounded queue"}
	base := e.Clock.Now().Add(-365 * 24 * time.Hour)
	err := e.App.Store.InTx(ctx, func(q *storeQueries) error {
		importID, err := q.StartImport(ctx, "bench-volume", "", e.PublicSpace.ID, base)
		if err != nil {
			return err
		}
		tagIDs := make([]int64, v.Tags)
		for i := range tagIDs {
			if tagIDs[i], err = q.EnsureTag(ctx, fmt.Sprintf("tag-%d", i), base); err != nil {
				return err
			}
		}
		authors := []int64{e.Alice.ID, e.Bob.ID}
		userIDs, err := q.ReserveIDs(ctx, "users", v.Authors)
		if err != nil {
			return err
		}
		var users [][]any
		for i, id := range userIDs {
			users = append(users, store.PlaceholderRow(id, model.User{Username: fmt.Sprintf("author%d", i), DisplayName: fmt.Sprintf("Author %d", i), Role: model.RoleMember, CreatedAt: base}))
			authors = append(authors, id)
		}
		if err := q.InsertRows(ctx, "users", users); err != nil {
			return err
		}
		// Answers per question: Posts spread at random, plus the two named ones.
		n := v.Topics + 2
		answers := make([]int, n)
		for range v.Posts {
			answers[rng.IntN(v.Topics)]++
		}
		answers[n-2], answers[n-1] = 19, v.HotPosts
		total := n
		for _, a := range answers {
			total += a
		}
		topicIDs, err := q.ReserveIDs(ctx, "topics", n)
		if err != nil {
			return err
		}
		postIDs, err := q.ReserveIDs(ctx, "posts", total)
		if err != nil {
			return err
		}
		var topics, topicTags, posts, revs [][]any
		var docs []store.IndexDoc
		next := 0
		var docTags []int64 // the tag ids of the topic whose posts are added, for their search rows
		addPost := func(topicID int64, kind model.PostKind, author int64, at time.Time, title, tags string) {
			id, b := postIDs[next], rng.IntN(len(bodies))
			next++
			p := store.ImportedPost{TopicID: topicID, AuthorID: author, Kind: kind, Body: bodies[b], BodyHTML: htmls[b], Score: int64(rng.IntN(7) - 1), CreatedAt: at}
			posts = append(posts, store.ImportedPostRow(id, p))
			revs = append(revs, store.FirstRevisionRow(id, p, title, tags))
			docs = append(docs, store.IndexDoc{PostID: id, Title: title, Tags: tags, BodyHTML: p.BodyHTML, TagIDs: docTags})
		}
		for i, id := range topicIDs {
			created := base.Add(time.Duration(i) * 2 * time.Minute)
			title := fmt.Sprintf("Question %d about %s and %s", i, volumeWords[rng.IntN(len(volumeWords))], volumeWords[rng.IntN(len(volumeWords))])
			switch i {
			case n - 2:
				title = "Typical question with twenty posts"
			case n - 1:
				title = "Hot question with many answers"
			}
			tags := []string{fmt.Sprintf("tag-%d", i%v.Tags), fmt.Sprintf("tag-%d", (i*7+3)%v.Tags)}
			if tags[1] == tags[0] {
				tags = tags[:1]
			}
			last := created.Add(time.Duration(answers[i]) * time.Minute)
			tp := store.ImportedTopic{ImportID: importID, SpaceID: e.PublicSpace.ID, AuthorID: authors[i%len(authors)], Title: title,
				Slug: fmt.Sprintf("question-%d", i), CreatedAt: created, LastActivity: last}
			topics = append(topics, store.ImportedTopicRow(id, tp))
			docTags = nil
			for _, tag := range tags {
				var tid int64
				fmt.Sscanf(tag, "tag-%d", &tid)
				topicTags = append(topicTags, []any{id, tagIDs[tid]})
				docTags = append(docTags, tagIDs[tid])
			}
			addPost(id, model.PostOpening, tp.AuthorID, created, title, strings.Join(tags, " "))
			for j := range answers[i] {
				addPost(id, model.PostAnswer, authors[rng.IntN(len(authors))], created.Add(time.Duration(j+1)*time.Minute), "", "")
			}
		}
		for _, tb := range []struct {
			table string
			rows  [][]any
		}{{"topics", topics}, {"topic_tags", topicTags}, {"posts", posts}, {"post_revisions", revs}} {
			if err := q.InsertRows(ctx, tb.table, tb.rows); err != nil {
				return err
			}
		}
		if err := q.WriteIndexes(ctx, docs); err != nil {
			return err
		}
		if err := q.RecountImported(ctx, importID, e.PublicSpace.ID); err != nil {
			return err
		}
		if f.Typical, err = q.Topic(ctx, topicIDs[n-2]); err != nil {
			return err
		}
		if f.Hot, err = q.Topic(ctx, topicIDs[n-1]); err != nil {
			return err
		}
		f.Topics, f.Posts = n, total
		return q.FinishImport(ctx, importID, base)
	})
	if err != nil {
		t.Fatalf("fill %+v: %v", v, err)
	}
	return f
}

// volumeBody is a Markdown body of a few hundred to a few thousand
// characters with a code block and a link, like a real answer.
func volumeBody(rng *rand.Rand, i int) string {
	var b strings.Builder
	paras := 1 + i%5
	for p := range paras {
		for range 20 + rng.IntN(60) {
			b.WriteString(volumeWords[rng.IntN(len(volumeWords))])
			b.WriteByte(' ')
		}
		if p == 0 {
			b.WriteString("latency ")
		}
		if i%8 == 0 && p == 0 {
			b.WriteString("with a bounded queue ")
		}
		b.WriteString("and a [link](https://example.org/doc).\n\n")
		if p == 1 {
			b.WriteString("```go\nfor i := range n {\n\tqueue <- i\n}\n```\n\n")
		}
	}
	return b.String()
}
