//! Helpers shared by the integration tests.
#![allow(dead_code)]

pub mod book;
pub mod insureds;
pub mod sets;
pub mod svg;

use kexian::frequency::FrequencyModel;
use kexian::portfolio::Portfolio;
use kexian::severity::SeverityModel;
use serde::Deserialize;

/// Collects relative-agreement failures so that one run reports all of them.
#[derive(Default)]
pub struct Checker {
    failures: Vec<String>,
    checked: usize,
}

impl Checker {
    /// Records a failure unless |got − want| ≤ tol·|want| (exact match required for ±∞).
    pub fn rel(&mut self, what: &str, got: f64, want: f64, tol: f64) {
        self.checked += 1;
        let ok = if want.is_infinite() || got.is_infinite() {
            got == want
        } else {
            (got - want).abs() <= tol * want.abs() || (got - want).abs() <= 1e-300
        };
        if !ok {
            let err = (got - want).abs() / want.abs();
            self.failures.push(format!(
                "{what}: got {got:e}, want {want:e}, relative error {err:.2e}"
            ));
        }
    }

    /// Panics listing every failure; returns the number of values checked.
    pub fn finish(self) -> usize {
        assert!(
            self.failures.is_empty(),
            "{} of {} values off:\n{}",
            self.failures.len(),
            self.checked,
            self.failures.join("\n")
        );
        self.checked
    }
}

#[derive(Deserialize)]
pub struct SeverityCase {
    pub name: String,
    pub model: SeverityModel,
    pub cdf: Vec<[f64; 2]>,
    pub survival: Vec<[f64; 2]>,
    pub density: Vec<[f64; 2]>,
    pub quantile: Vec<[f64; 2]>,
    pub inverse_survival: Vec<[f64; 2]>,
    pub raw_moments: Vec<Option<f64>>,
    pub lev: Vec<[f64; 2]>,
    pub limited_second_moment: Vec<[f64; 2]>,
}

#[derive(Deserialize)]
pub struct FrequencyCase {
    pub name: String,
    pub model: FrequencyModel,
    pub pmf: Vec<f64>,
    pub cdf: Vec<f64>,
    pub mean: f64,
    pub variance: f64,
    pub pgf: Vec<[f64; 2]>,
}

#[derive(Deserialize)]
struct File<T> {
    cases: Vec<T>,
}

/// Reference severities computed by scripts/reference_distributions.py (scipy + mpmath).
pub fn severity_cases() -> Vec<SeverityCase> {
    let text = include_str!("../data/severity_reference.json");
    serde_json::from_str::<File<SeverityCase>>(text)
        .expect("reference file parses")
        .cases
}

/// Reference frequencies computed by scripts/reference_distributions.py (scipy).
pub fn frequency_cases() -> Vec<FrequencyCase> {
    let text = include_str!("../data/frequency_reference.json");
    serde_json::from_str::<File<FrequencyCase>>(text)
        .expect("reference file parses")
        .cases
}

/// Kolmogorov–Smirnov statistic D = sup |Fₙ − F| of a sample against a continuous cdf.
pub fn ks_statistic(mut xs: Vec<f64>, cdf: impl Fn(f64) -> f64) -> f64 {
    xs.sort_by(f64::total_cmp);
    let n = xs.len() as f64;
    xs.iter()
        .enumerate()
        .map(|(i, &x)| {
            let f = cdf(x);
            (f - i as f64 / n).max((i + 1) as f64 / n - f)
        })
        .fold(0.0, f64::max)
}

/// The bundled book (data/portfolio.csv under the bundled assumptions, with the per-risk
/// treaty of data/pricing.json): copula over sectors, systemic events.
pub fn bundled_portfolio() -> Portfolio {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/data");
    let firms = kexian::io::read_portfolio(format!("{data}/portfolio.csv")).unwrap();
    let config: kexian::quote::QuoteConfig =
        kexian::io::read_config(format!("{data}/pricing.json")).unwrap();
    kexian::assumptions::Assumptions::bundled()
        .unwrap()
        .portfolio(&firms, config.per_risk_xol())
        .unwrap()
        .1
}
