//! Gamma severity.

use super::{Severity, family_params, numerical_inverse_survival, numerical_quantile};
use crate::error::Result;
use crate::numerics::normal_quantile;
use crate::numerics::special::{gamma_p, gamma_q, ln_gamma};
use crate::numerics::validate;
use rand::Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

const MODEL: &str = "Gamma";

/// Gamma claim size with shape α and scale θ (*Loss Models* A.3.2.1).
///
/// ```text
/// f(x) = x^(α−1) e^(−x/θ) / (Γ(α) θ^α),  F(x) = P(α, x/θ)  (regularized incomplete gamma)
/// E[X^k] = θ^k Γ(α+k)/Γ(α)
/// E[min(X,u)^k] = θ^k Γ(α+k)/Γ(α)·P(α+k, u/θ) + u^k·(1 − P(α, u/θ))
/// ```
/// scipy: `gamma(a=α, scale=θ)`; R actuar: `dgamma(x, shape=α, scale=θ)`.
/// The quantile is solved by safeguarded Newton iteration (accurate also far in the tails).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GammaParams", into = "GammaParams")]
pub struct Gamma {
    alpha: f64,
    theta: f64,
    sampler: rand_distr::Gamma<f64>,
}

family_params! {
    /// JSON parameters of [`Gamma`].
    GammaParams for Gamma via Gamma::from_shape_scale {
        /// Shape α > 0.
        alpha: f64,
        /// Scale θ > 0 (元).
        theta: f64,
    }
}

impl Gamma {
    /// Gamma with shape `alpha` > 0 and scale `theta` > 0 (元).
    pub fn from_shape_scale(alpha: f64, theta: f64) -> Result<Self> {
        validate::positive(MODEL, "alpha", alpha)?;
        validate::positive(MODEL, "theta", theta)?;
        let sampler =
            rand_distr::Gamma::new(alpha, theta).map_err(|_| crate::Error::InvalidParameter {
                model: MODEL,
                parameter: "alpha",
                value: alpha,
                rule: "representable by the sampler",
            })?;
        Ok(Self {
            alpha,
            theta,
            sampler,
        })
    }

    /// From mean (元, > 0) and coefficient of variation (> 0): α = 1/cv², θ = mean·cv².
    pub fn from_mean_cv(mean: f64, cv: f64) -> Result<Self> {
        validate::positive(MODEL, "mean", mean)?;
        validate::positive(MODEL, "cv", cv)?;
        Self::from_shape_scale(1.0 / (cv * cv), mean * cv * cv)
    }

    /// Shape α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Scale θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// Starting point for Newton: Wilson–Hilferty, or the small-x power law near 0.
    fn guess(&self, level: f64) -> f64 {
        let a = self.alpha;
        let z = normal_quantile(level);
        let c = 1.0 - 1.0 / (9.0 * a) + z / (3.0 * a.sqrt());
        let small = (level.ln() + ln_gamma(a + 1.0)) / a;
        if c > 0.0 && level > 0.05 {
            a * self.theta * c * c * c
        } else {
            self.theta * small.exp()
        }
    }

    /// Γ(α+k)/Γ(α) = α(α+1)…(α+k−1).
    fn rising(&self, k: u32) -> f64 {
        (0..k).map(|i| self.alpha + f64::from(i)).product()
    }
}

impl Severity for Gamma {
    fn cdf(&self, x: f64) -> f64 {
        gamma_p(self.alpha, x / self.theta)
    }

    fn survival(&self, x: f64) -> f64 {
        gamma_q(self.alpha, x / self.theta)
    }

    fn density(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if x < 0.0 || (x == 0.0 && self.alpha > 1.0) {
            return 0.0;
        }
        let (a, t) = (self.alpha, self.theta);
        ((a - 1.0) * x.ln() - x / t - ln_gamma(a) - a * t.ln()).exp()
    }

    fn quantile(&self, level: f64) -> f64 {
        match level {
            l if !(0.0..=1.0).contains(&l) => f64::NAN,
            0.0 => 0.0,
            1.0 => f64::INFINITY,
            l => numerical_quantile(self, l, 0.0, self.guess(l)),
        }
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        match prob {
            p if !(0.0..=1.0).contains(&p) => f64::NAN,
            0.0 => f64::INFINITY,
            1.0 => 0.0,
            p if p >= 0.5 => self.quantile(0.5 - p + 0.5),
            p => numerical_inverse_survival(self, p, 0.0, self.guess(0.5 - p + 0.5)),
        }
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        Some(self.theta.powi(k as i32) * self.rising(k))
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        let m = self.theta.powi(k as i32) * self.rising(k);
        if limit == f64::INFINITY {
            return m;
        }
        let y = limit / self.theta;
        m * gamma_p(self.alpha + f64::from(k), y) + limit.powi(k as i32) * gamma_q(self.alpha, y)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sampler.sample(rng)
    }
}
