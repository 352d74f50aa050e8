//! Jewell's two-level hierarchical credibility model (group → entity, e.g. sector → firm).

use super::{Panel, TOLERANCE, converge, relative_change};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Hierarchical";

/// Estimator of the two between variances (Belhadj, Goulet & Ouellet 2009, *On parameter
/// estimation in hierarchical credibility*, ASTIN Bulletin 39; R actuar's `cm()` methods).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HierarchicalEstimator {
    /// Bühlmann & Gisler (2005, §6): the mean over parent nodes of each node's unbiased
    /// estimate, negative ones set to 0 (actuar's default).
    #[default]
    BuhlmannGisler,
    /// Ohlsson: the ratio of the summed numerators to the summed denominators (0 if negative).
    Ohlsson,
    /// Iterative pseudo-estimators b = Σ Z(X − X̄_Z)²/(nodes − parents), started at Ohlsson's
    /// values and iterated to a relative change below √ε.
    Iterative,
}

/// A fitted hierarchical model.
///
/// ```text
/// entity j in group g, periods t:  w_j, X_j as in Bühlmann–Straub; σ̂² pooled within entities
/// level j → g:  Z_j = 1/(1 + σ̂²/(â w_j)),  Z_g = Σ_j Z_j,  X_g = Σ_j Z_j X_j / Z_g
/// level g → portfolio:  Q_g = 1/(1 + â/(b̂ Z_g)),  μ̂ = Σ Q_g X_g / Σ Q_g
/// group premium P_g = μ̂ + Q_g (X_g − μ̂),  entity premium P_j = P_g + Z_j (X_j − P_g)
/// ```
/// At a level whose between variance is 0, the factors are 0 and the node weights and means
/// one level up are the plain weighted ones (w, X̄). The unbiased building block at each
/// parent node k with children j: numerator Σ_j w_j(X_j − X̄_k)² − (n_k − 1)·(variance one
/// level down), denominator w_k − Σ_j w_j²/w_k.
///
/// ```
/// use kexian::rating::{CredibilityRecord, Hierarchical, HierarchicalEstimator, Panel};
/// // Two sectors with two firms each, two years per firm.
/// let data = [("ic", "a", [1.0, 3.0]), ("ic", "b", [5.0, 7.0]),
///             ("ai", "c", [10.0, 12.0]), ("ai", "d", [16.0, 18.0])];
/// let records: Vec<CredibilityRecord> = data.iter().flat_map(|(g, e, x)| {
///     x.iter().enumerate().map(move |(t, &ratio)| CredibilityRecord {
///         entity: e.to_string(), group: Some(g.to_string()), period: t as f64, ratio,
///         weight: 1.0,
///     })
/// }).collect();
/// let fit = Hierarchical::fit(&Panel::from_records(&records)?, HierarchicalEstimator::BuhlmannGisler)?;
/// assert_eq!(fit.within_variance(), 2.0);
/// assert_eq!(fit.between_entities(), 12.0); // mean of (16 − 2)/2 and (36 − 2)/2
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hierarchical {
    estimator: HierarchicalEstimator,
    groups: Vec<String>,
    entities: Vec<String>,
    entity_group: Vec<usize>,
    collective: f64,
    between_groups: f64,
    between_entities: f64,
    within: f64,
    group: Level,
    entity: Level,
}

/// Per-node results of one level.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Level {
    means: Vec<f64>,
    weights: Vec<f64>,
    factors: Vec<f64>,
    premiums: Vec<f64>,
}

/// Children aggregated into parents at a between variance `b` over the variance `below`:
/// credibility factors, and the parents' total weights and weighted means (credibility
/// weights where a factor is non-zero, the children's own weights otherwise).
struct Aggregate {
    factors: Vec<f64>,
    weights: Vec<f64>,
    means: Vec<f64>,
}

fn aggregate(
    w: &[f64],
    x: &[f64],
    parent: &[usize],
    parents: usize,
    b: f64,
    below: f64,
) -> Aggregate {
    let factors: Vec<f64> = super::factors(w, below, b);
    let mut weights = vec![0.0; parents];
    let mut sums = vec![0.0; parents];
    for j in 0..w.len() {
        let v = node_weight(&factors, w, j);
        weights[parent[j]] += v;
        sums[parent[j]] += v * x[j];
    }
    let means = sums
        .iter()
        .zip(&weights)
        .map(|(s, w)| if *w > 0.0 { s / w } else { 0.0 })
        .collect();
    Aggregate {
        factors,
        weights,
        means,
    }
}

