//! Compensated summation.

/// Σ xᵢ by Neumaier's compensated summation: the rounding error is O(ε) independent of the
/// number of terms, and terms far below the running sum's last digit (the 10⁻¹⁸ tail cells of
/// a distribution summed after the 10⁻¹ body) are not lost.
pub(crate) fn compensated_sum(values: impl IntoIterator<Item = f64>) -> f64 {
    let (mut sum, mut correction) = (0.0_f64, 0.0_f64);
    for x in values {
        let t = sum + x;
        correction += if sum.abs() >= x.abs() {
            (sum - t) + x
        } else {
            (x - t) + sum
        };
        sum = t;
    }
    sum + correction
}

#[cfg(test)]
mod tests {
    use super::compensated_sum;

    #[test]
    fn tiny_terms_after_a_large_one_are_kept() {
        // 1 + 10⁶ × 10⁻¹⁸: a naive sum returns exactly 1.
        let values = std::iter::once(1.0).chain(std::iter::repeat_n(1e-18, 1_000_000));
        let naive: f64 = std::iter::once(1.0)
            .chain(std::iter::repeat_n(1e-18, 1_000_000))
            .sum();
        assert_eq!(naive, 1.0);
        // The exact sum 1 + 10⁻¹² rounded once: within half an ulp of 1.
        assert!((compensated_sum(values) - (1.0 + 1e-12)).abs() <= f64::EPSILON / 2.0);
        assert_eq!(compensated_sum([1e100, 1.0, -1e100]), 1.0);
    }
}
