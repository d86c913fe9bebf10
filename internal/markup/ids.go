package markup

import (
	"strconv"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/util"
)

// headingIDs gives headings the ids goldmark's own generator gives, without
// its quadratic search: for the k-th heading of one name goldmark tries
// name-1, name-2, … name-k in turn, so a 50 KB post of 12,500 "# a" lines
// took 25 s of CPU to render (an algorithmic denial of service any member
// could send). This one remembers, per name, the suffix to try next: every
// lower one is taken, as the set of ids only grows.
type headingIDs struct {
	used map[string]bool
	next map[string]int
}

// convertOpts gives one conversion its own id generator.
func convertOpts() parser.ParseOption {
	ids := &headingIDs{used: map[string]bool{}, next: map[string]int{}}
	return parser.WithContext(parser.NewContext(parser.WithIDs(ids)))
}

// Generate returns a new id for a heading with text value.
func (s *headingIDs) Generate(value []byte, kind ast.NodeKind) []byte {
	base := idBase(value, kind)
	if !s.used[base] {
		s.used[base] = true
		return []byte(base)
	}
	for i := max(1, s.next[base]); ; i++ {
		id := base + "-" + strconv.Itoa(i)
		if !s.used[id] {
			s.used[id] = true
			s.next[base] = i + 1
			return []byte(id)
		}
	}
}

// Put marks an id taken (a heading with an id of its own).
func (s *headingIDs) Put(value []byte) { s.used[string(value)] = true }

// idBase is goldmark's id for value before any suffix: its ASCII letters and
// digits in lower case, spaces, '-' and '_' as '-', everything else dropped.
func idBase(value []byte, kind ast.NodeKind) string {
	value = util.TrimRightSpace(util.TrimLeftSpace(value))
	out := make([]byte, 0, len(value))
	for i := 0; i < len(value); {
		v := value[i]
		l := util.UTF8Len(v)
		i += int(l)
		switch {
		case l != 1:
		case util.IsAlphaNumeric(v):
			if 'A' <= v && v <= 'Z' {
				v += 'a' - 'A'
			}
			out = append(out, v)
		case util.IsSpace(v) || v == '-' || v == '_':
			out = append(out, '-')
		}
	}
	switch {
	case len(out) > 0:
		return string(out)
	case kind == ast.KindHeading:
		return "heading"
	}
	return "id"
}
