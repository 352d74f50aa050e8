//! The linear algebra of IRLS: XᵀWX, Xᵀv and Xβ on a design that is stored sparse (row-wise
//! non-zeros) when most entries are zero, as rating designs of indicator columns are, and by
//! a blocked matrix product otherwise; Cholesky factorisation, solves and inverses.

use crate::error::{Error, Result};
use crate::numerics;
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// A design matrix with the access pattern IRLS needs.
pub(super) struct Design<'a> {
    x: ArrayView2<'a, f64>,
    sparse: Option<Sparse>,
}

/// Row-compressed non-zeros.
struct Sparse {
    start: Vec<usize>,
    column: Vec<usize>,
    value: Vec<f64>,
}

impl<'a> Design<'a> {
    /// Stores the non-zeros row-wise when at most half the entries are non-zero.
    pub(super) fn new(x: ArrayView2<'a, f64>) -> Self {
        let nonzero = x.iter().filter(|v| **v != 0.0).count();
        let sparse = (2 * nonzero <= x.len()).then(|| {
            let mut s = Sparse {
                start: Vec::with_capacity(x.nrows() + 1),
                column: Vec::with_capacity(nonzero),
                value: Vec::with_capacity(nonzero),
            };
            s.start.push(0);
            for row in x.rows() {
                for (j, &v) in row.iter().enumerate().filter(|(_, v)| **v != 0.0) {
                    s.column.push(j);
                    s.value.push(v);
                }
                s.start.push(s.column.len());
            }
            s
        });
        Self { x, sparse }
    }

    pub(super) fn view(&self) -> ArrayView2<'a, f64> {
        self.x
    }

    /// XᵀWX for row weights w ≥ 0, as a full symmetric matrix.
    pub(super) fn gram(&self, w: &[f64]) -> Array2<f64> {
        let p = self.x.ncols();
        match &self.sparse {
            Some(s) => {
                let mut g = Array2::<f64>::zeros((p, p));
                for (i, wi) in w.iter().enumerate() {
                    let (cols, vals) = s.row(i);
                    for (k, (&a, &va)) in cols.iter().zip(vals).enumerate() {
                        let wa = wi * va;
                        for (&b, &vb) in cols[..=k].iter().zip(&vals[..=k]) {
                            g[[a, b]] += wa * vb;
                        }
                    }
                }
                for a in 0..p {
                    for b in 0..a {
                        g[[b, a]] = g[[a, b]];
                    }
                }
                g
            }
            None => {
                let mut xs = self.x.to_owned();
                for (mut row, wi) in xs.axis_iter_mut(Axis(0)).zip(w) {
                    row *= wi.sqrt();
                }
                xs.t().dot(&xs)
            }
        }
    }

    /// Xᵀv.
    pub(super) fn tdot(&self, v: &[f64]) -> Array1<f64> {
        let p = self.x.ncols();
        match &self.sparse {
            Some(s) => {
                let mut out = Array1::<f64>::zeros(p);
                for (i, vi) in v.iter().enumerate() {
                    let (cols, vals) = s.row(i);
                    for (&j, &x) in cols.iter().zip(vals) {
                        out[j] += x * vi;
                    }
                }
                out
            }
            None => self.x.t().dot(&Array1::from(v.to_vec())),
        }
    }

    /// Xβ.
    pub(super) fn dot(&self, beta: &Array1<f64>) -> Vec<f64> {
        match &self.sparse {
            Some(s) => (0..self.x.nrows())
                .map(|i| {
                    let (cols, vals) = s.row(i);
                    cols.iter().zip(vals).map(|(&j, &x)| x * beta[j]).sum()
                })
                .collect(),
            None => self.x.dot(beta).to_vec(),
        }
    }
}

impl Sparse {
    fn row(&self, i: usize) -> (&[usize], &[f64]) {
        let r = self.start[i]..self.start[i + 1];
        (&self.column[r.clone()], &self.value[r])
    }
}

/// The pivot below which column j of the Gram matrix `a` counts as aliased: 10⁻¹⁰ of its
/// diagonal.
fn aliasing_floor(a: &Array2<f64>) -> impl Fn(usize) -> f64 + '_ {
    |j| 1e-10 * a[[j, j]].abs().max(f64::MIN_POSITIVE)
}

/// Lower Cholesky factor of the symmetric matrix `a` (its lower triangle is read); errors on
/// a (numerically) singular matrix — a pivot at most 10⁻¹⁰ of its diagonal — naming the
/// first aliased column by `label`.
pub(super) fn cholesky(a: &Array2<f64>, label: &dyn Fn(usize) -> String) -> Result<Array2<f64>> {
    numerics::cholesky(a, aliasing_floor(a)).map_err(|(j, _)| Error::NotIdentified {
        model: super::MODEL,
        reason: format!(
            "design {} is aliased (a linear combination of earlier columns, or all zero): \
                 drop it or merge levels",
            label(j)
        ),
    })
}

/// scale · A⁻¹ for a symmetric positive definite A; a NaN matrix if A has become singular.
pub(super) fn inverse(a: &Array2<f64>, scale: f64) -> Array2<f64> {
    let p = a.nrows();
    numerics::spd_inverse(a, aliasing_floor(a))
        .map_or_else(|| Array2::from_elem((p, p), f64::NAN), |m| m * scale)
}
