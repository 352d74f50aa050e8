//! Ranking power of a rating: ordered Lorenz curve and Gini index, lift and double lift.

use super::check_lengths;
use super::experience::element;
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// An ordered Lorenz curve (Frees, Meyers & Cummings 2011, "Summarizing insurance scores
/// using a Gini index", JASA 106): policies sorted by relativity score/premium, cumulative
/// premium share on x, cumulative loss share on y. Policies with equal relativity form one
/// straight segment, so the curve and the Gini index do not depend on the order of ties.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LorenzCurve {
    /// Cumulative premium shares, from 0 to 1.
    pub premium_share: Vec<f64>,
    /// Cumulative loss shares, from 0 to 1.
    pub loss_share: Vec<f64>,
    /// Gini index 1 − 2 × (area under the curve): 0 for a rating that does not rank, up to 1.
    /// When the total loss is 0 the curve is the diagonal and the Gini index is 0.
    pub gini: f64,
}

/// The ordered Lorenz curve and Gini index of `score` against the base `premium`
/// (e.g. the current plan's premium or the exposure) for observed `loss`.
///
/// ```
/// use kexian::backtest::ordered_lorenz;
/// // A score that puts all the loss in the last policy.
/// let c = ordered_lorenz(&[0.0, 0.0, 0.0, 4.0], &[1.0; 4], &[1.0, 2.0, 3.0, 4.0])?;
/// assert!((c.gini - 0.75).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn ordered_lorenz(loss: &[f64], premium: &[f64], score: &[f64]) -> Result<LorenzCurve> {
    check_lengths("Lorenz", loss.len(), premium.len())?;
    check_lengths("Lorenz", loss.len(), score.len())?;
    if loss.is_empty() {
        return Err(Error::Empty {
            model: "Lorenz",
            parameter: "loss",
        });
    }
    for i in 0..loss.len() {
        element(
            i,
            "loss",
            loss[i],
            loss[i].is_finite() && loss[i] >= 0.0,
            "finite and >= 0",
        )?;
        let p = premium[i];
        element(i, "premium", p, p.is_finite() && p > 0.0, "finite and > 0")?;
        let s = score[i];
        element(i, "score", s, s.is_finite() && s >= 0.0, "finite and >= 0")?;
    }
    let mut order: Vec<usize> = (0..loss.len()).collect();
    let relativity = |i: usize| score[i] / premium[i];
    order.sort_by(|&a, &b| relativity(a).total_cmp(&relativity(b)));
    let total_premium: f64 = premium.iter().sum();
    let total_loss: f64 = loss.iter().sum();
    let mut premium_share = vec![0.0];
    let mut loss_share = vec![0.0];
    let (mut cp, mut cl) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        cp += premium[i];
        cl += loss[i];
        let last_of_tie = order
            .get(k + 1)
            .is_none_or(|&j| relativity(j) != relativity(i));
        if last_of_tie {
            premium_share.push(cp / total_premium);
            loss_share.push(if total_loss > 0.0 {
                cl / total_loss
            } else {
                cp / total_premium
            });
        }
    }
    let area: f64 = premium_share
        .windows(2)
        .zip(loss_share.windows(2))
        .map(|(f, l)| (f[1] - f[0]) * (l[1] + l[0]) / 2.0)
        .sum();
    Ok(LorenzCurve {
        premium_share,
        loss_share,
        gini: 1.0 - 2.0 * area,
    })
}

/// The classical Gini index of a sample of non-negative values (the ordered Lorenz curve
/// with equal premiums and the values as score): 2Φ(σ/√2) − 1 for lognormal(σ) and
/// 1/(2α − 1) for Pareto(α) populations.
pub fn gini(values: &[f64]) -> Result<f64> {
    Ok(ordered_lorenz(values, &vec![1.0; values.len()], values)?.gini)
}

