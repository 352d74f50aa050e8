//! A book of firms from a CSV table (one row per firm) or a JSON policy list.

use crate::book::{Cover, Firm, Overrides};
use crate::coverage::{ClaimTerms, CoverTerms};
use crate::error::{Error, Result};
use crate::perils::LitigationKind;
use crate::rating::Stage;
use crate::table::Table;
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

/// The columns a portfolio CSV may have (see `data/README.md`); any other column is a numeric
/// covariate for the rating plan (e.g. `log_revenue`).
pub const COLUMNS: [&str; 22] = [
    "firm",
    "sector",
    "size",
    "stage",
    "score",
    "patents",
    "first_set_value",
    "rnd_project",
    "rnd_stage",
    "rnd_years_in_stage",
    "ip_cover",
    "amount_at_risk",
    "guarantee",
    "loan",
    "default_probability",
    "cyber",
    "deductible",
    "limit",
    "share",
    "measures",
    "cyber_frequency",
    "patent_suits_per_year",
];

/// The catalogue products the CSV columns buy (the CSV's vocabulary: a catalogue used with
/// CSV books names these products so; a JSON policy list may name any product):
/// `rnd_project` → [`csv_products::RND`] with that project type (a one-year policy from
/// `rnd_stage`, `rnd_years_in_stage` into it), `ip_cover` `defence` /
/// `enforcement` → [`csv_products::DEFENCE`] / [`csv_products::ENFORCEMENT`] on
/// `amount_at_risk`, `guarantee` → the product it names on `loan`, `cyber` = 1 →
/// [`csv_products::CYBER`], `first_set_value` > 0 → [`csv_products::FIRST_SET`] on that value.
/// The row's `deductible`, `limit` and `share` are the claim terms of every cover but the
/// 首台套 one, which takes its product's default terms.
pub mod csv_products {
    /// Bought by `rnd_project`.
    pub const RND: &str = "rnd_failure";
    /// Bought by `ip_cover` = `defence`.
    pub const DEFENCE: &str = "patent_defence";
    /// Bought by `ip_cover` = `enforcement`.
    pub const ENFORCEMENT: &str = "patent_enforcement";
    /// Bought by `cyber` = 1.
    pub const CYBER: &str = "cyber";
    /// Bought by `first_set_value` > 0.
    pub const FIRST_SET: &str = "first_set_cover";
}

/// One CSV row as read by serde; empty optional cells are `None`.
#[derive(Deserialize)]
struct Row {
    firm: String,
    sector: String,
    size: String,
    stage: Stage,
    score: f64,
    patents: Option<f64>,
    first_set_value: Option<f64>,
    rnd_project: Option<String>,
    rnd_stage: Option<String>,
    rnd_years_in_stage: Option<f64>,
    ip_cover: Option<LitigationKind>,
    amount_at_risk: Option<f64>,
    guarantee: Option<String>,
    loan: Option<f64>,
    default_probability: Option<f64>,
    cyber: Option<u8>,
    deductible: Option<f64>,
    limit: Option<f64>,
    share: Option<f64>,
    measures: Option<String>,
    cyber_frequency: Option<f64>,
    patent_suits_per_year: Option<f64>,
}

/// Reads a book from `path`: a JSON policy list if the name ends in `.json`, else CSV.
pub fn read_portfolio(path: impl AsRef<Path>) -> Result<Vec<Firm>> {
    let path = path.as_ref();
    if path
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    {
        let (name, text) = super::read_text(path)?;
        super::read_portfolio_json(&name, &text)
    } else {
        read_portfolio_csv(&Table::from_path(path)?)
    }
}

