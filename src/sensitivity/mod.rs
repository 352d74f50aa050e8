//! Sensitivity, stress and parameter risk of a book's prices: each key assumption moved by a
//! step, named stress scenarios and the fitted severity's parameter uncertainty, each
//! re-priced with the base run's seed (common random numbers: every firm's streams are the
//! same, so a difference is the assumption's effect, not noise), with standard errors of the
//! differences.
//!
//! Pipeline position: `quote → sensitivity`.
//!
//! Standard errors: the simulated mean and TVaR are means of per-year influence values
//! (x_t for the mean; VaR + (x_t − VaR)⁺ / (1 − α) for TVaR), so their difference is the mean
//! of the per-year differences, whose standard error is taken from batch means over blocks
//! of [`BLOCK`] years (as the portfolio's own). The rated expected loss moves with the mean
//! through the book's ratio to it (delta method), s.e.(Δ EL) ≈ EL / mean · s.e.(Δ mean); the
//! premium also with the capital, s.e.(Δ premium) ≤ premium / mean · s.e.(Δ mean) + c / (1 −
//! e) · s.e.(Δ TVaR), c the cost of capital and e the expense, commission and profit ratios
//! (the sum bounds the standard error whatever the correlation of the two).

use crate::assumptions::{Assumptions, Scenario};
use crate::book::Firm;
use crate::error::{Error, Result};
use crate::fitting::SeverityFit;
use crate::portfolio::{BLOCK, PortfolioRun};
use crate::quote::{QuoteConfig, price_with};
use crate::severity::Severity;
use crate::table::Table;
use serde::{Deserialize, Serialize};

/// What a scenario is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScenarioKind {
    /// One key assumption moved by the step.
    Step,
    /// A named stress from the configuration.
    Stress,
    /// The fitted severity at the edge of its 95% interval.
    Parameter,
}

/// A figure of the book under the base and a scenario.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Change {
    /// Under the base assumptions (元).
    pub base: f64,
    /// Under the scenario (元).
    pub value: f64,
    /// value − base (元).
    pub change: f64,
    /// Standard error of the change (元).
    pub std_error: f64,
}

/// The book under one scenario.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScenarioResult {
    /// Scenario name.
    pub name: String,
    /// Its kind.
    pub kind: ScenarioKind,
    /// Σ premium.
    pub premium: Change,
    /// Σ rated expected loss.
    pub expected_loss: Change,
    /// Simulated mean annual payment (systemic events included).
    pub mean: Change,
    /// Simulated TVaR at the configuration's level.
    pub tvar: Change,
}

/// Every scenario's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Sensitivity {
    /// The step of the key assumptions.
    pub step: f64,
    /// Results, in the order given.
    pub results: Vec<ScenarioResult>,
}

/// The key assumptions of the book, each moved by `step`: every product the book holds,
/// frequency and severity apart; every systemic event's rate; the dependence across sectors.
pub fn steps(
    assumptions: &Assumptions,
    firms: &[Firm],
    step: f64,
) -> Vec<(Scenario, ScenarioKind)> {
    let pct = format!("{:+}%", step * 100.0);
    let held = |p: &str| {
        firms
            .iter()
            .any(|f| f.covers.iter().any(|c| c.product == p))
    };
    let mut out = Vec::new();
    for p in assumptions.products().iter().filter(|p| held(&p.name)) {
        for (what, f, s) in [
            ("frequency", 1.0 + step, 1.0),
            ("severity", 1.0, 1.0 + step),
        ] {
            let name = format!("{} {what} {pct}", p.name);
            out.push((Scenario::load(&name, &p.name, f, s), ScenarioKind::Step));
        }
    }
    for shock in assumptions.shocks() {
        let mut s = Scenario::named(&format!("{} rate {pct}", shock.name));
        s.shocks.insert(shock.name.clone(), 1.0 + step);
        out.push((s, ScenarioKind::Step));
    }
    if assumptions.dependence().is_some() {
        let mut s = Scenario::named(&format!("dependence {pct}"));
        s.dependence = 1.0 + step;
        out.push((s, ScenarioKind::Step));
    }
    out
}

