//! Minimisation of a smooth negative log-likelihood: Nelder–Mead from the starting values,
//! then Newton steps on central-difference derivatives until the Newton decrement is
//! negligible; and the Hessian for standard errors.

use crate::numerics::invert;
use ndarray::{Array1, Array2};

/// A converged minimum.
pub(crate) struct Minimum {
    pub(crate) x: Vec<f64>,
    pub(crate) value: f64,
    pub(crate) evaluations: usize,
}

/// What a fit reports at the minimum of its negative log-likelihood.
pub(crate) struct Summary {
    pub(crate) std_errors: Vec<f64>,
    pub(crate) covariance: Vec<Vec<f64>>,
    pub(crate) log_likelihood: f64,
    pub(crate) aic: f64,
    pub(crate) bic: f64,
}

/// Standard errors and covariance from the inverse observed information (the [`hessian`] of
/// the negative log-likelihood `negative` in natural parameters at `parameters`), and
/// ℓ, AIC = −2ℓ + 2k, BIC = −2ℓ + k ln n for the minimum `value` and `n` observations;
/// `None` when the information is singular.
pub(crate) fn summarise(
    negative: &dyn Fn(&[f64]) -> f64,
    parameters: &[f64],
    value: f64,
    n: f64,
    evaluations: &mut usize,
) -> Option<Summary> {
    let k = parameters.len();
    let covariance = invert(&hessian(negative, parameters, evaluations))
        .filter(|c| (0..k).all(|i| c[[i, i]] > 0.0))?;
    let log_likelihood = -value;
    Some(Summary {
        std_errors: (0..k).map(|i| covariance[[i, i]].sqrt()).collect(),
        covariance: covariance.rows().into_iter().map(|r| r.to_vec()).collect(),
        log_likelihood,
        aic: -2.0 * log_likelihood + 2.0 * k as f64,
        bic: -2.0 * log_likelihood + k as f64 * n.ln(),
    })
}

/// Why a minimisation failed.
pub(crate) enum Failure {
    /// The objective is not finite at the start.
    Start,
    /// No point with a positive definite Hessian and a negligible Newton decrement.
    NotConverged(String),
}

/// Minimises `f` from `start` (unconstrained coordinates; non-finite values count as +∞).
/// Converged when the Newton decrement gᵀH⁻¹g/2 is below max(1e-12, 1e-15·|f|)
/// (log-likelihood units) at a positive definite Hessian.
pub(crate) fn minimise(f: &dyn Fn(&[f64]) -> f64, start: &[f64]) -> Result<Minimum, Failure> {
    let g = |x: &[f64]| {
        let v = f(x);
        if v.is_nan() { f64::INFINITY } else { v }
    };
    if !g(start).is_finite() {
        return Err(Failure::Start);
    }
    let mut evaluations = 0;
    let (mut x, mut value) = nelder_mead(&g, start, &mut evaluations);
    for _ in 0..50 {
        let (grad, hess) = derivatives(&g, &x, &mut evaluations);
        let Some(inv) = invert(&hess).filter(|_| positive_definite(&hess)) else {
            // Not yet in a convex region: more simplex steps from here.
            let (nx, nv) = nelder_mead(&g, &x, &mut evaluations);
            if nv >= value - 1e-12 * value.abs() {
                return Err(Failure::NotConverged(
                    "the Hessian of the log-likelihood is not positive definite at the \
                     best point found (a flat likelihood or a maximum on the boundary of \
                     the parameter space)"
                        .into(),
                ));
            }
            (x, value) = (nx, nv);
            continue;
        };
        let step = inv.dot(&grad);
        let decrement = grad.dot(&step) / 2.0;
        // The floor grows with |f|: rounding in a sum of many log-likelihood terms makes the
        // numerical gradient's own decrement about 1e-17·|f|.
        if decrement < 1e-12_f64.max(1e-15 * value.abs()) {
            // One last full Newton step, kept if it does not make things worse: from here it
            // brings the error down to rounding level.
            let last: Vec<f64> = x.iter().zip(&step).map(|(a, s)| a - s).collect();
            let v = g(&last);
            evaluations += 1;
            if v <= value {
                (x, value) = (last, v);
            }
            return Ok(Minimum {
                x,
                value,
                evaluations,
            });
        }
        // Backtracking line search on the Newton direction (Armijo's condition).
        let mut t = 1.0;
        let mut moved = false;
        for _ in 0..40 {
            let trial: Vec<f64> = x.iter().zip(&step).map(|(a, s)| a - t * s).collect();
            let v = g(&trial);
            evaluations += 1;
            if v <= value - 1e-4 * t * decrement * 2.0 {
                x = trial;
                value = v;
                moved = true;
                break;
            }
            t /= 2.0;
        }
        if !moved {
            // No step improves on this point beyond the rounding of the objective: it is the
            // minimum to within the derivatives' numerical noise.
            if decrement < 1e-6 {
                return Ok(Minimum {
                    x,
                    value,
                    evaluations,
                });
            }
            return Err(Failure::NotConverged(format!(
                "Newton steps stopped improving (decrement {decrement:.3e})"
            )));
        }
    }
    Err(Failure::NotConverged(
        "no convergence in 50 Newton steps".into(),
    ))
}

fn positive_definite(h: &Array2<f64>) -> bool {
    crate::numerics::cholesky(h, |_| 0.0).is_ok()
}

