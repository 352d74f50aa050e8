//! A batch of superposed claims, drawn pass by pass.
//!
//! Claim j of year t draws two counter words (see [`super::superposition`]): its peril from
//! the first by the alias table, its size from the second. A batch of up to [`CHUNK`]
//! claims, from any years, goes through the passes
//! 1. words → the alias uniform, the size uniform u, and z = Φ⁻¹(u) where u is central
//!    (vector kernel);
//! 2. the tails (15% of claims) gathered, their z by AS 241's tail function (vector kernel),
//!    and put back;
//! 3. the alias pick, branch-free, and μ + σz of the picked lognormal peril;
//! 4. exp (vector kernel);
//! 5. the terms, share·terms(inflation·x) as [`ClaimTerms::apply`] computes them, in 分;
//! 6. any other peril's payment from a generator seeded by its size word (scalar).
//!
//! Each claim's payment is a pure function of its two words, so the batching, the thread and
//! the shard change no bit; [`CodePath`] changes none either (see [`crate::numerics::kernels`]).

use super::cents::to_cents;
use crate::coverage::{ClaimTerms, DeductibleKind};
use crate::numerics::kernels::{
    CodePath, GAMMA, exp, normal_central, normal_near_tail, normal_tail, open_unit, splitmix64,
    unit,
};
use crate::perils::PerilModel;
use crate::severity::{Severity, SeverityModel};
use pulp::{Simd, WithSimd};
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;

/// Claims drawn together: large enough for the vector passes, small enough for the cache.
pub(super) const CHUNK: usize = 1024;

/// A superposed peril's claim off the vector path: a compound peril with another severity,
/// or another peril ([`Peril::sample_claim`](crate::perils::Peril::sample_claim)).
#[derive(Debug, Clone, PartialEq)]
enum Claim {
    Compound(SeverityModel, ClaimTerms),
    Other(Box<PerilModel>),
}

/// A lognormal peril's claim: exp(μ + σz), then its terms (one cache line: the pick pass
/// loads it for μ and σ, the terms pass finds it still in cache).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(align(64))]
struct Lognormal {
    mu: f64,
    sigma: f64,
    inflation: f64,
    deductible: f64,
    limit: f64,
    share: f64,
    franchise: bool,
}

/// The book's claim samplers for the passes, per superposed peril: a compound peril with a
/// lognormal severity by its parameters (the vector path), any other kept whole.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Samplers {
    /// A lognormal peril's claim (zeros for another).
    lognormal: Vec<Lognormal>,
    /// `u32::MAX` for a lognormal peril, else its place in `scalar`.
    scalar_of: Vec<u32>,
    scalar: Vec<Claim>,
}

impl Samplers {
    pub(super) fn new<'a>(perils: impl IntoIterator<Item = &'a PerilModel>) -> Self {
        let mut s = Self {
            lognormal: Vec::new(),
            scalar_of: Vec::new(),
            scalar: Vec::new(),
        };
        for peril in perils {
            let (lognormal, claim) = match peril {
                PerilModel::Compound(c) => match &c.severity {
                    SeverityModel::LogNormal(x) => {
                        let t = &c.terms;
                        let lognormal = Lognormal {
                            mu: x.mu(),
                            sigma: x.sigma(),
                            inflation: t.inflation(),
                            deductible: t.deductible(),
                            limit: t.limit(),
                            share: t.share(),
                            franchise: t.kind() == DeductibleKind::Franchise,
                        };
                        (lognormal, None)
                    }
                    other => (
                        Lognormal::default(),
                        Some(Claim::Compound(other.clone(), c.terms)),
                    ),
                },
                other => (
                    Lognormal::default(),
                    Some(Claim::Other(Box::new(other.clone()))),
                ),
            };
            s.lognormal.push(lognormal);
            s.scalar_of
                .push(claim.as_ref().map_or(u32::MAX, |_| s.scalar.len() as u32));
            s.scalar.extend(claim);
        }
        s
    }
}

/// The working arrays of one batch (allocated once per run of years).
#[derive(Debug, Default)]
pub(super) struct Batch {
    /// Claim c's first counter word's input: its year key + (2j + 1)·γ.
    pub(super) base: Vec<u64>,
    alias: Vec<f64>,
    u: Vec<f64>,
    /// z, then μ + σz, then its exp.
    x: Vec<f64>,
    /// The superposed peril of each claim.
    pub(super) pick: Vec<u32>,
    /// Its payment, 分.
    pub(super) cents: Vec<i64>,
    tails: Vec<u32>,
    tail_p: Vec<f64>,
    others: Vec<u32>,
}

impl Batch {
    pub(super) fn new() -> Self {
        let f = || vec![0.0; CHUNK];
        Self {
            base: Vec::with_capacity(CHUNK),
            alias: f(),
            u: f(),
            x: f(),
            pick: vec![0; CHUNK],
            cents: vec![0; CHUNK],
            tails: vec![0; CHUNK],
            tail_p: f(),
            others: vec![0; CHUNK],
        }
    }

