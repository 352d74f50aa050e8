//! Differentiated quotes (差异化定价): expected loss from the peril models, differentiated by
//! the rating plan (沪科积分 tier, sector, size) and the firm's own experience, plus a risk
//! load on allocated capital, reinsurance cost, expenses, commission and profit; subsidies
//! split what the firm and the government pay; pools and quota shares split the result.
//!
//! Pipeline position: `assumptions, book, portfolio, rating → quote`. The steps, each in its
//! own file: underwriting by the assumption set (policies and lines), the portfolio run, the
//! `differentiation` of each firm (rating plan × experience), its `premium` (expected loss →
//! risk load → reinsurance → gross-up → subsidies) and the `summary` of the book.
//!
//! ```text
//! f          = rating factor (plan prediction / training average) × experience factor
//! EL         = f · Σ_lines simulated mean payment
//! risk load  = cost of capital · f · (co-TVaR − mean)   (or f · (principle − mean) standalone)
//! RI cost    = loading · (E[own per-risk recoveries] + E[aggregate-tower cession] · co-TVaR share)
//! technical  = (EL + risk load + RI cost) / (1 − expense − commission − profit)
//! premium    = ⌈max(technical, minimum) / rounding⌉ · rounding
//! ```
//! Every quote's components (EL, risk load, RI cost, expense, commission, profit, minimum
//! premium and rounding adjustments) add up to its premium.

mod config;
mod differentiation;
mod flows;
mod matching;
mod pack;
mod premium;
mod result;
mod subsidy;
mod summary;

pub use crate::loss::CurvePoint;
pub use config::{
    Loadings, PoolMember, QuoteConfig, RatingConfig, Rebalance, Reinsurance, RiskLoad,
};
pub use flows::{Flows, QuotaShareFlow, TreatyFlow};
pub use matching::{Match, Matches, Unpriced, match_book};
pub use pack::{PackQuote, price_pack};
pub use result::{
    AppliedRelativity, InputFile, LineLoss, Provenance, Quote, QuoteErrors, QuoteRun, Share,
    Summary, SummaryErrors,
};
pub use subsidy::SubsidyRule;
pub use summary::inputs_digest;

use crate::assumptions::Assumptions;
use crate::book::Firm;
use crate::error::Result;
use crate::portfolio::{Portfolio, PortfolioConfig, PortfolioRun};
use crate::simulation::Observer;
use crate::table::Table;

/// Prices every firm of the book under the assumption set and `config`. `experience` is the
/// claims experience the rating plan is fitted on (required when `config.rating` is set);
/// `observer` is told the progress of the simulation.
///
/// ```
/// use kexian::assumptions::Assumptions;
/// use kexian::book::{Cover, Firm};
/// use kexian::quote::{Loadings, QuoteConfig, price};
/// use kexian::rating::Stage;
/// let mut firm = Firm::new("F1", "ai", "small", Stage::Growth, 655.0);
/// firm.covers.push(Cover::of("cyber"));
/// let loadings = Loadings { cost_of_capital: 0.1, expense_ratio: 0.15, commission_ratio: 0.05,
///                           profit_ratio: 0.05, minimum_premium: 0.0, rounding: 0.0 };
/// let config = QuoteConfig::new(7, 20_000, loadings)?;
/// let run = price(&[firm], &Assumptions::bundled()?, &config, None, None)?;
/// let q = &run.quotes[0];
/// assert_eq!(q.score_tier, 4);
/// assert!((q.components_total() - q.premium).abs() < 1e-6 * q.premium);
/// assert!(q.premium > q.expected_loss / 0.75);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn price(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
    observer: Option<Observer>,
) -> Result<QuoteRun> {
    price_with(firms, assumptions, config, experience, |book, pconfig| {
        book.simulate_with_progress(pconfig, observer)
    })
}

/// [`price`] with the portfolio run made by `simulate(book, run settings)`: e.g. merged from
/// the parts of a sharded run ([`Portfolio::merge`]), which gives the single run's quotes.
pub fn price_with(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
    simulate: impl FnOnce(&Portfolio, &PortfolioConfig) -> Result<PortfolioRun>,
) -> Result<QuoteRun> {
    config.validate()?;
    let scale = assumptions.scale();
    let subsidies: Vec<SubsidyRule> = config
        .subsidies
        .iter()
        .map(|r| r.with_scale(scale))
        .collect();
    let mut lines: Vec<&str> = vec!["systemic"];
    lines.extend(assumptions.products().iter().map(|p| p.line.as_str()));
    lines.sort_unstable();
    lines.dedup();
    for r in &subsidies {
        r.validate()?;
        if let SubsidyRule::FirstSet { product, .. } = r {
            assumptions.product(product)?;
        }

        if let SubsidyRule::FlatShare { line, .. } = r
            && !lines.contains(&line.as_str())
        {
            return Err(crate::Error::Inconsistent {
                model: "SubsidyRule",
                message: format!(
                    "flat_share for unknown line `{line}` (lines: {})",
                    lines.join(", ")
                ),
            });
        }
    }
    let (underwritten, book) = assumptions.portfolio(firms, config.per_risk_xol())?;
    // A rule with its own score scale must place every firm: checked now, not after the run.
    for (k, r) in config.subsidies.iter().enumerate() {
        if let SubsidyRule::ScoreTiered { scale: Some(s), .. } = r {
            for f in firms {
                s.tier(f.score).map_err(|e| {
                    f.error("score", &format!("subsidies[{k}] ({}): {e}", r.name()))
                })?;
            }
        }
    }
    let digest = summary::inputs_digest(firms, assumptions, config, experience)?;
    let pconfig = config.portfolio();
    // The rating plan is fitted before the (long) simulation: its mistakes show at once.
    let mut factors = differentiation::differentiation(firms, scale, experience, config)?;
    let run = simulate(&book, &pconfig)?;
    let means: Vec<f64> = run.policies.iter().map(|p| p.mean).collect();
    let off_balance = differentiation::rebalance(&mut factors, &means, config);
    let ceded = summary::cessions(&run, config.reinsurance.as_ref());
    let ri_margin = ceded.loading * ceded.aggregate;
    let pricer = premium::Pricer::new(&book, &pconfig, &run, config, &subsidies, ri_margin);
    let mut quotes = pricer.quotes(firms, &underwritten, &factors)?;
    for q in &mut quotes {
        q.inputs_digest.clone_from(&digest);
    }
    let summary = summary::summarize(
        &run,
        &quotes,
        config,
        assumptions,
        &ceded,
        off_balance,
        digest,
    )?;
    Ok(QuoteRun { quotes, summary })
}
