//! The portfolio run, shard by shard: per-policy event streams, the copula reorder and
//! systemic events over a range of blocks of years, and the per-policy payments in the
//! range's candidate tail years (see the module documentation). A whole run is one part,
//! merged ([`super::shard`]).

use super::batches::{BLOCK, block_ranges, blocks, mean_batch_size, reorder_blocks};
use super::cents::to_cents;
use super::layout::{Layout, permute};
use super::shard::{PolicyPart, PortfolioPart};
use super::{Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};
use crate::perils::Peril;
use crate::simulation::{
    Observer, Shard, batch_rng, ceil_count, fold_indices, map_indices, shard_keep, splitmix64,
    sum_indices,
};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
use std::ops::Range;
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
                    total: 2 * n as u64,
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
        // 1. Independent per-policy streams, summed per group in integer 分 (trial t of the
        // run at t − start).
        let chunk = 64;
        let chunks = n.div_ceil(chunk);
        let layers = &self.spec.per_risk_xol;
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        let at = Layout::new(self, m, batches);
        // Sums everywhere, maxima in the occurrence range.
        let merge = |a: &mut [i64], b: &[i64]| {
            for (k, (x, &y)) in a.iter_mut().zip(b).enumerate() {
                *x = if at.occurrence.contains(&k) {
                    (*x).max(y)
                } else {
                    x.saturating_add(y)
                };
            }
        };
        let mut cents = fold_indices(
            chunks,
            at.len,
            threads,
            &|c, acc| {
                let last = ((c + 1) * chunk).min(n);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                for i in c * chunk..last {
                    let base = self.row_of(i) * m;
                    self.event_years(seed, i, start..end, |t, j| {
                        let x = self.payment(seed, i, j, t);
                        let add = |slot: &mut i64, x: i64| *slot = slot.saturating_add(x);
                        add(&mut acc[base + t - start], x);
                        let top = &mut acc[at.occurrence.start + base + t - start];
                        *top = (*top).max(x);
                        add(&mut acc[at.perils[i] + j], x);
                        add(&mut acc[at.batch_sums + i * batches + t / batch], x);
                        if !layers.is_empty() {
                            let y = x as f64 / 100.0;
                            let ceded =
                                to_cents(layers.iter().map(|l| l.annual_cap(l.ceded(y))).sum());
                            add(&mut acc[at.ceded + i], ceded);
                            add(&mut acc[at.ceded_by_group + base + t - start], ceded);
                        }
                    });
                }
                tick(last - c * chunk);
            },
            &merge,
        )?;
        cancelled()?;
        let mut batch_sums = cents.split_off(at.batch_sums);
        let ceded_totals = cents.split_off(at.ceded);
        let peril_totals = cents.split_off(at.perils.first().copied().unwrap_or(at.ceded));
        let mut occurrence = cents.split_off(at.occurrence.start);
        let mut ceded_by_group = cents.split_off(g * m);
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
        let mut shocks = sum_indices(chunks, m + events.len(), threads, &|c, acc| {
            for i in c * chunk..((c + 1) * chunk).min(n) {
                self.replay_shocks(seed, i, &events, |e, t, x| {
                    acc[t - start] = acc[t - start].saturating_add(x);
                    acc[m + e] = acc[m + e].saturating_add(x);
                });
            }
        })?;
        // The year's largest occurrence: its largest peril payment or systemic event.
        let mut largest: Vec<i64> = (0..m)
            .map(|t| (0..g).fold(0, |x, gi| x.max(occurrence[gi * m + t])))
            .collect();
        for (&(t, ..), &x) in events.iter().zip(&shocks.split_off(m)) {
            largest[t - start] = largest[t - start].max(x);
        }
        let sum_groups = |v: &[i64], t: usize, init: i64| {
            (0..g).fold(init, |s, gi| s.saturating_add(v[gi * m + t]))
        };
        let totals: Vec<i64> = (0..m).map(|t| sum_groups(&cents, t, shocks[t])).collect();
        let per_risk: Vec<i64> = if ceded_by_group.is_empty() {
            Vec::new()
        } else {
            (0..m).map(|t| sum_groups(&ceded_by_group, t, 0)).collect()
        };
        // 4. The candidate tail years: the range's largest totals (ties by trial order), as
        // many as its share of the run's k tail years plus a margin (`shard_keep`; all k for
        // a whole run). The merge checks that the run's tail years in the range are among them.
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let candidates = (shard_keep(k as u64, m as f64 / trials as f64) as usize).min(m);
        let mut order: Vec<usize> = (0..m).collect();
        order.sort_by(|&a, &b| totals[b].cmp(&totals[a]).then(a.cmp(&b)));
        let mut candidate = vec![false; m];
        for &t in &order[..candidates] {
            candidate[t] = true;
        }
        // 5. Per-policy replay: systemic hits into the batch sums, and the policy's payments
        // in candidate years. Only the event years are revisited, and a payment is
        // regenerated only when its year is a candidate.
        let policies = map_indices(n, threads, &|i| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let mut sums = vec![0i64; batches];
            let mut tail = Vec::new();
            let mut shock_sum = 0i64;
            let perm = perms.as_ref().map(|p| &p[self.group_of[i]]);
            self.event_years(seed, i, start..end, |t, j| {
                let moved = perm.map_or(t - start, |p| p[t - start] as usize);
                if candidate[moved] {
                    tail.push(((moved + start) as u32, self.payment(seed, i, j, t)));
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

    /// Calls `visit(trial, peril)` for every event year in `trials` (whole blocks) of each of
    /// policy `i`'s perils, block by block, in trial order per peril within a block. Each
    /// (peril, block) has its own stream, jumping with geometric gaps
    /// G = ⌊ln U / ln(1 − q)⌋, U ∈ (0, 1], from the block's first year.
    pub(super) fn event_years(
        &self,
        seed: u64,
        i: usize,
        trials: Range<usize>,
        mut visit: impl FnMut(usize, usize),
    ) {
        let policy = &self.spec.policies[i];
        let key = self.keys[i];
        for (b, years) in block_ranges(trials) {
            for (j, peril) in policy.perils.iter().enumerate() {
                let q = peril.event_probability();
                if q.is_nan() || q <= 0.0 {
                    continue;
                }
                let mut rng = batch_rng(seed ^ key, (j as u64) << 40 | b as u64);
                let log_miss = (-q).ln_1p();
                let mut t = years.start;
                loop {
                    if q < 1.0 {
                        let u = 1.0 - rng.random::<f64>();
                        // ≥ 0, so truncation is the floor.
                        let gap = u.ln() / log_miss;
                        if gap >= (years.end - t) as f64 {
                            break;
                        }
                        t += gap as usize;
                    }
                    if t >= years.end {
                        break;
                    }
                    visit(t, j);
                    t += 1;
                }
            }
        }
    }

    /// Payment (分) of policy `i`'s peril `j` in event year `t`: drawn from a generator of
    /// its own, a pure function of (seed, policy id, j, t), so any event can be regenerated
    /// alone.
    ///
    /// The generator is SplitMix64 started at a mix of the four (cheap to set up for one
    /// event, and statistically sound for the few dozen draws one event uses).
    #[inline]
    pub(super) fn payment(&self, seed: u64, i: usize, j: usize, t: usize) -> i64 {
        let policy = &self.spec.policies[i];
        let key = self.keys[i] ^ STREAM_PAYMENTS;
        let start = splitmix64(splitmix64(seed ^ key) ^ (((j as u64) << 32) | t as u64));
        let mut rng = SplitMix64::seed_from_u64(start);
        to_cents(policy.perils[j].sample_given_event(&mut rng))
    }
}

const STREAM_COPULA: u64 = u64::MAX;
const STREAM_PAYMENTS: u64 = 0x9E37_79B9_7F4A_7C15;
