//! Differentiation: the rating plan's relativities and the firm's own experience.

use super::{AppliedRelativity, QuoteConfig, Rebalance};
use crate::book::{Firm, rating_table};
use crate::error::{Error, Result};
use crate::rating::{RatingPlan, ScoreScale, experience_factor};
use crate::table::Table;

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
    let spec = rating.spec.with_scale(scale);
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
                Rebalance::Experience | Rebalance::Model => average,
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

/// Brings the book's rated expected loss Σ f_i·m_i to the model's Σ m_i when the plan is
/// rebalanced to the model (`means` m_i: the firms' simulated mean payments): multiplies
/// every rating factor by the off-balance factor k = Σ m_i / Σ f_i·m_i, shown as the
/// relativity `off-balance`, and returns k (1 without a plan or when Σ f_i·m_i = 0).
pub(super) fn rebalance(factors: &mut Factors, means: &[f64], config: &QuoteConfig) -> f64 {
    if config.rating.as_ref().map(|r| r.rebalance) != Some(Rebalance::Model) {
        return 1.0;
    }
    let model: f64 = means.iter().sum();
    let rated: f64 = factors
        .iter()
        .zip(means)
        .map(|((_, f, e), m)| f * e * m)
        .sum();
    let k = if rated > 0.0 { model / rated } else { 1.0 };
    for (applied, f, _) in factors.iter_mut() {
        *f *= k;
        applied.push(AppliedRelativity {
            factor: "off-balance".into(),
            level: String::new(),
            relativity: k,
        });
    }
    k
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
    // A firm-year must appear once: a repeated row would count its claims twice.
    if let Ok(year) = experience.column("year") {
        let mut seen = std::collections::HashMap::new();
        let mut repeats = Vec::new();
        for r in 0..experience.len() {
            let key = (experience.text(r, f), experience.text(r, year));
            if let Some(first) = seen.insert(key, experience.line(r)) {
                repeats.push(format!(
                    "line {}: firm `{}` year {} repeats line {first}",
                    experience.line(r),
                    key.0,
                    key.1
                ));
            }
        }
        if !repeats.is_empty() {
            return Err(Error::Rows {
                source_name: experience.source().to_owned(),
                errors: repeats,
            });
        }
    }
    let mut out: std::collections::HashMap<String, (f64, f64)> = Default::default();
    for (r, p) in predicted.iter().enumerate() {
        let e = out.entry(experience.text(r, f).to_owned()).or_default();
        e.0 += p;
        e.1 += experience.number(r, y)?;
    }
    Ok(out)
}
