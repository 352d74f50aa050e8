//! One policy's payments in every year of a run, replayed from its deterministic streams.

use super::{MODEL, Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};

impl Portfolio {
    /// Policy `id`'s payment in every trial of `run` (made with `config`), aligned with the
    /// run's trials: its streams are replayed and moved by the run's copula permutation, and
    /// its systemic-event hits are added.
    pub fn policy_losses(
        &self,
        id: &str,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<f64>> {
        let cents = self.policy_cents(id, config, run)?;
        Ok(cents.iter().map(|&c| c as f64 / 100.0).collect())
    }

    /// [`policy_losses`](Self::policy_losses) in integer 分: summed over all policies, trial
    /// by trial, they give the run's totals exactly (`totals[t] = Σ cents / 100`).
    pub fn policy_cents(
        &self,
        id: &str,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<i64>> {
        let i = self
            .spec
            .policies
            .iter()
            .position(|p| p.id == id)
            .ok_or_else(|| Error::Inconsistent {
                model: MODEL,
                message: format!("no policy `{id}`"),
            })?;
        let trials = config.trials();
        if run.totals.len() != trials {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "the run was made with a different number of trials".into(),
            });
        }
        let mut out = vec![0i64; trials];
        let perm = run.permutations.as_ref().map(|p| &p[self.group_of[i]]);
        self.event_years(config.simulation.seed, i, 0..trials, |t, j| {
            out[perm.map_or(t, |p| p[t] as usize)] += self.payment(config.simulation.seed, i, j, t);
        });
        self.replay_shocks(config.simulation.seed, i, &run.events, |_, t, x| {
            out[t] = out[t].saturating_add(x)
        });
        Ok(out)
    }
}
