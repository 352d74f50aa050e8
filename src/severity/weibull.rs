//! Weibull severity.

use super::{Severity, family_params};
use crate::error::Result;
use crate::numerics::special::{gamma_p, ln_gamma};
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Weibull";

/// Weibull claim size with shape τ and scale θ (*Loss Models* A.3.2.3).
///
/// ```text
/// F(x) = 1 − exp(−(x/θ)^τ),  E[X^k] = θ^k Γ(1 + k/τ)
/// E[min(X,u)^k] = θ^k Γ(1 + k/τ)·P(1 + k/τ, (u/θ)^τ) + u^k·exp(−(u/θ)^τ)
/// ```
/// scipy: `weibull_min(c=τ, scale=θ)`; R actuar/stats: `dweibull(x, shape=τ, scale=θ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "WeibullParams", into = "WeibullParams")]
pub struct Weibull {
    tau: f64,
    theta: f64,
}

family_params! {
    /// JSON parameters of [`Weibull`].
    WeibullParams for Weibull via Weibull::new {
        /// Shape τ > 0 (τ < 1: heavier than exponential).
        tau: f64,
        /// Scale θ > 0 (元).
        theta: f64,
    }
}

impl Weibull {
    /// Weibull with shape `tau` > 0 and scale `theta` > 0 (元).
    pub fn new(tau: f64, theta: f64) -> Result<Self> {
        validate::positive(MODEL, "tau", tau)?;
        validate::positive(MODEL, "theta", theta)?;
        Ok(Self { tau, theta })
    }

    /// Shape τ.
    pub fn tau(&self) -> f64 {
        self.tau
    }

    /// Scale θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// (x/θ)^τ, the cumulative hazard.
    fn hazard(&self, x: f64) -> f64 {
        (x / self.theta).powf(self.tau)
    }

    fn moment(&self, k: u32) -> f64 {
        let kf = f64::from(k);
        (kf * self.theta.ln() + ln_gamma(1.0 + kf / self.tau)).exp()
    }
}

impl Severity for Weibull {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-self.hazard(x)).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-self.hazard(x)).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if x < 0.0 {
            return 0.0;
        }
        let h = self.hazard(x);
        if x == 0.0 {
            return match self.tau {
                t if t < 1.0 => f64::INFINITY,
                1.0 => 1.0 / self.theta,
                _ => 0.0,
            };
        }
        self.tau * h * (-h).exp() / x
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        self.theta * (-(-level).ln_1p()).powf(1.0 / self.tau)
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        self.theta * (-prob.ln()).powf(1.0 / self.tau)
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        Some(self.moment(k))
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        let m = self.moment(k);
        if limit == f64::INFINITY {
            return m;
        }
        let h = self.hazard(limit);
        m * gamma_p(1.0 + f64::from(k) / self.tau, h) + limit.powi(k as i32) * (-h).exp()
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.theta * e.powf(1.0 / self.tau)
    }
}
