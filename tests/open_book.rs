//! Open book: a second insurer prices its own book with its own assumption set and no code
//! change (eight sectors with Chinese names, a 4-tier score scale of 0–100, a firm with its
//! own cyber frequency, a JSON policy list), through the library and the CLI; and bad input
//! is refused with file, field and rule, nothing written. Data: `scripts/make_insurer_b.py`.

use kexian::Error;
use kexian::assumptions::Assumptions;
use kexian::book::Firm;
use kexian::perils::PerilModel;
use kexian::quote::{QuoteConfig, QuoteRun, price};
use kexian::table::Table;
use std::path::{Path, PathBuf};
use std::process::Command;

const B: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/insurer_b");

fn assumptions() -> Assumptions {
    Assumptions::from_path(format!("{B}/assumptions.json")).unwrap()
}

fn book() -> Vec<Firm> {
    kexian::io::read_portfolio(format!("{B}/policies.json")).unwrap()
}

fn config() -> QuoteConfig {
    kexian::io::read_config(format!("{B}/pricing.json")).unwrap()
}

fn run(firms: &[Firm], a: &Assumptions) -> kexian::Result<QuoteRun> {
    let experience = Table::from_path(format!("{B}/experience.csv"))?;
    price(firms, a, &config(), Some(&experience), None)
}

// Pinned totals of insurer B's book (seed 11, 20,000 years): any change to the models, the
// data or the engine that moves a quote shows here. Re-pinned when the rating plan came to be
// rebalanced to the model's level: premium 21,640,710 → 20,268,910 元, subsidy 1,601,694 →
// 1,550,870 元 (TVaR unchanged); then when the copula came to reorder blocks of 2,048 years:
// premium 20,280,890 元, subsidy 1,543,102 元, TVaR 46,721,957.52 → 46,710,516.97 元; then
// when every stream came to restart at each block of 2,048 years: premium 20,059,310 元
// (−0.7 standard errors), subsidy 1,522,623 元, TVaR 46,016,496.28 元 (−1.0 s.e.); then when
// the Poisson perils came to be superposed: premium 20,058,650 元, subsidy 1,521,289 元, TVaR
// 45,990,538.69 元; then when R&D projects (P(failure) ≥ 0.25) came to decide each year by one
// keyed draw: premium 20,106,010 元, subsidy 1,515,423 元, TVaR 46,015,572.67 元.
// Then when an R&D policy came to cover the stage gates of its year (not the whole project),
// claims to be occurrences of the per-risk treaty, and the subsidies bound to their products
// and capped at the firm's share: premium → 8,735,420 元, subsidy → 1,603,952 元, TVaR →
// 38,807,339.21 元. Then (issue 35) when the superposed claims came to be drawn in batches
// from counter words (inverse-cdf normals, the library's own exp): premium → 8,745,590 元
// (+0.12%, within its ± 373,000 standard error), subsidy → 1,606,871 元, TVaR →
// 38,839,294.72 元. Then (issue 35) when every per-policy event peril came to decide each year
// by its key in a vector pass and R&D failures to be paid by inversion (the library's own
// normal quantile, ln and exp): premium → 8,827,230 元 (+0.9%, 0.2 of its standard error),
// subsidy → 1,624,181 元, TVaR → 39,240,590.42 元; and when the systemic events' hits came to
// be decided from event and policy keys: premium → 8,826,730 元, subsidy → 1,623,825 元, TVaR
// → 39,241,101.54 元. Then when the claim sizes drawn one at a time (cyber incidents, patent
// suits) came to be drawn by inversion with the library's kernels: premium → 8,815,280 元
// (−0.13%), subsidy → 1,636,998 元, TVaR → 39,307,002.19 元.
const PIN_PREMIUM: &str = "8815280.00";
const PIN_SUBSIDY: &str = "1636998.00";
const PIN_TVAR: &str = "39307002.19";

