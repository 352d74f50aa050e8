//! 普惠 SME packs: one standardised product bought by a park or incubator for its member
//! firms, with per-firm cover and a pooled annual aggregate limit, priced for the group and
//! allocated to the members.

use super::Loadings;
use crate::coverage::AggregateTerms;
use crate::error::{Error, Result};
use crate::portfolio::PortfolioRun;
use serde::{Deserialize, Serialize};

/// A pack's price and its allocation to members.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PackQuote {
    /// Expected annual payment before the pooled terms (元).
    pub expected_loss_before_pool: f64,
    /// Expected annual payment after the pooled aggregate deductible/limit (元).
    pub expected_loss: f64,
    /// TVaR of the pooled payment at the run's level.
    pub tvar: f64,
    /// Risk load = cost of capital × (TVaR − mean).
    pub risk_load: f64,
    /// Group premium (元), loaded for expenses, commission and profit.
    pub premium: f64,
    /// (member id, share, premium): shares proportional to each member's expected payment.
    pub members: Vec<(String, f64, f64)>,
}

/// Prices a pack from a portfolio run of its members (each with its per-firm cover): the
/// pooled annual payment is `pool.apply(total)` in every simulated year.
///
/// ```text
/// EL = mean of pool(S_t),  risk load = CoC·(TVaR − EL),  premium = (EL + load)/(1 − ratios)
/// member share = member mean / Σ member means
/// ```
pub fn price_pack(
    run: &PortfolioRun,
    pool: &AggregateTerms,
    loadings: &Loadings,
) -> Result<PackQuote> {
    loadings.validate()?;
    let n = run.totals.len();
    if n == 0 || run.policies.is_empty() {
        return Err(Error::Empty {
            model: "price_pack",
            parameter: "run",
        });
    }
    let mut pooled: Vec<f64> = run.totals.iter().map(|&s| pool.apply(s)).collect();
    let expected_loss = pooled.iter().sum::<f64>() / n as f64;
    pooled.sort_by(|a, b| b.total_cmp(a));
    let tvar = pooled[..run.tail_trials].iter().sum::<f64>() / run.tail_trials as f64;
    let risk_load = loadings.cost_of_capital * (tvar - expected_loss).max(0.0);
    let premium = (expected_loss + risk_load) / (1.0 - loadings.ratios());
    let total_mean: f64 = run.policies.iter().map(|p| p.mean).sum();
    let members = run
        .policies
        .iter()
        .map(|p| {
            let share = if total_mean > 0.0 {
                p.mean / total_mean
            } else {
                1.0 / run.policies.len() as f64
            };
            (p.id.clone(), share, share * premium)
        })
        .collect();
    Ok(PackQuote {
        expected_loss_before_pool: run.totals.iter().sum::<f64>() / n as f64,
        expected_loss,
        tvar,
        risk_load,
        premium,
        members,
    })
}
