//! Discretisation of the payment-per-loss distribution on an arithmetic grid {0, h, 2h, …}.

use super::cells::Cells;
use crate::coverage::ClaimTerms;
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::Severity;
use serde::{Deserialize, Serialize};

/// How probability mass is moved to grid points (*Loss Models* §9.6.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Discretization {
    /// Mass of ((j − ½)h, (j + ½)h] to jh.
    Rounding,
    /// Mass of (jh, (j + 1)h] to jh: a lower bound (stochastically smaller).
    Lower,
    /// Mass of ((j − 1)h, jh] to jh: an upper bound (stochastically larger).
    Upper,
    /// Local moment matching of order 1: preserves E\[min(Y, jh)\] at every grid point, so the
    /// mean is exact up to the grid's end; the variance grows by about h²/6 per claim.
    MeanPreserving,
    /// Local moment matching of order 2 (Gerber 1982; *Loss Models* §9.6.5): on each pair of
    /// cells, mass, E\[Y\] and E\[Y²\] are kept (three points with the quadratic Lagrange
    /// weights), so the variance of S does not grow with the bucket width; a pair where a
    /// weight would be negative keeps order 1. Cell integrals of the payment's survival
    /// function come from its limited moments near zero and by Gauss–Legendre quadrature
    /// elsewhere, so far-tail cells carry no cancellation noise. Severities without a density
    /// (empirical) use the limited moments throughout. The default.
    #[default]
    MomentMatching,
}

/// An arithmetic grid: `points` values 0, h, …, (points − 1)·h with `step` h (元).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GridParams", into = "GridParams")]
pub struct Grid {
    step: f64,
    points: usize,
}

/// JSON form of [`Grid`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GridParams {
    /// Bucket width h > 0 (元).
    pub step: f64,
    /// Number of grid points, ≥ 16.
    pub points: usize,
}

impl TryFrom<GridParams> for Grid {
    type Error = crate::Error;
    fn try_from(p: GridParams) -> Result<Self> {
        Grid::new(p.step, p.points)
    }
}

impl From<Grid> for GridParams {
    fn from(g: Grid) -> Self {
        Self {
            step: g.step,
            points: g.points,
        }
    }
}

/// Fewest grid points accepted.
pub const MIN_POINTS: usize = 16;

/// The most points a grid may have (2²⁶: 512 MiB per vector of probabilities), so that a
/// mistaken size is refused instead of exhausting memory.
pub const MAX_POINTS: usize = 1 << 26;

impl Grid {
    /// A grid of `points` ≥ 16 values with bucket width `step` > 0 (元).
    pub fn new(step: f64, points: usize) -> Result<Self> {
        validate::positive("Grid", "step", step)?;
        validate::rule(
            "Grid",
            "points",
            points as f64,
            (MIN_POINTS..=MAX_POINTS).contains(&points),
            "between 16 and 2^26 (67,108,864)",
        )?;
        Ok(Self { step, points })
    }

    /// A grid of `points` values whose end `(points − 1)·h` is `cover` times the aggregate
    /// quantile guess `tail_quantile` (e.g. a normal-power 1 − 1e-6 quantile), rounded so
    /// that `max_payment` (the per-claim cap, if finite) falls on a grid point.
    pub fn for_tail(
        tail_quantile: f64,
        points: usize,
        cover: f64,
        max_payment: f64,
    ) -> Result<Self> {
        validate::positive("Grid", "tail_quantile", tail_quantile)?;
        validate::positive("Grid", "cover", cover)?;
        let mut step = cover * tail_quantile / (points.max(2) - 1) as f64;
        if max_payment.is_finite() && max_payment > 0.0 {
            // Make the cap a whole number of steps so its atom is represented exactly.
            let buckets = (max_payment / step).ceil().max(1.0);
            step = max_payment / buckets;
        }
        Self::new(step, points)
    }

    /// Bucket width h (元).
    pub fn step(&self) -> f64 {
        self.step
    }

    /// Number of points.
    pub fn points(&self) -> usize {
        self.points
    }

    /// The last grid value (points − 1)·h.
    pub fn end(&self) -> f64 {
        (self.points - 1) as f64 * self.step
    }
}

/// Probabilities f₀ … f_{m−1} of the payment per loss on `grid`, and the mass that falls
/// beyond the grid's end (reported, not lumped).
pub fn discretize<S: Severity + ?Sized>(
    severity: &S,
    terms: &ClaimTerms,
    grid: &Grid,
    method: Discretization,
) -> (Vec<f64>, f64) {
    let h = grid.step;
    let m = grid.points;
    let payment = terms.covering(severity);
    let cdf = |y: f64| payment.cdf(y);
    let mut f = vec![0.0; m];
    let covered;
    match method {
        Discretization::Rounding => {
            let mut prev = 0.0;
            for (j, fj) in f.iter_mut().enumerate() {
                let c = cdf((j as f64 + 0.5) * h);
                *fj = (c - prev).max(0.0);
                prev = c;
            }
            covered = prev;
        }
        Discretization::Lower => {
            let mut prev = 0.0;
            for (j, fj) in f.iter_mut().enumerate() {
                let c = cdf((j + 1) as f64 * h);
                *fj = (c - prev).max(0.0);
                prev = c;
            }
            covered = prev;
        }
        Discretization::Upper => {
            let mut prev = 0.0;
            for (j, fj) in f.iter_mut().enumerate() {
                let c = cdf(j as f64 * h);
                *fj = (c - prev).max(0.0);
                prev = c;
            }
            covered = prev;
        }
        Discretization::MomentMatching => {
            f = Cells::of_payment(&payment, h, m + 1, true).moment_matching(m);
            covered = crate::numerics::compensated_sum(f.iter().copied());
        }
        Discretization::MeanPreserving => {
            f = Cells::of_payment(&payment, h, m, false).mean_preserving(m);
            // Mass beyond the grid: what the last cells leave of the total.
            covered = crate::numerics::compensated_sum(f.iter().copied());
        }
    }
    (f, (1.0 - covered).max(0.0))
}
