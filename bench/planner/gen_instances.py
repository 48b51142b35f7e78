#!/usr/bin/env python3
"""Seeded, deterministic test scenarios for the measures planner (docs/planner.md).

    gen_instances.py OUTDIR [--sizes 20,60,130,250,500] [--seeds 1,2,3] [--no-infeasible]

writes OUTDIR/n<size>-s<seed>.json for every size and seed, and OUTDIR/infeasible-s1.json (a
scenario whose `must` measures need more staff than there is). The scenarios look like a German
region's integration concept: 8 fields of action with goals "f.1".."f.3" (fields 2, 3 and 6 also
"f.4"), each measure serving 1-3 goals with scores 1-3, 0-1.5 FTE in 0.1 steps and 0-80,000 EUR
(rounded to 500) a year, planned to start in the horizon's first three years (about 20 % started
before the horizon: running measures that are continued or not), running 1-5 years or ongoing;
about 10 % require an earlier measure (only lower indices, so no cycles), about 4 % of the
measures are in `excludes` pairs. Horizon 2027 x 5 years; money and staff scale with the size
(150,000 EUR and 3 FTE a year per 130 measures: tight, only a small part of the candidates fits;
smaller scenarios get the figures for 130),
start flexibility 1, a minimum share of 5 % for every field (with at least three measures: below
about 60 measures not every field), two `must` and two `must_not`.
Only the Python standard library; the same arguments give byte-identical files.
"""
import argparse
import json
import os
import random

FIRST_YEAR = 2027
YEARS = 5
FIELDS = {
    1: ("Sprache", ["Sprachkurse", "Sprachcafés", "Sprachmittlung", "Alphabetisierungskurse"]),
    2: ("Bildung", ["Elternbegleitung", "Hausaufgabenhilfe", "Seiteneinsteigerklassen", "Bildungsberatung"]),
    3: ("Arbeit und Ausbildung", ["Anerkennungsberatung", "Ausbildungspatenschaften", "Jobcoaching", "Betriebspraktika"]),
    4: ("Wohnen", ["Wohnraumvermittlung", "Mieterberatung", "Nachbarschaftsprojekte", "Auszugsbegleitung"]),
    5: ("Gesundheit", ["Gesundheitslotsen", "psychosoziale Beratung", "Dolmetscherpool Gesundheit", "Präventionskurse"]),
    6: ("Teilhabe und Ehrenamt", ["Ehrenamtskoordination", "Vereinslotsen", "Migrantenorganisationen stärken", "Begegnungsfeste"]),
    7: ("Interkulturelle Öffnung", ["Schulungen Verwaltung", "mehrsprachige Infoblätter", "Willkommensbehörde", "Diversitätscheck"]),
    8: ("Antidiskriminierung", ["Antidiskriminierungsberatung", "Meldestelle", "Workshops Schulen", "Kampagne Zusammenleben"]),
}
FOUR_GOALS = {2, 3, 6}
PLACES = ["im Landkreis", "in drei Kommunen", "in der Kreisstadt", "im ländlichen Raum", "für Frauen",
          "für Jugendliche", "für Geflüchtete", "für Neuzugewanderte", "digital", "mobil"]


def goals_of(field):
    return [f"{field}.{i}" for i in range(1, (5 if field in FOUR_GOALS else 4))]


