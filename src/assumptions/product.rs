//! The product catalogue (科技保险产品目录): each product a name, a line, a loss mechanism,
//! default terms, the systemic events and risk-reduction measures that reach it, the
//! exposure it is rated on and who may buy it.

use super::mechanism::Mechanism;
use super::{AssumptionSet, Check};
use crate::coverage::CoverTerms;
use crate::rating::Stage;
use serde::{Deserialize, Serialize};

/// One product of the catalogue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Product {
    /// Name, referred to by covers (unique).
    pub name: String,
    /// Chinese name (产品名称).
    #[serde(default)]
    pub name_zh: String,
    /// Reporting line (quotes show expected loss by line; subsidy rules may name it).
    pub line: String,
    /// Where the parameters come from, or that they are illustrative.
    #[serde(default)]
    pub source: String,
    /// The loss model.
    pub model: Mechanism,
    /// What the exposure of a cover is (e.g. `loan`, `insured value`), when the product is
    /// rated on one: then every cover must give it.
    #[serde(default)]
    pub exposure: Option<String>,
    /// Default terms of a cover that gives none.
    #[serde(default)]
    pub terms: CoverTerms,
    /// Systemic events (names in `shocks`) that hit a cover of this product; a hit's loss is
    /// paid under the terms of the product's first section.
    #[serde(default)]
    pub shocks: Vec<String>,
    /// Risk-reduction measures (names in `risk_reduction`) that act on this product.
    #[serde(default)]
    pub measures: Vec<String>,
    /// Who may buy it.
    #[serde(default)]
    pub eligibility: Eligibility,
    /// What the two-way push (双向互推) quotes a firm that does not hold the product: the
    /// exposure and project type its mechanism needs (none needed: omit).
    #[serde(default)]
    pub offer: Offer,
}

/// The cover the two-way push prices for a product (with the product's default terms).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Offer {
    /// Exposure (元) of the offered cover, for products rated on one.
    #[serde(default)]
    pub exposure: Option<f64>,
    /// R&D project type of the offered cover (stage-gate mechanism).
    #[serde(default)]
    pub project: Option<String>,
}

/// Eligibility rules: an empty list admits every value.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Eligibility {
    /// Sectors admitted.
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Stages admitted.
    #[serde(default)]
    pub stages: Vec<Stage>,
    /// Size bands admitted.
    #[serde(default)]
    pub sizes: Vec<String>,
    /// Minimum 沪科积分 (none if omitted).
    #[serde(default)]
    pub min_score: Option<f64>,
}

impl Eligibility {
    /// Whether a firm of `sector`, `stage`, `size` and `score` may buy the product; else the
    /// rule it fails.
    pub fn admits(&self, sector: &str, stage: Stage, size: &str, score: f64) -> Result<(), String> {
        let listed = |all: &[String], v: &str| all.is_empty() || all.iter().any(|s| s == v);
        if !listed(&self.sectors, sector) {
            return Err(format!(
                "sector `{sector}` is not among {}",
                self.sectors.join(", ")
            ));
        }
        if !(self.stages.is_empty() || self.stages.contains(&stage)) {
            return Err(format!("stage `{}` is not admitted", stage.as_str()));
        }
        if !listed(&self.sizes, size) {
            return Err(format!(
                "size `{size}` is not among {}",
                self.sizes.join(", ")
            ));
        }
        if let Some(m) = self.min_score
            && score < m
        {
            return Err(format!("score {score} is below the minimum {m}"));
        }
        Ok(())
    }
}

impl Product {
    /// The terms of a cover of this product: its own, else the product's.
    pub fn terms<'a>(&'a self, own: Option<&'a CoverTerms>) -> &'a CoverTerms {
        own.unwrap_or(&self.terms)
    }

    /// Checks one set of terms against the product: section names its own, policy terms
    /// only for mechanisms that apply packages; an error message if not.
    pub fn check_terms(&self, terms: &CoverTerms) -> Result<(), String> {
        let sections = self.model.sections();
        if self.model.takes_packages() {
            terms
                .package(&sections)
                .map(|_| ())
                .map_err(|e| e.to_string())
        } else if !terms.is_claims_only() {
            Err(format!(
                "product `{}` takes per-claim terms only (`claim`, `sections`): its mechanism \
                 applies them inside its own model, so a policy deductible, limit, layers or \
                 annual limit is refused",
                self.name
            ))
        } else if let Some(name) = terms.sections.keys().find(|n| !sections.contains(n)) {
            Err(format!(
                "no section `{name}` in product `{}` (its sections: {})",
                self.name,
                if sections.is_empty() {
                    "none".to_owned()
                } else {
                    sections.join(", ")
                }
            ))
        } else {
            Ok(())
        }
    }

    pub(super) fn check(&self, c: &mut Check, at: &str, set: &AssumptionSet) {
        c.rule(
            &format!("{at}.line"),
            !self.line.is_empty(),
            "must not be empty",
        );
        self.model.check(c, &format!("{at}.model"), set);
        if let Err(e) = self.check_terms(&self.terms) {
            c.rule(&format!("{at}.terms"), false, &e);
        }
        c.rule(
            &format!("{at}.exposure"),
            self.exposure.is_some() || !self.model.needs_exposure(),
            "the product's mechanism rates on an exposure: name it (e.g. \"loan\")",
        );
        let shocks: Vec<String> = set.shocks.iter().map(|s| s.name.clone()).collect();
        c.known(
            &format!("{at}.shocks"),
            self.shocks.iter(),
            &shocks,
            "shock",
        );
        let measures: Vec<String> = set.risk_reduction.iter().map(|m| m.name.clone()).collect();
        c.known(
            &format!("{at}.measures"),
            self.measures.iter(),
            &measures,
            "measure",
        );
        if let Some(x) = self.offer.exposure {
            c.positive(&format!("{at}.offer.exposure"), x);
        }
        if let Some(p) = &self.offer.project {
            c.rule(
                &format!("{at}.offer.project"),
                set.rnd.projects.iter().any(|r| &r.name == p),
                &format!("unknown R&D project type `{p}`"),
            );
        }
        let e = &self.eligibility;
        c.known(
            &format!("{at}.eligibility.sectors"),
            e.sectors.iter(),
            &set.sectors,
            "sector",
        );
        c.known(
            &format!("{at}.eligibility.sizes"),
            e.sizes.iter(),
            &set.sizes,
            "size band",
        );
    }
}
