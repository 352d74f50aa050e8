//! Goodness of fit: EDF statistics with parametric-bootstrap p-values, χ² for grouped data,
//! and a model-selection table.

use super::claims::{Claim, ClaimData, Observed};
use super::severity::{SeverityFamily, SeverityFit, fit_from, interval_probability};
use crate::budget::Work;
use crate::error::{Error, Result};
use crate::severity::{Severity, SeverityModel};
use crate::simulation::{Estimate, batch_rng, map_indices};
use rand::Rng;
use serde::{Deserialize, Serialize};

const MODEL: &str = "goodness_of_fit";

/// Kolmogorov–Smirnov D, Anderson–Darling A² and Cramér–von Mises W² of the uncensored
/// claims' probability integral transforms uᵢ = 1 − S(xᵢ)/S(dᵢ) (uniform under the model,
/// given the truncation), weights counting as frequencies:
///
/// ```text
/// D = sup |Fₙ(u) − u|,  W² = n ∫₀¹ (Fₙ(u) − u)² du,  A² = n ∫₀¹ (Fₙ(u) − u)² / (u(1 − u)) du
/// ```
/// (integrated exactly over the steps of Fₙ; the usual sums for unit weights).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct EdfStatistics {
    /// Kolmogorov–Smirnov D.
    pub kolmogorov_smirnov: f64,
    /// Anderson–Darling A².
    pub anderson_darling: f64,
    /// Cramér–von Mises W².
    pub cramer_von_mises: f64,
}

/// Bootstrap p-values (#{T_b ≥ T} + 1)/(B + 1) of the three statistics, each with its Monte
/// Carlo standard error √(p(1 − p)/B).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BootstrapPValues {
    /// Kolmogorov–Smirnov.
    pub kolmogorov_smirnov: Estimate,
    /// Anderson–Darling.
    pub anderson_darling: Estimate,
    /// Cramér–von Mises.
    pub cramer_von_mises: Estimate,
    /// Replicates that were fitted.
    pub replicates: usize,
    /// Replicates whose refit failed (left out).
    pub failed: usize,
}

/// Pearson χ² over the intervals of grouped data.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct ChiSquare {
    /// Σ (O − E)²/E.
    pub statistic: f64,
    /// Intervals − 1 − fitted parameters.
    pub degrees_of_freedom: usize,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

/// How to bootstrap: `replicates` refits of data simulated from the fitted model with the
/// observed truncation and censoring points, replicate b drawing from the generator of
/// (seed, b) — deterministic and the same for any `threads`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Bootstrap {
    /// Replicates B ≥ 1.
    pub replicates: usize,
    /// Seed.
    pub seed: u64,
    /// Worker threads (`None`: rayon's default).
    #[serde(default)]
    pub threads: Option<usize>,
}

/// The goodness of fit of one fitted family.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GoodnessOfFit {
    /// EDF statistics (`None` without uncensored individual claims).
    pub statistics: Option<EdfStatistics>,
    /// Their bootstrap p-values, when asked for.
    pub p_values: Option<BootstrapPValues>,
    /// χ² for grouped data (all claims intervals with one truncation point).
    pub chi_square: Option<ChiSquare>,
}

/// EDF statistics of `data` under `model`.
pub fn edf_statistics(model: &SeverityModel, data: &ClaimData) -> Option<EdfStatistics> {
    let mut u: Vec<(f64, f64)> = data
        .claims()
        .iter()
        .filter_map(|c| match c.observed {
            Observed::Exact { value } => {
                let s = model.survival(value) / model.survival(c.truncation);
                Some(((1.0 - s).clamp(0.0, 1.0), c.weight))
            }
            _ => None,
        })
        .collect();
    if u.is_empty() {
        return None;
    }
    u.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n: f64 = u.iter().map(|x| x.1).sum();
    let (mut ks, mut cvm, mut ad) = (0.0_f64, 0.0, 0.0);
    let mut below = 0.0; // Fₙ on [previous point, this point)
    let mut previous = 0.0;
    for &(ui, w) in u.iter().chain(std::iter::once(&(1.0, 0.0))) {
        let c = below / n;
        ks = ks.max((c - previous).abs()).max((c - ui).abs());
        cvm += ((ui - c).powi(3) - (previous - c).powi(3)) / 3.0;
        ad += step_ad(c, previous, ui);
        below += w;
        previous = ui;
    }
    Some(EdfStatistics {
        kolmogorov_smirnov: ks,
        anderson_darling: n * ad,
        cramer_von_mises: n * cvm,
    })
}

