//! Loss-ratio backtest: the premiums a rating plan would have charged each test year against
//! the losses that followed, by year and by segment.

use super::rolling::{BacktestSpec, out_of_sample};
use crate::error::{Error, Result};
use crate::numerics::validate;
use crate::rating::GlmFamily;
use crate::simulation::Observer;
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// One year, segment or the whole test period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossRatioRow {
    /// Year, segment level or `all`.
    pub label: String,
    /// Firm-years.
    pub rows: usize,
    /// Premium the plan would have charged (元): expected loss / (1 − loading ratio).
    pub premium: f64,
    /// Expected loss (元): predicted claims × the training years' mean severity.
    pub expected: f64,
    /// Losses that followed (元).
    pub losses: f64,
    /// Loss ratio = losses / premium (`None` without premium).
    pub loss_ratio: Option<f64>,
    /// Actual / expected losses (`None` without expected loss).
    pub ratio: Option<f64>,
    /// 95% interval of A/E under the plan: A/E ± 1.96·√Var/E, Var = Σ λ̂·E\[X²\] (compound
    /// Poisson, normal approximation; lower end ≥ 0).
    pub interval: Option<(f64, f64)>,
}

/// Result of [`loss_ratio_backtest`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LossRatioBacktest {
    /// Column of the losses.
    pub losses_column: String,
    /// Column the segments come from.
    pub segment_column: String,
    /// Loading ratio of the premium (expense + commission + profit).
    pub loading_ratio: f64,
    /// By test year.
    pub years: Vec<LossRatioRow>,
    /// By segment, over all test years.
    pub segments: Vec<LossRatioRow>,
    /// All test years.
    pub overall: LossRatioRow,
}

/// For each test year t (as [`super::rolling_backtest`]): fits the claim-count plan `spec`
/// (Poisson or NB2) on the years before t and prices t's firm-years at
///
/// ```text
/// expected_i = λ̂_i · x̄,    x̄ = Σ losses / Σ claims,   E[X²] ≈ Σ losses² / Σ claims (training)
/// premium_i  = expected_i / (1 − loading_ratio)
/// ```
/// (E\[X²\] from firm-year totals, an upper bound when a firm-year has several claims:
/// conservative intervals). Then compares the premiums and expected losses with the losses
/// of `losses_column`, by year and by `segment_column` level.
pub fn loss_ratio_backtest(
    table: &Table,
    backtest: &BacktestSpec,
    (losses_column, segment_column): (&str, &str),
    loading_ratio: f64,
    observer: Option<Observer>,
) -> Result<LossRatioBacktest> {
    const M: &str = "loss_ratio_backtest";
    let BacktestSpec {
        plan: spec, family, ..
    } = *backtest;
    if !matches!(
        family,
        GlmFamily::Poisson | GlmFamily::NegativeBinomial { .. }
    ) {
        return Err(Error::Inconsistent {
            model: M,
            message: "the loss-ratio backtest prices claim counts: use a Poisson or NB2 plan"
                .into(),
        });
    }
    validate::rule(
        M,
        "loading_ratio",
        loading_ratio,
        (0.0..1.0).contains(&loading_ratio),
        "in [0, 1)",
    )?;
    let claims = table.column(&spec.response)?;
    let losses = table.column(losses_column)?;
    let segment = table.column(segment_column)?;
    let mut rows: Vec<(i64, usize, [f64; 3])> = Vec::new();
    out_of_sample(table, backtest, observer, |t, train, test, predicted| {
        let (mut n, mut sum, mut sum_sq) = (0.0, 0.0, 0.0);
        for &r in train {
            let x = table.number_where(r, losses, plausible, LOSS_RULE)?;
            n += table.number(r, claims)?;
            sum += x;
            sum_sq += x * x;
        }
        if n <= 0.0 {
            return Err(Error::Inconsistent {
                model: M,
                message: format!("no claims in the years before {t}: no severity to price with"),
            });
        }
        for (&r, &lambda) in test.iter().zip(predicted) {
            let x = table.number_where(r, losses, plausible, LOSS_RULE)?;
            rows.push((t, r, [lambda * sum / n, lambda * sum_sq / n, x]));
        }
        Ok(())
    })?;
    let row = |label: String, of: &mut dyn Iterator<Item = &[f64; 3]>| {
        let (mut count, mut e, mut v, mut l) = (0, 0.0, 0.0, 0.0);
        for x in of {
            count += 1;
            e += x[0];
            v += x[1];
            l += x[2];
        }
        let premium = e / (1.0 - loading_ratio);
        let ratio = (e > 0.0).then(|| l / e);
        LossRatioRow {
            label,
            rows: count,
            premium,
            expected: e,
            losses: l,
            loss_ratio: (premium > 0.0).then(|| l / premium),
            ratio,
            interval: ratio.map(|a| {
                let half = 1.96 * v.sqrt() / e;
                ((a - half).max(0.0), a + half)
            }),
        }
    };
    let mut years: Vec<i64> = rows.iter().map(|r| r.0).collect();
    years.dedup();
    let mut levels: Vec<&str> = rows.iter().map(|r| table.text(r.1, segment)).collect();
    levels.sort_unstable();
    levels.dedup();
    Ok(LossRatioBacktest {
        losses_column: losses_column.into(),
        segment_column: segment_column.into(),
        loading_ratio,
        years: years
            .iter()
            .map(|&y| {
                row(
                    y.to_string(),
                    &mut rows.iter().filter(|r| r.0 == y).map(|r| &r.2),
                )
            })
            .collect(),
        segments: levels
            .iter()
            .map(|&s| {
                row(
                    s.into(),
                    &mut rows
                        .iter()
                        .filter(|r| table.text(r.1, segment) == s)
                        .map(|r| &r.2),
                )
            })
            .collect(),
        overall: row("all".into(), &mut rows.iter().map(|r| &r.2)),
    })
}

