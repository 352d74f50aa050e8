"""Every frequency and severity family against scipy.stats: cdf, sf, pdf/pmf, ppf and
moments to 1e-10 (relative), sampling reproducible from its seed."""

import numpy as np
import pytest
from scipy import integrate, stats

import kexian

X = np.array([0.5, 10.0, 1.0e3, 2.5e4, 1.0e5, 3.0e6])
Q = np.array([1e-6, 0.01, 0.25, 0.5, 0.9, 0.999])

SEVERITIES = [
    (kexian.LogNormal(10.0, 1.5), stats.lognorm(s=1.5, scale=np.exp(10.0))),
    (kexian.Gamma(2.5, 4.0e4), stats.gamma(a=2.5, scale=4.0e4)),
    (kexian.Weibull(0.7, 5.0e4), stats.weibull_min(c=0.7, scale=5.0e4)),
    (kexian.Exponential(3.0e4), stats.expon(scale=3.0e4)),
    (kexian.Pareto(3.5, 1.0e5), stats.lomax(c=3.5, scale=1.0e5)),
    (kexian.SingleParameterPareto(2.5, 1.0e3), stats.pareto(b=2.5, scale=1.0e3)),
    (kexian.GeneralizedPareto(0.2, 5.0e4, 0.0), stats.genpareto(c=0.2, scale=5.0e4)),
    (kexian.Burr(3.0, 1.5, 2.0e4), stats.burr12(c=1.5, d=3.0, scale=2.0e4)),
    (kexian.LogLogistic(3.0, 2.0e4), stats.fisk(c=3.0, scale=2.0e4)),
]


