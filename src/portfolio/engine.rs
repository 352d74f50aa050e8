//! The portfolio run, shard by shard: block by block the superposed claims and the other
//! perils' event streams, then the copula reorder and systemic events over a range of blocks
//! of years, and the per-policy payments in the range's candidate tail years (see the module
//! documentation). A whole run is one part, merged ([`super::shard`]).

use super::batches::{BLOCK, blocks, mean_batch_size, reorder_blocks};
use super::cents::{cents_at_or_below, largest_first, to_cents};
use super::layout::{BlockRows, Layout, permute};
use super::shard::{PolicyPart, PortfolioPart};
use super::superposition::Engine;
use super::{Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};
use crate::simulation::{Observer, Shard, ceil_count, map_indices, shard_keep, sum_indices};
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

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
        let part = self.simulate_part(config, 0..blocks(config.trials()), observer)?;
        self.merge_parts(config, vec![part], None)
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
        let mut part = self.simulate_part(config, blocks, observer)?;
        part.set_digest(self.run_digest(config)?);
        Ok(part)
    }

    /// [`simulate_blocks`](Self::simulate_blocks) without the digest.
    pub(super) fn simulate_part(
        &self,
        config: &PortfolioConfig,
        blocks: Range<usize>,
        observer: Option<Observer>,
    ) -> Result<PortfolioPart> {
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
        let mut share = config.clone();
        share.simulation.trials = ((blocks.len() * BLOCK).min(trials)) as u64;
        self.check_budget(&share)?;
        let (start, end) = (blocks.start * BLOCK, (blocks.end * BLOCK).min(trials));
        let m = end - start;
        let seed = config.simulation.seed;
        let threads = config.simulation.threads;
        let n = self.spec.policies.len();
        // Rows of per-year sums: one per group when a copula reorders the groups, else one
        // for the whole book (independent groups need not be kept apart).
        let g = self.rows();
        let done = AtomicUsize::new(0);
        let stop = AtomicBool::new(false);
        let tick = |k: usize| {
            if let Some(o) = observer {
                let d = done.fetch_add(k, Ordering::Relaxed) + k;
                let progress = crate::simulation::Progress {
                    stage: "policies",
                    done: d as u64,
                    total: (blocks.len() + n) as u64,
                };
                if o(progress).is_break() {
                    stop.store(true, Ordering::Relaxed);
                }
            }
        };
        let cancelled = || -> Result<()> {
            if stop.load(Ordering::Relaxed) {
                Err(Error::Cancelled { stage: "policies" })
            } else {
                Ok(())
            }
        };
        // 1. Block by block, in parallel: the superposed claims year by year, then every
        // other peril's event years; per year and row in the block's own rows, per policy in
        // the worker's accumulator (integer 分: exact, order-free sums).
        let layers = &self.spec.per_risk_xol;
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        let at = Layout::new(self, batches);
        let engine = config.engine;
        // The largest payment (分) at or below every attachment of the per-risk treaty: it
        // cedes nothing (exactly 0).
        let below = cents_at_or_below(
            layers
                .iter()
                .fold(f64::INFINITY, |a, l| a.min(l.attachment())),
        );
        // The range's rows (row r at r × m), each block writing its own years in place.
        let mut cents = vec![0i64; g * m];
        let mut occurrence = vec![0i64; g * m];
        let mut ceded_by_group = vec![0i64; if layers.is_empty() { 0 } else { g * m }];
        let shares = BlockRows::split((&mut cents, &mut occurrence, &mut ceded_by_group), g, BLOCK);
        let shares: Vec<_> = shares.into_iter().map(|b| Mutex::new(Some(b))).collect();
        let sums = sum_indices(blocks.len(), at.len, threads, &|bi, acc| {
            if stop.load(Ordering::Relaxed) {
                return;
            }
            let b = blocks.start + bi;
            let years = b * BLOCK..((b + 1) * BLOCK).min(trials);
            let taken = shares[bi].lock().map(|mut b| b.take());
            let Ok(Some(mut block)) = taken else { return };
            let add = |slot: &mut i64, x: i64| *slot = slot.saturating_add(x);
            // Each year's mean batch (< 33), looked up rather than divided per payment.
            let mut batch_of = [0u8; BLOCK];
            for (y, t) in years.clone().enumerate() {
                batch_of[y] = (t / batch) as u8;
            }
            let copula = self.spec.dependence.is_some();
            let superposed = engine == Engine::Superposition && !self.superposition.is_empty();
            // One row and no treaty: a year's superposed payments summed in registers (the
            // superposed claims come first, so the block's rows are still 0).
            let plain = !copula && layers.is_empty();
            if superposed && plain {
                for (y, t) in years.clone().enumerate() {
                    let sums = &mut acc[usize::from(batch_of[y]) * at.count..][..at.count];
                    let (mut total, mut top) = (0i64, 0i64);
                    self.superposition.year(seed, t, |_, p, x| {
                        add(&mut sums[p], x);
                        total = total.saturating_add(x);
                        top = top.max(x);
                    });
                    (block.sums[0][y], block.largest[0][y]) = (total, top);
                }
            }
            let mut pay = |i: usize, p: usize, t: usize, x: i64| {
                let y = t - years.start;
                let r = if copula { self.group_of[i] } else { 0 };
                add(&mut block.sums[r][y], x);
                block.largest[r][y] = block.largest[r][y].max(x);
                add(&mut acc[usize::from(batch_of[y]) * at.count + p], x);
                if x > below {
                    let paid = x as f64 / 100.0;
                    let ceded = to_cents(layers.iter().map(|l| l.annual_cap(l.ceded(paid))).sum());
                    add(&mut acc[at.ceded + i], ceded);
                    add(&mut block.ceded[r][y], ceded);
                }
            };
            if superposed && !plain {
                for t in years.clone() {
                    (self.superposition).year(seed, t, |i, p, x| pay(i, p, t, x));
                }
            }
            for i in 0..n {
                self.event_years(seed, i, years.clone(), engine, |t, j, e| {
                    self.claims(i, j, e, |x| pay(i, at.perils[i] + j, t, x));
                });
            }
            tick(1);
        })?;
        cancelled()?;
        // Every block ran (a block left untaken would be a cancelled run).
        if shares
            .iter()
            .any(|b| b.lock().map_or(true, |b| b.is_some()))
        {
            return Err(Error::Cancelled { stage: "policies" });
        }
        drop(shares);
        let (peril_totals, mut batch_sums) = at.totals(&sums, batches);
        let ceded_totals = sums[at.ceded..].to_vec();
        // 2. Dependence by rank reordering, block by block (integer 分 reorder with their
        // groups).
        let perms = match &self.spec.dependence {
            Some(d) => {
                let mut by_group: Vec<Vec<f64>> = cents
                    .chunks(m)
                    .map(|c| c.iter().map(|&x| x as f64 / 100.0).collect())
                    .collect();
                let stream = (seed, STREAM_COPULA, blocks.start);
                let perms = reorder_blocks(&mut by_group, &d.copula, stream, threads)?;
                for (gi, perm) in perms.iter().enumerate() {
                    permute(&mut cents[gi * m..(gi + 1) * m], perm);
                    permute(&mut occurrence[gi * m..(gi + 1) * m], perm);
                    if !ceded_by_group.is_empty() {
                        permute(&mut ceded_by_group[gi * m..(gi + 1) * m], perm);
                    }
                }
                Some(perms)
            }
            None => None,
        };
        // 3. Systemic events, policy by policy (stable streams), summed in 分 per trial, then
        // per event (an event's total is one occurrence).
        let events = self.shock_events(seed, start..end);
        let chunk = 64;
        let chunks = n.div_ceil(chunk);
        let by_event = sum_indices(chunks, events.len(), threads, &|c, acc| {
            for i in c * chunk..((c + 1) * chunk).min(n) {
                self.replay_shocks(seed, i, &events, |e, _, x| {
                    acc[e] = acc[e].saturating_add(x);
                });
            }
        })?;
        // The year's largest occurrence: its largest peril payment or systemic event.
        // (One row: the row is the year's figure, taken as it is.)
        let mut largest: Vec<i64> = if g == 1 {
            occurrence
        } else {
            (0..m)
                .map(|t| (0..g).fold(0, |x, gi| x.max(occurrence[gi * m + t])))
                .collect()
        };
        let mut shocks = vec![0i64; m];
        for (&(t, ..), &x) in events.iter().zip(&by_event) {
            largest[t - start] = largest[t - start].max(x);
            shocks[t - start] = shocks[t - start].saturating_add(x);
        }
        let sum_groups = |v: &[i64], t: usize, init: i64| {
            (0..g).fold(init, |s, gi| s.saturating_add(v[gi * m + t]))
        };
        let totals: Vec<i64> = if g == 1 && perms.is_none() {
            let mut totals = std::mem::take(&mut cents);
            for (x, &s) in totals.iter_mut().zip(&shocks) {
                *x = x.saturating_add(s);
            }
            totals
        } else {
            (0..m).map(|t| sum_groups(&cents, t, shocks[t])).collect()
        };
        let per_risk: Vec<i64> = if g == 1 {
            ceded_by_group
        } else if ceded_by_group.is_empty() {
            Vec::new()
        } else {
            (0..m).map(|t| sum_groups(&ceded_by_group, t, 0)).collect()
        };
        // 4. The candidate tail years: the range's largest totals (ties by trial order), as
        // many as its share of the run's k tail years plus a margin (`shard_keep`; all k for
        // a whole run). The merge checks that the run's tail years in the range are among them.
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let candidates = (shard_keep(k as u64, m as f64 / trials as f64) as usize).min(m);
        let mut candidate = vec![false; m];
        for t in largest_first(&totals, candidates) {
            candidate[t] = true;
        }
        // 5. Replay: the superposed claims of the years that move into a candidate year;
        // per policy, its own streams' event years (a payment regenerated only when its
        // year is a candidate) and its systemic hits (into the batch sums too).
        let superposed = self.superposed_tails(config, start, &candidate, perms.as_ref())?;
        // Per row, the years (trials of the run, ascending) that move into a candidate year:
        // the only ones a frequent peril's replay looks at.
        let frequent_years: Vec<Vec<usize>> = (0..g)
            .map(|r| {
                let moved = |t: usize| perms.as_ref().map_or(t, |p| p[r][t] as usize);
                (0..m)
                    .filter(|&t| candidate[moved(t)])
                    .map(|t| t + start)
                    .collect()
            })
            .collect();
        let policies = map_indices(n, threads, &|i| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let mut sums = vec![0i64; batches];
            let mut tail = superposed[i].clone();
            let mut shock_sum = 0i64;
            let perm = perms.as_ref().map(|p| &p[self.group_of[i]]);
            let row = if perms.is_some() { self.group_of[i] } else { 0 };
            let years = Some(&frequent_years[row][..]);
            self.event_years_at(seed, i, start..end, engine, years, |t, j, e| {
                let moved = perm.map_or(t - start, |p| p[t - start] as usize);
                if candidate[moved] {
                    tail.push(((moved + start) as u32, self.payment(i, j, e)));
                }
            });
            self.replay_shocks(seed, i, &events, |_, t, x| {
                shock_sum = shock_sum.saturating_add(x);
                sums[t / batch] = sums[t / batch].saturating_add(x);
                if candidate[t - start] {
                    tail.push((t as u32, x));
                }
            });
            tick(1);
            Some((sums, PolicyPart { shock_sum, tail }))
        })?;
        cancelled()?;
        // The systemic hits join the policies' batch sums; the part keeps the sums once.
        let policies: Vec<PolicyPart> = policies
            .into_iter()
            .flatten()
            .enumerate()
            .map(|(i, (sums, part))| {
                let own = &mut batch_sums[i * batches..(i + 1) * batches];
                for (x, y) in own.iter_mut().zip(sums) {
                    *x = x.saturating_add(y);
                }
                part
            })
            .collect();
        let groups = (0..g * usize::from(perms.is_some()))
            .map(|gi| cents[gi * m..(gi + 1) * m].to_vec())
            .collect();
        Ok(PortfolioPart::new(
            config,
            blocks,
            (totals, largest, shocks, per_risk, groups),
            perms,
            events,
            (peril_totals, ceded_totals, batch_sums),
            (candidates, policies),
        ))
    }
}

const STREAM_COPULA: u64 = u64::MAX;
