//! Systemic events (common shocks) and the dependence across groups.

use crate::coverage::ClaimTerms;
use crate::dependence::Copula;
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::batches::{BLOCK, block_ranges};
use super::cents::to_cents;
use crate::frequency::{Frequency, Poisson};
use crate::simulation::batch_rng;
use rand::RngExt;

const MODEL: &str = "Portfolio";

/// A systemic cyber event (cloud outage, mass vulnerability, ransomware wave): events arrive
/// as a Poisson process; in an event year each policy **with cyber cover** in sector s is hit
/// with probability min(1, h_s·Z), where Z is the event's intensity (gamma with mean 1 and CV
/// `intensity_cv`, or 1). A hit's ground-up loss passes through the event's scenario `terms`
/// (default: none) and then the policy's own first-party cyber terms (deductible, limit,
/// share); policies without cyber cover are not exposed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommonShock {
    /// Name for reports.
    pub name: String,
    /// Events per year (≥ 0).
    pub annual_rate: f64,
    /// Hit probability by sector (sectors not listed use `default_hit_probability`).
    #[serde(default)]
    pub hit_probability: BTreeMap<String, f64>,
    /// Hit probability of other sectors.
    #[serde(default)]
    pub default_hit_probability: f64,
    /// CV of the event intensity (0: every event hits with the listed probabilities).
    #[serde(default)]
    pub intensity_cv: f64,
    /// Ground-up loss of a hit policy (元).
    pub loss: SeverityModel,
    /// Terms applied to each hit.
    #[serde(default)]
    pub terms: ClaimTerms,
}

impl CommonShock {
    /// Checks the rate, probabilities and intensity CV.
    pub fn validate(&self) -> Result<()> {
        validate::non_negative(MODEL, "annual_rate", self.annual_rate)?;
        validate::probability(
            MODEL,
            "default_hit_probability",
            self.default_hit_probability,
        )?;
        validate::non_negative(MODEL, "intensity_cv", self.intensity_cv)?;
        for p in self.hit_probability.values() {
            validate::probability(MODEL, "hit_probability", *p)?;
        }
        Ok(())
    }

    pub(super) fn hit(&self, sector: &str) -> f64 {
        *self
            .hit_probability
            .get(sector)
            .unwrap_or(&self.default_hit_probability)
    }
}

/// A copula across named groups.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Dependence {
    /// Group names, in the copula's margin order.
    pub groups: Vec<String>,
    /// The copula (dimension = number of groups).
    pub copula: Copula,
}

impl super::Portfolio {
    /// The systemic events in `trials` (whole blocks, each from its own stream per shock):
    /// (trial, shock, intensity) in trial order.
    pub(super) fn shock_events(
        &self,
        seed: u64,
        trials: std::ops::Range<usize>,
    ) -> Vec<(usize, usize, f64)> {
        let mut events = Vec::new();
        for (s, shock) in self.spec.shocks.iter().enumerate() {
            if shock.annual_rate <= 0.0 {
                continue;
            }
            let Ok(count) = Poisson::new(shock.annual_rate) else {
                continue;
            };
            let intensity = (shock.intensity_cv > 0.0)
                .then(|| {
                    let shape = 1.0 / (shock.intensity_cv * shock.intensity_cv);
                    rand_distr::Gamma::new(shape, 1.0 / shape).ok()
                })
                .flatten();
            for (b, years) in block_ranges(trials.clone()) {
                let mut rng = batch_rng(seed, STREAM_SHOCKS | (s as u64) << 32 | b as u64);
                for t in years {
                    for _ in 0..count.sample(&mut rng) {
                        let z = intensity
                            .as_ref()
                            .map_or(1.0, |d| rand_distr::Distribution::sample(d, &mut rng));
                        events.push((t, s, z));
                    }
                }
            }
        }
        events.sort_by_key(|&(t, s, _)| (t, s));
        events
    }

    /// Calls `add(event, trial, payment in 分)` for every systemic event of `events` (whole
    /// blocks of years) that hits policy `i`: only the events the policy is exposed to can
    /// hit it, and a hit's loss passes through the shock's own (scenario) terms and then the
    /// policy's terms for that event. The hits come from the policy's stream for each block:
    /// one uniform per event it is exposed to, so events of other shocks (say, a supply-chain
    /// event for a cyber-only firm) leave its draws as they were.
    pub(super) fn replay_shocks(
        &self,
        seed: u64,
        i: usize,
        events: &[(usize, usize, f64)],
        mut add: impl FnMut(usize, usize, i64),
    ) {
        let shocks = self.spec.shocks.len();
        let own = &self.shock_terms[i * shocks..][..shocks];
        if events.is_empty() || own.iter().all(Option::is_none) {
            return;
        }
        let hits = &self.hits[i * self.spec.shocks.len()..][..self.spec.shocks.len()];
        let stream = |t: usize| {
            batch_rng(
                seed ^ self.keys[i],
                STREAM_POLICY_SHOCKS | (t / BLOCK) as u64,
            )
        };
        let mut block = events[0].0 / BLOCK;
        let mut rng = stream(events[0].0);
        for (e, &(t, s, z)) in events.iter().enumerate() {
            if t / BLOCK != block {
                block = t / BLOCK;
                rng = stream(t);
            }
            let Some(own) = own[s] else {
                continue;
            };
            let shock = &self.spec.shocks[s];
            let p = (hits[s] * z).min(1.0);
            if rng.random::<f64>() < p {
                let loss = shock.terms.apply(shock.loss.sample(&mut rng));
                add(e, t, to_cents(own.apply(loss)));
            }
        }
    }
}

const STREAM_SHOCKS: u64 = 1 << 62;
const STREAM_POLICY_SHOCKS: u64 = 1 << 61;
