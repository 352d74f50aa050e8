//! Differentiated quotes (差异化定价): expected loss from the peril models, differentiated by
//! the rating plan (沪科积分 tier, sector, size) and the firm's own experience, plus a risk
//! load on allocated capital, reinsurance cost, expenses, commission and profit; subsidies
//! split what the firm and the government pay; pools and quota shares split the result.
//!
//! Pipeline position: `perils, portfolio, rating → quote`.
//!
//! ```text
//! f          = rating factor (plan prediction / training average) × experience factor
//! EL         = f · Σ_lines simulated mean payment
//! risk load  = cost of capital · f · (co-TVaR − mean)   (or f · (principle − mean) standalone)
//! RI cost    = loading · (E[own per-risk recoveries] + E[aggregate-tower cession] · co-TVaR share)
//! technical  = (EL + risk load + RI cost) / (1 − expense − commission − profit)
//! premium    = ⌈max(technical, minimum) / rounding⌉ · rounding
//! ```
//! Every quote's components (EL, risk load, RI cost, expense, commission, profit, minimum
//! premium and rounding adjustments) add up to its premium.

mod firms;
mod pack;
mod subsidy;

pub use firms::{Firm, SECTORS, SIZES, load_firms};
pub use pack::{PackQuote, price_pack};
pub use subsidy::SubsidyRule;

use crate::coverage::Layer;
use crate::error::{Error, Result};
use crate::numerics::validate;
use crate::portfolio::{
    CommonShock, Dependence, Portfolio, PortfolioConfig, PortfolioRun, PortfolioSpec,
};
use crate::rating::{GlmFamily, RatingPlan, RatingSpec, ScoreScale, experience_factor};
use crate::simulation::RETURN_PERIODS;
use crate::table::Table;
use serde::{Deserialize, Serialize};
use subsidy::SubsidyBasis;

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
    fn validate(&self) -> Result<()> {
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

    fn ratios(&self) -> f64 {
        self.expense_ratio + self.commission_ratio + self.profit_ratio
    }

    /// Gross premium and its components from a net cost (EL + loads).
    fn gross(&self, net: f64) -> (f64, f64, f64, f64, f64, f64) {
        let technical = net / (1.0 - self.ratios());
        let floor = technical.max(self.minimum_premium);
        let premium = if self.rounding > 0.0 {
            (floor / self.rounding).ceil() * self.rounding
        } else {
            floor
        };
        (
            technical,
            self.expense_ratio * technical,
            self.commission_ratio * technical,
            self.profit_ratio * technical,
            floor - technical,
            premium - floor,
        )
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
}

fn firm_column() -> String {
    "firm".into()
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
    /// Per-risk layers, applied to each policy's payment per peril and year.
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
    /// The firm's own loss distribution priced by a premium principle, minus its mean
    /// (ignores diversification in the portfolio).
    Standalone {
        /// The principle, e.g. `{"principle": "wang", "lambda": 0.25}`.
        principle: crate::pricing::PremiumPrinciple,
    },
}

/// Everything the quote run needs besides the portfolio (JSON, `data/pricing.json`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuoteConfig {
    /// Seed of the simulation.
    pub seed: u64,
    /// Simulated years.
    pub trials: usize,
    /// TVaR level of capital (default 0.995).
    #[serde(default = "tvar_level")]
    pub tvar_level: f64,
    /// Loadings.
    #[serde(flatten)]
    pub loadings: Loadings,
    /// Risk-load method (default: allocated capital × cost of capital).
    #[serde(default)]
    pub risk_load: RiskLoad,
    /// Rating plan and experience rating (none: no differentiation beyond the perils).
    #[serde(default)]
    pub rating: Option<RatingConfig>,
    /// Subsidy rules.
    #[serde(default)]
    pub subsidies: Vec<SubsidyRule>,
    /// Systemic events.
    #[serde(default)]
    pub shocks: Vec<CommonShock>,
    /// Dependence across sectors.
    #[serde(default)]
    pub dependence: Option<Dependence>,
    /// Reinsurance.
    #[serde(default)]
    pub reinsurance: Option<Reinsurance>,
    /// Co-insurance pool members (none: one insurer).
    #[serde(default)]
    pub pool: Vec<PoolMember>,
}

