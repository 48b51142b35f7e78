#!/usr/bin/env bash
# The measures planner (docs/planner.md), side by side with an independent reference in the same
# run: bench/planner/pulp_plan.py builds the same 0-1 program with PuLP and solves it with the CBC
# that PuLP bundles. For every scenario (bench/planner/gen_instances.py, seeded: a German region's
# integration measures, 8 fields of action, money and staff for only a small part of them, start
# flexibility 1, 5 % minimum share per field, 2 must, 2 must_not) it runs
#   `teilhabe plan FILE --seconds S` and `pulp_plan.py FILE --seconds S`
# and prints a markdown table: the measures and the program's variables (x(m,s), counted by
# pulp_plan.py), then for each side the status, objective, relative gap (proven bound against
# the plan's value), the solve time the program reports itself (ours: its `seconds`; PuLP: writing
# the MPS file, CBC, reading the solution back) and the wall time of the whole command (reading
# the file, checking, building, solving, explaining, printing), and the objectives' difference
# (ours - PuLP; both optimal: 0 up to rounding).
# Scenarios are kept in /tmp/planner-bench/n<size>-s<seed>.json (regenerated when
# gen_instances.py changes). The same data at 20, 60 and 130 measures, solved to optimality, is
# the test set crates/measures/tests/data (its README says how).
# Usage: bench/planner.sh   (the figures go into bench/RESULTS.md)
#   PLANNER_SIZES (default 130,500), PLANNER_SEEDS (default 1,2,3), PLANNER_SECONDS (default 60:
#   the time limit on both sides), PLANNER_VENV (default /tmp/pulp-venv).
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=${PLANNER_SIZES:-130,500}
seeds=${PLANNER_SEEDS:-1,2,3}
limit=${PLANNER_SECONDS:-60}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench-target}
venv=${PLANNER_VENV:-/tmp/pulp-venv}
gen=bench/planner/gen_instances.py
ref=bench/planner/pulp_plan.py
data=/tmp/planner-bench

if ! "$venv/bin/python" -c 'import pulp' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q pulp >&2
fi
py="$venv/bin/python"

cargo build --release --locked -p teilhabe >&2
bin=$CARGO_TARGET_DIR/release/teilhabe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

stamp=$(sha256sum "$gen" | cut -c1-16)
if [ "$(cat "$data/.generator" 2>/dev/null)" != "$stamp" ]; then
  rm -rf "$data"
  mkdir -p "$data"
  echo "$stamp" >"$data/.generator"
fi
IFS=, read -r -a size_list <<<"$sizes"
IFS=, read -r -a seed_list <<<"$seeds"
files=()
for n in "${size_list[@]}"; do
  for s in "${seed_list[@]}"; do
    f="$data/n$n-s$s.json"
    [ -f "$f" ] || "$py" "$gen" "$data" --sizes "$n" --seeds "$s" --no-infeasible
    files+=("$f")
  done
done

# The demo's catalogue as the saved demo scenarios see it: its planned measures (the ones under
# way go on with their own funding), 150,000 EUR / 3 FTE and twice that, start flexibility 1,
# at least 10 % of the effort for fields 3 and 6 (crates/demo/src/measures.rs).
"$py" - "$data" <<'PY'
import json, sys
out = sys.argv[1]
ms = json.load(open("crates/demo/data/measures.json"))["measures"]
planned = [m for m in ms if m["status"] == "planned"]
keys = {m["key"] for m in planned}
cands = [{k: m[k] for k in ("key", "field", "goals", "planned_start", "duration_years", "staff_fte", "money_eur")}
         | {"requires": [r for r in m.get("requires", []) if r in keys], "excludes": [r for r in m.get("excludes", []) if r in keys]}
         for m in planned]
for name, money, staff in (("demo-fund", 150000, 3), ("demo-double", 300000, 6)):
    doc = {"horizon": {"first_year": 2027, "years": 5}, "money_eur": money, "staff_fte": staff,
           "start_flexibility": 1, "min_share": {"3": 0.1, "6": 0.1}, "measures": cands}
    json.dump(doc, open(f"{out}/{name}.json", "w"))
