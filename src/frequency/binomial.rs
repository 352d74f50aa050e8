//! Binomial claim counts (a fixed number of exposures, each claiming at most once).

use super::table::InverseTable;
use super::{Complex64, Frequency, PanjerClass, PanjerKind, pgf_domain, positive_by_rejection};
use crate::error::Result;
use crate::numerics::special::{beta_reg, ln_gamma};
use crate::numerics::special::{exp_increment, ln_1p};
use crate::numerics::validate;
use crate::severity::family_params;
use rand::Rng;
use rand_distr::Distribution;
use serde::{Deserialize, Serialize};

const MODEL: &str = "Binomial";

/// Binomial(m, q) claim count (*Loss Models* B.2.1.2): pₖ = C(m,k) q^k (1−q)^(m−k),
/// mean mq, variance mq(1−q), P(z) = (1 + q(z−1))^m; (a, b, 0) with a = −q/(1−q),
/// b = (m+1)q/(1−q).
///
/// scipy: `binom(n=m, p=q)`; R: `dbinom(x, size=m, prob=q)`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "BinomialParams", into = "BinomialParams")]
pub struct Binomial {
    m: u64,
    q: f64,
    sampler: Sampler,
}

#[derive(Debug, Clone, PartialEq)]
enum Sampler {
    Table(InverseTable),
    Large(rand_distr::Binomial),
}

family_params! {
    /// JSON parameters of [`Binomial`].
    BinomialParams for Binomial via Binomial::new {
        /// Number of independent exposures m.
        m: u64,
        /// Claim probability of each, q in \[0, 1\].
        q: f64,
    }
}

impl Binomial {
    /// Binomial with `m` trials and success probability `q` in \[0, 1\].
    pub fn new(m: u64, q: f64) -> Result<Self> {
        validate::probability(MODEL, "q", q)?;
        let mean = m as f64 * q;
        let sampler = match InverseTable::build(|k| pmf(m, q, k), mean) {
            Some(t) => Sampler::Table(t),
            None => Sampler::Large(rand_distr::Binomial::new(m, q).map_err(|_| {
                crate::Error::InvalidParameter {
                    model: MODEL,
                    parameter: "q",
                    value: q,
                    rule: "a probability in [0, 1]",
                }
            })?),
        };
        Ok(Self { m, q, sampler })
    }

    /// Number of trials m.
    pub fn m(&self) -> u64 {
        self.m
    }

    /// Success probability q.
    pub fn q(&self) -> f64 {
        self.q
    }
}

fn pmf(m: u64, q: f64, k: u64) -> f64 {
    if k > m {
        return 0.0;
    }
    if q == 0.0 || q == 1.0 {
        let at = if q == 0.0 { 0 } else { m };
        return if k == at { 1.0 } else { 0.0 };
    }
    let (mf, kf) = (m as f64, k as f64);
    let ln_c = ln_gamma(mf + 1.0) - ln_gamma(kf + 1.0) - ln_gamma(mf - kf + 1.0);
    (ln_c + kf * q.ln() + (mf - kf) * (-q).ln_1p()).exp()
}

impl Frequency for Binomial {
    fn pmf(&self, k: u64) -> f64 {
        pmf(self.m, self.q, k)
    }

    fn cdf(&self, k: u64) -> f64 {
        if k >= self.m || self.q == 0.0 {
            1.0
        } else if self.q == 1.0 {
            0.0
        } else {
            beta_reg((self.m - k) as f64, k as f64 + 1.0, 1.0 - self.q)
        }
    }

    fn mean(&self) -> f64 {
        self.m as f64 * self.q
    }

    fn variance(&self) -> f64 {
        self.m as f64 * self.q * (1.0 - self.q)
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        (1.0 + self.q * (z - 1.0)).powf(self.m as f64)
    }

    fn ln_pgf(&self, z: f64) -> f64 {
        self.m as f64 * (self.q * (z - 1.0)).ln_1p()
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        let base = 1.0 + self.q * (z - 1.0);
        Some(match u32::try_from(self.m) {
            Ok(m) => base.powu(m),
            Err(_) => (self.m as f64 * base.ln()).exp(),
        })
    }

    /// P(z₀)·expm1(m·ln1p(qd/(1 + q(z₀ − 1)))).
    fn pgf_increment(&self, z0: f64, d: Complex64) -> Option<Complex64> {
        let base = 1.0 + self.q * (z0 - 1.0);
        if base <= 0.0 {
            let z0 = Complex64::new(z0, 0.0);
            return Some(self.pgf_complex(z0 + d)? - self.pgf_complex(z0)?);
        }
        Some(exp_increment(
            self.ln_pgf(z0),
            self.m as f64 * ln_1p(self.q * d / base),
        ))
    }

    fn third_central_moment(&self) -> f64 {
        self.m as f64 * self.q * (1.0 - self.q) * (1.0 - 2.0 * self.q)
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        (self.q < 1.0).then(|| {
            let a = -self.q / (1.0 - self.q);
            PanjerClass {
                a,
                b: -(self.m as f64 + 1.0) * a,
                kind: PanjerKind::AB0,
            }
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        Self::new(self.m, self.q * p)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample(rng, |k| pmf(self.m, self.q, k)),
            Sampler::Large(d) => sample_large(d, rng),
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample_positive(rng, |k| pmf(self.m, self.q, k)),
            _ => positive_by_rejection(self, rng),
        }
    }
}

/// Kept out of line so that the table path stays small when inlined.
#[cold]
#[inline(never)]
fn sample_large<R: Rng + ?Sized>(d: &rand_distr::Binomial, rng: &mut R) -> u64 {
    d.sample(rng)
}
