"""scipy references for kexian's EDF goodness-of-fit statistics (tests/fitting.rs): the
uncensored amounts of data/claims_cyber.csv (truncation ignored) against a fixed
lognormal(11, 1.6): Kolmogorov-Smirnov D (scipy.stats.kstest), Cramer-von Mises W^2
(scipy.stats.cramervonmises) and Anderson-Darling A^2 by its textbook sum
-n - (1/n) sum (2i - 1)[ln u_(i) + ln(1 - u_(n+1-i))].

Run: python3 scripts/reference_gof.py   (writes tests/data/gof_reference.json)
"""
import json
import os

import numpy as np
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
d = np.genfromtxt(os.path.join(HERE, "..", "data", "claims_cyber.csv"), delimiter=",", skip_header=1)
x = np.array([a for a, u in zip(d[:, 1], d[:, 3]) if a < u])
dist = stats.lognorm(s=1.6, scale=np.exp(11.0))
u = np.sort(dist.cdf(x))
n = len(u)
i = np.arange(1, n + 1)
ad = -n - np.sum((2 * i - 1) * (np.log(u) + np.log1p(-u[::-1]))) / n
ref = {"generator": "scripts/reference_gof.py", "mu": 11.0, "sigma": 1.6, "n": n,
       "kolmogorov_smirnov": float(stats.kstest(x, dist.cdf).statistic),
       "cramer_von_mises": float(stats.cramervonmises(x, dist.cdf).statistic),
       "anderson_darling": float(ad)}
with open(os.path.join(HERE, "..", "tests", "data", "gof_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print(ref)
