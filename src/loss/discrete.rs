//! Discrete loss distributions: the result of exact aggregation, and the common form on which
//! premium principles and risk measures are computed.

use super::{RETURN_PERIODS, Tail};
use crate::error::{Error, Result};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

/// A distribution on finitely many non-negative values, with possibly some probability mass
/// `lost` beyond the largest value: located by an extrapolated [`Tail`] when there is one,
/// otherwise unknown (statistics that need it are errors).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Discrete {
    values: Vec<f64>,
    probs: Vec<f64>,
    lost: f64,
    /// Where the mass beyond the values lies (extrapolated), if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    tail: Option<Tail>,
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
            return Err(Error::LengthMismatch {
                model: MODEL,
                what: "values and probabilities".into(),
                lengths: (values.len(), probs.len()),
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
                tail: None,
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
            tail: None,
        }
    }

    /// Locates the mass beyond the largest value with `tail`, whose mass must equal it (to
    /// 1e-9 relative) and which must start at or after the largest value.
    pub fn with_tail(self, tail: Tail) -> Result<Self> {
        let last = self.values[self.values.len() - 1];
        validate::rule(
            MODEL,
            "tail (start)",
            tail.start(),
            tail.start() >= last,
            "at or beyond the largest value",
        )?;
        validate::rule(
            MODEL,
            "tail (mass)",
            tail.mass(),
            (tail.mass() - self.lost).abs() <= 1e-9 * self.lost,
            "equal to the mass beyond the largest value",
        )?;
        Ok(self.located_by(tail))
    }

    /// With `tail` (its start and mass checked by the caller).
    pub(crate) fn located_by(mut self, tail: Tail) -> Self {
        self.tail = Some(tail);
        self
    }

    /// The extrapolated tail, if the mass beyond the values is located.
    pub fn tail(&self) -> Option<&Tail> {
        self.tail.as_ref()
    }

    /// Mass beyond the values that no tail locates (0 with a tail).
    pub fn unlocated_mass(&self) -> f64 {
        if self.tail.is_some() { 0.0 } else { self.lost }
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

    /// E\[(X − c)^k; X > start\] of the tail: c-centred moments from
    /// E\[X^j; X > G\] = G^j·S(G) + j·∫_G^∞ x^(j−1)·S(x) dx (0 without a tail).
    fn tail_moment(&self, k: i32, c: f64) -> f64 {
        let Some(t) = &self.tail else { return 0.0 };
        let g = t.start();
        // E[(X − c)^k; X > G] = (G − c)^k·S(G) + k·∫_G^∞ (x − c)^(k−1)·S(x) dx, expanded.
        let mut total = (g - c).powi(k) * t.mass();
        let mut binom = 1.0;
        for i in 0..k {
            // C(k−1, i)·(−c)^(k−1−i)·∫ x^i S.
            total += f64::from(k) * binom * (-c).powi(k - 1 - i) * t.survival_moment(g, i);
            binom = binom * f64::from(k - 1 - i) / f64::from(i + 1);
        }
        total
    }

    /// E\[X^k\] over the located mass (with the tail, when there is one; ∞ if it diverges).
    pub fn raw_moment(&self, k: u32) -> f64 {
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * x.powi(k as i32))
            .sum::<f64>()
            + self.tail_moment(k as i32, 0.0)
    }

    /// (mean, standard deviation, skewness) over the located mass (∞ where a moment of the
    /// tail diverges).
    pub fn moments(&self) -> (f64, f64, f64) {
        let m = self.raw_moment(1);
        let (mut c2, mut c3) = (0.0, 0.0);
        for (x, p) in self.values.iter().zip(&self.probs) {
            let d = x - m;
            c2 += p * d * d;
            c3 += p * d * d * d;
        }
        c2 += self.tail_moment(2, m);
        c3 += self.tail_moment(3, m);
        let sd = c2.sqrt();
        let skew = if sd > 0.0 && sd.is_finite() {
            c3 / (sd * sd * sd)
        } else if sd.is_finite() {
            0.0
        } else {
            f64::INFINITY
        };
        (m, sd, skew)
    }

    /// P(X ≤ x).
    pub fn cdf(&self, x: f64) -> f64 {
        if let Some(t) = self.tail.as_ref().filter(|t| x >= t.start()) {
            return 1.0 - t.survival(x);
        }
        let k = self.values.partition_point(|&v| v <= x);
        self.probs[..k].iter().sum()
    }

    /// P(X > x) (including the lost mass).
    pub fn survival(&self, x: f64) -> f64 {
        if let Some(t) = self.tail.as_ref().filter(|t| x >= t.start()) {
            return t.survival(x);
        }
        let k = self.values.partition_point(|&v| v <= x);
        self.probs[k..].iter().sum::<f64>() + self.lost
    }

    /// E\[(X − v)₊\] of the mass beyond the values, located by the tail (∞ if it diverges).
    fn tail_excess(&self, v: f64) -> f64 {
        match &self.tail {
            Some(t) if v < t.start() => self.lost * (t.start() - v) + t.survival_moment(v, 0),
            Some(t) => t.survival_moment(v, 0),
            None => 0.0,
        }
    }

    fn check_level(&self, level: f64) -> Result<()> {
        validate::open_probability(MODEL, "level", level)?;
        if level > 1.0 - self.unlocated_mass() {
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
        if let Some(t) = &self.tail {
            return Ok(t.quantile((1.0 - level).min(t.mass())));
        }
        Err(Error::BeyondGrid {
            quantity: "quantile",
            at: level,
            located: acc,
        })
    }

    /// TVaR_α = VaR_α + E\[(X − VaR_α)₊\]/(1 − α); error unless the lost mass is located
    /// by a tail or below 1e-6·(1 − α), or when the tail's mean diverges.
    pub fn tvar(&self, level: f64) -> Result<f64> {
        let var = self.var(level)?;
        self.tail_located("TVaR", level)?;
        let excess = self.excess(var)?;
        Ok(var + excess / (1.0 - level))
    }

    /// E\[(X − v)₊\] over the values and the tail.
    fn excess(&self, v: f64) -> Result<f64> {
        let grid: f64 = self
            .values
            .iter()
            .zip(&self.probs)
            .filter(|(x, _)| **x > v)
            .map(|(x, p)| p * (x - v))
            .sum();
        let total = grid + self.tail_excess(v);
        if total.is_finite() {
            Ok(total)
        } else {
            Err(Error::InfiniteMoment {
                quantity: "tail expectation",
                reason: "the extrapolated tail has an infinite mean".into(),
            })
        }
    }

    /// Conditional tail expectation CTE_α = E\[X | X > VaR_α\] (equal to TVaR_α when
    /// P(X ≤ VaR_α) = α, larger when VaR_α is an atom that straddles α); error when the lost
    /// mass is not negligible, or when nothing lies above VaR_α: a mass above it of at most
    /// 10⁻⁹·(1 − α) is the round-off of a transform (e.g. above a cover's cap), not
    /// probability, and dividing by it would give any number.
    #[doc(alias = "CTE")]
    pub fn cte(&self, level: f64) -> Result<f64> {
        let var = self.var(level)?;
        self.tail_located("CTE", level)?;
        let mass = self.survival(var) - self.unlocated_mass();
        if mass > 1e-9 * (1.0 - level) {
            Ok(var + self.excess(var)? / mass)
        } else {
            Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "no probability above VaR at level {level} (only {mass:e}, round-off): CTE \
                     is undefined"
                ),
            })
        }
    }

    /// Tail statistics above `level` need the lost mass to be below 1e-6·(1 − level).
    fn tail_located(&self, quantity: &'static str, level: f64) -> Result<()> {
        if self.unlocated_mass() > 1e-6 * (1.0 - level) {
            return Err(Error::BeyondGrid {
                quantity,
                at: level,
                located: 1.0 - self.lost,
            });
        }
        Ok(())
    }

    /// E\[min(X, u)\] (without a tail, the lost mass counts as u).
    pub fn limited_expected_value(&self, limit: f64) -> f64 {
        let beyond = match &self.tail {
            Some(t) if limit > t.start() => {
                self.lost * t.start() + t.survival_moment(t.start(), 0)
                    - t.survival_moment(limit, 0)
            }
            _ => self.lost * limit,
        };
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * x.min(limit))
            .sum::<f64>()
            + beyond
    }

    /// ∫₀^∞ g(S(x)) dx for a distortion g, exact for a step survival function:
    /// Σⱼ g(S(xⱼ₋₁))·(xⱼ − xⱼ₋₁) with x₋₁ = 0, plus the tail's ∫ g(S) past the values.
    /// Infinite if more than 1e-12 of the mass lies beyond the grid unlocated (and g does not
    /// vanish there).
    pub fn distorted_expectation(&self, g: impl Fn(f64) -> f64) -> f64 {
        if self.unlocated_mass() > 1e-12 && g(self.lost) > 0.0 {
            return f64::INFINITY;
        }
        let beyond = self.tail.as_ref().map_or(0.0, |t| {
            let last = self.values[self.values.len() - 1];
            g(self.lost) * (t.start() - last) + t.distorted(&g)
        });
        // S on [xⱼ₋₁, xⱼ) is the mass at xⱼ and above, summed from the top so that the identity
        // distortion returns Σ pⱼxⱼ exactly, whatever the rounding in Σ pⱼ.
        // An unlocated remainder (at most 1e-12) is left out, as the moments leave it out.
        let mut above = self.lost - self.unlocated_mass();
        let mut total = 0.0;
        for j in (0..self.values.len()).rev() {
            above += self.probs[j];
            let prev = if j == 0 { 0.0 } else { self.values[j - 1] };
            total += g(above.min(1.0)) * (self.values[j] - prev);
        }
        total + beyond
    }

    /// E\[e^(aX)\] − 1 over the located mass, Σ p·expm1(a·x) (no cancellation at a small
    /// a; unlocated mass counts as 0); ∞ when a > 0 and more than 1e-12 of the mass lies
    /// beyond the grid unlocated (as for
    /// [`distorted_expectation`](Self::distorted_expectation)); with a tail, its part by
    /// [`Tail::exponential_moment`] less its mass.
    pub fn exponential_excess(&self, a: f64) -> f64 {
        let beyond = match &self.tail {
            Some(t) => t.exponential_moment(a) - t.mass(),
            None if self.lost > 1e-12 && a > 0.0 => return f64::INFINITY,
            None => 0.0,
        };
        self.values
            .iter()
            .zip(&self.probs)
            .map(|(x, p)| p * (a * x).exp_m1())
            .sum::<f64>()
            + beyond
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
