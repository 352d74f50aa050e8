//! Generalised linear models with a log link, fitted by iteratively reweighted least squares.

use crate::error::{Error, Result};
use crate::numerics::special::ln_gamma;
use crate::numerics::validate;
use ndarray::{Array1, Array2, ArrayView2};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Glm";

/// Response distribution (all with the log link, so exp(β) are multiplicative relativities).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlmFamily {
    /// Claim counts: V(μ) = μ, dispersion 1. Use an offset of ln(exposure).
    Poisson,
    /// Claim severities: V(μ) = μ², dispersion estimated by Pearson χ²/(n − p). Use the claim
    /// counts as prior weights for average severities.
    Gamma,
    /// Pure premium (compound Poisson–gamma): V(μ) = μ^power with 1 < power < 2; zeros
    /// allowed; dispersion by Pearson χ²/(n − p). Use exposures as prior weights for loss
    /// per exposure.
    Tweedie {
        /// Variance power in (1, 2).
        power: f64,
    },
    /// Over-dispersed claim counts (NB2): V(μ) = μ + αμ². With `alpha: None` α is estimated
    /// jointly with β by maximum likelihood; with `Some(α)` it is held fixed. Counts must be
    /// whole numbers; use an offset of ln(exposure).
    NegativeBinomial {
        /// Fixed α > 0, or `None` to estimate it.
        alpha: Option<f64>,
    },
}

impl GlmFamily {
    /// V(μ).
    fn variance(&self, mu: f64) -> f64 {
        match *self {
            Self::Poisson => mu,
            Self::Gamma => mu * mu,
            Self::Tweedie { power } => mu.powf(power),
            Self::NegativeBinomial { alpha } => mu + alpha.unwrap_or(0.0) * mu * mu,
        }
    }

    /// Unit deviance d(y, μ) (the deviance is Σ wᵢ d(yᵢ, μᵢ)).
    pub(crate) fn unit_deviance(&self, y: f64, m: f64) -> f64 {
        match *self {
            Self::Poisson => 2.0 * ((if y > 0.0 { y * (y / m).ln() } else { 0.0 }) - (y - m)),
            Self::Gamma => 2.0 * (-(y / m).ln() + (y - m) / m),
            Self::Tweedie { power: p } => {
                2.0 * (y.powf(2.0 - p) / ((1.0 - p) * (2.0 - p)) - y * m.powf(1.0 - p) / (1.0 - p)
                    + m.powf(2.0 - p) / (2.0 - p))
            }
            Self::NegativeBinomial { alpha } => {
                let a = alpha.unwrap_or(0.0);
                let ylog = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
                2.0 * (ylog - (y + 1.0 / a) * ((a * y).ln_1p() - (a * m).ln_1p()))
            }
        }
    }

    /// Log-likelihood of one observation (Poisson and NB2 only).
    fn log_likelihood(&self, y: f64, m: f64) -> f64 {
        match *self {
            Self::NegativeBinomial { alpha: Some(a) } => nb2_log_likelihood(y, m, a),
            _ => y * m.ln() - m - ln_gamma(y + 1.0),
        }
    }
}

/// NB2 log-likelihood of a whole count y, written so that small α stays accurate:
/// ℓ = Σ_{k<y} ln(1 + αk) − (y + 1/α) ln(1 + αμ) + y ln μ − ln y!.
fn nb2_log_likelihood(y: f64, m: f64, a: f64) -> f64 {
    let head: f64 = (0..y as u64).map(|k| (a * k as f64).ln_1p()).sum();
    head - (y + 1.0 / a) * (a * m).ln_1p() + y * m.ln() - ln_gamma(y + 1.0)
}

/// First and second derivative in α of the NB2 log-likelihood of one observation.
fn nb2_alpha_derivatives(y: f64, m: f64, a: f64) -> (f64, f64) {
    let (mut d1, mut d2) = (0.0, 0.0);
    for k in 0..y as u64 {
        let t = k as f64 / (1.0 + a * k as f64);
        d1 += t;
        d2 -= t * t;
    }
    let l = (a * m).ln_1p();
    let q = m / (1.0 + a * m);
    d1 += l / (a * a) - (1.0 / a + y) * q;
    d2 += -2.0 * l / (a * a * a) + 2.0 * q / (a * a) + (1.0 / a + y) * q * q;
    (d1, d2)
}

