//! Sampling throughput per family (criterion). Poisson and lognormal are benchmarked next to
//! rand_distr's own samplers on the same generator; `cargo run --release --example
//! bench_sampling` prints the ratios in one run.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kexian::frequency::{
    Bernoulli, Binomial, Frequency, FrequencyModel, Geometric, Logarithmic, NegativeBinomial,
    Poisson, ZeroModified,
};
use kexian::severity::{
    Burr, Empirical, Exponential, Gamma, GeneralizedPareto, LogLogistic, LogNormal, Mixture,
    Pareto, Severity, SeverityModel, SingleParameterPareto, Spliced, Weibull,
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
        (
            "single_parameter_pareto",
            SingleParameterPareto::new(1.2, 5e5).unwrap().into(),
        ),
        ("loglogistic", LogLogistic::new(3.0, 1e5).unwrap().into()),
        (
            "empirical",
            Empirical::new((1..=1000).map(|i| f64::from(i) * 97.0).collect())
                .unwrap()
                .into(),
        ),
        (
            "mixture",
            Mixture::new(vec![
                (0.9, Exponential::new(1e4).unwrap().into()),
                (0.1, Pareto::new(2.5, 1.5e6).unwrap().into()),
            ])
            .unwrap()
            .into(),
        ),
        (
            "spliced",
            Spliced::continuous(
                LogNormal::new(11.0, 1.0).unwrap().into(),
                GeneralizedPareto::new(0.4, 3e5, 5e5).unwrap().into(),
                5e5,
            )
            .unwrap()
            .into(),
        ),
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
    let others: Vec<(&str, FrequencyModel)> = vec![
        (
            "negative_binomial_2",
            NegativeBinomial::from_mean_mixing_cv(2.0, 0.5)
                .unwrap()
                .into(),
        ),
        ("binomial_10_0.15", Binomial::new(10, 0.15).unwrap().into()),
        ("bernoulli_0.07", Bernoulli::new(0.07).unwrap().into()),
        ("geometric_1.5", Geometric::new(1.5).unwrap().into()),
        ("logarithmic_3", Logarithmic::new(3.0, 0.0).unwrap().into()),
        (
            "zero_truncated_poisson_1.5",
            ZeroModified::truncated(Poisson::new(1.5).unwrap().into())
                .unwrap()
                .into(),
        ),
    ];
    for (name, m) in &others {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(1);
        g.bench_function(*name, |b| {
            b.iter(|| {
                (0..BATCH)
                    .map(|_| black_box(m).sample(&mut rng))
                    .sum::<u64>()
            })
        });
    }
    g.finish();
}

criterion_group!(benches, severities, frequencies);
criterion_main!(benches);
