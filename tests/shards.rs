//! Sharded runs: any split of a run into shards, merged in any order (through their bytes),
//! gives the single run's results bit for bit; merges of wrong sets are refused.

mod common;

use kexian::aggregate::{LossModel, SimulationPart};
use kexian::coverage::{ClaimTerms, Layer, Tower};
use kexian::frequency::NegativeBinomial;
use kexian::portfolio::{Portfolio, PortfolioConfig, PortfolioPart, PortfolioRun};
use kexian::severity::LogNormal;
use kexian::simulation::{Retention, Shard, SimulationConfig};
use proptest::prelude::*;

fn bundled() -> Portfolio {
    common::bundled_portfolio()
}

/// 40,000 years: 20 blocks of 2,048.
fn portfolio_config(threads: usize) -> PortfolioConfig {
    let mut c = PortfolioConfig::new(2025, 40_000).unwrap();
    c.simulation.threads = Some(threads);
    c
}

/// Split points of `units` into `shards` contiguous non-empty ranges, from `cuts` (sorted,
/// distinct, in 1..units).
fn ranges(units: usize, cuts: &[usize]) -> Vec<std::ops::Range<usize>> {
    let mut points = vec![0];
    points.extend_from_slice(cuts);
    points.push(units);
    points.windows(2).map(|w| w[0]..w[1]).collect()
}

/// `items` reordered by `order` (a permutation of 0..16 or more): item i goes to the place
/// of i in `order`.
fn shuffle<T>(items: Vec<T>, order: &[usize]) -> Vec<T> {
    let mut keyed: Vec<(usize, T)> = items
        .into_iter()
        .enumerate()
        .map(|(i, x)| (order.iter().position(|&o| o == i).unwrap(), x))
        .collect();
    keyed.sort_by_key(|k| k.0);
    keyed.into_iter().map(|k| k.1).collect()
}

fn cuts(units: usize) -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::btree_set(1..units, 0..16.min(units))
        .prop_map(|s| s.into_iter().collect())
}

/// Every statistic a report shows, as bits: mean, sd, VaR and TVaR with standard errors, the
/// exceedance curves, and each policy's mean and co-TVaR with theirs.
fn portfolio_bits(run: &PortfolioRun) -> Vec<u64> {
    let mut v = vec![
        run.losses.mean().unwrap().value,
        run.losses.mean().unwrap().std_error,
        run.losses.std_dev().unwrap().value,
        run.losses.std_dev().unwrap().std_error,
        run.tvar,
        run.tvar_estimate().unwrap().std_error,
    ];
    for level in [0.5, 0.9, 0.99, 0.995, 0.999] {
        let e = run.var_estimate(level).unwrap();
        v.extend([e.value, e.std_error]);
    }
    for e in run.occurrence_estimates(&[0.9, 0.99, 0.999]).unwrap() {
        v.extend([e.value, e.std_error]);
    }
    for p in &run.policies {
        v.extend([
            p.mean,
            p.mean_std_error,
            p.allocated_tvar,
            p.allocated_tvar_std_error,
            p.shock_mean,
            p.per_risk_ceded,
        ]);
    }
    v.into_iter().map(f64::to_bits).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, ..ProptestConfig::default() })]

    /// Random splits of 1–16 shards, simulated on one thread, sent through their bytes and
    /// merged in a random order, equal the two-thread single run.
    #[test]
    fn portfolio_shards_merge_to_the_single_run(
        cuts in cuts(20),
        order in Just((0..16usize).collect::<Vec<_>>()).prop_shuffle(),
    ) {
        let book = bundled();
        let whole = book.simulate(&portfolio_config(2)).unwrap();
        let parts: Vec<PortfolioPart> = ranges(20, &cuts)
            .into_iter()
            .map(|r| {
                let part = book.simulate_blocks(&portfolio_config(1), r, None).unwrap();
                PortfolioPart::from_bytes(&part.to_bytes().unwrap()).unwrap()
            })
            .collect();
        let merged = book.merge(&portfolio_config(2), shuffle(parts, &order)).unwrap();
        prop_assert_eq!(portfolio_bits(&merged), portfolio_bits(&whole));
        prop_assert!(merged == whole, "the merged run differs from the single run");
    }

    /// The same for one cover with a tower and tail retention, split by batches.
    #[test]
    fn simulation_shards_merge_to_the_single_run(
        cuts in cuts(50),
        order in Just((0..16usize).collect::<Vec<_>>()).prop_shuffle(),
        keep_all in any::<bool>(),
    ) {
        let (model, config) = cover(keep_all);
        let whole = model.simulate(&config).unwrap();
        let one = SimulationConfig { threads: Some(1), ..config };
        let parts: Vec<SimulationPart> = ranges(50, &cuts)
            .into_iter()
            .map(|r| {
                let part = model.simulate_batches(&one, r.start as u64..r.end as u64).unwrap();
                SimulationPart::from_bytes(&part.to_bytes().unwrap()).unwrap()
            })
            .collect();
        let merged = model.merge(&config, shuffle(parts, &order)).unwrap();
        let bits = |s: &kexian::aggregate::Simulation| -> Vec<u64> {
            let l = &s.losses;
            let mut v = vec![l.mean().unwrap().value, l.mean().unwrap().std_error,
                             l.std_dev().unwrap().value, l.std_dev().unwrap().std_error];
            for level in [0.99, 0.995, 0.999] {
                let (var, tvar) = (l.var(level).unwrap(), l.tvar(level).unwrap());
                v.extend([var.value, var.std_error, tvar.value, tvar.std_error]);
            }
            v.extend(l.exceedance_curve().iter().flat_map(|(rp, e)| [*rp, e.value, e.std_error]));
            v.into_iter().map(f64::to_bits).collect()
        };
        prop_assert_eq!(bits(&merged), bits(&whole));
        prop_assert!(merged == whole, "the merged simulation differs from the single run");
    }
}

