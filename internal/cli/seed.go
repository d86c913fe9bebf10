package cli

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	"practica/internal/config"
	"practica/internal/seed"
	"practica/internal/transfer"
)

func seedCmd(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("seed", "seed --size S|M|L [--seed N] [--admin-password PW] [--name NAME] [--database URL]", env.Stderr,
		[2]string{"size", "dataset size: S (5k topics), M (50k topics, 500k posts) or L (500k topics, 5M posts)"},
		[2]string{"admin-password", "password of the account \"admin\" (default: a random one, printed once)"},
		[2]string{"name", "community name (default: \"Practica Demo (size S)\")"})
	n := s.fs.Uint64("seed", 1, "random seed: the same seed and size give the same community")
	if err := s.parse(args, "size"); err != nil {
		return err
	}
	size, ok := seed.SizeNamed(s.get("size"))
	if !ok {
		s.fs.Usage()
		return fmt.Errorf("--size %q: choose S, M or L", s.get("size"))
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	opts := seed.Options{Size: size, Seed: *n, AdminPassword: s.get("admin-password"), CommunityName: s.get("name")}
	if f, ok := env.Stderr.(*os.File); ok && isTerminal(f) {
		opts.Progress = env.Stderr
	}
	start := time.Now()
	sum, err := seed.Run(ctx, a.Store, opts)
	if err != nil {
		return err
	}
	took := time.Since(start)
	fmt.Fprintf(env.Stdout, "seeded size %s (seed %d) into %s in %s:\n", size.Name, *n, config.Redacted(a.Config.DatabaseURL), took.Round(time.Millisecond))
	fmt.Fprintf(env.Stdout, "  %d users, %d spaces, %d tags, %d topics, %d replies and answers, %d comments, %d votes\n",
		sum.Users, sum.Spaces, sum.Tags, sum.Topics, sum.Posts, sum.Comments, sum.Votes)
	fmt.Fprintf(env.Stdout, "  hot topic: %s (%d replies)\n", sum.HotTopicPath, min(size.HotPosts, size.Posts/2))
	var steps []string
	for _, st := range sum.Steps {
		steps = append(steps, fmt.Sprintf("%s %s", st.Name, st.Took.Round(time.Millisecond)))
	}
	fmt.Fprintf(env.Stdout, "  time per step: %s (generating busy %s, writing busy %s)\n", strings.Join(steps, ", "),
		sum.GenerateBusy.Round(time.Millisecond), sum.WriteBusy.Round(time.Millisecond))
	var tables []string
	for t, d := range sum.TableBusy {
		tables = append(tables, fmt.Sprintf("%s %s", t, d.Round(time.Millisecond)))
	}
	sort.Strings(tables)
	fmt.Fprintf(env.Stdout, "  writing per table: %s\n", strings.Join(tables, ", "))
	if bytes, err := transfer.Size(ctx, a.DB); err == nil {
		fmt.Fprintf(env.Stdout, "  database size: %s\n", transfer.HumanBytes(bytes))
	}
	if sum.AdminPassword != "" {
		fmt.Fprintf(env.Stdout, "sign in as admin with the password %s (shown only now)\n", sum.AdminPassword)
	} else {
		fmt.Fprintln(env.Stdout, "sign in as admin with the password you gave")
	}
	return nil
}
