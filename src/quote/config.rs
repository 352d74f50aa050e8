//! Quote settings: loadings, rating plan, subsidies, reinsurance and pool.

use super::SubsidyRule;
use crate::coverage::Layer;
use crate::error::{Error, Result};
use crate::numerics::validate;
use crate::portfolio::{Engine, PortfolioConfig, default_tvar_level};
use crate::rating::{GlmFamily, RatingSpec};
use crate::simulation::SimulationConfig;
use serde::{Deserialize, Serialize};

const MODEL: &str = "QuoteConfig";

/// Loadings shared by firm quotes and packs.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Loadings {
    /// Cost of capital per year on allocated capital (co-TVaR − mean).
    pub cost_of_capital: f64,
    /// Expense ratio (share of premium).
    pub expense_ratio: f64,
    /// Commission ratio (share of premium).
    pub commission_ratio: f64,
    /// Profit ratio (share of premium).
    pub profit_ratio: f64,
    /// Minimum premium (元).
    #[serde(default)]
    pub minimum_premium: f64,
    /// Premiums are rounded up to a multiple of this (元; 0 = no rounding).
    #[serde(default)]
    pub rounding: f64,
}

impl Loadings {
    /// Checks the ratios (each in [0, 1], together < 1) and amounts (≥ 0).
    pub fn validate(&self) -> Result<()> {
        validate::non_negative(MODEL, "cost_of_capital", self.cost_of_capital)?;
        validate::probability(MODEL, "expense_ratio", self.expense_ratio)?;
        validate::probability(MODEL, "commission_ratio", self.commission_ratio)?;
        validate::probability(MODEL, "profit_ratio", self.profit_ratio)?;
        validate::non_negative(MODEL, "minimum_premium", self.minimum_premium)?;
        validate::non_negative(MODEL, "rounding", self.rounding)?;
        let r = self.ratios();
        validate::rule(MODEL, "expense + commission + profit", r, r < 1.0, "< 1")?;
        Ok(())
    }

    pub(super) fn ratios(&self) -> f64 {
        self.expense_ratio + self.commission_ratio + self.profit_ratio
    }

    /// The gross premium and its components from a net cost (EL + loads):
    /// technical = net / (1 − expense − commission − profit ratios), raised to the minimum
    /// premium, then rounded up.
    pub(super) fn gross(&self, net: f64) -> Gross {
        let technical = net / (1.0 - self.ratios());
        let floor = technical.max(self.minimum_premium);
        let premium = if self.rounding > 0.0 {
            (floor / self.rounding).ceil() * self.rounding
        } else {
            floor
        };
        Gross {
            technical,
            expense: self.expense_ratio * technical,
            commission: self.commission_ratio * technical,
            profit: self.profit_ratio * technical,
            minimum_adjustment: floor - technical,
            rounding_adjustment: premium - floor,
        }
    }
}

/// A gross premium by its components (元): the technical premium (expense, commission and
/// profit within it), and the minimum-premium and rounding adjustments on top.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) struct Gross {
    pub technical: f64,
    pub expense: f64,
    pub commission: f64,
    pub profit: f64,
    pub minimum_adjustment: f64,
    pub rounding_adjustment: f64,
}

impl Gross {
    /// technical + minimum adjustment + rounding adjustment.
    pub fn premium(&self) -> f64 {
        self.technical + self.minimum_adjustment + self.rounding_adjustment
    }
}

/// The rating plan used to differentiate quotes, fitted on claims experience.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingConfig {
    /// Experience file (CSV), relative to the configuration file.
    pub experience: String,
    /// Firm-id column of the experience file.
    #[serde(default = "firm_column")]
    pub firm_column: String,
    /// Rating factors (their columns must be in both the experience and the portfolio).
    pub spec: RatingSpec,
    /// GLM family (default Poisson).
    #[serde(default = "poisson")]
    pub family: GlmFamily,
    /// Variance α of the firm effect for experience rating (Poisson–gamma; 0 = none).
    #[serde(default)]
    pub credibility_alpha: f64,
    /// Which level the rated expected losses are brought to (default: the credibility
    /// blend of experience and model, line by line).
    #[serde(default)]
    pub rebalance: Rebalance,
    /// The line whose claims the plan is fitted on and whose expected losses it
    /// differentiates (the experience's `line` column); none: every line, pooled.
    #[serde(default)]
    pub line: Option<String>,
    /// Incurred-loss column of the experience (default `incurred`).
    #[serde(default = "incurred")]
    pub incurred: String,
    /// The limited-fluctuation standard of the level's credibility (default p = 0.90,
    /// k = 0.05: 1,082 claims times 1 + CV² of the claim size).
    #[serde(default)]
    pub credibility: crate::backtest::LimitedFluctuation,
}

