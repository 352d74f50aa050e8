//! Rating: how a firm's own experience and covariates move its expected loss.
//!
//! Pipeline position: `rating → pricing`. So far: log-link GLMs for claim frequency (Poisson, NB2),
//! severity (Gamma) and pure premium (Tweedie) fitted by IRLS ([`fit_glm`]), and Bühlmann / Bühlmann–Straub
//! credibility ([`BuhlmannStraub`]) blending each entity's experience with the collective.

mod credibility;
mod glm;

pub use credibility::BuhlmannStraub;
pub use glm::{GlmFamily, GlmFit, fit_glm};
