"""Reference values for kexian's severity and frequency tests.

Independent implementations: scipy.stats distributions for cdf/sf/pdf/ppf/isf and pmf/cdf,
mpmath high-precision quadrature for limited moments E[min(X,u)^k] = ∫ k x^(k-1) S(x) dx and for
raw moments where scipy has no closed form, plain summation for pgf values.

Run:  python3 scripts/reference_distributions.py   (scipy >= 1.11, mpmath >= 1.3)
Writes tests/data/severity_reference.json and tests/data/frequency_reference.json.
"""
import json
import math
import os

import mpmath as mp
import numpy as np
from scipy import stats, optimize

mp.mp.dps = 20
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "..", "tests", "data")


class Scipy:
    """Wraps a frozen scipy distribution."""

    def __init__(self, d):
        self.d = d

    def cdf(self, x):
        return float(self.d.cdf(x))

    def sf(self, x):
        return float(self.d.sf(x))

    def pdf(self, x):
        return float(self.d.pdf(x))

    def ppf(self, q):
        return float(self.d.ppf(q))

    def isf(self, q):
        return float(self.d.isf(q))


class LogLogistic(Scipy):
    """scipy's fisk.sf is computed as 1 - cdf and loses the far tail; use the exact
    S(x) = 1/(1 + (x/θ)^γ) in mpmath instead."""

    def __init__(self, c, scale):
        super().__init__(stats.fisk(c=c, scale=scale))
        self.c, self.scale = mp.mpf(c), mp.mpf(scale)

    def sf(self, x):
        return float(1 / (1 + (mp.mpf(x) / self.scale) ** self.c))


class Mixture:
    def __init__(self, parts):
        self.parts = parts  # (weight, Scipy)

    def cdf(self, x):
        return sum(w * p.cdf(x) for w, p in self.parts)

    def sf(self, x):
        return sum(w * p.sf(x) for w, p in self.parts)

    def pdf(self, x):
        return sum(w * p.pdf(x) for w, p in self.parts)

    def ppf(self, q):
        return solve(lambda x: self.cdf(x) - q)

    def isf(self, q):
        return solve(lambda x: q - self.sf(x))


class Spliced:
    """Body truncated to [0, t] with weight w, tail conditioned on > t; w continuous if None."""

    def __init__(self, body, tail, t, w=None):
        self.body, self.tail, self.t = body, tail, t
        self.f1, self.s2 = body.cdf(t), tail.sf(t)
        if w is None:
            r1 = body.pdf(t) / self.f1
            r2 = tail.pdf(t) / self.s2
            w = r2 / (r1 + r2)
        self.w = w

    def cdf(self, x):
        if x <= self.t:
            return self.w * self.body.cdf(x) / self.f1
        return 1 - self.sf(x)

    def sf(self, x):
        if x <= self.t:
            return 1 - self.cdf(x)
        return (1 - self.w) * self.tail.sf(x) / self.s2

    def pdf(self, x):
        if x <= self.t:
            return self.w * self.body.pdf(x) / self.f1
        return (1 - self.w) * self.tail.pdf(x) / self.s2

    def ppf(self, q):
        return solve(lambda x: self.cdf(x) - q) if q <= 0.5 else self.isf(1 - q)

    def isf(self, q):
        return solve(lambda x: q - self.sf(x))


def solve(g):
    hi = 1.0
    while g(hi) < 0:
        hi *= 2
    return optimize.brentq(g, 0.0, hi, xtol=1e-300, rtol=1e-15, maxiter=2000)


