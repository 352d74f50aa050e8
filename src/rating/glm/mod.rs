//! Generalised linear models with a log link, fitted by iteratively reweighted least squares,
//! with the statistics a fitted model is reported with (log-likelihood, AIC/BIC, null
//! deviance, Pearson χ², covariance, Wald intervals and p-values).

mod checks;
mod family;
mod linalg;
mod nb2;

pub use family::GlmFamily;

use crate::error::{Error, Result};
use crate::numerics::cholesky_solve;
use crate::numerics::{normal_quantile, normal_survival, validate};
use linalg::{Design, cholesky, inverse};
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Glm";

/// Which information matrix the NB2 standard errors come from when α is estimated.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Information {
    /// The inverse observed information of (β, α) jointly (statsmodels' `NegativeBinomial`).
    #[default]
    Observed,
    /// β from the expected (Fisher) information XᵀWX with W = wμ/(1 + αμ), in which β and α
    /// are orthogonal; α from its own observed information (R `MASS::glm.nb`, whose θ = 1/α).
    Expected,
}

/// Fitting options beyond the data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GlmOptions {
    /// Information behind the NB2 standard errors when α is estimated. The other families
    /// always report the expected information at the IRLS solution, as statsmodels and R do.
    #[serde(default)]
    pub nb2_information: Information,
    /// IRLS iterations allowed (default 100).
    #[serde(default = "default_iterations")]
    pub max_iterations: usize,
}

fn default_iterations() -> usize {
    100
}

impl Default for GlmOptions {
    fn default() -> Self {
        Self {
            nb2_information: Information::Observed,
            max_iterations: default_iterations(),
        }
    }
}

/// A fitted GLM.
///
/// Log-likelihoods follow statsmodels (prior weights as `var_weights`; Gamma and Tweedie at
/// the estimated dispersion, Tweedie by its series density). AIC = −2ℓ + 2k and BIC = −2ℓ +
/// k ln n count k = the coefficients plus an estimated NB2 α, not the Gamma/Tweedie
/// dispersion (statsmodels' convention; R's `AIC` adds 2 for it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlmFit {
    /// Family fitted.
    pub family: GlmFamily,
    /// Coefficients β (log scale), one per design column.
    pub coefficients: Vec<f64>,
    /// Standard errors, the square roots of the covariance's diagonal.
    pub std_errors: Vec<f64>,
    /// Covariance matrix of β (rows of the p × p matrix): φ(XᵀWX)⁻¹, or the β block of the
    /// inverse NB2 information.
    pub covariance: Vec<Vec<f64>>,
    /// Deviance 2Σ wᵢ[ℓ(yᵢ; yᵢ) − ℓ(yᵢ; μᵢ)].
    pub deviance: f64,
    /// Deviance of the intercept-only model with the same offset and weights (at the fitted
    /// α for NB2); `None` if that fit failed.
    pub null_deviance: Option<f64>,
    /// Pearson χ² = Σ wᵢ(yᵢ − μᵢ)²/V(μᵢ).
    pub pearson_chi2: f64,
    /// Dispersion: φ for Gamma and Tweedie (Pearson χ²/(n − p)), 1 for Poisson, α for NB2.
    pub dispersion: f64,
    /// Standard error of the NB2 α when it was estimated.
    pub dispersion_std_error: Option<f64>,
    /// Log-likelihood ℓ at the fit.
    pub log_likelihood: f64,
    /// AIC = −2ℓ + 2k.
    pub aic: f64,
    /// BIC = −2ℓ + k ln n.
    pub bic: f64,
    /// Number of observations n.
    pub observations: usize,
    /// Residual degrees of freedom n − p.
    pub df_residual: usize,
    /// Information the standard errors come from (NB2 with α estimated; `Expected` otherwise).
    pub information: Information,
    /// IRLS iterations used.
    pub iterations: usize,
}

impl GlmFit {
    /// Relativities exp(β).
    pub fn relativities(&self) -> Vec<f64> {
        self.coefficients.iter().map(|b| b.exp()).collect()
    }

