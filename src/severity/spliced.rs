//! Spliced severities: one distribution for the body, another for the tail.

use super::{Severity, SeverityModel};
use crate::error::{Error, Result};
use crate::numerics::kernels::{CodePath, Normals};
use crate::numerics::validate;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Spliced";

/// Two-piece spliced severity: the body distribution truncated to \[0, t\] with weight w, and
/// the tail distribution conditioned on exceeding t with weight 1 − w (*Loss Models* §5.2.6).
///
/// ```text
/// F(x) = w·F₁(x)/F₁(t)                     for x ≤ t
/// S(x) = (1 − w)·S₂(x)/S₂(t)               for x > t
/// continuous density at t:  w = r₂/(r₁ + r₂),  r₁ = f₁(t)/F₁(t),  r₂ = f₂(t)/S₂(t)
/// ```
/// Typical use: a lognormal body for attritional losses and a GPD (location t) or
/// single-parameter Pareto (θ = t) above the threshold.
///
/// ```
/// use kexian::severity::{GeneralizedPareto, LogNormal, Severity, SeverityModel, Spliced};
/// let body = SeverityModel::LogNormal(LogNormal::new(11.0, 1.0)?);
/// let tail = SeverityModel::GeneralizedPareto(GeneralizedPareto::new(0.4, 3e5, 5e5)?);
/// let s = Spliced::continuous(body, tail, 5e5)?;
/// let t = 5e5;
/// assert!((s.density(t - 1e-3) / s.density(t + 1e-3) - 1.0).abs() < 1e-6);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SplicedParams", into = "SplicedParams")]
pub struct Spliced {
    body: Box<SeverityModel>,
    tail: Box<SeverityModel>,
    threshold: f64,
    body_weight: f64,
    /// F₁(t) and S₂(t), cached.
    body_mass: f64,
    tail_mass: f64,
}

/// JSON parameters of [`Spliced`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SplicedParams {
    /// Distribution of claims up to the threshold (before truncation).
    pub body: SeverityModel,
    /// Distribution of claims above the threshold (before conditioning).
    pub tail: SeverityModel,
    /// Splice point t > 0 (元).
    pub threshold: f64,
    /// P(X ≤ t); omitted → chosen so that the density is continuous at t.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub body_weight: Option<f64>,
}

impl TryFrom<SplicedParams> for Spliced {
    type Error = Error;
    fn try_from(p: SplicedParams) -> Result<Self> {
        match p.body_weight {
            Some(w) => Self::new(p.body, p.tail, p.threshold, w),
            None => Self::continuous(p.body, p.tail, p.threshold),
        }
    }
}

impl From<Spliced> for SplicedParams {
    fn from(s: Spliced) -> Self {
        Self {
            body: *s.body,
            tail: *s.tail,
            threshold: s.threshold,
            body_weight: Some(s.body_weight),
        }
    }
}

impl Spliced {
    /// Whether survival s falls in the tail: s < 1 − w.
    fn in_tail(&self, s: f64) -> bool {
        s < 1.0 - self.body_weight
    }

    /// The tail's survival for the spliced survival s < 1 − w: s/(1 − w)·S₂(t).
    fn tail_survival(&self, s: f64) -> f64 {
        s / (1.0 - self.body_weight) * self.tail_mass
    }

    /// The body's survival for the spliced survival s ≥ 1 − w: 1 − (1 − s)/w·F₁(t).
    fn body_survival(&self, s: f64) -> f64 {
        1.0 - (1.0 - s) / self.body_weight * self.body_mass
    }

    /// Splice `body` below `threshold` (元, > 0) and `tail` above it, with P(X ≤ t) =
    /// `body_weight` in (0, 1). The body must have mass below t and the tail above t.
    pub fn new(
        body: SeverityModel,
        tail: SeverityModel,
        threshold: f64,
        body_weight: f64,
    ) -> Result<Self> {
        validate::positive(MODEL, "threshold", threshold)?;
        validate::open_probability(MODEL, "body_weight", body_weight)?;
        let body_mass = body.cdf(threshold);
        let tail_mass = tail.survival(threshold);
        validate::rule(
            MODEL,
            "body.cdf(threshold)",
            body_mass,
            body_mass > 0.0,
            "> 0: the body needs probability below the threshold",
        )?;
        validate::rule(
            MODEL,
            "tail.survival(threshold)",
            tail_mass,
            tail_mass > 0.0,
            "> 0: the tail needs probability above the threshold",
        )?;
        Ok(Self {
            body: Box::new(body),
            tail: Box::new(tail),
            threshold,
            body_weight,
            body_mass,
            tail_mass,
        })
    }

