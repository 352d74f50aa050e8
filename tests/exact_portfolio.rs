//! Exact portfolio aggregation (issue 15): 1,000 independent Poisson × lognormal insureds
//! with their own deductibles and limits, superposed into one compound Poisson and aggregated
//! by FFT, against the closed-form means and a 10⁶-year portfolio simulation.

mod common;

use common::insureds::{book, covers, exact, portfolio};
use kexian::aggregate::{AggregateDistribution, ExactMethod, ExactPortfolio, Grid, LossModel};
use kexian::portfolio::PortfolioConfig;
use serde_json::{Value, json};
use statrs::distribution::{ContinuousCDF, Normal};

/// E\[min(X, u)\] − E\[min(X, d)\] of a lognormal, by its closed form
/// E\[min(X, u)\] = e^{μ+σ²/2}·Φ((ln u − μ − σ²)/σ) + u·Φ̄((ln u − μ)/σ) (*Loss Models* A.4.1),
/// with statrs' Φ: independent of the library's own limited moments.
fn layer_mean(mu: f64, sigma: f64, d: f64, u: f64) -> f64 {
    let phi = Normal::standard();
    let lev = |x: f64| {
        if x <= 0.0 {
            return 0.0;
        }
        let z = (x.ln() - mu) / sigma;
        (mu + sigma * sigma / 2.0).exp() * phi.cdf(z - sigma) + x * phi.sf(z)
    };
    lev(u) - lev(d)
}

fn analytic_mean(book: &[Value]) -> f64 {
    book.iter()
        .map(|v| {
            let f = |p: &str| v.pointer(p).unwrap().as_f64().unwrap();
            f("/frequency/lambda")
                * layer_mean(
                    f("/severity/mu"),
                    f("/severity/sigma"),
                    f("/terms/deductible"),
                    f("/terms/limit"),
                )
        })
        .sum()
}

#[test]
fn a_thousand_insureds_match_their_means_and_the_simulation() {
    let book = book(1_000);
    let s = exact(&book);
    let mean = analytic_mean(&book);
    // Mean-preserving discretisation: the mean is exact up to the grid's end (lost mass
    // ≈ 0), so the only error is rounding: 1e-9 relative.
    let numeric = s.diagnostics.numeric_mean;
    assert!(
        (numeric - mean).abs() < 1e-9 * mean,
        "exact mean {numeric} vs Σ closed forms {mean}"
    );
    assert!(s.diagnostics.lost_mass < 1e-10, "{:?}", s.diagnostics);
    assert!(s.diagnostics.warnings.is_empty(), "{:?}", s.diagnostics);

    // The same book simulated by the portfolio engine (independent code path: per-policy
    // event streams, payments in integer 分), 10⁶ years.
    let run = portfolio(&book)
        .simulate(&PortfolioConfig::new(7, 1_000_000).unwrap())
        .unwrap();
    let sim_tvar = run.tvar_estimate().unwrap();
    let sim_var = run.var_estimate(run.tvar_level).unwrap();
    let level = run.tvar_level;
    for (what, exact, sim) in [
        ("VaR", s.var(level).unwrap(), sim_var),
        ("TVaR", s.tvar(level).unwrap(), sim_tvar),
    ] {
        let z = (exact - sim.value) / sim.std_error;
        assert!(
            z.abs() < 4.0,
            "{what} {level}: exact {exact:.0} vs simulated {:.0} ± {:.0} (z = {z:.2})",
            sim.value,
            sim.std_error
        );
    }
    let sim_mean = run.totals.iter().sum::<f64>() / run.totals.len() as f64;
    let sd = s.distribution.moments().1;
    assert!(
        (sim_mean - mean).abs() < 4.0 * sd / 1e3,
        "{sim_mean} vs {mean}"
    );
}

/// The two distributions' probabilities agree cell by cell to 1e-14.
fn assert_same_cells(a: &AggregateDistribution, b: &AggregateDistribution) {
    let worst = a
        .distribution
        .probs()
        .iter()
        .zip(b.distribution.probs())
        .map(|(x, y)| (x - y).abs())
        .fold(0.0, f64::max);
    assert!(worst < 1e-14, "largest cell difference {worst:e}");
}

#[test]
fn one_insured_is_the_single_cover_and_rates_add_up() {
    let book = book(3);
    let covers = covers(&book);
    let one = ExactPortfolio::new(&covers[..1]).unwrap();
    let grid = Grid::new(2_000.0, 1 << 12).unwrap();
    let p = one
        .exact_distribution(&grid, 2, Default::default())
        .unwrap();
    let c = &covers[0];
    let single = LossModel::new(c.frequency.clone(), c.severity.clone())
        .with_claim_terms(c.terms)
        .exact_distribution(ExactMethod::Fft { padding: 2 }, &grid, Default::default())
        .unwrap();
    assert_same_cells(&p, &single);
    assert_eq!(
        p.diagnostics.zero_probability,
        single.diagnostics.zero_probability
    );

    // Two copies of a cover at rate λ are one cover at rate 2λ.
    let mut twice = covers[1].clone();
    let lambda = match &twice.frequency {
        kexian::frequency::FrequencyModel::Poisson(p) => p.lambda(),
        _ => unreachable!(),
    };
    let pair = ExactPortfolio::new(&[twice.clone(), twice.clone()]).unwrap();
    twice.frequency =
        serde_json::from_value(json!({"type": "poisson", "lambda": 2.0 * lambda})).unwrap();
    let doubled = ExactPortfolio::new(&[twice]).unwrap();
    assert!((pair.claim_rate() - doubled.claim_rate()).abs() < 1e-15);
    let (a, b) = (
        pair.exact_distribution(&grid, 2, Default::default())
            .unwrap(),
        doubled
            .exact_distribution(&grid, 2, Default::default())
            .unwrap(),
    );
    assert_same_cells(&a, &b);
}

#[test]
fn bad_portfolios_are_refused() {
    let err = ExactPortfolio::new(&[]).unwrap_err().to_string();
    assert!(err.contains("covers"), "{err}");
    let mut c = covers(&book(1));
    c[0].frequency =
        serde_json::from_value(json!({"type": "negative_binomial", "r": 2.0, "beta": 0.5}))
            .unwrap();
    let err = ExactPortfolio::new(&c).unwrap_err().to_string();
    assert!(err.contains("Poisson"), "{err}");
    let p = ExactPortfolio::new(&covers(&book(2))).unwrap();
    let grid = p.recommended_grid(1 << 10, 0.999).unwrap();
    assert!(p.exact_distribution(&grid, 0, Default::default()).is_err());
    assert!(p.recommended_grid(1 << 10, 1.0).is_err());
}
