#!/usr/bin/env bash
# bench/perf.sh: measure Practica's hot pages over HTTP with wrk, beside a
# ceiling server (bench/ceiling: a bare net/http handler serving a page of the
# same size), then its writes (write_topic, write_reply, write_vote,
# write_accept) and topic_20's reads while 50 writes/s run (under_writes),
# and write the tables into docs/performance.md.
#
#   bench/perf.sh /tmp/seedM/practica.db                       # an existing SQLite database (copied first)
#   bench/perf.sh ../shared/data/quantumcomputing.stackexchange.com   # a Stack Exchange dump: imported and timed
#   DURATION=3 WARMUP=1 bench/perf.sh DB                       # a quick run
#
# Settings (environment):
#   DURATION=10  measured seconds per run        WARMUP=2     warm-up seconds before each run
#   CONNS="1 32" connection counts               REPEAT=1     runs per cell; the median req/s is kept (the method asks 3)
#   ONLY=regex   endpoints to measure            DATASET=...  label in the document (default: the source's name)
#                (page names, write_topic write_reply write_vote write_accept, under_writes)
#   OUT=docs/performance.md ("-" prints only)    PROFILE=1    CPU profile of the worst page (PROFILE_SECONDS=5)
#   PORT=18080 CEIL_PORT=18090 DEBUG_PORT=18060  KEEP=1       keep the work directory (server log, profile)
#   PG=postgres://...  run the server on PostgreSQL: the database is exported into a new schema
#                      there (dropped at the end) with `practica export`; pages are picked the same way
#
# Everything listens on 127.0.0.1 only, every run is bounded by its duration,
# and the source database is never written: the server runs on a copy.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PATH:/usr/local/go/bin"

SRC=${1:-}
if [ -z "$SRC" ] || [ ! -e "$SRC" ]; then
	sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'
	exit 2
fi
DURATION=${DURATION:-10} WARMUP=${WARMUP:-2} CONNS=${CONNS:-"1 32"} REPEAT=${REPEAT:-1} ONLY=${ONLY:-.}
PORT=${PORT:-18080} CEIL_PORT=${CEIL_PORT:-18090} DEBUG_PORT=${DEBUG_PORT:-18060}
OUT=${OUT:-docs/performance.md} PROFILE=${PROFILE:-1} PROFILE_SECONDS=${PROFILE_SECONDS:-5}
if [ -d "$SRC" ]; then DATASET=${DATASET:-$(basename "$SRC")}; else DATASET=${DATASET:-$(basename "$(dirname "$(realpath "$SRC")")")/$(basename "$SRC")}; fi
PASSWORD=perf-bench-password-1
BASE=http://127.0.0.1:$PORT
CLK_TCK=$(getconf CLK_TCK)

if ! command -v wrk >/dev/null; then
	if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; else
		echo "perf.sh: wrk is missing (apt-get install wrk)" >&2; exit 1; fi
fi

work=$(mktemp -d /tmp/practica-perf.XXXXXX)
server_pid= ceil_pid= load_pid=
cleanup() {
	for p in $load_pid $server_pid $ceil_pid; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "${schema:-}" ] || psql "$PG" -qc "DROP SCHEMA $schema CASCADE" >/dev/null 2>&1 || true
	if [ "${KEEP:-0}" = 1 ]; then echo "work directory kept: $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
log() { printf '%s\n' "$*" >&2; }
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

log "== build"
go build -o "$work/practica" ./cmd/practica
go build -o "$work/ceiling" ./bench/ceiling
db=$work/practica.db
import_ms=
if [ -d "$SRC" ]; then
	log "== import $SRC"
	t0=$(date +%s%N)
	timeout 600 "$work/practica" import stackexchange --database "$db" "$SRC" >"$work/import.log" 2>&1
	import_ms=$(ms_since "$t0")
	log "imported in $import_ms ms (wall, process start to exit)"
else
	cp "$SRC" "$db"
	for x in -wal -shm; do [ -f "$SRC$x" ] && cp "$SRC$x" "$db$x"; done
fi
# On PostgreSQL the server runs on an export of the copy, in a schema of its own.
dburl=$db schema=
if [ -n "${PG:-}" ]; then
	schema=perf_$$
	psql "$PG" -qc "CREATE SCHEMA $schema"
	sep='?'; [[ $PG == *\?* ]] && sep='&'
	dburl="$PG${sep}search_path=$schema"
	log "== export to PostgreSQL (schema $schema)"
	t0=$(date +%s%N)
	timeout 1800 "$work/practica" export --database "$db" --to "$dburl" >"$work/export.log" 2>&1 || { tail -5 "$work/export.log" >&2; exit 1; }
	log "exported in $(ms_since "$t0") ms"
	DATASET="$DATASET on PostgreSQL"
