//! The Monte Carlo engine: accuracy against analytic compound moments and an independent FFT
//! reference (scripts/reference_compound.py), determinism across thread counts, value
//! stability, variance reduction, tail retention and input validation.

use kexian::Error;
use kexian::aggregate::LossModel;
use kexian::coverage::{AggregateTerms, ClaimTerms, DeductibleKind, Layer, Tower};
use kexian::frequency::{FrequencyModel, NegativeBinomial, Poisson};
use kexian::severity::{LogNormal, Pareto, Severity, SeverityModel};
use kexian::simulation::{SimulationConfig, VarianceReduction};
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::Deserialize;

#[derive(Deserialize)]
struct Terms {
    deductible: f64,
    limit: f64,
    share: f64,
    inflation: f64,
}

#[derive(Deserialize)]
struct Reference {
    name: String,
    frequency: FrequencyModel,
    severity: SeverityModel,
    terms: Terms,
    mean: f64,
    sd: f64,
    var: std::collections::BTreeMap<String, f64>,
    tvar: std::collections::BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Reference>,
}

fn references() -> Vec<(Reference, LossModel<FrequencyModel, SeverityModel>)> {
    let file: File =
        serde_json::from_str(include_str!("data/compound_reference.json")).expect("parses");
    file.cases
        .into_iter()
        .map(|r| {
            let t = &r.terms;
            let terms = ClaimTerms::new(t.deductible, t.limit)
                .and_then(|c| c.with_share(t.share))
                .and_then(|c| c.with_inflation(t.inflation))
                .expect("valid terms");
            let model =
                LossModel::new(r.frequency.clone(), r.severity.clone()).with_claim_terms(terms);
            (r, model)
        })
        .collect()
}

/// |got − want| < 4 standard errors.
fn within(what: &str, got: f64, se: f64, want: f64) {
    assert!(
        (got - want).abs() < 4.0 * se,
        "{what}: {got} vs {want}, |z| = {:.2}",
        (got - want).abs() / se
    );
}

#[test]
fn analytic_moments_match_the_fft_reference() {
    // The LEV-based closed forms E[N]E[Y] and E[N]Var[Y] + Var[N]E[Y]² against the FFT
    // reference (discretisation step h moves the mean by < 1e-4 relative).
    for (r, m) in references() {
        let mean = m.analytic_mean().unwrap();
        let sd = m.analytic_variance().unwrap().sqrt();
        assert!(
            (mean / r.mean - 1.0).abs() < 1e-4,
            "{}: {mean} vs {}",
            r.name,
            r.mean
        );
        assert!(
            (sd / r.sd - 1.0).abs() < 1e-3,
            "{}: {sd} vs {}",
            r.name,
            r.sd
        );
    }
}

#[test]
fn simulated_statistics_agree_with_references() {
    for (r, m) in references() {
        let sim = m
            .simulate(&SimulationConfig::new(11, 400_000).unwrap())
            .unwrap()
            .losses;
        let mean = sim.mean().unwrap();
        within(
            &format!("{} mean", r.name),
            mean.value,
            mean.std_error,
            m.analytic_mean().unwrap(),
        );
        let sd = sim.std_dev().unwrap();
        within(
            &format!("{} sd", r.name),
            sd.value,
            sd.std_error,
            m.analytic_variance().unwrap().sqrt(),
        );
        for (level, want) in &r.var {
            let level: f64 = level.parse().unwrap();
            let v = sim.var(level).unwrap();
            if *want == 0.0 {
                assert_eq!(v.value, 0.0, "{} VaR {level}", r.name);
                continue;
            }
            within(
                &format!("{} VaR {level}", r.name),
                v.value,
                v.std_error,
                *want,
            );
            let t = sim.tvar(level).unwrap();
            within(
                &format!("{} TVaR {level}", r.name),
                t.value,
                t.std_error,
                r.tvar[&level.to_string()],
            );
        }
    }
}

