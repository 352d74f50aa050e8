//! Testing ladder steps 1 and 9: construction rejects bad parameters with an error that names
//! them, constructors and queries never panic on arbitrary input, and every model
//! round-trips through JSON while invalid JSON is rejected.

mod common;
use common::{frequency_cases, severity_cases};
use kexian::Error;
use kexian::frequency::*;
use kexian::severity::*;
use proptest::prelude::*;

fn parameter_of(e: Error) -> &'static str {
    match e {
        Error::InvalidParameter { parameter, .. } | Error::InvalidElement { parameter, .. } => {
            parameter
        }
        Error::Empty { parameter, .. } => parameter,
        other => panic!("unexpected error {other}"),
    }
}

#[test]
fn bad_parameters_are_named() {
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0, -1.0] {
        assert_eq!(parameter_of(LogNormal::new(1.0, bad).unwrap_err()), "sigma");
        assert_eq!(
            parameter_of(Gamma::from_shape_scale(bad, 1.0).unwrap_err()),
            "alpha"
        );
        assert_eq!(parameter_of(Weibull::new(1.0, bad).unwrap_err()), "theta");
        assert_eq!(parameter_of(Exponential::new(bad).unwrap_err()), "theta");
        assert_eq!(parameter_of(Pareto::new(bad, 1.0).unwrap_err()), "alpha");
        assert_eq!(
            parameter_of(SingleParameterPareto::new(1.0, bad).unwrap_err()),
            "theta"
        );
        assert_eq!(
            parameter_of(GeneralizedPareto::new(0.1, bad, 0.0).unwrap_err()),
            "sigma"
        );
        assert_eq!(parameter_of(Burr::new(1.0, bad, 1.0).unwrap_err()), "gamma");
        assert_eq!(
            parameter_of(LogLogistic::new(bad, 1.0).unwrap_err()),
            "gamma"
        );
        assert_eq!(
            parameter_of(NegativeBinomial::new(bad, 1.0).unwrap_err()),
            "r"
        );
        assert_eq!(
            parameter_of(Logarithmic::new(bad, 0.0).unwrap_err()),
            "beta"
        );
    }
    for bad in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        assert_eq!(parameter_of(LogNormal::new(bad, 1.0).unwrap_err()), "mu");
        assert_eq!(
            parameter_of(GeneralizedPareto::new(bad, 1.0, 0.0).unwrap_err()),
            "xi"
        );
    }
    for bad in [f64::NAN, f64::INFINITY, -0.5] {
        assert_eq!(parameter_of(Poisson::new(bad).unwrap_err()), "lambda");
        assert_eq!(
            parameter_of(GeneralizedPareto::new(0.1, 1.0, bad).unwrap_err()),
            "location"
        );
    }
    for bad in [f64::NAN, -0.1, 1.1] {
        assert_eq!(parameter_of(Binomial::new(3, bad).unwrap_err()), "q");
        assert_eq!(parameter_of(Bernoulli::new(bad).unwrap_err()), "q");
        assert_eq!(
            parameter_of(Poisson::new(1.0).unwrap().thinned(bad).unwrap_err()),
            "p"
        );
        assert_eq!(parameter_of(Logarithmic::new(1.0, bad).unwrap_err()), "p0");
    }
    assert_eq!(parameter_of(Empirical::new(vec![]).unwrap_err()), "data");
    let e = Empirical::new(vec![1.0, f64::NAN]).unwrap_err();
    assert!(matches!(e, Error::InvalidElement { index: 1, .. }), "{e}");
    assert!(Empirical::new(vec![1.0, -2.0]).is_err());
    assert!(LogNormal::from_interval90(10.0, 5.0).is_err());
    assert!(Pareto::from_mean_cv(1e5, 0.9).is_err());
    assert!(NegativeBinomial::from_mean_variance(2.0, 1.5).is_err());
    let msg = LogNormal::new(1.0, -2.0).unwrap_err().to_string();
    assert!(
        msg.contains("LogNormal") && msg.contains("sigma") && msg.contains("-2"),
        "{msg}"
    );
}

