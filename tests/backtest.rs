//! Backtesting statistics against scipy/statsmodels (tests/data/backtest_reference.json, made
//! by scripts/reference_backtest.py), closed-form Gini indices, edge cases and bad input, and
//! the rolling backtest on the committed experience (data/experience.csv).

use kexian::backtest::*;
use kexian::rating::{GlmFamily, RatingSpec};
use kexian::severity::{LogNormal, Severity, SingleParameterPareto};
use kexian::table::Table;
use rand::SeedableRng;
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::Value;

fn reference() -> Value {
    serde_json::from_str(include_str!("data/backtest_reference.json")).unwrap()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

fn close(what: &str, got: f64, want: f64, tol: f64) {
    assert!(
        (got - want).abs() <= tol * want.abs().max(1e-300) || got == want,
        "{what}: {got} vs {want}"
    );
}

#[test]
fn garwood_intervals_and_credibility_standards_match_scipy() {
    let r = reference();
    // scipy.stats.chi2.ppf; our gamma quantile is accurate to ~1e-10 (severity reference tests).
    for c in r["garwood"].as_array().unwrap() {
        let (a, e, conf) = (
            c["actual"].as_f64().unwrap(),
            c["expected"].as_f64().unwrap(),
            c["confidence"].as_f64().unwrap(),
        );
        let (lo, hi) = garwood_interval(a, e, conf).unwrap();
        close("garwood lower", lo, c["lower"].as_f64().unwrap(), 1e-9);
        close("garwood upper", hi, c["upper"].as_f64().unwrap(), 1e-9);
    }
    for c in r["full_credibility"].as_array().unwrap() {
        let lf = LimitedFluctuation {
            probability: c["probability"].as_f64().unwrap(),
            tolerance: c["tolerance"].as_f64().unwrap(),
        };
        // normal quantile AS 241: ~1e-15 relative.
        close(
            "n_full",
            lf.full_credibility_claims().unwrap(),
            c["claims"].as_f64().unwrap(),
            1e-12,
        );
    }
    assert_eq!(LimitedFluctuation::default().factor(5000.0).unwrap(), 1.0);
}

#[test]
fn deviances_match_statsmodels() {
    let d = &reference()["deviance"];
    let (y, mu) = (floats(&d["y"]), floats(&d["mu"]));
    let (amt, amt_mu) = (floats(&d["amount"]), floats(&d["amount_mu"]));
    close(
        "poisson",
        deviance(DevianceFamily::Poisson, &y, &mu).unwrap(),
        d["poisson"].as_f64().unwrap(),
        1e-12,
    );
    let tw = DevianceFamily::Tweedie { power: 1.5 };
    close(
        "tweedie",
        deviance(tw, &amt, &amt_mu).unwrap(),
        d["tweedie_1.5"].as_f64().unwrap(),
        1e-12,
    );
    let pos: Vec<usize> = (0..amt.len()).filter(|&i| amt[i] > 0.0).collect();
    let (a, m): (Vec<f64>, Vec<f64>) = pos.iter().map(|&i| (amt[i], amt_mu[i])).unzip();
    close(
        "gamma",
        deviance(DevianceFamily::Gamma, &a, &m).unwrap(),
        d["gamma_positive"].as_f64().unwrap(),
        1e-12,
    );
    assert!(deviance(DevianceFamily::Gamma, &amt, &amt_mu).is_err());
    assert!(deviance(DevianceFamily::Poisson, &y, &mu[..3]).is_err());
}

#[test]
fn gini_matches_the_reference_with_ties_and_without() {
    let r = reference();
    let g = &r["gini_ties"];
    let c = ordered_lorenz(
        &floats(&g["loss"]),
        &floats(&g["premium"]),
        &floats(&g["score"]),
    )
    .unwrap();
    close("gini with ties", c.gini, g["gini"].as_f64().unwrap(), 1e-12);
    for (got, want) in c.premium_share.iter().zip(floats(&g["premium_share"])) {
        close("premium share", *got, want, 1e-12);
    }
    for (got, want) in c.loss_share.iter().zip(floats(&g["loss_share"])) {
        close("loss share", *got, want, 1e-12);
    }
    // Reordering rows (and so the order of ties) changes nothing.
    let perm = |v: Vec<f64>| -> Vec<f64> { v.iter().rev().copied().collect() };
    let rev = ordered_lorenz(
        &perm(floats(&g["loss"])),
        &perm(floats(&g["premium"])),
        &perm(floats(&g["score"])),
    )
    .unwrap();
    close("gini reversed", rev.gini, c.gini, 1e-12);
    let s = &r["gini_sample"];
    close(
        "gini sample",
        gini(&floats(&s["values"])).unwrap(),
        s["gini"].as_f64().unwrap(),
        1e-12,
    );
    // A rating that is all ties ranks nothing: Gini 0; no loss at all: Gini 0.
    assert_eq!(
        ordered_lorenz(&[1.0, 5.0, 0.0], &[1.0; 3], &[2.0; 3])
            .unwrap()
            .gini,
        0.0
    );
    assert_eq!(
        ordered_lorenz(&[0.0; 3], &[1.0; 3], &[1.0, 2.0, 3.0])
            .unwrap()
            .gini,
        0.0
    );
    let svg = c.to_svg().unwrap();
    assert!(
        svg.starts_with("<svg")
            && svg.contains("polyline")
            && svg.contains("Gini")
            && svg.trim_end().ends_with("</svg>")
    );
}

#[test]
fn gini_approaches_its_closed_forms_on_large_samples() {
    let r = reference();
    let cf = &r["gini_closed_forms"];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(11);
    let n = 1_000_000;
    // 2Φ(σ/√2) − 1 for lognormal σ = 1 (0.5205); sampling s.e. ≈ 5e-4 at n = 10⁶.
    let ln = LogNormal::new(0.0, 1.0).unwrap();
    let x: Vec<f64> = (0..n).map(|_| ln.sample(&mut rng)).collect();
    let g = gini(&x).unwrap();
    assert!(
        (g - cf["lognormal_sigma_1"].as_f64().unwrap()).abs() < 3e-3,
        "{g}"
    );
    // 1/(2α − 1) for Pareto α = 3 (0.2); heavier tail, s.e. ≈ 1e-3.
    let p = SingleParameterPareto::new(3.0, 1.0).unwrap();
    let x: Vec<f64> = (0..n).map(|_| p.sample(&mut rng)).collect();
    let g = gini(&x).unwrap();
    assert!(
        (g - cf["pareto_alpha_3"].as_f64().unwrap()).abs() < 6e-3,
        "{g}"
    );
}

#[test]
fn lift_and_calibration_match_the_reference() {
    let l = &reference()["lift"];
    let (pred, act) = (floats(&l["predicted"]), floats(&l["actual"]));
    let t = lift(&act, &pred, 10).unwrap();
    assert_eq!(t.iter().map(|g| g.rows).sum::<usize>(), 103);
    for (g, (mp, ma)) in t.iter().zip(
        floats(&l["mean_predicted"])
            .into_iter()
            .zip(floats(&l["mean_actual"])),
    ) {
        close("mean predicted", g.mean_predicted, mp, 1e-12);
        close("mean actual", g.mean_actual, ma, 1e-12);
    }
    let c = &reference()["calibration"];
    let cal = calibration(&act, &pred, 10).unwrap();
    close(
        "calibration χ²",
        cal.statistic,
        c["statistic"].as_f64().unwrap(),
        1e-12,
    );
    close(
        "calibration p",
        cal.p_value,
        c["p_value"].as_f64().unwrap(),
        1e-10,
    );
    // Double lift against a second rating (numpy: stable sort by A/B, array_split into 5).
    let d = &reference()["double_lift"];
    let b = floats(&d["model_b"]);
    let dl = double_lift(&act, &pred, &b, 5).unwrap();
    for (k, g) in dl.iter().enumerate() {
        close("double lift a", g.mean_a, floats(&d["mean_a"])[k], 1e-12);
        close("double lift b", g.mean_b, floats(&d["mean_b"])[k], 1e-12);
        close(
            "double lift actual",
            g.mean_actual,
            floats(&d["mean_actual"])[k],
            1e-12,
        );
    }
    // Double lift of a model against a shifted copy: every group has mean_b = mean_a + 0.1.
    let dl = double_lift(
        &act,
        &pred,
        &pred.iter().map(|p| p + 0.1).collect::<Vec<_>>(),
        5,
    )
    .unwrap();
    assert!(dl.iter().all(|g| (g.mean_b - g.mean_a - 0.1).abs() < 1e-12));
    assert!(lift(&act, &pred, 0).is_err() && lift(&act, &pred, 104).is_err());
    assert!(calibration(&act, &vec![0.0; 103], 10).is_err());
}

#[test]
fn var_tests_match_scipy_including_edge_cases() {
    for c in reference()["var_tests"].as_array().unwrap() {
        let hits: Vec<bool> = c["exceedances"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_i64().unwrap() == 1)
            .collect();
        let name = c["name"].as_str().unwrap();
        let bt = var_backtest(&hits, VarLevel::Confidence(c["level"].as_f64().unwrap())).unwrap();
        // scipy.stats.chi2.sf; our regularised gamma Q is accurate to ~1e-12 relative.
        for (what, got, key) in [
            ("kupiec", bt.kupiec.statistic, "kupiec"),
            ("kupiec p", bt.kupiec.p_value, "kupiec_p"),
            ("independence", bt.independence.statistic, "independence"),
            ("independence p", bt.independence.p_value, "independence_p"),
            (
                "cc",
                bt.conditional_coverage.statistic,
                "conditional_coverage",
            ),
            (
                "cc p",
                bt.conditional_coverage.p_value,
                "conditional_coverage_p",
            ),
        ] {
            let want = c[key].as_f64().unwrap();
            assert!(
                (got - want).abs() <= 1e-9 * want.abs() + 1e-12,
                "{name} {what}: {got} vs {want}"
            );
            assert!(got.is_finite());
        }
    }
    // Zero and all exceedances: defined results, no NaN.
    let none = var_backtest(&[false; 250], VarLevel::Confidence(0.99)).unwrap();
    assert_eq!((none.independence.statistic, none.zone), (0.0, Zone::Green));
    let all = var_backtest(&[true; 250], VarLevel::Confidence(0.99)).unwrap();
    assert_eq!((all.independence.statistic, all.zone), (0.0, Zone::Red));
    assert!(all.kupiec.p_value < 1e-100);
}

#[test]
fn basel_traffic_light_matches_the_binomial_table() {
    // Basel Committee (1996), Table 2: 250 observations at 99%: green 0–4, yellow 5–9, red 10+.
    assert_eq!(
        traffic_light_table(250, VarLevel::Confidence(0.99)).unwrap(),
        (4, 9)
    );
    for c in reference()["traffic_light"].as_array().unwrap() {
        let n = c["observations"].as_u64().unwrap() as usize;
        let level = c["level"].as_f64().unwrap();
        let cumulative = floats(&c["cumulative"]);
        for (x, z) in c["zones"].as_array().unwrap().iter().enumerate() {
            let (zone, cum) = traffic_light(n, x, VarLevel::Confidence(level)).unwrap();
            let want = match z.as_str().unwrap() {
                "green" => Zone::Green,
                "yellow" => Zone::Yellow,
                _ => Zone::Red,
            };
            assert_eq!(zone, want, "n {n} level {level} x {x}");
            close("cumulative", cum, cumulative[x], 1e-10);
        }
    }
    assert!(traffic_light(250, 251, VarLevel::Confidence(0.99)).is_err());
}

#[test]
fn pit_tests_match_scipy() {
    let p = &reference()["pit"];
    let t = pit_tests(&floats(&p["u"])).unwrap();
    close("ks", t.ks_statistic, p["ks"].as_f64().unwrap(), 1e-12);
    // kstwobign.sf at the Stephens-corrected λ, to 1e-10; and near scipy's exact p (0.01).
    close("ks p", t.ks_p_value, p["ks_p"].as_f64().unwrap(), 1e-10);
    assert!((t.ks_p_value - p["ks_p_exact_scipy"].as_f64().unwrap()).abs() < 0.01);
    close(
        "berkowitz",
        t.berkowitz_statistic,
        p["berkowitz"].as_f64().unwrap(),
        1e-10,
    );
    close(
        "berkowitz p",
        t.berkowitz_p_value,
        p["berkowitz_p"].as_f64().unwrap(),
        1e-9,
    );
    assert_eq!(t.histogram.iter().sum::<usize>(), 80);
    // Extreme PIT values stay finite.
    let t = pit_tests(&[0.0, 1.0, 0.5]).unwrap();
    assert!(t.berkowitz_statistic.is_finite() && t.ks_p_value.is_finite());
    assert!(pit_tests(&[0.5, 1.2]).is_err() && pit_tests(&[0.5]).is_err());
}

#[test]
fn actual_vs_expected_handles_zero_expected_segments() {
    let seg = ["a", "a", "b", "c"];
    let ae = actual_vs_expected(
        &seg,
        &[1.0, 2.0, 0.0, 1.0],
        &[1.0, 1.0, 0.0, 0.0],
        Measure::Counts,
        0.9,
        LimitedFluctuation::default(),
    )
    .unwrap();
    // b: nothing expected, nothing happened: no ratio, no interval, deviance 0.
    let b = &ae.segments[1];
    assert_eq!((b.ratio, b.interval, b.deviance), (None, None, Some(0.0)));
    // c: a claim where none was expected: no ratio, infinite deviance reported as None.
    let c = &ae.segments[2];
    assert_eq!((c.ratio, c.deviance), (None, None));
    assert_eq!(ae.total.ratio, Some(2.0));
    let text = ae.to_text();
    assert!(text.contains("total") && text.contains('—'));
    assert!(ae.to_svg().unwrap().contains("<circle"));
    let json = serde_json::to_string(&ae).unwrap();
    assert!(!json.contains("NaN") && !json.contains("null,\"interval\":null,\"credibility\":NaN"));
}

#[test]
fn bad_input_is_rejected() {
    let lf = LimitedFluctuation::default();
    let c = Measure::Counts;
    assert!(actual_vs_expected(&["a"], &[1.0, 2.0], &[1.0, 1.0], c, 0.9, lf).is_err());
    assert!(actual_vs_expected(&["a"], &[-1.0], &[1.0], c, 0.9, lf).is_err());
    assert!(actual_vs_expected(&["a"], &[1.5], &[1.0], c, 0.9, lf).is_err());
    assert!(actual_vs_expected(&["a"], &[1.0], &[f64::NAN], c, 0.9, lf).is_err());
    assert!(actual_vs_expected(&["a"], &[1.0], &[1.0], c, 1.0, lf).is_err());
    let empty: [&str; 0] = [];
    assert!(actual_vs_expected(&empty, &[], &[], c, 0.9, lf).is_err());
    assert!(garwood_interval(1.0, 0.0, 0.95).is_err());
    assert!(var_backtest(&[true, false], VarLevel::Confidence(1.0)).is_err());
    assert!(var_backtest(&[true], VarLevel::Confidence(0.99)).is_err());
    assert!(exceedances(&[1.0, 2.0], &[1.5]).is_err());
    assert_eq!(
        exceedances(&[1.0, 2.0], &[1.5, 1.5]).unwrap(),
        vec![false, true]
    );
    assert!(ordered_lorenz(&[1.0], &[0.0], &[1.0]).is_err());
    assert!(ordered_lorenz(&[-1.0], &[1.0], &[1.0]).is_err());
    let e = ordered_lorenz(&[1.0, 2.0], &[1.0], &[1.0, 2.0]).unwrap_err();
    assert!(e.to_string().contains("must be equal"), "{e}");
    // Typed, so a caller can act on it.
    assert!(
        matches!(
            e,
            kexian::Error::LengthMismatch {
                lengths: (2, 1),
                ..
            }
        ),
        "{e:?}"
    );
    let bad = LimitedFluctuation {
        probability: 1.5,
        tolerance: 0.05,
    };
    assert!(bad.full_credibility_claims().is_err());
}

/// The committed experience's plan refitted with `family`, the first `min_train_years`
/// years of `year_column` the first training window.
fn spec(
    family: GlmFamily,
    year_column: &'static str,
    min_train_years: usize,
) -> BacktestSpec<'static> {
    static PLAN: std::sync::OnceLock<RatingSpec> = std::sync::OnceLock::new();
    BacktestSpec {
        plan: PLAN.get_or_init(experience_spec),
        family,
        year_column,
        min_train_years,
    }
}

