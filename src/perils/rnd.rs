//! R&D failure (研发费用损失 / 成果转化费用损失): a project passing through stages.

use super::{Peril, expectation, survival_draw_or_zero, survival_draws_or_zero};
use crate::coverage::{ClaimTerms, Term};
use crate::error::{Error, Result};
use crate::numerics::kernels::{CodePath, Normals};
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "RndProject";

/// One stage of a project (e.g. TRL bands: lab 1–4, pilot 中试 5–6, transfer 7–9; or drug
/// phases).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RndStage {
    /// Stage name.
    pub name: String,
    /// P(the stage succeeds), in \[0, 1\].
    pub success_probability: f64,
    /// Planned R&D expense of the stage (元, ≥ 0), incurred whether or not it succeeds.
    pub cost: f64,
    /// Planned duration (years, ≥ 0).
    #[serde(default)]
    pub years: f64,
}

/// An R&D project and its failure cover over the policy's term.
///
/// **The project.** Stages k = 1…K run in order; stage k lasts yₖ years (from Aₖ = y₁ + … +
/// yₖ₋₁ to Bₖ = Aₖ + yₖ) and succeeds with probability pₖ. Failing at stage k loses the
/// expense committed so far, Cₖ = c₁ + … + cₖ (times 1 + X for a cost overrun X when an
/// overrun severity is given), capped at the insured budget B; the cover pays
/// `terms(min(B, Cₖ(1 + X)))`.
///
/// **Time.** The policy starts at τ = A_s + t, the project being in stage s (`stage`, default
/// the first) for t years (`years_in_stage`), and runs for its [`Term`] h (one year by
/// default; `"project"`: to B_K). Stage k ≥ s fails
/// - `gates: "end"` (default): at its gate Bₖ, with probability 1 − pₖ;
/// - `gates: "hazard"`: at a constant rate within the stage, so that it survives u of its yₖ
///   years with probability pₖ^(u/yₖ) (a stage of 0 years is a gate).
///
/// With S(u) = P(alive at τ + u | alive at τ), the policy year j (the interval (j − 1, j]
/// after τ; year 1 includes a gate falling at τ itself) holds the failures
///
/// ```text
/// end gates:  P(fail at k in year j) = S(Bₖ − τ⁻)·(1 − pₖ)            if Bₖ − τ ∈ year j
/// hazard:     P(fail at k in year j) = S(lo) − S(hi),  [lo, hi] = stage k ∩ year j ∩ term
/// P(fail in the term) = Σ_{k,j} P(fail at k in year j)
/// E[payment] = Σ_{k,j} P(fail at k in year j) · vʲ · E[terms(min(B, Cₖ(1 + X)))],  v = 1/(1 + r)
/// ```
/// with r the `discount_rate` (default 0: undiscounted): a payment at the end of the policy
/// year in which the failure falls, valued at the policy's start. A one-year policy on a
/// project in its second year pays for the gates of that year only; a project-term policy,
/// the whole remaining path (from the start of the project: Σₖ p₁⋯pₖ₋₁(1 − pₖ) = 1 − Πpₖ).
/// Without overrun the sums are exact; with it each term is a one-dimensional integral over
/// X's quantile function.
///
/// ```
/// use kexian::perils::{Peril, RndProject};
/// let p: RndProject = serde_json::from_str(r#"{
///     "stages": [
///         {"name": "lab", "success_probability": 0.6, "cost": 2e6, "years": 1},
///         {"name": "pilot", "success_probability": 0.5, "cost": 5e6, "years": 1}],
///     "budget": 7e6}"#)?;
/// // A one-year policy from the start: the lab gate only (fails w.p. 0.4, loses 2m).
/// assert!((p.failure_probability() - 0.4).abs() < 1e-15);
/// assert!((p.expected_payment()? - 0.4 * 2e6).abs() < 1e-6);
/// // The project's term: the pilot's gate too (w.p. 0.6 · 0.5 = 0.3, loses 7m).
/// let whole: RndProject = serde_json::from_value({
///     let mut v = serde_json::to_value(&p)?;
///     v["term"] = "project".into();
///     v
/// })?;
/// assert!((whole.failure_probability() - 0.7).abs() < 1e-15);
/// assert!((whole.expected_payment()? - (0.4 * 2e6 + 0.3 * 7e6)).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RndSpec", into = "RndSpec")]
pub struct RndProject {
    spec: RndSpec,
    /// The failures the term covers, by stage and policy year (nonzero ones only).
    cells: Vec<Failure>,
    /// Cumulative expense Cₖ.
    cumulative: Vec<f64>,
    /// P(fail in the term), summed once (every event draws its cell against it).
    failure: f64,
}

