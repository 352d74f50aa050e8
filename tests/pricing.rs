//! Premium principles against independent reference values (scripts/reference_premiums.py:
//! closed forms and mpmath quadrature), the premium ≥ mean property, discrete and simulated
//! distributions, and bad input.

use kexian::aggregate::{Discrete, Discretization, ExactMethod, Grid, LossModel};
use kexian::coverage::ClaimTerms;
use kexian::frequency::Poisson;
use kexian::pricing::{Continuous, LossDistribution, PremiumPrinciple, RiskMeasure};
use kexian::severity::{Exponential, LogNormal, Pareto, Severity, SeverityModel};
use kexian::simulation::{SimulationConfig, VarianceReduction};
use serde::Deserialize;

#[derive(Deserialize)]
struct Case {
    name: String,
    model: Option<SeverityModel>,
    values: Option<Vec<f64>>,
    probs: Option<Vec<f64>>,
    premiums: Vec<(PremiumPrinciple, f64)>,
}

#[derive(Deserialize)]
struct File {
    cases: Vec<Case>,
}

fn cases() -> Vec<Case> {
    serde_json::from_str::<File>(include_str!("data/premium_reference.json"))
        .unwrap()
        .cases
}

#[test]
fn premiums_match_references() {
    // Closed forms to 1e-8 relative; values from numerical quadrature on both sides to 1e-7.
    for case in cases() {
        for (principle, want) in &case.premiums {
            let got = match (&case.model, &case.values) {
                (Some(m), _) => principle.premium(&Continuous(m)),
                (None, Some(v)) => {
                    let d = Discrete::new(v.clone(), case.probs.clone().unwrap(), 0.0).unwrap();
                    principle.premium(&d)
                }
                _ => unreachable!(),
            }
            .unwrap();
            assert!(
                (got / want - 1.0).abs() < 1e-7,
                "{} {principle:?}: {got} vs {want}",
                case.name
            );
        }
    }
}

fn all_principles() -> Vec<PremiumPrinciple> {
    use PremiumPrinciple::*;
    vec![
        ExpectedValue { loading: 0.1 },
        StandardDeviation { k: 0.2 },
        Variance { k: 1e-7 },
        Exponential {
            risk_aversion: 1e-7,
        },
        Wang { lambda: 0.2 },
        ProportionalHazard { rho: 1.2 },
        DualPower { kappa: 1.3 },
        Tvar { level: 0.9 },
        CostOfCapital {
            rate: 0.1,
            level: 0.99,
            measure: RiskMeasure::Tvar,
        },
        CostOfCapital {
            rate: 0.06,
            level: 0.995,
            measure: RiskMeasure::Var,
        },
        ExpectedValue { loading: 0.0 },
        Wang { lambda: 0.0 },
    ]
}

#[test]
fn every_principle_is_at_least_the_mean() {
    // On an exact aggregate distribution and on a simulated one. Claims are limited: an
    // unlimited lognormal has no exponential premium (no moment generating function), which
    // the exact side reports through its extrapolated tail.
    let unlimited = LossModel::new(
        Poisson::new(1.5).unwrap(),
        LogNormal::new(9.0, 1.0).unwrap(),
    );
    let grid = unlimited.recommended_grid(1 << 14, 1.0 - 1e-10).unwrap();
    let d = unlimited
        .exact_distribution(ExactMethod::Fft { padding: 2 }, &grid, Default::default())
        .unwrap();
    assert!(matches!(
        PremiumPrinciple::Exponential {
            risk_aversion: 1e-7
        }
        .premium(&d.distribution),
        Err(kexian::Error::InfiniteMoment { .. })
    ));
    let m = unlimited.with_claim_terms(ClaimTerms::new(0.0, 1e6).unwrap());
    let grid = m.recommended_grid(1 << 14, 1.0 - 1e-10).unwrap();
    let exact = m
        .exact_distribution(
            ExactMethod::Fft { padding: 2 },
            &grid,
            Discretization::MeanPreserving,
        )
        .unwrap();
    let sim = m
        .simulate(
            &SimulationConfig::new(1, 100_000)
                .unwrap()
                .with_variance_reduction(VarianceReduction::ConditionOnClaims),
        )
        .unwrap()
        .losses
        .to_discrete()
        .unwrap();
    for dist in [&exact.distribution, &sim] {
        let mean = LossDistribution::mean(dist).unwrap();
        for p in all_principles() {
            let prem = p.premium(dist).unwrap();
            assert!(prem >= mean * (1.0 - 1e-12), "{p:?}: {prem} < {mean}");
        }
    }
    // Zero loadings give the mean back (distortion with the identity is the mean exactly).
    let mean = LossDistribution::mean(&exact.distribution).unwrap();
    let wang0 = PremiumPrinciple::Wang { lambda: 0.0 }
        .premium(&exact.distribution)
        .unwrap();
    assert!((wang0 / mean - 1.0).abs() < 1e-12);
}

#[test]
fn distortions_on_discrete_distributions_use_the_step_survival() {
    // A two-point loss: 0 w.p. 0.9, 1000 w.p. 0.1. PH with ρ = 2 prices √0.1·1000.
    let d = Discrete::new(vec![0.0, 1000.0], vec![0.9, 0.1], 0.0).unwrap();
    let p = PremiumPrinciple::ProportionalHazard { rho: 2.0 }
        .premium(&d)
        .unwrap();
    assert!((p - 0.1f64.sqrt() * 1000.0).abs() < 1e-9);
    // Sample form: duplicates merge.
    let s = Discrete::from_sample(&[0.0, 0.0, 1000.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]).unwrap();
    assert_eq!(s.values(), d.values());
    assert!((s.probs()[0] - 0.9).abs() < 1e-15);
}

