//! The rating variables of a product's rate table and the GLM that fits their relativities.

use super::{RateFactor, Row};
use crate::assumptions::{Assumptions, Product, RatedBy};
use crate::error::Result;
use crate::rating::{Factor, GlmFamily, RatingPlan, RatingSpec, Transform};
use crate::table::{Column, Table};
use std::collections::BTreeMap;

/// A candidate rating variable's values over the product's covers.
pub(super) enum Values {
    Text(Vec<String>),
    Number(Vec<f64>, Transform),
}

/// The variables the product's covers may vary on: the firm's, the measures that act on the
/// product, and the mechanism's own; each only if it takes more than one value.
pub(super) fn candidates(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
) -> Vec<(String, Values)> {
    let text = |f: &dyn Fn(&Row) -> String| Values::Text(rows.iter().map(f).collect());
    let mut out = Vec::new();
    mechanism_variables(assumptions, product, rows, &mut out);
    out.extend([
        ("sector".to_owned(), text(&|r| r.firm.sector.clone())),
        ("size".to_owned(), text(&|r| r.firm.size.clone())),
        (
            "stage".to_owned(),
            text(&|r| r.firm.stage.as_str().to_owned()),
        ),
        (
            "score".to_owned(),
            Values::Number(
                rows.iter().map(|r| r.firm.score).collect(),
                Transform::Identity,
            ),
        ),
        (
            "measures".to_owned(),
            text(&|r| {
                let on: Vec<&str> = (r.firm.measures.iter())
                    .filter(|m| product.measures.contains(m))
                    .map(String::as_str)
                    .collect();
                if on.is_empty() {
                    "none".into()
                } else {
                    on.join("+")
                }
            }),
        ),
    ]);
    if rows
        .iter()
        .all(|r| r.firm.covariates.contains_key("log_revenue"))
    {
        out.push((
            "log_revenue".into(),
            Values::Number(
                rows.iter()
                    .map(|r| r.firm.covariates["log_revenue"])
                    .collect(),
                Transform::Identity,
            ),
        ));
    }
    out.retain(|(_, v)| match v {
        Values::Text(v) => v.iter().any(|x| x != &v[0]),
        Values::Number(v, _) => v.iter().any(|x| x != &v[0]),
    });
    out
}

/// The variables of the product's mechanism: the R&D project's type, stage and years in it;
/// the loan's default probability; the firm's patents.
fn mechanism_variables(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
    out: &mut Vec<(String, Values)>,
) {
    let text = |f: &dyn Fn(&Row) -> String| Values::Text(rows.iter().map(f).collect());
    // Size of risk: an expected loss not proportional to the exposure (limits within it,
    // damages that grow more slowly) shows as an elasticity ≠ 0.
    let litigation = product.model.rated_by() == RatedBy::Patents;
    if product.exposure.is_some() && !litigation {
        out.push((
            "exposure".into(),
            Values::Number(
                rows.iter()
                    .map(|r| r.cover.exposure.unwrap_or(1.0))
                    .collect(),
                Transform::Ln,
            ),
        ));
    }
    match product.model.rated_by() {
        RatedBy::ProjectStage => out.push((
            "project_stage".into(),
            text(&|r| {
                let c = r.cover;
                format!(
                    "{}/{}/{}",
                    c.project.as_deref().unwrap_or("-"),
                    c.stage.as_deref().unwrap_or("first"),
                    c.years_in_stage.unwrap_or(0.0)
                )
            }),
        )),
        RatedBy::DefaultProbability
            if rows.iter().all(|r| r.cover.default_probability.is_some()) =>
        {
            out.push((
                "default_probability".into(),
                Values::Number(
                    rows.iter()
                        .map(|r| r.cover.default_probability.unwrap_or(1.0))
                        .collect(),
                    Transform::Ln,
                ),
            ));
        }
        RatedBy::Patents => {
            let ip = &assumptions.set().ip;
            let bands = &ip.legal_cost.bands_usd;
            out.push((
                "amount_at_risk".into(),
                text(&|r| {
                    let usd = r.cover.exposure.unwrap_or(0.0) / ip.usd_to_cny;
                    let last = bands.len().saturating_sub(1);
                    let k = bands.iter().position(|b| usd < b.below).unwrap_or(last);
                    let edge = |k: usize| crate::io::thousands(bands[k].below * ip.usd_to_cny);
                    match k {
                        0 => format!("< {} 元", edge(0)),
                        k if k == last => format!(">= {} 元", edge(k - 1)),
                        k => format!("{} – {} 元", edge(k - 1), edge(k)),
                    }
                }),
            ));
        }
        _ => {}
    }
}

