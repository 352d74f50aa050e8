//! Two-way push (双向互推, guidance §十三): for each firm, the catalogue products it may buy
//! and does not hold, ranked by need, with an indicative premium; for each product, the
//! eligible firms.
//!
//! ```text
//! EL        = expected annual payment of the offered cover (the product's default terms,
//!             its offer's exposure and project type; closed form or quadrature)
//! need      = EL / revenue, revenue = e^{log_revenue} when the firm has that covariate
//! premium   = the loadings' gross-up of EL (expenses, commission, profit, minimum premium,
//!             rounding; no risk load or reinsurance: indicative only)
//! ```
//! A firm's products are ranked by EL (its revenue is common to them); a product's firms by
//! need, then firms without a revenue by EL.

use super::Loadings;
use crate::assumptions::Assumptions;
use crate::book::{Cover, Firm};
use crate::error::Result;
use crate::perils::Peril;
use serde::Serialize;

/// One eligible (firm, product) pair not yet held.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Match {
    /// Firm id.
    pub firm: String,
    /// Product name.
    pub product: String,
    /// Product's Chinese name.
    pub name_zh: String,
    /// Product's line.
    pub line: String,
    /// Expected annual payment of the offered cover (元).
    pub expected_loss: f64,
    /// EL as a share of revenue (`None` without a `log_revenue` covariate).
    pub need: Option<f64>,
    /// Indicative premium (元).
    pub premium: f64,
    /// Rank within the firm's list (1 = most needed).
    pub firm_rank: usize,
    /// Rank within the product's list (1 = most in need).
    pub product_rank: usize,
}

/// A product a firm may buy but that the push cannot price, with the reason.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Unpriced {
    /// Firm id.
    pub firm: String,
    /// Product name.
    pub product: String,
    /// Why (e.g. the product needs an exposure and has no offer).
    pub reason: String,
}

/// The push's result.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Matches {
    /// Every eligible pair, by firm (file order) then firm rank.
    pub by_firm: Vec<Match>,
    /// The same pairs by product (catalogue order) then product rank.
    pub by_product: Vec<Match>,
    /// Eligible pairs the push could not price.
    pub unpriced: Vec<Unpriced>,
}

/// The two-way push for `firms` under the catalogue of `assumptions` (module docs).
///
/// ```
/// use kexian::assumptions::Assumptions;
/// use kexian::book::{Cover, Firm};
/// use kexian::quote::{Loadings, match_book};
/// use kexian::rating::Stage;
/// let mut firm = Firm::new("F1", "biomedicine", "small", Stage::Growth, 655.0);
/// firm.covers.push(Cover::of("cyber"));
/// let loadings = Loadings { cost_of_capital: 0.1, expense_ratio: 0.15, commission_ratio: 0.05,
///                           profit_ratio: 0.05, minimum_premium: 0.0, rounding: 0.0 };
/// let m = match_book(&[firm], &Assumptions::bundled()?, &loadings)?;
/// assert!(m.by_firm.iter().any(|x| x.product == "clinical_trial"));
/// assert!(m.by_firm.iter().all(|x| x.product != "cyber"));
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn match_book(
    firms: &[Firm],
    assumptions: &Assumptions,
    loadings: &Loadings,
) -> Result<Matches> {
    if firms.is_empty() {
        return Err(crate::Error::Empty {
            model: "match_book",
            parameter: "firms",
        });
    }
    let mut all = Vec::new();
    let mut unpriced = Vec::new();
    for firm in firms {
        if !firm.covers.is_empty() {
            // The firm as it stands must underwrite: bad sectors, scores or covers are errors.
            assumptions.underwrite(firm)?;
        }
        let revenue = firm.covariates.get("log_revenue").map(|x| x.exp());
        let mut own = Vec::new();
        for p in assumptions.products() {
            let held = firm.covers.iter().any(|c| c.product == p.name);
            let e = &p.eligibility;
            if held
                || e.admits(&firm.sector, firm.stage, &firm.size, firm.score)
                    .is_err()
            {
                continue;
            }
            let mut offered = firm.clone();
            offered.covers = vec![Cover {
                exposure: p.exposure.as_ref().and(p.offer.exposure),
                project: p.offer.project.clone(),
                ..Cover::of(&p.name)
            }];
            let priced = assumptions
                .underwrite(&offered)
                .and_then(|u| u.policy.perils[0].expected_payment());
            match priced {
                Ok(el) => {
                    own.push(Match {
                        firm: firm.id.clone(),
                        product: p.name.clone(),
                        name_zh: p.name_zh.clone(),
                        line: p.line.clone(),
                        expected_loss: el,
                        need: revenue.map(|r| el / r),
                        premium: loadings.gross(el).premium(),
                        firm_rank: 0,
                        product_rank: 0,
                    });
                }
                Err(e) => unpriced.push(Unpriced {
                    firm: firm.id.clone(),
                    product: p.name.clone(),
                    reason: e.to_string(),
                }),
            }
        }
        own.sort_by(|a, b| b.expected_loss.total_cmp(&a.expected_loss));
        for (k, m) in own.iter_mut().enumerate() {
            m.firm_rank = k + 1;
        }
        all.extend(own);
    }
    let mut by_product = Vec::with_capacity(all.len());
    for p in assumptions.products() {
        let mut these: Vec<&mut Match> = all.iter_mut().filter(|m| m.product == p.name).collect();
        these.sort_by(|a, b| match (a.need, b.need) {
            (Some(x), Some(y)) => y.total_cmp(&x),
            (Some(_), None) => std::cmp::Ordering::Less,
            (None, Some(_)) => std::cmp::Ordering::Greater,
            (None, None) => b.expected_loss.total_cmp(&a.expected_loss),
        });
        for (k, m) in these.into_iter().enumerate() {
            m.product_rank = k + 1;
            by_product.push(m.clone());
        }
    }
    Ok(Matches {
        by_firm: all,
        by_product,
        unpriced,
    })
}