# All of the catalogue but the finished measures competing (a scenario with include_running):
# the measures under way keep their start and are continued or not, within EUR 1.2 M and 25 FTE.
live = [m for m in ms if m["status"] != "done"]
lkeys = {m["key"] for m in live}
allc = [{k: m[k] for k in ("key", "field", "goals", "planned_start", "duration_years", "staff_fte", "money_eur")}
        | {"requires": [r for r in m.get("requires", []) if r in lkeys], "excludes": [r for r in m.get("excludes", []) if r in lkeys]}
        for m in live]
doc = {"horizon": {"first_year": 2027, "years": 5}, "money_eur": 1200000, "staff_fte": 25,
       "start_flexibility": 1, "min_share": {"3": 0.1, "6": 0.1}, "measures": allc}
json.dump(doc, open(f"{out}/demo-all.json", "w"))
PY
files=("$data/demo-fund.json" "$data/demo-double.json" "$data/demo-all.json" "${files[@]}")

now() { date +%s.%N; }

cbc=$("$py" -c 'import pulp, subprocess; p = pulp.PULP_CBC_CMD().path; print(next(l.split(":", 1)[1].strip() for l in subprocess.run([p, "-quit"], capture_output=True, text=True).stdout.splitlines() if l.startswith("Version")))' || echo "?")
echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo); commit $(git rev-parse --short HEAD 2>/dev/null || echo "?"); $(date -u '+%Y-%m-%d %H:%M UTC'); time limit ${limit} s on both sides; load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "peer: pulp_plan.py sha256 $(sha256sum "$ref" | cut -c1-16)…; PuLP $("$py" -c 'import pulp; print(pulp.__version__)'), its bundled CBC $cbc; scenarios: gen_instances.py sha256 $stamp…"
echo

for f in "${files[@]}"; do
  name=$(basename "$f" .json)
  t0=$(now)
  "$bin" plan "$f" --seconds "$limit" >"$work/$name.ours.json" 2>"$work/$name.ours.err" || true
  t1=$(now)
  "$py" "$ref" "$f" --seconds "$limit" >"$work/$name.pulp.json" 2>"$work/$name.pulp.err" || true
  t2=$(now)
  awk -v a="$t0" -v b="$t1" -v c="$t2" 'BEGIN { printf "%.3f %.3f\n", b - a, c - b }' >"$work/$name.wall"
done

"$py" - "$work" "${files[@]}" <<'EOF'
import json, os, sys
work, files = sys.argv[1], sys.argv[2:]
def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None
def num(v, fmt):
    return "–" if v is None else format(v, fmt)
print("| instance | measures | variables | ours: status | objective | gap | solve s | wall s "
      "| PuLP: status | objective | gap | solve s | wall s | ours − PuLP |")
print("|---|---:|---:|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|")
problems = []
for f in files:
    name = os.path.basename(f)[:-5]
    n = len(json.load(open(f))["measures"])
    ours, pulp = load(f"{work}/{name}.ours.json"), load(f"{work}/{name}.pulp.json")
    w_ours, w_pulp = (float(x) for x in open(f"{work}/{name}.wall").read().split())
    if ours is None:
        problems.append(f"{name}: teilhabe plan gave no plan: {open(f'{work}/{name}.ours.err').read().strip()[:300]}")
        ours = {}
    if pulp is None:
        problems.append(f"{name}: pulp_plan.py failed: {open(f'{work}/{name}.pulp.err').read().strip()[-300:]}")
        pulp = {}
    diff = (ours["objective"] - pulp["objective"]
            if ours.get("objective") is not None and pulp.get("objective") is not None else None)
    print(f"| {name} | {n} | {pulp.get('variables', '–')} "
          f"| {ours.get('status', '–')} | {num(ours.get('objective'), '.4f')} | {num(ours.get('gap'), '.2%')} "
          f"| {num(ours.get('seconds'), '.2f')} | {w_ours:.2f} "
          f"| {pulp.get('status', '–')} | {num(pulp.get('objective'), '.4f')} | {num(pulp.get('gap'), '.2%')} "
          f"| {num(pulp.get('seconds'), '.2f')} | {w_pulp:.2f} | {num(diff, '+.2g')} |")
for p in problems:
    print(f"\n{p}")
EOF
# TODO: the demo's 130 measures (crates/demo/data/measures.json), once it exists.
