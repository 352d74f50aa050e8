//! Prints the cost of kexian's samplers relative to rand_distr's on the same generator
//! (Xoshiro256++), measured in one run as the best of several interleaved repetitions.
//!
//! `cargo run --release --example bench_sampling`
//!
//! Machine-readable lines: `ratio_poisson_<λ>=<x>` and `ratio_lognormal=<x>`; the acceptance
//! bar is ≤ 1.3. The program exits non-zero if a ratio exceeds it.

use kexian::frequency::{Frequency, Poisson};
use kexian::severity::{LogNormal, Severity};
use rand::SeedableRng;
use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;
use std::time::Instant;

const DRAWS: u64 = 5_000_000;
const REPS: u64 = 7;

/// One timed loop as a simulation runs it: draw, accumulate, repeat. Kept out of line so each
/// sampler gets its own optimised loop.
#[inline(never)]
fn run<T: std::ops::AddAssign + Default>(
    seed: u64,
    mut draw: impl FnMut(&mut Xoshiro256PlusPlus) -> T,
) -> f64 {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let start = Instant::now();
    let mut acc = T::default();
    for _ in 0..DRAWS {
        acc += draw(&mut rng);
    }
    black_box(acc);
    start.elapsed().as_nanos() as f64 / DRAWS as f64
}

/// Best ns/draw of the two samplers over interleaved repetitions.
fn compare<T: std::ops::AddAssign + Default, U: std::ops::AddAssign + Default>(
    mut ours: impl FnMut(&mut Xoshiro256PlusPlus) -> T,
    mut theirs: impl FnMut(&mut Xoshiro256PlusPlus) -> U,
) -> (f64, f64) {
    let (mut a, mut b) = (f64::INFINITY, f64::INFINITY);
    for rep in 0..REPS {
        a = a.min(run(rep, &mut ours));
        b = b.min(run(rep, &mut theirs));
    }
    (a, b)
}

fn main() {
    let mut worst: f64 = 0.0;
    println!(
        "{:<22} {:>12} {:>14} {:>8}",
        "sampler", "kexian ns", "rand_distr ns", "ratio"
    );
    for lambda in [0.05, 0.5, 2.0, 5.0] {
        let ours = Poisson::new(lambda).expect("valid λ");
        let theirs = rand_distr::Poisson::new(lambda).expect("valid λ");
        // rand_distr returns the count as f64; a simulation needs it as an integer.
        let (a, b) = compare(|r| ours.sample(r), |r| theirs.sample(r) as u64);
        let ratio = a / b;
        worst = worst.max(ratio);
        println!(
            "{:<22} {a:>12.2} {b:>14.2} {ratio:>8.3}",
            format!("poisson λ={lambda}")
        );
        println!("ratio_poisson_{lambda}={ratio:.3}");
    }
    let ours = LogNormal::new(10.0, 2.0).expect("valid");
    let theirs = rand_distr::LogNormal::new(10.0, 2.0).expect("valid");
    let (a, b) = compare(|r| ours.sample(r), |r| theirs.sample(r));
    let ratio = a / b;
    worst = worst.max(ratio);
    println!(
        "{:<22} {a:>12.2} {b:>14.2} {ratio:>8.3}",
        "lognormal(10, 2)"
    );
    println!("ratio_lognormal={ratio:.3}");
    if worst > 1.3 {
        eprintln!("a sampler costs {worst:.2}× rand_distr's (bar: 1.3×)");
        std::process::exit(1);
    }
}
