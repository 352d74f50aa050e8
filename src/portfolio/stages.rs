//! The stages of one part of a portfolio run ([`Portfolio::simulate_part`]): the blocks'
//! per-year rows, the copula's reorder, the years' figures with the systemic events, and
//! the replay of the candidate tail years policy by policy.

use super::batches::{BLOCK, mean_batch_size, reorder_blocks};
use super::cents::{cents_at_or_below, largest_first, to_cents};
use super::layout::{BlockRows, Layout, faulted_zeros, permute};
use super::shard::{PolicyPart, YearFigures};
use super::shock::ShockHits;
use super::streams::{YearKeys, Years};
use super::superposition::Engine;
use super::{Portfolio, PortfolioConfig};
use crate::error::{Error, Result};
use crate::simulation::{Observer, ceil_count, map_indices, shard_keep, sum_indices};
use std::mem::take;
use std::ops::Range;
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

/// A part's progress: blocks and policies done, told to the observer, which may stop it.
pub(super) struct Tally<'a> {
    observer: Option<Observer<'a>>,
    total: u64,
    done: AtomicUsize,
    stop: AtomicBool,
}

impl<'a> Tally<'a> {
    pub(super) fn new(observer: Option<Observer<'a>>, total: usize) -> Self {
        Self {
            observer,
            total: total as u64,
            done: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        }
    }

    /// `k` more done.
    fn tick(&self, k: usize) {
        if let Some(o) = self.observer {
            let d = self.done.fetch_add(k, Ordering::Relaxed) + k;
            let progress = crate::simulation::Progress {
                stage: "policies",
                done: d as u64,
                total: self.total,
            };
            if o(progress).is_break() {
                self.stop.store(true, Ordering::Relaxed);
            }
        }
    }

    fn stopped(&self) -> bool {
        self.stop.load(Ordering::Relaxed)
    }

    /// [`Error::Cancelled`] once the observer has stopped the run.
    fn cancelled(&self) -> Result<()> {
        if self.stopped() {
            Err(Error::Cancelled { stage: "policies" })
        } else {
            Ok(())
        }
    }
}

/// A range of m years' rows (row r at r × m, 分): per-year sums, largest occurrences and
/// per-risk recoveries (empty without a treaty).
pub(super) struct YearRows {
    cents: Vec<i64>,
    occurrence: Vec<i64>,
    ceded: Vec<i64>,
}

/// The years of `blocks` in a run of `trials`.
pub(super) fn years_of(blocks: &Range<usize>, trials: usize) -> Range<usize> {
    blocks.start * BLOCK..(blocks.end * BLOCK).min(trials)
}

