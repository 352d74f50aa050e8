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
    /// FNV-1a hash of the configuration, the assumption set and the policies (hex).
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
