//! One budget for memory and time.
//!
//! Every entry point whose memory or running time grows with its inputs — Monte Carlo runs
//! (single line and portfolio, and each shard), exact grids (FFT and Panjer's O(m²)
//! recursion), Python's sampling, bootstrap replicates — estimates its [`Work`] before it
//! allocates or loops, and
//! [`check`] refuses it above the budget with [`Error::OverBudget`]: what, the estimate, the
//! limit and the remedy. The limits are process-wide ([`set_limits`]; the CLI's
//! `--memory-limit` / `--time-limit`, Python's `kexian.set_budget`): by default 80% of the
//! machine's memory and one hour.
//!
//! Estimates are conservative: memory at least the peak measured on the bundled jobs, time at
//! the speed of a slow core ([`CLAIM_SECONDS`] a simulated claim). A bound on time is what
//! makes an implausible rate (10⁹ incidents a year, 10¹² suits) an error with its estimated
//! time rather than a run of days.
//!
//! ```
//! use kexian::budget::{check, Work};
//! // 10¹³ simulated claims: refused, with the estimated time.
//! let e = check("the run", Work::claims(1e13, 1), "fewer years").unwrap_err();
//! assert!(e.to_string().contains("time budget"), "{e}");
//! assert!(check("the run", Work::new(1 << 20, 1.0), "").is_ok());
//! ```

use crate::error::{Error, Result};
use std::sync::atomic::{AtomicU64, Ordering};

/// Seconds one simulated claim costs on one slow core (sampling, terms, sums), conservative:
/// the engines measure 16–26 ns.
pub const CLAIM_SECONDS: f64 = 60e-9;

/// The program itself, counted once in a whole run's estimate: code, runtime, thread stacks
/// and buffers (`kexian price` on a small grid peaks at about 7 MB).
pub const PROGRAM_BYTES: u64 = 8 << 20;

/// What a call will need: peak bytes and seconds of one core's work spread over its threads.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Work {
    /// Peak memory (bytes).
    pub bytes: u64,
    /// Running time (s).
    pub seconds: f64,
}

impl Work {
    /// `bytes` at the peak and `seconds` of running time.
    pub fn new(bytes: u64, seconds: f64) -> Self {
        Self { bytes, seconds }
    }

    /// Simulating `claims` claims on `threads` threads (time only).
    pub fn claims(claims: f64, threads: usize) -> Self {
        Self::new(0, claims * CLAIM_SECONDS / threads.max(1) as f64)
    }

    /// `count` items of `size` bytes each, saturating.
    pub fn items(count: u64, size: u64) -> Self {
        Self::new(count.saturating_mul(size), 0.0)
    }

    /// Both needs of `self` and `other` (bytes and seconds add, saturating).
    pub fn and(self, other: Work) -> Self {
        Self::new(
            self.bytes.saturating_add(other.bytes),
            self.seconds + other.seconds,
        )
    }
}

/// The budget a call is checked against.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Memory (bytes).
    pub memory: u64,
    /// Running time (s).
    pub seconds: f64,
}

/// 0: the default.
static MEMORY: AtomicU64 = AtomicU64::new(0);
/// The bits of an `f64`; 0: the default.
static SECONDS: AtomicU64 = AtomicU64::new(0);

/// One hour.
pub const DEFAULT_SECONDS: f64 = 3600.0;

/// The current limits.
pub fn limits() -> Limits {
    let memory = match MEMORY.load(Ordering::Relaxed) {
        0 => default_memory(),
        m => m,
    };
    let seconds = match SECONDS.load(Ordering::Relaxed) {
        0 => DEFAULT_SECONDS,
        s => f64::from_bits(s),
    };
    Limits { memory, seconds }
}

