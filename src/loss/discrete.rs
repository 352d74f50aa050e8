//! Discrete loss distributions: the result of exact aggregation, and the common form on which
//! premium principles and risk measures are computed.

use super::RETURN_PERIODS;
use crate::error::{Error, Result};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

/// A distribution on finitely many non-negative values, with possibly some probability mass
/// `lost` beyond the largest value (not located: statistics that need it are errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discrete {
    values: Vec<f64>,
    probs: Vec<f64>,
    lost: f64,
}

const MODEL: &str = "Discrete";

impl Discrete {
    /// From `values` (元, finite, ≥ 0, any order, repeats allowed) and `probs` (≥ 0) summing
    /// to 1 − `lost` within 1e-9, `lost` in [0, 1).
    pub fn new(values: Vec<f64>, probs: Vec<f64>, lost: f64) -> Result<Self> {
        if values.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "values",
            });
        }
        if values.len() != probs.len() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!("{} values but {} probabilities", values.len(), probs.len()),
            });
        }
        for (i, (&x, &p)) in values.iter().zip(&probs).enumerate() {
            if !(x.is_finite() && x >= 0.0) {
                return Err(element("values", i, x, "finite and >= 0"));
            }
            if !(p.is_finite() && p >= 0.0) {
                return Err(element("probs", i, p, "finite and >= 0"));
            }
        }
        validate::rule(MODEL, "lost", lost, (0.0..1.0).contains(&lost), "in [0, 1)")?;
        let total: f64 = probs.iter().sum();
        validate::rule(
            MODEL,
            "probs (sum)",
            total,
            (total + lost - 1.0).abs() < 1e-9,
            "1 − lost within 1e-9",
        )?;
        Ok(Self::from_parts(values, probs, lost))
    }

    /// Equal-weight sample (e.g. simulated or observed losses).
    pub fn from_sample(sample: &[f64]) -> Result<Self> {
        let n = sample.len() as f64;
        Self::new(sample.to_vec(), vec![1.0 / n; sample.len()], 0.0)
    }

    /// Sorts by value and merges equal values (inputs already checked).
    pub(crate) fn from_parts(values: Vec<f64>, probs: Vec<f64>, lost: f64) -> Self {
        if values.windows(2).all(|w| w[0] < w[1]) {
            return Self {
                values,
                probs,
                lost,
            };
        }
        let mut pairs: Vec<(f64, f64)> = values.into_iter().zip(probs).collect();
        pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
        let mut values: Vec<f64> = Vec::with_capacity(pairs.len());
        let mut probs: Vec<f64> = Vec::with_capacity(pairs.len());
        for (x, p) in pairs {
            if values.last() == Some(&x)
                && let Some(last) = probs.last_mut()
            {
                *last += p;
            } else {
                values.push(x);
                probs.push(p);
            }
        }
        Self {
            values,
            probs,
            lost,
        }
    }

    /// Support points, ascending.
    pub fn values(&self) -> &[f64] {
        &self.values
    }

    /// Their probabilities.
    pub fn probs(&self) -> &[f64] {
        &self.probs
    }

    /// Probability mass beyond the largest value.
    pub fn lost_mass(&self) -> f64 {
        self.lost
    }

    /// E\[X^k\] over the located mass.
    pub fn raw_moment(&self, k: u32) -> f64 {
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * x.powi(k as i32))
            .sum()
    }

    /// (mean, standard deviation, skewness) over the located mass.
    pub fn moments(&self) -> (f64, f64, f64) {
        let m = self.raw_moment(1);
        let (mut c2, mut c3) = (0.0, 0.0);
        for (x, p) in self.values.iter().zip(&self.probs) {
            let d = x - m;
            c2 += p * d * d;
            c3 += p * d * d * d;
        }
        let sd = c2.sqrt();
        (m, sd, if sd > 0.0 { c3 / (sd * sd * sd) } else { 0.0 })
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        let k = self.values.partition_point(|&v| v <= x);
        self.probs[..k].iter().sum()
    }

    /// P(X > x) (including the lost mass).
    pub fn survival(&self, x: f64) -> f64 {
        let k = self.values.partition_point(|&v| v <= x);
        self.probs[k..].iter().sum::<f64>() + self.lost
    }

    fn check_level(&self, level: f64) -> Result<()> {
        validate::open_probability(MODEL, "level", level)?;
        if level > 1.0 - self.lost {
            return Err(Error::BeyondGrid {
                quantity: "quantile",
                at: level,
                located: 1.0 - self.lost,
            });
        }
        Ok(())
    }

    /// VaR_α = min{x : P(X ≤ x) ≥ α}; error when it lies in the lost mass beyond the grid.
    pub fn var(&self, level: f64) -> Result<f64> {
        self.check_level(level)?;
        let mut acc = 0.0;
        for (x, p) in self.values.iter().zip(&self.probs) {
            acc += p;
            if acc >= level * (1.0 - 1e-14) {
                return Ok(*x);
            }
        }
        Err(Error::BeyondGrid {
            quantity: "quantile",
            at: level,
            located: acc,
        })
    }

    /// TVaR_α = VaR_α + E\[(X − VaR_α)₊\]/(1 − α); error unless the lost mass is below
    /// 1e-6·(1 − α).
    pub fn tvar(&self, level: f64) -> Result<f64> {
        let var = self.var(level)?;
        self.tail_located("TVaR", level)?;
        let excess: f64 = self
            .values
            .iter()
            .zip(&self.probs)
            .filter(|(x, _)| **x > var)
            .map(|(x, p)| p * (x - var))
            .sum();
        Ok(var + excess / (1.0 - level))
    }

    /// Conditional tail expectation CTE_α = E\[X | X > VaR_α\] (equal to TVaR_α when
    /// P(X ≤ VaR_α) = α, larger when VaR_α is an atom that straddles α); error when the lost
    /// mass is not negligible, or when nothing lies above VaR_α.
    #[doc(alias = "CTE")]
    pub fn cte(&self, level: f64) -> Result<f64> {
        let var = self.var(level)?;
        self.tail_located("CTE", level)?;
        let (mass, sum) = self
            .values
            .iter()
            .zip(&self.probs)
            .filter(|(x, _)| **x > var)
            .fold((0.0, 0.0), |(m, s), (x, p)| (m + p, s + p * x));
        if mass > 0.0 {
            Ok(sum / mass)
        } else {
            Err(Error::Inconsistent {
                model: MODEL,
                message: format!("no probability above VaR at level {level}: CTE is undefined"),
            })
        }
    }

    /// Tail statistics above `level` need the lost mass to be below 1e-6·(1 − level).
    fn tail_located(&self, quantity: &'static str, level: f64) -> Result<()> {
        if self.lost > 1e-6 * (1.0 - level) {
            return Err(Error::BeyondGrid {
                quantity,
                at: level,
                located: 1.0 - self.lost,
            });
        }
        Ok(())
    }

    /// E\[min(X, u)\] (the lost mass counts as u).
    pub fn limited_expected_value(&self, limit: f64) -> f64 {
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * x.min(limit))
            .sum::<f64>()
            + self.lost * limit
    }

    /// ∫₀^∞ g(S(x)) dx for a distortion g, exact for a step survival function:
    /// Σⱼ g(S(xⱼ₋₁))·(xⱼ − xⱼ₋₁) with x₋₁ = 0. Infinite if more than 1e-12 of the mass lies
    /// beyond the grid (and g does not vanish there).
    pub fn distorted_expectation(&self, g: impl Fn(f64) -> f64) -> f64 {
        if self.lost > 1e-12 && g(self.lost) > 0.0 {
            return f64::INFINITY;
        }
        // S on [xⱼ₋₁, xⱼ) is the mass at xⱼ and above, summed from the top so that the identity
        // distortion returns Σ pⱼxⱼ exactly, whatever the rounding in Σ pⱼ.
        let mut above = self.lost;
        let mut total = 0.0;
        for j in (0..self.values.len()).rev() {
            above += self.probs[j];
            let prev = if j == 0 { 0.0 } else { self.values[j - 1] };
            total += g(above.min(1.0)) * (self.values[j] - prev);
        }
        total
    }

    /// E\[e^(aX)\] (∞ with lost mass and a > 0).
    pub fn exponential_moment(&self, a: f64) -> f64 {
        if self.lost > 0.0 && a > 0.0 {
            return f64::INFINITY;
        }
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * (a * x).exp())
            .sum()
    }

    /// (return period T, VaR at 1 − 1/T) for the [`RETURN_PERIODS`] that lie on the grid.
    pub fn exceedance_curve(&self) -> Vec<(f64, f64)> {
        RETURN_PERIODS
            .iter()
            .filter_map(|&t| self.var(1.0 - 1.0 / t).ok().map(|v| (t, v)))
            .collect()
    }
}

fn element(parameter: &'static str, index: usize, value: f64, rule: &'static str) -> Error {
    Error::InvalidElement {
        model: MODEL,
        parameter,
        index,
        value,
        rule,
    }
}
