//! Generalized Pareto severity (extreme-value theory, peaks over threshold).

use super::{Severity, family_params};
use crate::error::Result;
use crate::numerics::special::expm1_ratio;
use crate::numerics::validate;
use rand::Rng;
use rand_distr::{Distribution, Exp1};
use serde::{Deserialize, Serialize};

const MODEL: &str = "GeneralizedPareto";

/// Generalized Pareto distribution (GPD) with shape ξ, scale σ and location μ ≥ 0 — the
/// limit law of excesses over a high threshold (Pickands–Balkema–de Haan).
///
/// ```text
/// S(x) = (1 + ξ(x − μ)/σ)^(−1/ξ)   (ξ ≠ 0),   exp(−(x − μ)/σ)   (ξ = 0),   x ≥ μ
/// E[(X − μ)^j] = σ^j j! / ∏ᵢ₌₁ʲ (1 − iξ)   for jξ < 1, else infinite
/// E[min(X − μ, v)] = σ·(1 − e^(−(1−ξ)t))/(1 − ξ),  t = ln(1 + ξv/σ)/ξ   (σ·t at ξ = 1)
/// ```
/// ξ < 0 has a bounded support up to μ − σ/ξ; ξ ≥ 1 has no mean, ξ ≥ 1/2 no variance.
/// scipy: `genpareto(c=ξ, loc=μ, scale=σ)`. (R actuar's `dgenpareto` is a different,
/// Pareto–beta family.)
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GeneralizedParetoParams", into = "GeneralizedParetoParams")]
#[doc(alias = "GPD")]
pub struct GeneralizedPareto {
    xi: f64,
    sigma: f64,
    location: f64,
}

family_params! {
    /// JSON parameters of [`GeneralizedPareto`].
    GeneralizedParetoParams for GeneralizedPareto via GeneralizedPareto::new {
        /// Shape ξ (any finite value).
        xi: f64,
        /// Scale σ > 0 (元).
        sigma: f64,
        /// Location μ ≥ 0 (元): the threshold the excesses are measured from.
        location: f64,
    }
}

impl GeneralizedPareto {
    /// GPD with shape `xi` (finite), scale `sigma` > 0 and location `location` ≥ 0 (元).
    pub fn new(xi: f64, sigma: f64, location: f64) -> Result<Self> {
        validate::finite(MODEL, "xi", xi)?;
        validate::positive(MODEL, "sigma", sigma)?;
        validate::non_negative(MODEL, "location", location)?;
        Ok(Self {
            xi,
            sigma,
            location,
        })
    }

    /// Shape ξ.
    pub fn xi(&self) -> f64 {
        self.xi
    }

    /// Scale σ (元).
    pub fn sigma(&self) -> f64 {
        self.sigma
    }

    /// Location μ (元).
    pub fn location(&self) -> f64 {
        self.location
    }

    /// Upper end of the support: μ − σ/ξ for ξ < 0, else ∞.
    pub fn upper_end(&self) -> f64 {
        if self.xi < 0.0 {
            self.location - self.sigma / self.xi
        } else {
            f64::INFINITY
        }
    }

    /// Cumulative hazard t(x) = ln(1 + ξz)/ξ with z = (x − μ)/σ (z at ξ = 0); ∞ past the end.
    fn hazard(&self, x: f64) -> f64 {
        if x >= self.upper_end() {
            return f64::INFINITY;
        }
        let z = (x - self.location) / self.sigma;
        if self.xi == 0.0 {
            z
        } else {
            (self.xi * z).ln_1p() / self.xi
        }
    }

    /// Excess quantile from the cumulative hazard t = −ln S: σ(e^(ξt) − 1)/ξ.
    fn at_hazard(&self, t: f64) -> f64 {
        let excess = if self.xi == 0.0 {
            self.sigma * t
        } else {
            self.sigma * (self.xi * t).exp_m1() / self.xi
        };
        (self.location + excess).min(self.upper_end())
    }

    /// E\[(X − μ)^j\].
    fn excess_moment(&self, j: u32) -> f64 {
        (1..=j)
            .map(|i| self.sigma * f64::from(i) / (1.0 - f64::from(i) * self.xi))
            .product()
    }
}

impl Severity for GeneralizedPareto {
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.location {
            0.0
        } else {
            -(-self.hazard(x)).exp_m1()
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= self.location {
            1.0
        } else {
            (-self.hazard(x)).exp()
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        if x < self.location || x >= self.upper_end() {
            return 0.0;
        }
        let z = (x - self.location) / self.sigma;
        (-self.hazard(x) - (self.xi * z).ln_1p()).exp() / self.sigma
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
        if f64::from(k) * self.xi >= 1.0 {
            return None;
        }
        // Binomial expansion of E[(μ + Y)^k].
        let mut total = 0.0;
        let mut binom = 1.0;
        for j in 0..=k {
            total += binom * self.location.powi((k - j) as i32) * self.excess_moment(j);
            binom = binom * f64::from(k - j) / f64::from(j + 1);
        }
        Some(total)
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if k != 1 || limit.is_nan() || limit < 0.0 {
            return super::numerical_limited_moment(self, k, limit);
        }
        if limit <= self.location {
            return limit;
        }
        self.location + self.sigma * expm1_ratio(1.0 - self.xi, self.hazard(limit))
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let e: f64 = Exp1.sample(rng);
        self.at_hazard(e)
    }
}