@pytest.mark.parametrize("ours, ref", SEVERITIES, ids=lambda s: getattr(s, "to_json", lambda: "")()[:30])
def test_severity_matches_scipy(ours, ref):
    x = X[X >= ref.support()[0]]
    np.testing.assert_allclose(ours.cdf(x), ref.cdf(x), rtol=1e-10, atol=1e-14)
    # scipy computes some survival functions as 1 − cdf (fisk, far tail): absolute 1e-16.
    np.testing.assert_allclose(ours.sf(x), ref.sf(x), rtol=1e-10, atol=1e-16)
    np.testing.assert_allclose(ours.pdf(x), ref.pdf(x), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(ours.ppf(Q), ref.ppf(Q), rtol=1e-10)
    for k in (1, 2):
        want = ref.moment(k)
        got = ours.moment(k)
        if np.isfinite(want):
            assert got == pytest.approx(want, rel=1e-10)
        else:
            assert got is None
    # Scalars stay scalars, shapes are kept.
    assert isinstance(ours.cdf(1.0e4), float)
    assert ours.cdf(np.ones((2, 3)) * 1e4).shape == (2, 3)
    # E[min(X, u)] = ∫₀ᵘ S(x) dx (adaptive quadrature of scipy's survival function), and the
    # layer is a difference of LEVs.
    u = 5.0e4
    lo = max(ref.support()[0], 0.0)
    want = lo + integrate.quad(ref.sf, lo, u, limit=400, epsabs=0.0, epsrel=1e-12)[0]
    assert ours.lev(u) == pytest.approx(want, rel=1e-9)
    assert ours.layer_expected_loss(1e4, 4e4) == pytest.approx(ours.lev(5e4) - ours.lev(1e4), rel=1e-10)
    draws = ours.sample(1000, seed=3)
    assert np.array_equal(draws, ours.sample(1000, seed=3))
    assert not np.array_equal(draws, ours.sample(1000, seed=4))


FREQUENCIES = [
    (kexian.Poisson(2.5), stats.poisson(2.5)),
    (kexian.NegativeBinomial(1.5, 0.8), stats.nbinom(n=1.5, p=1 / 1.8)),
    (kexian.Binomial(20, 0.15), stats.binom(20, 0.15)),
    (kexian.Bernoulli(0.3), stats.bernoulli(0.3)),
    (kexian.Geometric(1.2), stats.nbinom(n=1, p=1 / 2.2)),
]


@pytest.mark.parametrize("ours, ref", FREQUENCIES, ids=lambda f: getattr(f, "to_json", lambda: "")()[:30])
def test_frequency_matches_scipy(ours, ref):
    k = np.arange(0, 12, dtype=np.uint64)
    np.testing.assert_allclose(ours.pmf(k), ref.pmf(k.astype(float)), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(ours.cdf(k), ref.cdf(k.astype(float)), rtol=1e-10)
    assert ours.mean() == pytest.approx(ref.mean(), rel=1e-10)
    assert ours.var() == pytest.approx(ref.var(), rel=1e-10)
    counts = ours.sample(20_000, seed=9)
    assert counts.dtype == np.uint64
    assert abs(counts.mean() - ref.mean()) < 5 * ref.std() / np.sqrt(counts.size)


def test_families_round_trip_through_the_rust_json():
    for ours, _ in SEVERITIES:
        again = kexian.Severity.from_json(ours.to_json())
        assert again.to_json() == ours.to_json()
    generic = kexian.Severity("lognormal", mu=10.0, sigma=1.5)
    assert generic.to_dict() == {"type": "lognormal", "mu": 10.0, "sigma": 1.5}
    assert kexian.Frequency("poisson", **{"lambda": 2.5}).mean() == 2.5


def test_the_remaining_families_against_scipy():
    """Logarithmic (scipy's logser), zero-modified Poisson (a mixture of a point mass and the
    zero-truncated Poisson), empirical (the sample's ECDF) and a two-lognormal mixture."""
    k = np.arange(0, 15, dtype=np.uint64)
    kf = k.astype(float)
    beta = 1.5
    ours = kexian.Frequency("logarithmic", beta=beta)
    ref = stats.logser(beta / (1 + beta))
    np.testing.assert_allclose(ours.pmf(k), ref.pmf(kf), rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(ours.cdf(k), ref.cdf(kf), rtol=1e-10)
    assert ours.mean() == pytest.approx(ref.mean(), rel=1e-10)
    assert ours.var() == pytest.approx(ref.var(), rel=1e-10)

    lam, p0 = 1.7, 0.4
    zm = kexian.Frequency("zero_modified", base={"type": "poisson", "lambda": lam}, p0=p0)
    pois = stats.poisson(lam)
    want = np.where(kf == 0, p0, (1 - p0) * pois.pmf(kf) / pois.sf(0))
    np.testing.assert_allclose(zm.pmf(k), want, rtol=1e-10, atol=1e-300)
    assert zm.mean() == pytest.approx((1 - p0) * lam / pois.sf(0), rel=1e-10)

    data = [3.0, 1.0, 4.0, 1.0, 5.0, 9.0, 2.0, 6.0]
    emp = kexian.Empirical(data)
    x = np.array([0.5, 1.0, 2.5, 9.0, 10.0])
    np.testing.assert_allclose(emp.cdf(x), [np.mean(np.array(data) <= v) for v in x], rtol=1e-12)
    assert emp.mean() == pytest.approx(np.mean(data), rel=1e-12)

    mix = kexian.Severity("mixture", components=[
        {"weight": 0.3, "model": {"type": "lognormal", "mu": 9.0, "sigma": 1.0}},
        {"weight": 0.7, "model": {"type": "lognormal", "mu": 11.0, "sigma": 0.5}}])
    a, b = stats.lognorm(s=1.0, scale=np.exp(9.0)), stats.lognorm(s=0.5, scale=np.exp(11.0))
    xs = np.array([1e3, 1e4, 5e4, 2e5])
    np.testing.assert_allclose(mix.cdf(xs), 0.3 * a.cdf(xs) + 0.7 * b.cdf(xs), rtol=1e-10)
    np.testing.assert_allclose(mix.pdf(xs), 0.3 * a.pdf(xs) + 0.7 * b.pdf(xs), rtol=1e-10)
    assert mix.moment(2) == pytest.approx(0.3 * a.moment(2) + 0.7 * b.moment(2), rel=1e-10)
    q = mix.ppf(np.array([0.1, 0.5, 0.99]))
    np.testing.assert_allclose(0.3 * a.cdf(q) + 0.7 * b.cdf(q), [0.1, 0.5, 0.99], rtol=1e-10)