#[test]
fn mixtures_and_splices_are_checked() {
    let e = || SeverityModel::from(Exponential::new(1.0).unwrap());
    assert!(Mixture::new(vec![]).is_err());
    assert!(Mixture::new(vec![(0.5, e()), (0.6, e())]).is_err());
    assert!(Mixture::new(vec![(-0.5, e()), (1.5, e())]).is_err());
    assert!(Spliced::new(e(), e(), 1.0, 1.5).is_err());
    assert!(Spliced::new(e(), e(), -1.0, 0.5).is_err());
    // A tail with no mass above the threshold is inconsistent.
    let bounded = SeverityModel::from(GeneralizedPareto::new(-1.0, 1.0, 0.0).unwrap());
    assert!(Spliced::new(e(), bounded, 2.0, 0.5).is_err());
    // Zero-modification needs an (a, b, 0) base.
    let log = FrequencyModel::from(Logarithmic::new(1.0, 0.0).unwrap());
    assert!(ZeroModified::new(log, 0.2).is_err());
}

#[test]
fn every_model_round_trips_through_json() {
    for case in severity_cases() {
        let json = serde_json::to_string(&case.model).unwrap();
        let back: SeverityModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, case.model, "{}", case.name);
    }
    for case in frequency_cases() {
        let json = serde_json::to_string(&case.model).unwrap();
        let back: FrequencyModel = serde_json::from_str(&json).unwrap();
        assert_eq!(back, case.model, "{}", case.name);
    }
    let e = SeverityModel::from(Empirical::new(vec![3.0, 1.0]).unwrap());
    let back: SeverityModel = serde_json::from_str(&serde_json::to_string(&e).unwrap()).unwrap();
    assert_eq!(back, e);
}

