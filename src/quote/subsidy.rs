//! Premium subsidy rules (保费补贴) as configuration.

use crate::error::{Error, Result};
use crate::numerics::validate;
use crate::rating::ScoreScale;
use serde::{Deserialize, Serialize};

const MODEL: &str = "SubsidyRule";

/// One subsidy rule. Each gives an amount for a quote on the premium of the covers it is
/// bound to (its `products`, or its `line`), within its own caps.
///
/// **Stacking.** The rules apply in the configuration's order: each rule's amount is cut to
/// its per-policy cap, then to what is left under the firm's cap,
/// [`subsidy_max_share`](super::QuoteConfig::subsidy_max_share) × premium, after the rules
/// before it, then to its per-firm-year cap across the book. So the total never exceeds the
/// firm's cap, and the firm pays at least 1 − `subsidy_max_share` of its premium; when the
/// cap binds, the later rules give way first.
///
/// Figures seen in practice (DOMAIN.md): Shanghai 50% for tech-SME loan-guarantee insurance
/// and clinical-trial liability (cap 50万元 per policy); national 首台套 80% of the premium
/// computed at a rate of at most 3% of insured value; Suzhou ≤ 50% capped at 30万元 per
/// firm-year. Tier shares keyed to the 沪科积分 are illustrative configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "rule", rename_all = "snake_case", deny_unknown_fields)]
pub enum SubsidyRule {
    /// 阶梯式: a share of the premium by 沪科积分 tier, capped per policy and per firm-year.
    ScoreTiered {
        /// Tier scale; default: the assumption set's.
        #[serde(default)]
        scale: Option<ScoreScale>,
        /// The catalogue products whose covers' premium it subsidises (empty: every cover).
        #[serde(default)]
        products: Vec<String>,
        /// Share of premium for tiers 1…k (each in \[0, 1\]).
        shares: Vec<f64>,
        /// Cap per policy (元).
        per_policy_cap: f64,
        /// Cap per firm and year across rules of this kind (元).
        per_firm_year_cap: f64,
    },
    /// 首台套: for each cover of `product`, `share` of its premium computed at no more than
    /// `max_rate` of its insured value (the cover's exposure E):
    /// Σ_covers share · min(premium_c, max_rate · E_c). Other covers get nothing from it.
    FirstSet {
        /// Share (national rule: 0.8).
        share: f64,
        /// Rate ceiling (national rule: 0.03).
        max_rate: f64,
        /// The catalogue product the rule subsidises (its covers carry the insured value).
        product: String,
    },
    /// A flat share of one line's premium (e.g. `ip` loan-guarantee insurance at 50%).
    FlatShare {
        /// Line: `rnd`, `ip`, `cyber` or `systemic`.
        line: String,
        /// Share in \[0, 1\].
        share: f64,
        /// Cap per policy (元).
        per_policy_cap: f64,
    },
}

/// What a rule needs to know about a quote.
pub(crate) struct SubsidyBasis<'a> {
    pub premium: f64,
    pub score: f64,
    /// Premium attributed to each line.
    pub line_premiums: &'a [(String, f64)],
    /// Per cover: its product, the premium attributed to it and its exposure.
    pub covers: &'a [(String, f64, Option<f64>)],
}

impl SubsidyRule {
    /// The rule with `scale` if it names none.
    pub fn with_scale(&self, scale: &ScoreScale) -> Self {
        let mut rule = self.clone();
        if let Self::ScoreTiered {
            scale: s @ None, ..
        } = &mut rule
        {
            *s = Some(scale.clone());
        }
        rule
    }

    /// Checks shares, rates and caps (the number of tier shares once the scale is known: a
    /// quote gives a rule without a scale the assumption set's).
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::ScoreTiered {
                scale,
                shares,
                per_policy_cap,
                per_firm_year_cap,
                ..
            } => {
                let tiers = scale.as_ref().map_or(shares.len(), ScoreScale::tiers);
                if shares.len() != tiers {
                    return Err(Error::Inconsistent {
                        model: MODEL,
                        message: format!(
                            "{} tier shares for a scale of {} tiers",
                            shares.len(),
                            tiers
                        ),
                    });
                }
                for s in shares {
                    validate::probability(MODEL, "shares", *s)?;
                }
                validate::non_negative(MODEL, "per_policy_cap", *per_policy_cap)?;
                validate::non_negative(MODEL, "per_firm_year_cap", *per_firm_year_cap)?;
            }
            Self::FirstSet {
                share, max_rate, ..
            } => {
                validate::probability(MODEL, "share", *share)?;
                validate::probability(MODEL, "max_rate", *max_rate)?;
            }
            Self::FlatShare {
                share,
                per_policy_cap,
                ..
            } => {
                validate::probability(MODEL, "share", *share)?;
                validate::non_negative(MODEL, "per_policy_cap", *per_policy_cap)?;
            }
        }
        Ok(())
    }

    /// Short name for quotes.
    pub fn name(&self) -> String {
        match self {
            Self::ScoreTiered { .. } => "score_tiered".into(),
            Self::FirstSet { .. } => "first_set".into(),
            Self::FlatShare { line, .. } => format!("flat_share_{line}"),
        }
    }

    /// The rule's amount for one quote, before the premium and per-firm caps.
    pub(crate) fn amount(&self, b: &SubsidyBasis) -> Result<f64> {
        Ok(match self {
            Self::ScoreTiered {
                scale,
                shares,
                per_policy_cap,
                products,
                ..
            } => {
                let tier = match scale {
                    Some(s) => s.tier(b.score)?,
                    None => ScoreScale::default().tier(b.score)?,
                };
                let premium = if products.is_empty() {
                    b.premium
                } else {
                    (b.covers.iter())
                        .filter(|(p, _, _)| products.contains(p))
                        .map(|(_, premium, _)| premium)
                        .sum()
                };
                (shares[tier - 1] * premium).min(*per_policy_cap)
            }
            Self::FirstSet {
                share,
                max_rate,
                product,
            } => b
                .covers
                .iter()
                .filter(|(p, _, _)| p == product)
                .map(|(_, premium, value)| share * premium.min(max_rate * value.unwrap_or(0.0)))
                .sum(),
            Self::FlatShare {
                line,
                share,
                per_policy_cap,
            } => {
                let p: f64 = b
                    .line_premiums
                    .iter()
                    .filter(|(l, _)| l == line)
                    .map(|(_, p)| p)
                    .sum();
                (share * p).min(*per_policy_cap)
            }
        })
    }

    /// The catalogue products the rule names (it is bound to their covers).
    pub fn products(&self) -> &[String] {
        match self {
            Self::ScoreTiered { products, .. } => products,
            Self::FirstSet { product, .. } => std::slice::from_ref(product),
            Self::FlatShare { .. } => &[],
        }
    }

    /// Per-firm-year cap of this rule, if any.
    pub(crate) fn firm_cap(&self) -> Option<f64> {
        match self {
            Self::ScoreTiered {
                per_firm_year_cap, ..
            } => Some(*per_firm_year_cap),
            _ => None,
        }
    }
}
