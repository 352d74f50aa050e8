//! The portfolio summary of a quote run: risk measures, totals, reinsurance and shares.

use super::flows::{Cessions, Flows};
use super::{Provenance, Quote, QuoteConfig, Reinsurance, Summary, SummaryErrors};
use crate::assumptions::Assumptions;
use crate::book::Firm;
use crate::error::Result;
use crate::loss::CurvePoint;
use crate::portfolio::PortfolioRun;
use crate::table::Table;
use sha2::{Digest, Sha256};

/// Expected recoveries of the per-risk treaty (Σ over policies) and of the aggregate tower
/// (on each year's payment net of per-risk recoveries), and the reinsurer's loading.
pub(super) fn cessions(run: &PortfolioRun, ri: Option<&Reinsurance>) -> Cessions {
    let per_risk = run.policies.iter().map(|p| p.per_risk_ceded).sum();
    let Some(ri) = ri else {
        return Cessions {
            per_risk,
            aggregate: 0.0,
            loading: 0.0,
        };
    };
    let n = run.totals.len();
    let aggregate = (0..n)
        .map(|t| {
            let s = run.net_of_per_risk(t);
            ri.aggregate_xol
                .iter()
                .map(|l| l.annual_cap(l.ceded(s)))
                .sum::<f64>()
        })
        .sum::<f64>()
        / n as f64;
    Cessions {
        per_risk,
        aggregate,
        loading: ri.loading,
    }
}

pub(super) fn summarize(
    run: &PortfolioRun,
    quotes: &[Quote],
    config: &QuoteConfig,
    assumptions: &Assumptions,
    ceded: &Cessions,
    (line_levels, experience): (Vec<super::LineLevel>, Vec<super::LineExperience>),
    inputs_digest: String,
) -> Result<Summary> {
    let premium: f64 = quotes.iter().map(|q| q.premium).sum();
    let rated_el: f64 = quotes.iter().map(|q| q.expected_loss).sum();
    let flows = Flows::new(premium, rated_el, ceded, config);
    flows.reconcile()?;
    let mean = run.losses.mean()?;
    let var = run.var_estimate(config.tvar_level)?;
    let tvar = run.tvar_estimate()?;
    let std_dev = run.losses.std_dev()?;
    let exceedance = run.exceedance_curve()?;
    let periods: Vec<f64> = exceedance.iter().map(|(rp, _)| *rp).collect();
    let levels: Vec<f64> = periods.iter().map(|rp| 1.0 - 1.0 / rp).collect();
    let curve = |estimates: Vec<crate::loss::Estimate>| -> Vec<CurvePoint> {
        periods
            .iter()
            .zip(estimates)
            .map(|(&rp, e)| CurvePoint {
                return_period: rp,
                loss: e.value,
                std_error: e.std_error,
            })
            .collect()
    };
    let exceedance_curve = curve(exceedance.into_iter().map(|(_, e)| e).collect());
    let occurrence_curve = curve(run.occurrence_estimates(&levels)?);
    Ok(Summary {
        firms: quotes.len(),
        expected_loss: mean.value,
        std_dev: std_dev.value,
        var: var.value,
        tvar: run.tvar,
        capital: run.tvar - mean.value,
        exceedance_curve,
        occurrence_curve,
        premium,
        rated_expected_loss: rated_el,
        checks: super::checks::check_quotes(quotes, &experience, config),
        levels: line_levels,
        experience,
        subsidy: quotes.iter().map(|q| q.subsidy).sum(),
        firm_pays: quotes.iter().map(|q| q.firm_pays).sum(),
        reinsurance_cost: ceded.loading * (ceded.per_risk + ceded.aggregate),
        flows,
        standard_errors: SummaryErrors {
            expected_loss: mean.std_error,
            std_dev: std_dev.std_error,
            var: var.std_error,
            tvar: tvar.std_error,
            capital: tvar.std_error + mean.std_error,
            premium: quotes.iter().map(|q| q.standard_errors.premium).sum(),
        },
        provenance: Provenance {
            crate_version: env!("CARGO_PKG_VERSION").into(),
            seed: config.simulation.seed,
            trials: config.simulation.trials,
            tvar_level: config.tvar_level,
            assumptions: format!("{} ({})", assumptions.set().name, assumptions.source()),
            method: "event-driven Monte Carlo portfolio simulation with co-TVaR allocation".into(),
            inputs_digest,
            input_files: Vec::new(),
        },
    })
}

/// SHA-256 (hex) of everything a quote run depends on: the crate version, the firms, the
/// assumption set, the configuration (seed and trials included) and the experience table's
/// content. Each part is fed as its length (8 bytes, little-endian) and its canonical bytes
/// (JSON; the table's cells), so no two different input sets give the same stream.
pub fn inputs_digest(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
) -> Result<String> {
    let mut digest = Sha256::new();
    let mut part = |bytes: &[u8]| {
        digest.update((bytes.len() as u64).to_le_bytes());
        digest.update(bytes);
    };
    part(b"kexian inputs 1");
    part(env!("CARGO_PKG_VERSION").as_bytes());
    part(&canonical(&firms)?);
    part(&canonical(assumptions.set())?);
    // The thread count changes no result, so it is not an input.
    let mut config = config.clone();
    config.simulation.threads = None;
    part(&canonical(&config)?);
    if let Some(table) = experience {
        let mut inner = Sha256::new();
        table.digest_into(&mut inner);
        part(&inner.finalize());
    } else {
        part(b"");
    }
    Ok(format!("{:x}", digest.finalize()))
}

/// The JSON bytes of an input (serialising these types cannot fail; if it ever did, the
/// digest is refused rather than computed over less).
fn canonical(value: &impl serde::Serialize) -> Result<Vec<u8>> {
    serde_json::to_vec(value).map_err(|e| crate::Error::Inconsistent {
        model: "Provenance",
        message: format!("an input does not serialise for its digest: {e}"),
    })
}