fi
# An admin (so the community is set up) and a member to sign in as.
db_sqlite=$db
db=$dburl
"$work/practica" user create --database "$db" --username perfadmin --email perfadmin@example.invalid --password "$PASSWORD" --role admin >/dev/null 2>&1 || true
"$work/practica" user create --database "$db" --username perfmember --email perfmember@example.invalid --password "$PASSWORD" --role member >/dev/null 2>&1 || true
token=$("$work/practica" token create --database "$db" --username perfmember --scope read --name perf 2>/dev/null)
# Writes: perfadmin (staff, so not held to the 10 posts a minute of members)
# starts topics, replies and accepts; perfhelper (a moderator, also unlimited)
# answers perfadmin's questions; perfmember votes on those answers. Each has a
# write-scope token for the JSON API.
writes=
for w in write_topic write_reply write_vote write_accept under_writes; do [[ $w =~ $ONLY ]] && writes="$writes $w"; done
if [ -n "$writes" ]; then
	"$work/practica" user create --database "$db" --username perfhelper --email perfhelper@example.invalid --password "$PASSWORD" --role moderator >/dev/null 2>&1 || true
	wtoken_admin=$("$work/practica" token create --database "$db" --username perfadmin --scope write --name perf-write 2>/dev/null)
	wtoken_member=$("$work/practica" token create --database "$db" --username perfmember --scope write --name perf-write 2>/dev/null)
	wtoken_helper=$("$work/practica" token create --database "$db" --username perfhelper --scope write --name perf-write 2>/dev/null)
fi

log "== pick the pages"
# The busiest public space and tag, a question or discussion with about 20
# posts, the longest topic and its last page, the most prolific author, and
# search words taken from a title.
python3 - "$db_sqlite" >"$work/targets" <<'PY'
import sqlite3, sys, re, urllib.parse as up
c = sqlite3.connect("file:%s?mode=ro" % sys.argv[1], uri=True)
one = lambda q, *a: c.execute(q, a).fetchone()
vis = "FROM topics t JOIN spaces s ON s.id = t.space_id WHERE s.visibility = 'public' AND t.deleted_at IS NULL AND t.state = 'published'"
space = one(f"SELECT s.slug, COUNT(*) n {vis} GROUP BY s.id ORDER BY n DESC LIMIT 1")[0]
tag = one(f"SELECT g.name, COUNT(*) n {vis.replace('WHERE', 'JOIN topic_tags tt ON tt.topic_id = t.id JOIN tags g ON g.id = tt.tag_id WHERE')} GROUP BY g.id ORDER BY n DESC LIMIT 1")[0]
tid, tslug, title, tspace, tarch = one(f"SELECT t.id, t.slug, t.title, s.slug, s.archived_at {vis} ORDER BY abs(t.reply_count - 19), t.id LIMIT 1")
hid, hslug, hkind, hn = one(f"SELECT t.id, t.slug, t.kind, t.reply_count {vis} ORDER BY t.reply_count DESC, t.id LIMIT 1")
if hkind == "question":
    deep = "?page=%d" % max(1, min(500, (hn + 19) // 20))
else:
    row = one("SELECT id FROM posts WHERE topic_id = ? AND deleted_at IS NULL AND kind <> 'comment' ORDER BY id DESC LIMIT 1 OFFSET 20", hid)
    deep = "?after=%d" % row[0] if row else ""
user = one("SELECT u.username FROM posts p JOIN users u ON u.id = p.author_id WHERE u.status IN ('active', 'placeholder') GROUP BY u.id ORDER BY COUNT(*) DESC LIMIT 1")[0]
words = [w for w in re.findall(r"[A-Za-z]{4,}", title)] or ["the", "question"]
word = max(words, key=len).lower()
phrase = " ".join(re.findall(r"[A-Za-z]+", title)[:2]).lower() or word
q = lambda s: up.quote_plus(s)
counts = [one(x)[0] for x in ("SELECT COUNT(*) FROM topics", "SELECT COUNT(*) FROM posts", "SELECT COUNT(*) FROM users")]
print("DATASIZE=%s" % q("%d topics, %d posts, %d users; longest topic %d replies" % (*counts, hn)))
# Where the writes go (busiest open public space, busiest tag) and the space
# of topic_20, where the writer of the reads-under-writes run replies.
wspace = one(f"SELECT s.slug, COUNT(*) n {vis} AND s.archived_at IS NULL GROUP BY s.id ORDER BY n DESC LIMIT 1")[0]
print("WSPACE=%s\nWTAG=%s\nTSPACE=%s" % (q(wspace), q(tag), q(wspace if tarch else tspace)))
# name|class|auth|path   (class: anon, signed, search; auth: -, cookie, token, xff)
print(f"T latest|anon|-|/")
print(f"T latest_signed_in|signed|cookie|/")
print(f"T questions|anon|-|/questions")
print(f"T space|anon|-|/s/{space}")
print(f"T tag|anon|-|/tags/{up.quote(tag)}")
print(f"T topic_20|anon|-|/t/{tid}/{tslug}")
print(f"T topic_20_signed_in|signed|cookie|/t/{tid}/{tslug}")
print(f"T topic_deep|anon|-|/t/{hid}/{hslug}{deep}")
print(f"T profile|anon|-|/u/{up.quote(user)}")
print(f"T search_word|search|xff|/search?q={q(word)}")
print(f"T search_phrase|search|xff|/search?q={q(chr(34) + phrase + chr(34))}")
print(f"T search_tag|search|xff|/search?q={q(word + ' [' + tag + ']')}")
print(f"T api_topics|signed|-|/api/v1/topics")
print(f"T api_topics_token|signed|token|/api/v1/topics")
print(f"T api_topic|signed|-|/api/v1/topics/{tid}")
print(f"T api_search|search|xff|/api/v1/search?q={q(word)}")
PY
DATASIZE=$(python3 -c 'import sys,urllib.parse as u; print(u.unquote_plus(sys.argv[1]))' "$(sed -n 's/^DATASIZE=//p' "$work/targets")")

# wrk scripts: the done hook prints what the table needs; xff.lua also gives
# every request its own client address (the server trusts 127.0.0.1 as a
# proxy for this run), so the per-address search limit (60 a minute) does not
# turn the measure into one of 429s.
cat >"$work/done.lua" <<'LUA'
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), e.status, e.connect + e.read + e.write + e.timeout))
end
LUA
cat "$work/done.lua" - >"$work/xff.lua" <<'LUA'
local threads = 0
setup = function(thread) thread:set("base", threads * 4096); threads = threads + 1 end
local n = 0
request = function()
  n = n + 1
  local i = ((base or 0) + n) % 65536
  local h = {}
  for k, v in pairs(wrk.headers) do h[k] = v end
  h["X-Forwarded-For"] = string.format("10.77.%d.%d", math.floor(i / 256), i % 256)
  return wrk.format(nil, nil, h)
