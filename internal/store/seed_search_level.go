package store

import (
	"context"
	"database/sql"
	"errors"
	"math"
)

// An index built in one go is one segment (or, when large, the few that
// 'optimize' merged into one) on the lowest level of FTS5's structure, where
// the next merge takes it in: once the indexer has written usermerge (8)
// batches, the merge of level 0 rewrites the whole seeded index, tens of
// thousands of pages on dataset M, while members write. An index grown post
// by post holds its oldest rows on a high level, merged again only after
// about 8^level more batches. FTS5 has no command to place a segment, so
// raiseSegments rewrites the structure record (the row of search_fts_data
// whose id is 10) with empty levels below the segments, which are kept as
// they are: at floor(log8(posts)), the level an index of that many posts
// written one post per batch would have reached.

// structureRowID is the id of FTS5's structure record in search_fts_data.
const structureRowID = 10

// raiseSegments moves the scratch index's segments up to the level an index
// of docs posts grown one batch at a time would hold them on.
func (b *SearchBuilder) raiseSegments(ctx context.Context) error {
	var docs int64
	var rec []byte
	err := b.scratch.QueryRowContext(ctx, `SELECT count(*) FROM search_fts_docsize`).Scan(&docs)
	if err == nil {
		err = b.scratch.QueryRowContext(ctx, `SELECT block FROM search_fts_data WHERE id = ?`, structureRowID).Scan(&rec)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return nil // nothing indexed
	}
	if err != nil {
		return classify("raise search segments", err)
	}
	raised, err := raiseStructure(rec, organicLevel(docs))
	if err != nil || raised == nil {
		return err
	}
	_, err = b.scratch.ExecContext(ctx, `UPDATE search_fts_data SET block = ? WHERE id = ?`, raised, structureRowID)
	return classify("raise search segments", err)
}

// organicLevel is floor(log8(docs)), at least 1.
func organicLevel(docs int64) int {
	if docs < 64 {
		return 1
	}
	return int(math.Log(float64(docs)) / math.Log(8))
}

// raiseStructure returns the structure record rec with its segments moved
// to level (nil when they already sit on it or above, or when they are on
// more than one level or being merged, which a fresh build never leaves).
//
// The record (fts5_index.c, fts5StructureDecode): a 4-byte cookie, an
// optional 4-byte mark of the second version, then varints: the number of
// levels, of segments, and the write counter; then per level its merge
// count, its segment count and its segments.
func raiseStructure(rec []byte, level int) ([]byte, error) {
	bad := errors.New("raise search segments: structure record not understood")
	i := 4
	if len(rec) >= 8 && string(rec[4:8]) == "\xff\x00\x00\x01" {
		i = 8
	}
	levelsAt := i // where the number of levels starts
	var nLevel, nSeg, writes uint64
	var n, afterLevels int
	for j, dst := range []*uint64{&nLevel, &nSeg, &writes} {
		if *dst, n = sqliteVarint(rec[i:]); n == 0 {
			return nil, bad
		}
		i += n
		if j == 0 {
			afterLevels = i
		}
	}
	counts := i
	if nLevel == 0 || nSeg == 0 || int(nLevel) > level {
		return nil, nil
	}
	// Every level but the last must be empty and none merging.
	for l := uint64(0); l < nLevel; l++ {
		start := i
		var merging, segs uint64
		if merging, n = sqliteVarint(rec[i:]); n == 0 {
			return nil, bad
		}
		i += n
		if segs, n = sqliteVarint(rec[i:]); n == 0 {
			return nil, bad
		}
		i += n
		if merging != 0 || (l < nLevel-1 && segs != 0) {
			return nil, nil
		}
		if l == nLevel-1 {
			i = start
		}
	}
	out := append([]byte{}, rec[:levelsAt]...)
	out = append(out, byte(level+1)) // levels: < 128, one byte
	out = append(out, rec[afterLevels:counts]...)
	for range level {
		out = append(out, 0, 0)
	}
	return append(out, rec[i:]...), nil
}

// sqliteVarint decodes SQLite's big-endian varint (up to nine bytes, the
// ninth with all eight bits); n is 0 when p ends first.
func sqliteVarint(p []byte) (v uint64, n int) {
	for n < len(p) && n < 9 {
		c := p[n]
		n++
		if n == 9 {
			return v<<8 | uint64(c), n
		}
		v = v<<7 | uint64(c&0x7f)
		if c < 0x80 {
			return v, n
		}
	}
	return 0, 0
}
