//! Diagnostic charts of a fit as SVG: probability–probability, quantile–quantile (log
//! scale) and mean excess, with axes, ticks and labels.

use crate::fitting::{ClaimData, MeanExcess, Observed, SeverityFit};
use crate::severity::Severity;
use std::fmt::Write;

const SIDE: f64 = 420.0;
const PAD: f64 = 56.0;

/// P–P plot of the uncensored claims: model probability 1 − S(x)/S(d) against the empirical
/// plotting position (i − ½)/n, with the diagonal.
pub fn pp_plot(fit: &SeverityFit, data: &ClaimData) -> String {
    let mut u: Vec<f64> = exact(data)
        .iter()
        .map(|&(x, d)| 1.0 - fit.model.survival(x) / fit.model.survival(d))
        .collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    let points: Vec<(f64, f64)> = shown(u.len())
        .map(|i| ((i as f64 + 0.5) / n, u[i]))
        .collect();
    chart(
        &format!("P–P plot, {}", fit.family.name()),
        ("empirical probability", "model probability"),
        (Axis::Linear(0.0, 1.0), Axis::Linear(0.0, 1.0)),
        true,
        &points,
    )
}

/// Q–Q plot of the uncensored claims on log scales: each observed amount against the model
/// quantile at its plotting position (i − ½)/n, the model being the fitted distribution of a
/// reported claim, F*(x) = Σ_d w_d P(X ≤ x | X > d) / Σ w_d over the truncation points d with
/// their weights (censoring, which thins only the top, is not modelled), with the diagonal.
pub fn qq_plot(fit: &SeverityFit, data: &ClaimData) -> String {
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
    chart(
        &format!("Q–Q plot, {}", fit.family.name()),
        ("observed amount", "model quantile"),
        (Axis::Log(lo, hi), Axis::Log(lo, hi)),
        true,
        &points,
    )
}

/// The mean-excess function e(u) against the threshold u.
pub fn mean_excess_plot(points: &[MeanExcess]) -> String {
    let xy: Vec<(f64, f64)> = points
        .iter()
        .map(|m| (m.threshold, m.mean_excess))
        .collect();
    let xmax = xy.iter().map(|p| p.0).fold(0.0, f64::max);
    let ymax = xy.iter().map(|p| p.1).fold(0.0, f64::max);
    chart(
        "Mean excess",
        ("threshold u", "mean excess e(u)"),
        (
            Axis::Linear(0.0, xmax.max(1.0)),
            Axis::Linear(0.0, ymax.max(1.0)),
        ),
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

#[derive(Clone, Copy)]
enum Axis {
    Linear(f64, f64),
    Log(f64, f64),
}

impl Axis {
    /// Position in [0, 1] of a value.
    fn scale(self, v: f64) -> f64 {
        match self {
            Self::Linear(a, b) => (v - a) / (b - a),
            Self::Log(a, b) => (v / a).ln() / (b / a).ln(),
        }
    }

    /// Tick values: multiples of 1, 2 or 5 × 10ᵏ (about five), or the powers of ten in range.
    fn ticks(self) -> Vec<f64> {
        match self {
            Self::Linear(a, b) => {
                let raw = (b - a) / 5.0;
                let power = 10f64.powf(raw.log10().floor());
                let step = [1.0, 2.0, 5.0, 10.0]
                    .iter()
                    .map(|m| m * power)
                    .find(|s| *s >= raw)
                    .unwrap_or(10.0 * power);
                let first = (a / step).ceil() as i64;
                let last = (b / step).floor() as i64;
                (first..=last).map(|k| k as f64 * step).collect()
            }
            Self::Log(a, b) => {
                let (lo, hi) = (a.log10().ceil() as i32, b.log10().floor() as i32);
                (lo..=hi).map(|e| 10f64.powi(e)).collect()
            }
        }
    }
}

fn label(v: f64) -> String {
    if v != 0.0 && (v.abs() >= 1e5 || v.abs() < 1e-2) {
        let text = format!("{v:.1e}");
        text.replace(".0e", "e")
    } else if v.fract() == 0.0 {
        format!("{v:.0}")
    } else {
        format!("{v:.2}")
    }
}

/// A square scatter chart, with the diagonal y = x (the axes then being alike) when asked.
fn chart(
    title: &str,
    labels: (&str, &str),
    (x, y): (Axis, Axis),
    diagonal: bool,
    points: &[(f64, f64)],
) -> String {
    let span = SIDE - 2.0 * PAD;
    let px = |v: f64| PAD + x.scale(v).clamp(0.0, 1.0) * span;
    let py = |v: f64| SIDE - PAD - y.scale(v).clamp(0.0, 1.0) * span;
    let mut s = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{SIDE}" height="{SIDE}" viewBox="0 0 {SIDE} {SIDE}" font-family="sans-serif"><title>{t}</title><rect width="{SIDE}" height="{SIDE}" fill="white"/><text x="{:.1}" y="22" font-size="14" text-anchor="middle">{t}</text>"#,
        SIDE / 2.0,
        t = escape(title)
    );
    let (x0, y0, x1, y1) = (PAD, SIDE - PAD, SIDE - PAD, PAD);
    let _ = write!(
        s,
        r##"<path d="M{x0},{y1} L{x0},{y0} L{x1},{y0}" fill="none" stroke="#333"/>"##
    );
    for t in x.ticks() {
        let p = px(t);
        let _ = write!(
            s,
            r##"<line x1="{p:.1}" y1="{y0}" x2="{p:.1}" y2="{:.1}" stroke="#333"/><text x="{p:.1}" y="{:.1}" font-size="10" text-anchor="middle">{}</text>"##,
            y0 + 5.0,
            y0 + 17.0,
            label(t)
        );
    }
    for t in y.ticks() {
        let p = py(t);
        let _ = write!(
            s,
            r##"<line x1="{:.1}" y1="{p:.1}" x2="{x0}" y2="{p:.1}" stroke="#333"/><text x="{:.1}" y="{:.1}" font-size="10" text-anchor="end">{}</text>"##,
            x0 - 5.0,
            x0 - 7.0,
            p + 3.5,
            label(t)
        );
    }
    let _ = write!(
        s,
        r#"<text x="{:.1}" y="{:.1}" font-size="12" text-anchor="middle">{}</text><text x="14" y="{:.1}" font-size="12" text-anchor="middle" transform="rotate(-90 14 {:.1})">{}</text>"#,
        SIDE / 2.0,
        SIDE - 12.0,
        escape(labels.0),
        SIDE / 2.0,
        SIDE / 2.0,
        escape(labels.1)
    );
    if diagonal {
        let _ = write!(
            s,
            r##"<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y1}" stroke="#999" stroke-dasharray="4 3"/>"##
        );
    }
    for &(a, b) in points {
        let _ = write!(
            s,
            r##"<circle cx="{:.1}" cy="{:.1}" r="2" fill="#4878a8" fill-opacity="0.7"/>"##,
            px(a),
            py(b)
        );
    }
    s.push_str("</svg>\n");
    s
}

/// Text escaped for SVG/XML content and attribute values.
pub(crate) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
