//! Maximum-likelihood fitting of claim-count distributions, with exposure.

use super::optimize::{Failure, minimise, summarise};
use crate::error::{Error, Result};
use crate::frequency::{Binomial, FrequencyModel, NegativeBinomial, Poisson, ZeroModified};
use crate::numerics::special::ln_gamma;
use serde::{Deserialize, Serialize};

const MODEL: &str = "fit_frequency";

/// A claim-count family.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "family", rename_all = "snake_case", deny_unknown_fields)]
pub enum FrequencyFamily {
    /// Poisson(λ per unit exposure): N ~ Poisson(λe).
    Poisson,
    /// Negative binomial (r, β) per unit exposure: N ~ NB(r·e, β), the sum of e independent
    /// units (Klugman–Panjer–Willmot's exposure rule).
    NegativeBinomial,
    /// Binomial with a known number of trials m (exposure must be 1).
    Binomial {
        /// Trials m ≥ 1.
        trials: u64,
    },
    /// Zero-truncated Poisson (counts ≥ 1; exposure must be 1).
    ZeroTruncatedPoisson,
    /// Zero-truncated negative binomial (counts ≥ 1; exposure must be 1).
    ZeroTruncatedNegativeBinomial,
    /// Zero-modified Poisson (p₀, λ) (exposure must be 1).
    ZeroModifiedPoisson,
    /// Zero-modified negative binomial (p₀, r, β) (exposure must be 1).
    ZeroModifiedNegativeBinomial,
}

impl FrequencyFamily {
    /// Names of the fitted parameters.
    pub fn parameter_names(&self) -> &'static [&'static str] {
        match self {
            Self::Poisson | Self::ZeroTruncatedPoisson => &["lambda"],
            Self::NegativeBinomial | Self::ZeroTruncatedNegativeBinomial => &["r", "beta"],
            Self::Binomial { .. } => &["q"],
            Self::ZeroModifiedPoisson => &["p0", "lambda"],
            Self::ZeroModifiedNegativeBinomial => &["p0", "r", "beta"],
        }
    }

    /// Whether natural parameter i is a probability (optimised on the logit scale; the
    /// others are > 0 and optimised on the log scale).
    fn probability(&self, i: usize) -> bool {
        matches!(
            (self, i),
            (Self::Binomial { .. }, 0)
                | (Self::ZeroModifiedPoisson, 0)
                | (Self::ZeroModifiedNegativeBinomial, 0)
        )
    }

    fn exposure_allowed(&self) -> bool {
        matches!(self, Self::Poisson | Self::NegativeBinomial)
    }

    /// The model at unit exposure.
    pub fn build(&self, p: &[f64]) -> Result<FrequencyModel> {
        let poisson = |l: f64| Poisson::new(l).map(FrequencyModel::Poisson);
        let nb = |r: f64, b: f64| NegativeBinomial::new(r, b).map(FrequencyModel::NegativeBinomial);
        let modified = |base: FrequencyModel, p0: f64| {
            ZeroModified::new(base, p0).map(FrequencyModel::ZeroModified)
        };
        match *self {
            Self::Poisson => poisson(p[0]),
            Self::NegativeBinomial => nb(p[0], p[1]),
            Self::Binomial { trials } => Binomial::new(trials, p[0]).map(FrequencyModel::Binomial),
            Self::ZeroTruncatedPoisson => modified(poisson(p[0])?, 0.0),
            Self::ZeroTruncatedNegativeBinomial => modified(nb(p[0], p[1])?, 0.0),
            Self::ZeroModifiedPoisson => modified(poisson(p[1])?, p[0]),
            Self::ZeroModifiedNegativeBinomial => modified(nb(p[1], p[2])?, p[0]),
        }
    }

    /// ln P(N = n) at exposure e for natural parameters p (−∞ where impossible).
    fn log_pmf(&self, p: &[f64], n: u64, e: f64) -> f64 {
        let nf = n as f64;
        let ln_poisson = |l: f64| nf * l.ln() - l - ln_gamma(nf + 1.0);
        let ln_nb = |r: f64, b: f64| {
            ln_gamma(nf + r) - ln_gamma(r) - ln_gamma(nf + 1.0) - r * b.ln_1p()
                + nf * (b.ln() - b.ln_1p())
        };
        // ln P(N = 0) of the base, to truncate or modify.
        let zero_poisson = |l: f64| -l;
        let zero_nb = |r: f64, b: f64| -r * b.ln_1p();
        let positive = |ln_p: f64, ln_p0: f64| ln_p - (-ln_p0.exp()).ln_1p();
        match *self {
            Self::Poisson => ln_poisson(p[0] * e),
            Self::NegativeBinomial => ln_nb(p[0] * e, p[1]),
            Self::Binomial { trials } => {
                let m = trials as f64;
                if n > trials {
                    return f64::NEG_INFINITY;
                }
                ln_gamma(m + 1.0) - ln_gamma(nf + 1.0) - ln_gamma(m - nf + 1.0)
                    + nf * p[0].ln()
                    + (m - nf) * (-p[0]).ln_1p()
            }
            Self::ZeroTruncatedPoisson => positive(ln_poisson(p[0]), zero_poisson(p[0])),
            Self::ZeroTruncatedNegativeBinomial => positive(ln_nb(p[0], p[1]), zero_nb(p[0], p[1])),
            Self::ZeroModifiedPoisson if n == 0 => p[0].ln(),
            Self::ZeroModifiedPoisson => {
                (-p[0]).ln_1p() + positive(ln_poisson(p[1]), zero_poisson(p[1]))
            }
            Self::ZeroModifiedNegativeBinomial if n == 0 => p[0].ln(),
            Self::ZeroModifiedNegativeBinomial => {
                (-p[0]).ln_1p() + positive(ln_nb(p[1], p[2]), zero_nb(p[1], p[2]))
            }
        }
    }
}

