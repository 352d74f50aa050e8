//! Integer 分 (0.01 元) for exact, order-free sums: conversion with a representable bound and
//! the check that no sum went beyond it.

use super::MODEL;
use crate::error::{Error, Result};

/// The largest amount in 分 the engine adds and converts back to 元 exactly: 2^53 分
/// (about 9.0e13 元).
pub(super) const MAX_CENTS: i64 = 1 << 53;

/// Payments (≥ 0) in 分, rounded half up; a payment at or beyond [`MAX_CENTS`] (or NaN)
/// becomes `i64::MAX`, which saturating sums keep, so [`check_cents`] reports it.
#[inline]
pub(super) fn to_cents(x: f64) -> i64 {
    let c = x * 100.0 + 0.5;
    if c < MAX_CENTS as f64 {
        c as i64
    } else {
        i64::MAX
    }
}

/// An error if any sum reached `limit` (per-year totals: [`MAX_CENTS`]; sums over years:
/// `i64::MAX`, saturation).
pub(super) fn check_cents(sums: &[i64], limit: i64) -> Result<()> {
    match sums.iter().copied().max() {
        Some(m) if m >= limit => Err(Error::Inconsistent {
            model: MODEL,
            message: format!(
                "an annual payment reaches {:.3e} 元 or more, beyond the {:.3e} 元 (2^53 分) the \
                 engine adds exactly: check the amounts (limits, loans, severities without a \
                 limit) for a unit mistake",
                MAX_CENTS as f64 / 100.0,
                MAX_CENTS as f64 / 100.0
            ),
        }),
        _ => Ok(()),
    }
}