def limited_moment(dist, k, u, lower=0.0):
    """E[min(X,u)^k] = lower^k + ∫_lower^u k x^(k-1) S(x) dx (S = 1 below `lower`)."""
    if u <= lower:
        return u ** k
    pts = [lower]
    kink = getattr(dist, "t", None)  # spliced models: integrate the two pieces separately
    for lv in [1e-4, 0.01, 0.1, 0.5, 0.9, 0.99, 0.999, 0.99999]:
        q = dist.ppf(lv)
        if pts[-1] < q < u:
            pts.append(q)
    while 0 < pts[-1] and pts[-1] * 10 < u:
        pts.append(pts[-1] * 10)
    if kink is not None and lower < kink < u:
        pts = sorted(set(pts + [kink]))
    pts.append(u)
    f = lambda x: k * x ** (k - 1) * dist.sf(float(x))
    return float(lower ** k + mp.quad(f, pts))


def severity_case(name, model, dist, moments, lower=0.0, support_hi=math.inf):
    print(name, flush=True)
    levels = [1e-6, 0.01, 0.25, 0.5, 0.75, 0.99, 0.9999]
    tails = [1e-6, 1e-9, 1e-13]
    xs = [dist.ppf(l) for l in [0.01, 0.1, 0.5, 0.9, 0.99, 0.999]]
    far = dist.isf(1e-13)
    if math.isfinite(far):
        xs.append(far)
    xs = [x for x in xs if lower < x < support_hi]
    lev_points = sorted(set(xs[:6] + [lower + 1.0, 1e7]))
    return {
        "name": name,
        "model": model,
        "cdf": [[x, dist.cdf(x)] for x in xs],
        "survival": [[x, dist.sf(x)] for x in xs],
        "density": [[x, dist.pdf(x)] for x in xs],
        "quantile": [[l, dist.ppf(l)] for l in levels],
        "inverse_survival": [[p, dist.isf(p)] for p in tails],
        "raw_moments": moments,
        "lev": [[u, limited_moment(dist, 1, u, lower)] for u in lev_points],
        "limited_second_moment": [[u, limited_moment(dist, 2, u, lower)] for u in lev_points[:4]],
    }


def moments_or_none(d, exists):
    return [float(d.moment(k)) if exists(k) else None for k in range(1, 5)]


