package reputation

import "strings"

// Tier is a badge's rank.
type Tier string

// Badge tiers.
const (
	Bronze Tier = "bronze"
	Silver Tier = "silver"
	Gold   Tier = "gold"
)

// RuleKind says what a badge rule looks at; the store turns each kind into
// one query of (user, post) pairs.
type RuleKind int

// Badge rule kinds.
const (
	// PostScore: a live post of Kind scored at least N (per post when PerPost).
	PostScore RuleKind = iota
	// AnsweredOwn: an answer to one's own question scored at least N.
	AnsweredOwn
	// AcceptedAnswer: one's answer was accepted.
	AcceptedAnswer
	// AcceptedOwnQuestion: one accepted an answer to one's own question.
	AcceptedOwnQuestion
	// Views: a live question viewed at least N times (per post).
	Views
	// VoteCast: cast a vote of value N (1 or -1).
	VoteCast
	// VisitStreak: visited on N consecutive days.
	VisitStreak
)

// Badge is one badge and the rule that awards it.
type Badge struct {
	Key   string
	Name  string
	Tier  Tier
	About string
	Rule  RuleKind
	// Kind is the post kind a PostScore rule counts: "opening" (questions)
	// or "answer".
	Kind string
	N    int64
	// PerPost badges are earned once per post; the rest once per member.
	PerPost bool
}

// Badges is the rule set, in the order the badges page lists them.
var Badges = []Badge{
	{"first-question", "First question", Bronze, "Asked a first question.", PostScore, "opening", -1 << 31, false},
	{"first-answer", "First answer", Bronze, "Answered a question for the first time.", PostScore, "answer", -1 << 31, false},
	{"first-accepted", "First accepted answer", Bronze, "Wrote an answer the asker accepted.", AcceptedAnswer, "", 0, false},
	{"scholar", "Scholar", Bronze, "Accepted an answer to one's own question.", AcceptedOwnQuestion, "", 0, false},
	{"student", "Student", Bronze, "Asked a question that scored 1 or more.", PostScore, "opening", 1, false},
	{"teacher", "Teacher", Bronze, "Answered a question with an answer that scored 1 or more.", PostScore, "answer", 1, false},
	{"self-learner", "Self-learner", Bronze, "Answered one's own question with an answer that scored 3 or more.", AnsweredOwn, "", 3, false},
	{"supporter", "Supporter", Bronze, "Voted something up for the first time.", VoteCast, "", 1, false},
	{"critic", "Critic", Bronze, "Voted something down for the first time.", VoteCast, "", -1, false},
	{"nice-question", "Nice question", Bronze, "A question that scored 10 or more.", PostScore, "opening", 10, true},
	{"nice-answer", "Nice answer", Bronze, "An answer that scored 10 or more.", PostScore, "answer", 10, true},
	{"good-question", "Good question", Silver, "A question that scored 25 or more.", PostScore, "opening", 25, true},
	{"good-answer", "Good answer", Silver, "An answer that scored 25 or more.", PostScore, "answer", 25, true},
	{"popular-question", "Popular question", Silver, "A question viewed 1,000 times.", Views, "", 1000, true},
	{"enthusiast", "Enthusiast", Silver, "Visited on 30 consecutive days.", VisitStreak, "", 30, false},
	{"great-question", "Great question", Gold, "A question that scored 100 or more.", PostScore, "opening", 100, true},
	{"great-answer", "Great answer", Gold, "An answer that scored 100 or more.", PostScore, "answer", 100, true},
	{"famous-question", "Famous question", Gold, "A question viewed 10,000 times.", Views, "", 10000, true},
}

// BadgeByKey returns a badge of the rule set, or an imported one.
func BadgeByKey(key string) (Badge, bool) {
	for _, b := range Badges {
		if b.Key == key {
			return b, true
		}
	}
	if rest, ok := strings.CutPrefix(key, "se:"); ok {
		tier, name, ok := strings.Cut(rest, ":")
		if (tier == string(Bronze) || tier == string(Silver) || tier == string(Gold)) && ok && name != "" {
			return Badge{Key: key, Name: name, Tier: Tier(tier), About: "Earned on Stack Exchange before this community's content moved here."}, true
		}
	}
	return Badge{}, false
}

// ImportedBadgeKey names a badge earned on another platform: "se:" + tier +
// ":" + its name there, so it shows with its tier though it is not one of
// ours.
func ImportedBadgeKey(t Tier, name string) string { return "se:" + string(t) + ":" + name }
