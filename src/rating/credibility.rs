//! Bühlmann–Straub credibility (Bühlmann & Gisler, *A Course in Credibility Theory*, 2005, §4).

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

const MODEL: &str = "BuhlmannStraub";

/// A fitted Bühlmann–Straub model: entities i with ratios X_ij (e.g. loss per unit of
/// exposure) and weights w_ij (exposure, claim counts) over periods j.
///
/// ```text
/// w_i = Σⱼ w_ij,  X̄_i = Σⱼ w_ij X_ij / w_i,  w = Σᵢ w_i,  X̄ = Σᵢ w_i X̄_i / w
/// within  σ̂² = Σᵢⱼ w_ij (X_ij − X̄_i)² / Σᵢ (n_i − 1)
/// between â  = [Σᵢ w_i (X̄_i − X̄)² − (I − 1) σ̂²] / (w − Σᵢ w_i²/w)      (0 if negative)
/// Z_i = w_i / (w_i + σ̂²/â),  μ̂ = Σ Z_i X̄_i / Σ Z_i,  premium_i = Z_i X̄_i + (1 − Z_i) μ̂
/// ```
/// These are the unbiased estimators R actuar's `cm()` uses for this model. When â = 0 every
/// Z_i is 0 and μ̂ is the weighted mean X̄.
///
/// ```
/// use kexian::rating::BuhlmannStraub;
/// // Two firms, three years each, equal weights (Bühlmann's model).
/// let fit = BuhlmannStraub::buhlmann(&[vec![1.0, 2.0, 3.0], vec![4.0, 5.0, 6.0]])?;
/// assert!((fit.premiums()[0] - 57.0 / 27.0).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BuhlmannStraub {
    collective: f64,
    between: f64,
    within: f64,
    means: Vec<f64>,
    weights: Vec<f64>,
    factors: Vec<f64>,
}

impl BuhlmannStraub {
    /// Fits the model to `ratios[i][j]` with `weights[i][j]` (same shapes; at least two
    /// entities, each with at least one period and some entity with two; ratios finite,
    /// weights finite and > 0).
    pub fn fit(ratios: &[Vec<f64>], weights: &[Vec<f64>]) -> Result<Self> {
        check(ratios, weights)?;
        let entities = ratios.len() as f64;
        let w_i: Vec<f64> = weights.iter().map(|w| w.iter().sum()).collect();
        let means: Vec<f64> = ratios
            .iter()
            .zip(weights)
            .zip(&w_i)
            .map(|((x, w), wi)| x.iter().zip(w).map(|(x, w)| x * w).sum::<f64>() / wi)
            .collect();
        let w: f64 = w_i.iter().sum();
        let grand = w_i.iter().zip(&means).map(|(wi, m)| wi * m).sum::<f64>() / w;
        let dof: f64 = ratios.iter().map(|x| x.len() as f64 - 1.0).sum();
        let within = ratios
            .iter()
            .zip(weights)
            .zip(&means)
            .map(|((x, w), m)| {
                x.iter()
                    .zip(w)
                    .map(|(x, w)| w * (x - m).powi(2))
                    .sum::<f64>()
            })
            .sum::<f64>()
            / dof;
        let spread: f64 = w_i
            .iter()
            .zip(&means)
            .map(|(wi, m)| wi * (m - grand).powi(2))
            .sum();
        let between = ((spread - (entities - 1.0) * within)
            / (w - w_i.iter().map(|x| x * x).sum::<f64>() / w))
            .max(0.0);
        let factors: Vec<f64> = if between > 0.0 {
            w_i.iter().map(|wi| wi / (wi + within / between)).collect()
        } else {
            vec![0.0; w_i.len()]
        };
        let z_sum: f64 = factors.iter().sum();
        let collective = if z_sum > 0.0 {
            factors.iter().zip(&means).map(|(z, m)| z * m).sum::<f64>() / z_sum
        } else {
            grand
        };
        Ok(Self {
            collective,
            between,
            within,
            means,
            weights: w_i,
            factors,
        })
    }

    /// Bühlmann's model: all weights 1.
    pub fn buhlmann(ratios: &[Vec<f64>]) -> Result<Self> {
        let weights: Vec<Vec<f64>> = ratios.iter().map(|x| vec![1.0; x.len()]).collect();
        Self::fit(ratios, &weights)
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

    /// Credibility factors Z_i.
    pub fn factors(&self) -> &[f64] {
        &self.factors
    }

    /// Weighted entity means X̄_i.
    pub fn entity_means(&self) -> &[f64] {
        &self.means
    }

    /// Credibility premiums Z_i X̄_i + (1 − Z_i) μ̂.
    pub fn premiums(&self) -> Vec<f64> {
        self.factors
            .iter()
            .zip(&self.means)
            .map(|(z, m)| z * m + (1.0 - z) * self.collective)
            .collect()
    }

    /// The credibility factor of a new entity with total weight `weight` ≥ 0, and its premium
    /// blending its own mean `own` with a `prior` (e.g. a GLM prediction instead of μ̂).
    pub fn blend(&self, weight: f64, own: f64, prior: f64) -> Result<(f64, f64)> {
        crate::numerics::validate::non_negative(MODEL, "weight", weight)?;
        crate::numerics::validate::finite(MODEL, "own", own)?;
        crate::numerics::validate::finite(MODEL, "prior", prior)?;
        let z = if self.between > 0.0 {
            weight / (weight + self.within / self.between)
        } else {
            0.0
        };
        Ok((z, z * own + (1.0 - z) * prior))
    }
}

fn check(ratios: &[Vec<f64>], weights: &[Vec<f64>]) -> Result<()> {
    if ratios.len() < 2 {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!("needs at least two entities, got {}", ratios.len()),
        });
    }
    if ratios.len() != weights.len() {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!(
                "{} entities of ratios but {} of weights",
                ratios.len(),
                weights.len()
            ),
        });
    }
    for (i, (x, w)) in ratios.iter().zip(weights).enumerate() {
        if x.is_empty() || x.len() != w.len() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "entity {i}: {} ratios and {} weights (need the same number, at least one)",
                    x.len(),
                    w.len()
                ),
            });
        }
        if let Some(&v) = x.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "ratios",
                index: i,
                value: v,
                rule: "finite (entity index shown)",
            });
        }
        if let Some(&v) = w.iter().find(|v| !(v.is_finite() && **v > 0.0)) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "weights",
                index: i,
                value: v,
                rule: "finite and > 0 (entity index shown)",
            });
        }
    }
    if ratios.iter().all(|x| x.len() < 2) {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: "no entity has two periods: the within variance cannot be estimated".into(),
        });
    }
    Ok(())
}