/// ∫ₐᵇ (c − u)²/(u(1 − u)) du = −(b − a) + c² ln(b/a) + (1 − c)² ln((1 − a)/(1 − b)).
fn step_ad(c: f64, a: f64, b: f64) -> f64 {
    if b <= a {
        return 0.0;
    }
    let low = if c == 0.0 { 0.0 } else { c * c * (b / a).ln() };
    let high = if c == 1.0 {
        0.0
    } else {
        (1.0 - c).powi(2) * ((1.0 - a) / (1.0 - b)).ln()
    };
    -(b - a) + low + high
}

/// Goodness of fit of `fit` to `data`, with bootstrap p-values when `bootstrap` is given
/// (individual claims only).
pub fn goodness_of_fit(
    fit: &SeverityFit,
    data: &ClaimData,
    bootstrap: Option<Bootstrap>,
) -> Result<GoodnessOfFit> {
    let statistics = edf_statistics(&fit.model, data);
    let grouped = data
        .claims()
        .iter()
        .any(|c| matches!(c.observed, Observed::Interval { .. }));
    let p_values = match (bootstrap, statistics) {
        (Some(b), Some(observed)) if !grouped => Some(bootstrap_p_values(fit, data, b, observed)?),
        (Some(_), _) => {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "a bootstrap needs individual claims with some uncensored amounts \
                          (grouped data get a χ² test)"
                    .into(),
            });
        }
        (None, _) => None,
    };
    Ok(GoodnessOfFit {
        statistics,
        p_values,
        chi_square: chi_square(fit, data),
    })
}

