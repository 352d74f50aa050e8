//! Where the main pass of a run keeps its integer 分 sums, in one vector per worker.

use super::Portfolio;

/// Offsets into the accumulator: `g·trials` group sums per trial, then (with a per-risk
/// treaty) `g·trials` per-risk recoveries per trial, `g·trials` largest payments per trial
/// (merged by maximum, not sum), one total per peril of each policy,
/// one recovery total per policy, and `batches` sums per policy for its standard error.
pub(super) struct Layout {
    /// Start of the per-risk recoveries by group and trial.
    pub ceded_by_group: usize,
    /// The largest payments by group and trial.
    pub occurrence: std::ops::Range<usize>,
    /// Per policy, the slot of its first peril's total.
    pub perils: Vec<usize>,
    /// Start of the per-policy recovery totals.
    pub ceded: usize,
    /// Start of the per-policy, per-batch sums.
    pub batch_sums: usize,
    /// Length of the accumulator.
    pub len: usize,
}

impl Layout {
    pub(super) fn new(book: &Portfolio, trials: usize, batches: usize) -> Self {
        let g = book.rows();
        let n = book.spec.policies.len();
        let ceded_by_group = g * trials;
        let with_treaty = !book.spec.per_risk_xol.is_empty();
        let start = ceded_by_group + if with_treaty { g * trials } else { 0 };
        let occurrence = start..start + g * trials;
        let mut next = occurrence.end;
        let perils = book
            .spec
            .policies
            .iter()
            .map(|p| {
                let start = next;
                next += p.perils.len();
                start
            })
            .collect();
        let ceded = next;
        let batch_sums = ceded + n;
        Self {
            ceded_by_group,
            occurrence,
            perils,
            ceded,
            batch_sums,
            len: batch_sums + n * batches,
        }
    }
}

/// Moves `values[t]` to `values[perm[t]]` (a copula reorder).
pub(super) fn permute(values: &mut [i64], perm: &[u32]) {
    let old = values.to_vec();
    for (t, &p) in perm.iter().enumerate() {
        values[p as usize] = old[t];
    }
}
