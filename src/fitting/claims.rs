//! Claims as they arrive for fitting: ground-up amounts, left-truncated at a deductible,
//! right-censored at a limit, individual or grouped, weighted.

use crate::error::{Error, Result};
use crate::table::Table;
use serde::{Deserialize, Serialize};

const MODEL: &str = "ClaimData";

/// What is known of one ground-up loss amount (元).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Observed {
    /// The loss is `value`.
    Exact {
        /// Loss amount, > 0.
        value: f64,
    },
    /// The loss is at least `value` (the payment stopped at the policy limit).
    Censored {
        /// Censoring point, > 0.
        value: f64,
    },
    /// The loss lies in (`lower`, `upper`] (grouped data).
    Interval {
        /// Lower bound, ≥ 0.
        lower: f64,
        /// Upper bound, > lower (may be ∞).
        upper: f64,
    },
}

/// One claim: what was observed, the left-truncation point (the deductible: losses at or
/// below it are never reported; 0 for none), the censoring point that applied to it (the
/// policy limit, also for claims that stayed below it: a bootstrap needs it) and a weight
/// (a count of identical claims).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Claim {
    /// The observation.
    pub observed: Observed,
    /// Left-truncation point d ≥ 0 (元).
    #[serde(default)]
    pub truncation: f64,
    /// Censoring point (元; `None`: unlimited, or the censored value itself).
    #[serde(default)]
    pub limit: Option<f64>,
    /// Weight > 0.
    #[serde(default = "one")]
    pub weight: f64,
}

fn one() -> f64 {
    1.0
}

impl Claim {
    /// An exact claim with no truncation, no limit and weight 1.
    pub fn exact(value: f64) -> Self {
        Self {
            observed: Observed::Exact { value },
            truncation: 0.0,
            limit: None,
            weight: 1.0,
        }
    }

    /// The point at which this claim would have been censored (∞ if none).
    pub(crate) fn censoring_point(&self) -> f64 {
        match self.observed {
            Observed::Censored { value } => value,
            _ => self.limit.unwrap_or(f64::INFINITY),
        }
    }
}

/// Validated claims. The likelihood of a claim with truncation d is
///
/// ```text
/// exact x:        f(x) / S(d)
/// censored at u:  S(u) / S(d)
/// in (a, b]:      (F(b) − F(a)) / S(d)
/// ```
/// raised to its weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClaimData {
    claims: Vec<Claim>,
    /// Distinct positive truncation points with their total weights.
    truncations: Vec<(f64, f64)>,
}

