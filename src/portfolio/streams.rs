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
    /// Calls `visit(trial, peril, event)` for every event year in `trials` (whole blocks) of each of
    /// policy `i`'s perils that `engine` does not superpose, block by block, in trial order
    /// per peril within a block. A peril with P(event) = q ≥ `DENSE` (0.25) decides each year by
    /// one draw keyed by (seed, policy, peril, year); a rarer one has a stream per block,
    /// jumping with geometric gaps G = ⌊ln U / ln(1 − q)⌋, U ∈ (0, 1], from the block's first
    /// year (one logarithm per event instead of one draw per year).
    pub(super) fn event_years(
        &self,
        seed: u64,
        i: usize,
        trials: Range<usize>,
        engine: Engine,
        visit: impl FnMut(usize, usize, Event),
    ) {
        self.event_years_at(seed, i, trials, engine, None, visit);
    }

    /// [`event_years`](Self::event_years), the frequent perils' years looked at only among
    /// `frequent_years` (ascending trials) when given: a replay of chosen years.
    pub(super) fn event_years_at(
        &self,
        seed: u64,
        i: usize,
        trials: Range<usize>,
        engine: Engine,
        frequent_years: Option<&[usize]>,
        mut visit: impl FnMut(usize, usize, Event),
    ) {
        let policy = &self.spec.policies[i];
        let key = self.keys[i];
        let base = self.year_base(seed, i);
        for (b, years) in block_ranges(trials) {
            for (j, peril) in policy.perils.iter().enumerate() {
                let q = peril.event_probability();
                if q.is_nan() || q <= 0.0 || self.superposition.takes(engine, peril) {
                    continue;
                }
                if q >= DENSE {
                    let chosen = frequent_years.map(|list| {
                        let from = list.partition_point(|&t| t < years.start);
                        let to = list.partition_point(|&t| t < years.end);
                        &list[from..to]
                    });
                    let mut check = |t: usize| {
                        let key = year_key(base, j, t);
                        let z = splitmix64(key ^ STREAM_EVENTS);
                        // A uniform on [0, 1) from the top 53 bits.
                        if ((z >> 11) as f64) * f64::EPSILON / 2.0 < q {
                            visit(t, j, Event(key));
                        }
                    };
                    match chosen {
                        Some(list) => list.iter().for_each(|&t| check(t)),
                        None => years.clone().for_each(check),
                    }
                    continue;
                }
                let mut rng = batch_rng(seed ^ key, (j as u64) << 40 | b as u64);
                let log_miss = (-q).ln_1p();
                let mut t = years.start;
                loop {
                    let u = 1.0 - rng.random::<f64>();
                    // ≥ 0, so truncation is the floor.
                    let gap = u.ln() / log_miss;
                    if gap >= (years.end - t) as f64 {
                        break;
                    }
                    t += gap as usize;
                    visit(t, j, Event(year_key(base, j, t)));
                    t += 1;
                }
            }
        }
    }

    /// The part of every (policy `i`, peril, year) key that depends on the seed and policy.
    fn year_base(&self, seed: u64, i: usize) -> u64 {
        splitmix64(seed ^ self.keys[i] ^ STREAM_PAYMENTS)
    }

    /// Payment (分) of policy `i`'s peril `j` in its event year `event`: drawn from a
    /// generator of its own, a pure function of (seed, policy id, j, year), so any event
    /// can be regenerated alone.
    ///
    /// The generator is SplitMix64 started at the event's key (cheap to set up for one
    /// event, and statistically sound for the few dozen draws one event uses).
    #[inline]
    pub(super) fn payment(&self, i: usize, j: usize, event: Event) -> i64 {
        let mut total = 0i64;
        self.claims(i, j, event, |x| total = total.saturating_add(x));
        total
    }

    /// The event year's occurrences (分 each, in order; see [`Peril::claims_given_event`]):
    /// [`payment`](Self::payment) is their sum.
    #[inline]
    pub(super) fn claims(&self, i: usize, j: usize, event: Event, mut visit: impl FnMut(i64)) {
        let mut rng = SplitMix64::seed_from_u64(event.0);
        self.spec.policies[i].perils[j].claims_given_event(&mut rng, |x| visit(to_cents(x)));
    }
}

/// An event year of a (policy, peril) found by [`Portfolio::event_years`]: the key of
/// (seed, policy, peril, year) that seeds its payment (computed once, for the decision
/// and the payment).
#[derive(Debug, Clone, Copy)]
pub(super) struct Event(u64);

/// The key of (policy, peril `j`, year `t`) from the policy's [`Portfolio::year_base`]: seeds
/// the year's payment, and (mixed once more) decides a frequent peril's event.
#[inline]
fn year_key(base: u64, j: usize, t: usize) -> u64 {
    splitmix64(base ^ (((j as u64) << 32) | t as u64))
}

/// P(event in a year) from which a peril's years are decided one by one.
const DENSE: f64 = 0.25;

const STREAM_PAYMENTS: u64 = 0x9E37_79B9_7F4A_7C15;
const STREAM_EVENTS: u64 = 0xA076_1D64_78BD_642F;
