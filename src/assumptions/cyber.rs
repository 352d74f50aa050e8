//! Cyber assumptions: material-incident frequency by size and sector, incident types and
//! section terms.

use super::{Check, Modifier};
use crate::error::Result;
use crate::frequency::{FrequencyModel, NegativeBinomial};
use crate::perils::{CyberRisk, CyberSections, IncidentType};
use crate::severity::{LogNormal, SeverityModel};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Cyber parameters (amounts in 元 unless the field says USD, converted at `usd_to_cny`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CyberAssumptions {
    /// Sources and remarks.
    #[serde(default)]
    pub note: String,
    /// 元 per USD.
    pub usd_to_cny: f64,
    /// Incident frequency.
    pub frequency: CyberFrequency,
    /// Incident response cost (lognormal, μ in log USD).
    pub response: LogNormalUsd,
    /// Data breach: ln cost = intercept + exponent · ln records (USD).
    pub breach: Breach,
    /// Ransomware cost (lognormal, μ in log 元).
    pub ransomware: LogNormalCny,
    /// Business interruption.
    pub business_interruption: BusinessInterruption,
    /// Incident-type mix (weights summing to 1).
    pub mix: Mix,
    /// Default section terms (a firm's covers replace them with its own terms).
    pub sections: CyberSections,
}

/// Material incidents per year: negative binomial with mean −ln(1 − breach share × material
/// share) × sector multiplier and mixing CV `mixing_cv`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CyberFrequency {
    /// Source.
    #[serde(default)]
    pub source: String,
    /// Share of firms with a breach or attack in a year, by size band (every size).
    pub breach_share: BTreeMap<String, f64>,
    /// Share of those with a material outcome.
    pub material_share: f64,
    /// CV of the gamma mixing (0 = Poisson is not allowed: use a small value).
    pub mixing_cv: f64,
    /// Frequency multiplier by sector (every sector).
    pub sector_multiplier: BTreeMap<String, f64>,
}

/// A lognormal with μ in log USD.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogNormalUsd {
    /// μ of ln(cost in USD).
    pub mu_usd: f64,
    /// σ.
    pub sigma: f64,
}

/// A lognormal with μ in log 元.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LogNormalCny {
    /// μ of ln(cost in 元).
    pub mu: f64,
    /// σ.
    pub sigma: f64,
}

/// Breach cost model (Jacobs 2014).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Breach {
    /// Intercept of ln cost (USD).
    pub log_cost_intercept_usd: f64,
    /// Exponent of records.
    pub cost_exponent: f64,
    /// μ of ln records.
    pub records_mu: f64,
    /// σ of ln records.
    pub records_sigma: f64,
}

/// Business interruption: downtime lognormal (hours), waiting period, hourly loss by size.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BusinessInterruption {
    /// μ of ln hours.
    pub downtime_mu: f64,
    /// σ of ln hours.
    pub downtime_sigma: f64,
    /// Waiting period (hours).
    pub waiting_hours: f64,
    /// Income lost per hour by size band (元, every size).
    pub hourly_loss: BTreeMap<String, f64>,
}

/// Incident-type weights.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Mix {
    /// Incident response.
    pub response: f64,
    /// Ransomware.
    pub ransomware: f64,
    /// Data breach.
    pub breach: f64,
    /// Business interruption.
    pub business_interruption: f64,
}

impl CyberAssumptions {
    pub(super) fn check(&self, c: &mut Check, sectors: &[String], sizes: &[String]) {
        c.positive("cyber.usd_to_cny", self.usd_to_cny);
        let f = &self.frequency;
        c.every(
            "cyber.frequency.breach_share",
            &f.breach_share,
            sizes,
            "size",
            "cyber parameters",
        );
        c.every(
            "cyber.frequency.sector_multiplier",
            &f.sector_multiplier,
            sectors,
            "sector",
            "cyber parameters",
        );
        c.every(
            "cyber.business_interruption.hourly_loss",
            &self.business_interruption.hourly_loss,
            sizes,
            "size",
            "cyber parameters",
        );
        for (k, v) in &f.breach_share {
            c.probability(&format!("cyber.frequency.breach_share.{k}"), *v);
        }
        c.probability("cyber.frequency.material_share", f.material_share);
        c.positive("cyber.frequency.mixing_cv", f.mixing_cv);
        let m = &self.mix;
        let weights = [m.response, m.ransomware, m.breach, m.business_interruption];
        let total: f64 = weights.iter().sum();
        c.rule(
            "cyber.mix",
            (total - 1.0).abs() < 1e-9 && weights.iter().all(|w| *w >= 0.0),
            &format!("weights must be >= 0 and sum to 1 (sum {total})"),
        );
    }

    /// The cyber risk of a firm of `size` in `sector` under `sections`, with `frequency`
    /// replacing the assumed mean when given and `modifier` applied.
    pub(super) fn risk(
        &self,
        size: &str,
        sector: &str,
        sections: CyberSections,
        frequency: Option<f64>,
        modifier: Modifier,
    ) -> Result<CyberRisk> {
        let f = &self.frequency;
        let mean = match frequency {
            Some(m) => m,
            None => {
                let share = f.breach_share[size];
                -(1.0 - share * f.material_share).ln() * f.sector_multiplier[sector]
            }
        };
        let incidents = FrequencyModel::NegativeBinomial(NegativeBinomial::from_mean_mixing_cv(
            mean * modifier.frequency,
            f.mixing_cv,
        )?);
        let fx = self.usd_to_cny;
        let s = modifier.severity.ln();
        let lognormal = |mu: f64, sigma: f64| -> Result<SeverityModel> {
            Ok(SeverityModel::LogNormal(LogNormal::new(mu, sigma)?))
        };
        let bi = &self.business_interruption;
        let m = &self.mix;
        let types = vec![
            (
                m.response,
                IncidentType::Response {
                    cost: lognormal(self.response.mu_usd + fx.ln() + s, self.response.sigma)?,
                },
            ),
            (
                m.ransomware,
                IncidentType::Ransomware {
                    cost: lognormal(self.ransomware.mu + s, self.ransomware.sigma)?,
                },
            ),
            (
                m.breach,
                IncidentType::DataBreach {
                    records: lognormal(self.breach.records_mu, self.breach.records_sigma)?,
                    log_cost_intercept: self.breach.log_cost_intercept_usd + fx.ln() + s,
                    cost_exponent: self.breach.cost_exponent,
                },
            ),
            (
                m.business_interruption,
                IncidentType::BusinessInterruption {
                    downtime_hours: lognormal(bi.downtime_mu, bi.downtime_sigma)?,
                    hourly_loss: bi.hourly_loss[size] * modifier.severity,
                    waiting_hours: bi.waiting_hours,
                },
            ),
        ];
        let risk = CyberRisk {
            incidents,
            types,
            sections,
        };
        risk.validate()?;
        Ok(risk)
    }
}