/// A failure at one stage in one policy year.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Failure {
    stage: usize,
    /// Policy year, from 1.
    year: usize,
    probability: f64,
    /// v^year.
    discount: f64,
}

/// When a stage fails within its duration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Gates {
    /// At the end of the stage (its gate review).
    #[default]
    End,
    /// At a constant hazard within the stage.
    Hazard,
}

/// JSON form of [`RndProject`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RndSpec {
    /// Stages in order (at least one).
    pub stages: Vec<RndStage>,
    /// Insured budget B (元, > 0): the most expense the cover recognises.
    pub budget: f64,
    /// Cost overrun X ≥ 0 as a fraction of planned cost (e.g. lognormal body with a Pareto
    /// tail, see Flyvbjerg & Budzier 2011); none if absent.
    #[serde(default)]
    pub overrun: Option<SeverityModel>,
    /// Deductible, limit (maximum recognised expense) and share of the cover.
    #[serde(default)]
    pub terms: ClaimTerms,
    /// The stage the project is in when the policy starts (default: the first).
    #[serde(default)]
    pub stage: Option<String>,
    /// Years already spent in that stage (≥ 0, less than its duration; default 0).
    #[serde(default)]
    pub years_in_stage: f64,
    /// The policy's term (default one year).
    #[serde(default)]
    pub term: Term,
    /// When stages fail (default: at their end).
    #[serde(default)]
    pub gates: Gates,
    /// Annual rate the term's payments are discounted at (≥ 0; default 0).
    #[serde(default)]
    pub discount_rate: f64,
}

spec_conversions!(RndProject, RndSpec, spec);

