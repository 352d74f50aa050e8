//! Simulation settings.

use crate::error::Result;
use crate::numerics::kernels::CodePath;
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

/// Which simulated annual losses are kept for quantile statistics.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Retention {
    /// Every trial's loss (memory 8 bytes × trials); all statistics available.
    All,
    /// Only the losses above the `min_level` quantile (plus a small margin for standard
    /// errors): VaR, TVaR, exceedance curves and LEV are then available for levels ≥
    /// `min_level` only, in bounded memory.
    Tail {
        /// Lowest quantile level that will be asked for, in (0, 1).
        min_level: f64,
    },
}

/// Variance reduction used by the simulation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarianceReduction {
    /// Plain Monte Carlo.
    #[default]
    None,
    /// Importance sampling of the claim count: every trial draws N from N | N ≥ 1 and carries
    /// weight P(N ≥ 1); years without claims enter exactly as an atom at zero. Unbiased, and
    /// for low-frequency covers (P(N ≥ 1) = q ≪ 1) it puts every trial where the losses are,
    /// dividing the variance of tail statistics by about 1/q.
    ConditionOnClaims,
}

/// How to run a simulation: seed, number of trials, batching, retention, threads.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationConfig {
    /// Seed of the whole run.
    pub seed: u64,
    /// Number of simulated years, ≥ 2.
    pub trials: u64,
    /// Trials per batch (each batch has its own generator), ≥ 1. Default 16 384.
    #[serde(default = "default_batch")]
    pub batch_size: u64,
    /// What to keep for quantile statistics. Default: everything.
    #[serde(default = "default_retention")]
    pub retention: Retention,
    /// Variance reduction. Default: none.
    #[serde(default)]
    pub variance_reduction: VarianceReduction,
    /// Worker threads (`None`: rayon's global pool). Results do not depend on it.
    #[serde(default)]
    pub threads: Option<usize>,
    /// The instructions of the batched samplers (default: the widest the CPU has). Results
    /// do not depend on it.
    #[serde(default, skip_serializing_if = "CodePath::is_widest")]
    pub code_path: CodePath,
}

fn default_batch() -> u64 {
    16_384
}

fn default_retention() -> Retention {
    Retention::All
}

const MODEL: &str = "SimulationConfig";

impl SimulationConfig {
    /// Bytes a single-line run keeps at its peak, approximately: every trial's loss and its
    /// sorted copy (16 bytes a trial) with [`Retention::All`], the retained tail otherwise,
    /// plus one moment summary per batch.
    pub fn memory_estimate(&self) -> u64 {
        let kept = match self.retention {
            Retention::All => self.trials,
            Retention::Tail { min_level } => {
                ((1.0 - min_level) * self.trials as f64 * 1.1) as u64 + self.batches()
            }
        };
        kept.saturating_mul(16) + self.batches().saturating_mul(64)
    }

    /// The threads a run uses: `threads`, else the machine's.
    pub fn thread_count(&self) -> usize {
        self.threads
            .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, usize::from))
    }

    /// `trials` simulated years from `seed`, with the defaults for everything else.
    pub fn new(seed: u64, trials: u64) -> Result<Self> {
        let config = Self {
            seed,
            trials,
            batch_size: default_batch(),
            retention: Retention::All,
            variance_reduction: VarianceReduction::None,
            threads: None,
            code_path: CodePath::default(),
        };
        config.validate()?;
        Ok(config)
    }

    /// Keeps only the tail above `min_level` in (0, 1).
    pub fn with_tail_retention(mut self, min_level: f64) -> Result<Self> {
        self.retention = Retention::Tail { min_level };
        self.validate()?;
        Ok(self)
    }

    /// Sets the batch size (≥ 1).
    pub fn with_batch_size(mut self, batch_size: u64) -> Result<Self> {
        self.batch_size = batch_size;
        self.validate()?;
        Ok(self)
    }

    /// Sets the variance reduction.
    pub fn with_variance_reduction(mut self, v: VarianceReduction) -> Self {
        self.variance_reduction = v;
        self
    }

    /// Runs on `threads` ≥ 1 worker threads.
    pub fn with_threads(mut self, threads: usize) -> Result<Self> {
        self.threads = Some(threads);
        self.validate()?;
        Ok(self)
    }

    /// Checks every field (also applied to configurations read from files by the engine).
    pub fn validate(&self) -> Result<()> {
        validate::rule(
            MODEL,
            "trials",
            self.trials as f64,
            self.trials >= 2,
            ">= 2 (a standard error needs two simulated years)",
        )?;
        validate::rule(
            MODEL,
            "batch_size",
            self.batch_size as f64,
            self.batch_size >= 1,
            ">= 1",
        )?;
        if let Retention::Tail { min_level } = self.retention {
            validate::open_probability(MODEL, "min_level", min_level)?;
        }
        if let Some(t) = self.threads {
            validate::rule(MODEL, "threads", t as f64, t >= 1, ">= 1")?;
        }
        Ok(())
    }

    /// Number of batches: ⌈trials / batch_size⌉.
    pub fn batches(&self) -> u64 {
        self.trials.div_ceil(self.batch_size)
    }

    /// Trials in batch `b` (the last batch may be short).
    pub fn batch_trials(&self, b: u64) -> u64 {
        self.batch_size.min(self.trials - b * self.batch_size)
    }
}

impl crate::error::Validate for SimulationConfig {
    fn validate(&self) -> Result<()> {
        SimulationConfig::validate(self)
    }
}
