//! Empirical severity: the distribution that puts mass 1/n on each observed loss.

use super::Severity;
use crate::error::{Error, Result};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Empirical";

/// Empirical claim-size distribution of n observed losses (元), each with probability 1/n.
///
/// ```text
/// F(x) = #{xᵢ ≤ x}/n,  E[X^k] = Σ xᵢ^k / n,
/// LEV(u) = (Σ_{xᵢ<u} xᵢ + u·#{xᵢ ≥ u}) / n     (exact, via prefix sums)
/// ```
/// The quantile is the left-continuous inverse (R `quantile(type = 1)`). The distribution is
/// discrete, so [`Severity::density`] is NaN.
///
/// ```
/// use kexian::severity::{Empirical, Severity};
/// let e = Empirical::new(vec![100.0, 300.0, 200.0, 400.0])?;
/// assert_eq!(e.limited_expected_value(250.0), (100.0 + 200.0 + 250.0 * 2.0) / 4.0);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "EmpiricalParams", into = "EmpiricalParams")]
pub struct Empirical {
    sorted: Vec<f64>,
    /// prefix\[i\] = Σ_{j<i} sorted\[j\].
    prefix: Vec<f64>,
}

/// JSON parameters of [`Empirical`]: the observed losses.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EmpiricalParams {
    /// Observed losses (元), finite and ≥ 0, at least one.
    pub data: Vec<f64>,
}

impl TryFrom<EmpiricalParams> for Empirical {
    type Error = Error;
    fn try_from(p: EmpiricalParams) -> Result<Self> {
        Self::new(p.data)
    }
}

impl From<Empirical> for EmpiricalParams {
    fn from(e: Empirical) -> Self {
        Self { data: e.sorted }
    }
}

impl Empirical {
    /// Empirical distribution of `data` (元): non-empty, every value finite and ≥ 0.
    pub fn new(mut data: Vec<f64>) -> Result<Self> {
        if data.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "data",
            });
        }
        if let Some((index, &value)) = data
            .iter()
            .enumerate()
            .find(|(_, v)| !(v.is_finite() && **v >= 0.0))
        {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "data",
                index,
                value,
                rule: "finite and >= 0",
            });
        }
        data.sort_by(f64::total_cmp);
        let mut prefix = Vec::with_capacity(data.len() + 1);
        let mut acc = 0.0;
        prefix.push(acc);
        for &x in &data {
            acc += x;
            prefix.push(acc);
        }
        Ok(Self {
            sorted: data,
            prefix,
        })
    }

    /// The observations, sorted ascending.
    pub fn data(&self) -> &[f64] {
        &self.sorted
    }

    fn n(&self) -> f64 {
        self.sorted.len() as f64
    }

    /// Number of observations ≤ x.
    fn count_le(&self, x: f64) -> usize {
        self.sorted.partition_point(|&v| v <= x)
    }
}

impl Severity for Empirical {
    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        self.count_le(x) as f64 / self.n()
    }

    fn survival(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        (self.sorted.len() - self.count_le(x)) as f64 / self.n()
    }

    fn density(&self, _x: f64) -> f64 {
        f64::NAN
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        let rank = (level * self.n()).ceil() as usize;
        self.sorted[rank.clamp(1, self.sorted.len()) - 1]
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        self.quantile(0.5 - prob + 0.5)
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        Some(self.sorted.iter().map(|x| x.powi(k as i32)).sum::<f64>() / self.n())
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        let below = self.sorted.partition_point(|&v| v < limit);
        let capped = (self.sorted.len() - below) as f64 * limit.powi(k as i32);
        let sum_below = if k == 1 {
            self.prefix[below]
        } else {
            self.sorted[..below].iter().map(|x| x.powi(k as i32)).sum()
        };
        if limit == f64::INFINITY {
            return sum_below / self.n();
        }
        (sum_below + capped) / self.n()
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.sorted[rng.random_range(0..self.sorted.len())]
    }
}