end
LUA

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

log "== start the server"
t0=$(date +%s%N)
PRACTICA_TRUSTED_PROXIES=127.0.0.1/32 "$work/practica" serve --addr "127.0.0.1:$PORT" --database "$db" \
	--base-url "$BASE" --debug-addr "127.0.0.1:$DEBUG_PORT" >"$work/server.log" 2>&1 &
server_pid=$!
deadline=$(( $(date +%s) + 60 ))
until curl -fso /dev/null --max-time 1 "$BASE/readyz"; do
	kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
	[ "$(date +%s)" -lt "$deadline" ] || { log "server not ready in 60 s"; exit 1; }
	sleep 0.002
done
ready_ms=$(ms_since "$t0")
until [ "$(curl -so /dev/null -w '%{http_code}' --max-time 5 "$BASE/")" = 200 ]; do
	[ "$(date +%s)" -lt "$deadline" ] || { log "/ never answered 200"; exit 1; }
	sleep 0.002
done
first_ms=$(ms_since "$t0")
idle_rss=$(kb "$server_pid" VmRSS)
log "ready in $ready_ms ms, first page in $first_ms ms, idle RSS $((idle_rss / 1024)) MB"
# The badge job runs once at start (on a fresh seed it awards everything)
# and then every five minutes; nothing is measured before its first run ends.
badge_t0=$(date +%s%N)
until curl -s --max-time 5 "http://127.0.0.1:$DEBUG_PORT/debug/runtime" | python3 -c 'import json, sys; sys.exit(0 if json.load(sys.stdin).get("badge_runs", 1) > 0 else 1)' 2>/dev/null; do
	kill -0 "$server_pid" 2>/dev/null || { tail -20 "$work/server.log" >&2; exit 1; }
	sleep 0.2
done
log "first badge run done after $(ms_since "$badge_t0") ms more"

"$work/ceiling" -addr "127.0.0.1:$CEIL_PORT" >"$work/ceiling.log" 2>&1 &
ceil_pid=$!
for _ in $(seq 1 200); do curl -fso /dev/null "http://127.0.0.1:$CEIL_PORT/10" && break; sleep 0.01; done

code=$(curl -s -c "$work/cookies" -o /dev/null -w '%{http_code}' --max-time 10 --data-urlencode "login=perfmember" --data-urlencode "password=$PASSWORD" "$BASE/signin")
cookie=$(awk '$6 == "practica_session" {print $7}' "$work/cookies")
[ -n "$cookie" ] || { log "sign-in failed ($code)"; exit 1; }

# wrk_run URL CONNS SECONDS LUA [HEADER...] → "requests duration_us p50_us p99_us status_errors socket_errors"
wrk_run() {
	local url=$1 c=$2 d=$3 lua=$4; shift 4
	local t=1; [ "$c" -gt 1 ] && t=2
	timeout $((d + 40)) wrk -t"$t" -c"$c" -d"${d}s" --timeout 30s -s "$lua" "$@" "$url" | sed -n 's/^WRK //p'
}

