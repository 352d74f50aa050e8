//! Batch scheduling: generators per batch, parallel execution, ordered reduction.

use super::SimulationConfig;
#[cfg(feature = "parallel")]
use crate::error::Error;
use crate::error::Result;
use crate::numerics::kernels::splitmix64;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// The generator of batch `batch` of a run with `seed`: Xoshiro256++ seeded (through its
/// SplitMix64 expansion) with splitmix64(seed) XOR splitmix64(splitmix64(batch)). A pure
/// function, so any batch — and any trial within it — can be regenerated on its own.
pub fn batch_rng(seed: u64, batch: u64) -> Xoshiro256PlusPlus {
    Xoshiro256PlusPlus::seed_from_u64(splitmix64(seed) ^ splitmix64(splitmix64(batch)))
}

/// FNV-1a 64-bit hash of a string (stable across platforms and releases): keys streams and
/// fingerprints parameters.
/// ⌈n·level⌉ for `level` in [0, 1], taking a product that is a whole number up to rounding
/// as that whole number: 0.99 × 10⁶ is 990000.0000000001 in floating point, whose ceiling
/// would shift a VaR by one order statistic and a tail of 10⁴ trials to 10⁴ + 1.
pub(crate) fn ceil_count(n: u64, level: f64) -> u64 {
    let x = n as f64 * level;
    let r = x.round();
    if (x - r).abs() <= 4.0 * f64::EPSILON * x.max(1.0) {
        r as u64
    } else {
        x.ceil() as u64
    }
}

pub(crate) fn fnv1a(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    })
}

/// Runs `simulate(batch, rng, trials)` (the generator is handed over by value, so the batch's
/// loop can keep it in registers) for every batch of `config` — in parallel when the
/// `parallel` feature is on — and hands the results to `consume` strictly in batch order.
/// `observer` is told the batches done after each group of batches, from the calling thread.
pub fn run_batches<R, S, C>(
    config: &SimulationConfig,
    simulate: S,
    consume: C,
    observer: Option<super::Observer>,
) -> Result<()>
where
    R: Send,
    S: Fn(u64, Xoshiro256PlusPlus, u64) -> R + Sync,
    C: FnMut(R),
{
    run_batch_range(config, 0..config.batches(), simulate, consume, observer)
}

/// [`run_batches`] for the batches in `range` only (a shard of the run; see
/// [`super::Shard`]), the observer counting from the range's start.
pub(crate) fn run_batch_range<R, S, C>(
    config: &SimulationConfig,
    range: std::ops::Range<u64>,
    simulate: S,
    mut consume: C,
    observer: Option<super::Observer>,
) -> Result<()>
where
    R: Send,
    S: Fn(u64, Xoshiro256PlusPlus, u64) -> R + Sync,
    C: FnMut(R),
{
    config.validate()?;
    let total = range.end.min(config.batches());
    let run_one = |b: u64| simulate(b, batch_rng(config.seed, b), config.batch_trials(b));
    let workers = Workers::new(config.threads)?;
    let chunk = (workers.threads() as u64 * 8).max(8);
    let map_chunk = |range: std::ops::Range<u64>| {
        workers.map((range.end - range.start) as usize, &|i| {
            run_one(range.start + i as u64)
        })
    };
    let mut start = range.start;
    while start < total {
        let end = (start + chunk).min(total);
        for r in map_chunk(start..end) {
            consume(r);
        }
        if let Some(o) = observer {
            let progress = super::Progress {
                stage: "batches",
                done: end - range.start,
                total: total.saturating_sub(range.start),
            };
            if o(progress).is_break() {
                return Err(crate::Error::Cancelled { stage: "batches" });
            }
        }
        start = end;
    }
    Ok(())
}

/// Where parallel work runs: on the calling thread (one thread configured, or the
/// `parallel` feature off: no pool to start or wake), on rayon's global pool (no thread
/// count configured) or the pool the calling thread works in (of the size configured), or
/// on a pool of its own.
pub(crate) enum Workers {
    Serial,
    /// The pool the calling thread works in (rayon's global pool from outside any).
    #[cfg(feature = "parallel")]
    Current,
    #[cfg(feature = "parallel")]
    Pool(rayon::ThreadPool),
}

impl Workers {
    /// Workers for `threads` (`None`: rayon's global pool).
    pub(crate) fn new(threads: Option<usize>) -> Result<Self> {
        #[cfg(feature = "parallel")]
        {
            Ok(match threads {
                Some(1) => Self::Serial,
                None => Self::Current,
                // Already on a worker of a pool this size (work nested in a pool's work): that
                // pool, not a second pool of threads.
                Some(n)
                    if rayon::current_thread_index().is_some()
                        && rayon::current_num_threads() == n =>
                {
                    Self::Current
                }
                Some(n) => Self::Pool(
                    rayon::ThreadPoolBuilder::new()
                        .num_threads(n)
                        .build()
                        .map_err(|e| Error::Inconsistent {
                            model: "SimulationConfig",
                            message: format!("cannot start {n} worker threads: {e}"),
                        })?,
                ),
            })
        }
        #[cfg(not(feature = "parallel"))]
        {
            let _ = threads;
            Ok(Self::Serial)
        }
    }

