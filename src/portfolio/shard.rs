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

use super::batches::{BLOCK, BatchErrors, blocks, mean_batch_size};
use super::cents::{MAX_CENTS, check_cents, largest_first};
use super::{PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};
use crate::simulation::{
    PART_VERSION, SimulatedLosses, ceil_count, check_cover, digest, map_indices,
};
use serde::{Deserialize, Serialize};
use std::ops::Range;

mod check;

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

/// Per-year vectors of a part: totals, occurrences, systemic payments, per-risk recoveries,
/// group payments.
pub(super) type Years = (Vec<i64>, Vec<i64>, Vec<i64>, Vec<i64>, Vec<Vec<i64>>);

impl PortfolioPart {
    pub(super) fn new(
        config: &PortfolioConfig,
        blocks: Range<usize>,
        (totals, occurrences, shocks, per_risk, groups): Years,
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
            totals,
            occurrences,
            shocks,
            per_risk,
            groups,
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

    /// The blocks of [`BLOCK`] years this part covers.
    pub fn blocks(&self) -> Range<usize> {
        self.blocks.clone()
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
        self.merge_parts(config, parts, Some(&digest))
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
            return Err(Error::Inconsistent {
                model: "merge",
                message: format!(
                    "the part for blocks {}..{} is not a shard of this run: it comes from other \
                     inputs or settings, or lies outside the run's 0..{all}",
                    part.blocks.start, part.blocks.end
                ),
            });
        }
        part.check(self, trials, trials.div_ceil(mean_batch_size(trials)))
    }

