#!/usr/bin/env bash
# The opinion map (issue 5, §7), side by side with the peer bench/peers/polis_ref.py (numpy +
# scikit-learn, a copy of shared/peers/polis_ref.py) in the same run:
#   a) 10,000 participants x 1,000 statements, density 0.1 (~1,000,000 votes), 3 groups:
#      `polis_ref.py analyze DIR --json OUT` against `teilhabe polis analyze DIR --json`: wall
#      time from CSV to result and peak RSS (/usr/bin/time -v), the math alone (timings_s.total
#      minus timings_s.load on both sides), the speed-up (target >= 10x), and the agreement of
#      the results (ARI of the groups over in_conv, number of groups, consensus, group-informed
#      consensus, representative statements). The same again at Polis's own cap of 100,000
#      participants (c's set, 100,000 x 2,000, density 0.025), where the reference takes ~10 GB.
#   b) 1,000,000 x 5,000, density 0.01 (~50,000,000 votes), 3 groups: ours only, --no-members
#      (the reference's dense float64 matrix would need 40 GB); wall time and peak RSS
#      (target < 60 s, < 4 GB).
#   c) A live conversation: one new vote until it shows in the map (`cargo bench -p th-opinion
#      --bench incremental`), on 100,000 x 2,000, density 0.025 (~5,000,000 votes) and on b's set
#      (target <= 2 s at 100,000 participants, <= 10 s at 1,000,000).
# Data comes from `polis_ref.py gen` (seed POLIS_SEED, default 11) and is kept in
# /tmp/polis-bench-<participants>x<statements>-d<density>-g<groups>-s<seed>; b's set is 1.5 GB
# and takes a few minutes to generate the first time.
# Usage: bench/polis.sh [full|small]   (the figures go into bench/RESULTS.md)
#   small: a 2,000 x 200 x 0.1, b 50,000 x 1,000 x 0.01, c 20,000 x 500 x 0.025 (a quick check).
#   Sizes can also be set one by one: POLIS_A="10000 1000 0.1[,more sets]" POLIS_B="..."
#   POLIS_C="..." (participants statements density); POLIS_SKIP="b c" leaves parts out;
#   POLIS_RUNS (default 3): runs of each a) and b) measurement, reported as median (min-max).
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-full}" in
  full) a="10000 1000 0.1,100000 2000 0.025" b="1000000 5000 0.01" c="100000 2000 0.025" ;;
  small) a="2000 200 0.1" b="50000 1000 0.01" c="20000 500 0.025" ;;
  *) echo "usage: bench/polis.sh [full|small]" >&2; exit 2 ;;
esac
a=${POLIS_A:-$a} b=${POLIS_B:-$b} c=${POLIS_C:-$c}
seed=${POLIS_SEED:-11}
reps=${POLIS_RUNS:-3}
skip=" ${POLIS_SKIP:-} "
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-/tmp/bench-target}
venv=${POLIS_VENV:-/tmp/polis-venv}
ref=bench/peers/polis_ref.py
[ -f "$ref" ] || { echo "$ref is missing (copy shared/peers/polis_ref.py there)" >&2; exit 1; }

if ! "$venv/bin/python" -c 'import numpy, scipy, sklearn, pandas' 2>/dev/null; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q numpy scipy scikit-learn pandas >&2
fi
py="$venv/bin/python"

cargo build --release --locked -p teilhabe >&2
cargo bench --locked -q -p th-opinion --bench incremental --no-run >&2
bin=$CARGO_TARGET_DIR/release/teilhabe
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

dataset() { # participants statements density -> prints the directory (generated once)
  local d="/tmp/polis-bench-${1}x${2}-d${3}-g3-s${seed}"
  if [ ! -f "$d/votes.csv" ]; then
    echo "generating $d (polis_ref.py gen) ..." >&2
    rm -rf "$d.part"
    "$py" "$ref" gen "$d.part" --participants "$1" --statements "$2" --density "$3" --groups 3 --seed "$seed"
    mv "$d.part" "$d"
  fi
  echo "$d"
}

busy() { # CPU seconds all processes have used since boot (/proc/stat, 100 ticks a second)
  awk '/^cpu / { print ($2 + $3 + $4 + $7 + $8 + $9) / 100 }' /proc/stat
}

