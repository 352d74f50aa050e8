//! GLM fitting speed on one core: Poisson frequency GLMs on 10⁵ firm-years,
//! - 20 design columns (intercept, 4 score-tier and 9 sector dummies, 6 numeric covariates);
//! - 100 design columns (intercept and one 100-level factor, e.g. a fine industry code).
//!
//! `cargo run --release --example bench_glm` prints `glm_poisson_100000x20_s=<x>` (target
//! ≤ 0.2 s) and `glm_poisson_100000x100_s=<x>` (target ≤ 1.0 s), best of three, and checks each
//! fit recovers the true coefficients (within 5 standard errors) so the timing is of a correct
//! fit. With `KEXIAN_BENCH_GLM_DIR=dir` it also writes both data sets as CSV for
//! `scripts/bench_glm_statsmodels.py`, which times statsmodels on the same rows.

use kexian::Result;
use kexian::frequency::{Frequency, Poisson};
use kexian::rating::{GlmFamily, fit_glm};
use ndarray::Array2;
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use std::io::Write;
use std::time::Instant;

const ROWS: usize = 100_000;

/// One simulated data set: design, log exposure, counts, true β, and the CSV cells per row.
struct Case {
    x: Array2<f64>,
    offset: Vec<f64>,
    y: Vec<f64>,
    truth: Vec<f64>,
    cells: Vec<String>,
    header: &'static str,
}

/// Draws a case whose row i has design columns `fill(rng, row)` (the intercept is set here)
/// and returns the CSV cells describing it.
fn simulate(
    cols: usize,
    header: &'static str,
    mut fill: impl FnMut(&mut Xoshiro256PlusPlus, &mut [f64]) -> String,
) -> Result<Case> {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2025);
    let truth: Vec<f64> = (0..cols)
        .map(|j| {
            if j == 0 {
                -2.0
            } else {
                0.3 * ((j as f64) * 0.7).sin()
            }
        })
        .collect();
    let mut x = Array2::<f64>::zeros((ROWS, cols));
    let (mut offset, mut y, mut cells) = (vec![0.0; ROWS], vec![0.0; ROWS], vec![]);
    let mut row = vec![0.0; cols];
    for i in 0..ROWS {
        row.fill(0.0);
        row[0] = 1.0;
        let described = fill(&mut rng, &mut row);
        x.row_mut(i).assign(&ndarray::ArrayView1::from(&row));
        let exposure: f64 = 0.2 + 0.8 * rng.random::<f64>();
        offset[i] = exposure.ln();
        let eta: f64 = (0..cols).map(|j| row[j] * truth[j]).sum::<f64>() + offset[i];
        y[i] = Poisson::new(eta.exp())?.sample(&mut rng) as f64;
        cells.push(format!("{},{exposure},{described}", y[i]));
    }
    Ok(Case {
        x,
        offset,
        y,
        truth,
        cells,
        header,
    })
}

/// Best of three fits; asserts the fit is within 5 standard errors of the truth.
fn time(case: &Case, name: &str) -> Result<f64> {
    let mut best = f64::INFINITY;
    let mut fit = None;
    for _ in 0..3 {
        let t = Instant::now();
        let f = fit_glm(
            GlmFamily::Poisson,
            case.x.view(),
            &case.y,
            Some(&case.offset),
            None,
        )?;
        best = best.min(t.elapsed().as_secs_f64());
        fit = Some(f);
    }
    let fit = fit.expect("three fits ran");
    let worst_z = fit
        .coefficients
        .iter()
        .zip(&fit.std_errors)
        .zip(&case.truth)
        .map(|((b, s), t)| ((b - t) / s).abs())
        .fold(0.0, f64::max);
    assert!(
        worst_z < 5.0,
        "{name}: fit is off the truth by {worst_z} s.e."
    );
    println!(
        "{name}: columns={} iterations={} max_abs_z_vs_truth={worst_z:.2} ms_per_iteration={:.1}",
        case.x.ncols(),
        fit.iterations,
        best * 1e3 / fit.iterations as f64
    );
    Ok(best)
}

fn write_csv(dir: &str, name: &str, case: &Case) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    let mut out = std::io::BufWriter::new(std::fs::File::create(format!("{dir}/{name}.csv"))?);
    writeln!(out, "y,exposure,{}", case.header)?;
    for line in &case.cells {
        writeln!(out, "{line}")?;
    }
    out.flush()
}

fn main() -> Result<()> {
    let narrow = simulate(20, "tier,sector,n1,n2,n3,n4,n5,n6", |rng, row| {
        let tier = rng.random_range(0..5usize);
        if tier > 0 {
            row[tier] = 1.0;
        }
        let sector = rng.random_range(0..10usize);
        if sector > 0 {
            row[4 + sector] = 1.0;
        }
        for v in &mut row[14..] {
            *v = rng.random::<f64>() * 2.0 - 1.0;
        }
        let numeric: Vec<String> = row[14..].iter().map(f64::to_string).collect();
        format!("{tier},{sector},{}", numeric.join(","))
    })?;
    let wide = simulate(100, "level", |rng, row| {
        let level = rng.random_range(0..100usize);
        if level > 0 {
            row[level] = 1.0;
        }
        level.to_string()
    })?;
    if let Ok(dir) = std::env::var("KEXIAN_BENCH_GLM_DIR") {
        write_csv(&dir, "glm_20", &narrow).expect("writable bench directory");
        write_csv(&dir, "glm_100", &wide).expect("writable bench directory");
    }
    let narrow_s = time(&narrow, "narrow")?;
    let wide_s = time(&wide, "wide")?;
    println!("glm_poisson_100000x20_s={narrow_s:.3}");
    println!("glm_poisson_100000x100_s={wide_s:.3}");
    Ok(())
}
