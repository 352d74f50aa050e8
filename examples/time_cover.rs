//! Times one Monte Carlo call — Poisson(2) × lognormal(10, 2), deductible 10,000, maximum
//! covered loss 1,000,000 — for the Python parity bench (`python/bench/bench_python.py` runs
//! the same call through the Python package and prints the ratio).
//!
//! `cargo run --release --example time_cover -- 10000000 2` prints `seconds=… mean=…`.

use kexian::aggregate::LossModel;
use kexian::coverage::ClaimTerms;
use kexian::frequency::{FrequencyModel, Poisson};
use kexian::severity::{LogNormal, SeverityModel};
use kexian::simulation::SimulationConfig;
use std::time::Instant;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let trials: u64 = args.next().map_or(Ok(10_000_000), |a| a.parse())?;
    let threads: usize = args.next().map_or(Ok(2), |a| a.parse())?;
    // The enums, as the Python package builds them from JSON.
    let model = LossModel::new(
        FrequencyModel::Poisson(Poisson::new(2.0)?),
        SeverityModel::LogNormal(LogNormal::new(10.0, 2.0)?),
    )
    .with_claim_terms(ClaimTerms::new(1.0e4, 1.0e6)?);
    let config = SimulationConfig::new(7, trials)?.with_threads(threads)?;
    let start = Instant::now();
    let losses = model.simulate(&config)?.losses;
    let seconds = start.elapsed().as_secs_f64();
    println!("seconds={seconds:.4} mean={}", losses.mean()?.value);
    Ok(())
}