/// Claim counts with exposures (policy-years; default 1 each).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CountData {
    counts: Vec<u64>,
    exposures: Vec<f64>,
}

impl CountData {
    /// Validates counts and exposures (same length, exposures finite and > 0, at least one
    /// observation); errors name the index.
    pub fn new(counts: Vec<u64>, exposures: Option<Vec<f64>>) -> Result<Self> {
        if counts.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "counts",
            });
        }
        let exposures = exposures.unwrap_or_else(|| vec![1.0; counts.len()]);
        if exposures.len() != counts.len() {
            return Err(Error::LengthMismatch {
                model: MODEL,
                what: "counts and exposures".into(),
                lengths: (counts.len(), exposures.len()),
            });
        }
        if let Some((i, &e)) = exposures
            .iter()
            .enumerate()
            .find(|(_, e)| !(e.is_finite() && **e > 0.0))
        {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "exposures",
                index: i,
                value: e,
                rule: "finite and > 0",
            });
        }
        Ok(Self { counts, exposures })
    }

    /// The counts.
    pub fn counts(&self) -> &[u64] {
        &self.counts
    }

    /// The exposures.
    pub fn exposures(&self) -> &[f64] {
        &self.exposures
    }
}

/// A fitted count distribution.
pub type FrequencyFit = super::Fit<FrequencyFamily, FrequencyModel>;

/// Fits `family` to counts by maximum likelihood (standard errors from the observed
/// information). Errors: exposures other than 1 for a family without an exposure rule, zero
/// counts for a zero-truncated family, counts above the binomial's trials, data that cannot
/// identify the parameters (all counts equal, or no over-dispersion for a negative
/// binomial: its β → 0 at the boundary), non-convergence.
///
/// ```
/// use kexian::fitting::{fit_frequency, CountData, FrequencyFamily};
/// // Poisson with exposure: λ̂ = Σn / Σe = 6 / 4.
/// let data = CountData::new(vec![1, 3, 2], Some(vec![1.0, 2.0, 1.0]))?;
/// let fit = fit_frequency(FrequencyFamily::Poisson, &data)?;
/// assert!((fit.parameters[0] - 1.5).abs() < 1e-8);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn fit_frequency(family: FrequencyFamily, data: &CountData) -> Result<FrequencyFit> {
    check_counts(family, data)?;
    let start = starting_values(family, data);
    let to_natural = |q: &[f64]| -> Vec<f64> {
        q.iter()
            .enumerate()
            .map(|(i, v)| {
                if family.probability(i) {
                    1.0 / (1.0 + (-v).exp())
                } else {
                    v.exp()
                }
            })
            .collect()
    };
    let to_internal: Vec<f64> = start
        .iter()
        .enumerate()
        .map(|(i, v)| {
            if family.probability(i) {
                (v / (1.0 - v)).ln()
            } else {
                v.ln()
            }
        })
        .collect();
    let negative = |p: &[f64]| -> f64 {
        -data
            .counts
            .iter()
            .zip(&data.exposures)
            .map(|(&n, &e)| family.log_pmf(p, n, e))
            .sum::<f64>()
    };
    let minimum = minimise(&|q: &[f64]| negative(&to_natural(q)), &to_internal).map_err(|e| {
        Error::NotConverged {
            model: MODEL,
            reason: format!(
                "{family:?} fit did not converge: {}",
                match e {
                    Failure::Start => "the likelihood is zero at the starting values".to_owned(),
                    Failure::NotConverged(why) => why,
                }
            ),
        }
    })?;
    let parameters = to_natural(&minimum.x);
    let n = data.counts.len() as f64;
    let mut evaluations = minimum.evaluations;
    let s =
        summarise(&negative, &parameters, minimum.value, n, &mut evaluations).ok_or_else(|| {
            Error::NotIdentified {
                model: MODEL,
                reason: format!("{family:?}: the observed information is singular"),
            }
        })?;
    let model = family.build(&parameters)?;
    Ok(FrequencyFit::new(family, model, parameters, s, evaluations))
}

