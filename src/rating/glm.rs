//! Generalised linear models with a log link, fitted by iteratively reweighted least squares.

use crate::error::{Error, Result};
use crate::numerics::special::ln_gamma;
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
}

impl GlmFamily {
    /// V(μ).
    fn variance(&self, mu: f64) -> f64 {
        match *self {
            Self::Poisson => mu,
            Self::Gamma => mu * mu,
            Self::Tweedie { power } => mu.powf(power),
        }
    }

    /// Unit deviance d(y, μ) (the deviance is Σ wᵢ d(yᵢ, μᵢ)).
    fn unit_deviance(&self, y: f64, m: f64) -> f64 {
        match *self {
            Self::Poisson => 2.0 * ((if y > 0.0 { y * (y / m).ln() } else { 0.0 }) - (y - m)),
            Self::Gamma => 2.0 * (-(y / m).ln() + (y - m) / m),
            Self::Tweedie { power: p } => {
                2.0 * (y.powf(2.0 - p) / ((1.0 - p) * (2.0 - p)) - y * m.powf(1.0 - p) / (1.0 - p)
                    + m.powf(2.0 - p) / (2.0 - p))
            }
        }
    }
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
    /// Dispersion φ (1 for Poisson).
    pub dispersion: f64,
    /// AIC = −2ℓ + 2p (Poisson only; `None` for Gamma).
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
/// `weights`. Converges when the deviance changes by < 1e-12 relative and every coefficient
/// by < 1e-10·(1 + |β|) (at most 100 IRLS steps). Errors name the offending row or column: negative or non-finite data, aliased
/// columns, a 0/1 column whose rows carry no claims (non-estimable level), non-convergence.
pub fn fit_glm(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<GlmFit> {
    let (n, p) = x.dim();
    if let GlmFamily::Tweedie { power } = family {
        crate::numerics::validate::rule(
            MODEL,
            "power",
            power,
            power > 1.0 && power < 2.0,
            "in the open interval (1, 2)",
        )?;
    }
    check_shape(x, y.len(), offset, weights)?;
    for (i, &v) in y.iter().enumerate() {
        let ok = v.is_finite()
            && if family == GlmFamily::Gamma {
                v > 0.0
            } else {
                v >= 0.0
            };
        if !ok {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "y (row)",
                index: i,
                value: v,
                rule: "finite and >= 0 (> 0 for Gamma)",
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
                    "column {j} is a level with no claims in any of its rows: its relativity is \
                     not estimable (merge it with another level)"
                ),
            });
        }
    }
    let w = |i: usize| weights.map_or(1.0, |w| w[i]);
    let off = |i: usize| offset.map_or(0.0, |o| o[i]);
    let ybar = y.iter().sum::<f64>() / n as f64;
    let mut mu: Vec<f64> = y.iter().map(|&v| (v + ybar) / 2.0).collect();
    let mut eta: Vec<f64> = mu.iter().map(|m| m.ln()).collect();
    let mut deviance = deviance_of(family, y, &mu, &w);
    let mut xtwx = Array2::<f64>::zeros((p, p));
    let mut previous = Array1::<f64>::from_elem(p, f64::INFINITY);
    for iteration in 1..=100 {
        // Working weights and response for the log link: W = w·μ²/V(μ), z = η − o + (y − μ)/μ.
        let ww: Vec<f64> = (0..n)
            .map(|i| w(i) * mu[i] * mu[i] / family.variance(mu[i]))
            .collect();
        let z: Vec<f64> = (0..n)
            .map(|i| eta[i] - off(i) + (y[i] - mu[i]) / mu[i])
            .collect();
        xtwx.fill(0.0);
        let mut xtwz = Array1::<f64>::zeros(p);
        for (i, row) in x.rows().into_iter().enumerate() {
            for a in 0..p {
                let ra = row[a] * ww[i];
                xtwz[a] += ra * z[i];
                for b in 0..=a {
                    xtwx[[a, b]] += ra * row[b];
                }
            }
        }
        let chol = cholesky(&xtwx)?;
        let beta = cholesky_solve(&chol, &xtwz);
        let lin = x.dot(&beta);
        for i in 0..n {
            eta[i] = lin[i] + off(i);
            mu[i] = eta[i].exp();
        }
        let new_dev = deviance_of(family, y, &mu, &w);
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
            let dispersion = match family {
                GlmFamily::Poisson => 1.0,
                _ => {
                    (0..n)
                        .map(|i| w(i) * (y[i] - mu[i]).powi(2) / family.variance(mu[i]))
                        .sum::<f64>()
                        / (n - p) as f64
                }
            };
            // Covariance from the information matrix at the final μ.
            xtwx.fill(0.0);
            for (i, row) in x.rows().into_iter().enumerate() {
                let wi = w(i) * mu[i] * mu[i] / family.variance(mu[i]);
                for a in 0..p {
                    for b in 0..=a {
                        xtwx[[a, b]] += row[a] * wi * row[b];
                    }
                }
            }
            let chol = cholesky(&xtwx)?;
            let std_errors = (0..p)
                .map(|j| {
                    let mut e = Array1::<f64>::zeros(p);
                    e[j] = 1.0;
                    (cholesky_solve(&chol, &e)[j] * dispersion).sqrt()
                })
                .collect();
            let aic = (family == GlmFamily::Poisson).then(|| {
                let ll: f64 = (0..n)
                    .map(|i| w(i) * (y[i] * mu[i].ln() - mu[i] - ln_gamma(y[i] + 1.0)))
                    .sum();
                -2.0 * ll + 2.0 * p as f64
            });
            return Ok(GlmFit {
                family,
                coefficients: beta.to_vec(),
                std_errors,
                deviance,
                dispersion,
                aic,
                iterations: iteration,
            });
        }
    }
    Err(Error::Inconsistent {
        model: MODEL,
        message: format!("IRLS did not converge in 100 iterations (deviance {deviance})"),
    })
}

fn deviance_of(family: GlmFamily, y: &[f64], mu: &[f64], w: &impl Fn(usize) -> f64) -> f64 {
    y.iter()
        .zip(mu)
        .enumerate()
        .map(|(i, (&y, &m))| w(i) * family.unit_deviance(y, m))
        .sum()
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
fn cholesky(a: &Array2<f64>) -> Result<Array2<f64>> {
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
                    "design column {j} is aliased (a linear combination of earlier columns, or \
                     all zero): drop it or merge levels"
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
