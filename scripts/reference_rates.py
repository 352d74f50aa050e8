"""Reference layer expected values for tests/rates.rs (run: python3 scripts/reference_rates.py).

The rnd_liability product of the bundled catalogue pays per claim α·(min(X, u) − d)⁺ with
X ~ lognormal(μ 13.592367, σ 1.3) and Poisson claims, so its increased-limit factors and
deductible credits against the base terms (d₀ 50,000, u₀ 5,000,000) are ratios of layer
expected values LEV(u) − LEV(d), LEV(x) = E[min(X, x)], here by scipy's numerical
integration of the survival function (independent of kexian's closed form).
"""
import json

from scipy import integrate, stats

MU, SIGMA = 13.592367, 1.3
X = stats.lognorm(s=SIGMA, scale=__import__("math").exp(MU))


def lev(x):
    value, _ = integrate.quad(X.sf, 0, x, limit=500, epsabs=1e-10, epsrel=1e-13)
    return value


D0, U0 = 50_000.0, 5_000_000.0
LIMITS = [1_000_000.0, 5_000_000.0, 10_000_000.0]
DEDUCTIBLES = [0.0, 50_000.0, 200_000.0]
base = lev(U0) - lev(D0)
out = {
    "source": "scipy.integrate.quad of the lognormal survival function, scipy "
    + __import__("scipy").__version__,
    "mu": MU,
    "sigma": SIGMA,
    "base": {"deductible": D0, "limit": U0},
    "ilf": [[u, (lev(u) - lev(D0)) / base] for u in LIMITS],
    "deductible_credit": [[d, (lev(d) - lev(D0)) / base] for d in DEDUCTIBLES],
}
with open("tests/data/rates_reference.json", "w") as f:
    json.dump(out, f, indent=1)
    f.write("\n")
print(json.dumps(out, indent=1))