/// Off-balance: the level the rating plan's factors are normalised to, line by line.
///
/// The plan differentiates; the level comes from the model, or from the model and the book's
/// own experience weighted by credibility. With [`Rebalance::Credibility`] (the default) the
/// factors f_iℓ (plan × experience where the plan applies to line ℓ) of every firm are
/// multiplied by k_ℓ = level_ℓ · Σᵢ m_iℓ / Σᵢ f_iℓ·m_iℓ, level_ℓ = Z·A/E + (1 − Z) from
/// [`experience_level`](super::experience_level), so the line's rated expected loss is the
/// credibility-weighted blend of experience and model; with [`Rebalance::Model`] level_ℓ = 1:
/// the plan moves premium between firms, not in or out of the line.
///
/// **Sector, size and score, counted once.** The peril models already vary by sector and
/// size band (cyber frequency multipliers, suit rates) and the guarantee default
/// probabilities by score tier. A plan factor on the same variable multiplies that variation
/// a second time; leave such a factor out of the plan (the bundled plan has no sector factor
/// for this reason) or keep it only where experience shows variation the model lacks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Rebalance {
    /// Σ rated expected loss of a line = Σ model expected loss × the line's credibility
    /// level (the default).
    #[default]
    Credibility,
    /// Σ rated expected loss of a line = Σ model expected loss of the line.
    Model,
    /// Factors relative to the plan's average over its experience (Σ predicted / Σ
    /// exposure): the book's level moves with the mix of the book against the experience.
    Experience,
    /// The plan's relativities to its base level, unnormalised.
    None,
}

fn firm_column() -> String {
    "firm".into()
}

fn one() -> f64 {
    1.0
}

fn incurred() -> String {
    "incurred".into()
}

fn poisson() -> GlmFamily {
    GlmFamily::Poisson
}

/// Reinsurance: per-risk and aggregate excess-of-loss treaties priced at
/// (1 + loading)·E\[ceded\] (the margin is loaded into the quotes: per-risk by each firm's
/// own recoveries, aggregate by co-TVaR share), and an optional quota share (a split of the
/// book, reported in the summary).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Reinsurance {
    /// Layers of the aggregate tower.
    #[serde(default)]
    pub aggregate_xol: Vec<Layer>,
    /// Per-risk layers, applied to each occurrence: each claim's payment of a policy (an
    /// R&D failure, a default, one incident or suit), not the year's total.
    #[serde(default)]
    pub per_risk_xol: Vec<Layer>,
    /// Reinsurer's margin over expected ceded loss (both treaties).
    #[serde(default)]
    pub loading: f64,
    /// Share of premium and losses ceded proportionally, in \[0, 1\].
    #[serde(default)]
    pub quota_share: f64,
    /// Ceding commission on the quota share (share of ceded premium).
    #[serde(default)]
    pub ceding_commission: f64,
}

/// A 共保体 co-insurance pool member.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoolMember {
    /// Insurer name.
    pub name: String,
    /// Share of premium and losses (shares sum to 1).
    pub share: f64,
}

/// How a quote's risk load is set.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "method", rename_all = "snake_case", deny_unknown_fields)]
pub enum RiskLoad {
    /// Cost of capital × the firm's allocated capital, co-TVaR − mean (the default).
    #[default]
    AllocatedCapital,
    /// The firm's own loss distribution priced by a premium principle, minus its mean:
    /// f · (H\[X\] − E\[X\]) on a sample of the firm's standalone annual payments
    /// ([`Portfolio::standalone_losses`](crate::portfolio::Portfolio::standalone_losses):
    /// its own streams, so a firm costs its own events whatever the book's size); ignores
    /// diversification in the portfolio.
    Standalone {
        /// The principle, e.g. `{"principle": "wang", "lambda": 0.25}`.
        principle: crate::pricing::PremiumPrinciple,
    },
}

/// Everything the quote run needs besides the book and the assumption set (JSON,
/// `data/pricing.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteConfig {
    /// Seed, simulated years and threads of the portfolio simulation.
    pub simulation: SimulationConfig,
    /// TVaR level of capital (default 0.995).
    #[serde(default = "default_tvar_level")]
    pub tvar_level: f64,
    /// Portfolio engine (default: the Poisson perils superposed; `streams` keeps each
    /// policy's draws unchanged when others are added or removed).
    #[serde(default)]
    pub engine: Engine,
    /// Loadings (nested, so that a mistake in them is reported at its line).
    pub loadings: Loadings,
    /// Risk-load method (default: allocated capital × cost of capital).
    #[serde(default)]
    pub risk_load: RiskLoad,
    /// Rating plan and experience rating (none: no differentiation beyond the perils).
    #[serde(default)]
    pub rating: Option<RatingConfig>,
    /// Subsidy rules, stacked in this order (see [`SubsidyRule`]).
    #[serde(default)]
    pub subsidies: Vec<SubsidyRule>,
    /// The most the subsidies together pay of a firm's premium, a share in \[0, 1\]
    /// (default 1): the firm pays at least 1 − this share.
    #[serde(default = "one")]
    pub subsidy_max_share: f64,
    /// Reinsurance.
    #[serde(default)]
    pub reinsurance: Option<Reinsurance>,
    /// Co-insurance pool members (none: one insurer).
    #[serde(default)]
    pub pool: Vec<PoolMember>,
    /// What `kexian report` and [`crate::sensitivity`] move: the step, the named stresses,
    /// the fitted claims whose parameter risk is shown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sensitivity: Option<SensitivityConfig>,
}

