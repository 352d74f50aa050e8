//! Aggregate annual losses S = Y₁ + … + Y_N of the collective risk model, after policy terms.
//!
//! Pipeline position: `frequency, severity, coverage, simulation → aggregate`. This module
//! simulates S by deterministic batch-parallel Monte Carlo ([`LossModel::simulate`]) and gives
//! the analytic compound moments that check it:
//!
//! ```text
//! E[S] = E[N]·E[Y],   Var[S] = E[N]·Var[Y] + Var[N]·E[Y]²   (no annual terms)
//! ```

mod approximation;
mod batched;
mod cells;
mod discretize;
mod distribution;
mod shard;
mod superposition;
mod tower;

pub use crate::loss::Discrete;
pub use approximation::{Approximation, ApproximationKind};
pub use discretize::{Discretization, Grid, GridParams, MAX_POINTS, MIN_POINTS, discretize};
use distribution::Reference;
pub use distribution::{AggregateDistribution, Diagnostics, ExactMethod, Warning};
pub use shard::SimulationPart;
pub use superposition::ExactPortfolio;
pub use tower::{LayerResult, TowerResult};

use crate::budget::Work;
use crate::coverage::{AggregateTerms, ClaimTerms, Tower};
use crate::error::{Error, Result};
use crate::frequency::{Complex64, Frequency};
use crate::numerics::kernels::CodePath;
use crate::severity::Severity;
use crate::simulation::{
    Observer, Retention, SimulatedLosses, SimulationConfig, VarianceReduction,
    losses::{BatchSummary, LossesBuilder},
    run_batch_range,
};
use serde::{Deserialize, Serialize};
use std::sync::atomic::{AtomicU64, Ordering};
use tower::{Cessions, Recorder};

std::thread_local! {
    /// Each worker thread's buffer of a batch's annual losses, reused batch after batch.
    static BUFFER: std::cell::RefCell<Vec<f64>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// A frequency–severity model of one cover with its policy terms.
///
/// ```
/// use kexian::aggregate::LossModel;
/// use kexian::coverage::ClaimTerms;
/// use kexian::frequency::Poisson;
/// use kexian::severity::LogNormal;
/// use kexian::simulation::SimulationConfig;
///
/// let model = LossModel::new(Poisson::new(2.0)?, LogNormal::new(10.0, 2.0)?)
///     .with_claim_terms(ClaimTerms::new(10_000.0, 1_000_000.0)?);
/// let sim = model.simulate(&SimulationConfig::new(42, 200_000)?)?;
/// let mean = sim.losses.mean()?;
/// let exact = model.analytic_mean().unwrap();
/// assert!((mean.value - exact).abs() < 4.0 * mean.std_error);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LossModel<F, S> {
    frequency: F,
    severity: S,
    #[serde(default)]
    claim_terms: ClaimTerms,
    #[serde(default)]
    aggregate_terms: AggregateTerms,
    #[serde(default)]
    tower: Tower,
}

/// Result of [`LossModel::simulate`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Simulation {
    /// Annual losses to the cover, after claim and annual terms.
    pub losses: SimulatedLosses,
    /// Layer-by-layer results when the model has a reinsurance tower.
    pub tower: Option<TowerResult>,
}

impl<F: Frequency, S: Severity> LossModel<F, S> {
    /// Full cover of every claim.
    pub fn new(frequency: F, severity: S) -> Self {
        Self {
            frequency,
            severity,
            claim_terms: ClaimTerms::default(),
            aggregate_terms: AggregateTerms::default(),
            tower: Tower::default(),
        }
    }

    /// Applies per-claim terms.
    pub fn with_claim_terms(mut self, terms: ClaimTerms) -> Self {
        self.claim_terms = terms;
        self
    }

    /// Applies annual aggregate terms.
    pub fn with_aggregate_terms(mut self, terms: AggregateTerms) -> Self {
        self.aggregate_terms = terms;
        self
    }

    /// Cedes each claim payment to a per-risk excess-of-loss tower.
    pub fn with_tower(mut self, tower: Tower) -> Self {
        self.tower = tower;
        self
    }

    /// The claim-count distribution.
    pub fn frequency(&self) -> &F {
        &self.frequency
    }

    /// The claim-size distribution.
    pub fn severity(&self) -> &S {
        &self.severity
    }

