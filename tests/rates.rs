//! Rate tables: increased-limit factors and deductible credits equal layer expected values
//! computed independently (scipy), and the bundled book's tables reproduce every quote's
//! expected loss within the tolerance they state.

use kexian::assumptions::Assumptions;
use kexian::book::{Cover, Firm};
use kexian::coverage::{ClaimTerms, CoverTerms};
use kexian::quote::{Loadings, QuoteConfig, price};
use kexian::rates::{RateConfig, RateTable, rate_tables};
use kexian::rating::Stage;
use serde_json::Value;

/// Firms holding the catalogue's rnd_liability (Poisson claims, lognormal severity) under
/// various limits, deductibles and shares; most at the product's own terms.
fn liability_book() -> Vec<Firm> {
    let sectors = ["ai", "biomedicine", "ic"];
    let terms = [
        (50_000.0, 5e6, 1.0),
        (50_000.0, 5e6, 1.0),
        (50_000.0, 5e6, 1.0),
        (50_000.0, 1e6, 1.0),
        (50_000.0, 1e7, 1.0),
        (0.0, 5e6, 1.0),
        (200_000.0, 5e6, 1.0),
        (200_000.0, 1e7, 0.8),
    ];
    let mut firms = Vec::new();
    for (i, (d, u, share)) in terms.iter().cycle().take(24).enumerate() {
        let mut firm = Firm::new(
            &format!("L{i:02}"),
            sectors[i % 3],
            "medium",
            Stage::Growth,
            500.0,
        );
        let claim = ClaimTerms::new(*d, *u).unwrap().with_share(*share).unwrap();
        firm.covers.push(Cover {
            terms: Some(CoverTerms::claims(claim)),
            ..Cover::of("rnd_liability")
        });
        firms.push(firm);
    }
    firms
}

const LOADINGS: Loadings = Loadings {
    cost_of_capital: 0.1,
    expense_ratio: 0.15,
    commission_ratio: 0.05,
    profit_ratio: 0.05,
    minimum_premium: 0.0,
    rounding: 0.0,
};

fn table<'a>(tables: &'a [RateTable], product: &str) -> &'a RateTable {
    tables.iter().find(|t| t.product == product).unwrap()
}

#[test]
fn increased_limit_factors_and_deductible_credits_are_layer_expected_values() {
    let firms = liability_book();
    let a = Assumptions::bundled().unwrap();
    let config = QuoteConfig::new(3, 2_000, LOADINGS).unwrap();
    let run = price(&firms, &a, &config, None, None).unwrap();
    let tables = rate_tables(&a, &firms, &run, None, &RateConfig::default()).unwrap();
    let t = table(&tables, "rnd_liability");
    let terms = t.terms.as_ref().unwrap();
    assert!(
        terms.by_table,
        "one severity for the product: the tables' factors apply"
    );
    assert_eq!(
        (terms.base.deductible, terms.base.limit, terms.base.share),
        (50_000.0, Some(5e6), 1.0)
    );
    let reference: Value = serde_json::from_str(include_str!("data/rates_reference.json")).unwrap();
    // Source: scripts/reference_rates.py (scipy.integrate.quad of the lognormal survival
    // function); kexian's LEV is a closed form, so they agree to round-off: 1e-8 relative.
    for (name, got) in [
        ("ilf", &terms.limits),
        ("deductible_credit", &terms.deductibles),
    ] {
        let want = reference[name].as_array().unwrap();
        assert_eq!(got.len(), want.len(), "{name}");
        for (g, w) in got.iter().zip(want) {
            let (value, factor) = (w[0].as_f64().unwrap(), w[1].as_f64().unwrap());
            assert_eq!(g.value, value, "{name}");
            assert!(
                (g.factor - factor).abs() <= 1e-8 * factor.abs().max(1e-3),
                "{name} at {value}: {} vs {factor}",
                g.factor
            );
        }
    }
    // The sector relativities are the product's frequency factors: biomedicine ×2 and ic ×1.2
    // against ai (whatever the base level).
    let rel = |level: &str| {
        (t.factors.iter())
            .find(|f| f.factor == "sector" && f.level == level)
            .unwrap()
            .relativity
    };
    let (bio, ic) = (rel("biomedicine") / rel("ai"), rel("ic") / rel("ai"));
    assert!(
        (bio - 2.0).abs() < 1e-9 && (ic - 1.2).abs() < 1e-9,
        "{:?}",
        t.factors
    );
    // Base × factors × (ILF − credit) × share reproduces every cover exactly.
    assert!(t.max_residual < 1e-9, "{}", t.max_residual);
    assert_eq!(t.covers.len(), firms.len());
}

#[test]
fn the_bundled_book_s_tables_reproduce_every_quote_within_their_tolerance() {
    // The configured 100,000 years, and 20,000 (Python's test): there a table whose
    // factors fit its expected losses exactly once failed to converge (a deviance of
    // −8.8e-16 never counted as flat), so a factor was dropped and the table missed by 26%.
    for trials in ["100000", "20000"] {
        tables_reproduce_every_quote(trials);
    }
}

fn tables_reproduce_every_quote(trials: &str) {
    let out = std::env::temp_dir().join(format!("kexian-rates-{}-{trials}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args([
            "rates",
            "--portfolio",
            "data/portfolio.csv",
            "--config",
            "data/pricing.json",
            "--trials",
            trials,
            "--quiet",
            "--out",
        ])
        .arg(&out)
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let tables: Vec<RateTable> =
        serde_json::from_slice(&std::fs::read(out.join("rates.json")).unwrap()).unwrap();
    assert!(tables.len() >= 5, "every product the book holds");
    let mut covers = 0;
    for t in &tables {
        assert!(t.base_rate > 0.0 && t.loading > 1.0, "{}", t.product);
        for c in &t.covers {
            assert!(
                c.residual.abs() <= t.tolerance,
                "{} {}: {}",
                t.product,
                c.firm,
                c.residual
            );
            // The closed form the table reproduces is what the simulated quote estimates.
            if c.expected_loss > 1e4 {
                assert!(
                    (c.quoted_expected_loss / c.expected_loss - 1.0).abs() < 0.25,
                    "{} {}",
                    t.product,
                    c.firm
                );
            }
        }
        covers += t.covers.len();
    }
    let text = std::fs::read_to_string(out.join("rates.txt")).unwrap();
    assert!(
        text.contains("tolerance 5.0%") && text.contains("ILF"),
        "{text}"
    );
    let check = std::fs::read_to_string(out.join("rates_check.csv")).unwrap();
    assert_eq!(check.lines().count(), covers + 1);
    std::fs::remove_dir_all(&out).ok();
    // The output set's versions live beside it (`.NAME.sets`).
    let name = out.file_name().unwrap().to_string_lossy();
    std::fs::remove_dir_all(out.with_file_name(format!(".{name}.sets"))).ok();
    std::fs::remove_file(&out).ok();
}