def severities():
    out = []
    S = lambda d: Scipy(d)
    for mu, sigma in [(10.0, 2.0), (10.49, 1.78), (12.0, 0.5)]:
        d = stats.lognorm(s=sigma, scale=math.exp(mu))
        out.append(severity_case(f"lognormal_{mu}_{sigma}", {"type": "lognormal", "mu": mu, "sigma": sigma},
                                 S(d), moments_or_none(d, lambda k: True)))
    for a, th in [(2.5, 40000.0), (0.3, 1e5), (40.0, 500.0)]:
        d = stats.gamma(a=a, scale=th)
        out.append(severity_case(f"gamma_{a}_{th}", {"type": "gamma", "alpha": a, "theta": th},
                                 S(d), moments_or_none(d, lambda k: True)))
    for tau, th in [(0.6, 50000.0), (2.0, 1e4)]:
        d = stats.weibull_min(c=tau, scale=th)
        out.append(severity_case(f"weibull_{tau}_{th}", {"type": "weibull", "tau": tau, "theta": th},
                                 S(d), moments_or_none(d, lambda k: True)))
    d = stats.expon(scale=25000.0)
    out.append(severity_case("exponential_25000", {"type": "exponential", "theta": 25000.0},
                             S(d), moments_or_none(d, lambda k: True)))
    for a, th in [(1.5, 1e5), (3.5, 2e5), (0.8, 5e4), (1.0, 1e5)]:
        d = stats.lomax(c=a, scale=th)
        out.append(severity_case(f"pareto_{a}_{th}", {"type": "pareto", "alpha": a, "theta": th},
                                 S(d), moments_or_none(d, lambda k: k < a)))
    for a, th in [(1.2, 5e5), (2.5, 1e5)]:
        d = stats.pareto(b=a, scale=th)
        out.append(severity_case(f"spp_{a}_{th}", {"type": "single_parameter_pareto", "alpha": a, "theta": th},
                                 S(d), moments_or_none(d, lambda k: k < a), lower=th))
    for xi, sg, loc in [(0.7, 2e5, 1e6), (0.0, 5e4, 0.0), (-0.3, 1e5, 2e5), (1.2, 1e5, 0.0), (0.3, 1e5, 0.0)]:
        d = stats.genpareto(c=xi, loc=loc, scale=sg)
        hi = loc - sg / xi if xi < 0 else math.inf
        out.append(severity_case(f"gpd_{xi}_{sg}_{loc}",
                                 {"type": "generalized_pareto", "xi": xi, "sigma": sg, "location": loc},
                                 S(d), moments_or_none(d, lambda k: k * xi < 1), lower=loc, support_hi=hi))
    for a, g, th in [(2.0, 1.5, 1e5), (0.5, 1.5, 1e5), (1.2, 3.0, 2e4)]:
        d = stats.burr12(c=g, d=a, scale=th)
        out.append(severity_case(f"burr_{a}_{g}_{th}", {"type": "burr", "alpha": a, "gamma": g, "theta": th},
                                 S(d), moments_or_none(d, lambda k: k < a * g)))
    for g, th in [(3.0, 1e5), (0.9, 1e5)]:
        d = stats.fisk(c=g, scale=th)
        out.append(severity_case(f"loglogistic_{g}_{th}", {"type": "loglogistic", "gamma": g, "theta": th},
                                 LogLogistic(g, th), moments_or_none(d, lambda k: k < g)))
    # Mixture: 90% exponential(10k) + 10% Pareto(2.5, 1.5m)
    e, p = stats.expon(scale=1e4), stats.lomax(c=2.5, scale=1.5e6)
    mix = Mixture([(0.9, S(e)), (0.1, S(p))])
    mix_moments = [0.9 * e.moment(k) + 0.1 * p.moment(k) if k < 2.5 else None for k in range(1, 5)]
    out.append(severity_case("mixture_exp_pareto", {
        "type": "mixture", "components": [
            {"weight": 0.9, "model": {"type": "exponential", "theta": 1e4}},
            {"weight": 0.1, "model": {"type": "pareto", "alpha": 2.5, "theta": 1.5e6}}]},
        mix, [float(m) if m is not None else None for m in mix_moments]))
    # Spliced: lognormal body, GPD tail from 5e5, continuous at the splice.
    body, tail = stats.lognorm(s=1.0, scale=math.exp(11.0)), stats.genpareto(c=0.4, loc=5e5, scale=3e5)
    sp = Spliced(S(body), S(tail), 5e5)
    sp_moments = []
    for k in range(1, 5):
        if k * 0.4 >= 1:
            sp_moments.append(None)
            continue
        below = mp.quad(lambda x: x ** k * body.pdf(float(x)), [0, 1e4, 6e4, 2e5, 5e5])
        above = tail.moment(k)
        sp_moments.append(float(sp.w * below / sp.f1 + (1 - sp.w) * above / sp.s2))
    out.append(severity_case("spliced_lognormal_gpd", {
        "type": "spliced", "threshold": 5e5,
        "body": {"type": "lognormal", "mu": 11.0, "sigma": 1.0},
        "tail": {"type": "generalized_pareto", "xi": 0.4, "sigma": 3e5, "location": 5e5}},
        sp, sp_moments))
    return out


def frequency_case(name, model, pmf, mean, var, kmax):
    ks = list(range(0, kmax + 1))
    p = [float(pmf(k)) for k in ks]
    big = np.arange(0, 20000)
    full = np.array([pmf(k) for k in big], dtype=float)
    cdf = np.cumsum(full)
    return {
        "name": name,
        "model": model,
        "pmf": p,
        "cdf": [float(c) for c in cdf[: kmax + 1]],
        "mean": float(mean),
        "variance": float(var),
        "pgf": [[z, float(np.sum(full * z ** big))] for z in [0.0, 0.3, 0.9]],
    }


