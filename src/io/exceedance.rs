//! The exceedance chart: the annual total and the year's largest occurrence, each in a panel
//! of its own with its standard-error band, against the return period on a log axis.

use super::plot::{BLUE, FONT, Language, ORANGE, SIZE, failed, legend, svg_sized, top};
use crate::error::{Error, Result};
use crate::loss::CurvePoint;
use plotters::prelude::*;

/// Exceedance curves of `years` simulated years: the annual total (aggregate) and, in a
/// panel of its own, the year's largest occurrence (万元) exceeded once in T years, against
/// T on a log axis, each with its ±1.96 standard-error band (`occurrence` may be empty).
pub fn exceedance_chart(
    aggregate: &[CurvePoint],
    occurrence: &[CurvePoint],
    years: u64,
    lang: Language,
) -> Result<String> {
    if aggregate.len() < 2 {
        return Err(Error::Empty {
            model: "exceedance_chart",
            parameter: "aggregate",
        });
    }
    let panels = [
        (
            aggregate,
            BLUE,
            lang.pick("annual total (aggregate)", "年度累计损失"),
        ),
        (
            occurrence,
            ORANGE,
            lang.pick("largest occurrence in a year", "年度最大单次事故损失"),
        ),
    ];
    let shown: Vec<_> = panels.iter().filter(|p| !p.0.is_empty()).collect();
    let size = (SIZE.0, SIZE.1 * shown.len() as u32 * 4 / 5);
    svg_sized(size, |root| {
        for ((points, colour, name), area) in shown.iter().zip(root.split_evenly((shown.len(), 1)))
        {
            exceedance_panel(&area, points, *colour, name, years, lang)?;
        }
        Ok(())
    })
}

/// One exceedance curve on `area`, its y axis spanning the curve and its band.
fn exceedance_panel(
    area: &DrawingArea<SVGBackend, plotters::coord::Shift>,
    points: &[CurvePoint],
    colour: RGBColor,
    name: &str,
    years: u64,
    lang: Language,
) -> Result<()> {
    let wan = |x: f64| x / 1e4;
    let upper: fn(&CurvePoint) -> f64 = |p| (p.loss + 1.96 * p.std_error) / 1e4;
    let lower: fn(&CurvePoint) -> f64 = |p| (p.loss - 1.96 * p.std_error).max(0.0) / 1e4;
    let x_max = top(points.iter().map(|p| p.return_period), 2.0) * 1.25;
    let y_max = top(points.iter().map(upper), 1.0);
    let y_min = points.iter().map(lower).fold(y_max, f64::min);
    let pad = (y_max - y_min).max(y_max * 0.02) * 0.08;
    let title = format!(
        "{}: {name}, {} {}",
        lang.pick("Exceedance curve", "超越概率曲线"),
        crate::io::thousands(years as f64),
        lang.pick("simulated years", "模拟年")
    );
    let mut chart = frame!(
        area,
        &title,
        (
            lang.pick(
                "return period T (years, log scale)",
                "重现期 T (年, 对数刻度)"
            ),
            lang.pick(
                "loss exceeded once in T years (万元)",
                "T 年一遇损失 (万元)"
            )
        ),
        (1.0..x_max).log_scale(),
        (y_min - pad).max(0.0)..y_max + pad
    );
    let band: Vec<(f64, f64)> = (points.iter())
        .map(|p| (p.return_period, upper(p)))
        .chain(points.iter().rev().map(|p| (p.return_period, lower(p))))
        .collect();
    chart
        .draw_series(std::iter::once(Polygon::new(band, colour.mix(0.3))))
        .map_err(failed)?
        .label(lang.pick("± 1.96 standard errors", "± 1.96 倍标准误"))
        .legend(move |(x, y)| {
            Rectangle::new([(x, y - 5), (x + 20, y + 5)], colour.mix(0.3).filled())
        });
    for edge in [upper, lower] {
        chart
            .draw_series(LineSeries::new(
                points.iter().map(|p| (p.return_period, edge(p))),
                colour.mix(0.7).stroke_width(1),
            ))
            .map_err(failed)?;
    }
    chart
        .draw_series(LineSeries::new(
            points.iter().map(|p| (p.return_period, wan(p.loss))),
            colour.stroke_width(2),
        ))
        .map_err(failed)?
        .label(name)
        .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2)));
    chart
        .draw_series(
            points
                .iter()
                .map(|p| Circle::new((p.return_period, wan(p.loss)), 3, colour.filled())),
        )
        .map_err(failed)?;
    legend(&mut chart)
}
