//! The mechanisms that generate a product's losses, each in its own file, as arms of one
//! type: the generic compound mechanism (a product of it is one catalogue entry, no code) and
//! the bespoke models (stage-gate R&D, patent litigation, guarantees, cyber) whose parameters
//! live in their sections of the assumption set. A new mechanism is one file here and one arm
//! of [`Mechanism`].

mod compound;
mod cyber;
mod guarantee;
mod litigation;
mod stage_gate;

pub use compound::{CompoundMechanism, Factors, NamedSection, Slope};

use super::{AssumptionSet, Check, Modifier, Product};
use crate::book::{Cover, Firm};
use crate::coverage::CoverTerms;
use crate::error::Result;
use crate::perils::{LitigationKind, PerilModel};
use serde::{Deserialize, Serialize};

/// How a product's losses arise (JSON tag `mechanism`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "mechanism", rename_all = "snake_case", deny_unknown_fields)]
pub enum Mechanism {
    /// A claim count and claim sections from the frequency and severity families, with
    /// factors by sector, size, stage, score tier and covariates ([`CompoundMechanism`]).
    Compound(Box<CompoundMechanism>),
    /// Stage-gate R&D failure: the cover names a project type of `rnd.projects`; its terms
    /// apply to the failure payment.
    StageGate,
    /// Patent litigation of `kind` under `ip`; the exposure is the amount at risk in a suit,
    /// the terms apply to each suit.
    Litigation {
        /// Defence (being sued) or enforcement (suing).
        kind: LitigationKind,
    },
    /// A guaranteed loan under the `guarantees` entry `product`; the exposure is the loan,
    /// the terms' share is the insurer's share of the shortfall.
    Guarantee {
        /// The guarantee product (a name in `guarantees`).
        product: String,
    },
    /// Cyber incidents under `cyber`, with sections `first_party`, `business_interruption`
    /// and `liability`.
    Cyber,
}

/// The variables a rate table rates a mechanism's covers by ([`Mechanism::rated_by`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RatedBy {
    /// The exposure where the product has one (else the policy).
    Exposure,
    /// The R&D project's type, stage and years in it.
    ProjectStage,
    /// The loan's default probability, where every cover gives its own.
    DefaultProbability,
    /// Granted patents as the unit, the amount at risk's legal-cost band.
    Patents,
}

/// What a mechanism needs to build one cover's peril.
pub(crate) struct Context<'a> {
    pub set: &'a AssumptionSet,
    pub firm: &'a Firm,
    pub cover: &'a Cover,
    pub terms: &'a CoverTerms,
    pub tier: usize,
    pub modifier: Modifier,
}

impl Mechanism {
    /// The section names the mechanism's terms may name.
    pub fn sections(&self) -> Vec<String> {
        match self {
            Self::Compound(c) => c.sections.iter().map(|s| s.name.clone()).collect(),
            Self::Cyber => cyber::SECTIONS.iter().map(|s| (*s).to_owned()).collect(),
            Self::StageGate | Self::Litigation { .. } | Self::Guarantee { .. } => vec![],
        }
    }

    /// Whether the mechanism applies whole packages (policy deductible and limit, layers,
    /// annual limit) or per-claim terms only.
    pub fn takes_packages(&self) -> bool {
        matches!(self, Self::Compound(_))
    }

    /// Whether a cover needs an exposure for this mechanism.
    pub(crate) fn needs_exposure(&self) -> bool {
        match self {
            Self::Compound(c) => c.uses_exposure(),
            Self::Litigation { .. } | Self::Guarantee { .. } => true,
            Self::StageGate | Self::Cyber => false,
        }
    }

    /// What a rate table rates the mechanism's covers by, beyond the firm's variables.
    pub fn rated_by(&self) -> RatedBy {
        match self {
            Self::StageGate => RatedBy::ProjectStage,
            Self::Guarantee { .. } => RatedBy::DefaultProbability,
            Self::Litigation { .. } => RatedBy::Patents,
            Self::Compound(_) | Self::Cyber => RatedBy::Exposure,
        }
    }

    /// Whether a cover's `term` may be other than one year (stage-gate projects, guaranteed
    /// loans), and whether it may name the project's `stage`.
    pub(crate) fn takes_term(&self) -> (bool, bool) {
        match self {
            Self::StageGate => (true, true),
            Self::Guarantee { .. } => (true, false),
            Self::Compound(_) | Self::Litigation { .. } | Self::Cyber => (false, false),
        }
    }

    /// Checks the mechanism's parameters against the set.
    pub(crate) fn check(&self, c: &mut Check, at: &str, set: &AssumptionSet) {
        match self {
            Self::Compound(m) => m.check(c, at, set),
            Self::StageGate => stage_gate::check(c, at, set),
            Self::Guarantee { product } => guarantee::check(c, at, set, product),
            Self::Litigation { .. } | Self::Cyber => {}
        }
    }

    /// The peril of one cover.
    pub(crate) fn peril(&self, product: &Product, x: &Context) -> Result<PerilModel> {
        match self {
            Self::Compound(m) => m.peril(x),
            Self::StageGate => stage_gate::peril(x),
            Self::Litigation { kind } => litigation::peril(*kind, x),
            Self::Guarantee { product: g } => guarantee::peril(g, product, x),
            Self::Cyber => cyber::peril(x),
        }
    }
}
