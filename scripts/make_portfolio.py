"""The bundled portfolio: the 300 synthetic firms of data/experience.csv as they stand in its
last year, with the covers each chose. Seeded; rerunning reproduces the file.
Run after scripts/make_experience.py: python3 scripts/make_portfolio.py

Writes data/portfolio.csv, one row per firm (columns documented in data/README.md).
"""
import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(20251202)
rows = list(csv.DictReader(open(os.path.join(HERE, "..", "data", "experience.csv"))))
last = {}
for r in rows:
    last[r["firm"]] = r  # rows are in year order per firm
rnd_preset = {"biomedicine": "biomedicine_drug", "ic": "ic_tapeout", "ai": "ai_software",
              "low_altitude": "ai_software", "new_materials": "ai_software"}
# Where each R&D project stands when its one-year policy starts: a point uniform over the
# project's planned duration (its own generator, so the other columns keep their draws).
projects = {p["name"]: p["project"]["stages"] for p in
            json.load(open(os.path.join(HERE, "..", "data", "assumptions", "shanghai_2025.json")))["rnd"]["projects"]}
where = np.random.default_rng(20261206)


def position(project):
    stages = projects[project]
    u = where.uniform(0, sum(s["years"] for s in stages))
    for s in stages:
        if u < s["years"]:
            return s["name"], min(round(u, 1), round(s["years"] - 0.1, 1))
        u -= s["years"]
    return stages[-1]["name"], 0.0


out = []
for firm, r in sorted(last.items()):
    lrev = float(r["log_revenue"])
    size = "micro" if lrev < 16 else "small" if lrev < 17 else "medium" if lrev < 18.5 else "large"
    stage = r["stage"]
    patents = int(rng.poisson({"start_up": 4, "growth": 15, "mature": 40}[stage]))
    rnd = rnd_preset[r["sector"]] if rng.uniform() < 0.35 else ""
    u = rng.uniform()
    ip = "defence" if u < 0.4 else "enforcement" if u < 0.5 else ""
    at_risk = round(float(rng.lognormal(np.log(5e6), 1.0)), -3) if ip else 0
    pledge = round(float(rng.uniform(1e6, 1e7)), -4) if rng.uniform() < 0.15 else 0
    pd = round(float(rng.uniform(0.01, 0.05)), 4) if pledge else 0
    cyber = int(rng.uniform() < 0.6)
    if not (rnd or ip or pledge or cyber):
        cyber = 1
    deductible = float(rng.choice([2e4, 5e4, 1e5]))
    limit = float(rng.choice([2e6, 5e6, 1e7]))
    share = float(rng.choice([0.7, 0.8, 0.9]))
    first_set = round(float(rng.uniform(1e7, 5e7)), -4) if r["sector"] in ("ic", "low_altitude", "new_materials") and rng.uniform() < 0.1 else 0
    rnd_stage, rnd_years = position(rnd) if rnd else ("", "")
    out.append([firm, r["sector"], stage, size, r["score"], r["log_revenue"], patents, rnd, rnd_stage, rnd_years, ip,
                at_risk,
                "ip_pledge" if pledge else "", pledge, pd, cyber, deductible, limit, share, first_set])
with open(os.path.join(HERE, "..", "data", "portfolio.csv"), "w") as fh:
    w = csv.writer(fh, lineterminator="\n")
    w.writerow(["firm", "sector", "stage", "size", "score", "log_revenue", "patents", "rnd_project", "rnd_stage",
                "rnd_years_in_stage", "ip_cover",
                "amount_at_risk", "guarantee", "loan", "default_probability", "cyber", "deductible", "limit", "share",
                "first_set_value"])
    w.writerows(out)
print(len(out), "firms")