/// A loss the backtest accepts: ≥ 0 and at most 10¹⁵ 元 (a larger one is a unit mistake, and
/// its square would overflow the variance to ∞ and every ratio to null).
fn plausible(v: f64) -> bool {
    (0.0..=1e15).contains(&v)
}

const LOSS_RULE: &str = "a loss in [0, 1e15] 元";

#[cfg(all(test, feature = "io"))]
mod tests {
    use super::*;
    use crate::rating::RatingSpec;

    /// Two years, one firm per year of each sector; year 2 is priced from year 1's claims:
    /// λ̂ = 1 claim per unit of exposure (intercept-only Poisson: 2 claims / 2 exposure),
    /// x̄ = (300 + 100)/2 = 200, E[X²] ≈ (300² + 100²)/2 = 50,000.
    #[test]
    fn an_overflowing_loss_is_refused_at_its_line() {
        let csv = "year,exposure,claims,incurred\n1,1,1,300\n1,1,1,1e308\n2,1,0,0\n";
        let table = Table::from_reader("t.csv", csv.as_bytes()).unwrap();
        let spec: RatingSpec = serde_json::from_str(
            r#"{"response": "claims", "exposure": "exposure", "factors": []}"#,
        )
        .unwrap();
        let e = loss_ratio_backtest(
            &table,
            &BacktestSpec {
                plan: &spec,
                family: GlmFamily::Poisson,
                year_column: "year",
                min_train_years: 1,
            },
            ("incurred", "year"),
            0.25,
            None,
        )
        .unwrap_err()
        .to_string();
        // The cell as written, not its 309 digits.
        assert!(e.contains("line 3") && e.contains("`1e308` must be") && e.contains("1e15"));
    }

    #[test]
    fn premiums_and_loss_ratios_by_hand() {
        let csv = "year,sector,exposure,claims,incurred\n\
                   1,a,1,1,300\n1,b,1,1,100\n2,a,1,0,0\n2,b,2,3,900\n";
        let table = Table::from_reader("t.csv", csv.as_bytes()).unwrap();
        let spec: RatingSpec = serde_json::from_str(
            r#"{"response": "claims", "exposure": "exposure", "factors": []}"#,
        )
        .unwrap();
        let bt = loss_ratio_backtest(
            &table,
            &BacktestSpec {
                plan: &spec,
                family: GlmFamily::Poisson,
                year_column: "year",
                min_train_years: 1,
            },
            ("incurred", "sector"),
            0.2,
            None,
        )
        .unwrap();
        let all = &bt.overall;
        // Expected: exposure 1 → 200, exposure 2 → 400; premium 600 / 0.8 = 750.
        assert!((all.expected - 600.0).abs() < 1e-6 && (all.premium - 750.0).abs() < 1e-6);
        assert_eq!(all.losses, 900.0);
        assert!((all.loss_ratio.unwrap() - 1.2).abs() < 1e-9);
        // Var = Σ λ̂·E[X²] = 3 × 50,000; half width 1.96·√150000/600.
        let half = 1.96 * 150_000f64.sqrt() / 600.0;
        let (lo, hi) = all.interval.unwrap();
        assert!((hi - (1.5 + half)).abs() < 1e-9 && (lo - (1.5 - half)).abs() < 1e-9);
        assert_eq!(bt.segments.len(), 2);
        assert_eq!(bt.segments[0].losses, 0.0);
        assert!((bt.segments[1].ratio.unwrap() - 900.0 / 400.0).abs() < 1e-9);
    }
}
