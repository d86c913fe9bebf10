package transfer

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"time"

	"practica/internal/db"
)

// Digest sums up a table's content: its row count and a SHA-256 that is the
// same on SQLite and PostgreSQL for the same rows.
type Digest struct {
	Rows   int64
	SHA256 string
}

// Short is the first 12 hex digits of the hash, for summaries.
func (d Digest) Short() string {
	if len(d.SHA256) < 12 {
		return d.SHA256
	}
	return d.SHA256[:12]
}

// digestTable hashes every row of t. Each row is encoded canonically (columns
// in name order, each value tagged with its kind: integers and booleans as
// integers, text and blobs as bytes, times in UTC at the microsecond, which
// is PostgreSQL's resolution) and hashed; the table's hash is the SHA-256 of
// the sorted row hashes. Sorting in Go rather than in SQL keeps the result
// independent of each engine's collation.
func digestTable(ctx context.Context, q querier, t Table) (Digest, error) {
	cols := slices.Clone(t.Columns)
	sort.Strings(cols)
	rows, err := q.QueryContext(ctx, `SELECT `+idents(cols)+` FROM `+ident(t.Name))
	if err != nil {
		return Digest{}, fmt.Errorf("transfer: read %s: %w", t.Name, err)
	}
	defer rows.Close()
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	var sums [][sha256.Size]byte
	var buf bytes.Buffer
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return Digest{}, fmt.Errorf("transfer: read %s: %w", t.Name, err)
		}
		buf.Reset()
		for _, v := range vals {
			encodeValue(&buf, v)
		}
		sums = append(sums, sha256.Sum256(buf.Bytes()))
	}
	if err := rows.Err(); err != nil {
		return Digest{}, fmt.Errorf("transfer: read %s: %w", t.Name, err)
	}
	sort.Slice(sums, func(i, j int) bool { return bytes.Compare(sums[i][:], sums[j][:]) < 0 })
	h := sha256.New()
	for _, s := range sums {
		h.Write(s[:])
	}
	return Digest{Rows: int64(len(sums)), SHA256: hex.EncodeToString(h.Sum(nil))}, nil
}

// encodeValue appends one value, tagged and length-prefixed so that no two
// different rows encode alike.
func encodeValue(buf *bytes.Buffer, v any) {
	var s string
	tag := byte('s')
	switch x := v.(type) {
	case nil:
		buf.WriteByte('n')
		return
	case int64:
		tag, s = 'i', strconv.FormatInt(x, 10)
	case bool:
		tag, s = 'i', "0"
		if x {
			s = "1"
		}
	case float64:
		tag, s = 'f', strconv.FormatFloat(x, 'g', -1, 64)
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			tag, s = 'i', strconv.FormatInt(int64(x), 10)
		}
	case string:
		s = x
	case []byte:
		s = string(x)
	case time.Time:
		tag, s = 't', x.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano)
	default:
		tag, s = '?', fmt.Sprintf("%T:%v", v, v)
	}
	buf.WriteByte(tag)
	var n [binary.MaxVarintLen64]byte
	buf.Write(n[:binary.PutUvarint(n[:], uint64(len(s)))])
	buf.WriteString(s)
}

// Digests hashes every listed table.
func digests(ctx context.Context, q querier, tables []Table) (map[string]Digest, error) {
	out := map[string]Digest{}
	for _, t := range tables {
		d, err := digestTable(ctx, q, t)
		if err != nil {
			return nil, err
		}
		out[t.Name] = d
	}
	return out, nil
}

// snapshot asks for a transaction that reads one consistent state: a
// deferred read transaction on SQLite (WAL), REPEATABLE READ on PostgreSQL.
var snapshot = &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}

// Digests returns the digest of every data table of d, all read in one
// transaction, so they describe one moment even while d is being written.
func Digests(ctx context.Context, d *db.DB) (map[string]Digest, error) {
	tx, err := d.Read.BeginTx(ctx, snapshot)
	if err != nil {
		return nil, fmt.Errorf("transfer: begin: %w", err)
	}
	defer tx.Rollback()
	tables, err := tableList(ctx, d, tx)
	if err != nil {
		return nil, err
	}
	return digests(ctx, tx, tables)
}