    /// E\[Y\] of the payment per loss (元), `None` if infinite.
    pub fn expected_payment(&self) -> Option<f64> {
        self.claim_terms.payment_moment(&self.severity, 1)
    }

    /// E\[S\] = E\[N\]·E\[Y\] (元) when there are no annual terms; `None` if infinite or if annual
    /// terms apply (then only simulation or exact methods give it).
    pub fn analytic_mean(&self) -> Option<f64> {
        self.aggregate_terms
            .is_none()
            .then(|| self.expected_payment().map(|m| self.frequency.mean() * m))?
    }

    /// Var\[S\] = E\[N\]·Var\[Y\] + Var\[N\]·E\[Y\]² (元²) when there are no annual terms.
    pub fn analytic_variance(&self) -> Option<f64> {
        if !self.aggregate_terms.is_none() {
            return None;
        }
        let m1 = self.claim_terms.payment_moment(&self.severity, 1)?;
        let m2 = self.claim_terms.payment_moment(&self.severity, 2)?;
        let n = &self.frequency;
        Some(n.mean() * (m2 - m1 * m1) + n.variance() * m1 * m1)
    }

    /// Skewness of S from the cumulants κ₃(S) = κ₃(N)E\[Y\]³ + 3Var\[N\]E\[Y\]Var\[Y\] + E\[N\]κ₃(Y),
    /// when there are no annual terms and the moments exist.
    pub fn analytic_skewness(&self) -> Option<f64> {
        if !self.aggregate_terms.is_none() {
            return None;
        }
        let m = |k| self.claim_terms.payment_moment(&self.severity, k);
        let (m1, m2, m3) = (m(1)?, m(2)?, m(3)?);
        let var_y = m2 - m1 * m1;
        let k3_y = m3 - 3.0 * m1 * m2 + 2.0 * m1 * m1 * m1;
        let n = &self.frequency;
        let k3 = n.third_central_moment() * m1.powi(3)
            + 3.0 * n.variance() * m1 * var_y
            + n.mean() * k3_y;
        let var = self.analytic_variance()?;
        (var > 0.0).then(|| k3 / var.powf(1.5))
    }

    /// A grid of `points` whose end is twice a guess of the `tail_level` quantile of S: the
    /// larger of the normal-power approximation and the single-big-claim approximation
    /// S_Y⁻¹((1 − level)/E\[N\]) (right for heavy tails), and at least the per-claim cap, which
    /// falls on a grid point. With an annual limit L after a deductible D, the grid ends at the
    /// exhaustion point D + L instead (where all remaining mass sits on the atom at L), unless
    /// that is more than 16 times the guess. Check the result's [`Diagnostics`].
    pub fn recommended_grid(&self, points: usize, tail_level: f64) -> Result<Grid> {
        crate::numerics::validate::open_probability("LossModel", "tail_level", tail_level)?;
        let cap = self.claim_terms.max_payment();
        let normal_power = approximation::normal_power_guess(
            self.analytic_mean(),
            self.analytic_variance(),
            self.analytic_skewness(),
            tail_level,
        )
        .unwrap_or(0.0);
        let n = self.frequency.mean().max(f64::MIN_POSITIVE);
        let big_claim = self.claim_terms.apply(
            self.severity
                .inverse_survival(((1.0 - tail_level) / n).min(1.0)),
        );
        let end = 2.0
            * normal_power
                .max(big_claim)
                .max(if cap.is_finite() { cap } else { 0.0 });
        if end <= 0.0 {
            return Err(Error::Inconsistent {
                model: "LossModel",
                message: format!(
                    "the cover pays nothing up to level {tail_level} (share {}): there is no \
                     loss distribution to put on a grid; check the claim terms (share, limit, \
                     deductible)",
                    self.claim_terms.share()
                ),
            });
        }
        let top = self.aggregate_terms.exhaustion_point();
        if top.is_finite() && top <= 16.0 * end {
            // End at or just past D + L, the per-claim cap on a node when it spans a step.
            let step = top / (points.max(2) - 1) as f64;
            let step = if cap.is_finite() && cap >= step {
                cap / (cap / step).floor()
            } else {
                step
            };
            return Grid::new(step, points);
        }
        Grid::for_tail(end, points, 1.0, cap)
    }