/// NB(2, 0.5) × LogNormal(11, 1.5) capped at 2·10⁶ with a 1m xs 0.5m per-risk layer; 50
/// batches of 1,000 years, retaining the top 1% or everything.
fn cover(keep_all: bool) -> (LossModel<NegativeBinomial, LogNormal>, SimulationConfig) {
    let layer = Layer::new(500_000.0, 1_000_000.0).unwrap();
    let model = LossModel::new(
        NegativeBinomial::new(2.0, 0.5).unwrap(),
        LogNormal::new(11.0, 1.5).unwrap(),
    )
    .with_claim_terms(ClaimTerms::new(0.0, 2e6).unwrap())
    .with_tower(Tower::new(vec![layer]).unwrap());
    let mut config = SimulationConfig::new(9, 50_000)
        .unwrap()
        .with_batch_size(1000)
        .unwrap();
    if !keep_all {
        config.retention = Retention::Tail { min_level: 0.99 };
    }
    (model, config)
}

#[test]
fn merges_of_wrong_sets_are_refused_with_the_reason() {
    let book = bundled();
    let c = portfolio_config(2);
    let part = |i| {
        book.simulate_shard(&c, Shard::new(i, 4).unwrap(), None)
            .unwrap()
    };
    let parts: Vec<PortfolioPart> = (1..=4).map(part).collect();
    let err = |parts: Vec<PortfolioPart>, c: &PortfolioConfig| {
        book.merge(c, parts).unwrap_err().to_string()
    };
    // A shard given twice.
    let mut twice = parts.clone();
    twice.push(parts[1].clone());
    assert!(err(twice, &c).contains("blocks 5..10 overlaps"));
    // A shard missing (the blocks 0..5, 5..10, 10..15, 15..20 of four).
    let missing = vec![parts[0].clone(), parts[1].clone(), parts[3].clone()];
    assert!(err(missing, &c).contains("blocks 10..15 are missing"));
    assert!(err(parts[..3].to_vec(), &c).contains("blocks 15..20 are missing"));
    // A shard of another seed.
    let mut other = c;
    other.simulation.seed += 1;
    let mut mixed = parts.clone();
    mixed[2] = book
        .simulate_shard(&other, Shard::new(3, 4).unwrap(), None)
        .unwrap();
    assert!(err(mixed, &c).contains("other inputs or settings"));
    // Merging under other settings than the shards'.
    assert!(err(parts.clone(), &other).contains("other inputs or settings"));
    assert!(
        book.merge(&c, vec![])
            .unwrap_err()
            .to_string()
            .contains("no parts")
    );
    // Bytes that are not a part, or a part of the other kind.
    assert!(PortfolioPart::from_bytes(b"not a part").is_err());
    let (model, config) = cover(false);
    let sim = model
        .simulate_shard(&config, Shard::new(1, 2).unwrap())
        .unwrap();
    let e = PortfolioPart::from_bytes(&sim.to_bytes().unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("portfolio part"), "{e}");
    // The complete set merges, and the thread count does not matter.
    let merged = book.merge(&portfolio_config(1), parts).unwrap();
    assert_eq!(merged, book.simulate(&c).unwrap());
}

#[test]
fn shards_are_named_i_of_n_and_never_empty() {
    assert_eq!(Shard::parse("3/8").unwrap().range(20).unwrap(), 5..7);
    assert_eq!(Shard::parse("8/8").unwrap().range(20).unwrap(), 17..20);
    for bad in ["0/4", "5/4", "3", "a/b", "1/0", ""] {
        assert!(Shard::parse(bad).is_err(), "{bad}");
    }
    let e = Shard::parse("3/4")
        .unwrap()
        .range(2)
        .unwrap_err()
        .to_string();
    assert!(e.contains("at most 2 shards"), "{e}");
    // Every split covers the units exactly once.
    for n in 1..=16u64 {
        let mut next = 0;
        for i in 1..=n {
            let r = Shard::new(i, n).unwrap().range(16).unwrap();
            assert_eq!(r.start, next);
            next = r.end;
        }
        assert_eq!(next, 16);
    }
}