    /// Wald statistics β/se.
    pub fn z_values(&self) -> Vec<f64> {
        self.coefficients
            .iter()
            .zip(&self.std_errors)
            .map(|(b, s)| b / s)
            .collect()
    }

    /// Two-sided Wald p-values 2Φ(−|β/se|) (normal reference, as statsmodels' GLM and R's
    /// `glm` for Poisson; R uses t for estimated dispersions).
    pub fn p_values(&self) -> Vec<f64> {
        self.z_values()
            .iter()
            .map(|z| 2.0 * normal_survival(z.abs()))
            .collect()
    }

    /// Wald confidence intervals β ± z_{(1+level)/2} se on the log scale (exponentiate for
    /// relativities); `level` in (0, 1).
    pub fn confidence_intervals(&self, level: f64) -> Result<Vec<(f64, f64)>> {
        validate::open_probability(MODEL, "level", level)?;
        let z = normal_quantile((1.0 + level) / 2.0);
        Ok(self
            .coefficients
            .iter()
            .zip(&self.std_errors)
            .map(|(b, s)| (b - z * s, b + z * s))
            .collect())
    }

    /// Predicted means exp(xβ + offset) for the rows of `x`.
    pub fn predict(&self, x: ArrayView2<f64>, offset: Option<&[f64]>) -> Result<Vec<f64>> {
        checks::check_shape(x, x.nrows(), offset, None)?;
        if x.ncols() != self.coefficients.len() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "{} columns but the model has {} coefficients",
                    x.ncols(),
                    self.coefficients.len()
                ),
            });
        }
        let beta = Array1::from(self.coefficients.clone());
        Ok(x.dot(&beta)
            .iter()
            .enumerate()
            .map(|(i, e)| (e + offset.map_or(0.0, |o| o[i])).exp())
            .collect())
    }
}

/// Fits `family` to responses `y` on design `x` (rows = observations, include an intercept
/// column yourself) with optional `offset` (added to the linear predictor) and prior
/// `weights`, with default [`GlmOptions`]. IRLS converges when the deviance changes by < 1e-12
/// relative and every coefficient by < 1e-10·(1 + |β|); a step that raises the deviance or
/// makes it non-finite is halved (up to 30 times). For NB2 with α estimated, IRLS for β
/// alternates with Newton steps for α until both settle.
/// Errors name the offending row or column: negative or non-finite data, aliased columns, a
/// level whose rows carry no claims (an indicator column, or the base level of a set of
/// mutually exclusive indicator columns: the intercept would run to −∞), non-convergence.
///
/// ```
/// use kexian::rating::{fit_glm, GlmFamily};
/// use ndarray::array;
/// // Intercept and one 0/1 factor; exposure offsets.
/// let x = array![[1.0, 0.0], [1.0, 0.0], [1.0, 1.0], [1.0, 1.0]];
/// let claims = [1.0, 3.0, 4.0, 8.0];
/// let offset = [0.0_f64, 0.0, 2.0_f64.ln(), 2.0_f64.ln()];
/// let fit = fit_glm(GlmFamily::Poisson, x.view(), &claims, Some(&offset), None)?;
/// // Level 1 has 12 claims in 4 policy-years against 4 in 2: relativity 1.5.
/// assert!((fit.relativities()[1] - 1.5).abs() < 1e-10);
/// assert_eq!(fit.df_residual, 2);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn fit_glm(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<GlmFit> {
    fit_glm_with(family, x, y, offset, weights, &GlmOptions::default())
}

/// [`fit_glm`] with explicit [`GlmOptions`].
pub fn fit_glm_with(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    options: &GlmOptions,
) -> Result<GlmFit> {
    fit_glm_labelled(family, x, y, offset, weights, options, &|j| {
        format!("column {j}")
    })
}

