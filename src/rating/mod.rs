//! Rating: how a firm's own experience and covariates move its expected loss.
//!
//! Pipeline position: `rating → pricing`. So far: Bühlmann and Bühlmann–Straub credibility
//! ([`BuhlmannStraub`]), blending each entity's experience with the collective.

mod credibility;

pub use credibility::BuhlmannStraub;