def zero_modified(base_pmf, p0):
    q0 = base_pmf(0)
    return lambda k: p0 if k == 0 else (1 - p0) / (1 - q0) * base_pmf(k)


def zm_moments(base, p0):
    q0 = base.pmf(0)
    f = (1 - p0) / (1 - q0)
    m = f * base.mean()
    m2 = f * (base.var() + base.mean() ** 2)
    return m, m2 - m * m


def frequencies():
    out = []
    for lam in [0.05, 2.0, 30.0]:
        d = stats.poisson(mu=lam)
        out.append(frequency_case(f"poisson_{lam}", {"type": "poisson", "lambda": lam}, d.pmf, d.mean(), d.var(), 12))
    for r, beta in [(2.5, 0.4), (4.0, 0.075), (0.5, 20.0)]:
        d = stats.nbinom(n=r, p=1 / (1 + beta))
        out.append(frequency_case(f"nbinom_{r}_{beta}", {"type": "negative_binomial", "r": r, "beta": beta},
                                  d.pmf, d.mean(), d.var(), 12))
    d = stats.binom(n=10, p=0.15)
    out.append(frequency_case("binomial_10_0.15", {"type": "binomial", "m": 10, "q": 0.15}, d.pmf, d.mean(), d.var(), 12))
    d = stats.bernoulli(p=0.07)
    out.append(frequency_case("bernoulli_0.07", {"type": "bernoulli", "q": 0.07}, d.pmf, d.mean(), d.var(), 3))
    d = stats.geom(p=1 / 2.5, loc=-1)
    out.append(frequency_case("geometric_1.5", {"type": "geometric", "beta": 1.5}, d.pmf, d.mean(), d.var(), 12))
    d = stats.logser(p=0.75)
    out.append(frequency_case("logarithmic_3", {"type": "logarithmic", "beta": 3.0, "p0": 0.0},
                              d.pmf, d.mean(), d.var(), 12))
    pm = zero_modified(d.pmf, 0.25)
    m = 0.75 * d.mean()
    v = 0.75 * (d.var() + d.mean() ** 2) - m * m
    out.append(frequency_case("zm_logarithmic_3_0.25", {"type": "logarithmic", "beta": 3.0, "p0": 0.25}, pm, m, v, 12))
    base = stats.poisson(mu=1.5)
    m, v = zm_moments(base, 0.0)
    out.append(frequency_case("zt_poisson_1.5", {"type": "zero_modified", "p0": 0.0,
                                                 "base": {"type": "poisson", "lambda": 1.5}},
                              zero_modified(base.pmf, 0.0), m, v, 12))
    base = stats.nbinom(n=1.5, p=1 / 3.0)
    m, v = zm_moments(base, 0.4)
    out.append(frequency_case("zm_nbinom_1.5_2_0.4", {"type": "zero_modified", "p0": 0.4,
                                                      "base": {"type": "negative_binomial", "r": 1.5, "beta": 2.0}},
                              zero_modified(base.pmf, 0.4), m, v, 12))
    base = stats.binom(n=5, p=0.3)
    m, v = zm_moments(base, 0.1)
    out.append(frequency_case("zm_binomial_5_0.3_0.1", {"type": "zero_modified", "p0": 0.1,
                                                        "base": {"type": "binomial", "m": 5, "q": 0.3}},
                              zero_modified(base.pmf, 0.1), m, v, 6))
    return out


if __name__ == "__main__":
    import scipy
    meta = {"generator": "scripts/reference_distributions.py", "scipy": scipy.__version__,
            "mpmath": mp.__version__, "numpy": np.__version__}
    with open(os.path.join(OUT, "severity_reference.json"), "w") as f:
        json.dump({"meta": meta, "cases": severities()}, f, indent=1)
    with open(os.path.join(OUT, "frequency_reference.json"), "w") as f:
        json.dump({"meta": meta, "cases": frequencies()}, f, indent=1)
    print("wrote", OUT)
