//! Exact aggregation speed and the time each method needs for a given accuracy, on a
//! compound negative binomial × lognormal cover with a deductible, limit and share.
//!
//! `cargo run --release --example bench_exact` prints a comparison table and the line
//! `fft_2pow16_ms=<x>` (bar: < 20 ms on one core): the whole computation — discretisation,
//! one 2^16-point real FFT pair with exponential tilting, diagnostics — for 2^16 buckets —
//! and `exact_portfolio_1000_ms=<x>` (bar: < 50 ms on one core): 1,000 independent Poisson ×
//! lognormal insureds with their own deductibles and limits, superposed and aggregated on
//! 2^16 points ([`kexian::aggregate::ExactPortfolio`]).

#[path = "../tests/common/insureds.rs"]
mod insureds;

use kexian::Result;
use kexian::aggregate::{Discretization, ExactMethod, ExactPortfolio, LossModel};
use kexian::coverage::ClaimTerms;
use kexian::frequency::NegativeBinomial;
use kexian::severity::LogNormal;
use kexian::simulation::SimulationConfig;
use std::time::Instant;

const LEVEL: f64 = 0.99;

fn best_ms<T>(reps: usize, mut f: impl FnMut() -> Result<T>) -> Result<(f64, T)> {
    let mut best = f64::INFINITY;
    let mut out = None;
    for _ in 0..reps {
        let t = Instant::now();
        let v = f()?;
        best = best.min(t.elapsed().as_secs_f64() * 1e3);
        out = Some(v);
    }
    Ok((best, out.expect("reps ≥ 1")))
}

fn main() -> Result<()> {
    let model = LossModel::new(
        NegativeBinomial::from_mean_mixing_cv(3.0, 0.5)?,
        LogNormal::new(10.0, 1.5)?,
    )
    .with_claim_terms(ClaimTerms::new(10_000.0, 2_000_000.0)?.with_share(0.9)?);
    let fft = ExactMethod::Fft { padding: 2 };
    let mp = Discretization::MeanPreserving;
    // Reference: FFT on 2^18 points.
    let reference = model
        .exact_distribution(fft, &model.recommended_grid(1 << 18, 1.0 - 1e-12)?, mp)?
        .tvar(LEVEL)?;
    println!("TVaR {LEVEL} reference (FFT, 2^18 points): {reference:.1}");
    println!(
        "{:<28} {:>12} {:>14} {:>12}",
        "method", "time ms", "TVaR 99%", "rel. error"
    );
    let mut fft16 = f64::NAN;
    for (log2, padding) in [(12u32, 2usize), (14, 2), (16, 2), (16, 1)] {
        let grid = model.recommended_grid(1 << log2, 1.0 - 1e-12)?;
        let method = ExactMethod::Fft { padding };
        let (ms, d) = best_ms(5, || model.exact_distribution(method, &grid, mp))?;
        let t = d.tvar(LEVEL)?;
        if log2 == 16 && padding == 1 {
            // One 2^16-point transform pair (tilting guards against aliasing).
            fft16 = ms;
        }
        println!(
            "{:<28} {ms:>12.2} {t:>14.1} {:>12.2e}",
            format!("FFT 2^{log2}, padding {padding}"),
            (t / reference - 1.0).abs()
        );
    }
    for log2 in [12u32, 14] {
        let grid = model.recommended_grid(1 << log2, 1.0 - 1e-12)?;
        let (ms, d) = best_ms(1, || {
            model.exact_distribution(ExactMethod::Panjer, &grid, mp)
        })?;
        let t = d.tvar(LEVEL)?;
        println!(
            "{:<28} {ms:>12.2} {t:>14.1} {:>12.2e}",
            format!("Panjer 2^{log2}"),
            (t / reference - 1.0).abs()
        );
    }
    for trials in [100_000u64, 1_000_000] {
        let cfg = SimulationConfig::new(1, trials)?.with_tail_retention(LEVEL)?;
        let (ms, sim) = best_ms(1, || model.simulate(&cfg))?;
        let t = sim.losses.tvar(LEVEL)?;
        println!(
            "{:<28} {ms:>12.2} {:>14.1} {:>12.2e}  (± {:.1e} s.e.)",
            format!("Monte Carlo {trials} trials"),
            t.value,
            (t.value / reference - 1.0).abs(),
            t.std_error / t.value
        );
        if trials == 1_000_000 {
            // Trials for a 1e-4 relative standard error scale as (s.e. / target)².
            let needed = trials as f64 * (t.std_error / t.value / 1e-4).powi(2);
            println!(
                "Monte Carlo needs ≈{needed:.1e} trials (≈{:.0} s) for the 1e-4 accuracy FFT 2^16 reaches in {fft16:.1} ms",
                ms / 1e3 * needed / trials as f64
            );
        }
    }
    println!("fft_2pow16_ms={fft16:.3}");
    let book = ExactPortfolio::new(&insureds::covers(&insureds::book(1_000)))?;
    let (ms, s) = best_ms(5, || {
        let grid = book.recommended_grid(1 << 16, 1.0 - 1e-10)?;
        book.exact_distribution(&grid, 2, Default::default())
    })?;
    println!(
        "exact portfolio, 1,000 insureds ({:.1} claims a year), 2^16 points: mean {:.0} (analytic {:.0}), TVaR 99.5% {:.0}",
        book.claim_rate(),
        s.diagnostics.numeric_mean,
        book.analytic_mean().unwrap_or(f64::NAN),
        s.tvar(0.995)?
    );
    println!("exact_portfolio_1000_ms={ms:.3}");
    Ok(())
}
