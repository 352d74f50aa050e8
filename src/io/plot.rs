//! Charts people sign off, drawn with `plotters` as SVG (no system fonts needed to write
//! them; text names a CJK-capable font stack, [`FONT`]): the exceedance curve with its
//! standard-error band on a log return-period axis, the ordered Lorenz curve with the line of
//! equality and the Gini index in the legend, actual versus expected by segment with
//! intervals, and a calibration plot. Labels in English or Chinese.

use crate::backtest::{ActualVsExpected, Calibration, LorenzCurve, LossRatioRow};
use crate::error::{Error, Result};
use plotters::prelude::*;

/// Fonts named in the SVG: Chinese-capable first, then the generic family.
pub const FONT: &str = "Noto Sans CJK SC, Source Han Sans SC, PingFang SC, Microsoft YaHei, WenQuanYi Micro Hei, sans-serif";

pub(super) const SIZE: (u32, u32) = (720, 460);
pub(super) const BLUE: RGBColor = RGBColor(0x48, 0x78, 0xa8);
pub(super) const ORANGE: RGBColor = RGBColor(0xd0, 0x70, 0x30);

/// Language of labels (charts, tables, reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Language {
    /// English.
    #[default]
    En,
    /// Chinese.
    Zh,
}

impl Language {
    pub(super) fn pick<'a>(self, en: &'a str, zh: &'a str) -> &'a str {
        match self {
            Self::En => en,
            Self::Zh => zh,
        }
    }
}

pub(super) fn failed(e: impl std::fmt::Display) -> Error {
    Error::Inconsistent {
        model: "chart",
        message: e.to_string(),
    }
}

/// Draws on a fresh SVG canvas and returns the document.
pub(super) fn svg(
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<String> {
    svg_sized(SIZE, draw)
}

/// [`svg`] on a canvas of `size` pixels.
pub(super) fn svg_sized(
    size: (u32, u32),
    draw: impl FnOnce(&DrawingArea<SVGBackend, plotters::coord::Shift>) -> Result<()>,
) -> Result<String> {
    let mut out = String::new();
    {
        let root = SVGBackend::with_string(&mut out, size).into_drawing_area();
        root.fill(&WHITE).map_err(failed)?;
        draw(&root)?;
        root.present().map_err(failed)?;
    }
    Ok(out)
}

/// Largest finite value, for an axis (at least `floor`).
pub(super) fn top(values: impl Iterator<Item = f64>, floor: f64) -> f64 {
    values.filter(|v| v.is_finite()).fold(floor, f64::max)
}

pub(super) fn legend<'a, DB: DrawingBackend + 'a, CT: CoordTranslate>(
    chart: &mut ChartContext<'a, DB, CT>,
) -> Result<()> {
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperLeft)
        .label_font((FONT, 13))
        .background_style(WHITE.mix(0.9))
        .border_style(BLACK)
        .draw()
        .map_err(failed)
}

/// Ordered Lorenz curve: share of losses against share of premium (firms in increasing
/// relativity), the line of equality, and the Gini index in the legend.
pub fn lorenz_chart(curve: &LorenzCurve, lang: Language) -> Result<String> {
    svg(|root| {
        let mut chart = frame!(
            root,
            lang.pick("Ordered Lorenz curve", "有序洛伦兹曲线"),
            (
                lang.pick("share of premium", "保费占比"),
                lang.pick("share of losses", "损失占比")
            ),
            0.0..1.0,
            0.0..1.0
        );
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (1.0, 1.0)], BLACK.mix(0.5)))
            .map_err(failed)?
            .label(lang.pick("line of equality", "均等线"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
        let gini = format!(
            "{} {:.3}",
            lang.pick("plan, Gini", "费率方案, 基尼系数"),
            curve.gini
        );
        chart
            .draw_series(LineSeries::new(
                curve
                    .premium_share
                    .iter()
                    .copied()
                    .zip(curve.loss_share.iter().copied()),
                BLUE.stroke_width(2),
            ))
            .map_err(failed)?
            .label(gini)
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLUE.stroke_width(2)));
        legend(&mut chart)
    })
}

/// One bar of an A/E chart: label, A/E and its interval.
pub struct AeBar {
    /// Segment.
    pub label: String,
    /// Actual / expected.
    pub ratio: f64,
    /// Interval (lower, upper).
    pub interval: Option<(f64, f64)>,
}

impl From<&crate::backtest::AeRow> for AeBar {
    fn from(r: &crate::backtest::AeRow) -> Self {
        Self {
            label: r.segment.clone(),
            ratio: r.ratio.unwrap_or(0.0),
            interval: r.interval,
        }
    }
}

