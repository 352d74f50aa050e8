//! Diagnostic charts of a fit as SVG (plotters):
//! probability–probability, quantile–quantile (log scale) and mean excess, with axes, ticks
//! and labels.

use super::plot::{BLUE, FONT, failed, svg};
use crate::error::Result;
use crate::fitting::{ClaimData, MeanExcess, Observed, SeverityFit};
use crate::severity::Severity;
use plotters::prelude::*;

/// P–P plot of the uncensored claims: model probability 1 − S(x)/S(d) against the empirical
/// plotting position (i − ½)/n, with the diagonal.
pub fn pp_plot(fit: &SeverityFit, data: &ClaimData) -> Result<String> {
    let mut u: Vec<f64> = exact(data)
        .iter()
        .map(|&(x, d)| 1.0 - fit.model.survival(x) / fit.model.survival(d))
        .collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    let points: Vec<(f64, f64)> = shown(u.len())
        .map(|i| ((i as f64 + 0.5) / n, u[i]))
        .collect();
    scatter(
        &format!("P–P plot, {}", fit.family.name()),
        ("empirical probability", "model probability"),
        Scale::Linear((0.0, 1.0), (0.0, 1.0)),
        true,
        &points,
    )
}

/// Q–Q plot of the uncensored claims on log scales: each observed amount against the model
/// quantile at its plotting position (i − ½)/n, the model being the fitted distribution of a
/// reported claim, F*(x) = Σ_d w_d P(X ≤ x | X > d) / Σ w_d over the truncation points d with
/// their weights (censoring, which thins only the top, is not modelled), with the diagonal.
pub fn qq_plot(fit: &SeverityFit, data: &ClaimData) -> Result<String> {
    let mut pairs = exact(data);
    pairs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut groups: Vec<(f64, f64)> = Vec::new();
    for c in data.claims() {
        match groups.iter_mut().find(|g| g.0 == c.truncation) {
            Some(g) => g.1 += c.weight,
            None => groups.push((c.truncation, c.weight)),
        }
    }
    let total: f64 = groups.iter().map(|g| g.1).sum();
    let reported = |x: f64| -> f64 {
        groups
            .iter()
            .map(|&(d, w)| w * (1.0 - fit.model.survival(x.max(d)) / fit.model.survival(d)))
            .sum::<f64>()
            / total
    };
    let n = pairs.len() as f64;
    let points: Vec<(f64, f64)> = shown(pairs.len())
        .map(|i| (i, pairs[i]))
        .filter_map(|(i, (x, _))| {
            let p = (i as f64 + 0.5) / n;
            // Bisection on a log scale between the smallest truncation point's quantile and
            // a point far in the tail.
            let (mut lo, mut hi) = (pairs[0].0 / 1e3, pairs[pairs.len() - 1].0 * 1e3);
            if reported(hi) < p {
                return None;
            }
            for _ in 0..100 {
                let mid = (lo * hi).sqrt();
                if reported(mid) < p {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            Some((x, hi))
        })
        .collect();
    let lo = points
        .iter()
        .map(|p| p.0.min(p.1))
        .fold(f64::INFINITY, f64::min);
    let hi = points.iter().map(|p| p.0.max(p.1)).fold(0.0, f64::max);
    scatter(
        &format!("Q–Q plot, {}", fit.family.name()),
        ("observed amount", "model quantile"),
        Scale::Log(lo, hi),
        true,
        &points,
    )
}

/// The mean-excess function e(u) against the threshold u.
pub fn mean_excess_plot(points: &[MeanExcess]) -> Result<String> {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|m| (m.threshold, m.mean_excess))
        .collect();
    let xmax = xy.iter().map(|p| p.0).fold(0.0, f64::max);
    let ymax = xy.iter().map(|p| p.1).fold(0.0, f64::max);
    scatter(
        "Mean excess",
        ("threshold u", "mean excess e(u)"),
        Scale::Linear((0.0, xmax.max(1.0)), (0.0, ymax.max(1.0))),
        false,
        &xy,
    )
}

/// The order statistics a chart shows: all of them up to 1,000, else 1,000 evenly spaced ones
/// (first and last included), so that big claim files give readable, small charts.
fn shown(n: usize) -> impl Iterator<Item = usize> {
    let k = n.min(1000);
    (0..k).map(move |j| if k > 1 { j * (n - 1) / (k - 1) } else { 0 })
}

/// Uncensored amounts with their truncation points.
fn exact(data: &ClaimData) -> Vec<(f64, f64)> {
    data.claims()
        .iter()
        .filter_map(|c| match c.observed {
            Observed::Exact { value } => Some((value, c.truncation)),
            _ => None,
        })
        .collect()
}

/// Axes of a scatter chart: linear with their (low, high) ranges, or both logarithmic over
/// one range.
enum Scale {
    Linear((f64, f64), (f64, f64)),
    Log(f64, f64),
}

/// A scatter chart of `points`, with the diagonal y = x when asked (for P–P and Q–Q plots).
fn scatter(
    title: &str,
    (x_label, y_label): (&str, &str),
    scale: Scale,
    diagonal: bool,
    points: &[(f64, f64)],
) -> Result<String> {
    // The same drawing on two coordinate types (plotters types linear and log axes apart).
    macro_rules! draw {
        ($root:expr, $x:expr, $y:expr, $diagonal:expr) => {{
            let mut chart = frame!($root, title, (x_label, y_label), $x, $y);
            if let Some((lo, hi)) = $diagonal {
                chart
                    .draw_series(LineSeries::new([(lo, lo), (hi, hi)], BLACK.mix(0.5)))
                    .map_err(failed)?;
            }
            chart
                .draw_series(
                    points
                        .iter()
                        .map(|&p| Circle::new(p, 2, BLUE.mix(0.7).filled())),
                )
                .map_err(failed)?;
            Ok(())
        }};
    }
    svg(|root| match scale {
        Scale::Linear((x0, x1), (y0, y1)) => {
            draw!(
                root,
                x0..x1,
                y0..y1,
                diagonal.then_some((x0.max(y0), x1.min(y1)))
            )
        }
        Scale::Log(lo, hi) => {
            draw!(
                root,
                (lo..hi).log_scale(),
                (lo..hi).log_scale(),
                diagonal.then_some((lo, hi))
            )
        }
    })
}