/// Sensitivity, stress and parameter-risk settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SensitivityConfig {
    /// Relative step each key assumption is moved by (default 0.1: +10%).
    #[serde(default = "default_step")]
    pub step: f64,
    /// Named stress scenarios.
    #[serde(default)]
    pub stresses: Vec<crate::assumptions::Scenario>,
    /// Claims whose fitted severity's parameter covariance gives a range of the premium.
    #[serde(default)]
    pub parameter_risk: Option<ParameterRisk>,
}

fn default_step() -> f64 {
    0.1
}

/// Where a product's severity is fitted from, for its parameter risk.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ParameterRisk {
    /// The product whose severity the fit stands for.
    pub product: String,
    /// Claims CSV (relative to the configuration's directory).
    pub claims: String,
    /// Amount column (default `amount`).
    #[serde(default = "amount")]
    pub amount_column: String,
    /// Deductible column (left truncation).
    #[serde(default)]
    pub deductible_column: Option<String>,
    /// Limit column (censoring).
    #[serde(default)]
    pub limit_column: Option<String>,
    /// Family fitted (default lognormal).
    #[serde(default = "lognormal")]
    pub family: crate::fitting::SeverityFamily,
}

fn amount() -> String {
    "amount".into()
}

fn lognormal() -> crate::fitting::SeverityFamily {
    crate::fitting::SeverityFamily::LogNormal
}

impl QuoteConfig {
    /// `trials` years from `seed` with the given loadings; no rating plan, subsidies,
    /// reinsurance or pool; capital at TVaR 99.5%.
    pub fn new(seed: u64, trials: u64, loadings: Loadings) -> Result<Self> {
        let c = Self {
            simulation: SimulationConfig::new(seed, trials)?,
            tvar_level: default_tvar_level(),
            engine: Engine::default(),
            loadings,
            risk_load: RiskLoad::default(),
            rating: None,
            subsidies: vec![],
            subsidy_max_share: 1.0,
            reinsurance: None,
            pool: vec![],
            sensitivity: None,
        };
        c.validate()?;
        Ok(c)
    }

    /// The per-risk excess-of-loss layers applied to each policy (none without reinsurance).
    pub fn per_risk_xol(&self) -> Vec<Layer> {
        self.reinsurance
            .as_ref()
            .map(|r| r.per_risk_xol.clone())
            .unwrap_or_default()
    }

    /// The portfolio run's settings.
    pub fn portfolio(&self) -> PortfolioConfig {
        PortfolioConfig {
            simulation: self.simulation,
            tvar_level: self.tvar_level,
            engine: self.engine,
        }
    }

    /// Checks loadings, rules, shares and the simulation settings.
    pub fn validate(&self) -> Result<()> {
        self.loadings.validate()?;
        for r in &self.subsidies {
            r.validate()?;
        }
        validate::probability(MODEL, "subsidy_max_share", self.subsidy_max_share)?;
        if let Some(ri) = &self.reinsurance {
            // Layers of one treaty must not overlap (Tower::new checks and names them).
            crate::coverage::Tower::new(ri.per_risk_xol.clone())?;
            crate::coverage::Tower::new(ri.aggregate_xol.clone())?;
            validate::non_negative(MODEL, "reinsurance.loading", ri.loading)?;
            validate::probability(MODEL, "reinsurance.quota_share", ri.quota_share)?;
            validate::probability(MODEL, "reinsurance.ceding_commission", ri.ceding_commission)?;
        }
        if !self.pool.is_empty() {
            for m in &self.pool {
                validate::probability(MODEL, "pool.share", m.share)?;
            }
            let total: f64 = self.pool.iter().map(|m| m.share).sum();
            if (total - 1.0).abs() > 1e-9 {
                return Err(Error::Inconsistent {
                    model: MODEL,
                    message: format!("pool shares sum to {total}, not 1"),
                });
            }
        }
        if let Some(r) = &self.rating {
            validate::non_negative(MODEL, "rating.credibility_alpha", r.credibility_alpha)?;
            r.credibility.full_credibility_claims()?;
        }
        if let RiskLoad::Standalone { principle } = &self.risk_load {
            principle.validate()?;
        }
        self.portfolio().validate()
    }
}

impl crate::error::Validate for QuoteConfig {
    fn validate(&self) -> Result<()> {
        QuoteConfig::validate(self)
    }
}
