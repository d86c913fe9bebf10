package db

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver
	_ "modernc.org/sqlite"             // registers the "sqlite" driver
)

// Dialect names the database engine behind a DB.
type Dialect string

// The supported engines.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB holds the connection pools for one database. On SQLite, Write is a single
// connection (SQLite allows one writer; queuing in Go is cheaper and fairer than
// busy-waiting in the engine) and Read is a pool of read-only connections. On
// PostgreSQL both are the same pool.
type DB struct {
	Read    *sql.DB
	Write   *sql.DB
	Dialect Dialect
	// Path is the SQLite file, empty on PostgreSQL.
	Path string
	// dsn is the PostgreSQL URL, for the connection Listen holds.
	dsn string
	// checkpointed counts the WAL frames the background checkpointer copied
	// into the database file (SQLite); stopCheckpoints ends it.
	checkpointed    atomic.Int64
	lastWAL         [2]atomic.Int64 // the WAL's frames and frames copied at the last checkpoint
	stopCheckpoints func()
}

// Open connects to the database named by dsn: a postgres:// or postgresql:// URL,
// or a SQLite file path (optionally prefixed with sqlite: or file:).
func Open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return openPostgres(ctx, dsn)
	}
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	return openSQLite(ctx, path)
}

func openPostgres(ctx context.Context, dsn string) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("db: open postgres: %w", err)
	}
	pool.SetMaxOpenConns(max(8, 4*runtime.GOMAXPROCS(0)))
	pool.SetMaxIdleConns(max(8, 4*runtime.GOMAXPROCS(0)))
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("db: connect postgres: %w", err)
	}
	return &DB{Read: pool, Write: pool, Dialect: Postgres, dsn: dsn}, nil
}

// sqlitePragmas are applied to every SQLite connection. busy_timeout comes
// first so that switching to WAL waits for other processes instead of failing.
// synchronous=FULL makes every acknowledged commit durable across power loss
// (the WAL is fsynced on each commit), not only across a process crash; see
// docs/decisions.md.
var sqlitePragmas = []string{
	"busy_timeout(10000)",
	"journal_mode(WAL)",
	"synchronous(FULL)",
	"foreign_keys(1)",
}

func sqliteDSN(path string, readOnly bool) string {
	q := url.Values{}
	for _, p := range sqlitePragmas {
		q.Add("_pragma", p)
	}
	if readOnly {
		q.Add("_pragma", "query_only(1)")
	} else {
		q.Set("_txlock", "immediate")
		// Commits never checkpoint; the background checkpointer does.
		q.Add("_pragma", "wal_autocheckpoint(0)")
		// A burst of writes can grow the WAL to hundreds of megabytes
		// (638 MB in bench/perf.sh's writes on dataset M); once it restarts,
		// the file is cut back to this size rather than kept.
		q.Add("_pragma", "journal_size_limit(67108864)")
		// Statement journals and the writer's temporary b-trees stay in
		// memory: on disk SQLite opened and closed a temporary file for
		// almost every new topic.
		q.Add("_pragma", "temp_store(MEMORY)")
	}
	q.Set("_time_format", "sqlite")
	return "file:" + path + "?" + q.Encode()
}

func openSQLite(ctx context.Context, path string) (*DB, error) {
	if path == "" {
		return nil, errors.New("db: empty SQLite path")
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o750); err != nil {
			return nil, fmt.Errorf("db: create %s: %w", dir, err)
		}
	}
	write, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		return nil, fmt.Errorf("db: open sqlite: %w", err)
	}
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	// The writer connects first so that the database file and WAL exist before
	// any read-only connection opens it.
	if err := write.PingContext(ctx); err != nil {
		write.Close()
		return nil, fmt.Errorf("db: connect sqlite %s: %w", path, err)
	}
	read, err := sql.Open("sqlite", sqliteDSN(path, true))
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("db: open sqlite reader: %w", err)
	}
	n := max(4, runtime.GOMAXPROCS(0)*2)
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	ck, err := sql.Open("sqlite", sqliteDSN(path, false))
	if err != nil {
		write.Close()
		read.Close()
		return nil, fmt.Errorf("db: open sqlite checkpointer: %w", err)
	}
	ck.SetMaxOpenConns(1)
	d := &DB{Read: read, Write: write, Dialect: SQLite, Path: path}
	d.stopCheckpoints = d.checkpointEvery(ck, CheckpointEvery)
	return d, nil
}

// CheckpointEvery is how often the WAL is copied into the database file.
//
// SQLite's default checkpoints inside the commit that takes the WAL past
// 1,000 pages: that writer copies them and fsyncs the database file while
// every other writer waits behind it. That was the p99 of replies, and after
// a long read had held checkpoints back, one commit took three seconds. A
// connection of its own checkpoints instead, PASSIVE (it never waits for
// readers or writers, and writers never wait for it), once a second.
const CheckpointEvery = time.Second

func (d *DB) checkpointEvery(ck *sql.DB, every time.Duration) (stop func()) {
	done, stopped := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				d.checkpoint(ck)
			}
		}
	}()
	var once sync.Once // Close may be called more than once
	return func() {
		once.Do(func() {
			close(done)
			<-stopped
			ck.Close()
		})
	}
}

// checkpoint copies what it can of the WAL into the database file. A failure
// (the database busy with another checkpoint) is left to the next tick.
// SQLite reports the frames in the current WAL and those copied so far, so
// what this call copied is the growth since the last call, or all of it once
// the WAL has restarted (it holds fewer frames than before; a restart that
// grew past the old size within one tick is counted as growth).
func (d *DB) checkpoint(ck *sql.DB) {
	var busy, frames, copied int64
	if err := ck.QueryRow(`PRAGMA wal_checkpoint(PASSIVE)`).Scan(&busy, &frames, &copied); err != nil || copied < 0 {
		return
	}
	lastFrames, lastCopied := d.lastWAL[0].Swap(frames), d.lastWAL[1].Swap(copied)
	if frames < lastFrames || copied < lastCopied {
		lastCopied = 0
	}
	d.checkpointed.Add(copied - lastCopied)
}

// Checkpointed reports how many WAL frames the background checkpointer has
// copied into the database file since Open (always 0 on PostgreSQL).
func (d *DB) Checkpointed() int64 { return d.checkpointed.Load() }

// Close closes both pools.
func (d *DB) Close() error {
	if d.stopCheckpoints != nil {
		d.stopCheckpoints()
	}
	err := d.Write.Close()
	if d.Read != d.Write {
		err = errors.Join(err, d.Read.Close())
	}
	return err
}

// Ping reports whether the database answers; /readyz uses it.
func (d *DB) Ping(ctx context.Context) error {
	var one int
	return d.Read.QueryRowContext(ctx, "SELECT 1").Scan(&one)
}
