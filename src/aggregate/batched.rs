//! A lognormal cover's years drawn in batches, from counter words keyed by two draws of the
//! batch's generator (a pure function of (seed, batch), the same on every code path):
//! 1. the counts of a block of years: year i inverts the uniform of its word i on the
//!    count's first [`HEAD`] cumulative probabilities in a vector kernel, continuing term by
//!    term beyond them (a count with a large mean, whose head holds less than half its mass,
//!    is drawn from the generator instead, year by year);
//! 2. the claims, claim c of the batch z from [`Normals`] on word c, exp(μ + σz) and the
//!    claim terms in vector kernels;
//! 3. each year's claims told to the recorder and added in claim order, then the year.

use super::LossModel;
use super::tower::Recorder;
use crate::coverage::ClaimTerms;
use crate::frequency::Frequency;
use crate::numerics::kernels::{CodePath, GAMMA, Normals, exp, splitmix64, unit};
use crate::severity::Severity;
use crate::simulation::claims::CHUNK;
use pulp::{Simd, WithSimd};
use rand::RngExt;

/// Cumulative probabilities of the count compared with each year's uniform in the kernel.
const HEAD: usize = 8;

/// The first [`HEAD`] cumulative probabilities P(N ≤ k) (of N | N ≥ 1 when `positive`),
/// when they hold at least half the mass.
fn count_head(frequency: &impl Frequency, positive: bool) -> Option<[f64; HEAD]> {
    let p0 = frequency.pmf(0);
    let mut head = [0.0; HEAD];
    let mut acc = 0.0;
    for (k, h) in head.iter_mut().enumerate() {
        acc += frequency.pmf(k as u64);
        *h = if positive {
            ((acc - p0) / (1.0 - p0)).max(0.0)
        } else {
            acc
        }
        .min(1.0);
    }
    (head[HEAD - 1] >= 0.5 && (!positive || p0 < 1.0)).then_some(head)
}

