package cli

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"practica/internal/importer"
	"practica/internal/markup"
)

func importCmd(ctx context.Context, env Env, args []string) error {
	return dispatch(ctx, env, "import", []sub{
		{"stackexchange", "import a Stack Exchange data dump folder (idempotent; resumes)", importStackExchange},
	}, args)
}

func importStackExchange(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("import stackexchange", "import stackexchange [--space SLUG] [--site URL] DIR", env.Stderr,
		[2]string{"space", "slug of the space to import into (created when missing; default: from the folder name)"},
		[2]string{"site", "address of the original site, for links and attribution (default: https:// + folder name)"})
	if err := s.parse(args); err != nil {
		return err
	}
	if s.fs.NArg() != 1 {
		s.fs.Usage()
		return errors.New("give the dump folder (holding Posts.xml, Users.xml, ...)")
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	opts := importer.Options{Dir: s.fs.Arg(0), Space: s.get("space"), SiteURL: s.get("site")}
	if f, ok := env.Stderr.(*os.File); ok && isTerminal(f) {
		opts.Progress = env.Stderr
	}
	start := time.Now()
	sum, err := importer.StackExchange(ctx, a.Store, markup.New(), a.Now, opts)
	printSummary(env, sum, time.Since(start))
	if err != nil {
		return fmt.Errorf("import stopped (run it again to resume): %w", err)
	}
	return nil
}

// isTerminal reports whether f is a character device (a terminal), where a
// progress line helps; in logs it would only add noise.
func isTerminal(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func printSummary(env Env, sum importer.Summary, took time.Duration) {
	fmt.Fprintf(env.Stdout, "imported into space %q in %s:\n", sum.Space, took.Round(time.Millisecond))
	kinds := map[string]bool{}
	for k := range sum.New {
		kinds[k] = true
	}
	for k := range sum.Existing {
		kinds[k] = true
	}
	for _, k := range sortedKeys(kinds) {
		fmt.Fprintf(env.Stdout, "  %-10s %6d new, %6d already imported\n", k, sum.New[k], sum.Existing[k])
	}
	var steps []string
	for _, st := range sum.Steps {
		steps = append(steps, fmt.Sprintf("%s %s", st.File, st.Took.Round(time.Millisecond)))
	}
	if len(steps) > 0 {
		fmt.Fprintf(env.Stdout, "time per file: %s\n", strings.Join(steps, ", "))
	}
	if len(sum.Skipped) > 0 {
		fmt.Fprintln(env.Stdout, "skipped:")
		reasons := map[string]bool{}
		for r := range sum.Skipped {
			reasons[r] = true
		}
		for _, r := range sortedKeys(reasons) {
			fmt.Fprintf(env.Stdout, "  %6d %s\n", sum.Skipped[r], r)
		}
	}
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
