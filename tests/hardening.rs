//! Regressions from the hostile-input review (issue 14), fixed one by one: each test states the
//! defect it guards against.

mod common;

use common::sets::complete_set;
use kexian::aggregate::{Grid, LossModel};
use kexian::backtest::{VarLevel, traffic_light, traffic_light_table};
use kexian::frequency::FrequencyModel;
use kexian::severity::{LogNormal, Severity, SeverityModel};

/// `LossModel` JSON with the typo `claims_terms` silently dropped the cover (mean 162,755
/// instead of 31,968); unknown fields are now refused.
#[test]
fn a_misspelt_loss_model_field_is_an_error() {
    let good = r#"{"frequency": {"type": "poisson", "lambda": 2.0},
                   "severity": {"type": "lognormal", "mu": 10.0, "sigma": 1.0},
                   "claim_terms": {"deductible": 10000.0, "limit": 50000.0}}"#;
    let m: LossModel<FrequencyModel, SeverityModel> = serde_json::from_str(good).unwrap();
    assert!(m.analytic_mean().unwrap() < 2.0 * 50_000.0);
    let typo = good.replace("claim_terms", "claims_terms");
    let e = serde_json::from_str::<LossModel<FrequencyModel, SeverityModel>>(&typo).unwrap_err();
    assert!(e.to_string().contains("claims_terms"), "{e}");
}

/// `LogNormal(0, σ ≥ 27).variance()` returned `Some(0.0)` (∞ − ∞ clamped), σ 19–26 `Some(∞)`;
/// `limited_moment(2, 10⁶)` was ∞/NaN for σ ≥ 19 although it is at most 10¹²; `lev(10⁶)` was
/// NaN at σ = 50. Moments are now `None` when they exceed the largest f64 and finite
/// otherwise; limited moments are computed in log space.
#[test]
fn lognormal_moments_never_overflow_into_wrong_numbers() {
    for sigma in [19.0, 22.0, 26.0, 27.0, 50.0] {
        let d = LogNormal::new(0.0, sigma).unwrap();
        assert_eq!(d.variance(), None, "σ = {sigma}");
        assert_eq!(d.raw_moment(2), None, "σ = {sigma}");
        let u = 1e6_f64;
        let m2 = d.limited_moment(2, u);
        assert!(
            m2.is_finite() && m2 > 0.0 && m2 <= u * u,
            "σ = {sigma}: {m2}"
        );
        let lev = d.limited_expected_value(u);
        // u·S(u) ≤ LEV(u) ≤ u, and d LEV/du = S(u).
        assert!(lev >= u * d.survival(u) && lev <= u, "σ = {sigma}: {lev}");
        let h = 1e-4 * u;
        let slope = (d.limited_expected_value(u + h) - d.limited_expected_value(u - h)) / (2.0 * h);
        assert!((slope - d.survival(u)).abs() < 1e-6, "σ = {sigma}: {slope}");
    }
    // Where nothing overflows, the log-space forms agree with the closed forms.
    let d = LogNormal::new(10.0, 1.5).unwrap();
    let s2 = 2.25_f64;
    let want = (20.0 + s2).exp() * (s2.exp() - 1.0);
    assert!((d.variance().unwrap() / want - 1.0).abs() < 1e-13);
    assert!(d.mean().unwrap().is_finite());
    let mean_mu50 = LogNormal::new(0.0, 50.0).unwrap().mean();
    assert_eq!(mean_mu50, None, "e^1250 is not a finite f64");
}

