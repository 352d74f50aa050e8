//! The book's Poisson perils as one stream of claims.
//!
//! Independent Poisson processes superpose: the claims of perils with rates λ₁ … λₖ are one
//! Poisson(Λ = Σλ) count a year, each claim the peril p's with probability λₚ/Λ,
//! independently (thinning). So a year costs one count, and a claim one draw from a Vose alias
//! table and the peril's own claim payment ([`PerilModel::sample_claim`]): the cost follows the
//! number of claims, not policies × years. Each year draws from its own generator, a pure
//! function of (seed, year), so any year can be regenerated alone (the co-TVaR replay).

use super::cents::to_cents;
use super::{Portfolio, PortfolioConfig, PortfolioSpec};
use crate::coverage::ClaimTerms;
use crate::error::Result;
use crate::frequency::{Frequency, Poisson};
use crate::numerics::alias_table;
use crate::perils::PerilModel;
use crate::severity::{Severity, SeverityModel};
use crate::simulation::{batch_rng, map_indices};
use rand::RngExt;
use serde::{Deserialize, Serialize};

/// How a portfolio run draws the claims of its Poisson perils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Engine {
    /// All Poisson perils of the book superposed (one Poisson(Σλ) count of claims a year,
    /// each claim's peril drawn by rate); perils with at most one event a year or another
    /// count keep their own streams. The fastest; adding a Poisson peril to the book changes
    /// every superposed draw.
    #[default]
    Superposition,
    /// Every peril its own stream of event years (common random numbers): adding or removing
    /// a policy leaves every other policy's draws unchanged, for marginal analyses.
    Streams,
}

/// The superposed perils of a book: which they are, the alias table and the count.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Superposition {
    /// (policy, book-wide peril index) of each superposed peril, in book order.
    pairs: Vec<(u32, u32)>,
    /// Their claim samplers, side by side (one load per claim, not a walk through the
    /// policies).
    claims: Vec<Claim>,
    /// Vose alias table over the pairs by rate: (probability of keeping the drawn pair, its
    /// alias).
    table: Vec<(f64, u32)>,
    /// Claims a year, Poisson(Λ); `None` when no peril has a positive rate.
    count: Option<Poisson>,
}

/// A superposed peril's claim payment: a compound peril's severity and terms kept inline
/// (96 bytes, so a large book's samplers stay in cache), any other behind a pointer.
#[derive(Debug, Clone, PartialEq)]
enum Claim {
    Compound(SeverityModel, ClaimTerms),
    Other(Box<PerilModel>),
}

impl Claim {
    #[inline(always)]
    fn sample(&self, rng: &mut impl rand::Rng) -> f64 {
        match self {
            Self::Compound(severity, terms) => terms.apply(severity.sample(rng)),
            Self::Other(peril) => peril.sample_claim(rng),
        }
    }
}

const STREAM_CLAIMS: u64 = 0xD1B5_4A32_D192_ED03;

impl Superposition {
    pub(super) fn new(spec: &PortfolioSpec) -> Self {
        let mut pairs = Vec::new();
        let mut claims = Vec::new();
        let mut rates = Vec::new();
        let mut index = 0;
        for (i, policy) in spec.policies.iter().enumerate() {
            for peril in &policy.perils {
                index += 1;
                if let Some(rate) = peril.poisson_rate().filter(|&r| r > 0.0) {
                    pairs.push((i as u32, index - 1));
                    claims.push(match peril {
                        PerilModel::Compound(c) => Claim::Compound(c.severity.clone(), c.terms),
                        other => Claim::Other(Box::new(other.clone())),
                    });
                    rates.push(rate);
                }
            }
        }
        // No table (no peril, or rates beyond the largest float): every peril keeps its own
        // stream (`takes` is false without a count).
        let total: f64 = rates.iter().sum();
        let table = alias_table(&rates).unwrap_or_default();
        Self {
            count: Poisson::new(total).ok().filter(|_| !table.is_empty()),
            table,
            pairs,
            claims,
        }
    }

    /// Whether `peril` is drawn from the superposed stream (else from its own: also when the
    /// book's total rate has no Poisson count, e.g. beyond the largest float).
    pub(super) fn takes(&self, engine: Engine, peril: &PerilModel) -> bool {
        engine == Engine::Superposition
            && self.count.is_some()
            && peril.poisson_rate().is_some_and(|r| r > 0.0)
    }

