//! Portfolios of technology policies simulated jointly: superposed Poisson claims and
//! per-policy event streams, dependence across groups by copula, systemic common shocks, and
//! capital allocation by co-TVaR.
//!
//! Pipeline position: `perils, dependence → portfolio → pricing`.
//!
//! **How a run works.** Years are simulated in blocks of [`BLOCK`], in parallel. The perils
//! whose claims arrive as Poisson(λ) with independent claim payments (compound and cyber
//! perils with a Poisson count, patent litigation) are superposed across the book
//! ([`Engine::Superposition`], the default): each year one Poisson(Σλ) count of claims, each
//! claim's peril drawn by rate from an alias table, from a generator keyed by (seed, year),
//! so the cost follows the number of claims and any year can be regenerated alone. The other
//! perils (R&D failure and guarantees: at most one event a year; other counts) decide each
//! year by a key of (seed, policy, peril, year) — an event when its uniform is below
//! P(event) — a block's keys in one vector pass, and draw each event's payment from its key:
//! by inversion with the library's own functions where the peril allows (R&D failures),
//! else from a generator the key seeds; under [`Engine::Streams`] every peril does, so
//! adding or removing a policy leaves every other policy's draws unchanged (common random
//! numbers). Payments are accumulated
//! per year (per group under a copula) and per policy in integer 分 (0.01 元): integer
//! addition is exact and order-free, so results are bit-identical for any thread count. A
//! copula over the groups then reorders each group's trials by rank
//! ([`crate::dependence::reorder`]), block by block (each block from its own stream:
//! independent blocks give the standard errors by batch means); systemic events are drawn
//! year by year and hit each policy of a sector with a sector-dependent probability.
//! Allocation regenerates only the portfolio's tail years — the superposed years that land in
//! them, each policy's own event years there — for co-TVaR (the Euler allocation of TVaR),
//! so the allocations add up to the portfolio TVaR.

mod batch;
mod batches;
mod cents;
mod engine;
mod layout;
mod replay;
mod run;
mod shard;
mod shock;
mod stages;
mod streams;
mod superposition;

pub use batches::BLOCK;
pub use run::{PolicyResult, PortfolioConfig, PortfolioRun, default_tvar_level};
pub use shard::PortfolioPart;
pub use shock::{CommonShock, Dependence};
pub use superposition::Engine;

use crate::budget::Work;
use crate::coverage::{ClaimTerms, Layer};
use crate::error::{Error, Result};
use crate::perils::{Peril, PerilModel};
use crate::simulation::fnv1a;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MODEL: &str = "Portfolio";

/// One insured firm: its id, its group for dependence (e.g. sector), its sector for systemic
/// events, and its perils with their covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// Unique id (also seeds the policy's streams).
    pub id: String,
    /// Sector (for systemic events and reporting).
    pub sector: String,
    /// Dependence group (a copula margin); defaults to the sector.
    #[serde(default)]
    pub group: Option<String>,
    /// Perils covered.
    pub perils: Vec<PerilModel>,
    /// The systemic events (names of the portfolio's `shocks`) that hit this policy, each
    /// with the claim terms a hit's loss is paid under. Omitted: every event hits a policy
    /// with a cyber peril, under its first-party terms.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shocks: Option<BTreeMap<String, ClaimTerms>>,
}

impl Policy {
    fn group(&self) -> &str {
        self.group.as_deref().unwrap_or(&self.sector)
    }
}

/// A validated portfolio.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PortfolioSpec", into = "PortfolioSpec")]
pub struct Portfolio {
    spec: PortfolioSpec,
    groups: Vec<String>,
    group_of: Vec<usize>,
    /// FNV-1a hash of each policy id (seeds its streams).
    keys: Vec<u64>,
    /// Per policy and shock (`i × shocks + s`), the terms a hit is paid under (`None`: the
    /// event does not touch the policy).
    shock_terms: Vec<Option<ClaimTerms>>,
    /// Per policy and shock (`i × shocks + s`), the hit probability of its sector, looked up
    /// once here rather than once per event.
    hits: Vec<f64>,
    /// The book's Poisson perils as one stream of claims.
    superposition: superposition::Superposition,
}

