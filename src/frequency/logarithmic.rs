//! Logarithmic (log-series) claim counts, optionally zero-modified.

use super::table::InverseTable;
use super::{Complex64, Frequency, PanjerClass, PanjerKind, pgf_domain, positive_by_rejection};
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::family_params;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Logarithmic";

/// Logarithmic(β) claim count with probability `p0` at zero (*Loss Models* B.3.1.5, and its
/// zero-modified form for p0 > 0):
///
/// ```text
/// pₖ = (1 − p0)·(β/(1+β))^k / (k·ln(1+β)),  k ≥ 1;   P(N = 0) = p0
/// mean = (1 − p0)·β/ln(1+β),  E[N²] = (1 − p0)·β(1+β)/ln(1+β)
/// (a, b, 1):  a = β/(1+β),  b = −a
/// ```
/// Thinning stays in the family: β ↦ pβ, 1 − p0 ↦ (1 − p0)·ln(1+pβ)/ln(1+β).
/// scipy (p0 = 0): `logser(p=β/(1+β))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LogarithmicParams", into = "LogarithmicParams")]
#[doc(alias = "logser")]
pub struct Logarithmic {
    beta: f64,
    p0: f64,
    table: Option<InverseTable>,
}

family_params! {
    /// JSON parameters of [`Logarithmic`].
    LogarithmicParams for Logarithmic via Logarithmic::new {
        /// β > 0.
        beta: f64,
        /// P(N = 0) in \[0, 1\] (0 for the plain logarithmic).
        #[serde(default)]
        p0: f64,
    }
}

impl Logarithmic {
    /// Logarithmic with `beta` > 0 and zero probability `p0` in \[0, 1\].
    pub fn new(beta: f64, p0: f64) -> Result<Self> {
        validate::positive(MODEL, "beta", beta)?;
        validate::probability(MODEL, "p0", p0)?;
        let mean = (1.0 - p0) * beta / beta.ln_1p();
        let table = InverseTable::build(|k| pmf(beta, p0, k), mean);
        Ok(Self { beta, p0, table })
    }

    /// β.
    pub fn beta(&self) -> f64 {
        self.beta
    }

    /// P(N = 0).
    pub fn p0(&self) -> f64 {
        self.p0
    }
}

fn pmf(beta: f64, p0: f64, k: u64) -> f64 {
    if k == 0 {
        return p0;
    }
    let kf = k as f64;
    (1.0 - p0) * (kf * (beta.ln() - beta.ln_1p()) - kf.ln() - beta.ln_1p().ln()).exp()
}

impl Frequency for Logarithmic {
    fn pmf(&self, k: u64) -> f64 {
        pmf(self.beta, self.p0, k)
    }

    fn cdf(&self, k: u64) -> f64 {
        let below: f64 = (1..=k).map(|j| pmf(self.beta, self.p0, j)).sum();
        (self.p0 + below).min(1.0)
    }

    fn mean(&self) -> f64 {
        (1.0 - self.p0) * self.beta / self.beta.ln_1p()
    }

    fn variance(&self) -> f64 {
        let m = self.mean();
        (1.0 - self.p0) * self.beta * (1.0 + self.beta) / self.beta.ln_1p() - m * m
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        let p = 1.0 - (-self.beta * (z - 1.0)).ln_1p() / self.beta.ln_1p();
        self.p0 + (1.0 - self.p0) * p
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        let p = 1.0 - (1.0 - self.beta * (z - 1.0)).ln() / self.beta.ln_1p();
        Some(self.p0 + (1.0 - self.p0) * p)
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        let a = self.beta / (1.0 + self.beta);
        Some(PanjerClass {
            a,
            b: -a,
            kind: PanjerKind::AB1,
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        if p == 0.0 {
            // Every claim is removed: the point mass at zero (β is then immaterial).
            return Self::new(self.beta, 1.0);
        }
        let kept = (1.0 - self.p0) * (p * self.beta).ln_1p() / self.beta.ln_1p();
        Self::new(p * self.beta, 1.0 - kept)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        if let Some(t) = &self.table {
            return t.sample(rng, |k| pmf(self.beta, self.p0, k));
        }
        // Sequential inversion with pₖ = pₖ₋₁·a·(k−1)/k.
        let u: f64 = rng.random();
        let mut acc = self.p0;
        if u < acc {
            return 0;
        }
        let a = self.beta / (1.0 + self.beta);
        let mut p = pmf(self.beta, self.p0, 1);
        let mut k = 1u64;
        loop {
            acc += p;
            if u < acc || p == 0.0 {
                return k;
            }
            p *= a * k as f64 / (k as f64 + 1.0);
            k += 1;
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.table {
            Some(t) => t.sample_positive(rng, |k| pmf(self.beta, self.p0, k)),
            None => positive_by_rejection(self, rng),
        }
    }
}
