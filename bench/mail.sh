#!/usr/bin/env bash
# Delivery throughput: COUNT messages of about SIZE KB (a large digest) to a
# local aiosmtpd server (crates/scheduler/tests/smtp_sink.py --no-parse),
# first by a bare lettre loop on one connection (no database), then by the
# product's worker (claim, send CONCURRENCY at a time over lettre's pool,
# record, fenced finish) from a SQLite outbox. Prints one JSON object:
# bare_per_s, pooled_per_s, ratio, message_bytes, concurrency.
#
#   bench/mail.sh                          1,000 × 68 KB, 16 at a time, target/release
#   bench/mail.sh --count 500 --concurrency 8 --bin-dir target/debug
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
COUNT=1000
SIZE_KB=68
CONCURRENCY=16
BIN_DIR="$ROOT/target/release"
while [ $# -gt 0 ]; do
  case "$1" in
    --count) COUNT="$2"; shift 2 ;;
    --size-kb) SIZE_KB="$2"; shift 2 ;;
    --concurrency) CONCURRENCY="$2"; shift 2 ;;
    --bin-dir) BIN_DIR="$2"; shift 2 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "mail.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
DONDOC="$BIN_DIR/dondoc"
PROBE="$BIN_DIR/dondoc-bench"
[ -x "$DONDOC" ] && [ -x "$PROBE" ] || {
  echo "no dondoc / dondoc-bench in $BIN_DIR (cargo build --release -p dondoc-cli)" >&2; exit 1; }
PYTHON=/usr/bin/python3
[ -x "$PYTHON" ] || PYTHON=$(command -v python3)
"$PYTHON" -c "import aiosmtpd" 2>/dev/null || {
  echo "python3 aiosmtpd is missing (apt-get install python3-aiosmtpd)" >&2; exit 1; }
WORK=$(mktemp -d)
SINK_PID=""
cleanup() {
  [ -n "$SINK_PID" ] && kill "$SINK_PID" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT
PORT=$("$PYTHON" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$PYTHON" "$ROOT/crates/scheduler/tests/smtp_sink.py" serve --port "$PORT" \
  --log "$WORK/smtp.jsonl" --no-parse > "$WORK/smtp.out" 2>&1 &
SINK_PID=$!
for _ in $(seq 1 500); do grep -q READY "$WORK/smtp.out" 2>/dev/null && break; sleep 0.02; done
grep -q READY "$WORK/smtp.out" || { cat "$WORK/smtp.out"; exit 1; }

export DONDOC__DATABASE__URL="sqlite://$WORK/dondoc.db"
export DONDOC__DEMO__ENABLED=false
export DONDOC__LOG__FILTER=warn
export DONDOC_CONFIG_DIR="$WORK/config"   # compiled-in defaults
"$DONDOC" migrate > "$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log"; exit 1; }
DONDOC__MAIL__TRANSPORT=smtp DONDOC__MAIL__SMTP__PORT=$PORT \
DONDOC__MAIL__DELIVERY__CONCURRENCY=$CONCURRENCY DONDOC__MAIL__SMTP__POOL_SIZE=$CONCURRENCY \
DONDOC__MAIL__DELIVERY__BATCH_SIZE=$(( CONCURRENCY * 8 )) \
  "$PROBE" smtp --count "$COUNT" --today "$(date +%F)" --size-kb "$SIZE_KB"
received=$(grep -c '"event": "received"' "$WORK/smtp.jsonl")
echo "the server received $received messages ($COUNT bare + $COUNT by the worker)" >&2
