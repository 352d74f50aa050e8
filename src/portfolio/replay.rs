//! One policy's payments in every year of a run, replayed from its deterministic streams.

use super::cents::to_yuan;
use super::streams::{YearKeys, Years};
use super::superposition::Engine;
use super::{MODEL, Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};

impl Portfolio {
    /// Policy `id`'s payment in every trial of `run` (made with `config`), aligned with the
    /// run's trials: its streams are replayed and moved by the run's copula permutation, and
    /// its systemic-event hits are added. With superposed perils ([`Engine::Superposition`])
    /// every year's superposed claims are regenerated: a call costs about one main pass of
    /// those claims ([`standalone_losses`](Self::standalone_losses) samples the policy's own
    /// distribution at the cost of its own events).
    pub fn policy_losses(
        &self,
        id: &str,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<f64>> {
        let cents = self.policy_cents(id, config, run)?;
        Ok(to_yuan(cents))
    }

    /// [`policy_losses`](Self::policy_losses) in integer 分: summed over all policies, trial
    /// by trial, they give the run's totals exactly (`totals[t] = Σ cents / 100`).
    pub fn policy_cents(
        &self,
        id: &str,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<i64>> {
        self.policy_cents_at(self.index_of(id)?, config, run)
    }

    /// The position of policy `id` in the book.
    fn index_of(&self, id: &str) -> Result<usize> {
        (self.spec.policies.iter())
            .position(|p| p.id == id)
            .ok_or_else(|| Error::Unknown {
                model: MODEL,
                kind: "policy",
                name: id.to_owned(),
                context: String::new(),
            })
    }

    /// Policy `id`'s own annual payments (元), one per trial of `run` (made with `config`),
    /// drawn from its own streams whatever the run's engine — the draws of
    /// [`Engine::Streams`] — moved by the run's copula permutation, with its systemic-event
    /// hits: a sample of its standalone loss distribution at the cost of its own events, not
    /// of the book's claims. Under [`Engine::Streams`] these are the
    /// [`policy_losses`](Self::policy_losses); under [`Engine::Superposition`] another
    /// sample of the same distribution (a superposed peril's claims are, by thinning, a
    /// Poisson process of the peril's own rate, independent of the others').
    pub fn standalone_losses(
        &self,
        id: &str,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<f64>> {
        self.standalone_losses_at(self.index_of(id)?, config, run)
    }

    /// [`standalone_losses`](Self::standalone_losses) of the `i`-th policy.
    pub(crate) fn standalone_losses_at(
        &self,
        i: usize,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<f64>> {
        let streams = PortfolioConfig {
            engine: Engine::Streams,
            ..*config
        };
        let cents = self.policy_cents_at(i, &streams, run)?;
        Ok(to_yuan(cents))
    }

    /// [`policy_cents`](Self::policy_cents) of the `i`-th policy (< the book's size).
    fn policy_cents_at(
        &self,
        i: usize,
        config: &PortfolioConfig,
        run: &PortfolioRun,
    ) -> Result<Vec<i64>> {
        let trials = config.trials();
        if run.totals.len() != trials {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "the run was made with a different number of trials".into(),
            });
        }
        let mut out = vec![0i64; trials];
        let perm = run.permutations.as_ref().map(|p| &p[self.group_of[i]]);
        let moved = |t: usize| perm.map_or(t, |p| p[t] as usize);
        let seed = config.simulation.seed;
        let all = Years::All(&mut YearKeys::new(config.simulation.code_path));
        self.event_years(seed, i, 0..trials, config.engine, all, |t, j, e| {
            out[moved(t)] += self.payment(i, j, e);
        });
        if config.engine == Engine::Superposition
            && (self.spec.policies[i].perils.iter())
                .any(|p| self.superposition.takes(config.engine, p))
        {
            let years: Vec<usize> = (0..trials).collect();
            let own =
                self.superposed_claims(config, 0, &years, |k, t| (k == i).then(|| moved(t)))?;
            for &(_, t, x) in own.iter().flatten() {
                out[t] += x;
            }
        }
        let drawn = self.shock_hits(seed, &run.events, config.simulation.code_path);
        self.replay_shocks(seed, i, &run.events, &drawn, |_, t, x| {
            out[t] = out[t].saturating_add(x)
        });
        Ok(out)
    }
}
