//! The tail of the claims: mean excess, Hill's estimator, peaks over threshold and splicing.

use super::claims::{Claim, ClaimData, Observed};
use super::severity::{SeverityFamily, SeverityFit, fit_severity};
use crate::error::{Error, Result};
use crate::severity::{SeverityModel, Spliced};
use serde::{Deserialize, Serialize};

/// One point of the empirical mean-excess function e(u) = Σ(xᵢ − u)₊ / #{xᵢ > u}.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct MeanExcess {
    /// Threshold u (元).
    pub threshold: f64,
    /// e(u) (元).
    pub mean_excess: f64,
    /// Amounts above u.
    pub exceedances: usize,
}

/// The mean-excess function of `values` (> 0, finite) at every distinct value but the
/// largest `min_exceedances − 1`, so each point rests on at least `min_exceedances` amounts.
/// A rising line signals a heavy (Pareto-type) tail, a flat one an exponential tail.
pub fn mean_excess(values: &[f64], min_exceedances: usize) -> Result<Vec<MeanExcess>> {
    let sorted = sorted_positive(values, "mean_excess")?;
    let n = sorted.len();
    let mut out = Vec::new();
    let mut suffix = 0.0;
    let sums: Vec<f64> = sorted
        .iter()
        .rev()
        .map(|x| {
            suffix += x;
            suffix
        })
        .collect();
    let mut i = 0;
    while i < n {
        let u = sorted[i];
        let mut j = i;
        while j < n && sorted[j] == u {
            j += 1;
        }
        let above = n - j;
        if above < min_exceedances.max(1) {
            break;
        }
        out.push(MeanExcess {
            threshold: u,
            mean_excess: sums[above - 1] / above as f64 - u,
            exceedances: above,
        });
        i = j;
    }
    Ok(out)
}

/// Hill's estimate from the k largest amounts: γ̂ = (1/k) Σᵢ₌₁ᵏ ln x₍ₙ₋ᵢ₊₁₎ − ln x₍ₙ₋ₖ₎, the
/// tail index α̂ = 1/γ̂, with the asymptotic standard error γ̂/√k.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct HillEstimate {
    /// Order statistics used.
    pub k: usize,
    /// The threshold x₍ₙ₋ₖ₎.
    pub threshold: f64,
    /// γ̂ (= the GPD ξ of the tail).
    pub gamma: f64,
    /// Standard error of γ̂.
    pub std_error: f64,
    /// α̂ = 1/γ̂.
    pub alpha: f64,
}

/// Hill's estimator for k = 2 … `k_max` (< number of amounts): the plot of γ̂ against k
/// shows where it is stable.
pub fn hill(values: &[f64], k_max: usize) -> Result<Vec<HillEstimate>> {
    let sorted = sorted_positive(values, "hill")?;
    let n = sorted.len();
    if k_max < 2 || k_max >= n {
        return Err(Error::Inconsistent {
            model: "hill",
            message: format!("k_max = {k_max} for {n} amounts: need 2 <= k_max < n"),
        });
    }
    let mut top = 0.0;
    let mut out = Vec::with_capacity(k_max - 1);
    for k in 1..=k_max {
        top += sorted[n - k].ln();
        if k < 2 {
            continue;
        }
        let threshold = sorted[n - k - 1];
        let gamma = top / k as f64 - threshold.ln();
        out.push(HillEstimate {
            k,
            threshold,
            gamma,
            std_error: gamma / (k as f64).sqrt(),
            alpha: 1.0 / gamma,
        });
    }
    Ok(out)
}

