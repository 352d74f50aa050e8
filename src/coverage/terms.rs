//! The terms a cover is bought with: per-claim terms for every section (or section by
//! section), then the policy terms of a [`Package`].

use super::{ClaimTerms, Layer, Package, PolicyDeductible, Section};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A cover's terms as written in a book or a catalogue: `claim` terms on each section's
/// ground-up loss unless `sections` names that section, then the policy deductible and limit
/// per occurrence, layers and the annual aggregate limit ([`Package`] gives the formulas).
///
/// ```
/// use kexian::coverage::CoverTerms;
/// // 500,000 xs 5,000,000 on every section, liability with its own 1,000,000 limit.
/// let t: CoverTerms = serde_json::from_str(r#"{
///     "claim": {"deductible": 5e6, "limit": 5.5e6},
///     "sections": {"liability": {"limit": 1e6}}}"#)?;
/// let p = t.package(&["first_party".into(), "liability".into()])?;
/// assert_eq!(p.sections()[0].terms.deductible(), 5e6);
/// assert_eq!(p.sections()[1].terms.limit(), 1e6);
/// let e = t.package(&["first_party".into()]).unwrap_err().to_string();
/// assert!(e.contains("no section `liability`"), "{e}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverTerms {
    /// Terms on each claim's ground-up loss, for every section not in `sections` (full
    /// cover if omitted).
    #[serde(default)]
    pub claim: ClaimTerms,
    /// Terms of named sections (names must be the product's).
    #[serde(default)]
    pub sections: BTreeMap<String, ClaimTerms>,
    /// Policy deductible per occurrence (none if omitted).
    #[serde(default)]
    pub deductible: PolicyDeductible,
    /// Policy limit per occurrence (元; unlimited if omitted).
    #[serde(default = "unlimited", with = "super::unlimited")]
    pub limit: f64,
    /// Layers of the policy payment (none if omitted).
    #[serde(default)]
    pub layers: Vec<Layer>,
    /// Annual aggregate limit (元; unlimited if omitted).
    #[serde(default = "unlimited", with = "super::unlimited")]
    pub annual_limit: f64,
}

fn unlimited() -> f64 {
    f64::INFINITY
}

impl Default for CoverTerms {
    /// Full cover: no terms at all.
    fn default() -> Self {
        Self::claims(ClaimTerms::default())
    }
}

impl CoverTerms {
    /// Per-claim terms alone.
    pub fn claims(claim: ClaimTerms) -> Self {
        Self {
            claim,
            sections: BTreeMap::new(),
            deductible: PolicyDeductible::default(),
            limit: f64::INFINITY,
            layers: vec![],
            annual_limit: f64::INFINITY,
        }
    }

    /// The package over `sections` (names in order): an error naming a section of
    /// `self.sections` that is not among them, or a policy term the package refuses.
    pub fn package(&self, sections: &[String]) -> Result<Package> {
        if let Some(name) = self.sections.keys().find(|n| !sections.contains(n)) {
            return Err(Error::Inconsistent {
                model: "CoverTerms",
                message: format!(
                    "no section `{name}` (the product's sections: {})",
                    if sections.is_empty() {
                        "none".to_owned()
                    } else {
                        sections.join(", ")
                    }
                ),
            });
        }
        let sections = sections
            .iter()
            .map(|name| Section {
                name: name.clone(),
                terms: *self.sections.get(name).unwrap_or(&self.claim),
            })
            .collect();
        Package::new(
            sections,
            self.deductible,
            self.limit,
            self.layers.clone(),
            self.annual_limit,
        )
    }

    /// True when only per-claim terms are set (no policy deductible, limit, layers or annual
    /// limit): what the mechanisms that apply claim terms inside their own model accept.
    pub fn is_claims_only(&self) -> bool {
        self.deductible.is_none()
            && self.limit.is_infinite()
            && self.layers.is_empty()
            && self.annual_limit.is_infinite()
    }

    /// The terms of section `name`.
    pub fn section(&self, name: &str) -> ClaimTerms {
        *self.sections.get(name).unwrap_or(&self.claim)
    }
}