#[test]
fn a_second_insurer_prices_its_own_book_on_its_own_scale() {
    let a = assumptions();
    assert_eq!(a.set().sectors.len(), 8);
    for s in ["低空经济", "人形机器人", "集成电路"] {
        assert!(a.set().sectors.iter().any(|x| x == s), "{s}");
    }
    let scale = a.scale();
    assert_eq!(scale.tiers(), 4);
    let firms = book();
    let result = run(&firms, &a).unwrap();
    let shares = [0.1, 0.2, 0.3, 0.4]; // pricing.json, one per tier of the 4-tier scale
    let mut tiers_seen = std::collections::BTreeSet::new();
    for (firm, q) in firms.iter().zip(&result.quotes) {
        let tier = scale.tier(firm.score).unwrap();
        assert_eq!(q.score_tier, tier, "{}", q.firm);
        tiers_seen.insert(tier);
        let tiered = q
            .subsidies
            .iter()
            .find(|(n, _)| n == "score_tiered")
            .unwrap()
            .1;
        assert!(
            (tiered - (shares[tier - 1] * q.premium).min(200_000.0)).abs() < 1e-6,
            "{}: subsidy {tiered} for tier {tier}",
            q.firm
        );
        let score = q.relativities.iter().find(|r| r.factor == "score").unwrap();
        assert_eq!(score.level, format!("T{tier}"), "{}", q.firm);
        assert!((q.components_total() - q.premium).abs() <= 1e-9 * q.premium);
    }
    assert_eq!(tiers_seen.len(), 4);
    // The plan learned one relativity per tier of the 4-tier scale (T1 the base).
    let levels: std::collections::BTreeSet<&str> = result
        .quotes
        .iter()
        .flat_map(|q| &q.relativities)
        .filter(|r| r.factor == "score")
        .map(|r| r.level.as_str())
        .collect();
    assert_eq!(
        levels.into_iter().collect::<Vec<_>>(),
        ["T1", "T2", "T3", "T4"]
    );
    // The firm with its own cyber frequency is priced on it, not on the sector's.
    let own = firms
        .iter()
        .find(|f| f.overrides.cyber_frequency.is_some())
        .unwrap();
    let u = a.underwrite(own).unwrap();
    let PerilModel::Cyber(cyber) = u.policy.perils.last().unwrap() else {
        panic!("cyber peril expected")
    };
    use kexian::frequency::Frequency;
    assert!((cyber.incidents.mean() - 0.9).abs() < 1e-12);
    let mut plain = own.clone();
    plain.overrides.cyber_frequency = None;
    let u_plain = a.underwrite(&plain).unwrap();
    let PerilModel::Cyber(sector_rate) = u_plain.policy.perils.last().unwrap() else {
        panic!("cyber peril expected")
    };
    assert!(sector_rate.incidents.mean() < 0.2);
    // The firm with a documented measure sees its credit.
    let measured = result.quotes.iter().find(|q| q.risk_reduction_credit > 0.0);
    assert!(measured.is_some());
    let s = &result.summary;
    assert_eq!(format!("{:.2}", s.premium), PIN_PREMIUM, "total premium");
    assert_eq!(format!("{:.2}", s.subsidy), PIN_SUBSIDY, "total subsidy");
    assert_eq!(format!("{:.2}", s.tvar), PIN_TVAR, "portfolio TVaR");
    assert!(s.provenance.assumptions.contains("乙保险公司"));
}

fn out_dir(name: &str) -> PathBuf {
    std::env::temp_dir().join(format!("kexian-open-book-{name}-{}", std::process::id()))
}

fn cli(portfolio: &Path, assumptions: &Path, out: &Path) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_kexian"))
        .arg("quote")
        .arg("--portfolio")
        .arg(portfolio)
        .arg("--assumptions")
        .arg(assumptions)
        .args(["--config", &format!("{B}/pricing.json"), "--quiet"])
        .arg("--out")
        .arg(out)
        .output()
        .unwrap()
}

#[test]
fn the_cli_prices_the_same_book_with_the_same_totals() {
    let out = out_dir("cli");
    let o = cli(
        Path::new(&format!("{B}/policies.json")),
        Path::new(&format!("{B}/assumptions.json")),
        &out,
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(
        o.stderr.is_empty(),
        "no progress bar when stderr is not a terminal"
    );
    let summary: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("summary.json")).unwrap()).unwrap();
    assert_eq!(
        format!("{:.2}", summary["premium"].as_f64().unwrap()),
        PIN_PREMIUM
    );
    assert_eq!(
        format!("{:.2}", summary["subsidy"].as_f64().unwrap()),
        PIN_SUBSIDY
    );
    let quotes = std::fs::read_to_string(out.join("quotes.csv")).unwrap();
    assert_eq!(quotes.lines().count(), 17);
    assert!(quotes.contains("B0004,人形机器人,1,"), "{quotes}");
    std::fs::remove_dir_all(&out).ok();
}

/// Writes `text` to a scratch file and returns its path.
fn scratch(name: &str, text: &str) -> PathBuf {
    let path = std::env::temp_dir().join(format!("kexian-{}-{name}", std::process::id()));
    std::fs::write(&path, text).unwrap();
    path
}

