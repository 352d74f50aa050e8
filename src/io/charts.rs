//! Diagnostic charts of a fit as SVG (plotters): probability–probability and
//! quantile–quantile against the product-limit estimate (which accounts for the deductibles'
//! left truncation and the limits' censoring), and the mean excess; titled with the family
//! and the number of claims, axes in 元 with thousands separators, a legend, English or
//! Chinese labels.

use super::plot::{BLUE, FONT, Language, failed, legend, svg};
use super::thousands;
use crate::error::{Error, Result};
use crate::fitting::{ClaimData, MeanExcess, SeverityFit, product_limit};
use crate::severity::Severity;
use plotters::prelude::*;
use serde::{Deserialize, Serialize};

/// Standard errors either side of the diagonal the P–P band spans: ±3 Greenwood standard
/// errors, 99.7% pointwise, about 95% simultaneously over a typical range of the estimate
/// (equal-precision bands, Klein & Moeschberger §4.4, have critical values near 3).
pub const BAND_Z: f64 = 3.0;

/// One point of a P–P plot: the model's probability at an exact amount and the product-limit
/// estimate's, with its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct PpPoint {
    /// The exact amount t (元).
    pub amount: f64,
    /// 1 − S(t) / S(τ): the model conditioned on exceeding the smallest deductible τ.
    pub model: f64,
    /// 1 − Ŝ(t), the product-limit estimate of the same.
    pub empirical: f64,
    /// Greenwood's standard error of Ŝ(t).
    pub std_error: f64,
}

impl PpPoint {
    /// Whether the estimate lies within ±[`BAND_Z`] standard errors of the model.
    pub fn in_band(&self) -> bool {
        (self.empirical - self.model).abs() <= BAND_Z * self.std_error + 1e-12
    }
}

/// The P–P points of a fit: at every distinct exact amount, the fitted distribution
/// conditioned on the smallest deductible τ against the product-limit estimate, which
/// estimates the same under left truncation and right censoring (a plot against plotting
/// positions (i − ½)/n would bow away from a correct model). Errors: no exact claim.
pub fn pp_points(fit: &SeverityFit, data: &ClaimData) -> Result<Vec<PpPoint>> {
    let estimate = product_limit(data);
    if estimate.is_empty() {
        return Err(Error::Empty {
            model: "pp_plot",
            parameter: "exact (uncensored) claims",
        });
    }
    let s_tau = fit.model.survival(smallest_deductible(data));
    Ok(estimate
        .iter()
        .map(|p| PpPoint {
            amount: p.amount,
            model: 1.0 - fit.model.survival(p.amount) / s_tau,
            empirical: 1.0 - p.survival,
            std_error: p.std_error,
        })
        .collect())
}

/// P–P plot: the product-limit estimate against the model at each exact amount (both
/// conditioned on the smallest deductible), the diagonal with its ±3 standard-error band.
pub fn pp_plot(fit: &SeverityFit, data: &ClaimData, lang: Language) -> Result<String> {
    let points = pp_points(fit, data)?;
    let n = data.claims().len();
    let shown: Vec<&PpPoint> = shown(points.len()).map(|i| &points[i]).collect();
    let title = fit_title(lang.pick("P–P plot,", "P–P 图,"), fit, n, lang);
    svg(|root| {
        let mut chart = frame!(
            root,
            &title,
            (
                lang.pick("model probability", "模型概率"),
                lang.pick(
                    "product-limit estimate (truncated, censored)",
                    "乘积限估计 (截断、删失)"
                )
            ),
            -0.02..1.02,
            -0.02..1.02
        );
        let band: Vec<(f64, f64)> = (shown.iter())
            .map(|p| (p.model, (p.model + BAND_Z * p.std_error).min(1.0)))
            .chain(
                (shown.iter().rev()).map(|p| (p.model, (p.model - BAND_Z * p.std_error).max(0.0))),
            )
            .collect();
        chart
            .draw_series(std::iter::once(Polygon::new(band, BLUE.mix(0.25))))
            .map_err(failed)?
            .label(lang.pick(
                "model ± 3 s.e. (Greenwood)",
                "模型 ± 3 倍标准误 (Greenwood)",
            ))
            .legend(|(x, y)| {
                Rectangle::new([(x, y - 5), (x + 20, y + 5)], BLUE.mix(0.25).filled())
            });
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.6)))
            .map_err(failed)?;
        chart
            .draw_series(
                (shown.iter()).map(|p| Circle::new((p.model, p.empirical), 2, BLACK.filled())),
            )
            .map_err(failed)?
            .label(lang.pick("claims", "赔案"))
            .legend(|(x, y)| Circle::new((x + 10, y), 3, BLACK.filled()));
        legend(&mut chart)
    })
}

/// The widest span (hi / lo) a log axis shows.
const MAX_LOG_SPAN: f64 = 1e12;

