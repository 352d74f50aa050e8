//! The portfolio run: per-policy event streams, the copula reorder, systemic events, the
//! tail and the per-policy replay for co-TVaR (see the module documentation).

use super::cents::{MAX_CENTS, check_cents, to_cents};
use super::{MODEL, PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use crate::dependence::reorder;
use crate::error::{Error, Result};
use crate::frequency::{Frequency, Poisson};
use crate::perils::Peril;
use crate::severity::Severity;
use crate::simulation::{
    Observer, SimulatedLosses, batch_rng, ceil_count, map_indices, splitmix64, sum_indices,
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
        // Layout: g·trials group sums, then one total per peril of each policy.
        let offsets: Vec<usize> = self
            .spec
            .policies
            .iter()
            .scan(g * trials, |o, p| {
                let start = *o;
                *o += p.perils.len();
                Some(start)
            })
            .collect();
        let ceded_base = offsets
            .last()
            .map_or(g * trials, |o| o + self.spec.policies[n - 1].perils.len());
        let layers = &self.spec.per_risk_xol;
        let mut cents = sum_indices(
            chunks,
            ceded_base + n,
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
                        acc[base + t] = acc[base + t].saturating_add(x);
                        acc[offsets[i] + j] = acc[offsets[i] + j].saturating_add(x);
                        if !layers.is_empty() {
                            let y = x as f64 / 100.0;
                            let ceded: f64 = layers.iter().map(|l| l.annual_cap(l.ceded(y))).sum();
                            acc[ceded_base + i] =
                                acc[ceded_base + i].saturating_add(to_cents(ceded));
                        }
                    });
                }
                tick(end - c * chunk);
            },
        )?;
        cancelled()?;
        let ceded_totals = cents.split_off(ceded_base);
        let peril_totals = cents.split_off(g * trials);
        let mut by_group: Vec<Vec<f64>> = cents
            .chunks(trials)
            .map(|c| c.iter().map(|&x| x as f64 / 100.0).collect())
            .collect();
        // 2. Dependence by rank reordering (integer 分 reorder with their groups).
        let perms = match &self.spec.dependence {
            Some(d) => {
                let mut rng = batch_rng(config.simulation.seed, STREAM_COPULA);
                let perms = reorder(&mut by_group, &d.copula, &mut rng)?;
                for (gi, perm) in perms.iter().enumerate() {
                    let old = cents[gi * trials..(gi + 1) * trials].to_vec();
                    for (t, &p) in perm.iter().enumerate() {
                        cents[gi * trials + p as usize] = old[t];
                    }
                }
                Some(perms)
            }
            None => None,
        };
        // 3. Systemic events, policy by policy (stable streams), summed in 分.
        let events = self.shock_events(config.simulation.seed, trials);
        let shock_cents = sum_indices(chunks, trials, config.simulation.threads, &|c, acc| {
            for i in c * chunk..((c + 1) * chunk).min(n) {
                self.replay_shocks(config.simulation.seed, i, &events, |t, x| {
                    acc[t] = acc[t].saturating_add(x)
                });
            }
        })?;
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
        // The (1 − α)·n largest years, counted as SimulatedLosses counts them (n − ⌈αn⌉).
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let mut order: Vec<usize> = (0..trials).collect();
        order.sort_by(|&a, &b| total_cents[b].cmp(&total_cents[a]).then(a.cmp(&b)));
        let mut tail = vec![false; trials];
        for &t in &order[..k] {
            tail[t] = true;
        }
        let tail_cents: i128 = order[..k].iter().map(|&t| i128::from(total_cents[t])).sum();
        // 5. Per-policy replay: mean and co-TVaR.
        // Only the event years are revisited, and a payment is regenerated only when its
        // year is in the tail.
        let policies = map_indices(n, config.simulation.threads, &|i| {
            if stop.load(Ordering::Relaxed) {
                return None;
            }
            let own =
                &peril_totals[offsets[i] - g * trials..][..self.spec.policies[i].perils.len()];
            let (mut shock_sum, mut in_tail) = (0i128, 0i128);
            let perm = perms.as_ref().map(|p| &p[self.group_of[i]]);
            self.event_years(config.simulation.seed, i, trials, |t, j| {
                if tail[perm.map_or(t, |p| p[t] as usize)] {
                    in_tail += i128::from(self.payment(config.simulation.seed, i, j, t));
                }
            });
            self.replay_shocks(config.simulation.seed, i, &events, |t, x| {
                shock_sum += i128::from(x);
                if tail[t] {
                    in_tail += i128::from(x);
                }
            });
            tick(1);
            let per_year = |c: i128| c as f64 / 100.0 / trials as f64;
            let sum = own.iter().map(|&c| i128::from(c)).sum::<i128>() + shock_sum;
            Some(PolicyResult {
                id: self.spec.policies[i].id.clone(),
                mean: per_year(sum),
                peril_means: own.iter().map(|&c| per_year(i128::from(c))).collect(),
                shock_mean: per_year(shock_sum),
                per_risk_ceded: per_year(i128::from(ceded_totals[i])),
                allocated_tvar: in_tail as f64 / 100.0 / k as f64,
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
            losses: SimulatedLosses::from_values(&totals, 16_384),
            totals,
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
        self.event_years(config.simulation.seed, i, trials, |t, j| {
            out[perm.map_or(t, |p| p[t] as usize)] += self.payment(config.simulation.seed, i, j, t);
        });
        self.replay_shocks(config.simulation.seed, i, &run.events, |t, x| {
            out[t] = out[t].saturating_add(x)
        });
        Ok(out)
    }

    /// Calls `visit(trial, peril)` for every event year of each of policy `i`'s perils, in
    /// trial order per peril. The years come from the peril's own stream, jumping with
    /// geometric gaps G = ⌊ln U / ln(1 − q)⌋, U ∈ (0, 1].
    fn event_years(&self, seed: u64, i: usize, trials: usize, mut visit: impl FnMut(usize, usize)) {
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
    fn payment(&self, seed: u64, i: usize, j: usize, t: usize) -> i64 {
        let policy = &self.spec.policies[i];
        let key = self.keys[i] ^ STREAM_PAYMENTS;
        let start = splitmix64(splitmix64(seed ^ key) ^ (((j as u64) << 32) | t as u64));
        let mut rng = SplitMix64::seed_from_u64(start);
        to_cents(policy.perils[j].sample_given_event(&mut rng))
    }

    /// The systemic events of the run: (trial, shock, intensity) in trial order.
    fn shock_events(&self, seed: u64, trials: usize) -> Vec<(usize, usize, f64)> {
        let mut events = Vec::new();
        for (s, shock) in self.spec.shocks.iter().enumerate() {
            if shock.annual_rate <= 0.0 {
                continue;
            }
            let mut rng = batch_rng(seed, STREAM_SHOCKS + s as u64);
            let Ok(count) = Poisson::new(shock.annual_rate) else {
                continue;
            };
            let intensity = (shock.intensity_cv > 0.0)
                .then(|| {
                    let shape = 1.0 / (shock.intensity_cv * shock.intensity_cv);
                    rand_distr::Gamma::new(shape, 1.0 / shape).ok()
                })
                .flatten();
            for t in 0..trials {
                for _ in 0..count.sample(&mut rng) {
                    let z = intensity
                        .as_ref()
                        .map_or(1.0, |d| rand_distr::Distribution::sample(d, &mut rng));
                    events.push((t, s, z));
                }
            }
        }
        events.sort_by_key(|&(t, s, _)| (t, s));
        events
    }

    /// Calls `add(trial, payment in 分)` for every systemic event that hits policy `i`: only
    /// a policy with cyber cover is exposed, and a hit's loss passes through the shock's own
    /// (scenario) terms and then the policy's first-party cyber terms.
    fn replay_shocks(
        &self,
        seed: u64,
        i: usize,
        events: &[(usize, usize, f64)],
        mut add: impl FnMut(usize, i64),
    ) {
        let Some(own) = self.shock_terms[i] else {
            return;
        };
        if events.is_empty() {
            return;
        }
        let policy = &self.spec.policies[i];
        let mut rng = batch_rng(seed ^ self.keys[i], STREAM_POLICY_SHOCKS);
        for &(t, s, z) in events {
            let shock = &self.spec.shocks[s];
            let p = (shock.hit(&policy.sector) * z).min(1.0);
            let u = rng.random::<f64>();
            if u < p {
                let loss = shock.terms.apply(shock.loss.sample(&mut rng));
                add(t, to_cents(own.apply(loss)));
            }
        }
    }
}

const STREAM_COPULA: u64 = u64::MAX;
const STREAM_SHOCKS: u64 = 1 << 62;
const STREAM_POLICY_SHOCKS: u64 = 1 << 61;
const STREAM_PAYMENTS: u64 = 0x9E37_79B9_7F4A_7C15;