/// One group of a lift or calibration table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LiftGroup {
    /// Rows in the group.
    pub rows: usize,
    /// Σ prediction.
    pub sum_predicted: f64,
    /// Σ actual.
    pub sum_actual: f64,
    /// Mean prediction.
    pub mean_predicted: f64,
    /// Mean actual.
    pub mean_actual: f64,
    /// Σ actual / Σ predicted (`None` if nothing was predicted).
    pub ratio: Option<f64>,
}

/// Rows sorted by `key` (ties keep input order) and cut into `groups` groups of equal count
/// (the first `n mod groups` groups one row larger, as numpy's `array_split`).
pub(crate) fn grouped(
    key: impl Fn(usize) -> f64,
    n: usize,
    groups: usize,
) -> Result<Vec<Vec<usize>>> {
    if groups == 0 || groups > n {
        return Err(Error::Inconsistent {
            model: "lift",
            message: format!("{groups} groups for {n} rows: need 1 <= groups <= rows"),
        });
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| key(a).total_cmp(&key(b)));
    let (size, extra) = (n / groups, n % groups);
    let mut out = Vec::with_capacity(groups);
    let mut start = 0;
    for g in 0..groups {
        let len = size + usize::from(g < extra);
        out.push(order[start..start + len].to_vec());
        start += len;
    }
    Ok(out)
}

pub(crate) fn check_predictions(actual: &[f64], predicted: &[f64]) -> Result<()> {
    check_lengths("lift", actual.len(), predicted.len())?;
    for i in 0..actual.len() {
        let a = actual[i];
        element(i, "actual", a, a.is_finite() && a >= 0.0, "finite and >= 0")?;
        let p = predicted[i];
        element(
            i,
            "predicted",
            p,
            p.is_finite() && p >= 0.0,
            "finite and >= 0",
        )?;
    }
    Ok(())
}

fn summarize(rows: &[usize], actual: &[f64], predicted: &[f64]) -> LiftGroup {
    let a: f64 = rows.iter().map(|&i| actual[i]).sum();
    let p: f64 = rows.iter().map(|&i| predicted[i]).sum();
    let n = rows.len() as f64;
    LiftGroup {
        rows: rows.len(),
        sum_predicted: p,
        sum_actual: a,
        mean_predicted: p / n,
        mean_actual: a / n,
        ratio: (p > 0.0).then(|| a / p),
    }
}

/// Lift table: rows sorted by prediction into `groups` equal-count groups (deciles for 10);
/// a rating that ranks well shows mean actual rising with the group.
pub fn lift(actual: &[f64], predicted: &[f64], groups: usize) -> Result<Vec<LiftGroup>> {
    check_predictions(actual, predicted)?;
    Ok(grouped(|i| predicted[i], actual.len(), groups)?
        .iter()
        .map(|g| summarize(g, actual, predicted))
        .collect())
}

/// One group of a premium lift table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PremiumLiftGroup {
    /// Rows in the group.
    pub rows: usize,
    /// Σ base premium (the premium charged today).
    pub premium: f64,
    /// Σ the new rating's prediction.
    pub predicted: f64,
    /// Σ actual losses.
    pub actual: f64,
    /// Σ predicted / Σ premium: the rate change the new rating indicates.
    pub indicated: f64,
    /// Σ actual / Σ premium: the loss ratio at today's premium.
    pub loss_ratio: f64,
    /// Σ actual / Σ predicted (`None` if nothing was predicted).
    pub actual_to_predicted: Option<f64>,
}

