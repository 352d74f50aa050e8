//! One cover a firm buys: a catalogue product with its own terms and exposure.

use crate::coverage::{CoverTerms, Term};
use serde::{Deserialize, Serialize};

/// A cover: the product (a name in the assumption set's catalogue), its terms (default: the
/// product's), the exposure the product is rated on where it needs one (loan, project
/// budget, insured value, amount at risk, revenue; 元) and what the product's mechanism
/// needs of the cover.
///
/// ```
/// use kexian::book::Cover;
/// let c: Cover = serde_json::from_str(r#"{"product": "cyber",
///     "terms": {"claim": {"deductible": 5e6, "limit": 5.5e6}}}"#)?;
/// assert_eq!(c.terms.unwrap().claim.deductible(), 5e6);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Cover {
    /// The product's name in the catalogue.
    pub product: String,
    /// Terms; the product's default terms if omitted.
    #[serde(default)]
    pub terms: Option<CoverTerms>,
    /// Exposure (元), required by products rated on one and refused by the others.
    #[serde(default)]
    pub exposure: Option<f64>,
    /// The R&D project type (an assumption-set project name), for the stage-gate mechanism.
    #[serde(default)]
    pub project: Option<String>,
    /// The loan's own annual default probability (guarantee mechanism); default: the
    /// guarantee product's table by score tier and sector.
    #[serde(default)]
    pub default_probability: Option<f64>,
    /// The stage the R&D project is in when the policy starts (stage-gate mechanism;
    /// default: its first).
    #[serde(default)]
    pub stage: Option<String>,
    /// Years the project has spent in that stage (default 0).
    #[serde(default)]
    pub years_in_stage: Option<f64>,
    /// The policy's term: years, or `"project"` (default one year). Stage-gate covers run
    /// over the project's gates in the term, guarantee covers over the loan's tenor; the
    /// other mechanisms are one-year covers.
    #[serde(default)]
    pub term: Option<Term>,
}

impl Cover {
    /// A cover of `product` with its default terms and nothing else.
    pub fn of(product: &str) -> Self {
        Self {
            product: product.to_owned(),
            ..Self::default()
        }
    }
}
