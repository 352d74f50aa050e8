//! The assumption set: every pricing assumption as data (sectors, size bands, the 沪科积分
//! scale, R&D project types, patent litigation, guarantee products, cyber, risk-reduction
//! measures, systemic events and the dependence across sectors), read from JSON through a
//! validating constructor. The bundled set is `data/assumptions/shanghai_2025.json`, with the
//! source of every figure; an insurer passes its own file and changes no code.
//!
//! Pipeline position: `perils, portfolio, book → assumptions → quote`.
//!
//! ```
//! use kexian::assumptions::Assumptions;
//! use kexian::perils::Peril;
//! let a = Assumptions::bundled()?;
//! assert_eq!(a.scale().tiers(), 5);
//! let drug = a.rnd_project("biomedicine_drug")?;
//! // BIO 2016 phase transitions: 63.2% × 30.7% × 58.1% × 85.3% reach approval.
//! assert!((drug.success_probability() - 0.632 * 0.307 * 0.581 * 0.853).abs() < 1e-15);
//! let cyber = a.cyber_risk("small", "ai")?;
//! assert!(cyber.event_probability() > 0.05 && cyber.event_probability() < 0.15);
//! let e = a.cyber_risk("small", "shipping").unwrap_err().to_string();
//! assert!(e.contains("unknown sector `shipping` (known: ic, biomedicine, ai"), "{e}");
//! # Ok::<(), kexian::Error>(())
//! ```

mod check;
mod cyber;
mod guarantee;
mod ip;
mod measure;
mod mechanism;
mod product;
mod scenario;
mod underwrite;

pub use cyber::{
    Breach, BusinessInterruption, CyberAssumptions, CyberFrequency, LogNormalCny, LogNormalUsd, Mix,
};
pub use guarantee::{Collateral, DefaultTable, GuaranteeProduct};
pub use ip::{Band, Damages, IpAssumptions, LegalCost, Suits};
pub use measure::RiskReduction;
pub use mechanism::{CompoundMechanism, Factors, Mechanism, NamedSection, RatedBy, Slope};
pub use product::{Eligibility, Offer, Product};
pub use scenario::{Load, Scenario};
pub use underwrite::Underwritten;

pub(crate) use check::Check;
pub(crate) use measure::Modifier;

use crate::error::{Error, Result};
use crate::perils::{CyberRisk, Guarantee, LitigationKind, PatentLitigation, RndProject, RndSpec};
use crate::portfolio::{CommonShock, Dependence};
use crate::rating::ScoreScale;
use serde::{Deserialize, Serialize};

const BUNDLED: &str = include_str!("../../data/assumptions/shanghai_2025.json");
const BUNDLED_NAME: &str = "data/assumptions/shanghai_2025.json";

/// The JSON form of an assumption set (see `data/assumptions/README.md`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssumptionSet {
    /// Name of the set.
    pub name: String,
    /// Remarks (currency, vintage, who signed it off).
    #[serde(default)]
    pub note: String,
    /// The 沪科积分 scale and tiers.
    pub score_scale: ScoreScale,
    /// Sector names (any number, any names, Chinese allowed).
    pub sectors: Vec<String>,
    /// Size bands.
    pub sizes: Vec<String>,
    /// Chinese names of sectors, size bands and stages (`{"ic": "集成电路"}`), for
    /// Chinese reports and charts.
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub names_zh: std::collections::BTreeMap<String, String>,
    /// R&D project types.
    pub rnd: RndAssumptions,
    /// Patent litigation.
    pub ip: IpAssumptions,
    /// Guarantee products.
    #[serde(default)]
    pub guarantees: Vec<GuaranteeProduct>,
    /// Cyber.
    pub cyber: CyberAssumptions,
    /// The product catalogue: what covers may buy.
    pub products: Vec<Product>,
    /// Risk-reduction measures.
    #[serde(default)]
    pub risk_reduction: Vec<RiskReduction>,
    /// Systemic events (common shocks).
    #[serde(default)]
    pub shocks: Vec<CommonShock>,
    /// Dependence across sectors (independent if absent).
    #[serde(default)]
    pub dependence: Option<Dependence>,
    /// Annual rate a multi-year cover's payments are discounted at (≥ 0; default 0): see
    /// [`RndProject`] and [`Guarantee`].
    #[serde(default)]
    pub discount_rate: f64,
    /// Loads on products (a scenario's; none in a base set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub loads: Vec<Load>,
}

