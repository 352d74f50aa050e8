//! `kexian fit`: severity families fitted to claims (deductibles as truncation, limits as
//! censoring), ranked by AIC, with goodness of fit and the charts.

use super::text::json_bytes;
use super::{JobResult, Output};
use crate::fitting::{
    Bootstrap, ClaimData, SelectionRow, SeverityFamily, mean_excess, select_severity,
};
use crate::io::{Language, mean_excess_plot, pp_plot, qq_plot};
use crate::table::Table;

/// What `fit` fits: the claims' columns, the families and the bootstrap of the p-values.
#[derive(Debug, Clone)]
pub struct FitOptions {
    /// The claim amount column.
    pub amount: String,
    /// The deductible column (left truncation), if any.
    pub deductible: Option<String>,
    /// The limit column (right censoring at the limit), if any.
    pub limit: Option<String>,
    /// The weight column, if any.
    pub weight: Option<String>,
    /// The families tried (empty: [`SeverityFamily::STANDARD`]).
    pub families: Vec<SeverityFamily>,
    /// Parametric bootstrap of the goodness-of-fit p-values.
    pub bootstrap: Option<Bootstrap>,
}

impl Default for FitOptions {
    fn default() -> Self {
        Self {
            amount: "amount".into(),
            deductible: None,
            limit: None,
            weight: None,
            families: vec![],
            bootstrap: None,
        }
    }
}

impl FitOptions {
    /// Families by name (`lognormal`, `gamma`, `weibull`, `exponential`, `pareto`, `burr`,
    /// `loglogistic`).
    pub fn families_named(names: &[impl AsRef<str>]) -> JobResult<Vec<SeverityFamily>> {
        (names.iter())
            .map(|f| {
                let f = f.as_ref().trim();
                serde_json::from_value(serde_json::json!({ "family": f })).map_err(|_| {
                    format!(
                        "unknown or incomplete family `{f}` (known: lognormal, gamma, weibull, \
                         exponential, pareto, burr, loglogistic)"
                    )
                    .into()
                })
            })
            .collect()
    }
}

/// Fits the families to the claims of `table` (its source names them in selection.json):
/// the selection (best first) and its table as text; model.json (the best family by AIC),
/// selection.json and the P–P, Q–Q and mean-excess charts.
pub fn fit(
    table: &Table,
    options: &FitOptions,
    lang: Language,
) -> JobResult<Output<Vec<SelectionRow>>> {
    let FitOptions {
        amount,
        deductible,
        limit,
        weight,
        families,
        bootstrap,
    } = options;
    let (deductible, limit, weight) = (deductible.as_deref(), limit.as_deref(), weight.as_deref());
    let data = ClaimData::from_table(table, amount, deductible, limit, weight)?;
    let families = if families.is_empty() {
        SeverityFamily::STANDARD.to_vec()
    } else {
        families.clone()
    };
    let bootstrap = *bootstrap;
    let mut text = String::new();
    let rows = select_severity(&data, &families, bootstrap)?;
    text += &format!(
        "{:<12} {:>12} {:>10} {:>10} {:>15} {:>15} {:>15}  parameters (± standard error)\n",
        "family", "loglik", "AIC", "BIC", "KS", "AD", "CvM"
    );
    for row in &rows {
        match (&row.fit, &row.goodness) {
            (Some(f), Some(g)) => {
                let stat = |get: fn(&crate::fitting::EdfStatistics) -> f64,
                            p: fn(
                    &crate::fitting::BootstrapPValues,
                ) -> crate::simulation::Estimate| {
                    let s = g
                        .statistics
                        .map_or("—".to_owned(), |s| format!("{:.3}", get(&s)));
                    match g.p_values {
                        Some(pv) => {
                            let e = p(&pv);
                            format!("{s} (p {:.2}±{:.2})", e.value, e.std_error)
                        }
                        None => s,
                    }
                };
                let params: Vec<String> = f
                    .family
                    .parameter_names()
                    .iter()
                    .zip(&f.parameters)
                    .zip(&f.std_errors)
                    .map(|((n, v), se)| format!("{n} {v:.6} ± {se:.3}"))
                    .collect();
                text += &format!(
                    "{:<12} {:>12.3} {:>10.2} {:>10.2} {:>15} {:>15} {:>15}  {}\n",
                    f.family.name(),
                    f.log_likelihood,
                    f.aic,
                    f.bic,
                    stat(|s| s.kolmogorov_smirnov, |p| p.kolmogorov_smirnov),
                    stat(|s| s.anderson_darling, |p| p.anderson_darling),
                    stat(|s| s.cramer_von_mises, |p| p.cramer_von_mises),
                    params.join(", ")
                );
            }
            _ => {
                text += &format!(
                    "{:<12} failed: {}\n",
                    row.family.name(),
                    row.error.as_deref().unwrap_or("")
                )
            }
        }
    }
    let best = rows.first().and_then(|r| r.fit.as_ref()).ok_or_else(|| {
        let reasons: Vec<String> = rows
            .iter()
            .map(|r| format!("  {}", r.error.as_deref().unwrap_or("")))
            .collect();
        format!("no family could be fitted:\n{}", reasons.join("\n"))
    })?;
    let amounts: Vec<f64> = data
        .claims()
        .iter()
        .filter_map(|c| match c.observed {
            crate::fitting::Observed::Exact { value } => Some(value),
            _ => None,
        })
        .collect();
    // The selection names what it was computed from.
    let mut digest = sha2::Sha256::default();
    table.digest_into(&mut digest);
    let selection = serde_json::json!({
        "kexian": env!("CARGO_PKG_VERSION"),
        "inputs": {
            "claims": table.source(),
            "claims_sha256": format!("{:x}", sha2::Digest::finalize(digest)),
            "claims_rows": data.claims().len(),
            "columns": {"amount": amount, "deductible": deductible, "limit": limit, "weight": weight},
            "families": rows.iter().map(|r| r.family.name()).collect::<Vec<_>>(),
            "bootstrap": bootstrap,
        },
        "selection": rows,
    });
    let mut files = vec![
        ("model.json", json_bytes(&best.model)?),
        ("selection.json", json_bytes(&selection)?),
        ("pp.svg", pp_plot(best, &data, lang)?.into_bytes()),
        ("qq.svg", qq_plot(best, &data, lang)?.into_bytes()),
    ];
    if let Ok(me) = mean_excess(&amounts, 10) {
        files.push(("mean_excess.svg", mean_excess_plot(&me, lang)?.into_bytes()));
    }
    text += &format!("best by AIC: {}", best.family.name());
    Ok(Output {
        value: rows,
        files,
        text,
    })
}
