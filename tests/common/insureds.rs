//! A reproducible book of independent Poisson × lognormal insureds with their own deductibles
//! and limits (shared by `tests/exact_portfolio.rs` and `examples/bench_exact.rs`).

use kexian::aggregate::{AggregateDistribution, ExactPortfolio};
use kexian::perils::CompoundPeril;
use kexian::portfolio::Portfolio;
use serde_json::{Value, json};

/// Five sector severities (μ, σ); each insured draws λ, its sector, deductible and limit from
/// a fixed linear congruential sequence (no RNG crate needed to rebuild the book).
pub fn book(n: usize) -> Vec<Value> {
    let sectors = [
        (11.0, 1.0),
        (11.5, 1.2),
        (12.0, 1.4),
        (12.5, 1.1),
        (13.0, 1.3),
    ];
    let mut state = 0x2025_u64;
    let mut uniform = move || {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 11) as f64 / (1u64 << 53) as f64
    };
    (0..n)
        .map(|_| {
            let (mu, sigma) = sectors[(uniform() * 5.0) as usize % 5];
            let lambda = 0.02 + 0.1 * uniform();
            let deductible = [0.0, 1e4, 5e4][(uniform() * 3.0) as usize % 3];
            let limit = 10f64.powf(5.5 + 1.5 * uniform()).round();
            json!({"frequency": {"type": "poisson", "lambda": lambda},
                   "severity": {"type": "lognormal", "mu": mu, "sigma": sigma},
                   "terms": {"deductible": deductible, "limit": limit}})
        })
        .collect()
}

pub fn covers(book: &[Value]) -> Vec<CompoundPeril> {
    book.iter()
        .map(|v| serde_json::from_value(v.clone()).unwrap())
        .collect()
}

/// The insureds as a portfolio: policy `F{i:04}` in sector `tech` with its compound peril.
#[allow(dead_code)] // the benches build their own books
pub fn portfolio(book: &[Value]) -> Portfolio {
    let policies: Vec<Value> = book
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let mut peril = c.clone();
            peril["peril"] = json!("compound");
            json!({"id": format!("F{i:04}"), "sector": "tech", "perils": [peril]})
        })
        .collect();
    serde_json::from_value(json!({ "policies": policies })).unwrap()
}

/// The book's exact aggregate by FFT (2¹⁶ points up to its 1 − 10⁻¹⁰ quantile).
#[allow(dead_code)] // the benches time their own grids
pub fn exact(book: &[Value]) -> AggregateDistribution {
    let exact = ExactPortfolio::new(&covers(book)).unwrap();
    let grid = exact.recommended_grid(1 << 16, 1.0 - 1e-10).unwrap();
    exact
        .exact_distribution(&grid, 2, Default::default())
        .unwrap()
}
