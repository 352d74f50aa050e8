//! Dependence between lines or sectors: copulas and the rank reordering that imposes them on
//! independently simulated trials.
//!
//! Pipeline position: `aggregate → dependence → perils/portfolio`. A [`Copula`] samples
//! uniform vectors; [`reorder`] permutes each group's simulated trials so that their ranks
//! follow the copula's (Iman & Conover 1982 style, with exact copula ranks), which keeps every
//! group's marginal distribution and every policy's own draws intact.

use crate::error::{Error, Result};
use crate::numerics::normal_cdf;
use crate::numerics::special::beta_reg;
use rand::{Rng, RngExt};
use rand_distr::{Distribution, Exp1, Gamma, StandardNormal};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Copula";

/// A d-dimensional copula.
///
/// | copula | Kendall's τ | tail dependence (lower, upper) |
/// | --- | --- | --- |
/// | Gaussian(ρ) | (2/π) arcsin ρ | (0, 0) |
/// | Student-t(ρ, ν) | (2/π) arcsin ρ | 2 t_{ν+1}(−√((ν+1)(1−ρ)/(1+ρ))), both |
/// | Clayton(θ > 0) | θ/(θ + 2) | (2^{−1/θ}, 0) |
/// | Gumbel(θ ≥ 1) | 1 − 1/θ | (0, 2 − 2^{1/θ}) |
///
/// Clayton and Gumbel are exchangeable (one θ for every pair), sampled by the Marshall–Olkin
/// frailty method; Gumbel's positive-stable frailty by Kanter's representation.
///
/// ```
/// use kexian::dependence::Copula;
/// let c: Copula = serde_json::from_str(r#"{"type": "clayton", "theta": 2.0, "dimension": 3}"#)?;
/// assert!((c.kendall_tau(0, 1) - 0.5).abs() < 1e-15);
/// assert!((c.tail_dependence(0, 1).0 - 2f64.powf(-0.5)).abs() < 1e-15);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "CopulaSpec", into = "CopulaSpec")]
pub struct Copula {
    spec: CopulaSpec,
    /// Lower Cholesky factor of the correlation matrix (elliptical copulas).
    chol: Vec<Vec<f64>>,
}

/// JSON form of a [`Copula`] (tag `type`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum CopulaSpec {
    /// Independent uniforms.
    Independent {
        /// Dimension d ≥ 1.
        dimension: usize,
    },
    /// Gaussian copula with a correlation matrix (symmetric, unit diagonal, positive definite).
    Gaussian {
        /// Correlation matrix, row by row.
        correlation: Vec<Vec<f64>>,
    },
    /// Student-t copula.
    StudentT {
        /// Correlation matrix, row by row.
        correlation: Vec<Vec<f64>>,
        /// Degrees of freedom ν > 0.
        dof: f64,
    },
    /// Clayton copula (lower-tail dependence).
    Clayton {
        /// θ > 0.
        theta: f64,
        /// Dimension d ≥ 2.
        dimension: usize,
    },
    /// Gumbel copula (upper-tail dependence).
    Gumbel {
        /// θ ≥ 1 (1 = independence).
        theta: f64,
        /// Dimension d ≥ 2.
        dimension: usize,
    },
}

impl TryFrom<CopulaSpec> for Copula {
    type Error = Error;
    fn try_from(spec: CopulaSpec) -> Result<Self> {
        Self::new(spec)
    }
}

impl From<Copula> for CopulaSpec {
    fn from(c: Copula) -> Self {
        c.spec
    }
}

impl Copula {
    /// Validates `spec` (correlation matrices must be positive definite).
    pub fn new(spec: CopulaSpec) -> Result<Self> {
        let invalid = |parameter: &'static str, value: f64, rule: &'static str| {
            Err(Error::InvalidParameter {
                model: MODEL,
                parameter,
                value,
                rule,
            })
        };
        let chol = match &spec {
            CopulaSpec::Independent { dimension } => {
                if *dimension == 0 {
                    return invalid("dimension", 0.0, ">= 1");
                }
                vec![]
            }
            CopulaSpec::Gaussian { correlation } => cholesky(correlation)?,
            CopulaSpec::StudentT { correlation, dof } => {
                if !(dof.is_finite() && *dof > 0.0) {
                    return invalid("dof", *dof, "finite and > 0");
                }
                cholesky(correlation)?
            }
            CopulaSpec::Clayton { theta, dimension } => {
                if !(theta.is_finite() && *theta > 0.0) {
                    return invalid("theta", *theta, "finite and > 0");
                }
                if *dimension < 2 {
                    return invalid("dimension", *dimension as f64, ">= 2");
                }
                vec![]
            }
            CopulaSpec::Gumbel { theta, dimension } => {
                if !(theta.is_finite() && *theta >= 1.0) {
                    return invalid("theta", *theta, "finite and >= 1");
                }
                if *dimension < 2 {
                    return invalid("dimension", *dimension as f64, ">= 2");
                }
                vec![]
            }
        };
        Ok(Self { spec, chol })
    }

