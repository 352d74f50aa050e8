//! Lognormal severity: ln X ~ Normal(μ, σ²).

use super::{Severity, family_params};
use crate::error::Result;
use crate::numerics::kernels::{self, CodePath, Normals};
use crate::numerics::normal::{ln_normal_cdf, quantile_from_tails};
use crate::numerics::validate;
use crate::numerics::{normal_cdf, normal_survival};
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};
use serde::{Deserialize, Serialize};

const MODEL: &str = "LogNormal";

/// Lognormal claim size, ln X ~ N(μ, σ²) (*Loss Models* A.4.1.1).
///
/// ```text
/// F(x) = Φ((ln x − μ)/σ),  E[X^k] = exp(kμ + k²σ²/2)
/// E[min(X,u)^k] = exp(kμ + k²σ²/2)·Φ((ln u − μ − kσ²)/σ) + u^k·(1 − F(u))
/// ```
/// scipy: `lognorm(s=σ, scale=exp(μ))`; R actuar: `dlnorm(x, meanlog=μ, sdlog=σ)`.
///
/// ```
/// use kexian::severity::{LogNormal, Severity};
/// // NetDiligence SME cyber incident: mean 175k元-equivalent, CV ≈ 4.8
/// let x = LogNormal::from_mean_cv(175_000.0, 4.8)?;
/// assert!((x.mean().unwrap() - 175_000.0).abs() < 1e-6);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LogNormalParams", into = "LogNormalParams")]
#[doc(alias = "lnorm")]
pub struct LogNormal {
    mu: f64,
    sigma: f64,
}

family_params! {
    /// JSON parameters of [`LogNormal`].
    LogNormalParams for LogNormal via LogNormal::new {
        /// Mean of ln X.
        mu: f64,
        /// Standard deviation of ln X, > 0.
        sigma: f64,
    }
}

impl LogNormal {
    /// Lognormal with log-mean `mu` (finite) and log-sd `sigma` (> 0).
    pub fn new(mu: f64, sigma: f64) -> Result<Self> {
        validate::finite(MODEL, "mu", mu)?;
        validate::positive(MODEL, "sigma", sigma)?;
        Ok(Self { mu, sigma })
    }

    /// From the mean (元, > 0) and coefficient of variation (> 0):
    /// σ² = ln(1 + cv²), μ = ln(mean) − σ²/2.
    pub fn from_mean_cv(mean: f64, cv: f64) -> Result<Self> {
        validate::positive(MODEL, "mean", mean)?;
        validate::positive(MODEL, "cv", cv)?;
        let s2 = (cv * cv).ln_1p();
        Self::new(mean.ln() - 0.5 * s2, s2.sqrt())
    }

    /// From a central interval: `low` and `high` are the (1 − coverage)/2 and (1 + coverage)/2
    /// quantiles (元, 0 < low < high), e.g. `coverage = 0.9` for a 5%–95% range.
    pub fn from_interval(low: f64, high: f64, coverage: f64) -> Result<Self> {
        validate::positive(MODEL, "low", low)?;
        validate::positive(MODEL, "high", high)?;
        validate::rule(MODEL, "high", high, high > low, "greater than `low`")?;
        validate::open_probability(MODEL, "coverage", coverage)?;
        let z = quantile_from_tails(0.5 + 0.5 * coverage, 0.5 - 0.5 * coverage);
        let (ll, lh) = (low.ln(), high.ln());
        Self::new(0.5 * (ll + lh), (lh - ll) / (2.0 * z))
    }

    /// Lognormal whose 5% and 95% quantiles are `low` and `high` (the "90% range" an expert
    /// gives).
    pub fn from_interval90(low: f64, high: f64) -> Result<Self> {
        Self::from_interval(low, high, 0.9)
    }

    /// Log-mean μ.
    pub fn mu(&self) -> f64 {
        self.mu
    }

    /// Log-standard deviation σ.
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    fn z(&self, x: f64) -> f64 {
        (x.ln() - self.mu) / self.sigma
    }
}

impl Severity for LogNormal {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 { 0.0 } else { normal_cdf(self.z(x)) }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            normal_survival(self.z(x))
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x <= 0.0 {
            return if x.is_nan() { f64::NAN } else { 0.0 };
        }
        let z = self.z(x);
        (-0.5 * z * z).exp() / (x * self.sigma * (2.0 * std::f64::consts::PI).sqrt())
    }

    fn quantile(&self, level: f64) -> f64 {
        (self.mu + self.sigma * quantile_from_tails(level, 0.5 - level + 0.5)).exp()
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        (self.mu + self.sigma * quantile_from_tails(0.5 - prob + 0.5, prob)).exp()
    }

    /// e^{kμ + k²σ²/2}; `None` when it exceeds the largest f64 (as an infinite moment would
    /// be), never ∞.
    fn raw_moment(&self, k: u32) -> Option<f64> {
        finite_exp(self.ln_raw_moment(k))
    }

    /// e^{2μ + σ²}(e^{σ²} − 1), computed in log space; `None` when beyond the largest f64.
    fn variance(&self) -> Option<f64> {
        let s2 = self.sigma * self.sigma;
        finite_exp(2.0 * self.mu + 2.0 * s2 + (-(-s2).exp()).ln_1p())
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        if limit == 0.0 {
            return if k == 0 { 1.0 } else { 0.0 };
        }
        if limit == f64::INFINITY {
            return self.raw_moment(k).unwrap_or(f64::INFINITY);
        }
        let kf = f64::from(k);
        let z = self.z(limit);
        // e^{kμ + k²σ²/2}·Φ(z − kσ) in log space: both factors under- and overflow for large σ
        // while their product is at most u^k.
        let below = (self.ln_raw_moment(k) + ln_normal_cdf(z - kf * self.sigma)).exp();
        below + limit.powi(k as i32) * normal_survival(z)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let z: f64 = StandardNormal.sample(rng);
        (self.mu + self.sigma * z).exp()
    }

    fn lognormal_parameters(&self) -> Option<(f64, f64)> {
        Some((self.mu, self.sigma))
    }

    /// exp(μ − σΦ⁻¹(s)).
    fn survival_draw(&self, s: f64) -> Option<f64> {
        Some(kernels::exp(
            self.mu - self.sigma * kernels::normal_quantile(s),
        ))
    }

    fn invertible(&self) -> bool {
        true
    }

    fn survival_draws(&self, s: &mut [f64], normals: &mut Normals, path: CodePath) -> bool {
        normals.quantiles(s, path);
        for x in s.iter_mut() {
            *x = self.mu - self.sigma * *x;
        }
        kernels::exp_all(s, path);
        true
    }
}

impl LogNormal {
    /// ln E[X^k] = kμ + k²σ²/2.
    fn ln_raw_moment(&self, k: u32) -> f64 {
        let k = f64::from(k);
        k * self.mu + 0.5 * k * k * self.sigma * self.sigma
    }
}

/// e^x when it is a finite f64, else `None`.
fn finite_exp(x: f64) -> Option<f64> {
    let v = x.exp();
    v.is_finite().then_some(v)
}
