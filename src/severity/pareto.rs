//! Pareto (type II, Lomax) severity — the *Loss Models* "Pareto".

use super::{Severity, family_params, numerical_limited_moment};
use crate::error::Result;
use crate::numerics::special::expm1_ratio;
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Pareto";

/// Pareto II / Lomax claim size with shape α and scale θ (*Loss Models* A.2.3.1).
///
/// ```text
/// S(x) = (θ/(x+θ))^α,  E[X^k] = θ^k k! / ((α−1)(α−2)…(α−k))  for k < α, else infinite
/// LEV(u) = θ/(α−1)·(1 − (θ/(u+θ))^(α−1))   (α ≠ 1);   θ·ln(1 + u/θ)   (α = 1)
/// ```
/// scipy: `lomax(c=α, scale=θ)`; R actuar: `dpareto(x, shape=α, scale=θ)`.
/// With α ≤ 1 the mean is infinite and [`Severity::mean`] is `None`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ParetoParams", into = "ParetoParams")]
#[doc(alias = "Lomax")]
#[doc(alias = "ParetoII")]
pub struct Pareto {
    alpha: f64,
    theta: f64,
}

family_params! {
    /// JSON parameters of [`Pareto`].
    ParetoParams for Pareto via Pareto::new {
        /// Tail index α > 0.
        alpha: f64,
        /// Scale θ > 0 (元).
        theta: f64,
    }
}

impl Pareto {
    /// Pareto II with tail index `alpha` > 0 and scale `theta` > 0 (元).
    pub fn new(alpha: f64, theta: f64) -> Result<Self> {
        validate::positive(MODEL, "alpha", alpha)?;
        validate::positive(MODEL, "theta", theta)?;
        Ok(Self { alpha, theta })
    }

    /// From mean (元) and CV (> 1 for a Pareto): α = 2cv²/(cv² − 1), θ = mean·(α − 1).
    pub fn from_mean_cv(mean: f64, cv: f64) -> Result<Self> {
        validate::positive(MODEL, "mean", mean)?;
        validate::rule(
            MODEL,
            "cv",
            cv,
            cv.is_finite() && cv > 1.0,
            "finite and > 1",
        )?;
        let alpha = 2.0 * cv * cv / (cv * cv - 1.0);
        Self::new(alpha, mean * (alpha - 1.0))
    }

    /// Tail index α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Scale θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// ln(1 + x/θ).
    fn log_ratio(&self, x: f64) -> f64 {
        (x / self.theta).ln_1p()
    }
}

impl Severity for Pareto {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-self.alpha * self.log_ratio(x)).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-self.alpha * self.log_ratio(x)).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x < 0.0 {
            return 0.0;
        }
        self.alpha / self.theta * (-(self.alpha + 1.0) * self.log_ratio(x)).exp()
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        self.theta * (-(-level).ln_1p() / self.alpha).exp_m1()
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        self.theta * (-prob.ln() / self.alpha).exp_m1()
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        if f64::from(k) >= self.alpha {
            return None;
        }
        Some(
            (1..=k)
                .map(|i| self.theta * f64::from(i) / (self.alpha - f64::from(i)))
                .product(),
        )
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if k != 1 || limit.is_nan() || limit < 0.0 {
            return numerical_limited_moment(self, k, limit);
        }
        self.theta * expm1_ratio(self.alpha - 1.0, self.log_ratio(limit))
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.theta * (e / self.alpha).exp_m1()
    }
}
