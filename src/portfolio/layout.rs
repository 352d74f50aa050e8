//! Where the main pass of a run keeps its integer 分 sums: per block of years, the block's
//! rows; per worker, the policies' sums.

use super::Portfolio;

/// Offsets into a worker's accumulator: per mean batch one sum per peril of every policy
/// (batch-major, so a block's writes stay within one or two batches' sums; the perils'
/// totals and the policies' batch sums both follow), then one per-risk recovery total per
/// policy.
pub(super) struct Layout {
    /// Per policy, the book-wide index of its first peril.
    pub perils: Vec<usize>,
    /// Perils in the book.
    pub count: usize,
    /// Start of the per-policy recovery totals.
    pub ceded: usize,
    /// Length of the accumulator.
    pub len: usize,
}

impl Layout {
    pub(super) fn new(book: &Portfolio, batches: usize) -> Self {
        let mut next = 0;
        let perils = book
            .spec
            .policies
            .iter()
            .map(|p| {
                next += p.perils.len();
                next - p.perils.len()
            })
            .collect();
        let ceded = next * batches;
        Self {
            perils,
            count: next,
            ceded,
            len: ceded + book.spec.policies.len(),
        }
    }

    /// The perils' totals and the policies' sums per batch (`i × batches + batch`) from an
    /// accumulator.
    pub(super) fn totals(&self, acc: &[i64], batches: usize) -> (Vec<i64>, Vec<i64>) {
        let by_batch = |p: usize| (0..batches).map(move |b| acc[b * self.count + p]);
        let sum = |a: i64, b: i64| a.saturating_add(b);
        let perils = (0..self.count).map(|p| by_batch(p).fold(0, sum)).collect();
        let mut policies = vec![0i64; self.perils.len() * batches];
        for (i, &first) in self.perils.iter().enumerate() {
            let last = self.perils.get(i + 1).copied().unwrap_or(self.count);
            for p in first..last {
                for (s, x) in policies[i * batches..][..batches]
                    .iter_mut()
                    .zip(by_batch(p))
                {
                    *s = s.saturating_add(x);
                }
            }
        }
        (perils, policies)
    }
}

/// A block's rows of per-year sums (分), `rows × years` each: payments, the largest
/// payment (merged by maximum), and per-risk recoveries (empty without a treaty).
pub(super) struct BlockRows {
    pub sums: Vec<i64>,
    pub largest: Vec<i64>,
    pub ceded: Vec<i64>,
}

/// Moves `values[t]` to `values[perm[t]]` (a copula reorder).
pub(super) fn permute(values: &mut [i64], perm: &[u32]) {
    let old = values.to_vec();
    for (t, &p) in perm.iter().enumerate() {
        values[p as usize] = old[t];
    }
}
