//! The run's blocks of years and the standard errors they give.
//!
//! The copula reorders the trials block by block ([`BLOCK`] years each, its own stream per
//! block), so blocks are independent and any statistic's standard error follows from batch
//! means of its influence function over the blocks. Means use 32 batches of consecutive
//! years (a policy's own years are independent, the reorder does not matter to its mean).

use crate::dependence::{Copula, reorder};
use crate::error::Result;
use crate::simulation::{batch_rng, map_indices};

/// Years per copula block: ranks over 2,048 years carry the copula's dependence, and 10^5
/// years give 49 independent blocks for the standard errors.
pub const BLOCK: usize = 2048;

/// Blocks of a run of `trials` years (the last may be shorter).
pub(super) fn blocks(trials: usize) -> usize {
    trials.div_ceil(BLOCK).max(1)
}

/// Years per batch for the standard error of a mean over `trials` years: about 32 batches of
/// consecutive years (batch of year t = ⌊t / size⌋).
pub(super) fn mean_batch_size(trials: usize) -> usize {
    trials.div_ceil(32).max(1)
}

/// The blocks overlapping `trials` with their trial ranges (clipped to `trials`).
pub(super) fn block_ranges(
    trials: std::ops::Range<usize>,
) -> impl Iterator<Item = (usize, std::ops::Range<usize>)> {
    (trials.start / BLOCK..trials.end.div_ceil(BLOCK)).map(move |b| {
        (
            b,
            (b * BLOCK).max(trials.start)..((b + 1) * BLOCK).min(trials.end),
        )
    })
}

/// Reorders each group's trials by the copula, block by block (in parallel, block
/// `first_block + b` from its own stream `stream − first_block − b`), and returns the
/// permutation applied (`perm[g][trial] = new trial`, within the trial's block; indices
/// relative to the vectors' start, which is the start of block `first_block`).
pub(super) fn reorder_blocks(
    by_group: &mut [Vec<f64>],
    copula: &Copula,
    (seed, stream, first_block): (u64, u64, usize),
    threads: Option<usize>,
) -> Result<Vec<Vec<u32>>> {
    let trials = by_group.first().map_or(0, Vec::len);
    let parts = map_indices(blocks(trials), threads, &|b| {
        let range = b * BLOCK..((b + 1) * BLOCK).min(trials);
        let mut part: Vec<Vec<f64>> = by_group.iter().map(|v| v[range.clone()].to_vec()).collect();
        let mut rng = batch_rng(seed, stream - (first_block + b) as u64);
        reorder(&mut part, copula, &mut rng).map(|perms| (part, perms))
    })?;
    let mut perms = vec![Vec::with_capacity(trials); by_group.len()];
    for (b, part) in parts.into_iter().enumerate() {
        let (values, block_perms) = part?;
        let start = b * BLOCK;
        for (g, (v, p)) in values.into_iter().zip(block_perms).enumerate() {
            by_group[g][start..start + v.len()].copy_from_slice(&v);
            perms[g].extend(p.into_iter().map(|t| t + start as u32));
        }
    }
    Ok(perms)
}

/// Standard error of a sum of per-batch influence totals U_b (Σ U_b ≈ 0): √(B/(B−1)·Σ(U_b −
/// Ū)²), divided by `scale`; 0 with fewer than two batches.
pub(super) fn batch_error(totals: impl ExactSizeIterator<Item = f64> + Clone, scale: f64) -> f64 {
    let b = totals.len() as f64;
    if b < 2.0 {
        return 0.0;
    }
    let mean = totals.clone().sum::<f64>() / b;
    let ss: f64 = totals.map(|u| (u - mean).powi(2)).sum();
    (b / (b - 1.0) * ss).sqrt() / scale
}

/// What every policy's standard errors are computed from.
pub(super) struct BatchErrors<'a> {
    pub trials: usize,
    /// Tail years k.
    pub tail: usize,
    /// TVaR level α.
    pub level: f64,
    /// VaR / TVaR of the portfolio.
    pub var_over_tvar: f64,
    /// Tail years in each block, k_b.
    pub tail_per_block: &'a [i128],
}

impl BatchErrors<'_> {
    /// (SE of the mean, SE of the co-TVaR) in 元 from a policy's per-batch sums M_j (32
    /// batches of n_j years) and per-block tail sums T_b (blocks of n_b years with k_b tail
    /// years), all in 分:
    ///
    /// ```text
    /// m = ΣM_j / n,   U_j = M_j − m·n_j
    /// c = ΣT_b / k,   U_b = (T_b − a·k_b)/(1 − α) + n_b·(a − c),   a ≈ c·VaR/TVaR
    /// SE = √(B/(B−1)·Σ(U − Ū)²) / n
    /// ```
    /// U_b is the block total of co-TVaR's influence function
    /// ((X − a)·1{S > VaR}/(1 − α) + a − c, Manistre & Hancock 2005, a = E\[X | S = VaR\]).
    pub(super) fn of(&self, sums: &[i128], tail_sums: &[i128]) -> (f64, f64) {
        let n = self.trials as f64;
        // Years in batch j of `size` years.
        let years =
            |j: usize, size: usize| ((j + 1) * size).min(self.trials) as f64 - (j * size) as f64;
        let size = mean_batch_size(self.trials);
        let mean = sums.iter().sum::<i128>() as f64 / n;
        let m = sums
            .iter()
            .enumerate()
            .map(|(j, &s)| s as f64 - mean * years(j, size));
        let alloc = tail_sums.iter().sum::<i128>() as f64 / self.tail as f64;
        let a = alloc * self.var_over_tvar;
        let c = tail_sums
            .iter()
            .zip(self.tail_per_block)
            .enumerate()
            .map(|(b, (&t, &k))| {
                (t as f64 - a * k as f64) / (1.0 - self.level) + years(b, BLOCK) * (a - alloc)
            });
        (batch_error(m, n * 100.0), batch_error(c, n * 100.0))
    }
}
