//! Backtest a rating plan (产品回溯) on five years of firm-year experience: refit on the years
//! before each test year, predict it, and compare. Writes the report and two SVG charts to
//! `target/backtest/` and checks the out-of-sample results.
//!
//! `cargo run --release --example backtest_rating`

use kexian::backtest::{
    BacktestSpec, LimitedFluctuation, Measure, actual_vs_expected, ordered_lorenz, rolling_backtest,
};
use kexian::rating::{GlmFamily, RatingPlan, RatingSpec};
use kexian::table::Table;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let table = Table::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv"))?;
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "score_tier", "column": "score", "monotone": true},
                        {"kind": "categorical", "column": "sector", "base": "ic"},
                        {"kind": "categorical", "column": "line", "base": "cyber"}]}"#,
    )?;
    let backtest = BacktestSpec {
        plan: &spec,
        family: GlmFamily::Poisson,
        year_column: "year",
        min_train_years: 2,
    };
    let bt = rolling_backtest(&table, &backtest, None)?;
    println!(
        "Rolling backtest, Poisson frequency plan refitted each year\n{}",
        bt.to_text()
    );

    // The last year in detail: A/E by score tier and sector, and the Lorenz curve.
    let year = table.column("year")?;
    let train: Vec<usize> = (0..table.len())
        .filter(|&r| table.text(r, year) != "2025")
        .collect();
    let test: Vec<usize> = (0..table.len())
        .filter(|&r| table.text(r, year) == "2025")
        .collect();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec, &table.select(&train))?;
    let last = table.select(&test);
    let predicted = plan.predict(&last)?;
    let column = |name: &str| -> kexian::Result<Vec<f64>> {
        let c = last.column(name)?;
        (0..last.len()).map(|r| last.number(r, c)).collect()
    };
    let (claims, exposure) = (column("claims")?, column("exposure")?);
    let sector = last.column("sector")?;
    let sectors: Vec<&str> = (0..last.len()).map(|r| last.text(r, sector)).collect();
    let ae = actual_vs_expected(
        &sectors,
        &claims,
        &predicted,
        Measure::Counts,
        0.90,
        LimitedFluctuation::default(),
    )?;
    println!("2025 by sector\n{}", ae.to_text());
    let lorenz = ordered_lorenz(&claims, &exposure, &predicted)?;
    println!("2025 Gini {:.3}", lorenz.gini);

    let out = std::path::Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/target/backtest"));
    std::fs::create_dir_all(out)?;
    std::fs::write(out.join("report.txt"), bt.to_text() + "\n" + &ae.to_text())?;
    std::fs::write(out.join("ae_by_sector_2025.svg"), ae.to_svg()?)?;
    std::fs::write(out.join("lorenz_2025.svg"), lorenz.to_svg()?)?;
    std::fs::write(out.join("rolling.json"), serde_json::to_string_pretty(&bt)?)?;
    println!("wrote {}", out.display());

    // The plan is near right on average out of sample (the experience is the bundled
    // model's own; 2021's R&D failures ran high, so the refits over-predict a little) and
    // ranks risks.
    let (lo, hi) = bt.overall.ae.interval.ok_or("no interval")?;
    let ratio = bt.overall.ae.ratio.ok_or("no A/E")?;
    assert!(
        lo < ratio && ratio < hi && (0.75..1.25).contains(&ratio),
        "pooled A/E {ratio:.3} [{lo:.3}, {hi:.3}]"
    );
    assert!(bt.overall.gini > 0.1 && lorenz.gini > 0.0);
    Ok(())
}