/// R&D project types.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RndAssumptions {
    /// Sources and remarks.
    #[serde(default)]
    pub note: String,
    /// Project types.
    pub projects: Vec<ProjectType>,
}

/// One R&D project type: stage-gate success probabilities, costs, budget and default terms.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ProjectType {
    /// Name, referred to by firms' R&D covers.
    pub name: String,
    /// Where the figures come from.
    #[serde(default)]
    pub source: String,
    /// The project.
    pub project: RndSpec,
}

/// A validated [`AssumptionSet`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AssumptionSet", into = "AssumptionSet")]
pub struct Assumptions {
    set: AssumptionSet,
    source: String,
}

spec_conversions!(Assumptions, AssumptionSet, set);

impl Assumptions {
    /// Validates every section and the cross-references: each sector and size has its
    /// cyber and patent-suit parameters, shocks and the copula name only known sectors, names
    /// are unique, tables have one value per score tier.
    pub fn new(set: AssumptionSet) -> Result<Self> {
        Self::checked(set, "assumptions".into())
    }

    /// The bundled demonstration set (`data/assumptions/shanghai_2025.json`).
    pub fn bundled() -> Result<Self> {
        Self::from_json(BUNDLED_NAME, BUNDLED)
    }

    /// Reads and validates a set from JSON text; errors name `source`, the line or the field.
    pub fn from_json(source: &str, text: &str) -> Result<Self> {
        let set: AssumptionSet = crate::io::parse_json(source, text)?;
        Self::checked(set, source.to_owned())
    }

    /// Reads and validates a set from a JSON file.
    pub fn from_path(path: impl AsRef<std::path::Path>) -> Result<Self> {
        let (name, text) = crate::io::read_text(path.as_ref())?;
        Self::from_json(&name, &text)
    }

    fn checked(set: AssumptionSet, source: String) -> Result<Self> {
        let mut c = Check::default();
        check(&set, &mut c);
        c.finish(&source)?;
        Ok(Self { set, source })
    }

    /// The set as data.
    pub fn set(&self) -> &AssumptionSet {
        &self.set
    }

    /// Where the set was read from.
    pub fn source(&self) -> &str {
        &self.source
    }

    /// The score scale.
    pub fn scale(&self) -> &ScoreScale {
        &self.set.score_scale
    }

    /// Systemic events.
    pub fn shocks(&self) -> &[CommonShock] {
        &self.set.shocks
    }

    /// Dependence across sectors.
    pub fn dependence(&self) -> Option<&Dependence> {
        self.set.dependence.as_ref()
    }

    /// The R&D project type `name`.
    pub fn rnd_project(&self, name: &str) -> Result<RndProject> {
        let p = self.project_type(name)?;
        RndProject::new(p.project.clone())
    }

    fn project_type(&self, name: &str) -> Result<&ProjectType> {
        let all = &self.set.rnd.projects;
        all.iter().find(|p| p.name == name).ok_or_else(|| {
            self.unknown(
                "rnd.projects",
                "R&D project type",
                name,
                all.iter().map(|p| &p.name),
            )
        })
    }

    /// The cyber risk of a firm of `size` in `sector`, with the set's section terms.
    pub fn cyber_risk(&self, size: &str, sector: &str) -> Result<CyberRisk> {
        self.sector(sector)?;
        self.size(size)?;
        let sections = self.set.cyber.sections;
        self.set
            .cyber
            .risk(size, sector, sections, None, Modifier::NONE)
    }

    /// A patent-litigation cover (no terms) for a firm with `patents` granted patents in
    /// `sector` of `size` and `amount_at_risk` (元) in a suit.
    pub fn patent_litigation(
        &self,
        kind: LitigationKind,
        patents: f64,
        amount_at_risk: f64,
        sector: &str,
        size: &str,
    ) -> Result<PatentLitigation> {
        self.sector(sector)?;
        self.size(size)?;
        crate::numerics::validate::non_negative("Assumptions", "patents", patents)?;
        crate::numerics::validate::non_negative("Assumptions", "amount_at_risk", amount_at_risk)?;
        self.set.ip.litigation(
            kind,
            patents,
            amount_at_risk,
            sector,
            size,
            None,
            Default::default(),
            Modifier::NONE,
        )
    }

    /// A guarantee of `loan` under product `product` with default probability `pd`.
    pub fn guarantee(&self, product: &str, loan: f64, pd: f64) -> Result<Guarantee> {
        self.guarantee_product(product)?.guarantee(loan, pd, 1.0)
    }