fn tvar_level() -> f64 {
    0.995
}

impl QuoteConfig {
    /// Checks loadings, rules, shares.
    pub fn validate(&self) -> Result<()> {
        self.loadings.validate()?;
        for r in &self.subsidies {
            r.validate()?;
        }
        if let Some(ri) = &self.reinsurance {
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
        }
        PortfolioConfig {
            seed: self.seed,
            trials: self.trials,
            tvar_level: self.tvar_level,
            threads: None,
        }
        .validate()
    }
}

/// Expected loss of one line of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineLoss {
    /// `rnd`, `ip`, `cyber` or `systemic`.
    pub line: String,
    /// Rated expected loss (元).
    pub expected_loss: f64,
}

/// One rating relativity applied to a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AppliedRelativity {
    /// Factor (e.g. `score`, `sector`) or `experience`.
    pub factor: String,
    /// The firm's level or value.
    pub level: String,
    /// Relativity.
    pub relativity: f64,
}

/// A premium quote for one firm, with every component.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Quote {
    /// Firm id.
    pub firm: String,
    /// Sector.
    pub sector: String,
    /// 沪科积分 tier (default scale).
    pub score_tier: usize,
    /// Expected loss by line.
    pub lines: Vec<LineLoss>,
    /// Relativities applied (rating plan factors, normalisation, experience).
    pub relativities: Vec<AppliedRelativity>,
    /// Simulated mean payment before differentiation (元).
    pub model_expected_loss: f64,
    /// Rating factor (plan prediction / training average).
    pub rating_factor: f64,
    /// Experience factor (credibility).
    pub experience_factor: f64,
    /// Expected loss (元).
    pub expected_loss: f64,
    /// Capital allocated: co-TVaR − mean, rated (元).
    pub capital: f64,
    /// Risk load = cost of capital × capital.
    pub risk_load: f64,
    /// Share of the reinsurance margin.
    pub reinsurance_cost: f64,
    /// Expenses.
    pub expense: f64,
    /// Commission.
    pub commission: f64,
    /// Profit.
    pub profit: f64,
    /// Raise to the minimum premium.
    pub minimum_premium_adjustment: f64,
    /// Rounding up.
    pub rounding_adjustment: f64,
    /// Premium (元) = sum of the components above.
    pub premium: f64,
    /// Subsidy by rule.
    pub subsidies: Vec<(String, f64)>,
    /// Total subsidy (≤ premium, ≤ caps): what the government pays.
    pub subsidy: f64,
    /// What the firm pays.
    pub firm_pays: f64,
}

impl Quote {
    /// Sum of the premium's components (equals `premium` up to rounding of floating point).
    pub fn components_total(&self) -> f64 {
        self.expected_loss
            + self.risk_load
            + self.reinsurance_cost
            + self.expense
            + self.commission
            + self.profit
            + self.minimum_premium_adjustment
            + self.rounding_adjustment
    }
}

/// Where a set of quotes came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Provenance {
    /// kexian version.
    pub crate_version: String,
    /// Seed.
    pub seed: u64,
    /// Simulated years.
    pub trials: usize,
    /// TVaR level.
    pub tvar_level: f64,
    /// Method.
    pub method: String,
    /// FNV-1a hash of the configuration and the policies (hex).
    pub parameter_hash: String,
}

/// A pool member's or reinsurer's share of the book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Who.
    pub name: String,
    /// Share.
    pub share: f64,
    /// Premium (元).
    pub premium: f64,
    /// Expected loss (元).
    pub expected_loss: f64,
}

/// Portfolio-level results of a quote run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Summary {
    /// Firms quoted.
    pub firms: usize,
    /// Simulated mean annual payment (元, before differentiation).
    pub expected_loss: f64,
    /// Standard deviation.
    pub std_dev: f64,
    /// VaR at the TVaR level.
    pub var: f64,
    /// TVaR.
    pub tvar: f64,
    /// Capital = TVaR − mean.
    pub capital: f64,
    /// Exceedance curve: (return period in years, annual loss).
    pub exceedance_curve: Vec<(f64, f64)>,
    /// Σ premiums.
    pub premium: f64,
    /// Σ rated expected losses.
    pub rated_expected_loss: f64,
    /// Σ subsidies.
    pub subsidy: f64,
    /// Σ firm payments.
    pub firm_pays: f64,
    /// Expected loss ceded to the aggregate tower.
    pub reinsurance_expected_ceded: f64,
    /// Expected recoveries under the per-risk treaty.
    pub per_risk_expected_ceded: f64,
    /// Reinsurance margin loaded into the quotes.
    pub reinsurance_cost: f64,
    /// Quota-share reinsurer's and pool members' shares of the net book.
    pub shares: Vec<Share>,
    /// Provenance.
    pub provenance: Provenance,
}

