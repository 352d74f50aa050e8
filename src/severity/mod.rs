//! Claim severity distributions: the size of one loss, in 元 (or any currency's major unit).
//!
//! Pipeline position: `numerics → severity → coverage → aggregate`. Every family implements
//! [`Severity`]; [`SeverityModel`] is the closed enum that configuration files deserialize into
//! (`{"type": "lognormal", "mu": 10.0, "sigma": 2.0}`). Parameterisations follow
//! Klugman–Panjer–Willmot, *Loss Models* (5th ed.), Appendix A; each family's docs give the
//! scipy.stats and R actuar equivalents.
//!
//! Heavy tails are honest: moments that do not exist are `None`, and limited moments
//! E\[min(X, u)^k\] are always finite for finite `u`.

mod burr;
mod empirical;
mod exponential;
mod gamma;
mod generalized_pareto;
mod lognormal;
mod mixture;
mod model;
mod pareto;
mod single_parameter_pareto;
mod spliced;
mod weibull;

pub use burr::{Burr, BurrParams, LogLogistic, LogLogisticParams};
pub use empirical::{Empirical, EmpiricalParams};
pub use exponential::{Exponential, ExponentialParams};
pub use gamma::{Gamma, GammaParams};
pub use generalized_pareto::{GeneralizedPareto, GeneralizedParetoParams};
pub use lognormal::{LogNormal, LogNormalParams};
pub use mixture::{Mixture, MixtureParams};
pub use model::SeverityModel;
pub use pareto::{Pareto, ParetoParams};
pub use single_parameter_pareto::{SingleParameterPareto, SingleParameterParetoParams};
pub use spliced::{Spliced, SplicedParams};
pub use weibull::{Weibull, WeibullParams};

use crate::numerics::kernels::{CodePath, Normals};
use crate::numerics::{integrate, invert_monotone};
use rand::Rng;

/// A non-negative claim-size distribution.
///
/// Queries never panic: arguments outside the domain give NaN (documented per method).
/// Implementors must provide the distribution functions, moments and a sampler; limited moments
/// have a numerical default that families override with closed forms.
pub trait Severity: Send + Sync {
    /// F(x) = P(X ≤ x). 0 for x < 0; NaN for NaN.
    fn cdf(&self, x: f64) -> f64;

    /// S(x) = P(X > x), computed directly so that it stays accurate when S(x) ≪ 1e-12.
    fn survival(&self, x: f64) -> f64 {
        1.0 - self.cdf(x)
    }

    /// Probability density f(x) (per 元). NaN for distributions without a density.
    fn density(&self, x: f64) -> f64;

    /// F⁻¹(level) = inf{x : F(x) ≥ level}. `level` in \[0, 1\], NaN otherwise;
    /// `quantile(1.0)` is the upper end of the support (∞ when unbounded).
    fn quantile(&self, level: f64) -> f64;

    /// S⁻¹(prob): the x with P(X > x) = `prob`, accurate for tiny `prob` (e.g. 1e-12), where
    /// `quantile(1.0 - prob)` would lose all precision.
    fn inverse_survival(&self, prob: f64) -> f64 {
        self.quantile(0.5 - prob + 0.5)
    }

    /// E\[X^k\], or `None` when the moment is infinite. `k = 0` gives `Some(1.0)`.
    fn raw_moment(&self, k: u32) -> Option<f64>;

    /// E\[X\], or `None` when infinite.
    fn mean(&self) -> Option<f64> {
        self.raw_moment(1)
    }

    /// Var\[X\], or `None` when infinite.
    fn variance(&self) -> Option<f64> {
        let m1 = self.raw_moment(1)?;
        let m2 = self.raw_moment(2)?;
        Some((m2 - m1 * m1).max(0.0))
    }

