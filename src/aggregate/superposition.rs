//! Exact portfolios: independent policies with Poisson claim counts superpose into one compound
//! Poisson whose claim is a mixture of the policies' covered claims.
//!
//! ```text
//! S = Σᵢ Sᵢ,  Sᵢ ~ CP(λᵢ, Yᵢ) independent  ⇒  S ~ CP(Λ, Y),  Λ = Σ λᵢ,
//! P(Y ≤ y) = Σ (λᵢ/Λ)·P(Yᵢ ≤ y)
//! ```
//! (*Loss Models* Theorem 9.7). Each Yᵢ is the policy's severity under its own
//! [`ClaimTerms`] (deductible, limit, share). The mixture is discretised by moment matching on
//! one grid and aggregated by one FFT, so the cost is that of a single cover plus one pass
//! over the policies: policies that share a severity and terms but for their limit share one
//! discretisation, and each limit only changes the one or two cells at its cap.

use super::cells::Cells;
use super::distribution::Reference;
use super::{AggregateDistribution, Discrete, Discretization, ExactMethod, Grid};
use crate::coverage::{ClaimTerms, Covered};
use crate::error::{Error, Result};
use crate::frequency::{FrequencyModel, Poisson};
use crate::numerics::{compensated_sum, validate};
use crate::perils::CompoundPeril;
use crate::severity::{Severity, SeverityModel};

const MODEL: &str = "ExactPortfolio";

/// Independent Poisson covers aggregated exactly (superposition + FFT).
///
/// ```
/// use kexian::aggregate::ExactPortfolio;
/// use kexian::perils::CompoundPeril;
/// let covers: Vec<CompoundPeril> = (0..3)
///     .map(|i| serde_json::from_value(serde_json::json!({
///         "frequency": {"type": "poisson", "lambda": 0.5},
///         "severity": {"type": "lognormal", "mu": 11.0, "sigma": 1.0},
///         "terms": {"limit": 1e5 * f64::from(i + 1)}})))
///     .collect::<Result<_, _>>()?;
/// let book = ExactPortfolio::new(&covers)?;
/// let s = book.exact_distribution(&book.recommended_grid(1 << 12, 1.0 - 1e-10)?, 2, Default::default())?;
/// let mean = book.analytic_mean().unwrap();
/// assert!((s.diagnostics.numeric_mean - mean).abs() < 1e-9 * mean);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct ExactPortfolio {
    /// Policies grouped by severity and terms other than the limit.
    groups: Vec<Group>,
    /// Λ = Σ λᵢ.
    lambda: f64,
}

/// Policies sharing a severity and all claim terms but the limit.
#[derive(Debug, Clone, PartialEq)]
struct Group {
    severity: SeverityModel,
    /// The shared terms without a limit.
    unlimited: ClaimTerms,
    /// (λᵢ, policy i's terms).
    members: Vec<(f64, ClaimTerms)>,
}

