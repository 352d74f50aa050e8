//! The book's Poisson perils as one stream of claims.
//!
//! Independent Poisson processes superpose: the claims of perils with rates λ₁ … λₖ are one
//! Poisson(Λ = Σλ) count a year, each claim the peril p's with probability λₚ/Λ,
//! independently (thinning). So a year costs one count, and a claim one pick from a Vose
//! alias table and the peril's own claim payment: the cost follows the number of claims, not
//! policies × years.
//!
//! The draws are counter-based. Year t has the key kₜ = splitmix64(s + t·γ), s from the seed;
//! word i of its stream is [`counter`]`(kₜ, i)`. Word 0 gives the year's count (by
//! inversion), words 2j + 1 and 2j + 2 claim j's peril and size. Any claim is thus a pure
//! function of (seed, year, j): a year can be regenerated alone (the co-TVaR replay), and the
//! claims are drawn in batches across years ([`super::batch`]) with the same bits.

use super::batch::{Batch, Samplers};
use super::layout::BlockRows;
use super::{Portfolio, PortfolioConfig, PortfolioSpec};
use crate::error::Result;
use crate::frequency::{Frequency, Poisson};
use crate::numerics::alias_table;
use crate::numerics::kernels::{CodePath, GAMMA, counter, splitmix64, unit};
use crate::perils::PerilModel;
use crate::simulation::claims::ClaimBatches;
use crate::simulation::map_indices;
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;
use serde::{Deserialize, Serialize};
use std::ops::Range;

/// How a portfolio run draws the claims of its Poisson perils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// All Poisson perils of the book superposed (one Poisson(Σλ) count of claims a year,
    /// each claim's peril drawn by rate); perils with at most one event a year or another
    /// count keep their own streams. The fastest; adding a Poisson peril to the book changes
    /// every superposed draw.
    #[default]
    Superposition,
    /// Every peril its own stream of event years (common random numbers): adding or removing
    /// a policy leaves every other policy's draws unchanged, for marginal analyses.
    Streams,
}

/// The superposed perils of a book: which they are, the alias table, the samplers and the
/// count.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Superposition {
    /// (policy, book-wide peril index) of each superposed peril, in book order.
    pairs: Vec<(u32, u32)>,
    /// Their claim samplers, side by side.
    samplers: Samplers,
    /// Vose alias table over the pairs by rate: (probability of keeping the drawn pair, its
    /// alias).
    table: Vec<(f64, u32)>,
    /// Claims a year, Poisson(Λ); `None` when no peril has a positive rate.
    count: Option<Poisson>,
}

const STREAM_CLAIMS: u64 = 0xD1B5_4A32_D192_ED03;

impl Superposition {
    pub(super) fn new(spec: &PortfolioSpec) -> Self {
        let mut pairs = Vec::new();
        let mut perils = Vec::new();
        let mut rates = Vec::new();
        let mut index = 0;
        for (i, policy) in spec.policies.iter().enumerate() {
            for peril in &policy.perils {
                index += 1;
                if let Some(rate) = peril.poisson_rate().filter(|&r| r > 0.0) {
                    pairs.push((i as u32, index - 1));
                    perils.push(peril);
                    rates.push(rate);
                }
            }
        }
        // No table (no peril, or rates beyond the largest float): every peril keeps its own
        // stream (`takes` is false without a count).
        let total: f64 = rates.iter().sum();
        let table = alias_table(&rates).unwrap_or_default();
        Self {
            count: Poisson::new(total).ok().filter(|_| !table.is_empty()),
            table,
            pairs,
            samplers: Samplers::new(perils),
        }
    }

    /// Whether `peril` is drawn from the superposed stream (else from its own: also when the
    /// book's total rate has no Poisson count, e.g. beyond the largest float).
    pub(super) fn takes(&self, engine: Engine, peril: &PerilModel) -> bool {
        engine == Engine::Superposition
            && self.count.is_some()
            && peril.poisson_rate().is_some_and(|r| r > 0.0)
    }

    /// Whether any peril is superposed.
    pub(super) fn is_empty(&self) -> bool {
        self.count.is_none()
    }

    /// (policy, book-wide peril index) of superposed peril `k`.
    #[inline(always)]
    pub(super) fn pair(&self, k: u32) -> (usize, usize) {
        let (i, j) = self.pairs[k as usize];
        (i as usize, j as usize)
    }

    /// Calls `visit(year, perils, payments)` with the superposed claims of `years`, in year
    /// order and, within a year, in the order drawn (each claim is one occurrence, for the
    /// per-risk treaty and the largest occurrence): `perils[c]` is claim c's superposed
    /// peril ([`pair`](Self::pair)), `payments[c]` its payment in 分. A year may come in
    /// more than one call (a batch boundary); a year without claims in none.
    pub(super) fn claims(
        &self,
        seed: u64,
        years: impl IntoIterator<Item = usize>,
        path: CodePath,
        mut visit: impl FnMut(usize, &[u32], &[i64]),
    ) {
        let Some(count) = &self.count else { return };
        let start = splitmix64(seed ^ STREAM_CLAIMS);
        let mut batch = Batch::new();
        let mut flush = |inputs: &[u64], ends: &[(usize, usize)]| {
            batch.draw(inputs, &self.table, &self.samplers, path);
            let mut from = 0;
            for &(t, end) in ends {
                visit(t, &batch.pick[from..end], &batch.cents[from..end]);
                from = end;
            }
        };
        let mut batches = ClaimBatches::default();
        for t in years {
            let key = splitmix64(start.wrapping_add((t as u64).wrapping_mul(GAMMA)));
            let word = counter(key, 0);
            let n = count.invert(unit(word), || SplitMix64::seed_from_u64(word));
            // Claim j's words are 2j + 1 (its peril) and 2j + 2 (its size).
            let (first, step) = (key.wrapping_add(GAMMA), GAMMA.wrapping_mul(2));
            batches.push(t, first, step, n, &mut flush);
        }
        batches.finish(&mut flush);
    }

