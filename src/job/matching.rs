//! `kexian match`: the two-way push (双向互推).

use super::text::json_bytes;
use super::{JobResult, Output};
use crate::assumptions::Assumptions;
use crate::book::Firm;
use crate::quote::{Loadings, Match, Matches, match_book};

/// The bundled pricing settings, whose loadings gross up the indicative premiums when no
/// configuration is given.
const BUNDLED_PRICING: &str = include_str!("../../data/pricing.json");

/// The two-way push of the book `firms` (`portfolio` names it in the record): for each firm
/// the catalogue products it may buy and does not hold, and for each product the eligible
/// firms, with indicative premiums grossed up by `loadings` (`None`: the bundled
/// configuration's). matches_by_firm.csv, matches_by_product.csv and matches.json (both
/// lists and the eligible products that could not be priced, with the reason).
pub fn match_products(
    firms: &[Firm],
    portfolio: &str,
    loadings: Option<&Loadings>,
    assumptions: &Assumptions,
) -> JobResult<Output<Matches>> {
    let loadings: Loadings = match loadings {
        Some(l) => *l,
        None => {
            let pricing: serde_json::Value = serde_json::from_str(BUNDLED_PRICING)?;
            serde_json::from_value(pricing["loadings"].clone())?
        }
    };
    let m = match_book(firms, assumptions, &loadings)?;
    let mut record = serde_json::to_value(&m)?;
    record["portfolio"] = portfolio.into();
    record["assumptions"] = assumptions.source().into();
    let files = vec![
        ("matches_by_firm.csv", csv(&m.by_firm)?),
        ("matches_by_product.csv", csv(&m.by_product)?),
        ("matches.json", json_bytes(&record)?),
    ];
    let text = format!(
        "{} firm-product matches ({} could not be priced)",
        m.by_firm.len(),
        m.unpriced.len()
    );
    Ok(Output {
        value: m,
        files,
        text,
    })
}

fn csv(rows: &[Match]) -> JobResult<Vec<u8>> {
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
