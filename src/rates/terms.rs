//! Terms factors of a rate table: increased-limit factors and deductible credits from layer
//! expected values, and the co-insurance share.
//!
//! For per-claim terms (deductible d, limit u measured from ground up, share α) a claim pays
//! α·(min(X, u) − d)⁺, so its expected value is α·(LEV(u) − LEV(d)), LEV(x) = E\[min(X, x)\],
//! and the expected annual payment E(d, u, α) of a reference risk is linear in LEV(u) − LEV(d)
//! whatever its frequency. Against the base terms (d₀, u₀, α₀):
//!
//! ILF(u) = E(d₀, u) / E(d₀, u₀),  credit D(d) = (E(d₀, u₀) − E(d, u₀)) / E(d₀, u₀),
//!
//! and the terms factor of a cover is (ILF(u) − D(d)) · α / α₀, exact for the reference risk.

use super::{Pricer, RateFactor, Row};
use crate::assumptions::{Assumptions, Product};
use crate::book::Cover;
use crate::coverage::{ClaimTerms, CoverTerms};
use crate::error::Result;
use crate::perils::Peril;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One line of an increased-limit or deductible table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsFactor {
    /// The limit or deductible (元).
    pub value: f64,
    /// ILF(u), or the credit D(d) as a share of the base layer's expected loss.
    pub factor: f64,
}

/// The base terms a product's rates refer to: the terms most of its covers carry.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BaseTerms {
    /// d₀ (元).
    pub deductible: f64,
    /// u₀ (元; ∞ written as `null`).
    pub limit: Option<f64>,
    /// α₀.
    pub share: f64,
}

/// The terms tables of a product whose covers carry per-claim terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TermsTables {
    /// d₀, u₀, α₀.
    pub base: BaseTerms,
    /// ILF by limit.
    pub limits: Vec<TermsFactor>,
    /// Deductible credit by deductible.
    pub deductibles: Vec<TermsFactor>,
    /// Whether every cover's terms factor is the tables' (the severity is the product's
    /// alone); otherwise the tables are the reference risk's and each cover's factor is the
    /// same ratio of its own layer expected values (the severity varies by class: R&D
    /// stage, amount at risk).
    pub by_table: bool,
}

impl TermsTables {
    /// The tables over `limits` and `deductibles` (each sorted, without repeats) for the
    /// reference risk `pricer` prices under any claim terms.
    pub(super) fn new(
        base: ClaimTerms,
        limits: &[f64],
        deductibles: &[f64],
        pricer: &Pricer<'_>,
    ) -> Result<Self> {
        let at = |d: f64, u: f64| -> Result<f64> {
            let terms = ClaimTerms::new(d, u)?.with_share(base.share())?;
            pricer(&CoverTerms::claims(terms))
        };
        let e0 = at(base.deductible(), base.limit())?;
        let limits = (limits.iter())
            .map(|&u| {
                Ok(TermsFactor {
                    value: u,
                    factor: at(base.deductible(), u)? / e0,
                })
            })
            .collect::<Result<_>>()?;
        let deductibles = (deductibles.iter())
            .map(|&d| {
                Ok(TermsFactor {
                    value: d,
                    factor: 1.0 - at(d, base.limit())? / e0,
                })
            })
            .collect::<Result<_>>()?;
        Ok(Self {
            base: BaseTerms {
                deductible: base.deductible(),
                limit: base.limit().is_finite().then_some(base.limit()),
                share: base.share(),
            },
            limits,
            deductibles,
            by_table: true,
        })
    }

    /// (ILF(u) − D(d)) · α / α₀ for claim terms listed in the tables.
    pub fn factor(&self, terms: &ClaimTerms) -> Option<f64> {
        let find =
            |table: &[TermsFactor], v: f64| table.iter().find(|t| t.value == v).map(|t| t.factor);
        let ilf = find(&self.limits, terms.limit())?;
        let credit = find(&self.deductibles, terms.deductible())?;
        Some((ilf - credit) * terms.share() / self.base.share)
    }
}

/// The product's terms tables (per-claim terms) or its terms relativities (other terms),
/// each cover's terms factor, computed at a reference risk: the cover at the base terms
/// with the median expected payment.
pub(super) fn terms_of(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
) -> Result<(Option<TermsTables>, Vec<f64>, Vec<RateFactor>)> {
    let terms: Vec<&CoverTerms> = rows
        .iter()
        .map(|r| product.terms(r.cover.terms.as_ref()))
        .collect();
    let label = |t: &CoverTerms| serde_json::to_string(t).unwrap_or_default();
    let base = mode(terms.iter().map(|t| label(t)));
    let mut reference: Vec<(f64, usize)> = (0..rows.len())
        .filter(|&i| label(terms[i]) == base && rows[i].expected > 0.0)
        .map(|i| (rows[i].expected, i))
        .collect();
    reference.sort_by(|a, b| a.0.total_cmp(&b.0));
    let Some(&(_, r)) = reference.get(reference.len() / 2) else {
        return Ok((None, vec![1.0; rows.len()], vec![]));
    };
    let price = |row: &Row, t: &CoverTerms| -> Result<f64> {
        let mut firm = row.firm.clone();
        firm.covers = vec![Cover {
            terms: Some(t.clone()),
            ..row.cover.clone()
        }];
        assumptions.underwrite(&firm)?.policy.perils[0].expected_payment()
    };
    let pricer = |t: &CoverTerms| price(&rows[r], t);
    // Each cover's own terms factor E(own terms) / E(base terms): the tables' where the
    // severity is the product's alone, the cover's own where it varies by class.
    let own = (rows.iter())
        .map(|row| {
            let at_base = price(row, terms[r])?;
            Ok(if at_base > 0.0 {
                row.payment / at_base
            } else {
                1.0
            })
        })
        .collect::<Result<Vec<f64>>>()?;
    if terms.iter().all(|t| t.is_claims_only()) {
        let claim: Vec<ClaimTerms> = terms.iter().map(|t| t.claim).collect();
        let sorted = |f: fn(&ClaimTerms) -> f64| {
            let mut v: Vec<f64> = claim.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let tables = TermsTables::new(
            terms[r].claim,
            &sorted(ClaimTerms::limit),
            &sorted(ClaimTerms::deductible),
            &pricer,
        )?;
        let factor: Vec<f64> = claim
            .iter()
            .map(|c| tables.factor(c).unwrap_or(0.0))
            .collect();
        let by_table = (factor.iter().zip(&own)).all(|(a, b)| (a - b).abs() <= 1e-6 * b.abs());
        let tables = TermsTables { by_table, ..tables };
        return Ok((Some(tables), if by_table { factor } else { own }, vec![]));
    }
    let e0 = pricer(terms[r])?;
    let mut levels: Vec<RateFactor> = Vec::new();
    let mut factor = Vec::with_capacity(rows.len());
    for t in &terms {
        let name = label(t);
        let known = levels
            .iter()
            .find(|f| f.level == name)
            .map(|f| f.relativity);
        let relativity = match known {
            Some(x) => x,
            None => {
                let x = pricer(t)? / e0;
                levels.push(RateFactor {
                    factor: "terms".into(),
                    level: name,
                    relativity: x,
                });
                x
            }
        };
        factor.push(relativity);
    }
    Ok((None, factor, if levels.len() > 1 { levels } else { vec![] }))
}

/// The most frequent value (ties: the first in sorted order).
fn mode(values: impl Iterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, c)| *c == top)
        .map(|(v, _)| v)
        .unwrap_or_default()
}
