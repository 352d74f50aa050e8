//! Count, mean and central moment sums of a sample, mergeable in a fixed order
//! (Pébay, "Formulas for robust, one-pass parallel computation of covariances and arbitrary-order
//! statistical moments", Sandia SAND2008-6212, 2008).

/// n, mean and M_k = Σ (x − mean)^k for k = 2, 3, 4.
#[derive(Debug, Clone, Copy, PartialEq, Default, serde::Serialize, serde::Deserialize)]
pub(crate) struct Moments {
    pub n: f64,
    pub mean: f64,
    pub m2: f64,
    pub m3: f64,
    pub m4: f64,
}

impl Moments {
    /// Two-pass moments of a slice.
    pub fn of(xs: &[f64]) -> Self {
        if xs.is_empty() {
            return Self::default();
        }
        let n = xs.len() as f64;
        let mean = xs.iter().sum::<f64>() / n;
        let (mut m2, mut m3, mut m4) = (0.0, 0.0, 0.0);
        for &x in xs {
            let d = x - mean;
            let d2 = d * d;
            m2 += d2;
            m3 += d2 * d;
            m4 += d2 * d2;
        }
        Self {
            n,
            mean,
            m2,
            m3,
            m4,
        }
    }

    /// From n values' mean and central sums Σ(x − mean)^k, k = 2, 3, 4 (n = 0: empty).
    pub(crate) fn from_central(n: f64, mean: f64, [m2, m3, m4]: [f64; 3]) -> Self {
        if n == 0.0 {
            return Self::default();
        }
        Self {
            n,
            mean,
            m2,
            m3,
            m4,
        }
    }

    /// The moments of the union of the two samples.
    pub fn merge(&self, b: &Self) -> Self {
        let a = self;
        if a.n == 0.0 {
            return *b;
        }
        if b.n == 0.0 {
            return *a;
        }
        let n = a.n + b.n;
        let d = b.mean - a.mean;
        let (d2, na, nb) = (d * d, a.n, b.n);
        let mean = a.mean + d * nb / n;
        let m2 = a.m2 + b.m2 + d2 * na * nb / n;
        let m3 = a.m3
            + b.m3
            + d2 * d * na * nb * (na - nb) / (n * n)
            + 3.0 * d * (na * b.m2 - nb * a.m2) / n;
        let m4 = a.m4
            + b.m4
            + d2 * d2 * na * nb * (na * na - na * nb + nb * nb) / (n * n * n)
            + 6.0 * d2 * (na * na * b.m2 + nb * nb * a.m2) / (n * n)
            + 4.0 * d * (na * b.m3 - nb * a.m3) / n;
        Self {
            n,
            mean,
            m2,
            m3,
            m4,
        }
    }

    /// Raw moment E\[X^k\] of the sample for k = 1..=4.
    pub fn raw(&self, k: u32) -> f64 {
        let (m, v, c3, c4) = (
            self.mean,
            self.m2 / self.n,
            self.m3 / self.n,
            self.m4 / self.n,
        );
        match k {
            1 => m,
            2 => v + m * m,
            3 => c3 + 3.0 * m * v + m * m * m,
            _ => c4 + 4.0 * m * c3 + 6.0 * m * m * v + m.powi(4),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn merge_equals_whole() {
        let xs: Vec<f64> = (0..1000)
            .map(|i| ((i * 7919) % 1009) as f64 * 1.5 + 3.0)
            .collect();
        let whole = Moments::of(&xs);
        let merged = Moments::of(&xs[..317]).merge(&Moments::of(&xs[317..]));
        for (a, b) in [
            (whole.mean, merged.mean),
            (whole.m2, merged.m2),
            (whole.m3, merged.m3),
            (whole.m4, merged.m4),
        ] {
            assert!((a - b).abs() <= 1e-10 * a.abs().max(1.0), "{a} vs {b}");
        }
    }
}
