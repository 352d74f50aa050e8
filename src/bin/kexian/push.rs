//! `kexian match`: the two-way push (双向互推).

use crate::output::{check, write_set};
use crate::report::json_bytes;
use kexian::assumptions::Assumptions;
use kexian::quote::{Loadings, Match, QuoteConfig, match_book};
use std::path::Path;

/// The bundled pricing settings, whose loadings gross up the indicative premiums when no
/// `--config` is given.
const BUNDLED_PRICING: &str = include_str!("../../../data/pricing.json");

/// `kexian match`: matches_by_firm.csv, matches_by_product.csv and matches.json (both lists
/// and the eligible products the push could not price, with the reason) in `out`; a count
/// on stdout.
pub(crate) fn push(
    portfolio: &Path,
    config: Option<&Path>,
    assumptions: Assumptions,
    out: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    check(out)?;
    let loadings: Loadings = match config {
        Some(path) => kexian::io::read_config::<QuoteConfig>(path)?.loadings,
        None => {
            let pricing: serde_json::Value = serde_json::from_str(BUNDLED_PRICING)?;
            serde_json::from_value(pricing["loadings"].clone())?
        }
    };
    let firms = kexian::io::read_portfolio(portfolio)?;
    let m = match_book(&firms, &assumptions, &loadings)?;
    let mut record = serde_json::to_value(&m)?;
    record["portfolio"] = portfolio.display().to_string().into();
    record["assumptions"] = assumptions.source().into();
    write_set(
        out,
        &[
            ("matches_by_firm.csv", csv(&m.by_firm)?),
            ("matches_by_product.csv", csv(&m.by_product)?),
            ("matches.json", json_bytes(&record)?),
        ],
    )?;
    println!(
        "{} firm-product matches ({} could not be priced) → {}",
        m.by_firm.len(),
        m.unpriced.len(),
        out.display()
    );
    Ok(())
}

fn csv(rows: &[Match]) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "firm",
        "product",
        "name_zh",
        "line",
        "expected_loss",
        "need",
        "premium",
        "firm_rank",
        "product_rank",
    ])?;
    for m in rows {
        w.write_record([
            m.firm.clone(),
            m.product.clone(),
            m.name_zh.clone(),
            m.line.clone(),
            format!("{:.2}", m.expected_loss),
            m.need.map_or(String::new(), |n| format!("{n:.6e}")),
            format!("{:.2}", m.premium),
            m.firm_rank.to_string(),
            m.product_rank.to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}
