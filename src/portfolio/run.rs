//! Settings and results of a portfolio run.

use crate::error::Result;
use crate::numerics::validate;
use crate::simulation::{SimulatedLosses, SimulationConfig};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Portfolio";

/// Settings of a portfolio run: the simulation's (seed, trials, threads; the portfolio
/// streams are per policy, so `batch_size`, `retention` and `variance_reduction` do not apply)
/// and the TVaR level of capital.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioConfig {
    /// Seed, simulated years (≥ 1, < 2^32) and threads.
    pub simulation: SimulationConfig,
    /// TVaR level for capital and allocation (default 0.995).
    #[serde(default = "default_tvar_level")]
    pub tvar_level: f64,
}

/// The default TVaR level of capital, 99.5%.
pub fn default_tvar_level() -> f64 {
    0.995
}

impl PortfolioConfig {
    /// `trials` years from `seed`, TVaR 99.5%, all cores.
    pub fn new(seed: u64, trials: u64) -> Result<Self> {
        let c = Self {
            simulation: SimulationConfig::new(seed, trials)?,
            tvar_level: default_tvar_level(),
        };
        c.validate()?;
        Ok(c)
    }

    /// Checks the simulation settings, trials < 2^32 and the level.
    pub fn validate(&self) -> Result<()> {
        self.simulation.validate()?;
        let trials = self.simulation.trials;
        validate::rule(
            MODEL,
            "trials",
            trials as f64,
            trials <= u64::from(u32::MAX),
            "below 2^32 for a portfolio run",
        )?;
        validate::open_probability(MODEL, "tvar_level", self.tvar_level)?;
        Ok(())
    }

    pub(super) fn trials(&self) -> usize {
        self.simulation.trials as usize
    }
}

/// One policy's share of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PolicyResult {
    /// Policy id.
    pub id: String,
    /// Mean simulated payment (元), all perils and systemic events.
    pub mean: f64,
    /// Mean payment of each peril, in the policy's peril order.
    pub peril_means: Vec<f64>,
    /// Standard error of `mean` (batch means).
    pub mean_std_error: f64,
    /// Mean payment from systemic events.
    pub shock_mean: f64,
    /// Mean recovery from the per-risk excess-of-loss treaty.
    pub per_risk_ceded: f64,
    /// Its mean payment over the portfolio's tail years: its co-TVaR (元).
    pub allocated_tvar: f64,
    /// Standard error of `allocated_tvar` (batch means plus the VaR threshold's share).
    pub allocated_tvar_std_error: f64,
}

/// The results of [`Portfolio::simulate`](super::Portfolio::simulate), aligned by trial.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PortfolioRun {
    /// Statistics of the portfolio's annual payments.
    pub losses: SimulatedLosses,
    /// Portfolio payment per trial.
    pub totals: Vec<f64>,
    /// Per-risk treaty recoveries per trial (empty without a per-risk treaty): the annual
    /// payment net of them, `totals[t] − per_risk_recoveries[t]`, is what an aggregate
    /// treaty sees (the per-risk cover inures to its benefit).
    pub per_risk_recoveries: Vec<f64>,
    /// Per group, its payments per trial (after the copula reordering; systemic events not
    /// included).
    pub groups: Vec<(String, Vec<f64>)>,
    /// Systemic-event payments per trial.
    pub shocks: Vec<f64>,
    /// TVaR level.
    pub tvar_level: f64,
    /// Number of tail years k = ⌈(1 − level)·trials⌉.
    pub tail_trials: usize,
    /// TVaR: mean of the k largest annual totals (ties by trial order).
    pub tvar: f64,
    /// Per policy: mean and co-TVaR allocation (they sum to `tvar`).
    pub policies: Vec<PolicyResult>,
    /// Per group, where the copula moved each independent trial (`None`: independent).
    #[serde(skip)]
    pub permutations: Option<Vec<Vec<u32>>>,
    /// The run's systemic events (trial, shock, intensity), kept for replays.
    #[serde(skip)]
    pub(super) events: Vec<(usize, usize, f64)>,
}

impl PortfolioRun {
    /// Annual payment of trial `t` net of per-risk recoveries.
    pub fn net_of_per_risk(&self, t: usize) -> f64 {
        self.totals[t] - self.per_risk_recoveries.get(t).copied().unwrap_or(0.0)
    }
}

impl crate::error::Validate for PortfolioConfig {
    fn validate(&self) -> Result<()> {
        PortfolioConfig::validate(self)
    }
}
