//! Systemic events (common shocks) and the dependence across groups.

use crate::coverage::ClaimTerms;
use crate::dependence::Copula;
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::batches::block_ranges;
use super::cents::to_cents;
use crate::frequency::{Frequency, Poisson};
use crate::numerics::kernels::{CodePath, Normals, counter, open_unit, set_bits, splitmix64, unit};
use crate::simulation::batch_rng;
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;

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

    /// The draws every policy's systemic hits share, for `events` (whole blocks of years),
    /// their kernels to run on `path`.
    pub(super) fn shock_hits(
        &self,
        seed: u64,
        events: &[(usize, usize, f64)],
        path: CodePath,
    ) -> ShockHits {
        let shocks = self.spec.shocks.len();
        // Event e's key: a pure function of (seed, year, shock, its rank among that shock's
        // events of the year), so a shard's events have the keys they have in the whole run.
        let base = splitmix64(seed ^ STREAM_EVENT_KEYS);
        let mut keys = Vec::with_capacity(events.len());
        for (e, &(t, s, _)) in events.iter().enumerate() {
            let rank = events[..e]
                .iter()
                .rev()
                .take_while(|&&(u, r, _)| (u, r) == (t, s))
                .count();
            keys.push(splitmix64(
                splitmix64(splitmix64(base ^ t as u64) ^ s as u64) ^ rank as u64,
            ));
        }
        // Policies exposed alike (the same hit probability, or none, for every shock) share
        // their events' hit probabilities min(1, h·z).
        let mut classes: Vec<Vec<u64>> = Vec::new();
        let class_of = (0..self.spec.policies.len())
            .map(|i| {
                let own = &self.shock_terms[i * shocks..][..shocks];
                let hits = &self.hits[i * shocks..][..shocks];
                let exposure: Vec<u64> = (own.iter().zip(hits))
                    .map(|(o, h)| if o.is_some() { h.to_bits() } else { 0 })
                    .collect();
                match classes.iter().position(|c| *c == exposure) {
                    Some(k) => k as u32,
                    None => {
                        classes.push(exposure);
                        (classes.len() - 1) as u32
                    }
                }
            })
            .collect();
        let p = classes
            .iter()
            .map(|c| {
                (events.iter())
                    .map(|&(_, s, z)| (f64::from_bits(c[s]) * z).min(1.0))
                    .collect()
            })
            .collect();
        ShockHits {
            keys,
            p,
            class_of,
            path,
        }
    }

    /// Calls `add(event, trial, payment in 分)` for every systemic event of `events` (whole
    /// blocks of years, with their [`shock_hits`](Self::shock_hits)) that hits policy `i`: only
    /// the events the policy is exposed to can hit it, and a hit's loss passes through the
    /// shock's own (scenario) terms and then the policy's terms for that event. Event e hits
    /// when the uniform of w = splitmix64(kᵢ ⊕ kₑ) (kᵢ the policy's key, kₑ the event's) is
    /// below its hit probability, all of a policy's events decided in one vector pass; a
    /// hit's loss is drawn by inversion at [`open_unit`] of w's word 1 where the shock's
    /// severity allows ([`Severity::survival_draw`]), else from SplitMix64 seeded by w.
    pub(super) fn replay_shocks(
        &self,
        seed: u64,
        i: usize,
        events: &[(usize, usize, f64)],
        drawn: &ShockHits,
        mut add: impl FnMut(usize, usize, i64),
    ) {
        let shocks = self.spec.shocks.len();
        let own = &self.shock_terms[i * shocks..][..shocks];
        if events.is_empty() || own.iter().all(Option::is_none) {
            return;
        }
        let policy = splitmix64(seed ^ self.keys[i] ^ STREAM_POLICY_SHOCKS);
        let p = &drawn.p[drawn.class_of[i] as usize];
        let mut bits = vec![0u64; events.len().div_ceil(64)];
        drawn.path.run(Hits {
            policy,
            keys: &drawn.keys,
            p,
            bits: &mut bits,
        });
        // The hits (events the policy is exposed to), their words, then their losses shock by
        // shock in batches, added in event order.
        let mut hits = Vec::new();
        set_bits(&bits, |e| {
            let s = events[e].1;
            if own[s].is_some() {
                hits.push((e, s, splitmix64(policy ^ drawn.keys[e])));
            }
        });
        let mut losses = vec![0.0; hits.len()];
        let mut by_shock = vec![Vec::new(); shocks];
        for (k, &(_, s, _)) in hits.iter().enumerate() {
            by_shock[s].push(k);
        }
        let mut normals = Normals::default();
        for (of_shock, shock) in by_shock.iter().zip(&self.spec.shocks) {
            let mut x: Vec<f64> = (of_shock.iter())
                .map(|&k| open_unit(counter(hits[k].2, 1)))
                .collect();
            let inverted = shock.loss.survival_draws(&mut x, &mut normals, drawn.path);
            for (&k, &x) in of_shock.iter().zip(&x) {
                losses[k] = if inverted {
                    x
                } else {
                    shock.loss.sample(&mut SplitMix64::seed_from_u64(hits[k].2))
                };
            }
        }
        for (&(e, ..), &loss) in hits.iter().zip(&losses) {
            let (t, s, _) = events[e];
            if let Some(own) = own[s] {
                let shock = &self.spec.shocks[s];
                add(e, t, to_cents(own.apply(shock.terms.apply(loss))));
            }
        }
    }
}

/// What every policy's systemic hits share: each event's key and, per class of policies
/// exposed alike, each event's hit probability.
pub(super) struct ShockHits {
    keys: Vec<u64>,
    p: Vec<Vec<f64>>,
    class_of: Vec<u32>,
    path: CodePath,
}

/// A policy's hits, as bits (event e: bit e % 64 of word e / 64).
struct Hits<'a> {
    policy: u64,
    keys: &'a [u64],
    p: &'a [f64],
    bits: &'a mut [u64],
}

impl pulp::WithSimd for Hits<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let chunks = self.keys.chunks(64).zip(self.p.chunks(64));
        for ((keys, p), bits) in chunks.zip(self.bits.iter_mut()) {
            let mut m = 0u64;
            for (b, (&key, &p)) in keys.iter().zip(p).enumerate() {
                m |= u64::from(unit(splitmix64(self.policy ^ key)) < p) << b;
            }
            *bits = m;
        }
    }
}

const STREAM_SHOCKS: u64 = 1 << 62;
const STREAM_POLICY_SHOCKS: u64 = 1 << 61;
const STREAM_EVENT_KEYS: u64 = 0xD1B5_4A32_D192_ED03;
