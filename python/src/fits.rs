//! Fitting beyond `kexian fit`'s severity selection: claim counts by family, and the tail
//! (peaks over threshold, threshold stability), on tables given as typed columns.

use crate::jobs::table;
use crate::{Failure, Res, from_json, to_json};
use kexian::fitting::{
    ClaimData, CountData, FrequencyFamily, fit_frequency as fit_counts, fit_tail as fit_gpd,
    threshold_stability as stability,
};
use pyo3::prelude::*;

/// The claims of a table (amounts, deductibles as truncation, limits as censoring).
fn claims(
    data: &Bound<'_, PyAny>,
    amount: &str,
    deductible: Option<&str>,
    limit: Option<&str>,
) -> Res<ClaimData> {
    let t = table("DataFrame `claims`", data)?;
    ClaimData::from_table(&t, amount, deductible, limit, None).map_err(|e| Failure(e).into())
}

/// Fits each family of `families_json` (a list such as `[{"family": "poisson"}]`) to the
/// counts of column `count` (whole numbers ≥ 0) with exposures from column `exposure`;
/// returns the fits (a failed one: its family and error) as JSON, best AIC first.
#[pyfunction]
#[pyo3(signature = (data, count, families_json, exposure=None))]
pub(crate) fn fit_frequency(
    data: &Bound<'_, PyAny>,
    count: &str,
    families_json: &str,
    exposure: Option<&str>,
) -> Res<String> {
    let t = table("DataFrame `counts`", data)?;
    let c = t.column(count).map_err(Failure)?;
    let counts = (0..t.len())
        .map(|r| {
            t.number_where(
                r,
                c,
                |x| x >= 0.0 && x.fract() == 0.0,
                "a whole number >= 0",
            )
            .map(|x| x as u64)
        })
        .collect::<kexian::Result<Vec<u64>>>()
        .map_err(Failure)?;
    let exposures = match exposure {
        Some(e) => {
            let e = t.column(e).map_err(Failure)?;
            let v = (0..t.len()).map(|r| t.number(r, e));
            Some(v.collect::<kexian::Result<Vec<f64>>>().map_err(Failure)?)
        }
        None => None,
    };
    let data = CountData::new(counts, exposures).map_err(Failure)?;
    let families: Vec<FrequencyFamily> = from_json("frequency families", families_json)?;
    let mut rows = (families.iter())
        .map(|&f| match fit_counts(f, &data) {
            Ok(fit) => serde_json::to_value(&fit),
            Err(e) => Ok(serde_json::json!({"family": f, "error": e.to_string()})),
        })
        .collect::<Result<Vec<serde_json::Value>, _>>()
        .map_err(|e| crate::KexianError::new_err(e.to_string()))?;
    let aic = |v: &serde_json::Value| v["aic"].as_f64().unwrap_or(f64::INFINITY);
    rows.sort_by(|a, b| aic(a).total_cmp(&aic(b)));
    to_json(&rows)
}

/// A GPD fitted to the claims above `threshold` (peaks over threshold); the fit as JSON.
#[pyfunction]
#[pyo3(signature = (data, threshold, amount="amount", deductible=None, limit=None))]
pub(crate) fn fit_tail(
    data: &Bound<'_, PyAny>,
    threshold: f64,
    amount: &str,
    deductible: Option<&str>,
    limit: Option<&str>,
) -> Res<String> {
    let claims = claims(data, amount, deductible, limit)?;
    to_json(&fit_gpd(&claims, threshold).map_err(Failure)?)
}

/// GPD fits above each threshold (ξ and the modified scale with standard errors) as JSON.
#[pyfunction]
#[pyo3(signature = (data, thresholds, amount="amount", deductible=None, limit=None))]
pub(crate) fn threshold_stability(
    data: &Bound<'_, PyAny>,
    thresholds: Vec<f64>,
    amount: &str,
    deductible: Option<&str>,
    limit: Option<&str>,
) -> Res<String> {
    let claims = claims(data, amount, deductible, limit)?;
    to_json(&stability(&claims, &thresholds).map_err(Failure)?)
}