/// [`fit_glm_with`] with design columns named by `label` in error messages.
pub(crate) fn fit_glm_labelled(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    options: &GlmOptions,
    label: &dyn Fn(usize) -> String,
) -> Result<GlmFit> {
    checks::check_inputs(family, x, y, offset, weights, label)?;
    if options.max_iterations == 0 {
        return Err(Error::InvalidParameter {
            model: MODEL,
            parameter: "max_iterations",
            value: 0.0,
            rule: ">= 1",
        });
    }
    let data = Data {
        x: Design::new(x),
        y,
        offset,
        weights,
        label,
        max_iterations: options.max_iterations,
    };
    match family {
        GlmFamily::NegativeBinomial { alpha: None } => nb2::fit(&data, options.nb2_information),
        _ => {
            let state = irls(family, &data)?;
            let info = data.information(family, &state.mu);
            let covariance = inverse(&info, 1.0);
            Ok(finish(family, &data, state, covariance, None))
        }
    }
}

/// The data of one fit.
struct Data<'a> {
    x: Design<'a>,
    y: &'a [f64],
    offset: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    label: &'a dyn Fn(usize) -> String,
    max_iterations: usize,
}

impl Data<'_> {
    fn w(&self, i: usize) -> f64 {
        self.weights.map_or(1.0, |w| w[i])
    }

    fn offset(&self, i: usize) -> f64 {
        self.offset.map_or(0.0, |o| o[i])
    }

    fn deviance(&self, family: GlmFamily, mu: &[f64]) -> f64 {
        (0..self.y.len())
            .map(|i| self.w(i) * family.unit_deviance(self.y[i], mu[i]))
            .sum()
    }

    /// IRLS weights wᵢ μᵢ²/V(μᵢ) of the log link.
    fn irls_weights(&self, family: GlmFamily, mu: &[f64]) -> Vec<f64> {
        mu.iter()
            .enumerate()
            .map(|(i, m)| self.w(i) * m * m / family.variance(*m))
            .collect()
    }

    /// XᵀWX with the IRLS weights (the expected information, up to φ).
    fn information(&self, family: GlmFamily, mu: &[f64]) -> Array2<f64> {
        self.x.gram(&self.irls_weights(family, mu))
    }

    /// Means exp(Xβ + offset).
    fn means(&self, beta: &Array1<f64>) -> Vec<f64> {
        self.x
            .dot(beta)
            .iter()
            .enumerate()
            .map(|(i, e)| (e + self.offset(i)).exp())
            .collect()
    }
}

/// Converged IRLS state.
struct Irls {
    beta: Array1<f64>,
    mu: Vec<f64>,
    deviance: f64,
    iterations: usize,
}

fn irls(family: GlmFamily, d: &Data) -> Result<Irls> {
    let n = d.y.len();
    let ybar = d.y.iter().sum::<f64>() / n as f64;
    let mut mu: Vec<f64> = d.y.iter().map(|&v| (v + ybar) / 2.0).collect();
    let mut deviance = d.deviance(family, &mu);
    let mut previous: Option<Array1<f64>> = None;
    for iteration in 1..=d.max_iterations {
        // Working response for the log link: z = η − o + (y − μ)/μ, weights W = w·μ²/V(μ).
        let weights = d.irls_weights(family, &mu);
        let wz: Vec<f64> = (0..n)
            .map(|i| weights[i] * (mu[i].ln() - d.offset(i) + (d.y[i] - mu[i]) / mu[i]))
            .collect();
        let chol = cholesky(&d.x.gram(&weights), d.label)?;
        let mut beta = cholesky_solve(&chol, &d.x.tdot(&wz));
        let mut new_mu = d.means(&beta);
        let mut new_dev = d.deviance(family, &new_mu);
        // Step-halving towards the previous coefficients while the deviance rises or is
        // not finite.
        let mut halvings = 0;
        if let Some(old) = &previous {
            while !(new_dev.is_finite() && new_dev <= deviance) && halvings < 30 {
                beta = (&beta + old) / 2.0;
                new_mu = d.means(&beta);
                new_dev = d.deviance(family, &new_mu);
                halvings += 1;
            }
        }
        if !new_dev.is_finite() {
            break;
        }
        // The deviance is flat at the optimum, so also require the coefficients to settle.
        let settled = previous.as_ref().is_some_and(|old| {
            beta.iter()
                .zip(old)
                .all(|(b, o)| (b - o).abs() <= 1e-10 * (1.0 + b.abs()))
        });
        // A halved step that leaves the deviance flat is also the end: Fisher scoring can
        // overshoot back and forth around the optimum of a non-canonical family. Flat as R's
        // glm.fit measures it, |Δ| ≤ ε(|D| + 0.1) (ε = 1e-12 here): a perfect fit's deviance
        // is rounding noise about 0, never flat relative to itself.
        let flat = (new_dev - deviance).abs() <= 1e-12 * (new_dev.abs() + 0.1);
        let converged = flat && (settled || halvings > 0);
        deviance = new_dev;
        mu = new_mu;
        if converged {
            return Ok(Irls {
                beta,
                mu,
                deviance,
                iterations: iteration,
            });
        }
        previous = Some(beta);
    }
    Err(Error::NotConverged {
        model: MODEL,
        reason: format!(
            "IRLS did not converge in {} iterations (deviance {deviance})",
            d.max_iterations
        ),
    })
}