impl RndProject {
    /// Validates the stages (non-empty; probabilities in \[0, 1\]; costs and years ≥ 0), the
    /// budget (> 0), the position (a known stage, 0 ≤ years in it < its duration), the term
    /// and the discount rate (≥ 0).
    pub fn new(spec: RndSpec) -> Result<Self> {
        if spec.stages.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "stages",
            });
        }
        validate::positive(MODEL, "budget", spec.budget)?;
        validate::non_negative(MODEL, "discount_rate", spec.discount_rate)?;
        for (i, s) in spec.stages.iter().enumerate() {
            let checks = [
                (
                    "stages.success_probability",
                    s.success_probability,
                    (0.0..=1.0).contains(&s.success_probability),
                    "in [0, 1]",
                ),
                (
                    "stages.cost",
                    s.cost,
                    s.cost.is_finite() && s.cost >= 0.0,
                    "finite and >= 0",
                ),
                (
                    "stages.years",
                    s.years,
                    s.years.is_finite() && s.years >= 0.0,
                    "finite and >= 0",
                ),
            ];
            for (parameter, value, ok, rule) in checks {
                if !ok {
                    return Err(Error::InvalidElement {
                        model: MODEL,
                        parameter,
                        index: i,
                        value,
                        rule,
                    });
                }
            }
        }
        if let Err(rule) = spec.term.check() {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: format!("term {:?}: {rule}", spec.term),
            });
        }
        let current = position(&spec)?;
        let cumulative = spec
            .stages
            .iter()
            .scan(0.0, |c, s| {
                *c += s.cost;
                Some(*c)
            })
            .collect();
        let cells = failures(&spec, current);
        let failure = cells.iter().map(|c| c.probability).sum();
        Ok(Self {
            spec,
            cells,
            cumulative,
            failure,
        })
    }

    /// The specification.
    pub fn spec(&self) -> &RndSpec {
        &self.spec
    }

    /// P(the project succeeds through its last stage) = Π pₖ, from its start.
    pub fn success_probability(&self) -> f64 {
        self.spec
            .stages
            .iter()
            .map(|s| s.success_probability)
            .product()
    }

    /// P(the project fails within the policy's term).
    pub fn failure_probability(&self) -> f64 {
        self.failure
    }

    /// P(fail at stage k within the term) for each stage.
    pub fn stage_failure_probabilities(&self) -> Vec<f64> {
        let mut out = vec![0.0; self.spec.stages.len()];
        for c in &self.cells {
            out[c.stage] += c.probability;
        }
        out
    }

    /// Years from the policy's start to the project's last gate, B_K − τ.
    pub fn remaining_years(&self) -> f64 {
        let total: f64 = self.spec.stages.iter().map(|s| s.years).sum();
        position(&self.spec).map_or(total, |(s, t)| total - self.start(s) - t)
    }

    /// Policy years of the term.
    pub fn policy_years(&self) -> usize {
        self.spec.term.policy_years(self.remaining_years())
    }

    /// Undiscounted expected payment in each policy year of the term (元): Σₖ P(fail at k
    /// in year j) E[terms(min(B, Cₖ(1 + X)))], j = 1…⌈h⌉.
    pub fn expected_payments_by_year(&self) -> Result<Vec<f64>> {
        let mut out = vec![0.0; self.policy_years()];
        for c in &self.cells {
            out[c.year - 1] += c.probability * self.mean_payment(c.stage);
        }
        Ok(out)
    }

    /// Expected duration from the project's start until success or failure (years):
    /// Σₖ P(reach k) yₖ.
    pub fn expected_years(&self) -> f64 {
        let mut reach = 1.0;
        let mut total = 0.0;
        for s in &self.spec.stages {
            total += reach * s.years;
            reach *= s.success_probability;
        }
        total
    }

    fn start(&self, stage: usize) -> f64 {
        self.spec.stages[..stage].iter().map(|s| s.years).sum()
    }

    /// The payment of the failure whose cell `u` (on \[0, P(fail in the term))) picks, with
    /// overrun `x`: the cells in order, each taking its probability's share of \[0, P).
    fn payment_at(&self, mut u: f64, x: f64) -> f64 {
        // A cell of probability 0 is never kept, so rounding that leaves u at the end falls
        // back to the last cell.
        let mut cell = self.cells[self.cells.len() - 1];
        for c in &self.cells {
            if u < c.probability {
                cell = *c;
                break;
            }
            u -= c.probability;
        }
        cell.discount * self.spec.terms.apply(self.loss(cell.stage, x))
    }

    fn loss(&self, k: usize, overrun: f64) -> f64 {
        (self.cumulative[k] * (1.0 + overrun)).min(self.spec.budget)
    }

    /// E[terms(min(B, Cₖ(1 + X)))].
    fn mean_payment(&self, k: usize) -> f64 {
        let terms = &self.spec.terms;
        match &self.spec.overrun {
            None => terms.apply(self.loss(k, 0.0)),
            Some(o) => expectation(o, |x| terms.apply(self.loss(k, x))),
        }
    }
}

