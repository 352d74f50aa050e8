//! Actual versus expected by segment: ratios, exact Poisson intervals, limited-fluctuation
//! credibility and deviance.

use super::check_lengths;
use crate::error::{Error, Result};
use crate::numerics::{normal_quantile, validate};
use crate::rating::GlmFamily;
use crate::severity::{Gamma, Severity};
use serde::{Deserialize, Serialize};

const MODEL: &str = "ActualVsExpected";

/// Exact (Garwood 1936) confidence interval for a Poisson mean, divided by `expected`: the
/// A/E interval for `actual` claims (a whole number) when `expected` were predicted.
///
/// ```text
/// lower = χ²_{2A}(α/2) / (2E)   (0 when A = 0),   upper = χ²_{2A+2}(1 − α/2) / (2E)
/// ```
///
/// ```
/// use kexian::backtest::garwood_interval;
/// let (lo, hi) = garwood_interval(0.0, 2.5, 0.95)?;
/// assert_eq!(lo, 0.0);
/// assert!((hi - 3.688879454113936 / 2.5).abs() < 1e-9); // −ln(0.025)/2.5
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn garwood_interval(actual: f64, expected: f64, confidence: f64) -> Result<(f64, f64)> {
    let whole = actual.is_finite() && actual >= 0.0 && actual.fract() == 0.0;
    validate::rule(MODEL, "actual", actual, whole, "a whole number >= 0")?;
    validate::positive(MODEL, "expected", expected)?;
    validate::open_probability(MODEL, "confidence", confidence)?;
    let alpha = 1.0 - confidence;
    // χ²_k quantile / 2 = Gamma(k/2, 1) quantile.
    let lower = if actual == 0.0 {
        0.0
    } else {
        Gamma::from_shape_scale(actual, 1.0)?.quantile(alpha / 2.0)
    };
    let upper = Gamma::from_shape_scale(actual + 1.0, 1.0)?.quantile(1.0 - alpha / 2.0);
    Ok((lower / expected, upper / expected))
}

/// The limited-fluctuation standard: actual is within ±`tolerance` of expected with
/// `probability` once the expected number of claims reaches (z_{(1+p)/2} / k)² (1082 claims
/// for p = 0.90, k = 0.05); below it, partial credibility Z = √(n / n_full).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitedFluctuation {
    /// Probability p, in (0, 1).
    pub probability: f64,
    /// Tolerance k, in (0, 1).
    pub tolerance: f64,
}

impl Default for LimitedFluctuation {
    fn default() -> Self {
        Self {
            probability: 0.90,
            tolerance: 0.05,
        }
    }
}

impl LimitedFluctuation {
    /// Claims needed for full credibility, (z_{(1+p)/2} / k)².
    pub fn full_credibility_claims(&self) -> Result<f64> {
        validate::open_probability(MODEL, "probability", self.probability)?;
        validate::open_probability(MODEL, "tolerance", self.tolerance)?;
        Ok((normal_quantile((1.0 + self.probability) / 2.0) / self.tolerance).powi(2))
    }

    /// Credibility min(1, √(claims / n_full)) of `claims` observed claims.
    pub fn factor(&self, claims: f64) -> Result<f64> {
        validate::non_negative(MODEL, "claims", claims)?;
        Ok((claims / self.full_credibility_claims()?).sqrt().min(1.0))
    }
}

/// What is being compared, which fixes the interval and the deviance.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Measure {
    /// Claim counts (whole numbers): Garwood interval, Poisson deviance.
    Counts,
    /// Amounts: no interval; Tweedie deviance with this power (1 < p < 2).
    Amounts {
        /// Tweedie power.
        power: f64,
    },
}

/// Unit deviance d(y, μ) with μ > 0: Poisson, Gamma (y > 0) or Tweedie 1 < p < 2, as in
/// statsmodels' `family.deviance`.
pub fn deviance(family: DevianceFamily, actual: &[f64], expected: &[f64]) -> Result<f64> {
    check_lengths(MODEL, actual.len(), expected.len())?;
    let mut total = 0.0;
    for (i, (&y, &m)) in actual.iter().zip(expected).enumerate() {
        let y_ok = y.is_finite()
            && if family == DevianceFamily::Gamma {
                y > 0.0
            } else {
                y >= 0.0
            };
        element(i, "actual", y, y_ok, "finite and >= 0 (> 0 for Gamma)")?;
        element(i, "expected", m, m.is_finite() && m > 0.0, "finite and > 0")?;
        total += family.unit(y, m);
    }
    Ok(total)
}

