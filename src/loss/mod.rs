//! Loss distributions as results: the discrete distribution on which premium principles and
//! risk measures are computed, Monte Carlo estimates with their standard errors, and the
//! return periods of exceedance curves. The lowest layer of results: `aggregate`,
//! `simulation`, `pricing` and `portfolio` all depend on it, it depends on none of them.

mod discrete;
mod tail;

pub use discrete::Discrete;
use serde::{Deserialize, Serialize};
pub use tail::Tail;

/// Return periods (years) of the exceedance curve actuaries report.
pub const RETURN_PERIODS: [f64; 11] = [
    2.0, 5.0, 10.0, 20.0, 25.0, 50.0, 100.0, 200.0, 250.0, 500.0, 1000.0,
];

/// A point of the exceedance curve.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct CurvePoint {
    /// Return period (years).
    pub return_period: f64,
    /// Annual loss exceeded once in that many years: VaR at 1 − 1/T (元).
    pub loss: f64,
    /// Its standard error.
    pub std_error: f64,
}

/// A Monte Carlo estimate and its standard error.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Estimate {
    /// The estimate.
    pub value: f64,
    /// Its Monte Carlo standard error (same unit).
    pub std_error: f64,
}