    /// Normal, normal-power or shifted-gamma approximation of S from its analytic moments.
    pub fn approximate(&self, kind: ApproximationKind) -> Result<Approximation> {
        let mean = approximation::require(self.analytic_mean(), "mean")?;
        let var = approximation::require(self.analytic_variance(), "variance")?;
        let skew = approximation::require(self.analytic_skewness(), "skewness")?;
        Approximation::new(kind, mean, var.sqrt(), skew)
    }

    /// The distribution of S on `grid` by Panjer recursion or FFT, after per-claim terms
    /// (applied to the severity before discretisation) and annual terms (applied to the result),
    /// with [`Diagnostics`].
    pub fn exact_distribution(
        &self,
        method: ExactMethod,
        grid: &Grid,
        discretization: Discretization,
    ) -> Result<AggregateDistribution> {
        self.exact_distribution_with_progress(method, grid, discretization, None)
    }

    /// [`Self::exact_distribution`], `observer` told the Panjer recursion's rows done (it
    /// may stop the recursion: [`Error::Cancelled`]); the FFT is too quick to need it.
    pub fn exact_distribution_with_progress(
        &self,
        method: ExactMethod,
        grid: &Grid,
        discretization: Discretization,
        observer: Option<crate::simulation::Observer>,
    ) -> Result<AggregateDistribution> {
        if !self.tower.is_empty() {
            return Err(Error::Inconsistent {
                model: "LossModel",
                message: "exact methods do not model reinsurance towers; simulate instead".into(),
            });
        }
        crate::budget::check(
            "the exact distribution",
            exact_work(method, grid.points()),
            "use fewer grid points (or the FFT instead of Panjer's O(m²) recursion)",
        )?;
        let (f, severity_lost) =
            discretize(&self.severity, &self.claim_terms, grid, discretization);
        let g = match method {
            ExactMethod::Panjer => {
                crate::frequency::compound::panjer(&self.frequency, &f, observer)?
            }
            ExactMethod::Fft { padding } => {
                crate::numerics::validate::rule(
                    "ExactMethod",
                    "padding",
                    padding as f64,
                    (1..=64).contains(&padding),
                    "between 1 and 64",
                )?;
                crate::frequency::compound::fft(&self.frequency, &f, padding)?
            }
        };
        let h = grid.step();
        let mut g = g;
        let mut lost = (1.0 - crate::numerics::compensated_sum(g.iter().copied())).max(0.0);
        let mut values: Vec<f64> = (0..g.len())
            .map(|j| self.aggregate_terms.apply(j as f64 * h))
            .collect();
        if grid.end() >= self.aggregate_terms.exhaustion_point() && lost > 0.0 {
            // Mass beyond the grid pays the annual limit: it is located, on that atom.
            values.push(self.aggregate_terms.apply(f64::INFINITY));
            g.push(lost);
            lost = 0.0;
        }
        let zero_probability = if self.aggregate_terms.deductible() == 0.0 {
            // No annual deductible: S = 0 exactly when every claim pays nothing.
            self.frequency
                .pgf(self.claim_terms.covering(&self.severity).cdf(0.0))
        } else {
            values
                .iter()
                .zip(&g)
                .filter(|(v, _)| **v == 0.0)
                .map(|(_, p)| p)
                .sum()
        };
        let mut distribution = Discrete::from_parts(values, g, lost);
        if self.aggregate_terms.is_none() && self.claim_terms.max_payment().is_infinite() {
            // Past the grid, the single big claim on top of the others' expected sum
            // c = E[N(N−1)]/E[N]·E[Y]: P(S > x) ∝ 1 − P_N(F_Y(x − c)).
            let payment = self.claim_terms.covering(&self.severity);
            let n = &self.frequency;
            let others = (n.variance() + n.mean() * n.mean() - n.mean()) / n.mean()
                * payment.mean().unwrap_or(0.0);
            let shift = others.clamp(0.0, 0.5 * grid.end());
            let shape = |x: f64| {
                let s = payment.survival(x - shift);
                self.frequency
                    .pgf_increment(1.0, Complex64::new(-s, 0.0))
                    .map_or(self.frequency.mean() * s, |d| -d.re)
            };
            distribution = distribution::with_tail(distribution, grid.end(), shape);
        }
        Ok(AggregateDistribution::checked(
            distribution,
            method,
            grid,
            Reference {
                mean: self.analytic_mean(),
                variance: self.analytic_variance(),
                skewness: self.analytic_skewness(),
                mean_payment: self.expected_payment(),
                zero_probability,
                severity_lost,
            },
        ))
    }

