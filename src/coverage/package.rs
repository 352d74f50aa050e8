//! Package policies (综合保险方案): one cover with sections, policy terms on each occurrence,
//! layers and an annual aggregate limit.
//!
//! For one occurrence with ground-up losses x_s by section s (元):
//!
//! ```text
//! section payment    y_s = T_s(x_s)                  (the section's ClaimTerms: deductible,
//!                                                     maximum covered loss, share)
//! before the policy  Z   = Σ_s y_s
//! policy deductible  D   = d                          flat
//!                    D   = min(max(r·X, m), M)        r of the ground-up loss X = Σ_s x_s,
//!                                                     at least m, at most M
//! policy payment     P   = min((Z − D)₊, L)           L: the policy limit per occurrence
//! layer j            P_j = φ_j · min((P − a_j)₊, w_j)  attachment a_j, width w_j, share φ_j
//! the occurrence     Y   = Σ_j P_j                    (P itself without layers)
//! allocated          A_js = P_j · y_s / Z             (pro rata to the section payments;
//!                                                     0 when Z = 0), so Σ_s A_js = P_j
//! the year           min(Σ_occurrences Y, G)          G: the annual aggregate limit
//! ```
//!
//! Layers may not overlap (a_{j+1} ≥ a_j + w_j in attachment order); without layers the
//! allocation has the single row P · y_s / Z.

use super::{ClaimTerms, Layer};
use crate::error::{Error, Result};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

const MODEL: &str = "Package";

/// The policy deductible on the sum of one occurrence's section payments.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PolicyDeductible {
    /// A flat amount d ≥ 0 (元).
    Flat {
        /// d (元).
        amount: f64,
    },
    /// `rate` r in \[0, 1\] of the occurrence's ground-up loss, at least `minimum` m and at
    /// most `maximum` M (元; 0 ≤ m ≤ M, M may be `"unlimited"`).
    PercentOfLoss {
        /// r.
        rate: f64,
        /// m (元; 0 if omitted).
        #[serde(default)]
        minimum: f64,
        /// M (元; unlimited if omitted).
        #[serde(default = "unlimited", with = "super::unlimited")]
        maximum: f64,
    },
}

fn unlimited() -> f64 {
    f64::INFINITY
}

impl Default for PolicyDeductible {
    /// No deductible.
    fn default() -> Self {
        Self::Flat { amount: 0.0 }
    }
}

impl PolicyDeductible {
    /// True when D = 0 for every loss.
    pub fn is_none(&self) -> bool {
        match *self {
            Self::Flat { amount } => amount == 0.0,
            Self::PercentOfLoss { rate, minimum, .. } => rate == 0.0 && minimum == 0.0,
        }
    }

    /// The deductible D for an occurrence of ground-up loss `loss` (元).
    pub fn amount(&self, loss: f64) -> f64 {
        match *self {
            Self::Flat { amount } => amount,
            Self::PercentOfLoss {
                rate,
                minimum,
                maximum,
            } => (rate * loss).max(minimum).min(maximum),
        }
    }

    fn validate(&self) -> Result<()> {
        match *self {
            Self::Flat { amount } => {
                validate::non_negative(MODEL, "deductible.amount", amount)?;
            }
            Self::PercentOfLoss {
                rate,
                minimum,
                maximum,
            } => {
                validate::probability(MODEL, "deductible.rate", rate)?;
                validate::non_negative(MODEL, "deductible.minimum", minimum)?;
                validate::rule(
                    MODEL,
                    "deductible.maximum",
                    maximum,
                    maximum >= minimum,
                    ">= the minimum (or \"unlimited\")",
                )?;
            }
        }
        Ok(())
    }
}

/// A named section of a package and its per-occurrence terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    /// Its name, unique in the package (e.g. `first_party`, `liability`).
    pub name: String,
    /// Its terms on the section's ground-up loss (full cover if omitted).
    #[serde(default)]
    pub terms: ClaimTerms,
}

/// The policy terms of a package: deductible and limit per occurrence, layers and an annual
/// aggregate limit (JSON: the `policy` object of a package or of a cover's terms).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PolicyTerms {
    /// Policy deductible per occurrence (none if omitted).
    #[serde(default)]
    pub deductible: PolicyDeductible,
    /// Policy limit per occurrence L > 0 (元; unlimited if omitted).
    #[serde(default = "unlimited", with = "super::unlimited")]
    pub limit: f64,
    /// Non-overlapping layers of the policy payment (none if omitted), without
    /// reinstatements.
    #[serde(default)]
    pub layers: Vec<Layer>,
    /// Annual aggregate limit G > 0 (元; unlimited if omitted).
    #[serde(default = "unlimited", with = "super::unlimited")]
    pub annual_limit: f64,
}