/// Deviance family for [`deviance`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DevianceFamily {
    /// 2[y ln(y/μ) − (y − μ)].
    Poisson,
    /// 2[−ln(y/μ) + (y − μ)/μ].
    Gamma,
    /// 2[y^{2−p}/((1−p)(2−p)) − yμ^{1−p}/(1−p) + μ^{2−p}/(2−p)].
    Tweedie {
        /// Power p in (1, 2).
        power: f64,
    },
}

impl DevianceFamily {
    /// The same unit deviance as the GLM family's.
    fn unit(self, y: f64, m: f64) -> f64 {
        let family = match self {
            Self::Poisson => GlmFamily::Poisson,
            Self::Gamma => GlmFamily::Gamma,
            Self::Tweedie { power } => GlmFamily::Tweedie { power },
        };
        family.unit_deviance(y, m)
    }
}

/// One segment's actual versus expected.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AeRow {
    /// Segment label (`total` for the whole book).
    pub segment: String,
    /// Rows in the segment.
    pub rows: usize,
    /// Σ actual.
    pub actual: f64,
    /// Σ expected.
    pub expected: f64,
    /// A/E; `None` when nothing was expected.
    pub ratio: Option<f64>,
    /// Interval for A/E (counts only; `None` for amounts or when nothing was expected).
    pub interval: Option<(f64, f64)>,
    /// Limited-fluctuation credibility of the segment's actual claim count (counts only, else 0).
    pub credibility: f64,
    /// Deviance Σ d(y, μ) over rows with μ > 0; `None` if a row with μ = 0 has y > 0
    /// (infinite deviance).
    pub deviance: Option<f64>,
    /// Exact two-sided Poisson test of A = E ([`poisson_test`]; counts only, `None` when
    /// nothing was expected).
    pub p_value: Option<f64>,
    /// Deviance goodness of fit P(χ²_df ≥ deviance), df = rows with μ > 0 (counts only: the
    /// predictions are taken as given, not fitted on these rows).
    pub deviance_p_value: Option<f64>,
}

/// Exact two-sided p-value of observing `actual` claims (a whole number) when `expected`
/// were predicted, X ~ Poisson(expected): min(1, 2·min(P(X ≤ A), P(X ≥ A))), the central
/// test whose acceptance region is the [`garwood_interval`] (R's `poisson.test` uses the
/// minimum-likelihood two-sided rule instead, which can differ slightly).
///
/// ```
/// use kexian::backtest::poisson_test;
/// // 10 claims where 5 were expected: P(X ≥ 10) = 0.0318 for Poisson(5), doubled.
/// assert!((poisson_test(10.0, 5.0)? - 0.06365611461240962).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn poisson_test(actual: f64, expected: f64) -> Result<f64> {
    use crate::numerics::special::{gamma_p, gamma_q};
    let whole = actual.is_finite() && actual >= 0.0 && actual.fract() == 0.0;
    validate::rule(MODEL, "actual", actual, whole, "a whole number >= 0")?;
    validate::positive(MODEL, "expected", expected)?;
    let at_most = gamma_q(actual + 1.0, expected);
    let at_least = if actual == 0.0 {
        1.0
    } else {
        gamma_p(actual, expected)
    };
    Ok((2.0 * at_most.min(at_least)).min(1.0))
}

/// Actual versus expected by segment, plus the total.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ActualVsExpected {
    /// What was compared.
    pub measure: Measure,
    /// Confidence of the intervals.
    pub confidence: f64,
    /// Segments in first-appearance order.
    pub segments: Vec<AeRow>,
    /// The whole book.
    pub total: AeRow,
}

