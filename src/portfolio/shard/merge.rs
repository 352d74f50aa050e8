//! The merge of a run's parts into its result: the run's tail years, each policy's mean
//! and co-TVaR with their standard errors, and the years' figures in order.

use super::super::batches::{BLOCK, BatchErrors, blocks, mean_batch_size};
use super::super::cents::{MAX_CENTS, check_cents, largest_first, sorted_yuan, to_yuan};
use super::super::{PolicyResult, Portfolio, PortfolioConfig, PortfolioRun};
use super::PortfolioPart;
use crate::error::Result;
use crate::simulation::{SimulatedLosses, Workers, ceil_count, check_cover, map_indices};

impl Portfolio {
    /// Merges parts (checked against `digest` when given) into the run's result; `sorted`:
    /// the run's years in ascending order, if sorted already.
    pub(in crate::portfolio) fn merge_parts(
        &self,
        config: &PortfolioConfig,
        mut parts: Vec<PortfolioPart>,
        digest: Option<&str>,
        sorted: Option<Vec<f64>>,
    ) -> Result<PortfolioRun> {
        let trials = config.trials();
        parts.sort_by_key(|p| p.blocks.start);
        let want = digest.unwrap_or_default();
        let cover = parts.iter().map(|p| {
            let d = if digest.is_some() {
                p.digest.as_str()
            } else {
                ""
            };
            (d, p.blocks.start as u64..p.blocks.end as u64)
        });
        check_cover(cover, want, (blocks(trials) as u64, "blocks"))?;
        if let Some(sorted) = sorted {
            return Ok(self.merge_checked(config, parts)?(sorted));
        }
        // The years in ascending order for the run's quantiles, sorted on one worker while
        // the others check and merge the parts.
        let years: Vec<i64> = parts
            .iter()
            .flat_map(|p| p.totals.iter().copied())
            .collect();
        let (sorted, run) = Workers::new(config.simulation.threads)?.join(
            move || sorted_yuan(years),
            || self.merge_checked(config, parts),
        );
        Ok(run?(sorted))
    }

    /// The run of checked parts, given its years in ascending order (sorted meanwhile).
    fn merge_checked(
        &self,
        config: &PortfolioConfig,
        mut parts: Vec<PortfolioPart>,
    ) -> Result<impl FnOnce(Vec<f64>) -> PortfolioRun> {
        let trials = config.trials();
        let batch = mean_batch_size(trials);
        let batches = trials.div_ceil(batch);
        for p in &parts {
            p.check(self, trials, batches)?;
        }
        let n = self.spec.policies.len();
        // The parts' years one after another (moved out, not copied: the merge is their last
        // reader).
        let concat = |parts: &mut [PortfolioPart],
                      f: &dyn Fn(&mut PortfolioPart) -> &mut Vec<i64>| {
            let mut all = std::mem::take(f(&mut parts[0]));
            for p in &mut parts[1..] {
                all.append(f(p));
            }
            all
        };
        let total_cents = concat(&mut parts, &|p| &mut p.totals);
        check_cents(&total_cents, MAX_CENTS)?;
        let add = |f: &dyn Fn(&PortfolioPart) -> &[i64], len: usize| -> Result<Vec<i64>> {
            let mut sum = vec![0i64; len];
            for p in &parts {
                for (s, &x) in sum.iter_mut().zip(f(p)) {
                    *s = s.saturating_add(x);
                }
            }
            check_cents(&sum, i64::MAX)?;
            Ok(sum)
        };
        let peril_totals = add(&|p| &p.peril_totals, parts[0].peril_totals.len())?;
        let ceded_totals = add(&|p| &p.ceded, n)?;
        // The (1 − α)·n largest years, counted as SimulatedLosses counts them (n − ⌈αn⌉).
        let k = (trials - ceil_count(trials as u64, config.tvar_level) as usize).clamp(1, trials);
        let TailYears {
            tail,
            tail_cents,
            var_cents,
            per_block: tail_per_block,
        } = TailYears::of(&total_cents, k, &parts)?;
        let errors = BatchErrors {
            trials,
            tail: k,
            level: config.tvar_level,
            var_over_tvar: var_cents as f64 * k as f64 / tail_cents.max(1) as f64,
            tail_per_block: &tail_per_block,
        };
        let policies = self.merged_policies(
            config,
            &parts,
            (&peril_totals, &ceded_totals),
            &tail,
            &errors,
            k,
        )?;
        let totals = to_yuan(total_cents);
        let per_risk = to_yuan(concat(&mut parts, &|p| &mut p.per_risk));
        let occurrences = to_yuan(concat(&mut parts, &|p| &mut p.occurrences));
        let shocks = to_yuan(concat(&mut parts, &|p| &mut p.shocks));
        let groups = (0..parts[0].groups.len())
            .map(|gi| {
                let rows = concat(&mut parts, &|p| &mut p.groups[gi]);
                (self.groups[gi].clone(), to_yuan(rows))
            })
            .collect();
        let permutations = merged_permutations(&parts, self.groups.len());
        let events = parts
            .iter()
            .flat_map(|p| p.events.iter().copied())
            .collect();
        let tvar_level = config.tvar_level;
        Ok(move |sorted| PortfolioRun {
            // The policies' mean batches, for the jackknife of the standard deviation.
            losses: SimulatedLosses::from_sorted(&totals, sorted, batch),
            per_risk_recoveries: per_risk,
            occurrences,
            // Kept per group under a copula only (`Portfolio::rows`).
            groups,
            shocks,
            totals,
            tvar_level,
            tail_trials: k,
            tvar: tail_cents as f64 / 100.0 / k as f64,
            policies,
            permutations,
            events,
        })
    }

