//! Default parameter sets with their sources, from `data/presets/*.json` (compiled in, so
//! the library needs no files at run time). Cited figures are used as published; values
//! marked illustrative in the files are placeholders for the insurer's own.

use super::rnd::RndSpec;
use super::{
    CyberRisk, CyberSections, IncidentType, IpPledge, LitigationKind, PatentLitigation, RndProject,
    ValidityChallenge,
};
use crate::error::{Error, Result};
use crate::frequency::{FrequencyModel, NegativeBinomial};
use crate::severity::{LogNormal, SeverityModel};
use serde::Deserialize;
use std::collections::BTreeMap;

const RND: &str = include_str!("../../data/presets/rnd.json");
const IP: &str = include_str!("../../data/presets/ip.json");
const CYBER: &str = include_str!("../../data/presets/cyber.json");

fn parse<T: for<'de> Deserialize<'de>>(file: &str, text: &str) -> Result<T> {
    serde_json::from_str(text).map_err(|e| Error::Inconsistent {
        model: "presets",
        message: format!("data/presets/{file}: {e}"),
    })
}

fn unknown(kind: &str, name: &str, known: &[String]) -> Error {
    Error::Inconsistent {
        model: "presets",
        message: format!("no {kind} preset `{name}` (known: {})", known.join(", ")),
    }
}

#[derive(Deserialize)]
struct RndFile {
    presets: Vec<RndPreset>,
}

/// One R&D preset: its name, the source of its figures and the project.
#[derive(Debug, Clone, Deserialize)]
pub struct RndPreset {
    /// Preset name.
    pub name: String,
    /// Where the figures come from.
    pub source: String,
    project: RndSpec,
}

impl RndPreset {
    /// The project model.
    pub fn project(&self) -> Result<RndProject> {
        RndProject::new(self.project.clone())
    }
}

/// All R&D presets: `biomedicine_drug`, `biomedicine_oncology`, `ic_tapeout`, `ai_software`.
pub fn rnd_presets() -> Result<Vec<RndPreset>> {
    Ok(parse::<RndFile>("rnd.json", RND)?.presets)
}

/// The R&D project preset called `name`.
///
/// ```
/// use kexian::perils::presets;
/// let drug = presets::rnd("biomedicine_drug")?;
/// // BIO 2016 phase transitions: 63.2% × 30.7% × 58.1% × 85.3% ≈ 9.6% reach approval.
/// assert!((drug.success_probability() - 0.632 * 0.307 * 0.581 * 0.853).abs() < 1e-15);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn rnd(name: &str) -> Result<RndProject> {
    let all = rnd_presets()?;
    let names: Vec<String> = all.iter().map(|p| p.name.clone()).collect();
    all.into_iter()
        .find(|p| p.name == name)
        .ok_or_else(|| unknown("R&D", name, &names))?
        .project()
}

#[derive(Deserialize)]
struct IpFile {
    usd_to_cny: f64,
    suits: Suits,
    legal_cost: LegalCost,
    damages: Damages,
    validity: Validity,
    pledge: Pledge,
}