    /// Whether any peril is superposed.
    pub(super) fn is_empty(&self) -> bool {
        self.count.is_none()
    }

    /// Calls `visit(policy, book-wide peril index, payment 分)` for every superposed claim
    /// of year `t`, in the order drawn: each claim is one occurrence (for the per-risk
    /// treaty and the largest occurrence).
    #[inline]
    pub(super) fn year(&self, seed: u64, t: usize, mut visit: impl FnMut(usize, usize, i64)) {
        let Some(count) = &self.count else { return };
        let mut rng = batch_rng(seed ^ STREAM_CLAIMS, t as u64);
        let len = self.pairs.len();
        for _ in 0..count.sample(&mut rng) {
            let u = rng.random::<f64>() * len as f64;
            let drawn = (u as usize).min(len - 1);
            let (keep, alias) = self.table[drawn];
            let k = if u - (drawn as f64) < keep {
                drawn
            } else {
                alias as usize
            };
            let x = self.claims[k].sample(&mut rng);
            let (i, j) = self.pairs[k];
            visit(i as usize, j as usize, to_cents(x));
        }
    }
}

impl Portfolio {
    /// Per policy, its superposed payments (trial of the run, 分) in the candidate tail years
    /// of the range starting at trial `start` (`candidate[t]`, after the copula's moves
    /// `perms`, per group): only the years that move into a candidate year are regenerated.
    pub(super) fn superposed_tails(
        &self,
        config: &PortfolioConfig,
        start: usize,
        candidate: &[bool],
        perms: Option<&Vec<Vec<u32>>>,
    ) -> Result<Vec<Vec<(u32, i64)>>> {
        let n = self.spec.policies.len();
        let mut tails = vec![Vec::new(); n];
        if config.engine != Engine::Superposition || self.superposition.is_empty() {
            return Ok(tails);
        }
        let needed: Vec<usize> = match perms {
            None => (0..candidate.len()).filter(|&t| candidate[t]).collect(),
            Some(perms) => {
                let mut needed = vec![false; candidate.len()];
                for perm in perms {
                    for (t, &moved) in perm.iter().enumerate() {
                        needed[t] |= candidate[moved as usize];
                    }
                }
                (0..candidate.len()).filter(|&t| needed[t]).collect()
            }
        };
        let found = self.superposed_claims(config, start, &needed, |i, t| {
            let moved = perms.map_or(t, |p| p[self.group_of[i]][t] as usize);
            candidate[moved].then_some(moved)
        })?;
        // Each policy's tail sized once (no regrowth), then filled chunk by chunk.
        let mut count = vec![0usize; n];
        for &(i, ..) in found.iter().flatten() {
            count[i] += 1;
        }
        for (tail, &c) in tails.iter_mut().zip(&count) {
            tail.reserve_exact(c);
        }
        for &(i, t, x) in found.iter().flatten() {
            tails[i].push(((start + t) as u32, x));
        }
        Ok(tails)
    }

    /// The superposed payments (policy, moved year, 分) in the years `years` (relative to
    /// trial `start`) that `keep(policy, year)` moves to a year it returns, in year order
    /// chunk after chunk (the years regenerated in parallel, chunk by chunk; the chunks'
    /// lists are not copied into one).
    pub(super) fn superposed_claims(
        &self,
        config: &PortfolioConfig,
        start: usize,
        years: &[usize],
        keep: impl Fn(usize, usize) -> Option<usize> + Sync,
    ) -> Result<Vec<Vec<(usize, usize, i64)>>> {
        let chunk = 256;
        let (seed, threads) = (config.simulation.seed, config.simulation.threads);
        map_indices(years.len().div_ceil(chunk), threads, &|c| {
            let mut found = Vec::new();
            for &t in &years[c * chunk..((c + 1) * chunk).min(years.len())] {
                self.superposition.year(seed, start + t, |i, _, x| {
                    if let Some(moved) = keep(i, t) {
                        found.push((i, moved, x));
                    }
                });
            }
            found
        })
    }
}
