// Package reputation holds the rules that turn votes and accepted answers into
// reputation, and the thresholds at which reputation earns privileges. It is
// pure: callers gather facts from the store and record what the rules return
// in the ledger.
package reputation

import (
	"fmt"
	"strconv"
	"strings"

	"practica/internal/model"
)

// Config is every tunable number: points per event and privilege thresholds.
// Organizers change them in settings; the defaults follow Stack Exchange.
type Config struct {
	QuestionUpvote int64
	AnswerUpvote   int64
	Accepted       int64
	Accepting      int64
	Downvoted      int64
	DownvoteCast   int64

	Privileges map[Privilege]int64
}

// Privilege is something reputation unlocks.
type Privilege string

// Privileges, in the order the privileges page lists them. Asking, answering
// and upvoting need no reputation: newcomers must be able to take part.
const (
	CommentEverywhere Privilege = "comment_everywhere"
	EditWiki          Privilege = "edit_wiki"
	Downvote          Privilege = "downvote"
	CreateTags        Privilege = "create_tags"
	EditOthers        Privilege = "edit_others"
	CloseReopen       Privilege = "close_reopen"
)

// PrivilegeInfo describes a privilege for people.
type PrivilegeInfo struct {
	Key   Privilege
	Name  string
	About string
}

// AllPrivileges lists every privilege with what it allows.
var AllPrivileges = []PrivilegeInfo{
	{CommentEverywhere, "Comment everywhere", "Leave comments on any question or answer. Below it, you can comment on your own posts and on answers to your questions."},
	{EditWiki, "Edit community wiki", "Edit answers marked as community wiki."},
	{Downvote, "Vote down", "Mark a question or answer as not useful. Downvoting an answer costs you 1 point."},
	{CreateTags, "Create tags", "Add a tag the community has not used yet."},
	{CloseReopen, "Close and reopen", "Close questions that do not fit the space, and reopen them."},
	{EditOthers, "Edit freely", "Edit anyone's question or answer, and tag descriptions, directly. Below it, your edits to others' posts wait in a review queue."},
}

// Default returns the defaults: Stack Exchange's points, and the privilege
// thresholds of its young (beta) sites, which suit a community that is
// still small better than those of a site with millions of members.
func Default() Config {
	return Config{
		QuestionUpvote: 5, AnswerUpvote: 10, Accepted: 15, Accepting: 2, Downvoted: -2, DownvoteCast: -1,
		Privileges: map[Privilege]int64{CommentEverywhere: 50, EditWiki: 100, Downvote: 125, CreateTags: 150, EditOthers: 1000, CloseReopen: 500},
	}
}

// Setting is one tunable number as stored in the settings table.
type Setting struct {
	Key   string
	Label string
	Value *int64
}

// Settings lists c's points per event with their settings keys, for loading,
// saving and showing them. Privilege thresholds are keyed by PrivilegeKey.
func (c *Config) Settings() []Setting {
	out := []Setting{
		{"reputation.question_upvote", "Question upvoted", &c.QuestionUpvote},
		{"reputation.answer_upvote", "Answer upvoted", &c.AnswerUpvote},
		{"reputation.accepted", "Answer accepted (to its author)", &c.Accepted},
		{"reputation.accepting", "Accepting an answer (to the asker)", &c.Accepting},
		{"reputation.downvoted", "Question or answer downvoted", &c.Downvoted},
		{"reputation.downvote_cast", "Casting a downvote on an answer", &c.DownvoteCast},
	}
	return out
}

// PrivilegeKey is the settings key of a privilege's threshold.
func PrivilegeKey(p Privilege) string { return "privilege." + string(p) }

// Load returns the defaults overridden by any valid values in settings.
func Load(settings map[string]string) Config {
	c := Default()
	for _, s := range c.Settings() {
		if raw, ok := settings[s.Key]; ok {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n >= -1000 && n <= 1000 {
				*s.Value = n
			}
		}
	}
	for _, p := range AllPrivileges {
		if raw, ok := settings[PrivilegeKey(p.Key)]; ok {
			if n, err := strconv.ParseInt(raw, 10, 64); err == nil && n >= 0 && n <= 1000000 {
				c.Privileges[p.Key] = n
			}
		}
	}
	return c
}

