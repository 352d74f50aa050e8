//! NB2 with α estimated by maximum likelihood jointly with β.

use super::family::nb2_alpha_derivatives;
use super::linalg::inverse;
use super::{Data, Error, GlmFamily, GlmFit, Information, Irls, MODEL, Result, finish, irls};
use ndarray::Array2;

/// Alternates IRLS for β at fixed α with Newton steps for α at fixed μ (β and α are
/// orthogonal in expected information, so this converges quickly); standard errors from the
/// chosen information at the joint optimum.
pub(super) fn fit(d: &Data, information: Information) -> Result<GlmFit> {
    let n = d.y.len();
    let poisson = irls(GlmFamily::Poisson, d)?;
    // Moment start: E[(y − μ)² − y] = αμ².
    let (num, den) = (0..n).fold((0.0, 0.0), |(a, b), i| {
        let m = poisson.mu[i];
        (
            a + d.w(i) * ((d.y[i] - m).powi(2) - d.y[i]),
            b + d.w(i) * m * m,
        )
    });
    let mut alpha = (num / den).clamp(0.01, 100.0);
    let mut iterations = poisson.iterations;
    for _ in 0..100 {
        let family = GlmFamily::NegativeBinomial { alpha: Some(alpha) };
        let state = irls(family, d)?;
        iterations += state.iterations;
        let previous = alpha;
        for _ in 0..100 {
            let (g, h) = (0..n).fold((0.0, 0.0), |(g, h), i| {
                let (d1, d2) = nb2_alpha_derivatives(d.y[i], state.mu[i], alpha);
                (g + d.w(i) * d1, h + d.w(i) * d2)
            });
            // Newton where ℓ is concave in α, otherwise uphill by a factor of two; each step
            // stays within a factor of four.
            let step = if h < 0.0 {
                -g / h
            } else if g > 0.0 {
                alpha
            } else {
                -alpha / 2.0
            };
            let next = (alpha + step).clamp(alpha / 4.0, alpha * 4.0);
            let done = (next - alpha).abs() <= 1e-13 * alpha;
            alpha = next;
            if done || alpha < 1e-8 {
                break;
            }
        }
        if alpha < 1e-8 {
            return Err(Error::NotIdentified {
                model: MODEL,
                reason: "the counts are not over-dispersed (α̂ → 0): fit the Poisson family".into(),
            });
        }
        if (alpha - previous).abs() <= 1e-12 * alpha {
            let family = GlmFamily::NegativeBinomial { alpha: Some(alpha) };
            let state = irls(family, d)?;
            let (covariance, alpha_se) = match information {
                Information::Observed => observed_covariance(d, &state.mu, alpha),
                Information::Expected => expected_covariance(d, &state.mu, alpha),
            };
            let state = Irls {
                iterations: iterations + state.iterations,
                ..state
            };
            return Ok(finish(
                family,
                d,
                state,
                covariance,
                Some((alpha_se, information)),
            ));
        }
    }
    Err(Error::NotConverged {
        model: MODEL,
        reason: format!("NB2 dispersion did not converge in 100 rounds (α {alpha})"),
    })
}

/// −∂²ℓ/∂α² summed over the observations.
fn alpha_information(d: &Data, mu: &[f64], alpha: f64) -> f64 {
    -(0..d.y.len())
        .map(|i| d.w(i) * nb2_alpha_derivatives(d.y[i], mu[i], alpha).1)
        .sum::<f64>()
}

/// Covariance of β and the standard error of α from the inverse observed information of the
/// NB2 likelihood: −∂²ℓ/∂η² = μ(1 + αy)/(1 + αμ)², −∂²ℓ/∂η∂α = μ(y − μ)/(1 + αμ)², −∂²ℓ/∂α²
/// by [`nb2_alpha_derivatives`].
fn observed_covariance(d: &Data, mu: &[f64], alpha: f64) -> (Array2<f64>, f64) {
    let p = d.x.view().ncols();
    let (ee, ea): (Vec<f64>, Vec<f64>) = (0..d.y.len())
        .map(|i| {
            let (y, m, w) = (d.y[i], mu[i], d.w(i));
            let q = (1.0 + alpha * m).powi(2);
            (w * m * (1.0 + alpha * y) / q, w * m * (y - m) / q)
        })
        .unzip();
    let gram = d.x.gram(&ee);
    let cross = d.x.tdot(&ea);
    let mut info = Array2::<f64>::zeros((p + 1, p + 1));
    for a in 0..p {
        for b in 0..p {
            info[[a, b]] = gram[[a, b]];
        }
        info[[p, a]] = cross[a];
        info[[a, p]] = cross[a];
    }
    info[[p, p]] = alpha_information(d, mu, alpha);
    let full = inverse(&info, 1.0);
    let alpha_se = full[[p, p]].sqrt();
    (
        Array2::from_shape_fn((p, p), |(a, b)| full[[a, b]]),
        alpha_se,
    )
}

/// R `glm.nb`'s standard errors: β from the expected information XᵀWX, W = wμ/(1 + αμ) (the
/// IRLS weights at α̂), α from 1/√(−∂²ℓ/∂α²).
fn expected_covariance(d: &Data, mu: &[f64], alpha: f64) -> (Array2<f64>, f64) {
    let family = GlmFamily::NegativeBinomial { alpha: Some(alpha) };
    let covariance = inverse(&d.information(family, mu), 1.0);
    (covariance, alpha_information(d, mu, alpha).sqrt().recip())
}
