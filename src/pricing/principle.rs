//! Premium principles.

use super::LossDistribution;
use crate::error::Result;
use crate::numerics::normal::quantile_from_tails;
use crate::numerics::{normal_cdf, validate};
use serde::{Deserialize, Serialize};

/// The risk measure a cost-of-capital load is based on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskMeasure {
    /// Value at risk (quantile).
    Var,
    /// Tail value at risk (expected shortfall).
    Tvar,
}

/// A premium principle π\[X\] (*Loss Models* and Wang 1996/2000 for distortions). All parameters
/// are non-negative loadings, so every principle gives π\[X\] ≥ E\[X\].
///
/// ```text
/// expected value      (1 + θ)·E[X]
/// standard deviation  E[X] + k·σ
/// variance            E[X] + k·σ²
/// exponential         ln E[e^(aX)] / a
/// distortions         ∫₀^∞ g(S(x)) dx   with  Wang g(s) = Φ(Φ⁻¹(s) + λ),
///                     proportional hazard g(s) = s^(1/ρ), dual power g(s) = 1 − (1 − s)^κ
/// TVaR                TVaR_α[X]
/// cost of capital     E[X] + r·(ρ_α[X] − E[X]),  ρ = VaR or TVaR
/// ```
///
/// ```
/// use kexian::pricing::{Continuous, PremiumPrinciple};
/// use kexian::severity::LogNormal;
/// let x = LogNormal::new(10.0, 1.0)?;
/// // Wang transform of a lognormal is lognormal(μ + λσ, σ): premium exp(μ + λσ + σ²/2).
/// let p = PremiumPrinciple::Wang { lambda: 0.3 }.premium(&Continuous(&x))?;
/// assert!((p / (10.0f64 + 0.3 + 0.5).exp() - 1.0).abs() < 1e-8);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "principle", rename_all = "snake_case", deny_unknown_fields)]
pub enum PremiumPrinciple {
    /// (1 + loading)·E\[X\].
    ExpectedValue {
        /// Safety loading θ ≥ 0.
        loading: f64,
    },
    /// E\[X\] + k·σ.
    StandardDeviation {
        /// Multiplier k ≥ 0.
        k: f64,
    },
    /// E\[X\] + k·σ² (k per 元).
    Variance {
        /// Multiplier k ≥ 0.
        k: f64,
    },
    /// ln E\[e^(aX)\]/a.
    Exponential {
        /// Risk aversion a > 0 (per 元).
        risk_aversion: f64,
    },
    /// Wang transform g(s) = Φ(Φ⁻¹(s) + λ).
    Wang {
        /// Market price of risk λ ≥ 0.
        lambda: f64,
    },
    /// Proportional hazard g(s) = s^(1/ρ).
    ProportionalHazard {
        /// Risk aversion ρ ≥ 1.
        rho: f64,
    },
    /// Dual power g(s) = 1 − (1 − s)^κ.
    DualPower {
        /// κ ≥ 1.
        kappa: f64,
    },
    /// TVaR at a level.
    Tvar {
        /// Level α in (0, 1).
        level: f64,
    },
    /// E\[X\] + rate·(ρ_α\[X\] − E\[X\]).
    CostOfCapital {
        /// Cost-of-capital rate ≥ 0 (e.g. 0.1).
        rate: f64,
        /// Level α in (0, 1) of the risk measure.
        level: f64,
        /// VaR or TVaR.
        measure: RiskMeasure,
    },
}

const MODEL: &str = "PremiumPrinciple";

impl PremiumPrinciple {
    /// Checks the parameters.
    pub fn validate(&self) -> Result<()> {
        match *self {
            Self::ExpectedValue { loading } => validate::non_negative(MODEL, "loading", loading),
            Self::StandardDeviation { k } | Self::Variance { k } => {
                validate::non_negative(MODEL, "k", k)
            }
            Self::Exponential { risk_aversion } => {
                validate::positive(MODEL, "risk_aversion", risk_aversion)
            }
            Self::Wang { lambda } => validate::non_negative(MODEL, "lambda", lambda),
            Self::ProportionalHazard { rho } => validate::rule(
                MODEL,
                "rho",
                rho,
                rho.is_finite() && rho >= 1.0,
                "finite and >= 1",
            ),
            Self::DualPower { kappa } => validate::rule(
                MODEL,
                "kappa",
                kappa,
                kappa.is_finite() && kappa >= 1.0,
                "finite and >= 1",
            ),
            Self::Tvar { level } => validate::open_probability(MODEL, "level", level),
            Self::CostOfCapital { rate, level, .. } => {
                validate::non_negative(MODEL, "rate", rate)?;
                validate::open_probability(MODEL, "level", level)
            }
        }
        .map(|_| ())
    }

    /// The premium π\[X\] (元). Errors when the parameters are invalid or the premium is
    /// infinite for this distribution (e.g. the exponential principle on a lognormal).
    pub fn premium<D: LossDistribution + ?Sized>(&self, dist: &D) -> Result<f64> {
        self.validate()?;
        let value = match *self {
            Self::ExpectedValue { loading } => (1.0 + loading) * dist.mean()?,
            Self::StandardDeviation { k } => dist.mean()? + k * dist.variance()?.sqrt(),
            Self::Variance { k } => dist.mean()? + k * dist.variance()?,
            Self::Exponential { risk_aversion: a } => dist.exponential_excess(a)?.ln_1p() / a,
            Self::Wang { lambda } => dist.distorted_expectation(&|s| wang(s, lambda))?,
            Self::ProportionalHazard { rho } => {
                dist.distorted_expectation(&|s| s.powf(1.0 / rho))?
            }
            Self::DualPower { kappa } => {
                dist.distorted_expectation(&|s| 1.0 - (1.0 - s).powf(kappa))?
            }
            Self::Tvar { level } => dist.tvar(level)?,
            Self::CostOfCapital {
                rate,
                level,
                measure,
            } => {
                let mean = dist.mean()?;
                let risk = match measure {
                    RiskMeasure::Var => dist.var(level)?,
                    RiskMeasure::Tvar => dist.tvar(level)?,
                };
                mean + rate * (risk - mean)
            }
        };
        if value.is_finite() {
            Ok(value)
        } else {
            Err(crate::Error::InfiniteMoment {
                quantity: "premium",
                reason: format!("{self:?} diverges for this distribution"),
            })
        }
    }
}

/// Φ(Φ⁻¹(s) + λ), with the upper tail handled without cancellation.
fn wang(s: f64, lambda: f64) -> f64 {
    if s <= 0.0 {
        return 0.0;
    }
    if s >= 1.0 {
        return 1.0;
    }
    normal_cdf(quantile_from_tails(s, 0.5 - s + 0.5) + lambda)
}