/// Refuses counts `family` cannot be fitted to: exposures without an exposure rule, zeros
/// for a zero-truncated family, all zeros, counts above a binomial's trials.
fn check_counts(family: FrequencyFamily, data: &CountData) -> Result<()> {
    let fail = |message: String| Error::Inconsistent {
        model: MODEL,
        message,
    };
    if !family.exposure_allowed() && data.exposures.iter().any(|&e| e != 1.0) {
        return Err(fail(format!(
            "{family:?} has no exposure rule: give exposures of 1 (or fit a Poisson or \
             negative binomial)"
        )));
    }
    let truncated = matches!(
        family,
        FrequencyFamily::ZeroTruncatedPoisson | FrequencyFamily::ZeroTruncatedNegativeBinomial
    );
    if truncated && data.counts.contains(&0) {
        return Err(fail(
            "a zero-truncated family needs counts >= 1 only".into(),
        ));
    }
    if data.counts.iter().all(|&n| n == 0) {
        return Err(Error::NotIdentified {
            model: MODEL,
            reason: "every count is 0: the rate's maximum-likelihood estimate is 0, outside \
                     the parameter space"
                .into(),
        });
    }
    if let FrequencyFamily::Binomial { trials } = family
        && let Some(&n) = data.counts.iter().find(|&&n| n > trials)
    {
        return Err(fail(format!(
            "count {n} exceeds the binomial's {trials} trials"
        )));
    }
    Ok(())
}

/// Starting values by moments: the rate per exposure, the overdispersion, the share of
/// zeros and the mean of the positive counts.
fn starting_values(family: FrequencyFamily, data: &CountData) -> Vec<f64> {
    let total: f64 = data.counts.iter().map(|&n| n as f64).sum();
    let exposure: f64 = data.exposures.iter().sum();
    let mean = total / exposure;
    let var = data
        .counts
        .iter()
        .zip(&data.exposures)
        .map(|(&n, e)| (n as f64 - mean * e).powi(2) / e)
        .sum::<f64>()
        / data.counts.len() as f64;
    let zeros = data.counts.iter().filter(|&&n| n == 0).count() as f64 / data.counts.len() as f64;
    let positive_mean = {
        let pos: Vec<f64> = data
            .counts
            .iter()
            .filter(|&&n| n > 0)
            .map(|&n| n as f64)
            .collect();
        pos.iter().sum::<f64>() / pos.len().max(1) as f64
    };
    let over = (var / mean - 1.0).max(0.05);
    match family {
        FrequencyFamily::Poisson => vec![mean],
        FrequencyFamily::NegativeBinomial => vec![mean / over, over],
        FrequencyFamily::Binomial { trials } => {
            vec![(mean / trials as f64).clamp(1e-6, 1.0 - 1e-6)]
        }
        FrequencyFamily::ZeroTruncatedPoisson => vec![positive_mean.max(1.0 + 1e-3) - 0.5],
        FrequencyFamily::ZeroTruncatedNegativeBinomial => {
            vec![1.0, (positive_mean - 1.0).max(0.1)]
        }
        FrequencyFamily::ZeroModifiedPoisson => {
            vec![zeros.clamp(0.01, 0.99), positive_mean.max(1.0 + 1e-3) - 0.5]
        }
        FrequencyFamily::ZeroModifiedNegativeBinomial => {
            vec![zeros.clamp(0.01, 0.99), 1.0, (positive_mean - 1.0).max(0.1)]
        }
    }
}
