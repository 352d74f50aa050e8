"""Hierarchical (Jewell) credibility on the Hachemeister data grouped by cohort, computed
with numpy from the Bühlmann–Gisler estimators as printed in Bühlmann & Gisler (2005, §6.6)
and Belhadj, Goulet & Ouellet (2009, ASTIN Bulletin 39(2)) and implemented by R actuar's
hierarc() (method "Buhlmann-Gisler"), written independently of the Rust code. Writes tests/data/hierarchical_reference.json.
Run: python3 scripts/reference_hierarchical.py
"""
import csv
import json
import os

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rows = list(csv.DictReader(open(os.path.join(HERE, "..", "tests", "data", "hachemeister.csv"))))
states = sorted({int(r["state"]) for r in rows})
X = np.array([[float(r["avg_claim_amount"]) for r in rows if int(r["state"]) == s] for s in states])
W = np.array([[float(r["n_claims"]) for r in rows if int(r["state"]) == s] for s in states])
cohort = np.array([int(next(r["cohort"] for r in rows if int(r["state"]) == s)) for s in states])
groups = sorted(set(cohort))

w = W.sum(axis=1)
xm = (W * X).sum(axis=1) / w
s2 = (W * (X - xm[:, None]) ** 2).sum() / (X.size - len(states))
a_parts = []
for g in groups:
    m = cohort == g
    if m.sum() < 2:  # a one-firm sector counts 0 in the Bühlmann–Gisler mean (actuar's rule)
        a_parts.append(0.0)
        continue
    wg = w[m].sum()
    xg = (w[m] * xm[m]).sum() / wg
    a_parts.append(max(0.0, ((w[m] * (xm[m] - xg) ** 2).sum() - (m.sum() - 1) * s2) / (wg - (w[m] ** 2).sum() / wg)))
a = float(np.mean(a_parts))
Z = w / (w + s2 / a)
Zg = np.array([Z[cohort == g].sum() for g in groups])
Xg = np.array([(Z[cohort == g] * xm[cohort == g]).sum() / Z[cohort == g].sum() for g in groups])
Ztot = Zg.sum()
xbar = (Zg * Xg).sum() / Ztot
b = max(0.0, ((Zg * (Xg - xbar) ** 2).sum() - (len(groups) - 1) * a) / (Ztot - (Zg ** 2).sum() / Ztot))
Q = Zg / (Zg + a / b) if b > 0 else np.zeros(len(groups))
mu = (Q * Xg).sum() / Q.sum() if b > 0 else xbar
Pg = Q * Xg + (1 - Q) * mu
Pf = Z * xm + (1 - Z) * Pg[[groups.index(c) for c in cohort]]
ref = {"generator": "scripts/reference_hierarchical.py", "cohort": cohort.tolist(),
       "within": s2, "firm_variance": a, "sector_variance": b, "collective": mu,
       "sector_factors": Q.tolist(), "sector_premiums": Pg.tolist(),
       "firm_factors": Z.tolist(), "firm_premiums": Pf.tolist()}
with open(os.path.join(HERE, "..", "tests", "data", "hierarchical_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print(json.dumps(ref, indent=1))
