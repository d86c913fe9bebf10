package cli

import (
	"context"
	"errors"
	"fmt"
)

func reputationCmd(ctx context.Context, env Env, args []string) error {
	return dispatch(ctx, env, "reputation", []sub{
		{"verify", "recompute reputation from votes and accepts; compare with the ledger", reputationVerify},
	}, args)
}

// errMismatch makes verify exit non-zero when the ledger does not match.
var errMismatch = errors.New("reputation does not verify")

func reputationVerify(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("reputation verify", "reputation verify [--fix]", env.Stderr)
	fix := s.fs.Bool("fix", false, "append correcting ledger rows (reason \"recomputed\") and recount")
	if err := s.parse(args); err != nil {
		return err
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	rep, err := a.Content.VerifyReputation(ctx, *fix)
	if err != nil {
		return err
	}
	for _, d := range rep.Drifts {
		fmt.Fprintf(env.Stdout, "user %s (%d): stored reputation %d, ledger sum %d\n", d.Username, d.UserID, d.Stored, d.Ledger)
	}
	for _, m := range rep.Mismatches {
		fmt.Fprintf(env.Stdout, "source %s, user %d: ledger %d, rules give %d\n", m.Source, m.UserID, m.Ledger, m.Want)
	}
	switch {
	case rep.OK() && rep.Fixed:
		fmt.Fprintln(env.Stdout, "reputation fixed: the ledger now matches the votes and accepted answers")
	case rep.OK():
		fmt.Fprintln(env.Stdout, "reputation verified: every ledger source and every stored reputation match")
	default:
		return fmt.Errorf("%w: %d stored reputations and %d ledger sources differ (run with --fix to correct)", errMismatch, len(rep.Drifts), len(rep.Mismatches))
	}
	return nil
}

func searchCmd(ctx context.Context, env Env, args []string) error {
	return dispatch(ctx, env, "search", []sub{
		{"reindex", "rebuild the full-text index of every post", searchReindex},
	}, args)
}

func searchReindex(ctx context.Context, env Env, args []string) error {
	s := newSubFlags("search reindex", "search reindex", env.Stderr)
	if err := s.parse(args); err != nil {
		return err
	}
	a, err := openWith(ctx, env, s)
	if err != nil {
		return err
	}
	defer a.Close()
	n, err := a.Content.Reindex(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(env.Stdout, "search index rebuilt: %d posts\n", n)
	return nil
}
