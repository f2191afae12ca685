#!/usr/bin/env bash
# dondoc benchmark: synthetic data, HTTP throughput and latency (wrk, 16
# connections) as ratios to /healthz, the department digest vs its raw SQL,
# outbox delivery vs a bare SMTP loop, memory and start-up time — on SQLite
# and PostgreSQL, at each size. Loopback only; every step is bounded in time.
#
#   bench/run.sh                          10k, 100k and 1M tasks, SQLite and PostgreSQL
#   bench/run.sh --tasks 1000000 --db sqlite
#   bench/run.sh --smoke                  ~1,000 tasks, SQLite, a few seconds (the test suite runs this)
#
# Options:
#   --tasks N[,N…]     sizes (default 10000,100000,1000000)
#   --db sqlite|postgres|both             (default both)
#   --duration S       seconds per wrk run (default 10)
#   --smoke            1,000 tasks, SQLite, 1-second runs; writes no doc
#   --bin-dir DIR      use dondoc and dondoc-bench from DIR (default: cargo build --release)
#   --out DIR          where results and logs go (default bench/out)
#   --doc FILE         the doc to update (default docs/performance.md; "-" = none)
#   --today YYYY-MM-DD the day the data and the server are pinned to (default: today)
# PostgreSQL: DONDOC_BENCH_POSTGRES_URL (else DONDOC_TEST_POSTGRES_URL, else
# postgres://postgres@127.0.0.1:5432/postgres); a fresh database per run,
# dropped afterwards.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COMMAND="bench/run.sh $*"

SIZES="10000,100000,1000000"
DBS="both"
DURATION=10
SMOKE=0
BIN_DIR=""
OUT="$ROOT/bench/out"
DOC="$ROOT/docs/performance.md"
TODAY=$(date +%F)
while [ $# -gt 0 ]; do
  case "$1" in
    --tasks) SIZES="$2"; shift 2 ;;
    --db) DBS="$2"; shift 2 ;;
    --duration) DURATION="$2"; shift 2 ;;
    --smoke) SMOKE=1; shift ;;
    --bin-dir) BIN_DIR="$2"; shift 2 ;;
    --out) OUT="$2"; shift 2 ;;
    --doc) DOC="$2"; shift 2 ;;
    --today) TODAY="$2"; shift 2 ;;
    -h|--help) sed -n '2,24p' "$0"; exit 0 ;;
    *) echo "bench: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
done
if [ "$SMOKE" = 1 ]; then
  SIZES=1000; DBS=sqlite; DURATION=1; DOC="-"
fi
case "$DBS" in
  both) DBS="sqlite postgres" ;;
  sqlite|postgres) ;;
  *) echo "bench: --db must be sqlite, postgres or both" >&2; exit 2 ;;
esac
SIZES=${SIZES//,/ }
mkdir -p "$OUT"
OUT=$(cd "$OUT" && pwd)
LOG="$OUT/bench.log"
: > "$LOG"
RESULTS="$OUT/results.tsv"
: > "$RESULTS"

say() { echo "bench: $*" >&2; echo "$*" >> "$LOG"; }
die() {
  say "FAILED: $*"
  # What the server said last, when it was running.
  if [ -n "${RUN_DIR:-}" ] && [ -f "$RUN_DIR/server.log" ]; then tail -n 40 "$RUN_DIR/server.log" >&2; fi
  exit 1
}

# ── tools ──────────────────────────────────────────────────────────────
LOADGEN=""
if command -v wrk >/dev/null 2>&1; then LOADGEN=wrk
elif command -v oha >/dev/null 2>&1; then LOADGEN=oha
else die "neither wrk nor oha is installed (apt-get install wrk)"; fi
command -v curl >/dev/null 2>&1 || die "curl is not installed"
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3 || true)
HAVE_SMTP=0
if [ -n "$PYTHON" ] && "$PYTHON" -c "import aiosmtpd" 2>/dev/null; then HAVE_SMTP=1; fi

