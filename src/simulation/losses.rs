//! Statistics of simulated annual losses, each with its Monte Carlo standard error.

use super::Moments;
use crate::error::{Error, Result};
use crate::loss::{Discrete, Estimate, RETURN_PERIODS};
use crate::numerics::kernels::{CodePath, mask_where, set_bits};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

/// Simulated annual losses S (元) of one risk or portfolio.
///
/// Internally the `trials` simulated values represent S given that the year has a claim
/// when the run used [`super::VarianceReduction::ConditionOnClaims`] (then each carries weight
/// q = P(N ≥ 1) and claim-free years are an exact atom at zero), or S itself (q = 1).
///
/// Standard errors: the mean's is sd/√n; the standard deviation's and skewness's are
/// delete-one-batch jackknife estimates; VaR's uses the order-statistic density estimate
/// √(α(1−α)/n)/f̂; TVaR's is the influence-function formula
/// √((Var\[S | S > VaR\] + α(TVaR − VaR)²)/(n(1−α))) (Manistre & Hancock, NAAJ 9(2), 2005).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SimulatedLosses {
    trials: u64,
    weight: f64,
    moments: Moments,
    batch_moments: Vec<Moments>,
    zeros: u64,
    /// The largest simulated values, ascending; all of them when `below == 0`.
    tail: Vec<f64>,
    /// Number of simulated values not kept (all ≤ tail\[0\]).
    below: u64,
    /// Lowest quantile level available (0 when everything is kept).
    min_level: f64,
    /// Which raw moments E\[S^k\], k = 1, 2, 3, are finite for the model simulated.
    finite_moments: [bool; 3],
}

/// What one batch contributes: its moments, its zero count and the values that may belong to
/// the retained tail. Computed inside the (parallel) batch.
#[derive(Debug)]
pub(crate) struct BatchSummary {
    moments: Moments,
    zeros: u64,
    candidates: Vec<f64>,
}

impl BatchSummary {
    /// Summarises a batch's values in `buffer`, keeping as tail candidates those ≥
    /// `threshold` (a value below the current cut-off can never enter the retained tail, so
    /// dropping it here does not change the result, whatever the thread timing). Leaves
    /// `buffer` (emptied) for the next batch when the candidates are a small share of it: no
    /// fresh memory per batch.
    pub(crate) fn from_buffer(buffer: &mut Vec<f64>, threshold: f64) -> Self {
        let (moments, zeros, kept) = Self::summarise(buffer, threshold);
        buffer.truncate(kept);
        let candidates = if 4 * buffer.len() < buffer.capacity() {
            let small = buffer.clone();
            buffer.clear();
            small
        } else {
            std::mem::take(buffer)
        };
        Self {
            moments,
            zeros,
            candidates,
        }
    }

    /// The moments and zeros of `values`, and how many candidates (≥ `threshold`) it moved
    /// to its front (with a threshold of −∞, all of them where they are). Two passes, each
    /// in [`LANES`] lanes (value i in lane i mod [`LANES`], in order; the lanes then added
    /// pairwise): the sum for the mean, then the central sums Σ(x − mean)^k, k = 2, 3, 4.
    fn summarise(values: &mut [f64], threshold: f64) -> (Moments, u64, usize) {
        let n = values.len();
        let (moments, zeros) = CodePath::Widest.run(LaneMoments(values));
        if threshold == f64::NEG_INFINITY {
            return (moments, zeros, n);
        }
        // The candidates from a bit mask (few once the tail has filled).
        let mut mask = Vec::new();
        mask_where(values, &mut mask, CodePath::Widest, |&x| x >= threshold);
        let mut kept = 0;
        set_bits(&mask, |c| {
            values[kept] = values[c];
            kept += 1;
        });
        (moments, zeros, kept)
    }
}

/// The moments and zeros of [`BatchSummary::summarise`], on the widest instructions (the
/// same bits on every path: each lane adds in order, nothing fused).
struct LaneMoments<'a>(&'a [f64]);

