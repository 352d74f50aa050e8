//! The payment per loss as a severity (`coverage::Covered`): closed forms of an exponential
//! loss under an ordinary deductible, limit, share and inflation; its limited moments against
//! the generic quadrature of its own survival function; quantiles inverting the cdf.

use kexian::coverage::{ClaimTerms, Covered, DeductibleKind};
use kexian::severity::{Exponential, LogNormal, Severity, numerical_limited_moment};

#[test]
fn an_exponential_loss_under_full_terms_has_its_closed_forms() {
    let theta = 1000.0;
    let x = Exponential::new(theta).unwrap();
    let terms = ClaimTerms::new(500.0, 3000.0)
        .unwrap()
        .with_share(0.8)
        .unwrap()
        .with_inflation(1.1)
        .unwrap();
    let y = Covered::new(&x, terms);
    // Y = 0.8·(min(1.1X, 3000) − min(1.1X, 500)); LEV(t) = θ(1 − e^{−t/θ}) (Loss Models A.3.2).
    let lev = |t: f64| theta * (1.0 - (-t / theta).exp());
    let mean = 0.8 * 1.1 * (lev(3000.0 / 1.1) - lev(500.0 / 1.1));
    assert!((y.mean().unwrap() / mean - 1.0).abs() < 1e-13);
    // P(Y > y) = exp(−(500 + y/0.8)/(1.1θ)) below the maximum payment 0.8·2500 = 2000.
    for v in [0.0, 10.0, 700.0, 1999.0] {
        let want = (-(500.0 + v / 0.8) / 1.1 / theta).exp();
        assert!((y.survival(v) / want - 1.0).abs() < 1e-13, "{v}");
    }
    assert_eq!(y.survival(2000.0), 0.0);
    // Atoms: at 0, P(1.1X ≤ 500); at the limit, P(1.1X ≥ 3000).
    assert!((y.cdf(0.0) - (1.0 - (-500.0 / 1.1 / theta).exp())).abs() < 1e-15);
    assert!((y.limit_probability() - (-3000.0 / 1.1 / theta).exp()).abs() < 1e-15);
    assert_eq!(y.quantile(1.0), 2000.0);
}

#[test]
fn limited_moments_match_the_quadrature_of_the_survival_function() {
    let x = LogNormal::new(11.0, 1.3).unwrap();
    for kind in [DeductibleKind::Ordinary, DeductibleKind::Franchise] {
        let terms = ClaimTerms::new(2e4, 1e6)
            .unwrap()
            .with_share(0.7)
            .unwrap()
            .with_inflation(1.05)
            .unwrap()
            .with_kind(kind);
        let y = Covered::new(&x, terms);
        for limit in [1e3, 1.4e4, 5e4, 3e5, 7e5, 1e7] {
            for k in [1, 2] {
                let closed = y.limited_moment(k, limit);
                // The trait's default: ∫₀ᵘ k·y^(k−1)·S(y) dy by adaptive Gauss–Kronrod.
                let numeric = numerical_limited_moment(&y, k, limit.min(terms.max_payment()));
                assert!(
                    (closed / numeric - 1.0).abs() < 1e-8,
                    "{kind:?} k={k} u={limit}: {closed} vs {numeric}"
                );
            }
        }
        assert!((y.mean().unwrap() / y.limited_moment(1, f64::INFINITY) - 1.0).abs() < 1e-12);
        for u in [0.05, 0.3, 0.5, 0.9, 0.999] {
            let q = y.quantile(u);
            assert!(y.cdf(q) >= u - 1e-12 && (q == 0.0 || y.cdf(q * (1.0 - 1e-9)) < u + 1e-9));
        }
    }
}