#[test]
fn covered_claim_mean_is_the_lev_closed_form() {
    let x = LogNormal::new(10.0, 2.0).unwrap();
    for kind in [DeductibleKind::Ordinary, DeductibleKind::Franchise] {
        let terms = ClaimTerms::new(20_000.0, 500_000.0)
            .unwrap()
            .with_share(0.7)
            .unwrap()
            .with_inflation(1.08)
            .unwrap()
            .with_kind(kind);
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(3);
        let n = 1_000_000;
        let ys: Vec<f64> = (0..n).map(|_| terms.apply(x.sample(&mut rng))).collect();
        let mean = ys.iter().sum::<f64>() / n as f64;
        let m2 = ys.iter().map(|y| y * y).sum::<f64>() / n as f64;
        let se = ((m2 - mean * mean) / n as f64).sqrt();
        within(
            &format!("{kind:?} E[Y]"),
            mean,
            se,
            terms.payment_moment(&x, 1).unwrap(),
        );
        let var_y = terms.payment_moment(&x, 2).unwrap();
        assert!(
            (m2 / var_y - 1.0).abs() < 0.01,
            "{kind:?} E[Y²]: {m2} vs {var_y}"
        );
    }
}

fn standard_model() -> LossModel<Poisson, LogNormal> {
    LossModel::new(
        Poisson::new(2.0).unwrap(),
        LogNormal::new(10.0, 2.0).unwrap(),
    )
    .with_claim_terms(ClaimTerms::new(10_000.0, 1_000_000.0).unwrap())
}

#[test]
fn bit_identical_for_any_thread_count() {
    let m = standard_model();
    let base = SimulationConfig::new(2026, 300_000)
        .unwrap()
        .with_batch_size(4096)
        .unwrap();
    let runs: Vec<_> = [1, 2, 8]
        .iter()
        .map(|&t| m.simulate(&base.with_threads(t).unwrap()).unwrap().losses)
        .collect();
    assert_eq!(runs[0], runs[1]);
    assert_eq!(runs[0], runs[2]);
    // And across repeated runs on the global pool.
    assert_eq!(m.simulate(&base).unwrap().losses, runs[0]);
}

/// The engine's other loops (claim terms with a share and inflation plus annual terms; a
/// tower's cessions) are as deterministic as the plain one, and one thread (run on the
/// calling thread, without a pool) gives the pool's bits.
#[test]
fn every_simulation_loop_is_bit_identical_for_any_thread_count() {
    let terms = ClaimTerms::new(10_000.0, 1_000_000.0)
        .unwrap()
        .with_share(0.8)
        .unwrap()
        .with_inflation(1.05)
        .unwrap();
    let scaled = standard_model()
        .with_claim_terms(terms)
        .with_aggregate_terms(AggregateTerms::new(20_000.0, 2_000_000.0).unwrap());
    let tower = Tower::new(vec![Layer::new(100_000.0, 400_000.0).unwrap()]).unwrap();
    let towered = standard_model().with_tower(tower);
    let base = SimulationConfig::new(11, 100_000)
        .unwrap()
        .with_batch_size(4096)
        .unwrap();
    let at = |t: usize| base.with_threads(t).unwrap();
    let one = scaled.simulate(&at(1)).unwrap().losses;
    assert_eq!(one, scaled.simulate(&at(2)).unwrap().losses);
    assert_eq!(one, scaled.simulate(&at(8)).unwrap().losses);
    // The share and inflation are applied: the mean moves off the plain model's.
    let plain = standard_model().simulate(&at(1)).unwrap().losses;
    assert_ne!(one.mean().unwrap().value, plain.mean().unwrap().value);
    let one = towered.simulate(&at(1)).unwrap();
    let eight = towered.simulate(&at(8)).unwrap();
    assert_eq!(one.losses, eight.losses);
    assert_eq!(one.tower, eight.tower);
    assert!(one.tower.unwrap().layers[0].ceded.value > 0.0);
}