impl Portfolio {
    /// Stage 1, block by block in parallel: the superposed claims year by year, then every
    /// other peril's event years; per year and row in the block's own rows, per policy in
    /// the worker's accumulator (`at`; integer 分: exact, order-free sums), which is
    /// returned summed.
    pub(super) fn block_rows(
        &self,
        config: &PortfolioConfig,
        blocks: &Range<usize>,
        at: &Layout,
        tally: &Tally,
    ) -> Result<(YearRows, Vec<i64>)> {
        let trials = config.trials();
        let m = years_of(blocks, trials).len();
        let (seed, threads) = (config.simulation.seed, config.simulation.threads);
        let n = self.spec.policies.len();
        let g = self.rows();
        let layers = &self.spec.per_risk_xol;
        let batch = mean_batch_size(trials);
        let (engine, path) = (config.engine, config.simulation.code_path);
        // The largest payment (分) at or below every attachment of the per-risk treaty: it
        // cedes nothing (exactly 0).
        let below = cents_at_or_below(
            layers
                .iter()
                .fold(f64::INFINITY, |a, l| a.min(l.attachment())),
        );
        // The range's rows (row r at r × m), each block writing its own years in place.
        let mut cents = faulted_zeros(g * m);
        let mut occurrence = faulted_zeros(g * m);
        let mut ceded_by_group = faulted_zeros(if layers.is_empty() { 0 } else { g * m });
        let shares = BlockRows::split((&mut cents, &mut occurrence, &mut ceded_by_group), g, BLOCK);
        let shares: Vec<_> = shares.into_iter().map(|b| Mutex::new(Some(b))).collect();
        let sums = sum_indices(blocks.len(), at.len, threads, &|bi, acc| {
            if tally.stopped() {
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
            let sp = &self.superposition;
            if superposed && plain {
                let (sums, rows) = ((&mut acc[..], at.count), &mut block);
                let b = &batch_of[..years.len()];
                self.superposition
                    .plain_rows(seed, years.clone(), path, b, sums, rows);
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
                sp.claims(seed, years.clone(), path, |t, picks, cents| {
                    for (&k, &x) in picks.iter().zip(cents) {
                        let (i, p) = sp.pair(k);
                        pay(i, p, t, x);
                    }
                });
            }
            let mut keys = YearKeys::new(path);
            for i in 0..n {
                let all = Years::All(&mut keys);
                self.event_years(seed, i, years.clone(), engine, all, |t, j, e| {
                    self.claims(i, j, e, |x| pay(i, at.perils[i] + j, t, x));
                });
            }
            tally.tick(1);
        })?;
        tally.cancelled()?;
        // Every block ran (a block left untaken would be a cancelled run).
        if shares
            .iter()
            .any(|b| b.lock().map_or(true, |b| b.is_some()))
        {
            return Err(Error::Cancelled { stage: "policies" });
        }
        Ok((
            YearRows {
                cents,
                occurrence,
                ceded: ceded_by_group,
            },
            sums,
        ))
    }

    /// Stage 2, dependence by rank reordering, block by block (integer 分 reorder with their
    /// groups): the permutations, if a copula joins the groups.
    pub(super) fn reorder_rows(
        &self,
        config: &PortfolioConfig,
        first_block: usize,
        rows: &mut YearRows,
    ) -> Result<Option<Vec<Vec<u32>>>> {
        let (seed, threads) = (config.simulation.seed, config.simulation.threads);
        let m = rows.cents.len() / self.rows();
        Ok(match &self.spec.dependence {
            Some(d) => {
                let mut by_group: Vec<Vec<f64>> = rows
                    .cents
                    .chunks(m)
                    .map(|c| c.iter().map(|&x| x as f64 / 100.0).collect())
                    .collect();
                let stream = (seed, STREAM_COPULA, first_block);
                let perms = reorder_blocks(&mut by_group, &d.copula, stream, threads)?;
                for (gi, perm) in perms.iter().enumerate() {
                    permute(&mut rows.cents[gi * m..(gi + 1) * m], perm);
                    permute(&mut rows.occurrence[gi * m..(gi + 1) * m], perm);
                    if !rows.ceded.is_empty() {
                        permute(&mut rows.ceded[gi * m..(gi + 1) * m], perm);
                    }
                }
                Some(perms)
            }
            None => None,
        })
    }

    /// Stage 3, systemic events (`events`), policy by policy (stable streams), summed in 分 per
    /// trial, then per event (an event's total is one occurrence), joined to the rows'
    /// figures of the `years`.
    pub(super) fn year_figures(
        &self,
        config: &PortfolioConfig,
        years: Range<usize>,
        mut rows: YearRows,
        perms: Option<&Vec<Vec<u32>>>,
        (events, drawn): (&[(usize, usize, f64)], &ShockHits),
    ) -> Result<YearFigures> {
        let (seed, threads) = (config.simulation.seed, config.simulation.threads);
        let (start, m) = (years.start, years.len());
        let n = self.spec.policies.len();
        let g = self.rows();
        let groups = (0..g * usize::from(perms.is_some()))
            .map(|gi| rows.cents[gi * m..(gi + 1) * m].to_vec())
            .collect();
        let chunk = 64;
        let chunks = n.div_ceil(chunk);
        let by_event = sum_indices(chunks, events.len(), threads, &|c, acc| {
            for i in c * chunk..((c + 1) * chunk).min(n) {
                self.replay_shocks(seed, i, events, drawn, |e, _, x| {
                    acc[e] = acc[e].saturating_add(x);
                });
            }
        })?;
        // The year's largest occurrence: its largest peril payment or systemic event.
        // (One row: the row is the year's figure, taken as it is.)
        let mut largest: Vec<i64> = if g == 1 {
            rows.occurrence
        } else {
            (0..m)
                .map(|t| (0..g).fold(0, |x, gi| x.max(rows.occurrence[gi * m + t])))
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
            let mut totals = take(&mut rows.cents);
            for (x, &s) in totals.iter_mut().zip(&shocks) {
                *x = x.saturating_add(s);
            }
            totals
        } else {
            (0..m)
                .map(|t| sum_groups(&rows.cents, t, shocks[t]))
                .collect()
        };
        let per_risk: Vec<i64> = if g == 1 {
            rows.ceded
        } else if rows.ceded.is_empty() {
            Vec::new()
        } else {
            (0..m).map(|t| sum_groups(&rows.ceded, t, 0)).collect()
        };
        Ok(YearFigures {
            totals,
            largest,
            shocks,
            per_risk,
            groups,
        })
    }

    /// Stage 4, the candidate tail years: the range's largest totals (ties by trial order), as
    /// many as its share of the run's k tail years plus a margin (`shard_keep`; all k for
    /// a whole run); the merge checks that the run's tail years in the range are among them.
    /// Stage 5, the replay: the superposed claims of the years that move into a candidate year;
    /// per policy, its own streams' event years (a payment regenerated only when its
    /// year is a candidate) and its systemic hits (into `batch_sums` too). Returns the
    /// number of candidates and the policies' parts.
    #[allow(clippy::too_many_arguments)]
    pub(super) fn replay_tails(
        &self,
        config: &PortfolioConfig,
        years: Range<usize>,
        totals: &[i64],
        perms: Option<&Vec<Vec<u32>>>,
        (events, drawn): (&[(usize, usize, f64)], &ShockHits),
        tally: &Tally,
        batch_sums: &mut [i64],
    ) -> Result<(usize, Vec<PolicyPart>)> {
        let trials = config.trials();
        let (seed, threads, engine) = (
            config.simulation.seed,
            config.simulation.threads,
            config.engine,
        );
        let (start, end, m) = (years.start, years.end, years.len());
        let n = self.spec.policies.len();
        let g = self.rows();
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let candidates = (shard_keep(k as u64, m as f64 / trials as f64) as usize).min(m);
        let mut candidate = vec![false; m];
        for t in largest_first(totals, candidates) {
            candidate[t] = true;
        }
        // 5. The superposed claims of the years moving into a candidate year; each policy's
        // list is taken by its worker, not copied.
        let superposed: Vec<Mutex<Vec<(u32, i64)>>> = self
            .superposed_tails(config, start, &candidate, perms)?
            .into_iter()
            .map(Mutex::new)
            .collect();
        // Per row, the years (trials of the run, ascending) that move into a candidate year:
        // the only ones a frequent peril's replay looks at.
        let frequent_years: Vec<Vec<usize>> = (0..g)
            .map(|r| {
                let moved = |t: usize| perms.map_or(t, |p| p[r][t] as usize);
                (0..m)
                    .filter(|&t| candidate[moved(t)])
                    .map(|t| t + start)
                    .collect()
            })
            .collect();
        let policies = map_indices(n, threads, &|i| {
            if tally.stopped() {
                return None;
            }
            let mut sums = vec![0i64; batches];
            let mut tail = superposed[i]
                .lock()
                .map(|mut v| take(&mut *v))
                .unwrap_or_default();
            let mut shock_sum = 0i64;
            let perm = perms.map(|p| &p[self.group_of[i]]);
            let row = if perms.is_some() { self.group_of[i] } else { 0 };
            let years = Years::Chosen(&frequent_years[row]);
            self.event_years(seed, i, start..end, engine, years, |t, j, e| {
                let moved = perm.map_or(t - start, |p| p[t - start] as usize);
                if candidate[moved] {
                    tail.push(((moved + start) as u32, self.payment(i, j, e)));
                }
            });
            self.replay_shocks(seed, i, events, drawn, |_, t, x| {
                shock_sum = shock_sum.saturating_add(x);
                sums[t / batch] = sums[t / batch].saturating_add(x);
                if candidate[t - start] {
                    tail.push((t as u32, x));
                }
            });
            tally.tick(1);
            Some((sums, PolicyPart { shock_sum, tail }))
        })?;
        tally.cancelled()?;
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
        Ok((candidates, policies))
    }
}

const STREAM_COPULA: u64 = u64::MAX;
