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
pub(crate) mod compound;
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
pub use realfft::num_complex::Complex64;
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

    /// E\[N\] (claims per exposure-year).
    fn mean(&self) -> f64;

    /// Var\[N\].
    fn variance(&self) -> f64;

    /// Probability generating function P(z) = E\[z^N\] for z in \[0, 1\] (NaN outside).
    fn pgf(&self, z: f64) -> f64;

    /// ln P(z) for z in \[0, 1\], accurate where P(z) itself underflows (e.g. Poisson with large
    /// λ at z near 0). The default takes the log of [`Frequency::pgf`].
    fn ln_pgf(&self, z: f64) -> f64 {
        self.pgf(z).ln()
    }

    /// P(z) for complex |z| ≤ 1 (used by FFT aggregation); `None` if not available.
    fn pgf_complex(&self, _z: Complex64) -> Option<Complex64> {
        None
    }

    /// The increment P(z₀ + d) − P(z₀) for real z₀ in \[0, 1\] and complex d with
    /// |z₀ + d| ≤ 1, without the cancellation of the plain difference when d is small (FFT
    /// aggregation transforms the claims without the atom at zero and adds P(z₀) back
    /// exactly). The default is the plain difference; Poisson, negative binomial, geometric,
    /// binomial and Bernoulli compute it through expm1 and ln1p.
    fn pgf_increment(&self, z0: f64, d: Complex64) -> Option<Complex64> {
        let z0 = Complex64::new(z0, 0.0);
        Some(self.pgf_complex(z0 + d)? - self.pgf_complex(z0)?)
    }

    /// Third central moment E\[(N − E[N\])³]. The default sums the pmf until the tail mass is
    /// below 1e-15 (at most 10⁶ terms).
    fn third_central_moment(&self) -> f64 {
        let m = self.mean();
        let (mut acc, mut mass) = (0.0, 0.0);
        for k in 0..1_000_000u64 {
            let p = self.pmf(k);
            acc += p * (k as f64 - m).powi(3);
            mass += p;
            if 1.0 - mass < 1e-15 && k as f64 > m {
                break;
            }
        }
        acc
    }

    /// The (a, b, 0) or (a, b, 1) parameters, or `None` outside the Panjer class.
    fn panjer_class(&self) -> Option<PanjerClass>;

    /// The count of claims that survive independent thinning with probability `p` (e.g. claims
    /// above a deductible, p = S(d)); the family is closed under thinning. `p` in \[0, 1\].
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