timed() { # label cmd... ; runs under /usr/bin/time -v and sets wall (s), cpu (user + system, s),
  # rss (peak, MB) and others (CPU seconds other processes used meanwhile: > 0 means contention)
  local label=$1 b0 b1; shift
  b0=$(busy)
  /usr/bin/time -v -o "$work/$label.time" "$@"
  b1=$(busy)
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$work/$label.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/$label.time")
  others=$(awk -v a="$b0" -v b="$b1" -v c="$cpu" 'BEGIN { o = b - a - c; printf "%.2f", o < 0 ? 0 : o }')
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo); commit $(git rev-parse --short HEAD 2>/dev/null || echo "?"); $(date -u '+%Y-%m-%d %H:%M UTC'); $reps runs per measurement (median, min-max)"
echo "peer: polis_ref.py sha256 $(sha256sum "$ref" | cut -c1-16)…; $("$py" -c 'import numpy, scipy, sklearn, pandas; print("numpy", numpy.__version__, "scipy", scipy.__version__, "scikit-learn", sklearn.__version__, "pandas", pandas.__version__)')"

IFS=, read -r -a a_sets <<<"$a"
[[ $skip != *" a "* ]] || a_sets=()
for a_set in "${a_sets[@]}"; do
  read -r a_p a_s a_d <<<"$a_set"
  dir=$(dataset "$a_p" "$a_s" "$a_d")
  echo
  echo "== a) $a_p participants x $a_s statements, density $a_d, 3 groups, seed $seed: side by side (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  for i in $(seq 1 "$reps"); do
    timed ref "$py" "$ref" analyze "$dir" --json "$work/ref-$i.json" >/dev/null
    line="$wall $cpu $rss $others"
    timed ours "$bin" polis analyze "$dir" --json --seed 1 >"$work/ours-$i.json"
    echo "$line $wall $cpu $rss $others" >"$work/a-$i.tsv"
  done
  "$py" - "$work" "$reps" <<'EOF'
import json, statistics, sys
from sklearn.metrics import adjusted_rand_score
work, reps = sys.argv[1], int(sys.argv[2])
refs = [json.load(open(f"{work}/ref-{i}.json")) for i in range(1, reps + 1)]
ourss = [json.load(open(f"{work}/ours-{i}.json")) for i in range(1, reps + 1)]
runs = [[float(x) for x in open(f"{work}/a-{i}.tsv").read().split()] for i in range(1, reps + 1)]
ref, ours = refs[0], ourss[0]
def row(label, r, o, unit="s", digits=2, ratio=True):
    mr, mo = statistics.median(r), statistics.median(o)
    fr = f"{mr:.{digits}f} ({min(r):.{digits}f}-{max(r):.{digits}f}) {unit}"
    fo = f"{mo:.{digits}f} ({min(o):.{digits}f}-{max(o):.{digits}f}) {unit}"
    q = f"{mr / mo:.1f}x" if ratio and mo > 0 else ""
    print(f"{label:32} {fr:>26} {fo:>26} {q:>8}")
def t(objs, k):
    return [o["timings_s"][k] for o in objs]
print(f"{ref['participants']} participants, {ref['statements']} statements, {ref['votes']} votes (ours: {ours['votes']})")
print(f"{'':32} {'polis_ref.py':>26} {'teilhabe':>26} {'speed-up':>8}")
row("wall time, CSV to result", [r[0] for r in runs], [r[4] for r in runs])
row("CPU time (user + system)", [r[1] for r in runs], [r[5] for r in runs])
row("the math alone (total - load)", [a - b for a, b in zip(t(refs, "total"), t(refs, "load"))],
    [a - b for a, b in zip(t(ourss, "total"), t(ourss, "load"))], digits=3)
for k, label in (("load", "  load (reading the CSV)"), ("pca", "  pca"), ("clustering", "  clustering"), ("statistics", "  statistics")):
    row(label, t(refs, k), t(ourss, k), digits=3)
row("peak RSS", [r[2] for r in runs], [r[6] for r in runs], unit="MB", digits=0, ratio=False)
row("other processes' CPU meanwhile", [r[3] for r in runs], [r[7] for r in runs], ratio=False)
print(f"our PCA iterations: {ours.get('pca_iterations')}")
g_ref = {m: g["id"] for g in ref["groups"] for m in g["members"]}
g_ours = {m: g["id"] for g in ours["groups"] for m in g["members"]}
same_in_conv = ref["in_conv"] == ours["in_conv"]
common = [p for p in ref["in_conv"] if p in g_ours and p in g_ref]
ari = adjusted_rand_score([g_ref[p] for p in common], [g_ours[p] for p in common])
print(f"in_conv: reference {len(ref['in_conv'])}, ours {len(ours['in_conv'])}, identical: {same_in_conv}")
print(f"groups: reference {len(ref['groups'])}, ours {len(ours['groups'])}; ARI over in_conv ({len(common)} participants): {ari:.4f}")
def rep(g):
    return [r["comment_id"] for r in g["representative"]]