/// The Hessian for standard errors: central differences at relative steps 4e-3 and 2e-3
/// combined by Richardson extrapolation, (4H(h/2) − H(h))/3, whose error is O(h⁴) while the
/// steps stay large against rounding.
pub(crate) fn hessian(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    evaluations: &mut usize,
) -> Array2<f64> {
    let coarse = derivatives_at(f, x, 4e-3, evaluations).1;
    let fine = derivatives_at(f, x, 2e-3, evaluations).1;
    (fine * 4.0 - coarse) / 3.0
}

/// Gradient and Hessian of `f` at `x` in the optimiser's unit-free coordinates (logarithms
/// of positive parameters): central differences at steps h = 2e-4·max(1, |x|) and h/2,
/// Richardson-extrapolated, so that the gradient is accurate near the minimum.
fn derivatives(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    evaluations: &mut usize,
) -> (Array1<f64>, Array2<f64>) {
    let h: Vec<f64> = x.iter().map(|v| 2e-4 * v.abs().max(1.0)).collect();
    let half: Vec<f64> = h.iter().map(|v| v / 2.0).collect();
    let (g1, h1) = differences(f, x, &h, evaluations);
    let (g2, h2) = differences(f, x, &half, evaluations);
    ((g2 * 4.0 - g1) / 3.0, (h2 * 4.0 - h1) / 3.0)
}

fn derivatives_at(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    relative: f64,
    evaluations: &mut usize,
) -> (Array1<f64>, Array2<f64>) {
    let h: Vec<f64> = x.iter().map(|v| relative * v.abs().max(1e-2)).collect();
    differences(f, x, &h, evaluations)
}

/// Central differences with steps `h`.
fn differences(
    f: &dyn Fn(&[f64]) -> f64,
    x: &[f64],
    h: &[f64],
    evaluations: &mut usize,
) -> (Array1<f64>, Array2<f64>) {
    let p = x.len();
    let at = |d: &[(usize, f64)]| {
        let mut y = x.to_vec();
        for &(i, s) in d {
            y[i] += s;
        }
        f(&y)
    };
    let f0 = f(x);
    let mut grad = Array1::<f64>::zeros(p);
    let mut hess = Array2::<f64>::zeros((p, p));
    for i in 0..p {
        let (up, down) = (at(&[(i, h[i])]), at(&[(i, -h[i])]));
        grad[i] = (up - down) / (2.0 * h[i]);
        hess[[i, i]] = (up - 2.0 * f0 + down) / (h[i] * h[i]);
        for j in 0..i {
            let v = (at(&[(i, h[i]), (j, h[j])])
                - at(&[(i, h[i]), (j, -h[j])])
                - at(&[(i, -h[i]), (j, h[j])])
                + at(&[(i, -h[i]), (j, -h[j])]))
                / (4.0 * h[i] * h[j]);
            hess[[i, j]] = v;
            hess[[j, i]] = v;
        }
    }
    *evaluations += 1 + 2 * p + 2 * p * (p - 1);
    (grad, hess)
}

/// Nelder–Mead (standard coefficients 1, 2, ½, ½) from an initial simplex of relative size
/// 10% around `start`, until the simplex values agree to 1e-10 or 400·p evaluations.
fn nelder_mead(
    f: &dyn Fn(&[f64]) -> f64,
    start: &[f64],
    evaluations: &mut usize,
) -> (Vec<f64>, f64) {
    let p = start.len();
    let mut simplex: Vec<(Vec<f64>, f64)> = Vec::with_capacity(p + 1);
    simplex.push((start.to_vec(), f(start)));
    for i in 0..p {
        let mut v = start.to_vec();
        v[i] += if v[i] == 0.0 {
            0.1
        } else {
            0.1 * v[i].abs().max(0.25)
        };
        let fv = f(&v);
        simplex.push((v, fv));
    }
    *evaluations += p + 1;
    let budget = 400 * p.max(1);
    for _ in 0..budget {
        simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (best, worst) = (simplex[0].1, simplex[p].1);
        if (worst - best).abs() <= 1e-10 * (1.0 + best.abs()) {
            break;
        }
        let centroid: Vec<f64> = (0..p)
            .map(|j| simplex[..p].iter().map(|s| s.0[j]).sum::<f64>() / p as f64)
            .collect();
        let toward = |t: f64| -> Vec<f64> {
            centroid
                .iter()
                .zip(&simplex[p].0)
                .map(|(c, w)| c + t * (w - c))
                .collect()
        };
        let reflected = toward(-1.0);
        let fr = f(&reflected);
        *evaluations += 1;
        if fr < best {
            let expanded = toward(-2.0);
            let fe = f(&expanded);
            *evaluations += 1;
            simplex[p] = if fe < fr {
                (expanded, fe)
            } else {
                (reflected, fr)
            };
        } else if fr < simplex[p - 1].1 {
            simplex[p] = (reflected, fr);
        } else {
            let contracted = if fr < worst {
                toward(-0.5)
            } else {
                toward(0.5)
            };
            let fc = f(&contracted);
            *evaluations += 1;
            if fc < worst.min(fr) {
                simplex[p] = (contracted, fc);
            } else {
                let best_point = simplex[0].0.clone();
                for s in simplex.iter_mut().skip(1) {
                    s.0 =
                        s.0.iter()
                            .zip(&best_point)
                            .map(|(v, b)| b + 0.5 * (v - b))
                            .collect();
                    s.1 = f(&s.0);
                }
                *evaluations += p;
            }
        }
    }
    simplex.sort_by(|a, b| a.1.total_cmp(&b.1));
    simplex.swap_remove(0)
}