impl pulp::WithSimd for LaneMoments<'_> {
    type Output = (Moments, u64);
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) -> Self::Output {
        let (values, n) = (self.0, self.0.len());
        let (mut sums, mut zeros) = ([0.0; LANES], [0u64; LANES]);
        lanes(values, |l, x| {
            sums[l] += x;
            zeros[l] += u64::from(x == 0.0);
        });
        let mean = pairwise(sums) / n.max(1) as f64;
        let [mut m2, mut m3, mut m4] = [[0.0; LANES]; 3];
        lanes(values, |l, x| {
            let d = x - mean;
            let d2 = d * d;
            m2[l] += d2;
            m3[l] += d2 * d;
            m4[l] += d2 * d2;
        });
        let central = [pairwise(m2), pairwise(m3), pairwise(m4)];
        let moments = Moments::from_central(n as f64, mean, central);
        (moments, zeros.iter().sum())
    }
}

/// Lanes of [`BatchSummary::summarise`]'s sums: as many as an AVX-512 register holds, so that
/// one vector instruction adds them all, and enough to hide the adds' latency elsewhere.
const LANES: usize = 8;

/// `add(i mod LANES, x_i)` for each value in order, `LANES` at a time.
#[inline(always)]
fn lanes(values: &[f64], mut add: impl FnMut(usize, f64)) {
    let mut chunks = values.chunks_exact(LANES);
    for chunk in &mut chunks {
        for (l, &x) in chunk.iter().enumerate() {
            add(l, x);
        }
    }
    for (l, &x) in chunks.remainder().iter().enumerate() {
        add(l, x);
    }
}

/// The lanes added pairwise: ((l₀ + l₁) + (l₂ + l₃)) + ((l₄ + l₅) + (l₆ + l₇)).
fn pairwise(l: [f64; LANES]) -> f64 {
    ((l[0] + l[1]) + (l[2] + l[3])) + ((l[4] + l[5]) + (l[6] + l[7]))
}

/// Builder used by the engine: accumulates batches in order.
#[derive(Debug)]
pub(crate) struct LossesBuilder {
    weight: f64,
    keep: Option<u64>,
    moments: Moments,
    batch_moments: Vec<Moments>,
    zeros: u64,
    buffer: Vec<f64>,
    /// Values below this cannot be in the top `keep` (the smallest kept after a truncation).
    threshold: f64,
    trials: u64,
    min_level: f64,
    /// Worker threads for the final sort (`None`: rayon's global pool).
    threads: Option<usize>,
}

impl LossesBuilder {
    /// `trials` values of weight `weight` will arrive; keep the top `keep` of them (all when
    /// `None`), which serve quantile levels ≥ `min_level`.
    pub fn new(trials: u64, weight: f64, keep: Option<u64>, min_level: f64) -> Self {
        Self {
            weight,
            keep,
            moments: Moments::default(),
            batch_moments: Vec::new(),
            zeros: 0,
            buffer: Vec::new(),
            threshold: f64::NEG_INFINITY,
            trials,
            min_level,
            threads: None,
        }
    }

    /// Sorts the kept values on `threads` workers at the end (one: serially), as the run.
    pub fn with_threads(mut self, threads: Option<usize>) -> Self {
        self.threads = threads;
        self
    }

    /// Current cut-off for tail candidates (−∞ until the buffer first overflows).
    pub fn threshold(&self) -> f64 {
        self.threshold
    }

    /// Adds one batch's moments and zero count, in batch order.
    fn push_moments(&mut self, moments: &Moments, zeros: u64) {
        self.moments = self.moments.merge(moments);
        self.batch_moments.push(*moments);
        self.zeros += zeros;
    }

    /// Adds one batch, in batch order.
    pub fn push_batch(&mut self, batch: BatchSummary) {
        self.push_moments(&batch.moments, batch.zeros);
        self.buffer.extend(
            batch
                .candidates
                .into_iter()
                .filter(|&x| x >= self.threshold),
        );
        self.bound_buffer();
    }