impl From<&LossRatioRow> for AeBar {
    fn from(r: &LossRatioRow) -> Self {
        Self {
            label: r.label.clone(),
            ratio: r.ratio.unwrap_or(0.0),
            interval: r.interval,
        }
    }
}

/// Actual versus expected by segment: A/E as a point with its interval as a whisker, and the
/// line A/E = 1. `title` says of what (claims, losses), `axis` what the segments are (test
/// year, sector); the legend sits in headroom above the whiskers.
pub fn ae_chart(bars: &[AeBar], title: &str, axis: &str, lang: Language) -> Result<String> {
    if bars.is_empty() {
        return Err(Error::Empty {
            model: "ae_chart",
            parameter: "bars",
        });
    }
    let y_max = top(
        bars.iter().map(|b| b.interval.map_or(b.ratio, |i| i.1)),
        1.5,
    )
    .min(10.0)
        * 1.3;
    let n = bars.len();
    svg(|root| {
        let mut chart = ChartBuilder::on(root)
            .caption(title, (FONT, 20))
            .margin(16)
            .margin_right(32)
            .x_label_area_size(56)
            .y_label_area_size(64)
            .build_cartesian_2d(-0.5..n as f64 - 0.5, 0.0..y_max)
            .map_err(failed)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(n)
            .x_label_formatter(&|x| {
                let i = x.round();
                if (x - i).abs() < 1e-9 && i >= 0.0 && (i as usize) < n {
                    bars[i as usize].label.clone()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|v| crate::io::thousands(*v))
            .x_desc(axis)
            .y_desc(lang.pick("actual / expected", "实际 / 预期"))
            .label_style((FONT, 13))
            .draw()
            .map_err(failed)?;
        chart
            .draw_series(LineSeries::new(
                [(-0.5, 1.0), (n as f64 - 0.5, 1.0)],
                BLACK.mix(0.5),
            ))
            .map_err(failed)?
            .label("A/E = 1")
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
        chart
            .draw_series(bars.iter().enumerate().filter_map(|(i, b)| {
                b.interval.map(|(lo, hi)| {
                    ErrorBar::new_vertical(
                        i as f64,
                        lo.min(y_max),
                        b.ratio.min(y_max),
                        hi.min(y_max),
                        BLUE.filled(),
                        12,
                    )
                })
            }))
            .map_err(failed)?
            .label(lang.pick("A/E with 95% interval", "A/E 及 95% 区间"))
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
        chart
            .draw_series(
                bars.iter()
                    .enumerate()
                    .map(|(i, b)| Circle::new((i as f64, b.ratio.min(y_max)), 5, BLUE.filled())),
            )
            .map_err(failed)?;
        legend(&mut chart)
    })
}

/// Calibration: mean actual against mean predicted claims per bin of prediction, with the
/// diagonal and the χ² test in the legend.
pub fn calibration_chart(c: &Calibration, lang: Language) -> Result<String> {
    let m = top(
        c.bins
            .iter()
            .flat_map(|b| [b.mean_predicted, b.mean_actual]),
        1e-9,
    ) * 1.1;
    svg(|root| {
        let mut chart = frame!(
            root,
            lang.pick("Calibration by prediction bin", "按预测分组的校准图"),
            (
                lang.pick("mean predicted claims", "平均预测赔案数"),
                lang.pick("mean actual claims", "平均实际赔案数"),
            ),
            0.0..m,
            0.0..m,
        );
        chart
            .draw_series(LineSeries::new([(0.0, 0.0), (m, m)], BLACK.mix(0.5)))
            .map_err(failed)?
            .label(lang.pick("actual = predicted", "实际 = 预测"))
            .legend(|(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], BLACK.mix(0.5)));
        let text = format!(
            "{} χ² {:.2}, df {}, p {:.3}",
            lang.pick("bins;", "分组;"),
            c.statistic,
            c.degrees_of_freedom,
            c.p_value
        );
        chart
            .draw_series(
                c.bins
                    .iter()
                    .map(|b| Circle::new((b.mean_predicted, b.mean_actual), 5, BLUE.filled())),
            )
            .map_err(failed)?
            .label(text)
            .legend(|(x, y)| Circle::new((x + 10, y), 4, BLUE.filled()));
        legend(&mut chart)
    })
}

impl ActualVsExpected {
    /// A/E by segment with intervals (SVG, English labels; see [`ae_chart`]).
    pub fn to_svg(&self) -> Result<String> {
        let bars: Vec<AeBar> = self.segments.iter().map(AeBar::from).collect();
        ae_chart(
            &bars,
            "Actual versus expected by segment",
            "segment",
            Language::En,
        )
    }
}

impl LorenzCurve {
    /// The ordered Lorenz curve (SVG, English labels; see [`lorenz_chart`]).
    pub fn to_svg(&self) -> Result<String> {
        lorenz_chart(self, Language::En)
    }
}
