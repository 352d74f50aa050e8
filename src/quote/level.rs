//! The level: the model against the book's own experience, line by line, and the
//! credibility-weighted blend of the two (limited fluctuation).
//!
//! For line ℓ, over the experience rows r of the line whose firm holds a cover of it in the
//! book (mᵢℓ its model expected annual payment, eᵣ the row's exposure):
//!
//! ```text
//! E = Σᵣ eᵣ·m_{firm(r),ℓ}          the model's prediction for the experience
//! A = Σᵣ incurredᵣ,  n = Σᵣ claimsᵣ
//! x̄ = A / n,  x₂ = Σᵣ incurredᵣ² / n   (firm-year totals: an upper bound of E[X²])
//! A/E ± 1.96·√(E·x₂/x̄) / E            (compound Poisson under the model, normal approximation)
//! n_full = (z_{(1+p)/2} / k)² · x₂/x̄²  (limited fluctuation for aggregate losses, 1 + CV²)
//! Z = min(1, √(n / n_full)),   level = Z·A/E + (1 − Z)
//! ```
//! (Mahler & Dean, *Credibility*, ch. 8 of *Foundations of Casualty Actuarial Science*, 4th
//! ed., §2–3: the full standard for pure premium n₀(1 + CV²_X), partial credibility √(n/n_F)).
//! A line without claims has Z = 0 and no interval; without a `line` column the experience
//! is one line, `all`, against the firm's total.

use crate::backtest::LimitedFluctuation;
use crate::error::{Error, Result};
use crate::table::Table;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The line an experience without a `line` column is compared as.
pub const ALL_LINES: &str = "all";

/// The model against the experience for one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LineExperience {
    /// Line (`all` when the experience has no `line` column).
    pub line: String,
    /// Experience rows (firm-years) of the line compared.
    pub rows: usize,
    /// Rows of the line whose firm holds no cover of it in the book (not compared).
    pub rows_without_model: usize,
    /// Claims n.
    pub claims: f64,
    /// Incurred A (元).
    pub incurred: f64,
    /// The model's prediction E for those rows (元).
    pub expected: f64,
    /// A/E (`None` when E = 0).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ratio: Option<f64>,
    /// 95% interval of A/E under the model (`None` without claims or prediction).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub interval: Option<(f64, f64)>,
    /// Whether the interval leaves out 1: the model and the experience disagree.
    pub outside: bool,
    /// Claims for full credibility, n_full.
    pub full_credibility_claims: f64,
    /// Credibility Z of the experience.
    pub credibility: f64,
    /// The line's level against the model, Z·A/E + (1 − Z).
    pub level: f64,
}

/// The columns of an experience table the level reads.
#[derive(Debug, Clone, Copy)]
pub struct ExperienceColumns<'a> {
    /// Firm id.
    pub firm: &'a str,
    /// Exposure (policy-years); `None`: each row is one.
    pub exposure: Option<&'a str>,
    /// Claim count.
    pub claims: &'a str,
    /// Incurred losses (元).
    pub incurred: &'a str,
}

/// Compares the model with the experience line by line: `model(firm, line)` is the firm's
/// model expected annual payment of the line (`line` = [`ALL_LINES`]: all its lines), `None`
/// when it holds no cover of it.
///
/// ```
/// use kexian::backtest::LimitedFluctuation;
/// use kexian::quote::{ExperienceColumns, experience_level};
/// use kexian::table::Table;
/// let csv = "firm,line,claims,incurred\nA,cyber,1,100000\nB,cyber,0,0\nC,cyber,1,300000\n";
/// let t = Table::from_reader("exp", csv.as_bytes())?;
/// let cols = ExperienceColumns { firm: "firm", exposure: None, claims: "claims", incurred: "incurred" };
/// let lines = experience_level(&t, cols, &|_, _| Some(50_000.0), &LimitedFluctuation::default())?;
/// // A/E = 400,000 / 150,000; two claims are little credibility: the level stays near 1.
/// assert!((lines[0].ratio.unwrap() - 8.0 / 3.0).abs() < 1e-12);
/// assert!(lines[0].credibility < 0.05 && lines[0].level < 1.07);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn experience_level(
    experience: &Table,
    columns: ExperienceColumns,
    model: &dyn Fn(&str, &str) -> Option<f64>,
    standard: &LimitedFluctuation,
) -> Result<Vec<LineExperience>> {
    let firm = experience.column(columns.firm)?;
    let line = experience.column("line").ok();
    let exposure = columns.exposure.map(|c| experience.column(c)).transpose()?;
    let (claims, incurred) = (
        experience.column(columns.claims)?,
        experience.column(columns.incurred)?,
    );
    let n0 = standard.full_credibility_claims()?;
    // Per line: rows, rows without model, n, A, E, Σ incurred².
    let mut sums: BTreeMap<String, [f64; 6]> = BTreeMap::new();
    for r in 0..experience.len() {
        let l = line.map_or(ALL_LINES, |c| experience.text(r, c));
        let s = sums.entry(l.to_owned()).or_default();
        let Some(m) = model(experience.text(r, firm), l) else {
            s[1] += 1.0;
            continue;
        };
        let e = match exposure {
            Some(c) => experience.number(r, c)?,
            None => 1.0,
        };
        let (n, a) = (
            experience.number(r, claims)?,
            experience.number(r, incurred)?,
        );
        for (what, v) in [("exposure", e), (columns.claims, n), (columns.incurred, a)] {
            if !(v.is_finite() && v >= 0.0) {
                return Err(Error::Rows {
                    source_name: experience.source().to_owned(),
                    errors: vec![format!(
                        "line {}: column `{what}`: {v} must be finite and >= 0",
                        experience.line(r)
                    )],
                });
            }
        }
        s[0] += 1.0;
        s[2] += n;
        s[3] += a;
        s[4] += e * m;
        s[5] += a * a;
    }
    let z = crate::numerics::normal_quantile(0.975);
    Ok(sums
        .into_iter()
        .map(|(line, [rows, without, n, a, e, a2])| {
            let ratio = (e > 0.0).then(|| a / e);
            // Severity moments from the experience (firm-year totals).
            let moments = (n > 0.0 && a > 0.0).then(|| (a / n, a2 / n));
            let interval = match (ratio, moments) {
                (Some(r), Some((x1, x2))) => {
                    let se = (e * x2 / x1).sqrt() / e;
                    Some(((r - z * se).max(0.0), r + z * se))
                }
                _ => None,
            };
            let full = n0 * moments.map_or(1.0, |(x1, x2)| (x2 / (x1 * x1)).max(1.0));
            let credibility = match ratio {
                Some(_) => (n / full).sqrt().min(1.0),
                None => 0.0,
            };
            LineExperience {
                line,
                rows: rows as usize,
                rows_without_model: without as usize,
                claims: n,
                incurred: a,
                expected: e,
                ratio,
                interval,
                outside: interval.is_some_and(|(lo, hi)| !(lo <= 1.0 && 1.0 <= hi)),
                full_credibility_claims: full,
                credibility,
                level: credibility * ratio.unwrap_or(1.0) + (1.0 - credibility),
            }
        })
        .collect())
}