impl Default for PolicyTerms {
    /// None: the sections' payments as they are.
    fn default() -> Self {
        Self {
            deductible: PolicyDeductible::default(),
            limit: f64::INFINITY,
            layers: vec![],
            annual_limit: f64::INFINITY,
        }
    }
}

impl PolicyTerms {
    /// True when there are no policy terms.
    pub fn is_none(&self) -> bool {
        self.deductible.is_none()
            && self.limit.is_infinite()
            && self.layers.is_empty()
            && self.annual_limit.is_infinite()
    }

    /// Checks the deductible, L > 0, G > 0 and layers without reinstatements that do not
    /// overlap; returns the terms with the layers in attachment order.
    fn checked(mut self) -> Result<Self> {
        let inconsistent = |message: String| Error::Inconsistent {
            model: MODEL,
            message,
        };
        self.deductible.validate()?;
        let (limit, annual) = (self.limit, self.annual_limit);
        validate::rule(MODEL, "limit", limit, limit > 0.0, "> 0 (or \"unlimited\")")?;
        validate::rule(
            MODEL,
            "annual_limit",
            annual,
            annual > 0.0,
            "> 0 (or \"unlimited\")",
        )?;
        let layers = &mut self.layers;
        layers.sort_by(|a, b| a.attachment().total_cmp(&b.attachment()));
        for (j, l) in layers.iter().enumerate() {
            if l.reinstatements() > 0 {
                return Err(inconsistent(format!(
                    "layer {} xs {} has reinstatements: they belong to reinsurance layers",
                    l.limit(),
                    l.attachment()
                )));
            }
            if let Some(prev) = j.checked_sub(1).map(|k| &layers[k])
                && l.attachment() < prev.attachment() + prev.limit()
            {
                return Err(inconsistent(format!(
                    "layer {} xs {} overlaps layer {} xs {}",
                    l.limit(),
                    l.attachment(),
                    prev.limit(),
                    prev.attachment()
                )));
            }
        }
        Ok(self)
    }
}

/// A package's terms: sections, then the policy terms (see the module documentation for the
/// formulas).
///
/// ```
/// use kexian::coverage::Package;
/// // Two sections; 10% of the loss at least 20,000 as policy deductible; 1,000,000 per
/// // occurrence.
/// let package: Package = serde_json::from_str(r#"{
///     "sections": [
///         {"name": "first_party", "terms": {"deductible": 10000}},
///         {"name": "liability", "terms": {"limit": 500000}}],
///     "policy": {"deductible": {"kind": "percent_of_loss", "rate": 0.1, "minimum": 20000},
///                "limit": 1000000}}"#)?;
/// let paid = package.apply(&[110_000.0, 90_000.0])?;
/// // y = (100,000, 90,000), Z = 190,000, D = max(10% × 200,000, 20,000) = 20,000.
/// assert_eq!(paid.sections, [100_000.0, 90_000.0]);
/// assert_eq!(paid.paid, 170_000.0);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "PackageParams", into = "PackageParams")]
pub struct Package {
    sections: Vec<Section>,
    policy: PolicyTerms,
}

/// JSON form of [`Package`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackageParams {
    /// At least one section.
    pub sections: Vec<Section>,
    /// Policy terms (none if omitted).
    #[serde(default)]
    pub policy: PolicyTerms,
}

impl TryFrom<PackageParams> for Package {
    type Error = Error;
    fn try_from(p: PackageParams) -> Result<Self> {
        Package::new(p.sections, p.policy)
    }
}

impl From<Package> for PackageParams {
    fn from(p: Package) -> Self {
        Self {
            sections: p.sections,
            policy: p.policy,
        }
    }
}

/// What a package pays of one occurrence (元).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OccurrencePayment {
    /// y_s: each section's payment after its own terms.
    pub sections: Vec<f64>,
    /// P: after the policy deductible and limit.
    pub policy: f64,
    /// P_j: each layer's payment (empty without layers).
    pub layers: Vec<f64>,
    /// A_js: each layer's payment (or P, without layers) allocated to the sections pro rata
    /// to y_s; one row per layer.
    pub allocated: Vec<Vec<f64>>,
    /// Y: what the occurrence costs the insurer (Σ_j P_j, or P).
    pub paid: f64,
}

