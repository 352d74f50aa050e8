//! The portfolio table: one row per firm with its covariates and chosen covers, turned into
//! policies with every bad row reported.

use crate::coverage::ClaimTerms;
use crate::error::{Error, Result};
use crate::perils::{CyberSections, LitigationKind, PerilModel, presets};
use crate::portfolio::Policy;
use crate::table::Table;
use serde::Serialize;

/// Sectors the presets know (the guidance's priority sectors).
pub const SECTORS: [&str; 5] = ["ic", "biomedicine", "ai", "low_altitude", "new_materials"];
/// Firm sizes of the cyber presets.
pub const SIZES: [&str; 4] = ["micro", "small", "medium", "large"];

/// One firm of the portfolio table (see `data/README.md` for the columns).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Firm {
    /// Firm id.
    pub id: String,
    /// Sector.
    pub sector: String,
    /// 沪科积分.
    pub score: f64,
    /// Insured value of 首台套 equipment (0 if none).
    pub first_set_value: f64,
    /// Lines covered, in peril order: `rnd`, `ip`, `cyber`.
    pub lines: Vec<&'static str>,
    /// 1-based line number in the file.
    pub line: u64,
}

const COLUMNS: [&str; 17] = [
    "firm",
    "sector",
    "stage",
    "size",
    "score",
    "log_revenue",
    "patents",
    "rnd_project",
    "ip_cover",
    "amount_at_risk",
    "pledge_loan",
    "pledge_pd",
    "cyber",
    "deductible",
    "limit",
    "share",
    "first_set_value",
];

/// Reads firms and their policies; every problem of every row is collected and reported
/// together, with line numbers (missing columns, bad numbers, unknown sectors, sizes, presets
/// or covers, duplicate ids, a firm without any cover).
pub fn load_firms(table: &Table) -> Result<(Vec<Firm>, Vec<Policy>)> {
    let missing: Vec<&str> = COLUMNS
        .iter()
        .copied()
        .filter(|c| table.column(c).is_err())
        .collect();
    if !missing.is_empty() {
        return Err(Error::Rows {
            source_name: table.source().to_owned(),
            errors: vec![format!("line 1: missing column(s): {}", missing.join(", "))],
        });
    }
    let col = |name: &str| table.column(name).unwrap_or(0);
    let mut errors = Vec::new();
    let mut firms = Vec::new();
    let mut policies = Vec::new();
    let mut seen = std::collections::HashMap::new();
    for row in 0..table.len() {
        let line = table.line(row);
        match firm(table, row, &col) {
            Ok((f, p)) => {
                if let Some(first) = seen.insert(f.id.clone(), line) {
                    errors.push(format!(
                        "line {line}: duplicate firm id `{}` (first on line {first})",
                        f.id
                    ));
                } else {
                    firms.push(f);
                    policies.push(p);
                }
            }
            Err(problems) => {
                errors.extend(problems.into_iter().map(|m| format!("line {line}: {m}")))
            }
        }
    }
    if errors.is_empty() && firms.is_empty() {
        errors.push("no firms".into());
    }
    if errors.is_empty() {
        Ok((firms, policies))
    } else {
        Err(Error::Rows {
            source_name: table.source().to_owned(),
            errors,
        })
    }
}