/// A fitted GLM.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GlmFit {
    /// Family fitted.
    pub family: GlmFamily,
    /// Coefficients β (log scale), one per design column.
    pub coefficients: Vec<f64>,
    /// Standard errors √(φ·diag((XᵀWX)⁻¹)).
    pub std_errors: Vec<f64>,
    /// Deviance 2Σ wᵢ[ℓ(yᵢ; yᵢ) − ℓ(yᵢ; μᵢ)].
    pub deviance: f64,
    /// Dispersion: φ for Gamma and Tweedie (Pearson χ²/(n − p)), 1 for Poisson, α for NB2.
    pub dispersion: f64,
    /// Standard error of the NB2 α when it was estimated.
    pub dispersion_std_error: Option<f64>,
    /// AIC = −2ℓ + 2k, k = p (+ 1 for an estimated NB2 α); Poisson and NB2 only.
    pub aic: Option<f64>,
    /// IRLS iterations used.
    pub iterations: usize,
}

impl GlmFit {
    /// Relativities exp(β).
    pub fn relativities(&self) -> Vec<f64> {
        self.coefficients.iter().map(|b| b.exp()).collect()
    }

    /// Predicted means exp(xβ + offset) for the rows of `x`.
    pub fn predict(&self, x: ArrayView2<f64>, offset: Option<&[f64]>) -> Result<Vec<f64>> {
        check_shape(x, x.nrows(), offset, None)?;
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
/// `weights`. IRLS converges when the deviance changes by < 1e-12 relative and every
/// coefficient by < 1e-10·(1 + |β|) (at most 100 steps). For NB2 with α estimated, IRLS for β
/// alternates with Newton steps for α until both settle; the standard errors then come from
/// the inverse observed information of (β, α), as statsmodels' `NegativeBinomial` reports them.
/// Errors name the offending row or column: negative or non-finite data, aliased columns, a
/// 0/1 column whose rows carry no claims (non-estimable level), non-convergence.
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
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn fit_glm(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<GlmFit> {
    fit_glm_labelled(family, x, y, offset, weights, &|j| format!("column {j}"))
}

/// [`fit_glm`] with design columns named by `label` in error messages.
pub(crate) fn fit_glm_labelled(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    label: &dyn Fn(usize) -> String,
) -> Result<GlmFit> {
    check_inputs(family, x, y, offset, weights, label)?;
    let data = Data {
        x,
        y,
        offset,
        weights,
        label,
    };
    match family {
        GlmFamily::NegativeBinomial { alpha: None } => fit_nb2(&data),
        _ => {
            let state = irls(family, &data)?;
            Ok(finish(family, &data, state, None))
        }
    }
}

/// The data of one fit.
struct Data<'a> {
    x: ArrayView2<'a, f64>,
    y: &'a [f64],
    offset: Option<&'a [f64]>,
    weights: Option<&'a [f64]>,
    label: &'a dyn Fn(usize) -> String,
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

    /// Lower triangle of XᵀWX with W = wᵢ μᵢ²/V(μᵢ) (the expected information, up to φ).
    fn information(&self, family: GlmFamily, mu: &[f64]) -> Array2<f64> {
        let p = self.x.ncols();
        let mut xtwx = Array2::<f64>::zeros((p, p));
        for (i, row) in self.x.rows().into_iter().enumerate() {
            let wi = self.w(i) * mu[i] * mu[i] / family.variance(mu[i]);
            for a in 0..p {
                let ra = row[a] * wi;
                for b in 0..=a {
                    xtwx[[a, b]] += ra * row[b];
                }
            }
        }
        xtwx
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
    let (n, p) = d.x.dim();
    let ybar = d.y.iter().sum::<f64>() / n as f64;
    let mut mu: Vec<f64> = d.y.iter().map(|&v| (v + ybar) / 2.0).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut deviance = d.deviance(family, &mu);
    let mut previous = Array1::<f64>::from_elem(p, f64::INFINITY);
    for iteration in 1..=100 {
        // Working response for the log link: z = η − o + (y − μ)/μ, weights W = w·μ²/V(μ).
        let mut xtwz = Array1::<f64>::zeros(p);
        for (i, row) in d.x.rows().into_iter().enumerate() {
            let wi = d.w(i) * mu[i] * mu[i] / family.variance(mu[i]);
            let zi = eta[i] - d.offset(i) + (d.y[i] - mu[i]) / mu[i];
            xtwz.scaled_add(wi * zi, &row);
        }
        let beta = cholesky_solve(&cholesky(&d.information(family, &mu), d.label)?, &xtwz);
        let lin = d.x.dot(&beta);
        for i in 0..n {
            eta[i] = lin[i] + d.offset(i);
            mu[i] = eta[i].exp();
        }
        let new_dev = d.deviance(family, &mu);
        if !new_dev.is_finite() {
            break;
        }
        // The deviance is flat at the optimum, so also require the coefficients to settle.
        let settled = beta
            .iter()
            .zip(&previous)
            .all(|(b, o)| (b - o).abs() <= 1e-10 * (1.0 + b.abs()));
        let converged = settled && (new_dev - deviance).abs() <= 1e-12 * new_dev.abs().max(1e-300);
        deviance = new_dev;
        previous = beta.clone();
        if converged {
            return Ok(Irls {
                beta,
                mu,
                deviance,
                iterations: iteration,
            });
        }
    }
    Err(Error::Inconsistent {
        model: MODEL,
        message: format!("IRLS did not converge in 100 iterations (deviance {deviance})"),
    })
}

/// Standard errors, dispersion and AIC at the converged state. `alpha_se` carries the NB2
/// α standard error and the full-information covariance when α was estimated.
fn finish(family: GlmFamily, d: &Data, state: Irls, estimated: Option<(Vec<f64>, f64)>) -> GlmFit {
    let (n, p) = d.x.dim();
    let Irls {
        beta,
        mu,
        deviance,
        iterations,
    } = state;
    let dispersion = match family {
        GlmFamily::Poisson => 1.0,
        GlmFamily::NegativeBinomial { alpha } => alpha.unwrap_or(0.0),
        _ => {
            (0..n)
                .map(|i| d.w(i) * (d.y[i] - mu[i]).powi(2) / family.variance(mu[i]))
                .sum::<f64>()
                / (n - p) as f64
        }
    };
    let (std_errors, dispersion_std_error) = match estimated {
        Some((se, alpha_se)) => (se, Some(alpha_se)),
        None => {
            // The information matrix was factorised successfully during IRLS at a nearby μ.
            let scale = if matches!(family, GlmFamily::NegativeBinomial { .. }) {
                1.0
            } else {
                dispersion
            };
            (inverse_diagonal(&d.information(family, &mu), scale), None)
        }
    };
    let aic = matches!(
        family,
        GlmFamily::Poisson | GlmFamily::NegativeBinomial { .. }
    )
    .then(|| {
        let ll: f64 = (0..n)
            .map(|i| d.w(i) * family.log_likelihood(d.y[i], mu[i]))
            .sum();
        let k = p + usize::from(dispersion_std_error.is_some());
        -2.0 * ll + 2.0 * k as f64
    });
    GlmFit {
        family,
        coefficients: beta.to_vec(),
        std_errors,
        deviance,
        dispersion,
        dispersion_std_error,
        aic,
        iterations,
    }
}

/// √(scale · diag(A⁻¹)) for the symmetric positive definite A stored in its lower triangle;
/// NaN entries if A has become singular.
fn inverse_diagonal(a: &Array2<f64>, scale: f64) -> Vec<f64> {
    let p = a.nrows();
    match cholesky(a, &|_| String::new()) {
        Ok(chol) => (0..p)
            .map(|j| {
                let mut e = Array1::<f64>::zeros(p);
                e[j] = 1.0;
                (cholesky_solve(&chol, &e)[j] * scale).sqrt()
            })
            .collect(),
        Err(_) => vec![f64::NAN; p],
    }
}

/// NB2 with α estimated: alternate IRLS for β at fixed α with Newton steps for α at fixed μ
/// (β and α are orthogonal in expected information, so this converges quickly).
fn fit_nb2(d: &Data) -> Result<GlmFit> {
    let n = d.y.len();
    let poisson = irls(GlmFamily::Poisson, d)?;
    // Moment start: E[(y − μ)² − y] = αμ².
    let (num, den) = (0..n).fold((0.0, 0.0), |(a, b), i| {
        let m = poisson.mu[i];
        (
            a + d.w(i) * ((d.y[i] - m).powi(2) - d.y[i]),
            b + d.w(i) * m * m,
        )
    });
    let mut alpha = (num / den).clamp(0.01, 100.0);
    let mut iterations = poisson.iterations;
    for _ in 0..100 {
        let family = GlmFamily::NegativeBinomial { alpha: Some(alpha) };
        let state = irls(family, d)?;
        iterations += state.iterations;
        let previous = alpha;
        for _ in 0..100 {
            let (g, h) = (0..n).fold((0.0, 0.0), |(g, h), i| {
                let (d1, d2) = nb2_alpha_derivatives(d.y[i], state.mu[i], alpha);
                (g + d.w(i) * d1, h + d.w(i) * d2)
            });
            // Newton where ℓ is concave in α, otherwise uphill by a factor of two; each step
            // stays within a factor of four.
            let step = if h < 0.0 {
                -g / h
            } else if g > 0.0 {
                alpha
            } else {
                -alpha / 2.0
            };
            let next = (alpha + step).clamp(alpha / 4.0, alpha * 4.0);
            let done = (next - alpha).abs() <= 1e-13 * alpha;
            alpha = next;
            if done || alpha < 1e-8 {
                break;
            }
        }
        if alpha < 1e-8 {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "the counts are not over-dispersed (α̂ → 0): fit the Poisson family".into(),
            });
        }
        if (alpha - previous).abs() <= 1e-12 * alpha {
            let family = GlmFamily::NegativeBinomial { alpha: Some(alpha) };
            let state = irls(family, d)?;
            let (se, alpha_se) = nb2_observed_std_errors(d, &state.mu, alpha);
            let state = Irls {
                iterations: iterations + state.iterations,
                ..state
            };
            return Ok(finish(family, d, state, Some((se, alpha_se))));
        }
    }
    Err(Error::Inconsistent {
        model: MODEL,
        message: format!("NB2 dispersion did not converge in 100 rounds (α {alpha})"),
    })
}

/// Standard errors of β and α from the inverse observed information of the NB2 likelihood:
/// −∂²ℓ/∂η² = μ(1 + αy)/(1 + αμ)², −∂²ℓ/∂η∂α = μ(y − μ)/(1 + αμ)², −∂²ℓ/∂α² by
/// [`nb2_alpha_derivatives`].
fn nb2_observed_std_errors(d: &Data, mu: &[f64], alpha: f64) -> (Vec<f64>, f64) {
    let p = d.x.ncols();
    let mut info = Array2::<f64>::zeros((p + 1, p + 1));
    for (i, row) in d.x.rows().into_iter().enumerate() {
        let (y, m, w) = (d.y[i], mu[i], d.w(i));
        let q = (1.0 + alpha * m).powi(2);
        let ee = w * m * (1.0 + alpha * y) / q;
        let ea = w * m * (y - m) / q;
        for a in 0..p {
            for b in 0..=a {
                info[[a, b]] += row[a] * ee * row[b];
            }
            info[[p, a]] += row[a] * ea;
        }
        info[[p, p]] -= w * nb2_alpha_derivatives(y, m, alpha).1;
    }
    let mut se = inverse_diagonal(&info, 1.0);
    let alpha_se = se.pop().unwrap_or(f64::NAN);
    (se, alpha_se)
}

/// Validates everything `fit_glm` is given, naming the row, column or parameter at fault.
fn check_inputs(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    label: &dyn Fn(usize) -> String,
) -> Result<()> {
    let (n, p) = x.dim();
    match family {
        GlmFamily::Tweedie { power } => {
            let open = power > 1.0 && power < 2.0;
            validate::rule(MODEL, "power", power, open, "in the open interval (1, 2)")?;
        }
        GlmFamily::NegativeBinomial { alpha: Some(a) } => {
            validate::positive(MODEL, "alpha", a)?;
        }
        _ => {}
    }
    check_shape(x, y.len(), offset, weights)?;
    let counts = matches!(family, GlmFamily::NegativeBinomial { .. });
    for (i, &v) in y.iter().enumerate() {
        let ok = v.is_finite()
            && match family {
                GlmFamily::Gamma => v > 0.0,
                _ if counts => v >= 0.0 && v.fract() == 0.0,
                _ => v >= 0.0,
            };
        if !ok {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "y (row)",
                index: i,
                value: v,
                rule: "finite and >= 0 (> 0 for Gamma, whole counts for NegativeBinomial)",
            });
        }
    }
    if n <= p {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!("{n} rows for {p} coefficients: need more rows than columns"),
        });
    }
    // A 0/1 column whose rows all have y = 0 drives its coefficient to −∞.
    for j in 0..p {
        let col = x.column(j);
        let indicator = col.iter().all(|&v| v == 0.0 || v == 1.0) && col.iter().any(|&v| v == 0.0);
        if indicator
            && col
                .iter()
                .zip(y)
                .filter(|(c, _)| **c == 1.0)
                .all(|(_, yv)| *yv == 0.0)
        {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "{} is a level with no claims in any of its rows: its relativity is \
                     not estimable (merge it with another level)",
                    label(j)
                ),
            });
        }
    }
    Ok(())
}

