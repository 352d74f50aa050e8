//! Finite mixtures of severities (e.g. attritional + large claims).

use super::{Severity, SeverityModel, numerical_inverse_survival, numerical_quantile};
use crate::error::{Error, Result};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Mixture";

/// Finite mixture: with probability wᵢ the claim comes from component i.
///
/// ```text
/// F(x) = Σ wᵢ Fᵢ(x),  E[X^k] = Σ wᵢ Eᵢ[X^k] (infinite if any component's is),
/// LEV(u) = Σ wᵢ LEVᵢ(u)
/// ```
/// Quantiles are solved numerically.
///
/// ```
/// use kexian::severity::{Exponential, Mixture, Pareto, Severity, SeverityModel};
/// let m = Mixture::new(vec![
///     (0.9, SeverityModel::Exponential(Exponential::new(10_000.0)?)),
///     (0.1, SeverityModel::Pareto(Pareto::new(2.5, 1.5e6)?)),
/// ])?;
/// assert!((m.mean().unwrap() - (0.9 * 10_000.0 + 0.1 * 1.0e6)).abs() < 1e-6);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "MixtureParams", into = "MixtureParams")]
pub struct Mixture {
    components: Vec<(f64, SeverityModel)>,
    /// Cumulative weights, last = 1.
    cumulative: Vec<f64>,
}

/// One weighted component of a [`Mixture`] in JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixtureComponent {
    /// Mixing weight in \[0, 1\].
    pub weight: f64,
    /// The component distribution.
    pub model: SeverityModel,
}

/// JSON parameters of [`Mixture`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MixtureParams {
    /// Components; weights must sum to 1 (within 1e-9).
    pub components: Vec<MixtureComponent>,
}

impl TryFrom<MixtureParams> for Mixture {
    type Error = Error;
    fn try_from(p: MixtureParams) -> Result<Self> {
        Self::new(
            p.components
                .into_iter()
                .map(|c| (c.weight, c.model))
                .collect(),
        )
    }
}

impl From<Mixture> for MixtureParams {
    fn from(m: Mixture) -> Self {
        Self {
            components: m
                .components
                .into_iter()
                .map(|(weight, model)| MixtureComponent { weight, model })
                .collect(),
        }
    }
}

impl Mixture {
    /// Mixture of `(weight, model)` pairs; weights in \[0, 1\] summing to 1 within 1e-9 (they are
    /// then renormalised exactly).
    pub fn new(components: Vec<(f64, SeverityModel)>) -> Result<Self> {
        if components.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "components",
            });
        }
        for (index, (w, _)) in components.iter().enumerate() {
            if !(0.0..=1.0).contains(w) {
                return Err(Error::InvalidElement {
                    model: MODEL,
                    parameter: "weight",
                    index,
                    value: *w,
                    rule: "a probability in [0, 1]",
                });
            }
        }
        let total: f64 = components.iter().map(|c| c.0).sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(Error::InvalidParameter {
                model: MODEL,
                parameter: "weights (sum)",
                value: total,
                rule: "1 within 1e-9",
            });
        }
        let components: Vec<(f64, SeverityModel)> = components
            .into_iter()
            .map(|(w, m)| (w / total, m))
            .collect();
        let mut acc = 0.0;
        let mut cumulative: Vec<f64> = components
            .iter()
            .map(|(w, _)| {
                acc += w;
                acc
            })
            .collect();
        if let Some(last) = cumulative.last_mut() {
            *last = 1.0;
        }
        Ok(Self {
            components,
            cumulative,
        })
    }

    /// The `(weight, model)` components.
    pub fn components(&self) -> &[(f64, SeverityModel)] {
        &self.components
    }

    fn weighted(&self, f: impl Fn(&SeverityModel) -> f64) -> f64 {
        self.components
            .iter()
            .filter(|(w, _)| *w > 0.0)
            .map(|(w, m)| w * f(m))
            .sum()
    }

    fn lower(&self) -> f64 {
        self.components
            .iter()
            .map(|(_, m)| m.quantile(0.0))
            .fold(f64::INFINITY, f64::min)
    }
}

impl Severity for Mixture {
    fn cdf(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        self.weighted(|m| m.cdf(x)).min(1.0)
    }

    fn survival(&self, x: f64) -> f64 {
        if x.is_nan() {
            return f64::NAN;
        }
        self.weighted(|m| m.survival(x)).min(1.0)
    }

    fn density(&self, x: f64) -> f64 {
        self.weighted(|m| m.density(x))
    }

    fn quantile(&self, level: f64) -> f64 {
        match level {
            l if !(0.0..=1.0).contains(&l) => f64::NAN,
            0.0 => self.lower(),
            1.0 => self
                .components
                .iter()
                .filter(|(w, _)| *w > 0.0)
                .map(|(_, m)| m.quantile(1.0))
                .fold(0.0, f64::max),
            l => numerical_quantile(self, l, self.lower(), self.weighted(|m| m.quantile(l))),
        }
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        match prob {
            p if !(0.0..=1.0).contains(&p) => f64::NAN,
            p if p == 0.0 || p >= 0.5 => self.quantile(0.5 - p + 0.5),
            p => numerical_inverse_survival(
                self,
                p,
                self.lower(),
                self.weighted(|m| m.inverse_survival(p)),
            ),
        }
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        let mut total = 0.0;
        for (w, m) in self.components.iter().filter(|(w, _)| *w > 0.0) {
            total += w * m.raw_moment(k)?;
        }
        Some(total)
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        self.weighted(|m| m.limited_moment(k, limit))
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        let i = self.cumulative.partition_point(|&c| c <= u);
        self.components[i.min(self.components.len() - 1)]
            .1
            .sample(rng)
    }
}
