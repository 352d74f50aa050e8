//! The portfolio summary of a quote run: risk measures, totals, reinsurance and shares.

use super::{Provenance, Quote, QuoteConfig, Reinsurance, Share, Summary};
use crate::assumptions::Assumptions;
use crate::error::Result;
use crate::portfolio::PortfolioRun;
use crate::simulation::RETURN_PERIODS;

/// Expected ceded loss to the aggregate tower and the reinsurer's margin on it.
pub(super) fn reinsurance_cost(run: &PortfolioRun, ri: Option<&Reinsurance>) -> (f64, f64) {
    let Some(ri) = ri else { return (0.0, 0.0) };
    let n = run.totals.len() as f64;
    let ceded: f64 = run
        .totals
        .iter()
        .map(|&s| {
            ri.aggregate_xol
                .iter()
                .map(|l| l.annual_cap(l.ceded(s)))
                .sum::<f64>()
        })
        .sum::<f64>()
        / n;
    (ceded, ri.loading * ceded)
}

pub(super) fn summarize(
    run: &PortfolioRun,
    quotes: &[Quote],
    config: &QuoteConfig,
    assumptions: &Assumptions,
    (expected_ceded, per_risk_ceded): (f64, f64),
    ri_margin: f64,
    hash: u64,
) -> Result<Summary> {
    let premium: f64 = quotes.iter().map(|q| q.premium).sum();
    let rated_el: f64 = quotes.iter().map(|q| q.expected_loss).sum();
    let mut shares = Vec::new();
    let mut net = (premium, rated_el);
    if let Some(ri) = &config.reinsurance
        && ri.quota_share > 0.0
    {
        shares.push(Share {
            name: "quota share reinsurer".into(),
            share: ri.quota_share,
            premium: ri.quota_share * premium * (1.0 - ri.ceding_commission),
            expected_loss: ri.quota_share * rated_el,
        });
        net = (
            net.0 * (1.0 - ri.quota_share),
            net.1 * (1.0 - ri.quota_share),
        );
    }
    for m in &config.pool {
        shares.push(Share {
            name: m.name.clone(),
            share: m.share,
            premium: m.share * net.0,
            expected_loss: m.share * net.1,
        });
    }
    let mean = run.losses.mean()?.value;
    let var = run.losses.var(config.tvar_level)?.value;
    let exceedance_curve = RETURN_PERIODS
        .iter()
        .filter(|&&rp| 1.0 / rp >= 1.0 / run.totals.len() as f64)
        .map(|&rp| Ok((rp, run.losses.var(1.0 - 1.0 / rp)?.value)))
        .collect::<Result<_>>()?;
    Ok(Summary {
        firms: quotes.len(),
        expected_loss: mean,
        std_dev: run.losses.std_dev()?.value,
        var,
        tvar: run.tvar,
        capital: run.tvar - mean,
        exceedance_curve,
        premium,
        rated_expected_loss: rated_el,
        subsidy: quotes.iter().map(|q| q.subsidy).sum(),
        firm_pays: quotes.iter().map(|q| q.firm_pays).sum(),
        reinsurance_expected_ceded: expected_ceded,
        per_risk_expected_ceded: per_risk_ceded,
        reinsurance_cost: ri_margin,
        shares,
        provenance: Provenance {
            crate_version: env!("CARGO_PKG_VERSION").into(),
            seed: config.simulation.seed,
            trials: config.simulation.trials,
            tvar_level: config.tvar_level,
            assumptions: format!("{} ({})", assumptions.set().name, assumptions.source()),
            method: "event-driven Monte Carlo portfolio simulation with co-TVaR allocation".into(),
            parameter_hash: format!("{hash:016x}"),
        },
    })
}

pub(super) fn parameter_hash(
    config: &QuoteConfig,
    assumptions: &Assumptions,
    policies: &[crate::portfolio::Policy],
) -> u64 {
    let text = serde_json::to_string(&(config, assumptions, policies)).unwrap_or_default();
    crate::simulation::fnv1a(&text)
}
