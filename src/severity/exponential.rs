//! Exponential severity.

use super::{Severity, family_params};
use crate::error::Result;
use crate::numerics::kernels;
use crate::numerics::special::gamma_p;
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Exponential";

/// Exponential claim size with mean θ (*Loss Models* A.3.3.1).
///
/// ```text
/// F(x) = 1 − e^(−x/θ),  E[X^k] = θ^k k!,  LEV(u) = θ(1 − e^(−u/θ))
/// ```
/// scipy: `expon(scale=θ)`; R actuar/stats: `dexp(x, rate=1/θ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ExponentialParams", into = "ExponentialParams")]
pub struct Exponential {
    theta: f64,
}

family_params! {
    /// JSON parameters of [`Exponential`].
    ExponentialParams for Exponential via Exponential::new {
        /// Mean θ > 0 (元).
        theta: f64,
    }
}

impl Exponential {
    /// Exponential with mean `theta` > 0 (元).
    pub fn new(theta: f64) -> Result<Self> {
        validate::positive(MODEL, "theta", theta)?;
        Ok(Self { theta })
    }

    /// Exponential with `rate` λ = 1/θ > 0 (per 元).
    pub fn from_rate(rate: f64) -> Result<Self> {
        validate::positive(MODEL, "rate", rate)?;
        Self::new(1.0 / rate)
    }

    /// Mean θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }
}

impl Severity for Exponential {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-x / self.theta).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-x / self.theta).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x < 0.0 {
            0.0
        } else {
            (-x / self.theta).exp() / self.theta
        }
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        -self.theta * (-level).ln_1p()
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        -self.theta * prob.ln()
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        Some((1..=k).map(|i| f64::from(i) * self.theta).product())
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        let m: f64 = (1..=k).map(|i| f64::from(i) * self.theta).product();
        if limit == f64::INFINITY {
            return m;
        }
        m * gamma_p(f64::from(k) + 1.0, limit / self.theta)
            + limit.powi(k as i32) * self.survival(limit)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.theta * e
    }

    /// −θ·ln(s).
    fn survival_draw(&self, s: f64) -> Option<f64> {
        Some(-self.theta * kernels::ln(s))
    }

    fn invertible(&self) -> bool {
        true
    }
}
