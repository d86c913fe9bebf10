#!/usr/bin/env bash
# Concurrent-writers run (SECURITY.md R1) longer than CI's 6 s: 64 writers
# over HTTP against the real handler; zero 5xx, zero lost or duplicated
# acknowledged writes, counters equal to their recount; p50/p99 write latency
# is printed, never asserted.
#
#   bench/load.sh                 # 60 s on SQLite (R1's CI figure)
#   SECONDS_=900 bench/load.sh    # R1's nightly figure (15 min)
#   PRACTICA_TEST_POSTGRES='postgres://postgres@127.0.0.1:5432/test?sslmode=disable' bench/load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export PRACTICA_LOAD_SECONDS="${SECONDS_:-60}"
exec go test ./internal/app -run '^TestConcurrentWriters$' -count=1 -v -timeout 0