/// Quotes and summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRun {
    /// One quote per firm, in file order.
    pub quotes: Vec<Quote>,
    /// Portfolio results.
    pub summary: Summary,
}

/// Prices every firm of `portfolio` (read with [`load_firms`]) under `config`.
/// `experience` is the claims experience named by `config.rating` (required when rating is
/// configured). `progress(done, total)` is called as the simulation advances.
pub fn price_portfolio(
    portfolio: &Table,
    experience: Option<&Table>,
    config: &QuoteConfig,
    progress: Option<&(dyn Fn(usize, usize) + Sync)>,
) -> Result<QuoteRun> {
    config.validate()?;
    let (firms, policies) = load_firms(portfolio)?;
    let hash = parameter_hash(config, &policies);
    let book = Portfolio::new(PortfolioSpec {
        policies,
        shocks: config.shocks.clone(),
        dependence: config.dependence.clone(),
        per_risk_xol: config
            .reinsurance
            .as_ref()
            .map(|r| r.per_risk_xol.clone())
            .unwrap_or_default(),
    })?;
    let pconfig = PortfolioConfig {
        seed: config.seed,
        trials: config.trials,
        tvar_level: config.tvar_level,
        threads: None,
    };
    let run = book.simulate_with_progress(&pconfig, progress)?;
    let factors = differentiation(portfolio, &firms, experience, config)?;
    let (expected_ceded, ri_margin) = reinsurance_cost(&run, config.reinsurance.as_ref());
    let tail_total: f64 = run.policies.iter().map(|p| p.allocated_tvar).sum();
    let scale = ScoreScale::default();
    let mut quotes = Vec::with_capacity(firms.len());
    let mut firm_subsidy: std::collections::HashMap<(String, usize), f64> = Default::default();
    for (k, (firm, result)) in firms.iter().zip(&run.policies).enumerate() {
        let (relativities, rating_factor, experience) = &factors[k];
        let f = rating_factor * experience;
        let mut lines: Vec<LineLoss> = firm
            .lines
            .iter()
            .zip(&result.peril_means)
            .map(|(l, m)| LineLoss {
                line: (*l).into(),
                expected_loss: f * m,
            })
            .collect();
        if result.shock_mean > 0.0 {
            lines.push(LineLoss {
                line: "systemic".into(),
                expected_loss: f * result.shock_mean,
            });
        }
        let expected_loss: f64 = lines.iter().map(|l| l.expected_loss).sum();
        let capital = f * (result.allocated_tvar - result.mean).max(0.0);
        let risk_load = match config.risk_load {
            RiskLoad::AllocatedCapital => config.loadings.cost_of_capital * capital,
            RiskLoad::Standalone { principle } => {
                let own = book.policy_losses(&firm.id, &pconfig, &run)?;
                let dist = crate::simulation::SimulatedLosses::from_values(&own, 16_384);
                f * (principle.premium(&dist.to_discrete()?)? - result.mean).max(0.0)
            }
        };
        let aggregate_share = if tail_total > 0.0 {
            ri_margin * result.allocated_tvar / tail_total
        } else {
            0.0
        };
        let loading = config.reinsurance.as_ref().map_or(0.0, |r| r.loading);
        let reinsurance_cost = aggregate_share + loading * result.per_risk_ceded;
        let (technical, expense, commission, profit, min_adj, round_adj) = config
            .loadings
            .gross(expected_loss + risk_load + reinsurance_cost);
        let premium = technical + min_adj + round_adj;
        let line_premiums: Vec<(String, f64)> = lines
            .iter()
            .map(|l| {
                let w = if expected_loss > 0.0 {
                    l.expected_loss / expected_loss
                } else {
                    0.0
                };
                (l.line.clone(), premium * w)
            })
            .collect();
        let basis = SubsidyBasis {
            premium,
            score: firm.score,
            first_set_value: firm.first_set_value,
            line_premiums: &line_premiums,
        };
        let mut subsidies = Vec::new();
        for (r, rule) in config.subsidies.iter().enumerate() {
            let mut amount = rule.amount(&basis)?;
            if let Some(cap) = rule.firm_cap() {
                let used = firm_subsidy.entry((firm.id.clone(), r)).or_insert(0.0);
                amount = amount.min((cap - *used).max(0.0));
                *used += amount;
            }
            subsidies.push((rule.name(), amount));
        }
        let subsidy = subsidies.iter().map(|(_, a)| a).sum::<f64>().min(premium);
        quotes.push(Quote {
            firm: firm.id.clone(),
            sector: firm.sector.clone(),
            score_tier: scale.tier(firm.score)?,
            lines,
            relativities: relativities.clone(),
            model_expected_loss: result.mean,
            rating_factor: *rating_factor,
            experience_factor: *experience,
            expected_loss,
            capital,
            risk_load,
            reinsurance_cost,
            expense,
            commission,
            profit,
            minimum_premium_adjustment: min_adj,
            rounding_adjustment: round_adj,
            premium,
            subsidies,
            subsidy,
            firm_pays: premium - subsidy,
        });
    }
    let per_risk: f64 = run.policies.iter().map(|p| p.per_risk_ceded).sum();
    let loading = config.reinsurance.as_ref().map_or(0.0, |r| r.loading);
    let summary = summarize(
        &run,
        &quotes,
        config,
        (expected_ceded, per_risk),
        ri_margin + loading * per_risk,
        hash,
    )?;
    Ok(QuoteRun { quotes, summary })
}