#[test]
fn first_results_are_stable() {
    // Value stability (also run with --no-default-features in CI: the serial build must give
    // the same bits). Recorded when the engine was written; change only with a CHANGELOG
    // "value-breaking" entry.
    let sim = standard_model()
        .simulate(&SimulationConfig::new(7, 50_000).unwrap())
        .unwrap()
        .losses;
    let mean = sim.mean().unwrap().value;
    let var99 = sim.var(0.99).unwrap().value;
    assert_eq!(
        (mean.to_bits(), var99.to_bits()),
        PIN,
        "mean {mean:?}, VaR99 {var99:?}"
    );
}
/// mean 191511.06922986734, VaR 99% 1341498.3877238792 (seed 7, 50 000 trials), since a
/// batch's values are summed in eight lanes (issue 35; 2 ulp below the sum in order, the
/// pin since the lognormal claims came to be drawn in batches from counter words; before
/// that: mean 189988.72434698115, VaR 99% 1323869.2495388566, both within a standard error
/// of these).
const PIN: (u64, u64) = (4685820283071259521, 4698512503422967621);

#[test]
fn conditioning_on_claims_reduces_the_error_of_low_frequency_covers() {
    let m = LossModel::new(Poisson::new(0.05).unwrap(), Pareto::new(2.5, 1e5).unwrap())
        .with_claim_terms(ClaimTerms::new(0.0, 5e6).unwrap());
    let plain = SimulationConfig::new(5, 200_000).unwrap();
    let cond = plain.with_variance_reduction(VarianceReduction::ConditionOnClaims);
    let a = m.simulate(&plain).unwrap().losses;
    let b = m.simulate(&cond).unwrap().losses;
    let exact = m.analytic_mean().unwrap();
    let (ma, mb) = (a.mean().unwrap(), b.mean().unwrap());
    within("plain mean", ma.value, ma.std_error, exact);
    within("conditional mean", mb.value, mb.std_error, exact);
    // Standard error shrinks by about √(1/P(N≥1)) ≈ 4.5 for the mean and the 99.5% TVaR.
    assert!(
        mb.std_error < ma.std_error / 3.0,
        "{} vs {}",
        mb.std_error,
        ma.std_error
    );
    let (ta, tb) = (a.tvar(0.995).unwrap(), b.tvar(0.995).unwrap());
    assert!(
        tb.std_error < ta.std_error / 2.0,
        "{} vs {}",
        tb.std_error,
        ta.std_error
    );
    assert!(
        (ta.value - tb.value).abs() < 4.0 * (ta.std_error.powi(2) + tb.std_error.powi(2)).sqrt()
    );
    // P(S = 0) includes the claim-free years exactly.
    let p0 = b.probability_of_zero();
    assert!((p0.value - (-0.05f64).exp()).abs() < 1e-12);
    assert!((b.crude_mean_std_error().unwrap() / mb.std_error) > 3.0);
}

#[test]
fn tail_retention_gives_the_same_tail_in_bounded_memory() {
    let m = standard_model();
    let all = m
        .simulate(&SimulationConfig::new(9, 200_000).unwrap())
        .unwrap()
        .losses;
    let tail_cfg = SimulationConfig::new(9, 200_000)
        .unwrap()
        .with_tail_retention(0.99)
        .unwrap();
    let tail = m.simulate(&tail_cfg).unwrap().losses;
    for level in [0.99, 0.995, 0.999] {
        assert_eq!(all.var(level).unwrap(), tail.var(level).unwrap());
        assert_eq!(all.tvar(level).unwrap(), tail.tvar(level).unwrap());
    }
    assert_eq!(all.mean().unwrap(), tail.mean().unwrap());
    assert!(matches!(tail.var(0.5), Err(Error::NotRetained { .. })));
    assert!(matches!(
        tail.limited_expected_value(1.0),
        Err(Error::NotRetained { .. })
    ));
    let curve = tail.exceedance_curve();
    assert_eq!(curve.first().map(|c| c.0), Some(100.0));
    assert_eq!(all.exceedance_curve().len(), 11);
}