#[test]
fn bad_books_and_assumption_files_are_refused_with_file_field_and_rule() {
    let a = assumptions();
    let policies = std::fs::read_to_string(format!("{B}/policies.json")).unwrap();
    let good_assumptions = PathBuf::from(format!("{B}/assumptions.json"));
    let refused = |portfolio: &Path, assumptions: &Path, want: &[&str]| {
        let out = out_dir("refused");
        let o = cli(portfolio, assumptions, &out);
        assert!(!o.status.success());
        let stderr = String::from_utf8_lossy(&o.stderr);
        for w in want {
            assert!(stderr.contains(w), "{w} not in {stderr}");
        }
        assert!(!out.exists(), "nothing is written");
    };
    // A sector the assumption set does not know.
    let text = policies.replacen("\"低空经济\"", "\"航运\"", 1);
    let path = scratch("sector.json", &text);
    let firms = kexian::io::read_portfolio(&path).unwrap();
    let e = run(&firms, &a).unwrap_err().to_string();
    let want = [
        "firms[3], field `sector`",
        "unknown sector `航运` (known: 集成电路, 生物医药",
    ];
    for w in want {
        assert!(e.contains(w), "{e}");
    }
    assert!(e.contains(&*path.display().to_string()), "{e}");
    refused(&path, &good_assumptions, &want);
    // A score off the 0–100 scale.
    let text = policies.replacen("\"score\": 90.0", "\"score\": 150.0", 1);
    let path = scratch("score.json", &text);
    let e = run(&kexian::io::read_portfolio(&path).unwrap(), &a)
        .unwrap_err()
        .to_string();
    for w in ["firms[3], field `score`", "150", "on the scale"] {
        assert!(e.contains(w), "{w}: {e}");
    }
    refused(&path, &good_assumptions, &["field `score`"]);
    // An invalid per-policy override.
    let text = policies.replacen("\"cyber_frequency\": 0.9", "\"cyber_frequency\": -0.9", 1);
    let path = scratch("override.json", &text);
    let e = run(&kexian::io::read_portfolio(&path).unwrap(), &a)
        .unwrap_err()
        .to_string();
    for w in ["firms[5], field `overrides.cyber_frequency`", "-0.9", "> 0"] {
        assert!(e.contains(w), "{w}: {e}");
    }
    refused(&path, &good_assumptions, &["overrides.cyber_frequency"]);
    // An assumption file missing a sector's cyber parameters.
    let text = std::fs::read_to_string(&good_assumptions).unwrap();
    let mut json: serde_json::Value = serde_json::from_str(&text).unwrap();
    json["cyber"]["frequency"]["sector_multiplier"]
        .as_object_mut()
        .unwrap()
        .remove("量子科技");
    let path = scratch(
        "assumptions.json",
        &serde_json::to_string_pretty(&json).unwrap(),
    );
    let e = Assumptions::from_path(&path).unwrap_err();
    assert!(matches!(e, Error::Field { .. }), "{e}");
    let e = e.to_string();
    let want = [
        "field `cyber.frequency.sector_multiplier`",
        "no entry for sector `量子科技` (every sector needs cyber parameters)",
    ];
    for w in want {
        assert!(e.contains(w), "{e}");
    }
    assert!(e.contains(&*path.display().to_string()), "{e}");
    refused(Path::new(&format!("{B}/policies.json")), &path, &want);
    // A misspelt field is a JSON error with line and column.
    let path = scratch("typo.json", &text.replacen("\"sectors\"", "\"sektors\"", 1));
    let e = Assumptions::from_path(&path).unwrap_err().to_string();
    assert!(
        e.contains("unknown field `sektors`") && e.contains(", line "),
        "{e}"
    );
}

