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

/// The largest payment c (分, ≥ 0) with c / 100 ≤ `attachment` (元) in floating point, so
/// that `c > cents_at_or_below(a)` ⇔ `c as f64 / 100.0 > a` for every payment c (the
/// conversion is monotone); `i64::MAX` without an attachment (∞, or NaN), −1 below 0.
pub(super) fn cents_at_or_below(attachment: f64) -> i64 {
    if attachment < 0.0 {
        return -1;
    }
    // No payment exceeds ∞ or NaN.
    if attachment.is_nan() || attachment * 100.0 >= i64::MAX as f64 {
        return i64::MAX;
    }
    let mut c = ((attachment * 100.0).floor() as i64 - 2).max(-1);
    while c < i64::MAX && (c + 1) as f64 / 100.0 <= attachment {
        c += 1;
    }
    c
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

/// 分 to 元, in place (the collect reuses the buffer: no fresh pages to fault in).
pub(super) fn to_yuan(cents: Vec<i64>) -> Vec<f64> {
    cents.into_iter().map(|c| c as f64 / 100.0).collect()
}

/// `cents` in ascending order, in 元: sorted as integers, which gives the order and bits of
/// the 元 sorted by [`f64::total_cmp`] (the conversion is monotone).
pub(super) fn sorted_yuan(mut cents: Vec<i64>) -> Vec<f64> {
    cents.sort_unstable();
    to_yuan(cents)
}

/// The indices of the `k` (≥ 1) largest `values`, ties to the earlier index, the k-th
/// largest last (the rest in no particular order): one pass that keeps the candidates above
/// a rising cut (at most 2k of them: whenever 2k are kept, the k best stay and the cut
/// becomes the k-th), so a run's tail years cost O(len) time and O(k) memory.
pub(super) fn largest_first(values: &[i64], k: usize) -> Vec<usize> {
    let k = k.clamp(1, values.len().max(1));
    // Larger first, then the earlier year.
    let rank = |a: &(i64, u32), b: &(i64, u32)| b.0.cmp(&a.0).then(a.1.cmp(&b.1));
    let mut kept: Vec<(i64, u32)> = Vec::with_capacity((2 * k).min(values.len()));
    // The k-th best so far, once 2k were kept: a later value must beat it (a tie with it
    // comes later, so ranks below it).
    let mut cut: Option<i64> = None;
    for (t, &v) in values.iter().enumerate() {
        if cut.is_none_or(|c| v > c) {
            kept.push((v, t as u32));
            if kept.len() == 2 * k {
                kept.select_nth_unstable_by(k - 1, rank);
                kept.truncate(k);
                cut = Some(kept[k - 1].0);
            }
        }
    }
    if !kept.is_empty() {
        kept.select_nth_unstable_by(k - 1, rank);
        kept.truncate(k);
    }
    kept.into_iter().map(|(_, t)| t as usize).collect()
}

#[cfg(test)]
mod tests {
    use super::{cents_at_or_below, largest_first};

    #[test]
    fn the_largest_are_those_of_a_full_sort() {
        // Against a stable sort by value, descending (ties to the earlier index), on
        // lengths around the 2k at which the cut first rises, with many ties and without.
        let mut state = 7u64;
        for len in [1usize, 2, 3, 9, 10, 11, 40, 1000] {
            for spread in [3u64, 1 << 40] {
                let values: Vec<i64> = (0..len)
                    .map(|_| {
                        state = crate::numerics::kernels::splitmix64(state);
                        (state % spread) as i64
                    })
                    .collect();
                for k in [1, 2, 5, len / 2, len] {
                    let mut order: Vec<usize> = (0..len).collect();
                    order.sort_by(|&a, &b| values[b].cmp(&values[a]));
                    let k = k.clamp(1, len);
                    let got = largest_first(&values, k);
                    assert_eq!(got.len(), k, "len {len}, k {k}");
                    assert_eq!(got[k - 1], order[k - 1], "len {len}, k {k}: the k-th last");
                    let mut set = got.clone();
                    set.sort_unstable();
                    let mut want = order[..k].to_vec();
                    want.sort_unstable();
                    assert_eq!(set, want, "len {len}, k {k}, spread {spread}");
                }
            }
        }
        assert!(largest_first(&[], 3).is_empty());
    }

    #[test]
    fn the_integer_cut_agrees_with_the_float_comparison() {
        // Brute force around each attachment: c > cut ⇔ c / 100 > attachment, in floating
        // point, for attachments that are and are not whole 分, tiny, zero and huge.
        for a in [
            2e6,
            5e6 + 0.005,
            0.0,
            0.001,
            0.015,
            12_345.675,
            1e13 + 0.3,
            0.1 + 0.2,
        ] {
            let cut = cents_at_or_below(a);
            let centre = (a * 100.0) as i64;
            for c in (centre - 50).max(0)..centre + 50 {
                assert_eq!(c > cut, c as f64 / 100.0 > a, "attachment {a}, payment {c}");
            }
        }
        assert_eq!(cents_at_or_below(f64::INFINITY), i64::MAX);
        assert_eq!(cents_at_or_below(f64::NAN), i64::MAX);
        assert_eq!(cents_at_or_below(-1.0), -1);
    }
}
