//! Parameter checks shared by every constructor. Each returns the value on success and an
//! [`Error::InvalidParameter`] naming the model, parameter and rule otherwise.

use crate::error::{Error, Result};

/// A general rule given as a boolean, for constraints that involve several parameters.
pub(crate) fn rule(
    model: &'static str,
    parameter: &'static str,
    value: f64,
    ok: bool,
    rule: &'static str,
) -> Result<f64> {
    if ok {
        Ok(value)
    } else {
        Err(Error::InvalidParameter {
            model,
            parameter,
            value,
            rule,
        })
    }
}

/// Finite and strictly positive.
pub(crate) fn positive(model: &'static str, parameter: &'static str, v: f64) -> Result<f64> {
    rule(
        model,
        parameter,
        v,
        v.is_finite() && v > 0.0,
        "finite and > 0",
    )
}

/// Finite and ≥ 0.
pub(crate) fn non_negative(model: &'static str, parameter: &'static str, v: f64) -> Result<f64> {
    rule(
        model,
        parameter,
        v,
        v.is_finite() && v >= 0.0,
        "finite and >= 0",
    )
}

/// Finite (any sign).
pub(crate) fn finite(model: &'static str, parameter: &'static str, v: f64) -> Result<f64> {
    rule(model, parameter, v, v.is_finite(), "finite")
}

/// A probability in \[0, 1\].
pub(crate) fn probability(model: &'static str, parameter: &'static str, v: f64) -> Result<f64> {
    rule(
        model,
        parameter,
        v,
        (0.0..=1.0).contains(&v),
        "a probability in [0, 1]",
    )
}

/// A probability in the open interval (0, 1).
pub(crate) fn open_probability(
    model: &'static str,
    parameter: &'static str,
    v: f64,
) -> Result<f64> {
    rule(
        model,
        parameter,
        v,
        v > 0.0 && v < 1.0,
        "in the open interval (0, 1)",
    )
}
