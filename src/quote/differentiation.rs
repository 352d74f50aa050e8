//! Differentiation: the rating plan's relativities and the firm's own experience.

use super::{AppliedRelativity, QuoteConfig, Rebalance};
use crate::book::{Firm, rating_table};
use crate::error::{Error, Result};
use crate::rating::{RatingPlan, ScoreScale, experience_factor};
use crate::table::Table;
use std::collections::BTreeMap;

const MODEL: &str = "QuoteConfig";

pub(super) type Factors = Vec<(Vec<AppliedRelativity>, f64, f64)>;

/// Per firm: applied relativities, rating factor and experience factor.
pub(super) fn differentiation(
    firms: &[Firm],
    scale: &ScoreScale,
    experience: Option<&Table>,
    config: &QuoteConfig,
) -> Result<Factors> {
    let Some(rating) = &config.rating else {
        return Ok(vec![(vec![], 1.0, 1.0); firms.len()]);
    };
    let experience = experience.ok_or_else(|| Error::Inconsistent {
        model: MODEL,
        message: "a rating plan is configured but no experience table was given".into(),
    })?;
    experience.check_unique(&[rating.firm_column.as_str(), "year", "line"])?;
    let spec = rating.spec.with_scale(scale);
    // A plan of one line is fitted on that line's claims (and applies to that line only).
    let owned;
    let experience = match &rating.line {
        None => experience,
        Some(line) => {
            owned = line_rows(experience, line)?;
            &owned
        }
    };
    let plan = RatingPlan::fit(rating.family, &spec, experience)?;
    // Training average frequency per unit of exposure: Σ predicted / Σ exposure.
    let predicted = plan.predict(experience)?;
    let exposure: f64 = match &spec.exposure {
        Some(e) => {
            let c = experience.column(e)?;
            (0..experience.len())
                .map(|r| experience.number(r, c))
                .sum::<Result<f64>>()?
        }
        None => experience.len() as f64,
    };
    let average = predicted.iter().sum::<f64>() / exposure;
    // Quotes are per policy-year: predictions are per unit of exposure, so a book covariate
    // named like the exposure column would silently scale every rating factor.
    let data = rating_table(firms)?;
    if let Some(e) = &spec.exposure
        && data.column(e).is_ok()
    {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!(
                "the book has a covariate `{e}`, the rating plan's exposure column: quotes are \
                 per policy-year, so remove it (or rename it if it is a rating factor)"
            ),
        });
    }
    let rates = plan.predict(&data)?;
    let explained = plan.explain(&data)?;
    let by_firm = experience_by_firm(experience, &rating.firm_column, &spec.response, &predicted)?;
    firms
        .iter()
        .zip(rates)
        .zip(explained)
        .map(|((firm, rate), parts)| {
            let mut applied: Vec<AppliedRelativity> = parts
                .into_iter()
                .map(|(factor, level, relativity)| AppliedRelativity {
                    factor,
                    level,
                    relativity,
                })
                .collect();
            // The plan's own level: its base (none) or its experience average.
            let level = match rating.rebalance {
                Rebalance::None => plan.base(),
                _ => average,
            };
            if rating.rebalance != Rebalance::None {
                applied.push(AppliedRelativity {
                    factor: "base / training average".into(),
                    level: String::new(),
                    relativity: plan.base() / average,
                });
            }
            let (expected, observed) = by_firm.get(&firm.id).copied().unwrap_or((0.0, 0.0));
            let e = if expected > 0.0 && rating.credibility_alpha > 0.0 {
                experience_factor(expected, observed, rating.credibility_alpha)?.1
            } else {
                1.0
            };
            applied.push(AppliedRelativity {
                factor: "experience".into(),
                level: format!("{observed} claims vs {expected:.2} expected"),
                relativity: e,
            });
            Ok((applied, rate / level, e))
        })
        .collect()
}

/// The rows of `line` (column `line`) of an experience table, refused when it has no such
/// column or no such row.
fn line_rows(experience: &Table, line: &str) -> Result<Table> {
    let c = experience.column("line").map_err(|_| Error::Inconsistent {
        model: MODEL,
        message: format!(
            "rating.line `{line}`: the experience `{}` has no `line` column",
            experience.source()
        ),
    })?;
    let rows: Vec<usize> = (0..experience.len())
        .filter(|&r| experience.text(r, c) == line)
        .collect();
    if rows.is_empty() {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!(
                "rating.line `{line}`: no row of the experience `{}` is of that line",
                experience.source()
            ),
        });
    }
    Ok(experience.select(&rows))
}

/// Per line ℓ, the multiplier k_ℓ of the differentiated factors that sets the line's level
/// (see [`Rebalance`]): with fᵢℓ the firm's plan × experience factor where the plan applies
/// to ℓ (1 elsewhere) and mᵢℓ its model mean,
///
/// ```text
/// k_ℓ = level_ℓ · Σᵢ mᵢℓ / Σᵢ fᵢℓ·mᵢℓ     (model: level_ℓ = 1; credibility: the experience's)
/// ```
/// and k_ℓ = 1 for [`Rebalance::Experience`] and [`Rebalance::None`] (and without a plan,
/// the credibility level alone).
pub(super) fn line_multipliers(
    factors: &Factors,
    plan_line: Option<&str>,
    means: &[Vec<(String, f64)>],
    rebalance: Option<Rebalance>,
    levels: &BTreeMap<String, f64>,
) -> BTreeMap<String, f64> {
    let mut sums: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    for ((_, rating, experience), lines) in factors.iter().zip(means) {
        for (line, m) in lines {
            let f = if plan_line.is_none_or(|p| p == line) {
                rating * experience
            } else {
                1.0
            };
            let s = sums.entry(line.clone()).or_default();
            s.0 += m;
            s.1 += f * m;
        }
    }
    sums.into_iter()
        .map(|(line, (model, rated))| {
            let level = match rebalance {
                Some(Rebalance::Experience | Rebalance::None) => return (line, 1.0),
                Some(Rebalance::Model) => 1.0,
                Some(Rebalance::Credibility) | None => levels
                    .get(&line)
                    .or_else(|| levels.get(super::level::ALL_LINES))
                    .copied()
                    .unwrap_or(1.0),
            };
            let k = if rated > 0.0 {
                level * model / rated
            } else {
                level
            };
            (line, k)
        })
        .collect()
}

/// Per firm id: (Σ expected claims from the plan, Σ observed claims) over its experience.
fn experience_by_firm(
    experience: &Table,
    firm_column: &str,
    response: &str,
    predicted: &[f64],
) -> Result<std::collections::HashMap<String, (f64, f64)>> {
    let (f, y) = (
        experience.column(firm_column)?,
        experience.column(response)?,
    );
    let mut out: std::collections::HashMap<String, (f64, f64)> = Default::default();
    for (r, p) in predicted.iter().enumerate() {
        let e = out.entry(experience.text(r, f).to_owned()).or_default();
        e.0 += p;
        e.1 += experience.number(r, y)?;
    }
    Ok(out)
}
