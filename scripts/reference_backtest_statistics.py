"""scipy references for the backtest statistics added beside the VaR and A/E tests
(tests/backtest.rs): chi-square critical values, Kupiec's 95% non-rejection regions, exact
two-sided (central) Poisson test p-values and the Basel
cumulative probabilities behind the plus factors.

Run: python3 scripts/reference_backtest_statistics.py  (writes tests/data/backtest_statistics_reference.json)
"""
import json
import os

import numpy as np
from scipy import stats
from scipy.special import xlogy

HERE = os.path.dirname(os.path.abspath(__file__))


def kupiec(n, x, p):
    phat = x / n
    return max(0.0, -2 * (xlogy(n - x, 1 - p) + xlogy(x, p)) + 2 * (xlogy(n - x, 1 - phat) + xlogy(x, phat)))


def region(n, p, conf):
    crit = stats.chi2.ppf(conf, 1)
    ok = [x for x in range(n + 1) if kupiec(n, x, p) <= crit]
    return [min(ok), max(ok)]


ref = {"generator": "scripts/reference_backtest_statistics.py", "scipy": __import__("scipy").__version__}
ref["chi2_critical"] = [{"df": df, "confidence": c, "value": float(stats.chi2.ppf(c, df))}
                        for df in (1, 2, 5, 30) for c in (0.9, 0.95, 0.99)]
ref["kupiec_region"] = [{"observations": n, "exceedance": p, "confidence": c, "region": region(n, p, c)}
                        for (n, p) in ((250, 0.01), (500, 0.025), (1000, 0.005), (60, 0.01), (250, 0.05))
                        for c in (0.95, 0.99)]
cases = [(0, 2.5), (3, 3.0), (10, 5.0), (1, 7.5), (40, 31.2), (1200, 1134.6), (0, 0.01)]
ref["poisson_test"] = [{"actual": a, "expected": e,
                        "p_value": float(min(1.0, 2 * min(stats.poisson.cdf(a, e), stats.poisson.sf(a - 1, e))))}
                       for a, e in cases]
ref["basel_cumulative_250"] = [float(stats.binom.cdf(k, 250, 0.01)) for k in range(11)]
with open(os.path.join(HERE, "..", "tests", "data", "backtest_statistics_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print(ref["kupiec_region"])