# measure PID URL CONNS LUA [HEADER...] → "reqps p50ms p99ms cpu_ms_per_req non2xx rss_kb"
# (with OK_ONLY=1, reqps counts only the 2xx answers: writes that failed are not throughput; wrk counts
# only completed answers in its requests, so socket errors are not among them)
measure() {
	local pid=$1 url=$2 c=$3 lua=$4; shift 4
	local best= runs=()
	for _ in $(seq 1 "$REPEAT"); do
		wrk_run "$url" "$c" "$WARMUP" "$lua" "$@" >/dev/null
		local before after r
		before=$(cpu_ticks "$pid")
		r=$(wrk_run "$url" "$c" "$DURATION" "$lua" "$@")
		after=$(cpu_ticks "$pid")
		runs+=("$(echo "$r $before $after" | awk -v hz="$CLK_TCK" -v okonly="${OK_ONLY:-0}" '{rps = (okonly ? $1 - $5 : $1) / ($2 / 1e6); cpu = ($8 - $7) * 1000 / hz / ($1 > 0 ? $1 : 1)
			printf "%.1f %.3f %.3f %.3f %d\n", rps, $3 / 1000, $4 / 1000, cpu, $5 + $6}') $(kb "$pid" VmRSS)")
	done
	printf '%s\n' "${runs[@]}" | sort -n -k1 | sed -n "$(( (${#runs[@]} + 1) / 2 ))p"
}

rows=$work/rows
: >"$rows"
while IFS='|' read -r name class auth path; do
	[[ $name =~ $ONLY ]] || continue
	hdr=() lua=$work/done.lua
	case $auth in
	cookie) hdr=(-H "Cookie: practica_session=$cookie") ;;
	token) hdr=(-H "Authorization: Bearer $token") ;;
	xff) lua=$work/xff.lua ;;
	esac
	status_size=$(curl -s -o /dev/null -w '%{http_code} %{size_download}' --max-time 30 "${hdr[@]}" "$BASE$path")
	read -r status size <<<"$status_size"
	if [ "$status" != 200 ]; then log "$name: GET $path answered $status; skipped"; continue; fi
	for c in $CONNS; do
		log "-- $name ($size B) at $c connection(s)"
		read -r rps p50 p99 cpu bad rss < <(measure "$server_pid" "$BASE$path" "$c" "$lua" "${hdr[@]}")
		read -r crps cp50 cp99 ccpu _ _ < <(measure "$ceil_pid" "http://127.0.0.1:$CEIL_PORT/$size" "$c" "$lua")
		echo "$name $class $c $size $rps $p50 $p99 $crps $cp50 $cpu $ccpu $rss $bad $path $cp99" >>"$rows"
	done
done < <(sed -n 's/^T //p' "$work/targets")

