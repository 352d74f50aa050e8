//! Poisson claim counts.

use super::table::InverseTable;
use super::{Complex64, Frequency, PanjerClass, PanjerKind, pgf_domain, positive_by_rejection};
use crate::error::Result;
use crate::numerics::special::exp_increment;
use crate::numerics::special::{gamma_q, ln_gamma};
use crate::numerics::validate;
use crate::severity::family_params;
use rand::Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

const MODEL: &str = "Poisson";

/// Poisson(λ) claim count (*Loss Models* B.2.1.1): pₖ = e^(−λ) λ^k / k!, mean = variance = λ,
/// P(z) = e^(λ(z−1)); (a, b, 0) with a = 0, b = λ.
///
/// scipy: `poisson(mu=λ)`; R: `dpois(x, lambda=λ)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PoissonParams", into = "PoissonParams")]
pub struct Poisson {
    lambda: f64,
    sampler: Sampler,
}

#[derive(Debug, Clone, PartialEq)]
enum Sampler {
    Table(InverseTable),
    Large(rand_distr::Poisson<f64>),
}

family_params! {
    /// JSON parameters of [`Poisson`].
    PoissonParams for Poisson via Poisson::new {
        /// Expected claims per exposure-year λ ≥ 0.
        lambda: f64,
    }
}

impl Poisson {
    /// Poisson with mean `lambda` ≥ 0 (λ = 0 is the point mass at 0).
    pub fn new(lambda: f64) -> Result<Self> {
        validate::non_negative(MODEL, "lambda", lambda)?;
        let sampler = match InverseTable::build(|k| pmf(lambda, k), lambda) {
            Some(t) => Sampler::Table(t),
            None => Sampler::Large(rand_distr::Poisson::new(lambda).map_err(|_| {
                crate::Error::InvalidParameter {
                    model: MODEL,
                    parameter: "lambda",
                    value: lambda,
                    rule: "below the sampler's limit (about 1.8e19)",
                }
            })?),
        };
        Ok(Self { lambda, sampler })
    }

    /// The mean λ.
    pub fn lambda(&self) -> f64 {
        self.lambda
    }

    /// The count at the uniform `u` in \[0, 1) by inversion where λ has a table (up to
    /// about 3,000 claims), else a draw of the large-mean sampler from `rng()`: the batched
    /// samplers' count of claims from one counter word.
    #[inline]
    pub(crate) fn invert<R: Rng>(&self, u: f64, rng: impl FnOnce() -> R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.invert(u, |k| pmf(self.lambda, k)),
            Sampler::Large(d) => sample_large(d, &mut rng()),
        }
    }
}

fn pmf(lambda: f64, k: u64) -> f64 {
    if lambda == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    let k = k as f64;
    (k * lambda.ln() - lambda - ln_gamma(k + 1.0)).exp()
}

impl Frequency for Poisson {
    fn pmf(&self, k: u64) -> f64 {
        pmf(self.lambda, k)
    }

    fn cdf(&self, k: u64) -> f64 {
        if self.lambda == 0.0 {
            1.0
        } else {
            gamma_q(k as f64 + 1.0, self.lambda)
        }
    }

    fn mean(&self) -> f64 {
        self.lambda
    }

    fn variance(&self) -> f64 {
        self.lambda
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        (self.lambda * (z - 1.0)).exp()
    }

    fn ln_pgf(&self, z: f64) -> f64 {
        self.lambda * (z - 1.0)
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        Some((self.lambda * (z - 1.0)).exp())
    }

    /// e^(λ(z₀−1))·expm1(λd).
    fn pgf_increment(&self, z0: f64, d: Complex64) -> Option<Complex64> {
        Some(exp_increment(self.lambda * (z0 - 1.0), self.lambda * d))
    }

    fn third_central_moment(&self) -> f64 {
        self.lambda
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        Some(PanjerClass {
            a: 0.0,
            b: self.lambda,
            kind: PanjerKind::AB0,
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        Self::new(self.lambda * p)
    }

    #[inline(always)]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample(rng, |k| pmf(self.lambda, k)),
            Sampler::Large(d) => sample_large(d, rng),
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample_positive(rng, |k| pmf(self.lambda, k)),
            _ => positive_by_rejection(self, rng),
        }
    }
}

/// Kept out of line so that the table path stays small when inlined.
#[cold]
#[inline(never)]
fn sample_large<R: Rng + ?Sized>(d: &rand_distr::Poisson<f64>, rng: &mut R) -> u64 {
    d.sample(rng) as u64
}