impl ExactPortfolio {
    /// The portfolio of `covers`, each with a Poisson claim count (other counts do not
    /// superpose into one compound Poisson: aggregate them with
    /// [`super::LossModel::exact_distribution`] instead). At least one cover.
    pub fn new(covers: &[CompoundPeril]) -> Result<Self> {
        if covers.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "covers",
            });
        }
        let mut groups: Vec<Group> = Vec::new();
        for (i, c) in covers.iter().enumerate() {
            let FrequencyModel::Poisson(n) = &c.frequency else {
                return Err(Error::Inconsistent {
                    model: MODEL,
                    message: format!(
                        "cover {i}: only Poisson claim counts superpose exactly into one \
                         compound Poisson; this one is {:?}",
                        c.frequency
                    ),
                });
            };
            let t = c.terms;
            let unlimited = ClaimTerms::new(t.deductible(), f64::INFINITY)?
                .with_share(t.share())?
                .with_inflation(t.inflation())?
                .with_kind(t.kind());
            let member = (n.lambda(), t);
            match groups
                .iter_mut()
                .find(|g| g.unlimited == unlimited && g.severity == c.severity)
            {
                Some(g) => g.members.push(member),
                None => groups.push(Group {
                    severity: c.severity.clone(),
                    unlimited,
                    members: vec![member],
                }),
            }
        }
        let lambda = compensated_sum(groups.iter().flat_map(|g| g.members.iter().map(|m| m.0)));
        validate::positive(MODEL, "total claim rate", lambda)?;
        Ok(Self { groups, lambda })
    }

    /// Λ = Σ λᵢ, the portfolio's expected number of claims per year.
    pub fn claim_rate(&self) -> f64 {
        self.lambda
    }

    /// Σ λᵢ·E\[Yᵢ^k\] (the k-th cumulant of S), or `None` when a payment moment is infinite.
    fn cumulant(&self, k: u32) -> Option<f64> {
        let mut terms = Vec::new();
        for g in &self.groups {
            for (lambda, t) in &g.members {
                terms.push(lambda * t.payment_moment(&g.severity, k)?);
            }
        }
        Some(compensated_sum(terms))
    }

    /// E\[S\] = Σ λᵢ E\[Yᵢ\] (元).
    pub fn analytic_mean(&self) -> Option<f64> {
        self.cumulant(1)
    }

    /// Var\[S\] = Σ λᵢ E\[Yᵢ²\].
    pub fn analytic_variance(&self) -> Option<f64> {
        self.cumulant(2)
    }

    /// Skewness Σ λᵢ E\[Yᵢ³\] / Var\[S\]^{3/2}.
    pub fn analytic_skewness(&self) -> Option<f64> {
        self.skewness_given(self.analytic_variance())
    }

    /// The skewness for an already computed `variance`.
    fn skewness_given(&self, variance: Option<f64>) -> Option<f64> {
        let v = variance?;
        (v > 0.0).then(|| self.cumulant(3).map(|k3| k3 / v.powf(1.5)))?
    }

    /// A grid of `points` ending at twice the normal-power `tail_level` quantile of S (or, for
    /// heavy tails, the single-big-claim quantile of the largest uncapped policy).
    pub fn recommended_grid(&self, points: usize, tail_level: f64) -> Result<Grid> {
        validate::open_probability(MODEL, "tail_level", tail_level)?;
        let variance = self.analytic_variance();
        let skewness = self.skewness_given(variance);
        let guess = super::approximation::normal_power_guess(
            self.analytic_mean(),
            variance,
            skewness,
            tail_level,
        );
        let quantile = guess.unwrap_or_else(|| {
            let tail = ((1.0 - tail_level) / self.lambda).min(1.0);
            self.groups
                .iter()
                .map(|g| g.unlimited.apply(g.severity.inverse_survival(tail)))
                .fold(0.0, f64::max)
        });
        Grid::for_tail(quantile, points, 2.0, f64::INFINITY)
    }

    /// The distribution of S on `grid` by one FFT padded `padding`-fold, the claims
    /// discretised by `discretization` (moment matching of order 1 or 2), with its diagnostics.
    pub fn exact_distribution(
        &self,
        grid: &Grid,
        padding: usize,
        discretization: Discretization,
    ) -> Result<AggregateDistribution> {
        validate::rule(
            MODEL,
            "padding",
            padding as f64,
            (1..=64).contains(&padding),
            "between 1 and 64",
        )?;
        let f = self.mixture(grid, discretization)?;
        let covered = compensated_sum(f.iter().copied());
        let count = Poisson::new(self.lambda)?;
        let g = crate::frequency::compound::fft(&count, &f, padding)?;
        let lost = (1.0 - compensated_sum(g.iter().copied())).max(0.0);
        let h = grid.step();
        let values = (0..g.len()).map(|j| j as f64 * h).collect();
        // P(S = 0) = exp(−Σ λᵢ P(Yᵢ > 0)) by thinning.
        let paying: f64 = compensated_sum(self.groups.iter().flat_map(|g| {
            let p = g.unlimited.covering(&g.severity).survival(0.0);
            g.members.iter().map(move |m| m.0 * p)
        }));
        let (mean, variance) = (self.analytic_mean(), self.analytic_variance());
        let mut distribution = Discrete::from_parts(values, g, lost);
        if self.unbounded() {
            // Past the grid, the single big claim on top of the others' expected sum E[S]:
            // P(S > x) ∝ 1 − exp(−Σ λᵢ·P(Yᵢ > x − E[S])).
            let shift = mean.unwrap_or(0.0).clamp(0.0, 0.5 * grid.end());
            let rates = self.exceedance_rates();
            distribution = super::distribution::with_tail(distribution, grid.end(), |x| {
                -(-rates.at(x - shift)).exp_m1()
            });
        }
        Ok(AggregateDistribution::checked(
            distribution,
            ExactMethod::Fft { padding },
            grid,
            Reference {
                mean,
                variance,
                skewness: self.skewness_given(variance),
                mean_payment: mean.map(|m| m / self.lambda),
                zero_probability: (-paying).exp(),
                severity_lost: (1.0 - covered).max(0.0),
            },
        ))
    }

    /// Whether some policy's payment is unbounded.
    fn unbounded(&self) -> bool {
        self.groups
            .iter()
            .any(|g| g.members.iter().any(|(_, t)| t.max_payment().is_infinite()))
    }

    /// The groups' payments with their policies' caps ascending and the rates of the policies
    /// capped at or above each, for Σ λᵢ·P(Yᵢ > x) at many x.
    fn exceedance_rates(&self) -> ExceedanceRates<'_> {
        let groups = self
            .groups
            .iter()
            .map(|g| {
                let mut caps: Vec<(f64, f64)> = g
                    .members
                    .iter()
                    .map(|(l, t)| (t.max_payment(), *l))
                    .collect();
                caps.sort_by(|a, b| a.0.total_cmp(&b.0));
                // above[i] = Σ of the rates of caps[i..].
                let mut above = vec![0.0; caps.len() + 1];
                for i in (0..caps.len()).rev() {
                    above[i] = above[i + 1] + caps[i].1;
                }
                let caps = caps.into_iter().map(|c| c.0).collect();
                (g.unlimited.covering(&g.severity), caps, above)
            })
            .collect();
        ExceedanceRates { groups }
    }

    /// The claim mixture Σ (λᵢ/Λ)·Yᵢ discretised on `grid`: its cells are the weighted sums of
    /// the policies' cells, built from one set per group (see [`Cells`]).
    fn mixture(&self, grid: &Grid, discretization: Discretization) -> Result<Vec<f64>> {
        let (h, m) = (grid.step(), grid.points());
        let n = m + 1;
        let mut mix = Cells::zero(h, n);
        for g in &self.groups {
            // The cell c = ⌊cap/h⌋ holding each cap (n: beyond the cells).
            let cell_of = |cap: f64| (cap / h).floor().min(n as f64) as usize;
            let top = g
                .members
                .iter()
                .map(|(_, t)| cell_of(t.max_payment()))
                .max()
                .unwrap_or(0);
            let payment = g.unlimited.covering(&g.severity);
            let second = discretization == Discretization::MomentMatching;
            let unlimited = Cells::of_payment(&payment, h, top.min(n - 1) + 1, second);
            let lev = |y: f64| payment.limited_expected_value(y);
            let lm2 = |y: f64| payment.limited_moment(2, y);
            // cut[c]: weight of the policies whose cells below c and nodes below `node` are the
            // unlimited payment's.
            let (mut cell_cut, mut node_cut) = (vec![0.0; n + 2], vec![0.0; n + 2]);
            for (lambda, t) in &g.members {
                let (w, cap) = (lambda / self.lambda, t.max_payment());
                let c = cell_of(cap);
                cell_cut[c] += w;
                if c >= n {
                    node_cut[n + 1] += w;
                    continue;
                }
                let x = c as f64 * h;
                if x == cap {
                    // The limit on node c: its atom there, nothing in cell c.
                    node_cut[c] += w;
                    mix.atoms[c] += w * t.covering(&g.severity).limit_probability();
                } else {
                    // The limit inside cell c: the capped payment's integrals over it.
                    node_cut[c + 1] += w;
                    let d1 = lev(cap) - lev(x);
                    mix.k0[c] += w * d1 / h;
                    mix.k1[c] += w * (lm2(cap) - lm2(x) - 2.0 * x * d1) / (h * h);
                }
            }
            // Suffix sums: cell j (node j) counts the policies cut above it.
            let (mut cells_above, mut nodes_above) = (cell_cut[n] + cell_cut[n + 1], 0.0);
            for j in (0..=n).rev() {
                if j < n {
                    if j < unlimited.k0.len() {
                        mix.k0[j] += cells_above * unlimited.k0[j];
                        mix.k1[j] += cells_above * unlimited.k1[j];
                    }
                    cells_above += cell_cut[j];
                }
                nodes_above += node_cut[j + 1];
                if j < unlimited.survival.len() {
                    mix.survival[j] += nodes_above * unlimited.survival[j];
                }
            }
        }
        match discretization {
            Discretization::MomentMatching => Ok(mix.moment_matching(m)),
            Discretization::MeanPreserving => Ok(mix.mean_preserving(m)),
            other => Err(Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "{other:?}: an exact portfolio uses moment matching (order 1 or 2)"
                ),
            }),
        }
    }
}

/// Per group: the payment without a limit, the policies' caps ascending and the rate of the
/// policies capped at or above each.
struct ExceedanceRates<'a> {
    groups: Vec<(Covered<'a, SeverityModel>, Vec<f64>, Vec<f64>)>,
}

impl ExceedanceRates<'_> {
    /// Σ λᵢ·P(Yᵢ > x): the rate of claims paying more than x.
    fn at(&self, x: f64) -> f64 {
        self.groups
            .iter()
            .map(|(payment, caps, above)| {
                let rate = above[caps.partition_point(|&c| c <= x)];
                if rate > 0.0 {
                    rate * payment.survival(x)
                } else {
                    0.0
                }
            })
            .sum()
    }
}
