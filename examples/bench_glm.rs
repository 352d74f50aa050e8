//! GLM fitting speed: a Poisson frequency GLM on 10⁵ firm-years with 20 design columns
//! (intercept, 4 score-tier and 9 sector dummies, 6 numeric covariates), on one core.
//!
//! `cargo run --release --example bench_glm` prints `glm_poisson_100000x20_s=<x>` (bar: < 1 s)
//! and the same fit's time per IRLS iteration, and checks the fit recovers the true
//! coefficients (within 5 standard errors) so the timing is of a correct fit.

use kexian::Result;
use kexian::frequency::{Frequency, Poisson};
use kexian::rating::{GlmFamily, fit_glm};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::time::Instant;

const ROWS: usize = 100_000;
const COLS: usize = 20;

fn main() -> Result<()> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2025);
    let truth: Vec<f64> = (0..COLS)
        .map(|j| {
            if j == 0 {
                -2.0
            } else {
                0.3 * ((j as f64) * 0.7).sin()
            }
        })
        .collect();
    let mut x = Array2::<f64>::zeros((ROWS, COLS));
    let mut offset = vec![0.0; ROWS];
    let mut y = vec![0.0; ROWS];
    for i in 0..ROWS {
        x[[i, 0]] = 1.0;
        let tier = rng.random_range(0..5usize);
        if tier > 0 {
            x[[i, tier]] = 1.0;
        }
        let sector = rng.random_range(0..10usize);
        if sector > 0 {
            x[[i, 4 + sector]] = 1.0;
        }
        for j in 14..COLS {
            x[[i, j]] = rng.random::<f64>() * 2.0 - 1.0;
        }
        let exposure: f64 = 0.2 + 0.8 * rng.random::<f64>();
        offset[i] = exposure.ln();
        let eta: f64 = (0..COLS).map(|j| x[[i, j]] * truth[j]).sum::<f64>() + offset[i];
        y[i] = Poisson::new(eta.exp())?.sample(&mut rng) as f64;
    }
    let mut best = f64::INFINITY;
    let mut fit = None;
    for _ in 0..3 {
        let t = Instant::now();
        let f = fit_glm(GlmFamily::Poisson, x.view(), &y, Some(&offset), None)?;
        best = best.min(t.elapsed().as_secs_f64());
        fit = Some(f);
    }
    let fit = fit.expect("three fits ran");
    let worst_z = fit
        .coefficients
        .iter()
        .zip(&fit.std_errors)
        .zip(&truth)
        .map(|((b, s), t)| ((b - t) / s).abs())
        .fold(0.0, f64::max);
    assert!(worst_z < 5.0, "fit is off the truth by {worst_z} s.e.");
    println!("rows={ROWS} columns={COLS} iterations={}", fit.iterations);
    println!("max_abs_z_vs_truth={worst_z:.2}");
    println!(
        "glm_ms_per_iteration={:.1}",
        best * 1e3 / fit.iterations as f64
    );
    println!("glm_poisson_100000x20_s={best:.3}");
    Ok(())
}
