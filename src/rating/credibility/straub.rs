//! Bühlmann–Straub credibility (Bühlmann & Gisler, *A Course in Credibility Theory*, 2005, §4).

use super::{Panel, TOLERANCE, converge, factors, unbiased_between};
use crate::error::Result;
use serde::{Deserialize, Serialize};

const MODEL: &str = "BuhlmannStraub";

/// Estimator of the between-entity variance a.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StraubEstimator {
    /// The unbiased estimator (set to 0 when negative).
    #[default]
    Unbiased,
    /// The Bichsel–Straub iterative pseudo-estimator a = Σ Zᵢ(X̄ᵢ − X̄_Z)²/(I − 1), started at
    /// the unbiased value and iterated to a relative change below √ε (as actuar's
    /// `method = "iterative"`; with equal weights it equals the unbiased estimator, which
    /// is returned).
    Iterative,
}

/// A fitted Bühlmann–Straub model: entities i with ratios X_ij (e.g. loss per unit of
/// exposure) and weights w_ij (exposure, claim counts) over periods j.
///
/// ```text
/// w_i = Σⱼ w_ij,  X̄_i = Σⱼ w_ij X_ij / w_i,  w = Σᵢ w_i,  X̄ = Σᵢ w_i X̄_i / w
/// within  σ̂² = Σᵢⱼ w_ij (X_ij − X̄_i)² / Σᵢ (n_i − 1)
/// between â  = [Σᵢ w_i (X̄_i − X̄)² − (I − 1) σ̂²] / (w − Σᵢ w_i²/w)      (0 if negative)
/// K = σ̂²/â,  Z_i = w_i / (w_i + K),  μ̂ = Σ Z_i X̄_i / Σ Z_i,  P_i = Z_i X̄_i + (1 − Z_i) μ̂
/// ```
/// When â = 0 every Z_i is 0 and μ̂ is the weighted mean X̄.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuhlmannStraub {
    entities: Vec<String>,
    estimator: StraubEstimator,
    collective: f64,
    between: f64,
    within: f64,
    means: Vec<f64>,
    weights: Vec<f64>,
    factors: Vec<f64>,
}

impl BuhlmannStraub {
    /// Fits the model (at least two entities, some entity with two periods; groups in the
    /// panel are ignored).
    pub fn fit(panel: &Panel, estimator: StraubEstimator) -> Result<Self> {
        let within = panel.within_variance(MODEL)?;
        let (weights, means) = panel.entity_totals();
        let mut between = unbiased_between(&means, &weights, within).max(0.0);
        let unequal = {
            let all = panel.weights().iter().flatten();
            let (lo, hi) = all.fold((f64::INFINITY, 0.0_f64), |(a, b), w| (a.min(*w), b.max(*w)));
            hi - lo > TOLERANCE
        };
        if estimator == StraubEstimator::Iterative && unequal && between > 0.0 {
            between = bichsel_straub(&means, &weights, within, between)?;
        }
        let factors = factors(&weights, within, between);
        let z_sum: f64 = factors.iter().sum();
        let collective = if z_sum > 0.0 {
            super::weighted_mean(&factors, &means)
        } else {
            super::weighted_mean(&weights, &means)
        };
        Ok(Self {
            entities: panel.entities().to_vec(),
            estimator,
            collective,
            between,
            within,
            means,
            weights,
            factors,
        })
    }

    /// Entity ids, in the order of every per-entity vector.
    pub fn entities(&self) -> &[String] {
        &self.entities
    }

    /// The estimator used.
    pub fn estimator(&self) -> StraubEstimator {
        self.estimator
    }

    /// Collective premium μ̂.
    pub fn collective(&self) -> f64 {
        self.collective
    }

    /// Between-entity variance â (variance of the hypothetical means).
    pub fn between_variance(&self) -> f64 {
        self.between
    }

    /// Within-entity variance σ̂² (expected process variance per unit weight).
    pub fn within_variance(&self) -> f64 {
        self.within
    }

    /// Credibility coefficient K = σ̂²/â (`None` when â = 0: no credibility).
    pub fn k(&self) -> Option<f64> {
        (self.between > 0.0).then(|| self.within / self.between)
    }

    /// Total weights w_i.
    pub fn weights(&self) -> &[f64] {
        &self.weights
    }

    /// Weighted entity means X̄_i.
    pub fn entity_means(&self) -> &[f64] {
        &self.means
    }

    /// Credibility factors Z_i.
    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    /// Credibility premiums Z_i X̄_i + (1 − Z_i) μ̂.
    pub fn premiums(&self) -> Vec<f64> {
        self.factors
            .iter()
            .zip(&self.means)
            .map(|(z, m)| z * m + (1.0 - z) * self.collective)
            .collect()
    }

    /// The credibility premium of one entity by id.
    pub fn premium(&self, entity: &str) -> Option<f64> {
        let i = self.entities.iter().position(|e| e == entity)?;
        Some(self.premiums()[i])
    }

    /// The credibility factor of a new entity with total weight `weight` ≥ 0, and its premium
    /// blending its own mean `own` with a `prior` (e.g. a GLM prediction instead of μ̂).
    pub fn blend(&self, weight: f64, own: f64, prior: f64) -> Result<(f64, f64)> {
        crate::numerics::validate::non_negative(MODEL, "weight", weight)?;
        crate::numerics::validate::finite(MODEL, "own", own)?;
        crate::numerics::validate::finite(MODEL, "prior", prior)?;
        let z = factors(&[weight], self.within, self.between)[0];
        Ok((z, z * own + (1.0 - z) * prior))
    }
}

/// Bichsel–Straub fixed point of a = Σ Zᵢ(xᵢ − x̄_Z)²/(n − 1), Zᵢ = 1/(1 + σ²/(a wᵢ)); 0 if
/// the iteration reaches 0.
fn bichsel_straub(x: &[f64], w: &[f64], within: f64, start: f64) -> Result<f64> {
    let mut a = start;
    converge(MODEL, "Bichsel–Straub estimator", || {
        if a <= 0.0 {
            return Ok(0.0);
        }
        let z = factors(w, within, a);
        let mean = super::weighted_mean(&z, x);
        let next = z
            .iter()
            .zip(x)
            .map(|(z, x)| z * (x - mean).powi(2))
            .sum::<f64>()
            / (x.len() as f64 - 1.0);
        let change = ((next - a) / a).abs();
        a = next.max(0.0);
        Ok(change)
    })?;
    Ok(a)
}