    /// Adds a part of a sharded run: its batches' moments (in batch order), its zero count
    /// and its retained values. Parts must arrive in batch order.
    pub fn push_part(&mut self, batch_moments: &[Moments], zeros: u64, values: &[f64]) {
        for m in batch_moments {
            self.push_moments(m, 0);
        }
        self.zeros += zeros;
        let cut = self.threshold;
        self.buffer.extend(values.iter().filter(|&&x| x >= cut));
        self.bound_buffer();
    }

    /// The part's summary so far: batch moments, zeros, the top `keep` values (unsorted,
    /// but in an order fixed by the batches: the builder filters each batch's candidates by
    /// its own threshold, in batch order, whatever the thread timing that pre-filtered them)
    /// and, when values were left out, the cut: the smallest value kept (none left out is
    /// larger).
    pub fn into_part(mut self) -> (Vec<Moments>, u64, Vec<f64>, Option<f64>) {
        if let Some(k) = self.keep {
            truncate_to_top(&mut self.buffer, k as usize);
        }
        let simulated: f64 = self.batch_moments.iter().map(|m| m.n).sum();
        let cut = ((self.buffer.len() as f64) < simulated)
            .then(|| self.buffer.iter().copied().fold(f64::INFINITY, f64::min));
        (self.batch_moments, self.zeros, self.buffer, cut)
    }

    /// Truncates the buffer to the top `keep` when it has grown past twice that.
    fn bound_buffer(&mut self) {
        if let Some(k) = self.keep {
            let k = k as usize;
            if self.buffer.len() > 2 * k.max(1 << 16) {
                truncate_to_top(&mut self.buffer, k);
                self.threshold = self.buffer.iter().copied().fold(f64::INFINITY, f64::min);
            }
        }
    }

    /// Finishes: sorts the kept values.
    pub fn finish(mut self, finite_moments: [bool; 3]) -> SimulatedLosses {
        if let Some(k) = self.keep {
            truncate_to_top(&mut self.buffer, k as usize);
        }
        sort(&mut self.buffer, self.threads);
        self.finish_sorted(finite_moments)
    }

    /// [`finish`](Self::finish) of a buffer already in ascending order.
    fn finish_sorted(self, finite_moments: [bool; 3]) -> SimulatedLosses {
        let below = self.trials - self.buffer.len() as u64;
        SimulatedLosses {
            trials: self.trials,
            weight: self.weight,
            moments: self.moments,
            batch_moments: self.batch_moments,
            zeros: self.zeros,
            tail: self.buffer,
            below,
            min_level: if below == 0 { 0.0 } else { self.min_level },
            finite_moments,
        }
    }
}

/// Keeps the `k` largest values (as a multiset: the result does not depend on input order).
fn truncate_to_top(v: &mut Vec<f64>, k: usize) {
    if v.len() > k {
        let cut = v.len() - k;
        if k > 0 {
            v.select_nth_unstable_by(cut, f64::total_cmp);
        }
        v.drain(..cut);
    }
}

/// Sorts ascending on `threads` workers (rayon's global pool when `None`; serially for one
/// thread, without the parallel feature, or if the pool cannot be built).
fn sort(v: &mut [f64], threads: Option<usize>) {
    #[cfg(feature = "parallel")]
    if let Ok(workers) = super::engine::Workers::new(threads)
        && !workers.is_serial()
    {
        use rayon::slice::ParallelSliceMut;
        return workers.install(|| v.par_sort_unstable_by(f64::total_cmp));
    }
    #[cfg(not(feature = "parallel"))]
    let _ = threads;
    v.sort_unstable_by(f64::total_cmp);
}

const MODEL: &str = "SimulatedLosses";

impl SimulatedLosses {
    /// All losses of a run given trial by trial (each of weight 1), with batch moments over
    /// consecutive blocks of `batch` trials for the jackknife standard errors; sorted on
    /// `threads` workers (rayon's global pool when `None`), in one copy of `values`.
    pub(crate) fn from_values(values: &[f64], batch: usize, threads: Option<usize>) -> Self {
        let mut sorted = values.to_vec();
        sort(&mut sorted, threads);
        Self::from_sorted(values, sorted, batch)
    }

