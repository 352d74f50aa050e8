//! Parts of a sharded portfolio run and their exact merge.
//!
//! A shard simulates a contiguous range of blocks of years ([`BLOCK`]); its part holds the
//! per-year figures of its range in integer 分, each policy's integer sums, and each policy's
//! payments in the range's candidate tail years (its largest: its share of the run's k tail
//! years plus 8 standard deviations; the merge refuses a part holding more tail years than it
//! replayed).
//! Merging concatenates the years, adds the integers, finds the run's tail among the
//! candidates and allocates it: integer arithmetic throughout, so any set of shards gives the
//! single run's result bit for bit.

use super::batches::{blocks, mean_batch_size};
use super::{Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};
use crate::simulation::{PART_VERSION, digest};
use serde::{Deserialize, Serialize};
use std::ops::Range;

mod check;
mod merge;

const FORMAT: &str = "kexian portfolio part";

/// One policy's share of a part: its systemic-event total and its payments (trial, 分) in the
/// part's candidate tail years (its batch sums, systemic hits included, are in the part's
/// `batch_sums`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct PolicyPart {
    pub shock_sum: i64,
    pub tail: Vec<(u32, i64)>,
}

/// The mergeable result of a shard of a portfolio run (see [`Portfolio::simulate_shard`]);
/// [`to_bytes`](Self::to_bytes) writes it compactly (CBOR).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioPart {
    format: String,
    version: u32,
    /// SHA-256 of the portfolio and the run's seed, trials and TVaR level.
    digest: String,
    trials: u64,
    blocks: Range<usize>,
    /// Per year of the range (分): totals, largest occurrence, systemic payments, per-risk
    /// recoveries (empty without a treaty); per group, its payments after the copula.
    totals: Vec<i64>,
    occurrences: Vec<i64>,
    shocks: Vec<i64>,
    per_risk: Vec<i64>,
    groups: Vec<Vec<i64>>,
    /// Per group, the copula's moves within the range (relative to its first year).
    permutations: Option<Vec<Vec<u32>>>,
    /// Systemic events (trial, shock, intensity).
    events: Vec<(usize, usize, f64)>,
    /// Per policy and peril, per policy, and per policy × mean batch: payment sums (分).
    peril_totals: Vec<i64>,
    ceded: Vec<i64>,
    batch_sums: Vec<i64>,
    /// How many of the range's largest years are candidates for the run's tail.
    candidates: usize,
    policies: Vec<PolicyPart>,
}

/// A part's figures per year (分): totals, largest occurrence, systemic events, per-risk
/// recoveries, and the rows per group under a copula.
pub(super) struct YearFigures {
    pub totals: Vec<i64>,
    pub largest: Vec<i64>,
    pub shocks: Vec<i64>,
    pub per_risk: Vec<i64>,
    pub groups: Vec<Vec<i64>>,
}

impl PortfolioPart {
    pub(super) fn new(
        config: &PortfolioConfig,
        blocks: Range<usize>,
        years: YearFigures,
        permutations: Option<Vec<Vec<u32>>>,
        events: Vec<(usize, usize, f64)>,
        (peril_totals, ceded, batch_sums): (Vec<i64>, Vec<i64>, Vec<i64>),
        (candidates, policies): (usize, Vec<PolicyPart>),
    ) -> Self {
        Self {
            format: FORMAT.into(),
            version: PART_VERSION,
            digest: String::new(),
            trials: config.simulation.trials,
            blocks,
            totals: years.totals,
            occurrences: years.largest,
            shocks: years.shocks,
            per_risk: years.per_risk,
            groups: years.groups,
            permutations,
            events,
            peril_totals,
            ceded,
            batch_sums,
            candidates,
            policies,
        }
    }

    pub(super) fn set_digest(&mut self, digest: String) {
        self.digest = digest;
    }

    /// The blocks of [`BLOCK`](super::batches::BLOCK) years this part covers.
    pub fn blocks(&self) -> Range<usize> {
        self.blocks.clone()
    }

    /// The merge's refusal of this part, for `reason` ([`Error::Part`] with its blocks).
    pub(super) fn refused(&self, reason: String) -> Error {
        Error::Part {
            unit: "blocks",
            range: self.blocks.start as u64..self.blocks.end as u64,
            reason,
        }
    }
}

part_bytes!(PortfolioPart, FORMAT);

impl Portfolio {
    /// The run's provenance digest: SHA-256 of the portfolio and the seed, trials, TVaR
    /// level and engine (not the threads).
    pub fn run_digest(&self, config: &PortfolioConfig) -> Result<String> {
        let c = config.simulation;
        digest(&(
            &self.spec,
            c.seed,
            c.trials,
            config.tvar_level,
            config.engine,
        ))
    }

    /// Merges the parts of every shard of the run `config` (in any order) into the result
    /// [`simulate`](Self::simulate) gives, bit for bit. Refuses parts of other books or
    /// settings, overlapping parts (a shard given twice) and incomplete sets.
    pub fn merge(
        &self,
        config: &PortfolioConfig,
        parts: Vec<PortfolioPart>,
    ) -> Result<PortfolioRun> {
        config.validate()?;
        let digest = self.run_digest(config)?;
        self.merge_parts(config, parts, Some(&digest), None)
    }

    /// Checks one part as [`merge`](Self::merge) checks each: that it comes from this book
    /// and the run `config` (its digest), covers a range of the run, and that its fields fit
    /// the book and balance — so that a caller holding several can say which one is bad.
    pub fn check_part(&self, config: &PortfolioConfig, part: &PortfolioPart) -> Result<()> {
        config.validate()?;
        let trials = config.trials();
        let all = blocks(trials);
        if part.digest != self.run_digest(config)?
            || part.blocks.is_empty()
            || part.blocks.end > all
        {
            return Err(part.refused(format!(
                "is not a shard of this run: it comes from other inputs or settings, or lies \
                 outside the run's 0..{all}"
            )));
        }
        part.check(self, trials, trials.div_ceil(mean_batch_size(trials)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::simulation::Shard;

    #[test]
    fn a_part_that_replayed_too_few_years_for_the_merged_tail_is_refused() {
        let book: Portfolio = serde_json::from_str(
            r#"{"policies": [{"id": "A", "sector": "ai", "perils": [{"peril": "compound",
                "frequency": {"type": "poisson", "lambda": 0.5},
                "severity": {"type": "exponential", "theta": 1000.0}}]}]}"#,
        )
        .unwrap();
        let config = PortfolioConfig::new(5, 200_000).unwrap();
        let part = |i| {
            book.simulate_shard(&config, Shard::new(i, 2).unwrap(), None)
                .unwrap()
        };
        let mut parts: Vec<PortfolioPart> = (1..=2).map(part).collect();
        // Each half (100,352 and 99,648 years) replays its share of the 1,000 tail years with
        // a margin of 8·√(kp(1 − p)) + 32 ≈ 158, not all 1,000.
        assert!(
            parts
                .iter()
                .all(|p| p.candidates > 640 && p.candidates < 680)
        );
        assert_eq!(
            book.merge(&config, parts.clone()).unwrap(),
            book.simulate(&config).unwrap()
        );
        parts[0].candidates = 0;
        let e = book.merge(&config, parts).unwrap_err().to_string();
        assert!(e.contains("blocks 0..49 holds"), "{e}");
    }
}