    /// How many threads run the work.
    pub(crate) fn threads(&self) -> usize {
        match self {
            Self::Serial => 1,
            #[cfg(feature = "parallel")]
            Self::Current => rayon::current_num_threads(),
            #[cfg(feature = "parallel")]
            Self::Pool(p) => p.current_num_threads(),
        }
    }

    /// `op()` on these workers: rayon's parallel iterators inside it use their pool (for
    /// `Serial`, `op` runs on the calling thread and its parallel iterators would use the
    /// global pool, so serial work checks [`is_serial`](Self::is_serial) first).
    #[cfg(feature = "parallel")]
    pub(crate) fn install<R: Send>(&self, op: impl FnOnce() -> R + Send) -> R {
        match self {
            Self::Pool(p) => p.install(op),
            Self::Serial | Self::Current => op(),
        }
    }

    /// Whether the work runs on the calling thread alone.
    #[cfg(feature = "parallel")]
    pub(crate) fn is_serial(&self) -> bool {
        matches!(self, Self::Serial)
    }

    /// (`a()`, `b()`), at once on two workers when there are more than one.
    pub(crate) fn join<A: Send, B: Send>(
        &self,
        a: impl FnOnce() -> A + Send,
        b: impl FnOnce() -> B + Send,
    ) -> (A, B) {
        #[cfg(feature = "parallel")]
        if !self.is_serial() {
            return self.install(|| rayon::join(a, b));
        }
        (a(), b())
    }

    /// `f(i)` for i in 0..n, results in index order.
    pub(crate) fn map<R: Send>(&self, n: usize, f: &(impl Fn(usize) -> R + Sync)) -> Vec<R> {
        #[cfg(feature = "parallel")]
        if !self.is_serial() {
            use rayon::prelude::*;
            return self.install(|| (0..n).into_par_iter().map(f).collect());
        }
        (0..n).map(f).collect()
    }
}

/// `f(i)` for i in 0..n, in parallel on `threads` workers (rayon's global pool when `None`;
/// on the calling thread for one thread or without the `parallel` feature), results in
/// index order.
pub(crate) fn map_indices<R: Send>(
    n: usize,
    threads: Option<usize>,
    f: &(impl Fn(usize) -> R + Sync),
) -> Result<Vec<R>> {
    Ok(Workers::new(threads)?.map(n, f))
}

/// Σᵢ vᵢ over i in 0..n, where `f(i, acc)` adds vᵢ (a vector of `len` integers) into `acc`:
/// in parallel on `threads` workers with one accumulator per work split. Integer addition
/// is exact and order-free, so the sum does not depend on the thread count.
pub(crate) fn sum_indices(
    n: usize,
    len: usize,
    threads: Option<usize>,
    f: &(impl Fn(usize, &mut [i64]) + Sync),
) -> Result<Vec<i64>> {
    fold_indices(n, len, threads, f, &|a, b| {
        a.iter_mut()
            .zip(b)
            .for_each(|(x, y)| *x = x.saturating_add(*y));
    })
}

/// [`sum_indices`] with the accumulators of the work splits combined by `merge(into, from)`,
/// which must be associative, commutative and have the zero vector as identity (sums, maxima
/// of non-negative values, or both in different ranges): the result then does not depend on
/// the thread count.
pub(crate) fn fold_indices(
    n: usize,
    len: usize,
    threads: Option<usize>,
    f: &(impl Fn(usize, &mut [i64]) + Sync),
    merge: &(impl Fn(&mut [i64], &[i64]) + Sync),
) -> Result<Vec<i64>> {
    let workers = Workers::new(threads)?;
    #[cfg(feature = "parallel")]
    if !workers.is_serial() {
        use rayon::prelude::*;
        return Ok(workers.install(|| {
            (0..n)
                .into_par_iter()
                .fold(
                    || vec![0i64; len],
                    |mut acc, i| {
                        f(i, &mut acc);
                        acc
                    },
                )
                .reduce(
                    || vec![0i64; len],
                    |mut a, b| {
                        merge(&mut a, &b);
                        a
                    },
                )
        }));
    }
    let _ = (workers, merge);
    let mut acc = vec![0i64; len];
    (0..n).for_each(|i| f(i, &mut acc));
    Ok(acc)
}

#[cfg(test)]
mod tests {
    use super::ceil_count;

    /// Against ⌈n·p/q⌉ in integer arithmetic for levels p/q whose float products are not
    /// whole numbers (0.99 × 10⁶ = 990000.0000000001, (1 − 0.995) × 10⁶ = 5000.000000000004).
    #[test]
    fn ceil_count_is_exact_for_decimal_levels() {
        for (p, q) in [
            (99u64, 100u64),
            (995, 1000),
            (999, 1000),
            (9, 10),
            (9999, 10000),
            (1, 3),
        ] {
            for n in [
                1u64, 7, 1000, 99_999, 100_000, 999_999, 1_000_000, 10_000_000,
            ] {
                let exact = (n * p).div_ceil(q);
                assert_eq!(
                    ceil_count(n, p as f64 / q as f64),
                    exact,
                    "n {n} level {p}/{q}"
                );
            }
        }
        assert_eq!(ceil_count(10, 0.0), 0);
        assert_eq!(ceil_count(10, 1.0), 10);
    }
}
