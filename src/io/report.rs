//! Plain-text renderings of backtest results (`to_text` on the result types; their charts are
//! in [`super::plot`]).

use crate::backtest::{ActualVsExpected, RollingBacktest};
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
