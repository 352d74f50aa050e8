//! Batch scheduling: generators per batch, parallel execution, ordered reduction.

use super::SimulationConfig;
#[cfg(feature = "parallel")]
use crate::error::Error;
use crate::error::Result;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;

/// SplitMix64 finaliser (Steele, Lea & Flood 2014): a bijective 64-bit mix.
pub(crate) fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

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
    // One thread runs the batches on the calling thread: no pool to start or wake.
    #[cfg(feature = "parallel")]
    let serial = config.threads == Some(1);
    #[cfg(feature = "parallel")]
    let pool = if serial {
        None
    } else {
        build_pool(config.threads)?
    };
    #[cfg(feature = "parallel")]
    let (chunk, map_chunk) = {
        let threads = match &pool {
            _ if serial => 1,
            Some(p) => p.current_num_threads(),
            None => rayon::current_num_threads(),
        };
        let map = |range: std::ops::Range<u64>| match &pool {
            _ if serial => range.map(&run_one).collect(),
            Some(p) => p.install(|| map_batches(range, &run_one)),
            None => map_batches(range, &run_one),
        };
        ((threads as u64 * 8).max(8), map)
    };
    #[cfg(not(feature = "parallel"))]
    let (chunk, map_chunk) = (8, |range: std::ops::Range<u64>| {
        map_batches(range, &run_one)
    });
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

/// A pool of `threads` workers, or `None` for rayon's global pool.
#[cfg(feature = "parallel")]
pub(crate) fn build_pool(threads: Option<usize>) -> Result<Option<rayon::ThreadPool>> {
    threads
        .map(|n| {
            rayon::ThreadPoolBuilder::new()
                .num_threads(n)
                .build()
                .map_err(|e| Error::Inconsistent {
                    model: "SimulationConfig",
                    message: format!("cannot start {n} worker threads: {e}"),
                })
        })
        .transpose()
}

/// `f(i)` for i in 0..n, in parallel on `threads` workers (rayon's global pool when `None`;
/// serially without the `parallel` feature), results in index order.
pub(crate) fn map_indices<R: Send>(
    n: usize,
    threads: Option<usize>,
    f: &(impl Fn(usize) -> R + Sync),
) -> Result<Vec<R>> {
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let run = || (0..n).into_par_iter().map(f).collect();
        Ok(match build_pool(threads)? {
            Some(p) => p.install(run),
            None => run(),
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        let _ = threads;
        Ok((0..n).map(f).collect())
    }
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
    #[cfg(feature = "parallel")]
    {
        use rayon::prelude::*;
        let run = || {
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
        };
        Ok(match build_pool(threads)? {
            Some(p) => p.install(run),
            None => run(),
        })
    }
    #[cfg(not(feature = "parallel"))]
    {
        let _ = (threads, merge);
        let mut acc = vec![0i64; len];
        (0..n).for_each(|i| f(i, &mut acc));
        Ok(acc)
    }
}

#[cfg(feature = "parallel")]
fn map_batches<R: Send>(range: std::ops::Range<u64>, f: &(impl Fn(u64) -> R + Sync)) -> Vec<R> {
    use rayon::prelude::*;
    range.into_par_iter().map(f).collect()
}

#[cfg(not(feature = "parallel"))]
fn map_batches<R>(range: std::ops::Range<u64>, f: &impl Fn(u64) -> R) -> Vec<R> {
    range.map(f).collect()
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