#[test]
fn lev_and_exceedance_of_s_are_consistent() {
    let sim = standard_model()
        .simulate(&SimulationConfig::new(4, 100_000).unwrap())
        .unwrap()
        .losses;
    let v = sim.var(0.9).unwrap().value;
    let p = sim.exceedance_probability(v).unwrap().value;
    assert!(p <= 0.1 && p > 0.099);
    let mean = sim.mean().unwrap().value;
    let lev = sim.limited_expected_value(f64::MAX).unwrap().value;
    assert!((lev / mean - 1.0).abs() < 1e-12);
    assert!(sim.limited_expected_value(v).unwrap().value < mean);
    assert_eq!(sim.exceedance_probability(-1.0).unwrap().value, 1.0);
}

#[test]
fn aggregate_terms_and_towers() {
    let m =
        standard_model().with_aggregate_terms(AggregateTerms::new(100_000.0, 500_000.0).unwrap());
    let sim = m
        .simulate(&SimulationConfig::new(1, 100_000).unwrap())
        .unwrap()
        .losses;
    assert!(sim.var(0.999).unwrap().value <= 500_000.0);
    assert!(m.analytic_mean().is_none());
    // A tower: layers add up to gross − retained; reinstatements cap the annual cession.
    let tower = Tower::new(vec![
        Layer::new(100_000.0, 400_000.0)
            .unwrap()
            .with_reinstatements(1, 1.0)
            .unwrap(),
        Layer::new(500_000.0, 500_000.0)
            .unwrap()
            .with_share(0.5)
            .unwrap(),
    ])
    .unwrap();
    let m = standard_model().with_tower(tower);
    let sim = m
        .simulate(&SimulationConfig::new(1, 200_000).unwrap())
        .unwrap();
    let t = sim.tower.unwrap();
    let ceded: f64 = t.layers.iter().map(|l| l.ceded.value).sum();
    assert!((t.gross.value - ceded - t.retained.value).abs() < 1e-6 * t.gross.value);
    within(
        "gross",
        t.gross.value,
        t.gross.std_error,
        m.analytic_mean().unwrap(),
    );
    // The top layer has no reinstatement cap binding often: its expected cession is
    // E[N]·share·E[min((Y − a)₊, l)] = 2·0.5·(E[Y ∧ 1m] − E[Y ∧ 500k]) with Y the covered claim.
    let x = LogNormal::new(10.0, 2.0).unwrap();
    let lev = |u: f64| {
        ClaimTerms::new(10_000.0, u)
            .unwrap()
            .payment_moment(&x, 1)
            .unwrap()
    };
    let top = &t.layers[1];
    let uncapped = 2.0 * 0.5 * (lev(1_000_000.0) - lev(510_000.0));
    assert!(top.ceded.value <= uncapped + 4.0 * top.ceded.std_error);
    assert!(t.layers[0].ceded.value > 0.0 && t.layers[0].attachment_probability > 0.0);
    assert!(t.layers[0].reinstatement_premium.value > 0.0);
    assert!(t.layers[0].reinstatement_premium.value <= 1.0);
    // Tower and annual terms together are refused.
    let both = standard_model()
        .with_aggregate_terms(AggregateTerms::new(1.0, 10.0).unwrap())
        .with_tower(Tower::new(vec![Layer::new(0.0, 1.0).unwrap()]).unwrap());
    assert!(
        both.simulate(&SimulationConfig::new(1, 10).unwrap())
            .is_err()
    );
}

