//! Burr (type XII) and log-logistic severities.

use super::{Severity, family_params, numerical_limited_moment};
use crate::error::Result;
use crate::numerics::special::{beta_reg, ln_gamma, ln1p_exp};
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Burr";

/// Burr (type XII) claim size with shapes α, γ and scale θ (*Loss Models* A.2.2.1).
///
/// ```text
/// S(x) = (1 + (x/θ)^γ)^(−α),  E[X^k] = θ^k Γ(1 + k/γ) Γ(α − k/γ) / Γ(α)  for k < αγ
/// LEV(u) = E[X]·I(1 + 1/γ, α − 1/γ; w/(1+w)) + u·(1 + w)^(−α),  w = (u/θ)^γ   (αγ > 1)
/// ```
/// (I is the regularized incomplete beta function; for αγ ≤ 1 the LEV is integrated
/// numerically.) scipy: `burr12(c=γ, d=α, scale=θ)`; R actuar:
/// `dburr(x, shape1=α, shape2=γ, scale=θ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BurrParams", into = "BurrParams")]
#[doc(alias = "burr12")]
pub struct Burr {
    alpha: f64,
    gamma: f64,
    theta: f64,
}

family_params! {
    /// JSON parameters of [`Burr`].
    BurrParams for Burr via Burr::new {
        /// Tail shape α > 0 (the tail index is αγ).
        alpha: f64,
        /// Inner shape γ > 0.
        gamma: f64,
        /// Scale θ > 0 (元).
        theta: f64,
    }
}

impl Burr {
    /// Burr with shapes `alpha` > 0, `gamma` > 0 and scale `theta` > 0 (元).
    pub fn new(alpha: f64, gamma: f64, theta: f64) -> Result<Self> {
        validate::positive(MODEL, "alpha", alpha)?;
        validate::positive(MODEL, "gamma", gamma)?;
        validate::positive(MODEL, "theta", theta)?;
        Ok(Self {
            alpha,
            gamma,
            theta,
        })
    }

    /// Shape α.
    pub fn alpha(&self) -> f64 {
        self.alpha
    }

    /// Shape γ.
    pub fn gamma(&self) -> f64 {
        self.gamma
    }

    /// Scale θ (元).
    pub fn theta(&self) -> f64 {
        self.theta
    }

    /// ln(1 + (x/θ)^γ) for x > 0, without overflow.
    fn log1p_w(&self, x: f64) -> f64 {
        ln1p_exp(self.gamma * (x / self.theta).ln())
    }

    /// x from the cumulative hazard t = −ln S(x): θ·(e^(t/α) − 1)^(1/γ).
    fn at_hazard(&self, t: f64) -> f64 {
        self.theta * (t / self.alpha).exp_m1().powf(1.0 / self.gamma)
    }
}

impl Severity for Burr {
    fn cdf(&self, x: f64) -> f64 {
        if x <= 0.0 {
            0.0
        } else {
            -(-self.alpha * self.log1p_w(x)).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= 0.0 {
            1.0
        } else {
            (-self.alpha * self.log1p_w(x)).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if x <= 0.0 {
            return if x == 0.0 && self.gamma < 1.0 {
                f64::INFINITY
            } else {
                0.0
            };
        }
        let ln_w = self.gamma * (x / self.theta).ln();
        let l1 = ln1p_exp(ln_w);
        self.alpha * self.gamma / x * (ln_w - (self.alpha + 1.0) * l1).exp()
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        self.at_hazard(-(-level).ln_1p())
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        self.at_hazard(-prob.ln())
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        let r = f64::from(k) / self.gamma;
        if r >= self.alpha {
            return None;
        }
        Some(
            (f64::from(k) * self.theta.ln() + ln_gamma(1.0 + r) + ln_gamma(self.alpha - r)
                - ln_gamma(self.alpha))
            .exp(),
        )
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        let Some(mean) = self.raw_moment(1).filter(|_| k == 1 && limit >= 0.0) else {
            return numerical_limited_moment(self, k, limit);
        };
        if limit == f64::INFINITY {
            return mean;
        }
        if limit == 0.0 {
            return 0.0;
        }
        let (a, b) = (1.0 + 1.0 / self.gamma, self.alpha - 1.0 / self.gamma);
        let ln_w = self.gamma * (limit / self.theta).ln();
        // I_x(a, b) with x = w/(1+w); use the complement 1 − I_{1/(1+w)}(b, a) when w > 1.
        let share = if ln_w <= 0.0 {
            let w = ln_w.exp();
            beta_reg(a, b, w / (1.0 + w))
        } else {
            1.0 - beta_reg(b, a, (-ln1p_exp(ln_w)).exp())
        };
        mean * share + limit * self.survival(limit)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.at_hazard(e)
    }
}

/// Log-logistic (Fisk) claim size with shape γ and scale θ (*Loss Models* A.2.3.3): the Burr
/// with α = 1, so S(x) = 1/(1 + (x/θ)^γ) and the median is θ.
///
/// scipy: `fisk(c=γ, scale=θ)`; R actuar: `dllogis(x, shape=γ, scale=θ)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LogLogisticParams", into = "LogLogisticParams")]
#[doc(alias = "fisk")]
pub struct LogLogistic {
    gamma: f64,
    theta: f64,
    burr: Burr,
}

family_params! {
    /// JSON parameters of [`LogLogistic`].
    LogLogisticParams for LogLogistic via LogLogistic::new {
        /// Shape γ > 0 (the tail index).
        gamma: f64,
        /// Scale θ > 0 (元), the median.
        theta: f64,
    }
}

impl LogLogistic {
    /// Log-logistic with shape `gamma` > 0 and scale (median) `theta` > 0 (元).
    pub fn new(gamma: f64, theta: f64) -> Result<Self> {
        validate::positive("LogLogistic", "gamma", gamma)?;
        validate::positive("LogLogistic", "theta", theta)?;
        let burr = Burr::new(1.0, gamma, theta)?;
        Ok(Self { gamma, theta, burr })
    }

    /// The same distribution as a [`Burr`] with α = 1.
    pub fn as_burr(&self) -> &Burr {
        &self.burr
    }
}

impl Severity for LogLogistic {
    fn cdf(&self, x: f64) -> f64 {
        self.burr.cdf(x)
    }
    fn survival(&self, x: f64) -> f64 {
        self.burr.survival(x)
    }
    fn density(&self, x: f64) -> f64 {
        self.burr.density(x)
    }
    fn quantile(&self, level: f64) -> f64 {
        self.burr.quantile(level)
    }
    fn inverse_survival(&self, prob: f64) -> f64 {
        self.burr.inverse_survival(prob)
    }
    fn raw_moment(&self, k: u32) -> Option<f64> {
        self.burr.raw_moment(k)
    }
    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        self.burr.limited_moment(k, limit)
    }
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.burr.sample(rng)
    }
}