impl<F: Frequency, S: Severity> LossModel<F, S> {
    /// [`fill`](Self::fill) for a lognormal severity (μ, σ) = `lognormal`: each claim is
    /// told to `recorder` and each year ended in the scalar order (a year's claims, then the
    /// year), so a tower's cessions are the same as one claim at a time would give.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn fill_lognormal<const PLAIN: bool, R: Recorder>(
        &self,
        (mu, sigma): (f64, f64),
        rng: &mut crate::rand::Xoshiro256PlusPlus,
        trials: u64,
        conditional: bool,
        values: &mut Vec<f64>,
        recorder: &mut R,
        path: CodePath,
    ) {
        let (claim_key, count_key): (u64, u64) = (rng.random(), rng.random());
        let head = count_head(&self.frequency, conditional);
        let from = values.len();
        values.resize(from + trials as usize, 0.0);
        let sums = &mut values[from..];
        let (mut normals, mut x) = (Normals::default(), vec![0.0; CHUNK]);
        let mut inputs = Vec::with_capacity(CHUNK);
        let (mut marks, mut starts) = (vec![0u32; CHUNK], Vec::with_capacity(CHUNK));
        let (mut counts, mut first) = (vec![0u64; CHUNK], claim_key);
        for block in (0..trials as usize).step_by(CHUNK) {
            let counts = &mut counts[..CHUNK.min(trials as usize - block)];
            match &head {
                Some(head) => {
                    let words = (count_key, block);
                    self.counts_from_words(head, conditional, words, counts, path);
                }
                None => counts.iter_mut().for_each(|n| {
                    *n = if conditional {
                        self.frequency.sample_positive(rng)
                    } else {
                        self.frequency.sample(rng)
                    }
                }),
            }
            let sums = &mut sums[block..block + counts.len()];
            // Year `year` of the block has `left` claims still to come.
            let (mut year, mut left) = (0, counts[0]);
            // Without a recorder: the year of each claim from where each year starts.
            starts.clear();
            let mut total = 0;
            for &n in counts.iter() {
                if !R::ACTIVE {
                    starts.push(total);
                }
                total += n;
            }
            let (mut next, mut claim_year) = (0, usize::MAX);
            let mut done = 0;
            while done < total {
                let len = CHUNK.min((total - done) as usize);
                let start = first.wrapping_add(done.wrapping_mul(GAMMA));
                inputs.resize(len, 0);
                path.run(Words(start, &mut inputs));
                let x = &mut x[..len];
                normals.fill(&inputs, 0, x, path);
                path.run(Pay::<PLAIN> {
                    terms: self.claim_terms,
                    mu,
                    sigma,
                    x,
                });
                if !R::ACTIVE {
                    // marks[c]: the years starting at claim c; a year's claims are added in
                    // claim order, as one claim at a time would, with no branch per year.
                    let end = done + len as u64;
                    marks[..len].fill(0);
                    while next < starts.len() && starts[next] < end {
                        marks[(starts[next] - done) as usize] += 1;
                        next += 1;
                    }
                    claim_year = path.run(ByYear {
                        marks: &marks[..len],
                        x,
                        sums,
                        year: claim_year,
                    });
                    done = end;
                    continue;
                }
                let mut from = 0;
                while from < len {
                    while left == 0 {
                        recorder.year(sums[year]);
                        year += 1;
                        left = counts[year];
                    }
                    let to = len.min(from + left as usize);
                    // Added in claim order, as one claim at a time would.
                    let mut sum = sums[year];
                    for &y in &x[from..to] {
                        recorder.claim(y);
                        sum += y;
                    }
                    sums[year] = sum;
                    left -= (to - from) as u64;
                    from = to;
                }
                done += len as u64;
            }
            if R::ACTIVE {
                for &s in &sums[year..] {
                    recorder.year(s);
                }
            }
            first = first.wrapping_add(total.wrapping_mul(GAMMA));
        }
        if !PLAIN {
            sums.iter_mut()
                .for_each(|s| *s = self.aggregate_terms.apply(*s));
        }
    }

    /// The counts of years `first..first + counts.len()` by inversion of the uniforms of
    /// `key`'s words on `head`, continued with the pmf beyond it (of N | N ≥ 1 when
    /// `positive`).
    fn counts_from_words(
        &self,
        head: &[f64; HEAD],
        positive: bool,
        (key, first): (u64, usize),
        counts: &mut [u64],
        path: CodePath,
    ) {
        let start = key.wrapping_add((first as u64).wrapping_mul(GAMMA));
        path.run(Counts {
            head,
            start,
            counts,
        });
        let p0 = if positive { self.frequency.pmf(0) } else { 0.0 };
        for (i, n) in counts.iter_mut().enumerate() {
            if *n < HEAD as u64 {
                *n = (*n).max(u64::from(positive));
                continue;
            }
            let u = unit(splitmix64(
                start.wrapping_add((i as u64).wrapping_mul(GAMMA)),
            ));
            // P(N ≤ k) (or of N | N ≥ 1), term by term until it passes u; a count whose
            // remaining mass underflows stops where it is.
            let mut acc = head[HEAD - 1] * (1.0 - p0) + p0;
            let target = if positive { p0 + (1.0 - p0) * u } else { u };
            let mut k = HEAD as u64;
            loop {
                let p = self.frequency.pmf(k);
                acc += p;
                if target < acc || (p == 0.0 && k > 2 * HEAD as u64 + 64) {
                    break;
                }
                k += 1;
            }
            *n = k;
        }
    }
}

/// `sums[year of claim c] += x[c]` in claim order, claim c starting `marks[c]` years after
/// the year of the claim before it (`year` before the first; `usize::MAX` before any);
/// returns the last claim's year. Bit for bit one claim at a time, as two chains of adds
/// side by side (the second from the first year that starts in the latter half), each sum
/// held in a register while its year lasts.
struct ByYear<'a> {
    marks: &'a [u32],
    x: &'a [f64],
    sums: &'a mut [f64],
    year: usize,
}

