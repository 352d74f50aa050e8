//! Credibility: blending each entity's own experience with its group's and the collective's.
//!
//! Input is long format ([`Panel`]: entity id, optional group id, period, ratio, weight, with
//! arbitrary ids), as experience arrives from a claims system. Models, each with the
//! estimators R actuar's `cm()` offers and checked against it on the Hachemeister data:
//! - [`BuhlmannStraub`]: unbiased or iterative (Bichsel–Straub) between-entity variance;
//! - [`Hierarchical`] (group → entity, e.g. sector → firm): Bühlmann–Gisler, Ohlsson or
//!   iterative estimators;
//! - [`Hachemeister`] regression credibility (a linear trend in the period, intercept at the
//!   time origin, between-covariance estimated iteratively);
//! - [`experience_factor`]: Poisson–gamma experience rating on top of a GLM prediction.

mod hierarchical;
mod panel;
mod regression;
mod straub;

pub use hierarchical::{Hierarchical, HierarchicalEstimator};
pub use panel::{CredibilityRecord, Panel};
pub use regression::Hachemeister;
pub use straub::{BuhlmannStraub, StraubEstimator};

use crate::error::{Error, Result};

/// Convergence tolerance of the iterative estimators: relative change below √ε, as actuar.
const TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;
/// Iterations allowed to the iterative estimators (actuar's `maxit`).
const MAX_ITERATIONS: usize = 100;

/// Repeats `step`, which returns the largest relative change of the estimates it updates,
/// until that change is below [`TOLERANCE`]; an error naming `what` after
/// [`MAX_ITERATIONS`].
fn converge(model: &'static str, what: &str, mut step: impl FnMut() -> Result<f64>) -> Result<()> {
    for _ in 0..MAX_ITERATIONS {
        if step()? < TOLERANCE {
            return Ok(());
        }
    }
    Err(Error::Inconsistent {
        model,
        message: format!(
            "the iterative {what} did not converge in {MAX_ITERATIONS} iterations (relative \
             tolerance {TOLERANCE:e}): use the unbiased estimator"
        ),
    })
}

/// max |new − old| / |old| over the pairs.
fn relative_change<'a>(pairs: impl IntoIterator<Item = (&'a f64, &'a f64)>) -> f64 {
    pairs
        .into_iter()
        .map(|(n, o)| ((n - o) / o).abs())
        .fold(0.0, f64::max)
}

/// Experience rating of one firm on top of its GLM prediction, for claim counts whose
/// firm effect is gamma with variance α (the NB2 α of [`crate::rating::GlmFamily`]):
/// `Z = αE / (1 + αE)` and factor `Z·N/E + (1 − Z)`, where E is the GLM's expected count over
/// the experience period and N the observed count. This is the exact Poisson–gamma
/// posterior mean (1/α + N)/(1/α + E). Returns (Z, factor); multiply the GLM's prediction
/// for the next period by the factor.
///
/// ```
/// use kexian::rating::experience_factor;
/// // Expected 2 claims, observed 5, α = 0.5: Z = 0.5, factor = 0.5·2.5 + 0.5 = 1.75.
/// let (z, f) = experience_factor(2.0, 5.0, 0.5)?;
/// assert!((z - 0.5).abs() < 1e-15 && (f - 1.75).abs() < 1e-15);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn experience_factor(expected: f64, observed: f64, alpha: f64) -> Result<(f64, f64)> {
    const M: &str = "experience_factor";
    crate::numerics::validate::positive(M, "expected", expected)?;
    crate::numerics::validate::non_negative(M, "observed", observed)?;
    crate::numerics::validate::non_negative(M, "alpha", alpha)?;
    let z = alpha * expected / (1.0 + alpha * expected);
    Ok((z, z * observed / expected + (1.0 - z)))
}

/// Weighted mean Σ wᵢxᵢ / Σ wᵢ.
fn weighted_mean(w: &[f64], x: &[f64]) -> f64 {
    w.iter().zip(x).map(|(w, x)| w * x).sum::<f64>() / w.iter().sum::<f64>()
}

/// The unbiased between variance of nodes with means `x` and weights `w` given the variance
/// `within` one level down (Bühlmann & Gisler 2005, (4.27)):
/// w·[Σ wᵢ(xᵢ − x̄_w)² − (n − 1)·within] / (w² − Σ wᵢ²), w = Σ wᵢ.
fn unbiased_between(x: &[f64], w: &[f64], within: f64) -> f64 {
    let total: f64 = w.iter().sum();
    let mean = weighted_mean(w, x);
    let spread: f64 = w.iter().zip(x).map(|(w, x)| w * (x - mean).powi(2)).sum();
    let squares: f64 = w.iter().map(|w| w * w).sum();
    total * (spread - (x.len() as f64 - 1.0) * within) / (total * total - squares)
}

/// Credibility factors Zᵢ = 1/(1 + within/(between·wᵢ)) (all 0 when between ≤ 0).
fn factors(w: &[f64], within: f64, between: f64) -> Vec<f64> {
    w.iter()
        .map(|w| {
            if between > 0.0 {
                1.0 / (1.0 + within / (between * w))
            } else {
                0.0
            }
        })
        .collect()
}
