//! A batch of superposed claims, drawn pass by pass.
//!
//! Claim j of year t draws two counter words (see [`super::superposition`]): its peril from
//! the first by the alias table, its size from the second. A batch of up to [`CHUNK`]
//! claims, from any years, goes through the passes
//! 1. words → the alias uniform (vector kernel);
//! 2. words → the size uniform u and z = Φ⁻¹(u) ([`Normals`]: vector kernels for the central
//!    region and for the 15% of tail draws, gathered);
//! 3. the alias pick, branch-free, and μ + σz of the picked lognormal peril;
//! 4. exp (vector kernel);
//! 5. an ordinary deductible and limit, in 分;
//! 6. other terms ([`ClaimTerms::apply`]) of a lognormal size, and any other peril's payment
//!    from a generator seeded by its size word (scalar, for the claims listed in pass 3).
//!
//! Each claim's payment is a pure function of its two words, so the batching, the thread and
//! the shard change no bit; [`CodePath`] changes none either (see [`crate::numerics::kernels`]).

use super::cents::to_cents;
use crate::coverage::ClaimTerms;
use crate::coverage::ordinary;
use crate::numerics::kernels::{CodePath, GAMMA, Normals, exp_all, splitmix64, unit};
use crate::perils::PerilModel;
use crate::severity::SeverityModel;
use crate::simulation::claims::CHUNK;
use pulp::{Simd, WithSimd};
use rand::SeedableRng;
use rand_xoshiro::SplitMix64;

/// A superposed peril's claim off the vector path: a lognormal size with terms other than
/// an ordinary deductible and limit, a compound peril with another severity, or another peril
/// ([`Peril::sample_claim`](crate::perils::Peril::sample_claim)).
#[derive(Debug, Clone, PartialEq)]
enum Claim {
    Terms(ClaimTerms),
    Compound(SeverityModel, ClaimTerms),
    Other(Box<PerilModel>),
}

/// A lognormal peril's claim: exp(μ + σz), then an ordinary deductible and limit (32 bytes:
/// the pick pass loads it for μ and σ, the terms pass finds it still in cache).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[repr(align(32))]
struct Lognormal {
    mu: f64,
    sigma: f64,
    deductible: f64,
    limit: f64,
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
                        let (mu, sigma, terms) = (x.mu(), x.sigma(), c.terms);
                        let (deductible, limit) = (terms.deductible(), terms.limit());
                        let claim = Lognormal {
                            mu,
                            sigma,
                            deductible,
                            limit,
                        };
                        (claim, (!terms.is_ordinary()).then_some(Claim::Terms(terms)))
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
    alias: Vec<f64>,
    /// z, then μ + σz, then its exp.
    x: Vec<f64>,
    normals: Normals,
    /// The superposed peril of each claim.
    pub(super) pick: Vec<u32>,
    /// Its payment, 分.
    pub(super) cents: Vec<i64>,
    others: Vec<u32>,
}

impl Batch {
    pub(super) fn new() -> Self {
        Self {
            alias: vec![0.0; CHUNK],
            x: vec![0.0; CHUNK],
            normals: Normals::default(),
            pick: vec![0; CHUNK],
            cents: vec![0; CHUNK],
            others: vec![0; CHUNK],
        }
    }

    /// Draws the payments (`cents`) and perils (`pick`) of the claims whose first counter
    /// inputs are `inputs` (at most [`CHUNK`]), with the alias `table` over `samplers`.
    pub(super) fn draw(
        &mut self,
        inputs: &[u64],
        table: &[(f64, u32)],
        samplers: &Samplers,
        path: CodePath,
    ) {
        let len = inputs.len();
        let n = table.len() as f64;
        path.run(AliasUniforms {
            inputs,
            n,
            alias: &mut self.alias[..len],
        });
        self.normals.fill(inputs, GAMMA, &mut self.x[..len], path);
        let others = self.pick_pass(len, table, samplers);
        exp_all(&mut self.x[..len], path);
        self.terms_pass(len, samplers);
        for &c in &self.others[..others] {
            let c = c as usize;
            let claim = &samplers.scalar[samplers.scalar_of[self.pick[c] as usize] as usize];
            let mut rng = SplitMix64::seed_from_u64(splitmix64(inputs[c].wrapping_add(GAMMA)));
            self.cents[c] = to_cents(match claim {
                Claim::Terms(terms) => terms.apply(self.x[c]),
                Claim::Compound(severity, terms) => terms.apply(severity.draw(&mut rng)),
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

    /// Pass 5: the payments (分), the ordinary deductible and limit of eˣ (the claims of a
    /// peril with other terms, or off the vector path, are overwritten in pass 6).
    fn terms_pass(&mut self, len: usize, samplers: &Samplers) {
        let (pick, x, cents) = (&self.pick[..len], &self.x[..len], &mut self.cents[..len]);
        for ((&k, &x), cents) in pick.iter().zip(x).zip(cents) {
            let p = &samplers.lognormal[k as usize];
            *cents = to_cents(ordinary(x, p.deductible, p.limit));
        }
    }
}

/// Pass 1 (with [`Normals`]): the alias uniform, times the number of perils, of each claim.
struct AliasUniforms<'a> {
    inputs: &'a [u64],
    n: f64,
    alias: &'a mut [f64],
}

impl WithSimd for AliasUniforms<'_> {
    type Output = ();
    #[inline(always)]
    fn with_simd<S: Simd>(self, _: S) {
        for (&input, alias) in self.inputs.iter().zip(self.alias.iter_mut()) {
            *alias = unit(splitmix64(input)) * self.n;
        }
    }
}
