//! Vose's alias method: draws from a discrete distribution in O(1).

use super::validate::{non_negative, positive};
use crate::error::{Error, Result};

/// Vose's alias table for drawing index i with probability wᵢ/Σw (weights ≥ 0, not all 0;
/// *Vose 1991, IEEE TSE 17(9)*): entry i is (probability of keeping i, its alias). Draw
/// u ~ U[0, n), take i = ⌊u⌋, keep it if u − i < keepᵢ, else take its alias.
///
/// Refuses no weights, a weight that is negative or not finite, and weights summing to 0 or
/// beyond the largest float.
///
/// ```
/// let table = kexian::numerics::alias_table(&[1.0, 3.0])?;
/// // P(0) = keep₀/2 + (1 − keep₁)/2 = 1/4.
/// let p0 = table[0].0 / 2.0 + (1.0 - table[1].0) / 2.0;
/// assert!((p0 - 0.25).abs() < 1e-15);
/// assert!(kexian::numerics::alias_table(&[1.0, f64::NAN]).is_err());
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn alias_table(weights: &[f64]) -> Result<Vec<(f64, u32)>> {
    const MODEL: &str = "alias table";
    if weights.is_empty() {
        return Err(Error::Empty {
            model: MODEL,
            parameter: "weights",
        });
    }
    for &w in weights {
        non_negative(MODEL, "weight", w)?;
    }
    let n = weights.len();
    let total: f64 = weights.iter().sum();
    positive(MODEL, "sum of the weights", total)?;
    let mut scaled: Vec<f64> = weights.iter().map(|w| w * n as f64 / total).collect();
    let mut table = vec![(1.0, 0); n];
    let (mut small, mut large): (Vec<usize>, Vec<usize>) = (0..n).partition(|&i| scaled[i] < 1.0);
    while let (Some(s), Some(&l)) = (small.pop(), large.last()) {
        table[s] = (scaled[s], l as u32);
        scaled[l] -= 1.0 - scaled[s];
        if scaled[l] < 1.0 {
            large.pop();
            small.push(l);
        }
    }
    // What is left has probability 1 up to rounding.
    for i in large.into_iter().chain(small) {
        table[i] = (1.0, i as u32);
    }
    Ok(table)
}

#[cfg(test)]
mod tests {
    use super::alias_table;

    /// The table's implied probabilities, Σᵢ P(draw i)·keepᵢ + Σ_{alias = j} P(draw i)(1 −
    /// keepᵢ), equal wⱼ/Σw (exact up to rounding: 1e-12).
    #[test]
    fn alias_table_reproduces_the_weights() {
        let w = [0.3, 5.0, 0.01, 2.2, 0.0, 7.5, 1.0];
        let table = alias_table(&w).unwrap();
        let n = w.len() as f64;
        let mut p = [0.0; 7];
        for (i, &(keep, alias)) in table.iter().enumerate() {
            p[i] += keep / n;
            p[alias as usize] += (1.0 - keep) / n;
        }
        let total: f64 = w.iter().sum();
        for (pi, wi) in p.iter().zip(w) {
            assert!((pi - wi / total).abs() < 1e-12, "{pi} vs {}", wi / total);
        }
    }
}
