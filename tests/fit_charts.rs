//! Fit diagnostics that a committee accepts: the product-limit estimate (left truncation at
//! the deductible, right censoring at the limit) against statsmodels, P–P points of a correct
//! model within the plotted band (where plotting positions would bow out of it), and charts
//! free of the listed defects.

mod common;

use common::svg::defects;
use kexian::fitting::{Claim, ClaimData, Observed, SeverityFamily, fit_severity, product_limit};
use kexian::io::{BAND_Z, Language, mean_excess_plot, pp_plot, pp_points, qq_plot};
use kexian::rand::{SeedableRng, Xoshiro256PlusPlus};
use kexian::severity::{LogNormal, Severity};
use kexian::table::Table;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn cyber_claims() -> ClaimData {
    let table = Table::from_path(format!("{DATA}/claims_cyber.csv")).unwrap();
    ClaimData::from_table(&table, "amount", Some("deductible"), Some("limit"), None).unwrap()
}

#[test]
fn product_limit_matches_statsmodels_with_delayed_entry() {
    let reference: serde_json::Value =
        serde_json::from_str(include_str!("data/product_limit_reference.json")).unwrap();
    let estimate = product_limit(&cyber_claims());
    let points = reference["points"].as_array().unwrap();
    assert!(points.len() > 10);
    for p in points {
        let (t, s, se) = (
            p[0].as_f64().unwrap(),
            p[1].as_f64().unwrap(),
            p[2].as_f64().unwrap(),
        );
        let got = estimate.iter().find(|e| e.amount == t).unwrap();
        // Source: scripts/reference_product_limit.py (statsmodels SurvfuncRight with entry);
        // the same products and sums in another order: 1e-12.
        assert!(
            (got.survival - s).abs() < 1e-12,
            "S({t}) {} vs {s}",
            got.survival
        );
        assert!(
            (got.std_error - se).abs() < 1e-12,
            "se({t}) {} vs {se}",
            got.std_error
        );
    }
}

/// n claims of a lognormal(μ, σ) reported above deductibles and censored at limits.
fn drawn(n: usize) -> ClaimData {
    let model = LogNormal::new(11.0, 1.6).unwrap();
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(20261206);
    let deductibles = [0.0, 20_000.0, 50_000.0, 100_000.0];
    let limits = [1e6, 2e6, 5e6];
    let mut claims = Vec::with_capacity(n);
    for i in 0..n {
        let (d, u) = (deductibles[i % 4], limits[i % 3]);
        let x = loop {
            let x = model.sample(&mut rng);
            if x > d {
                break x;
            }
        };
        claims.push(Claim {
            observed: if x >= u {
                Observed::Censored { value: u }
            } else {
                Observed::Exact { value: x }
            },
            truncation: d,
            limit: Some(u),
            weight: 1.0,
        });
    }
    ClaimData::new(claims).unwrap()
}

#[test]
fn a_correct_model_s_p_p_points_lie_in_the_band_where_plotting_positions_leave_it() {
    let data = drawn(3000);
    let fit = fit_severity(SeverityFamily::LogNormal, &data).unwrap();
    // The fit recovers the truth (a check on the data, not the chart).
    assert!((fit.parameters[0] - 11.0).abs() < 0.15 && (fit.parameters[1] - 1.6).abs() < 0.1);
    let points = pp_points(&fit, &data).unwrap();
    let outside: Vec<_> = points.iter().filter(|p| !p.in_band()).collect();
    assert!(
        outside.is_empty(),
        "{} of {} outside: {:?}",
        outside.len(),
        points.len(),
        &outside[..outside.len().min(3)]
    );
    // Yesterday's chart: each claim's model probability given its own deductible, sorted,
    // against (i − ½)/n, ignoring censoring; measured against the same band.
    let mut u: Vec<f64> = (data.claims().iter())
        .filter_map(|c| match c.observed {
            Observed::Exact { value } => {
                Some(1.0 - fit.model.survival(value) / fit.model.survival(c.truncation))
            }
            _ => None,
        })
        .collect();
    u.sort_by(f64::total_cmp);
    let n = u.len() as f64;
    let se_at = |prob: f64| {
        (points.iter())
            .min_by(|a, b| (a.model - prob).abs().total_cmp(&(b.model - prob).abs()))
            .unwrap()
            .std_error
    };
    let worst = (u.iter().enumerate())
        .map(|(i, &m)| {
            let empirical = (i as f64 + 0.5) / n;
            (m - empirical).abs() / se_at(empirical)
        })
        .fold(0.0, f64::max);
    assert!(
        worst > BAND_Z,
        "plotting positions stay within {worst:.2} s.e."
    );
}

#[test]
fn fit_charts_carry_titles_units_sizes_and_no_defects() {
    let data = cyber_claims();
    let fit = fit_severity(SeverityFamily::LogNormal, &data).unwrap();
    let amounts: Vec<f64> = (data.claims().iter())
        .filter_map(|c| match c.observed {
            Observed::Exact { value } => Some(value),
            _ => None,
        })
        .collect();
    let me = kexian::fitting::mean_excess(&amounts, 10).unwrap();
    for lang in [Language::En, Language::Zh] {
        let zh = lang == Language::Zh;
        let pick = |en, cn| if zh { cn } else { en };
        for (svg, titles, band) in [
            (
                pp_plot(&fit, &data, lang).unwrap(),
                vec!["400", pick("model probability", "模型概率"), "Greenwood"],
                true,
            ),
            (
                qq_plot(&fit, &data, lang).unwrap(),
                vec!["400", pick("observed amount (元", "观测金额 (元")],
                false,
            ),
            (
                mean_excess_plot(&me, lang).unwrap(),
                vec![pick("threshold u (元)", "阈值 u (元)")],
                false,
            ),
        ] {
            let found = defects(&svg, &titles, band);
            assert!(found.is_empty(), "{found:#?}");
        }
    }
}

#[test]
fn the_q_q_plot_of_many_distinct_deductibles_is_quick() {
    // 20,000 claims with distinct deductibles: O(n log n), well under a second.
    let claims: Vec<Claim> = (0..20_000)
        .map(|i| Claim {
            observed: Observed::Exact {
                value: 1e5 + 10.0 * i as f64,
            },
            truncation: i as f64,
            limit: None,
            weight: 1.0,
        })
        .collect();
    let data = ClaimData::new(claims).unwrap();
    let fit = fit_severity(SeverityFamily::LogNormal, &data).unwrap();
    let start = std::time::Instant::now();
    let svg = qq_plot(&fit, &data, Language::En).unwrap();
    assert!(svg.contains("<circle"));
    // A hang guard, not a benchmark: before, this took 82 s.
    assert!(
        start.elapsed().as_secs_f64() < 10.0,
        "{:?}",
        start.elapsed()
    );
}
