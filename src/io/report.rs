//! Plain-text and SVG renderings of backtest results (`to_text`, `to_svg` on the result types).

use super::charts::escape;
use crate::backtest::{ActualVsExpected, LorenzCurve, RollingBacktest};
use std::fmt::Write;

fn opt(v: Option<f64>, digits: usize) -> String {
    v.map_or_else(|| "—".to_owned(), |x| format!("{x:.digits$}"))
}

impl ActualVsExpected {
    /// A fixed-width table: segment, rows, actual, expected, A/E with interval, credibility.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{:<16} {:>6} {:>12} {:>12} {:>7} {:>17} {:>6}\n",
            "segment",
            "rows",
            "actual",
            "expected",
            "A/E",
            format!("{:.0}% interval", self.confidence * 100.0),
            "Z"
        );
        for r in self.segments.iter().chain(std::iter::once(&self.total)) {
            let interval = r
                .interval
                .map_or_else(|| "—".to_owned(), |(l, u)| format!("[{l:.3}, {u:.3}]"));
            let _ = writeln!(
                s,
                "{:<16} {:>6} {:>12.2} {:>12.2} {:>7} {:>17} {:>6.3}",
                r.segment,
                r.rows,
                r.actual,
                r.expected,
                opt(r.ratio, 3),
                interval,
                r.credibility
            );
        }
        s
    }

    /// A bar chart of A/E by segment with interval whiskers and the A/E = 1 line (SVG).
    pub fn to_svg(&self) -> String {
        let (w, h, pad) = (640.0, 360.0, 48.0);
        let rows: Vec<_> = self.segments.iter().collect();
        let top = rows
            .iter()
            .filter_map(|r| r.interval.map(|(_, u)| u).or(r.ratio))
            .fold(1.5f64, f64::max)
            .min(10.0);
        let y = |v: f64| h - pad - (v.min(top) / top) * (h - 2.0 * pad);
        let band = (w - 2.0 * pad) / rows.len().max(1) as f64;
        let mut s = svg_open(w, h, "Actual versus expected by segment");
        for (k, r) in rows.iter().enumerate() {
            let x = pad + band * k as f64;
            if let Some(ratio) = r.ratio {
                let _ = write!(
                    s,
                    r##"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="#4878a8"/>"##,
                    x + band * 0.2,
                    y(ratio),
                    band * 0.6,
                    h - pad - y(ratio)
                );
            }
            if let Some((lo, hi)) = r.interval {
                let cx = x + band / 2.0;
                let _ = write!(
                    s,
                    r##"<line x1="{cx:.1}" y1="{:.1}" x2="{cx:.1}" y2="{:.1}" stroke="#222"/>"##,
                    y(lo),
                    y(hi)
                );
            }
            let _ = write!(
                s,
                r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">{}</text>"#,
                x + band / 2.0,
                h - pad + 14.0,
                escape(&r.segment)
            );
        }
        let _ = write!(
            s,
            r##"<line x1="{pad}" y1="{:.1}" x2="{:.1}" y2="{:.1}" stroke="#c03030" stroke-dasharray="4 3"/>"##,
            y(1.0),
            w - pad,
            y(1.0)
        );
        s.push_str("</svg>\n");
        s
    }
}

impl LorenzCurve {
    /// The ordered Lorenz curve against the line of equality, Gini in the title (SVG).
    pub fn to_svg(&self) -> String {
        let (side, pad) = (400.0, 40.0);
        let px = |f: f64, l: f64| {
            (
                pad + f * (side - 2.0 * pad),
                side - pad - l * (side - 2.0 * pad),
            )
        };
        let mut s = svg_open(
            side,
            side,
            &format!("Ordered Lorenz curve, Gini {:.3}", self.gini),
        );
        let (x0, y0) = px(0.0, 0.0);
        let (x1, y1) = px(1.0, 1.0);
        let _ = write!(
            s,
            r##"<line x1="{x0:.1}" y1="{y0:.1}" x2="{x1:.1}" y2="{y1:.1}" stroke="#999" stroke-dasharray="4 3"/>"##
        );
        let points: Vec<String> = self
            .premium_share
            .iter()
            .zip(&self.loss_share)
            .map(|(&f, &l)| {
                let (x, y) = px(f, l);
                format!("{x:.1},{y:.1}")
            })
            .collect();
        let _ = write!(
            s,
            r##"<polyline points="{}" fill="none" stroke="#4878a8" stroke-width="2"/>"##,
            points.join(" ")
        );
        let _ = write!(
            s,
            r#"<text x="{:.1}" y="{:.1}" font-size="11" text-anchor="middle">premium share</text>"#,
            side / 2.0,
            side - 8.0
        );
        s.push_str("</svg>\n");
        s
    }
}

impl RollingBacktest {
    /// One line per test year and the pooled line: A/E with interval, deviance, Gini and the
    /// calibration p-value.
    pub fn to_text(&self) -> String {
        let mut s = format!(
            "{:<6} {:>6} {:>6} {:>10} {:>10} {:>7} {:>17} {:>10} {:>6} {:>7}\n",
            "year",
            "train",
            "test",
            "actual",
            "expected",
            "A/E",
            "95% interval",
            "deviance",
            "Gini",
            "calib p"
        );
        for y in self.years.iter().chain(std::iter::once(&self.overall)) {
            let interval =
                y.ae.interval
                    .map_or_else(|| "—".to_owned(), |(l, u)| format!("[{l:.3}, {u:.3}]"));
            let _ = writeln!(
                s,
                "{:<6} {:>6} {:>6} {:>10.2} {:>10.2} {:>7} {:>17} {:>10} {:>6.3} {:>7}",
                y.label,
                y.train_rows,
                y.test_rows,
                y.ae.actual,
                y.ae.expected,
                opt(y.ae.ratio, 3),
                interval,
                opt(y.ae.deviance, 1),
                y.gini,
                opt(y.calibration.as_ref().map(|c| c.p_value), 3)
            );
        }
        s
    }
}

fn svg_open(w: f64, h: f64, title: &str) -> String {
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}"><title>{t}</title><text x="{:.1}" y="20" font-size="14" text-anchor="middle">{t}</text>"#,
        w / 2.0,
        t = escape(title)
    )
}
