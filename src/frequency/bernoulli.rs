//! Bernoulli claim indicator (at most one claim a year, e.g. a project failing).

use super::{Complex64, Frequency, PanjerClass, PanjerKind, pgf_domain};
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::family_params;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Bernoulli";

/// Bernoulli(q): one claim with probability q, none otherwise — the binomial with m = 1.
/// Mean q, variance q(1−q), P(z) = 1 − q + qz; (a, b, 0) with a = −q/(1−q), b = 2q/(1−q).
///
/// scipy: `bernoulli(p=q)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BernoulliParams", into = "BernoulliParams")]
pub struct Bernoulli {
    q: f64,
}

family_params! {
    /// JSON parameters of [`Bernoulli`].
    BernoulliParams for Bernoulli via Bernoulli::new {
        /// Claim probability q in \[0, 1\].
        q: f64,
    }
}

impl Bernoulli {
    /// Bernoulli with claim probability `q` in \[0, 1\].
    pub fn new(q: f64) -> Result<Self> {
        validate::probability(MODEL, "q", q)?;
        Ok(Self { q })
    }

    /// Claim probability q.
    pub fn q(&self) -> f64 {
        self.q
    }
}

impl Frequency for Bernoulli {
    fn pmf(&self, k: u64) -> f64 {
        match k {
            0 => 1.0 - self.q,
            1 => self.q,
            _ => 0.0,
        }
    }

    fn cdf(&self, k: u64) -> f64 {
        if k == 0 { 1.0 - self.q } else { 1.0 }
    }

    fn mean(&self) -> f64 {
        self.q
    }

    fn variance(&self) -> f64 {
        self.q * (1.0 - self.q)
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        1.0 - self.q + self.q * z
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        Some(1.0 - self.q + self.q * z)
    }

    fn pgf_increment(&self, _z0: f64, d: Complex64) -> Option<Complex64> {
        Some(self.q * d)
    }

    fn third_central_moment(&self) -> f64 {
        self.q * (1.0 - self.q) * (1.0 - 2.0 * self.q)
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        (self.q < 1.0).then(|| {
            let a = -self.q / (1.0 - self.q);
            PanjerClass {
                a,
                b: -2.0 * a,
                kind: PanjerKind::AB0,
            }
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        Self::new(self.q * p)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        let u: f64 = rng.random();
        u64::from(u < self.q)
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, _rng: &mut R) -> u64 {
        u64::from(self.q > 0.0)
    }
}
