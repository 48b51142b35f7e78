#!/usr/bin/env bash
# Load on the participation pages, with the release binary on SQLite (PostgreSQL when
# TEILHABE_BENCH_POSTGRES=postgres://user@host:port is set):
#   - a forum thread with 5,000 replies: random pages of it under wrk (64 connections),
#   - every coordinator list at ten times the demo's size (7,000 organisations, 3,000
#     contributions, 130 events, 50 threads, a campaign to 7,000 contacts), random pages.
# The data comes from `cargo bench -p th-participation --bench seed`.
# Usage: bench/participation.sh [seconds]   (the figures go into bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-20}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release --locked -p teilhabe >&2
bin=target/release/teilhabe
dir=$(mktemp -d)
pid=""
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

if [ -n "${TEILHABE_BENCH_POSTGRES:-}" ]; then
  name="bench_$$"
  psql "${TEILHABE_BENCH_POSTGRES}/postgres" -qc "CREATE DATABASE $name" >/dev/null
  url="${TEILHABE_BENCH_POSTGRES}/$name"
else
  url="sqlite://$dir/site.db"
fi
eval "$(SEED_DB="$url" cargo bench --locked -q -p th-participation --bench seed)"

"$bin" --database "$url" serve --listen 127.0.0.1:0 >"$dir/out" 2>/dev/null &
pid=$!
until addr=$(grep -o 'http://[0-9.:]*' "$dir/out" 2>/dev/null); do sleep 0.1; done
until curl -sf -o /dev/null "$addr/healthz"; do sleep 0.1; done

cat >"$dir/pages.lua" <<'LUA'
-- Random pages of one path: PATH with {n} replaced by a page number 1..PAGES.
local path, pages, token = os.getenv("BENCH_PATH"), tonumber(os.getenv("BENCH_PAGES")), os.getenv("BENCH_TOKEN")
if token and token ~= "" then wrk.headers["Authorization"] = "Bearer " .. token end
math.randomseed(os.time())
request = function()
  return wrk.format("GET", (path:gsub("{n}", tostring(math.random(1, pages)))))
end
LUA

run() { # label path pages [token] — 8 connections (latency), then 64 (throughput)
  local status c
  status=$(curl -s -o /dev/null -w '%{http_code}' ${4:+-H "Authorization: Bearer $4"} "$addr${2//\{n\}/2}")
  [ "$status" = 200 ] || { echo "$1: $addr${2//\{n\}/2} answered $status" >&2; exit 1; }
  for c in 8 64; do
    echo "== $1: $2 (pages 1..$3), $c connections"
    BENCH_PATH="$2" BENCH_PAGES="$3" BENCH_TOKEN="${4:-}" wrk -t2 -c$c -d"${secs}s" --latency -s "$dir/pages.lua" "$addr" \
      | grep -E 'Requests/sec|50%|99%'
  done
}

echo "backend: ${url%%:*}; thread $THREAD has $(curl -s "$addr/api/v1/threads/$THREAD" | grep -o '"total":[0-9]*')"
run "forum thread, 5,000 replies" "/forum/thema/$THREAD?seite={n}" 101
run "coordinator: organisations" "/verwaltung/organisationen?seite={n}" 350 "$TOKEN"
run "coordinator: organisations, filtered" "/verwaltung/organisationen?art=welfare&seite={n}" 50 "$TOKEN"
run "coordinator: contributions" "/verwaltung/beitraege?seite={n}" 150 "$TOKEN"
run "coordinator: contributions, search" "/verwaltung/beitraege?q=sprachkurse&seite={n}" 100 "$TOKEN"
run "coordinator: campaign statistics (7,000 contacts)" "/verwaltung/kampagnen/3" 1 "$TOKEN"
run "coordinator: events" "/verwaltung/veranstaltungen" 1 "$TOKEN"
run "coordinator: moderation queue" "/verwaltung/moderation" 1 "$TOKEN"
run "API: contributions" "/api/v1/contributions?offset={n}00&limit=50" 29 "$TOKEN"
if [ -n "${TEILHABE_BENCH_POSTGRES:-}" ]; then
  kill "$pid"; wait "$pid" 2>/dev/null || true; pid=""
  psql "${TEILHABE_BENCH_POSTGRES}/postgres" -qc "DROP DATABASE $name" >/dev/null
fi
