#!/usr/bin/env bash
# The Wegweiser's search on 50,000 services, side by side with PostgreSQL full-text search
# (what Decidim uses) on the same corpus and queries in the same run; also the time to rebuild
# the index from the database. Starts a private PostgreSQL (scripts/pg-private).
# Usage: bench/guide_search.sh [services] [rounds]   (the figures go into bench/RESULTS.md)
set -euo pipefail
cd "$(dirname "$0")/.."
read -r pgdir pgurl < <(scripts/pg-private)
trap 'scripts/pg-private stop "$pgdir" >/dev/null 2>&1 || true' EXIT
BENCH_POSTGRES="$pgurl" BENCH_SERVICES="${1:-50000}" BENCH_ROUNDS="${2:-5}" \
  cargo bench --locked -q -p th-directory --bench search
