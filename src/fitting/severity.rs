//! Maximum-likelihood fitting of the parametric severity families.

use super::claims::{ClaimData, Observed};
use super::optimize::{Failure, minimise, summarise};
use crate::error::{Error, Result};
use crate::severity::{
    Burr, Exponential, Gamma, GeneralizedPareto, LogLogistic, LogNormal, Pareto, Severity,
    SeverityModel, SingleParameterPareto, Weibull,
};
use serde::{Deserialize, Serialize};

const MODEL: &str = "fit_severity";

/// A parametric family to fit, with the parameters held fixed where the family has them.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum SeverityFamily {
    /// Lognormal (μ, σ).
    #[serde(rename = "lognormal")]
    LogNormal,
    /// Gamma (α shape, θ scale).
    Gamma,
    /// Weibull (τ shape, θ scale).
    Weibull,
    /// Exponential (θ mean).
    Exponential,
    /// Pareto II / Lomax (α, θ).
    Pareto,
    /// Single-parameter Pareto (α) above a fixed θ, at most the smallest observation.
    SingleParameterPareto {
        /// Fixed lower bound θ > 0 (元).
        theta: f64,
    },
    /// Generalised Pareto (ξ, σ) above a fixed location.
    GeneralizedPareto {
        /// Fixed location ≥ 0 (元), e.g. a threshold.
        location: f64,
    },
    /// Burr (α, γ, θ).
    Burr,
    /// Log-logistic (γ, θ).
    #[serde(rename = "loglogistic")]
    LogLogistic,
}

impl SeverityFamily {
    /// The families with no fixed parameter (single-parameter Pareto and GPD need theirs).
    pub const STANDARD: [SeverityFamily; 7] = [
        Self::LogNormal,
        Self::Gamma,
        Self::Weibull,
        Self::Exponential,
        Self::Pareto,
        Self::Burr,
        Self::LogLogistic,
    ];

    /// Family name as in JSON.
    pub fn name(&self) -> &'static str {
        match self {
            Self::LogNormal => "lognormal",
            Self::Gamma => "gamma",
            Self::Weibull => "weibull",
            Self::Exponential => "exponential",
            Self::Pareto => "pareto",
            Self::SingleParameterPareto { .. } => "single_parameter_pareto",
            Self::GeneralizedPareto { .. } => "generalized_pareto",
            Self::Burr => "burr",
            Self::LogLogistic => "loglogistic",
        }
    }

    /// Names of the fitted parameters, in the order of [`SeverityFit::parameters`].
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self {
            Self::LogNormal => &["mu", "sigma"],
            Self::Gamma => &["alpha", "theta"],
            Self::Weibull => &["tau", "theta"],
            Self::Exponential => &["theta"],
            Self::Pareto => &["alpha", "theta"],
            Self::SingleParameterPareto { .. } => &["alpha"],
            Self::GeneralizedPareto { .. } => &["xi", "sigma"],
            Self::Burr => &["alpha", "gamma", "theta"],
            Self::LogLogistic => &["gamma", "theta"],
        }
    }

    /// The model with natural parameters `p`.
    pub fn build(&self, p: &[f64]) -> Result<SeverityModel> {
        Ok(match *self {
            Self::LogNormal => SeverityModel::LogNormal(LogNormal::new(p[0], p[1])?),
            Self::Gamma => SeverityModel::Gamma(Gamma::from_shape_scale(p[0], p[1])?),
            Self::Weibull => SeverityModel::Weibull(Weibull::new(p[0], p[1])?),
            Self::Exponential => SeverityModel::Exponential(Exponential::new(p[0])?),
            Self::Pareto => SeverityModel::Pareto(Pareto::new(p[0], p[1])?),
            Self::SingleParameterPareto { theta } => {
                SeverityModel::SingleParameterPareto(SingleParameterPareto::new(p[0], theta)?)
            }
            Self::GeneralizedPareto { location } => {
                SeverityModel::GeneralizedPareto(GeneralizedPareto::new(p[0], p[1], location)?)
            }
            Self::Burr => SeverityModel::Burr(Burr::new(p[0], p[1], p[2])?),
            Self::LogLogistic => SeverityModel::LogLogistic(LogLogistic::new(p[0], p[1])?),
        })
    }

    /// Whether natural parameter i is unconstrained (else it is > 0 and optimised on the
    /// log scale).
    fn free(&self, i: usize) -> bool {
        matches!(
            (self, i),
            (Self::LogNormal, 0) | (Self::GeneralizedPareto { .. }, 0)
        )
    }

    fn to_internal(self, p: &[f64]) -> Vec<f64> {
        p.iter()
            .enumerate()
            .map(|(i, v)| if self.free(i) { *v } else { v.ln() })
            .collect()
    }

    fn to_natural(self, q: &[f64]) -> Vec<f64> {
        q.iter()
            .enumerate()
            .map(|(i, v)| if self.free(i) { *v } else { v.exp() })
            .collect()
    }

    /// Starting values from the representative values: moments of ln x and of x, and
    /// quartiles.
    fn start(&self, data: &ClaimData) -> Vec<f64> {
        let mut v = data.representative();
        let w: f64 = v.iter().map(|x| x.1).sum();
        let mean = v.iter().map(|(x, k)| x * k).sum::<f64>() / w;
        let var = v.iter().map(|(x, k)| k * (x - mean).powi(2)).sum::<f64>() / w;
        let lmean = v.iter().map(|(x, k)| k * x.ln()).sum::<f64>() / w;
        let lsd = (v
            .iter()
            .map(|(x, k)| k * (x.ln() - lmean).powi(2))
            .sum::<f64>()
            / w)
            .sqrt()
            .max(0.05);
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        let quantile = |q: f64| {
            let mut acc = 0.0;
            for (x, k) in &v {
                acc += k;
                if acc >= q * w {
                    return *x;
                }
            }
            v[v.len() - 1].0
        };
        let cv2 = (var / (mean * mean)).max(0.01);
        let median = quantile(0.5).max(f64::MIN_POSITIVE);
        match *self {
            Self::LogNormal => vec![lmean, lsd],
            Self::Gamma => vec![1.0 / cv2, mean * cv2],
            Self::Weibull => {
                let (q1, q3) = (quantile(0.25), quantile(0.75));
                let tau = if q3 > q1 && q1 > 0.0 {
                    ((4.0_f64.ln() / (4.0_f64 / 3.0).ln()).ln() / (q3 / q1).ln()).clamp(0.1, 10.0)
                } else {
                    1.0
                };
                vec![tau, median / 2.0_f64.ln().powf(1.0 / tau)]
            }
            Self::Exponential => vec![mean],
            Self::Pareto => {
                let alpha = if cv2 > 1.0 {
                    2.0 * cv2 / (cv2 - 1.0)
                } else {
                    3.0
                };
                vec![alpha, mean * (alpha - 1.0)]
            }
            Self::SingleParameterPareto { theta } => {
                let s = v.iter().map(|(x, k)| k * (x / theta).ln()).sum::<f64>();
                vec![if s > 0.0 { w / s } else { 2.0 }]
            }
            Self::GeneralizedPareto { location } => {
                let m = (mean - location).max(f64::MIN_POSITIVE);
                let xi = (0.5 * (1.0 - m * m / var)).clamp(-0.4, 0.9);
                vec![xi, m * (1.0 - xi)]
            }
            Self::Burr => vec![2.0, 1.0 / lsd, median],
            Self::LogLogistic => vec![(1.8 / lsd).max(0.2), median],
        }
    }
}

