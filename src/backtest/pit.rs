//! Tests of a whole predictive distribution through probability integral transforms.

use super::chi_square_survival;
use super::experience::element;
use crate::error::{Error, Result};
use crate::numerics::normal_quantile;
use serde::{Deserialize, Serialize};

/// Uniformity tests of PIT values uᵢ = Fᵢ(yᵢ) (each model's cdf at what happened).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PitTests {
    /// Number of PIT values.
    pub observations: usize,
    /// Kolmogorov–Smirnov distance to the uniform.
    pub ks_statistic: f64,
    /// Asymptotic Kolmogorov p-value at (√n + 0.12 + 0.11/√n)·D (Stephens 1970).
    pub ks_p_value: f64,
    /// Berkowitz (2001) LR that Φ⁻¹(u) is N(0, 1) in mean and variance:
    /// n(μ̂² + σ̂² − 1 − ln σ̂²), 2 df (serial correlation is not tested).
    pub berkowitz_statistic: f64,
    /// P(χ²₂ ≥ statistic).
    pub berkowitz_p_value: f64,
    /// Counts of u in ten equal bins.
    pub histogram: Vec<usize>,
}

/// Kolmogorov survival function Q(λ) = 2 Σ (−1)^{k−1} exp(−2k²λ²), by its Jacobi-theta
/// form for small λ.
pub(crate) fn kolmogorov_survival(lambda: f64) -> f64 {
    if lambda <= 0.0 {
        return 1.0;
    }
    if lambda < 1.0 {
        // 1 − (√(2π)/λ) Σ_{k≥1} exp(−(2k−1)²π²/(8λ²))
        let c = std::f64::consts::PI.powi(2) / (8.0 * lambda * lambda);
        let s: f64 = (1..=20)
            .map(|k| (-((2 * k - 1) as f64).powi(2) * c).exp())
            .sum();
        1.0 - (2.0 * std::f64::consts::PI).sqrt() / lambda * s
    } else {
        let s: f64 = (1..=100)
            .map(|k| {
                let sign = if k % 2 == 1 { 1.0 } else { -1.0 };
                sign * (-2.0 * (k * k) as f64 * lambda * lambda).exp()
            })
            .sum();
        (2.0 * s).clamp(0.0, 1.0)
    }
}

/// Runs the PIT tests. Values must lie in [0, 1]; 0 and 1 are moved in by 1e-12 before
/// Φ⁻¹ so that a single extreme value gives a large but finite Berkowitz statistic.
///
/// ```
/// use kexian::backtest::pit_tests;
/// let u: Vec<f64> = (0..100).map(|i| (i as f64 + 0.5) / 100.0).collect();
/// let t = pit_tests(&u)?;
/// assert!(t.ks_statistic <= 0.005 + 1e-12 && t.ks_p_value > 0.99);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn pit_tests(u: &[f64]) -> Result<PitTests> {
    let n = u.len();
    if n < 2 {
        return Err(Error::TooFew {
            model: "PitTests",
            what: "PIT values",
            got: n,
            need: 2,
        });
    }
    for (i, &v) in u.iter().enumerate() {
        element(i, "u", v, (0.0..=1.0).contains(&v), "in [0, 1]")?;
    }
    let mut sorted = u.to_vec();
    sorted.sort_by(f64::total_cmp);
    let nf = n as f64;
    let ks_statistic = sorted
        .iter()
        .enumerate()
        .map(|(i, &v)| (v - i as f64 / nf).max((i + 1) as f64 / nf - v))
        .fold(0.0, f64::max);
    let sn = nf.sqrt();
    let ks_p_value = kolmogorov_survival((sn + 0.12 + 0.11 / sn) * ks_statistic);
    let z: Vec<f64> = u
        .iter()
        .map(|&v| normal_quantile(v.clamp(1e-12, 1.0 - 1e-12)))
        .collect();
    let mean = z.iter().sum::<f64>() / nf;
    let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / nf;
    let berkowitz_statistic = if var > 0.0 {
        nf * (mean * mean + var - 1.0 - var.ln())
    } else {
        f64::MAX
    };
    let mut histogram = vec![0; 10];
    for &v in u {
        histogram[((v * 10.0) as usize).min(9)] += 1;
    }
    Ok(PitTests {
        observations: n,
        ks_statistic,
        ks_p_value,
        berkowitz_statistic,
        berkowitz_p_value: chi_square_survival(berkowitz_statistic, 2.0),
        histogram,
    })
}
