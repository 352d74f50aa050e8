//! Geometric claim counts.

use super::table::InverseTable;
use super::{Complex64, Frequency, PanjerClass, PanjerKind, pgf_domain, positive_by_rejection};
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::family_params;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Geometric";

/// Geometric(β) claim count (*Loss Models* B.2.1.4), the negative binomial with r = 1:
/// pₖ = β^k/(1+β)^(k+1), P(N ≤ k) = 1 − (β/(1+β))^(k+1), mean β, variance β(1+β);
/// (a, b, 0) with a = β/(1+β), b = 0.
///
/// scipy: `geom(p=1/(1+β), loc=-1)`; R: `dgeom(x, prob=1/(1+β))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "GeometricParams", into = "GeometricParams")]
pub struct Geometric {
    beta: f64,
    table: Option<InverseTable>,
}

family_params! {
    /// JSON parameters of [`Geometric`].
    GeometricParams for Geometric via Geometric::new {
        /// Mean β ≥ 0.
        beta: f64,
    }
}

impl Geometric {
    /// Geometric with mean `beta` ≥ 0.
    pub fn new(beta: f64) -> Result<Self> {
        validate::non_negative(MODEL, "beta", beta)?;
        let table = InverseTable::build(|k| pmf(beta, k), beta);
        Ok(Self { beta, table })
    }

    /// Mean β.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// ln(β/(1+β)), the log of the common ratio.
    fn ln_ratio(&self) -> f64 {
        ln_ratio(self.beta)
    }
}

/// ln(β/(1+β)) = −ln(1 + 1/β): the difference ln β − ln(1 + β) cancels to 0 (or above) for
/// β ≳ 10¹⁵, where every draw would then be 0.
fn ln_ratio(beta: f64) -> f64 {
    -beta.recip().ln_1p()
}

fn pmf(beta: f64, k: u64) -> f64 {
    if beta == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    (k as f64 * ln_ratio(beta) - beta.ln_1p()).exp()
}

impl Frequency for Geometric {
    fn pmf(&self, k: u64) -> f64 {
        pmf(self.beta, k)
    }

    fn cdf(&self, k: u64) -> f64 {
        if self.beta == 0.0 {
            1.0
        } else {
            -((k as f64 + 1.0) * self.ln_ratio()).exp_m1()
        }
    }

    fn mean(&self) -> f64 {
        self.beta
    }

    fn variance(&self) -> f64 {
        self.beta * (1.0 + self.beta)
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        1.0 / (1.0 - self.beta * (z - 1.0))
    }

    fn ln_pgf(&self, z: f64) -> f64 {
        -(-self.beta * (z - 1.0)).ln_1p()
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        Some(1.0 / (1.0 - self.beta * (z - 1.0)))
    }

    /// P(z₀)·βd/(1 − β(z₀ − 1) − βd): exact algebra, no cancellation.
    fn pgf_increment(&self, z0: f64, d: Complex64) -> Option<Complex64> {
        let base = 1.0 - self.beta * (z0 - 1.0);
        Some(self.beta * d / (base * (base - self.beta * d)))
    }

    fn third_central_moment(&self) -> f64 {
        self.beta * (1.0 + self.beta) * (1.0 + 2.0 * self.beta)
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        Some(PanjerClass {
            a: self.beta / (1.0 + self.beta),
            b: 0.0,
            kind: PanjerKind::AB0,
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        Self::new(self.beta * p)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.table {
            Some(t) => t.sample(rng, |k| pmf(self.beta, k)),
            None => {
                // Closed-form inversion: N = ⌊ln(U)/ln(β/(1+β))⌋ with U in (0, 1].
                let u: f64 = rng.random();
                ((0.5 - u + 0.5).ln() / self.ln_ratio()).floor() as u64
            }
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.table {
            Some(t) => t.sample_positive(rng, |k| pmf(self.beta, k)),
            None => positive_by_rejection(self, rng),
        }
    }
}
