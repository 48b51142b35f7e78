#!/usr/bin/env python3
"""An independent reference for the measures planner: the model of docs/planner.md, built with
PuLP and solved with the CBC that PuLP bundles.

    pulp_plan.py SCENARIO.json [--seconds 60] [--gap 0] [--keep-log PATH]

prints {"status": "optimal"|"feasible"|"infeasible", "objective", "bound", "gap", "seconds",
"build_seconds", "cbc_seconds", "variables", "constraints", "chosen": [{"key", "start"}]} as JSON.
`seconds` is the wall time of the solve alone (PuLP writing the MPS file, CBC, reading the
solution back), `build_seconds` that of building the model, `cbc_seconds` CBC's own wall clock
from its log. `bound` (best proven bound) and the gap come from CBC's log; `gap` is
|bound - objective| / max(|objective|, 1e-9), 0 when proven optimal.
No validation beyond what building the model needs: use `teilhabe plan` for checked input.
"""
import argparse
import json
import os
import re
import sys
import tempfile
import time

import pulp


def per_year(value, years):
    return list(value) if isinstance(value, list) else [value] * years


def build(doc):
    first = doc["horizon"]["first_year"]
    H = doc["horizon"]["years"]
    last = first + H - 1
    money_av = per_year(doc["money_eur"], H)
    staff_av = per_year(doc["staff_fte"], H)
    fte_cost = doc.get("fte_cost_eur", 75000)
    weights = doc.get("goal_weights") or {}
    must = set(doc.get("must") or [])
    must_not = set(doc.get("must_not") or [])
    min_share = doc.get("min_share") or {}
    flex = doc.get("start_flexibility", 0) or 0
    measures = doc["measures"]

    prob = pulp.LpProblem("plan", pulp.LpMaximize)
    # starts[key] = [(start, variable, years it runs in the horizon)]
    starts = {}
    for i, m in enumerate(measures):
        key = m["key"]
        starts[key] = []
        if key in must_not:
            continue
        ps = m["planned_start"]
        d = m.get("duration_years")
        cands = [ps] if ps < first else [s for s in range(ps, ps + flex + 1) if s <= last]
        for s in cands:
            end = last if d is None else min(last, s + d - 1)
            years = list(range(max(s, first), end + 1))
            if not years:
                continue
            x = pulp.LpVariable(f"x_{i}_{s}", cat=pulp.LpBinary)
            starts[key].append((s, x, years))

    value = {m["key"]: sum(weights.get(g, 1) * sc for g, sc in m.get("goals", {}).items())
             for m in measures}
    terms = [(x, value[k] * len(ys) / H) for k, l in starts.items() for _, x, ys in l]
    prob += pulp.LpAffineExpression(terms)

    impossible = []  # `must` measures without any start: the model is infeasible as it stands
    for m in measures:
        k = m["key"]
        xs = [x for _, x, _ in starts[k]]
        if k in must:
            if not xs:
                impossible.append(k)
            else:
                prob += pulp.lpSum(xs) == 1, f"must_{len(prob.constraints)}"
        elif len(xs) > 1:
            prob += pulp.lpSum(xs) <= 1, f"one_{len(prob.constraints)}"

    for yi, y in enumerate(range(first, last + 1)):
        mon = [(x, m["money_eur"]) for m in measures for _, x, ys in starts[m["key"]]
               if y in ys and m["money_eur"]]
        stf = [(x, m["staff_fte"]) for m in measures for _, x, ys in starts[m["key"]]
               if y in ys and m["staff_fte"]]
        if mon:
            prob += pulp.LpAffineExpression(mon) <= money_av[yi], f"money_{y}"
        if stf:
            prob += pulp.LpAffineExpression(stf) <= staff_av[yi], f"staff_{y}"

    for m in measures:
        for b in m.get("requires") or []:
            for s, x, _ in starts[m["key"]]:
                prob += x <= pulp.lpSum(xb for sb, xb, _ in starts[b] if sb <= s), \
                    f"req_{len(prob.constraints)}"

    pairs = set()
    for m in measures:
        for b in m.get("excludes") or []:
            pair = tuple(sorted((m["key"], b)))
            if pair in pairs:
                continue
            pairs.add(pair)
            xs = [x for _, x, _ in starts[pair[0]]] + [x for _, x, _ in starts[pair[1]]]
            if len(xs) > 1:
                prob += pulp.lpSum(xs) <= 1, f"excl_{len(prob.constraints)}"

    if min_share:
        effort = {m["key"]: (m["money_eur"] + m["staff_fte"] * fte_cost) for m in measures}
        field = {m["key"]: str(m["field"]) for m in measures}
        for f, share in min_share.items():
            # sum_{m in f} e x - share * sum_all e x >= 0
            coef = [(x, effort[k] * len(ys) * ((1 if field[k] == str(f) else 0) - share))
                    for k, l in starts.items() for _, x, ys in l]
            coef = [(x, c) for x, c in coef if c != 0]
            if coef:
                prob += pulp.LpAffineExpression(coef) >= 0, f"share_{f}"
    return prob, starts, impossible


NUM = r"(-?[0-9.eE+-]+|-?inf)"


