//! Small dense linear algebra.

use ndarray::Array2;

/// Inverse of a small matrix by Gauss–Jordan elimination with partial pivoting; `None` when
/// singular.
pub(crate) fn invert(m: &Array2<f64>) -> Option<Array2<f64>> {
    let p = m.nrows();
    let mut a = m.clone();
    let mut inv = Array2::<f64>::eye(p);
    let scale = m.iter().fold(0.0_f64, |s, v| s.max(v.abs()));
    for c in 0..p {
        let pivot = (c..p).max_by(|&i, &j| a[[i, c]].abs().total_cmp(&a[[j, c]].abs()))?;
        if a[[pivot, c]].abs().is_nan() || a[[pivot, c]].abs() <= 1e-14 * scale {
            return None;
        }
        for k in 0..p {
            a.swap([c, k], [pivot, k]);
            inv.swap([c, k], [pivot, k]);
        }
        let d = a[[c, c]];
        for k in 0..p {
            a[[c, k]] /= d;
            inv[[c, k]] /= d;
        }
        for r in (0..p).filter(|&r| r != c) {
            let f = a[[r, c]];
            for k in 0..p {
                a[[r, k]] -= f * a[[c, k]];
                inv[[r, k]] -= f * inv[[c, k]];
            }
        }
    }
    Some(inv)
}
