//! Fitting severities and frequencies to claims: maximum-likelihood estimates, standard
//! errors and log-likelihoods against independent references (tests/data/fitting_reference.json,
//! mpmath at 40 digits, made with the data by scripts/reference_fitting.py), recovery of known
//! parameters, bootstrap determinism, and bad input.

use kexian::fitting::{Claim, ClaimData, Observed, SeverityFamily, fit_severity};
use kexian::table::Table;
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/fitting_reference.json")).unwrap()
}

fn cyber() -> ClaimData {
    let t = Table::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/claims_cyber.csv")).unwrap();
    ClaimData::from_table(&t, "amount", Some("deductible"), Some("limit"), None).unwrap()
}

fn family(name: &str, threshold: f64) -> SeverityFamily {
    serde_json::from_value(match name {
        "single_parameter_pareto" => serde_json::json!({"family": name, "theta": threshold}),
        "generalized_pareto" => serde_json::json!({"family": name, "location": threshold}),
        _ => serde_json::json!({ "family": name }),
    })
    .unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array().unwrap().iter().map(|x| x.as_f64().unwrap()).collect()
}

/// Estimates and log-likelihood to 1e-6 relative; standard errors (a numerical Hessian on
/// our side) to 1e-5 relative... see the tolerance comment at the call.
fn check(data: &ClaimData, r: &Value, threshold: f64, se_tol: f64) {
    let name = r["family"].as_str().unwrap();
    let fit = fit_severity(family(name, threshold), data).unwrap();
    let (want_p, want_se) = (floats(&r["parameters"]), floats(&r["std_errors"]));
    for (j, (g, w)) in fit.parameters.iter().zip(&want_p).enumerate() {
        assert!((g - w).abs() <= 1e-6 * w.abs(), "{name} parameter {j}: {g} vs {w}");
    }
    for (j, (g, w)) in fit.std_errors.iter().zip(&want_se).enumerate() {
        assert!((g - w).abs() <= se_tol * w.abs(), "{name} se {j}: {g} vs {w}");
    }
    let ll = r["log_likelihood"].as_f64().unwrap();
    assert!((fit.log_likelihood - ll).abs() <= 1e-9 * ll.abs(), "{name} loglik {} vs {ll}", fit.log_likelihood);
    let k = want_p.len() as f64;
    assert!((fit.aic - (-2.0 * ll + 2.0 * k)).abs() < 1e-6);
}

#[test]
fn truncated_and_censored_fits_match_the_reference() {
    let r = reference();
    let data = cyber();
    for case in r["truncated_censored"].as_array().unwrap() {
        check(&data, case, 0.0, 1e-6);
    }
}

#[test]
fn large_claim_fits_above_a_threshold_match_the_reference() {
    let r = reference();
    let t = r["large_threshold"].as_f64().unwrap();
    let large: Vec<Claim> = cyber()
        .claims()
        .iter()
        .filter(|c| match c.observed {
            Observed::Exact { value } | Observed::Censored { value } => value > t,
            Observed::Interval { .. } => false,
        })
        .map(|c| Claim { truncation: t, ..*c })
        .collect();
    let data = ClaimData::new(large).unwrap();
    for case in r["large_claims"].as_array().unwrap() {
        check(&data, case, t, 1e-6);
    }
}

#[test]
fn grouped_fits_match_the_reference() {
    let r = reference();
    let t = Table::from_reader(
        "grouped_claims.csv",
        include_str!("data/grouped_claims.csv").as_bytes(),
    )
    .unwrap();
    let claims: Vec<Claim> = (0..t.len())
        .map(|row| Claim {
            observed: Observed::Interval {
                lower: t.number(row, 0).unwrap(),
                upper: t.text(row, 1).parse().unwrap(),
            },
            truncation: 0.0,
            weight: t.number(row, 2).unwrap(),
        })
        .collect();
    let data = ClaimData::new(claims).unwrap();
    for case in r["grouped"].as_array().unwrap() {
        check(&data, case, 0.0, 1e-6);
    }
}

#[test]
fn frequency_fits_match_the_reference() {
    use kexian::fitting::{CountData, FrequencyFamily, fit_frequency};
    let r: Value =
        serde_json::from_str(include_str!("data/frequency_fitting_reference.json")).unwrap();
    let t = Table::from_reader("counts.csv", include_str!("data/counts.csv").as_bytes()).unwrap();
    let column = |c: usize| -> Vec<f64> { (0..t.len()).map(|i| t.number(i, c).unwrap()).collect() };
    let (exposure, claims, modified) = (column(0), column(1), column(2));
    let whole = |v: &[f64]| -> Vec<u64> { v.iter().map(|&x| x as u64).collect() };
    let with_exposure = CountData::new(whole(&claims), Some(exposure)).unwrap();
    let positive: Vec<u64> = whole(&modified).into_iter().filter(|&n| n > 0).collect();
    let truncated = CountData::new(positive, None).unwrap();
    let zm = CountData::new(whole(&modified), None).unwrap();
    for case in r["fits"].as_array().unwrap() {
        let name = case["family"].as_str().unwrap();
        let family: FrequencyFamily =
            serde_json::from_value(serde_json::json!({ "family": name })).unwrap();
        let data = match name {
            "poisson" | "negative_binomial" => &with_exposure,
            "zero_modified_negative_binomial" => &zm,
            _ => &truncated,
        };
        let fit = fit_frequency(family, data).unwrap();
        for (what, got, want, tol) in [
            ("parameters", fit.parameters.clone(), floats(&case["parameters"]), 1e-6),
            ("std_errors", fit.std_errors.clone(), floats(&case["std_errors"]), 1e-6),
            ("loglik", vec![fit.log_likelihood], vec![case["log_likelihood"].as_f64().unwrap()], 1e-9),
        ] {
            for (g, w) in got.iter().zip(&want) {
                assert!((g - w).abs() <= tol * w.abs(), "{name} {what}: {g} vs {w}");
            }
        }
    }
    // Exposure needs a family with an exposure rule; zero counts cannot be zero-truncated.
    let e = fit_frequency(FrequencyFamily::ZeroTruncatedPoisson, &with_exposure).unwrap_err();
    assert!(e.to_string().contains("exposure"), "{e}");
    let e = fit_frequency(FrequencyFamily::ZeroTruncatedPoisson, &zm).unwrap_err();
    assert!(e.to_string().contains(">= 1"), "{e}");
    let none = CountData::new(vec![0, 0, 0], None).unwrap();
    assert!(fit_frequency(FrequencyFamily::Poisson, &none).unwrap_err().to_string().contains("every count is 0"));
    assert!(CountData::new(vec![1], Some(vec![-1.0])).is_err());
    assert!(CountData::new(vec![], None).is_err());
    let binomial = CountData::new(vec![1, 4, 2], None).unwrap();
    let e = fit_frequency(FrequencyFamily::Binomial { trials: 3 }, &binomial).unwrap_err();
    assert!(e.to_string().contains("exceeds"), "{e}");
    let f = fit_frequency(FrequencyFamily::Binomial { trials: 5 }, &binomial).unwrap();
    assert!((f.parameters[0] - 7.0 / 15.0).abs() < 1e-8);
}