/// The table the GLM reads: the candidates and the offset over `fit_rows`.
pub(super) fn design(
    candidates: &[(String, Values)],
    rows: &[Row],
    offset: &[f64],
    fit_rows: &[usize],
) -> Result<Table> {
    let mut columns = vec![
        (
            "expected_loss".to_owned(),
            Column::Number(fit_rows.iter().map(|&i| rows[i].expected).collect()),
        ),
        (
            "offset".to_owned(),
            Column::Number(fit_rows.iter().map(|&i| offset[i]).collect()),
        ),
    ];
    for (name, values) in candidates {
        columns.push((
            name.clone(),
            match values {
                Values::Text(v) => Column::Text(fit_rows.iter().map(|&i| v[i].clone()).collect()),
                Values::Number(v, _) => Column::Number(fit_rows.iter().map(|&i| v[i]).collect()),
            },
        ));
    }
    Table::from_columns("rate table", columns)
}

/// The gamma GLM over the candidates, added one at a time in order: a candidate is kept if
/// it varies within the fitted covers, is not aliased with those kept, and moves some
/// relativity by more than 0.5%.
pub(super) fn fit(
    assumptions: &Assumptions,
    candidates: &[(String, Values)],
    table: &Table,
) -> Result<(RatingPlan, RatingSpec)> {
    let spec = |factors: Vec<Factor>| RatingSpec {
        factors,
        interactions: vec![],
        response: "expected_loss".into(),
        exposure: Some("offset".into()),
        weight: None,
    };
    let mut kept = spec(vec![]);
    let mut plan = RatingPlan::fit(GlmFamily::Gamma, &kept, table)?;
    for (name, values) in candidates {
        let c = table.column(name)?;
        if (0..table.len()).all(|i| table.text(i, c) == table.text(0, c)) {
            continue;
        }
        let factor = match (name.as_str(), values) {
            ("score", _) => Factor::ScoreTier {
                column: name.clone(),
                scale: Some(assumptions.scale().clone()),
                monotone: false,
                base: None,
            },
            (_, Values::Text(_)) => Factor::Categorical {
                column: name.clone(),
                base: None,
                merge: BTreeMap::new(),
            },
            (_, Values::Number(v, transform)) => Factor::Numeric {
                column: name.clone(),
                transform: *transform,
                center: centre(v, *transform),
            },
        };
        let mut factors = kept.factors.clone();
        factors.push(factor);
        let trial = spec(factors);
        // Aliased with the factors kept (or not estimable): the table has no room for it.
        let Ok(p) = RatingPlan::fit(GlmFamily::Gamma, &trial, table) else {
            continue;
        };
        let moves = (p.relativities().iter())
            .any(|r| &r.factor == name && (r.relativity - 1.0).abs() > 5e-3);
        if moves {
            (kept, plan) = (trial, p);
        }
    }
    Ok((plan, kept))
}

/// The centre of a numeric variable: the mean of its transform, rounded to 2 decimals.
fn centre(v: &[f64], transform: Transform) -> f64 {
    let t = |x: f64| match transform {
        Transform::Identity => x,
        Transform::Ln => x.ln(),
        Transform::Ln1p => x.ln_1p(),
    };
    let mean = v.iter().map(|&x| t(x)).sum::<f64>() / v.len() as f64;
    (mean * 100.0).round() / 100.0
}

pub(super) fn relativities(plan: &RatingPlan, spec: &RatingSpec) -> Vec<RateFactor> {
    (plan.relativities().into_iter())
        .map(|r| {
            let centre = spec.factors.iter().find_map(|f| match f {
                Factor::Numeric { column, center, .. } if *column == r.factor => Some(*center),
                _ => None,
            });
            RateFactor {
                level: centre.map_or(r.level, |c| format!("per unit above {c}")),
                factor: r.factor,
                relativity: r.relativity,
            }
        })
        .collect()
}
