package matrix

import (
	"bufio"
	"fmt"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"practica/internal/testenv"
)

// row is one line of the table: an action through a surface on content in a
// space and a state, with one expected outcome per role.
type row struct {
	action, surface, space, state string
	want                          []string // by role, in the order of roles
	line                          int
}

// cell is one role's expectation in a row.
type cell struct {
	row
	role string
	want string
	bug  string // a known-bug description, when the product gets it wrong today
}

func (c cell) name() string {
	return strings.Join([]string{c.action, c.surface, c.space, c.state, c.role}, "/")
}

func (r row) key() string { return r.action + " " + r.surface }

// table is matrix.txt, parsed.
type table struct {
	roles    []string
	rows     []row
	missing  []string          // n/a lines: features that do not exist yet
	bugs     map[string]string // known-bug descriptions by cell name
	bugLines map[string]int
}

func parseTable(path string) (table, error) {
	f, err := os.Open(path)
	if err != nil {
		return table{}, err
	}
	defer f.Close()
	tb := table{bugs: map[string]string{}, bugLines: map[string]int{}}
	sc := bufio.NewScanner(f)
	n := 0
	for sc.Scan() {
		n++
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "" || strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "roles:"):
			tb.roles = strings.Fields(strings.TrimPrefix(line, "roles:"))
		case strings.HasPrefix(line, "n/a "):
			tb.missing = append(tb.missing, strings.TrimSpace(strings.TrimPrefix(line, "n/a ")))
		case strings.HasPrefix(line, "known-bug "):
			head, desc, ok := strings.Cut(strings.TrimPrefix(line, "known-bug "), ":")
			parts := strings.Fields(head)
			if !ok || len(parts) != 5 || strings.TrimSpace(desc) == "" {
				return tb, fmt.Errorf("line %d: want \"known-bug ACTION SURFACE SPACE STATE ROLE: description\", got %q", n, line)
			}
			tb.bugs[strings.Join(parts, "/")] = strings.TrimSpace(desc)
			tb.bugLines[strings.Join(parts, "/")] = n
		default:
			fields := strings.Fields(line)
			if tb.roles == nil {
				return tb, fmt.Errorf("line %d: a row before the roles: line", n)
			}
			if len(fields) != 4+len(tb.roles) {
				return tb, fmt.Errorf("line %d: %d fields, want 4 + %d roles: %q", n, len(fields), len(tb.roles), line)
			}
			tb.rows = append(tb.rows, row{action: fields[0], surface: fields[1], space: fields[2], state: fields[3], want: fields[4:], line: n})
		}
	}
	return tb, sc.Err()
}

// doorless reports whether a role has no door to a surface at all: a
// read-only token opens only the JSON API, and a guest has no mailbox.
func doorless(role, surface string) bool {
	switch role {
	case "readtoken":
		return !strings.HasSuffix(surface, "api")
	case "guest":
		return surface == "email"
	}
	return false
}

// validate checks the table against the probes: every row has a probe, every
// probe's rows are all there, once, and every cell holds a value its probe can
// observe. Nothing in the table goes unexercised.
func validate(tb table) []string {
	var errs []string
	if !slices.Equal(tb.roles, roleNames) {
		errs = append(errs, fmt.Sprintf("roles: %v, want %v", tb.roles, roleNames))
	}
	seen := map[string]int{}
	cells := map[string]bool{}
	for _, r := range tb.rows {
		p, ok := probes[r.key()]
		if !ok {
			errs = append(errs, fmt.Sprintf("line %d: no probe performs %q: the code path does not exist (or the row is misspelt)", r.line, r.key()))
			continue
		}
		if !slices.Contains(spaceNames, r.space) || !slices.Contains(p.states, r.state) {
			errs = append(errs, fmt.Sprintf("line %d: %s takes spaces %v and states %v, not %s/%s", r.line, r.key(), spaceNames, p.states, r.space, r.state))
		}
		k := r.key() + " " + r.space + " " + r.state
		if prev, dup := seen[k]; dup {
			errs = append(errs, fmt.Sprintf("line %d: %s repeats line %d", r.line, k, prev))
		}
		seen[k] = r.line
		for i, want := range r.want {
			if i >= len(tb.roles) {
				break
			}
			role := tb.roles[i]
			cells[strings.Join([]string{r.action, r.surface, r.space, r.state, role}, "/")] = true
			if (want == "-") != doorless(role, r.surface) {
				errs = append(errs, fmt.Sprintf("line %d: %s has %q for %s; \"-\" is for (and only for) a role with no door to %s", r.line, k, want, role, r.surface))
			} else if want != "-" && !p.accepts(want) {
				errs = append(errs, fmt.Sprintf("line %d: %s cannot observe %q (for %s); it observes %v or a status code", r.line, k, want, role, p.values))
			}
		}
	}
	for key, p := range probes {
		for _, sp := range spaceNames {
			for _, st := range p.states {
				if _, ok := seen[key+" "+sp+" "+st]; !ok {
					errs = append(errs, fmt.Sprintf("missing row: %s %s %s", key, sp, st))
				}
			}
		}
	}
	for name, line := range tb.bugLines {
		if !cells[name] {
			errs = append(errs, fmt.Sprintf("line %d: known-bug names no cell of the table: %s", line, name))
		}
	}
	sort.Strings(errs)
	return errs
}

