//! Small dense linear algebra: one Cholesky factorisation (which names the pivot where a
//! matrix stops being positive definite, for the GLM's aliased column and the copula's
//! correlation), solves and the inverse of a positive definite matrix from it, and a general
//! inverse by Gauss–Jordan elimination for the non-symmetric 2 × 2 systems of credibility
//! regression.

use ndarray::{Array1, Array2};

/// Lower Cholesky factor L (L Lᵀ = a) of the symmetric matrix `a` (its lower triangle is
/// read), or the first column j whose pivot dⱼ = aⱼⱼ − Σₖ Lⱼₖ² is NaN or at most
/// `floor(j)`, with that pivot (`floor` 0: positive definite; a relative floor also refuses
/// a numerically singular one).
pub(crate) fn cholesky(
    a: &Array2<f64>,
    floor: impl Fn(usize) -> f64,
) -> Result<Array2<f64>, (usize, f64)> {
    let p = a.nrows();
    let mut l = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let mut d = a[[j, j]];
        for k in 0..j {
            d -= l[[j, k]] * l[[j, k]];
        }
        if d.is_nan() || d <= floor(j) {
            return Err((j, d));
        }
        let djj = d.sqrt();
        l[[j, j]] = djj;
        for i in j + 1..p {
            let mut s = a[[i, j]];
            for k in 0..j {
                s -= l[[i, k]] * l[[j, k]];
            }
            l[[i, j]] = s / djj;
        }
    }
    Ok(l)
}

/// Solves L Lᵀ x = b for the factor `l` of [`cholesky`].
pub(crate) fn cholesky_solve(l: &Array2<f64>, b: &Array1<f64>) -> Array1<f64> {
    let p = l.nrows();
    let mut y = b.clone();
    for i in 0..p {
        for k in 0..i {
            y[i] -= l[[i, k]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    for i in (0..p).rev() {
        for k in i + 1..p {
            y[i] -= l[[k, i]] * y[k];
        }
        y[i] /= l[[i, i]];
    }
    y
}

/// A⁻¹ for a symmetric positive definite A, column by column from its Cholesky factor;
/// `None` when a pivot is at most `floor` (see [`cholesky`]).
pub(crate) fn spd_inverse(a: &Array2<f64>, floor: impl Fn(usize) -> f64) -> Option<Array2<f64>> {
    let p = a.nrows();
    let l = cholesky(a, floor).ok()?;
    let mut inv = Array2::<f64>::zeros((p, p));
    for j in 0..p {
        let mut e = Array1::<f64>::zeros(p);
        e[j] = 1.0;
        inv.column_mut(j).assign(&cholesky_solve(&l, &e));
    }
    Some(inv)
}

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

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    /// A = [[4, 2], [2, 3]]: L = [[2, 0], [1, √2]], A⁻¹ = [[3, −2], [−2, 4]] / 8 (by hand).
    #[test]
    fn factor_solve_and_inverse_by_hand() {
        let a = array![[4.0, 2.0], [2.0, 3.0]];
        let l = cholesky(&a, |_| 0.0).unwrap();
        assert_eq!(l, array![[2.0, 0.0], [1.0, 2f64.sqrt()]]);
        let inv = spd_inverse(&a, |_| 0.0).unwrap();
        let want = array![[3.0, -2.0], [-2.0, 4.0]] / 8.0;
        assert!((inv - &want).iter().all(|d| d.abs() < 1e-15));
        assert!(
            (invert(&a).unwrap() - &want)
                .iter()
                .all(|d| d.abs() < 1e-15)
        );
        // [[1, 2], [2, 1]] is indefinite: the second pivot is 1 − 4 = −3.
        assert_eq!(
            cholesky(&array![[1.0, 2.0], [2.0, 1.0]], |_| 0.0),
            Err((1, -3.0))
        );
        assert!(spd_inverse(&array![[1.0, 2.0], [2.0, 1.0]], |_| 0.0).is_none());
    }
}