#[derive(Deserialize)]
struct Suits {
    lifetime_suits_per_1000_patents: f64,
    lifetime_suits_per_1000_drug_patents: f64,
    patent_life_years: f64,
    size_multiplier: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct LegalCost {
    bands_usd: Vec<(f64, f64)>,
    cost_scale: f64,
    sigma: f64,
}

#[derive(Deserialize)]
struct Damages {
    median: f64,
    sigma: f64,
    lose: f64,
}

#[derive(Deserialize)]
struct Validity {
    filed: f64,
    instituted: f64,
    invalidated: f64,
    cost: f64,
}

#[derive(Deserialize)]
struct Pledge {
    value_to_loan_median: f64,
    sigma: f64,
}

fn lognormal_median(median: f64, sigma: f64) -> Result<SeverityModel> {
    Ok(SeverityModel::LogNormal(LogNormal::new(
        median.ln(),
        sigma,
    )?))
}

/// A patent-litigation cover from the IP presets: suits per year = patents × lifetime rate
/// (10.7 per 1,000 patents, 20.1 for drugs) / 20-year life × a firm-size multiplier (`micro`,
/// `small`, `medium`, `large`; smaller owners are sued more per patent); legal cost lognormal with the
/// AIPLA 2015 median for `amount_at_risk` (元) scaled to Chinese cost levels; for a defence,
/// damages within the statutory range and the PTAB validity-challenge branch.
///
/// ```
/// use kexian::perils::{presets, LitigationKind, Peril};
/// let cover = presets::patent_litigation(LitigationKind::Defence, 50.0, 5.0e6, false, "medium")?;
/// assert!((cover.suits_per_year - 50.0 * 10.7 / 1000.0 / 20.0).abs() < 1e-15);
/// assert!(cover.expected_payment()? > 0.0);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn patent_litigation(
    kind: LitigationKind,
    patents: f64,
    amount_at_risk: f64,
    drug: bool,
    size: &str,
) -> Result<PatentLitigation> {
    crate::numerics::validate::non_negative("presets", "patents", patents)?;
    crate::numerics::validate::non_negative("presets", "amount_at_risk", amount_at_risk)?;
    let f: IpFile = parse("ip.json", IP)?;
    let rate = if drug {
        f.suits.lifetime_suits_per_1000_drug_patents
    } else {
        f.suits.lifetime_suits_per_1000_patents
    };
    let multiplier = *f.suits.size_multiplier.get(size).ok_or_else(|| {
        let known: Vec<String> = f.suits.size_multiplier.keys().cloned().collect();
        unknown("firm size", size, &known)
    })?;
    let at_risk_usd = amount_at_risk / f.usd_to_cny;
    let median_usd = f
        .legal_cost
        .bands_usd
        .iter()
        .find(|(upper, _)| at_risk_usd < *upper)
        .map_or(f64::NAN, |(_, m)| *m);
    let median = median_usd * f.usd_to_cny * f.legal_cost.cost_scale;
    let defence = kind == LitigationKind::Defence;
    let cover = PatentLitigation {
        kind,
        suits_per_year: patents * rate / 1000.0 / f.suits.patent_life_years * multiplier,
        legal_cost: lognormal_median(median, f.legal_cost.sigma)?,
        damages: if defence {
            Some(lognormal_median(f.damages.median, f.damages.sigma)?)
        } else {
            None
        },
        lose: if defence { f.damages.lose } else { 0.0 },
        validity: Some(ValidityChallenge {
            filed: f.validity.filed,
            instituted: f.validity.instituted,
            invalidated: f.validity.invalidated,
            cost: f.validity.cost,
        }),
        terms: Default::default(),
    };
    cover.validate()?;
    Ok(cover)
}

/// An IP-pledge guarantee from the presets: realised pledge value lognormal with median
/// 1.2 × loan (illustrative).
pub fn ip_pledge(loan: f64, default_probability: f64) -> Result<IpPledge> {
    crate::numerics::validate::positive("presets", "loan", loan)?;
    let f: IpFile = parse("ip.json", IP)?;
    let cover = IpPledge {
        loan,
        default_probability,
        pledge_value: lognormal_median(loan * f.pledge.value_to_loan_median, f.pledge.sigma)?,
        share: 1.0,
    };
    cover.validate()?;
    Ok(cover)
}

#[derive(Deserialize)]
struct CyberFile {
    usd_to_cny: f64,
    frequency: CyberFrequency,
    response: MuSigmaUsd,
    breach: Breach,
    ransomware: MuSigma,
    business_interruption: Bi,
    mix: BTreeMap<String, serde_json::Value>,
    sections: CyberSections,
}

#[derive(Deserialize)]
struct CyberFrequency {
    breach_share: BTreeMap<String, f64>,
    material_share: f64,
    mixing_cv: f64,
    sector_multiplier: BTreeMap<String, f64>,
}

