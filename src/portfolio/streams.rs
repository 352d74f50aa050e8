//! Per-policy event streams: the perils the run does not superpose (at most one event a
//! year, or a count other than Poisson — and every peril under [`Engine::Streams`]) jump from
//! one event year to the next, each (policy, peril, block) from its own generator, and each
//! event's payment comes from a generator keyed by (seed, policy, peril, year).

use super::Portfolio;
use super::batches::block_ranges;
use super::cents::to_cents;
use super::superposition::Engine;
use crate::perils::Peril;
use crate::simulation::{batch_rng, splitmix64};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
use std::ops::Range;

impl Portfolio {
    /// Calls `visit(trial, peril)` for every event year in `trials` (whole blocks) of each of
    /// policy `i`'s perils that `engine` does not superpose, block by block, in trial order
    /// per peril within a block. Each (peril, block) has its own stream, jumping with
    /// geometric gaps G = ⌊ln U / ln(1 − q)⌋, U ∈ (0, 1], from the block's first year.
    pub(super) fn event_years(
        &self,
        seed: u64,
        i: usize,
        trials: Range<usize>,
        engine: Engine,
        mut visit: impl FnMut(usize, usize),
    ) {
        let policy = &self.spec.policies[i];
        let key = self.keys[i];
        for (b, years) in block_ranges(trials) {
            for (j, peril) in policy.perils.iter().enumerate() {
                let q = peril.event_probability();
                if q.is_nan() || q <= 0.0 || self.superposition.takes(engine, peril) {
                    continue;
                }
                let mut rng = batch_rng(seed ^ key, (j as u64) << 40 | b as u64);
                let log_miss = (-q).ln_1p();
                let mut t = years.start;
                loop {
                    if q < 1.0 {
                        let u = 1.0 - rng.random::<f64>();
                        // ≥ 0, so truncation is the floor.
                        let gap = u.ln() / log_miss;
                        if gap >= (years.end - t) as f64 {
                            break;
                        }
                        t += gap as usize;
                    }
                    if t >= years.end {
                        break;
                    }
                    visit(t, j);
                    t += 1;
                }
            }
        }
    }

    /// Payment (分) of policy `i`'s peril `j` in event year `t`: drawn from a generator of
    /// its own, a pure function of (seed, policy id, j, t), so any event can be regenerated
    /// alone.
    ///
    /// The generator is SplitMix64 started at a mix of the four (cheap to set up for one
    /// event, and statistically sound for the few dozen draws one event uses).
    #[inline]
    pub(super) fn payment(&self, seed: u64, i: usize, j: usize, t: usize) -> i64 {
        let policy = &self.spec.policies[i];
        let key = self.keys[i] ^ STREAM_PAYMENTS;
        let start = splitmix64(splitmix64(seed ^ key) ^ (((j as u64) << 32) | t as u64));
        let mut rng = SplitMix64::seed_from_u64(start);
        to_cents(policy.perils[j].sample_given_event(&mut rng))
    }
}

const STREAM_PAYMENTS: u64 = 0x9E37_79B9_7F4A_7C15;
