#!/usr/bin/env python3
"""Generate indicator_values.csv: illustrative (NOT real) monitoring values for the demo.

One row per indicator x municipality x year 2016..2025. Values follow smooth national-style
trends, are scaled to each municipality's size and migration share, and carry a little seeded
noise, so that the output is identical on every run.

    python3 gen_indicator_values.py        # writes indicator_values.csv next to this script

The municipality keys and populations mirror MUNICIPALITIES in ../src/lib.rs.
"""
import csv
import math
import os
import random

SEED = 20160927  # the regional assembly's resolution, 27 September 2016
YEARS = list(range(2016, 2026))

# key, population, share of residents with a migration history in 2016 (percent, illustrative)
MUNICIPALITIES = [
    ("hannover", 535_000, 32.0),
    ("garbsen", 62_000, 28.0),
    ("langenhagen", 55_000, 28.0),
    ("neustadt", 46_000, 17.0),
    ("lehrte", 45_000, 23.0),
    ("laatzen", 43_000, 30.0),
    ("wunstorf", 42_000, 20.0),
    ("barsinghausen", 34_000, 19.0),
    ("seelze", 34_000, 25.0),
    ("burgdorf", 32_000, 19.0),
    ("springe", 30_000, 15.0),
    ("wedemark", 30_000, 13.0),
    ("isernhagen", 25_000, 14.0),
    ("ronnenberg", 24_000, 24.0),
    ("sehnde", 24_000, 18.0),
    ("burgwedel", 21_000, 13.0),
    ("uetze", 20_000, 12.0),
    ("hemmingen", 19_000, 17.0),
    ("gehrden", 15_000, 15.0),
    ("pattensen", 15_000, 13.0),
    ("wennigsen", 14_000, 12.0),
]

INDICATORS = [
    "migration_share",
    "naturalisations",
    "employment_rate_foreign",
    "unemployment_rate_foreign",
    "recognition_applications",
    "integration_course_completions",
    "daycare_language_support",
    "school_leavers_no_qualification_foreign",
    "migration_counselling_contacts",
    "staff_languages",
]

# Region-wide yearly trend curves (illustrative shapes, loosely following the national picture).
NATURALISATIONS = dict(zip(YEARS, [12.0, 11.5, 11.8, 12.5, 10.5, 11.6, 12.6, 14.6, 20.5, 24.0]))
EMPLOYMENT = dict(zip(YEARS, [42.0, 44.0, 46.0, 47.8, 47.0, 47.9, 45.6, 46.6, 48.0, 48.8]))
UNEMPLOYMENT = dict(zip(YEARS, [15.6, 14.4, 13.2, 12.4, 14.1, 13.6, 14.6, 15.6, 16.1, 16.4]))
# recognition applications per 100,000 residents at the region's average migration share
RECOGNITION = dict(zip(YEARS, [45, 50, 54, 57, 44, 52, 66, 76, 81, 86]))
# integration course completions per 100,000 residents at the region's average migration share:
# the arrivals of 2015/16 peak in 2017, those from Ukraine in 2022 peak in 2023
COURSES = dict(zip(YEARS, [190, 350, 250, 205, 120, 150, 185, 320, 285, 230]))
DAYCARE = dict(zip(YEARS, [55.0, 59.0, 63.0, 67.0, 68.5, 72.0, 69.0, 67.5, 70.5, 72.5]))
SCHOOL = dict(zip(YEARS, [13.5, 15.5, 17.5, 17.0, 15.8, 15.0, 15.6, 17.2, 16.3, 15.6]))
# counselling contacts per 1,000 foreign residents
COUNSELLING = dict(zip(YEARS, [80, 100, 95, 90, 70, 85, 130, 125, 115, 110]))

REGION_MIGRATION_SHARE = 26.0


def clamp(x, lo, hi):
    return max(lo, min(hi, x))


def count_noise(rng, n, rel=0.04):
    """Roughly Poisson-like noise plus a small multiplicative part; never negative."""
    sd = math.sqrt(max(n, 1.0)) * 0.6 + n * rel
    return max(0, int(round(n + rng.gauss(0.0, sd))))


