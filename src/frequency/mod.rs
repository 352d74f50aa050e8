//! Claim-count distributions: the number of claims per exposure-year.
//!
//! Pipeline position: `numerics → frequency → aggregate`. Every family implements
//! [`Frequency`]; [`FrequencyModel`] is the closed enum configurations deserialize into
//! (`{"type": "poisson", "lambda": 0.8}`). Parameterisations follow Klugman–Panjer–Willmot,
//! *Loss Models*, Appendix B, including the (a, b, 0) and (a, b, 1) classes used by the Panjer
//! recursion.
//!
//! Sampling is by inversion of a precomputed cumulative table when the distribution is
//! concentrated on fewer than [`TABLE_LIMIT`] values (the common case in technology
//! insurance, λ from 0.01 to 5): one uniform draw and a few comparisons per count.

mod bernoulli;
mod binomial;
mod geometric;
mod logarithmic;
mod model;
mod negative_binomial;
mod poisson;
mod table;
mod zero_modified;

pub use bernoulli::{Bernoulli, BernoulliParams};
pub use binomial::{Binomial, BinomialParams};
pub use geometric::{Geometric, GeometricParams};
pub use logarithmic::{Logarithmic, LogarithmicParams};
pub use model::FrequencyModel;
pub use negative_binomial::{NegativeBinomial, NegativeBinomialParams};
pub use poisson::{Poisson, PoissonParams};
pub use table::TABLE_LIMIT;
pub use zero_modified::{ZeroModified, ZeroModifiedParams};

use crate::error::Result;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Membership of the Panjer (a, b, ·) class: pₖ = (a + b/k)·pₖ₋₁.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PanjerClass {
    /// The a parameter.
    pub a: f64,
    /// The b parameter.
    pub b: f64,
    /// From which k the recursion holds.
    pub kind: PanjerKind,
}

/// Where the (a, b) recursion starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum PanjerKind {
    /// (a, b, 0): the recursion holds for k ≥ 1 (Poisson, negative binomial, binomial).
    AB0,
    /// (a, b, 1): it holds for k ≥ 2; p₀ is free (zero-truncated / zero-modified, logarithmic).
    AB1,
}

/// A distribution of claim counts N ∈ {0, 1, 2, …} per exposure-year.
///
/// Queries never panic on valid models; arguments outside the domain give NaN.
pub trait Frequency: Send + Sync {
    /// P(N = k).
    fn pmf(&self, k: u64) -> f64;

    /// P(N ≤ k).
    fn cdf(&self, k: u64) -> f64;

    /// E[N] (claims per exposure-year).
    fn mean(&self) -> f64;

    /// Var[N].
    fn variance(&self) -> f64;

    /// Probability generating function P(z) = E[z^N] for z in [0, 1] (NaN outside).
    fn pgf(&self, z: f64) -> f64;

    /// The (a, b, 0) or (a, b, 1) parameters, or `None` outside the Panjer class.
    fn panjer_class(&self) -> Option<PanjerClass>;

    /// The count of claims that survive independent thinning with probability `p` (e.g. claims
    /// above a deductible, p = S(d)); the family is closed under thinning. `p` in [0, 1].
    fn thinned(&self, p: f64) -> Result<Self>
    where
        Self: Sized;

    /// Draws one count.
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64
    where
        Self: Sized;

    /// Draws one count from N | N ≥ 1 (used for importance sampling of claim-free years).
    /// Returns 0 when P(N = 0) = 1. The default rejects zeros; the built-in families invert
    /// their cumulative table from P(N = 0) upwards instead.
    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64
    where
        Self: Sized,
    {
        if self.pmf(0) >= 1.0 {
            return 0;
        }
        loop {
            let k = self.sample(rng);
            if k > 0 {
                return k;
            }
        }
    }
}

/// N | N ≥ 1 by rejection, for large means where zeros are rare (P(N = 0) < 1 is ensured by
/// the caller's table having failed, i.e. a large mean).
#[cold]
fn positive_by_rejection<F: Frequency, R: Rng + ?Sized>(f: &F, rng: &mut R) -> u64 {
    loop {
        let k = f.sample(rng);
        if k > 0 {
            return k;
        }
    }
}

/// pgf argument check shared by the families.
fn pgf_domain(z: f64) -> bool {
    (0.0..=1.0).contains(&z)
}