    /// Splice with the body weight that makes the density continuous at the threshold.
    pub fn continuous(body: SeverityModel, tail: SeverityModel, threshold: f64) -> Result<Self> {
        validate::positive(MODEL, "threshold", threshold)?;
        let r1 = body.density(threshold) / body.cdf(threshold);
        let r2 = tail.density(threshold) / tail.survival(threshold);
        let w = r2 / (r1 + r2);
        if !(w > 0.0 && w < 1.0) {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "no continuous splice at threshold {threshold}: body hazard ratio {r1}, \
                     tail hazard {r2} (both must be finite and > 0)"
                ),
            });
        }
        Self::new(body, tail, threshold, w)
    }

    /// P(X ≤ threshold).
    pub fn body_weight(&self) -> f64 {
        self.body_weight
    }

    /// The splice point (元).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// E\[X^k; X ≤ t\] under the body, E\[X^k; X > t\] under the tail (unnormalised).
    fn partial_moments(&self, k: u32) -> (f64, Option<f64>) {
        let t = self.threshold;
        let tk = t.powi(k as i32);
        let below = self.body.limited_moment(k, t) - tk * self.body.survival(t);
        let tail_below = self.tail.limited_moment(k, t) - tk * self.tail_mass;
        let above = self.tail.raw_moment(k).map(|m| m - tail_below);
        (below, above)
    }
}

impl Severity for Spliced {
    fn cdf(&self, x: f64) -> f64 {
        if x <= self.threshold {
            self.body_weight * self.body.cdf(x) / self.body_mass
        } else {
            1.0 - self.survival(x)
        }
    }

    fn survival(&self, x: f64) -> f64 {
        if x <= self.threshold {
            1.0 - self.cdf(x)
        } else {
            (1.0 - self.body_weight) * self.tail.survival(x) / self.tail_mass
        }
    }

    fn density(&self, x: f64) -> f64 {
        if x <= self.threshold {
            self.body_weight * self.body.density(x) / self.body_mass
        } else {
            (1.0 - self.body_weight) * self.tail.density(x) / self.tail_mass
        }
    }

    fn quantile(&self, level: f64) -> f64 {
        if !(0.0..=1.0).contains(&level) {
            return f64::NAN;
        }
        if level <= self.body_weight {
            self.body
                .quantile(level / self.body_weight * self.body_mass)
                .min(self.threshold)
        } else {
            self.inverse_survival(0.5 - level + 0.5)
        }
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        if !(0.0..=1.0).contains(&prob) {
            return f64::NAN;
        }
        let tail_weight = 1.0 - self.body_weight;
        if prob >= tail_weight {
            self.quantile(0.5 - prob + 0.5)
        } else {
            self.tail
                .inverse_survival(prob / tail_weight * self.tail_mass)
                .max(self.threshold)
        }
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        let (below, above) = self.partial_moments(k);
        Some(
            self.body_weight * below / self.body_mass
                + (1.0 - self.body_weight) * above? / self.tail_mass,
        )
    }

    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        let (t, w) = (self.threshold, self.body_weight);
        let uk = limit.powi(k as i32);
        if limit <= t {
            let below = self.body.limited_moment(k, limit) - uk * self.body.survival(t);
            return w * below / self.body_mass + (1.0 - w) * uk;
        }
        let (below, _) = self.partial_moments(k);
        let tail_part = self.tail.limited_moment(k, limit) - self.tail.limited_moment(k, t)
            + t.powi(k as i32) * self.tail_mass;
        w * below / self.body_mass + (1.0 - w) * tail_part / self.tail_mass
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u: f64 = rng.random();
        let t = self.threshold;
        if u < self.body_weight {
            if self.body_mass >= 0.5 {
                // Rejection: expected ≤ 2 draws.
                loop {
                    let x = self.body.sample(rng);
                    if x <= t {
                        return x;
                    }
                }
            }
            let v: f64 = rng.random();
            self.body.quantile(v * self.body_mass).min(t)
        } else {
            if self.tail_mass >= 0.5 {
                loop {
                    let x = self.tail.sample(rng);
                    if x > t {
                        return x;
                    }
                }
            }
            let v: f64 = rng.random();
            self.tail
                .inverse_survival((1.0 - v) * self.tail_mass)
                .max(t)
        }
    }

    /// The tail's draw at its survival s/(1 − w)·S₂(t) (floored at t) for s < 1 − w, else
    /// the body's at 1 − (1 − s)/w·F₁(t) (capped at t), as
    /// [`inverse_survival`](Self::inverse_survival).
    fn survival_draw(&self, s: f64) -> Option<f64> {
        if !self.invertible() {
            return None;
        }
        let t = self.threshold;
        if self.in_tail(s) {
            Some(self.tail.survival_draw(self.tail_survival(s))?.max(t))
        } else {
            Some(self.body.survival_draw(self.body_survival(s))?.min(t))
        }
    }

    fn invertible(&self) -> bool {
        self.body.invertible() && self.tail.invertible()
    }

    /// The body's draws and the tail's, each in one batch.
    fn survival_draws(&self, s: &mut [f64], normals: &mut Normals, path: CodePath) -> bool {
        if !self.invertible() {
            return false;
        }
        let t = self.threshold;
        let (mut body, mut tail) = (Vec::with_capacity(s.len()), Vec::new());
        for &x in s.iter() {
            if self.in_tail(x) {
                tail.push(self.tail_survival(x));
            } else {
                body.push(self.body_survival(x));
            }
        }
        self.body.survival_draws(&mut body, normals, path);
        self.tail.survival_draws(&mut tail, normals, path);
        let (mut body, mut tail) = (body.into_iter(), tail.into_iter());
        for x in s.iter_mut() {
            *x = if self.in_tail(*x) {
                tail.next().map_or(f64::NAN, |y| y.max(t))
            } else {
                body.next().map_or(f64::NAN, |y| y.min(t))
            };
        }
        true
    }
}
