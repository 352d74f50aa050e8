//! Prices an actuary signs (issue 32): the credibility level against the experience with the
//! formula's values (acceptance 5), and one standard error per statistic in the library and
//! the CLI's summary.json (acceptance 4; the Python side is python/tests/test_portfolio.py).

use kexian::assumptions::Assumptions;
use kexian::backtest::LimitedFluctuation;
use kexian::io::read_portfolio;
use kexian::quote::{ExperienceColumns, LineExperience, QuoteConfig, experience_level, price_with};
use kexian::table::Table;
use std::process::Command;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

/// z_{0.95} and z_{0.975} of the standard normal (scipy.stats.norm.ppf; exact to the digits
/// shown): the limited-fluctuation standard (p = 0.90) and the 95% interval.
const Z95: f64 = 1.6448536269514722;
const Z975: f64 = 1.959963984540054;

/// One line of `rows` firm-years, each with `claims` claims costing `incurred` in all, the
/// model predicting `model` a year for every firm.
fn level(rows: &[(u32, f64)], model: f64) -> LineExperience {
    let mut csv = String::from("firm,line,claims,incurred\n");
    for (i, (n, x)) in rows.iter().enumerate() {
        csv += &format!("F{i},cyber,{n},{x}\n");
    }
    let table = Table::from_reader("experience", csv.as_bytes()).unwrap();
    let columns = ExperienceColumns {
        firm: "firm",
        exposure: None,
        claims: "claims",
        incurred: "incurred",
    };
    let lines = experience_level(
        &table,
        columns,
        &|_, _| Some(model),
        &LimitedFluctuation::default(),
    )
    .unwrap();
    assert_eq!(lines.len(), 1);
    lines.into_iter().next().unwrap()
}

#[test]
fn few_claims_leave_the_model_s_level_many_set_the_experience_s() {
    // Small: two claims, 100,000 and 300,000, in three firm-years the model prices at 50,000:
    // A/E = 400,000 / 150,000 = 8/3; x̄ = 200,000, x₂ = (10¹⁰ + 9·10¹⁰)/2 = 5·10¹⁰, so
    // 1 + CV² = 5·10¹⁰ / 4·10¹⁰ = 1.25 and n_full = (1.6449/0.05)²·1.25 = 1,353.02;
    // Z = √(2 / 1,353.02) = 0.0384 and the level 1 + Z·(8/3 − 1) = 1.0641, near the model's 1.
    let small = level(&[(1, 1e5), (0, 0.0), (1, 3e5)], 5e4);
    let full = (Z95 / 0.05).powi(2) * 1.25;
    let z = (2.0 / full).sqrt();
    assert!((small.full_credibility_claims - full).abs() < 1e-9 * full);
    assert!((small.credibility - z).abs() < 1e-12 && small.credibility < 0.05);
    assert!((small.level - (1.0 + z * (8.0 / 3.0 - 1.0))).abs() < 1e-12);
    // Its 95% interval: A/E ± 1.96·√(E·x₂/x̄)/E = 8/3 ± 1.96·√(150,000·250,000)/150,000.
    let se = (1.5e5f64 * 2.5e5).sqrt() / 1.5e5;
    let (lo, hi) = small.interval.unwrap();
    assert!((lo - (8.0 / 3.0 - Z975 * se)).abs() < 1e-12);
    assert!((hi - (8.0 / 3.0 + Z975 * se)).abs() < 1e-12);
    assert!(!small.outside);
    // Large: 2,000 claims of 100,000 (CV 0, n_full = 1,082.4) against 80,000 a year: Z = 1,
    // the level is the experience's A/E = 1.25, and 1 is far outside its interval.
    let large = level(&vec![(1, 1e5); 2000], 8e4);
    assert_eq!(large.credibility, 1.0);
    assert!((large.level - 1.25).abs() < 1e-12);
    assert!(large.outside);
    // Between: 500 claims, Z = √(500 / 1,082.42) = 0.6797, level 1 + 0.6797·0.25.
    let partial = level(&vec![(1, 1e5); 500], 8e4);
    let z = (500.0 / (Z95 / 0.05).powi(2)).sqrt();
    assert!((partial.credibility - z).abs() < 1e-12);
    assert!((partial.level - (1.0 + 0.25 * z)).abs() < 1e-12);
    // No claims: no credibility, the model's level, no interval.
    let none = level(&[(0, 0.0), (0, 0.0)], 5e4);
    assert_eq!(
        (none.credibility, none.level, none.interval),
        (0.0, 1.0, None)
    );
}

#[test]
fn one_standard_error_per_statistic_in_the_library_and_summary_json() {
    let firms = read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let mut config: QuoteConfig = kexian::io::read_config(format!("{DATA}/pricing.json")).unwrap();
    config.simulation.trials = 20_000;
    config.rating = None;
    let assumptions = Assumptions::bundled().unwrap();
    let mut kept = None;
    let run = price_with(&firms, &assumptions, &config, None, |book, c| {
        let r = book.simulate(c)?;
        kept = Some(r.clone());
        Ok(r)
    })
    .unwrap();
    let portfolio = kept.unwrap();
    let (var, tvar) = (
        portfolio.var_estimate(config.tvar_level).unwrap(),
        portfolio.tvar_estimate().unwrap(),
    );
    let s = &run.summary;
    assert_eq!((s.var, s.standard_errors.var), (var.value, var.std_error));
    assert_eq!(
        (s.tvar, s.standard_errors.tvar),
        (tvar.value, tvar.std_error)
    );
    assert!(tvar.std_error > 0.0);
    // The CLI's summary.json: the same run, the same numbers to the bit.
    let dir = std::env::temp_dir().join(format!("kexian-soundness-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("pricing.json");
    std::fs::write(&path, serde_json::to_string(&config).unwrap()).unwrap();
    let out = dir.join("out");
    let o = Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args(["quote", "--portfolio", &format!("{DATA}/portfolio.csv")])
        .arg("--config")
        .arg(&path)
        .arg("--out")
        .arg(&out)
        .arg("--quiet")
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    let se = &json["standard_errors"];
    assert_eq!(se["var"].as_f64().unwrap(), var.std_error);
    assert_eq!(se["tvar"].as_f64().unwrap(), tvar.std_error);
    // summary.json lists every check with its count.
    let checks = json["checks"].as_array().unwrap();
    assert_eq!(checks.len(), run.summary.checks.len());
    assert!(checks.iter().all(|c| c["count"].is_u64()));
    std::fs::remove_dir_all(&dir).unwrap();
}