    /// The specification.
    pub fn spec(&self) -> &CopulaSpec {
        &self.spec
    }

    /// Dimension d.
    pub fn dimension(&self) -> usize {
        match &self.spec {
            CopulaSpec::Independent { dimension }
            | CopulaSpec::Clayton { dimension, .. }
            | CopulaSpec::Gumbel { dimension, .. } => *dimension,
            CopulaSpec::Gaussian { correlation } | CopulaSpec::StudentT { correlation, .. } => {
                correlation.len()
            }
        }
    }

    /// Fills `u` with one draw: its first d entries (NaN beyond the copula's dimension d).
    pub fn sample<R: Rng + ?Sized>(&self, rng: &mut R, u: &mut [f64]) {
        let dim = self.dimension();
        if u.len() > dim {
            u[dim..].fill(f64::NAN);
        }
        let len = u.len().min(dim);
        let u = &mut u[..len];
        let d = len;
        match &self.spec {
            CopulaSpec::Independent { .. } => u.iter_mut().for_each(|x| *x = rng.random()),
            CopulaSpec::Gaussian { .. } => {
                self.correlated_normals(rng, u);
                u.iter_mut().for_each(|x| *x = normal_cdf(*x));
            }
            CopulaSpec::StudentT { dof, .. } => {
                self.correlated_normals(rng, u);
                let w: f64 = Gamma::new(dof / 2.0, 2.0)
                    .map(|g| g.sample(rng))
                    .unwrap_or(f64::NAN);
                let scale = (dof / w).sqrt();
                u.iter_mut()
                    .for_each(|x| *x = student_t_cdf(*x * scale, *dof));
            }
            CopulaSpec::Clayton { theta, .. } => {
                // V ~ Gamma(1/θ, 1), U_i = (1 + E_i/V)^(−1/θ).
                let v: f64 = Gamma::new(1.0 / theta, 1.0)
                    .map(|g| g.sample(rng))
                    .unwrap_or(f64::NAN);
                for x in u.iter_mut().take(d) {
                    let e: f64 = rng.sample(Exp1);
                    *x = (1.0 + e / v).powf(-1.0 / theta);
                }
            }
            CopulaSpec::Gumbel { theta, .. } => {
                // V positive stable with E[exp(−tV)] = exp(−t^α), α = 1/θ (Kanter 1975);
                // U_i = exp(−(E_i/V)^α).
                let alpha = 1.0 / theta;
                let v = if alpha >= 1.0 {
                    1.0
                } else {
                    let t = std::f64::consts::PI * rng.random::<f64>();
                    let e: f64 = rng.sample(Exp1);
                    ((alpha * t).sin() / t.sin().powf(1.0 / alpha))
                        * (((1.0 - alpha) * t).sin() / e).powf((1.0 - alpha) / alpha)
                };
                for x in u.iter_mut().take(d) {
                    let e: f64 = rng.sample(Exp1);
                    *x = (-(e / v).powf(alpha)).exp();
                }
            }
        }
    }

    fn correlated_normals<R: Rng + ?Sized>(&self, rng: &mut R, out: &mut [f64]) {
        let z: Vec<f64> = (0..out.len()).map(|_| rng.sample(StandardNormal)).collect();
        for (i, o) in out.iter_mut().enumerate() {
            *o = self.chol[i][..=i].iter().zip(&z).map(|(l, z)| l * z).sum();
        }
    }

    fn rho(&self, i: usize, j: usize) -> f64 {
        match &self.spec {
            CopulaSpec::Gaussian { correlation } | CopulaSpec::StudentT { correlation, .. } => {
                correlation[i][j]
            }
            _ => 0.0,
        }
    }

    /// Kendall's τ between margins i and j (i ≠ j).
    pub fn kendall_tau(&self, i: usize, j: usize) -> f64 {
        match &self.spec {
            CopulaSpec::Independent { .. } => 0.0,
            CopulaSpec::Gaussian { .. } | CopulaSpec::StudentT { .. } => {
                2.0 / std::f64::consts::PI * self.rho(i, j).asin()
            }
            CopulaSpec::Clayton { theta, .. } => theta / (theta + 2.0),
            CopulaSpec::Gumbel { theta, .. } => 1.0 - 1.0 / theta,
        }
    }