    /// [`from_values`](Self::from_values) given `sorted`, the same values in ascending
    /// order (as [`f64::total_cmp`] orders them), sorted elsewhere: a portfolio's merge
    /// sorts its years while it merges the rest.
    pub(crate) fn from_sorted(values: &[f64], sorted: Vec<f64>, batch: usize) -> Self {
        debug_assert!(sorted.is_sorted_by(|a, b| a.total_cmp(b).is_le()));
        let mut b = LossesBuilder::new(values.len() as u64, 1.0, None, 0.0);
        for chunk in values.chunks(batch.max(1)) {
            let (moments, zeros) = CodePath::Widest.run(LaneMoments(chunk));
            b.push_moments(&moments, zeros);
        }
        b.buffer = sorted;
        b.finish_sorted([true; 3])
    }

    /// The smallest retained value (the retained tail's cut), if any is kept.
    pub(crate) fn smallest_kept(&self) -> Option<f64> {
        self.tail.first().copied()
    }

    /// Number of simulated years.
    pub fn trials(&self) -> u64 {
        self.trials
    }

    /// Lowest quantile level for which VaR/TVaR are available (0 when all losses were kept).
    pub fn min_level(&self) -> f64 {
        self.min_level
    }

    fn n(&self) -> f64 {
        self.trials as f64
    }

    fn check_moment(&self, k: usize, quantity: &'static str) -> Result<()> {
        if self.finite_moments[k - 1] {
            Ok(())
        } else {
            Err(Error::InfiniteMoment {
                quantity,
                reason: format!(
                    "E[S^{k}] does not exist for the simulated model (heavy-tailed severity \
                     without a limit); a simulated value would be meaningless"
                ),
            })
        }
    }

    /// Raw moment E\[S^k\] = q·E_sim\[S^k\].
    fn raw(&self, k: u32) -> f64 {
        self.weight * self.moments.raw(k)
    }

    fn mean_sd_skew(m: &Moments, q: f64) -> (f64, f64, f64) {
        let (r1, r2, r3) = (q * m.raw(1), q * m.raw(2), q * m.raw(3));
        let var = (r2 - r1 * r1).max(0.0);
        let sd = var.sqrt();
        let skew = if sd > 0.0 {
            (r3 - 3.0 * r1 * var - r1 * r1 * r1) / (sd * sd * sd)
        } else {
            0.0
        };
        (r1, sd, skew)
    }

    /// Delete-one-batch jackknife standard error of a statistic of the moments.
    fn jackknife(&self, stat: impl Fn(&Moments) -> f64) -> f64 {
        let b = self.batch_moments.len();
        if b < 2 {
            return f64::NAN;
        }
        let parts = &self.batch_moments;
        let mut prefix = vec![Moments::default(); b + 1];
        for i in 0..b {
            prefix[i + 1] = prefix[i].merge(&parts[i]);
        }
        let mut suffix = vec![Moments::default(); b + 1];
        for i in (0..b).rev() {
            suffix[i] = parts[i].merge(&suffix[i + 1]);
        }
        let values: Vec<f64> = (0..b)
            .map(|i| stat(&prefix[i].merge(&suffix[i + 1])))
            .collect();
        let mean = values.iter().sum::<f64>() / b as f64;
        let ss: f64 = values.iter().map(|v| (v - mean).powi(2)).sum();
        ((b as f64 - 1.0) / b as f64 * ss).sqrt()
    }

    /// E\[S\] (元) with standard error sd/√n. Error if E\[S\] is infinite for the model.
    pub fn mean(&self) -> Result<Estimate> {
        self.check_moment(1, "mean")?;
        let m = self.moments;
        let sd_sim = (m.m2 / m.n).sqrt();
        Ok(Estimate {
            value: self.raw(1),
            std_error: self.weight * sd_sim / self.n().sqrt(),
        })
    }

    /// Standard error that plain Monte Carlo with the same number of trials would have had for
    /// the mean: sd(S)/√n. Compare with `mean()?.std_error` for the variance reduction's effect.
    pub fn crude_mean_std_error(&self) -> Result<f64> {
        Ok(self.std_dev()?.value / self.n().sqrt())
    }