    /// The superposed payments of a block of `years` for a book with one row and no treaty:
    /// each year's total and largest payment (分) into row 0 of `rows` (year y at
    /// y − `years.start`), and each peril's into `sums` at `b` × `count` + its book-wide
    /// index, b = `batch_of`\[y − `years.start`\] (its mean batch). Summed by superposed
    /// peril and put in place when the batch changes (no book-wide index looked up per claim).
    pub(super) fn plain_rows(
        &self,
        seed: u64,
        years: Range<usize>,
        path: CodePath,
        batch_of: &[u8],
        (sums, count): (&mut [i64], usize),
        rows: &mut BlockRows,
    ) {
        let add = |slot: &mut i64, x: i64| *slot = slot.saturating_add(x);
        let (mut by_peril, mut current) = (vec![0i64; self.pairs.len()], batch_of[0]);
        let mut put = |by_peril: &mut [i64], b: u8| {
            let sums = &mut sums[usize::from(b) * count..][..count];
            for (x, &(_, p)) in by_peril.iter_mut().zip(&self.pairs) {
                add(&mut sums[p as usize], std::mem::take(x));
            }
        };
        let first = years.start;
        self.claims(seed, years, path, |t, picks, cents| {
            let y = t - first;
            if batch_of[y] != current {
                put(&mut by_peril, current);
                current = batch_of[y];
            }
            let (mut total, mut top) = (0i64, 0i64);
            for (&k, &x) in picks.iter().zip(cents) {
                add(&mut by_peril[k as usize], x);
                total = total.saturating_add(x);
                top = top.max(x);
            }
            add(&mut rows.sums[0][y], total);
            rows.largest[0][y] = rows.largest[0][y].max(top);
        });
        put(&mut by_peril, current);
    }
}

impl Portfolio {
    /// Per policy, its superposed payments (trial of the run, 分) in the candidate tail years
    /// of the range starting at trial `start` (`candidate[t]`, after the copula's moves
    /// `perms`, per group): only the years that move into a candidate year are regenerated.
    pub(super) fn superposed_tails(
        &self,
        config: &PortfolioConfig,
        start: usize,
        candidate: &[bool],
        perms: Option<&Vec<Vec<u32>>>,
    ) -> Result<Vec<Vec<(u32, i64)>>> {
        let n = self.spec.policies.len();
        let mut tails = vec![Vec::new(); n];
        if config.engine != Engine::Superposition || self.superposition.is_empty() {
            return Ok(tails);
        }
        let needed: Vec<usize> = match perms {
            None => (0..candidate.len()).filter(|&t| candidate[t]).collect(),
            Some(perms) => {
                let mut needed = vec![false; candidate.len()];
                for perm in perms {
                    for (t, &moved) in perm.iter().enumerate() {
                        needed[t] |= candidate[moved as usize];
                    }
                }
                (0..candidate.len()).filter(|&t| needed[t]).collect()
            }
        };
        let found = self.superposed_claims(config, start, &needed, |i, t| {
            let moved = perms.map_or(t, |p| p[self.group_of[i]][t] as usize);
            candidate[moved].then_some(moved)
        })?;
        // Each policy's tail sized once (no regrowth), then filled chunk by chunk.
        let mut count = vec![0usize; n];
        for &(i, ..) in found.iter().flatten() {
            count[i] += 1;
        }
        for (tail, &c) in tails.iter_mut().zip(&count) {
            tail.reserve_exact(c);
        }
        for &(i, t, x) in found.iter().flatten() {
            tails[i].push(((start + t) as u32, x));
        }
        Ok(tails)
    }

    /// The superposed payments (policy, moved year, 分) in the years `years` (relative to
    /// trial `start`) that `keep(policy, year)` moves to a year it returns, in year order
    /// chunk after chunk (the years regenerated in parallel, chunk by chunk; the chunks'
    /// lists are not copied into one).
    pub(super) fn superposed_claims(
        &self,
        config: &PortfolioConfig,
        start: usize,
        years: &[usize],
        keep: impl Fn(usize, usize) -> Option<usize> + Sync,
    ) -> Result<Vec<Vec<(usize, usize, i64)>>> {
        let chunk = 256;
        let (seed, threads) = (config.simulation.seed, config.simulation.threads);
        let (sp, path) = (&self.superposition, config.simulation.code_path);
        let per_year = self.superposition.count.as_ref().map_or(0.0, |c| c.mean());
        map_indices(years.len().div_ceil(chunk), threads, &|c| {
            let mine = &years[c * chunk..((c + 1) * chunk).min(years.len())];
            // Room for the claims expected (no regrowth, as a rule).
            let mut found = Vec::with_capacity((mine.len() as f64 * per_year * 1.1) as usize);
            sp.claims(
                seed,
                mine.iter().map(|&t| start + t),
                path,
                |t, picks, cents| {
                    for (&k, &x) in picks.iter().zip(cents) {
                        let i = sp.pair(k).0;
                        if let Some(moved) = keep(i, t - start) {
                            found.push((i, moved, x));
                        }
                    }
                },
            );
            found
        })
    }
}
