package view

import (
	"net/url"
	"strconv"
	"strings"

	"practica/internal/content"
	"practica/internal/model"
	"practica/internal/reputation"
	"practica/internal/store"
)

// voteValue is what a vote button sends: its direction, or 0 to take back
// the vote the viewer already cast that way.
func voteValue(current, dir int) string {
	if current == dir {
		return "0"
	}
	return strconv.Itoa(dir)
}

func boolAttr(b bool) string {
	if b {
		return "true"
	}
	return "false"
}

func scoreLabel(n int64) string { return "Score " + strconv.FormatInt(n, 10) }

// signed writes a number with its sign, as reputation changes read.
func signed(n int64) string {
	if n > 0 {
		return "+" + strconv.FormatInt(n, 10)
	}
	return strconv.FormatInt(n, 10)
}

var reasons = map[string]string{
	"question_upvoted":   "Question voted up",
	"answer_upvoted":     "Answer voted up",
	"question_downvoted": "Question voted down",
	"answer_downvoted":   "Answer voted down",
	"downvote_cast":      "Voted an answer down",
	"answer_accepted":    "Answer accepted",
	"accepted_an_answer": "Accepted an answer",
	"vote_retracted":     "Vote taken back",
	"vote_changed":       "Vote changed",
	"accept_undone":      "Acceptance taken back",
	"post_deleted":       "Post deleted",
	"post_restored":      "Post restored",
	"recomputed":         "Corrected by a recount",
	"made_wiki":          "Answer made community wiki",
	"wiki_undone":        "Community wiki undone",
	"imported":           "Brought from Stack Exchange",
}

func reasonText(r string) string {
	if t, ok := reasons[r]; ok {
		return t
	}
	return r
}

var questionSorts = [][2]string{
	{string(store.SortActive), "Active"}, {string(store.SortNewest), "Newest"},
	{string(store.SortUnanswered), "Unanswered"}, {string(store.SortTop), "Top"},
}

// questionsURL links to the questions list (followed: only followed tags);
// with more, it ends ready for a cursor ("after=").
func questionsURL(sort, space, tag string, followed, more bool) string {
	q := url.Values{}
	if followed {
		q.Set("followed", "1")
	}
	if sort != "" && sort != string(store.SortActive) {
		q.Set("sort", sort)
	}
	if space != "" {
		q.Set("space", space)
	}
	if tag != "" {
		q.Set("tag", tag)
	}
	out := "/questions"
	if enc := q.Encode(); enc != "" {
		out += "?" + enc
		if more {
			out += "&after="
		}
	} else if more {
		out += "?after="
	}
	return out
}

// commentForm is the comment form for a post: as submitted when it is the one
// that failed, empty otherwise.
func commentForm(p TopicPage, postID int64) Form {
	if p.CommentOn == postID {
		return p.CommentForm
	}
	return Form{}
}

// answersPageURL links to the next page of answers in the current order.
func answersPageURL(v content.TopicView) string {
	q := url.Values{}
	if v.Order == store.AnswersByNewest {
		q.Set("answers", string(v.Order))
	}
	q.Set("page", strconv.Itoa(v.NextPage))
	return v.Topic.Path() + "?" + q.Encode() + "#answers"
}

// allCommentsURL is the page being shown with every comment under every
// post, in the same order and on the same page of answers.
func allCommentsURL(v content.TopicView) string {
	q := url.Values{}
	if v.Order == store.AnswersByNewest {
		q.Set("answers", string(v.Order))
	}
	if v.Page > 1 {
		q.Set("page", strconv.Itoa(v.Page))
	}
	q.Set("comments", "all")
	return v.Topic.Path() + "?" + q.Encode()
}

func commentDescribedBy(f Form, postID int64) string {
	id := strconv.FormatInt(postID, 10)
	if f.Err("body") != "" {
		return "ce-" + id + " ch-" + id
	}
	return "ch-" + id
}

func followAction(following bool) string {
	if following {
		return "/unfollow"
	}
	return "/follow"
}

func joinNames(names []string) string { return strings.Join(names, ", ") }

// tagMoreURL is a tag page's next-page link, ready for a cursor.
func tagMoreURL(name string, kind model.Kind) string {
	if kind != "" {
		return "/tags/" + name + "?kind=" + string(kind) + "&after="
	}
	return "/tags/" + name + "?after="
}

func leaderboardTitle(b content.LeaderboardView) string {
	switch {
	case b.Space.ID != 0:
		return "Leaderboard: " + b.Space.Name
	case b.Tag.ID != 0:
		return "Leaderboard: " + b.Tag.Name
	}
	return "Leaderboard"
}

func leaderboardURL(period, space, tag string) string {
	q := url.Values{}
	q.Set("period", period)
	if space != "" {
		q.Set("space", space)
	}
	if tag != "" {
		q.Set("tag", tag)
	}
	return "/leaderboard?" + q.Encode()
}

func tierName(t reputation.Tier) string { return "(" + string(t) + ")" }

var leaderboardPeriods = [][2]string{{"week", "This week"}, {"month", "This month"}, {"all", "All time"}}

// badgeURL is a badge's page; imported badge keys hold spaces and colons.
func badgeURL(key string) string { return "/badges/" + url.PathEscape(key) }