type Factors = Vec<(Vec<AppliedRelativity>, f64, f64)>;

/// Per firm: applied relativities, rating factor and experience factor.
fn differentiation(
    portfolio: &Table,
    firms: &[Firm],
    experience: Option<&Table>,
    config: &QuoteConfig,
) -> Result<Factors> {
    let Some(rating) = &config.rating else {
        return Ok(vec![(vec![], 1.0, 1.0); firms.len()]);
    };
    let experience = experience.ok_or_else(|| Error::Inconsistent {
        model: MODEL,
        message: "a rating plan is configured but no experience table was given".into(),
    })?;
    let plan = RatingPlan::fit(rating.family, &rating.spec, experience)?;
    // Training average frequency per unit of exposure: Σ predicted / Σ exposure.
    let predicted = plan.predict(experience)?;
    let exposure: f64 = match &rating.spec.exposure {
        Some(e) => {
            let c = experience.column(e)?;
            (0..experience.len())
                .map(|r| experience.number(r, c))
                .sum::<Result<f64>>()?
        }
        None => experience.len() as f64,
    };
    let average = predicted.iter().sum::<f64>() / exposure;
    // The portfolio has no exposure column: predictions are per unit of exposure.
    let rates = plan.predict(portfolio)?;
    let explained = plan.explain(portfolio)?;
    let by_firm = experience_by_firm(
        experience,
        &rating.firm_column,
        &rating.spec.response,
        &predicted,
    )?;
    firms
        .iter()
        .zip(rates)
        .zip(explained)
        .map(|((firm, rate), parts)| {
            let mut applied: Vec<AppliedRelativity> = parts
                .into_iter()
                .map(|(factor, level, relativity)| AppliedRelativity {
                    factor,
                    level,
                    relativity,
                })
                .collect();
            applied.push(AppliedRelativity {
                factor: "base / training average".into(),
                level: String::new(),
                relativity: plan.base() / average,
            });
            let (expected, observed) = by_firm.get(&firm.id).copied().unwrap_or((0.0, 0.0));
            let e = if expected > 0.0 && rating.credibility_alpha > 0.0 {
                experience_factor(expected, observed, rating.credibility_alpha)?.1
            } else {
                1.0
            };
            applied.push(AppliedRelativity {
                factor: "experience".into(),
                level: format!("{observed} claims vs {expected:.2} expected"),
                relativity: e,
            });
            Ok((applied, rate / average, e))
        })
        .collect()
}

