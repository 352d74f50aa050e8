"""Reference values for kexian's backtesting statistics, computed with scipy/statsmodels and
numpy independently of the Rust code. Writes tests/data/backtest_reference.json (inputs and
expected outputs together). Run: python3 scripts/reference_backtest.py
"""
import json
import os

import numpy as np
import statsmodels.api as sm
from scipy import stats

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(8)
ref = {"generator": "scripts/reference_backtest.py"}

# Exact Poisson (Garwood 1936) interval for the A/E ratio: chi-square quantiles / (2E).
ref["garwood"] = []
for a, e, conf in [(0, 2.5, 0.95), (1, 1.0, 0.95), (7, 5.2, 0.90), (120, 100.0, 0.95), (3, 0.4, 0.99)]:
    alpha = 1 - conf
    lo = 0.0 if a == 0 else stats.chi2.ppf(alpha / 2, 2 * a) / 2 / e
    hi = stats.chi2.ppf(1 - alpha / 2, 2 * a + 2) / 2 / e
    ref["garwood"].append({"actual": a, "expected": e, "confidence": conf, "lower": lo, "upper": hi})

# Limited-fluctuation full-credibility standard for claim counts: (z_{(1+p)/2} / k)^2.
ref["full_credibility"] = [{"probability": p, "tolerance": k, "claims": (stats.norm.ppf((1 + p) / 2) / k) ** 2}
                           for p, k in [(0.90, 0.05), (0.95, 0.05), (0.99, 0.10)]]

# Deviances (statsmodels families).
y = np.array([0, 1, 0, 3, 2, 0, 5, 1], dtype=float)
mu = np.array([0.4, 0.9, 0.2, 2.1, 2.5, 0.7, 3.3, 1.2])
amt = np.array([0, 1200, 0, 5300, 800, 0, 15000, 2100], dtype=float)
amt_mu = np.array([500, 1500, 300, 4000, 2000, 900, 9000, 1800], dtype=float)
ref["deviance"] = {
    "y": y.tolist(), "mu": mu.tolist(),
    "poisson": float(sm.families.Poisson().deviance(y, mu)),
    "amount": amt.tolist(), "amount_mu": amt_mu.tolist(),
    "tweedie_1.5": float(sm.families.Tweedie(var_power=1.5).deviance(amt, amt_mu)),
    "gamma_positive": float(sm.families.Gamma().deviance(amt[amt > 0], amt_mu[amt > 0])),
}


def ordered_gini(loss, premium, score):
    """Frees–Meyers–Cummings ordered Lorenz curve: sort by relativity score/premium, ties
    pooled into one segment; Gini = 1 − 2 × area under the curve (trapezoids)."""
    rel = score / premium
    keys = np.unique(rel)
    f = [0.0]
    l = [0.0]
    for k in keys:
        m = rel == k
        f.append(f[-1] + premium[m].sum())
        l.append(l[-1] + loss[m].sum())
    f = np.array(f) / premium.sum()
    l = np.array(l) / loss.sum()
    area = np.sum((f[1:] - f[:-1]) * (l[1:] + l[:-1]) / 2)
    return 1 - 2 * area, f.tolist(), l.tolist()


loss = np.array([0, 0, 500, 0, 1200, 300, 0, 0, 4000, 700, 0, 2500], dtype=float)
premium = np.array([100, 120, 150, 100, 200, 90, 80, 110, 300, 160, 100, 250], dtype=float)
score = np.array([90, 120, 180, 100, 260, 90, 64, 110, 420, 160, 100, 300], dtype=float)  # ties in score/premium
g, f, l = ordered_gini(loss, premium, score)
ref["gini_ties"] = {"loss": loss.tolist(), "premium": premium.tolist(), "score": score.tolist(),
                    "gini": g, "premium_share": f, "loss_share": l}
# Without ties the ordinary Gini of a sample equals the sorted-rank formula.
x = rng.lognormal(0, 1, 500)
xs = np.sort(x)
n = len(xs)
ref["gini_sample"] = {"values": x.tolist(),
                      "gini": float(2 * np.sum(np.arange(1, n + 1) * xs) / (n * xs.sum()) - (n + 1) / n)}
ref["gini_closed_forms"] = {"lognormal_sigma_1": float(2 * stats.norm.cdf(1 / np.sqrt(2)) - 1),
                            "pareto_alpha_3": 1 / (2 * 3 - 1)}

# Lift by decile: sort by prediction (stable), np.array_split into ten groups.
pred = np.round(rng.gamma(2.0, 0.5, 103), 2)
act = rng.poisson(pred).astype(float)
order = np.argsort(pred, kind="stable")
groups = np.array_split(order, 10)
ref["lift"] = {"predicted": pred.tolist(), "actual": act.tolist(),
               "mean_predicted": [float(pred[g].mean()) for g in groups],
               "mean_actual": [float(act[g].mean()) for g in groups]}
# Calibration: chi-square of observed vs predicted counts by bin, df = bins (out of sample).
ref["calibration"] = {"bins": 10,
                      "statistic": float(sum((act[g].sum() - pred[g].sum()) ** 2 / pred[g].sum() for g in groups))}