def parse_log(text):
    """Result line, objective, bound and CBC's wall time from a CBC log (signs as CBC prints
    them for a maximisation run with -max: CBC shows the maximised objective)."""
    out = {}
    m = re.search(r"^Result - (.*)$", text, re.M)
    out["result"] = m.group(1).strip() if m else None
    m = re.search(r"^Objective value:\s+" + NUM, text, re.M)
    out["objective"] = float(m.group(1)) if m else None
    m = re.search(r"^(?:Lower|Upper) bound:\s+" + NUM, text, re.M)
    out["bound"] = float(m.group(1)) if m else None
    m = re.search(r"^Gap:\s+" + NUM, text, re.M)
    out["gap"] = float(m.group(1)) if m else None
    m = re.search(r"^Time \(Wallclock seconds\):\s+" + NUM, text, re.M)
    out["wall"] = float(m.group(1)) if m else None
    # stopped on --gap: "Cbc0011I Exiting as integer gap of 1.7256631 less than 1e-10 or 1%"
    # (the absolute gap), and the result line still says "Optimal solution found"
    ig = re.findall(r"Exiting as integer gap of " + NUM, text)
    out["integer_gap"] = float(ig[-1]) if ig else None
    bp = re.findall(r"best possible " + NUM, text)
    out["best_possible"] = float(bp[-1]) if bp else None
    return out


def main():
    ap = argparse.ArgumentParser(description="PuLP/CBC reference for docs/planner.md")
    ap.add_argument("scenario")
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--gap", type=float, default=0)
    ap.add_argument("--keep-log", help="keep CBC's log at this path")
    a = ap.parse_args()
    with open(a.scenario, encoding="utf-8") as f:
        doc = json.load(f)

    t0 = time.perf_counter()
    prob, starts, impossible = build(doc)
    build_seconds = time.perf_counter() - t0
    nvars = sum(len(l) for l in starts.values())
    result = {"status": None, "objective": None, "bound": None, "gap": None, "seconds": 0.0,
              "build_seconds": build_seconds, "cbc_seconds": None, "variables": nvars,
              "constraints": len(prob.constraints), "chosen": []}
    if impossible:
        result.update(status="infeasible", note=f"must without a possible start: {impossible}")
        print(json.dumps(result))
        return
    if nvars == 0:
        result.update(status="optimal", objective=0.0, bound=0.0, gap=0.0)
        print(json.dumps(result))
        return

    log = a.keep_log or tempfile.mktemp(prefix="pulp-plan-", suffix=".log")
    solver = pulp.PULP_CBC_CMD(msg=False, timeLimit=a.seconds, gapRel=a.gap, logPath=log)
    t0 = time.perf_counter()
    prob.solve(solver)
    seconds = time.perf_counter() - t0
    with open(log, encoding="utf-8", errors="replace") as f:
        text = f.read()
    info = parse_log(text)
    if not a.keep_log:
        os.unlink(log)

    result["seconds"] = seconds
    result["cbc_seconds"] = info["wall"]
    result["cbc_result"] = info["result"]
    sol = prob.sol_status  # 1 optimal, 2 integer feasible, -1 infeasible, 0 none found
    res = (info["result"] or "").lower()
    if (sol == pulp.LpSolutionInfeasible or prob.status == pulp.LpStatusInfeasible
            or "infeasible" in res
            or (sol == pulp.LpSolutionNoSolutionFound and "infeasible" in text.lower())):
        result["status"] = "infeasible"
        print(json.dumps(result))
        return
    if sol not in (pulp.LpSolutionOptimal, pulp.LpSolutionIntegerFeasible):
        result["status"] = "no solution found" if sol == pulp.LpSolutionNoSolutionFound else pulp.LpStatus[prob.status]
        print(json.dumps(result))
        return
    obj = pulp.value(prob.objective) or 0.0
    proven = sol == pulp.LpSolutionOptimal and res.startswith("optimal")
    bound = info["bound"]  # "Upper bound:" is printed with 3 decimals only; "best possible" of
    # the last progress line has more, in CBC's internal sign (it minimises -objective with -max)
    if info["best_possible"] is not None and not proven:
        bound = -info["best_possible"]
    if proven and info["integer_gap"] is not None:
        bound = obj + abs(info["integer_gap"])
    if bound is None and proven:
        bound = obj
    gap = None if bound is None else (0.0 if abs(bound - obj) <= 1e-9 * max(1.0, abs(obj))
                                      else abs(bound - obj) / max(abs(obj), 1e-9))
    # stopped on --gap, CBC's result line still says "Optimal solution found": only a gap of 0
    # is optimal (docs/planner.md: `feasible` when stopped on --seconds or --gap)
    if proven and (gap is None or gap <= 1e-9):
        status = "optimal"
    else:
        status = "feasible"
    result.update(status=status, objective=obj, bound=bound, gap=gap)
    result["chosen"] = sorted(({"key": k, "start": s} for k, l in starts.items() for s, x, _ in l
                               if (x.varValue or 0) > 0.5), key=lambda c: c["key"])
    print(json.dumps(result))


if __name__ == "__main__":
    main()