/// Per firm id: (Σ expected claims from the plan, Σ observed claims) over its experience.
fn experience_by_firm(
    experience: &Table,
    firm_column: &str,
    response: &str,
    predicted: &[f64],
) -> Result<std::collections::HashMap<String, (f64, f64)>> {
    let (f, y) = (
        experience.column(firm_column)?,
        experience.column(response)?,
    );
    let mut out: std::collections::HashMap<String, (f64, f64)> = Default::default();
    for (r, p) in predicted.iter().enumerate() {
        let e = out.entry(experience.text(r, f).to_owned()).or_default();
        e.0 += p;
        e.1 += experience.number(r, y)?;
    }
    Ok(out)
}

/// Expected ceded loss to the aggregate tower and the reinsurer's margin on it.
fn reinsurance_cost(run: &PortfolioRun, ri: Option<&Reinsurance>) -> (f64, f64) {
    let Some(ri) = ri else { return (0.0, 0.0) };
    let n = run.totals.len() as f64;
    let ceded: f64 = run
        .totals
        .iter()
        .map(|&s| {
            ri.aggregate_xol
                .iter()
                .map(|l| l.annual_cap(l.ceded(s)))
                .sum::<f64>()
        })
        .sum::<f64>()
        / n;
    (ceded, ri.loading * ceded)
}

fn summarize(
    run: &PortfolioRun,
    quotes: &[Quote],
    config: &QuoteConfig,
    (expected_ceded, per_risk_ceded): (f64, f64),
    ri_margin: f64,
    hash: u64,
) -> Result<Summary> {
    let premium: f64 = quotes.iter().map(|q| q.premium).sum();
    let rated_el: f64 = quotes.iter().map(|q| q.expected_loss).sum();
    let mut shares = Vec::new();
    let mut net = (premium, rated_el);
    if let Some(ri) = &config.reinsurance
        && ri.quota_share > 0.0
    {
        shares.push(Share {
            name: "quota share reinsurer".into(),
            share: ri.quota_share,
            premium: ri.quota_share * premium * (1.0 - ri.ceding_commission),
            expected_loss: ri.quota_share * rated_el,
        });
        net = (
            net.0 * (1.0 - ri.quota_share),
            net.1 * (1.0 - ri.quota_share),
        );
    }
    for m in &config.pool {
        shares.push(Share {
            name: m.name.clone(),
            share: m.share,
            premium: m.share * net.0,
            expected_loss: m.share * net.1,
        });
    }
    let mean = run.losses.mean()?.value;
    let var = run.losses.var(config.tvar_level)?.value;
    let exceedance_curve = RETURN_PERIODS
        .iter()
        .filter(|&&rp| 1.0 / rp >= 1.0 / run.totals.len() as f64)
        .map(|&rp| Ok((rp, run.losses.var(1.0 - 1.0 / rp)?.value)))
        .collect::<Result<_>>()?;
    Ok(Summary {
        firms: quotes.len(),
        expected_loss: mean,
        std_dev: run.losses.std_dev()?.value,
        var,
        tvar: run.tvar,
        capital: run.tvar - mean,
        exceedance_curve,
        premium,
        rated_expected_loss: rated_el,
        subsidy: quotes.iter().map(|q| q.subsidy).sum(),
        firm_pays: quotes.iter().map(|q| q.firm_pays).sum(),
        reinsurance_expected_ceded: expected_ceded,
        per_risk_expected_ceded: per_risk_ceded,
        reinsurance_cost: ri_margin,
        shares,
        provenance: Provenance {
            crate_version: env!("CARGO_PKG_VERSION").into(),
            seed: config.seed,
            trials: config.trials,
            tvar_level: config.tvar_level,
            method: "event-driven Monte Carlo portfolio simulation with co-TVaR allocation".into(),
            parameter_hash: format!("{hash:016x}"),
        },
    })
}

fn parameter_hash(config: &QuoteConfig, policies: &[crate::portfolio::Policy]) -> u64 {
    crate::simulation::fnv1a(&serde_json::to_string(&(config, policies)).unwrap_or_default())
}
