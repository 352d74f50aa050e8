//! Rolling out-of-sample backtest of a rating plan on firm-year experience.

use super::experience::{AeRow, LimitedFluctuation, Measure, actual_vs_expected};
use super::ranking::{Calibration, LiftGroup, calibration, lift, ordered_lorenz};
use crate::error::{Error, Result};
use crate::rating::{GlmFamily, RatingPlan, RatingSpec};
use crate::simulation::{Observer, Progress};
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// One test year (or all test years pooled) of a rolling backtest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollingYear {
    /// The test year, or `all`.
    pub label: String,
    /// Training rows (years before the test year; for `all`, the sum over years).
    pub train_rows: usize,
    /// Test rows.
    pub test_rows: usize,
    /// Actual versus expected with interval, credibility and deviance.
    pub ae: AeRow,
    /// Gini index of the predictions against exposure (ordered Lorenz curve).
    pub gini: f64,
    /// Lift by prediction quintile (fewer groups if fewer rows).
    pub lift: Vec<LiftGroup>,
    /// Calibration by prediction decile (counts only).
    pub calibration: Option<Calibration>,
}

/// Per-year and pooled results of [`rolling_backtest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RollingBacktest {
    /// Family refitted each year.
    pub family: GlmFamily,
    /// One entry per test year, in time order.
    pub years: Vec<RollingYear>,
    /// All test years pooled.
    pub overall: RollingYear,
    /// Ordered Lorenz curve of the pooled out-of-sample predictions.
    pub lorenz: super::LorenzCurve,
}

/// What a rolling backtest refits, and on which window: the rating plan's factors and
/// GLM family, the year column, and the years of the first training window.
#[derive(Debug, Clone, Copy)]
pub struct BacktestSpec<'a> {
    /// The rating plan's response, exposure and factors.
    pub plan: &'a RatingSpec,
    /// Its GLM family.
    pub family: GlmFamily,
    /// The column of whole years.
    pub year_column: &'a str,
    /// Years in the first training window (≥ 1; at least one more year is tested).
    pub min_train_years: usize,
}

/// For each year t after the first `min_train_years` years in `year_column`, fits `spec`
/// with `family` on all earlier years, predicts year t (with its exposure), and compares
/// with what happened. Counts (Poisson, NB2) get Garwood intervals, Poisson deviance and
/// calibration; Tweedie pure premiums get Tweedie deviance. Gamma is refused (it models
/// severities of claims, not firm-years). A level first seen in a test year is an error
/// naming its line.
///
/// ```no_run
/// use kexian::backtest::{BacktestSpec, rolling_backtest};
/// use kexian::rating::{GlmFamily, RatingSpec};
/// use kexian::table::Table;
/// let table = Table::from_path("data/experience.csv")?;
/// let spec: RatingSpec = serde_json::from_str(r#"{"response": "claims", "exposure": "exposure",
///     "factors": [{"kind": "score_tier", "column": "score", "monotone": true},
///                 {"kind": "categorical", "column": "sector"}]}"#).unwrap();
/// let backtest = BacktestSpec {
///     plan: &spec,
///     family: GlmFamily::Poisson,
///     year_column: "year",
///     min_train_years: 2,
/// };
/// let bt = rolling_backtest(&table, &backtest, None)?;
/// println!("{}", bt.to_text());
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn rolling_backtest(
    table: &Table,
    backtest: &BacktestSpec,
    observer: Option<Observer>,
) -> Result<RollingBacktest> {
    const M: &str = "rolling_backtest";
    let BacktestSpec {
        plan: spec, family, ..
    } = *backtest;
    let measure = match family {
        GlmFamily::Poisson | GlmFamily::NegativeBinomial { .. } => Measure::Counts,
        GlmFamily::Tweedie { power } => Measure::Amounts { power },
        GlmFamily::Gamma => {
            return Err(Error::Inconsistent {
                model: M,
                message: "Gamma models claim severities; backtest firm-years with Poisson, NB2 \
                          or Tweedie"
                    .into(),
            });
        }
    };
    let response = table.column(&spec.response)?;
    let exposure = spec
        .exposure
        .as_deref()
        .map(|e| table.column(e))
        .transpose()?;
    let mut out = Vec::new();
    let (mut all_actual, mut all_predicted, mut all_base, mut all_train) =
        (vec![], vec![], vec![], 0);
    out_of_sample(table, backtest, observer, |t, train, test, predicted| {
        let actual: Vec<f64> = test
            .iter()
            .map(|&r| table.number(r, response))
            .collect::<Result<_>>()?;
        let base: Vec<f64> = match exposure {
            Some(c) => test
                .iter()
                .map(|&r| table.number(r, c))
                .collect::<Result<_>>()?,
            None => vec![1.0; test.len()],
        };
        out.push(summarize(
            t.to_string(),
            train.len(),
            &actual,
            predicted,
            &base,
            measure,
        )?);
        all_train += train.len();
        all_actual.extend(actual);
        all_predicted.extend_from_slice(predicted);
        all_base.extend(base);
        Ok(())
    })?;
    let overall = summarize(
        "all".into(),
        all_train,
        &all_actual,
        &all_predicted,
        &all_base,
        measure,
    )?;
    Ok(RollingBacktest {
        family,
        years: out,
        overall,
        lorenz: ordered_lorenz(&all_actual, &all_base, &all_predicted)?,
    })
}

