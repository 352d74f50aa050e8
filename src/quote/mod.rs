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

mod checks;
mod config;
mod differentiation;
mod flows;
mod level;
mod matching;
mod pack;
mod premium;
mod result;
mod subsidy;
mod summary;

pub use crate::loss::CurvePoint;
pub use checks::{CheckResult, check_quotes};
pub use config::{
    Loadings, ParameterRisk, PoolMember, QuoteConfig, RatingConfig, Rebalance, Reinsurance,
    RiskLoad, SensitivityConfig,
};
pub use flows::{Flows, QuotaShareFlow, TreatyFlow};
pub use level::{ALL_LINES, ExperienceColumns, LineExperience, experience_level};
pub use matching::{Match, Matches, Unpriced, match_book};
pub use pack::{PackQuote, price_pack};
pub use result::{
    AppliedRelativity, CoverQuote, InputFile, LineLevel, LineLoss, Provenance, Quote, QuoteErrors,
    QuoteRun, Share, Summary, SummaryErrors,
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
    let Prepared {
        subsidies,
        underwritten,
        book,
        digest,
        factors,
    } = prepare(firms, assumptions, config, experience)?;
    let pconfig = config.portfolio();
    let run = simulate(&book, &pconfig)?;
    // Per firm, (line, model mean) of each cover and of its systemic events.
    let means: Vec<Vec<(String, f64)>> = (underwritten.iter().zip(&run.policies))
        .map(|(u, p)| {
            let mut v: Vec<(String, f64)> = (u.lines.iter().cloned())
                .zip(p.peril_means.iter().copied())
                .collect();
            if p.shock_mean > 0.0 {
                v.push(("systemic".into(), p.shock_mean));
            }
            v
        })
        .collect();
    let lines = model_against_experience(firms, &means, experience, config)?;
    let rebalance = config.rating.as_ref().map(|r| r.rebalance);
    let levels = if rebalance.is_none_or(|r| r == Rebalance::Credibility) {
        lines.iter().map(|l| (l.line.clone(), l.level)).collect()
    } else {
        Default::default()
    };
    let plan_line = config.rating.as_ref().and_then(|r| r.line.as_deref());
    let multipliers =
        differentiation::line_multipliers(&factors, plan_line, &means, rebalance, &levels);
    let ceded = summary::cessions(&run, config.reinsurance.as_ref());
    let ri_margin = ceded.loading * ceded.aggregate;
    let pricer = premium::Pricer::new(
        &book,
        &pconfig,
        &run,
        config,
        &subsidies,
        ri_margin,
        &multipliers,
    );
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
        (line_levels(&quotes, &means, &multipliers), lines),
        digest,
    )?;
    Ok(QuoteRun { quotes, summary })
}

/// Checks everything a quote of `firms` would check before and after its simulation —
/// configuration, subsidy rules and their scales, the book under the assumptions, the
/// experience and the rating plan fitted on it — without simulating: what a shard runs
/// before its part, so that a mistake is found there and not at the merge.
pub fn check(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
) -> Result<()> {
    prepare(firms, assumptions, config, experience).map(|_| ())
}

/// What a quote settles before its simulation.
struct Prepared {
    subsidies: Vec<SubsidyRule>,
    underwritten: Vec<crate::assumptions::Underwritten>,
    book: Portfolio,
    digest: String,
    factors: differentiation::Factors,
}

/// The checks and the work before the simulation: subsidy rules on the assumptions' scale,
/// the book underwritten, the inputs' digest, and the rating plan fitted (its mistakes show
/// at once, not after a long run).
fn prepare(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
) -> Result<Prepared> {
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
        for product in r.products() {
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
    // The rating plan is fitted before the (long) simulation: its mistakes show at once.
    let factors = differentiation::differentiation(firms, scale, experience, config)?;
    Ok(Prepared {
        subsidies,
        underwritten,
        book,
        digest,
        factors,
    })
}

/// The model against the experience, line by line (none without a rating plan's experience).
fn model_against_experience(
    firms: &[Firm],
    means: &[Vec<(String, f64)>],
    experience: Option<&Table>,
    config: &QuoteConfig,
) -> Result<Vec<LineExperience>> {
    let (Some(rating), Some(table)) = (&config.rating, experience) else {
        return Ok(vec![]);
    };
    // Without incurred losses the experience sets no level (refused where it must).
    if table.column(&rating.incurred).is_err() {
        if rating.rebalance != Rebalance::Credibility {
            return Ok(vec![]);
        }
        return Err(crate::Error::Inconsistent {
            model: "QuoteConfig",
            message: format!(
                "rating.rebalance `credibility` weighs the experience's incurred losses, but \
                 `{}` has no column `{}` (name it in rating.incurred, or rebalance to the \
                 `model`)",
                table.source(),
                rating.incurred
            ),
        });
    }
    let index: std::collections::HashMap<&str, usize> = (firms.iter().enumerate())
        .map(|(i, f)| (f.id.as_str(), i))
        .collect();
    let model = |firm: &str, line: &str| {
        let covers = means[*index.get(firm)?].iter();
        let of_line: Vec<f64> = covers
            .filter(|(l, _)| l != "systemic" && (line == ALL_LINES || l == line))
            .map(|(_, m)| *m)
            .collect();
        (!of_line.is_empty()).then(|| of_line.iter().sum())
    };
    let columns = ExperienceColumns {
        firm: &rating.firm_column,
        exposure: rating.spec.exposure.as_deref(),
        claims: &rating.spec.response,
        incurred: &rating.incurred,
    };
    experience_level(table, columns, &model, &rating.credibility)
}

/// Per line: Σ model and Σ rated expected loss over the book, and its multiplier.
fn line_levels(
    quotes: &[Quote],
    means: &[Vec<(String, f64)>],
    multipliers: &std::collections::BTreeMap<String, f64>,
) -> Vec<LineLevel> {
    multipliers
        .iter()
        .map(|(line, &k)| {
            let model = (means.iter().flatten())
                .filter(|(l, _)| l == line)
                .map(|(_, m)| m)
                .sum();
            let rated = (quotes.iter().flat_map(|q| &q.lines))
                .filter(|l| &l.line == line)
                .map(|l| l.expected_loss)
                .sum();
            LineLevel {
                line: line.clone(),
                model_expected_loss: model,
                rated_expected_loss: rated,
                multiplier: k,
            }
        })
        .collect()
}
