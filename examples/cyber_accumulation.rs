//! Cyber accumulation: 2,000 small and medium tech firms with cyber cover, with and without a
//! systemic cloud-outage event that hits a sector-dependent share of them in the same year
//! (the 2024 CrowdStrike outage hit about a quarter of the Fortune 500). The expected loss
//! barely moves, the tail does: the example prints both TVaRs and checks that the shock adds
//! at least its own expected tail contribution.
//!
//! `cargo run --release --example cyber_accumulation`

use kexian::assumptions::Assumptions;
use kexian::perils::PerilModel;
use kexian::portfolio::{CommonShock, Policy, Portfolio, PortfolioConfig, PortfolioSpec};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assumptions = Assumptions::bundled()?;
    let sectors = ["ai", "ic", "biomedicine", "low_altitude", "new_materials"];
    let policies: Vec<Policy> = (0..2000)
        .map(|i| {
            let sector = sectors[i % 5];
            let size = if i % 4 == 0 { "medium" } else { "small" };
            Ok(Policy {
                id: format!("C{i:04}"),
                sector: sector.into(),
                group: None,
                perils: vec![PerilModel::Cyber(assumptions.cyber_risk(size, sector)?)],
                shocks: None,
            })
        })
        .collect::<kexian::Result<_>>()?;
    let outage: CommonShock = serde_json::from_str(
        r#"{"name": "cloud_outage", "annual_rate": 0.02,
            "hit_probability": {"ai": 0.4, "ic": 0.3}, "default_hit_probability": 0.15,
            "intensity_cv": 0.5,
            "loss": {"type": "lognormal", "mu": 12.5, "sigma": 1.0},
            "terms": {"deductible": 20000, "limit": 2000000}}"#,
    )?;
    let config = PortfolioConfig::new(7, 100_000)?;
    let alone = Portfolio::new(PortfolioSpec {
        policies: policies.clone(),
        shocks: vec![],
        dependence: None,
        per_risk_xol: vec![],
    })?
    .simulate(&config)?;
    let shocked = Portfolio::new(PortfolioSpec {
        policies,
        shocks: vec![outage],
        dependence: None,
        per_risk_xol: vec![],
    })?
    .simulate(&config)?;
    let mean = |r: &kexian::portfolio::PortfolioRun| r.losses.mean().map(|e| e.value);
    println!("2,000 cyber policies, 100,000 years");
    println!(
        "  independent:      mean {:>14.0} 元, TVaR 99.5% {:>14.0} 元",
        mean(&alone)?,
        alone.tvar
    );
    println!(
        "  with cloud outage: mean {:>13.0} 元, TVaR 99.5% {:>14.0} 元",
        mean(&shocked)?,
        shocked.tvar
    );
    let shock_mean: f64 = shocked.shocks.iter().sum::<f64>() / shocked.shocks.len() as f64;
    println!(
        "  systemic share of the mean {:.1}%, of the TVaR {:.1}%",
        100.0 * shock_mean / mean(&shocked)?,
        100.0 * (shocked.tvar - alone.tvar) / shocked.tvar
    );
    // Same independent draws (stable streams), so the difference is the systemic events:
    // the mean rises by their mean exactly, the TVaR by much more than the mean does.
    assert!((mean(&shocked)? - mean(&alone)? - shock_mean).abs() <= 1e-6 * mean(&shocked)?);
    assert!(shocked.tvar - alone.tvar > 5.0 * shock_mean);
    Ok(())
}
