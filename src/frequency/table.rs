//! Inversion sampling from a precomputed cumulative table.

use rand::{Rng, RngExt};

/// Largest number of table entries kept per distribution; beyond this a family uses its own
/// sampler for large means.
pub const TABLE_LIMIT: usize = 4096;

/// Width of the branch-free head of the table.
const HEAD: usize = 8;

/// Cumulative probabilities P(N ≤ k) for k = 0..len, until the remaining tail is negligible.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct InverseTable {
    /// The first `HEAD` cumulative probabilities, padded with 2.0 (never ≤ a uniform).
    head: [f64; HEAD],
    /// P(N = 0) ≥ 0.9: test for zero first (a well-predicted branch).
    mostly_zero: bool,
    cdf: Vec<f64>,
}

impl InverseTable {
    /// Builds the table from `pmf`, stopping once past `mean` with pₖ < 1e-18 (the remaining
    /// mass is then far below the 2⁻⁵³ resolution of a uniform draw). Returns `None` when the
    /// distribution needs more than [`TABLE_LIMIT`] entries.
    pub(crate) fn build(pmf: impl Fn(u64) -> f64, mean: f64) -> Option<Self> {
        let mut cdf = Vec::new();
        let mut acc = 0.0;
        for k in 0..TABLE_LIMIT as u64 {
            let p = pmf(k);
            acc += p;
            cdf.push(acc.min(1.0));
            if (k as f64) > mean && p < 1e-18 {
                let mut head = [2.0; HEAD];
                for (h, c) in head.iter_mut().zip(&cdf) {
                    *h = *c;
                }
                return Some(Self {
                    head,
                    mostly_zero: cdf[0] >= 0.9,
                    cdf,
                });
            }
        }
        None
    }

    /// The count for a uniform `u` in [0, 1), or `None` if `u` lies in the untabulated tail.
    #[inline(always)]
    pub(crate) fn lookup(&self, u: f64) -> Option<u64> {
        // For very small means zero claims is nearly certain: one predictable comparison.
        // (For moderate means the branch would mispredict, so the count below is used.)
        if self.mostly_zero && u < self.head[0] {
            return Some(0);
        }
        // Branch-free count of head entries ≤ u: the answer whenever it is < HEAD, which for
        // small means is almost always.
        let k = self
            .head
            .iter()
            .map(|&c| usize::from(c <= u))
            .sum::<usize>();
        if k < HEAD && k < self.cdf.len() {
            return Some(k as u64);
        }
        let k = HEAD.min(self.cdf.len())
            + self.cdf[HEAD.min(self.cdf.len())..].partition_point(|&c| c <= u);
        (k < self.cdf.len()).then_some(k as u64)
    }

    /// Draws with the table; in the untabulated tail (probability < 1e-15) continues the
    /// inversion term by term with `pmf`.
    #[inline(always)]
    pub(crate) fn sample<R: Rng + ?Sized>(&self, rng: &mut R, pmf: impl Fn(u64) -> f64) -> u64 {
        self.invert(rng.random(), pmf)
    }

    /// The count at the uniform `u` in \[0, 1): the table, then (beyond it, probability
    /// < 1e-15) the inversion continued term by term with `pmf`.
    #[inline(always)]
    pub(crate) fn invert(&self, u: f64, pmf: impl Fn(u64) -> f64) -> u64 {
        self.lookup(u)
            .unwrap_or_else(|| self.continue_from_tail(u, pmf))
    }

    /// Draws from N | N ≥ 1 by inverting the table from P(N = 0) upwards: u = p₀ + (1 − p₀)·U.
    #[inline]
    pub(crate) fn sample_positive<R: Rng + ?Sized>(
        &self,
        rng: &mut R,
        pmf: impl Fn(u64) -> f64,
    ) -> u64 {
        let p0 = self.cdf[0];
        if p0 >= 1.0 {
            return 0;
        }
        let v: f64 = rng.random();
        let u = p0 + (1.0 - p0) * v;
        match self.lookup(u) {
            Some(0) => 1,
            Some(k) => k,
            None => self.continue_from_tail(u, pmf),
        }
    }

    #[cold]
    fn continue_from_tail(&self, u: f64, pmf: impl Fn(u64) -> f64) -> u64 {
        let mut k = self.cdf.len() as u64;
        let mut acc = self.cdf.last().copied().unwrap_or(0.0);
        loop {
            let p = pmf(k);
            acc += p;
            // Stop when the uniform is passed, or when the remaining mass underflows.
            if u < acc || (p == 0.0 && k > 2 * self.cdf.len() as u64) {
                return k;
            }
            k += 1;
        }
    }
}
