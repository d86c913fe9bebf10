package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
)

// Writes to hot rows run last. Some rows take a write from nearly every
// transaction of a kind: the topic count of a space (every new topic there),
// a tag's count in a space, the reputation of a member whose answers are
// being voted on. On PostgreSQL a row stays locked from the statement that
// writes it until the commit, so such a write made midway held the row
// through the rest of the transaction (the search row, the readback of the
// answer, the commit's flush) and the transactions that needed the row ran
// one after the other. Written at the end, each holds it for the commit
// only. On SQLite (one writer) the order makes no difference.
//
// A transaction's own reads after atEnd do not see the change; recounts
// run what is pending first (runLate), so a counter set from its COUNT is
// never adjusted again afterwards.

// lateStmt is a write deferred to the end of its transaction.
type lateStmt struct {
	table string
	id    int64
	query string
	args  []any
}

// atEnd queues a write to row id of table for the end of the write
// transaction q belongs to.
func (q *Queries) atEnd(table string, id int64, query string, args ...any) {
	q.changed.late = append(q.changed.late, lateStmt{table: table, id: id, query: query, args: args})
}

// runLate runs the transaction's pending late writes, ordered by table and
// row (stably, so one row's statements keep their order): two transactions
// then lock the rows they share in the same order and cannot deadlock.
func (q *Queries) runLate(ctx context.Context) error {
	if q.changed == nil || len(q.changed.late) == 0 {
		return nil
	}
	late := q.changed.late
	q.changed.late = nil
	slices.SortStableFunc(late, func(a, b lateStmt) int {
		return cmp.Or(cmp.Compare(a.table, b.table), cmp.Compare(a.id, b.id))
	})
	for _, st := range late {
		if _, err := q.db.ExecContext(ctx, st.query, st.args...); err != nil {
			return classify(fmt.Sprintf("update %s %d", st.table, st.id), err)
		}
	}
	return nil
}

// runTx runs a write transaction's function and then its late writes.
func runTx(ctx context.Context, fn func(q *Queries) error, q *Queries) error {
	if err := fn(q); err != nil {
		return err
	}
	return q.runLate(ctx)
}
