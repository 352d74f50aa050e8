//! The terms a cover is bought with: per-claim terms for every section (or section by
//! section), then the policy terms of a [`Package`].

use super::{ClaimTerms, Package, PolicyTerms, Section};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A cover's terms as written in a book or a catalogue: `claim` terms on each section's
/// ground-up loss unless `sections` names that section, then the `policy` terms (deductible
/// and limit per occurrence, layers, annual aggregate limit; [`Package`] gives the formulas).
///
/// ```
/// use kexian::coverage::CoverTerms;
/// // 500,000 xs 5,000,000 on every section, liability with its own 1,000,000 limit.
/// let t: CoverTerms = serde_json::from_str(r#"{
///     "claim": {"deductible": 5e6, "limit": 5.5e6},
///     "sections": {"liability": {"limit": 1e6}},
///     "policy": {"annual_limit": 1e7}}"#)?;
/// let p = t.package(&["first_party".into(), "liability".into()])?;
/// assert_eq!(p.sections()[0].terms.deductible(), 5e6);
/// assert_eq!(p.sections()[1].terms.limit(), 1e6);
/// assert_eq!(p.annual_limit(), 1e7);
/// let e = t.package(&["first_party".into()]).unwrap_err().to_string();
/// assert!(e.contains("no section `liability`"), "{e}");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CoverTerms {
    /// Terms on each claim's ground-up loss, for every section not in `sections` (full
    /// cover if omitted).
    #[serde(default)]
    pub claim: ClaimTerms,
    /// Terms of named sections (names must be the product's).
    #[serde(default)]
    pub sections: BTreeMap<String, ClaimTerms>,
    /// Policy terms (none if omitted).
    #[serde(default)]
    pub policy: PolicyTerms,
}

impl CoverTerms {
    /// Per-claim terms alone.
    pub fn claims(claim: ClaimTerms) -> Self {
        Self {
            claim,
            ..Self::default()
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
                terms: self.section(name),
            })
            .collect();
        Package::new(sections, self.policy.clone())
    }

    /// True when only per-claim terms are set (no policy terms): what the mechanisms that
    /// apply claim terms inside their own model accept.
    pub fn is_claims_only(&self) -> bool {
        self.policy.is_none()
    }

    /// The terms of section `name`.
    pub fn section(&self, name: &str) -> ClaimTerms {
        *self.sections.get(name).unwrap_or(&self.claim)
    }
}
