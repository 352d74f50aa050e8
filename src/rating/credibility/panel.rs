//! Experience in long format: one row per entity and period.

use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Panel";

/// One observation: an entity's ratio (e.g. loss per unit of exposure, average claim) in a
/// period, with its weight (exposure, claim count). The group is the entity's class one level
/// up (e.g. its sector) for hierarchical models.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CredibilityRecord {
    /// Entity id (any text).
    pub entity: String,
    /// Group id (any text); needed by [`super::Hierarchical`] only.
    #[serde(default)]
    pub group: Option<String>,
    /// Period (e.g. year or quarter number); also the regressor of [`super::Hachemeister`].
    pub period: f64,
    /// Observed ratio, finite.
    pub ratio: f64,
    /// Weight, finite and > 0.
    pub weight: f64,
}

/// Validated experience: entities in order of first appearance, each with its periods in
/// increasing order.
///
/// ```
/// use kexian::rating::{BuhlmannStraub, CredibilityRecord, Panel, StraubEstimator};
/// let row = |entity: &str, period: f64, ratio: f64| CredibilityRecord {
///     entity: entity.into(), group: None, period, ratio, weight: 1.0,
/// };
/// let panel = Panel::from_records(&[
///     row("沪A-17", 2024.0, 2.0), row("F9", 2023.0, 4.0), row("沪A-17", 2023.0, 1.0),
///     row("F9", 2024.0, 5.0), row("沪A-17", 2025.0, 3.0), row("F9", 2025.0, 6.0),
/// ])?;
/// assert_eq!(panel.entities(), ["沪A-17", "F9"]);
/// let fit = BuhlmannStraub::fit(&panel, StraubEstimator::Unbiased)?;
/// assert!((fit.premium("沪A-17").unwrap() - 57.0 / 27.0).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Panel {
    entities: Vec<String>,
    groups: Vec<String>,
    entity_group: Vec<Option<usize>>,
    periods: Vec<Vec<f64>>,
    ratios: Vec<Vec<f64>>,
    weights: Vec<Vec<f64>>,
}