/// The stage index s and years t in it where the policy starts.
fn position(spec: &RndSpec) -> Result<(usize, f64)> {
    let s = match &spec.stage {
        None => 0,
        Some(name) => spec
            .stages
            .iter()
            .position(|x| &x.name == name)
            .ok_or_else(|| Error::Inconsistent {
                model: MODEL,
                message: format!(
                    "stage `{name}` is not a stage of the project (stages: {})",
                    spec.stages
                        .iter()
                        .map(|x| x.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            })?,
    };
    let (t, y) = (spec.years_in_stage, spec.stages[s].years);
    let ok = t.is_finite() && t >= 0.0 && (t < y || t == 0.0);
    validate::rule(
        MODEL,
        "years_in_stage",
        t,
        ok,
        "finite, >= 0 and less than the stage's years",
    )?;
    Ok((s, t))
}

/// The term's failures by stage and policy year, for a policy starting `t` years into stage
/// `s` (see [`RndProject`]).
fn failures(spec: &RndSpec, (s, t): (usize, f64)) -> Vec<Failure> {
    let tau: f64 = spec.stages[..s].iter().map(|x| x.years).sum::<f64>() + t;
    let remaining = spec.stages[s..].iter().map(|x| x.years).sum::<f64>() - t;
    let horizon = match spec.term {
        Term::Years(h) => h,
        Term::Project => f64::INFINITY,
    };
    let years = spec.term.policy_years(remaining);
    let v = 1.0 / (1.0 + spec.discount_rate);
    // Policy year of a time u after τ (year 1 takes u ≤ 1, a gate at τ included).
    let year_of = |u: f64| (u.ceil().max(1.0) as usize).min(years);
    let mut cells = Vec::new();
    let mut push = |stage: usize, year: usize, probability: f64| {
        if probability > 0.0 {
            cells.push(Failure {
                stage,
                year,
                probability,
                discount: v.powi(year as i32),
            });
        }
    };
    let mut alive = 1.0;
    let mut from = spec.stages[..s].iter().map(|x| x.years).sum::<f64>();
    for (k, x) in spec.stages.iter().enumerate().skip(s) {
        // The stage's span after τ, [lo, hi].
        let (lo, hi) = ((from - tau).max(0.0), from + x.years - tau);
        from += x.years;
        if lo > horizon {
            break;
        }
        let p = x.success_probability;
        if spec.gates == Gates::End || x.years == 0.0 {
            if hi > horizon {
                break;
            }
            push(k, year_of(hi), alive * (1.0 - p));
            alive *= p;
            continue;
        }
        // Hazard: the stage's survival to u in [lo, hi] is p^((u − lo)/y), split by year.
        let end = hi.min(horizon);
        let mut u = lo;
        while u < end {
            let next = (u.floor() + 1.0).min(end);
            let (a, b) = ((u - lo) / x.years, (next - lo) / x.years);
            push(k, year_of(next), alive * (p.powf(a) - p.powf(b)));
            u = next;
        }
        alive *= p.powf((end - lo) / x.years);
        if hi > horizon {
            break;
        }
    }
    cells
}

impl Peril for RndProject {
    fn event_probability(&self) -> f64 {
        self.failure_probability()
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let u = rng.random::<f64>() * self.failure;
        let x = self.spec.overrun.as_ref().map_or(0.0, |o| o.sample(rng));
        self.payment_at(u, x)
    }

    fn pays_by_inversion(&self) -> bool {
        self.spec.overrun.as_ref().is_none_or(|o| o.invertible())
    }

    /// The failure's cell by `u`, the overrun X = S⁻¹(v).
    fn payment_by_inversion(&self, u: f64, v: f64) -> Option<f64> {
        let x = survival_draw_or_zero(self.spec.overrun.as_ref(), v)?;
        Some(self.payment_at(u, x))
    }

    fn payments_by_inversion(
        &self,
        u: &[f64],
        v: &mut [f64],
        normals: &mut Normals,
        path: CodePath,
    ) -> bool {
        if !survival_draws_or_zero(self.spec.overrun.as_ref(), v, normals, path) {
            return false;
        }
        for (&u, x) in u.iter().zip(v.iter_mut()) {
            *x = self.payment_at(u, *x);
        }
        true
    }

    fn expected_payment(&self) -> Result<f64> {
        Ok(self
            .cells
            .iter()
            .map(|c| c.probability * c.discount * self.mean_payment(c.stage))
            .sum())
    }

    fn payment_probability(&self) -> Result<f64> {
        let terms = &self.spec.terms;
        if terms.share() == 0.0 || terms.limit() <= terms.deductible() {
            return Ok(0.0);
        }
        // Pays iff c·min(B, Cₖ(1 + X)) > d.
        let threshold = terms.deductible() / terms.inflation();
        if self.spec.budget <= threshold {
            return Ok(0.0);
        }
        Ok(self
            .cells
            .iter()
            .map(|cell| {
                let c = self.cumulative[cell.stage];
                cell.probability
                    * match &self.spec.overrun {
                        None => f64::from(u8::from(c > threshold)),
                        Some(o) if c > 0.0 => {
                            let x = threshold / c - 1.0;
                            if x < 0.0 { 1.0 } else { o.survival(x) }
                        }
                        Some(_) => 0.0,
                    }
            })
            .sum())
    }
}