/// The fitted severity of `product` at the edges of its 95% interval: the mean m(θ) moved by
/// exp(±1.96 σ), σ² = ∇ln m ᵀ Σ ∇ln m from the fit's covariance Σ (central differences).
pub fn parameter_scenarios(
    fit: &SeverityFit,
    product: &str,
) -> Result<[(Scenario, ScenarioKind); 2]> {
    let mean = |p: &[f64]| -> Result<f64> {
        fit.family.build(p)?.mean().ok_or(Error::Inconsistent {
            model: "parameter_scenarios",
            message: format!("the fitted {} has no finite mean", fit.family.name()),
        })
    };
    let theta = &fit.parameters;
    let mut gradient = Vec::with_capacity(theta.len());
    for i in 0..theta.len() {
        let h = 1e-5 * theta[i].abs().max(1e-3);
        let (mut up, mut down) = (theta.clone(), theta.clone());
        up[i] += h;
        down[i] -= h;
        gradient.push((mean(&up)?.ln() - mean(&down)?.ln()) / (2.0 * h));
    }
    let var: f64 = (0..theta.len())
        .flat_map(|i| (0..theta.len()).map(move |j| (i, j)))
        .map(|(i, j)| gradient[i] * fit.covariance[i][j] * gradient[j])
        .sum();
    let sd = var.max(0.0).sqrt();
    let edge = |z: f64, label: &str| {
        let name = format!(
            "{product} severity at the fit's {label} (×{:.4})",
            (z * sd).exp()
        );
        (
            Scenario::load(&name, product, 1.0, (z * sd).exp()),
            ScenarioKind::Parameter,
        )
    };
    Ok([edge(-1.96, "2.5%"), edge(1.96, "97.5%")])
}

/// Prices the book under the base assumptions and under every scenario with the same seed,
/// and returns each scenario's changes with their standard errors.
pub fn sensitivity(
    firms: &[Firm],
    assumptions: &Assumptions,
    config: &QuoteConfig,
    experience: Option<&Table>,
    scenarios: &[(Scenario, ScenarioKind)],
    step: f64,
) -> Result<Sensitivity> {
    let run = |a: &Assumptions| -> Result<(f64, f64, PortfolioRun)> {
        let mut kept = None;
        let priced = price_with(firms, a, config, experience, |book, c| {
            let run = book.simulate(c)?;
            kept = Some(run.clone());
            Ok(run)
        })?;
        let premium = priced.quotes.iter().map(|q| q.premium).sum();
        let el = priced.quotes.iter().map(|q| q.expected_loss).sum();
        let kept = kept.ok_or(Error::Inconsistent {
            model: "sensitivity",
            message: "the quote ran no simulation".into(),
        })?;
        Ok((premium, el, kept))
    };
    let l = &config.loadings;
    let capital = l.cost_of_capital / (1.0 - l.expense_ratio - l.commission_ratio - l.profit_ratio);
    let (p0, e0, r0) = run(assumptions)?;
    let m0 = r0.losses.mean()?.value;
    let results = (scenarios.iter())
        .map(|(s, kind)| {
            let (p1, e1, r1) = run(&assumptions.with_scenario(s)?)?;
            let (dm, se_m) = difference(&r0, &r1, |x| x, |y| y);
            let (v0, v1) = (
                r0.losses.var(r0.tvar_level)?.value,
                r1.losses.var(r1.tvar_level)?.value,
            );
            let (_, se_t) = difference(
                &r0,
                &r1,
                |x| tvar_influence(v0, r0.tvar_level, x),
                |y| tvar_influence(v1, r1.tvar_level, y),
            );
            let m1 = m0 + dm;
            let change = |base: f64, value: f64, se: f64| Change {
                base,
                value,
                change: value - base,
                std_error: se,
            };
            Ok(ScenarioResult {
                name: s.name.clone(),
                kind: *kind,
                premium: change(p0, p1, se_m * p0 / m0 + capital * se_t),
                expected_loss: change(e0, e1, se_m * e0 / m0),
                mean: change(m0, m1, se_m),
                tvar: change(r0.tvar, r1.tvar, se_t),
            })
        })
        .collect::<Result<_>>()?;
    Ok(Sensitivity { step, results })
}

/// VaR + (x − VaR)⁺ / (1 − α): the year's TVaR influence value.
fn tvar_influence(var: f64, level: f64, x: f64) -> f64 {
    var + (x - var).max(0.0) / (1.0 - level)
}

/// Mean of the per-year differences of `f` between two runs of the same years, and its
/// standard error by batch means over blocks of [`BLOCK`] years (iid when fewer than 2 blocks).
fn difference(
    a: &PortfolioRun,
    b: &PortfolioRun,
    fa: impl Fn(f64) -> f64,
    fb: impl Fn(f64) -> f64,
) -> (f64, f64) {
    let d: Vec<f64> = (a.totals.iter().zip(&b.totals))
        .map(|(&x, &y)| fb(y) - fa(x))
        .collect();
    let n = d.len() as f64;
    let mean = d.iter().sum::<f64>() / n;
    let blocks: Vec<f64> = (d.chunks(BLOCK))
        .filter(|c| c.len() == BLOCK)
        .map(|c| c.iter().sum::<f64>() / c.len() as f64)
        .collect();
    let (values, size) = if blocks.len() >= 2 {
        (blocks, BLOCK as f64)
    } else {
        (d, 1.0)
    };
    let k = values.len() as f64;
    let m = values.iter().sum::<f64>() / k;
    let var = values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (k - 1.0).max(1.0);
    (mean, (var * size / n).sqrt())
}
