package app

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"expvar"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"runtime"
	"time"

	"practica/internal/config"
	"practica/internal/memo"
	"practica/internal/pagecache"
)

// The debug listener is for operators on the machine: CPU and heap
// profiles, goroutine dumps and runtime counters. It is off unless
// PRACTICA_DEBUG_ADDR (--debug-addr) names a loopback address, and it is a
// server of its own, so the public router never serves /debug/.
//
// Importing net/http/pprof and expvar also registers their handlers on
// http.DefaultServeMux; Practica never serves that mux, so those stay
// unreachable. The debug mux below names every route it serves instead.

// DebugHandler returns the debug routes: net/http/pprof under
// /debug/pprof/, expvar's memstats and cmdline at /debug/vars, and a short
// JSON summary (goroutines, heap, GC, database pools) at /debug/runtime.
func (a *App) DebugHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /debug/pprof/", pprof.Index)
	mux.HandleFunc("GET /debug/pprof/cmdline", pprof.Cmdline)
	mux.HandleFunc("GET /debug/pprof/profile", pprof.Profile)
	mux.HandleFunc("GET /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("POST /debug/pprof/symbol", pprof.Symbol)
	mux.HandleFunc("GET /debug/pprof/trace", pprof.Trace)
	mux.Handle("GET /debug/vars", expvar.Handler())
	mux.HandleFunc("GET /debug/runtime", a.runtimeStats)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, "Practica debug listener: /debug/pprof/ /debug/vars /debug/runtime")
	})
	return mux
}

// RuntimeStats is what /debug/runtime reports.
type RuntimeStats struct {
	Goroutines     int         `json:"goroutines"`
	HeapAllocBytes uint64      `json:"heap_alloc_bytes"`
	HeapSysBytes   uint64      `json:"heap_sys_bytes"`
	SysBytes       uint64      `json:"sys_bytes"`
	NumGC          uint32      `json:"num_gc"`
	GCPauseTotal   string      `json:"gc_pause_total"`
	ReadPool       sql.DBStats `json:"read_pool"`
	WritePool      sql.DBStats `json:"write_pool"`
	// PageCache counts hits, misses and what the guest page cache holds.
	PageCache pagecache.Stats `json:"page_cache"`
	// Memo counts what the store keeps of derived values (settings, member
	// spaces, tag counts, members' lists).
	Memo memo.Stats `json:"memo"`
	// BadgeRuns counts finished runs of the badge job; the first starts with
	// the server.
	BadgeRuns int64 `json:"badge_runs"`
	// WALFramesCheckpointed counts what the background checkpointer copied
	// into the SQLite database file.
	WALFramesCheckpointed int64 `json:"wal_frames_checkpointed"`
	// SearchBatches and SearchPosts count the transactions that wrote
	// queued posts' search rows on SQLite, and those posts; SearchMerges
	// the index merge steps that did work.
	SearchBatches int64 `json:"search_batches"`
	SearchPosts   int64 `json:"search_posts"`
	SearchMerges  int64 `json:"search_merges"`
	// WriteGroups and WriteTxs count SQLite's commits and the write
	// transactions they held (store.WriteStats): their ratio is how many
	// writes one fsync served.
	WriteGroups int64 `json:"write_groups"`
	WriteTxs    int64 `json:"write_txs"`
}

func (a *App) runtimeStats(w http.ResponseWriter, r *http.Request) {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	s := RuntimeStats{Goroutines: runtime.NumGoroutine(), HeapAllocBytes: ms.HeapAlloc, HeapSysBytes: ms.HeapSys, SysBytes: ms.Sys,
		NumGC: ms.NumGC, GCPauseTotal: time.Duration(ms.PauseTotalNs).String(), PageCache: a.Pages.Stats(), Memo: a.Store.Memo.Stats(), BadgeRuns: a.badgeRuns.Load()}
	s.SearchBatches, s.SearchPosts, s.SearchMerges = a.Store.IndexStats()
	s.WriteGroups, s.WriteTxs = a.Store.WriteStats()
	if a.DB != nil && a.DB.Read != nil {
		s.ReadPool = a.DB.Read.Stats()
	}
	if a.DB != nil && a.DB.Write != nil {
		s.WritePool = a.DB.Write.Stats()
		s.WALFramesCheckpointed = a.DB.Checkpointed()
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s)
}

// ListenDebug opens the debug listener on addr, which must be a loopback
// address; the check is repeated on the address actually bound, so a name
// that resolves elsewhere is refused too.
func ListenDebug(addr string) (net.Listener, error) {
	if err := config.CheckLoopback(addr); err != nil {
		return nil, fmt.Errorf("debug listener: %w", err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("debug listener %s: %w", addr, err)
	}
	if tcp, ok := ln.Addr().(*net.TCPAddr); !ok || !tcp.IP.IsLoopback() {
		ln.Close()
		return nil, fmt.Errorf("debug listener: %s is not a loopback address", ln.Addr())
	}
	return ln, nil
}

// ServeDebug serves the debug routes on ln until ctx ends. Profiles run for
// up to their "seconds" parameter, so there is no write timeout; the
// listener is only reachable from the machine.
func (a *App) ServeDebug(ctx context.Context, ln net.Listener) error {
	srv := &http.Server{Handler: a.DebugHandler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second,
		ErrorLog: slog.NewLogLogger(a.Log.Handler(), slog.LevelWarn)}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	a.Log.Info("debug listener (pprof) serving", "addr", "http://"+ln.Addr().String()+"/debug/pprof/")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutCtx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	if err := srv.Shutdown(shutCtx); err != nil && !errors.Is(err, http.ErrServerClosed) {
		srv.Close()
	}
	return nil
}

// startDebug opens and serves the debug listener when one is configured. It
// returns a function that waits for it to stop after ctx ends.
func (a *App) startDebug(ctx context.Context) (wait func(), err error) {
	if a.Config.DebugAddr == "" {
		return func() {}, nil
	}
	ln, err := ListenDebug(a.Config.DebugAddr)
	if err != nil {
		return nil, err
	}
	done := make(chan struct{})
	go func() {
		if err := a.ServeDebug(ctx, ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			a.Log.Error("debug listener", "err", err)
		}
		close(done)
	}()
	return func() { <-done }, nil
}
