//! The response families: variance function, unit deviance and log-likelihood.

use crate::numerics::special::ln_gamma;
use serde::{Deserialize, Serialize};

/// Response distribution (all with the log link, so exp(β) are multiplicative relativities).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GlmFamily {
    /// Claim counts: V(μ) = μ, dispersion 1. Use an offset of ln(exposure).
    Poisson,
    /// Claim severities: V(μ) = μ², dispersion estimated by Pearson χ²/(n − p). Use the claim
    /// counts as prior weights for average severities.
    Gamma,
    /// Pure premium (compound Poisson–gamma): V(μ) = μ^power with 1 < power < 2; zeros
    /// allowed; dispersion by Pearson χ²/(n − p). Use exposures as prior weights for loss
    /// per exposure.
    Tweedie {
        /// Variance power in (1, 2).
        power: f64,
    },
    /// Over-dispersed claim counts (NB2): V(μ) = μ + αμ². With `alpha: None` α is estimated
    /// jointly with β by maximum likelihood; with `Some(α)` it is held fixed. Counts must be
    /// whole numbers; use an offset of ln(exposure).
    NegativeBinomial {
        /// Fixed α > 0, or `None` to estimate it.
        alpha: Option<f64>,
    },
}

impl GlmFamily {
    /// V(μ).
    pub(super) fn variance(&self, mu: f64) -> f64 {
        match *self {
            Self::Poisson => mu,
            Self::Gamma => mu * mu,
            Self::Tweedie { power } => mu.powf(power),
            Self::NegativeBinomial { alpha } => mu + alpha.unwrap_or(0.0) * mu * mu,
        }
    }

    /// Whether the dispersion φ is estimated (Gamma, Tweedie) rather than fixed at 1.
    pub(super) fn estimates_dispersion(&self) -> bool {
        matches!(self, Self::Gamma | Self::Tweedie { .. })
    }

    /// Unit deviance d(y, μ) (the deviance is Σ wᵢ d(yᵢ, μᵢ)).
    pub(crate) fn unit_deviance(&self, y: f64, m: f64) -> f64 {
        match *self {
            Self::Poisson => 2.0 * ((if y > 0.0 { y * (y / m).ln() } else { 0.0 }) - (y - m)),
            Self::Gamma => 2.0 * (-(y / m).ln() + (y - m) / m),
            Self::Tweedie { power: p } => {
                2.0 * (y.powf(2.0 - p) / ((1.0 - p) * (2.0 - p)) - y * m.powf(1.0 - p) / (1.0 - p)
                    + m.powf(2.0 - p) / (2.0 - p))
            }
            Self::NegativeBinomial { alpha } => {
                let a = alpha.unwrap_or(0.0);
                let ylog = if y > 0.0 { y * (y / m).ln() } else { 0.0 };
                2.0 * (ylog - (y + 1.0 / a) * ((a * y).ln_1p() - (a * m).ln_1p()))
            }
        }
    }

    /// Log-likelihood of one observation y with mean m, prior weight w and dispersion φ
    /// (statsmodels' `var_weights` convention: the observation's dispersion is φ/w for Gamma
    /// and Tweedie; Poisson and NB2 log-likelihoods are multiplied by w).
    ///
    /// ```text
    /// Poisson  w[y ln μ − μ − ln y!]
    /// NB2      w[ln Γ(y + 1/α) − ln Γ(1/α) − ln y! + y ln(αμ) − (y + 1/α) ln(1 + αμ)]
    /// Gamma    ν ln(νy/μ) − νy/μ − ln Γ(ν) − ln y,  ν = w/φ
    /// Tweedie  (yθ − κ)/ψ + [y > 0] (−ln y + ln Φ(−a, 0; x)),  ψ = φ/w, θ = μ^{1−p}/(1−p),
    ///          κ = μ^{2−p}/(2−p), a = (2−p)/(1−p), x = ((p−1)ψ/y)^a / ((2−p)ψ)
    /// ```
    /// Φ is Wright's generalised Bessel function, summed as in Dunn & Smyth (2005), *Series
    /// evaluation of Tweedie exponential dispersion model densities*, Statistics and
    /// Computing 15, 267–280 (what statsmodels and R `tweedie` evaluate).
    pub(super) fn log_likelihood(&self, y: f64, m: f64, w: f64, phi: f64) -> f64 {
        match *self {
            Self::Poisson => w * (y * m.ln() - m - ln_gamma(y + 1.0)),
            Self::NegativeBinomial { alpha } => w * nb2_log_likelihood(y, m, alpha.unwrap_or(0.0)),
            Self::Gamma => {
                let nu = w / phi;
                nu * (nu * y / m).ln() - nu * y / m - ln_gamma(nu) - y.ln()
            }
            Self::Tweedie { power } => tweedie_log_density(y, m, phi / w, power),
        }
    }
}

