//! One conformance test for every `LossDistribution`: exact on a grid (`Discrete`,
//! `AggregateDistribution`), continuous (`Continuous` severities), moment approximations
//! (`Approximation`) and simulated (`SimulatedLosses`) results obey the same relations, and
//! every premium principle charges at least the mean.

use kexian::aggregate::{Approximation, ApproximationKind, Discretization, ExactMethod, LossModel};
use kexian::coverage::ClaimTerms;
use kexian::frequency::{NegativeBinomial, Poisson};
use kexian::loss::Discrete;
use kexian::pricing::{Continuous, LossDistribution, PremiumPrinciple, RiskMeasure};
use kexian::severity::{Gamma, LogNormal, Pareto};
use kexian::simulation::SimulationConfig;

const LEVELS: [f64; 6] = [0.5, 0.75, 0.9, 0.95, 0.99, 0.995];

/// The relations every loss distribution keeps, up to `tol` relative.
fn conforms(name: &str, d: &dyn LossDistribution, tol: f64) {
    let mean = d.mean().unwrap();
    let sd = d.variance().unwrap().sqrt();
    assert!(mean >= 0.0 && sd >= 0.0, "{name}");
    let slack = |x: f64| tol * x.abs().max(mean);
    // P(Z = 0) is a probability, at most the cdf at 0 (a grid's first bucket also holds the
    // small losses rounded to 0).
    let p0 = d.zero_probability().unwrap();
    assert!((0.0..=1.0).contains(&p0), "{name} P(Z=0) {p0}");
    assert!(
        p0 <= d.cdf(0.0).unwrap() + tol,
        "{name} P(Z=0) {p0} > cdf(0)"
    );
    let mut last = (f64::NEG_INFINITY, 0.0);
    for level in LEVELS {
        let (var, tvar) = (d.var(level).unwrap(), d.tvar(level).unwrap());
        // VaR is the level's quantile: F(VaR) ≥ level, and it rises with the level, as the
        // cdf does.
        assert!(d.cdf(var).unwrap() >= level - tol, "{name} F(VaR {level})");
        assert!(
            var >= last.0 - slack(var),
            "{name} VaR not monotone at {level}"
        );
        let cdf = d.cdf(var).unwrap();
        assert!(cdf >= last.1 - tol, "{name} cdf not monotone at {var}");
        last = (var, cdf);
        // TVaR ≥ VaR and ≥ the mean; CTE = E[Z | Z > VaR] ≥ TVaR (equal without an atom).
        assert!(
            tvar >= var - slack(var),
            "{name} TVaR {tvar} < VaR {var} at {level}"
        );
        assert!(
            tvar >= mean - slack(mean),
            "{name} TVaR below the mean at {level}"
        );
        // CTE is undefined (an error, not a number) when no mass lies above the VaR.
        match d.cte(level) {
            Ok(cte) => assert!(cte >= tvar - slack(tvar), "{name} CTE {cte} < TVaR {tvar}"),
            Err(e) => assert!(
                d.cdf(var).unwrap() >= 1.0 - tol,
                "{name} CTE at {level}: {e}"
            ),
        }
    }
    let principles = [
        PremiumPrinciple::ExpectedValue { loading: 0.1 },
        PremiumPrinciple::StandardDeviation { k: 0.3 },
        PremiumPrinciple::Variance { k: 1e-9 },
        PremiumPrinciple::Exponential {
            risk_aversion: 1e-7,
        },
        PremiumPrinciple::Wang { lambda: 0.25 },
        PremiumPrinciple::ProportionalHazard { rho: 1.2 },
        PremiumPrinciple::DualPower { kappa: 1.5 },
        PremiumPrinciple::Tvar { level: 0.99 },
        PremiumPrinciple::CostOfCapital {
            rate: 0.1,
            level: 0.995,
            measure: RiskMeasure::Tvar,
        },
    ];
    for p in principles {
        match p.premium(d) {
            Ok(premium) => assert!(premium >= mean - slack(mean), "{name} {p:?}: {premium}"),
            // A heavy tail may make a premium infinite; that is reported, never a number.
            Err(e) => assert!(
                matches!(e, kexian::Error::InfiniteMoment { .. }),
                "{name} {p:?}: {e}"
            ),
        }
    }
}