/// Lift against a base premium: rows sorted by the ratio of the new rating's prediction to
/// the premium charged today (each > 0) into `groups` equal-count groups, with sums. If the
/// new rating is better, the loss ratio at today's premium rises with the indicated change
/// while actual / predicted stays flat.
///
/// ```
/// use kexian::backtest::premium_lift;
/// let premium = [10.0, 10.0, 10.0, 10.0];
/// let predicted = [4.0, 6.0, 9.0, 15.0];
/// let actual = [3.0, 7.0, 8.0, 16.0];
/// let t = premium_lift(&actual, &predicted, &premium, 2)?;
/// assert_eq!((t[0].premium, t[0].actual, t[1].loss_ratio), (20.0, 10.0, 1.2));
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn premium_lift(
    actual: &[f64],
    predicted: &[f64],
    premium: &[f64],
    groups: usize,
) -> Result<Vec<PremiumLiftGroup>> {
    check_predictions(actual, predicted)?;
    check_lengths("lift", actual.len(), premium.len())?;
    for (i, &b) in premium.iter().enumerate() {
        element(i, "premium", b, b.is_finite() && b > 0.0, "finite and > 0")?;
    }
    Ok(
        grouped(|i| predicted[i] / premium[i], actual.len(), groups)?
            .iter()
            .map(|g| {
                let sum = |v: &[f64]| g.iter().map(|&i| v[i]).sum::<f64>();
                let (b, p, a) = (sum(premium), sum(predicted), sum(actual));
                PremiumLiftGroup {
                    rows: g.len(),
                    premium: b,
                    predicted: p,
                    actual: a,
                    indicated: p / b,
                    loss_ratio: a / b,
                    actual_to_predicted: (p > 0.0).then(|| a / p),
                }
            })
            .collect(),
    )
}

/// One group of a double-lift table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DoubleLiftGroup {
    /// Rows in the group.
    pub rows: usize,
    /// Mean of model A's predictions.
    pub mean_a: f64,
    /// Mean of model B's predictions.
    pub mean_b: f64,
    /// Mean actual.
    pub mean_actual: f64,
}

/// Double lift: rows sorted by the ratio A/B of two ratings' predictions (positive) into
/// `groups` groups; where the ratings disagree, the one whose means track the actual wins.
pub fn double_lift(
    actual: &[f64],
    model_a: &[f64],
    model_b: &[f64],
    groups: usize,
) -> Result<Vec<DoubleLiftGroup>> {
    check_predictions(actual, model_a)?;
    check_predictions(actual, model_b)?;
    for (i, &b) in model_b.iter().enumerate() {
        element(i, "model_b", b, b > 0.0, "> 0 (it divides)")?;
    }
    Ok(grouped(|i| model_a[i] / model_b[i], actual.len(), groups)?
        .iter()
        .map(|g| {
            let n = g.len() as f64;
            let mean = |v: &[f64]| g.iter().map(|&i| v[i]).sum::<f64>() / n;
            DoubleLiftGroup {
                rows: g.len(),
                mean_a: mean(model_a),
                mean_b: mean(model_b),
                mean_actual: mean(actual),
            }
        })
        .collect())
}

/// Calibration by bin of prediction with a χ² goodness-of-fit test.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// Bins in increasing prediction.
    pub bins: Vec<LiftGroup>,
    /// Σ_bins (O − E)² / E on the bins' total counts.
    pub statistic: f64,
    /// Degrees of freedom (the number of bins: predictions made out of sample).
    pub degrees_of_freedom: usize,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

/// Calibration of predicted claim counts (each > 0) against actual counts in `bins`
/// equal-count bins of prediction. For predictions fitted on the same data the statistic
/// is conservative (a Hosmer–Lemeshow test would use fewer degrees of freedom).
pub fn calibration(actual: &[f64], predicted: &[f64], bins: usize) -> Result<Calibration> {
    check_predictions(actual, predicted)?;
    for (i, &p) in predicted.iter().enumerate() {
        element(i, "predicted", p, p > 0.0, "> 0")?;
    }
    let groups = grouped(|i| predicted[i], actual.len(), bins)?;
    let statistic = groups
        .iter()
        .map(|g| {
            let o: f64 = g.iter().map(|&i| actual[i]).sum();
            let e: f64 = g.iter().map(|&i| predicted[i]).sum();
            (o - e).powi(2) / e
        })
        .sum();
    Ok(Calibration {
        bins: groups
            .iter()
            .map(|g| summarize(g, actual, predicted))
            .collect(),
        statistic,
        degrees_of_freedom: bins,
        p_value: super::chi_square_survival(statistic, bins as f64),
    })
}
