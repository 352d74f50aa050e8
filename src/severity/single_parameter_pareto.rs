//! Single-parameter Pareto severity (support above a known threshold θ).

use super::{Severity, family_params, numerical_limited_moment};
use crate::error::Result;
use crate::numerics::kernels::{self, CodePath, Normals};
use crate::numerics::special::expm1_ratio;
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "SingleParameterPareto";

/// Single-parameter Pareto with tail index α and known lower bound θ (*Loss Models* A.5.1.4).
///
/// ```text
/// S(x) = (θ/x)^α for x ≥ θ,  E[X^k] = αθ^k/(α − k)  for k < α
/// LEV(u) = θ·(1 + (1 − (θ/u)^(α−1))/(α − 1))  for u ≥ θ  (α = 1: θ(1 + ln(u/θ)))
/// ```
/// scipy: `pareto(b=α, scale=θ)`; R actuar: `dpareto1(x, shape=α, min=θ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(
    try_from = "SingleParameterParetoParams",
    into = "SingleParameterParetoParams"
)]
#[doc(alias = "pareto1")]
pub struct SingleParameterPareto {
    alpha: f64,
    theta: f64,
}

family_params! {
    /// JSON parameters of [`SingleParameterPareto`].
    SingleParameterParetoParams for SingleParameterPareto via SingleParameterPareto::new {
        /// Tail index α > 0.
        alpha: f64,
        /// Lower bound of the support θ > 0 (元).
        theta: f64,
    }
}

impl SingleParameterPareto {
    /// Single-parameter Pareto with tail index `alpha` > 0 above `theta` > 0 (元).
    pub fn new(alpha: f64, theta: f64) -> Result<Self> {
        validate::positive(MODEL, "alpha", alpha)?;
        validate::positive(MODEL, "theta", theta)?;
        Ok(Self { alpha, theta })
    }

    /// Tail index α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Lower bound θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }
}

impl Severity for SingleParameterPareto {
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.theta {
            0.0
        } else {
            -(self.alpha * (self.theta / x).ln()).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= self.theta {
            1.0
        } else {
            (self.alpha * (self.theta / x).ln()).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x < self.theta {
            return 0.0;
        }
        self.alpha / x * ((self.theta / x).ln() * self.alpha).exp()
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        self.theta * (-(-level).ln_1p() / self.alpha).exp()
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        self.theta * (-prob.ln() / self.alpha).exp()
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        let kf = f64::from(k);
        (kf < self.alpha).then(|| self.alpha * self.theta.powi(k as i32) / (self.alpha - kf))
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if k != 1 || limit.is_nan() || limit < 0.0 {
            return numerical_limited_moment(self, k, limit);
        }
        if limit <= self.theta {
            return limit;
        }
        self.theta * (1.0 + expm1_ratio(self.alpha - 1.0, (limit / self.theta).ln()))
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.theta * (e / self.alpha).exp()
    }

    /// θ·exp(−ln(s)/α).
    fn survival_draw(&self, s: f64) -> Option<f64> {
        Some(self.theta * kernels::exp(-kernels::ln(s) / self.alpha))
    }

    fn invertible(&self) -> bool {
        true
    }

    fn survival_draws(&self, s: &mut [f64], _: &mut Normals, path: CodePath) -> bool {
        let survival = s.to_vec();
        kernels::ln_all(&survival, s, path);
        for x in s.iter_mut() {
            *x = -*x / self.alpha;
        }
        kernels::exp_all(s, path);
        for x in s.iter_mut() {
            *x *= self.theta;
        }
        true
    }
}
