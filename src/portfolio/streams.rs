//! Per-policy event years: the perils the run does not superpose (at most one event a year,
//! or a count other than Poisson — and every peril under [`Engine::Streams`]). Each year of a
//! (policy, peril) has a key, a pure function of (seed, policy, peril, year), that decides
//! whether it has an event; a block's keys and decisions come from one vector pass. An
//! event's payment is a pure function of its key: by inversion where the peril allows, else
//! from a generator seeded by the key.

use super::Portfolio;
use super::batches::{BLOCK, block_ranges};
use super::cents::to_cents;
use super::superposition::Engine;
use crate::numerics::kernels::{
    CodePath, GAMMA, Normals, counter, open_unit, set_bits, splitmix64, unit,
};
use crate::perils::{ClaimBatch, Peril, PerilModel};
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;
use std::ops::Range;

impl Portfolio {
    /// Calls `visit(trial, peril, event)` for every event year in `trials` (whole blocks) of
    /// each of policy `i`'s perils that `engine` does not superpose, block by block, in
    /// trial order per peril within a block. Each year is decided by its key kₜ (a pure
    /// function of seed, policy, peril and year): an event when u = [`unit`]\(kₜ\) < q, q
    /// the peril's P(event). The keys of a block's years and their decisions come from one
    /// vector pass (`years` holds its scratch); a replay looks at the `Chosen` years only
    /// (ascending trials).
    pub(super) fn event_years(
        &self,
        seed: u64,
        i: usize,
        trials: Range<usize>,
        engine: Engine,
        mut years: Years,
        mut visit: impl FnMut(usize, usize, Event<'_>),
    ) {
        let policy = &self.spec.policies[i];
        let base = self.year_base(seed, i);
        for (_, block) in block_ranges(trials) {
            for (j, peril) in policy.perils.iter().enumerate() {
                // The superposed perils first: their event probability is not needed (and
                // for a Poisson count costs an exp).
                if self.superposition.takes(engine, peril) {
                    continue;
                }
                let q = peril.event_probability();
                if q.is_nan() || q <= 0.0 {
                    continue;
                }
                match &mut years {
                    Years::Chosen(list) => {
                        let from = list.partition_point(|&t| t < block.start);
                        let to = list.partition_point(|&t| t < block.end);
                        for &t in &list[from..to] {
                            let key = year_key(base, j, t);
                            if unit(key) < q {
                                visit(t, j, Event::new(key));
                            }
                        }
                    }
                    Years::All(keys) => keys.events((base, j, peril), block.clone(), &mut visit),
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
    pub(super) fn payment(&self, i: usize, j: usize, event: Event<'_>) -> i64 {
        let mut total = 0i64;
        self.claims(i, j, event, |x| total = total.saturating_add(x));
        total
    }

    /// The event year's occurrences (分 each, in order; see [`Peril::claims_given_event`]):
    /// [`payment`](Self::payment) is their sum. A peril paid by inversion
    /// ([`Peril::payment_by_inversion`]) takes the event's u and v = [`open_unit`] of the
    /// key's word 1; any other draws from SplitMix64 seeded by the key (unless a batch
    /// has drawn its claims, [`Peril::claims_in_batch`]).
    #[inline]
    pub(super) fn claims(&self, i: usize, j: usize, event: Event<'_>, mut visit: impl FnMut(i64)) {
        let peril = &self.spec.policies[i].perils[j];
        if let Some(x) = event.paid {
            return visit(to_cents(x));
        }
        if let Some(claims) = event.drawn {
            return claims.iter().for_each(|&x| visit(to_cents(x)));
        }
        let inverted = peril.pays_by_inversion();
        match inverted
            .then(|| peril.payment_by_inversion(event.u, event.v()))
            .flatten()
        {
            Some(x) => visit(to_cents(x)),
            None => {
                let mut rng = SplitMix64::seed_from_u64(event.key);
                peril.claims_given_event(&mut rng, |x| visit(to_cents(x)));
            }
        }
    }
}

/// An event year of a (policy, peril) found by [`Portfolio::event_years`]: the key of
/// (seed, policy, peril, year) that decided it and seeds its payment; u = [`unit`]\(key\),
/// uniform on \[0, q) (q the peril's event probability), picks the event by inversion.
#[derive(Debug, Clone, Copy)]
pub(super) struct Event<'a> {
    key: u64,
    u: f64,
    /// The payment by inversion, when a batch has drawn it.
    paid: Option<f64>,
    /// The claims (元), when a batch has drawn them.
    drawn: Option<&'a [f64]>,
}

impl Event<'_> {
    fn new(key: u64) -> Self {
        Self {
            key,
            u: unit(key),
            paid: None,
            drawn: None,
        }
    }

    /// The second uniform of a payment by inversion: [`open_unit`] of the key's word 1.
    fn v(&self) -> f64 {
        open_unit(counter(self.key, 1))
    }
}

/// The key of (policy, peril `j`, year `t`) from the policy's [`Portfolio::year_base`]:
/// word (j·2³² + t) of its counter stream, so that a block's years are consecutive words.
#[inline(always)]
fn year_key(base: u64, j: usize, t: usize) -> u64 {
    splitmix64(year_counter(base, j, t))
}

/// base + (j·2³² + t)·γ: what [`year_key`] mixes.
#[inline(always)]
fn year_counter(base: u64, j: usize, t: usize) -> u64 {
    base.wrapping_add((((j as u64) << 32) | t as u64).wrapping_mul(GAMMA))
}

/// Which years of a frequent peril [`Portfolio::event_years`] looks at.
pub(super) enum Years<'a> {
    /// Every year, a block's keys in one vector pass.
    All(&'a mut YearKeys),
    /// Only these (ascending trials): a replay of chosen years.
    Chosen(&'a [usize]),
}

/// The scratch of a block's year keys and events, and the instructions they run on.
pub(super) struct YearKeys {
    keys: Vec<u64>,
    /// Bit y % 64 of word y / 64: year y of the block has an event.
    hits: Vec<u64>,
    /// The events' uniforms u and v (v then their payments).
    u: Vec<f64>,
    v: Vec<f64>,
    normals: Normals,
    /// The keys of the events of a peril with batched claims, and their claims.
    events: Vec<u64>,
    claims: ClaimBatch,
    path: CodePath,
}

impl YearKeys {
    pub(super) fn new(path: CodePath) -> Self {
        Self {
            keys: vec![0; BLOCK],
            hits: vec![0; BLOCK.div_ceil(64)],
            u: Vec::with_capacity(BLOCK),
            v: Vec::with_capacity(BLOCK),
            normals: Normals::default(),
            events: Vec::new(),
            claims: ClaimBatch::default(),
            path,
        }
    }

    /// Calls `visit` with the event years of the policy's peril `j` (base `base`) in `block`,
    /// their payments drawn in one batch where the peril pays by inversion, or their claims
    /// where it has batched claims.
    fn events(
        &mut self,
        (base, j, peril): (u64, usize, &PerilModel),
        block: Range<usize>,
        visit: &mut impl FnMut(usize, usize, Event<'_>),
    ) {
        let len = block.len();
        let (keys, hits) = (&mut self.keys[..len], &mut self.hits[..len.div_ceil(64)]);
        self.path.run(Keys {
            first: year_counter(base, j, block.start),
            q: peril.event_probability(),
            keys,
            hits,
        });
        self.u.clear();
        self.v.clear();
        let inverted = peril.pays_by_inversion();
        if inverted {
            set_bits(hits, |y| {
                let event = Event::new(keys[y]);
                self.u.push(event.u);
                self.v.push(event.v());
            });
        }
        let paid = inverted
            && peril.payments_by_inversion(&self.u, &mut self.v, &mut self.normals, self.path);
        self.events.clear();
        if !inverted {
            set_bits(hits, |y| self.events.push(keys[y]));
        }
        let drawn = !self.events.is_empty()
            && peril.claims_in_batch(&self.events, &mut self.claims, self.path);
        let mut k = 0;
        set_bits(hits, |y| {
            let mut event = Event::new(keys[y]);
            event.paid = paid.then(|| self.v[k]);
            event.drawn = drawn.then(|| self.claims.event(k));
            k += 1;
            visit(block.start + y, j, event);
        });
    }
}

/// Words y = 0, 1, … of the counter stream from `first` (unmixed), and the years whose
/// word's [`unit`] is below q, as bits.
struct Keys<'a> {
    first: u64,
    q: f64,
    keys: &'a mut [u64],
    hits: &'a mut [u64],
}

impl pulp::WithSimd for Keys<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _: S) {
        let chunks = self.keys.chunks_mut(64).zip(self.hits.iter_mut());
        for (w, (keys, hits)) in chunks.enumerate() {
            let mut m = 0u64;
            for (b, key) in keys.iter_mut().enumerate() {
                *key = counter(self.first, (w * 64 + b) as u64);
                m |= u64::from(unit(*key) < self.q) << b;
            }
            *hits = m;
        }
    }
}

const STREAM_PAYMENTS: u64 = 0x9E37_79B9_7F4A_7C15;