ref["calibration"]["p_value"] = float(stats.chi2.sf(ref["calibration"]["statistic"], 10))


def xlogy(a, b):
    return 0.0 if a == 0 else a * np.log(b)


def kupiec(hits, p):
    n, x = len(hits), int(np.sum(hits))
    lr = -2 * (xlogy(n - x, 1 - p) + xlogy(x, p)) + 2 * (xlogy(n - x, 1 - x / n) + xlogy(x, x / n))
    return lr, stats.chi2.sf(lr, 1)


def christoffersen(hits):
    h = np.asarray(hits, dtype=int)
    t = {(i, j): int(np.sum((h[:-1] == i) & (h[1:] == j))) for i in (0, 1) for j in (0, 1)}
    n00, n01, n10, n11 = t[0, 0], t[0, 1], t[1, 0], t[1, 1]
    pi = (n01 + n11) / (n00 + n01 + n10 + n11)
    p01 = n01 / (n00 + n01) if n00 + n01 else 0.0
    p11 = n11 / (n10 + n11) if n10 + n11 else 0.0
    l0 = xlogy(n00 + n10, 1 - pi) + xlogy(n01 + n11, pi)
    l1 = xlogy(n00, 1 - p01) + xlogy(n01, p01) + xlogy(n10, 1 - p11) + xlogy(n11, p11)
    lr = -2 * (l0 - l1)
    return lr, stats.chi2.sf(lr, 1)


ref["var_tests"] = []
random_hits = (rng.uniform(size=500) < 0.013).astype(int).tolist()
clustered = [0] * 250
for i in (40, 41, 42, 120, 121, 200, 201):
    clustered[i] = 1
for name, hits, level in [("none", [0] * 250, 0.99), ("all", [1] * 250, 0.99),
                          ("clustered", clustered, 0.99), ("random", random_hits, 0.99),
                          ("level_975", random_hits, 0.975)]:
    pof, p_pof = kupiec(hits, 1 - level)
    ind, p_ind = christoffersen(hits)
    ref["var_tests"].append({"name": name, "exceedances": hits, "level": level,
                             "kupiec": pof, "kupiec_p": float(p_pof),
                             "independence": ind, "independence_p": float(p_ind),
                             "conditional_coverage": pof + ind,
                             "conditional_coverage_p": float(stats.chi2.sf(pof + ind, 2))})

# Basel traffic light: green while P(X <= x) < 95%, red once P(X <= x) >= 99.99%.
def zones(n, level):
    out = []
    for x in range(0, n + 1):
        c = stats.binom.cdf(x, n, 1 - level)
        out.append("green" if c < 0.95 else ("red" if c >= 0.9999 else "yellow"))
        if out[-1] == "red":
            break
    return out


ref["traffic_light"] = [{"observations": n, "level": lv, "zones": zones(n, lv),
                         "cumulative": [float(stats.binom.cdf(x, n, 1 - lv)) for x in range(len(zones(n, lv)))]}
                        for n, lv in [(250, 0.99), (500, 0.975), (1000, 0.995), (60, 0.99)]]

# PIT tests: KS statistic (scipy) and asymptotic p-value with Stephens' correction;
# Berkowitz LR for N(0, 1) of Φ⁻¹(u) (mean and variance, 2 df).
u = rng.uniform(size=80) ** 1.3
d = stats.kstest(u, "uniform").statistic
sn = np.sqrt(len(u))
z = stats.norm.ppf(u)
mu_hat, var_hat = z.mean(), z.var()
lr_b = len(u) * (mu_hat ** 2 + var_hat - 1 - np.log(var_hat))
ref["pit"] = {"u": u.tolist(), "ks": float(d),
              "ks_p": float(stats.kstwobign.sf((sn + 0.12 + 0.11 / sn) * d)),
              "ks_p_exact_scipy": float(stats.kstest(u, "uniform").pvalue),
              "berkowitz": float(lr_b), "berkowitz_p": float(stats.chi2.sf(lr_b, 2))}

# Double lift: sort by the ratio of two ratings' predictions (stable), five equal-count groups.
model_b = np.round(pred * rng.lognormal(0, 0.3, len(pred)), 3)
order_ab = np.argsort(pred / model_b, kind="stable")
groups_ab = np.array_split(order_ab, 5)
ref["double_lift"] = {"model_b": model_b.tolist(),
                      "mean_a": [float(pred[g].mean()) for g in groups_ab],
                      "mean_b": [float(model_b[g].mean()) for g in groups_ab],
                      "mean_actual": [float(act[g].mean()) for g in groups_ab]}

with open(os.path.join(HERE, "..", "tests", "data", "backtest_reference.json"), "w") as fh:
    json.dump(ref, fh, indent=1)
print({k: (v if not isinstance(v, list) else len(v)) for k, v in ref.items() if k in ("garwood", "traffic_light")})
print(ref["traffic_light"][0]["zones"], ref["gini_ties"]["gini"], ref["pit"]["ks_p"], ref["pit"]["ks_p_exact_scipy"])
