"""Reference premiums for kexian's premium-principle tests.

Closed forms where they exist (Wang on a lognormal is lognormal(mu + lambda*sigma, sigma);
proportional hazard on a Pareto II is Pareto II(alpha/rho, theta); exponential principle on a
gamma is -alpha*ln(1 - a*theta)/a; TVaR of a lognormal), and otherwise mpmath quadrature of
int_0^inf g(S(x)) dx with scipy's survival functions. Discrete cases are summed exactly.

Run: python3 scripts/reference_premiums.py  -> tests/data/premium_reference.json
"""
import json
import math
import os

import mpmath as mp
from scipy import stats
from scipy.special import ndtr, ndtri

mp.mp.dps = 30
HERE = os.path.dirname(os.path.abspath(__file__))


def quad_distortion(sf, g, breaks):
    return float(mp.quad(lambda x: g(float(sf(float(x)))), breaks))


def wang_g(lam):
    return lambda s: float(ndtr(ndtri(s) + lam)) if 0 < s < 1 else s


cases = []

# Lognormal(10, 1)
mu, sigma = 10.0, 1.0
ln = stats.lognorm(s=sigma, scale=math.exp(mu))
mean, sd = ln.mean(), ln.std()
z99 = ndtri(0.99)
tvar99 = math.exp(mu + sigma ** 2 / 2) * ndtr(sigma - z99) / 0.01
breaks_ln = [0] + [float(ln.ppf(p)) for p in [0.01, 0.1, 0.5, 0.9, 0.99]] + [float(ln.isf(10.0 ** -k)) for k in range(3, 300, 3)]
cases.append({"name": "lognormal_10_1", "model": {"type": "lognormal", "mu": mu, "sigma": sigma}, "premiums": [
    [{"principle": "expected_value", "loading": 0.2}, 1.2 * mean],
    [{"principle": "standard_deviation", "k": 0.5}, mean + 0.5 * sd],
    [{"principle": "variance", "k": 1e-6}, mean + 1e-6 * sd ** 2],
    [{"principle": "wang", "lambda": 0.3}, math.exp(mu + 0.3 * sigma + sigma ** 2 / 2)],
    [{"principle": "proportional_hazard", "rho": 1.5}, quad_distortion(ln.sf, lambda s: s ** (1 / 1.5), breaks_ln)],
    [{"principle": "dual_power", "kappa": 2.0}, quad_distortion(ln.sf, lambda s: 1 - (1 - s) ** 2, breaks_ln)],
    [{"principle": "tvar", "level": 0.99}, tvar99],
    [{"principle": "cost_of_capital", "rate": 0.1, "level": 0.99, "measure": "tvar"}, mean + 0.1 * (tvar99 - mean)],
    [{"principle": "cost_of_capital", "rate": 0.1, "level": 0.995, "measure": "var"}, mean + 0.1 * (float(ln.ppf(0.995)) - mean)],
]})

# Pareto II (Lomax) alpha = 3, theta = 1e5
a, th = 3.0, 1e5
pa = stats.lomax(c=a, scale=th)
breaks_pa = [0] + [float(pa.ppf(p)) for p in [0.01, 0.1, 0.5, 0.9, 0.99]] + [float(pa.isf(10.0 ** -k)) for k in range(3, 300, 3)]
cases.append({"name": "pareto_3_1e5", "model": {"type": "pareto", "alpha": a, "theta": th}, "premiums": [
    [{"principle": "proportional_hazard", "rho": 1.2}, th / (a / 1.2 - 1)],
    [{"principle": "wang", "lambda": 0.2}, quad_distortion(pa.sf, wang_g(0.2), breaks_pa)],
    [{"principle": "standard_deviation", "k": 1.0}, pa.mean() + pa.std()],
]})

# Gamma alpha = 2, theta = 1e4
al, th = 2.0, 1e4
ga = stats.gamma(a=al, scale=th)
breaks_ga = [0] + [float(ga.ppf(p)) for p in [0.01, 0.1, 0.5, 0.9, 0.99]] + [float(ga.isf(10.0 ** -k)) for k in range(3, 300, 3)]
aa = 2e-5
cases.append({"name": "gamma_2_1e4", "model": {"type": "gamma", "alpha": al, "theta": th}, "premiums": [
    [{"principle": "exponential", "risk_aversion": aa}, -al * math.log(1 - aa * th) / aa],
    [{"principle": "wang", "lambda": 0.25}, quad_distortion(ga.sf, wang_g(0.25), breaks_ga)],
    [{"principle": "dual_power", "kappa": 1.5}, quad_distortion(ga.sf, lambda s: 1 - (1 - s) ** 1.5, breaks_ga)],
]})

# Discrete: values 0, 100, 1000 with probabilities 0.5, 0.3, 0.2 (step survival function)
vals, probs = [0.0, 100.0, 1000.0], [0.5, 0.3, 0.2]


def step_distortion(g):
    s, prev, total = 1.0, 0.0, 0.0
    for x, p in zip(vals, probs):
        total += g(s) * (x - prev)
        s -= p
        prev = x
    return total


cases.append({"name": "discrete_three_point", "values": vals, "probs": probs, "premiums": [
    [{"principle": "wang", "lambda": 0.5}, step_distortion(wang_g(0.5))],
    [{"principle": "proportional_hazard", "rho": 2.0}, step_distortion(lambda s: s ** 0.5)],
    [{"principle": "dual_power", "kappa": 3.0}, step_distortion(lambda s: 1 - (1 - s) ** 3)],
    [{"principle": "tvar", "level": 0.75}, 100 + 0.2 * 900 / 0.25],
    [{"principle": "exponential", "risk_aversion": 1e-3}, math.log(sum(p * math.exp(1e-3 * x) for x, p in zip(vals, probs))) / 1e-3],
]})

with open(os.path.join(HERE, "..", "tests", "data", "premium_reference.json"), "w") as fh:
    json.dump({"generator": "scripts/reference_premiums.py", "cases": cases}, fh, indent=1)
print(json.dumps(cases, indent=1)[:600])