/// `traffic_light_table(usize::MAX)` hung (a linear scan of binomial cdfs); it now bisects.
#[test]
fn the_traffic_light_table_answers_for_any_sample_size() {
    let start = std::time::Instant::now();
    let (green, yellow) = traffic_light_table(usize::MAX, VarLevel::Confidence(0.99)).unwrap();
    assert!(start.elapsed().as_secs() < 5);
    assert!(green <= yellow);
    // The boundaries are where the binomial cdf crosses 95% and 99.99%.
    for (n, level) in [
        (250usize, 0.99),
        (1000, 0.995),
        (60, 0.99),
        (10_000, 0.999),
        (10_000_000, 0.99),
    ] {
        let level = VarLevel::Confidence(level);
        let (g, y) = traffic_light_table(n, level).unwrap();
        assert!(traffic_light(n, g, level).unwrap().1 < 0.95);
        assert!(traffic_light(n, g + 1, level).unwrap().1 >= 0.95);
        assert!(traffic_light(n, y, level).unwrap().1 < 0.9999);
        assert!(traffic_light(n, y + 1, level).unwrap().1 >= 0.9999);
    }
    assert!(traffic_light_table(0, VarLevel::Confidence(0.99)).is_err());
}

/// `Grid::new(1.0, 2^40)` tried to allocate 8.8 TB; grids are capped at 2^26 points.
#[test]
fn an_absurd_grid_is_refused_before_allocating() {
    let e = Grid::new(1.0, 1 << 40).unwrap_err();
    assert!(e.to_string().contains("2^26"), "{e}");
    assert!(Grid::new(1.0, 1 << 26).is_ok());
}