impl Package {
    /// A package of `sections` (at least one, names unique and not empty) and `policy`
    /// terms: L and G > 0 (`f64::INFINITY` for none), non-overlapping layers without
    /// reinstatements (in any order; kept in attachment order).
    pub fn new(sections: Vec<Section>, policy: PolicyTerms) -> Result<Self> {
        if sections.is_empty() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "a package needs at least one section".into(),
            });
        }
        for (i, s) in sections.iter().enumerate() {
            if s.name.trim().is_empty() || sections[..i].iter().any(|o| o.name == s.name) {
                return Err(Error::Inconsistent {
                    model: MODEL,
                    message: format!(
                        "section {} has an empty or repeated name `{}`",
                        i + 1,
                        s.name
                    ),
                });
            }
        }
        Ok(Self {
            sections,
            policy: policy.checked()?,
        })
    }

    /// The sections, in order.
    pub fn sections(&self) -> &[Section] {
        &self.sections
    }

    /// The index of the section `name`.
    pub fn section(&self, name: &str) -> Option<usize> {
        self.sections.iter().position(|s| s.name == name)
    }

    /// The layers, in attachment order.
    pub fn layers(&self) -> &[Layer] {
        &self.policy.layers
    }

    /// The annual aggregate limit G (元).
    pub fn annual_limit(&self) -> f64 {
        self.policy.annual_limit
    }

    /// What the package pays of one occurrence with ground-up losses `losses` (元, one per
    /// section in order, each finite and ≥ 0).
    pub fn apply(&self, losses: &[f64]) -> Result<OccurrencePayment> {
        if losses.len() != self.sections.len() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "{} losses for a package of {} sections",
                    losses.len(),
                    self.sections.len()
                ),
            });
        }
        for &x in losses {
            validate::non_negative(MODEL, "loss", x)?;
        }
        let sections: Vec<f64> = (self.sections.iter().zip(losses))
            .map(|(s, &x)| s.terms.apply(x))
            .collect();
        let z: f64 = sections.iter().sum();
        let p = &self.policy;
        let d = p.deductible.amount(losses.iter().sum());
        let policy = (z - d).max(0.0).min(p.limit);
        let layers: Vec<f64> = p.layers.iter().map(|l| l.ceded(policy)).collect();
        let rows = if p.layers.is_empty() {
            vec![policy]
        } else {
            layers.clone()
        };
        let allocated = rows
            .iter()
            .map(|&p| {
                let share = |y: f64| if z > 0.0 { p * y / z } else { 0.0 };
                sections.iter().map(|&y| share(y)).collect()
            })
            .collect();
        Ok(OccurrencePayment {
            paid: rows.iter().sum(),
            sections,
            policy,
            layers,
            allocated,
        })
    }

    /// Y for an occurrence whose ground-up loss `loss` (元, ≥ 0) falls on section `section`
    /// alone: the same formulas as [`apply`](Self::apply) with the other sections at 0,
    /// without allocating (the engines' per-claim path).
    #[inline]
    pub fn occurrence(&self, section: usize, loss: f64) -> f64 {
        let z = self.sections[section].terms.apply(loss);
        let p = &self.policy;
        let policy = (z - p.deductible.amount(loss)).max(0.0).min(p.limit);
        if p.layers.is_empty() {
            policy
        } else {
            p.layers.iter().map(|l| l.ceded(policy)).sum()
        }
    }

    /// The most one occurrence can cost (元): the layers' Σ φ_j·w_j, else min(L, Σ_s of the
    /// sections' maximum payments).
    pub fn max_occurrence(&self) -> f64 {
        let p = &self.policy;
        if p.layers.is_empty() {
            let most = self
                .sections
                .iter()
                .map(|s| s.terms.max_payment())
                .sum::<f64>();
            most.min(p.limit)
        } else {
            p.layers.iter().map(|l| l.share() * l.limit()).sum()
        }
    }

    /// True when the package is its sections' terms alone: no policy deductible, limit,
    /// layers or annual limit.
    pub fn is_sections_only(&self) -> bool {
        self.policy.is_none()
    }

    /// The year's payment: min(Σ of its occurrences' payments, G) (元).
    pub fn annual(&self, occurrences_paid: f64) -> f64 {
        occurrences_paid.min(self.policy.annual_limit)
    }
}