/// Q–Q plot on log scales: each exact amount against the model quantile at the
/// product-limit probability, x = S⁻¹(S(τ)·Ŝ(t)), with the diagonal; O(n log n). The axes
/// span at most 12 decades below the largest value (smaller points are left out).
pub fn qq_plot(fit: &SeverityFit, data: &ClaimData, lang: Language) -> Result<String> {
    let points = pp_points(fit, data)?;
    let s_tau = fit.model.survival(smallest_deductible(data));
    let xy: Vec<(f64, f64)> = shown(points.len())
        .map(|i| &points[i])
        .filter(|p| p.empirical < 1.0)
        .map(|p| {
            (
                p.amount,
                fit.model.inverse_survival(s_tau * (1.0 - p.empirical)),
            )
        })
        .filter(|(x, q)| *x > 0.0 && q.is_finite() && *q > 0.0)
        .collect();
    if xy.is_empty() {
        return Err(Error::Empty {
            model: "qq_plot",
            parameter: "exact claims below the estimate's last step",
        });
    }
    let lo = xy
        .iter()
        .map(|p| p.0.min(p.1))
        .fold(f64::INFINITY, f64::min)
        / 1.5;
    let hi = xy.iter().map(|p| p.0.max(p.1)).fold(0.0, f64::max) * 1.5;
    // At most 12 decades: a log axis over a near-zero amount draws nothing readable and
    // its tick search runs for as many decades as the span has.
    let lo = lo.max(hi * MAX_LOG_SPAN.recip());
    let xy: Vec<(f64, f64)> = xy.into_iter().filter(|p| p.0 >= lo && p.1 >= lo).collect();
    let title = fit_title(
        lang.pick("Q–Q plot,", "Q–Q 图,"),
        fit,
        data.claims().len(),
        lang,
    );
    svg(|root| {
        let mut chart = frame!(
            root,
            &title,
            (
                lang.pick("observed amount (元, log scale)", "观测金额 (元, 对数刻度)"),
                lang.pick(
                    "model quantile (元, log scale)",
                    "模型分位数 (元, 对数刻度)"
                )
            ),
            (lo..hi).log_scale(),
            (lo..hi).log_scale()
        );
        chart
            .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.6)))
            .map_err(failed)?
            .label(lang.pick("model = observed", "模型 = 观测"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.6)));
        chart
            .draw_series(
                xy.iter()
                    .map(|&p| Circle::new(p, 2, BLUE.mix(0.8).filled())),
            )
            .map_err(failed)?
            .label(lang.pick("claims", "赔案"))
            .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
        legend(&mut chart)
    })
}

/// The mean-excess function e(u) against the threshold u (元), with the number of amounts
/// above the first threshold.
pub fn mean_excess_plot(points: &[MeanExcess], lang: Language) -> Result<String> {
    if points.is_empty() {
        return Err(Error::Empty {
            model: "mean_excess_plot",
            parameter: "points",
        });
    }
    let xy: Vec<(f64, f64)> = (points.iter())
        .map(|m| (m.threshold, m.mean_excess))
        .collect();
    let x_max = xy.iter().map(|p| p.0).fold(1.0, f64::max) * 1.05;
    let y_max = xy.iter().map(|p| p.1).fold(1.0, f64::max) * 1.1;
    let title = format!(
        "{}, {} {}",
        lang.pick("Mean excess", "平均超额损失"),
        thousands(points[0].exceedances as f64),
        lang.pick("claims", "笔赔案")
    );
    svg(|root| {
        let mut chart = frame!(
            root,
            &title,
            (
                lang.pick("threshold u (元)", "阈值 u (元)"),
                lang.pick("mean excess e(u) (元)", "平均超额 e(u) (元)")
            ),
            0.0..x_max,
            0.0..y_max
        );
        chart
            .draw_series(
                xy.iter()
                    .map(|&p| Circle::new(p, 2, BLUE.mix(0.8).filled())),
            )
            .map_err(failed)?
            .label(lang.pick("e(u) = E[X − u | X > u]", "e(u) = E[X − u | X > u]"))
            .legend(|(x, y)| Circle::new((x + 10, y), 3, BLUE.filled()));
        legend(&mut chart)
    })
}

/// τ, the smallest deductible: the product-limit estimate is conditioned on exceeding it.
fn smallest_deductible(data: &ClaimData) -> f64 {
    (data.claims().iter())
        .map(|c| c.truncation)
        .fold(f64::INFINITY, f64::min)
}

/// "`kind` family, n claims".
fn fit_title(kind: &str, fit: &SeverityFit, n: usize, lang: Language) -> String {
    format!(
        "{kind} {}, {} {}",
        fit.family.name(),
        thousands(n as f64),
        lang.pick("claims", "笔赔案")
    )
}

/// The points a chart shows: all of them up to 1,000, else 1,000 evenly spaced ones (first
/// and last included), so that big claim files give readable, small charts.
fn shown(n: usize) -> impl Iterator<Item = usize> {
    let k = n.min(1000);
    (0..k).map(move |j| if k > 1 { j * (n - 1) / (k - 1) } else { 0 })
}
