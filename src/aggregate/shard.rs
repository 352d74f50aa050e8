//! Sharded simulation of one cover: each shard simulates a contiguous range of batches and
//! returns a [`SimulationPart`]; [`LossModel::merge`] combines any complete set of parts into
//! the [`Simulation`] the single run gives, bit for bit (see [`crate::simulation::Shard`]).

use super::tower::TowerSums;
use super::{LossModel, Simulation};
use crate::error::Result;
use crate::frequency::Frequency;
use crate::numerics::kernels::CodePath;
use crate::severity::Severity;
use crate::simulation::losses::LossesBuilder;
use crate::simulation::{
    Moments, PART_VERSION, Shard, SimulationConfig, check_cover, check_header, digest,
};
use serde::{Deserialize, Serialize};
use std::ops::Range;

const FORMAT: &str = "kexian simulation part";

/// The mergeable result of a shard of a [`LossModel`] run: per-batch moment summaries (merged
/// in batch order), the zero count, the shard's largest values (as many as the whole run
/// retains; all with [`crate::simulation::Retention::All`]) and per-batch tower sums.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SimulationPart {
    format: String,
    version: u32,
    /// SHA-256 of the model and the run's settings (seed, trials, batch size, retention,
    /// variance reduction; not the threads).
    digest: String,
    trials: u64,
    batches: Range<u64>,
    batch_moments: Vec<Moments>,
    zeros: u64,
    /// The shard's retained values (raw little-endian bytes in the CBOR form): its share of
    /// the run's retained tail with a margin (see `shard_keep`).
    #[serde(with = "crate::simulation::f64_bytes")]
    tail: Vec<f64>,
    /// The smallest value kept when some were left out (none left out is larger).
    cut: Option<f64>,
    tower: Vec<TowerSums>,
}

impl SimulationPart {
    pub(super) fn new(
        digest: String,
        config: &SimulationConfig,
        batches: Range<u64>,
        (batch_moments, zeros): (Vec<Moments>, u64),
        (tail, cut): (Vec<f64>, Option<f64>),
        tower: Vec<TowerSums>,
    ) -> Self {
        Self {
            format: FORMAT.into(),
            version: PART_VERSION,
            digest,
            trials: config.trials,
            batches,
            batch_moments,
            zeros,
            tail,
            cut,
            tower,
        }
    }

    /// The batches this part covers.
    pub fn batches(&self) -> Range<u64> {
        self.batches.clone()
    }
}

part_bytes!(SimulationPart, FORMAT);

impl SimulationPart {
    /// Whether the part can be a shard of the run `config` on a tower of `layers` layers:
    /// its format and version, one moment summary per batch whose counts add up to the
    /// range's trials, finite moments (central sums ≥ 0), at most the range's trials among
    /// its zeros and retained values, no NaN, and tower sums of the tower's shape.
    fn fits(&self, config: &SimulationConfig, layers: usize) -> bool {
        let at = |b: u64| b.saturating_mul(config.batch_size).min(config.trials);
        let trials = at(self.batches.end) - at(self.batches.start);
        let moments = self.batch_moments.iter().all(|m| {
            [m.n, m.mean, m.m2, m.m3, m.m4]
                .iter()
                .all(|x| x.is_finite())
                && m.n >= 0.0
                && m.m2 >= 0.0
                && m.m4 >= 0.0
        });
        check_header(FORMAT, &self.format, self.version).is_ok()
            && self.trials == config.trials
            && self.batch_moments.len() as u64 == self.batches.end - self.batches.start
            && moments
            && self.batch_moments.iter().map(|m| m.n).sum::<f64>() == trials as f64
            && self.zeros <= trials
            && self.tail.len() as u64 <= trials
            && !self.tail.iter().chain(&self.cut).any(|x| x.is_nan())
            && self.tower.iter().all(|t| t.fits(layers))
    }
}

impl<F: Frequency + Serialize, S: Severity + Serialize> LossModel<F, S> {
    /// The run's provenance digest: SHA-256 of the model and the settings that fix its
    /// results (all but the thread count and the code path).
    pub fn run_digest(&self, config: &SimulationConfig) -> Result<String> {
        let settings = SimulationConfig {
            threads: None,
            code_path: CodePath::default(),
            ..*config
        };
        digest(&(self, settings))
    }

    /// Simulates shard `shard` of the run `config` (its share of the batches).
    ///
    /// ```
    /// use kexian::aggregate::LossModel;
    /// use kexian::frequency::Poisson;
    /// use kexian::severity::LogNormal;
    /// use kexian::simulation::{Shard, SimulationConfig};
    /// let model = LossModel::new(Poisson::new(2.0)?, LogNormal::new(10.0, 2.0)?);
    /// let config = SimulationConfig::new(42, 100_000)?.with_batch_size(10_000)?;
    /// let parts = (1..=3)
    ///     .map(|i| model.simulate_shard(&config, Shard::new(i, 3)?))
    ///     .collect::<kexian::Result<Vec<_>>>()?;
    /// let merged = model.merge(&config, parts)?;
    /// assert_eq!(merged, model.simulate(&config)?);
    /// # Ok::<(), kexian::Error>(())
    /// ```
    pub fn simulate_shard(
        &self,
        config: &SimulationConfig,
        shard: Shard,
    ) -> Result<SimulationPart> {
        config.validate()?;
        self.simulate_batches(config, shard.range(config.batches())?)
    }