fn experience_spec() -> RatingSpec {
    serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "score_tier", "column": "score", "monotone": true},
                        {"kind": "categorical", "column": "sector", "base": "ic"},
                        {"kind": "categorical", "column": "line", "base": "cyber"}]}"#,
    )
    .unwrap()
}

#[test]
fn rolling_backtest_runs_on_the_committed_experience() {
    let table =
        Table::from_path(concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv")).unwrap();
    let bt = rolling_backtest(&table, &spec(GlmFamily::Poisson, "year", 2), None).unwrap();
    let labels: Vec<&str> = bt.years.iter().map(|y| y.label.as_str()).collect();
    assert_eq!(labels, ["2023", "2024", "2025"]);
    // Training grows year on year; test rows add up to the pooled line.
    assert!(
        bt.years
            .windows(2)
            .all(|w| w[0].train_rows < w[1].train_rows)
    );
    assert_eq!(
        bt.years.iter().map(|y| y.test_rows).sum::<usize>(),
        bt.overall.test_rows
    );
    let actual: f64 = bt.years.iter().map(|y| y.ae.actual).sum();
    assert_eq!(actual, bt.overall.ae.actual);
    // The experience is the bundled model's own (one row per firm, year and line), so out of
    // sample the pooled A/E is near 1 (0.86 [0.73, 0.98]: the training years hold 2021,
    // whose R&D failures ran about 2σ above the model, 25 against some 16, so the plan
    // over-predicts what follows), and a plan with the line as a factor ranks the risks
    // (R&D projects fail far more often than a cyber cover claims): the pooled Gini is
    // clearly positive.
    let (lo, hi) = bt.overall.ae.interval.unwrap();
    let ratio = bt.overall.ae.ratio.unwrap();
    assert!(
        lo < ratio && ratio < hi && ratio > 0.75 && ratio < 1.25,
        "A/E {ratio} [{lo}, {hi}]"
    );
    assert!(bt.overall.gini > 0.1, "Gini {}", bt.overall.gini);
    for y in &bt.years {
        let r = y.ae.ratio.unwrap();
        assert!(r > 0.5 && r < 2.0, "{}: A/E {r}", y.label);
        assert!(y.ae.deviance.unwrap() > 0.0 && y.calibration.as_ref().unwrap().p_value > 0.0);
    }
    // Serializable and readable.
    let json = serde_json::to_string(&bt).unwrap();
    assert!(json.contains("\"label\":\"all\""));
    let text = bt.to_text();
    assert_eq!(text.lines().count(), 1 + 3 + 1);
    // Too few years, Gamma, and an unknown year column are refused.
    assert!(rolling_backtest(&table, &spec(GlmFamily::Poisson, "year", 5), None).is_err());
    assert!(rolling_backtest(&table, &spec(GlmFamily::Gamma, "year", 2), None).is_err());
    assert!(rolling_backtest(&table, &spec(GlmFamily::Poisson, "yr", 2), None).is_err());
}

fn statistics() -> Value {
    serde_json::from_str(include_str!("data/backtest_statistics_reference.json")).unwrap()
}

#[test]
fn critical_values_kupiec_regions_and_poisson_tests_match_scipy() {
    let r = statistics();
    // scipy.stats.chi2.ppf; the gamma quantile is accurate to ~1e-10 relative.
    for c in r["chi2_critical"].as_array().unwrap() {
        let (df, conf) = (c["df"].as_f64().unwrap(), c["confidence"].as_f64().unwrap());
        let got = chi_square_critical(df, conf).unwrap();
        close("chi2 critical", got, c["value"].as_f64().unwrap(), 1e-9);
    }
    // Regions by brute force over every count in scipy's script.
    for c in r["kupiec_region"].as_array().unwrap() {
        let n = c["observations"].as_u64().unwrap() as usize;
        let p = c["exceedance"].as_f64().unwrap();
        let conf = c["confidence"].as_f64().unwrap();
        let want = floats(&c["region"]);
        let got = kupiec_region(n, VarLevel::Exceedance(p), conf).unwrap();
        assert_eq!(
            (got.0 as f64, got.1 as f64),
            (want[0], want[1]),
            "n {n} p {p} {conf}"
        );
    }
    // Exact central Poisson test: 2·min(P(X ≤ a), P(X ≥ a)) from scipy.stats.poisson.
    for c in r["poisson_test"].as_array().unwrap() {
        let (a, e) = (
            c["actual"].as_f64().unwrap(),
            c["expected"].as_f64().unwrap(),
        );
        close(
            "poisson test",
            poisson_test(a, e).unwrap(),
            c["p_value"].as_f64().unwrap(),
            1e-9,
        );
    }
    assert!(poisson_test(1.5, 1.0).is_err() && poisson_test(1.0, 0.0).is_err());
    // The A/E rows carry the test and the deviance goodness of fit (scipy.stats.chi2.sf).
    let lf = LimitedFluctuation::default();
    let ae = actual_vs_expected(
        &["a", "a", "b"],
        &[3.0, 7.0, 0.0],
        &[2.0, 3.0, 1.0],
        Measure::Counts,
        0.95,
        lf,
    )
    .unwrap();
    let seg = &ae.segments[0];
    close(
        "segment p",
        seg.p_value.unwrap(),
        poisson_test(10.0, 5.0).unwrap(),
        1e-15,
    );
    let d = seg.deviance.unwrap();
    // P(χ²₂ ≥ d) = e^{−d/2} in closed form.
    close(
        "deviance p",
        seg.deviance_p_value.unwrap(),
        (-d / 2.0).exp(),
        1e-12,
    );
    let amounts = actual_vs_expected(
        &["a"],
        &[3.0],
        &[2.0],
        Measure::Amounts { power: 1.5 },
        0.95,
        lf,
    )
    .unwrap();
    assert_eq!(
        (amounts.total.p_value, amounts.total.deviance_p_value),
        (None, None)
    );
}

#[test]
fn var_backtests_report_transitions_levels_and_basel_penalties() {
    // Exceedances at 3, 4 and 9 in 12 periods: transitions 00 ×6, 01 ×2, 11 ×1, 10 ×2.
    let mut hits = vec![false; 12];
    for i in [3, 4, 9] {
        hits[i] = true;
    }
    let bt = var_backtest(&hits, VarLevel::Exceedance(0.25)).unwrap();
    let t = bt.transitions;
    assert_eq!((t.n00, t.n01, t.n10, t.n11), (6, 2, 2, 1));
    assert_eq!((t.pi01, t.pi11, t.pi), (0.25, 1.0 / 3.0, 3.0 / 11.0));
    assert_eq!(bt.expected_exceedances, 3.0);
    // The level is taken as given: 250 × 0.04 is exactly 10, 250 × (1 − 0.96) is not.
    let none = vec![false; 250];
    let exact = var_backtest(&none, VarLevel::Exceedance(0.04)).unwrap();
    assert_eq!(exact.expected_exceedances, 10.0);
    let rounded = var_backtest(&none, VarLevel::Confidence(0.96)).unwrap();
    assert_ne!(rounded.expected_exceedances, 10.0);
    // Basel Committee (1996) Table 2 at 250 days, 99%; multiplier 3 + plus.
    let table = [
        0.0, 0.0, 0.0, 0.0, 0.0, 0.40, 0.50, 0.65, 0.75, 0.85, 1.0, 1.0,
    ];
    for (x, plus) in table.iter().enumerate() {
        let p = basel_penalty(250, x, VarLevel::Confidence(0.99)).unwrap();
        assert_eq!((p.plus_factor, p.multiplier), (*plus, 3.0 + plus), "x {x}");
    }
    // Another sample size maps through the cumulative probabilities of the Basel table
    // (scipy.stats.binom.cdf(k, 250, 0.01)): 500 days at 99%.
    let cum = floats(&statistics()["basel_cumulative_250"]);
    for x in 0..=20usize {
        let p = basel_penalty(500, x, VarLevel::Confidence(0.99)).unwrap();
        let (zone, c) = traffic_light(500, x, VarLevel::Confidence(0.99)).unwrap();
        let want = match zone {
            Zone::Green => 0.0,
            Zone::Red => 1.0,
            Zone::Yellow => (5..=9)
                .rev()
                .find(|&k| cum[k] <= c)
                .map_or(0.40, |k| table[k]),
        };
        assert_eq!(p.plus_factor, want, "500 days, x {x}");
    }
    assert_eq!(
        bt.kupiec_region_95,
        kupiec_region(12, VarLevel::Exceedance(0.25), 0.95).unwrap()
    );
    assert!(var_backtest(&hits, VarLevel::Exceedance(0.0)).is_err());
    assert!(kupiec_region(0, VarLevel::Exceedance(0.1), 0.95).is_err());
}

#[test]
fn premium_lift_sums_against_the_base_premium() {
    let premium = [10.0, 10.0, 20.0, 20.0, 5.0, 5.0];
    let predicted = [8.0, 12.0, 30.0, 10.0, 5.0, 2.0];
    let actual = [6.0, 14.0, 33.0, 12.0, 4.0, 1.0];
    let t = premium_lift(&actual, &predicted, &premium, 3).unwrap();
    // Sorted by predicted/premium: 0.4 (row 5), 0.5 (row 3) | 0.8, 1.0 | 1.2, 1.5.
    assert_eq!(t[0].rows, 2);
    assert_eq!(
        (t[0].premium, t[0].predicted, t[0].actual),
        (25.0, 12.0, 13.0)
    );
    assert_eq!(
        (t[2].premium, t[2].predicted, t[2].actual),
        (30.0, 42.0, 47.0)
    );
    assert_eq!(t[2].loss_ratio, 47.0 / 30.0);
    assert_eq!(t[2].indicated, 42.0 / 30.0);
    let total: f64 = t.iter().map(|g| g.actual).sum();
    assert_eq!(total, actual.iter().sum::<f64>());
    let lt = lift(&actual, &predicted, 3).unwrap();
    assert_eq!(lt.iter().map(|g| g.sum_actual).sum::<f64>(), total);
    let e = premium_lift(&actual, &predicted, &[1.0, 1.0, 0.0, 1.0, 1.0, 1.0], 2).unwrap_err();
    assert!(e.to_string().contains("premium[2]"), "{e}");
}