#[derive(Deserialize)]
struct MuSigmaUsd {
    mu_usd: f64,
    sigma: f64,
}

#[derive(Deserialize)]
struct MuSigma {
    mu: f64,
    sigma: f64,
}

#[derive(Deserialize)]
struct Breach {
    log_cost_intercept_usd: f64,
    cost_exponent: f64,
    records_mu: f64,
    records_sigma: f64,
}

#[derive(Deserialize)]
struct Bi {
    downtime_mu: f64,
    downtime_sigma: f64,
    waiting_hours: f64,
    hourly_loss: BTreeMap<String, f64>,
}

/// A firm's cyber risk from the presets, by size (`micro`, `small`, `medium`, `large`) and
/// sector (`ic`, `biomedicine`, `ai`, `low_altitude`, `new_materials`): material incidents
/// negative binomial with mean −ln(1 − breach share × 13%) × sector multiplier and mixing
/// CV 1; incident response lognormal from NetDiligence; breach cost by Jacobs (2014).
///
/// ```
/// use kexian::perils::{presets, Peril};
/// let small_ai = presets::cyber("small", "ai")?;
/// let p = small_ai.event_probability();
/// assert!(p > 0.05 && p < 0.15);
/// assert!(presets::cyber("giant", "ai").is_err());
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn cyber(size: &str, sector: &str) -> Result<CyberRisk> {
    let f: CyberFile = parse("cyber.json", CYBER)?;
    let keys = |m: &BTreeMap<String, f64>| m.keys().cloned().collect::<Vec<_>>();
    let share = *f
        .frequency
        .breach_share
        .get(size)
        .ok_or_else(|| unknown("cyber size", size, &keys(&f.frequency.breach_share)))?;
    let multiplier = *f.frequency.sector_multiplier.get(sector).ok_or_else(|| {
        unknown(
            "cyber sector",
            sector,
            &keys(&f.frequency.sector_multiplier),
        )
    })?;
    let mean = -(1.0 - share * f.frequency.material_share).ln() * multiplier;
    let incidents = FrequencyModel::NegativeBinomial(NegativeBinomial::from_mean_mixing_cv(
        mean,
        f.frequency.mixing_cv,
    )?);
    let fx = f.usd_to_cny;
    let weight = |k: &str| {
        f.mix
            .get(k)
            .and_then(serde_json::Value::as_f64)
            .unwrap_or(0.0)
    };
    let lognormal = |mu: f64, sigma: f64| -> Result<SeverityModel> {
        Ok(SeverityModel::LogNormal(LogNormal::new(mu, sigma)?))
    };
    let bi = &f.business_interruption;
    let types = vec![
        (
            weight("response"),
            IncidentType::Response {
                cost: lognormal(f.response.mu_usd + fx.ln(), f.response.sigma)?,
            },
        ),
        (
            weight("ransomware"),
            IncidentType::Ransomware {
                cost: lognormal(f.ransomware.mu, f.ransomware.sigma)?,
            },
        ),
        (
            weight("breach"),
            IncidentType::DataBreach {
                records: lognormal(f.breach.records_mu, f.breach.records_sigma)?,
                log_cost_intercept: f.breach.log_cost_intercept_usd + fx.ln(),
                cost_exponent: f.breach.cost_exponent,
            },
        ),
        (
            weight("business_interruption"),
            IncidentType::BusinessInterruption {
                downtime_hours: lognormal(bi.downtime_mu, bi.downtime_sigma)?,
                hourly_loss: *bi
                    .hourly_loss
                    .get(size)
                    .ok_or_else(|| unknown("cyber size", size, &keys(&bi.hourly_loss)))?,
                waiting_hours: bi.waiting_hours,
            },
        ),
    ];
    let risk = CyberRisk {
        incidents,
        types,
        sections: f.sections,
    };
    risk.validate()?;
    Ok(risk)
}
