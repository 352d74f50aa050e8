//! Backtesting (产品回溯): is the rating right, and is the risk model right?
//!
//! Pipeline position: last — it reads experience, rating plans ([`crate::rating`]) and model
//! outputs and judges them. Actual versus expected by segment with exact Poisson intervals,
//! limited-fluctuation credibility and deviance ([`actual_vs_expected`]); ranking power by
//! the ordered Lorenz curve and Gini index ([`ordered_lorenz`]), lift and double lift;
//! calibration with a χ² test ([`calibration`]); VaR exceedance tests with the Basel traffic
//! light ([`var_backtest`]); PIT tests of whole predictive distributions ([`pit_tests`]); the
//! rolling out-of-sample refit of a rating plan ([`rolling_backtest`]); plain-text and SVG
//! reports (`to_text`, `to_svg`). Every result is a serde-serializable table.

mod experience;
mod pit;
mod ranking;
mod report;
mod rolling;
mod var;

pub use experience::{
    ActualVsExpected, AeRow, DevianceFamily, LimitedFluctuation, Measure, actual_vs_expected,
    deviance, garwood_interval,
};
pub use pit::{PitTests, pit_tests};
pub use ranking::{
    Calibration, DoubleLiftGroup, LiftGroup, LorenzCurve, calibration, double_lift, gini, lift,
    ordered_lorenz,
};
pub use rolling::{RollingBacktest, RollingYear, rolling_backtest};
pub use var::{
    LrTest, VarBacktest, Zone, exceedances, traffic_light, traffic_light_table, var_backtest,
};

use crate::error::{Error, Result};

/// P(χ²_df ≥ x) = Q(df/2, x/2).
pub(crate) fn chi_square_survival(x: f64, df: f64) -> f64 {
    if x <= 0.0 {
        1.0
    } else {
        crate::numerics::special::gamma_q(df / 2.0, x / 2.0)
    }
}

pub(crate) fn check_lengths(model: &'static str, a: usize, b: usize) -> Result<()> {
    if a == b {
        Ok(())
    } else {
        Err(Error::Inconsistent {
            model,
            message: format!("inputs have different lengths ({a} and {b})"),
        })
    }
}