    /// Standard deviation of S (元), jackknife standard error. Error if Var\[S\] is infinite.
    pub fn std_dev(&self) -> Result<Estimate> {
        self.check_moment(2, "standard deviation")?;
        let q = self.weight;
        Ok(Estimate {
            value: Self::mean_sd_skew(&self.moments, q).1,
            std_error: self.jackknife(|m| Self::mean_sd_skew(m, q).1),
        })
    }

    /// Skewness E\[(S − μ)³\]/σ³, jackknife standard error. Error if E\[S³\] is infinite.
    pub fn skewness(&self) -> Result<Estimate> {
        self.check_moment(3, "skewness")?;
        let q = self.weight;
        Ok(Estimate {
            value: Self::mean_sd_skew(&self.moments, q).2,
            std_error: self.jackknife(|m| Self::mean_sd_skew(m, q).2),
        })
    }

    /// P(S = 0), with binomial standard error.
    pub fn probability_of_zero(&self) -> Estimate {
        let pc = self.zeros as f64 / self.n();
        let q = self.weight;
        Estimate {
            value: (1.0 - q) + q * pc,
            std_error: q * (pc * (1.0 - pc) / self.n()).sqrt(),
        }
    }

    /// Level in the simulated (conditional) distribution matching `level` of S.
    fn sim_level(&self, level: f64) -> f64 {
        (level - (1.0 - self.weight)) / self.weight
    }

    /// The k-th smallest simulated value (1-based), if kept.
    fn order_stat(&self, k: u64) -> Option<f64> {
        let k = k.clamp(1, self.trials);
        (k > self.below).then(|| self.tail[(k - self.below - 1) as usize])
    }

    fn not_retained(&self, quantity: &'static str, at: f64) -> Error {
        Error::NotRetained {
            quantity,
            at,
            min_level: self.min_level,
        }
    }

    /// Value at risk VaR_α = inf{x : P(S ≤ x) ≥ α} (元), `level` α in (0, 1).
    #[doc(alias = "quantile")]
    pub fn var(&self, level: f64) -> Result<Estimate> {
        validate::open_probability(MODEL, "level", level)?;
        let a = self.sim_level(level);
        if a <= 0.0 {
            return Ok(Estimate {
                value: 0.0,
                std_error: 0.0,
            });
        }
        let n = self.n();
        let k = super::ceil_count(self.trials, a);
        let value = self
            .order_stat(k)
            .ok_or_else(|| self.not_retained("VaR", level))?;
        // Order-statistic density estimate over ±m ranks, m ≈ √(n·(1−a)).
        let m = ((n * (1.0 - a)).sqrt().ceil() as u64).max(1);
        let (lo_k, hi_k) = (
            k.saturating_sub(m).max(self.below + 1),
            (k + m).min(self.trials),
        );
        let inv_density = match (self.order_stat(lo_k), self.order_stat(hi_k)) {
            (Some(lo), Some(hi)) if hi_k > lo_k => (hi - lo) * n / (hi_k - lo_k) as f64,
            _ => 0.0,
        };
        Ok(Estimate {
            value,
            std_error: (a * (1.0 - a) / n).sqrt() * inv_density,
        })
    }

    /// Tail value at risk TVaR_α = VaR_α + E\[(S − VaR_α)₊\]/(1 − α) (元), `level` α in (0, 1).
    #[doc(alias = "CTE")]
    #[doc(alias = "expected_shortfall")]
    #[doc(alias = "TailVaR")]
    pub fn tvar(&self, level: f64) -> Result<Estimate> {
        validate::open_probability(MODEL, "level", level)?;
        self.check_moment(1, "TVaR")?;
        let var = self.var(level)?.value;
        let a = self.sim_level(level);
        if a <= 0.0 {
            let mean = self.mean()?;
            return Ok(Estimate {
                value: mean.value / (1.0 - level),
                std_error: mean.std_error / (1.0 - level),
            });
        }
        let start = self.tail.partition_point(|&x| x <= var);
        let excess = &self.tail[start..];
        let n = self.n();
        let sum: f64 = excess.iter().map(|x| x - var).sum();
        let value = var + self.weight * sum / n / (1.0 - level);
        let cond = Moments::of(excess);
        let var_above = if cond.n > 1.0 { cond.m2 / cond.n } else { 0.0 };
        let se = ((var_above + a * (value - var).powi(2)) / (n * (1.0 - a))).sqrt();
        Ok(Estimate {
            value,
            std_error: se,
        })
    }