# The table, with the target that applies to each row and whether it is met.
table=$(awk '
function verdict(ok) { return ok ? "yes" : "**no**" }
{
	name = $1; class = $2; c = $3; rps = $5; p50 = $6; p99 = $7; crps = $8; cpu = $10; ratio = crps > 0 ? 100 * rps / crps : 0
	if (c == 1) {
		if (class == "anon") { t = "p50 < 0.5, p99 < 5"; ok = p50 < 0.5 && p99 < 5 }
		else if (class == "signed") { t = "p50 < 1, p99 < 5"; ok = p50 < 1 && p99 < 5 }
		else { t = "p50 < 5, p99 < 20"; ok = p50 < 5 && p99 < 20 }
	} else {
		if (class == "anon") { t = "≥ 60 %, p99 < 20"; ok = ratio >= 60 && p99 < 20 }
		else if (class == "signed") { t = "≥ 20 %, ≤ 0.15 CPU-ms, p99 < 20"; ok = ratio >= 20 && cpu <= 0.15 && p99 < 20 }
		else { t = "≥ 1,000 req/s, p99 < 20"; ok = rps >= 1000 && p99 < 20 }
	}
	printf "| %s | %d | %.1f | %.0f | %.2f | %.2f | %.0f | %.2f | %.1f %% | %.3f | %.3f | %.0f | %d | %s | %s |\n",
		name, c, $4 / 1024, rps, p50, p99, crps, $15, ratio, cpu, $11, $12 / 1024, $13, t, verdict(ok)
}' "$rows")
worst=$(awk '$3 > 1 && $8 > 0 {r = $5 / $8; if (!n++ || r < min) {min = r; w = $1 " " $14}} END {print w}' "$rows")

# cpu_profile FILE NAME CONNS URL LUA [HEADER...]: a CPU profile of the server
# (/debug/pprof/profile) while wrk loads URL; its summary in Markdown goes to FILE.
cpu_profile() {
	local file=$1 name=$2 c=$3 url=$4 lua=$5; shift 5
	log "== CPU profile of $name at $c connection(s) ($PROFILE_SECONDS s)"
	wrk_run "$url" "$c" $((PROFILE_SECONDS + 2)) "$lua" "$@" >/dev/null &
	load_pid=$!
	sleep 1
	curl -s --max-time $((PROFILE_SECONDS + 30)) -o "$work/$name.pprof" "http://127.0.0.1:$DEBUG_PORT/debug/pprof/profile?seconds=$PROFILE_SECONDS"
	wait "$load_pid" || true
	load_pid=
	local own='practica/internal/(store|content|search|markup|auth|community|web|api|httpx)'
	printf '### CPU profile: %s at %s connection(s) (%s s)\n\nPractica'"'"'s own functions by cumulative time (`go tool pprof -top -cum -show=...`):\n\n```\n%s\n```\n\nTop functions by own time (`go tool pprof -top`):\n\n```\n%s\n```\n' \
		"$name" "$c" "$PROFILE_SECONDS" \
		"$(go tool pprof -top -cum -nodecount=20 -show="$own" "$work/practica" "$work/$name.pprof" 2>/dev/null | sed -n '/flat%/,$p')" \
		"$(go tool pprof -top -nodecount=20 "$work/practica" "$work/$name.pprof" 2>/dev/null | sed -n '/flat%/,$p')" >"$file"
}
profile=
if [ "$PROFILE" = 1 ] && [ -n "$worst" ]; then
	read -r wname wpath <<<"$worst"
	hdr=() lua=$work/done.lua
	[[ $wname == *signed_in ]] && hdr=(-H "Cookie: practica_session=$cookie")
	[[ $wname == *search* ]] && lua=$work/xff.lua
	cpu_profile "$work/profile.md" "$wname" 32 "$BASE$wpath" "$lua" "${hdr[@]}"
	profile=$(cat "$work/profile.md")
fi

# Writes (new topic, reply, vote, accept) through the JSON API with tokens,
# then the two signed-in and guest topic_20 reads with and without a writer
# replying at about 50/s. They run after the reads (and their profile), so
# what they add to the copy never shows in the rows above.
wrows=$work/wrows uwrows=$work/uwrows wprofile=
: >"$wrows"; : >"$uwrows"
if [ -n "$writes" ]; then
	log "== set up the writes"
	# 64 discussions to reply to, 64 questions of perfadmin with two answers
	# each by perfhelper (to accept, and for perfmember to vote on), and one
	# discussion in topic_20's space for the writer of the loaded reads.
	# Any non-2xx answer stops the set-up. Prints each write's probe size.
	if python3 - "$PORT" "$wtoken_admin" "$wtoken_helper" "$wtoken_member" "$work/params.lua" \
		"$(sed -n 's/^WSPACE=//p' "$work/targets")" "$(sed -n 's/^WTAG=//p' "$work/targets")" "$(sed -n 's/^TSPACE=//p' "$work/targets")" \
		>"$work/wsizes" 2>"$work/wsetup.log" <<'PY'
import http.client, json, sys, urllib.parse as up
port, tadmin, thelper, tmember, out = sys.argv[1:6]
space, tag, tspace = (up.unquote_plus(a) for a in sys.argv[6:9])
N = 64
conn = http.client.HTTPConnection("127.0.0.1", int(port), timeout=30)
def call(path, token, body):
    conn.request("POST", path, json.dumps(body), {"Authorization": "Bearer " + token, "Content-Type": "application/json"})
    r = conn.getresponse()
    data = r.read()
    if not 200 <= r.status < 300:
        sys.exit("POST %s answered %d: %s" % (path, r.status, data[:300].decode(errors="replace")))
    return json.loads(data), len(data)
# A body like the dataset's: a few paragraphs, a list, a link and a code block (about 700 characters).
body = """While moving the service from one SQLite file to a pool of connections I kept hitting `database is locked` under load.
The writes are short, but the readers held their snapshots across a slow template render.

What helped:

- one writer connection, WAL, and `busy_timeout` set to a few seconds;
- readers that finish their query before rendering;
- batching the view counters instead of one UPDATE per page view.

```go
db.SetMaxOpenConns(1)
_, err := db.Exec(`PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000`)
if err != nil {
	return fmt.Errorf("pragma: %w", err)
}
```

See [the WAL notes](https://www.sqlite.org/wal.html) for why checkpoints matter here."""
topic = lambda kind, title, sp=space: {"space": sp, "kind": kind, "title": title, "body": body, "tags": [tag]}
D, Q, A1, A2 = [], [], [], []
for i in range(N):
    t, size_topic = call("/api/v1/topics", tadmin, topic("discussion", "Benchmark discussion %d about write paths" % i))
    D.append(t["id"])
uw, _ = call("/api/v1/topics", tadmin, topic("discussion", "Benchmark discussion written to during the loaded reads", tspace))
for i in range(N):
    t, _ = call("/api/v1/topics", tadmin, topic("question", "Benchmark question %d about write paths?" % i))
    Q.append(t["id"])
    A1.append(call("/api/v1/topics/%d/posts" % t["id"], thelper, {"body": "First answer. " + body})[0]["id"])
    A2.append(call("/api/v1/topics/%d/posts" % t["id"], thelper, {"body": "Second answer. " + body})[0]["id"])
# Probes: one of each write as the runs send them, for the response size (the ceiling serves that size).
_, size_reply = call("/api/v1/topics/%d/posts" % D[0], tadmin, {"body": "Reply 0. " + body})
_, size_vote = call("/api/v1/posts/%d/vote" % A1[0], tmember, {"value": 0})
_, size_accept = call("/api/v1/topics/%d/accept" % Q[0], tadmin, {"post_id": A1[0]})
lua = lambda xs: "{" + ", ".join(map(str, xs)) + "}"
with open(out, "w") as f:
    f.write("D = %s\nQ = %s\nA1 = %s\nA2 = %s\nUW = %d\n" % (lua(D), lua(Q), lua(A1), lua(A2), uw["id"]))
    f.write("SPACE = [==[%s]==]\nTAG = [==[%s]==]\nBODY = [==[%s]==]\n" % (json.dumps(space), json.dumps(tag), json.dumps(body)[1:-1]))
    f.write("TOKEN_ADMIN = %s\nTOKEN_MEMBER = %s\n" % (json.dumps(tadmin), json.dumps(tmember)))
print("write_topic %d\nwrite_reply %d\nwrite_vote %d\nwrite_accept %d" % (size_topic, size_reply, size_vote, size_accept))
PY
	then :; else log "write set-up failed: $(tail -1 "$work/wsetup.log"); writes skipped"; writes=; fi
fi
if [ -n "$writes" ]; then
	# Every write script checks each status: anything but 2xx counts as an error
	# (wrk itself counts only >= 400), and reqps then counts only the 2xx answers.
	# Each wrk thread takes its own 32 slots (topics, answers, questions) and goes
	# round them, so no two requests in flight touch the same row, and a vote or
	# an accept flips at each round (up/neutral, first/second answer): every
	# request is a real change, valid forever.
	cat "$work/params.lua" - >"$work/write.lua" <<'LUA'
local threads = {}
setup = function(thread) thread:set("tid", #threads); table.insert(threads, thread) end
n, bad, tid = 0, 0, 0
response = function(status, headers, body) if status < 200 or status > 299 then bad = bad + 1 end end
done = function(summary, latency, requests)
  local b = 0
  for _, t in ipairs(threads) do b = b + t:get("bad") end
  local e = summary.errors
  io.write(string.format("WRK %d %d %d %d %d %d\n", summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(99), b, e.connect + e.read + e.write + e.timeout))
end
local hdr = function(token) return {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token} end
local slot = function() return tid * 32 + n % 32 + 1 end
local round = function() return math.floor(n / 32) % 2 end
local stamp = os.time()
local kinds = {write_topic = function()
  return wrk.format("POST", "/api/v1/topics", hdr(TOKEN_ADMIN), string.format(
    '{"space":%s,"kind":"%s","title":"Benchmark topic %d-%d-%d about SQLite write paths","body":"%s","tags":[%s]}',
    SPACE, n % 2 == 0 and "question" or "discussion", stamp, tid, n, BODY, TAG))
end, write_reply = function()
  return wrk.format("POST", "/api/v1/topics/" .. D[slot()] .. "/posts", hdr(TOKEN_ADMIN), '{"body":"Reply ' .. n .. '. ' .. BODY .. '"}')
end, write_vote = function()
  return wrk.format("POST", "/api/v1/posts/" .. A1[slot()] .. "/vote", hdr(TOKEN_MEMBER), '{"value":' .. (1 - round()) .. '}')
end, write_accept = function()
  local i = slot()
  return wrk.format("POST", "/api/v1/topics/" .. Q[i] .. "/accept", hdr(TOKEN_ADMIN), '{"post_id":' .. (round() == 0 and A2[i] or A1[i]) .. '}')
end, under_writes = function()
  return wrk.format("POST", "/api/v1/topics/" .. UW .. "/posts", hdr(TOKEN_ADMIN), '{"body":"Reply ' .. n .. ' under the loaded reads. ' .. BODY .. '"}')
end}
LUA
	for w in write_topic write_reply write_vote write_accept under_writes; do
		{ cat "$work/write.lua"; printf 'local make = kinds.%s\nrequest = function() local r = make(); n = n + 1; return r end\n' "$w"; } >"$work/$w.lua"
	done
	# The writer of the loaded reads: one connection, one request every 20 ms
	# by the monotonic clock (LuaJIT's ffi; without it, 20 ms between an answer
	# and the next request), so 50 writes a second while a write takes < 20 ms.
	cat >>"$work/under_writes.lua" <<'LUA'
local ok, ffi = pcall(require, "ffi")
local now, due
if ok then
  ffi.cdef[[ typedef struct { long tv_sec; long tv_nsec; } perf_ts; int clock_gettime(int, perf_ts *); ]]
  local ts = ffi.new("perf_ts")
  now = function() ffi.C.clock_gettime(1, ts); return tonumber(ts.tv_sec) * 1000 + tonumber(ts.tv_nsec) / 1e6 end
end
delay = function()
  if not now then return 20 end
  local t = now()
  due = math.max((due or t - 20) + 20, t - 200) -- a writer held up catches up, at most 10 writes late
  return math.max(0, math.floor(due - t))
end
LUA

	for w in $writes; do
		[ "$w" = under_writes ] && continue
		size=$(awk -v w="$w" '$1 == w {print $2}' "$work/wsizes")
		for c in $CONNS; do
			log "-- $w ($size B) at $c connection(s)"
			read -r rps p50 p99 cpu bad rss < <(OK_ONLY=1 measure "$server_pid" "$BASE/" "$c" "$work/$w.lua")
			read -r crps cp50 cp99 ccpu _ _ < <(measure "$ceil_pid" "http://127.0.0.1:$CEIL_PORT/$size" "$c" "$work/done.lua")
			echo "$w write $c $size $rps $p50 $p99 $crps $cp50 $cpu $ccpu $rss $bad POST $cp99" >>"$wrows"
		done
	done

	# A CPU profile of the slowest write (fewest req/s at 1 connection).
	wworst=$(awk '$3 == 1 && (!n++ || $5 < min) {min = $5; w = $1} END {print w}' "$wrows")
	if [ "$PROFILE" = 1 ] && [ -n "$wworst" ]; then
		cpu_profile "$work/wprofile.md" "$wworst" 1 "$BASE/" "$work/$wworst.lua"
		wprofile=$(cat "$work/wprofile.md")
	fi

	if [[ $writes == *under_writes* ]]; then
		# Unloaded, then loaded: topic_20 as a guest (page cache; the writer
		# replies to another topic of the same space) and signed in, at 1
		# connection. The page cache's hits and misses are read from the debug
		# listener around each guest run.
		cache() { curl -s --max-time 5 "http://127.0.0.1:$DEBUG_PORT/debug/runtime" | python3 -c 'import json, sys; c = json.load(sys.stdin)["page_cache"]; print(c["hits"], c["misses"])'; }
		uw_reads() { # → one line per page: name p50 p99 errors hits misses
			local name class auth path h0 m0 h1 m1 hdr
			while IFS='|' read -r name class auth path; do
				[[ $name == topic_20 || $name == topic_20_signed_in ]] || continue
				hdr=(); [ "$auth" = cookie ] && hdr=(-H "Cookie: practica_session=$cookie")
				read -r h0 m0 < <(cache)
				read -r _ p50 p99 _ bad _ < <(measure "$server_pid" "$BASE$path" 1 "$work/done.lua" "${hdr[@]}")
				read -r h1 m1 < <(cache)
				echo "$name $p50 $p99 $bad $((h1 - h0)) $((m1 - m0))"
			done < <(sed -n 's/^T //p' "$work/targets")
		}
		log "-- under_writes: topic_20 and topic_20_signed_in unloaded"
		uw_reads >"$work/uw0"
		# The writer runs for the two loaded measures plus a second either side
		# (what it reached is reported: on a busy machine it may fall short).
		wsecs=$(( 2 * REPEAT * (WARMUP + DURATION) + 3 ))
		log "-- under_writes: the same while a writer replies at ~50/s ($wsecs s)"
		wrk_run "$BASE/" 1 "$wsecs" "$work/under_writes.lua" >"$work/uwriter" &
		load_pid=$!
		sleep 1
		uw_reads >"$work/uw1"
		wait "$load_pid" || true
		load_pid=
		read -r wn wd _ _ wbad wsock < <(cat "$work/uwriter"; echo "0 1 0 0 0 0")
		wrate=$(awk -v n="$wn" -v d="$wd" -v b="$wbad" -v s="$wsock" 'BEGIN {printf "%.1f", (n - b) / (d / 1e6)}')
		# name, unloaded p50 p99 errors hits misses, loaded p50 p99 errors hits misses, writes/s, write errors
		awk -v wr="$wrate" -v we="$((wbad + wsock))" 'NR == FNR {u[$1] = $0; next} $1 in u {print u[$1], $2, $3, $4, $5, $6, wr, we}' "$work/uw0" "$work/uw1" >"$uwrows"
	fi
fi
hwm=$(kb "$server_pid" VmHWM)
end_rss=$(kb "$server_pid" VmRSS)

wtable=$(awk '
function verdict(ok) { return ok ? "yes" : "**no**" }
{
	rps = $5; p50 = $6; p99 = $7; crps = $8; ratio = crps > 0 ? 100 * rps / crps : 0
	ok = rps >= 1000 && p99 < 20 && $13 == 0
	printf "| %s | %d | %.1f | %.0f | %.2f | %.2f | %.0f | %.2f | %.1f %% | %.3f | %.3f | %.0f | %d | ≥ 1,000/s, p99 < 20 | %s |\n",
		$1, $3, $4 / 1024, rps, p50, p99, crps, $15, ratio, $10, $11, $12 / 1024, $13, verdict(ok)
}' "$wrows")
uwtable=$(awk '
function verdict(ok) { return ok ? "yes" : "**no**" }
function rate(h, m) { return h + m > 0 ? sprintf("%.1f %%", 100 * h / (h + m)) : "n/a" }
{
	# name, unloaded p50 p99 errors hits misses, loaded p50 p99 errors hits misses, writes/s, write errors
	r = $3 > 0 ? $8 / $3 : 0; wr = $12; ok = r < 2 && $4 + $9 == 0 && $13 == 0 && wr >= 45
	if ($1 == "topic_20") {
		t = "p99 < 2× unloaded; hit rate > 90 %"; ok = ok && $10 + $11 > 0 && $10 / ($10 + $11) > 0.9
		hits = rate($5, $6) " → " rate($10, $11)
	} else { t = "p99 < 2× unloaded"; hits = "—" }
	printf "| %s | 1 | %.2f | %.2f | %.2f | %.2f | %.2f× | %.1f | %d | %d | %s | %s | %s |\n",
		$1, $2, $3, $7, $8, r, wr, $13, $4 + $9, hits, t, verdict(ok)
}' "$uwrows")
wsection= uwsection=
[ ! -s "$wrows" ] || wsection=$(cat <<EOF


### Writes

Through the JSON API with write-scope tokens, every answer's status checked: new topic (perfadmin, a
question or a discussion in turn, one tag), reply (perfadmin, to 64 discussions in turn), vote (perfmember on
64 answers of perfhelper, up then neutral), accept (perfadmin on 64 of its questions, the first then the
second answer). The body is a ~700-character Markdown post with a list, a link and a code block.
req/s counts only the 2xx answers; errors are every other answer and socket errors. KB is the response's
size, which the ceiling serves (GET) beside each row. Staff writers are not held to the 10 posts a minute
of members. Writes run after the reads above, on the same copy.

| write | conns | KB | req/s | p50 | p99 | ceiling req/s | ceiling p99 | share | CPU-ms/req | ceiling CPU-ms/req | RSS MB | errors | target | met |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
$wtable
EOF
)
[ ! -s "$uwrows" ] || uwsection=$(cat <<EOF


### Reads while 50 writes/s run

topic_20 as a guest (page cache) and signed in, at 1 connection, measured without writes and then while one
wrk connection replies to another topic of the same space once every 20 ms (the rate it reached is shown).
Hit rate: the guest page cache's hits / (hits + misses) over each guest run (warm-up included), from
\`/debug/runtime\` (unloaded → loaded). Latencies in ms; met also needs ≥ 45 writes/s and no errors.

| page | conns | p50 unloaded | p99 unloaded | p50 loaded | p99 loaded | p99 loaded / unloaded | writes/s | write errors | read errors | hit rate | target | met |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|
$uwtable
EOF
)
import_row=
[ -n "$import_ms" ] && import_row="| import of the dump (\`practica import stackexchange\`, wall) | $import_ms ms | < 1 s (never over 2 s) for the shared sample |
"
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
[ -n "$(git status --porcelain 2>/dev/null)" ] && commit="$commit (with uncommitted changes)"
section=$(cat <<EOF
<!-- perf:$DATASET:begin -->
## Dataset: $DATASET

Generated by \`bench/perf.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores ($(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)),
$(go version | awk '{print $3}'), $(wrk --version 2>&1 | head -1 | awk '{print $1, $2}'), commit $commit.
Dataset: $DATASIZE; database $(du -m "$db_sqlite" | awk '{print $1}') MB (as SQLite).
Runs: ${WARMUP} s warm-up + ${DURATION} s measured, \`--timeout 30s\`, connections $CONNS, median of $REPEAT.

| start-up / memory | value | target |
|---|---:|---|
| process start to first 200 on /readyz | $ready_ms ms | < 300 ms (dataset M) |
| process start to first 200 on / | $first_ms ms | |
$import_row| RSS idle after start | $((idle_rss / 1024)) MB | < 40 MB |
| RSS after the runs / peak (VmHWM) | $((end_rss / 1024)) / $((hwm / 1024)) MB | < 150 MB peak |

Columns: KB of HTML or JSON per response; req/s and latency (ms) of Practica; the ceiling's req/s and
p99 for a page of the same size in the same run (the p99 that wrk and the machine alone give); Practica's share of it; server CPU-ms per request (from
\`/proc/PID/stat\`, 10 ms resolution) for Practica and the ceiling; Practica's RSS after the run; non-2xx
or socket errors.

| page | conns | KB | req/s | p50 | p99 | ceiling req/s | ceiling p99 | share | CPU-ms/req | ceiling CPU-ms/req | RSS MB | errors | target | met |
|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|
$table$wsection$uwsection

$profile
${wprofile:+
$wprofile
}
<!-- perf:$DATASET:end -->
EOF
)

if [ "$OUT" = - ]; then printf '%s\n' "$section"; exit 0; fi
[ -f "$OUT" ] || printf '# Performance\n\n<!-- perf:results -->\n' >"$OUT"
printf '%s\n' "$section" >"$work/section"
python3 - "$OUT" "$work/section" "$DATASET" <<'PY'
import sys, re
out, sec, name = sys.argv[1], open(sys.argv[2]).read().rstrip("\n"), sys.argv[3]
doc = open(out).read()
pat = re.compile(r"<!-- perf:%s:begin -->.*?<!-- perf:%s:end -->" % (re.escape(name), re.escape(name)), re.S)
if pat.search(doc):
    doc = pat.sub(lambda m: sec, doc)
elif "<!-- perf:results -->" in doc:
    doc = doc.replace("<!-- perf:results -->", "<!-- perf:results -->\n\n" + sec, 1)
else:
    doc = doc.rstrip("\n") + "\n\n" + sec + "\n"
open(out, "w").write(doc)
PY
log "== wrote $OUT (section $DATASET)"
printf '%s\n' "$table" "$wtable" "$uwtable" | grep -v '^$' || true