#[test]
fn progress_is_reported_to_the_end() {
    use std::sync::atomic::{AtomicU64, Ordering};
    let last = AtomicU64::new(0);
    let cfg = SimulationConfig::new(1, 100_000)
        .unwrap()
        .with_batch_size(1000)
        .unwrap();
    standard_model()
        .simulate_with_progress(&cfg, &|p| {
            assert!(p.done <= p.total && p.total == 100 && p.stage == "batches");
            last.store(p.done, Ordering::Relaxed);
            std::ops::ControlFlow::Continue(())
        })
        .unwrap();
    assert_eq!(last.load(Ordering::Relaxed), 100);
}

#[test]
fn bad_input_is_rejected() {
    assert!(SimulationConfig::new(1, 0).is_err());
    assert!(
        SimulationConfig::new(1, 10)
            .unwrap()
            .with_batch_size(0)
            .is_err()
    );
    assert!(
        SimulationConfig::new(1, 10)
            .unwrap()
            .with_tail_retention(1.0)
            .is_err()
    );
    assert!(
        SimulationConfig::new(1, 10)
            .unwrap()
            .with_threads(0)
            .is_err()
    );
    assert!(ClaimTerms::new(1000.0, 500.0).is_err());
    assert!(ClaimTerms::new(-1.0, 500.0).is_err());
    assert!(ClaimTerms::default().with_share(1.5).is_err());
    assert!(ClaimTerms::default().with_share(f64::NAN).is_err());
    assert!(Layer::new(0.0, 1.0).unwrap().with_share(-0.1).is_err());
    assert!(Layer::new(0.0, f64::INFINITY).is_err());
    assert!(
        serde_json::from_str::<Layer>(r#"{"attachment":0,"limit":1,"reinstatements":-1}"#).is_err()
    );
    assert!(
        Tower::new(vec![
            Layer::new(0.0, 10.0).unwrap(),
            Layer::new(5.0, 10.0).unwrap()
        ])
        .is_err()
    );
    let sim = standard_model()
        .simulate(&SimulationConfig::new(1, 1000).unwrap())
        .unwrap()
        .losses;
    for bad in [0.0, 1.0, -0.5, 1.5, f64::NAN] {
        assert!(
            sim.var(bad).is_err() && sim.tvar(bad).is_err(),
            "level {bad}"
        );
    }
    // Infinite-mean severity without a limit: mean-based statistics are errors, not numbers.
    let heavy = LossModel::new(Poisson::new(1.0).unwrap(), Pareto::new(0.9, 1e5).unwrap());
    let sim = heavy
        .simulate(&SimulationConfig::new(1, 10_000).unwrap())
        .unwrap()
        .losses;
    assert!(matches!(sim.mean(), Err(Error::InfiniteMoment { .. })));
    assert!(matches!(sim.tvar(0.99), Err(Error::InfiniteMoment { .. })));
    assert!(sim.var(0.99).is_ok());
    let capped = heavy.with_claim_terms(ClaimTerms::new(0.0, 1e7).unwrap());
    let sim = capped
        .simulate(&SimulationConfig::new(1, 10_000).unwrap())
        .unwrap()
        .losses;
    assert!(sim.mean().is_ok());
    // Infinite variance but finite mean: sd is an error, mean is fine.
    let m = LossModel::new(
        NegativeBinomial::new(2.0, 1.0).unwrap(),
        Pareto::new(1.5, 1e5).unwrap(),
    );
    let sim = m
        .simulate(&SimulationConfig::new(1, 10_000).unwrap())
        .unwrap()
        .losses;
    assert!(sim.mean().is_ok() && sim.std_dev().is_err());
}

#[test]
fn an_observer_can_stop_a_run() {
    let cfg = SimulationConfig::new(1, 100_000)
        .unwrap()
        .with_batch_size(1000)
        .unwrap();
    let e = standard_model()
        .simulate_with_progress(&cfg, &|p| {
            if p.done >= 10 {
                std::ops::ControlFlow::Break(())
            } else {
                std::ops::ControlFlow::Continue(())
            }
        })
        .unwrap_err();
    assert!(
        matches!(e, kexian::Error::Cancelled { stage: "batches" }),
        "{e}"
    );
}
