//! The aggregate distribution: an exact method's result with its diagnostics.

use crate::error::Result;
use crate::loss::Discrete;
use serde::{Deserialize, Serialize};

/// How the aggregate distribution was computed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case")]
pub enum ExactMethod {
    /// Panjer recursion, O(m²): (a, b, 0) and (a, b, 1) claim counts.
    Panjer,
    /// FFT on a grid padded to `padding` × m points (2 is a good default), O(m log m).
    Fft {
        /// Zero-padding factor ≥ 1.
        padding: usize,
    },
}

/// Numerical against analytic moments, and what was lost off the grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Diagnostics {
    /// E\[S\] from E\[N\]·E\[Y\] (None with annual terms or infinite).
    pub analytic_mean: Option<f64>,
    /// Mean of the computed distribution.
    pub numeric_mean: f64,
    /// Analytic CV of S.
    pub analytic_cv: Option<f64>,
    /// CV of the computed distribution.
    pub numeric_cv: f64,
    /// Analytic skewness of S.
    pub analytic_skewness: Option<f64>,
    /// Skewness of the computed distribution.
    pub numeric_skewness: f64,
    /// Aggregate probability beyond the grid that no tail locates.
    pub lost_mass: f64,
    /// Aggregate probability beyond the grid end located by the extrapolated single-big-claim
    /// tail (see [`crate::loss::Tail`]): quantiles above 1 − `tail_mass` and the part of TVaR,
    /// moments and distortion premiums beyond the grid end come from it.
    #[serde(default)]
    pub tail_mass: f64,
    /// P(S = 0) exactly, from the probability generating function: P_N(P(Y = 0)) for the
    /// per-claim payment Y (the grid's first bucket also holds the small losses rounded to 0);
    /// with an annual deductible D, P(S ≤ D) from the grid.
    pub zero_probability: f64,
    /// Per-claim payment probability beyond the grid.
    pub severity_lost_mass: f64,
    /// What the checks found: lost tail mass, too coarse a grid, moment mismatch.
    pub warnings: Vec<Warning>,
}

/// A finding of the checks on an exact distribution, with its numbers (`Display` gives the
/// advice in words).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[non_exhaustive]
pub enum Warning {
    /// Probability `mass` of S lies beyond the grid end: quantiles above 1 − mass are
    /// unavailable.
    LostMass {
        /// Probability beyond the grid.
        mass: f64,
        /// The grid end (元).
        grid_end: f64,
    },
    /// Probability `mass` of S lies beyond the grid end and is located by the extrapolated
    /// single-big-claim tail: quantiles above 1 − mass, and the parts of TVaR, moments and
    /// distortion premiums beyond the grid end, rest on that approximation.
    Extrapolated {
        /// Probability beyond the grid.
        mass: f64,
        /// The grid end (元).
        grid_end: f64,
    },
    /// Probability `mass` of each claim's payment lies beyond the grid end.
    SeverityLostMass {
        /// Per-claim probability beyond the grid.
        mass: f64,
    },
    /// The numerical mean differs from E\[N\]E\[Y\] by more than 1e-4 relative.
    MeanMismatch {
        /// Mean of the computed distribution.
        numeric: f64,
        /// E\[N\]E\[Y\].
        analytic: f64,
        /// |numeric − analytic| / analytic.
        relative: f64,
    },
    /// The bucket width exceeds a fifth of the mean payment.
    CoarseGrid {
        /// Bucket width h (元).
        step: f64,
        /// Mean payment per claim E\[Y\] (元).
        mean_payment: f64,
    },
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            Self::LostMass { mass, grid_end } => write!(
                f,
                "{mass:.2e} of the probability lies beyond the grid end {grid_end:.4e}: \
                 quantiles above {:.8} are unavailable; lengthen the grid",
                1.0 - mass
            ),
            Self::Extrapolated { mass, grid_end } => write!(
                f,
                "{mass:.2e} of the probability lies beyond the grid end {grid_end:.4e} and is \
                 extrapolated (single big claim): quantiles above {:.8} rest on it; lengthen \
                 the grid to compute them",
                1.0 - mass
            ),
            Self::SeverityLostMass { mass } => write!(
                f,
                "{mass:.2e} of each claim's payment lies beyond the grid end"
            ),
            Self::MeanMismatch {
                numeric,
                analytic,
                relative,
            } => write!(
                f,
                "numerical mean {numeric:.6e} differs from E[N]E[Y] = {analytic:.6e} by \
                 {relative:.1e} relative: the grid is too coarse or too short"
            ),
            Self::CoarseGrid { step, mean_payment } => write!(
                f,
                "bucket width {step:.4e} exceeds a fifth of the mean payment \
                 {mean_payment:.4e}: the grid is too coarse for accurate quantiles"
            ),
        }
    }
}