/// Dispersion, likelihood statistics and standard errors at the converged state, from the
/// unscaled covariance (inverse information; multiplied by φ for Gamma and Tweedie).
/// `alpha_se` carries the NB2 α standard error when α was estimated.
fn finish(
    family: GlmFamily,
    d: &Data,
    state: Irls,
    unscaled: Array2<f64>,
    alpha: Option<(f64, Information)>,
) -> GlmFit {
    let (n, p) = d.x.view().dim();
    let Irls {
        beta,
        mu,
        deviance,
        iterations,
    } = state;
    let pearson_chi2: f64 = (0..n)
        .map(|i| d.w(i) * (d.y[i] - mu[i]).powi(2) / family.variance(mu[i]))
        .sum();
    let dispersion = match family {
        GlmFamily::Poisson => 1.0,
        GlmFamily::NegativeBinomial { alpha } => alpha.unwrap_or(0.0),
        _ => pearson_chi2 / (n - p) as f64,
    };
    let scale = if family.estimates_dispersion() {
        dispersion
    } else {
        1.0
    };
    let covariance = unscaled * scale;
    let std_errors = (0..p).map(|j| covariance[[j, j]].sqrt()).collect();
    let log_likelihood: f64 = (0..n)
        .map(|i| family.log_likelihood(d.y[i], mu[i], d.w(i), scale))
        .sum();
    let k = (p + usize::from(alpha.is_some())) as f64;
    let null_deviance = null_deviance(family, d);
    let (dispersion_std_error, information) = match alpha {
        Some((se, information)) => (Some(se), information),
        None => (None, Information::Expected),
    };
    GlmFit {
        family,
        coefficients: beta.to_vec(),
        std_errors,
        covariance: covariance.rows().into_iter().map(|r| r.to_vec()).collect(),
        deviance,
        null_deviance,
        pearson_chi2,
        dispersion,
        dispersion_std_error,
        log_likelihood,
        aic: -2.0 * log_likelihood + 2.0 * k,
        bic: -2.0 * log_likelihood + k * (n as f64).ln(),
        observations: n,
        df_residual: n - p,
        information,
        iterations,
    }
}

/// Deviance of the intercept-only fit with the same offset and weights.
fn null_deviance(family: GlmFamily, d: &Data) -> Option<f64> {
    let ones = Array2::<f64>::ones((d.y.len(), 1));
    let null = Data {
        x: Design::new(ones.view()),
        y: d.y,
        offset: d.offset,
        weights: d.weights,
        label: d.label,
        max_iterations: d.max_iterations,
    };
    irls(family, &null).ok().map(|s| s.deviance)
}
