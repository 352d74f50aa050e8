//! Standard errors of per-policy results by batch means: the trials split into `B`
//! contiguous batches (batch of trial t = ⌊t·B/n⌋), independent blocks of years.

/// Number of batches for `trials` years: 32, or one per year below that.
pub(super) fn error_batches(trials: usize) -> usize {
    trials.clamp(1, 32)
}

/// What every policy's standard errors are computed from.
pub(super) struct BatchErrors<'a> {
    pub trials: usize,
    /// Tail years k.
    pub tail: usize,
    /// TVaR level α.
    pub level: f64,
    /// VaR / TVaR of the portfolio.
    pub var_over_tvar: f64,
    /// Tail years in each batch, k_b.
    pub tail_per_batch: &'a [i128],
}

impl BatchErrors<'_> {
    /// (SE of the mean, SE of the co-TVaR) from a policy's per-batch sums M_b and tail sums
    /// T_b (分), with n_b years and k_b tail years in batch b:
    ///
    /// ```text
    /// m = ΣM_b / n,   SE(m)² = B/(B−1) · Σ_b (M_b − m·n_b)² / n²
    /// c = ΣT_b / k,   SE(c)² = B/(B−1) · Σ_b (T_b − c·k_b)² / k²  +  α·(c − a)² / k
    /// ```
    /// The first term of SE(c) is the ratio estimator's batch-means variance with the tail
    /// fixed; the second adds the uncertainty of the VaR threshold (the influence function of
    /// co-TVaR, Manistre & Hancock 2005), with E\[X | S = VaR\] ≈ a = c·VaR/TVaR.
    pub(super) fn of(&self, sums: &[i128], tail_sums: &[i128]) -> (f64, f64) {
        let b = sums.len();
        if b < 2 {
            return (0.0, 0.0);
        }
        let n = self.trials as f64;
        let k = self.tail as f64;
        let inflate = b as f64 / (b as f64 - 1.0);
        let mean = sums.iter().sum::<i128>() as f64 / n;
        let alloc = tail_sums.iter().sum::<i128>() as f64 / k;
        let mut ss_mean = 0.0;
        let mut ss_tail = 0.0;
        for (j, (&m, &t)) in sums.iter().zip(tail_sums).enumerate() {
            let years = ((j + 1) * self.trials).div_ceil(b) - (j * self.trials).div_ceil(b);
            let years = years as f64;
            ss_mean += (m as f64 - mean * years).powi(2);
            ss_tail += (t as f64 - alloc * self.tail_per_batch[j] as f64).powi(2);
        }
        let threshold = self.level * (alloc * (1.0 - self.var_over_tvar)).powi(2) / k;
        (
            (inflate * ss_mean).sqrt() / n / 100.0,
            (inflate * ss_tail / (k * k) + threshold).sqrt() / 100.0,
        )
    }
}
