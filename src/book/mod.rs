//! The insurer's book as typed values: firms with their covariates, covers (catalogue products
//! with their own terms), risk-reduction
//! measures and per-policy overrides of the assumption set. Files become firms at the edge
//! ([`crate::io`]); the pricing pipeline takes firms.
//!
//! Pipeline position: `coverage, perils, rating → book → assumptions → quote`.

mod cover;

pub use cover::Cover;

use crate::error::{Error, Result};
use crate::numerics::validate;
use crate::rating::{InnovationScore, ScoreScale, Stage, SubIndicators};
use crate::table::{Column, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One insured firm and what it buys (a JSON policy list is a list of these).
///
/// ```
/// use kexian::book::Firm;
/// let firm: Firm = serde_json::from_str(r#"{
///     "id": "F1", "sector": "ai", "size": "small", "stage": "growth", "score": 655,
///     "covariates": {"log_revenue": 17.2},
///     "covers": [{"product": "cyber", "terms": {"claim": {"deductible": 5e4, "limit": 5e6}}}],
///     "overrides": {"cyber_frequency": 0.2}
/// }"#)?;
/// assert_eq!(firm.covers[0].product, "cyber");
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Firm {
    /// Unique id (also seeds the firm's simulation streams).
    pub id: String,
    /// Sector, one of the assumption set's.
    pub sector: String,
    /// Size band, one of the assumption set's.
    pub size: String,
    /// Development stage.
    pub stage: Stage,
    /// 沪科积分 on the assumption set's scale.
    pub score: f64,
    /// Numeric covariates for the rating plan (e.g. `log_revenue`).
    #[serde(default)]
    pub covariates: BTreeMap<String, f64>,
    /// The sub-indicators behind the score, if known (also rating covariates).
    #[serde(default)]
    pub indicators: Option<SubIndicators>,
    /// Granted patents (drives the patent-suit frequency).
    #[serde(default)]
    pub patents: f64,
    /// Covers bought, each a catalogue product with its own terms.
    pub covers: Vec<Cover>,
    /// Risk-reduction measures in place (名称 of the assumption set's measures).
    #[serde(default)]
    pub measures: Vec<String>,
    /// The firm's own parameters, replacing the assumption set's.
    #[serde(default)]
    pub overrides: Overrides,
    /// Where the firm was read from (e.g. `portfolio.csv line 7`), for error messages.
    #[serde(skip)]
    pub origin: Option<String>,
}

/// Per-policy parameters that replace the assumption set's.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Overrides {
    /// Mean material cyber incidents per year (> 0), e.g. from the firm's own record.
    #[serde(default)]
    pub cyber_frequency: Option<f64>,
    /// Patent suits per year (≥ 0).
    #[serde(default)]
    pub patent_suits_per_year: Option<f64>,
}

const MODEL: &str = "Firm";

/// The largest amount (元) a firm's cover plausibly involves: 1e12 元 (1万亿元), above any
/// single technology risk; larger values are almost always a unit mistake (分, or 元 × 10⁴).
pub const MAX_AMOUNT: f64 = 1e12;

impl Firm {
    /// A firm with no covariates, patents, covers, measures or overrides: set the fields it
    /// needs.
    pub fn new(id: &str, sector: &str, size: &str, stage: Stage, score: f64) -> Self {
        Self {
            id: id.to_owned(),
            sector: sector.to_owned(),
            size: size.to_owned(),
            stage,
            score,
            covariates: BTreeMap::new(),
            indicators: None,
            patents: 0.0,
            covers: vec![],
            measures: vec![],
            overrides: Overrides::default(),
            origin: None,
        }
    }

    /// The firm's score on `scale` with its stage and sub-indicators; an error naming the
    /// firm if the score is off the scale or an indicator is invalid.
    pub fn innovation_score(&self, scale: &ScoreScale) -> Result<InnovationScore> {
        let score = InnovationScore::new(self.score, scale)
            .map(|s| s.with_stage(self.stage))
            .map_err(|e| self.error("score", &e.to_string()))?;
        match self.indicators {
            Some(i) => score
                .with_indicators(i)
                .map_err(|e| self.error("indicators", &e.to_string())),
            None => Ok(score),
        }
    }

