//! The 沪科积分 innovation score: scale, tiers, sub-indicators and stage.
//!
//! No public rulebook fixes Shanghai's range or tiers (see DOMAIN.md), so the scale is
//! configuration. The default follows local versions of the national 企业创新积分制: a score
//! in [0, 1000] in five tiers cut at 200, 400, 600 and 800.

use crate::error::{Error, Result};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

const MODEL: &str = "ScoreScale";

/// Range and tier cut-points of the score. Tier k (1-based) is [c_{k−1}, c_k) with c_0 = min
/// and the last tier closed at max; tier 1 is the lowest score.
///
/// ```
/// use kexian::rating::ScoreScale;
/// let scale = ScoreScale::default();
/// assert_eq!(scale.tiers(), 5);
/// assert_eq!(scale.tier(199.9)?, 1);
/// assert_eq!(scale.tier(200.0)?, 2);
/// assert_eq!(scale.tier(1000.0)?, 5);
/// assert!(scale.tier(1000.5).is_err());
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ScaleSpec", into = "ScaleSpec")]
pub struct ScoreScale {
    min: f64,
    max: f64,
    cuts: Vec<f64>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ScaleSpec {
    min: f64,
    max: f64,
    cuts: Vec<f64>,
}

impl TryFrom<ScaleSpec> for ScoreScale {
    type Error = Error;
    fn try_from(s: ScaleSpec) -> Result<Self> {
        Self::new(s.min, s.max, s.cuts)
    }
}

impl From<ScoreScale> for ScaleSpec {
    fn from(s: ScoreScale) -> Self {
        Self {
            min: s.min,
            max: s.max,
            cuts: s.cuts,
        }
    }
}

impl Default for ScoreScale {
    fn default() -> Self {
        Self {
            min: 0.0,
            max: 1000.0,
            cuts: vec![200.0, 400.0, 600.0, 800.0],
        }
    }
}

impl ScoreScale {
    /// A scale on [min, max] with strictly increasing cut-points inside (min, max).
    pub fn new(min: f64, max: f64, cuts: Vec<f64>) -> Result<Self> {
        validate::finite(MODEL, "min", min)?;
        validate::finite(MODEL, "max", max)?;
        validate::rule(MODEL, "max", max, max > min, "greater than min")?;
        let mut previous = min;
        for (index, &c) in cuts.iter().enumerate() {
            if !(c > previous && c < max) {
                return Err(Error::InvalidElement {
                    model: MODEL,
                    parameter: "cuts",
                    index,
                    value: c,
                    rule: "strictly increasing and inside (min, max)",
                });
            }
            previous = c;
        }
        Ok(Self { min, max, cuts })
    }

    /// Number of tiers (cut-points + 1).
    pub fn tiers(&self) -> usize {
        self.cuts.len() + 1
    }

    /// Lowest and highest possible score.
    pub fn range(&self) -> (f64, f64) {
        (self.min, self.max)
    }

    /// The 1-based tier of `score`; an error if the score is off the scale or not finite.
    pub fn tier(&self, score: f64) -> Result<usize> {
        self.check(score)?;
        Ok(1 + self.cuts.iter().take_while(|&&c| score >= c).count())
    }

    /// Tier bounds `[lower, upper)` (the last tier includes max).
    pub fn tier_bounds(&self, tier: usize) -> Option<(f64, f64)> {
        let k = tier.checked_sub(1)?;
        let lower = if k == 0 {
            self.min
        } else {
            *self.cuts.get(k - 1)?
        };
        let upper = self.cuts.get(k).copied().unwrap_or(self.max);
        (k < self.tiers()).then_some((lower, upper))
    }

    /// The score rescaled to [0, 1], for use as a continuous covariate.
    pub fn normalized(&self, score: f64) -> Result<f64> {
        self.check(score)?;
        Ok((score - self.min) / (self.max - self.min))
    }

    fn check(&self, score: f64) -> Result<()> {
        let on_scale = score >= self.min && score <= self.max;
        validate::rule(
            "InnovationScore",
            "score",
            score,
            on_scale,
            "on the scale [min, max]",
        )
        .map(|_| ())
    }
}

/// Stage of the firm (企业发展阶段), which weights the national score's indicators.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 初创期.
    StartUp,
    /// 成长期.
    Growth,
    /// 成熟期.
    Mature,
}

impl Stage {
    /// The JSON/CSV name: `start_up`, `growth`, `mature`.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::StartUp => "start_up",
            Self::Growth => "growth",
            Self::Mature => "mature",
        }
    }

    /// The Chinese label.
    pub fn label_zh(self) -> &'static str {
        match self {
            Self::StartUp => "初创期",
            Self::Growth => "成长期",
            Self::Mature => "成熟期",
        }
    }
}

/// Optional sub-indicators behind the score, usable as covariates of their own.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SubIndicators {
    /// R&D expense / revenue (≥ 0).
    pub rd_intensity: f64,
    /// Granted invention patents (≥ 0).
    pub patents: f64,
    /// R&D staff / all staff, in [0, 1].
    pub rd_staff_share: f64,
    /// Revenue growth rate (> −1, e.g. 0.25 for +25%).
    pub revenue_growth: f64,
}

/// A firm's 沪科积分 with its tier on a given scale, and optionally stage and sub-indicators.
///
/// ```
/// use kexian::rating::{InnovationScore, ScoreScale, Stage};
/// let s = InnovationScore::new(655.0, &ScoreScale::default())?.with_stage(Stage::Growth);
/// assert_eq!(s.tier(), 4);
/// assert!((s.normalized() - 0.655).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InnovationScore {
    value: f64,
    tier: usize,
    normalized: f64,
    stage: Option<Stage>,
    indicators: Option<SubIndicators>,
}

impl InnovationScore {
    /// A score on `scale` (errors if off the scale).
    pub fn new(value: f64, scale: &ScoreScale) -> Result<Self> {
        Ok(Self {
            value,
            tier: scale.tier(value)?,
            normalized: scale.normalized(value)?,
            stage: None,
            indicators: None,
        })
    }

    /// Adds the firm's stage.
    pub fn with_stage(self, stage: Stage) -> Self {
        Self {
            stage: Some(stage),
            ..self
        }
    }

    /// Adds validated sub-indicators.
    pub fn with_indicators(self, indicators: SubIndicators) -> Result<Self> {
        const M: &str = "SubIndicators";
        validate::non_negative(M, "rd_intensity", indicators.rd_intensity)?;
        validate::non_negative(M, "patents", indicators.patents)?;
        validate::probability(M, "rd_staff_share", indicators.rd_staff_share)?;
        let g = indicators.revenue_growth;
        validate::rule(
            M,
            "revenue_growth",
            g,
            g.is_finite() && g > -1.0,
            "finite and > -1",
        )?;
        Ok(Self {
            indicators: Some(indicators),
            ..self
        })
    }

    /// The score.
    pub fn value(&self) -> f64 {
        self.value
    }

    /// Its 1-based tier.
    pub fn tier(&self) -> usize {
        self.tier
    }

    /// The score rescaled to [0, 1].
    pub fn normalized(&self) -> f64 {
        self.normalized
    }

    /// The stage, if given.
    pub fn stage(&self) -> Option<Stage> {
        self.stage
    }

    /// The sub-indicators, if given.
    pub fn indicators(&self) -> Option<&SubIndicators> {
        self.indicators.as_ref()
    }
}
