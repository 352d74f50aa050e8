//! What a quote run returns: quotes with every component, and the portfolio summary.

use serde::{Deserialize, Serialize};

/// Expected loss of one line of a quote.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineLoss {
    /// `rnd`, `ip`, `cyber` or `systemic`.
    pub line: String,
    /// Rated expected loss (元).
    pub expected_loss: f64,
}

/// One cover of a quote: its expected loss from the model, the factor of its line, the cap
/// at what it can pay, and its share of the premium.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CoverQuote {
    /// Product.
    pub product: String,
    /// Its line.
    pub line: String,
    /// Simulated mean payment before differentiation (元).
    pub model_expected_loss: f64,
    /// The factor of its line (plan × experience where the plan applies, × the line's
    /// level multiplier).
    pub factor: f64,
    /// Rated expected loss, min(factor × model, maximum payment) (元).
    pub expected_loss: f64,
    /// The most the cover can pay in its term (元; `None`: unbounded, e.g. a Poisson count).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum_payment: Option<f64>,
    /// Whether the rated expected loss was capped at the maximum payment.
    pub capped: bool,
    /// The most one occurrence can pay, limit × share (元; `None`: unlimited).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub occurrence_limit: Option<f64>,
    /// The premium attributed to the cover, in proportion to its expected loss (元).
    pub premium: f64,
    /// Rate on line, premium ÷ occurrence limit.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_on_line: Option<f64>,
    /// Policy years of the cover's term (1: a one-year cover; its expected loss and premium
    /// are then for the whole term, payments discounted to its start).
    pub term_years: usize,
    /// For a term of n > 1 years: the level annual premium paid at the start of each year
    /// worth the same, premium / Σ_{j<n} vʲ, v = 1/(1 + discount rate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub annual_equivalent: Option<f64>,
    /// Why the rate on line is above 1, when it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flag: Option<String>,
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
    /// 沪科积分 tier on the assumption set's scale.
    pub score_tier: usize,
    /// Expected loss by line.
    pub lines: Vec<LineLoss>,
    /// Each cover's expected loss, cap, premium and rate on line.
    pub covers: Vec<CoverQuote>,
    /// Relativities applied (rating plan factors, normalisation, experience).
    pub relativities: Vec<AppliedRelativity>,
    /// Expected annual payment (元, rated like the expected loss) avoided by the firm's
    /// risk-reduction measures, shown as its own credit: not a premium component, the
    /// expected losses above are already net of it.
    pub risk_reduction_credit: f64,
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
    /// Monte Carlo standard errors of the simulated figures above.
    pub standard_errors: QuoteErrors,
    /// SHA-256 of the run's inputs (the summary's `provenance.inputs_digest`).
    pub inputs_digest: String,
}

/// Standard errors (元) of a quote's simulated figures, from the run's batch means (see
/// [`crate::portfolio::PolicyResult`]). A figure built from several simulated ones gets the
/// sum of their errors times its coefficients: an upper bound (as if fully correlated).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QuoteErrors {
    /// Of the expected loss: f · SE(mean).
    pub expected_loss: f64,
    /// Of the capital f · (co-TVaR − mean): f · (SE(co-TVaR) + SE(mean)).
    pub capital: f64,
    /// Of the premium: (|1 − c|·SE(EL) + c·f·SE(co-TVaR)) / (1 − expense − commission −
    /// profit), c the cost of capital (standalone risk loads: the expected loss's part only).
    pub premium: f64,
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
    pub trials: u64,
    /// TVaR level.
    pub tvar_level: f64,
    /// Method.
    pub method: String,
    /// The assumption set: its name and where it was read from.
    pub assumptions: String,
    /// SHA-256 (hex) of the crate version, firms, assumption set, configuration (seed and
    /// trials included) and experience: see [`inputs_digest`](super::inputs_digest).
    pub inputs_digest: String,
    /// The files the inputs were read from, each with its SHA-256 (filled by the command
    /// line program; empty when the library is called with values).
    #[serde(default)]
    pub input_files: Vec<InputFile>,
}

/// An input file and the digest of its bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InputFile {
    /// What it is: portfolio, assumptions, config or experience.
    pub role: String,
    /// Where it was read from.
    pub path: String,
    /// Its size in bytes.
    pub bytes: u64,
    /// SHA-256 (hex) of its bytes.
    pub sha256: String,
}

/// A pool member's share of the book (元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Share {
    /// Who.
    pub name: String,
    /// Share.
    pub share: f64,
    /// Its share of the retained premium, without commission.
    pub premium: f64,
    /// Its share of the ceding commission.
    pub ceding_commission: f64,
    /// Its share of the retained expected loss.
    pub expected_loss: f64,
}

/// Standard errors (元) of the summary's simulated figures.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct SummaryErrors {
    /// Of the mean (sd/√n).
    pub expected_loss: f64,
    /// Of the standard deviation (batch jackknife).
    pub std_dev: f64,
    /// Of the VaR (order-statistic density × the blocks' design effect).
    pub var: f64,
    /// Of the TVaR (batch means of its influence function over the copula blocks).
    pub tvar: f64,
    /// Of the capital: SE(TVaR) + SE(mean), an upper bound.
    pub capital: f64,
    /// Of the total premium: Σ of the quotes' (an upper bound).
    pub premium: f64,
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
    /// Aggregate exceedance curve: the annual total exceeded once in T years.
    pub exceedance_curve: Vec<crate::loss::CurvePoint>,
    /// Occurrence exceedance curve: the largest single occurrence of a year (one claim of one
    /// policy, or one systemic event's total) exceeded once in T years.
    pub occurrence_curve: Vec<crate::loss::CurvePoint>,
    /// Σ premiums.
    pub premium: f64,
    /// Σ rated expected losses.
    pub rated_expected_loss: f64,
    /// The level of each line: model and rated expected loss, and the multiplier that set
    /// it (see [`Rebalance`](super::Rebalance)).
    pub levels: Vec<LineLevel>,
    /// The model against the book's experience by line (empty without experience).
    pub experience: Vec<super::LineExperience>,
    /// The checks a pricing committee makes, each with its count.
    pub checks: Vec<super::CheckResult>,
    /// Σ subsidies.
    pub subsidy: f64,
    /// Σ firm payments.
    pub firm_pays: f64,
    /// Reinsurance margin loaded into the quotes (loading × expected recoveries).
    pub reinsurance_cost: f64,
    /// Where the premium and expected loss go, to the 分.
    pub flows: super::Flows,
    /// Standard errors of the simulated figures.
    pub standard_errors: SummaryErrors,
    /// Provenance.
    pub provenance: Provenance,
}

/// One line's level in a quote run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineLevel {
    /// Line.
    pub line: String,
    /// Σ model expected loss of the line over the book (元).
    pub model_expected_loss: f64,
    /// Σ rated expected loss (元).
    pub rated_expected_loss: f64,
    /// The multiplier k of the line's differentiated factors (1: none).
    pub multiplier: f64,
}

/// Quotes and summary of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuoteRun {
    /// One quote per firm, in file order.
    pub quotes: Vec<Quote>,
    /// Portfolio results.
    pub summary: Summary,
}
