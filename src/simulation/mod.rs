//! Seeded, batch-parallel Monte Carlo: the determinism contract and the statistics of
//! simulated annual losses.
//!
//! Pipeline position: `simulation → aggregate` (the aggregate models drive it).
//!
//! # Determinism contract
//! Trials are split into batches of [`SimulationConfig::batch_size`]; batch `b` draws from its
//! own Xoshiro256++ generator seeded by the pure function [`batch_rng`]`(seed, b)`. Batches run
//! in parallel (rayon, feature `parallel`) but their results are combined in batch order, so the
//! result is bit-identical for any thread count, with or without the feature, on every run.
//! The same holds across processes and machines: a run splits into [`Shard`]s of contiguous
//! batches whose partial results merge into the single run's result bit for bit (see
//! `aggregate::LossModel::merge` and `portfolio::Portfolio::merge`).
//!
//! The batched samplers (a lognormal cover's claims, a book's superposed claims) draw from
//! counter words instead: word i of the stream keyed k is
//! [`counter`](crate::numerics::kernels::counter)`(k, i)`, a pure function, with the key from
//! the batch's generator (a cover) or from (seed, year) (a book). Their kernels use IEEE
//! operations only (no fused multiply-add, no libm), so the SSE2, AVX2, AVX-512, NEON and
//! scalar paths ([`CodePath`], `SimulationConfig::code_path`) give the same bits.

pub(crate) mod claims;
mod config;
mod engine;
pub(crate) mod losses;
mod moments;
mod shard;

pub use crate::loss::{Estimate, RETURN_PERIODS};
pub use crate::numerics::kernels::CodePath;
pub use config::{Retention, SimulationConfig, VarianceReduction};
pub(crate) use engine::{Workers, ceil_count, fnv1a, map_indices, run_batch_range, sum_indices};
pub use engine::{batch_rng, run_batches};
pub use losses::SimulatedLosses;
pub(crate) use moments::Moments;
pub use shard::{PART_VERSION, Shard, seal, unseal};
pub(crate) use shard::{check_cover, check_header, decode, digest, encode, f64_bytes, shard_keep};

/// Progress of a long run: `done` of `total` units of work in `stage` (e.g. `batches`,
/// `policies`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Progress {
    /// What is being counted.
    pub stage: &'static str,
    /// Units done.
    pub done: u64,
    /// Units in all.
    pub total: u64,
}

/// The one observer type of every long run (Monte Carlo, portfolio, quote, backtest): called
/// with the progress as work completes, possibly from worker threads. Returning
/// `ControlFlow::Break(())` stops the run, which then returns [`crate::Error::Cancelled`]
/// (e.g. on Ctrl-C); partial results are discarded.
pub type Observer<'a> = &'a (dyn Fn(Progress) -> std::ops::ControlFlow<()> + Sync);
