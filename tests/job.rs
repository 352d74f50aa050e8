//! One job assembly for the CLI and Python: the same files make the same job, the table form
//! of a quote is quotes.csv, and data in memory is held to the files' rules.
#![cfg(feature = "jobs")]

use kexian::job::{Cells, Job, JobFiles, QuoteOptions, quote_table};
use kexian::table::{Column, Table};

const BOOK: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv");
const CONFIG: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json");

fn small(trials: u64) -> JobFiles {
    JobFiles {
        trials: Some(trials),
        ..JobFiles::new(BOOK, CONFIG)
    }
}

#[test]
fn a_job_read_from_files_reads_the_experience_its_configuration_names() {
    let job = Job::read(&small(2048)).unwrap();
    assert_eq!(job.firms.len(), 300);
    let roles: Vec<&str> = job.files.iter().map(|(r, _)| *r).collect();
    assert_eq!(roles, ["portfolio", "config", "experience"]);
    assert!(job.experience.as_ref().is_some_and(|t| !t.is_empty()));
    // The same data in memory without the experience is refused, naming the setting.
    let e = Job::new(
        job.firms.clone(),
        job.assumptions.clone(),
        job.config.clone(),
        None,
    )
    .unwrap_err()
    .to_string();
    assert!(e.contains("rating.experience"), "{e}");
    // ... and with it, prices what the files price, bit for bit.
    let again = Job::new(
        job.firms.clone(),
        job.assumptions.clone(),
        job.config.clone(),
        job.experience.clone(),
    )
    .unwrap();
    let (a, b) = (job.price(None).unwrap(), again.price(None).unwrap());
    assert_eq!(a.quotes, b.quotes);
}

#[test]
fn the_quote_table_is_quotes_csv_and_its_components_add_up() {
    let job = Job::read(&small(2048)).unwrap();
    let out = kexian::job::quote(&job, &QuoteOptions::default(), None).unwrap();
    let table = quote_table(&out.value);
    assert_eq!(table.len(), 300);
    let csv = String::from_utf8(out.file("quotes.csv").unwrap().to_vec()).unwrap();
    let header: Vec<&str> = csv.lines().next().unwrap().split(',').collect();
    let names: Vec<&str> = table.columns.iter().map(|(n, _)| n.as_str()).collect();
    assert_eq!(header, names);
    let money = |name: &str| match &table.columns.iter().find(|(n, _)| n == name).unwrap().1 {
        Cells::Money(v) => v.iter().map(|x| x.unwrap()).collect::<Vec<f64>>(),
        other => panic!("{name} is {other:?}"),
    };
    let premium = money("premium");
    let parts = [
        "expected_loss",
        "risk_load",
        "reinsurance_cost",
        "expense",
        "commission",
        "profit",
        "minimum_premium_adjustment",
        "rounding_adjustment",
    ]
    .map(money);
    for (i, p) in premium.iter().enumerate() {
        let sum: f64 = parts.iter().map(|c| c[i]).sum();
        assert!((sum - p).abs() < 0.005, "row {i}: {sum} vs {p}");
    }
    // The lines' expected losses add up to the expected loss; the rules' subsidies to the
    // subsidy.
    let by = |prefix: &str, total: &str| {
        let cols: Vec<Vec<f64>> = (table.columns.iter())
            .filter(|(n, _)| n.starts_with(prefix) && !n.ends_with("_std_error"))
            .map(|(n, _)| money(n))
            .collect();
        assert!(!cols.is_empty(), "{prefix}");
        for (i, t) in money(total).iter().enumerate() {
            let sum: f64 = cols.iter().map(|c| c[i]).sum();
            assert!(
                (sum - t).abs() <= 1e-6 * t.abs().max(1.0),
                "{prefix} row {i}"
            );
        }
    };
    by("expected_loss_", "expected_loss");
    by("subsidy_", "subsidy");
    let covers = String::from_utf8(out.file("covers.csv").unwrap().to_vec()).unwrap();
    let counts = match &table.columns.iter().find(|(n, _)| n == "covers").unwrap().1 {
        Cells::Count(v) => v.iter().sum::<u64>(),
        _ => unreachable!(),
    };
    assert_eq!(covers.lines().count() as u64, counts + 1);
}

#[test]
fn typed_columns_keep_integers_exact_and_nan_is_an_empty_cell() {
    let t = Table::from_columns(
        "DataFrame `claims`",
        vec![
            (
                "cents".into(),
                Column::Integer(vec![9_007_199_254_740_993, 1]),
            ),
            ("limit".into(), Column::Number(vec![f64::NAN, 2e6])),
        ],
    )
    .unwrap();
    assert_eq!(t.text(0, 0), "9007199254740993");
    assert_eq!(t.text(0, 1), "");
    assert_eq!(t.number(1, 1).unwrap(), 2e6);
    let e = t.number(0, 1).unwrap_err().to_string();
    assert!(
        e.starts_with("DataFrame `claims`, line 2, column `limit`"),
        "{e}"
    );
}