/// A fitted severity.
pub type SeverityFit = super::Fit<SeverityFamily, SeverityModel>;

/// The log-likelihood of `data` under `model` (−∞ where an observation is impossible).
pub fn log_likelihood(model: &SeverityModel, data: &ClaimData) -> f64 {
    let mut total = 0.0;
    for c in data.claims() {
        let l = match c.observed {
            Observed::Exact { value } => model.density(value).ln(),
            Observed::Censored { value } => model.survival(value).ln(),
            Observed::Interval { lower, upper } => interval_probability(model, lower, upper).ln(),
        };
        total += c.weight * l;
    }
    let truncated: f64 = data
        .truncations()
        .iter()
        .map(|(d, w)| w * model.survival(*d).ln())
        .sum();
    total - truncated
}

/// P(lower < X ≤ upper), by survival differences in the upper tail for accuracy.
pub(crate) fn interval_probability(model: &SeverityModel, lower: f64, upper: f64) -> f64 {
    let s_upper = if upper.is_finite() {
        model.survival(upper)
    } else {
        0.0
    };
    let s_lower = model.survival(lower);
    if s_lower < 0.5 {
        s_lower - s_upper
    } else {
        let f_upper = if upper.is_finite() {
            model.cdf(upper)
        } else {
            1.0
        };
        f_upper - model.cdf(lower)
    }
}

/// Fits `family` to `data` by maximum likelihood (Nelder–Mead, then Newton; see the module
/// docs). Degenerate data are errors, never a panic: fewer distinct observations than
/// parameters, all exact amounts equal (the likelihood is unbounded), only censored claims
/// (maximised at infinity), a single-parameter Pareto θ above an observation, or a fit that
/// does not converge — the error says which, and no model is returned.
///
/// ```
/// use kexian::fitting::{fit_severity, ClaimData, SeverityFamily};
/// // Exponential MLE: the mean.
/// let data = ClaimData::exact(&[100.0, 300.0, 200.0, 400.0])?;
/// let fit = fit_severity(SeverityFamily::Exponential, &data)?;
/// assert!((fit.parameters[0] - 250.0).abs() < 1e-6);
/// assert!((fit.std_errors[0] - 125.0).abs() < 1e-3); // θ/√n
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn fit_severity(family: SeverityFamily, data: &ClaimData) -> Result<SeverityFit> {
    fit_from(family, data, None)
}

