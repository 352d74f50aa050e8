//! The portfolio run, shard by shard: block by block the superposed claims and the other
//! perils' event streams, then the copula reorder and systemic events over a range of blocks
//! of years, and the per-policy payments in the range's candidate tail years (see the module
//! documentation). A whole run is one part, merged ([`super::shard`]).

use super::batches::{BLOCK, blocks, mean_batch_size};
use super::cents::sorted_yuan;
use super::layout::Layout;
use super::shard::PortfolioPart;
use super::stages::{Tally, years_of};
use super::{Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};
use crate::simulation::{Observer, Shard, Workers};
use std::ops::Range;

impl Portfolio {
    /// Simulates the portfolio.
    ///
    /// ```
    /// use kexian::portfolio::{Portfolio, PortfolioConfig};
    /// let portfolio: Portfolio = serde_json::from_str(r#"{"policies": [
    ///   {"id": "A", "sector": "ai", "perils": [{"peril": "compound",
    ///     "frequency": {"type": "poisson", "lambda": 0.1},
    ///     "severity": {"type": "exponential", "theta": 1000.0}}]},
    ///   {"id": "B", "sector": "ic", "perils": [{"peril": "guarantee", "loan": 1e6,
    ///     "default_probability": 0.02,
    ///     "collateral": {"type": "lognormal", "mu": 13.8, "sigma": 0.9}}]}]}"#)?;
    /// let run = portfolio.simulate(&PortfolioConfig::new(7, 10_000)?)?;
    /// let total: f64 = run.policies.iter().map(|p| p.allocated_tvar).sum();
    /// assert!((total - run.tvar).abs() <= 1e-9 * run.tvar);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate(&self, config: &PortfolioConfig) -> Result<PortfolioRun> {
        self.simulate_with_progress(config, None)
    }

    /// [`simulate`](Self::simulate), telling `observer` (from worker threads) the policies
    /// simulated and then allocated.
    pub fn simulate_with_progress(
        &self,
        config: &PortfolioConfig,
        observer: Option<Observer>,
    ) -> Result<PortfolioRun> {
        config.validate()?;
        let (part, sorted) =
            self.simulate_part(config, 0..blocks(config.trials()), observer, true)?;
        self.merge_parts(config, vec![part], None, sorted)
    }

    /// Simulates shard `shard` of the run `config`: its share of the blocks of
    /// [`BLOCK`] years, as a part [`merge`](Self::merge) combines with the
    /// others' into the single run's result, bit for bit.
    ///
    /// ```
    /// use kexian::portfolio::{Portfolio, PortfolioConfig};
    /// use kexian::simulation::Shard;
    /// let portfolio: Portfolio = serde_json::from_str(r#"{"policies": [
    ///   {"id": "A", "sector": "ai", "perils": [{"peril": "compound",
    ///     "frequency": {"type": "poisson", "lambda": 0.1},
    ///     "severity": {"type": "exponential", "theta": 1000.0}}]}]}"#)?;
    /// let config = PortfolioConfig::new(7, 10_000)?; // 5 blocks of 2,048 years
    /// let parts = (1..=2)
    ///     .map(|i| portfolio.simulate_shard(&config, Shard::new(i, 2)?, None))
    ///     .collect::<kexian::Result<Vec<_>>>()?;
    /// let merged = portfolio.merge(&config, parts)?;
    /// assert_eq!(merged, portfolio.simulate(&config)?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn simulate_shard(
        &self,
        config: &PortfolioConfig,
        shard: Shard,
        observer: Option<Observer>,
    ) -> Result<PortfolioPart> {
        config.validate()?;
        let r = shard.range(blocks(config.trials()) as u64)?;
        self.simulate_blocks(config, r.start as usize..r.end as usize, observer)
    }

    /// Simulates the blocks `blocks` of [`BLOCK`] years (a non-empty range within
    /// 0..⌈trials / BLOCK⌉) of the run `config`: a part for [`merge`](Self::merge).
    pub fn simulate_blocks(
        &self,
        config: &PortfolioConfig,
        blocks: Range<usize>,
        observer: Option<Observer>,
    ) -> Result<PortfolioPart> {
        config.validate()?;
        let (mut part, _) = self.simulate_part(config, blocks, observer, false)?;
        part.set_digest(self.run_digest(config)?);
        Ok(part)
    }

    /// [`simulate_blocks`](Self::simulate_blocks) without the digest; with `sort`, also the
    /// part's years in ascending order (元), sorted on one worker during the replay (for a
    /// whole run: its merge then has them).
    pub(super) fn simulate_part(
        &self,
        config: &PortfolioConfig,
        blocks: Range<usize>,
        observer: Option<Observer>,
        sort: bool,
    ) -> Result<(PortfolioPart, Option<Vec<f64>>)> {
        let trials = config.trials();
        let all = super::batches::blocks(trials);
        if blocks.is_empty() || blocks.end > all {
            return Err(Error::Inconsistent {
                model: super::MODEL,
                message: format!(
                    "blocks {}..{} are not a non-empty range within the run's 0..{all}",
                    blocks.start, blocks.end
                ),
            });
        }
        // This part's years (a shard's share of the run).
        let mut share = *config;
        share.simulation.trials = ((blocks.len() * BLOCK).min(trials)) as u64;
        self.check_budget(&share)?;
        let years = years_of(&blocks, trials);
        let tally = Tally::new(observer, blocks.len() + self.spec.policies.len());
        let batches = trials.div_ceil(mean_batch_size(trials));
        let at = Layout::new(self, batches);
        let (mut rows, sums) = self.block_rows(config, &blocks, &at, &tally)?;
        let (peril_totals, mut batch_sums) = at.totals(&sums, batches);
        let ceded_totals = sums[at.ceded..].to_vec();
        let perms = self.reorder_rows(config, blocks.start, &mut rows)?;
        let events = self.shock_events(config.simulation.seed, years.clone());
        let drawn = self.shock_hits(config.simulation.seed, &events, config.simulation.code_path);
        let shocks = (&events[..], &drawn);
        let year = self.year_figures(config, years.clone(), rows, perms.as_ref(), shocks)?;
        let (sorted, replayed) = Workers::new(config.simulation.threads)?.join(
            || sort.then(|| sorted_yuan(year.totals.clone())),
            || {
                self.replay_tails(
                    config,
                    years,
                    &year.totals,
                    perms.as_ref(),
                    shocks,
                    &tally,
                    &mut batch_sums,
                )
            },
        );
        let (candidates, policies) = replayed?;
        let part = PortfolioPart::new(
            config,
            blocks,
            year,
            perms,
            events,
            (peril_totals, ceded_totals, batch_sums),
            (candidates, policies),
        );
        Ok((part, sorted))
    }
}
