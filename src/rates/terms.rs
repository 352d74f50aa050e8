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

use super::Pricer;
use crate::coverage::{ClaimTerms, CoverTerms};
use crate::error::Result;
use serde::{Deserialize, Serialize};

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