fn check_shape(
    x: ArrayView2<f64>,
    n: usize,
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<()> {
    let rows = x.nrows();
    for (name, len) in [
        ("y", Some(n)),
        ("offset", offset.map(<[f64]>::len)),
        ("weights", weights.map(<[f64]>::len)),
    ] {
        if let Some(len) = len.filter(|&l| l != rows) {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!("{name} has {len} entries but the design has {rows} rows"),
            });
        }
    }
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(&v) = row.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "x (row)",
                index: i,
                value: v,
                rule: "finite",
            });
        }
    }
    for (name, values, positive) in [("offset", offset, false), ("weights", weights, true)] {
        if let Some((i, &v)) = values.and_then(|v| {
            v.iter()
                .enumerate()
                .find(|(_, v)| !v.is_finite() || (positive && **v <= 0.0))
        }) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: if name == "offset" {
                    "offset (row)"
                } else {
                    "weights (row)"
                },
                index: i,
                value: v,
                rule: if positive { "finite and > 0" } else { "finite" },
            });
        }
    }
    Ok(())
}

/// Lower Cholesky factor of the symmetric matrix whose lower triangle is in `a`; errors on a
/// (numerically) singular matrix, naming the first aliased column.
fn cholesky(a: &Array2<f64>, label: &dyn Fn(usize) -> String) -> Result<Array2<f64>> {
    let p = a.nrows();
    let mut l = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.is_nan() || d <= 1e-10 * a[[j, j]].abs().max(f64::MIN_POSITIVE) {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "design {} is aliased (a linear combination of earlier columns, or \
                     all zero): drop it or merge levels",
                    label(j)
                ),
            });
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in j + 1..p {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / djj;
        }
    }
    Ok(l)
}

/// Solves L Lᵀ x = b.
fn cholesky_solve(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let p = l.nrows();
    let mut y = b.clone();
    for i in 0..p {
        for k in 0..i {
            y[i] -= l[[i, k]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    for i in (0..p).rev() {
        for k in i + 1..p {
            y[i] -= l[[k, i]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    y
}