fn sorted_positive(values: &[f64], model: &'static str) -> Result<Vec<f64>> {
    if let Some((i, &v)) = values
        .iter()
        .enumerate()
        .find(|(_, v)| !(v.is_finite() && **v > 0.0))
    {
        return Err(Error::InvalidElement {
            model,
            parameter: "values",
            index: i,
            value: v,
            rule: "finite and > 0",
        });
    }
    if values.len() < 3 {
        return Err(Error::TooFew {
            model,
            what: "amounts",
            got: values.len(),
            need: 3,
        });
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    Ok(sorted)
}

/// The claims above `threshold`, truncated there (or at their own deductible if higher),
/// with a GPD located at the threshold fitted to them by maximum likelihood (peaks over
/// threshold; censored claims above the threshold stay censored).
pub fn fit_tail(data: &ClaimData, threshold: f64) -> Result<SeverityFit> {
    crate::numerics::validate::positive("fit_tail", "threshold", threshold)?;
    let above: Vec<Claim> = data
        .claims()
        .iter()
        .filter(|c| match c.observed {
            Observed::Exact { value } | Observed::Censored { value } => value > threshold,
            Observed::Interval { lower, .. } => lower >= threshold,
        })
        .map(|c| Claim {
            truncation: c.truncation.max(threshold),
            ..*c
        })
        .collect();
    if above.iter().any(|c| c.truncation > threshold) {
        return Err(Error::Inconsistent {
            model: "fit_tail",
            message: format!(
                "some claims above {threshold} have a higher deductible: choose a threshold at \
                 or above every deductible"
            ),
        });
    }
    let tail = ClaimData::new(above)?;
    fit_severity(
        SeverityFamily::GeneralizedPareto {
            location: threshold,
        },
        &tail,
    )
}

/// One row of a threshold-stability table: above a well-chosen threshold ξ̂ and the
/// modified scale σ* = σ̂ − ξ̂u stay constant within their standard errors.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ThresholdRow {
    /// Threshold u.
    pub threshold: f64,
    /// Claims above it.
    pub exceedances: usize,
    /// ξ̂.
    pub xi: f64,
    /// Standard error of ξ̂.
    pub xi_std_error: f64,
    /// σ* = σ̂ − ξ̂u.
    pub modified_scale: f64,
    /// Its standard error (delta method with the covariance of (ξ̂, σ̂)).
    pub modified_scale_std_error: f64,
}

/// GPD fits above each threshold (thresholds whose fit fails are left out; an error if all
/// fail).
pub fn threshold_stability(data: &ClaimData, thresholds: &[f64]) -> Result<Vec<ThresholdRow>> {
    if thresholds.is_empty() {
        return Err(Error::Empty {
            model: "threshold_stability",
            parameter: "thresholds",
        });
    }
    let mut rows = Vec::new();
    let mut last = None;
    for &u in thresholds {
        match fit_tail(data, u) {
            Ok(fit) => {
                let (xi, sigma) = (fit.parameters[0], fit.parameters[1]);
                let c = &fit.covariance;
                let var = c[1][1] + u * u * c[0][0] - 2.0 * u * c[0][1];
                rows.push(ThresholdRow {
                    threshold: u,
                    exceedances: fit.model_exceedances(data, u),
                    xi,
                    xi_std_error: fit.std_errors[0],
                    modified_scale: sigma - xi * u,
                    modified_scale_std_error: var.max(0.0).sqrt(),
                });
            }
            Err(e) => last = Some(e),
        }
    }
    match (rows.is_empty(), last) {
        (true, Some(e)) => Err(e),
        _ => Ok(rows),
    }
}

impl SeverityFit {
    /// Claims of `data` above `u` (for tables).
    fn model_exceedances(&self, data: &ClaimData, u: f64) -> usize {
        data.claims()
            .iter()
            .filter(|c| match c.observed {
                Observed::Exact { value } | Observed::Censored { value } => value > u,
                Observed::Interval { lower, .. } => lower >= u,
            })
            .count()
    }
}

/// Splices a fitted body below `threshold` with a fitted tail above it into the library's
/// [`Spliced`] severity: with `body_weight` P(X ≤ threshold) given (e.g. the share of claims
/// below the threshold), or continuous in density at the threshold when `None`.
pub fn splice(
    body: &SeverityFit,
    tail: &SeverityFit,
    threshold: f64,
    body_weight: Option<f64>,
) -> Result<SeverityModel> {
    let spliced = match body_weight {
        Some(w) => Spliced::new(body.model.clone(), tail.model.clone(), threshold, w)?,
        None => Spliced::continuous(body.model.clone(), tail.model.clone(), threshold)?,
    };
    Ok(SeverityModel::Spliced(spliced))
}
