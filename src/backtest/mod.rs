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
mod loss_ratio;
mod pit;
mod ranking;
mod rolling;
mod var;

pub use experience::{
    ActualVsExpected, AeRow, DevianceFamily, LimitedFluctuation, Measure, actual_vs_expected,
    deviance, garwood_interval, poisson_test,
};
pub use loss_ratio::{LossRatioBacktest, LossRatioRow, loss_ratio_backtest};
pub use pit::{PitTests, pit_tests};
pub use ranking::{
    Calibration, DoubleLiftGroup, LiftGroup, LorenzCurve, PremiumLiftGroup, calibration,
    double_lift, gini, lift, ordered_lorenz, premium_lift,
};
pub use rolling::{BacktestSpec, RollingBacktest, RollingYear, rolling_backtest};
pub use var::{
    BaselPenalty, LrTest, Transitions, VarBacktest, VarLevel, Zone, basel_penalty, exceedances,
    kupiec_region, traffic_light, traffic_light_table, var_backtest,
};

use crate::error::{Error, Result};

/// P(χ²_df ≥ x) = Q(df/2, x/2).
/// The χ² critical value: the `confidence` quantile of χ²_df (df > 0, confidence in (0, 1)),
/// e.g. 3.841458820694124 for df = 1 at 95%.
///
/// ```
/// let c = kexian::backtest::chi_square_critical(1.0, 0.95)?;
/// assert!((c - 3.841458820694124).abs() < 1e-9);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn chi_square_critical(df: f64, confidence: f64) -> Result<f64> {
    use crate::severity::{Gamma, Severity};
    crate::numerics::validate::positive("chi_square_critical", "df", df)?;
    crate::numerics::validate::open_probability("chi_square_critical", "confidence", confidence)?;
    Ok(2.0 * Gamma::from_shape_scale(df / 2.0, 1.0)?.quantile(confidence))
}

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
        Err(Error::LengthMismatch {
            model,
            what: "the inputs".into(),
            lengths: (a, b),
        })
    }
}
