#!/usr/bin/env bash
# Other users' saves during a large import. A demo database (SQLite) is
# served by `dondoc serve`; one user saves 20 times a second through the API
# (bench/writer.py) while `dondoc import tasks` writes a generated .csv of
# N rows into the same database. Prints how long the import held the write
# lock, its total time, and how the saves fared (count, failures, slowest).
#
#   bench/import.sh                 20,000 rows, binaries from target/release
#   bench/import.sh --rows 5000 --bin-dir target/debug
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
ROWS=20000
BIN_DIR="$ROOT/target/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --rows) ROWS="$2"; shift 2 ;;
    --bin-dir) BIN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "import.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
DONDOC="$BIN_DIR/dondoc"
[ -x "$DONDOC" ] || { echo "no dondoc in $BIN_DIR (cargo build --release -p dondoc-cli)" >&2; exit 1; }
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
WORK=$(mktemp -d)
SERVER_PID=""
WRITER_PID=""
cleanup() {
  [ -n "$WRITER_PID" ] && kill "$WRITER_PID" 2>/dev/null || true
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
export DONDOC__DATABASE__URL="sqlite://$WORK/dondoc.db"
export DONDOC__SERVER__PORT=$PORT
export DONDOC__SCHEDULER__ENABLED=false
export DONDOC__LOG__FILTER=info
export DONDOC_CONFIG_DIR="$WORK/config"   # compiled-in defaults (the demo is seeded)
BASE="http://127.0.0.1:$PORT"

"$DONDOC" serve --no-scheduler > "$WORK/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 600); do curl -fsS -o /dev/null "$BASE/readyz" 2>/dev/null && break; sleep 0.1; done
curl -fsS -o /dev/null "$BASE/readyz" || { cat "$WORK/server.log"; exit 1; }
ADMIN=$(curl -fsS -H 'Content-Type: application/json' \
  -d '{"username":"admin","password":"admin-demo-2026"}' "$BASE/api/v1/auth/login" \
  | "$PYTHON" -c 'import json,sys; print(json.load(sys.stdin)["token"])')
IDS=$(curl -fsS -H "Authorization: Bearer $ADMIN" "$BASE/api/v1/tasks?status=in_progress&per_page=100" \
  | "$PYTHON" -c 'import json,sys; print(",".join(str(i["id"]) for i in json.load(sys.stdin)["items"]))')

# The file: N tasks of next year, spread over the demo's departments,
# fields and leaders.
YEAR=$(( $(date +%Y) + 1 ))
"$PYTHON" - "$WORK/dondoc.db" "$WORK/tasks.csv" "$ROWS" "$YEAR" <<'PY'
import csv, sqlite3, sys
db, out, rows, year = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
c = sqlite3.connect(db)
depts = [r[0] for r in c.execute("SELECT code FROM departments ORDER BY id")]
fields = [r[0] for r in c.execute("SELECT code FROM fields ORDER BY sort_order")]
leaders = [r[0] for r in c.execute("SELECT username FROM users WHERE role = 'leader' ORDER BY id")]
with open(out, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["Mã", "Nội dung", "Lĩnh vực", "Đơn vị chủ trì", "Đơn vị phối hợp", "Thời hạn", "Lãnh đạo phụ trách", "Ghi chú"])
    for i in range(rows):
        w.writerow([f"NK-{i + 1:05d}", f"Nhiệm vụ nhập thử số {i + 1}", fields[i % len(fields)],
                    depts[i % len(depts)], depts[(i + 7) % len(depts)],
                    f"{1 + i % 28:02d}/{1 + i % 12:02d}/{year}", leaders[i % len(leaders)], ""])
PY

"$PYTHON" "$ROOT/bench/writer.py" "$BASE" "$ADMIN" "$IDS" 20 "$WORK/writer.txt" &
WRITER_PID=$!
sleep 2
T0=$(date +%s%3N)
"$DONDOC" import tasks "$WORK/tasks.csv" --year "$YEAR" > "$WORK/import.log" 2>&1 || { cat "$WORK/import.log"; exit 1; }
T1=$(date +%s%3N)
sleep 2
kill -TERM "$WRITER_PID"; wait "$WRITER_PID" 2>/dev/null || true
WRITER_PID=""
LOCK_MS=$(sed "s/\x1b\[[0-9;]*m//g" "$WORK/import.log" | grep -o "write_lock_ms[=: \"]*[0-9]*" | grep -o "[0-9]*$" | head -n1)
read -r SENT OK FAILED RUN_S SLOWEST < "$WORK/writer.txt"
echo "rows: $ROWS (SQLite)"
echo "import total: $((T1 - T0)) ms; write lock held: ${LOCK_MS:-?} ms"
echo "other user's saves during the run: $OK ok, $FAILED failed of $SENT in ${RUN_S} s; slowest ${SLOWEST} ms"
