#!/usr/bin/env bash
# API fuzzing with schemathesis against the served OpenAPI document, on the
# demo data, authenticated as an admin and as a staff member: no 5xx, every
# status code, content type and body as documented, negative data rejected.
# Bounded in time; loopback only. Usage: .ci/fuzz-api.sh [SECONDS_PER_ROLE]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
command -v schemathesis >/dev/null 2>&1 || python3 -m pip install -q schemathesis
bin=target/debug/dondoc
[ -x "$bin" ] || cargo build -q -p dondoc-cli
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
DONDOC__SERVER__PORT=$port DONDOC__DATABASE__URL="sqlite://$work/dondoc.db" \
  DONDOC__SCHEDULER__ENABLED=false DONDOC__LOG__FILTER=error DONDOC_CONFIG_DIR="$PWD/config" \
  "$bin" serve >"$work/serve.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 60); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.5; done
token() {
  curl -sf -X POST "http://127.0.0.1:$port/api/v1/auth/login" -H 'content-type: application/json' \
    -d "{\"username\":\"$1\",\"password\":\"$2\"}" | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])'
}
status=0
for who in "admin admin-demo-2026" "cb.tnmt canbo-demo-2026"; do
  set -- $who
  echo "== schemathesis as $1 (${seconds}s)"
  schemathesis run "http://127.0.0.1:$port/api/openapi.json" \
    -H "Authorization: Bearer $(token "$1" "$2")" \
    --checks not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance,negative_data_rejection \
    --exclude-path /api/v1/auth/logout --exclude-path /api/v1/auth/login --exclude-path /api/v1/me/password \
    --max-time "$seconds" --workers 2 --seed 20261125 || status=1
done
if grep -q "panicked" "$work/serve.log"; then echo "the server panicked:"; grep -A3 panicked "$work/serve.log"; status=1; fi
exit $status