/// Firms from a portfolio table; every problem of every row is reported together, with its
/// line and column.
pub fn read_portfolio_csv(table: &Table) -> Result<Vec<Firm>> {
    let headers = csv::StringRecord::from(table.headers().to_vec());
    let covariates: Vec<(usize, &String)> = table
        .headers()
        .iter()
        .enumerate()
        .filter(|(_, h)| !COLUMNS.contains(&h.as_str()))
        .collect();
    let mut errors = Vec::new();
    let mut firms = Vec::with_capacity(table.len());
    for row in 0..table.len() {
        let line = table.line(row);
        let record: csv::StringRecord = (0..headers.len()).map(|c| table.text(row, c)).collect();
        let parsed = record
            .deserialize::<Row>(Some(&headers))
            .map_err(|e| match e.kind() {
                csv::ErrorKind::Deserialize { err, .. } => {
                    let column = err.field().and_then(|c| table.headers().get(c as usize));
                    let column = column.map_or(String::new(), |c| format!(", column `{c}`"));
                    format!("line {line}{column}: {}", err.kind())
                }
                _ => format!("line {line}: {e}"),
            })
            .and_then(|r| {
                let mut values = BTreeMap::new();
                for &(c, name) in &covariates {
                    let v = table
                        .number(row, c)
                        .map_err(|e| format!("line {line}: {e}"))?;
                    values.insert(name.clone(), v);
                }
                firm(r, values, format!("{} line {line}", table.source()))
                    .map_err(|m| format!("line {line}: {m}"))
            });
        match parsed {
            Ok(f) => firms.push(f),
            Err(e) => errors.push(e),
        }
    }
    if errors.is_empty() && firms.is_empty() {
        errors.push("no firms".into());
    }
    if errors.is_empty() {
        Ok(firms)
    } else {
        Err(Error::Rows {
            source_name: table.source().to_owned(),
            errors,
        })
    }
}

fn firm(
    r: Row,
    covariates: BTreeMap<String, f64>,
    origin: String,
) -> std::result::Result<Firm, String> {
    let terms = ClaimTerms::new(
        r.deductible.unwrap_or(0.0),
        r.limit.unwrap_or(f64::INFINITY),
    )
    .and_then(|t| t.with_share(r.share.unwrap_or(1.0)))
    .map_err(|e| format!("columns `deductible`/`limit`/`share`: {e}"))?;
    let claims = Some(CoverTerms::claims(terms));
    let mut covers = Vec::new();
    let project = r.rnd_project.filter(|s| !s.is_empty());
    if project.is_none()
        && (r.rnd_stage.as_ref().is_some_and(|s| !s.is_empty()) || r.rnd_years_in_stage.is_some())
    {
        return Err("columns `rnd_stage`/`rnd_years_in_stage` need an `rnd_project`".into());
    }
    if let Some(project) = project {
        covers.push(Cover {
            project: Some(project),
            stage: r.rnd_stage.filter(|s| !s.is_empty()),
            years_in_stage: r.rnd_years_in_stage,
            terms: claims.clone(),
            ..Cover::of(csv_products::RND)
        });
    }
    if let Some(kind) = r.ip_cover {
        let product = match kind {
            LitigationKind::Defence => csv_products::DEFENCE,
            LitigationKind::Enforcement => csv_products::ENFORCEMENT,
        };
        covers.push(Cover {
            exposure: Some(r.amount_at_risk.unwrap_or(0.0)),
            terms: claims.clone(),
            ..Cover::of(product)
        });
    }
    let loan = r.loan.unwrap_or(0.0);
    match r.guarantee.filter(|g| !g.is_empty()) {
        Some(product) => covers.push(Cover {
            exposure: Some(loan),
            default_probability: r.default_probability,
            terms: claims.clone(),
            ..Cover::of(&product)
        }),
        None if loan != 0.0 => {
            return Err(format!(
                "column `loan`: a loan of {loan} needs a guarantee product in column `guarantee`"
            ));
        }
        None => {}
    }
    match r.cyber {
        None | Some(0) => {}
        Some(1) => covers.push(Cover {
            terms: claims,
            ..Cover::of(csv_products::CYBER)
        }),
        Some(v) => return Err(format!("column `cyber`: {v} must be 0 or 1")),
    }
    match r.first_set_value {
        Some(v) if v < 0.0 || !v.is_finite() => {
            return Err(format!(
                "column `first_set_value`: {v} must be finite and >= 0"
            ));
        }
        Some(v) if v > 0.0 => covers.push(Cover {
            exposure: Some(v),
            ..Cover::of(csv_products::FIRST_SET)
        }),
        _ => {}
    }
    let measures = r
        .measures
        .map(|m| {
            m.split(';')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default();
    Ok(Firm {
        id: r.firm,
        sector: r.sector,
        size: r.size,
        stage: r.stage,
        score: r.score,
        covariates,
        indicators: None,
        patents: r.patents.unwrap_or(0.0),
        covers,
        measures,
        overrides: Overrides {
            cyber_frequency: r.cyber_frequency,
            patent_suits_per_year: r.patent_suits_per_year,
        },
        origin: Some(origin),
    })
}