    /// Merges parts (checked against `digest` when given) into the run's result.
    pub(super) fn merge_parts(
        &self,
        config: &PortfolioConfig,
        mut parts: Vec<PortfolioPart>,
        digest: Option<&str>,
    ) -> Result<PortfolioRun> {
        let trials = config.trials();
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        parts.sort_by_key(|p| p.blocks.start);
        let want = digest.unwrap_or_default();
        let cover = parts.iter().map(|p| {
            let d = if digest.is_some() {
                p.digest.as_str()
            } else {
                ""
            };
            (d, p.blocks.start as u64..p.blocks.end as u64)
        });
        check_cover(cover, want, (blocks(trials) as u64, "blocks"))?;
        for p in &parts {
            p.check(self, trials, batches)?;
        }
        let n = self.spec.policies.len();
        // The parts' years one after another (moved out, not copied: the merge is their last
        // reader).
        let concat = |parts: &mut [PortfolioPart],
                      f: &dyn Fn(&mut PortfolioPart) -> &mut Vec<i64>| {
            let mut all = std::mem::take(f(&mut parts[0]));
            for p in &mut parts[1..] {
                all.append(f(p));
            }
            all
        };
        let total_cents = concat(&mut parts, &|p| &mut p.totals);
        check_cents(&total_cents, MAX_CENTS)?;
        let add = |f: &dyn Fn(&PortfolioPart) -> &[i64], len: usize| -> Result<Vec<i64>> {
            let mut sum = vec![0i64; len];
            for p in &parts {
                for (s, &x) in sum.iter_mut().zip(f(p)) {
                    *s = s.saturating_add(x);
                }
            }
            check_cents(&sum, i64::MAX)?;
            Ok(sum)
        };
        let peril_totals = add(&|p| &p.peril_totals, parts[0].peril_totals.len())?;
        let ceded_totals = add(&|p| &p.ceded, n)?;
        let to_yuan = |v: &[i64]| -> Vec<f64> { v.iter().map(|&c| c as f64 / 100.0).collect() };
        // The (1 − α)·n largest years, counted as SimulatedLosses counts them (n − ⌈αn⌉).
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let order = largest_first(&total_cents, k);
        let mut tail = vec![false; trials];
        for &t in &order[..k] {
            tail[t] = true;
        }
        let tail_cents: i128 = order[..k].iter().map(|&t| i128::from(total_cents[t])).sum();
        let var_cents = total_cents[order[k - 1]];
        let mut tail_per_block = vec![0i128; blocks(trials)];
        for &t in &order[..k] {
            tail_per_block[t / BLOCK] += 1;
        }
        // Exact only if each part's tail years are among its candidates.
        for p in &parts {
            let in_part: i128 = tail_per_block[p.blocks.clone()].iter().sum();
            if in_part > p.candidates as i128 {
                return Err(Error::Inconsistent {
                    model: "merge",
                    message: format!(
                        "the part for blocks {}..{} holds {in_part} of the run's tail years but \
                         replayed its {} largest only: far beyond its expected share (odds \
                         below 1e-14); rerun the run unsharded or in fewer shards",
                        p.blocks.start, p.blocks.end, p.candidates
                    ),
                });
            }
        }
        let errors = BatchErrors {
            trials,
            tail: k,
            level: config.tvar_level,
            var_over_tvar: var_cents as f64 * k as f64 / tail_cents.max(1) as f64,
            tail_per_block: &tail_per_block,
        };
        let mut first_peril = 0;
        let peril_start: Vec<usize> = self
            .spec
            .policies
            .iter()
            .map(|p| {
                first_peril += p.perils.len();
                first_peril - p.perils.len()
            })
            .collect();
        // Per policy: mean and co-TVaR (its payments in the run's tail years), with their
        // batch-means standard errors.
        let policies = map_indices(n, config.simulation.threads, &|i| {
            let own = &peril_totals[peril_start[i]..][..self.spec.policies[i].perils.len()];
            let mut sums = vec![0i128; batches];
            let mut in_tail = vec![0i128; tail_per_block.len()];
            let mut shock_sum = 0i128;
            for p in &parts {
                for (s, &x) in sums.iter_mut().zip(&p.batch_sums[i * batches..][..batches]) {
                    *s += i128::from(x);
                }
                let own = &p.policies[i];
                shock_sum += i128::from(own.shock_sum);
                for &(t, x) in &own.tail {
                    if tail[t as usize] {
                        in_tail[t as usize / BLOCK] += i128::from(x);
                    }
                }
            }
            let per_year = |c: i128| c as f64 / 100.0 / trials as f64;
            let sum = own.iter().map(|&c| i128::from(c)).sum::<i128>() + shock_sum;
            let (mean_std_error, allocated_tvar_std_error) = errors.of(&sums, &in_tail);
            PolicyResult {
                id: self.spec.policies[i].id.clone(),
                mean: per_year(sum),
                mean_std_error,
                peril_means: own.iter().map(|&c| per_year(i128::from(c))).collect(),
                shock_mean: per_year(shock_sum),
                per_risk_ceded: per_year(i128::from(ceded_totals[i])),
                allocated_tvar: in_tail.iter().sum::<i128>() as f64 / 100.0 / k as f64,
                allocated_tvar_std_error,
            }
        })?;
        let totals = to_yuan(&total_cents);
        let per_risk = to_yuan(&concat(&mut parts, &|p| &mut p.per_risk));
        let occurrences = to_yuan(&concat(&mut parts, &|p| &mut p.occurrences));
        let shocks = to_yuan(&concat(&mut parts, &|p| &mut p.shocks));
        let groups = (0..parts[0].groups.len())
            .map(|gi| {
                let rows = concat(&mut parts, &|p| &mut p.groups[gi]);
                (self.groups[gi].clone(), to_yuan(&rows))
            })
            .collect();
        let permutations = parts[0].permutations.as_ref().map(|_| {
            (0..self.groups.len())
                .map(|gi| {
                    parts
                        .iter()
                        .flat_map(|p| {
                            let start = (p.blocks.start * BLOCK) as u32;
                            let perms = p.permutations.as_ref().map_or(&[][..], |v| &v[gi]);
                            perms.iter().map(move |&t| t + start)
                        })
                        .collect()
                })
                .collect()
        });
        Ok(PortfolioRun {
            // The policies' mean batches, for the jackknife of the standard deviation.
            losses: SimulatedLosses::from_values(&totals, batch, config.simulation.threads),
            per_risk_recoveries: per_risk,
            occurrences,
            // Kept per group under a copula only (`Portfolio::rows`).
            groups,
            shocks,
            totals,
            tvar_level: config.tvar_level,
            tail_trials: k,
            tvar: tail_cents as f64 / 100.0 / k as f64,
            policies,
            permutations,
            events: parts
                .iter()
                .flat_map(|p| p.events.iter().copied())
                .collect(),
        })
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