if [ -z "$BIN_DIR" ]; then
  say "building --release"
  timeout 1800 cargo build --release -q -p dondoc-cli --bins >> "$LOG" 2>&1 || die "release build (see $LOG)"
  BIN_DIR="$ROOT/target/release"
fi
DONDOC="$BIN_DIR/dondoc"
PROBE="$BIN_DIR/dondoc-bench"
[ -x "$DONDOC" ] && [ -x "$PROBE" ] || die "no dondoc / dondoc-bench in $BIN_DIR"

PG_ADMIN=${DONDOC_BENCH_POSTGRES_URL:-${DONDOC_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}}

free_port() {
  "$PYTHON" - <<'EOF' 2>/dev/null || echo $((20000 + RANDOM % 20000))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
EOF
}

now_ms() { date +%s%3N; }

# Waits (at most 120 s) until the server has finished what an earlier run
# left in flight (wrk closes its connections at the deadline, the server
# still completes the requests it had started), so runs do not overlap.
# "Finished" is at most `$2` clock ticks (1/100 s) of CPU over half a
# second above the steady work the server does anyway (`$3`, e.g. the
# writer's PATCHes); the default, 5 over 0, is 10 % of one core.
settle() {
  local pid=$1 margin=${2:-5} floor=${3:-0} before after
  for _ in $(seq 1 240); do
    before=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    sleep 0.5
    after=$(awk '{print $14 + $15}' "/proc/$pid/stat" 2>/dev/null || echo 0)
    [ $((after - before)) -le $((floor + margin)) ] && return 0
  done
  say "server still busy after 120 s"
}

rss_kb() { awk '/^VmRSS/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }
hwm_kb() { awk '/^VmHWM/ {print $2}' "/proc/$1/status" 2>/dev/null || echo 0; }

SERVER_PID=""
SINK_PID=""
PG_DB=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null && wait "$SINK_PID" 2>/dev/null || true
  if [ -n "$PG_DB" ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  SERVER_PID=""; SINK_PID=""; PG_DB=""
}
trap cleanup EXIT

# wrk NAME URL [extra args…]: appends "NAME rps p50_ms p99_ms non2xx" to $RUN_HTTP
load() {
  local name=$1 url=$2; shift 2
  local out="$RUN_DIR/wrk-$name.txt"
  if [ "$LOADGEN" = wrk ]; then
    timeout $((DURATION + 30)) wrk -t2 -c16 -d"${DURATION}s" --timeout 10s --latency "$@" "$url" > "$out" 2>&1 || true
    "$PYTHON" - "$out" "$name" >> "$RUN_HTTP" <<'EOF'
import re, sys
text = open(sys.argv[1]).read()
def ms(v):
    m = re.match(r"([\d.]+)(us|ms|s)", v)
    if not m: return float("nan")
    x = float(m.group(1)); u = m.group(2)
    return x / 1000 if u == "us" else x * 1000 if u == "s" else x
rps = re.search(r"Requests/sec:\s+([\d.]+)", text)
p50 = re.search(r"^\s+50%\s+(\S+)", text, re.M)
p99 = re.search(r"^\s+99%\s+(\S+)", text, re.M)
bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", text)
errs = re.search(r"Socket errors:.*", text)
print(sys.argv[2], rps.group(1) if rps else "nan", ms(p50.group(1)) if p50 else "nan",
      ms(p99.group(1)) if p99 else "nan", (bad.group(1) if bad else "0") + ("+sockerr" if errs else ""))
EOF
  else
    local headers=() method=GET body=""
    while [ $# -gt 0 ]; do
      case "$1" in
        -H) headers+=(-H "$2"); shift 2 ;;
        *) shift ;;
      esac
    done
    timeout $((DURATION + 30)) oha --no-tui -c 16 -z "${DURATION}s" --output-format json "${headers[@]}" "$url" > "$out" 2>&1 || true
    "$PYTHON" - "$out" "$name" >> "$RUN_HTTP" <<'EOF'
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]; p = d["latencyPercentiles"]
codes = d.get("statusCodeDistribution", {})
bad = sum(v for k, v in codes.items() if not k.startswith("2"))
print(sys.argv[2], s["requestsPerSec"], p["p50"] * 1000, p["p99"] * 1000, bad)
EOF
  fi
}

