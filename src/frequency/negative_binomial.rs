//! Negative binomial claim counts (Poisson with gamma-mixed intensity).

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

const MODEL: &str = "NegativeBinomial";

/// Negative binomial(r, β) claim count (*Loss Models* B.2.1.3):
///
/// ```text
/// pₖ = Γ(k+r)/(Γ(r) k!) · (1/(1+β))^r · (β/(1+β))^k
/// mean = rβ,  variance = rβ(1+β),  P(z) = (1 − β(z−1))^(−r)
/// (a, b, 0):  a = β/(1+β),  b = (r−1)β/(1+β)
/// ```
/// It is the Poisson whose intensity is gamma distributed with mean rβ and CV 1/√r: the
/// standard model of heterogeneity between firms. scipy: `nbinom(n=r, p=1/(1+β))`;
/// R: `dnbinom(x, size=r, prob=1/(1+β))`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "NegativeBinomialParams", into = "NegativeBinomialParams")]
#[doc(alias = "nbinom")]
pub struct NegativeBinomial {
    r: f64,
    beta: f64,
    sampler: Sampler,
}

#[derive(Debug, Clone, PartialEq)]
enum Sampler {
    Table(InverseTable),
    /// Gamma(r, β) intensity, then Poisson.
    Mixed(rand_distr::Gamma<f64>),
}

family_params! {
    /// JSON parameters of [`NegativeBinomial`].
    NegativeBinomialParams for NegativeBinomial via NegativeBinomial::new {
        /// Shape r > 0 (1/r is the squared CV of the mixing distribution).
        r: f64,
        /// Scale β ≥ 0 of the mixing distribution.
        beta: f64,
    }
}

impl NegativeBinomial {
    /// Negative binomial with shape `r` > 0 and scale `beta` ≥ 0.
    pub fn new(r: f64, beta: f64) -> Result<Self> {
        validate::positive(MODEL, "r", r)?;
        validate::non_negative(MODEL, "beta", beta)?;
        let sampler = match InverseTable::build(|k| pmf(r, beta, k), r * beta) {
            Some(t) => Sampler::Table(t),
            None => Sampler::Mixed(rand_distr::Gamma::new(r, beta).map_err(|_| {
                crate::Error::InvalidParameter {
                    model: MODEL,
                    parameter: "r",
                    value: r,
                    rule: "representable by the gamma sampler",
                }
            })?),
        };
        Ok(Self { r, beta, sampler })
    }

    /// From the expected count `mean` ≥ 0 and the coefficient of variation of the gamma mixing
    /// distribution `mixing_cv` > 0: r = 1/cv², β = mean·cv².
    pub fn from_mean_mixing_cv(mean: f64, mixing_cv: f64) -> Result<Self> {
        validate::non_negative(MODEL, "mean", mean)?;
        validate::positive(MODEL, "mixing_cv", mixing_cv)?;
        Self::new(1.0 / (mixing_cv * mixing_cv), mean * mixing_cv * mixing_cv)
    }

    /// From mean > 0 and variance > mean: β = variance/mean − 1, r = mean/β.
    pub fn from_mean_variance(mean: f64, variance: f64) -> Result<Self> {
        validate::positive(MODEL, "mean", mean)?;
        validate::rule(
            MODEL,
            "variance",
            variance,
            variance.is_finite() && variance > mean,
            "finite and > mean (overdispersed)",
        )?;
        let beta = variance / mean - 1.0;
        Self::new(mean / beta, beta)
    }

    /// Shape r.
    pub fn r(&self) -> f64 {
        self.r
    }

    /// Scale β.
    pub fn beta(&self) -> f64 {
        self.beta
    }
}

fn pmf(r: f64, beta: f64, k: u64) -> f64 {
    if beta == 0.0 {
        return if k == 0 { 1.0 } else { 0.0 };
    }
    let kf = k as f64;
    let ln_p = ln_gamma(kf + r) - ln_gamma(r) - ln_gamma(kf + 1.0) - r * beta.ln_1p()
        + kf * (beta.ln() - beta.ln_1p());
    ln_p.exp()
}

impl Frequency for NegativeBinomial {
    fn pmf(&self, k: u64) -> f64 {
        pmf(self.r, self.beta, k)
    }

    fn cdf(&self, k: u64) -> f64 {
        if self.beta == 0.0 {
            1.0
        } else {
            beta_reg(self.r, k as f64 + 1.0, 1.0 / (1.0 + self.beta))
        }
    }

    fn mean(&self) -> f64 {
        self.r * self.beta
    }

    fn variance(&self) -> f64 {
        self.r * self.beta * (1.0 + self.beta)
    }

    fn pgf(&self, z: f64) -> f64 {
        if !pgf_domain(z) {
            return f64::NAN;
        }
        (-self.r * (-self.beta * (z - 1.0)).ln_1p()).exp()
    }

    fn ln_pgf(&self, z: f64) -> f64 {
        -self.r * (-self.beta * (z - 1.0)).ln_1p()
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        Some((-self.r * (1.0 - self.beta * (z - 1.0)).ln()).exp())
    }

    /// P(z₀)·expm1(−r·ln1p(−βd/(1 − β(z₀ − 1)))).
    fn pgf_increment(&self, z0: f64, d: Complex64) -> Option<Complex64> {
        let base = 1.0 - self.beta * (z0 - 1.0);
        Some(exp_increment(
            self.ln_pgf(z0),
            -self.r * ln_1p(-self.beta * d / base),
        ))
    }

    fn third_central_moment(&self) -> f64 {
        self.r * self.beta * (1.0 + self.beta) * (1.0 + 2.0 * self.beta)
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        let a = self.beta / (1.0 + self.beta);
        Some(PanjerClass {
            a,
            b: (self.r - 1.0) * a,
            kind: PanjerKind::AB0,
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        Self::new(self.r, self.beta * p)
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample(rng, |k| pmf(self.r, self.beta, k)),
            Sampler::Mixed(g) => sample_mixed(g, rng),
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.sampler {
            Sampler::Table(t) => t.sample_positive(rng, |k| pmf(self.r, self.beta, k)),
            _ => positive_by_rejection(self, rng),
        }
    }
}

/// Gamma intensity then Poisson count; out of line so that the table path stays small.
#[cold]
#[inline(never)]
fn sample_mixed<R: Rng + ?Sized>(g: &rand_distr::Gamma<f64>, rng: &mut R) -> u64 {
    let lambda = g.sample(rng);
    rand_distr::Poisson::new(lambda).map_or(0, |p| p.sample(rng) as u64)
}
