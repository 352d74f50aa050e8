//! Systemic events (common shocks) and the dependence across groups.

use crate::coverage::ClaimTerms;
use crate::dependence::Copula;
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::SeverityModel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

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
