//! R&D failure (研发费用损失 / 成果转化费用损失): a project passing through stages.

use super::{Peril, expectation};
use crate::coverage::ClaimTerms;
use crate::error::{Error, Result};
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

/// An R&D project and its failure cover. The project runs its stages in order; stage k
/// fails with probability 1 − p_k given that the earlier ones succeeded, and failure loses
/// the expense incurred so far, Cₖ = c₁ + … + cₖ (times 1 + X for a cost overrun X when an
/// overrun severity is given), capped at the insured budget B. The cover pays
/// `terms(min(B, Cₖ(1 + X)))`.
///
/// ```text
/// P(fail at k) = p₁⋯pₖ₋₁ (1 − pₖ),   P(success) = p₁⋯p_K
/// E[payment] = Σₖ P(fail at k) E[terms(min(B, Cₖ(1 + X)))]
/// ```
/// Without overrun the sums are exact; with it each term is a one-dimensional integral over
/// X's quantile function.
///
/// ```
/// use kexian::perils::{Peril, RndProject};
/// let p: RndProject = serde_json::from_str(r#"{
///     "stages": [
///         {"name": "lab", "success_probability": 0.6, "cost": 2e6},
///         {"name": "pilot", "success_probability": 0.5, "cost": 5e6}],
///     "budget": 7e6}"#)?;
/// // Fails in the lab w.p. 0.4 (loses 2m), in the pilot w.p. 0.3 (loses 7m).
/// assert!((p.failure_probability() - 0.7).abs() < 1e-15);
/// assert!((p.expected_payment()? - (0.4 * 2e6 + 0.3 * 7e6)).abs() < 1e-6);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "RndSpec", into = "RndSpec")]
pub struct RndProject {
    spec: RndSpec,
    /// P(fail at stage k).
    fail: Vec<f64>,
    /// Cumulative expense Cₖ.
    cumulative: Vec<f64>,
    /// Σₖ P(fail at stage k), summed once (every event draws its stage against it).
    failure: f64,
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
}

spec_conversions!(RndProject, RndSpec, spec);

impl RndProject {
    /// Validates the stages (non-empty; probabilities in \[0, 1\]; costs and years ≥ 0) and the
    /// budget (> 0).
    pub fn new(spec: RndSpec) -> Result<Self> {
        if spec.stages.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "stages",
            });
        }
        validate::positive(MODEL, "budget", spec.budget)?;
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
        let mut fail = Vec::with_capacity(spec.stages.len());
        let mut cumulative = Vec::with_capacity(spec.stages.len());
        let (mut reach, mut cost) = (1.0, 0.0);
        for s in &spec.stages {
            cost += s.cost;
            fail.push(reach * (1.0 - s.success_probability));
            cumulative.push(cost);
            reach *= s.success_probability;
        }
        let failure = fail.iter().sum();
        Ok(Self {
            spec,
            fail,
            cumulative,
            failure,
        })
    }

    /// The specification.
    pub fn spec(&self) -> &RndSpec {
        &self.spec
    }

    /// P(the project succeeds through its last stage) = Π pₖ.
    pub fn success_probability(&self) -> f64 {
        self.spec
            .stages
            .iter()
            .map(|s| s.success_probability)
            .product()
    }

    /// P(the project fails at some stage).
    pub fn failure_probability(&self) -> f64 {
        self.failure
    }

    /// P(fail at stage k) for each stage.
    pub fn stage_failure_probabilities(&self) -> &[f64] {
        &self.fail
    }

    /// Expected duration until success or failure (years): Σₖ P(reach k) yₖ.
    pub fn expected_years(&self) -> f64 {
        let mut reach = 1.0;
        let mut total = 0.0;
        for s in &self.spec.stages {
            total += reach * s.years;
            reach *= s.success_probability;
        }
        total
    }

    fn loss(&self, k: usize, overrun: f64) -> f64 {
        (self.cumulative[k] * (1.0 + overrun)).min(self.spec.budget)
    }
}

impl Peril for RndProject {
    fn event_probability(&self) -> f64 {
        self.failure_probability()
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let q = self.failure_probability();
        let mut u = rng.random::<f64>() * q;
        let mut k = self.fail.len() - 1;
        for (i, &f) in self.fail.iter().enumerate() {
            if u < f {
                k = i;
                break;
            }
            u -= f;
        }
        // A stage that cannot fail (probability 0) is never chosen unless rounding left u
        // at the end; then fall back to the last stage that can fail.
        if self.fail[k] == 0.0 {
            k = self.fail.iter().rposition(|&f| f > 0.0).unwrap_or(k);
        }
        let x = self.spec.overrun.as_ref().map_or(0.0, |o| o.sample(rng));
        self.spec.terms.apply(self.loss(k, x))
    }

    fn expected_payment(&self) -> Result<f64> {
        let terms = &self.spec.terms;
        Ok(self
            .fail
            .iter()
            .enumerate()
            .map(|(k, &f)| {
                if f == 0.0 {
                    return 0.0;
                }
                f * match &self.spec.overrun {
                    None => terms.apply(self.loss(k, 0.0)),
                    Some(o) => expectation(o, |x| terms.apply(self.loss(k, x))),
                }
            })
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
            .fail
            .iter()
            .zip(&self.cumulative)
            .map(|(&f, &c)| {
                f * match &self.spec.overrun {
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