fn bootstrap_p_values(
    fit: &SeverityFit,
    data: &ClaimData,
    b: Bootstrap,
    observed: EdfStatistics,
) -> Result<BootstrapPValues> {
    if b.replicates == 0 {
        return Err(Error::InvalidParameter {
            model: MODEL,
            parameter: "replicates",
            value: 0.0,
            rule: ">= 1",
        });
    }
    // A refit per replicate: ≈ 200 likelihood evaluations over the claims at ≈ 20 ns each.
    let n = data.claims().len() as u64;
    crate::budget::check(
        "the bootstrap",
        Work::items(b.replicates as u64, 64)
            .and(Work::items(b.threads.unwrap_or(1) as u64, 64 * n))
            .and(Work::new(0, b.replicates as f64 * n as f64 * 4e-6)),
        "use fewer replicates (--bootstrap)",
    )?;
    let replicate = |i: usize| -> Option<EdfStatistics> {
        let mut rng = batch_rng(b.seed, i as u64);
        let claims: Vec<Claim> = data
            .claims()
            .iter()
            .map(|c| {
                // X given X > d by inversion of S, with V uniform on the open (0, 1).
                let s = fit.model.survival(c.truncation);
                let v = ((rng.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64;
                let x = fit
                    .model
                    .inverse_survival(s * v)
                    .max(c.truncation.next_up());
                let u = c.censoring_point();
                let observed = if x >= u {
                    Observed::Censored { value: u }
                } else {
                    Observed::Exact { value: x }
                };
                Claim { observed, ..*c }
            })
            .collect();
        let simulated = ClaimData::new(claims).ok()?;
        let refit = fit_from(fit.family, &simulated, Some(&fit.parameters)).ok()?;
        edf_statistics(&refit.model, &simulated)
    };
    let stats = map_indices(b.replicates, b.threads, &replicate)?;
    let ok: Vec<EdfStatistics> = stats.iter().flatten().copied().collect();
    let p = |get: fn(&EdfStatistics) -> f64| {
        let t = get(&observed);
        let value = (ok.iter().filter(|s| get(s) >= t).count() + 1) as f64 / (ok.len() + 1) as f64;
        Estimate {
            value,
            std_error: (value * (1.0 - value) / ok.len().max(1) as f64).sqrt(),
        }
    };
    Ok(BootstrapPValues {
        kolmogorov_smirnov: p(|s| s.kolmogorov_smirnov),
        anderson_darling: p(|s| s.anderson_darling),
        cramer_von_mises: p(|s| s.cramer_von_mises),
        replicates: ok.len(),
        failed: stats.len() - ok.len(),
    })
}

/// Pearson χ² when every claim is an interval and all share one truncation point.
fn chi_square(fit: &SeverityFit, data: &ClaimData) -> Option<ChiSquare> {
    let d = data.claims().first()?.truncation;
    let mut cells: Vec<(f64, f64, f64)> = Vec::new();
    for c in data.claims() {
        let Observed::Interval { lower, upper } = c.observed else {
            return None;
        };
        if c.truncation != d {
            return None;
        }
        match cells.iter_mut().find(|x| x.0 == lower && x.1 == upper) {
            Some(x) => x.2 += c.weight,
            None => cells.push((lower, upper, c.weight)),
        }
    }
    let k = fit.family.parameter_names().len();
    if cells.len() <= k + 1 {
        return None;
    }
    let n = data.total_weight();
    let s = fit.model.survival(d);
    let statistic: f64 = cells
        .iter()
        .map(|&(lo, hi, o)| {
            let e = n * interval_probability(&fit.model, lo, hi) / s;
            (o - e).powi(2) / e
        })
        .sum();
    let df = cells.len() - 1 - k;
    Some(ChiSquare {
        statistic,
        degrees_of_freedom: df,
        p_value: crate::numerics::special::gamma_q(df as f64 / 2.0, statistic / 2.0),
    })
}

/// One row of a model-selection table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SelectionRow {
    /// Family tried.
    pub family: SeverityFamily,
    /// The fit, or `None` when it failed.
    pub fit: Option<SeverityFit>,
    /// Its goodness of fit.
    pub goodness: Option<GoodnessOfFit>,
    /// Why the fit failed.
    pub error: Option<String>,
}

/// Fits every family in `families` and ranks them by AIC (failed fits last, with their
/// reason), with goodness of fit beside (bootstrap p-values when `bootstrap` is given).
pub fn select_severity(
    data: &ClaimData,
    families: &[SeverityFamily],
    bootstrap: Option<Bootstrap>,
) -> Result<Vec<SelectionRow>> {
    if families.is_empty() {
        return Err(Error::Empty {
            model: "select_severity",
            parameter: "families",
        });
    }
    let mut rows = Vec::with_capacity(families.len());
    for &family in families {
        let row = match super::fit_severity(family, data) {
            Ok(fit) => {
                let goodness = goodness_of_fit(&fit, data, bootstrap)?;
                SelectionRow {
                    family,
                    fit: Some(fit),
                    goodness: Some(goodness),
                    error: None,
                }
            }
            Err(e) => SelectionRow {
                family,
                fit: None,
                goodness: None,
                error: Some(e.to_string()),
            },
        };
        rows.push(row);
    }
    rows.sort_by(|a, b| {
        let aic = |r: &SelectionRow| r.fit.as_ref().map_or(f64::INFINITY, |f| f.aic);
        aic(a).total_cmp(&aic(b))
    });
    Ok(rows)
}
