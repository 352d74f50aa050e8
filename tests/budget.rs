//! One budget for memory and time (issue 36): every call that would abort on a failed
//! allocation or run for hours is refused at once with its estimate, and the memory
//! estimate of a book's run lies between the measured peak and twice it.

use proptest::prelude::*;
use std::path::{Path, PathBuf};
use std::process::Output;
use std::time::{Duration, Instant};

fn kexian(args: &[&str]) -> Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kexian-budget-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Runs `args`, expecting a refusal within a few seconds whose message holds every `want`.
fn refused(args: &[&str], want: &[&str]) {
    let start = Instant::now();
    let o = kexian(args);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success(), "{args:?} succeeded");
    assert_eq!(
        o.status.code(),
        Some(1),
        "{args:?} did not exit cleanly: {err}"
    );
    assert!(
        start.elapsed() < Duration::from_secs(10),
        "{args:?} took {:?}",
        start.elapsed()
    );
    for w in want {
        assert!(err.contains(w), "{args:?}: {err:?} lacks {w:?}");
    }
}

fn price(dir: &Path, name: &str, spec: serde_json::Value, want: &[&str]) {
    let path = dir.join(name);
    std::fs::write(&path, spec.to_string()).unwrap();
    let out = dir.join("out");
    refused(
        &[
            "price",
            "--model",
            path.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        want,
    );
    assert!(!out.exists());
}

/// FFT on 2²⁶ points padded 64 times aborted on a 100 GiB allocation; Panjer on 2²² points
/// and a Poisson rate of 10⁸ by Monte Carlo ran for hours.
#[test]
fn single_covers_beyond_the_budget_are_refused_at_once() {
    let dir = scratch("price");
    let model = serde_json::json!({
        "frequency": {"type": "poisson", "lambda": 2.0},
        "severity": {"type": "lognormal", "mu": 10.0, "sigma": 1.0}
    });
    let spec = |method: serde_json::Value| serde_json::json!({"model": model, "method": method, "principles": []});
    price(
        &dir,
        "fft.json",
        spec(
            serde_json::json!({"kind": "exact", "method": {"method": "fft", "padding": 64},
                                "points": 1u64 << 26}),
        ),
        &[
            "the exact distribution needs about",
            "GiB, above the memory budget",
        ],
    );
    price(
        &dir,
        "panjer.json",
        spec(
            serde_json::json!({"kind": "exact", "method": {"method": "panjer"},
                                "points": 1u64 << 22}),
        ),
        &[
            "the exact distribution needs about",
            "h, above the time budget of 60 min",
        ],
    );
    let mut busy = spec(serde_json::json!({"kind": "monte_carlo",
                                           "simulation": {"seed": 1, "trials": 100000}}));
    busy["model"]["frequency"]["lambda"] = 1e8.into();
    price(
        &dir,
        "mc.json",
        busy,
        &["the simulation needs about", "days, above the time budget"],
    );
    // The budget is the user's: a tighter one refuses a modest run, naming it.
    let path = dir.join("small.json");
    std::fs::write(
        &path,
        spec(
            serde_json::json!({"kind": "monte_carlo", "simulation": {"seed": 1, "trials": 100000}}),
        )
        .to_string(),
    )
    .unwrap();
    refused(
        &[
            "price",
            "--model",
            path.to_str().unwrap(),
            "--time-limit",
            "0.001",
        ],
        &["above the time budget of 0 s", "--time-limit"],
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `cyber_frequency` 10⁹ and `patent_suits_per_year` 10¹² simulated for days; the refusal
/// names the policy and its implausible rate.
#[test]
fn implausible_claim_rates_are_refused_with_the_estimated_time() {
    let dir = scratch("rates");
    let firm = |id: &str, covers: serde_json::Value, overrides: serde_json::Value| {
        serde_json::json!({"id": id, "sector": "ai", "size": "small", "stage": "growth",
            "score": 655, "covariates": {"log_revenue": 17.2}, "covers": covers,
            "overrides": overrides})
    };
    for (name, book) in [
        (
            "cyber",
            firm(
                "C1",
                serde_json::json!([{"product": "cyber", "terms": {"claim": {"limit": 5e6}}}]),
                serde_json::json!({"cyber_frequency": 1e9}),
            ),
        ),
        (
            "suits",
            firm(
                "S1",
                serde_json::json!([{"product": "patent_defence", "exposure": 5e6}]),
                serde_json::json!({"patent_suits_per_year": 1e12}),
            ),
        ),
    ] {
        let path = dir.join(format!("{name}.json"));
        std::fs::write(&path, serde_json::json!([book]).to_string()).unwrap();
        let id = book["id"].as_str().unwrap();
        refused(
            &[
                "simulate",
                "--portfolio",
                path.to_str().unwrap(),
                "--config",
                "data/pricing.json",
                "--out",
                dir.join("out").to_str().unwrap(),
            ],
            &[
                "the portfolio run needs about",
                "above the time budget",
                &format!("policy `{id}` expects"),
                "not plausible",
            ],
        );
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `fit --bootstrap 1e9` aborted on a 32 GB allocation; 300 claims censored at 2e6 and one
/// exact claim gave a "best" exponential of mean 6e8; one claim of 1e-308 among 400 hung the
/// Q–Q plot's log axis.
#[test]
fn degenerate_fits_and_huge_bootstraps_are_refused() {
    let dir = scratch("fit");
    let out = dir.join("out");
    refused(
        &[
            "fit",
            "--claims",
            "data/claims_cyber.csv",
            "--bootstrap",
            "1000000000",
            "--out",
            out.to_str().unwrap(),
        ],
        &["the bootstrap needs about", "--bootstrap"],
    );
    let mut censored = String::from("amount,limit\n");
    censored.push_str(&"2000000,2000000\n".repeat(300));
    censored.push_str("150000,2000000\n");
    std::fs::write(dir.join("censored.csv"), censored).unwrap();
    refused(
        &[
            "fit",
            "--claims",
            dir.join("censored.csv").to_str().unwrap(),
            "--limit-column",
            "limit",
            "--out",
            out.to_str().unwrap(),
        ],
        &[
            "no family could be fitted",
            "exponential: 1 distinct uncensored amount(s) for 1 parameter(s)",
        ],
    );
    let mut tiny = String::from("amount\n");
    for i in 0..399 {
        tiny.push_str(&format!(
            "{}\n",
            1e4 * (1.0 + (i as f64 * 0.37).sin().abs() * 50.0)
        ));
    }
    tiny.push_str("1e-308\n");
    std::fs::write(dir.join("tiny.csv"), tiny).unwrap();
    refused(
        &[
            "fit",
            "--claims",
            dir.join("tiny.csv").to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ],
        &["the amounts span from 1e-308", "check their units"],
    );
    assert!(!out.exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// The exact methods check their own work in the library: no budget set, no CLI.
#[test]
fn the_library_refuses_an_exact_grid_beyond_memory() {
    use kexian::aggregate::{Discretization, ExactMethod, Grid, LossModel};
    use kexian::frequency::FrequencyModel;
    use kexian::severity::SeverityModel;
    let model: LossModel<FrequencyModel, SeverityModel> =
        serde_json::from_value(serde_json::json!({
            "frequency": {"type": "poisson", "lambda": 2.0},
            "severity": {"type": "lognormal", "mu": 10.0, "sigma": 1.0}
        }))
        .unwrap();
    let grid = Grid::new(10.0, 1 << 26).unwrap();
    let e = model
        .exact_distribution(
            ExactMethod::Fft { padding: 64 },
            &grid,
            Discretization::Rounding,
        )
        .unwrap_err();
    assert!(
        matches!(
            e,
            kexian::Error::OverBudget {
                resource: kexian::budget::Resource::Memory,
                ..
            }
        ),
        "{e}"
    );
}

/// A book of `n` firms drawn from the bundled one (new ids), as CSV.
fn book(n: usize, seed: u64) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"))
        .unwrap();
    let mut lines = text.lines();
    let header = lines.next().unwrap();
    let rows: Vec<&str> = lines.collect();
    let mut out = format!("{header}\n");
    let mut x = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1;
    for i in 0..n {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let row = rows[(x % rows.len() as u64) as usize];
        let (_, rest) = row.split_once(',').unwrap();
        out.push_str(&format!("B{i},{rest}\n"));
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 6, failure_persistence: None, ..ProptestConfig::default() })]

    /// The estimate of a book's run is at least the peak resident memory `kexian` measures
    /// for it (VmHWM), and at most twice it.
    #[test]
    fn the_memory_estimate_bounds_the_peak(
        firms in 10usize..1500,
        trials in 2_000u64..120_000,
        simulate in any::<bool>(),
        seed in any::<u64>(),
    ) {
        let dir = scratch(&format!("peak-{seed}"));
        let path = dir.join("book.csv");
        std::fs::write(&path, book(firms, seed)).unwrap();
        let trials = trials.to_string();
        let o = kexian(&[
            if simulate { "simulate" } else { "quote" },
            "--portfolio", path.to_str().unwrap(),
            "--config", "data/pricing.json",
            "--trials", &trials,
            "--out", dir.join("out").to_str().unwrap(),
            "--quiet", "--report-memory",
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        prop_assert!(o.status.success(), "{}", err);
        let line = err.lines().find(|l| l.starts_with("memory: ")).unwrap();
        let numbers: Vec<f64> = line
            .split(' ')
            .filter_map(|w| w.parse().ok())
            .collect();
        let (estimate, peak) = (numbers[0], numbers[1]);
        prop_assert!(estimate >= peak && estimate <= 2.0 * peak,
            "{firms} firms × {trials} years: {line}");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// The same for exact grids: `kexian price` by FFT (2⁸–2²¹ points, padded up to 8 times,
    /// at most 2²² padded points) or Panjer (2⁸–2¹³ points), on a few claim models.
    #[test]
    fn the_memory_estimate_bounds_the_peak_of_exact_grids(
        log_points in 8u32..22,
        log_padding in 0u32..4,
        panjer in any::<bool>(),
        model in 0usize..3,
    ) {
        let points = 1u64 << if panjer { log_points.min(13) } else { log_points };
        let padding = (1u64 << log_padding).min((1 << 22) / points).max(1);
        let method = if panjer {
            serde_json::json!({"method": "panjer"})
        } else {
            serde_json::json!({"method": "fft", "padding": padding})
        };
        let (frequency, severity) = [
            (r#"{"type": "poisson", "lambda": 2.0}"#,
             r#"{"type": "lognormal", "mu": 10.0, "sigma": 1.0}"#),
            (r#"{"type": "negative_binomial", "r": 2.0, "beta": 3.0}"#,
             r#"{"type": "pareto", "alpha": 2.5, "theta": 1e6}"#),
            (r#"{"type": "binomial", "m": 5, "q": 0.2}"#,
             r#"{"type": "gamma", "alpha": 2.0, "theta": 5e4}"#),
        ][model];
        let spec = serde_json::json!({
            "model": {
                "frequency": serde_json::from_str::<serde_json::Value>(frequency).unwrap(),
                "severity": serde_json::from_str::<serde_json::Value>(severity).unwrap(),
            },
            "method": {"kind": "exact", "method": method, "points": points},
            "principles": [],
        });
        let dir = scratch(&format!("grid-{log_points}-{log_padding}-{panjer}-{model}"));
        let path = dir.join("model.json");
        std::fs::write(&path, spec.to_string()).unwrap();
        let o = kexian(&[
            "price", "--model", path.to_str().unwrap(),
            "--out", dir.join("out").to_str().unwrap(), "--report-memory",
        ]);
        let err = String::from_utf8_lossy(&o.stderr).into_owned();
        prop_assert!(o.status.success(), "{}", err);
        let line = err.lines().find(|l| l.starts_with("memory: ")).unwrap();
        let numbers: Vec<f64> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
        let (estimate, peak) = (numbers[0], numbers[1]);
        prop_assert!(estimate >= peak && estimate <= 2.0 * peak, "{spec}: {line}");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