/// A child's weight one level up: its credibility factor, or its own weight when the factor
/// is 0 (a level without between variance).
fn node_weight(factors: &[f64], w: &[f64], j: usize) -> f64 {
    if factors[j] != 0.0 { factors[j] } else { w[j] }
}

/// The non-iterative between variance of one level (children → parents).
fn between(
    w: &[f64],
    x: &[f64],
    parent: &[usize],
    parents: usize,
    below: f64,
    estimator: HierarchicalEstimator,
) -> f64 {
    let plain = aggregate(w, x, parent, parents, 0.0, below);
    let mut num = vec![0.0; parents];
    let mut sq = vec![0.0; parents];
    let mut count = vec![0.0; parents];
    for j in 0..w.len() {
        let k = parent[j];
        num[k] += w[j] * (x[j] - plain.means[k]).powi(2);
        sq[k] += w[j] * w[j];
        count[k] += 1.0;
    }
    let (num, den): (Vec<f64>, Vec<f64>) = (0..parents)
        .map(|k| {
            (
                num[k] - (count[k] - 1.0) * below,
                plain.weights[k] - sq[k] / plain.weights[k],
            )
        })
        .unzip();
    let b = match estimator {
        HierarchicalEstimator::BuhlmannGisler => {
            num.iter()
                .zip(&den)
                .map(|(n, d)| if *d != 0.0 { (n / d).max(0.0) } else { 0.0 })
                .sum::<f64>()
                / parents as f64
        }
        _ => num.iter().sum::<f64>() / den.iter().sum::<f64>(),
    };
    b.max(0.0)
}