def generate(n, seed):
    rng = random.Random(seed * 1_000_003 + n)
    # every field gets at least two measures (a share for a field without measures is an error,
    # and with one only the share rules easily leave nothing possible but the empty plan)
    base = (list(FIELDS) * 2)[:n]
    fields = base + [rng.randint(1, 8) for _ in range(n - len(base))]
    rng.shuffle(fields)
    counters = {f: 0 for f in FIELDS}
    measures = []
    for i, field in enumerate(fields):
        counters[field] += 1
        key = f"M-{field}-{counters[field]:03d}"
        own = goals_of(field)
        k = rng.choice([1, 1, 2, 2, 2, 3])
        chosen_goals = rng.sample(own, min(k, len(own)))
        if rng.random() < 0.15:  # a cross-cutting contribution to another field's goal
            other = rng.choice([f for f in FIELDS if f != field])
            chosen_goals[-1] = rng.choice(goals_of(other))
        goals = {g: rng.randint(1, 3) for g in chosen_goals}
        if rng.random() < 0.2:  # running already
            start = rng.randint(FIRST_YEAR - 5, FIRST_YEAR - 1)
            duration = None if rng.random() < 0.6 else rng.randint(2, 5) + (FIRST_YEAR - start) - 1
            if rng.random() < 0.1:  # now and then one that has ended before the horizon
                duration = rng.randint(1, FIRST_YEAR - start)
        else:
            start = rng.randint(FIRST_YEAR, FIRST_YEAR + 2)
            duration = None if rng.random() < 0.2 else rng.randint(1, 5)
        title = f"{rng.choice(FIELDS[field][1])} {rng.choice(PLACES)}"
        measures.append({
            "key": key,
            "title": title,
            "field": field,
            "goals": goals,
            "planned_start": start,
            "duration_years": duration,
            "staff_fte": rng.randint(0, 15) / 10,
            "money_eur": rng.randint(0, 160) * 500,
            "requires": [],
            "excludes": [],
        })
    # anchors: the first two measures of every field can always be in (they run in the horizon,
    # require nothing, exclude nothing, are not ruled out), so the 5 % shares leave a plan
    anchors = set()
    for f in FIELDS:
        for i in [i for i, m in enumerate(measures) if m["field"] == f][:2]:
            anchors.add(i)
            m = measures[i]
            if m["duration_years"] is not None and m["planned_start"] + m["duration_years"] <= FIRST_YEAR:
                m["duration_years"] = None
    # requires: ~10 %, only on lower indices, preferably on one that can have started by then
    for i in range(1, n):
        if i not in anchors and rng.random() < 0.10:
            a = measures[i]
            early = [j for j in range(i) if measures[j]["planned_start"] <= a["planned_start"] + 1]
            j = rng.choice(early or list(range(i)))
            a["requires"].append(measures[j]["key"])
    # excludes: ~4 % of the measures, in pairs, not otherwise linked
    pairs = max(1, round(0.04 * n / 2))
    free = [i for i in range(n) if not measures[i]["requires"] and i not in anchors]
    rng.shuffle(free)
    for p in range(pairs):
        if len(free) < 2:
            break
        a, b = free.pop(), free.pop()
        measures[a]["excludes"].append(measures[b]["key"])
    # below 130 measures the share rules (5 % for each of 8 fields) leave only the empty plan
    # when money and staff shrink with the size, so smaller scenarios keep the 130 figures
    money = round(150_000 * max(n, 130) / 130 / 1000) * 1000
    staff = round(3 * max(n, 130) / 130, 1)
    # money one figure, staff one per year (a little less in the last two years) on odd seeds;
    # the other way round on even seeds
    if seed % 2:
        money_av, staff_av = money, [staff, staff, staff, round(staff * 0.9, 1), round(staff * 0.9, 1)]
    else:
        money_av, staff_av = [money, money, int(round(money * 0.9, -3)), int(round(money * 0.9, -3)), int(round(money * 0.8, -3))], staff
    # must: two plain measures (no requires, no excludes, in the horizon) that are cheap enough;
    # must_not: two others nobody requires
    linked = {k for m in measures for k in m["requires"] + m["excludes"]}
    def plain(m):
        return (not m["requires"] and not m["excludes"] and m["key"] not in linked
                and m["planned_start"] >= FIRST_YEAR)
    cheap = [m["key"] for m in measures if plain(m) and m["staff_fte"] <= staff / 4 and m["money_eur"] <= money / 4]
    must = sorted(rng.sample(cheap, min(2, len(cheap))))
    rest = [m["key"] for i, m in enumerate(measures)
            if m["key"] not in must and m["key"] not in linked and i not in anchors]
    must_not = sorted(rng.sample(rest, 2))
    weighted = rng.sample(sorted({g for m in measures for g in m["goals"]}), 2)
    return {
        "horizon": {"first_year": FIRST_YEAR, "years": YEARS},
        "money_eur": money_av,
        "staff_fte": staff_av,
        "fte_cost_eur": 75000,
        "goal_weights": {weighted[0]: 2, weighted[1]: 1.5},
        "must": must,
        "must_not": must_not,
        # every field with at least three measures (so all of them from about 60 measures on): with
        # two or three measures in each of the 8 fields, 3 FTE cannot serve all shares at once
        "min_share": {str(f): 0.05 for f in FIELDS if sum(m["field"] == f for m in measures) >= 3},
        "start_flexibility": 1,
        "measures": measures,
    }


def infeasible(seed):
    """n=60: three `must` measures from 2027 for three years need 3.6 FTE, there are 3."""
    doc = generate(60, seed)
    linked = {k for m in doc["measures"] for k in m["requires"] + m["excludes"]}
    picks = [m for m in doc["measures"] if not m["requires"] and not m["excludes"]
             and m["key"] not in linked and m["key"] not in doc["must_not"]][:3]
    for m in picks:
        m.update(planned_start=FIRST_YEAR, duration_years=3, staff_fte=1.2)
    doc["must"] = sorted({m["key"] for m in picks} | set(doc["must"]))
    return doc


def write(path, doc):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(doc, f, ensure_ascii=False, indent=1)
        f.write("\n")


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("outdir")
    p.add_argument("--sizes", default="20,60,130,250,500")
    p.add_argument("--seeds", default="1,2,3")
    p.add_argument("--no-infeasible", action="store_true", help="leave infeasible-s1.json out")
    a = p.parse_args()
    os.makedirs(a.outdir, exist_ok=True)
    for n in (int(x) for x in a.sizes.split(",")):
        for s in (int(x) for x in a.seeds.split(",")):
            write(os.path.join(a.outdir, f"n{n}-s{s}.json"), generate(n, s))
    if not a.no_infeasible:
        write(os.path.join(a.outdir, "infeasible-s1.json"), infeasible(1))


if __name__ == "__main__":
    main()