    /// Which of E\[S\], E\[S²\], E\[S³\] are finite: all when a limit caps the claims or the year,
    /// otherwise those of the severity.
    fn finite_moments(&self) -> [bool; 3] {
        let capped = self.claim_terms.limit().is_finite()
            || !self.aggregate_terms.is_none() && self.aggregate_terms.apply(f64::MAX) < f64::MAX;
        [1, 2, 3].map(|k| capped || self.severity.raw_moment(k).is_some())
    }

    /// Simulates `config.trials` years. See [`crate::simulation`] for the determinism contract.
    pub fn simulate(&self, config: &SimulationConfig) -> Result<Simulation> {
        self.simulate_inner(config, None)
    }

    /// As [`LossModel::simulate`], telling `observer` the batches done as they complete.
    pub fn simulate_with_progress(
        &self,
        config: &SimulationConfig,
        observer: Observer,
    ) -> Result<Simulation> {
        self.simulate_inner(config, Some(observer))
    }

    fn simulate_inner(
        &self,
        config: &SimulationConfig,
        progress: Option<Observer>,
    ) -> Result<Simulation> {
        config.validate()?;
        let part = self.part(config, 0..config.batches(), String::new(), progress)?;
        self.merge_parts(config, vec![part], "")
    }

    /// How many of the largest values a run keeps (all: `None`), the lowest quantile level
    /// they serve, and the weight of a simulated value (P(N ≥ 1) when conditioning on claims).
    fn retention(&self, config: &SimulationConfig) -> (Option<u64>, f64, f64) {
        let conditional = config.variance_reduction == VarianceReduction::ConditionOnClaims;
        let weight = if conditional {
            1.0 - self.frequency.pmf(0)
        } else {
            1.0
        };
        match config.retention {
            Retention::All => (None, 0.0, weight),
            Retention::Tail { min_level } => {
                let n = config.trials as f64;
                let a = ((min_level - (1.0 - weight)) / weight).max(0.0);
                let tail = n * (1.0 - a);
                (
                    Some((tail + 2.0 * tail.sqrt() + 2.0).ceil() as u64),
                    min_level,
                    weight,
                )
            }
        }
    }

    /// Whether the claim terms have neither inflation nor share and there are no annual
    /// terms: then multiplying each claim by 1 twice and clamping each year's sum (≥ 0) to
    /// [0, ∞) change no bits, and [`fill`](Self::fill) skips them.
    fn is_plain(&self) -> bool {
        self.claim_terms.is_unscaled() && self.aggregate_terms.is_none()
    }

    /// Pushes `trials` simulated annual payments onto `values`, telling `recorder` each
    /// claim's payment and each year's gross; `PLAIN` only when [`is_plain`](Self::is_plain)
    /// holds.
    #[inline(never)]
    #[allow(clippy::too_many_arguments)]
    fn fill<const PLAIN: bool>(
        &self,
        rng: &mut crate::rand::Xoshiro256PlusPlus,
        trials: u64,
        conditional: bool,
        values: &mut Vec<f64>,
        recorder: &mut impl Recorder,
        path: CodePath,
    ) {
        if let Some(lognormal) = self.severity.lognormal_parameters() {
            let fill = Self::fill_lognormal::<PLAIN, _>;
            return fill(
                self,
                lognormal,
                rng,
                trials,
                conditional,
                values,
                recorder,
                path,
            );
        }
        for _ in 0..trials {
            let n = if conditional {
                self.frequency.sample_positive(rng)
            } else {
                self.frequency.sample(rng)
            };
            let mut s = 0.0;
            for _ in 0..n {
                let x = self.severity.sample(rng);
                let y = if PLAIN {
                    self.claim_terms.apply_unscaled(x)
                } else {
                    self.claim_terms.apply(x)
                };
                recorder.claim(y);
                s += y;
            }
            recorder.year(s);
            let s = if PLAIN {
                s
            } else {
                self.aggregate_terms.apply(s)
            };
            values.push(s);
        }
    }

