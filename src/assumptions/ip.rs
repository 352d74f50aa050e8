//! Patent-litigation assumptions: suit rates, legal costs, damages and validity challenges.

use super::{Check, Modifier};
use crate::coverage::ClaimTerms;
use crate::error::Result;
use crate::perils::{LitigationKind, PatentLitigation, ValidityChallenge};
use crate::severity::{LogNormal, SeverityModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Patent-litigation parameters (amounts in 元 unless marked USD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IpAssumptions {
    /// Sources and remarks.
    #[serde(default)]
    pub note: String,
    /// 元 per USD.
    pub usd_to_cny: f64,
    /// Suit frequency.
    pub suits: Suits,
    /// Legal cost per suit.
    pub legal_cost: LegalCost,
    /// Damages in a lost defence.
    pub damages: Damages,
    /// Validity challenges (PTAB-style) in a defence.
    pub validity: ValidityChallenge,
}

/// Suits per year = patents × lifetime suits per 1,000 patents / 1,000 / patent life × size
/// multiplier.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Suits {
    /// Source.
    #[serde(default)]
    pub source: String,
    /// Lifetime suits per 1,000 patents.
    pub lifetime_suits_per_1000_patents: f64,
    /// Sectors with their own lifetime rate (e.g. drugs); others use the default.
    #[serde(default)]
    pub sector_lifetime_suits_per_1000_patents: BTreeMap<String, f64>,
    /// Patent life (years).
    pub patent_life_years: f64,
    /// Multiplier by size band (every size).
    pub size_multiplier: BTreeMap<String, f64>,
}

/// Legal cost per suit: lognormal with the median of the amount-at-risk band (USD, scaled by
/// `cost_scale` to the local level) and σ.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LegalCost {
    /// Source.
    #[serde(default)]
    pub source: String,
    /// (upper bound of amount at risk, median cost), USD, ascending; the last bound covers
    /// every amount (`"unlimited"`).
    pub bands_usd: Vec<Band>,
    /// Scale from US to local cost levels.
    pub cost_scale: f64,
    /// σ of ln cost.
    pub sigma: f64,
}

/// One legal-cost band.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// Amounts at risk below this (USD; `"unlimited"` for the last band).
    #[serde(with = "crate::coverage::unlimited")]
    pub below: f64,
    /// Median cost per party through trial (USD).
    pub median: f64,
}

/// Damages: lognormal with `median` (元) and σ, paid with probability `lose`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Damages {
    /// Median damages (元).
    pub median: f64,
    /// σ.
    pub sigma: f64,
    /// P(the defence is lost).
    pub lose: f64,
}

fn lognormal_median(median: f64, sigma: f64) -> Result<SeverityModel> {
    Ok(SeverityModel::LogNormal(LogNormal::new(
        median.ln(),
        sigma,
    )?))
}

impl IpAssumptions {
    pub(super) fn check(&self, c: &mut Check, sectors: &[String], sizes: &[String]) {
        c.positive("ip.usd_to_cny", self.usd_to_cny);
        let s = &self.suits;
        c.non_negative(
            "ip.suits.lifetime_suits_per_1000_patents",
            s.lifetime_suits_per_1000_patents,
        );
        c.positive("ip.suits.patent_life_years", s.patent_life_years);
        c.every(
            "ip.suits.size_multiplier",
            &s.size_multiplier,
            sizes,
            "size",
            "patent-suit parameters",
        );
        c.known(
            "ip.suits.sector_lifetime_suits_per_1000_patents",
            s.sector_lifetime_suits_per_1000_patents.keys(),
            sectors,
            "sector",
        );
        for (k, v) in &s.sector_lifetime_suits_per_1000_patents {
            c.non_negative(
                &format!("ip.suits.sector_lifetime_suits_per_1000_patents.{k}"),
                *v,
            );
        }
        let bands = &self.legal_cost.bands_usd;
        c.rule(
            "ip.legal_cost.bands_usd",
            !bands.is_empty()
                && bands.windows(2).all(|w| w[0].below < w[1].below)
                && bands.last().is_some_and(|b| b.below == f64::INFINITY)
                && bands.iter().all(|b| b.median > 0.0 && b.median.is_finite()),
            "bands must ascend, end with \"unlimited\" and have positive medians",
        );
        c.positive("ip.legal_cost.cost_scale", self.legal_cost.cost_scale);
        c.positive("ip.legal_cost.sigma", self.legal_cost.sigma);
        c.positive("ip.damages.median", self.damages.median);
        c.positive("ip.damages.sigma", self.damages.sigma);
        c.probability("ip.damages.lose", self.damages.lose);
        let v = &self.validity;
        c.probability("ip.validity.filed", v.filed);
        c.probability("ip.validity.instituted", v.instituted);
        c.probability("ip.validity.invalidated", v.invalidated);
        c.non_negative("ip.validity.cost", v.cost);
    }

    /// A patent-litigation cover for a firm with `patents` in `sector` of `size`, `suits`
    /// replacing the assumed rate when given.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn litigation(
        &self,
        kind: LitigationKind,
        patents: f64,
        amount_at_risk: f64,
        sector: &str,
        size: &str,
        suits: Option<f64>,
        terms: ClaimTerms,
        modifier: Modifier,
    ) -> Result<PatentLitigation> {
        let s = &self.suits;
        let rate = s
            .sector_lifetime_suits_per_1000_patents
            .get(sector)
            .copied()
            .unwrap_or(s.lifetime_suits_per_1000_patents);
        let suits_per_year = suits.unwrap_or_else(|| {
            patents * rate / 1000.0 / s.patent_life_years * s.size_multiplier[size]
        });
        let at_risk_usd = amount_at_risk / self.usd_to_cny;
        let band = self
            .legal_cost
            .bands_usd
            .iter()
            .find(|b| at_risk_usd < b.below)
            .or(self.legal_cost.bands_usd.last())
            .map_or(f64::NAN, |b| b.median);
        let median = band * self.usd_to_cny * self.legal_cost.cost_scale * modifier.severity;
        let defence = kind == LitigationKind::Defence;
        let cover = PatentLitigation {
            kind,
            suits_per_year: suits_per_year * modifier.frequency,
            legal_cost: lognormal_median(median, self.legal_cost.sigma)?,
            damages: if defence {
                Some(lognormal_median(
                    self.damages.median * modifier.severity,
                    self.damages.sigma,
                )?)
            } else {
                None
            },
            lose: if defence { self.damages.lose } else { 0.0 },
            validity: Some(self.validity),
            terms,
        };
        cover.validate()?;
        Ok(cover)
    }
}