#[test]
fn invalid_json_is_rejected_with_the_reason() {
    let reject = |s: &str| {
        serde_json::from_str::<SeverityModel>(s)
            .unwrap_err()
            .to_string()
    };
    assert!(reject(r#"{"type":"gamma","alpha":-1,"theta":2}"#).contains("alpha"));
    assert!(reject(r#"{"type":"gamma","alpha":1,"theta":2,"shape":3}"#).contains("shape"));
    assert!(reject(r#"{"type":"gamma","alpha":1}"#).contains("theta"));
    assert!(reject(r#"{"type":"cauchy","x":1}"#).contains("cauchy"));
    assert!(reject(r#"{"type":"empirical","data":[]}"#).contains("data"));
    assert!(reject(
        r#"{"type":"mixture","components":[{"weight":0.3,"model":{"type":"exponential","theta":1}}]}"#
    )
    .contains("weights"));
    let reject_f = |s: &str| {
        serde_json::from_str::<FrequencyModel>(s)
            .unwrap_err()
            .to_string()
    };
    assert!(reject_f(r#"{"type":"binomial","m":3,"q":1.5}"#).contains("q"));
    assert!(reject_f(r#"{"type":"poisson","lambda":1,"mean":1}"#).contains("mean"));
    assert!(reject_f(r#"{"type":"binomial","m":-3,"q":0.5}"#).contains("u64"));
}

/// Any f64, with the special values well represented.
fn any_f64() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(f64::NAN),
        Just(f64::INFINITY),
        Just(f64::NEG_INFINITY),
        Just(0.0),
        Just(-0.0),
        Just(1.0),
        Just(f64::MAX),
        Just(f64::MIN_POSITIVE),
        -1e12..1e12f64,
        -5.0..5.0f64,
        any::<f64>(),
    ]
}

fn exercise_severity<S: Severity>(m: &S, x: f64) {
    let _ = (
        m.cdf(x),
        m.survival(x),
        m.density(x),
        m.quantile(x),
        m.inverse_survival(x),
    );
    let _ = (m.mean(), m.variance(), m.raw_moment(3));
    let _ = (
        m.limited_expected_value(x),
        m.limited_moment(2, x),
        m.layer_expected_loss(x, x),
    );
}

fn exercise_frequency<F: Frequency>(m: &F, z: f64) {
    let _ = (
        m.pmf(3),
        m.cdf(5),
        m.mean(),
        m.variance(),
        m.pgf(z),
        m.panjer_class(),
    );
    let _ = m.thinned(z);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn constructors_and_queries_never_panic(a in any_f64(), b in any_f64(), c in any_f64(), x in any_f64()) {
        if let Ok(m) = LogNormal::new(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = LogNormal::from_mean_cv(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = LogNormal::from_interval(a, b, c) { exercise_severity(&m, x) }
        if let Ok(m) = Gamma::from_shape_scale(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = Gamma::from_mean_cv(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = Weibull::new(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = Exponential::new(a) { exercise_severity(&m, x) }
        if let Ok(m) = Pareto::new(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = Pareto::from_mean_cv(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = SingleParameterPareto::new(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = GeneralizedPareto::new(a, b, c) { exercise_severity(&m, x) }
        if let Ok(m) = Burr::new(a, b, c) { exercise_severity(&m, x) }
        if let Ok(m) = LogLogistic::new(a, b) { exercise_severity(&m, x) }
        if let Ok(m) = Empirical::new(vec![a, b, c]) { exercise_severity(&m, x) }
        if let Ok(m) = Poisson::new(a.abs().min(1e6)) { exercise_frequency(&m, x) }
        let _ = Poisson::new(a);
        if let Ok(m) = NegativeBinomial::new(a, b.abs().min(1e4)) { exercise_frequency(&m, x) }
        if let Ok(m) = NegativeBinomial::from_mean_mixing_cv(a.min(1e4), b) { exercise_frequency(&m, x) }
        if let Ok(m) = Binomial::new((c.abs().min(1e6)) as u64, a) { exercise_frequency(&m, x) }
        if let Ok(m) = Bernoulli::new(a) { exercise_frequency(&m, x) }
        if let Ok(m) = Geometric::new(a.min(1e6)) { exercise_frequency(&m, x) }
        if let Ok(m) = Logarithmic::new(a.min(1e6), b) { exercise_frequency(&m, x) }
    }

    #[test]
    fn spliced_and_mixture_queries_never_panic(w in any_f64(), t in any_f64(), x in any_f64()) {
        let body = SeverityModel::from(LogNormal::new(10.0, 1.0).unwrap());
        let tail = SeverityModel::from(Pareto::new(1.5, 1e4).unwrap());
        if let Ok(m) = Spliced::new(body.clone(), tail.clone(), t, w) { exercise_severity(&m, x) }
        if let Ok(m) = Spliced::continuous(body.clone(), tail.clone(), t) { exercise_severity(&m, x) }
        if let Ok(m) = Mixture::new(vec![(w, body), (1.0 - w, tail)]) { exercise_severity(&m, x) }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    /// Pricing-pipeline entry points with arbitrary terms, levels and grids: errors, never
    /// panics, and never a NaN statistic.
    #[test]
    fn pipeline_never_panics(d in any_f64(), u in any_f64(), share in any_f64(), level in any_f64(),
                             step in any_f64(), agg in any_f64(), param in any_f64()) {
        use kexian::aggregate::{Discretization, ExactMethod, Grid, LossModel};
        use kexian::coverage::{AggregateTerms, ClaimTerms};
        use kexian::pricing::{PremiumPrinciple, RiskMeasure};
        use kexian::simulation::SimulationConfig;
        let terms = ClaimTerms::new(d, u).and_then(|t| t.with_share(share));
        let annual = AggregateTerms::new(agg.abs(), agg.abs() + 1.0);
        if let (Ok(terms), Ok(annual)) = (terms, annual) {
            let model = LossModel::new(Poisson::new(1.0).unwrap(), LogNormal::new(8.0, 1.5).unwrap())
                .with_claim_terms(terms)
                .with_aggregate_terms(annual);
            let sim = model.simulate(&SimulationConfig::new(1, 500).unwrap()).unwrap().losses;
            let stats = [sim.var(level), sim.tvar(level), sim.mean(), sim.exceedance_probability(level)];
            for e in stats.into_iter().flatten() {
                prop_assert!(!e.value.is_nan());
            }
            if let Ok(grid) = Grid::new(step, 64) {
                let exact = model.exact_distribution(ExactMethod::Fft { padding: 2 }, &grid, Discretization::MeanPreserving);
                if let Ok(exact) = exact {
                    if let Ok(v) = exact.var(level) { prop_assert!(!v.is_nan()); }
                    for p in [
                        PremiumPrinciple::Wang { lambda: param },
                        PremiumPrinciple::ProportionalHazard { rho: param },
                        PremiumPrinciple::CostOfCapital { rate: param, level, measure: RiskMeasure::Tvar },
                    ] {
                        if let Ok(v) = p.premium(&exact) { prop_assert!(!v.is_nan()); }
                    }
                }
            }
        }
    }
}
