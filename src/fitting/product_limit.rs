//! The product-limit estimate of the survival function from left-truncated, right-censored
//! claims (Kaplan–Meier with delayed entry; Klein & Moeschberger, *Survival Analysis*, §4.6),
//! with Greenwood's variance: what a fit's diagnostics compare the model with.
//!
//! A claim with deductible d is at risk at amount t when d < t ≤ y (y its amount, or its
//! censoring point). At the distinct exact amounts t₁ < … < t_k, with D_j the weight of claims
//! of amount t_j and R_j the weight at risk,
//!
//! Ŝ(t) = Π_{t_j ≤ t} (1 − D_j / R_j),  Var Ŝ(t) = Ŝ(t)² Σ_{t_j ≤ t} D_j / (R_j (R_j − D_j)),
//!
//! which estimates S(t) / S(τ), τ the smallest deductible: the ground-up survival
//! conditioned on exceeding it. Interval-grouped claims carry no exact amount and are left
//! out.

use super::{ClaimData, Observed};
use serde::{Deserialize, Serialize};

/// The estimate at one exact amount.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ProductLimitPoint {
    /// t_j (元).
    pub amount: f64,
    /// Weight of claims of that amount, D_j.
    pub events: f64,
    /// Weight at risk, R_j.
    pub at_risk: f64,
    /// Ŝ(t_j).
    pub survival: f64,
    /// Greenwood's standard error of Ŝ(t_j) (0 once Ŝ reaches 0).
    pub std_error: f64,
}

/// The product-limit estimate at every distinct exact amount, in increasing order; O(n log n).
///
/// ```
/// use kexian::fitting::{ClaimData, product_limit};
/// let data = ClaimData::exact(&[1.0, 2.0, 2.0, 4.0])?;
/// let s = product_limit(&data);
/// assert_eq!(s.len(), 3);
/// assert!((s[1].survival - 0.25).abs() < 1e-15); // (1 − 1/4)(1 − 2/3)
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn product_limit(data: &ClaimData) -> Vec<ProductLimitPoint> {
    // Entries (+w at d) and exits (−w after y); events at exact amounts.
    let mut entries: Vec<(f64, f64)> = Vec::new();
    let mut exits: Vec<(f64, f64)> = Vec::new();
    let mut events: Vec<(f64, f64)> = Vec::new();
    for c in data.claims() {
        let y = match c.observed {
            Observed::Exact { value } => {
                events.push((value, c.weight));
                value
            }
            Observed::Censored { value } => value,
            Observed::Interval { .. } => continue,
        };
        entries.push((c.truncation, c.weight));
        exits.push((y, c.weight));
    }
    let by_amount = |a: &(f64, f64), b: &(f64, f64)| a.0.total_cmp(&b.0);
    entries.sort_by(by_amount);
    exits.sort_by(by_amount);
    events.sort_by(by_amount);
    let (mut entered, mut left, mut i_in, mut i_out) = (0.0, 0.0, 0, 0);
    let (mut survival, mut greenwood) = (1.0_f64, 0.0_f64);
    let mut out: Vec<ProductLimitPoint> = Vec::new();
    let mut k = 0;
    while k < events.len() {
        let t = events[k].0;
        let mut d = 0.0;
        while k < events.len() && events[k].0 == t {
            d += events[k].1;
            k += 1;
        }
        // At risk at t: entered strictly below t, not yet left strictly below t.
        while i_in < entries.len() && entries[i_in].0 < t {
            entered += entries[i_in].1;
            i_in += 1;
        }
        while i_out < exits.len() && exits[i_out].0 < t {
            left += exits[i_out].1;
            i_out += 1;
        }
        let r = entered - left;
        survival *= 1.0 - d / r;
        greenwood += if r > d { d / (r * (r - d)) } else { 0.0 };
        out.push(ProductLimitPoint {
            amount: t,
            events: d,
            at_risk: r,
            survival,
            std_error: if survival > 0.0 {
                survival * greenwood.sqrt()
            } else {
                0.0
            },
        });
    }
    out
}
