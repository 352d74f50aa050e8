"""Reference VaR/TVaR/mean/sd of compound losses with per-claim terms, for the Monte Carlo tests.

Independent method: the payment per loss Y = share·(min(cX, u) − min(cX, d)) is discretised on a
grid of step h by the rounding method from scipy.stats cdfs, and S = Y₁ + … + Y_N is aggregated by
numpy FFT of the claim-count pgf, on a grid long enough that the mass lost is < 1e-12.
Discretisation moves quantiles by at most h (≤ 1e-4 relative here), far below the Monte Carlo
standard errors these values are compared with.

Run: python3 scripts/reference_compound.py  → tests/data/compound_reference.json
"""
import json
import math
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))


def payment_pmf(sev, d, u, share, c, h):
    top = share * (u - d)
    m = int(round(top / h))
    assert abs(m * h - top) < 1e-9 * top, "grid must hit the limit"
    ys = (np.arange(m + 1) + 0.5) * h  # upper edges of the rounding cells
    # F_Y(y) = F_X((d + y/share)/c) for 0 <= y < top, 1 at top
    fy = sev.cdf((d + np.minimum(ys, top) / share) / c)
    fy[-1] = 1.0
    f = np.diff(np.concatenate([[0.0], fy]))
    return f


def aggregate(f, pgf, n):
    g = np.zeros(n)
    g[: len(f)] = f
    phi = np.fft.rfft(g)
    return np.maximum(np.fft.irfft(pgf(phi), n), 0.0)


def stats_of(s, h, levels):
    x = np.arange(len(s)) * h
    cdf = np.cumsum(s)
    out = {"mean": float(np.sum(x * s)), "sd": float(math.sqrt(np.sum(x * x * s) - np.sum(x * s) ** 2)),
           "var": {}, "tvar": {}}
    for a in levels:
        j = int(np.searchsorted(cdf, a - 1e-13))
        v = x[j]
        tail = np.sum((x[j + 1:] - v) * s[j + 1:])
        out["var"][str(a)] = float(v)
        out["tvar"][str(a)] = float(v + tail / (1 - a))
    return out


def case(name, freq_json, pgf, sev_json, sev, d, u, share, c, h, n):
    f = payment_pmf(sev, d, u, share, c, h)
    s = aggregate(f, pgf, n)
    lost = 1 - s.sum()
    assert abs(lost) < 1e-10, lost
    out = stats_of(s, h, [0.9, 0.99, 0.995])
    out.update({"name": name, "frequency": freq_json, "severity": sev_json,
                "terms": {"deductible": d, "limit": u, "share": share, "inflation": c}, "step": h})
    return out


cases = [
    case("poisson2_lognormal_10_2", {"type": "poisson", "lambda": 2.0},
         lambda z: np.exp(2.0 * (z - 1)),
         {"type": "lognormal", "mu": 10.0, "sigma": 2.0}, stats.lognorm(s=2.0, scale=math.exp(10.0)),
         10_000.0, 1_000_000.0, 1.0, 1.0, 50.0, 2 ** 20),
    case("nbinom_gamma_terms", {"type": "negative_binomial", "r": 2.0, "beta": 1.5},
         lambda z: (1 - 1.5 * (z - 1)) ** -2.0,
         {"type": "gamma", "alpha": 2.5, "theta": 40000.0}, stats.gamma(a=2.5, scale=40000.0),
         20_000.0, 220_000.0, 0.8, 1.1, 20.0, 2 ** 20),
    case("poisson_low_pareto", {"type": "poisson", "lambda": 0.05},
         lambda z: np.exp(0.05 * (z - 1)),
         {"type": "pareto", "alpha": 1.5, "theta": 100000.0}, stats.lomax(c=1.5, scale=1e5),
         0.0, 5_000_000.0, 1.0, 1.0, 250.0, 2 ** 18),
]

with open(os.path.join(HERE, "..", "tests", "data", "compound_reference.json"), "w") as fh:
    json.dump({"generator": "scripts/reference_compound.py", "cases": cases}, fh, indent=1)
print(json.dumps(cases, indent=1)[:1500])
