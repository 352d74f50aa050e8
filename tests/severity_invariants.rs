//! Testing ladder step 2 for severities: identities every distribution must satisfy, checked on
//! all reference models plus an empirical one.

mod common;
use common::severity_cases;
use kexian::numerics::integrate;
use kexian::severity::{Empirical, Severity, SeverityModel};

fn models() -> Vec<(String, SeverityModel)> {
    let mut v: Vec<(String, SeverityModel)> = severity_cases()
        .into_iter()
        .map(|c| (c.name, c.model))
        .collect();
    let data = vec![5e3, 1.2e4, 1.2e4, 3e4, 8.5e4, 2e5, 1e6];
    v.push(("empirical".into(), Empirical::new(data).unwrap().into()));
    v
}

/// Points spread over the body and tail of `m`.
fn grid(m: &SeverityModel) -> Vec<f64> {
    [0.001, 0.05, 0.2, 0.4, 0.6, 0.8, 0.95, 0.99, 0.9999]
        .iter()
        .map(|&l| m.quantile(l))
        .collect()
}

#[test]
fn cdf_is_monotone_and_complements_survival() {
    for (name, m) in models() {
        let mut last = 0.0;
        for x in grid(&m) {
            let (f, s) = (m.cdf(x), m.survival(x));
            assert!((0.0..=1.0).contains(&f), "{name}: cdf({x}) = {f}");
            assert!(f >= last, "{name}: cdf not monotone at {x}");
            assert!(
                (f + s - 1.0).abs() < 1e-14,
                "{name}: cdf + survival = {}",
                f + s
            );
            last = f;
        }
        assert_eq!(m.cdf(-1.0), 0.0, "{name}");
        assert!(m.cdf(f64::NAN).is_nan(), "{name}");
    }
}

#[test]
fn quantile_inverts_cdf() {
    for (name, m) in models().into_iter().filter(|(n, _)| n != "empirical") {
        for level in [1e-4, 0.1, 0.5, 0.9, 0.999] {
            let x = m.quantile(level);
            assert!(
                (m.cdf(x) - level).abs() < 1e-12,
                "{name}: F(Q({level})) = {}",
                m.cdf(x)
            );
        }
        for p in [1e-3, 1e-8, 1e-12] {
            let x = m.inverse_survival(p);
            assert!(
                (m.survival(x) / p - 1.0).abs() < 1e-9,
                "{name}: S(S⁻¹({p}))"
            );
        }
        assert!(
            m.quantile(-0.1).is_nan() && m.quantile(1.1).is_nan() && m.quantile(f64::NAN).is_nan()
        );
    }
}

#[test]
fn density_integrates_to_cdf() {
    for (name, m) in models().into_iter().filter(|(n, _)| n != "empirical") {
        let (a, b) = (m.quantile(0.1), m.quantile(0.9));
        let mass = integrate(|x| m.density(x), a, b, 1e-12);
        assert!(
            (mass - (m.cdf(b) - m.cdf(a))).abs() < 1e-9,
            "{name}: ∫f = {mass}"
        );
    }
}

#[test]
fn lev_derivative_is_survival() {
    for (name, m) in models().into_iter().filter(|(n, _)| n != "empirical") {
        for level in [0.2, 0.5, 0.9, 0.99] {
            let u = m.quantile(level);
            let h = 1e-5 * u;
            let d = (m.limited_expected_value(u + h) - m.limited_expected_value(u - h)) / (2.0 * h);
            let s = m.survival(u);
            assert!(
                (d - s).abs() < 1e-6 * s.max(1e-3),
                "{name}: dLEV/du = {d} vs S = {s} at {u}"
            );
        }
    }
}

#[test]
fn lev_limits_and_bounds() {
    for (name, m) in models() {
        let mean = m.mean();
        match mean {
            Some(mu) => {
                let lev_inf = m.limited_expected_value(f64::INFINITY);
                assert!(
                    (lev_inf / mu - 1.0).abs() < 1e-12,
                    "{name}: LEV(∞) = {lev_inf} vs {mu}"
                );
            }
            None => assert_eq!(
                m.limited_expected_value(f64::INFINITY),
                f64::INFINITY,
                "{name}"
            ),
        }
        for u in grid(&m) {
            let lev = m.limited_expected_value(u);
            let bound = u.min(mean.unwrap_or(f64::INFINITY));
            assert!(
                lev <= bound * (1.0 + 1e-12) && lev >= 0.0,
                "{name}: LEV({u}) = {lev} > {bound}"
            );
        }
    }
}

#[test]
fn layers_add_up() {
    for (name, m) in models() {
        let g = grid(&m);
        let (a, b, c) = (g[1], g[4], g[7]);
        let whole = m.layer_expected_loss(a, c - a);
        let split = m.layer_expected_loss(a, b - a) + m.layer_expected_loss(b, c - b);
        assert!(
            (whole - split).abs() <= 1e-10 * whole.max(1.0),
            "{name}: {whole} vs {split}"
        );
        assert!((m.layer_expected_loss(0.0, c) - m.limited_expected_value(c)).abs() <= 1e-9 * c);
        assert!(m.layer_expected_loss(-1.0, 1.0).is_nan());
    }
}

#[test]
fn heavy_tails_are_honest() {
    use kexian::severity::{GeneralizedPareto, Pareto};
    // Pareto with α ≤ 1 and GPD with ξ ≥ 1: no mean; α ≤ 2 / ξ ≥ 1/2: no variance.
    for alpha in [0.5, 1.0] {
        assert_eq!(Pareto::new(alpha, 1e5).unwrap().mean(), None);
    }
    assert_eq!(Pareto::new(2.0, 1e5).unwrap().variance(), None);
    assert!(Pareto::new(2.0001, 1e5).unwrap().variance().is_some());
    for xi in [1.0, 1.5] {
        assert_eq!(GeneralizedPareto::new(xi, 1e5, 0.0).unwrap().mean(), None);
    }
    assert_eq!(
        GeneralizedPareto::new(0.5, 1e5, 0.0).unwrap().variance(),
        None
    );
    assert!(
        GeneralizedPareto::new(0.49, 1e5, 0.0)
            .unwrap()
            .variance()
            .is_some()
    );
    // The LEV stays finite for every finite limit.
    let p = Pareto::new(0.8, 1e5).unwrap();
    assert!(p.limited_expected_value(1e9).is_finite());
}

#[test]
fn empirical_matches_hand_calculation() {
    let e = Empirical::new(vec![400.0, 100.0, 300.0, 200.0]).unwrap();
    assert_eq!(e.cdf(250.0), 0.5);
    assert_eq!(e.survival(400.0), 0.0);
    assert_eq!(e.quantile(0.5), 200.0);
    assert_eq!(e.quantile(0.51), 300.0);
    assert_eq!(e.quantile(0.0), 100.0);
    assert_eq!(e.mean(), Some(250.0));
    assert_eq!(e.variance(), Some(12_500.0));
    assert_eq!(
        e.limited_expected_value(250.0),
        (100.0 + 200.0 + 500.0) / 4.0
    );
    assert_eq!(
        e.limited_moment(2, 250.0),
        (1e4 + 4e4 + 2.0 * 62_500.0) / 4.0
    );
    assert!(e.density(100.0).is_nan());
}
