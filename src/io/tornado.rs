//! The tornado chart of a sensitivity analysis: each scenario's change as a horizontal bar
//! from 0, largest first, with its ±1.96 standard-error whisker.

use super::plot::{BLUE, FONT, failed};
use super::thousands;
use crate::error::{Error, Result};
use plotters::prelude::*;

/// One bar: the scenario and its change with standard error (元).
pub struct TornadoBar {
    /// Scenario name.
    pub label: String,
    /// Change (元).
    pub change: f64,
    /// Its standard error (元).
    pub std_error: f64,
}

/// Bars sorted by |change| (largest on top) in 万元; `title` says of what (premium), `axis`
/// the x axis's title.
pub fn tornado_chart(bars: &[TornadoBar], title: &str, axis: &str) -> Result<String> {
    if bars.is_empty() {
        return Err(Error::Empty {
            model: "tornado_chart",
            parameter: "bars",
        });
    }
    let mut sorted: Vec<&TornadoBar> = bars.iter().collect();
    sorted.sort_by(|a, b| b.change.abs().total_cmp(&a.change.abs()));
    let wan = |x: f64| x / 1e4;
    let hi = (sorted.iter())
        .map(|b| wan(b.change + 1.96 * b.std_error))
        .fold(0.0, f64::max);
    let lo = (sorted.iter())
        .map(|b| wan(b.change - 1.96 * b.std_error))
        .fold(0.0, f64::min);
    let pad = (hi - lo).max(1e-6) * 0.08;
    let n = sorted.len();
    let height = 120 + 26 * n as u32;
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, (760, height)).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, (FONT, 20))
            .margin(16)
            .margin_right(40)
            .x_label_area_size(48)
            .y_label_area_size(280)
            .build_cartesian_2d(lo - pad..hi + pad, -0.5..n as f64 - 0.5)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .disable_y_mesh()
            .y_labels(n)
            .y_label_formatter(&|y| {
                let i = y.round();
                if (y - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                    sorted[n - 1 - i as usize].label.clone()
                } else {
                    String::new()
                }
            })
            .x_label_formatter(&|x| thousands(*x))
            .x_desc(axis)
            .label_style((FONT, 13))
            .draw()
            .map_err(failed)?;
        chart
            .draw_series(sorted.iter().enumerate().map(|(k, b)| {
                let y = (n - 1 - k) as f64;
                Rectangle::new(
                    [(0.0, y - 0.35), (wan(b.change), y + 0.35)],
                    BLUE.mix(0.7).filled(),
                )
            }))
            .map_err(failed)?;
        chart
            .draw_series(sorted.iter().enumerate().map(|(k, b)| {
                let y = (n - 1 - k) as f64;
                let (lo, hi) = (
                    wan(b.change - 1.96 * b.std_error),
                    wan(b.change + 1.96 * b.std_error),
                );
                PathElement::new(vec![(lo, y), (hi, y)], BLACK.stroke_width(2))
            }))
            .map_err(failed)?;
        chart
            .draw_series(std::iter::once(PathElement::new(
                vec![(0.0, -0.5), (0.0, n as f64 - 0.5)],
                BLACK.stroke_width(1),
            )))
            .map_err(failed)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}
