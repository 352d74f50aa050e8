//! Per-risk excess-of-loss layers and towers with reinstatements.

use crate::error::{Error, Result};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

/// A per-claim excess-of-loss layer `limit` xs `attachment` with a participation `share` and
/// `reinstatements` paid at `reinstatement_premium` of the upfront premium each (pro rata to
/// the limit reinstated).
///
/// ```text
/// ceded per claim     = share · min((Y − a)₊, l)
/// ceded per year      = min(Σ ceded per claim, share · (1 + k) · l)
/// reinstatement cost  = rate · min(annual ceded, share · k · l) / (share · l)   (× upfront)
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "LayerParams", into = "LayerParams")]
pub struct Layer {
    attachment: f64,
    limit: f64,
    share: f64,
    reinstatements: u32,
    reinstatement_premium: f64,
}

/// JSON form of [`Layer`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LayerParams {
    /// Attachment point a ≥ 0 (元).
    pub attachment: f64,
    /// Layer limit l > 0 (元), finite.
    pub limit: f64,
    /// Participation share in \[0, 1\].
    #[serde(default = "one")]
    pub share: f64,
    /// Number of reinstatements k (0 if omitted).
    #[serde(default)]
    pub reinstatements: u32,
    /// Premium per reinstatement as a fraction of the upfront premium (e.g. 1.0 = 100%).
    #[serde(default)]
    pub reinstatement_premium: f64,
}

fn one() -> f64 {
    1.0
}

impl TryFrom<LayerParams> for Layer {
    type Error = Error;
    fn try_from(p: LayerParams) -> Result<Self> {
        Layer::new(p.attachment, p.limit)?
            .with_share(p.share)?
            .with_reinstatements(p.reinstatements, p.reinstatement_premium)
    }
}

impl From<Layer> for LayerParams {
    fn from(l: Layer) -> Self {
        Self {
            attachment: l.attachment,
            limit: l.limit,
            share: l.share,
            reinstatements: l.reinstatements,
            reinstatement_premium: l.reinstatement_premium,
        }
    }
}

const MODEL: &str = "Layer";

impl Layer {
    /// `limit` xs `attachment` (元): attachment ≥ 0, limit finite and > 0; full share, no
    /// reinstatements (the annual cover is one limit).
    pub fn new(attachment: f64, limit: f64) -> Result<Self> {
        validate::non_negative(MODEL, "attachment", attachment)?;
        validate::positive(MODEL, "limit", limit)?;
        Ok(Self {
            attachment,
            limit,
            share: 1.0,
            reinstatements: 0,
            reinstatement_premium: 0.0,
        })
    }

    /// Sets the participation share in \[0, 1\].
    pub fn with_share(mut self, share: f64) -> Result<Self> {
        self.share = validate::probability(MODEL, "share", share)?;
        Ok(self)
    }

    /// Sets `count` reinstatements, each costing `premium_rate` ≥ 0 of the upfront premium.
    pub fn with_reinstatements(mut self, count: u32, premium_rate: f64) -> Result<Self> {
        self.reinstatement_premium =
            validate::non_negative(MODEL, "reinstatement_premium", premium_rate)?;
        self.reinstatements = count;
        Ok(self)
    }

    /// Attachment a (元).
    pub fn attachment(&self) -> f64 {
        self.attachment
    }

    /// Limit l (元).
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// Number of reinstatements k.
    pub fn reinstatements(&self) -> u32 {
        self.reinstatements
    }

    /// Participation share.
    pub fn share(&self) -> f64 {
        self.share
    }

    /// Ceded part of one claim payment `y`.
    #[inline]
    pub fn ceded(&self, y: f64) -> f64 {
        self.share * (y - self.attachment).clamp(0.0, self.limit)
    }

    /// Annual ceded amount given the year's sum of per-claim cessions.
    #[inline]
    pub fn annual_cap(&self, ceded_sum: f64) -> f64 {
        ceded_sum.min(self.share * self.limit * (1.0 + f64::from(self.reinstatements)))
    }

    /// Reinstatement premium for a year with `annual_ceded`, as a multiple of the upfront
    /// premium.
    #[inline]
    pub fn reinstatement_cost(&self, annual_ceded: f64) -> f64 {
        let unit = self.share * self.limit;
        if unit == 0.0 {
            return 0.0;
        }
        self.reinstatement_premium * annual_ceded.min(unit * f64::from(self.reinstatements)) / unit
    }
}

/// A tower of per-claim layers, ordered by attachment and not overlapping.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(try_from = "Vec<Layer>", into = "Vec<Layer>")]
pub struct Tower {
    layers: Vec<Layer>,
}

spec_conversions!(Tower, Vec<Layer>, layers);

impl Tower {
    /// A tower from `layers` sorted by attachment, each starting at or above the previous
    /// layer's exhaustion point (attachment + limit).
    pub fn new(layers: Vec<Layer>) -> Result<Self> {
        for (i, pair) in layers.windows(2).enumerate() {
            let top = pair[0].attachment + pair[0].limit;
            if pair[1].attachment < top {
                return Err(Error::InvalidElement {
                    model: "Tower",
                    parameter: "attachment",
                    index: i + 1,
                    value: pair[1].attachment,
                    rule: ">= the previous layer's attachment + limit (layers sorted, not \
                           overlapping)",
                });
            }
        }
        Ok(Self { layers })
    }

    /// The layers, lowest first.
    pub fn layers(&self) -> &[Layer] {
        &self.layers
    }

    /// Whether the tower has no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}
