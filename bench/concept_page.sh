#!/usr/bin/env bash
# Serves the demo from SQLite with the release binary and measures, on this machine:
#   - start to first answer (first start with --demo, then a restart on the existing database),
#   - the public concept page under wrk with 64 connections (requests/s, latency percentiles),
#   - the server's resident memory during and after the load.
# Usage: bench/concept_page.sh [seconds]   (the figures go into bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
secs=${1:-30}
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
cargo build --release --locked -p teilhabe >&2
bin=target/release/teilhabe
dir=$(mktemp -d)
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT

pid=""
start_server() { # starts the server; sets pid, addr and ms (process start to the first 200 on /konzept)
  local t0 t1
  t0=$(date +%s%N)
  "$bin" --database "sqlite://$dir/site.db" serve "$@" --listen 127.0.0.1:0 >"$dir/out" 2>/dev/null &
  pid=$!
  until addr=$(grep -o 'http://[0-9.:]*' "$dir/out" 2>/dev/null); do :; done
  until curl -sf -o /dev/null "$addr/konzept"; do :; done
  t1=$(date +%s%N)
  ms=$(( (t1 - t0) / 1000000 ))
}

start_server --demo
echo "first start with --demo: ${ms} ms to the first answer"
kill "$pid"; wait "$pid" 2>/dev/null || true
start_server
echo "restart on the existing database: ${ms} ms to the first answer"
echo "idle resident memory: $(grep VmRSS /proc/$pid/status | awk '{print $2}') kB"
wrk -t2 -c64 -d"${secs}s" --latency "$addr/konzept"
echo "resident memory after the load: $(grep VmRSS /proc/$pid/status | awk '{print $2}') kB (peak $(grep VmHWM /proc/$pid/status | awk '{print $2}') kB)"
echo "page size: $(curl -s "$addr/konzept" | wc -c) bytes"
