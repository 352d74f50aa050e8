//! The batched samplers (issue 35): the same bits on every code path, thread count and shard,
//! and the right distribution: the book's mean, variance and TVaR against the exact FFT
//! portfolio, over 30 seeds; a cover's mean against its closed form.

mod common;

use common::insureds::{book, exact, portfolio};
use kexian::aggregate::LossModel;
use kexian::coverage::{AggregateTerms, ClaimTerms, DeductibleKind, Layer, Tower};
use kexian::frequency::Poisson;
use kexian::portfolio::{Portfolio, PortfolioConfig};
use kexian::severity::LogNormal;
use kexian::simulation::{CodePath, Shard, SimulationConfig, VarianceReduction};
use serde_json::{Value, json};

/// Lognormal covers with every kind of terms (franchise, share, inflation, no limit), other
/// severities and perils in the same stream (gamma, cyber), event perils, a copula and a
/// per-risk treaty: every pass of the batch and every consumer of its claims.
fn varied(n: usize) -> Portfolio {
    let policies: Vec<Value> = (0..n)
        .map(|i| {
            let lognormal = |terms: Value| {
                json!({"peril": "compound", "frequency": {"type": "poisson", "lambda": 0.2 + 0.01 * (i % 7) as f64},
                       "severity": {"type": "lognormal", "mu": 10.0 + 0.3 * (i % 5) as f64, "sigma": 1.0 + 0.1 * (i % 4) as f64},
                       "terms": terms})
            };
            let peril = match i % 6 {
                0 => lognormal(json!({"deductible": 1e4, "limit": 2e6})),
                1 => lognormal(json!({"deductible": 5e4, "limit": 1e6, "kind": "franchise"})),
                2 => lognormal(json!({"deductible": 0.0, "limit": "unlimited", "share": 0.6, "inflation": 1.07})),
                3 => json!({"peril": "compound", "frequency": {"type": "poisson", "lambda": 0.3},
                            "severity": {"type": "gamma", "alpha": 2.0, "theta": 4e4},
                            "terms": {"deductible": 1e4, "limit": 5e5}}),
                4 => json!({"peril": "cyber", "incidents": {"type": "poisson", "lambda": 0.15},
                            "types": [[1.0, {"type": "response", "cost": {"type": "lognormal", "mu": 11.0, "sigma": 1.5}}]],
                            "sections": {"first_party": {}, "business_interruption": {}, "liability": {}}}),
                _ => json!({"peril": "guarantee", "loan": 2e6, "default_probability": 0.05,
                            "collateral": {"type": "lognormal", "mu": 14.5, "sigma": 0.9}}),
            };
            let sector = ["ai", "ic", "biomedicine"][i % 3];
            json!({"id": format!("V{i:03}"), "sector": sector, "perils": [peril]})
        })
        .collect();
    serde_json::from_value(json!({
        "policies": policies,
        "dependence": {"groups": ["ai", "biomedicine", "ic"],
                       "copula": {"type": "gumbel", "theta": 1.5, "dimension": 3}},
        "per_risk_xol": [{"attachment": 3e5, "limit": 1e6}]
    }))
    .unwrap()
}

#[test]
fn every_code_path_thread_count_and_shard_gives_the_same_bits() {
    let p = varied(60);
    let mut config = PortfolioConfig::new(11, 5_000).unwrap();
    config.simulation.threads = Some(2);
    let widest = p.simulate(&config).unwrap();
    for (path, threads) in [
        (CodePath::Scalar, 1),
        (CodePath::Scalar, 2),
        (CodePath::Widest, 8),
    ] {
        config.simulation.code_path = path;
        config.simulation.threads = Some(threads);
        assert!(
            p.simulate(&config).unwrap() == widest,
            "{path:?}, {threads} threads"
        );
    }
    // Shards on different code paths merge into the single run.
    let parts = (1..=3)
        .map(|i| {
            config.simulation.code_path = [CodePath::Scalar, CodePath::Widest][i % 2];
            p.simulate_shard(&config, Shard::new(i as u64, 3).unwrap(), None)
                .unwrap()
        })
        .collect();
    assert!(p.merge(&config, parts).unwrap() == widest);
    // The code path is no input of the run: its digest is the same.
    config.simulation.code_path = CodePath::Scalar;
    let scalar = p.run_digest(&config).unwrap();
    config.simulation.code_path = CodePath::Widest;
    assert_eq!(scalar, p.run_digest(&config).unwrap());
}

