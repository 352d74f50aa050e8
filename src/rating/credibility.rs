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

/// Jewell's two-level hierarchical credibility model (sector → firm), with the Bühlmann–Gisler
/// estimators (Bühlmann & Gisler 2005, §6; R actuar's default method):
///
/// ```text
/// firms j in sector i, periods t:  w_ij, X_ij as in Bühlmann–Straub
/// σ̂²  = Σ w_ijt (X_ijt − X_ij)² / Σ (n_ij − 1)                       (pooled within firms)
/// â_i = [Σ_j w_ij (X_ij − X̄_i)² − (J_i − 1) σ̂²] / (w_i − Σ_j w_ij²/w_i), X̄_i weighted by w_ij
/// â   = mean over all sectors of max(â_i, 0), a one-firm sector counting 0 (as in actuar)
/// Z_ij = w_ij / (w_ij + σ̂²/â),  Z_i = Σ_j Z_ij,  X_i^Z = Σ_j Z_ij X_ij / Z_i
/// b̂   = max(0, [Σ Z_i (X_i^Z − X̄^Z)² − (I − 1) â] / (Z − Σ Z_i²/Z))  (between sectors)
/// Q_i = Z_i / (Z_i + â/b̂),  μ̂ = Σ Q_i X_i^Z / Σ Q_i
/// sector premium P_i = Q_i X_i^Z + (1 − Q_i) μ̂,  firm premium P_ij = Z_ij X_ij + (1 − Z_ij) P_i
/// ```
/// When â = 0 firms get no credibility and sectors are compared on their weighted means
/// (Z_i, X_i^Z replaced by w_i, X̄_i); when b̂ = 0 every sector premium is μ̂.
///
/// ```
/// use kexian::rating::HierarchicalCredibility;
/// // Two sectors with two firms each, two years per firm.
/// let ratios = [vec![1.0, 3.0], vec![5.0, 7.0], vec![10.0, 12.0], vec![16.0, 18.0]];
/// let weights = vec![vec![1.0; 2]; 4];
/// let fit = HierarchicalCredibility::fit(&[0, 0, 1, 1], &ratios, &weights)?;
/// assert_eq!(fit.within_variance(), 2.0);
/// assert_eq!(fit.firm_variance(), 12.0); // mean of (16 − 2)/2 and (36 − 2)/2
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HierarchicalCredibility {
    collective: f64,
    sector_variance: f64,
    firm_variance: f64,
    within: f64,
    sector_factors: Vec<f64>,
    sector_premiums: Vec<f64>,
    firm_factors: Vec<f64>,
    firm_premiums: Vec<f64>,
}

