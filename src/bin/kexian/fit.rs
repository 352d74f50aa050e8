//! `kexian fit`.

use crate::output::{check, write_set};
use crate::report::json_bytes;
use kexian::fitting::{Bootstrap, ClaimData, SeverityFamily, mean_excess, select_severity};
use kexian::io::{mean_excess_plot, pp_plot, qq_plot};
use kexian::table::Table;
use std::path::Path;

/// `kexian fit`: the selection table on stdout; model.json (the best family by AIC),
/// selection.json and the P–P, Q–Q and mean-excess charts in `out`.
pub(crate) fn fit(
    claims: &Path,
    [amount, deductible, limit, weight]: [Option<&str>; 4],
    families: &[String],
    bootstrap: Option<Bootstrap>,
    out: &Path,
    lang: crate::Lang,
) -> Result<(), Box<dyn std::error::Error>> {
    let language = kexian::io::Language::from(lang);
    check(out)?;
    let table = Table::from_path(claims)?;
    let data = ClaimData::from_table(
        &table,
        amount.unwrap_or("amount"),
        deductible,
        limit,
        weight,
    )?;
    let families: Vec<SeverityFamily> = if families.is_empty() {
        SeverityFamily::STANDARD.to_vec()
    } else {
        families
            .iter()
            .map(|f| {
                serde_json::from_value(serde_json::json!({ "family": f.trim() }))
                    .map_err(|_| format!("unknown or incomplete family `{f}` (known: lognormal, gamma, weibull, exponential, pareto, burr, loglogistic)"))
            })
            .collect::<Result<_, _>>()?
    };
    let rows = select_severity(&data, &families, bootstrap)?;
    println!(
        "{:<12} {:>12} {:>10} {:>10} {:>15} {:>15} {:>15}  parameters (± standard error)",
        "family", "loglik", "AIC", "BIC", "KS", "AD", "CvM"
    );
    for row in &rows {
        match (&row.fit, &row.goodness) {
            (Some(f), Some(g)) => {
                let stat = |get: fn(&kexian::fitting::EdfStatistics) -> f64,
                            p: fn(
                    &kexian::fitting::BootstrapPValues,
                ) -> kexian::simulation::Estimate| {
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
                println!(
                    "{:<12} {:>12.3} {:>10.2} {:>10.2} {:>15} {:>15} {:>15}  {}",
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
            _ => println!(
                "{:<12} failed: {}",
                row.family.name(),
                row.error.as_deref().unwrap_or("")
            ),
        }
    }
    let best = rows
        .first()
        .and_then(|r| r.fit.as_ref())
        .ok_or("no family could be fitted")?;
    let amounts: Vec<f64> = data
        .claims()
        .iter()
        .filter_map(|c| match c.observed {
            kexian::fitting::Observed::Exact { value } => Some(value),
            _ => None,
        })
        .collect();
    // The selection names what it was computed from.
    let claims_bytes = std::fs::metadata(claims).map(|m| m.len()).unwrap_or(0);
    let selection = serde_json::json!({
        "kexian": env!("CARGO_PKG_VERSION"),
        "inputs": {
            "claims": claims.display().to_string(),
            "claims_bytes": claims_bytes,
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
        ("pp.svg", pp_plot(best, &data, language)?.into_bytes()),
        ("qq.svg", qq_plot(best, &data, language)?.into_bytes()),
    ];
    if let Ok(me) = mean_excess(&amounts, 10) {
        files.push((
            "mean_excess.svg",
            mean_excess_plot(&me, language)?.into_bytes(),
        ));
    }
    write_set(out, &files)?;
    println!(
        "best by AIC: {} → {}",
        best.family.name(),
        out.join("model.json").display()
    );
    Ok(())
}