/// [`fit_severity`] started from given natural parameters (e.g. a previous fit's, in a
/// bootstrap).
pub(crate) fn fit_from(
    family: SeverityFamily,
    data: &ClaimData,
    start: Option<&[f64]>,
) -> Result<SeverityFit> {
    check_identifiable(family, data)?;
    let objective = |q: &[f64]| -> f64 {
        match family.build(&family.to_natural(q)) {
            Ok(m) => -log_likelihood(&m, data),
            Err(_) => f64::INFINITY,
        }
    };
    let start = start.map_or_else(|| family.start(data), <[f64]>::to_vec);
    let minimum = minimise(&objective, &family.to_internal(&start)).map_err(|e| match e {
        Failure::Start => not_converged(family, "the likelihood is zero at the starting values"),
        Failure::NotConverged(why) => not_converged(family, &why),
    })?;
    let parameters = family.to_natural(&minimum.x);
    let model = family.build(&parameters)?;
    let natural = |p: &[f64]| -> f64 {
        match family.build(p) {
            Ok(m) => -log_likelihood(&m, data),
            Err(_) => f64::NAN,
        }
    };
    let mut evaluations = minimum.evaluations;
    let s = summarise(
        &natural,
        &parameters,
        minimum.value,
        data.total_weight(),
        &mut evaluations,
    )
    .ok_or_else(|| {
        not_converged(
            family,
            "the observed information is singular at the optimum",
        )
    })?;
    Ok(SeverityFit::new(family, model, parameters, s, evaluations))
}

fn not_converged(family: SeverityFamily, why: &str) -> Error {
    Error::NotConverged {
        model: MODEL,
        reason: format!("{} fit did not converge: {why}", family.name()),
    }
}

/// The widest ratio of the largest to the smallest positive amount a fit accepts.
const MAX_SPAN: f64 = 1e15;

/// Rejects data from which the family's parameters cannot be estimated: every claim
/// censored, fewer distinct (uncensored, when some are censored) amounts than parameters
/// (at least 2), amounts over more than 15 decades.
fn check_identifiable(family: SeverityFamily, data: &ClaimData) -> Result<()> {
    let k = family.parameter_names().len();
    let fail = |message: String| {
        Err(Error::NotIdentified {
            model: MODEL,
            reason: format!("{}: {message}", family.name()),
        })
    };
    let mut distinct: Vec<f64> = data.representative().iter().map(|v| v.0).collect();
    distinct.sort_by(f64::total_cmp);
    distinct.dedup();
    let exact = data.exact_values();
    if exact.is_empty()
        && data
            .claims()
            .iter()
            .all(|c| matches!(c.observed, Observed::Censored { .. }))
    {
        return fail(
            "every claim is censored: the likelihood grows without bound as the scale \
                     rises; at least one uncensored amount is needed"
                .into(),
        );
    }
    let censored = data
        .claims()
        .iter()
        .any(|c| matches!(c.observed, Observed::Censored { .. }));
    let grouped = data
        .claims()
        .iter()
        .any(|c| matches!(c.observed, Observed::Interval { .. }));
    let mut uncensored: Vec<f64> = exact.iter().map(|v| v.0).collect();
    uncensored.sort_by(f64::total_cmp);
    uncensored.dedup();
    if censored && !grouped && uncensored.len() < k.max(2) {
        return fail(format!(
            "{} distinct uncensored amount(s) for {k} parameter(s): a censored claim says only \
             that its amount reached its limit, so the fit would rest on too few points",
            uncensored.len()
        ));
    }
    if let (Some(&lo), Some(&hi)) = (distinct.iter().find(|v| **v > 0.0), distinct.last())
        && hi / lo > MAX_SPAN
    {
        return fail(format!(
            "the amounts span from {lo:e} to {hi:e}, more than {MAX_SPAN:e} times: check their \
             units (or leave out the outlier)"
        ));
    }
    if distinct.len() < k.max(2) {
        return fail(format!(
            "{} distinct amount(s) for {k} parameter(s): the likelihood is unbounded or the \
             parameters are not identified",
            distinct.len()
        ));
    }
    if let SeverityFamily::SingleParameterPareto { theta } = family
        && distinct[0] < theta
    {
        return fail(format!(
            "amount {} is below the fixed θ = {theta}",
            distinct[0]
        ));
    }
    if let SeverityFamily::GeneralizedPareto { location } = family
        && distinct[0] <= location
    {
        return fail(format!(
            "amount {} is not above the fixed location {location}",
            distinct[0]
        ));
    }
    Ok(())
}