impl Hierarchical {
    /// Fits the model to a panel whose every record has a group (at least two groups and
    /// more entities than groups, some entity with two periods).
    pub fn fit(panel: &Panel, estimator: HierarchicalEstimator) -> Result<Self> {
        let within = panel.within_variance(MODEL)?;
        let entity_group: Vec<usize> = panel
            .entity_groups()
            .iter()
            .zip(panel.entities())
            .map(|(g, e)| {
                g.ok_or_else(|| Error::Inconsistent {
                    model: MODEL,
                    message: format!("entity `{e}` has no group"),
                })
            })
            .collect::<Result<_>>()?;
        let (groups, entities) = (panel.groups().len(), panel.entities().len());
        if groups < 2 || entities <= groups {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "{entities} entities in {groups} groups: need at least two groups and a \
                     group with two entities"
                ),
            });
        }
        let (w, x) = panel.entity_totals();
        let top = vec![0usize; groups];
        let start = if estimator == HierarchicalEstimator::BuhlmannGisler {
            estimator
        } else {
            HierarchicalEstimator::Ohlsson
        };
        let mut b_entity = between(&w, &x, &entity_group, groups, within, start);
        let lower = aggregate(&w, &x, &entity_group, groups, b_entity, within);
        let below = |b: f64| if b > 0.0 { b } else { within };
        let mut b_group = between(
            &lower.weights,
            &lower.means,
            &top,
            1,
            below(b_entity),
            start,
        );
        if estimator == HierarchicalEstimator::Iterative && (b_entity > 0.0 || b_group > 0.0) {
            let denoms = [(entities - groups) as f64, (groups - 1) as f64];
            converge(MODEL, "hierarchical estimators", || {
                let previous = [b_entity, b_group];
                b_entity = iterate(&w, &x, &entity_group, groups, b_entity, within, denoms[0]);
                let lower = aggregate(&w, &x, &entity_group, groups, b_entity, within);
                let (lw, lx) = (&lower.weights, &lower.means);
                b_group = iterate(lw, lx, &top, 1, b_group, below(b_entity), denoms[1]);
                // Estimates set to 0 have left the iteration (as in actuar).
                let current = [b_entity, b_group];
                Ok(relative_change(
                    current.iter().zip(&previous).filter(|(b, _)| **b > 0.0),
                ))
            })?;
        }
        let lower = aggregate(&w, &x, &entity_group, groups, b_entity, within);
        let upper = aggregate(
            &lower.weights,
            &lower.means,
            &top,
            1,
            b_group,
            below(b_entity),
        );
        let collective = upper.means[0];
        let group_premiums: Vec<f64> = (0..groups)
            .map(|g| collective + upper.factors[g] * (lower.means[g] - collective))
            .collect();
        let entity_premiums = (0..entities)
            .map(|j| {
                let p = group_premiums[entity_group[j]];
                p + lower.factors[j] * (x[j] - p)
            })
            .collect();
        Ok(Self {
            estimator,
            groups: panel.groups().to_vec(),
            entities: panel.entities().to_vec(),
            entity_group,
            collective,
            between_groups: b_group,
            between_entities: b_entity,
            within,
            group: Level {
                means: lower.means,
                weights: lower.weights,
                factors: upper.factors,
                premiums: group_premiums,
            },
            entity: Level {
                means: x,
                weights: w,
                factors: lower.factors,
                premiums: entity_premiums,
            },
        })
    }

    /// The estimator used.
    pub fn estimator(&self) -> HierarchicalEstimator {
        self.estimator
    }

    /// Collective premium μ̂.
    pub fn collective(&self) -> f64 {
        self.collective
    }

    /// Between-group variance b̂.
    pub fn between_groups(&self) -> f64 {
        self.between_groups
    }

    /// Between-entity (within-group) variance â.
    pub fn between_entities(&self) -> f64 {
        self.between_entities
    }

    /// Within-entity variance σ̂² per unit weight.
    pub fn within_variance(&self) -> f64 {
        self.within
    }

    /// Credibility coefficients (K of the groups = â/b̂, K of the entities = σ̂²/â); `None`
    /// where the between variance is 0.
    pub fn k(&self) -> (Option<f64>, Option<f64>) {
        let below = if self.between_entities > 0.0 {
            self.between_entities
        } else {
            self.within
        };
        (
            (self.between_groups > 0.0).then(|| below / self.between_groups),
            (self.between_entities > 0.0).then(|| self.within / self.between_entities),
        )
    }

    /// Group ids.
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Entity ids.
    pub fn entities(&self) -> &[String] {
        &self.entities
    }

    /// Each entity's group index.
    pub fn entity_groups(&self) -> &[usize] {
        &self.entity_group
    }

    /// Group means X_g (credibility-weighted when â > 0).
    pub fn group_means(&self) -> &[f64] {
        &self.group.means
    }

    /// Group weights Z_g = Σ_j Z_j (Σ_j w_j when â = 0).
    pub fn group_weights(&self) -> &[f64] {
        &self.group.weights
    }

    /// Group credibility factors Q_g.
    pub fn group_factors(&self) -> &[f64] {
        &self.group.factors
    }

    /// Group premiums P_g.
    pub fn group_premiums(&self) -> &[f64] {
        &self.group.premiums
    }

    /// Entity means X̄_j.
    pub fn entity_means(&self) -> &[f64] {
        &self.entity.means
    }

    /// Entity total weights w_j.
    pub fn entity_weights(&self) -> &[f64] {
        &self.entity.weights
    }

    /// Entity credibility factors Z_j.
    pub fn entity_factors(&self) -> &[f64] {
        &self.entity.factors
    }

    /// Entity premiums P_j.
    pub fn entity_premiums(&self) -> &[f64] {
        &self.entity.premiums
    }
}

/// One pseudo-estimator step of a level: b = Σ_j v_j (x_j − x̄_parent)² / denominator with v
/// the credibility weights at the current b (0 stays 0; values ≤ tol² become 0, as actuar).
fn iterate(
    w: &[f64],
    x: &[f64],
    parent: &[usize],
    parents: usize,
    b: f64,
    below: f64,
    denominator: f64,
) -> f64 {
    if b <= 0.0 {
        return 0.0;
    }
    let a = aggregate(w, x, parent, parents, b, below);
    let next = (0..w.len())
        .map(|j| {
            let v = if a.factors[j] != 0.0 {
                a.factors[j]
            } else {
                w[j]
            };
            v * (x[j] - a.means[parent[j]]).powi(2)
        })
        .sum::<f64>()
        / denominator;
    if next <= TOLERANCE * TOLERANCE {
        0.0
    } else {
        next
    }
}
