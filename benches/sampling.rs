//! Sampling throughput per family (criterion). Poisson and lognormal are benchmarked next to
//! rand_distr's own samplers on the same generator; `cargo run --release --example
//! bench_sampling` prints the ratios in one run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kexian::frequency::{Frequency, FrequencyModel, NegativeBinomial, Poisson};
use kexian::severity::{
    Burr, Exponential, Gamma, GeneralizedPareto, LogNormal, Pareto, Severity, SeverityModel,
    Weibull,
};
use rand::SeedableRng;
use rand_distr::Distribution;
use rand_xoshiro::Xoshiro256PlusPlus;
use std::hint::black_box;

const BATCH: u64 = 1000;

fn severities(c: &mut Criterion) {
    let models: Vec<(&str, SeverityModel)> = vec![
        ("lognormal", LogNormal::new(10.0, 2.0).unwrap().into()),
        ("gamma", Gamma::from_shape_scale(2.5, 4e4).unwrap().into()),
        ("weibull", Weibull::new(0.6, 5e4).unwrap().into()),
        ("exponential", Exponential::new(2.5e4).unwrap().into()),
        ("pareto", Pareto::new(1.5, 1e5).unwrap().into()),
        ("gpd", GeneralizedPareto::new(0.7, 2e5, 1e6).unwrap().into()),
        ("burr", Burr::new(2.0, 1.5, 1e5).unwrap().into()),
    ];
    let mut g = c.benchmark_group("severity");
    g.throughput(Throughput::Elements(BATCH));
    for (name, m) in &models {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        g.bench_function(*name, |b| {
            b.iter(|| (0..BATCH).map(|_| m.sample(&mut rng)).sum::<f64>())
        });
    }
    let d = rand_distr::LogNormal::new(10.0, 2.0).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    g.bench_function("rand_distr_lognormal", |b| {
        b.iter(|| (0..BATCH).map(|_| d.sample(&mut rng)).sum::<f64>())
    });
    g.finish();
}

fn frequencies(c: &mut Criterion) {
    let mut g = c.benchmark_group("frequency");
    g.throughput(Throughput::Elements(BATCH));
    for lambda in [0.05, 2.0, 5.0] {
        let m = Poisson::new(lambda).unwrap();
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        g.bench_function(format!("poisson_{lambda}"), |b| {
            b.iter(|| (0..BATCH).map(|_| m.sample(&mut rng)).sum::<u64>())
        });
        let d = rand_distr::Poisson::new(lambda).unwrap();
        g.bench_function(format!("rand_distr_poisson_{lambda}"), |b| {
            b.iter(|| (0..BATCH).map(|_| d.sample(&mut rng) as u64).sum::<u64>())
        });
    }
    let nb: FrequencyModel = NegativeBinomial::from_mean_mixing_cv(2.0, 0.5)
        .unwrap()
        .into();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
    g.bench_function("negative_binomial_2", |b| {
        b.iter(|| {
            (0..BATCH)
                .map(|_| black_box(&nb).sample(&mut rng))
                .sum::<u64>()
        })
    });
    g.finish();
}

criterion_group!(benches, severities, frequencies);
criterion_main!(benches);
