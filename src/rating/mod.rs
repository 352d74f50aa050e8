//! Rating: how a firm's covariates and own experience move its expected loss.
//!
//! Pipeline position: `rating → pricing`. The 沪科积分 and its tiers ([`ScoreScale`],
//! [`InnovationScore`]); rating factors and the design matrix they make from a CSV table
//! ([`RatingSpec`], [`Factor`]); log-link GLMs for claim frequency (Poisson, NB2), severity
//! (Gamma) and pure premium (Tweedie) fitted by IRLS ([`fit_glm`]); rating plans read as base ×
//! relativities, optionally monotone in the score ([`RatingPlan`]); and credibility from
//! long-format experience ([`Panel`]): Bühlmann–Straub ([`BuhlmannStraub`]), hierarchical
//! ([`Hierarchical`]) and Hachemeister regression ([`Hachemeister`]) models, and the
//! Poisson–gamma [`experience_factor`] on a GLM prediction.

mod credibility;
mod design;
mod glm;
mod plan;
mod score;

pub use credibility::{
    BuhlmannStraub, CredibilityRecord, Hachemeister, Hierarchical, HierarchicalEstimator, Panel,
    StraubEstimator, experience_factor,
};
pub use design::{Factor, RatingSpec, Transform};
pub use glm::{GlmFamily, GlmFit, GlmOptions, Information, fit_glm, fit_glm_with};
pub use plan::{PlanWarning, RatingPlan, Relativity};
pub use score::{InnovationScore, ScoreScale, Stage, SubIndicators};