    /// Draws the payments (`cents`) and perils (`pick`) of the claims in `base`, with the
    /// alias `table` over `samplers`.
    pub(super) fn draw(&mut self, table: &[(f64, u32)], samplers: &Samplers, path: CodePath) {
        let len = self.base.len();
        let n = table.len() as f64;
        let (alias, u, x) = (
            &mut self.alias[..len],
            &mut self.u[..len],
            &mut self.x[..len],
        );
        path.run(Words {
            base: &self.base,
            n,
            alias,
            u,
            z: x,
        });
        self.tails_pass(len, path);
        let others = self.pick_pass(len, table, samplers);
        path.run(Exp(&mut self.x[..len]));
        self.terms_pass(len, samplers);
        for &c in &self.others[..others] {
            let c = c as usize;
            let claim = &samplers.scalar[samplers.scalar_of[self.pick[c] as usize] as usize];
            let mut rng = SplitMix64::seed_from_u64(splitmix64(self.base[c].wrapping_add(GAMMA)));
            self.cents[c] = to_cents(match claim {
                Claim::Compound(severity, terms) => terms.apply(severity.sample(&mut rng)),
                Claim::Other(peril) => peril.sample_claim(&mut rng),
            });
        }
    }

    /// Pass 3: each claim's peril by the alias pick, and μ + σz of a lognormal peril;
    /// returns how many claims are another peril's (listed in `others`).
    fn pick_pass(&mut self, len: usize, table: &[(f64, u32)], samplers: &Samplers) -> usize {
        let last = table.len() as u32 - 1;
        let (alias, x, pick) = (
            &self.alias[..len],
            &mut self.x[..len],
            &mut self.pick[..len],
        );
        for c in 0..len {
            let a = alias[c];
            let drawn = (a as u32).min(last);
            let (keep, other) = table[drawn as usize];
            // The drawn peril if its fraction is below `keep`, else its alias: no branch.
            let mask = u32::from(a - f64::from(drawn) < keep).wrapping_neg();
            let k = other ^ ((drawn ^ other) & mask);
            pick[c] = k;
            let p = &samplers.lognormal[k as usize];
            x[c] = p.mu + p.sigma * x[c];
        }
        if samplers.scalar.is_empty() {
            return 0;
        }
        // Listed apart: a count that depended on the gathered record would chain the
        // claims' loads one after another.
        let mut m = 0;
        for (c, &k) in pick.iter().enumerate() {
            self.others[m] = c as u32;
            m += usize::from(samplers.scalar_of[k as usize] != u32::MAX);
        }
        m
    }

    /// Pass 5: the payments (分) share·terms(inflation·eˣ) (another peril's are overwritten
    /// in pass 6).
    fn terms_pass(&mut self, len: usize, samplers: &Samplers) {
        let (pick, x, cents) = (&self.pick[..len], &self.x[..len], &mut self.cents[..len]);
        for ((&k, &x), cents) in pick.iter().zip(x).zip(cents) {
            let p = &samplers.lognormal[k as usize];
            let y = p.inflation * x;
            let capped = if y < p.limit { y } else { p.limit };
            let ordinary = capped - if y < p.deductible { y } else { p.deductible };
            let franchise = if y > p.deductible { capped } else { 0.0 };
            let pay = if p.franchise { franchise } else { ordinary };
            *cents = to_cents(p.share * pay);
        }
    }

    /// Pass 2: z for the claims whose u lies in a tail (NaN after pass 1).
    fn tails_pass(&mut self, len: usize, path: CodePath) {
        let mut m = 0;
        for c in 0..len {
            let u = self.u[c];
            self.tails[m] = c as u32;
            self.tail_p[m] = if u < 0.5 { u } else { 1.0 - u };
            m += usize::from(self.x[c].is_nan());
        }
        path.run(NearTails(&mut self.tail_p[..m]));
        for (&c, &z) in self.tails[..m].iter().zip(&self.tail_p[..m]) {
            let c = c as usize;
            let u = self.u[c];
            self.x[c] = if z.is_nan() {
                normal_tail(u)
            } else if u < 0.5 {
                -z
            } else {
                z
            };
        }
    }
}

/// Pass 1: the alias uniform (× the number of perils), u and the central z of each claim.
struct Words<'a> {
    base: &'a [u64],
    n: f64,
    alias: &'a mut [f64],
    u: &'a mut [f64],
    z: &'a mut [f64],
}

impl WithSimd for Words<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let slots = self
            .alias
            .iter_mut()
            .zip(self.u.iter_mut())
            .zip(self.z.iter_mut());
        for (&base, ((alias, u), z)) in self.base.iter().zip(slots) {
            *alias = unit(splitmix64(base)) * self.n;
            let v = open_unit(splitmix64(base.wrapping_add(GAMMA)));
            *u = v;
            *z = normal_central(v);
        }
    }
}

/// Pass 2's kernel: |z| of each tail probability.
struct NearTails<'a>(&'a mut [f64]);

impl WithSimd for NearTails<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for p in self.0.iter_mut() {
            *p = normal_near_tail(*p);
        }
    }
}

/// Pass 4: eˣ.
struct Exp<'a>(&'a mut [f64]);

impl WithSimd for Exp<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for x in self.0.iter_mut() {
            *x = exp(*x);
        }
    }
}
