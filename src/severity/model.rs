//! The closed enum of severity families that configurations deserialize into.

use super::{
    Burr, Empirical, Exponential, Gamma, GeneralizedPareto, LogLogistic, LogNormal, Mixture,
    Pareto, Severity, SingleParameterPareto, Spliced, Weibull,
};
use crate::numerics::kernels::{CodePath, Normals, open_unit};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Any built-in severity, tagged by `"type"` in JSON:
///
/// ```
/// use kexian::severity::{Severity, SeverityModel};
/// let m: SeverityModel =
///     serde_json::from_str(r#"{"type": "lognormal", "mu": 10.0, "sigma": 2.0}"#).unwrap();
/// assert!((m.mean().unwrap() - (12.0f64).exp()).abs() < 1e-6);
/// // Invalid parameters and unknown fields are rejected when loading:
/// assert!(serde_json::from_str::<SeverityModel>(r#"{"type": "lognormal", "mu": 10.0, "sigma": -1.0}"#).is_err());
/// assert!(serde_json::from_str::<SeverityModel>(r#"{"type": "lognormal", "mu": 1.0, "sigma": 1.0, "sd": 2}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum SeverityModel {
    /// [`LogNormal`].
    #[serde(rename = "lognormal")]
    LogNormal(LogNormal),
    /// [`Gamma`].
    Gamma(Gamma),
    /// [`Weibull`].
    Weibull(Weibull),
    /// [`Exponential`].
    Exponential(Exponential),
    /// [`Pareto`] (type II / Lomax).
    Pareto(Pareto),
    /// [`SingleParameterPareto`].
    SingleParameterPareto(SingleParameterPareto),
    /// [`GeneralizedPareto`].
    GeneralizedPareto(GeneralizedPareto),
    /// [`Burr`].
    Burr(Burr),
    /// [`LogLogistic`].
    #[serde(rename = "loglogistic")]
    LogLogistic(LogLogistic),
    /// [`Empirical`].
    Empirical(Empirical),
    /// [`Mixture`].
    Mixture(Mixture),
    /// [`Spliced`].
    Spliced(Spliced),
}

impl SeverityModel {
    /// One claim size from `rng`, with the same bits on every CPU where the family allows:
    /// by inversion of one open uniform (`rng`'s next word) with the library's own ln, exp
    /// and normal quantile ([`Severity::survival_draw`]: lognormal, exponential,
    /// single-parameter Pareto, and spliced models of them), and from the family's
    /// [`sample`](Severity::sample) otherwise. The perils draw their claims with it.
    ///
    /// ```
    /// use kexian::severity::{Severity, SeverityModel};
    /// use rand::{RngExt, SeedableRng};
    /// let m: SeverityModel =
    ///     serde_json::from_str(r#"{"type": "lognormal", "mu": 10.0, "sigma": 2.0}"#)?;
    /// let mut rng = rand_xoshiro::SplitMix64::seed_from_u64(7);
    /// let x = m.draw(&mut rng.clone());
    /// // The survival level s = (k + ½)·2⁻⁵² of the word's top 52 bits k: x = S⁻¹(s).
    /// let s = ((rng.random::<u64>() >> 12) as f64 + 0.5) / 2f64.powi(52);
    /// assert_eq!(Some(x), m.survival_draw(s));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn draw<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        if self.invertible()
            && let Some(x) = self.survival_draw(open_unit(rng.next_u64()))
        {
            x
        } else {
            self.sample(rng)
        }
    }
}

/// Forwards a method call to the variant's distribution.
macro_rules! dispatch {
    ($self:ident, $d:ident => $call:expr) => {
        match $self {
            SeverityModel::LogNormal($d) => $call,
            SeverityModel::Gamma($d) => $call,
            SeverityModel::Weibull($d) => $call,
            SeverityModel::Exponential($d) => $call,
            SeverityModel::Pareto($d) => $call,
            SeverityModel::SingleParameterPareto($d) => $call,
            SeverityModel::GeneralizedPareto($d) => $call,
            SeverityModel::Burr($d) => $call,
            SeverityModel::LogLogistic($d) => $call,
            SeverityModel::Empirical($d) => $call,
            SeverityModel::Mixture($d) => $call,
            SeverityModel::Spliced($d) => $call,
        }
    };
}

impl Severity for SeverityModel {
    fn cdf(&self, x: f64) -> f64 {
        dispatch!(self, d => d.cdf(x))
    }
    fn survival(&self, x: f64) -> f64 {
        dispatch!(self, d => d.survival(x))
    }
    fn density(&self, x: f64) -> f64 {
        dispatch!(self, d => d.density(x))
    }
    fn quantile(&self, level: f64) -> f64 {
        dispatch!(self, d => d.quantile(level))
    }
    fn inverse_survival(&self, prob: f64) -> f64 {
        dispatch!(self, d => d.inverse_survival(prob))
    }
    fn raw_moment(&self, k: u32) -> Option<f64> {
        dispatch!(self, d => d.raw_moment(k))
    }
    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        dispatch!(self, d => d.limited_moment(k, limit))
    }
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        dispatch!(self, d => d.sample(rng))
    }
    fn lognormal_parameters(&self) -> Option<(f64, f64)> {
        dispatch!(self, d => d.lognormal_parameters())
    }
    #[inline]
    fn survival_draw(&self, s: f64) -> Option<f64> {
        dispatch!(self, d => d.survival_draw(s))
    }
    fn invertible(&self) -> bool {
        dispatch!(self, d => d.invertible())
    }
    fn survival_draws(&self, s: &mut [f64], normals: &mut Normals, path: CodePath) -> bool {
        dispatch!(self, d => d.survival_draws(s, normals, path))
    }
}

macro_rules! from_family {
    ($($family:ident),*) => {$(
        impl From<$family> for SeverityModel {
            fn from(d: $family) -> Self {
                SeverityModel::$family(d)
            }
        }
    )*};
}
from_family!(
    LogNormal,
    Gamma,
    Weibull,
    Exponential,
    Pareto,
    SingleParameterPareto,
    GeneralizedPareto,
    Burr,
    LogLogistic,
    Empirical,
    Mixture,
    Spliced
);
