#!/usr/bin/env python3
"""Turn a fresh `polis_ref.py gen` conversation into the `moderated` test set, in place.

Run after:
  polis_ref.py gen DIR --participants 300 --statements 40 --density 0.5 --groups 3 --seed 5
as:
  python3 make_moderated.py DIR

Edits (standard library only, seeded, deterministic):
- comments.csv is rewritten with the newer Polis export header
  timestamp,comment-id,author-id,agrees,disagrees,moderated,is-meta,is-seed,group-informed-consensus,comment-body
  moderated = -1 for comment ids 3, 17, 25; 1 for the other ids in 0..9; 0 otherwise
  (id 3 is in both lists: rejection wins). is-meta = true for comment 30, false elsewhere;
  is-seed = false; agrees/disagrees are copied (gen writes 0); group-informed-consensus is a
  placeholder 0 (it is not an input of the analysis).
- votes.csv gets 200 re-votes appended: 200 distinct existing (voter, comment) pairs chosen with
  random.Random(5), each written again with a different vote value (random among the two others)
  and a timestamp later than every earlier row (max timestamp + 1, + 2, ...), so that
  "the latest vote wins" changes 200 cells of the vote matrix.
"""
import csv
import os
import random
import sys

REJECTED = {3, 17, 25}
ACCEPTED = set(range(10)) - REJECTED
META = {30}
N_REVOTES = 200
SEED = 5
NEW_HEADER = ["timestamp", "comment-id", "author-id", "agrees", "disagrees", "moderated",
              "is-meta", "is-seed", "group-informed-consensus", "comment-body"]


def main(d):
    cpath, vpath = os.path.join(d, "comments.csv"), os.path.join(d, "votes.csv")
    with open(cpath, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    if rows and "is-meta" in rows[0]:
        sys.exit(f"{cpath} already has the newer header: run gen again first")
    with open(cpath, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(NEW_HEADER)
        for r in rows:
            tid = int(r["comment-id"])
            mod = -1 if tid in REJECTED else (1 if tid in ACCEPTED else 0)
            w.writerow([r["timestamp"], tid, r["author-id"], r["agrees"], r["disagrees"], mod,
                        "true" if tid in META else "false", "false", 0, r["comment-body"]])

    with open(vpath, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        votes = list(reader)
    assert header == ["timestamp", "datetime", "comment-id", "voter-id", "vote"], header
    latest = {}
    for ts, _, tid, pid, v in votes:
        key = (int(pid), int(tid))
        if key not in latest or int(ts) >= latest[key][0]:
            latest[key] = (int(ts), int(v))
    rng = random.Random(SEED)
    pairs = rng.sample(sorted(latest), N_REVOTES)
    ts = max(int(r[0]) for r in votes)
    with open(vpath, "a", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        for pid, tid in pairs:
            ts += 1
            old = latest[(pid, tid)][1]
            new = rng.choice([x for x in (1, 0, -1) if x != old])
            w.writerow([ts, "", tid, pid, new])


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])
