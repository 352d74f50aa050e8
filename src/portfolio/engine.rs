//! The portfolio run: per-policy event streams, the copula reorder, systemic events, the
//! tail and the per-policy replay for co-TVaR (see the module documentation).

use super::batches::{BLOCK, BatchErrors, blocks, mean_batch_size, reorder_blocks};
use super::cents::{MAX_CENTS, check_cents, to_cents};
use super::layout::{Layout, permute};
use super::{PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use crate::error::{Error, Result};

use crate::perils::Peril;

use crate::simulation::{
    Observer, SimulatedLosses, batch_rng, ceil_count, fold_indices, map_indices, splitmix64,
    sum_indices,
};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
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
        let trials = config.trials();
        let n = self.spec.policies.len();
        let g = self.groups.len();
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
        // 1. Independent per-policy streams, summed per group in integer 分.
        let chunk = 64;
        let chunks = n.div_ceil(chunk);
        let layers = &self.spec.per_risk_xol;
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        let at = Layout::new(self, trials, batches);
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
            config.simulation.threads,
            &|c, acc| {
                let end = ((c + 1) * chunk).min(n);
                if stop.load(Ordering::Relaxed) {
                    return;
                }
                for i in c * chunk..end {
                    let base = self.group_of[i] * trials;
                    self.event_years(config.simulation.seed, i, trials, |t, j| {
                        let x = self.payment(config.simulation.seed, i, j, t);
                        let add = |slot: &mut i64, x: i64| *slot = slot.saturating_add(x);
                        add(&mut acc[base + t], x);
                        let top = &mut acc[at.occurrence.start + base + t];
                        *top = (*top).max(x);
                        add(&mut acc[at.perils[i] + j], x);
                        add(&mut acc[at.batch_sums + i * batches + t / batch], x);
                        if !layers.is_empty() {
                            let y = x as f64 / 100.0;
                            let ceded =
                                to_cents(layers.iter().map(|l| l.annual_cap(l.ceded(y))).sum());
                            add(&mut acc[at.ceded + i], ceded);
                            add(&mut acc[at.ceded_by_group + base + t], ceded);
                        }
                    });
                }
                tick(end - c * chunk);
            },
            &merge,
        )?;
        cancelled()?;
        let batch_sums = cents.split_off(at.batch_sums);
        let ceded_totals = cents.split_off(at.ceded);
        let peril_totals = cents.split_off(at.perils.first().copied().unwrap_or(at.ceded));
        let mut occurrence = cents.split_off(at.occurrence.start);
        let mut ceded_by_group = cents.split_off(g * trials);
        let mut by_group: Vec<Vec<f64>> = cents
            .chunks(trials)
            .map(|c| c.iter().map(|&x| x as f64 / 100.0).collect())
            .collect();
        // 2. Dependence by rank reordering (integer 分 reorder with their groups).
        let perms = match &self.spec.dependence {
            Some(d) => {
                let perms = reorder_blocks(
                    &mut by_group,
                    &d.copula,
                    config.simulation.seed,
                    STREAM_COPULA,
                    config.simulation.threads,
                )?;
                for (gi, perm) in perms.iter().enumerate() {
                    permute(&mut cents[gi * trials..(gi + 1) * trials], perm);
                    permute(&mut occurrence[gi * trials..(gi + 1) * trials], perm);
                    if !ceded_by_group.is_empty() {
                        permute(&mut ceded_by_group[gi * trials..(gi + 1) * trials], perm);
                    }
                }
                Some(perms)
            }
            None => None,
        };
        // 3. Systemic events, policy by policy (stable streams), summed in 分.
        let events = self.shock_events(config.simulation.seed, trials);
        // Per trial, then per event (an event's total is one occurrence).
        let mut shock_cents = sum_indices(
            chunks,
            trials + events.len(),
            config.simulation.threads,
            &|c, acc| {
                for i in c * chunk..((c + 1) * chunk).min(n) {
                    self.replay_shocks(config.simulation.seed, i, &events, |e, t, x| {
                        acc[t] = acc[t].saturating_add(x);
                        acc[trials + e] = acc[trials + e].saturating_add(x);
                    });
                }
            },
        )?;
        // The year's largest occurrence: its largest peril payment or systemic event.
        let mut largest: Vec<i64> = (0..trials)
            .map(|t| (0..g).fold(0, |m, gi| m.max(occurrence[gi * trials + t])))
            .collect();
        for (&(t, ..), &x) in events.iter().zip(&shock_cents.split_off(trials)) {
            largest[t] = largest[t].max(x);
        }
        let occurrences: Vec<f64> = largest.iter().map(|&c| c as f64 / 100.0).collect();
        // 4. Portfolio totals and the tail set.
        let total_cents: Vec<i64> = (0..trials)
            .map(|t| {
                (0..g).fold(shock_cents[t], |s, gi| {
                    s.saturating_add(cents[gi * trials + t])
                })
            })
            .collect();
        check_cents(&total_cents, MAX_CENTS)?;
        check_cents(&peril_totals, i64::MAX)?;
        check_cents(&ceded_totals, i64::MAX)?;
        let per_risk_recoveries: Vec<f64> = if ceded_by_group.is_empty() {
            Vec::new()
        } else {
            (0..trials)
                .map(|t| {
                    let c = (0..g).fold(0i64, |s, gi| {
                        s.saturating_add(ceded_by_group[gi * trials + t])
                    });
                    c as f64 / 100.0
                })
                .collect()
        };
        // The (1 − α)·n largest years, counted as SimulatedLosses counts them (n − ⌈αn⌉).
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let mut order: Vec<usize> = (0..trials).collect();
        order.sort_by(|&a, &b| total_cents[b].cmp(&total_cents[a]).then(a.cmp(&b)));
        let mut tail = vec![false; trials];
        for &t in &order[..k] {
            tail[t] = true;
        }
        let tail_cents: i128 = order[..k].iter().map(|&t| i128::from(total_cents[t])).sum();
        let var_cents = total_cents[order[k - 1]];
        let mut tail_per_block = vec![0i128; blocks(trials)];
        for &t in &order[..k] {
            tail_per_block[t / BLOCK] += 1;
        }
        let errors = BatchErrors {
            trials,
            tail: k,
            level: config.tvar_level,
            var_over_tvar: var_cents as f64 * k as f64 / tail_cents.max(1) as f64,
            tail_per_block: &tail_per_block,
        };
        // 5. Per-policy replay: mean and co-TVaR, with their batch-means standard errors.
        // Only the event years are revisited, and a payment is regenerated only when its
        // year is in the tail.
        let policies = map_indices(n, config.simulation.threads, &|i| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let own =
                &peril_totals[at.perils[i] - at.perils[0]..][..self.spec.policies[i].perils.len()];
            let mut sums: Vec<i128> = batch_sums[i * batches..(i + 1) * batches]
                .iter()
                .map(|&c| i128::from(c))
                .collect();
            let mut in_tail = vec![0i128; tail_per_block.len()];
            let mut shock_sum = 0i128;
            let perm = perms.as_ref().map(|p| &p[self.group_of[i]]);
            self.event_years(config.simulation.seed, i, trials, |t, j| {
                let moved = perm.map_or(t, |p| p[t] as usize);
                if tail[moved] {
                    in_tail[moved / BLOCK] +=
                        i128::from(self.payment(config.simulation.seed, i, j, t));
                }
            });
            self.replay_shocks(config.simulation.seed, i, &events, |_, t, x| {
                shock_sum += i128::from(x);
                sums[t / batch] += i128::from(x);
                if tail[t] {
                    in_tail[t / BLOCK] += i128::from(x);
                }
            });
            tick(1);
            let per_year = |c: i128| c as f64 / 100.0 / trials as f64;
            let sum = own.iter().map(|&c| i128::from(c)).sum::<i128>() + shock_sum;
            let (mean_std_error, allocated_tvar_std_error) = errors.of(&sums, &in_tail);
            Some(PolicyResult {
                id: self.spec.policies[i].id.clone(),
                mean: per_year(sum),
                mean_std_error,
                peril_means: own.iter().map(|&c| per_year(i128::from(c))).collect(),
                shock_mean: per_year(shock_sum),
                per_risk_ceded: per_year(i128::from(ceded_totals[i])),
                allocated_tvar: in_tail.iter().sum::<i128>() as f64 / 100.0 / k as f64,
                allocated_tvar_std_error,
            })
        })?;
        cancelled()?;
        let policies: Vec<PolicyResult> = policies.into_iter().flatten().collect();
        let totals: Vec<f64> = total_cents.iter().map(|&c| c as f64 / 100.0).collect();
        let shocks: Vec<f64> = shock_cents.iter().map(|&c| c as f64 / 100.0).collect();
        let groups = self
            .groups
            .iter()
            .zip(&by_group)
            .map(|(name, v)| (name.clone(), v.clone()))
            .collect();
        Ok(PortfolioRun {
            // The policies' mean batches, for the jackknife of the standard deviation.
            losses: SimulatedLosses::from_values(&totals, batch),
            totals,
            per_risk_recoveries,
            occurrences,
            groups,
            shocks,
            tvar_level: config.tvar_level,
            tail_trials: k,
            tvar: tail_cents as f64 / 100.0 / k as f64,
            policies,
            permutations: perms,
            events,
        })
    }

    /// Calls `visit(trial, peril)` for every event year of each of policy `i`'s perils, in
    /// trial order per peril. The years come from the peril's own stream, jumping with
    /// geometric gaps G = ⌊ln U / ln(1 − q)⌋, U ∈ (0, 1].
    pub(super) fn event_years(
        &self,
        seed: u64,
        i: usize,
        trials: usize,
        mut visit: impl FnMut(usize, usize),
    ) {
        let policy = &self.spec.policies[i];
        let key = self.keys[i];
        for (j, peril) in policy.perils.iter().enumerate() {
            let q = peril.event_probability();
            if q.is_nan() || q <= 0.0 {
                continue;
            }
            let mut rng = batch_rng(seed ^ key, j as u64);
            let log_miss = (-q).ln_1p();
            let mut t = 0usize;
            loop {
                if q < 1.0 {
                    let u = 1.0 - rng.random::<f64>();
                    // ≥ 0, so truncation is the floor.
                    let gap = u.ln() / log_miss;
                    if gap >= (trials - t) as f64 {
                        break;
                    }
                    t += gap as usize;
                }
                if t >= trials {
                    break;
                }
                visit(t, j);
                t += 1;
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