/// A/E by segment. `expected` may be 0 for a row (and a whole segment: its ratio and
/// interval are then `None`); counts must be whole numbers for [`Measure::Counts`].
///
/// ```
/// use kexian::backtest::{actual_vs_expected, LimitedFluctuation, Measure};
/// let tiers = ["T1", "T1", "T2", "T2"];
/// let ae = actual_vs_expected(&tiers, &[3.0, 1.0, 0.0, 1.0], &[1.5, 1.5, 1.0, 1.0],
///     Measure::Counts, 0.95, LimitedFluctuation::default())?;
/// assert_eq!(ae.segments[0].ratio, Some(4.0 / 3.0));
/// assert_eq!(ae.total.ratio, Some(1.0));
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn actual_vs_expected<S: AsRef<str>>(
    segments: &[S],
    actual: &[f64],
    expected: &[f64],
    measure: Measure,
    confidence: f64,
    credibility: LimitedFluctuation,
) -> Result<ActualVsExpected> {
    check_lengths(MODEL, segments.len(), actual.len())?;
    check_lengths(MODEL, actual.len(), expected.len())?;
    if actual.is_empty() {
        return Err(Error::Empty {
            model: MODEL,
            parameter: "actual",
        });
    }
    validate::open_probability(MODEL, "confidence", confidence)?;
    credibility.full_credibility_claims()?;
    let family = match measure {
        Measure::Counts => DevianceFamily::Poisson,
        Measure::Amounts { power } => {
            let ok = power > 1.0 && power < 2.0;
            validate::rule(MODEL, "power", power, ok, "in (1, 2)")?;
            DevianceFamily::Tweedie { power }
        }
    };
    for (i, (&y, &m)) in actual.iter().zip(expected).enumerate() {
        let whole = measure != Measure::Counts || y.fract() == 0.0;
        element(
            i,
            "actual",
            y,
            y.is_finite() && y >= 0.0 && whole,
            "finite, >= 0 (whole counts)",
        )?;
        element(
            i,
            "expected",
            m,
            m.is_finite() && m >= 0.0,
            "finite and >= 0",
        )?;
    }
    let mut labels: Vec<&str> = Vec::new();
    for s in segments {
        if !labels.contains(&s.as_ref()) {
            labels.push(s.as_ref());
        }
    }
    let row = |label: &str, members: &[usize]| -> Result<AeRow> {
        let a: f64 = members.iter().map(|&i| actual[i]).sum();
        let e: f64 = members.iter().map(|&i| expected[i]).sum();
        let counts = measure == Measure::Counts;
        let interval = if counts && e > 0.0 {
            Some(garwood_interval(a, e, confidence)?)
        } else {
            None
        };
        let infinite = members
            .iter()
            .any(|&i| expected[i] == 0.0 && actual[i] > 0.0);
        let deviance = (!infinite).then(|| {
            members
                .iter()
                .filter(|&&i| expected[i] > 0.0)
                .map(|&i| family.unit(actual[i], expected[i]))
                .sum()
        });
        let p_value = if counts && e > 0.0 {
            Some(poisson_test(a, e)?)
        } else {
            None
        };
        let fitted = members.iter().filter(|&&i| expected[i] > 0.0).count();
        let deviance_p_value = deviance
            .filter(|_| counts && fitted > 0)
            .map(|d| super::chi_square_survival(d, fitted as f64));
        Ok(AeRow {
            segment: label.to_owned(),
            rows: members.len(),
            actual: a,
            expected: e,
            ratio: (e > 0.0).then(|| a / e),
            interval,
            credibility: if counts { credibility.factor(a)? } else { 0.0 },
            deviance,
            p_value,
            deviance_p_value,
        })
    };
    let rows = labels
        .iter()
        .map(|l| {
            let members: Vec<usize> = (0..segments.len())
                .filter(|&i| segments[i].as_ref() == *l)
                .collect();
            row(l, &members)
        })
        .collect::<Result<Vec<_>>>()?;
    let all: Vec<usize> = (0..actual.len()).collect();
    Ok(ActualVsExpected {
        measure,
        confidence,
        segments: rows,
        total: row("total", &all)?,
    })
}

pub(crate) fn element(
    i: usize,
    name: &'static str,
    v: f64,
    ok: bool,
    rule: &'static str,
) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidElement {
            model: "backtest",
            parameter: name,
            index: i,
            value: v,
            rule,
        })
    }
}
