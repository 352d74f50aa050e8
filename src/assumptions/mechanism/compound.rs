//! The generic compound mechanism: a product of it is data alone.
//!
//! ```text
//! N        ~ the count family with mean × k_N,  k_N = F_N(firm) · m_N · (E / u if rated on exposure)
//! claim    on section s with probability π_s,  loss = k_X · X_s
//! k_X      = F_X(firm) · m_X · (E if the severity is per unit of exposure)
//! F(firm)  = f_sector · f_size · f_stage · f_tier · Π_c exp(β_c (x_c − x̄_c))
//! ```
//! with m_N, m_X the firm's risk-reduction factors, E the cover's exposure and u the
//! exposure unit; the payments then follow the cover's package terms
//! ([`crate::perils::PackagePeril`]).

use super::Context;
use crate::assumptions::{AssumptionSet, Check};
use crate::error::{Error, Result};
use crate::frequency::FrequencyModel;
use crate::perils::{ClaimSection, PackagePeril, PerilModel};
use crate::severity::SeverityModel;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// A compound product's loss model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompoundMechanism {
    /// Claims per year of the base firm (per `exposure_unit` of exposure when that is set).
    pub frequency: FrequencyModel,
    /// When set (元), the mean count scales with exposure / `exposure_unit`.
    #[serde(default)]
    pub exposure_unit: Option<f64>,
    /// When true, each section's loss is a multiple of the exposure (its severity a ratio).
    #[serde(default)]
    pub severity_per_exposure: bool,
    /// The claim sections (at least one; shares of the claims sum to 1).
    pub sections: Vec<NamedSection>,
    /// Factors on the mean count.
    #[serde(default)]
    pub frequency_factors: Factors,
    /// Factors on each claim's loss.
    #[serde(default)]
    pub severity_factors: Factors,
}

/// A named claim section.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NamedSection {
    /// Section name (cover terms refer to it).
    pub name: String,
    /// Share of the claims on this section.
    pub share: f64,
    /// Ground-up loss of one claim (元, or a ratio of the exposure).
    pub severity: SeverityModel,
}

/// Multiplicative factors by the firm's keys (1 where a key is not listed).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Factors {
    /// By sector.
    #[serde(default)]
    pub sector: BTreeMap<String, f64>,
    /// By size band.
    #[serde(default)]
    pub size: BTreeMap<String, f64>,
    /// By stage (`start_up`, `growth`, `mature`).
    #[serde(default)]
    pub stage: BTreeMap<String, f64>,
    /// By score tier 1…k (empty, or one per tier).
    #[serde(default)]
    pub tier: Vec<f64>,
    /// exp(β (x − x̄)) by numeric covariate.
    #[serde(default)]
    pub covariates: BTreeMap<String, Slope>,
}

/// A log-linear covariate effect.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slope {
    /// β.
    pub coefficient: f64,
    /// x̄.
    #[serde(default)]
    pub center: f64,
}

impl Factors {
    fn check(&self, c: &mut Check, at: &str, set: &AssumptionSet) {
        let maps = [
            ("sector", &self.sector),
            ("size", &self.size),
            ("stage", &self.stage),
        ];
        for (key, map) in maps {
            for (name, v) in map {
                c.positive(&format!("{at}.{key}.{name}"), *v);
            }
        }
        c.known(
            &format!("{at}.sector"),
            self.sector.keys(),
            &set.sectors,
            "sector",
        );
        c.known(
            &format!("{at}.size"),
            self.size.keys(),
            &set.sizes,
            "size band",
        );
        let stages = ["start_up", "growth", "mature"].map(String::from);
        c.known(&format!("{at}.stage"), self.stage.keys(), &stages, "stage");
        let tiers = set.score_scale.tiers();
        c.rule(
            &format!("{at}.tier"),
            self.tier.is_empty() || self.tier.len() == tiers,
            &format!(
                "{} tier factors for a scale of {tiers} tiers",
                self.tier.len()
            ),
        );
        for (k, v) in self.tier.iter().enumerate() {
            c.positive(&format!("{at}.tier[{k}]"), *v);
        }
        for (name, s) in &self.covariates {
            c.rule(
                &format!("{at}.covariates.{name}"),
                s.coefficient.is_finite() && s.center.is_finite(),
                "coefficient and center must be finite",
            );
        }
    }

    /// F(firm).
    fn of(&self, x: &Context) -> Result<f64> {
        let f = x.firm;
        let get = |m: &BTreeMap<String, f64>, k: &str| m.get(k).copied().unwrap_or(1.0);
        let mut k = get(&self.sector, &f.sector)
            * get(&self.size, &f.size)
            * get(&self.stage, f.stage.as_str())
            * self.tier.get(x.tier - 1).copied().unwrap_or(1.0);
        for (name, s) in &self.covariates {
            let v = f.covariates.get(name).ok_or_else(|| Error::Unknown {
                model: "Firm",
                kind: "covariate",
                name: name.clone(),
                context: ": the product is rated on it".into(),
            })?;
            k *= (s.coefficient * (v - s.center)).exp();
        }
        Ok(k)
    }
}

impl CompoundMechanism {
    /// Whether a cover must give its exposure.
    pub(super) fn uses_exposure(&self) -> bool {
        self.exposure_unit.is_some() || self.severity_per_exposure
    }

    pub(super) fn check(&self, c: &mut Check, at: &str, set: &AssumptionSet) {
        c.rule(
            &format!("{at}.sections"),
            !self.sections.is_empty(),
            "at least one section",
        );
        c.names(
            &format!("{at}.sections"),
            self.sections.iter().map(|s| &s.name),
        );
        for (k, s) in self.sections.iter().enumerate() {
            c.probability(&format!("{at}.sections[{k}].share"), s.share);
        }
        let total: f64 = self.sections.iter().map(|s| s.share).sum();
        c.rule(
            &format!("{at}.sections"),
            (total - 1.0).abs() < 1e-9,
            &format!("the shares of the claims sum to {total}, not 1"),
        );
        if let Some(u) = self.exposure_unit {
            c.positive(&format!("{at}.exposure_unit"), u);
        }
        self.frequency_factors
            .check(c, &format!("{at}.frequency_factors"), set);
        self.severity_factors
            .check(c, &format!("{at}.severity_factors"), set);
    }

    pub(super) fn peril(&self, x: &Context) -> Result<PerilModel> {
        let exposure = x.cover.exposure.unwrap_or(0.0);
        if self.uses_exposure() {
            crate::numerics::validate::positive("Cover", "exposure", exposure)?;
        }
        let mut k_n = self.frequency_factors.of(x)? * x.modifier.frequency;
        if let Some(u) = self.exposure_unit {
            k_n *= exposure / u;
        }
        let mut k_x = self.severity_factors.of(x)? * x.modifier.severity;
        if self.severity_per_exposure {
            k_x *= exposure;
        }
        let names: Vec<String> = self.sections.iter().map(|s| s.name.clone()).collect();
        let peril = PackagePeril {
            frequency: self.frequency.scaled(k_n)?,
            sections: self
                .sections
                .iter()
                .map(|s| ClaimSection {
                    share: s.share,
                    severity: s.severity.clone(),
                    scale: k_x,
                })
                .collect(),
            package: x.terms.package(&names)?,
        };
        peril.validate()?;
        Ok(PerilModel::Package(peril))
    }
}