/// Parses one row; returns every problem found in it.
fn firm(
    table: &Table,
    row: usize,
    col: &impl Fn(&str) -> usize,
) -> std::result::Result<(Firm, Policy), Vec<String>> {
    let mut problems = Vec::new();
    let text = |name: &str| table.text(row, col(name)).to_owned();
    let mut number = |name: &str, ok: fn(f64) -> bool, rule: &str| -> f64 {
        match table.number(row, col(name)) {
            Ok(v) if ok(v) => v,
            Ok(v) => {
                problems.push(format!("column `{name}`: {v} must be {rule}"));
                0.0
            }
            Err(_) => {
                problems.push(format!(
                    "column `{name}`: `{}` is not a finite number",
                    text(name)
                ));
                0.0
            }
        }
    };
    let nonneg = |v: f64| v >= 0.0;
    let score = number("score", |v| (0.0..=1000.0).contains(&v), "in [0, 1000]");
    let patents = number("patents", nonneg, ">= 0");
    let at_risk = number("amount_at_risk", nonneg, ">= 0");
    let loan = number("pledge_loan", nonneg, ">= 0");
    let pd = number("pledge_pd", |v| (0.0..=1.0).contains(&v), "in [0, 1]");
    let cyber = number("cyber", |v| v == 0.0 || v == 1.0, "0 or 1");
    let deductible = number("deductible", nonneg, ">= 0");
    let limit = number("limit", |v| v > 0.0, "> 0");
    let share = number("share", |v| (0.0..=1.0).contains(&v), "in [0, 1]");
    let first_set_value = number("first_set_value", nonneg, ">= 0");
    number("log_revenue", |v| v > 0.0, "> 0");
    let id = text("firm");
    if id.is_empty() {
        problems.push("column `firm`: empty id".into());
    }
    let sector = text("sector");
    if !SECTORS.contains(&sector.as_str()) {
        problems.push(format!(
            "column `sector`: unknown sector `{sector}` (known: {})",
            SECTORS.join(", ")
        ));
    }
    let size = text("size");
    if !SIZES.contains(&size.as_str()) {
        problems.push(format!(
            "column `size`: unknown size `{size}` (known: {})",
            SIZES.join(", ")
        ));
    }
    if !["start_up", "growth", "mature"].contains(&text("stage").as_str()) {
        problems.push(format!(
            "column `stage`: unknown stage `{}` (start_up, growth, mature)",
            text("stage")
        ));
    }
    let ip = text("ip_cover");
    let kind = match ip.as_str() {
        "" => None,
        "defence" => Some(LitigationKind::Defence),
        "enforcement" => Some(LitigationKind::Enforcement),
        other => {
            problems.push(format!(
                "column `ip_cover`: unknown cover `{other}` (defence, enforcement or empty)"
            ));
            None
        }
    };
    if limit > 0.0 && deductible >= limit {
        problems.push(format!(
            "columns `deductible`/`limit`: deductible {deductible} must be below the limit {limit}"
        ));
    }
    if loan > 0.0 && pd == 0.0 {
        problems.push("column `pledge_pd`: a pledge loan needs a default probability > 0".into());
    }
    if !problems.is_empty() {
        return Err(problems);
    }
    let build = || -> Result<(Vec<PerilModel>, Vec<&'static str>)> {
        let terms = ClaimTerms::new(deductible, limit)?.with_share(share)?;
        let mut perils = Vec::new();
        let mut lines = Vec::new();
        let rnd = text("rnd_project");
        if !rnd.is_empty() {
            let mut spec = presets::rnd(&rnd)?.spec().clone();
            spec.terms = terms;
            perils.push(PerilModel::RndFailure(crate::perils::RndProject::new(
                spec,
            )?));
            lines.push("rnd");
        }
        if let Some(kind) = kind {
            let mut cover =
                presets::patent_litigation(kind, patents, at_risk, sector == "biomedicine", &size)?;
            cover.terms = terms;
            perils.push(PerilModel::PatentLitigation(cover));
            lines.push("ip");
        }
        if loan > 0.0 {
            let mut pledge = presets::ip_pledge(loan, pd)?;
            pledge.share = share;
            perils.push(PerilModel::IpPledge(pledge));
            lines.push("ip");
        }
        if cyber == 1.0 {
            let mut risk = presets::cyber(&size, &sector)?;
            risk.sections = CyberSections {
                first_party: terms,
                business_interruption: terms,
                liability: terms,
            };
            perils.push(PerilModel::Cyber(risk));
            lines.push("cyber");
        }
        Ok((perils, lines))
    };
    let (perils, lines) = build().map_err(|e| vec![e.to_string()])?;
    if perils.is_empty() {
        return Err(vec![
            "the firm has no cover (rnd_project, ip_cover, pledge_loan, cyber all empty)".into(),
        ]);
    }
    let line = table.line(row);
    Ok((
        Firm {
            id: id.clone(),
            sector: sector.clone(),
            score,
            first_set_value,
            lines,
            line,
        },
        Policy {
            id,
            sector,
            group: None,
            perils,
        },
    ))
}