    /// Simulates the batches `batches` (a non-empty range within the run's) of the run
    /// `config`.
    pub fn simulate_batches(
        &self,
        config: &SimulationConfig,
        batches: Range<u64>,
    ) -> Result<SimulationPart> {
        config.validate()?;
        let all = config.batches();
        if batches.is_empty() || batches.end > all {
            return Err(crate::Error::Inconsistent {
                model: "LossModel",
                message: format!(
                    "batches {}..{} are not a non-empty range within the run's 0..{all}",
                    batches.start, batches.end
                ),
            });
        }
        self.part(config, batches, self.run_digest(config)?, None)
    }

    /// Merges the parts of every shard of the run `config` (in any order) into the result
    /// [`simulate`](Self::simulate) gives, bit for bit. Refuses parts of other models or
    /// settings, overlapping parts (a shard given twice) and incomplete sets.
    pub fn merge(
        &self,
        config: &SimulationConfig,
        parts: Vec<SimulationPart>,
    ) -> Result<Simulation> {
        config.validate()?;
        self.merge_parts(config, parts, &self.run_digest(config)?)
    }
}

impl<F: Frequency, S: Severity> LossModel<F, S> {
    /// Merges parts whose digest is `digest` (checked) into the run's result.
    pub(super) fn merge_parts(
        &self,
        config: &SimulationConfig,
        mut parts: Vec<SimulationPart>,
        digest: &str,
    ) -> Result<Simulation> {
        parts.sort_by_key(|p| p.batches.start);
        check_cover(
            parts.iter().map(|p| (p.digest.as_str(), p.batches.clone())),
            digest,
            (config.batches(), "batches"),
        )?;
        let layers = self.tower.layers();
        if let Some(p) = parts.iter().find(|p| !p.fits(config, layers.len())) {
            return Err(crate::Error::Part {
                unit: "batches",
                range: p.batches.clone(),
                reason: format!(
                    "does not fit this {}-trial run (its version, batch summaries, counts, \
                     retained values or tower sums are not what a shard of it gives): \
                     damaged, crafted or of another run",
                    config.trials
                ),
            });
        }
        let (keep, min_level, weight) = self.retention(config);
        let mut builder =
            LossesBuilder::new(config.trials, weight, keep, min_level).with_threads(config.threads);
        let mut tower = TowerSums::new(layers.len());
        for p in &parts {
            builder.push_part(&p.batch_moments, p.zeros, &p.tail);
            p.tower.iter().for_each(|t| tower.merge(t));
        }
        let losses = builder.finish(self.finite_moments());
        // Exact only if no shard left out a value above the merged tail's cut.
        let kept = losses.smallest_kept().unwrap_or(f64::NEG_INFINITY);
        if let Some(p) = parts.iter().find(|p| p.cut.is_some_and(|c| c > kept)) {
            return Err(crate::Error::Part {
                unit: "batches",
                range: p.batches.clone(),
                reason: format!(
                    "kept its values down to {:e} only, above the merged tail's cut {kept:e}: \
                     its share of the run's largest values was far beyond the expected (odds \
                     below 1e-14); rerun the run unsharded or in fewer shards",
                    p.cut.unwrap_or_default()
                ),
            });
        }
        Ok(Simulation {
            losses,
            tower: (!layers.is_empty()).then(|| tower.finish(layers, config.trials as f64, weight)),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::frequency::Poisson;
    use crate::severity::Exponential;
    use crate::simulation::{Retention, shard_keep};

    #[test]
    fn a_shard_keeps_its_share_of_the_tail_with_a_margin() {
        // 12,500 expected, 8 × √(12,500 × 7/8) = 836.7 → 13,337, plus 32.
        assert_eq!(shard_keep(100_000, 0.125), 13_369);
        assert_eq!(shard_keep(100_000, 1.0), 100_000);
        assert_eq!(shard_keep(10, 0.5), 10);
    }

    #[test]
    fn a_shard_that_left_out_a_value_of_the_merged_tail_is_refused() {
        let model = LossModel::new(Poisson::new(1.0).unwrap(), Exponential::new(1e3).unwrap());
        let mut config = SimulationConfig::new(3, 200_000)
            .unwrap()
            .with_batch_size(1000)
            .unwrap();
        config.retention = Retention::Tail { min_level: 0.99 };
        let part = |i| {
            model
                .simulate_shard(&config, Shard::new(i, 4).unwrap())
                .unwrap()
        };
        let mut parts: Vec<SimulationPart> = (1..=4).map(part).collect();
        assert!(parts.iter().all(|p| p.cut.is_some()));
        assert!(model.merge(&config, parts.clone()).is_ok());
        // As if shard 2 had dropped values above the merged tail's cut.
        parts[1].cut = Some(f64::MAX);
        let e = model.merge(&config, parts).unwrap_err().to_string();
        assert!(e.contains("batches 50..100 kept its values down to"), "{e}");
    }
}