    /// Conditional tail expectation CTE_α = E\[S | S > VaR_α\] (元), `level` α in (0, 1): the
    /// mean of the years above the VaR (TVaR_α when no atom straddles α), with standard error
    /// √(Var\[S | S > VaR\]/count); an error when no year lies above the VaR.
    #[doc(alias = "CTE")]
    pub fn cte(&self, level: f64) -> Result<Estimate> {
        validate::open_probability(MODEL, "level", level)?;
        self.check_moment(1, "CTE")?;
        let var = self.var(level)?.value;
        let start = self.tail.partition_point(|&x| x <= var);
        let above = Moments::of(&self.tail[start..]);
        if above.n == 0.0 {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!("no simulated year lies above VaR at level {level}"),
            });
        }
        Ok(Estimate {
            value: above.mean,
            std_error: (above.m2 / above.n / above.n).sqrt(),
        })
    }

    /// P(S > x), with binomial standard error.
    pub fn exceedance_probability(&self, x: f64) -> Result<Estimate> {
        validate::finite(MODEL, "x", x)?;
        if x < 0.0 {
            return Ok(Estimate {
                value: 1.0,
                std_error: 0.0,
            });
        }
        if self.below > 0 && self.tail.first().is_none_or(|&t| x < t) {
            return Err(self.not_retained("exceedance probability", x));
        }
        let count = (self.tail.len() - self.tail.partition_point(|&v| v <= x)) as f64;
        let pc = count / self.n();
        let q = self.weight;
        Ok(Estimate {
            value: q * pc,
            std_error: q * (pc * (1.0 - pc) / self.n()).sqrt(),
        })
    }

    /// Limited expected value E\[min(S, u)\] (元), `limit` u ≥ 0.
    pub fn limited_expected_value(&self, limit: f64) -> Result<Estimate> {
        validate::non_negative(MODEL, "limit", limit)?;
        if self.below > 0 && self.tail.first().is_none_or(|&t| limit < t) {
            return Err(self.not_retained("limited expected value", limit));
        }
        let m = self.moments;
        let n = self.n();
        let above = &self.tail[self.tail.partition_point(|&v| v <= limit)..];
        let excess: f64 = above.iter().map(|x| x - limit).sum();
        let excess_sq: f64 = above.iter().map(|x| x * x - limit * limit).sum();
        let e1 = m.raw(1) - excess / n;
        let e2 = m.raw(2) - excess_sq / n;
        let q = self.weight;
        Ok(Estimate {
            value: q * e1,
            std_error: q * ((e2 - e1 * e1).max(0.0) / n).sqrt(),
        })
    }

    /// The simulated distribution as a [`Discrete`] one (each trial weight q/n, claim-free
    /// years of a conditioned run as an atom at 0), for premium principles. Needs
    /// [`super::Retention::All`].
    pub fn to_discrete(&self) -> Result<Discrete> {
        if self.below > 0 {
            return Err(self.not_retained("the full distribution", 0.0));
        }
        let n = self.n();
        let mut values = self.tail.clone();
        let mut probs = vec![self.weight / n; values.len()];
        if self.weight < 1.0 {
            values.push(0.0);
            probs.push(1.0 - self.weight);
        }
        Ok(Discrete::from_parts(values, probs, 0.0))
    }

    /// Exceedance (return-period) curve: (T years, VaR at level 1 − 1/T) for each of
    /// [`RETURN_PERIODS`] whose level was retained.
    pub fn exceedance_curve(&self) -> Vec<(f64, Estimate)> {
        RETURN_PERIODS
            .iter()
            .filter_map(|&t| self.var(1.0 - 1.0 / t).ok().map(|e| (t, e)))
            .collect()
    }
}