#[test]
fn simulate_only_simulates_and_price_prices_one_cover() {
    let out = out_dir("simulate");
    let o = Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args(["simulate", "--portfolio", &format!("{B}/policies.json")])
        .args(["--assumptions", &format!("{B}/assumptions.json")])
        .args(["--config", &format!("{B}/pricing.json"), "--trials", "5000"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let stdout = String::from_utf8_lossy(&o.stdout);
    assert!(
        stdout.contains("standard error") && stdout.contains("TVaR 99.0%"),
        "{stdout}"
    );
    let sim: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("simulation.json")).unwrap())
            .unwrap();
    assert_eq!(sim["trials"], 5000);
    assert!(sim["assumptions"].as_str().unwrap().contains("乙保险公司"));
    assert!(!out.join("quotes.csv").exists(), "simulate does not quote");
    std::fs::remove_dir_all(&out).ok();

    // One cover, by Monte Carlo (CLI) and exactly (library, FFT on 2^16 points): the means
    // agree within 4 standard errors; the exact result reports a standard error of 0.
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/data/line_cyber.json");
    let price = |extra: &[&str], out: &Path| -> serde_json::Value {
        let o = Command::new(env!("CARGO_BIN_EXE_kexian"))
            .args(["price", "--model", spec, "--quiet"])
            .args(extra)
            .arg("--out")
            .arg(out)
            .output()
            .unwrap();
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        serde_json::from_str(&std::fs::read_to_string(out.join("priced.json")).unwrap()).unwrap()
    };
    let out = out_dir("price");
    let mc = price(&[], &out);
    assert_eq!(mc["method"], "monte_carlo");
    let (m, se) = (
        mc["mean"]["value"].as_f64().unwrap(),
        mc["mean"]["std_error"].as_f64().unwrap(),
    );
    let spec_json: kexian::pricing::LineSpec = kexian::io::read_config(spec).unwrap();
    let mut exact_spec = spec_json.clone();
    exact_spec.method = kexian::pricing::LineMethod::Exact {
        method: kexian::aggregate::ExactMethod::Fft { padding: 2 },
        points: 1 << 16,
        tail_level: 1.0 - 1e-10,
    };
    let exact = kexian::pricing::price_line(&exact_spec, None).unwrap();
    assert!(exact.warnings.is_empty(), "{:?}", exact.warnings);
    assert!(
        (m - exact.mean.value).abs() < 4.0 * se,
        "{m} ± {se} vs {}",
        exact.mean.value
    );
    assert!(se > 0.0 && exact.mean.std_error == 0.0);
    // --seed and --trials only apply to a Monte Carlo method.
    let again = price(&["--trials", "20000", "--seed", "3"], &out);
    assert_ne!(again["mean"], mc["mean"]);
    std::fs::remove_dir_all(&out).ok();
}

#[test]
fn a_rating_plan_fits_and_predicts_the_same_from_columns_a_csv_or_firms() {
    use kexian::rating::{GlmFamily, RatingPlan, RatingSpec, Stage};
    use kexian::table::Column;
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector"},
                        {"kind": "numeric", "column": "patents", "transform": "ln1p"}]}"#,
    )
    .unwrap();
    let sectors = ["ai", "ic", "ai", "ic", "ai", "ic", "ai", "ic"];
    let patents = [0.0, 3.0, 10.0, 1.0, 40.0, 7.0, 2.0, 25.0];
    let claims = [0.0, 1.0, 2.0, 0.0, 3.0, 1.0, 1.0, 2.0];
    let exposure = [1.0, 0.5, 1.0, 1.0, 0.8, 1.0, 1.0, 0.9];
    let mut csv = String::from("sector,patents,claims,exposure\n");
    for k in 0..8 {
        csv += &format!(
            "{},{},{},{}\n",
            sectors[k], patents[k], claims[k], exposure[k]
        );
    }
    let from_csv = Table::from_reader("exp.csv", csv.as_bytes()).unwrap();
    let from_columns = Table::from_columns(
        "experience",
        vec![
            (
                "sector".into(),
                Column::Text(sectors.map(String::from).to_vec()),
            ),
            ("patents".into(), Column::Number(patents.to_vec())),
            ("claims".into(), Column::Number(claims.to_vec())),
            ("exposure".into(), Column::Number(exposure.to_vec())),
        ],
    )
    .unwrap();
    let a = RatingPlan::fit(GlmFamily::Poisson, &spec, &from_csv).unwrap();
    let b = RatingPlan::fit(GlmFamily::Poisson, &spec, &from_columns).unwrap();
    assert_eq!(a, b);
    let firms: Vec<Firm> = (0..8)
        .map(|k| {
            let mut f = Firm::new(&format!("F{k}"), sectors[k], "small", Stage::Growth, 500.0);
            f.patents = patents[k];
            f
        })
        .collect();
    let by_firms = a
        .predict(&kexian::book::rating_table(&firms).unwrap())
        .unwrap();
    let by_columns = a.predict(&from_columns).unwrap();
    // The experience table has exposures (exp(η + ln e)); the firms are per unit of
    // exposure (exp(η)): equal up to the rounding of the offset.
    for k in 0..8 {
        let rel = (by_firms[k] * exposure[k] / by_columns[k] - 1.0).abs();
        assert!(
            rel < 1e-14,
            "row {k}: {} vs {}",
            by_firms[k] * exposure[k],
            by_columns[k]
        );
    }
}
