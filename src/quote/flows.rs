//! Where the book's money goes: gross premium and expected loss through the per-risk and
//! aggregate excess-of-loss treaties, the quota share and its ceding commission, to each
//! pool member's share of what is retained. Every flow is in whole 分, so the identities
//! hold exactly:
//!
//! ```text
//! gross premium = per-risk XoL premium + aggregate XoL premium
//!               + quota-share reinsurer (net of commission) + ceding commission + Σ members
//! gross EL      = per-risk recoveries + aggregate recoveries + quota-share EL + Σ members
//! ```
//! The treaties are bought on the gross book (the per-risk cover inures to the aggregate
//! one's benefit), the quota share cedes its share of what is left, the ceding commission
//! comes back to the pool, and the members share the rest (and the commission) by share.

use super::{QuoteConfig, Share};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};

/// Premium to and expected recoveries from an excess-of-loss treaty (元).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct TreatyFlow {
    /// Premium paid: (1 + loading) × expected recoveries.
    pub premium: f64,
    /// Expected recoveries (the treaty's share of the expected loss).
    pub expected_recoveries: f64,
}

/// The quota share's flows (元).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct QuotaShareFlow {
    /// Share ceded.
    pub share: f64,
    /// Premium ceded: share × premium net of the excess-of-loss treaties.
    pub ceded_premium: f64,
    /// Ceding commission the reinsurer pays back.
    pub ceding_commission: f64,
    /// What the reinsurer keeps: ceded premium − commission.
    pub reinsurer_premium: f64,
    /// Expected loss ceded: share × expected loss net of the treaties.
    pub expected_loss: f64,
}

/// The book's money flows (元, whole 分).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Flows {
    /// Σ premiums of the quotes.
    pub gross_premium: f64,
    /// Σ rated expected losses of the quotes.
    pub gross_expected_loss: f64,
    /// Per-risk excess of loss.
    pub per_risk_xol: TreatyFlow,
    /// Aggregate excess of loss.
    pub aggregate_xol: TreatyFlow,
    /// Quota share.
    pub quota_share: QuotaShareFlow,
    /// Premium retained by the pool: net of the treaties and the quota share, plus the
    /// ceding commission.
    pub retained_premium: f64,
    /// Expected loss retained by the pool.
    pub retained_expected_loss: f64,
    /// Each member's share of the retained premium (without commission), of the commission
    /// and of the retained expected loss.
    pub members: Vec<Share>,
}

/// Expected recoveries of the two treaties (元, model level) and the reinsurer's loading.
pub(super) struct Cessions {
    pub per_risk: f64,
    pub aggregate: f64,
    pub loading: f64,
}

impl Flows {
    /// The flows of a book with gross premium and expected loss (元) under `config`'s
    /// reinsurance and pool (no pool: one member, `insurer`).
    pub(super) fn new(
        premium: f64,
        expected_loss: f64,
        ceded: &Cessions,
        config: &QuoteConfig,
    ) -> Self {
        let (q, c) = config
            .reinsurance
            .as_ref()
            .map_or((0.0, 0.0), |r| (r.quota_share, r.ceding_commission));
        let gross = cents(premium);
        let gross_el = cents(expected_loss);
        let treaty =
            |recoveries: f64| (cents((1.0 + ceded.loading) * recoveries), cents(recoveries));
        let (pr_premium, pr_rec) = treaty(ceded.per_risk);
        let (agg_premium, agg_rec) = treaty(ceded.aggregate);
        let net = gross - pr_premium - agg_premium;
        let net_el = gross_el - pr_rec - agg_rec;
        let ceded_premium = (q * net as f64).round() as i64;
        let commission = (c * ceded_premium as f64).round() as i64;
        let ceded_el = (q * net_el as f64).round() as i64;
        let members: Vec<(String, f64)> = if config.pool.is_empty() {
            vec![("insurer".into(), 1.0)]
        } else {
            config
                .pool
                .iter()
                .map(|m| (m.name.clone(), m.share))
                .collect()
        };
        let shares: Vec<f64> = members.iter().map(|m| m.1).collect();
        let premiums = split(net - ceded_premium, &shares);
        let commissions = split(commission, &shares);
        let losses = split(net_el - ceded_el, &shares);
        let yuan = |x: i64| x as f64 / 100.0;
        Self {
            gross_premium: yuan(gross),
            gross_expected_loss: yuan(gross_el),
            per_risk_xol: TreatyFlow {
                premium: yuan(pr_premium),
                expected_recoveries: yuan(pr_rec),
            },
            aggregate_xol: TreatyFlow {
                premium: yuan(agg_premium),
                expected_recoveries: yuan(agg_rec),
            },
            quota_share: QuotaShareFlow {
                share: q,
                ceded_premium: yuan(ceded_premium),
                ceding_commission: yuan(commission),
                reinsurer_premium: yuan(ceded_premium - commission),
                expected_loss: yuan(ceded_el),
            },
            retained_premium: yuan(net - ceded_premium + commission),
            retained_expected_loss: yuan(net_el - ceded_el),
            members: members
                .into_iter()
                .enumerate()
                .map(|(j, (name, share))| Share {
                    name,
                    share,
                    premium: yuan(premiums[j]),
                    ceding_commission: yuan(commissions[j]),
                    expected_loss: yuan(losses[j]),
                })
                .collect(),
        }
    }

