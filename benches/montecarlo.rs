//! Monte Carlo engine throughput on the standard case (criterion). The ratio against a minimal
//! loop and the parallel efficiency are printed by `cargo run --release --example
//! bench_montecarlo`.

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use kexian::aggregate::LossModel;
use kexian::coverage::ClaimTerms;
use kexian::frequency::Poisson;
use kexian::severity::LogNormal;
use kexian::simulation::SimulationConfig;

const TRIALS: u64 = 1_000_000;

fn engine(c: &mut Criterion) {
    let model = LossModel::new(
        Poisson::new(2.0).unwrap(),
        LogNormal::new(10.0, 2.0).unwrap(),
    )
    .with_claim_terms(ClaimTerms::new(10_000.0, 1_000_000.0).unwrap());
    let mut g = c.benchmark_group("montecarlo_standard_case");
    g.throughput(Throughput::Elements(TRIALS));
    g.sample_size(10);
    for threads in [1, 2] {
        let cfg = SimulationConfig::new(1, TRIALS)
            .and_then(|c| c.with_tail_retention(0.99))
            .and_then(|c| c.with_threads(threads))
            .unwrap();
        g.bench_function(format!("tail_0.99_threads_{threads}"), |b| {
            b.iter(|| model.simulate(&cfg).unwrap().losses.tvar(0.99).unwrap())
        });
    }
    let all = SimulationConfig::new(1, TRIALS).unwrap();
    g.bench_function("retain_all", |b| {
        b.iter(|| model.simulate(&all).unwrap().losses.var(0.5).unwrap())
    });
    g.finish();
}

criterion_group!(benches, engine);
criterion_main!(benches);