impl HierarchicalCredibility {
    /// Fits the model: `sector[j]` is firm j's sector index (sectors numbered 0..I, each
    /// used, I ≥ 2); `ratios[j]` and `weights[j]` are its periods, as in
    /// [`BuhlmannStraub::fit`].
    pub fn fit(sector: &[usize], ratios: &[Vec<f64>], weights: &[Vec<f64>]) -> Result<Self> {
        const M: &str = "HierarchicalCredibility";
        check(ratios, weights)?;
        let sectors = sector.iter().max().map_or(0, |m| m + 1);
        let used = (0..sectors).all(|i| sector.contains(&i));
        if sector.len() != ratios.len() || sectors < 2 || !used {
            return Err(Error::Inconsistent {
                model: M,
                message: format!(
                    "{} sector labels for {} firms; sectors must be numbered 0..I with every \
                     number used and I >= 2",
                    sector.len(),
                    ratios.len()
                ),
            });
        }
        let firm = BuhlmannStraub::fit(ratios, weights)?;
        let (w, x, within) = (&firm.weights, &firm.means, firm.within);
        let members = |i: usize| (0..sector.len()).filter(move |&j| sector[j] == i);
        // Between firms within sectors.
        if (0..sectors).all(|i| members(i).count() < 2) {
            return Err(Error::Inconsistent {
                model: M,
                message: "no sector has two firms: the between-firm variance cannot be estimated"
                    .into(),
            });
        }
        let estimates: Vec<f64> = (0..sectors)
            .map(|i| {
                if members(i).count() < 2 {
                    return 0.0;
                }
                let wi: f64 = members(i).map(|j| w[j]).sum();
                let xi = members(i).map(|j| w[j] * x[j]).sum::<f64>() / wi;
                let spread: f64 = members(i).map(|j| w[j] * (x[j] - xi).powi(2)).sum();
                let count = members(i).count() as f64;
                let denom = wi - members(i).map(|j| w[j] * w[j]).sum::<f64>() / wi;
                ((spread - (count - 1.0) * within) / denom).max(0.0)
            })
            .collect();
        let firm_variance = estimates.iter().sum::<f64>() / estimates.len() as f64;
        let firm_factors: Vec<f64> = if firm_variance > 0.0 {
            w.iter()
                .map(|wj| wj / (wj + within / firm_variance))
                .collect()
        } else {
            vec![0.0; w.len()]
        };
        // Sector weights and means: credibility-weighted, or exposure-weighted if â = 0.
        let level_weight = |j: usize| {
            if firm_variance > 0.0 {
                firm_factors[j]
            } else {
                w[j]
            }
        };
        let zi: Vec<f64> = (0..sectors)
            .map(|i| members(i).map(level_weight).sum())
            .collect();
        let xi: Vec<f64> = (0..sectors)
            .map(|i| members(i).map(|j| level_weight(j) * x[j]).sum::<f64>() / zi[i])
            .collect();
        let z: f64 = zi.iter().sum();
        let grand = zi.iter().zip(&xi).map(|(a, b)| a * b).sum::<f64>() / z;
        let spread: f64 = zi
            .iter()
            .zip(&xi)
            .map(|(a, b)| a * (b - grand).powi(2))
            .sum();
        let noise = if firm_variance > 0.0 {
            firm_variance
        } else {
            within
        };
        let sector_variance = ((spread - (sectors as f64 - 1.0) * noise)
            / (z - zi.iter().map(|a| a * a).sum::<f64>() / z))
            .max(0.0);
        let sector_factors: Vec<f64> = if sector_variance > 0.0 {
            zi.iter()
                .map(|a| a / (a + noise / sector_variance))
                .collect()
        } else {
            vec![0.0; sectors]
        };
        let q: f64 = sector_factors.iter().sum();
        let collective = if q > 0.0 {
            sector_factors
                .iter()
                .zip(&xi)
                .map(|(a, b)| a * b)
                .sum::<f64>()
                / q
        } else {
            grand
        };
        let sector_premiums: Vec<f64> = sector_factors
            .iter()
            .zip(&xi)
            .map(|(qi, xi)| qi * xi + (1.0 - qi) * collective)
            .collect();
        let firm_premiums = (0..x.len())
            .map(|j| firm_factors[j] * x[j] + (1.0 - firm_factors[j]) * sector_premiums[sector[j]])
            .collect();
        Ok(Self {
            collective,
            sector_variance,
            firm_variance,
            within,
            sector_factors,
            sector_premiums,
            firm_factors,
            firm_premiums,
        })
    }

    /// Collective premium μ̂.
    pub fn collective(&self) -> f64 {
        self.collective
    }

    /// Between-sector variance b̂.
    pub fn sector_variance(&self) -> f64 {
        self.sector_variance
    }

    /// Between-firm (within-sector) variance â.
    pub fn firm_variance(&self) -> f64 {
        self.firm_variance
    }

    /// Within-firm variance σ̂² per unit weight.
    pub fn within_variance(&self) -> f64 {
        self.within
    }

    /// Sector credibility factors Q_i.
    pub fn sector_factors(&self) -> &[f64] {
        &self.sector_factors
    }

    /// Sector premiums P_i.
    pub fn sector_premiums(&self) -> &[f64] {
        &self.sector_premiums
    }

    /// Firm credibility factors Z_ij.
    pub fn firm_factors(&self) -> &[f64] {
        &self.firm_factors
    }

    /// Firm premiums P_ij.
    pub fn firm_premiums(&self) -> &[f64] {
        &self.firm_premiums
    }
}

/// Experience rating of one firm on top of its GLM prediction, for claim counts whose
/// firm effect is gamma with variance α (the NB2 α of [`crate::rating::GlmFamily`]):
/// `Z = αE / (1 + αE)` and factor `Z·N/E + (1 − Z)`, where E is the GLM's expected count over
/// the experience period and N the observed count. This is the exact Poisson–gamma
/// posterior mean (1/α + N)/(1/α + E). Returns (Z, factor); multiply the GLM's prediction
/// for the next period by the factor.
///
/// ```
/// use kexian::rating::experience_factor;
/// // Expected 2 claims, observed 5, α = 0.5: Z = 0.5, factor = 0.5·2.5 + 0.5 = 1.75.
/// let (z, f) = experience_factor(2.0, 5.0, 0.5)?;
/// assert!((z - 0.5).abs() < 1e-15 && (f - 1.75).abs() < 1e-15);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn experience_factor(expected: f64, observed: f64, alpha: f64) -> Result<(f64, f64)> {
    const M: &str = "experience_factor";
    crate::numerics::validate::positive(M, "expected", expected)?;
    crate::numerics::validate::non_negative(M, "observed", observed)?;
    crate::numerics::validate::non_negative(M, "alpha", alpha)?;
    let z = alpha * expected / (1.0 + alpha * expected);
    Ok((z, z * observed / expected + (1.0 - z)))
}