// Has reports whether someone with rep reputation holds privilege p. Staff
// hold every privilege.
func (c Config) Has(u *model.User, p Privilege) bool {
	if u == nil {
		return false
	}
	if u.Role == model.RoleAdmin || u.Role == model.RoleModerator {
		return true
	}
	return u.Reputation >= c.Privileges[p]
}

// Award is one user's share of a source's effect.
type Award struct {
	UserID int64
	Delta  int64
	Reason string
}

// Reasons recorded in the ledger.
const (
	ReasonQuestionUpvoted   = "question_upvoted"
	ReasonAnswerUpvoted     = "answer_upvoted"
	ReasonQuestionDownvoted = "question_downvoted"
	ReasonAnswerDownvoted   = "answer_downvoted"
	ReasonDownvoteCast      = "downvote_cast"
	ReasonAccepted          = "answer_accepted"
	ReasonAccepting         = "accepted_an_answer"
)

// VoteFact is what the rules need to know about one vote.
type VoteFact struct {
	PostID, VoterID, AuthorID int64
	Value                     int
	Kind                      model.PostKind
	// Live: the post and its topic are not deleted.
	Live bool
	// Wiki: a community wiki post, whose votes earn nobody reputation.
	Wiki bool
}

// VoteSource names the ledger source of a member's vote on a post.
func VoteSource(postID, voterID int64) string { return fmt.Sprintf("vote:%d:%d", postID, voterID) }

// ForVote returns what a vote is worth now: nothing once its post is gone
// or has become community wiki.
func (c Config) ForVote(f VoteFact) []Award {
	if !f.Live || f.Wiki || f.Value == 0 || f.VoterID == f.AuthorID {
		return nil
	}
	question := f.Kind == model.PostOpening
	switch {
	case f.Value > 0 && question:
		return []Award{{f.AuthorID, c.QuestionUpvote, ReasonQuestionUpvoted}}
	case f.Value > 0:
		return []Award{{f.AuthorID, c.AnswerUpvote, ReasonAnswerUpvoted}}
	case question:
		return []Award{{f.AuthorID, c.Downvoted, ReasonQuestionDownvoted}}
	}
	return []Award{{f.AuthorID, c.Downvoted, ReasonAnswerDownvoted}, {f.VoterID, c.DownvoteCast, ReasonDownvoteCast}}
}

// AcceptFact is what the rules need to know about a question's accepted answer.
type AcceptFact struct {
	TopicID, AskerID int64
	// AnswerID is 0 when no answer is accepted.
	AnswerID, AnswerAuthorID int64
	Live                     bool
	// Imported: the question came from another platform, where its accepted
	// answer already earned the reputation that came with the import.
	Imported bool
	// QuestionID is the question's opening post, which ledger rows name when
	// no answer is accepted (a reversal still belongs to the question).
	QuestionID int64
}

// Post is the post a ledger row of this source names: the accepted answer,
// or the question when none is.
func (f AcceptFact) Post() int64 {
	if f.AnswerID != 0 {
		return f.AnswerID
	}
	return f.QuestionID
}

// ImportSource names the ledger source of the reputation members brought
// with an import; it is kept as recorded, not recomputed.
func ImportSource(importID int64) string { return fmt.Sprintf("import:%d", importID) }

// Trusted reports whether a source's rows are facts to keep rather than
// effects to recompute from local state.
func Trusted(source string) bool { return strings.HasPrefix(source, "import:") }

// AcceptSource names the ledger source of a question's accepted answer.
func AcceptSource(topicID int64) string { return fmt.Sprintf("accept:%d", topicID) }

// ForAccept returns what an accepted answer is worth now. Accepting one's own
// answer earns nothing.
func (c Config) ForAccept(f AcceptFact) []Award {
	if !f.Live || f.Imported || f.AnswerID == 0 || f.AnswerAuthorID == f.AskerID {
		return nil
	}
	return []Award{{f.AnswerAuthorID, c.Accepted, ReasonAccepted}, {f.AskerID, c.Accepting, ReasonAccepting}}
}