impl Panel {
    /// Builds the panel from records in any order. Errors name the record (by index): a
    /// non-finite ratio or period, a weight not > 0, the same entity and period twice, an
    /// entity in two groups, or no records at all.
    pub fn from_records(records: &[CredibilityRecord]) -> Result<Self> {
        if records.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "records",
            });
        }
        let mut panel = Self {
            entities: vec![],
            groups: vec![],
            entity_group: vec![],
            periods: vec![],
            ratios: vec![],
            weights: vec![],
        };
        let mut rows: Vec<Vec<(f64, f64, f64, usize)>> = vec![];
        for (index, r) in records.iter().enumerate() {
            for (parameter, value, ok, rule) in [
                ("period", r.period, r.period.is_finite(), "finite"),
                ("ratio", r.ratio, r.ratio.is_finite(), "finite"),
                (
                    "weight",
                    r.weight,
                    r.weight.is_finite() && r.weight > 0.0,
                    "finite and > 0",
                ),
            ] {
                if !ok {
                    return Err(Error::InvalidElement {
                        model: MODEL,
                        parameter,
                        index,
                        value,
                        rule,
                    });
                }
            }
            let entity = match panel.entities.iter().position(|e| *e == r.entity) {
                Some(e) => e,
                None => {
                    panel.entities.push(r.entity.clone());
                    let group = r.group.as_ref().map(|g| {
                        panel.groups.iter().position(|x| x == g).unwrap_or_else(|| {
                            panel.groups.push(g.clone());
                            panel.groups.len() - 1
                        })
                    });
                    panel.entity_group.push(group);
                    rows.push(vec![]);
                    panel.entities.len() - 1
                }
            };
            let group = panel.entity_group[entity].map(|g| panel.groups[g].as_str());
            if group != r.group.as_deref() {
                return Err(inconsistent(format!(
                    "record {index}: entity `{}` is in group {:?} here but {:?} before",
                    r.entity, r.group, group
                )));
            }
            if let Some(&(_, _, _, first)) = rows[entity].iter().find(|x| x.0 == r.period) {
                return Err(inconsistent(format!(
                    "records {first} and {index}: entity `{}` has period {} twice",
                    r.entity, r.period
                )));
            }
            rows[entity].push((r.period, r.ratio, r.weight, index));
        }
        for mut entity in rows {
            entity.sort_by(|a, b| a.0.total_cmp(&b.0));
            panel.periods.push(entity.iter().map(|x| x.0).collect());
            panel.ratios.push(entity.iter().map(|x| x.1).collect());
            panel.weights.push(entity.iter().map(|x| x.2).collect());
        }
        Ok(panel)
    }

    /// Builds the panel from columns of equal length (`group` optional).
    pub fn from_columns<E: AsRef<str>, G: AsRef<str>>(
        entity: &[E],
        group: Option<&[G]>,
        period: &[f64],
        ratio: &[f64],
        weight: &[f64],
    ) -> Result<Self> {
        let n = entity.len();
        let lengths = [
            group.map_or(n, <[G]>::len),
            period.len(),
            ratio.len(),
            weight.len(),
        ];
        if lengths.iter().any(|&l| l != n) {
            return Err(inconsistent(format!(
                "columns of {n} entity ids but {lengths:?} groups/periods/ratios/weights"
            )));
        }
        let records: Vec<CredibilityRecord> = (0..n)
            .map(|i| CredibilityRecord {
                entity: entity[i].as_ref().to_owned(),
                group: group.map(|g| g[i].as_ref().to_owned()),
                period: period[i],
                ratio: ratio[i],
                weight: weight[i],
            })
            .collect();
        Self::from_records(&records)
    }

    /// Entity ids in order of first appearance.
    pub fn entities(&self) -> &[String] {
        &self.entities
    }

    /// Group ids in order of first appearance (empty when no record has a group).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Each entity's group index into [`groups`](Self::groups).
    pub fn entity_groups(&self) -> &[Option<usize>] {
        &self.entity_group
    }

    /// Each entity's periods, increasing.
    pub fn periods(&self) -> &[Vec<f64>] {
        &self.periods
    }

    /// Each entity's ratios, by period.
    pub fn ratios(&self) -> &[Vec<f64>] {
        &self.ratios
    }

    /// Each entity's weights, by period.
    pub fn weights(&self) -> &[Vec<f64>] {
        &self.weights
    }

    /// Total weight and weighted mean ratio of each entity.
    pub(super) fn entity_totals(&self) -> (Vec<f64>, Vec<f64>) {
        self.ratios
            .iter()
            .zip(&self.weights)
            .map(|(x, w)| (w.iter().sum::<f64>(), super::weighted_mean(w, x)))
            .unzip()
    }

    /// Pooled within-entity variance Σ w(x − x̄ᵢ)² / (observations − entities); errors when
    /// there are fewer than two entities or no entity has two periods.
    pub(super) fn within_variance(&self, model: &'static str) -> Result<f64> {
        if self.entities.len() < 2 {
            return Err(Error::TooFew {
                model,
                what: "entities",
                got: self.entities.len(),
                need: 2,
            });
        }
        let observations: usize = self.ratios.iter().map(Vec::len).sum();
        if observations == self.entities.len() {
            return Err(Error::Inconsistent {
                model,
                message: "no entity has two periods: the within variance cannot be estimated"
                    .into(),
            });
        }
        let (_, means) = self.entity_totals();
        let sum: f64 = (0..self.entities.len())
            .map(|i| {
                self.ratios[i]
                    .iter()
                    .zip(&self.weights[i])
                    .map(|(x, w)| w * (x - means[i]).powi(2))
                    .sum::<f64>()
            })
            .sum();
        Ok(sum / (observations - self.entities.len()) as f64)
    }
}

fn inconsistent(message: String) -> Error {
    Error::Inconsistent {
        model: MODEL,
        message,
    }
}