fn kexian(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// Outputs were written in place one file after another: a failure left new quotes beside an
/// old or missing summary. The set is now staged beside the target and swapped in by renames,
/// and the store keeps the current set and the two before it; a config with a UTF-8 BOM is
/// read; errors name the path.
#[test]
fn quote_outputs_are_replaced_as_a_set() {
    let base = std::env::temp_dir().join(format!("kexian-set-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let out = base.join("out");
    let out_s = out.to_str().unwrap();
    // The bundled config behind a byte-order mark.
    let config = base.join("pricing.json");
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json")).unwrap();
    let text = text.replace(
        "\"experience.csv\"",
        &format!("\"{}/data/experience.csv\"", env!("CARGO_MANIFEST_DIR")),
    );
    std::fs::write(&config, format!("\u{feff}{text}")).unwrap();
    let args = [
        "quote",
        "--portfolio",
        "data/portfolio.csv",
        "--config",
        config.to_str().unwrap(),
        "--trials",
        "2000",
        "--out",
        out_s,
    ];
    let sorted = |dir: &std::path::Path| {
        let mut names: Vec<_> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        names.sort();
        names
    };
    for run in 1..=4 {
        let o = kexian(&args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(
            sorted(&out),
            [
                "covers.csv",
                "manifest.json",
                "quotes.csv",
                "quotes.json",
                "summary.json"
            ]
        );
        assert_eq!(
            std::fs::read_link(&out).unwrap(),
            std::path::Path::new(".out.sets").join(run.to_string())
        );
        // Beside it only the config and the hidden store of sets, which holds the current
        // set and the two before it: no staging, old or legacy directories are left.
        assert_eq!(sorted(&base), [".out.sets", "out", "pricing.json"]);
        let kept: Vec<String> = (run.max(3) - 2..=run).map(|n| n.to_string()).collect();
        assert_eq!(sorted(&base.join(".out.sets")), kept);
    }
    // A target that is a file is refused by name, and left alone.
    let file = base.join("taken");
    std::fs::write(&file, "keep").unwrap();
    let mut bad = args;
    let file_s = file.to_str().unwrap().to_owned();
    *bad.last_mut().unwrap() = &file_s;
    let o = kexian(&bad);
    assert!(!o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("taken"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), "keep");
    std::fs::remove_dir_all(&base).unwrap();
}

/// A missing file reported `line 0, column ''`; it now names the path only.
#[test]
fn a_missing_table_names_its_path() {
    let e = kexian::table::Table::from_path("no/such/claims.csv").unwrap_err();
    assert!(matches!(e, kexian::Error::Io { .. }), "{e:?}");
    let text = e.to_string();
    assert!(
        text.starts_with("no/such/claims.csv: ") && !text.contains("line 0"),
        "{text}"
    );
}

/// `log_revenue` = 50000000 (revenue in 元 instead of its logarithm) gave rating factor ∞, a
/// NaN premium and NaN pool shares with exit 0, and 40 a 244m premium; both are now errors
/// naming the line and column and the likely mistake, and nothing is written.
#[test]
fn an_overflowing_rating_factor_is_an_error_not_a_nan_premium() {
    let base = std::env::temp_dir().join(format!("kexian-nan-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"))
        .unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let header: Vec<&str> = lines[0].split(',').collect();
    let col = header.iter().position(|h| *h == "log_revenue").unwrap();
    let original = lines[3].clone();
    for bad in ["50000000", "40"] {
        let mut cells: Vec<String> = original.split(',').map(str::to_owned).collect();
        cells[col] = bad.into();
        lines[3] = cells.join(",");
        let portfolio = base.join("portfolio.csv");
        std::fs::write(&portfolio, lines.join("\n") + "\n").unwrap();
        let out = base.join("out");
        let o = kexian(&[
            "quote",
            "--portfolio",
            portfolio.to_str().unwrap(),
            "--config",
            "data/pricing.json",
            "--trials",
            "2000",
            "--out",
            out.to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(
            err.contains("line 4")
                && err.contains("log_revenue")
                && err.contains("natural logarithm"),
            "{err}"
        );
        assert!(!out.exists());
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// A kill at any point of a run (200 random points, concentrated around the write) leaves
/// `out` holding the previous complete set or the new one, never a mix or a torn file.
#[cfg(unix)]
#[test]
fn a_killed_quote_leaves_the_old_set_or_the_new_one() {
    let base = std::env::temp_dir().join(format!("kexian-kill-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let out = base.join("out");
    let args = |seed: u64| {
        let mut c = std::process::Command::new(env!("CARGO_BIN_EXE_kexian"));
        c.current_dir(env!("CARGO_MANIFEST_DIR"))
            .args([
                "quote",
                "--portfolio",
                "data/portfolio.csv",
                "--config",
                "data/pricing.json",
            ])
            .args([
                "--trials",
                "2000",
                "--quiet",
                "--seed",
                &seed.to_string(),
                "--out",
            ])
            .arg(&out)
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        c
    };
    // A run's length: the shortest of three (other tests may be loading the machine).
    let run = (0..3)
        .map(|_| {
            let start = std::time::Instant::now();
            assert!(args(0).status().unwrap().success());
            start.elapsed()
        })
        .min()
        .unwrap();
    complete_set(&out).unwrap();
    // A deterministic spread of kill points over 10%–110% of a run's length.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let mut killed_during = 0;
    for k in 1..=200u64 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let fraction = 0.1 + (state % 1000) as f64 / 1000.0;
        let mut child = args(k).spawn().unwrap();
        std::thread::sleep(run.mul_f64(fraction));
        if child.try_wait().unwrap().is_none() {
            killed_during += 1;
        }
        let _ = child.kill();
        let _ = child.wait();
        if let Err(e) = complete_set(&out) {
            panic!("after kill point {k} ({fraction:.2} of a run): {e}");
        }
    }
    assert!(
        killed_during > 20,
        "only {killed_during} runs were killed before they ended"
    );
    // The next run removes what killed runs left staged: the store holds the current set and
    // the two before it, all complete.
    assert!(args(0).status().unwrap().success());
    let store: Vec<_> = std::fs::read_dir(base.join(".out.sets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(store.len() <= 3, "{store:?}");
    for set in &store {
        complete_set(set).unwrap();
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// `--trials 4294967295` aborted with an allocation failure; a run estimated above the memory
/// budget is now refused at once, naming the estimate, the budget and the remedies.
#[test]
fn a_run_beyond_the_memory_budget_is_refused_at_once() {
    let start = std::time::Instant::now();
    // The bundled quote over `trials` years into `out`, with a memory budget if given.
    let quote = |trials: &str, limit: Option<&str>, out: &str| {
        let mut args = vec![
            "quote",
            "--portfolio",
            "data/portfolio.csv",
            "--config",
            "data/pricing.json",
            "--trials",
            trials,
            "--out",
            out,
        ];
        args.extend(limit.map(|l| ["--memory-limit", l]).into_iter().flatten());
        let o = kexian(&args);
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    let err = quote("4000000000", None, "/nonexistent-kexian-never-written");
    // The output directory is checked first: an unwritable one is named.
    assert!(
        err.contains("/nonexistent-kexian-never-written") || err.contains("GiB"),
        "{err}"
    );
    let out = std::env::temp_dir().join(format!("kexian-mem-{}", std::process::id()));
    let err = quote("100000000", Some("2G"), out.to_str().unwrap());
    for want in [
        "needs about",
        "GiB",
        "memory budget of 2.0 GiB",
        "--memory-limit",
        "--trials",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    assert!(
        start.elapsed() < std::time::Duration::from_secs(2),
        "{:?}",
        start.elapsed()
    );
    assert!(!out.exists());
    // A small budget is said in its own unit ("0.0 GiB above 0.0 GiB" before).
    let err = quote("2000", Some("1K"), out.to_str().unwrap());
    assert!(
        err.contains("MiB, above the memory budget of 1.0 KiB"),
        "{err}"
    );
    let o = kexian(&[
        "price",
        "--model",
        "data/line_cyber.json",
        "--trials",
        "1000000000",
        "--memory-limit",
        "1G",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success() && err.contains("exact method"), "{err}");
}

fn quote_with(config: &serde_json::Value, portfolio: &str) -> std::process::Output {
    let base = std::env::temp_dir().join(format!(
        "kexian-cfg-{}-{}",
        std::process::id(),
        fnv(&config.to_string())
    ));
    std::fs::create_dir_all(&base).unwrap();
    let path = base.join("pricing.json");
    std::fs::write(&path, serde_json::to_string_pretty(config).unwrap()).unwrap();
    std::fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv"),
        base.join("experience.csv"),
    )
    .unwrap();
    let p = base.join("portfolio.csv");
    std::fs::write(&p, portfolio).unwrap();
    kexian(&[
        "quote",
        "--portfolio",
        p.to_str().unwrap(),
        "--config",
        path.to_str().unwrap(),
        "--trials",
        "2000",
        "--out",
        base.join("out").to_str().unwrap(),
    ])
}

fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    })
}

/// Configuration and data mistakes that used to be accepted silently are errors.
#[test]
fn config_and_data_mistakes_are_refused() {
    let pricing: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"))
            .unwrap(),
    )
    .unwrap();
    let book = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"))
        .unwrap();
    let refused = |config: &serde_json::Value, portfolio: &str, want: &[&str]| {
        let o = quote_with(config, portfolio);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success(), "accepted: {want:?}");
        for w in want {
            assert!(err.contains(w), "{w}: {err}");
        }
    };
    // A misspelt loading is named at its own line (it used to point at the end of the file).
    let mut c = pricing.clone();
    c["loadings"]["expense_ratoi"] = serde_json::json!(0.1);
    let pretty = serde_json::to_string_pretty(&c).unwrap();
    let line = 1 + pretty
        .lines()
        .position(|l| l.contains("expense_ratoi"))
        .unwrap();
    let at = format!("line {line}, column");
    refused(
        &c,
        &book,
        &[&at, "unknown field `expense_ratoi`", "expense_ratio"],
    );
    // A flat-share subsidy for a line that does not exist.
    let mut c = pricing.clone();
    c["subsidies"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"rule": "flat_share", "line": "cybr", "share": 0.5, "per_policy_cap": 1e5}));
    refused(&c, &book, &["unknown line `cybr`", "cyber"]);
    // Overlapping per-risk layers.
    let mut c = pricing.clone();
    c["reinsurance"]["per_risk_xol"] = serde_json::json!([
        {"attachment": 5e6, "limit": 5e6}, {"attachment": 8e6, "limit": 5e6}]);
    refused(&c, &book, &["Tower", "overlapping"]);
    // A loan in 分 instead of 元.
    let huge = book.replacen("ip_pledge,7320000.0,", "ip_pledge,732000000000000.0,", 1);
    refused(
        &pricing,
        &huge,
        &["line 2", "covers[0].exposure", "implausible", "分"],
    );
    // An `exposure` covariate in the book would scale every rating factor.
    let mut lines: Vec<String> = book.lines().map(str::to_owned).collect();
    lines[0] += ",exposure";
    for l in &mut lines[1..] {
        *l += ",0.5";
    }
    refused(
        &pricing,
        &(lines.join("\n") + "\n"),
        &["covariate `exposure`", "per policy-year"],
    );
    // Two score-tiered rules share the documented per-firm-year cap.
    let mut c = pricing.clone();
    let tiered = c["subsidies"][0].clone();
    c["subsidies"].as_array_mut().unwrap().push(tiered);
    let o = quote_with(&c, &book);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = std::env::temp_dir()
        .join(format!(
            "kexian-cfg-{}-{}",
            std::process::id(),
            fnv(&c.to_string())
        ))
        .join("out");
    let quotes: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("quotes.json")).unwrap()).unwrap();
    for q in quotes.as_array().unwrap() {
        let tiered: f64 = q["subsidies"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|s| s[0] == "score_tiered")
            .map(|s| s[1].as_f64().unwrap())
            .sum();
        assert!(tiered <= 300_000.0 + 1e-6, "{}: {tiered}", q["firm"]);
    }
    // No −0.0 anywhere (and every number finite: JSON has no other kind).
    fn no_negative_zero(v: &serde_json::Value) -> bool {
        match v {
            serde_json::Value::Number(n) => n
                .as_f64()
                .is_none_or(|x| !(x == 0.0 && x.is_sign_negative())),
            serde_json::Value::Array(a) => a.iter().all(no_negative_zero),
            serde_json::Value::Object(o) => o.values().all(no_negative_zero),
            _ => true,
        }
    }
    for file in ["quotes.json", "summary.json"] {
        let v: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(out.join(file)).unwrap()).unwrap();
        assert!(no_negative_zero(&v), "a negative zero in {file}");
    }
}

/// A severity without a limit whose draws overflow the 分 accumulation (Pareto α = 0.01 in a
/// systemic event) made the expected loss negative; it is now an error.
#[test]
fn an_unrepresentable_annual_payment_is_an_error() {
    let p: kexian::portfolio::Portfolio = serde_json::from_value(serde_json::json!({
        "policies": [{"id": "A", "sector": "ai", "perils": [
            {"peril": "compound", "frequency": {"type": "poisson", "lambda": 3.0},
             "severity": {"type": "pareto", "alpha": 0.01, "theta": 1e6}}]}]}))
    .unwrap();
    let e = p
        .simulate(&kexian::portfolio::PortfolioConfig::new(1, 5000).unwrap())
        .unwrap_err()
        .to_string();
    assert!(e.contains("2^53 分") && e.contains("unit mistake"), "{e}");
}

/// More silent mistakes, now refused: a repeated firm-year in the experience (its claims
/// counted twice), a shock keyed by an unknown sector, a shock so frequent that its events
/// would not fit in memory, a bad rating spec or risk-load principle found only after the
/// simulation, and a cell outside a table (it panicked).
#[test]
fn late_or_silent_mistakes_are_refused_early() {
    let pricing: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"))
            .unwrap(),
    )
    .unwrap();
    let book = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"))
        .unwrap();
    // A repeated firm-year: the experience file with its second row twice.
    let base = std::env::temp_dir().join(format!("kexian-late-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let exp = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv"))
        .unwrap();
    let mut lines: Vec<&str> = exp.lines().collect();
    lines.insert(2, lines[1]);
    std::fs::write(base.join("experience.csv"), lines.join("\n") + "\n").unwrap();
    std::fs::write(base.join("pricing.json"), pricing.to_string()).unwrap();
    let out = base.join("out");
    let start = std::time::Instant::now();
    let o = kexian(&[
        "quote",
        "--portfolio",
        "data/portfolio.csv",
        "--config",
        base.join("pricing.json").to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("line 3") && err.contains("repeats line 2"),
        "{err}"
    );
    // Found before simulating 100,000 years.
    assert!(
        start.elapsed() < std::time::Duration::from_secs(5),
        "{:?}",
        start.elapsed()
    );
    assert!(!out.exists());
    // The backtest refuses the same repeat, also when the year is written `2023.0`.
    let mut cells: Vec<String> = lines[1].split(',').map(str::to_owned).collect();
    cells[1] = format!("{}.0", cells[1]);
    let again = cells.join(",");
    lines[2] = &again;
    std::fs::write(base.join("experience.csv"), lines.join("\n") + "\n").unwrap();
    let o = kexian(&[
        "backtest",
        "--experience",
        base.join("experience.csv").to_str().unwrap(),
        "--config",
        "data/pricing.json",
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{err}");
    assert!(
        err.contains("line 3") && err.contains("repeats line 2"),
        "{err}"
    );
    assert!(!out.exists());
    // A bad risk-load principle is a configuration error.
    let mut c = pricing.clone();
    c["risk_load"] = serde_json::json!({"method": "standalone", "principle": {"principle": "wang", "lambda": -1.0}});
    let o = quote_with(&c, &book);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("lambda"));
    // A shock keyed by an unknown sector, and one far too frequent for memory.
    let assumptions = kexian::assumptions::Assumptions::bundled()
        .unwrap()
        .set()
        .clone();
    let mut set = assumptions.clone();
    set.shocks[0].hit_probability.insert("shipping".into(), 0.5);
    let e = kexian::assumptions::Assumptions::new(set)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("shocks[0].hit_probability") && e.contains("unknown sector `shipping`"),
        "{e}"
    );
    let mut set = assumptions;
    set.shocks[0].annual_rate = 1e6;
    let path = base.join("assumptions.json");
    std::fs::write(&path, serde_json::to_string(&set).unwrap()).unwrap();
    let o = kexian(&[
        "simulate",
        "--portfolio",
        "data/portfolio.csv",
        "--config",
        "data/pricing.json",
        "--assumptions",
        path.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("memory budget"),
        "{err}"
    );
    // A cell that does not exist is an error, not a panic.
    let t = kexian::table::Table::from_reader("t.csv", "a\n1\n".as_bytes()).unwrap();
    let e = t.number(5, 7).unwrap_err().to_string();
    assert!(e.contains("t.csv") && e.contains("line 0"), "{e}");
    std::fs::remove_dir_all(&base).unwrap();
}

/// Two systemic shocks could share a name (reports, the allocation and merges tell them by
/// name); an assumption set and a portfolio now refuse it.
#[test]
fn two_shocks_may_not_share_a_name() {
    let shock = serde_json::json!({"name": "cloud_outage", "annual_rate": 0.1,
        "default_hit_probability": 0.2,
        "loss": {"type": "lognormal", "mu": 13.0, "sigma": 1.0}});
    let book = serde_json::json!({
        "policies": [{"id": "A", "sector": "ai", "perils": [{"peril": "compound",
            "frequency": {"type": "poisson", "lambda": 0.5},
            "severity": {"type": "exponential", "theta": 1000.0}}]}],
        "shocks": [shock.clone(), shock]});
    let e = serde_json::from_value::<kexian::portfolio::Portfolio>(book)
        .unwrap_err()
        .to_string();
    assert!(e.contains("shock `cloud_outage` is given twice"), "{e}");
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/assumptions/shanghai_2025.json"
    );
    let mut set: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let shocks = set["shocks"].as_array_mut().unwrap();
    shocks.push(shocks[0].clone());
    let e = kexian::assumptions::Assumptions::from_json("dup.json", &set.to_string())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("shocks") && e.contains("`cloud_outage` is named twice"),
        "{e}"
    );
}

/// Issue 36: a subsidy rule with its own score scale (0–100) failed only after the whole
/// simulation (12.7 s at 10⁶ years), naming no file, rule or firm. It is now refused before
/// the simulation starts, naming the firm's line, the rule and the score.
#[test]
fn a_subsidy_scale_that_misplaces_a_firm_is_refused_before_the_run() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let firms = kexian::io::read_portfolio(format!("{dir}/data/portfolio.csv")).unwrap();
    let a = kexian::assumptions::Assumptions::bundled().unwrap();
    let mut config: kexian::quote::QuoteConfig =
        kexian::io::read_json(format!("{dir}/data/pricing.json")).unwrap();
    config.rating = None;
    config.subsidies = vec![
        serde_json::from_value(serde_json::json!({
            "rule": "score_tiered", "scale": {"min": 0, "max": 100, "cuts": [50]},
            "shares": [0.1, 0.2], "per_policy_cap": 1e5, "per_firm_year_cap": 1e5}))
        .unwrap(),
    ];
    let e = kexian::quote::price_with(&firms, &a, &config, None, |_, _| {
        panic!("simulated before the subsidy rule was checked")
    })
    .unwrap_err()
    .to_string();
    for w in [
        "portfolio.csv line 2",
        "subsidies[0] (score_tiered)",
        "414.4",
    ] {
        assert!(e.contains(w), "`{w}` not in: {e}");
    }
}

/// Issue 36: the `threads` setting changed `inputs_digest` although results are
/// bit-identical for any thread count.
#[test]
fn the_thread_count_is_not_an_input() {
    let dir = env!("CARGO_MANIFEST_DIR");
    let firms = kexian::io::read_portfolio(format!("{dir}/data/portfolio.csv")).unwrap();
    let a = kexian::assumptions::Assumptions::bundled().unwrap();
    let mut config: kexian::quote::QuoteConfig =
        kexian::io::read_json(format!("{dir}/data/pricing.json")).unwrap();
    let digest =
        |c: &kexian::quote::QuoteConfig| kexian::quote::inputs_digest(&firms, &a, c, None).unwrap();
    let default = digest(&config);
    for threads in [1, 2, 8] {
        config.simulation.threads = Some(threads);
        assert_eq!(digest(&config), default, "{threads} threads");
    }
    config.simulation.seed += 1;
    assert_ne!(digest(&config), default, "the seed is an input");
}

#[test]
fn csv_errors_name_a_real_line() {
    // A row of the wrong length, and bytes that are not UTF-8: each error names its line
    // (the header is line 1), never "line 0".
    use kexian::table::Table;
    let e = Table::from_reader("t.csv", "a,b\n1,2\n1,2,3\n".as_bytes())
        .unwrap_err()
        .to_string();
    assert!(e.contains("t.csv") && e.contains("line 3"), "{e}");
    let e = Table::from_reader("t.csv", &b"a,b\n1,2\n\xff,3\n"[..])
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 3") && !e.contains("line 0"), "{e}");
    let e = Table::from_reader("t.csv", &b"a,\xff\n1,2\n"[..])
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 1") && !e.contains("line 0"), "{e}");
}

#[test]
fn one_simulated_year_is_refused_for_want_of_a_standard_error() {
    // A 1-trial run reported VaR and TVaR standard errors of 0.
    let e = kexian::simulation::SimulationConfig::new(1, 1)
        .unwrap_err()
        .to_string();
    assert!(e.contains("trials") && e.contains(">= 2"), "{e}");
    assert!(kexian::portfolio::PortfolioConfig::new(1, 1).is_err());
    assert!(kexian::simulation::SimulationConfig::new(1, 2).is_ok());
}