/// JSON form of a [`Portfolio`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioSpec {
    /// The policies (ids unique).
    pub policies: Vec<Policy>,
    /// Systemic events.
    #[serde(default)]
    pub shocks: Vec<CommonShock>,
    /// Dependence across groups (independent if absent).
    #[serde(default)]
    pub dependence: Option<Dependence>,
    /// Per-risk excess-of-loss treaty: each layer applies to every policy's payment for a
    /// peril in a year (the risk loss); recoveries are reported per policy.
    #[serde(default)]
    pub per_risk_xol: Vec<Layer>,
}

spec_conversions!(Portfolio, PortfolioSpec, spec);

impl Portfolio {
    /// Validates: at least one policy, unique ids, valid perils and uniquely named shocks, every policy's
    /// group among the copula's groups (when there is a copula).
    pub fn new(spec: PortfolioSpec) -> Result<Self> {
        if spec.policies.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "policies",
            });
        }
        let mut seen = std::collections::HashSet::new();
        for p in &spec.policies {
            if !seen.insert(p.id.as_str()) {
                return Err(Error::Duplicate {
                    model: MODEL,
                    kind: "policy id",
                    name: p.id.clone(),
                });
            }
            for peril in &p.perils {
                peril.validate().map_err(|e| Error::Inconsistent {
                    model: MODEL,
                    message: format!("policy `{}`: {e}", p.id),
                })?;
            }
        }
        let mut names = std::collections::HashSet::new();
        for s in &spec.shocks {
            s.validate()?;
            if !names.insert(s.name.as_str()) {
                return Err(Error::Duplicate {
                    model: MODEL,
                    kind: "shock",
                    name: s.name.clone(),
                });
            }
        }
        let groups: Vec<String> = match &spec.dependence {
            Some(d) => {
                if d.groups.len() != d.copula.dimension() {
                    return Err(Error::LengthMismatch {
                        model: MODEL,
                        what: "the copula's dimensions and the dependence groups".into(),
                        lengths: (d.copula.dimension(), d.groups.len()),
                    });
                }
                d.groups.clone()
            }
            None => {
                let mut g: Vec<String> =
                    spec.policies.iter().map(|p| p.group().to_owned()).collect();
                g.sort();
                g.dedup();
                g
            }
        };
        let group_of = spec
            .policies
            .iter()
            .map(|p| {
                groups
                    .iter()
                    .position(|g| g == p.group())
                    .ok_or_else(|| Error::Unknown {
                        model: MODEL,
                        kind: "copula group",
                        name: p.group().to_owned(),
                        context: format!(
                            " (policy `{}` is in it; the copula lists {})",
                            p.id,
                            groups.join(", ")
                        ),
                    })
            })
            .collect::<Result<_>>()?;
        let keys = spec.policies.iter().map(|p| fnv1a(&p.id)).collect();
        let mut shock_terms = Vec::with_capacity(spec.policies.len() * spec.shocks.len());
        for p in &spec.policies {
            match &p.shocks {
                Some(named) => {
                    if let Some(name) = named.keys().find(|n| !names.contains(n.as_str())) {
                        return Err(Error::Unknown {
                            model: MODEL,
                            kind: "systemic event",
                            name: name.clone(),
                            context: format!(" in the portfolio (policy `{}` names it)", p.id),
                        });
                    }
                    shock_terms.extend(spec.shocks.iter().map(|s| named.get(&s.name).copied()));
                }
                None => {
                    let cyber = p.perils.iter().find_map(|peril| match peril {
                        PerilModel::Cyber(c) => Some(c.sections.first_party),
                        _ => None,
                    });
                    shock_terms.extend(spec.shocks.iter().map(|_| cyber));
                }
            }
        }
        let hits = spec
            .policies
            .iter()
            .flat_map(|p| spec.shocks.iter().map(|s| s.hit(&p.sector)))
            .collect();
        Ok(Self {
            superposition: superposition::Superposition::new(&spec),
            spec,
            groups,
            group_of,
            keys,
            shock_terms,
            hits,
        })
    }

    /// The policies.
    pub fn policies(&self) -> &[Policy] {
        &self.spec.policies
    }

    /// What a run with `config` needs ([`crate::budget`]). Memory at the peak of a quote,
    /// calibrated against the peak resident memory of `kexian quote` (`tests/budget.rs`):
    /// the program ([`crate::budget::PROGRAM_BYTES`]) and 4 MiB of inputs; a simulated year 64 bytes plus 12 a row of
    /// per-year sums; a policy 16 KiB (results, allocation, quote) plus 12 bytes in each
    /// tail year of the co-TVaR allocation; 24 bytes a systemic event; each worker's sums
    /// per batch and peril. Time: every expected occurrence of every policy and shock hit
    /// twice (the run and the allocation's replay) and each year's bookkeeping, at
    /// [`crate::budget::CLAIM_SECONDS`] on the run's threads.
    pub fn work(&self, config: &PortfolioConfig) -> Work {
        let trials = config.simulation.trials as f64;
        let threads = config.simulation.thread_count();
        let n = self.spec.policies.len() as f64;
        let rows = (self.rows() * (2 + usize::from(!self.spec.per_risk_xol.is_empty()))) as f64;
        let perils: f64 = self
            .spec
            .policies
            .iter()
            .map(|p| p.perils.len() as f64)
            .sum();
        let shock_rate: f64 = self.spec.shocks.iter().map(|s| s.annual_rate).sum();
        let tail_years = ((1.0 - config.tvar_level) * trials).ceil();
        let bytes = crate::budget::PROGRAM_BYTES as f64
            + 4.0 * MIB
            + trials * (64.0 + 12.0 * rows)
            + n * 16.0 * 1024.0
            + tail_years * n * 12.0
            + shock_rate * trials * 24.0
            + 8.0 * (perils * 33.0 + n) * (threads + 2) as f64;
        let occurrences: f64 = self.occurrences().iter().sum::<f64>() + shock_rate * n;
        Work::new(bytes.min(u64::MAX as f64) as u64, 0.0)
            .and(Work::claims(trials * (2.0 * occurrences + 1.0), threads))
    }

    /// Each policy's expected occurrences a year (its perils'; systemic events aside).
    fn occurrences(&self) -> Vec<f64> {
        (self.spec.policies.iter())
            .map(|p| p.perils.iter().map(|x| x.expected_occurrences()).sum())
            .collect()
    }

    /// Refuses a run with `config` whose [`work`](Self::work) exceeds the budget.
    /// The remedy names the policy with the most expected occurrences when it makes most
    /// of the work (an implausible claim rate).
    pub fn check_budget(&self, config: &PortfolioConfig) -> Result<()> {
        let per_policy = self.occurrences();
        let total: f64 = per_policy.iter().sum();
        let busiest = (per_policy.iter().enumerate()).max_by(|a, b| a.1.total_cmp(b.1));
        let mut remedy = "simulate fewer years (`trials`, --trials) or split the book".to_owned();
        if let Some((i, n)) = busiest.filter(|(_, n)| **n > 0.5 * total && **n > 1e3) {
            remedy = format!(
                "policy `{}` expects {n:.3e} claims a year, which is not plausible; check its \
                 rates, or {remedy}",
                self.spec.policies[i].id
            );
        }
        crate::budget::check("the portfolio run", self.work(config), remedy)
    }

    /// Group names (copula margins).
    pub fn groups(&self) -> &[String] {
        &self.groups
    }

    /// Rows of per-year sums in a run: one per group under a copula, else one.
    pub(super) fn rows(&self) -> usize {
        if self.spec.dependence.is_some() {
            self.groups.len()
        } else {
            1
        }
    }
}

const MIB: f64 = 1024.0 * 1024.0;
