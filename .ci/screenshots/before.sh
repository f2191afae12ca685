#!/usr/bin/env bash
# The user guides' "before" pictures, captured from a real build of the
# commit before the phone menu and the decision-first task page landed
# (the first parent of the `daily` merge), on the demo with today pinned
# to 25/11/2026 as in the tests; the "after" ones of the admin page from
# the current tree the same way. Run from the repository's root:
#
#     .ci/screenshots/before.sh            # before (old commit) and after (this tree)
#     BEFORE=<commit> WT=/work/old .ci/screenshots/before.sh
#     AFTER=0 .ci/screenshots/before.sh    # the "before" pictures only
#
# Needs chromium and chromedriver (Debian), and builds `dondoc` twice
# (debug); the extra worktree and its target folder are removed at the end.
set -euo pipefail

root=$(git rev-parse --show-toplevel)
before=${BEFORE:-$(git -C "$root" rev-parse '13fc37a^1')}
out="$root/docs/screenshots"
wt=${WT:-$(mktemp -u /tmp/dondoc-before.XXXXXX)}
data=$(mktemp -d /tmp/dondoc-shots-data.XXXXXX)
server=""

cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  git -C "$root" worktree remove --force "$wt" 2>/dev/null || true
  rm -rf "$wt" "$data"
}
trap cleanup EXIT

# Builds the tree in $1 (target in $1/target) and serves the demo on $2
# from a fresh database; sets $server to its process.
serve() {
  local tree=$1 port=$2 db="$data/$2.db"
  (cd "$tree" && CARGO_TARGET_DIR="$tree/target" cargo build -q -p dondoc-cli)
  (cd "$tree" && exec env DONDOC__DATABASE__URL="sqlite://$db" \
      DONDOC__SERVER__PORT="$port" DONDOC__SERVER__PUBLIC_URL="http://127.0.0.1:$port" \
      DONDOC__CLOCK__TODAY=2026-11-25 DONDOC__SCHEDULER__ENABLED=false \
      "$tree/target/debug/dondoc" serve >"$data/$port.log" 2>&1) &
  server=$!
  for _ in $(seq 1 300); do
    curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && return 0
    sleep 1
  done
  cat "$data/$port.log" >&2
  return 1
}

stop() {
  kill "$server"; wait "$server" 2>/dev/null || true; server=""
}

git -C "$root" worktree add --detach "$wt" "$before" >/dev/null
# A warm target saves most of the build.
[ -d "$root/target" ] && cp -a "$root/target" "$wt/target"
serve "$wt" 18081
python3 "$root/.ci/screenshots/capture.py" --base http://127.0.0.1:18081 --out "$out" --suffix=-before
stop

if [ "${AFTER:-1}" != 0 ]; then
  serve "$root" 18082
  python3 "$root/.ci/screenshots/capture.py" --base http://127.0.0.1:18082 --out "$out" --only admin
  stop
fi