#[test]
fn thirty_seeds_agree_with_the_exact_portfolio() {
    // 200 Poisson × lognormal insureds with deductibles and limits: the exact aggregate by
    // FFT (independent of the sampler) against 30 seeds × 40,000 simulated years.
    let book = book(200);
    let s = exact(&book);
    let (mean, sd, _) = s.distribution.moments();
    let level = 0.995;
    let tvar = s.tvar(level).unwrap();
    let p = portfolio(&book);
    let seeds = 30;
    let (mut z_tvar, mut z_mean, mut ratio_var) = (Vec::new(), Vec::new(), Vec::new());
    for seed in 0..seeds {
        let run = p
            .simulate(&PortfolioConfig::new(1_000 + seed, 40_000).unwrap())
            .unwrap();
        let t = run.tvar_estimate().unwrap();
        z_tvar.push((t.value - tvar) / t.std_error);
        let n = run.totals.len() as f64;
        let m = run.totals.iter().sum::<f64>() / n;
        let v = run.totals.iter().map(|x| (x - m).powi(2)).sum::<f64>() / (n - 1.0);
        z_mean.push((m - mean) / (sd / n.sqrt()));
        ratio_var.push(v / (sd * sd));
    }
    let average = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    // Each seed's z is about N(0, 1), so their average is N(0, 1/30): within 3 of its
    // standard error 1/√30 (TVaR's estimator is slightly biased low at this size; the bound
    // holds it to a fraction of a standard error).
    let bound = 3.0 / (seeds as f64).sqrt();
    assert!(average(&z_tvar).abs() < bound, "TVaR z-scores {z_tvar:?}");
    assert!(average(&z_mean).abs() < bound, "mean z-scores {z_mean:?}");
    // The variance over 1.2 million years, within 5% (the heavy-tailed book's sample
    // variance has a relative standard error of about 1% here).
    let r = average(&ratio_var);
    assert!((r - 1.0).abs() < 0.05, "variance ratio {r}");
}

/// Poisson(`lambda`) × lognormal(10, 2) with claim terms (a franchise deductible, a limit, a
/// share and inflation).
fn cover(lambda: f64) -> LossModel<Poisson, LogNormal> {
    let terms = ClaimTerms::new(1e4, 1e6)
        .unwrap()
        .with_share(0.8)
        .unwrap()
        .with_inflation(1.05)
        .unwrap()
        .with_kind(DeductibleKind::Franchise);
    LossModel::new(
        Poisson::new(lambda).unwrap(),
        LogNormal::new(10.0, 2.0).unwrap(),
    )
    .with_claim_terms(terms)
}

#[test]
fn a_cover_gives_the_same_bits_on_every_code_path_and_its_expected_payment() {
    // λ = 2 (counts from counter words on the table's head) and λ = 40 (from the batch's
    // generator); plain runs, annual terms, a tower (claims and years told in order),
    // claims-conditioned years; 1, 2 and 8 threads, the scalar and the widest path.
    let tower = Tower::new(vec![Layer::new(5e5, 5e5).unwrap()]).unwrap();
    let annual = AggregateTerms::new(5e4, 5e6).unwrap();
    for lambda in [2.0, 40.0] {
        let models = [
            cover(lambda),
            cover(lambda).with_aggregate_terms(annual),
            cover(lambda).with_tower(tower.clone()),
        ];
        for (m, model) in models.iter().enumerate() {
            let config = SimulationConfig::new(5, 30_000)
                .unwrap()
                .with_batch_size(4_000)
                .unwrap();
            for reduction in [
                VarianceReduction::None,
                VarianceReduction::ConditionOnClaims,
            ] {
                let mut c = config
                    .with_variance_reduction(reduction)
                    .with_threads(2)
                    .unwrap();
                let widest = model.simulate(&c).unwrap();
                for (path, threads) in [(CodePath::Scalar, 1), (CodePath::Scalar, 8)] {
                    c.code_path = path;
                    c.threads = Some(threads);
                    assert!(
                        model.simulate(&c).unwrap() == widest,
                        "λ {lambda}, model {m}"
                    );
                }
            }
            // Each claim's payment has its closed form: the mean within 4 standard errors.
            if let Some(mean) = model.analytic_mean() {
                let sim = model.simulate(&config).unwrap().losses.mean().unwrap();
                let z = (sim.value - mean) / sim.std_error;
                assert!(z.abs() < 4.0, "λ {lambda}, model {m}: z = {z:.2}");
            }
        }
    }
}
