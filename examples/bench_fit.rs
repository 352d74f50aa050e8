//! Fitting speed on one core: a lognormal fitted by maximum likelihood to 10⁵ claims, each
//! left-truncated at a deductible (0, 10 000 or 50 000) and right-censored at a limit
//! (0.5m, 1m or 2m), as they arrive from a claims system.
//!
//! `cargo run --release --example bench_fit` prints `fit_lognormal_100000_s=<x>` (target
//! ≤ 0.5 s; best of three) and checks the fit recovers the generating parameters within 5
//! standard errors, so the timing is of a correct fit.

use kexian::Result;
use kexian::fitting::{Claim, ClaimData, Observed, SeverityFamily, fit_severity};
use kexian::severity::{LogNormal, Severity};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::time::Instant;

fn main() -> Result<()> {
    let truth = [10.5, 1.8];
    let model = LogNormal::new(truth[0], truth[1])?;
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(99);
    let mut claims = Vec::with_capacity(100_000);
    while claims.len() < 100_000 {
        let deductible = [0.0, 10_000.0, 50_000.0][rng.random_range(0..3usize)];
        let limit = [5e5, 1e6, 2e6][rng.random_range(0..3usize)];
        let x = model.sample(&mut rng);
        if x <= deductible {
            continue;
        }
        let observed = if x >= limit {
            Observed::Censored { value: limit }
        } else {
            Observed::Exact { value: x }
        };
        claims.push(Claim {
            observed,
            truncation: deductible,
            limit: Some(limit),
            weight: 1.0,
        });
    }
    let data = ClaimData::new(claims)?;
    let mut best = f64::INFINITY;
    let mut fit = None;
    for _ in 0..3 {
        let t = Instant::now();
        let f = fit_severity(SeverityFamily::LogNormal, &data)?;
        best = best.min(t.elapsed().as_secs_f64());
        fit = Some(f);
    }
    let fit = fit.expect("three fits ran");
    for (j, t) in truth.iter().enumerate() {
        let z = (fit.parameters[j] - t) / fit.std_errors[j];
        assert!(z.abs() < 5.0, "parameter {j} off the truth by {z} s.e.");
    }
    println!(
        "claims=100000 evaluations={} mu={:.4} sigma={:.4}",
        fit.evaluations, fit.parameters[0], fit.parameters[1]
    );
    println!("fit_lognormal_100000_s={best:.3}");
    Ok(())
}
