"""Claims data sets and maximum-likelihood references for kexian's fitting tests
(tests/fitting.rs).

Writes
- data/claims_cyber.csv: 400 seeded ground-up cyber losses (lognormal(11, 1.6)), each with a
  deductible in {0, 20 000, 50 000} (losses at or below it are not reported: left truncation)
  and a limit in {0.5m, 1m, 2m} (amounts at or above it are recorded at the limit: right
  censoring);
- tests/data/grouped_claims.csv: 500 losses in 8 classes (lower, upper, count);
- tests/data/fitting_reference.json: for each family, the ML estimates, standard errors
  (inverse observed information) and log-likelihood, computed independently of kexian with
  mpmath at 40 digits (the likelihood written out from each family's density and survival
  function, Newton's method on mpmath's numerical derivatives from a scipy start); the
  untruncated censored case is also checked against scipy.stats.fit with CensoredData.

Run: python3 scripts/reference_fitting.py   (numpy, scipy >= 1.11, mpmath)
"""
import json
import os

import mpmath as mp
import numpy as np
from scipy import optimize, stats

from mpmath_ml import refine

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
mp.mp.dps = 40
rng = np.random.default_rng(20261129)

# --- data ------------------------------------------------------------------------------
rows = []
while len(rows) < 400:
    x = float(np.exp(rng.normal(11.0, 1.6)))
    d = float(rng.choice([0.0, 20000.0, 50000.0]))
    u = float(rng.choice([500000.0, 1000000.0, 2000000.0]))
    if x <= d:
        continue
    rows.append((round(x, 2), d, u))
with open(os.path.join(ROOT, "data", "claims_cyber.csv"), "w") as fh:
    fh.write("claim,amount,deductible,limit\n")
    for i, (x, d, u) in enumerate(rows):
        fh.write(f"C{i:04d},{min(x, u):.2f},{d:.0f},{u:.0f}\n")
# Read back what was written.
data = np.genfromtxt(os.path.join(ROOT, "data", "claims_cyber.csv"), delimiter=",", skip_header=1)[:, 1:]
claims = [(float(a), float(d), float(u)) for a, d, u in data]
sample = [("exact" if a < u else "censored", a, d) for a, d, u in claims]

edges = [0, 1000, 5000, 10000, 50000, 100000, 500000, 1000000, float("inf")]
g = np.exp(rng.normal(10.0, 1.5, 500))
counts = np.histogram(g, bins=[0, 1000, 5000, 10000, 50000, 100000, 500000, 1000000, 1e300])[0]
with open(os.path.join(ROOT, "tests", "data", "grouped_claims.csv"), "w") as fh:
    fh.write("lower,upper,count\n")
    for lo, hi, c in zip(edges[:-1], edges[1:], counts):
        if c > 0:
            fh.write(f"{lo},{'inf' if hi == float('inf') else hi},{c}\n")
grouped = [(lo, hi, int(c)) for lo, hi, c in zip(edges[:-1], edges[1:], counts) if c > 0]

# Large claims above 200 000 (truncated there) for the single-parameter Pareto and the GPD.
T = 200000.0
large = [("exact" if a < u else "censored", a, T) for a, d, u in claims if a > T]

# --- families: log density and log survival in mpmath --------------------------------------
def lognormal(p):
    mu, s = p
    lpdf = lambda x: -mp.log(x * s * mp.sqrt(2 * mp.pi)) - (mp.log(x) - mu) ** 2 / (2 * s * s)
    lsf = lambda x: mp.log(mp.erfc((mp.log(x) - mu) / (s * mp.sqrt(2))) / 2)
    return lpdf, lsf


def gamma(p):
    a, t = p
    lpdf = lambda x: (a - 1) * mp.log(x) - x / t - mp.loggamma(a) - a * mp.log(t)
    lsf = lambda x: mp.log(mp.gammainc(a, x / t, mp.inf, regularized=True))
    return lpdf, lsf


def weibull(p):
    k, t = p
    lpdf = lambda x: mp.log(k / x) + k * mp.log(x / t) - (x / t) ** k
    lsf = lambda x: -(x / t) ** k
    return lpdf, lsf


def exponential(p):
    (t,) = p
    return (lambda x: -mp.log(t) - x / t), (lambda x: -x / t)


def pareto(p):
    a, t = p
    lpdf = lambda x: mp.log(a) + a * mp.log(t) - (a + 1) * mp.log(x + t)
    lsf = lambda x: a * (mp.log(t) - mp.log(x + t))
    return lpdf, lsf


def spp(p):
    (a,) = p
    lpdf = lambda x: mp.log(a) + a * mp.log(T) - (a + 1) * mp.log(x)
    lsf = lambda x: a * (mp.log(T) - mp.log(x))
    return lpdf, lsf