/// The distribution of annual losses computed on a grid, with its diagnostics.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AggregateDistribution {
    /// The distribution (grid values after annual terms).
    pub distribution: Discrete,
    /// The method used.
    pub method: ExactMethod,
    /// Bucket width h (元).
    pub step: f64,
    /// Checks of the result.
    pub diagnostics: Diagnostics,
}

/// What the checks compare a computed distribution with.
pub(crate) struct Reference {
    /// E\[S\] analytically (None when unknown or infinite).
    pub mean: Option<f64>,
    /// Var\[S\] analytically.
    pub variance: Option<f64>,
    /// Skewness of S analytically.
    pub skewness: Option<f64>,
    /// Mean payment per claim E\[Y\] (for the coarse-grid check).
    pub mean_payment: Option<f64>,
    /// P(S = 0), exactly.
    pub zero_probability: f64,
    /// Per-claim payment probability beyond the grid.
    pub severity_lost: f64,
}

impl AggregateDistribution {
    /// The distribution with its diagnostics: numerical against analytic moments, lost mass,
    /// grid coarseness.
    pub(crate) fn checked(
        distribution: Discrete,
        method: ExactMethod,
        grid: &super::Grid,
        reference: Reference,
    ) -> Self {
        let h = grid.step();
        let lost = distribution.unlocated_mass();
        let tail_mass = distribution.tail().map_or(0.0, |t| t.mass());
        let (mean, sd, skew) = distribution.moments();
        let analytic_cv = reference
            .mean
            .zip(reference.variance)
            .map(|(m, v)| v.sqrt() / m);
        let mut warnings = Vec::new();
        if lost > 1e-8 {
            warnings.push(Warning::LostMass {
                mass: lost,
                grid_end: grid.end(),
            });
        }
        if tail_mass > 1e-8 {
            warnings.push(Warning::Extrapolated {
                mass: tail_mass,
                grid_end: grid.end(),
            });
        }
        if reference.severity_lost > 1e-8 {
            warnings.push(Warning::SeverityLostMass {
                mass: reference.severity_lost,
            });
        }
        if let Some(m) = reference.mean.filter(|m| *m > 0.0) {
            let relative = (mean - m).abs() / m;
            if relative > 1e-4 {
                warnings.push(Warning::MeanMismatch {
                    numeric: mean,
                    analytic: m,
                    relative,
                });
            }
        }
        if let Some(ey) = reference.mean_payment.filter(|e| *e > 0.0 && h > *e / 5.0) {
            warnings.push(Warning::CoarseGrid {
                step: h,
                mean_payment: ey,
            });
        }
        Self {
            diagnostics: Diagnostics {
                analytic_mean: reference.mean,
                numeric_mean: mean,
                analytic_cv,
                numeric_cv: if mean > 0.0 { sd / mean } else { 0.0 },
                analytic_skewness: reference.skewness,
                numeric_skewness: skew,
                lost_mass: lost,
                tail_mass,
                zero_probability: reference.zero_probability,
                severity_lost_mass: reference.severity_lost,
                warnings,
            },
            distribution,
            method,
            step: h,
        }
    }

    /// VaR at `level` (see [`Discrete::var`]).
    pub fn var(&self, level: f64) -> Result<f64> {
        self.distribution.var(level)
    }

    /// TVaR at `level` (see [`Discrete::tvar`]).
    pub fn tvar(&self, level: f64) -> Result<f64> {
        self.distribution.tvar(level)
    }

    /// CTE at `level` (see [`Discrete::cte`]).
    pub fn cte(&self, level: f64) -> Result<f64> {
        self.distribution.cte(level)
    }

    /// P(S ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        self.distribution.cdf(x)
    }

    /// E\[min(S, u)\].
    pub fn limited_expected_value(&self, limit: f64) -> f64 {
        self.distribution.limited_expected_value(limit)
    }

    /// Exceedance curve at the standard return periods.
    pub fn exceedance_curve(&self) -> Vec<(f64, f64)> {
        self.distribution.exceedance_curve()
    }
}

/// `distribution` with its mass beyond `end` located by a tail shaped like `shape` (unchanged
/// when there is no such mass or the shape vanishes at the end).
pub(crate) fn with_tail(distribution: Discrete, end: f64, shape: impl Fn(f64) -> f64) -> Discrete {
    let lost = distribution.lost_mass();
    match crate::loss::Tail::from_shape(end, lost, shape) {
        Some(tail) if lost > 0.0 => distribution.located_by(tail),
        _ => distribution,
    }
}