def migration_share(base, year, rng):
    """Smooth rise, steeper in larger shares; a visible step in 2022 (arrivals from Ukraine)."""
    scale = base / REGION_MIGRATION_SHARE
    t = year - 2016
    v = base + 0.42 * scale * t
    if year >= 2022:
        v += 1.1 * scale
    return v + rng.gauss(0.0, 0.12)


def main():
    rng = random.Random(SEED)
    rows = []
    for key, pop, base in MUNICIPALITIES:
        size = pop / 100_000
        rel_mig = base / REGION_MIGRATION_SHARE
        small = 1.0 / math.sqrt(pop / 50_000)  # small towns are noisier
        # fixed per-municipality offsets, drawn once so that trends stay smooth
        off_nat = rng.gauss(0.0, 1.2)
        off_emp = (2.5 if key != "hannover" else -2.0) + rng.gauss(0.0, 1.5) - 2.0 * (rel_mig - 1.0)
        off_unemp = (2.4 if key == "hannover" else -1.0) + rng.gauss(0.0, 1.0) + 2.0 * (rel_mig - 1.0)
        off_day = (4.0 if key == "hannover" else 0.0) + rng.gauss(0.0, 5.0)
        off_school = (1.5 if key == "hannover" else 0.0) + rng.gauss(0.0, 2.0)
        lang_base = 25 if key == "hannover" else max(2, int(round(2 + size * 12 * rel_mig + rng.gauss(0.0, 1.5))))
        lang_growth = (2.2 if key == "hannover" else 0.35 + 0.9 * size * rel_mig) * (0.8 + 0.4 * rng.random())

        series = {name: {} for name in INDICATORS}
        languages = float(lang_base)
        for year in YEARS:
            mig = migration_share(base, year, rng)
            foreign_share = mig * (0.50 if year < 2022 else 0.54)  # percent of residents
            foreign_residents = pop * foreign_share / 100.0

            series["migration_share"][year] = round(mig, 1)
            series["naturalisations"][year] = round(
                clamp(NATURALISATIONS[year] + off_nat + rng.gauss(0.0, 0.5 * small), 2.0, 40.0), 1)
            series["employment_rate_foreign"][year] = round(
                clamp(EMPLOYMENT[year] + off_emp + rng.gauss(0.0, 0.4 * small), 20.0, 75.0), 1)
            series["unemployment_rate_foreign"][year] = round(
                clamp(UNEMPLOYMENT[year] + off_unemp + rng.gauss(0.0, 0.4 * small), 3.0, 35.0), 1)
            series["recognition_applications"][year] = count_noise(
                rng, RECOGNITION[year] * size * rel_mig)
            series["integration_course_completions"][year] = count_noise(
                rng, COURSES[year] * size * rel_mig ** 1.2)
            series["daycare_language_support"][year] = round(
                clamp(DAYCARE[year] + off_day + rng.gauss(0.0, 1.0 * small), 20.0, 98.0), 1)
            series["school_leavers_no_qualification_foreign"][year] = round(
                clamp(SCHOOL[year] + off_school + rng.gauss(0.0, 1.2 * small), 2.0, 40.0), 1)
            series["migration_counselling_contacts"][year] = count_noise(
                rng, COUNSELLING[year] * foreign_residents / 1000.0 * (1.1 if key == "hannover" else 0.85))
            # the number of languages only grows, with a jump after the 2018/19 language survey
            # and new Ukrainian speakers from 2022
            languages += lang_growth * (1.6 if year in (2019, 2022) else 1.0) if year > 2016 else 0.0
            series["staff_languages"][year] = int(round(languages))

        for name in INDICATORS:
            for year in YEARS:
                rows.append((name, key, year, series[name][year]))

    rows.sort(key=lambda r: (INDICATORS.index(r[0]), [m[0] for m in MUNICIPALITIES].index(r[1]), r[2]))
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "indicator_values.csv")
    with open(out, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["indicator", "municipality", "year", "value"])
        w.writerows(rows)
    print(f"wrote {len(rows)} rows to {out}")


if __name__ == "__main__":
    main()