#[test]
fn every_loss_distribution_conforms() {
    let discrete = Discrete::new(
        vec![0.0, 10.0, 50.0, 200.0],
        vec![0.5, 0.3, 0.15, 0.05],
        0.0,
    )
    .unwrap();
    conforms("discrete", &discrete, 1e-12);

    let model = LossModel::new(
        NegativeBinomial::new(2.0, 1.5).unwrap(),
        LogNormal::new(9.0, 1.2).unwrap(),
    )
    .with_claim_terms(ClaimTerms::new(1_000.0, 500_000.0).unwrap());
    let grid = model.recommended_grid(1 << 14, 1.0 - 1e-10).unwrap();
    for method in [ExactMethod::Panjer, ExactMethod::Fft { padding: 2 }] {
        let exact = model
            .exact_distribution(method, &grid, Discretization::MeanPreserving)
            .unwrap();
        conforms(&format!("{method:?}"), &exact, 1e-9);
    }
    // Unlimited Pareto claims: the mass past the grid end on the extrapolated tail.
    let heavy = LossModel::new(Poisson::new(2.0).unwrap(), Pareto::new(2.5, 1e3).unwrap());
    let grid = heavy.recommended_grid(1 << 12, 1.0 - 1e-6).unwrap();
    let exact = heavy
        .exact_distribution(ExactMethod::Fft { padding: 2 }, &grid, Default::default())
        .unwrap();
    assert!(exact.diagnostics.tail_mass > 0.0);
    conforms("exact with a tail", &exact, 1e-9);

    conforms(
        "lognormal",
        &Continuous(&LogNormal::new(9.0, 1.0).unwrap()),
        1e-7,
    );
    conforms(
        "gamma",
        &Continuous(&Gamma::from_shape_scale(2.0, 1e4).unwrap()),
        1e-7,
    );
    // A covered severity (atoms at 0 and at the limit) is a severity like any other.
    let ground_up = LogNormal::new(10.0, 1.5).unwrap();
    let terms = ClaimTerms::new(5e3, 2e5).unwrap().with_share(0.8).unwrap();
    conforms(
        "covered lognormal",
        &Continuous(&kexian::coverage::Covered::new(&ground_up, terms)),
        1e-7,
    );
    // α = 2.5: finite variance, no exponential moment.
    conforms("pareto", &Continuous(&Pareto::new(2.5, 1e4).unwrap()), 1e-7);

    for kind in [
        ApproximationKind::Normal,
        ApproximationKind::NormalPower,
        ApproximationKind::ShiftedGamma,
    ] {
        let a = Approximation::new(kind, 1e6, 3e5, 0.8).unwrap();
        conforms(&format!("{kind:?}"), &a, 1e-7);
    }

    let simulated = LossModel::new(
        Poisson::new(1.5).unwrap(),
        Gamma::from_shape_scale(2.0, 1e4).unwrap(),
    )
    .simulate(&SimulationConfig::new(11, 100_000).unwrap())
    .unwrap()
    .losses;
    conforms("simulated", &simulated, 1e-12);
}

/// The normal approximation priced through the trait against closed forms: the Wang
/// transform shifts a normal's mean by λσ (Wang 2000, Insurance: Math. Econ. 26), and the
/// exponential principle of N(μ, σ²) is μ + aσ²/2. μ = 10σ, so censoring at zero is
/// negligible (below 10⁻²²).
#[test]
fn the_normal_approximation_prices_to_closed_forms() {
    let (mu, sigma) = (1e6, 1e5);
    let normal = Approximation::new(ApproximationKind::Normal, mu, sigma, 0.0).unwrap();
    let wang = PremiumPrinciple::Wang { lambda: 0.25 }
        .premium(&normal)
        .unwrap();
    assert!((wang / (mu + 0.25 * sigma) - 1.0).abs() < 1e-8, "{wang}");
    let a = 1e-6;
    let exponential = PremiumPrinciple::Exponential { risk_aversion: a }
        .premium(&normal)
        .unwrap();
    assert!(
        (exponential / (mu + a * sigma * sigma / 2.0) - 1.0).abs() < 1e-8,
        "{exponential}"
    );
}