    /// Simulates the batches in `batches` of the run `config`: its mergeable part.
    fn part(
        &self,
        config: &SimulationConfig,
        batches: std::ops::Range<u64>,
        digest: String,
        progress: Option<Observer>,
    ) -> Result<SimulationPart> {
        if !self.tower.is_empty() && !self.aggregate_terms.is_none() {
            return Err(Error::Inconsistent {
                model: "LossModel",
                message: "a per-risk tower together with annual aggregate terms is ambiguous \
                          (which total does the tower protect?); apply one of them"
                    .into(),
            });
        }
        let trials = (batches.end - batches.start).saturating_mul(config.batch_size);
        crate::budget::check(
            "the simulation",
            Work::new(config.memory_estimate(), 0.0).and(Work::claims(
                trials.min(config.trials) as f64 * (self.frequency.mean() + 1.0),
                config.thread_count(),
            )),
            "simulate fewer years (--trials), use the exact method, or check the claim rate",
        )?;
        let conditional = config.variance_reduction == VarianceReduction::ConditionOnClaims;
        let (keep, min_level, weight) = self.retention(config);
        // A shard keeps its share of the run's tail, with a margin the merge checks.
        let share = (batches.end - batches.start) as f64 / config.batches() as f64;
        let keep = keep.map(|k| crate::simulation::shard_keep(k, share));
        let mut builder =
            LossesBuilder::new(config.trials, weight, keep, min_level).with_threads(config.threads);
        // The tail cut-off, shared with the batches so that they drop hopeless values early.
        let threshold = AtomicU64::new(f64::NEG_INFINITY.to_bits());
        let layers = self.tower.layers();
        let mut tower_sums = Vec::new();
        run_batch_range(
            config,
            batches.clone(),
            |_, mut rng, trials| {
                let rng = &mut rng;
                // The worker's buffer from its previous batch (no fresh pages per batch).
                let mut values = BUFFER.with(|b| b.take());
                values.reserve(trials as usize);
                let mut cessions = Cessions::new(layers);
                let (c, v, path) = (conditional, &mut values, config.code_path);
                match (layers.is_empty(), self.is_plain()) {
                    (true, true) => self.fill::<true>(rng, trials, c, v, &mut (), path),
                    (true, false) => self.fill::<false>(rng, trials, c, v, &mut (), path),
                    _ => self.fill::<false>(rng, trials, c, v, &mut cessions, path),
                };
                let cut = f64::from_bits(threshold.load(Ordering::Relaxed));
                let summary = BatchSummary::from_buffer(&mut values, cut);
                BUFFER.with(|b| b.replace(values));
                (summary, cessions.sums)
            },
            |(summary, sums)| {
                builder.push_batch(summary);
                threshold.store(builder.threshold().to_bits(), Ordering::Relaxed);
                if !layers.is_empty() {
                    tower_sums.push(sums);
                }
            },
            progress,
        )?;
        let (batch_moments, zeros, tail, cut) = builder.into_part();
        Ok(SimulationPart::new(
            digest,
            config,
            batches,
            (batch_moments, zeros),
            (tail, cut),
            tower_sums,
        ))
    }
}

/// Memory and time of an exact method on `m` grid points. Memory: the program
/// ([`crate::budget::PROGRAM_BYTES`]) and 1.1 × (32 bytes a point — the severity, the result
/// and its payments — plus, for the FFT, 48 bytes a padded point for the real and complex
/// buffers), calibrated against the peak resident memory of `kexian price`
/// (`tests/budget.rs`). Time: the FFT at ≈ 10 ns per padded point and halving; Panjer's
/// recursion m²/2 multiply-adds at ≈ 2 ns.
fn exact_work(method: ExactMethod, m: usize) -> Work {
    let m = m as f64;
    let (n, seconds) = match method {
        ExactMethod::Panjer => (0.0, m * m * 1e-9),
        ExactMethod::Fft { padding } => {
            let n = m * padding as f64;
            (n, n * n.log2().max(1.0) * 10e-9)
        }
    };
    let grids = 1.1 * (32.0 * m + 48.0 * n);
    Work::new(crate::budget::PROGRAM_BYTES + grids as u64, seconds)
}
