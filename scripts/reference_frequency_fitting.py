"""Claim-count data sets and maximum-likelihood references for kexian's frequency fitting
(tests/fitting.rs): tests/data/counts.csv (600 seeded policies: exposure, count from a
negative binomial with r = 0.8 per unit exposure and beta = 0.5; a second column of counts
from a zero-modified negative binomial with exposure 1) and the fits in
tests/data/frequency_fitting_reference.json, written from the probability mass functions in
mpmath (40 digits) and maximised by Newton's method on mpmath's derivatives from a scipy
start. Standard errors from the inverse observed information.

Run: python3 scripts/reference_frequency_fitting.py
"""
import json
import os

import mpmath as mp
import numpy as np
from scipy import optimize

from mpmath_ml import refine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
mp.mp.dps = 40
rng = np.random.default_rng(7)
n = 600
expo = np.round(rng.uniform(0.2, 1.5, n), 4)
lam = rng.gamma(0.8 * expo, 0.5)
counts = rng.poisson(lam)
base = rng.poisson(rng.gamma(1.5, 1.2, n))
while np.any(base == 0):  # zero-truncated draws
    idx = base == 0
    base[idx] = rng.poisson(rng.gamma(1.5, 1.2, idx.sum()))
zm = np.where(rng.uniform(size=n) < 0.35, 0, base)
with open(os.path.join(ROOT, "tests", "data", "counts.csv"), "w") as fh:
    fh.write("exposure,claims,modified\n")
    for e, c, z in zip(expo, counts, zm):
        fh.write(f"{e},{c},{z}\n")
pos = [int(z) for z in zm if z > 0]


def lp_poisson(k, l):
    return k * mp.log(l) - l - mp.loggamma(k + 1)


def lp_nb(k, r, b):
    return mp.loggamma(k + r) - mp.loggamma(r) - mp.loggamma(k + 1) - r * mp.log1p(b) + k * (mp.log(b) - mp.log1p(b))


fams = {
    "poisson": lambda p: sum(lp_poisson(int(k), p[0] * mp.mpf(float(e))) for k, e in zip(counts, expo)),
    "negative_binomial": lambda p: sum(lp_nb(int(k), p[0] * mp.mpf(float(e)), p[1]) for k, e in zip(counts, expo)),
    "zero_truncated_poisson": lambda p: sum(lp_poisson(k, p[0]) - mp.log(1 - mp.exp(-p[0])) for k in pos),
    "zero_truncated_negative_binomial": lambda p: sum(lp_nb(k, p[0], p[1]) - mp.log(1 - mp.exp(-p[0] * mp.log1p(p[1]))) for k in pos),
    "zero_modified_negative_binomial": lambda p: sum(
        mp.log(p[0]) if z == 0 else mp.log(1 - p[0]) + lp_nb(int(z), p[1], p[2]) - mp.log(1 - mp.exp(-p[1] * mp.log1p(p[2])))
        for z in zm),
}
starts = {"poisson": [0.4], "negative_binomial": [0.8, 0.5], "zero_truncated_poisson": [2.0],
          "zero_truncated_negative_binomial": [1.5, 1.2], "zero_modified_negative_binomial": [0.35, 1.5, 1.2]}


ref = {"generator": "scripts/reference_frequency_fitting.py", "fits": []}
for name, f in fams.items():
    res = optimize.minimize(lambda p: -float(f(p)) if np.all(np.asarray(p) > 0) else np.inf, starts[name],
                            method="Nelder-Mead", options={"xatol": 1e-9, "fatol": 1e-9, "maxiter": 5000})
    x, cov, ll = refine(f, res.x)
    k = len(x)
    ref["fits"].append({"family": name, "parameters": [float(v) for v in x],
                        "std_errors": [float(mp.sqrt(cov[i, i])) for i in range(k)], "log_likelihood": float(ll)})
    print(ref["fits"][-1])
with open(os.path.join(ROOT, "tests", "data", "frequency_fitting_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
