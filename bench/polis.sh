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
#   POLIS_C="..." (participants statements density); POLIS_SKIP="b c" leaves parts out.
set -euo pipefail
cd "$(dirname "$0")/.."
case "${1:-full}" in
  full) a="10000 1000 0.1,100000 2000 0.025" b="1000000 5000 0.01" c="100000 2000 0.025" ;;
  small) a="2000 200 0.1" b="50000 1000 0.01" c="20000 500 0.025" ;;
  *) echo "usage: bench/polis.sh [full|small]" >&2; exit 2 ;;
esac
a=${POLIS_A:-$a} b=${POLIS_B:-$b} c=${POLIS_C:-$c}
seed=${POLIS_SEED:-11}
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

timed() { # label cmd... ; runs under /usr/bin/time -v, sets wall (s), cpu (user + system, s) and rss (MB)
  local label=$1; shift
  /usr/bin/time -v -o "$work/$label.time" "$@"
  cpu=$(awk -F': ' '/(User|System) time \(seconds\)/ { s += $2 } END { print s }' "$work/$label.time")
  wall=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$work/$label.time")
  rss=$(awk -F': ' '/Maximum resident set size/ { printf "%.0f", $2 / 1024 }' "$work/$label.time")
}

echo "machine: $(nproc) cores, $(awk '/MemTotal/ { printf "%.1f GB", $2 / 1048576 }' /proc/meminfo); commit $(git rev-parse --short HEAD 2>/dev/null || echo "?"); $(date -u '+%Y-%m-%d %H:%M UTC')"
echo "peer: polis_ref.py sha256 $(sha256sum "$ref" | cut -c1-16)…; $("$py" -c 'import numpy, scipy, sklearn, pandas; print("numpy", numpy.__version__, "scipy", scipy.__version__, "scikit-learn", sklearn.__version__, "pandas", pandas.__version__)')"

IFS=, read -r -a a_sets <<<"$a"
[[ $skip != *" a "* ]] || a_sets=()
for a_set in "${a_sets[@]}"; do
  read -r a_p a_s a_d <<<"$a_set"
  dir=$(dataset "$a_p" "$a_s" "$a_d")
  echo
  echo "== a) $a_p participants x $a_s statements, density $a_d, 3 groups, seed $seed: side by side (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  timed ref "$py" "$ref" analyze "$dir" --json "$work/ref.json" >/dev/null
  ref_wall=$wall ref_rss=$rss ref_cpu=$cpu
  timed ours "$bin" polis analyze "$dir" --json --seed 1 >"$work/ours.json"
  ours_wall=$wall ours_rss=$rss ours_cpu=$cpu
  "$py" - "$work/ref.json" "$work/ours.json" "$ref_wall" "$ref_rss" "$ours_wall" "$ours_rss" "$ref_cpu" "$ours_cpu" <<'EOF'
import json, sys
from sklearn.metrics import adjusted_rand_score
ref, ours = (json.load(open(p)) for p in sys.argv[1:3])
rw, rr, ow, orss = float(sys.argv[3]), sys.argv[4], float(sys.argv[5]), sys.argv[6]
rc, oc = float(sys.argv[7]), float(sys.argv[8])
rt, ot = ref["timings_s"], ours["timings_s"]
rm, om = rt["total"] - rt["load"], ot["total"] - ot["load"]
print(f"{ref['participants']} participants, {ref['statements']} statements, {ref['votes']} votes (ours: {ours['votes']})")
print(f"{'':34} {'polis_ref.py':>14} {'teilhabe':>14} {'speed-up':>9}")
print(f"{'wall time, CSV to result':34} {rw:>12.2f} s {ow:>12.2f} s {rw / ow:>8.1f}x")
print(f"{'CPU time (user + system)':34} {rc:>12.2f} s {oc:>12.2f} s {rc / oc:>8.1f}x")
print(f"{'the math alone (total - load)':34} {rm:>12.3f} s {om:>12.3f} s {rm / om:>8.1f}x")
print(f"{'  load (reading the CSV)':34} {rt['load']:>12.3f} s {ot['load']:>12.3f} s {rt['load'] / ot['load']:>8.1f}x")
for k in ("pca", "clustering", "statistics"):
    print(f"{'  ' + k:34} {rt[k]:>12.3f} s {ot[k]:>12.3f} s {rt[k] / max(ot[k], 1e-9):>8.1f}x")
print(f"{'peak RSS':34} {rr:>11} MB {orss:>11} MB")
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
rep_same = all(rep(partner(g)) == rep(g) for g in ours["groups"])
print(f"representative statements identical (each group against the reference's group sharing most members): {rep_same}")
print(f"consensus_agree identical: {ref['consensus_agree'] == ours['consensus_agree']}")
gic = max(abs(ref["group_informed_consensus"][k] - ours["group_informed_consensus"][k]) for k in ref["group_informed_consensus"])
print(f"group-informed consensus, largest difference: {gic:.3g}")
EOF
done

if [[ $skip != *" b "* ]]; then
  read -r b_p b_s b_d <<<"$b"
  dir=$(dataset "$b_p" "$b_s" "$b_d")
  echo
  echo "== b) $b_p participants x $b_s statements, density $b_d, 3 groups, seed $seed: ours only, --no-members (load average $(cut -d' ' -f1-3 /proc/loadavg))"
  echo "   (polis_ref.py holds a dense float64 matrix: $b_p x $b_s x 8 bytes = $(awk -v p="$b_p" -v s="$b_s" 'BEGIN { printf "%.1f GB", p * s * 8 / 1e9 }'), before its copies; not run)"
  timed big "$bin" polis analyze "$dir" --json --no-members --seed 1 >"$work/big.json"
  "$py" - "$work/big.json" "$wall" "$rss" "$cpu" <<'EOF'
import json, sys
a = json.load(open(sys.argv[1]))
t = a["timings_s"]
print(f"{a['participants']} participants, {a['statements']} statements, {a['votes']} votes; {a['in_conv_count']} clustered, {len(a['groups'])} groups (sizes {[g['size'] for g in a['groups']]})")
print(f"wall time, CSV to result: {float(sys.argv[2]):.2f} s (target < 60 s; CPU {float(sys.argv[4]):.2f} s); peak RSS {sys.argv[3]} MB (target < 4096 MB)")
print(f"inside: load {t['load']:.2f} s, PCA {t['pca']:.2f} s ({a['pca_iterations']} iterations), clustering {t['clustering']:.2f} s, statistics {t['statistics']:.2f} s; math alone {t['total'] - t['load']:.2f} s")
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