    /// Checks every identity of the module documentation in whole 分; an error names the
    /// first that fails and by how much.
    pub fn reconcile(&self) -> Result<()> {
        let sum = |xs: &[f64]| xs.iter().map(|&x| cents(x)).sum::<i64>();
        let members = |f: fn(&Share) -> f64| self.members.iter().map(|m| cents(f(m))).sum::<i64>();
        let qs = &self.quota_share;
        let identities = [
            (
                "gross premium = XoL premiums + quota-share reinsurer + ceding commission + members",
                cents(self.gross_premium),
                sum(&[
                    self.per_risk_xol.premium,
                    self.aggregate_xol.premium,
                    qs.reinsurer_premium,
                    qs.ceding_commission,
                ]) + members(|m| m.premium),
            ),
            (
                "gross expected loss = recoveries + quota-share expected loss + members",
                cents(self.gross_expected_loss),
                sum(&[
                    self.per_risk_xol.expected_recoveries,
                    self.aggregate_xol.expected_recoveries,
                    qs.expected_loss,
                ]) + members(|m| m.expected_loss),
            ),
            (
                "retained premium = Σ member premium + Σ member commission",
                cents(self.retained_premium),
                members(|m| m.premium) + members(|m| m.ceding_commission),
            ),
            (
                "ceding commission = Σ member commission",
                cents(qs.ceding_commission),
                members(|m| m.ceding_commission),
            ),
            (
                "retained expected loss = Σ member expected loss",
                cents(self.retained_expected_loss),
                members(|m| m.expected_loss),
            ),
        ];
        for (name, lhs, rhs) in identities {
            if lhs != rhs {
                return Err(Error::Inconsistent {
                    model: "Flows",
                    message: format!("{name} fails by {:.2} 元", (lhs - rhs) as f64 / 100.0),
                });
            }
        }
        Ok(())
    }
}

/// An amount in whole 分, rounded half away from zero.
fn cents(x: f64) -> i64 {
    (x * 100.0).round() as i64
}

/// Splits `total` 分 by `shares` (summing to 1) with the largest-remainder method: each gets
/// ⌊share·total⌋ and the left-over 分 go, one each, to the largest fractional parts (ties to
/// the first), so the parts add up to `total` exactly.
fn split(total: i64, shares: &[f64]) -> Vec<i64> {
    let exact: Vec<f64> = shares.iter().map(|s| s * total as f64).collect();
    let mut parts: Vec<i64> = exact.iter().map(|x| x.floor() as i64).collect();
    let mut left = total - parts.iter().sum::<i64>();
    let mut order: Vec<usize> = (0..shares.len()).collect();
    order.sort_by(|&a, &b| {
        let frac = |i: usize| exact[i] - exact[i].floor();
        frac(b).total_cmp(&frac(a)).then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(shares.len() * 2) {
        if left == 0 {
            break;
        }
        let step = left.signum();
        parts[i] += step;
        left -= step;
    }
    parts[0] += left;
    parts
}

#[cfg(test)]
mod tests {
    use super::split;

    #[test]
    fn largest_remainders_add_up_to_the_total() {
        // 100 分 by thirds: 33.33 each, the first gets the left-over 分.
        assert_eq!(split(100, &[1.0 / 3.0; 3]), vec![34, 33, 33]);
        // 0.5/0.3/0.2 of 1,001 分: 500.5, 300.3, 200.2 → the largest fraction gets it.
        assert_eq!(split(1001, &[0.5, 0.3, 0.2]), vec![501, 300, 200]);
        assert_eq!(split(-7, &[0.5, 0.5]), vec![-3, -4]);
        for total in [-12_345, 0, 1, 99, 1_000_003] {
            assert_eq!(split(total, &[0.25, 0.45, 0.3]).iter().sum::<i64>(), total);
        }
    }
}
