//! Settings and results of a portfolio run.

use super::Engine;
use super::batches::{BLOCK, batch_error};
use crate::error::Result;
use crate::loss::Estimate;
use crate::numerics::validate;
use crate::simulation::{SimulatedLosses, SimulationConfig};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Portfolio";

/// Settings of a portfolio run: the simulation's (seed, trials, threads; the portfolio
/// is simulated by blocks of years, so `batch_size`, `retention` and `variance_reduction` do
/// not apply), the TVaR level of capital and the engine.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PortfolioConfig {
    /// Seed, simulated years (≥ 1, < 2^32) and threads.
    pub simulation: SimulationConfig,
    /// TVaR level for capital and allocation (default 0.995).
    #[serde(default = "default_tvar_level")]
    pub tvar_level: f64,
    /// How the Poisson perils' claims are drawn (default: superposed).
    #[serde(default)]
    pub engine: Engine,
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
            engine: Engine::default(),
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
    /// The largest single occurrence of each year (after the copula): one claim of one
    /// policy (an R&D failure, a default, one incident or suit), or one systemic event's total
    /// over the firms it hits.
    pub occurrences: Vec<f64>,
    /// Per group, its payments per trial (after the copula reordering; systemic events not
    /// included); empty without a copula (independent groups are not kept apart, so memory
    /// does not grow with the number of sectors).
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

    /// Annual totals per copula block (see [`BLOCK`]).
    fn blocks(&self) -> std::slice::Chunks<'_, f64> {
        self.totals.chunks(BLOCK)
    }

    /// TVaR at the run's level with its standard error ([`tvar_estimate_at`](Self::tvar_estimate_at)).
    pub fn tvar_estimate(&self) -> Result<Estimate> {
        self.tvar_estimate_at(self.tvar_level)
    }

    /// TVaR at `level` with its standard error: batch means over the copula blocks of the
    /// influence function, U_b = (Σ_{t∈b}(S_t − VaR)₊)/(1 − α) + n_b·(VaR − TVaR) (the
    /// blocks are independent; within a block the copula's ranks are not). With one block,
    /// the independent-years formula of [`SimulatedLosses::tvar`]. At the run's level the
    /// value is the run's TVaR (the mean of its tail years). The one standard error of a
    /// run's TVaR: the quote summary and the Python package report this one.
    pub fn tvar_estimate_at(&self, level: f64) -> Result<Estimate> {
        let own = self.losses.tvar(level)?;
        let value = if level == self.tvar_level {
            self.tvar
        } else {
            own.value
        };
        if self.totals.len() <= BLOCK {
            return Ok(Estimate {
                value,
                std_error: own.std_error,
            });
        }
        let var = self.losses.var(level)?.value;
        let u = self.blocks().map(|b| {
            b.iter().map(|&s| (s - var).max(0.0)).sum::<f64>() / (1.0 - level)
                + b.len() as f64 * (var - value)
        });
        Ok(Estimate {
            value,
            std_error: batch_error(u, self.totals.len() as f64),
        })
    }

    /// The annual total's exceedance curve: (return period T, VaR at 1 − 1/T) with the
    /// standard errors of [`var_estimate`](Self::var_estimate), for the return periods the
    /// run's years reach.
    pub fn exceedance_curve(&self) -> Result<Vec<(f64, Estimate)>> {
        crate::loss::RETURN_PERIODS
            .iter()
            .filter(|&&rp| rp <= self.totals.len() as f64)
            .map(|&rp| Ok((rp, self.var_estimate(1.0 - 1.0 / rp)?)))
            .collect()
    }

    /// VaR of the annual total at `level` with its standard error: the independent-years
    /// error √(α(1−α)/n)/f̂ of [`SimulatedLosses::var`] times the design effect of the blocks,
    /// the batch-means standard deviation of the count of years above the VaR over its
    /// binomial value √(n·α(1−α)).
    pub fn var_estimate(&self, level: f64) -> Result<Estimate> {
        quantile(&self.losses, &self.totals, level)
    }

    /// The largest occurrence's quantiles at `levels` (the occurrence exceedance curve's
    /// points at return periods 1/(1 − level)), with standard errors as for
    /// [`var_estimate`](Self::var_estimate); the occurrences are sorted once for all levels.
    pub fn occurrence_estimates(&self, levels: &[f64]) -> Result<Vec<Estimate>> {
        let losses = SimulatedLosses::from_values(&self.occurrences, self.occurrences.len(), None);
        levels
            .iter()
            .map(|&level| quantile(&losses, &self.occurrences, level))
            .collect()
    }
}

impl crate::error::Validate for PortfolioConfig {
    fn validate(&self) -> Result<()> {
        PortfolioConfig::validate(self)
    }
}

/// Quantile of `values` (summarised in `losses`) at `level`, its error scaled by the design
/// effect of the copula blocks (see [`PortfolioRun::var_estimate`]).
fn quantile(losses: &SimulatedLosses, values: &[f64], level: f64) -> Result<Estimate> {
    let e = losses.var(level)?;
    if values.len() <= BLOCK || e.std_error == 0.0 {
        return Ok(e);
    }
    let n = values.len() as f64;
    let excess = values.chunks(BLOCK).map(|b| {
        b.iter().filter(|&&s| s > e.value).count() as f64 - b.len() as f64 * (1.0 - level)
    });
    let binomial = (n * level * (1.0 - level)).sqrt();
    Ok(Estimate {
        value: e.value,
        std_error: e.std_error * batch_error(excess, binomial),
    })
}