impl ClaimData {
    /// Validates the claims; errors name the claim's index and the rule: amounts finite and
    /// positive, truncation finite, non-negative and below the observation, intervals with
    /// lower < upper, weights finite and positive, at least one claim.
    pub fn new(claims: Vec<Claim>) -> Result<Self> {
        if claims.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "claims",
            });
        }
        for (i, c) in claims.iter().enumerate() {
            if let Some(rule) = check(c) {
                return Err(Error::Inconsistent {
                    model: MODEL,
                    message: format!("claim {i}: {rule}"),
                });
            }
        }
        let mut truncations: Vec<(f64, f64)> = Vec::new();
        for c in claims.iter().filter(|c| c.truncation > 0.0) {
            match truncations.iter_mut().find(|(d, _)| *d == c.truncation) {
                Some((_, w)) => *w += c.weight,
                None => truncations.push((c.truncation, c.weight)),
            }
        }
        Ok(Self {
            claims,
            truncations,
        })
    }

    /// Exact, untruncated claims of weight 1.
    pub fn exact(values: &[f64]) -> Result<Self> {
        Self::new(values.iter().map(|&v| Claim::exact(v)).collect())
    }

    /// Claims from a table: ground-up amounts in `amount`; with `deductible`, each claim is
    /// truncated at that column's value; with `limit`, an amount at or above the row's limit
    /// is censored there; with `weight`, weighted. Errors name the line and column.
    pub fn from_table(
        table: &Table,
        amount: &str,
        deductible: Option<&str>,
        limit: Option<&str>,
        weight: Option<&str>,
    ) -> Result<Self> {
        if table.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "claims table rows",
            });
        }
        let column = |name: Option<&str>| name.map(|n| table.column(n)).transpose();
        let (a, d, l, w) = (
            table.column(amount)?,
            column(deductible)?,
            column(limit)?,
            column(weight)?,
        );
        let mut claims = Vec::with_capacity(table.len());
        for row in 0..table.len() {
            let positive = |c: usize| table.number_where(row, c, |v| v > 0.0, "> 0");
            let x = positive(a)?;
            let truncation = match d {
                Some(c) => table.number_where(row, c, |v| v >= 0.0, ">= 0")?,
                None => 0.0,
            };
            if x <= truncation {
                return Err(table.error(
                    row,
                    a,
                    &format!(
                        "amount {x} is not above its deductible {truncation} (amounts are \
                         ground-up losses; losses at or below the deductible are not reported)"
                    ),
                ));
            }
            let limit = l.map(positive).transpose()?;
            let observed = match limit {
                Some(u) if u <= truncation => {
                    return Err(table.error(
                        row,
                        l.unwrap_or(a),
                        &format!("limit {u} is not above the deductible {truncation}"),
                    ));
                }
                Some(u) if x >= u => Observed::Censored { value: u },
                _ => Observed::Exact { value: x },
            };
            let weight = w.map(positive).transpose()?.unwrap_or(1.0);
            claims.push(Claim {
                observed,
                truncation,
                limit,
                weight,
            });
        }
        Self::new(claims)
    }

    /// The claims.
    pub fn claims(&self) -> &[Claim] {
        &self.claims
    }

    /// Distinct positive truncation points with their total weights.
    pub(crate) fn truncations(&self) -> &[(f64, f64)] {
        &self.truncations
    }

    /// Total weight.
    pub fn total_weight(&self) -> f64 {
        self.claims.iter().map(|c| c.weight).sum()
    }

    /// The exact values with their weights.
    pub(crate) fn exact_values(&self) -> Vec<(f64, f64)> {
        self.claims
            .iter()
            .filter_map(|c| match c.observed {
                Observed::Exact { value } => Some((value, c.weight)),
                _ => None,
            })
            .collect()
    }

    /// A representative value of every claim (exact value, censoring point, interval
    /// midpoint or lower bound when unbounded) for starting values.
    pub(crate) fn representative(&self) -> Vec<(f64, f64)> {
        self.claims
            .iter()
            .map(|c| {
                let v = match c.observed {
                    Observed::Exact { value } | Observed::Censored { value } => value,
                    Observed::Interval { lower, upper } if upper.is_finite() => {
                        if lower > 0.0 {
                            (lower * upper).sqrt()
                        } else {
                            upper / 2.0
                        }
                    }
                    Observed::Interval { lower, .. } => lower * 1.5,
                };
                (v, c.weight)
            })
            .collect()
    }
}

/// The rule a claim breaks, if any.
fn check(c: &Claim) -> Option<String> {
    let d = c.truncation;
    if !(d.is_finite() && d >= 0.0) {
        return Some(format!("truncation {d} must be finite and >= 0"));
    }
    if !(c.weight.is_finite() && c.weight > 0.0) {
        return Some(format!("weight {} must be finite and > 0", c.weight));
    }
    if let Some(u) = c.limit {
        let x = match c.observed {
            Observed::Exact { value } | Observed::Censored { value } => value,
            Observed::Interval { upper, .. } => upper,
        };
        if u.is_nan() || u <= d || x > u || (x == u && matches!(c.observed, Observed::Exact { .. }))
        {
            return Some(format!(
                "limit {u} must be above the truncation point {d} and above an exact amount \
                 ({x}), equal to a censored one"
            ));
        }
    }
    match c.observed {
        Observed::Exact { value } | Observed::Censored { value } => {
            if !(value.is_finite() && value > 0.0) {
                Some(format!("amount {value} must be finite and > 0"))
            } else if value <= d && matches!(c.observed, Observed::Exact { .. }) {
                Some(format!(
                    "amount {value} is not above its truncation point {d}"
                ))
            } else if value < d {
                Some(format!(
                    "censoring point {value} is below the truncation point {d}"
                ))
            } else {
                None
            }
        }
        Observed::Interval { lower, upper } => {
            if !(lower.is_finite() && lower >= 0.0 && upper > lower) || upper.is_nan() {
                Some(format!(
                    "interval ({lower}, {upper}] needs 0 <= lower < upper"
                ))
            } else if lower < d {
                Some(format!(
                    "interval ({lower}, {upper}] starts below the truncation point {d}"
                ))
            } else {
                None
            }
        }
    }
}