/// NB2 log-likelihood of a whole count y, written so that small α stays accurate:
/// ℓ = Σ_{k<y} ln(1 + αk) − (y + 1/α) ln(1 + αμ) + y ln μ − ln y!.
pub(super) fn nb2_log_likelihood(y: f64, m: f64, a: f64) -> f64 {
    let head: f64 = (0..y as u64).map(|k| (a * k as f64).ln_1p()).sum();
    head - (y + 1.0 / a) * (a * m).ln_1p() + y * m.ln() - ln_gamma(y + 1.0)
}

/// First and second derivative in α of the NB2 log-likelihood of one observation.
pub(super) fn nb2_alpha_derivatives(y: f64, m: f64, a: f64) -> (f64, f64) {
    let (mut d1, mut d2) = (0.0, 0.0);
    for k in 0..y as u64 {
        let t = k as f64 / (1.0 + a * k as f64);
        d1 += t;
        d2 -= t * t;
    }
    let l = (a * m).ln_1p();
    let q = m / (1.0 + a * m);
    d1 += l / (a * a) - (1.0 / a + y) * q;
    d2 += -2.0 * l / (a * a * a) + 2.0 * q / (a * a) + (1.0 / a + y) * q * q;
    (d1, d2)
}

/// ln f(y; μ, ψ, p) of the Tweedie distribution with 1 < p < 2 (compound Poisson–gamma): an
/// atom −μ^{2−p}/(ψ(2−p)) at y = 0, and for y > 0 the series of Dunn & Smyth (2005), summed in
/// log space outward from its largest term (near j = y^{2−p}/(ψ(2−p))) until the terms fall
/// below e^{−40} of it.
pub(crate) fn tweedie_log_density(y: f64, mu: f64, psi: f64, p: f64) -> f64 {
    let theta = mu.powf(1.0 - p) / (1.0 - p);
    let kappa = mu.powf(2.0 - p) / (2.0 - p);
    let base = (y * theta - kappa) / psi;
    if y <= 0.0 {
        return base;
    }
    let a = (2.0 - p) / (1.0 - p); // negative
    let ln_x = a * ((p - 1.0) * psi / y).ln() - ((2.0 - p) * psi).ln();
    let term = |j: f64| j * ln_x - ln_gamma(j + 1.0) - ln_gamma(-a * j);
    let peak = (y.powf(2.0 - p) / (psi * (2.0 - p))).round().max(1.0);
    let top = term(peak);
    let mut sum = 1.0;
    let mut j = peak - 1.0;
    while j >= 1.0 {
        let r = (term(j) - top).exp();
        sum += r;
        if r < 4e-18 {
            break;
        }
        j -= 1.0;
    }
    let mut j = peak + 1.0;
    loop {
        let r = (term(j) - top).exp();
        sum += r;
        if r < 4e-18 || j > peak + 1e7 {
            break;
        }
        j += 1.0;
    }
    base - y.ln() + top + sum.ln()
}
