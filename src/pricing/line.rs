//! One cover priced from a one-file specification (`kexian price --model line.json`): the
//! loss model, the method (exact on a grid, or Monte Carlo), the risk-measure levels and the
//! premium principles; the result carries a standard error on every simulated figure.

use super::{LossDistribution, PremiumPrinciple};
use crate::aggregate::{Discretization, ExactMethod, LossModel};
use crate::error::{Result, Validate};
use crate::frequency::FrequencyModel;
use crate::loss::Estimate;
use crate::numerics::validate;
use crate::severity::SeverityModel;
use crate::simulation::{Observer, SimulationConfig};
use serde::{Deserialize, Serialize};

/// How a single cover is aggregated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum LineMethod {
    /// Exact on a grid of `points` points chosen by [`LossModel::recommended_grid`] to reach
    /// `tail_level` (Panjer or FFT; default FFT, padding 2, 2^14 points, 1 − 1e-10).
    Exact {
        /// Panjer or FFT.
        #[serde(default = "fft")]
        method: ExactMethod,
        /// Grid points.
        #[serde(default = "points")]
        points: usize,
        /// Level the grid must reach.
        #[serde(default = "tail_level")]
        tail_level: f64,
    },
    /// Monte Carlo with these settings (all losses kept: premium principles need them).
    MonteCarlo {
        /// Seed, trials, threads.
        simulation: SimulationConfig,
    },
}

fn fft() -> ExactMethod {
    ExactMethod::Fft { padding: 2 }
}

fn points() -> usize {
    1 << 14
}

fn tail_level() -> f64 {
    1.0 - 1e-10
}

/// A cover to price: model, method, levels and principles (JSON).
///
/// ```
/// use kexian::pricing::{LineSpec, price_line};
/// let spec: LineSpec = serde_json::from_str(r#"{
///     "model": {"frequency": {"type": "poisson", "lambda": 2.0},
///               "severity": {"type": "lognormal", "mu": 10.0, "sigma": 1.5},
///               "claim_terms": {"deductible": 1e4, "limit": 2e6}},
///     "method": {"kind": "exact"},
///     "levels": [0.99],
///     "principles": [{"principle": "wang", "lambda": 0.25}]
/// }"#)?;
/// let priced = price_line(&spec, None)?;
/// assert!(priced.premiums[0].1 > priced.mean.value);
/// assert_eq!(priced.mean.std_error, 0.0); // exact on the grid
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LineSpec {
    /// Frequency, severity, claim and annual terms.
    pub model: LossModel<FrequencyModel, SeverityModel>,
    /// Exact or Monte Carlo.
    pub method: LineMethod,
    /// Levels of VaR and TVaR (default 0.99, 0.995).
    #[serde(default = "levels")]
    pub levels: Vec<f64>,
    /// Premium principles.
    #[serde(default)]
    pub principles: Vec<PremiumPrinciple>,
}

fn levels() -> Vec<f64> {
    vec![0.99, 0.995]
}

impl Validate for LineSpec {
    fn validate(&self) -> Result<()> {
        for l in &self.levels {
            validate::open_probability("LineSpec", "levels", *l)?;
        }
        for p in &self.principles {
            p.validate()?;
        }
        match &self.method {
            LineMethod::Exact { tail_level, .. } => {
                validate::open_probability("LineSpec", "tail_level", *tail_level).map(|_| ())
            }
            LineMethod::MonteCarlo { simulation } => simulation.validate(),
        }
    }
}

/// A priced cover: every statistic with its standard error (0 for exact results).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PricedLine {
    /// `exact` or `monte_carlo`.
    pub method: String,
    /// Mean annual payment (元).
    pub mean: Estimate,
    /// Standard deviation.
    pub std_dev: Estimate,
    /// (level, VaR).
    pub var: Vec<(f64, Estimate)>,
    /// (level, TVaR).
    pub tvar: Vec<(f64, Estimate)>,
    /// (principle, premium).
    pub premiums: Vec<(String, f64)>,
    /// Warnings of the exact method (grid reach, accuracy).
    pub warnings: Vec<String>,
}

/// Prices the cover of `spec`; `observer` follows a Monte Carlo run.
pub fn price_line(spec: &LineSpec, observer: Option<Observer>) -> Result<PricedLine> {
    spec.validate()?;
    let exact = |v: f64| Estimate {
        value: v,
        std_error: 0.0,
    };
    let premiums = |d: &dyn LossDistribution| -> Result<Vec<(String, f64)>> {
        spec.principles
            .iter()
            .map(|p| Ok((serde_json::to_string(p).unwrap_or_default(), p.premium(d)?)))
            .collect()
    };
    match &spec.method {
        LineMethod::Exact {
            method,
            points,
            tail_level,
        } => {
            let grid = spec.model.recommended_grid(*points, *tail_level)?;
            let d = spec
                .model
                .exact_distribution(*method, &grid, Discretization::default())?;
            let levels = |f: &dyn Fn(f64) -> Result<f64>| -> Result<Vec<(f64, Estimate)>> {
                spec.levels.iter().map(|&l| Ok((l, exact(f(l)?)))).collect()
            };
            Ok(PricedLine {
                method: "exact".into(),
                mean: exact(d.mean()?),
                std_dev: exact(d.variance()?.sqrt()),
                var: levels(&|l| d.var(l))?,
                tvar: levels(&|l| d.tvar(l))?,
                premiums: premiums(&d)?,
                warnings: d
                    .diagnostics
                    .warnings
                    .iter()
                    .map(ToString::to_string)
                    .collect(),
            })
        }
        LineMethod::MonteCarlo { simulation } => {
            let mut config = *simulation;
            config.retention = crate::simulation::Retention::All;
            let run = match observer {
                Some(o) => spec.model.simulate_with_progress(&config, o)?,
                None => spec.model.simulate(&config)?,
            };
            let l = &run.losses;
            let levels = |f: &dyn Fn(f64) -> Result<Estimate>| -> Result<Vec<(f64, Estimate)>> {
                spec.levels.iter().map(|&v| Ok((v, f(v)?))).collect()
            };
            Ok(PricedLine {
                method: "monte_carlo".into(),
                mean: l.mean()?,
                std_dev: l.std_dev()?,
                var: levels(&|v| l.var(v))?,
                tvar: levels(&|v| l.tvar(v))?,
                premiums: premiums(&l.to_discrete()?)?,
                warnings: vec![],
            })
        }
    }
}
