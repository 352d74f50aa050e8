//! Moment-based approximations of the aggregate distribution.

use crate::error::{Error, Result};
use crate::numerics::special::gamma_q;
use crate::numerics::validate;
use crate::numerics::{normal_cdf, normal_quantile};
use crate::severity::{Gamma, Severity};
use serde::{Deserialize, Serialize};

/// Which approximation (*Loss Models* §9.3; Daykin, Pentikäinen & Pesonen 1994).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApproximationKind {
    /// S ≈ N(μ, σ²).
    Normal,
    /// Normal power: VaR_α ≈ μ + σ(z + γ(z² − 1)/6).
    NormalPower,
    /// Translated gamma with matching mean, variance and skewness (γ > 0).
    ShiftedGamma,
}

/// An approximation of S from its mean μ, standard deviation σ and skewness γ.
///
/// ```text
/// normal:        VaR = μ + σz,                      TVaR = μ + σφ(z)/(1 − α)
/// normal power:  VaR = μ + σ(z + γ(z² − 1)/6),      TVaR = μ + σφ(z)(1 + γz/6)/(1 − α)
/// shifted gamma: S ≈ x₀ + G, G ~ Gamma(4/γ², σγ/2), x₀ = μ − 2σ/γ
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Approximation {
    kind: ApproximationKind,
    mean: f64,
    sd: f64,
    skewness: f64,
}

const MODEL: &str = "Approximation";

impl Approximation {
    /// From the moments: `mean` finite, `sd` > 0, `skewness` finite (> 0 for the shifted gamma).
    pub fn new(kind: ApproximationKind, mean: f64, sd: f64, skewness: f64) -> Result<Self> {
        validate::finite(MODEL, "mean", mean)?;
        validate::positive(MODEL, "sd", sd)?;
        validate::finite(MODEL, "skewness", skewness)?;
        if kind == ApproximationKind::ShiftedGamma {
            validate::positive(MODEL, "skewness", skewness)?;
        }
        Ok(Self {
            kind,
            mean,
            sd,
            skewness,
        })
    }

    /// (mean, standard deviation, skewness) it was built from.
    pub fn moments(&self) -> (f64, f64, f64) {
        (self.mean, self.sd, self.skewness)
    }

    fn gamma(&self) -> Result<(Gamma, f64)> {
        let g = self.skewness;
        let dist = Gamma::from_shape_scale(4.0 / (g * g), self.sd * g / 2.0)?;
        Ok((dist, self.mean - 2.0 * self.sd / g))
    }

    /// P(S ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        let (m, s, g) = (self.mean, self.sd, self.skewness);
        match self.kind {
            ApproximationKind::Normal => normal_cdf((x - m) / s),
            ApproximationKind::NormalPower if g.abs() < 1e-12 => normal_cdf((x - m) / s),
            ApproximationKind::NormalPower => {
                let r = 9.0 / (g * g) + 1.0 + 6.0 * (x - m) / (g * s);
                if r < 0.0 {
                    return if g > 0.0 { 0.0 } else { 1.0 };
                }
                normal_cdf(-3.0 / g + r.sqrt() * g.signum())
            }
            ApproximationKind::ShiftedGamma => {
                self.gamma().map_or(f64::NAN, |(d, x0)| d.cdf(x - x0))
            }
        }
    }

    /// VaR at `level` in (0, 1).
    pub fn var(&self, level: f64) -> Result<f64> {
        validate::open_probability(MODEL, "level", level)?;
        let z = normal_quantile(level);
        let (m, s, g) = (self.mean, self.sd, self.skewness);
        Ok(match self.kind {
            ApproximationKind::Normal => m + s * z,
            ApproximationKind::NormalPower => m + s * (z + g * (z * z - 1.0) / 6.0),
            ApproximationKind::ShiftedGamma => {
                let (d, x0) = self.gamma()?;
                x0 + d.quantile(level)
            }
        })
    }

    /// TVaR at `level` in (0, 1).
    pub fn tvar(&self, level: f64) -> Result<f64> {
        validate::open_probability(MODEL, "level", level)?;
        let z = normal_quantile(level);
        let phi = (-0.5 * z * z).exp() / (2.0 * std::f64::consts::PI).sqrt();
        let (m, s, g) = (self.mean, self.sd, self.skewness);
        Ok(match self.kind {
            ApproximationKind::Normal => m + s * phi / (1.0 - level),
            ApproximationKind::NormalPower => m + s * phi * (1.0 + g * z / 6.0) / (1.0 - level),
            ApproximationKind::ShiftedGamma => {
                let (d, x0) = self.gamma()?;
                let q = d.quantile(level);
                let (a, theta) = (d.alpha(), d.theta());
                x0 + a * theta * gamma_q(a + 1.0, q / theta) / (1.0 - level)
            }
        })
    }
}

/// The moments an approximation needs, or the reason they are missing.
pub(crate) fn require(value: Option<f64>, quantity: &'static str) -> Result<f64> {
    value.ok_or_else(|| Error::InfiniteMoment {
        quantity,
        reason: "the model has annual terms or a heavy tail without a limit, so the analytic \
                 moment is unavailable; use simulation or an exact method"
            .into(),
    })
}

/// The normal-power guess m + σ·(z + γ/6·(z² − 1)) of the `level` quantile from analytic
/// moments (`None` when the mean or variance is unknown; γ = 0 when the skewness is).
pub(crate) fn normal_power_guess(
    mean: Option<f64>,
    variance: Option<f64>,
    skewness: Option<f64>,
    level: f64,
) -> Option<f64> {
    let (m, v) = (mean?, variance?);
    let z = crate::numerics::normal_quantile(level);
    let g = skewness.unwrap_or(0.0);
    Some(m + v.sqrt() * (z + g / 6.0 * (z * z - 1.0)))
}
