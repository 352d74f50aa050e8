//! Guarantee products (IP pledge, loan performance): default probability by score tier and
//! sector, loss given default, collateral and the insurer's share of the shortfall.

use super::Check;
use crate::error::Result;
use crate::perils::Guarantee;
use crate::severity::{LogNormal, SeverityModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One guarantee product of the assumption set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GuaranteeProduct {
    /// Product name, referred to by firms' guarantee covers.
    pub name: String,
    /// Line the product is reported under (e.g. `ip`, `guarantee`).
    pub line: String,
    /// Sources and remarks.
    #[serde(default)]
    pub source: String,
    /// Annual default probability by score tier (one per tier, lowest score first), times
    /// the sector's multiplier; used when the firm gives no default probability of its own.
    #[serde(default)]
    pub default_probability: Option<DefaultTable>,
    /// Share of the loan lost at default before collateral (default 1).
    #[serde(default = "one")]
    pub loss_given_default: f64,
    /// Collateral realised at default (none: unsecured).
    #[serde(default)]
    pub collateral: Option<Collateral>,
    /// Insurer's share of the shortfall under the product's risk-sharing (e.g. 45% in the 2010
    /// Shanghai loan pilot); default: the share of the firm's terms.
    #[serde(default)]
    pub insurer_share: Option<f64>,
}

fn one() -> f64 {
    1.0
}

/// Default probability by score tier and sector.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultTable {
    /// PD of tiers 1…k.
    pub by_tier: Vec<f64>,
    /// Multiplier by sector: absent for all 1, else every sector.
    #[serde(default)]
    pub sector_multiplier: Option<BTreeMap<String, f64>>,
}

/// Realised collateral: lognormal with median `value_to_loan_median` × loan and σ.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collateral {
    /// Median realised value per unit of loan.
    pub value_to_loan_median: f64,
    /// σ of ln value.
    pub sigma: f64,
}

impl GuaranteeProduct {
    pub(super) fn check(&self, c: &mut Check, at: &str, sectors: &[String], tiers: usize) {
        c.rule(
            &format!("{at}.name"),
            !self.name.is_empty(),
            "must not be empty",
        );
        c.rule(
            &format!("{at}.line"),
            !self.line.is_empty(),
            "must not be empty",
        );
        c.probability(&format!("{at}.loss_given_default"), self.loss_given_default);
        if let Some(s) = self.insurer_share {
            c.probability(&format!("{at}.insurer_share"), s);
        }
        if let Some(col) = &self.collateral {
            c.positive(
                &format!("{at}.collateral.value_to_loan_median"),
                col.value_to_loan_median,
            );
            c.positive(&format!("{at}.collateral.sigma"), col.sigma);
        }
        if let Some(t) = &self.default_probability {
            c.rule(
                &format!("{at}.default_probability.by_tier"),
                t.by_tier.len() == tiers,
                &format!(
                    "{} values for a score scale of {tiers} tiers",
                    t.by_tier.len()
                ),
            );
            for (k, p) in t.by_tier.iter().enumerate() {
                c.probability(&format!("{at}.default_probability.by_tier[{k}]"), *p);
            }
            if let Some(m) = &t.sector_multiplier {
                let field = format!("{at}.default_probability.sector_multiplier");
                c.every(&field, m, sectors, "sector", "a multiplier");
            }
        }
    }

    /// The tabled default probability of a firm in `tier` (1-based) and `sector`, if tabled.
    pub(super) fn default_probability(&self, tier: usize, sector: &str) -> Option<f64> {
        let t = self.default_probability.as_ref()?;
        let m = t.sector_multiplier.as_ref().map_or(1.0, |m| m[sector]);
        Some((t.by_tier[tier - 1] * m).min(1.0))
    }

    /// The guarantee of `loan` with default probability `pd`; `terms_share` is the firm's
    /// share, used unless the product fixes the insurer's.
    pub(super) fn guarantee(&self, loan: f64, pd: f64, terms_share: f64) -> Result<Guarantee> {
        let collateral = match &self.collateral {
            Some(c) => Some(SeverityModel::LogNormal(LogNormal::new(
                (loan * c.value_to_loan_median).ln(),
                c.sigma,
            )?)),
            None => None,
        };
        let g = Guarantee {
            loan,
            default_probability: pd,
            loss_given_default: self.loss_given_default,
            collateral,
            share: self.insurer_share.unwrap_or(terms_share),
            tenor: 1.0,
            discount_rate: 0.0,
        };
        g.validate()?;
        Ok(g)
    }
}