    /// Per policy: mean and co-TVaR (its payments in the run's tail years `tail`, `k` of
    /// them), with their batch-means standard errors, from the parts and the run's sums
    /// (`totals`: by peril, and ceded by policy, 分).
    fn merged_policies(
        &self,
        config: &PortfolioConfig,
        parts: &[PortfolioPart],
        (peril_totals, ceded_totals): (&[i64], &[i64]),
        tail: &[bool],
        errors: &BatchErrors,
        k: usize,
    ) -> Result<Vec<PolicyResult>> {
        let trials = config.trials();
        let batches = trials.div_ceil(mean_batch_size(trials));
        let n = self.spec.policies.len();
        let mut first_peril = 0;
        let peril_start: Vec<usize> = self
            .spec
            .policies
            .iter()
            .map(|p| {
                first_peril += p.perils.len();
                first_peril - p.perils.len()
            })
            .collect();
        // Per policy: mean and co-TVaR (its payments in the run's tail years), with their
        // batch-means standard errors.
        map_indices(n, config.simulation.threads, &|i| {
            let own = &peril_totals[peril_start[i]..][..self.spec.policies[i].perils.len()];
            let mut sums = vec![0i128; batches];
            let mut in_tail = vec![0i128; blocks(trials)];
            let mut shock_sum = 0i128;
            for p in parts {
                for (s, &x) in sums.iter_mut().zip(&p.batch_sums[i * batches..][..batches]) {
                    *s += i128::from(x);
                }
                let own = &p.policies[i];
                shock_sum += i128::from(own.shock_sum);
                for &(t, x) in &own.tail {
                    if tail[t as usize] {
                        in_tail[t as usize / BLOCK] += i128::from(x);
                    }
                }
            }
            let per_year = |c: i128| c as f64 / 100.0 / trials as f64;
            let sum = own.iter().map(|&c| i128::from(c)).sum::<i128>() + shock_sum;
            let (mean_std_error, allocated_tvar_std_error) = errors.of(&sums, &in_tail);
            PolicyResult {
                id: self.spec.policies[i].id.clone(),
                mean: per_year(sum),
                mean_std_error,
                peril_means: own.iter().map(|&c| per_year(i128::from(c))).collect(),
                shock_mean: per_year(shock_sum),
                per_risk_ceded: per_year(i128::from(ceded_totals[i])),
                allocated_tvar: in_tail.iter().sum::<i128>() as f64 / 100.0 / k as f64,
                allocated_tvar_std_error,
            }
        })
    }
}

/// The run's tail: its `k` largest years (`tail`), their sum and the smallest of them (分),
/// and how many fall in each block.
struct TailYears {
    tail: Vec<bool>,
    tail_cents: i128,
    var_cents: i64,
    per_block: Vec<i128>,
}

impl TailYears {
    /// The tail of `total_cents`, refused unless each part's tail years are among the
    /// candidates it replayed (else the merge would not be exact).
    fn of(total_cents: &[i64], k: usize, parts: &[PortfolioPart]) -> Result<Self> {
        let trials = total_cents.len();
        let order = largest_first(total_cents, k);
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
        // Exact only if each part's tail years are among its candidates.
        for p in parts {
            let in_part: i128 = tail_per_block[p.blocks.clone()].iter().sum();
            if in_part > p.candidates as i128 {
                return Err(p.refused(format!(
                    "holds {in_part} of the run's tail years but replayed its {} largest only: \
                     far beyond its expected share (odds below 1e-14); rerun the run unsharded \
                     or in fewer shards",
                    p.candidates
                )));
            }
        }
        Ok(Self {
            tail,
            tail_cents,
            var_cents,
            per_block: tail_per_block,
        })
    }
}

/// The copula's permutations of the whole run, the parts' in order (trial numbers of the
/// run), when the parts have them.
fn merged_permutations(parts: &[PortfolioPart], groups: usize) -> Option<Vec<Vec<u32>>> {
    parts[0].permutations.as_ref().map(|_| {
        (0..groups)
            .map(|gi| {
                parts
                    .iter()
                    .flat_map(|p| {
                        let start = (p.blocks.start * BLOCK) as u32;
                        let perms = p.permutations.as_ref().map_or(&[][..], |v| &v[gi]);
                        perms.iter().map(move |&t| t + start)
                    })
                    .collect()
            })
            .collect()
    })
}