    /// (lower, upper) tail-dependence coefficients between margins i and j (i ≠ j).
    pub fn tail_dependence(&self, i: usize, j: usize) -> (f64, f64) {
        match &self.spec {
            CopulaSpec::Independent { .. } | CopulaSpec::Gaussian { .. } => (0.0, 0.0),
            CopulaSpec::StudentT { dof, .. } => {
                let r = self.rho(i, j);
                let t = -((dof + 1.0) * (1.0 - r) / (1.0 + r)).sqrt();
                let l = 2.0 * student_t_cdf(t, dof + 1.0);
                (l, l)
            }
            CopulaSpec::Clayton { theta, .. } => (2f64.powf(-1.0 / theta), 0.0),
            CopulaSpec::Gumbel { theta, .. } => (0.0, 2.0 - 2f64.powf(1.0 / theta)),
        }
    }
}

/// Student-t cdf with ν degrees of freedom: 1 − ½ I_{ν/(ν+t²)}(ν/2, ½) for t > 0.
pub(crate) fn student_t_cdf(t: f64, dof: f64) -> f64 {
    if t.is_nan() {
        return f64::NAN;
    }
    let tail = 0.5 * beta_reg(dof / 2.0, 0.5, dof / (dof + t * t));
    if t > 0.0 { 1.0 - tail } else { tail }
}

fn cholesky(c: &[Vec<f64>]) -> Result<Vec<Vec<f64>>> {
    let d = c.len();
    let bad = |message: String| {
        Err(Error::Inconsistent {
            model: MODEL,
            message,
        })
    };
    if d == 0 {
        return bad("the correlation matrix is empty".into());
    }
    for (i, row) in c.iter().enumerate() {
        if row.len() != d {
            return bad(format!(
                "correlation row {i} has {} entries, expected {d}",
                row.len()
            ));
        }
        for (j, &v) in row.iter().enumerate() {
            let ok = v.is_finite() && (-1.0..=1.0).contains(&v) && v == c[j][i];
            if !ok || (i == j && v != 1.0) {
                return bad(format!(
                    "correlation[{i}][{j}] = {v}: the matrix must be symmetric with unit \
                     diagonal and entries in [-1, 1]"
                ));
            }
        }
    }
    let matrix = ndarray::Array2::from_shape_fn((d, d), |(i, j)| c[i][j]);
    match crate::numerics::cholesky(&matrix, |_| 1e-12) {
        Ok(l) => Ok(l.rows().into_iter().map(|r| r.to_vec()).collect()),
        Err((j, s)) => bad(format!(
            "the correlation matrix is not positive definite (pivot {j} = {s:.3e})"
        )),
    }
}

/// Reorders the trials of each group so that their ranks follow `copula`: `values[g]` (one
/// loss per trial, all groups the same length, `copula.dimension()` groups) are permuted in
/// place, and the permutation applied is returned (`perm[g][original trial] = new trial`).
/// Ties in a group's losses keep trial order; draws come from `rng`, so the result is
/// deterministic for a given generator.
pub fn reorder<R: Rng + ?Sized>(
    values: &mut [Vec<f64>],
    copula: &Copula,
    rng: &mut R,
) -> Result<Vec<Vec<u32>>> {
    let d = copula.dimension();
    if values.len() != d {
        return Err(Error::LengthMismatch {
            model: MODEL,
            what: "the copula's dimensions and the groups".into(),
            lengths: (d, values.len()),
        });
    }
    let n = values.first().map_or(0, Vec::len);
    if values.iter().any(|v| v.len() != n) || n > u32::MAX as usize {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: "every group needs the same number of trials (< 2^32)".into(),
        });
    }
    // Draws trial by trial: u[t·d + g].
    let mut u = vec![0.0; n * d];
    for row in u.chunks_mut(d) {
        copula.sample(rng, row);
    }
    let mut perms = Vec::with_capacity(d);
    for (g, v) in values.iter_mut().enumerate() {
        // The k-th smallest loss goes to the trial holding the k-th smallest copula draw.
        let mut by_loss: Vec<u32> = (0..n as u32).collect();
        by_loss.sort_by(|&a, &b| v[a as usize].total_cmp(&v[b as usize]).then(a.cmp(&b)));
        let mut by_u: Vec<u32> = (0..n as u32).collect();
        by_u.sort_by(|&a, &b| {
            u[a as usize * d + g]
                .total_cmp(&u[b as usize * d + g])
                .then(a.cmp(&b))
        });
        let mut perm = vec![0u32; n];
        let mut out = vec![0.0; n];
        for k in 0..n {
            perm[by_loss[k] as usize] = by_u[k];
            out[by_u[k] as usize] = v[by_loss[k] as usize];
        }
        *v = out;
        perms.push(perm);
    }
    Ok(perms)
}