// TestPermissionMatrix asserts every cell of matrix.txt through the real
// router, search, export and outbox.
func TestPermissionMatrix(t *testing.T) {
	tb, err := parseTable("matrix.txt")
	if err != nil {
		t.Fatalf("parse matrix.txt: %v", err)
	}
	if errs := validate(tb); len(errs) > 0 {
		t.Fatalf("matrix.txt does not match the probes (%d problems):\n%s", len(errs), strings.Join(errs, "\n"))
	}
	for _, m := range tb.missing {
		t.Run("n/a/"+strings.Fields(strings.ReplaceAll(m, ":", " "))[0], func(t *testing.T) { t.Skip("feature does not exist yet: " + m) })
	}
	start := time.Now()
	w := buildWorld(t)
	built := time.Since(start)

	rows := slices.Clone(tb.rows)
	sort.SliceStable(rows, func(i, j int) bool { return probes[rows[i].key()].phase < probes[rows[j].key()].phase })
	asserted, doorlessCount, bugs := map[string]int{}, 0, 0
	observed := map[string]string{}
	for _, r := range rows {
		p := probes[r.key()]
		for i, role := range tb.roles {
			c := cell{row: r, role: role, want: r.want[i]}
			c.bug = tb.bugs[c.name()]
			if c.want == "-" {
				doorlessCount++
				continue
			}
			t.Run(c.name(), func(t *testing.T) {
				if p.phase > 0 {
					w.e.Clock.Advance(61 * time.Second) // stay under the posting limit
				}
				got, req := p.run(t, w, c)
				observed[c.name()] = got
				switch {
				case got == c.want && c.bug != "":
					t.Errorf("%s as %s: got %s as the table wants, but the cell is marked known-bug (%s): remove the known-bug line", req, role, got, c.bug)
				case got == c.want:
					asserted[r.surface]++
				case c.bug != "":
					bugs++
					t.Skipf("known bug: %s (%s as %s: got %s, want %s)", c.bug, req, role, got, c.want)
				default:
					t.Errorf("%s as %s (matrix.txt line %d, engine %s): got %s, want %s", req, role, r.line, testenv.Engine(), got, c.want)
				}
			})
		}
	}
	total := 0
	var parts []string
	for _, s := range []string{"html", "api", "search-html", "search-api", "export-html", "export-api", "email"} {
		total += asserted[s]
		parts = append(parts, fmt.Sprintf("%s %d", s, asserted[s]))
	}
	t.Logf("permission matrix on %s: %d cells asserted (%s); %d known-bug cells skipped; %d cells without a door (\"-\"); %d features n/a; world built in %v, whole run %v",
		testenv.Engine(), total, strings.Join(parts, ", "), bugs, doorlessCount, len(tb.missing), built.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
	if path := os.Getenv("MATRIX_RECORD"); path != "" {
		record(t, path, tb, observed)
	}
}

// record writes the table's rows with the observed outcomes, for a person to
// compare with matrix.txt when a feature lands (MATRIX_RECORD=file). What it
// writes is evidence, never a new expectation by itself.
func record(t *testing.T, path string, tb table, observed map[string]string) {
	var b strings.Builder
	for _, r := range tb.rows {
		fmt.Fprintf(&b, "%-20s %-12s %-9s %-8s", r.action, r.surface, r.space, r.state)
		for i, role := range tb.roles {
			got := observed[strings.Join([]string{r.action, r.surface, r.space, r.state, role}, "/")]
			if got == "" {
				got = r.want[i]
			}
			fmt.Fprintf(&b, " %-11s", got)
		}
		b.WriteString("\n")
	}
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Errorf("record: %v", err)
	}
}

// isStatus reports whether s is a three-digit HTTP status.
func isStatus(s string) bool {
	n, err := strconv.Atoi(s)
	return err == nil && n >= 100 && n <= 599
}