    /// Limited moment E\[min(X, u)^k\] for `limit` u ≥ 0 (NaN for u < 0 or NaN).
    ///
    /// Default: ∫₀ᵘ k·x^(k−1)·S(x) dx by adaptive Gauss–Kronrod between quantile break points.
    /// `u = ∞` gives the raw moment (∞ when it does not exist).
    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        numerical_limited_moment(self, k, limit)
    }

    /// Limited expected value LEV(u) = E\[min(X, u)\] (元).
    fn limited_expected_value(&self, limit: f64) -> f64 {
        self.limited_moment(1, limit)
    }

    /// Expected loss to the layer `limit` xs `attachment`:
    /// E\[min((X − a)₊, l)\] = LEV(a + l) − LEV(a) (元). NaN for negative arguments.
    fn layer_expected_loss(&self, attachment: f64, limit: f64) -> f64 {
        if !(attachment >= 0.0 && limit >= 0.0) {
            return f64::NAN;
        }
        (self.limited_expected_value(attachment + limit) - self.limited_expected_value(attachment))
            .max(0.0)
    }

    /// Draws one claim size.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64
    where
        Self: Sized;

    /// (μ, σ) of a lognormal severity, which the batched samplers draw as exp(μ + σz) in
    /// vector kernels; `None` for any other.
    fn lognormal_parameters(&self) -> Option<(f64, f64)> {
        None
    }

    /// S⁻¹(s) for s in (0, 1) (a draw by inversion when s is uniform), computed with the
    /// library's own ln, exp and normal quantile ([`crate::numerics::kernels`]), so that it has
    /// the same bits on every CPU, and inverting the survival so that the largest draws (the
    /// smallest s) keep their precision; `None` for a family without such a closed form
    /// (drawn by [`sample`](Self::sample) instead).
    ///
    /// ```
    /// use kexian::severity::{LogNormal, Severity};
    /// let d = LogNormal::new(1.0, 0.5)?;
    /// let x = d.survival_draw(1e-9).unwrap();
    /// assert!((x / d.inverse_survival(1e-9) - 1.0).abs() < 1e-14);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    fn survival_draw(&self, s: f64) -> Option<f64> {
        let _ = s;
        None
    }

    /// Whether [`survival_draw`](Self::survival_draw) answers (for every u, or for none).
    fn invertible(&self) -> bool {
        false
    }

    /// [`survival_draw`](Self::survival_draw) of each s in place, bit for bit, in vector
    /// kernels on `path` where the family has them (`normals` holds the normal quantile's
    /// scratch); `false`, `s` unchanged, for a family without the closed form.
    fn survival_draws(&self, s: &mut [f64], normals: &mut Normals, path: CodePath) -> bool {
        let _ = (normals, path);
        if !self.invertible() {
            return false;
        }
        for x in s.iter_mut() {
            *x = self.survival_draw(*x).unwrap_or(f64::NAN);
        }
        true
    }
}

/// The numerical limited moment behind [`Severity::limited_moment`]'s default, usable by
/// implementors that override it for some orders only.
pub fn numerical_limited_moment<S: Severity + ?Sized>(dist: &S, k: u32, limit: f64) -> f64 {
    if limit.is_nan() || limit < 0.0 {
        return f64::NAN;
    }
    if k == 0 {
        return 1.0;
    }
    if limit == f64::INFINITY {
        return dist.raw_moment(k).unwrap_or(f64::INFINITY);
    }
    let kf = f64::from(k);
    let integrand = |x: f64| {
        let s = dist.survival(x);
        if s == 0.0 {
            0.0
        } else {
            kf * x.powi(k as i32 - 1) * s
        }
    };
    // Break points at quantiles, then by decades, so every panel sees a smooth integrand.
    let mut points = vec![0.0];
    for level in [
        1e-6,
        0.01,
        0.1,
        0.3,
        0.5,
        0.7,
        0.9,
        0.99,
        0.999,
        0.9999,
        1.0 - 1e-6,
    ] {
        let q = dist.quantile(level);
        if q.is_finite() && q > *points.last().unwrap_or(&0.0) && q < limit {
            points.push(q);
        }
    }
    let mut last = *points.last().unwrap_or(&0.0);
    while last > 0.0 && last * 10.0 < limit {
        last *= 10.0;
        points.push(last);
    }
    points.push(limit);
    points
        .windows(2)
        .map(|w| integrate(integrand, w[0], w[1], 1e-13))
        .sum()
}

/// Numerical quantile for families without a closed form, for `level` in (0, 1): solves
/// F(x) = level on [`lower`, ∞), or S(x) = 1 − level in the upper half for accuracy.
/// Callers handle the end points 0 and 1.
pub(crate) fn numerical_quantile<S: Severity + ?Sized>(
    dist: &S,
    level: f64,
    lower: f64,
    guess: f64,
) -> f64 {
    if level <= 0.5 {
        invert_monotone(
            |x| (dist.cdf(x) - level, dist.density(x)),
            lower,
            f64::INFINITY,
            guess,
        )
    } else {
        numerical_inverse_survival(dist, 0.5 - level + 0.5, lower, guess)
    }
}

/// Numerical S⁻¹(prob) for `prob` in (0, 1), solving prob − S(x) = 0 on [`lower`, ∞).
pub(crate) fn numerical_inverse_survival<S: Severity + ?Sized>(
    dist: &S,
    prob: f64,
    lower: f64,
    guess: f64,
) -> f64 {
    invert_monotone(
        |x| (prob - dist.survival(x), dist.density(x)),
        lower,
        f64::INFINITY,
        guess,
    )
}

/// Generates a parameter struct for a family, its validating `TryFrom` and its `From`.
macro_rules! family_params {
    (
        $(#[$meta:meta])*
        $params:ident for $model:ident via $ctor:path {
            $( $(#[$fmeta:meta])* $field:ident : $ty:ty ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        #[serde(deny_unknown_fields)]
        pub struct $params {
            $( $(#[$fmeta])* pub $field: $ty ),*
        }

        impl TryFrom<$params> for $model {
            type Error = crate::error::Error;
            fn try_from(p: $params) -> crate::error::Result<Self> {
                $ctor($(p.$field),*)
            }
        }

        impl From<$model> for $params {
            fn from(m: $model) -> Self {
                Self { $($field: m.$field),* }
            }
        }
    };
}
pub(crate) use family_params;