def partner(g):  # the reference's group sharing most members with ours
    mine = set(g["members"])
    return max(ref["groups"], key=lambda h: len(mine.intersection(h["members"])))
placed = sum(len(set(g["members"]).intersection(partner(g)["members"])) for g in ours["groups"])
print(f"participants in the same group as in the reference (groups paired by most shared members): {placed} of {len(common)}")
rep_same = all(rep(partner(g)) == rep(g) for g in ours["groups"])
print(f"representative statements identical (paired groups): {rep_same}")
print(f"consensus_agree identical: {ref['consensus_agree'] == ours['consensus_agree']}")
gic = max(abs(ref["group_informed_consensus"][k] - ours["group_informed_consensus"][k]) for k in ref["group_informed_consensus"])
print(f"group-informed consensus, largest difference: {gic:.3g}")
same_runs = all(json.dumps({k: v for k, v in o.items() if k != "timings_s"}, sort_keys=True)
                == json.dumps({k: v for k, v in ours.items() if k != "timings_s"}, sort_keys=True) for o in ourss)
print(f"our {reps} runs give the same result (timings aside): {same_runs}")
EOF
done

if [[ $skip != *" b "* ]]; then
  read -r b_p b_s b_d <<<"$b"
  dir=$(dataset "$b_p" "$b_s" "$b_d")
  echo
  echo "== b) $b_p participants x $b_s statements, density $b_d, 3 groups, seed $seed: ours only, --no-members (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "   (polis_ref.py holds a dense float64 matrix: $b_p x $b_s x 8 bytes = $(awk -v p="$b_p" -v s="$b_s" 'BEGIN { printf "%.1f GB", p * s * 8 / 1e9 }'), before its copies; not run)"
  for i in $(seq 1 "$reps"); do
    timed big "$bin" polis analyze "$dir" --json --no-members --seed 1 >"$work/big-$i.json"
    echo "$wall $cpu $rss $others" >"$work/b-$i.tsv"
  done
  "$py" - "$work" "$reps" <<'EOF'
import json, statistics, sys
work, reps = sys.argv[1], int(sys.argv[2])
objs = [json.load(open(f"{work}/big-{i}.json")) for i in range(1, reps + 1)]
runs = [[float(x) for x in open(f"{work}/b-{i}.tsv").read().split()] for i in range(1, reps + 1)]
a = objs[0]
def m(v, d=2):
    return f"{statistics.median(v):.{d}f} ({min(v):.{d}f}-{max(v):.{d}f})"
def t(k):
    return [o["timings_s"][k] for o in objs]
print(f"{a['participants']} participants, {a['statements']} statements, {a['votes']} votes; {a['in_conv_count']} clustered, {len(a['groups'])} groups (sizes {[g['size'] for g in a['groups']]})")
print(f"wall time, CSV to result: {m([r[0] for r in runs])} s (target < 60 s); CPU {m([r[1] for r in runs])} s")
print(f"peak RSS: {m([r[2] for r in runs], 0)} MB (target < 4096 MB)")
print(f"inside: load {m(t('load'))} s, PCA {m(t('pca'))} s ({a['pca_iterations']} iterations), clustering {m(t('clustering'))} s, statistics {m(t('statistics'))} s; math alone {m([x - y for x, y in zip(t('total'), t('load'))])} s")
print(f"other processes' CPU meanwhile: {m([r[3] for r in runs])} s")
EOF
fi

if [[ $skip != *" c "* ]]; then
  read -r c_p c_s c_d <<<"$c"
  sets=("$(dataset "$c_p" "$c_s" "$c_d")")
  [[ $skip == *" b "* ]] || { read -r b_p b_s b_d <<<"$b"; sets+=("$(dataset "$b_p" "$b_s" "$b_d")"); }
  for dir in "${sets[@]}"; do
    echo
    echo "== c) live: one new vote until it is in the map, ${dir#/tmp/polis-bench-} (load average $(cut -d' ' -f1-3 /proc/loadavg))"
    cargo bench --locked -q -p th-opinion --bench incremental -- "$dir" 5
  done
fi
