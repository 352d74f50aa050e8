//! A maximum-likelihood fit, of claim counts ([`super::FrequencyFit`]) or claim sizes
//! ([`super::SeverityFit`]): the family, the fitted model, its parameters with standard
//! errors from the inverse observed information, and the information criteria.

use super::optimize::Summary;
use serde::{Deserialize, Serialize};

/// A fitted model of family `F` (a [`super::FrequencyFamily`] or [`super::SeverityFamily`])
/// as a model `M`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fit<F, M> {
    /// The family fitted.
    pub family: F,
    /// The fitted model, ready for an assumption set (a count model at unit exposure).
    pub model: M,
    /// Natural parameters, named by the family's `parameter_names`.
    pub parameters: Vec<f64>,
    /// Standard errors √diag(covariance).
    pub std_errors: Vec<f64>,
    /// Covariance: the inverse of the observed information −∂²ℓ/∂θ∂θᵀ (rows).
    pub covariance: Vec<Vec<f64>>,
    /// Log-likelihood ℓ (weights as frequencies; truncation conditioned on).
    pub log_likelihood: f64,
    /// AIC = −2ℓ + 2k.
    pub aic: f64,
    /// BIC = −2ℓ + k ln n, n the number of observations (their total weight).
    pub bic: f64,
    /// Likelihood evaluations used.
    #[serde(default)]
    pub evaluations: usize,
}

impl<F, M> Fit<F, M> {
    /// The fit of `family` as `model` at `parameters`, with the summary of its optimum.
    pub(super) fn new(
        family: F,
        model: M,
        parameters: Vec<f64>,
        summary: Summary,
        evaluations: usize,
    ) -> Self {
        Self {
            family,
            model,
            parameters,
            std_errors: summary.std_errors,
            covariance: summary.covariance,
            log_likelihood: summary.log_likelihood,
            aic: summary.aic,
            bic: summary.bic,
            evaluations,
        }
    }
}