/// Sets the process-wide limits (`None`: the default, 80% of the machine's memory and
/// [`DEFAULT_SECONDS`]). A limit must be positive (seconds finite).
pub fn set_limits(memory: Option<u64>, seconds: Option<f64>) -> Result<()> {
    if memory == Some(0) {
        return Err(Error::InvalidParameter {
            model: "budget",
            parameter: "memory",
            value: 0.0,
            rule: "a positive number of bytes",
        });
    }
    if let Some(s) = seconds {
        crate::numerics::validate::positive("budget", "seconds", s)?;
    }
    MEMORY.store(memory.unwrap_or(0), Ordering::Relaxed);
    SECONDS.store(seconds.map_or(0, f64::to_bits), Ordering::Relaxed);
    Ok(())
}

/// 80% of the machine's memory (from /proc/meminfo, read once), or 16 GiB when unknown.
pub fn default_memory() -> u64 {
    static DEFAULT: std::sync::OnceLock<u64> = std::sync::OnceLock::new();
    *DEFAULT.get_or_init(|| {
        let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
            let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
            let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
            Some(kib * 1024)
        });
        total.map_or(16 << 30, |t| t / 5 * 4)
    })
}

/// Refuses `what` when its `work` exceeds a limit, naming the estimate, the limit and the
/// `remedy`.
pub fn check(what: &'static str, work: Work, remedy: impl Into<String>) -> Result<()> {
    let limits = limits();
    let over = |resource, estimate: f64, limit: f64| Error::OverBudget {
        what,
        resource,
        estimate,
        limit,
        remedy: remedy.into(),
    };
    LARGEST.fetch_max(work.bytes, Ordering::Relaxed);
    if work.bytes > limits.memory {
        return Err(over(
            Resource::Memory,
            work.bytes as f64,
            limits.memory as f64,
        ));
    }
    // NaN work (a NaN rate) is no plausible run either.
    if work.seconds > limits.seconds || work.seconds.is_nan() {
        return Err(over(Resource::Time, work.seconds, limits.seconds));
    }
    Ok(())
}

/// The largest memory estimate [`check`] has seen in this process (bytes; 0 before the
/// first): what the CLI's `--report-memory` sets against the measured peak.
pub fn largest_estimate() -> u64 {
    LARGEST.load(Ordering::Relaxed)
}

static LARGEST: AtomicU64 = AtomicU64::new(0);

/// A budgeted resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Resource {
    /// Bytes of memory.
    Memory,
    /// Seconds of running time.
    Time,
}

impl Resource {
    /// `amount` in its unit: bytes in the largest binary unit leaving at least 1 (`1.0 KiB`,
    /// `2.0 GiB`), seconds as s, min, h or days.
    pub fn show(self, amount: f64) -> String {
        match self {
            Self::Memory => {
                let units = ["bytes", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"];
                let mut k = 0;
                while k + 1 < units.len() && amount >= (1u64 << (10 * (k + 1))) as f64 {
                    k += 1;
                }
                match k {
                    0 => format!("{amount} bytes"),
                    _ => format!("{:.1} {}", amount / (1u64 << (10 * k)) as f64, units[k]),
                }
            }
            Self::Time => match amount {
                s if s.is_nan() => "an unbounded time (a rate is not a number)".into(),
                s if s < 120.0 => format!("{s:.0} s"),
                s if s < 7200.0 => format!("{:.0} min", s / 60.0),
                s if s < 172_800.0 => format!("{:.1} h", s / 3600.0),
                s if s < 8.64e9 => format!("{:.0} days", s / 86_400.0),
                s => format!("{:.1e} days", s / 86_400.0),
            },
        }
    }
}

impl std::fmt::Display for Resource {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Memory => "memory",
            Self::Time => "time",
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_and_times_read_in_their_units() {
        assert_eq!(Resource::Memory.show(1024.0), "1.0 KiB");
        assert_eq!(Resource::Memory.show(3.0 * (1u64 << 30) as f64), "3.0 GiB");
        assert_eq!(Resource::Memory.show(100.0), "100 bytes");
        assert_eq!(Resource::Time.show(90.0), "90 s");
        assert_eq!(Resource::Time.show(5400.0), "90 min");
        assert_eq!(Resource::Time.show(36_000.0), "10.0 h");
    }
}