def gpd(p):
    xi, s = p
    lsf = lambda x: -mp.log1p(xi * (x - T) / s) / xi
    lpdf = lambda x: -mp.log(s) - (1 / xi + 1) * mp.log1p(xi * (x - T) / s)
    return lpdf, lsf


def burr(p):
    a, gm, t = p
    lsf = lambda x: -a * mp.log1p((x / t) ** gm)
    lpdf = lambda x: mp.log(a * gm) + gm * mp.log(x / t) - mp.log(x) - (a + 1) * mp.log1p((x / t) ** gm)
    return lpdf, lsf


def loglogistic(p):
    gm, t = p
    lsf = lambda x: -mp.log1p((x / t) ** gm)
    lpdf = lambda x: mp.log(gm) + gm * mp.log(x / t) - mp.log(x) - 2 * mp.log1p((x / t) ** gm)
    return lpdf, lsf


def loglik(family, p, obs):
    lpdf, lsf = family([mp.mpf(v) for v in p])
    total = mp.mpf(0)
    for kind, x, d in obs:
        x = mp.mpf(x)
        total += lpdf(x) if kind == "exact" else lsf(x)
        if d > 0 and family not in (spp, gpd):
            total -= lsf(mp.mpf(d))
    return total


def loglik_grouped(family, p):
    lpdf, lsf = family([mp.mpf(v) for v in p])
    total = mp.mpf(0)
    for lo, hi, c in grouped:
        s_lo = mp.mpf(1) if lo == 0 else mp.exp(lsf(mp.mpf(lo)))
        s_hi = mp.mpf(0) if hi == float("inf") else mp.exp(lsf(mp.mpf(hi)))
        total += c * mp.log(s_lo - s_hi)
    return total


def fit(name, family, start, f):
    neg = lambda p: -float(f(p)) if all(np.isfinite(p)) else np.inf
    res = optimize.minimize(neg, start, method="Nelder-Mead", options={"xatol": 1e-10, "fatol": 1e-10, "maxiter": 20000, "maxfev": 40000})
    x, cov, ll = refine(f, res.x)
    k = len(x)
    out = {"family": name, "parameters": [float(v) for v in x],
           "std_errors": [float(mp.sqrt(cov[i, i])) for i in range(k)],
           "log_likelihood": float(ll)}
    print(name, out["parameters"], out["log_likelihood"])
    return out


ref = {"generator": "scripts/reference_fitting.py", "mpmath_dps": 40, "large_threshold": T}
starts = {"lognormal": [11.0, 1.6], "gamma": [0.5, 2e5], "weibull": [0.6, 8e4], "exponential": [1e5],
          "pareto": [1.5, 8e4], "burr": [1.0, 1.0, 8e4], "loglogistic": [1.0, 6e4]}
fams = {"lognormal": lognormal, "gamma": gamma, "weibull": weibull, "exponential": exponential,
        "pareto": pareto, "burr": burr, "loglogistic": loglogistic}
ref["truncated_censored"] = [fit(n, fams[n], starts[n], lambda p, fam=fams[n]: loglik(fam, p, sample)) for n in fams]
ref["large_claims"] = [
    fit("single_parameter_pareto", spp, [1.2], lambda p: loglik(spp, p, large)),
    fit("generalized_pareto", gpd, [0.5, 2e5], lambda p: loglik(gpd, p, large)),
]
ref["grouped"] = [fit(n, fams[n], s, lambda p, fam=fams[n]: loglik_grouped(fam, p))
                  for n, s in (("lognormal", [10.0, 1.5]), ("gamma", [0.6, 5e4]))]

# Cross-check: untruncated, censored lognormal against scipy.stats.fit with CensoredData.
plain = [(kind, a, 0.0) for kind, a, d in sample]
ref["censored_only"] = [fit("lognormal", lognormal, [11.0, 1.6], lambda p: loglik(lognormal, p, plain))]
exact = np.array([a for kind, a, _ in plain if kind == "exact"])
cens = np.array([a for kind, a, _ in plain if kind == "censored"])
cd = stats.CensoredData(uncensored=np.log(exact), right=np.log(cens))
# ln X is normal(mu, sigma) with the same censoring; the log-likelihoods differ by sum(ln x) over exact.
sp = stats.norm.fit(cd)
mine = ref["censored_only"][0]["parameters"]
assert abs(sp[0] - mine[0]) < 1e-5 * abs(mine[0]) and abs(sp[1] - mine[1]) < 1e-4 * mine[1], (sp, mine)
ref["censored_only"][0]["scipy_censored_fit"] = [float(v) for v in sp]

with open(os.path.join(ROOT, "tests", "data", "fitting_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
