package content

import "strings"

// DiffOp says whether a diff line was kept, added or removed.
type DiffOp int

// Diff operations.
const (
	Same DiffOp = iota
	Added
	Removed
)

// DiffLine is one line of a line diff.
type DiffLine struct {
	Op   DiffOp
	Text string
}

// maxDiffCells bounds the LCS table so a huge edit cannot use unbounded memory.
const maxDiffCells = 4_000_000

// Diff returns the line diff that turns a into b (longest common subsequence).
// Very large inputs fall back to "all removed, all added".
func Diff(a, b string) []DiffLine {
	x, y := splitLines(a), splitLines(b)
	// Trim the common prefix and suffix first; most edits are local.
	pre := 0
	for pre < len(x) && pre < len(y) && x[pre] == y[pre] {
		pre++
	}
	suf := 0
	for suf < len(x)-pre && suf < len(y)-pre && x[len(x)-1-suf] == y[len(y)-1-suf] {
		suf++
	}
	out := make([]DiffLine, 0, len(x)+len(y))
	for _, l := range x[:pre] {
		out = append(out, DiffLine{Same, l})
	}
	out = append(out, diffMiddle(x[pre:len(x)-suf], y[pre:len(y)-suf])...)
	for _, l := range x[len(x)-suf:] {
		out = append(out, DiffLine{Same, l})
	}
	return out
}

// splitLines splits s into lines; an empty text has no lines at all (not one
// empty line), so a first revision diffs as "all added".
func splitLines(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func diffMiddle(x, y []string) []DiffLine {
	var out []DiffLine
	if (len(x)+1)*(len(y)+1) > maxDiffCells {
		for _, l := range x {
			out = append(out, DiffLine{Removed, l})
		}
		for _, l := range y {
			out = append(out, DiffLine{Added, l})
		}
		return out
	}
	// lcs[i][j] = length of the LCS of x[i:] and y[j:].
	w := len(y) + 1
	lcs := make([]int32, (len(x)+1)*w)
	for i := len(x) - 1; i >= 0; i-- {
		for j := len(y) - 1; j >= 0; j-- {
			if x[i] == y[j] {
				lcs[i*w+j] = lcs[(i+1)*w+j+1] + 1
			} else {
				lcs[i*w+j] = max(lcs[(i+1)*w+j], lcs[i*w+j+1])
			}
		}
	}
	i, j := 0, 0
	for i < len(x) && j < len(y) {
		switch {
		case x[i] == y[j]:
			out = append(out, DiffLine{Same, x[i]})
			i, j = i+1, j+1
		case lcs[(i+1)*w+j] >= lcs[i*w+j+1]:
			out = append(out, DiffLine{Removed, x[i]})
			i++
		default:
			out = append(out, DiffLine{Added, y[j]})
			j++
		}
	}
	for ; i < len(x); i++ {
		out = append(out, DiffLine{Removed, x[i]})
	}
	for ; j < len(y); j++ {
		out = append(out, DiffLine{Added, y[j]})
	}
	return out
}

// DiffRow is one row of a side-by-side diff: the old line on the left, the
// new one on the right; a side is nil where that version has no line.
type DiffRow struct {
	Left, Right *DiffLine
}

// SideBySide lays a line diff out in two columns: unchanged lines on both
// sides, and each run of removed lines beside the run of added lines that
// replaced it.
func SideBySide(lines []DiffLine) []DiffRow {
	var rows []DiffRow
	for i := 0; i < len(lines); {
		if lines[i].Op == Same {
			rows = append(rows, DiffRow{&lines[i], &lines[i]})
			i++
			continue
		}
		var removed, added []*DiffLine
		for ; i < len(lines) && lines[i].Op == Removed; i++ {
			removed = append(removed, &lines[i])
		}
		for ; i < len(lines) && lines[i].Op == Added; i++ {
			added = append(added, &lines[i])
		}
		for j := 0; j < max(len(removed), len(added)); j++ {
			var row DiffRow
			if j < len(removed) {
				row.Left = removed[j]
			}
			if j < len(added) {
				row.Right = added[j]
			}
			rows = append(rows, row)
		}
	}
	return rows
}