# ── one run: one database, one size ────────────────────────────────────
run_one() {
  local backend=$1 tasks=$2
  local departments=$(( tasks / 1000 ))
  [ "$departments" -lt 30 ] && departments=30
  RUN_DIR="$OUT/$backend-$tasks"
  rm -rf "$RUN_DIR"; mkdir -p "$RUN_DIR"
  RUN_HTTP="$RUN_DIR/http.txt"; : > "$RUN_HTTP"
  local url
  if [ "$backend" = sqlite ]; then
    url="sqlite://$RUN_DIR/dondoc.db"
  else
    command -v psql >/dev/null 2>&1 || die "psql is not installed"
    PG_DB="dondoc_bench_$$_$tasks"
    psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null
    psql "$PG_ADMIN" -v ON_ERROR_STOP=1 -qc "CREATE DATABASE $PG_DB" >/dev/null
    url=$("$PYTHON" - "$PG_ADMIN" "$PG_DB" <<'EOF'
import sys
u, name = sys.argv[1], sys.argv[2]
base, _, query = u.partition("?")
i = base.find("/", base.find("://") + 3)
base = base if i < 0 else base[:i]
print(f"{base}/{name}" + (f"?{query}" if query else ""))
EOF
)
  fi
  export DONDOC__DATABASE__URL="$url"
  export DONDOC__CLOCK__TODAY="$TODAY"
  export DONDOC__DEMO__ENABLED=false
  export DONDOC__LOG__FILTER=warn
  export RUST_LOG=warn
  export DONDOC_CONFIG_DIR="$RUN_DIR/config"   # compiled-in defaults only

  say "$backend $tasks: migrate + seed ($departments departments)"
  timeout 120 "$DONDOC" migrate >> "$LOG" 2>&1 || die "migrate"
  local seed_out
  seed_out=$(timeout 1200 "$DONDOC" seed synthetic --tasks "$tasks" --departments "$departments" --years 3 --seed 1 2>>"$LOG") || die "seed"
  echo "$seed_out" >> "$LOG"
  local seed_s
  seed_s=$(echo "$seed_out" | sed -n 's/.* in \([0-9.]*\) s (.*/\1/p' | head -n1)
  local year=${TODAY:0:4}

  # Start-up to ready, on the migrated, seeded database.
  local port; port=$(free_port)
  export DONDOC__SERVER__PORT=$port
  export DONDOC__SERVER__PUBLIC_URL="http://127.0.0.1:$port"
  local base="http://127.0.0.1:$port"
  local t0; t0=$(now_ms)
  "$DONDOC" serve --no-scheduler >> "$RUN_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  local ready=""
  for _ in $(seq 1 3000); do
    if curl -fsS -o /dev/null "$base/readyz" 2>/dev/null; then ready=1; break; fi
    kill -0 "$SERVER_PID" 2>/dev/null || die "server exited (see $RUN_DIR/server.log)"
    sleep 0.01
  done
  [ -n "$ready" ] || die "server not ready in 30 s"
  local startup_ms=$(( $(now_ms) - t0 ))
  sleep 1
  local rss_idle; rss_idle=$(rss_kb "$SERVER_PID")

  # Credentials: a leader's bearer token and session cookie, an admin token.
  local login
  login=$(curl -fsS -c "$RUN_DIR/cookies" -H 'Content-Type: application/json' \
    -d '{"username":"chutich","password":"lanhdao-demo-2026"}' "$base/api/v1/auth/login") || die "login"
  local token; token=$("$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["token"])' <<<"$login")
  local session; session=$(awk '$6 == "dondoc_session" {print $6"="$7}' "$RUN_DIR/cookies" | head -n1)
  local admin; admin=$(curl -fsS -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"admin-demo-2026"}' "$base/api/v1/auth/login" \
    | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["token"])') || die "admin login"
  # Open tasks for the PATCH mix.
  local ids
  ids=$(curl -fsS -H "Authorization: Bearer $token" "$base/api/v1/overdue?per_page=200" \
    | "$PYTHON" -c 'import json,sys; print(",".join(str(i["id"]) for i in json.load(sys.stdin)["items"] if i["status"] == "in_progress"))')
  [ -n "$ids" ] || die "no open tasks to PATCH"

  # One leader's dashboard alone, before any load: the median of 5, each
  # built after a task's update and once the figures have moved (past
  # figures.refresh_ms), so that the figure is the page's building, not a
  # kept copy of it.
  local single=() first_id=${ids%%,*} progress
  for progress in 11 12 13 14 15; do
    curl -fsS -o /dev/null -X PATCH -H "Authorization: Bearer $admin" \
      -H 'Content-Type: application/json' -d "{\"progress\": $progress}" \
      "$base/api/v1/tasks/$first_id" || die "PATCH before the single dashboard"
    sleep 0.2
    single+=("$(curl -fsS -o /dev/null -w '%{time_total}' -H "Cookie: $session" "$base/dashboard" || echo nan)")
  done
  local dashboard_single_ms
  dashboard_single_ms=$("$PYTHON" -c 'import sys, statistics; v=[float(x) for x in sys.argv[1:] if x != "nan"]; print(round(statistics.median(v)*1000, 2) if v else "nan")' "${single[@]}")

  say "$backend $tasks: HTTP (${DURATION}s each, 16 connections)"
  local auth=(-H "Authorization: Bearer $token")
  local page=(-H "Cookie: $session" -H "Accept-Language: vi")
  load healthz "$base/healthz"; settle "$SERVER_PID"
  # The write ceiling first, alone.
  if [ "$LOADGEN" = wrk ]; then
    BENCH_TOKEN="$admin" BENCH_IDS="$ids" load patch "$base" -s "$ROOT/bench/patch.lua"
  else
    echo "patch nan nan nan n/a" >> "$RUN_HTTP"
  fi
  settle "$SERVER_PID"
  # Every read run below has a steady writer alongside (20 PATCH/s, one
  # connection), so the figures are measured while they move.
  "$PYTHON" "$ROOT/bench/writer.py" "$base" "$admin" "$ids" 20 "$RUN_DIR/writer.txt" &
  local writer_pid=$!
  # The writer keeps the server busy on its own: measure that (2 s, in
  # half-second ticks) so that settling waits for the last load only.
  sleep 1
  local t0 t1 writer_ticks
  t0=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
  sleep 2
  t1=$(awk '{print $14 + $15}' "/proc/$SERVER_PID/stat" 2>/dev/null || echo 0)
  writer_ticks=$(( (t1 - t0) / 4 ))
  echo "writer alone: $writer_ticks ticks per half second" >> "$LOG"
  load overdue "$base/api/v1/overdue?per_page=50" "${auth[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  load by_department "$base/api/v1/overdue/by-department" "${auth[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  load tasks "$base/api/v1/tasks?year=$year&department=TNMT&per_page=50" "${auth[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  # Peak memory under the lists and writes; then with the year's figures;
  # then with the leaders' pages on top.
  local rss_load; rss_load=$(hwm_kb "$SERVER_PID")
  load stats "$base/api/v1/stats?year=$year" "${auth[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  local rss_stats; rss_stats=$(hwm_kb "$SERVER_PID")
  load dashboard "$base/dashboard" "${page[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  load overdue_page "$base/overdue" "${page[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  load review "$base/review?year=$year" "${page[@]}"; settle "$SERVER_PID" 8 "$writer_ticks"
  local rss_page; rss_page=$(hwm_kb "$SERVER_PID")
  kill -TERM "$writer_pid" 2>/dev/null; wait "$writer_pid" 2>/dev/null || true
  local writer_line; writer_line=$(cat "$RUN_DIR/writer.txt" 2>/dev/null || echo "0 0 0 1")
  echo "writer $writer_line" >> "$LOG"
  kill "$SERVER_PID" 2>/dev/null; wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""

  # Outbox delivery vs a bare SMTP loop (before the digest fills the outbox).
  local smtp_json='{}'
  if [ "$HAVE_SMTP" = 1 ]; then
    say "$backend $tasks: SMTP delivery"
    local sport; sport=$(free_port)
    "$PYTHON" "$ROOT/crates/scheduler/tests/smtp_sink.py" serve --port "$sport" --log "$RUN_DIR/smtp.jsonl" \
      > "$RUN_DIR/smtp.out" 2>&1 &
    SINK_PID=$!
    for _ in $(seq 1 500); do grep -q READY "$RUN_DIR/smtp.out" 2>/dev/null && break; sleep 0.02; done
    local count=300; [ "$SMOKE" = 1 ] && count=50
    smtp_json=$(DONDOC__MAIL__TRANSPORT=smtp DONDOC__MAIL__SMTP__PORT=$sport \
      timeout 600 "$PROBE" smtp --count "$count" --today "$TODAY" 2>>"$LOG") || die "smtp probe"
    kill "$SINK_PID" 2>/dev/null; wait "$SINK_PID" 2>/dev/null || true
    SINK_PID=""
  else
    say "SKIPPED the SMTP part: python3 aiosmtpd is not installed"
  fi

  say "$backend $tasks: department-digest vs raw SQL"
  local digest_json
  digest_json=$(timeout 900 "$PROBE" digest --today "$TODAY" 2>>"$LOG") || die "digest probe"
  if [ "$SMOKE" = 0 ]; then
    timeout 600 "$PROBE" explain --today "$TODAY" > "$RUN_DIR/plans.md" 2>>"$LOG" || say "explain failed"
  fi

  "$PYTHON" - "$RUN_HTTP" "$backend" "$tasks" "$departments" "${seed_s:-nan}" "$startup_ms" "$rss_idle" "$rss_load" \
      "$rss_stats" "$rss_page" "$digest_json" "$smtp_json" "$dashboard_single_ms" "$writer_line" >> "$RESULTS" <<'EOF'
import json, sys
http_file, backend, tasks, depts, seed_s, startup, idle, load, stats, page, digest, smtp, single, writer = sys.argv[1:]
sent, ok, failed, seconds = (float(x) for x in writer.split()[:4])
http = {}
for line in open(http_file):
    p = line.split()
    if len(p) >= 5:
        http[p[0]] = {"rps": float(p[1]), "p50": float(p[2]), "p99": float(p[3]), "bad": p[4]}
print(json.dumps({"backend": backend, "tasks": int(tasks), "departments": int(depts), "seed_s": float(seed_s),
                  "startup_ms": int(startup), "rss_idle_mb": int(idle) / 1024, "rss_load_mb": int(load) / 1024,
                  "rss_stats_mb": int(stats) / 1024, "rss_page_mb": int(page) / 1024,
                  "http": http, "digest": json.loads(digest), "smtp": json.loads(smtp),
                  "dashboard_single_ms": float(single),
                  "writer": {"ok_per_s": ok / seconds if seconds else 0.0, "failed": int(failed)}}))
EOF
  if [ "$backend" = postgres ]; then
    psql "$PG_ADMIN" -qc "DROP DATABASE IF EXISTS $PG_DB WITH (FORCE)" >/dev/null 2>&1 || true
    PG_DB=""
  fi
  unset DONDOC__DATABASE__URL
}

for tasks in $SIZES; do
  for backend in $DBS; do
    run_one "$backend" "$tasks"
  done
done

# ── the table ───────────────────────────────────────────────────────────
MACHINE=$( (grep -m1 "model name" /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//'; echo "$(nproc) cores"; free -g | awk '/^Mem:/ {print $2 " GiB RAM"}') | paste -sd, - | sed 's/,/, /g')
"$PYTHON" "$ROOT/bench/report.py" "$RESULTS" "$OUT/table.md" "$COMMAND" "$MACHINE" "$(date -u '+%Y-%m-%d %H:%M UTC')" "$LOADGEN"
cat "$OUT/table.md"
if [ "$DOC" != "-" ]; then
  "$PYTHON" "$ROOT/bench/report.py" --update-doc "$DOC" "$OUT/table.md" "$OUT"
  say "wrote $DOC"
fi
