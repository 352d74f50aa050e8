//! The checks a merge makes of a part before it trusts a number of it.

use super::super::Portfolio;
use super::super::batches::BLOCK;
use super::super::cents::{MAX_CENTS, check_cents};
use super::{FORMAT, PortfolioPart};
use crate::error::Result;
use crate::simulation::check_header;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

impl PortfolioPart {
    /// Checks the part against `book` and the run: its format and version, every length,
    /// that every sum is a payment in 0..[`MAX_CENTS`] 分 (a sum over years: ≥ 0), that each
    /// block's copula moves are a permutation of the block, and that every trial it names
    /// lies in its own range. A part of another book or a crafted or damaged file gives an
    /// error, never a wrong result.
    pub(in crate::portfolio) fn check(
        &self,
        book: &Portfolio,
        trials: usize,
        batches: usize,
    ) -> Result<()> {
        check_header(FORMAT, &self.format, self.version)?;
        // A year beyond 2^53 分 is the engine's saturation: the error that explains it.
        check_cents(&self.totals, MAX_CENTS)?;
        let first = (self.blocks.start * BLOCK).min(trials);
        let years = (self.blocks.end * BLOCK).min(trials) - first;
        let own = first..first + years;
        let n = book.spec.policies.len();
        let perils: usize = book.spec.policies.iter().map(|p| p.perils.len()).sum();
        let groups = book.groups.len() * usize::from(book.spec.dependence.is_some());
        let payment = |v: &[i64]| v.iter().all(|&c| (0..MAX_CENTS).contains(&c));
        let per_year = |v: &[i64]| v.len() == years && payment(v);
        let shape = self.trials as usize == trials
            && [&self.totals, &self.occurrences, &self.shocks]
                .iter()
                .all(|v| per_year(v))
            && (self.per_risk.is_empty() || per_year(&self.per_risk))
            && self.groups.len() == groups
            && self.groups.iter().all(|v| per_year(v))
            && self.permutations.as_ref().is_none_or(|p| {
                p.len() == book.groups.len() && p.iter().all(|v| moves_within_blocks(v, years))
            })
            && self.candidates <= years
            && self.peril_totals.len() == perils
            && self.ceded.len() == n
            && self.batch_sums.len() == n * batches
            && [&self.peril_totals, &self.ceded, &self.batch_sums]
                .iter()
                .all(|v| v.iter().all(|&c| c >= 0))
            && self.policies.len() == n
            && self.policies.iter().all(|p| {
                p.shock_sum >= 0
                    && p.tail
                        .iter()
                        .all(|&(t, c)| own.contains(&(t as usize)) && (0..MAX_CENTS).contains(&c))
            })
            && self.events.iter().all(|&(t, s, x)| {
                own.contains(&t) && s < book.spec.shocks.len() && x.is_finite() && x >= 0.0
            });
        // Sums over years that reached i64::MAX: the saturation error that explains it.
        if shape {
            for sums in [&self.peril_totals, &self.ceded, &self.batch_sums] {
                check_cents(sums, i64::MAX)?;
            }
        }
        if shape && self.balances(first) {
            Ok(())
        } else {
            Err(self.refused(
                "does not fit this book and run (damaged, crafted, or made from another book)"
                    .into(),
            ))
        }
    }
}

impl PortfolioPart {
    /// Whether the part's integer sums agree as the engine makes them: the years' totals add
    /// up to the policies' peril and systemic sums and to their batch sums, the systemic
    /// payments and per-risk recoveries to the policies' own, each year's groups and
    /// systemic payments to its total, no occurrence above its year's total, and the
    /// policies' payments in each tail year they name to that year's total. (A crafted part
    /// would have to change many numbers consistently, and then holds a possible run.)
    fn balances(&self, first: usize) -> bool {
        let sum = |v: &[i64]| v.iter().map(|&x| i128::from(x)).sum::<i128>();
        let shock_sums: i128 = self.policies.iter().map(|p| i128::from(p.shock_sum)).sum();
        let all = sum(&self.totals);
        let mut in_tail = HashMap::with_hasher(BuildHasherDefault::<YearHasher>::default());
        for p in &self.policies {
            for &(t, c) in &p.tail {
                *in_tail.entry(t as usize - first).or_insert(0i128) += i128::from(c);
            }
        }
        all == sum(&self.peril_totals) + shock_sums
            && all == sum(&self.batch_sums)
            && sum(&self.shocks) == shock_sums
            && (self.per_risk.is_empty() || sum(&self.per_risk) == sum(&self.ceded))
            && (self.groups.is_empty()
                || (0..self.totals.len()).all(|t| {
                    let groups: i128 = self.groups.iter().map(|g| i128::from(g[t])).sum();
                    groups + i128::from(self.shocks[t]) == i128::from(self.totals[t])
                }))
            && self
                .occurrences
                .iter()
                .zip(&self.totals)
                .all(|(o, t)| o <= t)
            && in_tail
                .iter()
                .all(|(&t, &c)| c == i128::from(self.totals[t]))
    }
}

/// Hashes a year (a `usize`) by one multiplication (Fibonacci hashing): the tail's check
/// looks a year up once per policy payment in it, hundreds of thousands of times.
#[derive(Default)]
struct YearHasher(u64);

impl Hasher for YearHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, year: usize) {
        self.0 = (year as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

/// Whether `perm` (a part's copula moves over `years` years from the start of a block) maps
/// each block of [`BLOCK`] years onto itself one to one.
fn moves_within_blocks(perm: &[u32], years: usize) -> bool {
    let mut seen = vec![false; years];
    perm.len() == years
        && perm.iter().enumerate().all(|(t, &to)| {
            let to = to as usize;
            let fresh = to < years && to / BLOCK == t / BLOCK && !seen[to];
            if fresh {
                seen[to] = true;
            }
            fresh
        })
}