    /// The catalogue.
    pub fn products(&self) -> &[Product] {
        &self.set.products
    }

    /// The catalogue's product `name`.
    pub fn product(&self, name: &str) -> Result<&Product> {
        let all = &self.set.products;
        all.iter()
            .find(|p| p.name == name)
            .ok_or_else(|| self.unknown("products", "product", name, all.iter().map(|p| &p.name)))
    }

    fn guarantee_product(&self, name: &str) -> Result<&GuaranteeProduct> {
        let all = &self.set.guarantees;
        all.iter().find(|p| p.name == name).ok_or_else(|| {
            self.unknown(
                "guarantees",
                "guarantee product",
                name,
                all.iter().map(|p| &p.name),
            )
        })
    }

    fn sector(&self, name: &str) -> Result<()> {
        let all = &self.set.sectors;
        if all.iter().any(|s| s == name) {
            Ok(())
        } else {
            Err(self.unknown("sectors", "sector", name, all.iter()))
        }
    }

    fn size(&self, name: &str) -> Result<()> {
        let all = &self.set.sizes;
        if all.iter().any(|s| s == name) {
            Ok(())
        } else {
            Err(self.unknown("sizes", "size band", name, all.iter()))
        }
    }

    fn unknown<'a>(
        &self,
        field: &str,
        what: &str,
        name: &str,
        known: impl Iterator<Item = &'a String>,
    ) -> Error {
        let known: Vec<&str> = known.map(String::as_str).collect();
        Error::Field {
            source_name: self.source.clone(),
            field: field.into(),
            message: format!("unknown {what} `{name}` (known: {})", known.join(", ")),
        }
    }
}

/// Checks every section of `set`, collecting problems.
fn check(set: &AssumptionSet, c: &mut Check) {
    c.rule("name", !set.name.is_empty(), "must not be empty");
    c.names("sectors", set.sectors.iter());
    c.names("sizes", set.sizes.iter());
    let codes: Vec<String> = (set.sectors.iter().chain(&set.sizes).cloned())
        .chain(["start_up", "growth", "mature"].map(String::from))
        .collect();
    c.known(
        "names_zh",
        set.names_zh.keys(),
        &codes,
        "sector, size or stage",
    );
    c.names("rnd.projects", set.rnd.projects.iter().map(|p| &p.name));
    for (k, p) in set.rnd.projects.iter().enumerate() {
        if let Err(e) = RndProject::new(p.project.clone()) {
            c.rule(&format!("rnd.projects[{k}].project"), false, &e.to_string());
        }
    }
    set.ip.check(c, &set.sectors, &set.sizes);
    set.cyber.check(c, &set.sectors, &set.sizes);
    c.names("guarantees", set.guarantees.iter().map(|g| &g.name));
    for (k, g) in set.guarantees.iter().enumerate() {
        g.check(
            c,
            &format!("guarantees[{k}]"),
            &set.sectors,
            set.score_scale.tiers(),
        );
    }
    c.names("risk_reduction", set.risk_reduction.iter().map(|m| &m.name));
    for (k, m) in set.risk_reduction.iter().enumerate() {
        m.check(c, &format!("risk_reduction[{k}]"));
    }
    c.names("products", set.products.iter().map(|p| &p.name));
    for (k, p) in set.products.iter().enumerate() {
        p.check(c, &format!("products[{k}]"), set);
    }
    c.names("shocks", set.shocks.iter().map(|s| &s.name));
    for (k, s) in set.shocks.iter().enumerate() {
        if let Err(e) = s.validate() {
            c.rule(&format!("shocks[{k}]"), false, &e.to_string());
        }
        c.known(
            &format!("shocks[{k}].hit_probability"),
            s.hit_probability.keys(),
            &set.sectors,
            "sector",
        );
    }
    c.non_negative("discount_rate", set.discount_rate);
    for (k, l) in set.loads.iter().enumerate() {
        l.check(c, &format!("loads[{k}]"), set);
    }
    if let Some(d) = &set.dependence {
        c.names("dependence.groups", d.groups.iter());
        c.known("dependence.groups", d.groups.iter(), &set.sectors, "sector");
        c.rule(
            "dependence.copula",
            d.copula.dimension() == d.groups.len(),
            &format!(
                "dimension {} for {} groups",
                d.copula.dimension(),
                d.groups.len()
            ),
        );
    }
}
