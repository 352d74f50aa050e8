//! Special functions with guarded domains: statrs panics outside its domain, these return NaN
//! (or the limiting value) instead, so that queries on valid models never panic.

use realfft::num_complex::Complex64;
use statrs::function::{beta, gamma};

/// Shape above which the incomplete gamma uses the Wilson–Hilferty normal approximation
/// (error O(1/a) < 1e-9): statrs's series needs O(√a) terms and would take minutes for
/// a ≈ 1e20.
const LARGE_SHAPE: f64 = 1e9;

/// Wilson–Hilferty: (x/a)^(1/3) ≈ N(1 − 1/(9a), 1/(9a)); returns z.
fn wilson_hilferty(a: f64, x: f64) -> f64 {
    let v = 1.0 / (9.0 * a);
    ((x / a).cbrt() - (1.0 - v)) / v.sqrt()
}

/// Regularized lower incomplete gamma P(a, x) for a > 0, x ≥ 0 (x = ∞ gives 1).
pub(crate) fn gamma_p(a: f64, x: f64) -> f64 {
    if a > LARGE_SHAPE && x > 0.0 && x.is_finite() && a.is_finite() {
        return super::normal_cdf(wilson_hilferty(a, x));
    }
    if x.is_nan() || !a.is_finite() || a <= 0.0 {
        f64::NAN
    } else if x <= 0.0 {
        0.0
    } else if x == f64::INFINITY {
        1.0
    } else {
        gamma::gamma_lr(a, x)
    }
}

/// Regularized upper incomplete gamma Q(a, x) = 1 − P(a, x), computed directly.
pub(crate) fn gamma_q(a: f64, x: f64) -> f64 {
    if a > LARGE_SHAPE && x > 0.0 && x.is_finite() && a.is_finite() {
        return super::normal_survival(wilson_hilferty(a, x));
    }
    if x.is_nan() || !a.is_finite() || a <= 0.0 {
        f64::NAN
    } else if x <= 0.0 {
        1.0
    } else if x == f64::INFINITY {
        0.0
    } else {
        gamma::gamma_ur(a, x)
    }
}

/// Regularized incomplete beta I_x(a, b) for a, b > 0, clamping x to \[0, 1\].
pub(crate) fn beta_reg(a: f64, b: f64, x: f64) -> f64 {
    if x.is_nan() || !a.is_finite() || !b.is_finite() || a <= 0.0 || b <= 0.0 {
        f64::NAN
    } else if x <= 0.0 {
        0.0
    } else if x >= 1.0 {
        1.0
    } else {
        beta::beta_reg(a, b, x)
    }
}

/// ln Γ(x) for x > 0 (libm's `lgamma`, accurate to a few ulp; statrs's Lanczos version loses
/// about 1e-14 absolute for moderate x).
pub(crate) fn ln_gamma(x: f64) -> f64 {
    libm::lgamma(x)
}

/// g(c, t) = (1 − e^{−c·t}) / c, with its limit t at c = 0; accurate for small |c| and for
/// t = ∞ (gives 1/c when c > 0). It is the limited expected value of the Pareto family in the
/// variable t = ln(1 + x/θ).
pub(crate) fn expm1_ratio(c: f64, t: f64) -> f64 {
    if c == 0.0 {
        t
    } else if t == f64::INFINITY && c > 0.0 {
        1.0 / c
    } else {
        -(-c * t).exp_m1() / c
    }
}

/// ln(1 + eˢ) without overflow for large s.
pub(crate) fn ln1p_exp(s: f64) -> f64 {
    if s > 35.0 {
        s + (-s).exp().ln_1p()
    } else {
        s.exp().ln_1p()
    }
}

/// e^w − 1 for complex w, accurate for small |w|: (expm1(a)·cos b − 2 sin²(b/2)) +
/// i·e^a·sin b for w = a + ib.
pub(crate) fn exp_m1(w: Complex64) -> Complex64 {
    let (a, b) = (w.re, w.im);
    let half = (b / 2.0).sin();
    Complex64::new(a.exp_m1() * b.cos() - 2.0 * half * half, a.exp() * b.sin())
}

/// ln(1 + w) for complex w, accurate for small |w|: ½·ln1p(2·Re w + |w|²) + i·arg(1 + w).
pub(crate) fn ln_1p(w: Complex64) -> Complex64 {
    let (a, b) = (w.re, w.im);
    Complex64::new(0.5 * (2.0 * a + a * a + b * b).ln_1p(), b.atan2(1.0 + a))
}

/// e^(c + w) − e^c for real c and complex w: e^c·expm1(w) (no cancellation) when that is
/// representable, else the plain difference (then nothing cancels: e^c is negligible or w is
/// large).
pub(crate) fn exp_increment(c: f64, w: Complex64) -> Complex64 {
    if c > -700.0 && w.re < 1.0 {
        c.exp() * exp_m1(w)
    } else {
        (c + w).exp() - c.exp()
    }
}
