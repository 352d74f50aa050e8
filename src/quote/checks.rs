//! The checks a pricing committee makes on every quote run, each with its count: the hard
//! ones must count 0 (a run that fails one is a defect of the library, and the run says so),
//! the flags show what needs a decision.

use super::{LineExperience, Quote, QuoteConfig};
use serde::{Deserialize, Serialize};

/// One check and what it found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CheckResult {
    /// Short name.
    pub name: String,
    /// What is checked.
    pub rule: String,
    /// Hard (must count 0) or a flag (counts what needs a decision).
    pub hard: bool,
    /// How many covers, firms or lines it found.
    pub count: usize,
    /// The first ten of them (firm and product, firm, or line).
    pub examples: Vec<String>,
}

/// Relative tolerance of the money comparisons (floating-point sums of 元 amounts).
const TOLERANCE: f64 = 1e-9;

/// Runs every check on `quotes` (and the model-vs-experience `lines`).
pub fn check_quotes(
    quotes: &[Quote],
    lines: &[LineExperience],
    config: &QuoteConfig,
) -> Vec<CheckResult> {
    let covers = || {
        quotes
            .iter()
            .flat_map(|q| q.covers.iter().map(move |c| (q, c)))
    };
    let name = |q: &Quote, product: &str| format!("{} {product}", q.firm);
    let within = |a: f64, b: f64| a <= b + TOLERANCE * b.abs().max(1.0);
    let mut out = vec![
        check(
            "expected_loss_within_maximum",
            "no cover's rated expected loss above the most it can pay in its term",
            true,
            covers()
                .filter(|(_, c)| {
                    c.maximum_payment
                        .is_some_and(|m| !within(c.expected_loss, m))
                })
                .map(|(q, c)| name(q, &c.product)),
        ),
        check(
            "expected_loss_capped",
            "covers whose factor would have rated them above their maximum payment, capped at it",
            false,
            covers()
                .filter(|(_, c)| c.capped)
                .map(|(q, c)| format!("{} (cap {:.0})", name(q, &c.product), c.expected_loss)),
        ),
        check(
            "rate_on_line_above_1",
            "covers priced above their limit × share, each flagged with the reason",
            false,
            covers()
                .filter(|(_, c)| c.rate_on_line.is_some_and(|r| r > 1.0))
                .map(|(q, c)| name(q, &c.product)),
        ),
        check(
            "rate_on_line_unflagged",
            "no cover priced above its limit × share without a reason",
            true,
            covers()
                .filter(|(_, c)| c.rate_on_line.is_some_and(|r| r > 1.0) && c.flag.is_none())
                .map(|(q, c)| name(q, &c.product)),
        ),
        check(
            "subsidy_within_cap",
            &format!(
                "each firm's subsidies at most {:.0}% of its premium (subsidy_max_share)",
                100.0 * config.subsidy_max_share
            ),
            true,
            quotes
                .iter()
                .filter(|q| {
                    q.subsidy < 0.0 || !within(q.subsidy, config.subsidy_max_share * q.premium)
                })
                .map(|q| q.firm.clone()),
        ),
        check(
            "premium_covers_expected_loss",
            "premium ≥ expected loss ≥ 0",
            true,
            quotes
                .iter()
                .filter(|q| q.expected_loss < 0.0 || !within(q.expected_loss, q.premium))
                .map(|q| q.firm.clone()),
        ),
        check(
            "components_add_up",
            "expected loss, loads, expenses and adjustments add up to the premium; the firm \
             and the subsidies to the premium",
            true,
            quotes
                .iter()
                .filter(|q| {
                    let tol = TOLERANCE * q.premium.abs().max(1.0);
                    (q.components_total() - q.premium).abs() > tol
                        || (q.firm_pays + q.subsidy - q.premium).abs() > tol
                })
                .map(|q| q.firm.clone()),
        ),
    ];
    out.push(check(
        "experience_outside_interval",
        "lines whose experience A/E leaves 1 outside its 95% interval under the model",
        false,
        lines
            .iter()
            .filter(|l| l.outside)
            .map(|l| format!("{} (A/E {:.2})", l.line, l.ratio.unwrap_or(f64::NAN))),
    ));
    out
}

fn check(name: &str, rule: &str, hard: bool, found: impl Iterator<Item = String>) -> CheckResult {
    let found: Vec<String> = found.collect();
    CheckResult {
        name: name.into(),
        rule: rule.into(),
        hard,
        count: found.len(),
        examples: found.into_iter().take(10).collect(),
    }
}
