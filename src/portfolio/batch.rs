//! A batch of superposed claims, drawn pass by pass.
//!
//! Claim j of year t draws two counter words (see [`super::superposition`]): its peril from
//! the first by the alias table, its size from the second. A batch of up to [`CHUNK`]
//! claims, from any years, goes through the passes
//! 1. words → the alias uniform and the size uniform u, and z = Φ⁻¹(u) where u is central
//!    (vector kernel);
//! 2. the tails (15% of claims) gathered, their z by AS 241's tail function (vector kernel),
//!    and put back;
//! 3. the alias pick, branch-free, and the picked peril's parameters gathered side by side;
//! 4. a lognormal claim's payment s·terms(c·exp(μ + σz)) (vector kernel);
//! 5. any other peril's payment from a generator seeded by its size word (scalar).
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

/// A superposed peril's claim payment: a compound peril with a lognormal severity by its
/// parameters (the vector path), any other kept whole.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Claim {
    /// Payment share·terms(inflation·exp(μ + σz)).
    Lognormal(Lognormal),
    /// A compound peril with another severity.
    Compound(SeverityModel, ClaimTerms),
    /// Any other peril's claim ([`Peril::sample_claim`]).
    Other(Box<PerilModel>),
}

impl Claim {
    pub(super) fn new(peril: &PerilModel) -> Self {
        match peril {
            PerilModel::Compound(c) => match &c.severity {
                SeverityModel::LogNormal(s) => Self::Lognormal(Lognormal {
                    mu: s.mu(),
                    sigma: s.sigma(),
                    inflation: c.terms.inflation(),
                    deductible: c.terms.deductible(),
                    limit: c.terms.limit(),
                    share: c.terms.share(),
                    franchise: c.terms.kind() == DeductibleKind::Franchise,
                    scalar: u32::MAX,
                }),
                other => Self::Compound(other.clone(), c.terms),
            },
            other => Self::Other(Box::new(other.clone())),
        }
    }
}

/// A lognormal claim's parameters (and, for another peril's, its place among the scalar
/// samplers), one cache line.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(align(64))]
pub(super) struct Lognormal {
    mu: f64,
    sigma: f64,
    inflation: f64,
    deductible: f64,
    limit: f64,
    share: f64,
    franchise: bool,
    /// `u32::MAX` for a lognormal peril, else its index in [`Samplers`]' `scalar`.
    scalar: u32,
}

/// The book's claim samplers for the passes: per superposed peril its lognormal parameters
/// (zero for another peril, with its place in `scalar`).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Samplers {
    params: Vec<Lognormal>,
    /// Whether each peril takes the scalar path (a compact copy for the pick pass).
    is_scalar: Vec<bool>,
    scalar: Vec<Claim>,
}

impl Samplers {
    pub(super) fn new(claims: Vec<Claim>) -> Self {
        let mut s = Self {
            params: Vec::with_capacity(claims.len()),
            is_scalar: Vec::with_capacity(claims.len()),
            scalar: Vec::new(),
        };
        for claim in claims {
            s.is_scalar.push(!matches!(claim, Claim::Lognormal(_)));
            if let Claim::Lognormal(p) = claim {
                s.params.push(p);
            } else {
                s.params.push(Lognormal {
                    scalar: s.scalar.len() as u32,
                    ..Lognormal::default()
                });
                s.scalar.push(claim);
            }
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
    /// z, then μ + σz.
    x: Vec<f64>,
    inflation: Vec<f64>,
    deductible: Vec<f64>,
    limit: Vec<f64>,
    share: Vec<f64>,
    franchise: Vec<bool>,
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
            inflation: f(),
            deductible: f(),
            limit: f(),
            share: f(),
            franchise: vec![false; CHUNK],
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
        path.run(Pay {
            x: &self.x[..len],
            inflation: &self.inflation[..len],
            deductible: &self.deductible[..len],
            limit: &self.limit[..len],
            share: &self.share[..len],
            franchise: &self.franchise[..len],
            cents: &mut self.cents[..len],
        });
        for &c in &self.others[..others] {
            let c = c as usize;
            let k = self.pick[c] as usize;
            let claim = &samplers.scalar[samplers.params[k].scalar as usize];
            let mut rng = SplitMix64::seed_from_u64(splitmix64(self.base[c].wrapping_add(GAMMA)));
            self.cents[c] = to_cents(match claim {
                Claim::Compound(severity, terms) => terms.apply(severity.sample(&mut rng)),
                Claim::Other(peril) => peril.sample_claim(&mut rng),
                Claim::Lognormal(_) => unreachable!("lognormal claims take the vector path"),
            });
        }
    }

    /// Pass 3: each claim's peril by the alias pick, μ + σz and the terms of a lognormal
    /// peril; returns how many claims are another peril's (listed in `others`).
    fn pick_pass(&mut self, len: usize, table: &[(f64, u32)], samplers: &Samplers) -> usize {
        let last = table.len() as u32 - 1;
        let (alias, x, pick) = (
            &self.alias[..len],
            &mut self.x[..len],
            &mut self.pick[..len],
        );
        let (inflation, deductible) = (&mut self.inflation[..len], &mut self.deductible[..len]);
        let (limit, share) = (&mut self.limit[..len], &mut self.share[..len]);
        let franchise = &mut self.franchise[..len];
        for c in 0..len {
            let a = alias[c];
            let drawn = (a as u32).min(last);
            let (keep, other) = table[drawn as usize];
            // The drawn peril if its fraction is below `keep`, else its alias: no branch.
            let mask = u32::from(a - f64::from(drawn) < keep).wrapping_neg();
            let k = other ^ ((drawn ^ other) & mask);
            pick[c] = k;
            let p = &samplers.params[k as usize];
            x[c] = p.mu + p.sigma * x[c];
            inflation[c] = p.inflation;
            deductible[c] = p.deductible;
            limit[c] = p.limit;
            share[c] = p.share;
            franchise[c] = p.franchise;
        }
        if samplers.scalar.is_empty() {
            return 0;
        }
        // Listed apart: a count that depended on the gathered record would chain the
        // claims' loads one after another.
        let mut m = 0;
        for (c, &k) in pick.iter().enumerate() {
            self.others[m] = c as u32;
            m += usize::from(samplers.is_scalar[k as usize]);
        }
        m
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

/// Pass 4: the payments (分) share·terms(inflation·exp(x)), as [`ClaimTerms::apply`]
/// computes them (another peril's are overwritten in pass 5).
struct Pay<'a> {
    x: &'a [f64],
    inflation: &'a [f64],
    deductible: &'a [f64],
    limit: &'a [f64],
    share: &'a [f64],
    franchise: &'a [bool],
    cents: &'a mut [i64],
}

impl WithSimd for Pay<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        let terms = self
            .deductible
            .iter()
            .zip(self.limit)
            .zip(self.share.iter().zip(self.franchise));
        let scaled = self.x.iter().zip(self.inflation);
        for ((cents, (&x, &c)), ((&d, &l), (&s, &f))) in
            self.cents.iter_mut().zip(scaled).zip(terms)
        {
            let y = c * exp(x);
            let capped = if y < l { y } else { l };
            let ordinary = capped - if y < d { y } else { d };
            let franchise = if y > d { capped } else { 0.0 };
            *cents = to_cents(s * if f { franchise } else { ordinary });
        }
    }
}
