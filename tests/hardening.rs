//! Regressions from the hostile-input review (issue 14), fixed one by one: each test states the
//! defect it guards against.

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
/// old or missing summary. The set is now staged beside the target and swapped in by renames;
/// a config with a UTF-8 BOM is read; errors name the path.
#[test]
fn quote_outputs_are_replaced_as_a_set() {
    let base = std::env::temp_dir().join(format!("kexian-set-{}", std::process::id()));
    std::fs::create_dir_all(&base).unwrap();
    let out = base.join("out");
    let out_s = out.to_str().unwrap();
    // An old set, including a summary.json that is a directory (it used to block the write).
    std::fs::create_dir_all(out.join("summary.json")).unwrap();
    std::fs::write(out.join("quotes.csv"), "old").unwrap();
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
    let o = kexian(&args);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let names: Vec<String> = std::fs::read_dir(&out)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names.len(), 3, "{names:?}");
    assert!(out.join("summary.json").is_file());
    assert_ne!(
        std::fs::read_to_string(out.join("quotes.csv")).unwrap(),
        "old"
    );
    // No staging or old directories are left beside it.
    let beside: Vec<_> = std::fs::read_dir(&base)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(beside.len(), 2, "{beside:?}");
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