/// Fits `spec` on all years before each test year t (after the first `min_train_years`
/// years of `year_column`) and calls `visit(t, training rows, test rows, predictions for
/// the test rows)`, telling `observer` the years done.
pub(super) fn out_of_sample(
    table: &Table,
    backtest: &BacktestSpec,
    observer: Option<Observer>,
    mut visit: impl FnMut(i64, &[usize], &[usize], &[f64]) -> Result<()>,
) -> Result<()> {
    const M: &str = "rolling_backtest";
    let BacktestSpec {
        plan: spec,
        family,
        year_column,
        min_train_years,
    } = *backtest;
    let ycol = table.column(year_column)?;
    let year: Vec<i64> = (0..table.len())
        .map(|r| {
            table
                .number_where(r, ycol, |v| v.fract() == 0.0, "a whole year")
                .map(|v| v as i64)
        })
        .collect::<Result<_>>()?;
    let mut years = year.clone();
    years.sort_unstable();
    years.dedup();
    if min_train_years == 0 || years.len() <= min_train_years {
        return Err(Error::Inconsistent {
            model: M,
            message: format!(
                "{} distinct years with {min_train_years} training years: need at least one \
                 training year and one test year",
                years.len()
            ),
        });
    }
    let tests = &years[min_train_years..];
    for (done, &t) in tests.iter().enumerate() {
        let train: Vec<usize> = (0..table.len()).filter(|&r| year[r] < t).collect();
        let test: Vec<usize> = (0..table.len()).filter(|&r| year[r] == t).collect();
        let plan = RatingPlan::fit(family, spec, &table.select(&train))?;
        let predicted = plan.predict(&table.select(&test))?;
        visit(t, &train, &test, &predicted)?;
        if let Some(o) = observer {
            let progress = Progress {
                stage: "test years",
                done: done as u64 + 1,
                total: tests.len() as u64,
            };
            if o(progress).is_break() {
                return Err(Error::Cancelled {
                    stage: "test years",
                });
            }
        }
    }
    Ok(())
}

fn summarize(
    label: String,
    train_rows: usize,
    actual: &[f64],
    predicted: &[f64],
    base: &[f64],
    measure: Measure,
) -> Result<RollingYear> {
    let segments = vec![label.as_str(); actual.len()];
    let ae = actual_vs_expected(
        &segments,
        actual,
        predicted,
        measure,
        0.95,
        LimitedFluctuation::default(),
    )?
    .total;
    let n = actual.len();
    Ok(RollingYear {
        label: label.clone(),
        train_rows,
        test_rows: n,
        ae: super::experience::AeRow {
            segment: label,
            ..ae
        },
        gini: ordered_lorenz(actual, base, predicted)?.gini,
        lift: lift(actual, predicted, n.min(5))?,
        calibration: match measure {
            Measure::Counts => Some(calibration(actual, predicted, n.min(10))?),
            Measure::Amounts { .. } => None,
        },
    })
}