#[test]
fn exact_and_simulated_premiums_agree() {
    let m = LossModel::new(Poisson::new(0.5).unwrap(), Exponential::new(1e4).unwrap());
    let exact = m
        .exact_distribution(
            ExactMethod::Panjer,
            &Grid::new(20.0, 1 << 14).unwrap(),
            Discretization::MeanPreserving,
        )
        .unwrap();
    let sim = m
        .simulate(&SimulationConfig::new(2, 400_000).unwrap())
        .unwrap()
        .losses
        .to_discrete()
        .unwrap();
    for p in all_principles() {
        let (a, b) = (p.premium(&exact).unwrap(), p.premium(&sim).unwrap());
        assert!(
            (a / b - 1.0).abs() < 0.02,
            "{p:?}: exact {a} vs simulated {b}"
        );
    }
}

#[test]
fn infinite_premiums_are_errors() {
    let heavy = LogNormal::new(10.0, 1.0).unwrap();
    assert!(
        PremiumPrinciple::Exponential {
            risk_aversion: 1e-3
        }
        .premium(&Continuous(&heavy))
        .is_err()
    );
    let pareto = Pareto::new(1.1, 1e5).unwrap();
    assert!(
        PremiumPrinciple::ProportionalHazard { rho: 2.0 }
            .premium(&Continuous(&pareto))
            .is_err()
    );
    assert!(
        PremiumPrinciple::StandardDeviation { k: 1.0 }
            .premium(&Continuous(&pareto))
            .is_err()
    );
    assert!(pareto.mean().is_some());
}

#[test]
fn bad_parameters_are_rejected() {
    use PremiumPrinciple::*;
    let d = Discrete::new(vec![1.0], vec![1.0], 0.0).unwrap();
    for p in [
        ExpectedValue { loading: -0.1 },
        StandardDeviation { k: f64::NAN },
        Exponential { risk_aversion: 0.0 },
        Wang { lambda: -1.0 },
        ProportionalHazard { rho: 0.5 },
        DualPower { kappa: 0.9 },
        Tvar { level: 1.0 },
        CostOfCapital {
            rate: 0.1,
            level: 0.0,
            measure: RiskMeasure::Var,
        },
    ] {
        assert!(p.premium(&d).is_err(), "{p:?}");
    }
    assert!(
        serde_json::from_str::<PremiumPrinciple>(r#"{"principle":"wang","lambda":0.1,"x":1}"#)
            .is_err()
    );
    assert!(Discrete::new(vec![1.0, 2.0], vec![0.5], 0.0).is_err());
    assert!(Discrete::new(vec![1.0, -2.0], vec![0.5, 0.5], 0.0).is_err());
    assert!(Discrete::new(vec![1.0, 2.0], vec![0.5, 0.6], 0.0).is_err());
    assert!(Discrete::new(vec![], vec![], 0.0).is_err());
}

#[test]
fn the_exponential_premium_at_a_tiny_risk_aversion_is_the_mean_plus_half_a_variance() {
    // 0 w.p. 0.7, 10m w.p. 0.3: mean 3m, variance 0.21·10¹⁴. ln E[e^(aX)]/a = κ₁ + a·κ₂/2 +
    // a²·κ₃/6 + … (the cumulant expansion): at a = 10⁻¹⁵ the premium is 3m + 0.0105 (the κ₃
    // term is below 10⁻¹⁴); at 10⁻³⁰⁰ it is the mean. Summing 1 + a·x before the logarithm
    // lost all of it (−3.6e285 at 10⁻³⁰⁰, below the mean at 10⁻¹⁵).
    let d = Discrete::new(vec![0.0, 1e7], vec![0.7, 0.3], 0.0).unwrap();
    let premium = |a: f64| {
        PremiumPrinciple::Exponential { risk_aversion: a }
            .premium(&d)
            .unwrap()
    };
    assert!((premium(1e-300) - 3e6).abs() < 1e-9);
    let p = premium(1e-15);
    assert!(
        p >= 3e6 && (p - (3e6 + 1e-15 * 0.21e14 / 2.0)).abs() < 1e-6,
        "{p}"
    );
    // The same through the closed-form route: an exponential claim of mean 10⁶ has
    // ln E[e^(aX)]/a = −ln(1 − 10⁶a)/a = 10⁶ + a·10¹²/2 + …
    let e = SeverityModel::Exponential(Exponential::new(1e6).unwrap());
    let c = PremiumPrinciple::Exponential {
        risk_aversion: 1e-18,
    }
    .premium(&Continuous(&e))
    .unwrap();
    assert!((c - (1e6 + 1e-18 * 1e12 / 2.0)).abs() < 1e-6 * 1e6, "{c}");
}

#[test]
fn a_cte_above_a_cap_with_only_round_off_beyond_is_an_error() {
    // An atom of 0.3 at a cover's cap of 12m and 10⁻¹⁶ of round-off above it (what an FFT
    // leaves): VaR_0.99 is the cap and nothing lies above it; dividing by the round-off gave
    // any number (1.17e8 against Panjer's 2.14e7 in the probe).
    let d = Discrete::new(vec![0.0, 12e6, 13e6], vec![0.7, 0.3 - 1e-16, 1e-16], 0.0).unwrap();
    let e = d.cte(0.99).unwrap_err().to_string();
    assert!(e.contains("no probability above VaR"), "{e}");
    // Real probability above the VaR keeps its CTE: 10⁻⁴ at 13m above the 12m atom.
    let d = Discrete::new(vec![0.0, 12e6, 13e6], vec![0.7, 0.2999, 1e-4], 0.0).unwrap();
    assert!((d.cte(0.99).unwrap() - 13e6).abs() < 1e-3);
}
