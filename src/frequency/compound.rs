//! Compound distributions on a grid: Panjer recursion and FFT of a claim count over discretised
//! claim payments (used by the exact aggregate engine and by package perils with an annual limit).

use crate::error::{Error, Result};
use crate::frequency::{Frequency, PanjerKind};
use realfft::RealFftPlanner;

/// Terms of the Panjer sum between two calls of its observer (about 10 ms of work).
pub(crate) const CHECK_TERMS: usize = 1 << 23;

/// Panjer recursion for an (a, b, 0) or (a, b, 1) claim count and discretised payments `f`:
///
/// ```text
/// g₀ = P_N(f₀)
/// g_k = [ (p₁ − (a + b)p₀)·f_k·1{(a,b,1)} + Σ_{j=1..k} (a + b·j/k)·f_j·g_{k−j} ] / (1 − a·f₀)
/// ```
/// O(m²). For (a, b, 0) counts the recursion is run on a rescaled g (it is homogeneous in g),
/// so P(S = 0) underflowing (e.g. λ > 745) does not zero the whole distribution.
/// `observer` is told the rows done about every [`CHECK_TERMS`] terms and may stop the
/// recursion ([`Error::Cancelled`]).
pub(crate) fn panjer<F: Frequency + ?Sized>(
    frequency: &F,
    f: &[f64],
    observer: Option<crate::simulation::Observer>,
) -> Result<Vec<f64>> {
    let class = frequency
        .panjer_class()
        .ok_or_else(|| Error::Inconsistent {
            model: "Panjer",
            message: "the claim-count distribution is not in the (a, b, 0) or (a, b, 1) class"
                .into(),
        })?;
    let (a, b) = (class.a, class.b);
    let m = f.len();
    let mut g = vec![0.0; m];
    let denom = 1.0 - a * f[0];
    let ab1 = class.kind == PanjerKind::AB1;
    let (p0, p1) = (frequency.pmf(0), frequency.pmf(1));
    // ln of the true g₀ and the scale the stored values carry: g_true = g · exp(ln_scale).
    let ln_g0 = frequency.ln_pgf(f[0]);
    let mut ln_scale = if ab1 || ln_g0 > -600.0 { 0.0 } else { ln_g0 };
    g[0] = (ln_g0 - ln_scale).exp();
    let inhomogeneous = if ab1 { p1 - (a + b) * p0 } else { 0.0 };
    let mut terms = 0usize;
    for k in 1..m {
        terms += k;
        if let Some(observe) = observer.filter(|_| terms >= CHECK_TERMS) {
            terms = 0;
            let progress = crate::simulation::Progress {
                stage: "Panjer recursion",
                done: k as u64,
                total: m as u64,
            };
            if observe(progress).is_break() {
                return Err(Error::Cancelled {
                    stage: "Panjer recursion",
                });
            }
        }
        let kf = k as f64;
        let mut acc = 0.0;
        for j in 1..=k {
            acc += (a + b * j as f64 / kf) * f[j] * g[k - j];
        }
        if ab1 {
            // (a, b, 1) recursions start unscaled, so ln_scale is 0 here until values exceed 1e250.
            acc += inhomogeneous * (-ln_scale).exp() * f[k];
        }
        g[k] = acc / denom;
        if g[k] > 1e250 {
            for v in &mut g[..=k] {
                *v *= 1e-250;
            }
            ln_scale += 250.0 * std::f64::consts::LN_10;
        }
    }
    if ln_scale != 0.0 {
        // exp(ln_scale) alone may underflow while each product is representable.
        for v in g.iter_mut().filter(|v| **v > 0.0) {
            *v = (v.ln() + ln_scale).exp();
        }
    }
    Ok(g)
}

/// FFT aggregation with zero padding to `padding` × m points and exponential tilting by
/// θ = 10/(padding·m) (Grübel & Hermesmeier 1999): the aliased mass is damped by e^(−10) on top
/// of the padding, while rounding errors grow by at most e^(10/padding).
///
/// The atom at zero is kept out of the transform: with ψ the transform of the claims without
/// their zero cell f₀, S's transform is P(f₀ + ψ) = P(f₀) + [P(f₀ + ψ) − P(f₀)], the first
/// term being P(S = 0 claims paying) at cell 0, added back exactly, and the increment computed
/// without cancellation ([`Frequency::pgf_increment`]). The rounding noise of the inverse
/// transform then scales with the increment (of order E\[N\]·|ψ|), not with the atom: for a
/// rare cover (P(S = 0) ≈ 1) it is orders of magnitude below the tail probabilities, which
/// clamping the noise at zero would otherwise inflate on long grids.
pub(crate) fn fft<F: Frequency + ?Sized>(
    frequency: &F,
    f: &[f64],
    padding: usize,
) -> Result<Vec<f64>> {
    let m = f.len();
    let n = (m * padding.max(1)).next_power_of_two();
    let theta = 10.0 / n as f64;
    let (forward, inverse) = PLANNER.with(|p| {
        let mut p = p.borrow_mut();
        (p.plan_fft_forward(n), p.plan_fft_inverse(n))
    });
    let tilt = powers(-theta, m);
    let mut input = vec![0.0; n];
    for ((x, &p), t) in input.iter_mut().zip(f).zip(&tilt).skip(1) {
        *x = p * t;
    }
    let f0 = f.first().copied().unwrap_or(0.0);
    let mut spectrum = forward.make_output_vec();
    forward
        .process(&mut input, &mut spectrum)
        .map_err(|e| fft_error(e.to_string()))?;
    for z in spectrum.iter_mut() {
        *z = frequency
            .pgf_increment(f0, *z)
            .ok_or_else(|| fft_error("the claim-count distribution has no complex pgf".into()))?;
    }
    // realfft needs exactly real DC and Nyquist terms.
    if let Some(first) = spectrum.first_mut() {
        first.im = 0.0;
    }
    if let Some(last) = spectrum.last_mut() {
        last.im = 0.0;
    }
    let mut output = inverse.make_output_vec();
    inverse
        .process(&mut spectrum, &mut output)
        .map_err(|e| fft_error(e.to_string()))?;
    let untilt = powers(theta, m);
    let mut g: Vec<f64> = output[..m]
        .iter()
        .zip(&untilt)
        .map(|(&v, t)| (v / n as f64 * t).max(0.0))
        .collect();
    if let Some(first) = g.first_mut() {
        *first += frequency.pgf(f0);
    }
    Ok(g)
}

thread_local! {
    /// FFT plans (twiddle factors) are cached per thread and reused across calls.
    static PLANNER: std::cell::RefCell<RealFftPlanner<f64>> =
        std::cell::RefCell::new(RealFftPlanner::new());
}

/// e^(cj) for j = 0, …, m − 1 by running products, re-anchored with `exp` every 256 terms so
/// the rounding error stays below ~256 ulp.
fn powers(c: f64, m: usize) -> Vec<f64> {
    let r = c.exp();
    let mut out = Vec::with_capacity(m);
    let mut v = 1.0;
    for j in 0..m {
        if j % 256 == 0 {
            v = (c * j as f64).exp();
        }
        out.push(v);
        v *= r;
    }
    out
}

fn fft_error(message: String) -> Error {
    Error::Inconsistent {
        model: "Fft",
        message,
    }
}