    /// Checks what does not depend on the assumption set: id, amounts, probabilities,
    /// overrides and at least one cover.
    pub fn validate(&self) -> Result<()> {
        let field = |name: &str, r: Result<f64>| {
            r.map(|_| ()).map_err(|e| self.error(name, &e.to_string()))
        };
        if self.id.is_empty() {
            return Err(self.error("id", "empty id"));
        }
        field(
            "patents",
            validate::non_negative(MODEL, "patents", self.patents),
        )?;
        for (name, v) in &self.covariates {
            let at = format!("covariates.{name}");
            if !v.is_finite() {
                return Err(self.error(&at, &format!("{v} is not finite")));
            }
            if name.starts_with("log_") && v.abs() > crate::table::MAX_LOG_AMOUNT {
                return Err(self.error(&at, &crate::table::implausible_log(*v)));
            }
        }
        for (k, c) in self.covers.iter().enumerate() {
            let at = |f: &str| format!("covers[{k}].{f}");
            if c.product.is_empty() {
                return Err(self.error(&at("product"), "empty product name"));
            }
            let mut amounts = vec![];
            if let Some(e) = c.exposure {
                field(
                    &at("exposure"),
                    validate::non_negative(MODEL, "exposure", e),
                )?;
                amounts.push((at("exposure"), e));
            }
            if let Some(t) = &c.terms {
                amounts.push((at("terms.claim.deductible"), t.claim.deductible()));
            }
            for (at, v) in amounts {
                if v > MAX_AMOUNT {
                    return Err(self.error(
                        &at,
                        &format!(
                            "{v} 元 is implausible (more than {MAX_AMOUNT:e} 元): is it in 分, \
                             or mistyped?"
                        ),
                    ));
                }
            }
            if let Some(pd) = c.default_probability {
                field(
                    &at("default_probability"),
                    validate::probability(MODEL, "default_probability", pd),
                )?;
            }
        }
        if let Some(f) = self.overrides.cyber_frequency {
            field(
                "overrides.cyber_frequency",
                validate::positive(MODEL, "cyber_frequency", f),
            )?;
        }
        if let Some(f) = self.overrides.patent_suits_per_year {
            field(
                "overrides.patent_suits_per_year",
                validate::non_negative(MODEL, "patent_suits_per_year", f),
            )?;
        }
        if self.covers.is_empty() {
            return Err(self.error("covers", "the firm has no cover"));
        }
        Ok(())
    }

    /// An error about `field` of this firm, located by its origin.
    pub(crate) fn error(&self, field: &str, message: &str) -> Error {
        Error::Field {
            source_name: self
                .origin
                .clone()
                .unwrap_or_else(|| format!("firm `{}`", self.id)),
            field: field.to_owned(),
            message: message.to_owned(),
        }
    }
}

/// Problems of the book as a whole: no firms, repeated ids (one message per repeat).
pub(crate) fn book_problems(firms: &[Firm]) -> Vec<String> {
    if firms.is_empty() {
        return vec!["the book has no firms".into()];
    }
    let mut seen = std::collections::HashMap::new();
    let mut problems = Vec::new();
    for f in firms {
        let here = f
            .origin
            .clone()
            .unwrap_or_else(|| format!("firm `{}`", f.id));
        if let Some(first) = seen.insert(f.id.as_str(), here) {
            let e = f.error(
                "id",
                &format!("duplicate firm id `{}` (first: {first})", f.id),
            );
            problems.push(e.to_string());
        }
    }
    problems
}

/// The firms as rating data: columns `firm`, `sector`, `size`, `stage`, `score`, `patents`,
/// the sub-indicators (`rd_intensity`, `rd_staff_share`, `revenue_growth`) when any firm has
/// them, and every covariate (a firm without a value others have reads as NaN there, an error
/// naming the row and column when the rating plan uses it).
pub fn rating_table(firms: &[Firm]) -> Result<Table> {
    let text = |f: fn(&Firm) -> String| Column::Text(firms.iter().map(f).collect());
    let mut columns = vec![
        ("firm".to_owned(), text(|f| f.id.clone())),
        ("sector".to_owned(), text(|f| f.sector.clone())),
        ("size".to_owned(), text(|f| f.size.clone())),
        ("stage".to_owned(), text(|f| f.stage.as_str().to_owned())),
        (
            "score".to_owned(),
            Column::Number(firms.iter().map(|f| f.score).collect()),
        ),
        (
            "patents".to_owned(),
            Column::Number(firms.iter().map(|f| f.patents).collect()),
        ),
    ];
    if firms.iter().any(|f| f.indicators.is_some()) {
        let indicator = |g: fn(&SubIndicators) -> f64| {
            Column::Number(
                firms
                    .iter()
                    .map(|f| f.indicators.as_ref().map_or(f64::NAN, g))
                    .collect(),
            )
        };
        columns.push(("rd_intensity".into(), indicator(|i| i.rd_intensity)));
        columns.push(("rd_staff_share".into(), indicator(|i| i.rd_staff_share)));
        columns.push(("revenue_growth".into(), indicator(|i| i.revenue_growth)));
    }
    let names: std::collections::BTreeSet<&String> =
        firms.iter().flat_map(|f| f.covariates.keys()).collect();
    for name in names {
        let values = firms
            .iter()
            .map(|f| f.covariates.get(name).copied().unwrap_or(f64::NAN))
            .collect();
        columns.push((name.clone(), Column::Number(values)));
    }
    Table::from_columns("firms", columns)
}
