//! Rating, portfolio and quoting throughput (criterion). Targets and ratios are printed by
//! `cargo run --release --example bench_glm` (Poisson GLM 10⁵ × 20 < 1 s) and
//! `cargo run --release --example bench_portfolio` (10,000 × 100,000 < 30 s; bundled quote
//! with 100,000 years < 10 s).

use criterion::{Criterion, criterion_group, criterion_main};
use kexian::assumptions::Assumptions;
use kexian::quote::{QuoteConfig, price};
use kexian::rating::{GlmFamily, RatingPlan, RatingSpec};
use kexian::table::Table;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn pipeline(c: &mut Criterion) {
    let experience = Table::from_path(format!("{DATA}/experience.csv")).unwrap();
    let portfolio = kexian::io::read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let assumptions = Assumptions::bundled().unwrap();
    let mut config: QuoteConfig =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/pricing.json")).unwrap())
            .unwrap();
    let spec: RatingSpec = config.rating.as_ref().unwrap().spec.clone();
    let mut g = c.benchmark_group("pipeline");
    g.sample_size(10);
    g.bench_function("rating_plan_fit_experience", |b| {
        b.iter(|| RatingPlan::fit(GlmFamily::Poisson, &spec, &experience).unwrap())
    });
    config.simulation.trials = 20_000;
    g.bench_function("quote_bundled_portfolio_20000_years", |b| {
        b.iter(|| price(&portfolio, &assumptions, &config, Some(&experience), None).unwrap())
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