impl WithSimd for ByYear<'_> {
    type Output = usize;
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) -> usize {
        let Self {
            marks,
            x,
            sums,
            year,
        } = self;
        let Some(&m0) = marks.first() else {
            return year;
        };
        let len = x.len();
        let half = (len.div_ceil(2)..len)
            .find(|&c| marks[c] != 0)
            .unwrap_or(len);
        let years_before = |c: usize| marks[..c].iter().map(|&m| m as usize).sum::<usize>();
        // A year's sum continued from the last run of claims, or started afresh.
        let mut a = (year, if m0 == 0 { sums[year] } else { 0.0 });
        let mut b = (year.wrapping_add(years_before(half)), 0.0);
        for c in 0..len - half {
            step(marks[c], x[c], &mut a, sums);
            step(marks[half + c], x[half + c], &mut b, sums);
        }
        for c in len - half..half {
            step(marks[c], x[c], &mut a, sums);
        }
        if half < len { b.0 } else { a.0 }
    }
}

/// One claim of [`ByYear`]'s chain (year, its sum so far): `m` years on, then `x` added.
#[inline(always)]
fn step(m: u32, x: f64, (year, sum): &mut (usize, f64), sums: &mut [f64]) {
    *year = year.wrapping_add(m as usize);
    // A new year's sum starts from 0 (a select, not a branch: years change at random).
    *sum = std::hint::select_unpredictable(m == 0, *sum, 0.0) + x;
    sums[*year] = *sum;
}

/// Pass 1's kernel: the number of `head` entries ≤ the uniform of each year's word.
struct Counts<'a> {
    head: &'a [f64; HEAD],
    start: u64,
    counts: &'a mut [u64],
}

impl WithSimd for Counts<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let mut input = self.start;
        for n in self.counts.iter_mut() {
            let u = unit(splitmix64(input));
            *n = self.head.iter().map(|&c| u64::from(c <= u)).sum();
            input = input.wrapping_add(GAMMA);
        }
    }
}

/// Words `start + c·γ` of the claims c = 0, 1, … of a run.
struct Words<'a>(u64, &'a mut [u64]);

impl WithSimd for Words<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for (c, w) in self.1.iter_mut().enumerate() {
            *w = self.0.wrapping_add((c as u64).wrapping_mul(GAMMA));
        }
    }
}

/// Pass 2's payments: `terms` of exp(μ + σz) for each claim's z, in place
/// ([`ClaimTerms::apply`], or its unscaled form when `PLAIN`).
struct Pay<'a, const PLAIN: bool> {
    terms: ClaimTerms,
    mu: f64,
    sigma: f64,
    x: &'a mut [f64],
}

impl<const PLAIN: bool> WithSimd for Pay<'_, PLAIN> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for x in self.x.iter_mut() {
            let loss = exp(self.mu + self.sigma * *x);
            *x = if PLAIN {
                self.terms.apply_unscaled(loss)
            } else {
                self.terms.apply(loss)
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::numerics::kernels::counter;

    /// [`ByYear`] against the loop it replaces (each claim added to its year's sum), bit for
    /// bit on both paths: runs of 0 to 40, 333 and 1,024 claims with 0 to 3 years starting at
    /// each, the year before the run holding a partial sum that its first claim continues
    /// when no year starts there.
    #[test]
    fn years_add_their_claims_as_one_claim_at_a_time() {
        for (case, len) in (0..40).chain([333, 1024]).enumerate() {
            let w = |i: u64| counter(case as u64, i);
            let marks: Vec<u32> = (0..len as u64).map(|i| (w(i) % 4) as u32).collect();
            let x: Vec<f64> = (0..len as u64).map(|i| unit(w(i + 5000)) * 1e3).collect();
            let years = 1 + marks.iter().map(|&m| m as usize).sum::<usize>();
            let mut start = vec![0.0; years];
            start[0] = 0.1;
            let (mut expected, mut year) = (start.clone(), 0);
            for (&m, &y) in marks.iter().zip(&x) {
                year += m as usize;
                expected[year] += y;
            }
            let bits = |v: &[f64]| v.iter().map(|s| s.to_bits()).collect::<Vec<_>>();
            for path in [CodePath::Widest, CodePath::Scalar] {
                let mut sums = start.clone();
                let last = path.run(ByYear {
                    marks: &marks,
                    x: &x,
                    sums: &mut sums,
                    year: 0,
                });
                assert_eq!(last, year, "case {case}");
                assert_eq!(bits(&sums), bits(&expected), "case {case}, {path:?}");
            }
        }
    }
}
