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

/// A block's share of the range's rows of per-year sums (分), one slice of the block's years
/// per row: payments, the largest payment (merged by maximum), and per-risk recoveries
/// (empty slices without a treaty).
pub(super) struct BlockRows<'a> {
    pub sums: Vec<&'a mut [i64]>,
    pub largest: Vec<&'a mut [i64]>,
    pub ceded: Vec<&'a mut [i64]>,
}

impl<'a> BlockRows<'a> {
    /// The blocks' shares of `rows` rows of `m` years each (row r at r × m) of the three
    /// vectors (`ceded` may be empty), block b covering years b × `block` onwards: each
    /// block writes its own years in place, and no block sees another's.
    pub(super) fn split(
        (sums, largest, ceded): (&'a mut [i64], &'a mut [i64], &'a mut [i64]),
        rows: usize,
        block: usize,
    ) -> Vec<Self> {
        let m = sums.len() / rows.max(1);
        let blocks = m.div_ceil(block);
        let mut out: Vec<Self> = (0..blocks)
            .map(|_| Self {
                sums: Vec::with_capacity(rows),
                largest: Vec::with_capacity(rows),
                ceded: Vec::with_capacity(rows),
            })
            .collect();
        let deal =
            |v: &'a mut [i64], pick: fn(&mut Self) -> &mut Vec<&'a mut [i64]>, out: &mut [Self]| {
                for row in v.chunks_mut(m.max(1)) {
                    for (b, years) in row.chunks_mut(block).enumerate() {
                        pick(&mut out[b]).push(years);
                    }
                }
            };
        deal(sums, |b| &mut b.sums, &mut out);
        deal(largest, |b| &mut b.largest, &mut out);
        if ceded.is_empty() {
            for b in &mut out {
                b.ceded = (0..rows).map(|_| &mut [][..]).collect();
            }
        } else {
            deal(ceded, |b| &mut b.ceded, &mut out);
        }
        out
    }
}

/// `len` zeros whose pages this thread has already touched. Zeros from the allocator are
/// fresh pages mapped at their first write; when the workers take those faults while they
/// draw, the first stage of 1,000 covers × 10⁶ years takes about 10% longer on two threads
/// than with the 16 MB touched here first (about 6 ms).
pub(super) fn faulted_zeros(len: usize) -> Vec<i64> {
    let mut v = vec![0i64; len];
    // One write a 4 KiB page (512 values); `black_box` keeps the zeros from being elided.
    for x in v.iter_mut().step_by(512) {
        *x = std::hint::black_box(0);
    }
    v
}

/// Moves `values[t]` to `values[perm[t]]` (a copula reorder).
pub(super) fn permute(values: &mut [i64], perm: &[u32]) {
    let old = values.to_vec();
    for (t, &p) in perm.iter().enumerate() {
        values[p as usize] = old[t];
    }
}
