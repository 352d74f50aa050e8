//! Credibility models against R actuar 3.3-2 on the classic Hachemeister (1975) data, as in
//! actuar's credibility vignette (tests/data/credibility_reference.json, made by
//! scripts/reference_credibility.R): Bühlmann–Straub with the unbiased and the iterative
//! (Bichsel–Straub) estimators, the vignette's hierarchical model (cohorts 1 2 1 2 2) with the
//! Bühlmann–Gisler, Ohlsson and iterative estimators, and Hachemeister's regression model
//! (time 1–12, intercept at the origin, premiums at time 13). Every value to 1e-6 relative
//! (actuar prints 4–10 significant digits; the reference keeps 17). Plus hand examples.

use kexian::rating::{
    BuhlmannStraub, CredibilityRecord, Hachemeister, Hierarchical, HierarchicalEstimator, Panel,
    StraubEstimator,
};
use serde_json::Value;

/// The Hachemeister data in long format, with arbitrary ids ("state-k", cohort "c1"/"c2")
/// and the rows shuffled, so nothing depends on positions.
fn hachemeister() -> Panel {
    let text = include_str!("data/hachemeister.csv");
    let mut records: Vec<CredibilityRecord> = text
        .lines()
        .skip(1)
        .map(|line| {
            let f: Vec<&str> = line.split(',').collect();
            CredibilityRecord {
                entity: format!("state-{}", f[0]),
                group: Some(format!("c{}", f[1])),
                period: f[2].parse().unwrap(),
                ratio: f[3].parse().unwrap(),
                weight: f[4].parse().unwrap(),
            }
        })
        .collect();
    // A fixed permutation (multiplicative stride coprime to 60) that keeps state-1 first.
    let n = records.len();
    let order: Vec<usize> = (0..n).map(|i| (i * 37) % n).collect();
    records = order.iter().map(|&i| records[i].clone()).collect();
    let panel = Panel::from_records(&records).unwrap();
    assert_eq!(panel.entities()[0], "state-1");
    panel
}

fn reference(model: &str) -> Value {
    let r: Value = serde_json::from_str(include_str!("data/credibility_reference.json")).unwrap();
    r[model].clone()
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap()
}

fn vector(v: &Value, key: &str) -> Vec<f64> {
    v[key]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Entity order in R is by state number; in the panel by first appearance.
fn by_state(panel_order: &[String], values: &[f64]) -> Vec<f64> {
    (1..=values.len())
        .map(|s| {
            let i = panel_order
                .iter()
                .position(|e| *e == format!("state-{s}"))
                .unwrap();
            values[i]
        })
        .collect()
}

fn close(what: &str, got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= 1e-6 * w.abs(), "{what}[{j}]: {g} vs {w}");
    }
}

#[test]
fn buhlmann_straub_matches_actuar_with_both_estimators() {
    let panel = hachemeister();
    for (name, estimator) in [
        ("straub_unbiased", StraubEstimator::Unbiased),
        ("straub_iterative", StraubEstimator::Iterative),
    ] {
        let r = reference(name);
        let fit = BuhlmannStraub::fit(&panel, estimator).unwrap();
        let e = fit.entities();
        close(name, &[fit.collective()], &[num(&r, "collective")]);
        close(name, &[fit.between_variance()], &[num(&r, "between")]);
        close(name, &[fit.within_variance()], &[num(&r, "within")]);
        close(name, &by_state(e, fit.entity_means()), &vector(&r, "means"));
        close(name, &by_state(e, fit.weights()), &vector(&r, "weights"));
        close(name, &by_state(e, fit.factors()), &vector(&r, "factors"));
        close(name, &by_state(e, &fit.premiums()), &vector(&r, "premiums"));
        let k = fit.k().unwrap();
        assert!((fit.factors()[0] - fit.weights()[0] / (fit.weights()[0] + k)).abs() < 1e-15);
    }
    // The printed vignette values (4 significant digits for the structure parameters).
    let fit = BuhlmannStraub::fit(&panel, StraubEstimator::Unbiased).unwrap();
    assert_eq!(fit.collective().round(), 1684.0);
    assert_eq!(fit.between_variance().round(), 89639.0);
    assert_eq!(fit.within_variance().round(), 139_120_026.0);
    assert!((fit.premium("state-1").unwrap() - 2055.165).abs() < 5e-4);
}

#[test]
fn hierarchical_matches_actuar_with_every_estimator() {
    let panel = hachemeister();
    for (name, estimator) in [
        (
            "hierarchical_buhlmann_gisler",
            HierarchicalEstimator::BuhlmannGisler,
        ),
        ("hierarchical_ohlsson", HierarchicalEstimator::Ohlsson),
        ("hierarchical_iterative", HierarchicalEstimator::Iterative),
    ] {
        let r = reference(name);
        let fit = Hierarchical::fit(&panel, estimator).unwrap();
        close(name, &[fit.collective()], &[num(&r, "collective")]);
        close(name, &[fit.between_groups()], &[num(&r, "between_groups")]);
        close(
            name,
            &[fit.between_entities()],
            &[num(&r, "between_entities")],
        );
        close(name, &[fit.within_variance()], &[num(&r, "within")]);
        // Groups appear in the panel as c1, c2 (state-1 comes first), as in R.
        assert_eq!(fit.groups(), ["c1", "c2"]);
        close(name, fit.group_means(), &vector(&r, "group_means"));
        close(name, fit.group_weights(), &vector(&r, "group_weights"));
        close(name, fit.group_factors(), &vector(&r, "group_factors"));
        close(name, fit.group_premiums(), &vector(&r, "group_premiums"));
        let e = fit.entities();
        close(
            name,
            &by_state(e, fit.entity_factors()),
            &vector(&r, "entity_factors"),
        );
        close(
            name,
            &by_state(e, fit.entity_premiums()),
            &vector(&r, "entity_premiums"),
        );
    }
}

#[test]
fn hachemeister_regression_matches_actuar() {
    let r = reference("hachemeister");
    let panel = hachemeister();
    let fit = Hachemeister::fit(&panel).unwrap();
    let e = fit.entities().to_vec();
    close("collective", fit.collective(), &vector(&r, "collective"));
    close("within", &[fit.within_variance()], &[num(&r, "within")]);
    let rows = |key: &str| -> Vec<Vec<f64>> {
        r[key]
            .as_array()
            .unwrap()
            .iter()
            .map(|row| {
                row.as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_f64().unwrap())
                    .collect()
            })
            .collect()
    };
    for (got, want) in fit.between_covariance().iter().zip(rows("between")) {
        close("between", got, &want);
    }
    let column = |m: &[Vec<f64>], c: usize| -> Vec<f64> { m.iter().map(|b| b[c]).collect() };
    for c in 0..2 {
        close(
            "individual",
            &by_state(&e, &column(fit.individual(), c)),
            &column(&rows("individual"), c),
        );
        close(
            "adjusted",
            &by_state(&e, &column(fit.coefficients(), c)),
            &column(&rows("adjusted"), c),
        );
    }
    close(
        "premiums at 13",
        &by_state(&e, &fit.premiums(13.0)),
        &vector(&r, "premiums_at_13"),
    );
    // Credibility matrices, state by state.
    let cred = r["credibility"].as_array().unwrap();
    for (s, want) in cred.iter().enumerate() {
        let i = e
            .iter()
            .position(|x| *x == format!("state-{}", s + 1))
            .unwrap();
        for (a, row) in want.as_array().unwrap().iter().enumerate() {
            for (b, v) in row.as_array().unwrap().iter().enumerate() {
                let (g, w) = (fit.factors()[i][a][b], v.as_f64().unwrap());
                assert!(
                    (g - w).abs() <= 1e-6 * w.abs().max(1e-3),
                    "Z[{s}][{a}][{b}]: {g} vs {w}"
                );
            }
        }
    }
}

fn records(rows: &[(&str, Option<&str>, f64, f64)]) -> Vec<CredibilityRecord> {
    rows.iter()
        .map(|&(e, g, period, ratio)| CredibilityRecord {
            entity: e.into(),
            group: g.map(Into::into),
            period,
            ratio,
            weight: 1.0,
        })
        .collect()
}

#[test]
fn buhlmann_by_hand_and_bad_panels() {
    // Means 2 and 5, σ² = 1, a = 25/6, K = σ²/a = 6/25, Z = 3/(3 + 6/25) = 25/27, μ = 3.5:
    // premiums (25·2 + 2·3.5)/27 = 57/27 and (25·5 + 7)/27 = 132/27.
    let panel = Panel::from_records(&records(&[
        ("x", None, 1.0, 1.0),
        ("x", None, 2.0, 2.0),
        ("x", None, 3.0, 3.0),
        ("y", None, 1.0, 4.0),
        ("y", None, 2.0, 5.0),
        ("y", None, 3.0, 6.0),
    ]))
    .unwrap();
    for estimator in [StraubEstimator::Unbiased, StraubEstimator::Iterative] {
        // Equal weights: the iterative estimator is the unbiased one (as in actuar).
        let fit = BuhlmannStraub::fit(&panel, estimator).unwrap();
        assert!((fit.premiums()[0] - 57.0 / 27.0).abs() < 1e-12);
        assert!((fit.premium("y").unwrap() - 132.0 / 27.0).abs() < 1e-12);
        assert!((fit.k().unwrap() - 6.0 / 25.0).abs() < 1e-12);
    }
    // Identical means: â = 0, no credibility, the premium is the weighted mean.
    let flat = Panel::from_records(&records(&[
        ("x", None, 1.0, 1.0),
        ("x", None, 2.0, 3.0),
        ("y", None, 1.0, 3.0),
        ("y", None, 2.0, 1.0),
    ]))
    .unwrap();
    let fit = BuhlmannStraub::fit(&flat, StraubEstimator::Iterative).unwrap();
    assert_eq!((fit.between_variance(), fit.k()), (0.0, None));
    assert_eq!(fit.premiums(), vec![2.0, 2.0]);
    let (z, p) = fit.blend(10.0, 5.0, 2.5).unwrap();
    assert_eq!((z, p), (0.0, 2.5));
    // Bad panels: each error names the record or the rule.
    let e = Panel::from_records(&records(&[("x", None, 1.0, 1.0), ("x", None, 1.0, 2.0)]))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("records 0 and 1") && e.contains("period 1 twice"),
        "{e}"
    );
    let e = Panel::from_records(&records(&[
        ("x", Some("a"), 1.0, 1.0),
        ("x", Some("b"), 2.0, 2.0),
    ]))
    .unwrap_err()
    .to_string();
    assert!(e.contains("record 1") && e.contains("group"), "{e}");
    let e = Panel::from_records(&records(&[("x", None, 1.0, f64::NAN)]))
        .unwrap_err()
        .to_string();
    assert!(e.contains("ratio[0]"), "{e}");
    assert!(Panel::from_records(&[]).is_err());
    let mut zero = records(&[("x", None, 1.0, 1.0)]);
    zero[0].weight = 0.0;
    assert!(
        Panel::from_records(&zero)
            .unwrap_err()
            .to_string()
            .contains("weight[0]")
    );
    assert!(
        Panel::from_columns(
            &["x", "y"],
            None::<&[&str]>,
            &[1.0],
            &[1.0, 2.0],
            &[1.0, 1.0]
        )
        .is_err()
    );
    let one =
        Panel::from_records(&records(&[("x", None, 1.0, 1.0), ("x", None, 2.0, 2.0)])).unwrap();
    assert!(BuhlmannStraub::fit(&one, StraubEstimator::Unbiased).is_err());
    let single =
        Panel::from_records(&records(&[("x", None, 1.0, 1.0), ("y", None, 1.0, 2.0)])).unwrap();
    let e = BuhlmannStraub::fit(&single, StraubEstimator::Unbiased)
        .unwrap_err()
        .to_string();
    assert!(e.contains("two periods"), "{e}");
    // Two exact lines with one slope: no between variation of slopes to estimate.
    let e = Hachemeister::fit(&panel).unwrap_err().to_string();
    assert!(e.contains("singular"), "{e}");
    assert!(
        Hachemeister::fit(&flat)
            .unwrap_err()
            .to_string()
            .contains("at least three")
    );
}

#[test]
fn hierarchical_by_hand() {
    // Firm means 2, 6 | 11, 17 (two years each, unit weights): σ² = 2; â_i = 7 and 17, â = 12;
    // Z = 2/(2 + 2/12) = 12/13; sector means 4 and 14, Z_i = 24/13, grand mean 9;
    // b̂ = (24/13·50 − 12)/(48/13 − 24/13) = 43.5; Q = (24/13)/(24/13 + 12/43.5) = 0.87;
    // μ̂ = 9; sector premiums 0.87·4 + 0.13·9 = 4.65 and 13.35; firm 1: (12·2 + 4.65)/13.
    // With equal firm weights and two firms per sector Ohlsson's estimator is the same.
    let panel = Panel::from_records(&records(&[
        ("a", Some("ic"), 1.0, 1.0),
        ("a", Some("ic"), 2.0, 3.0),
        ("b", Some("ic"), 1.0, 5.0),
        ("b", Some("ic"), 2.0, 7.0),
        ("c", Some("ai"), 1.0, 10.0),
        ("c", Some("ai"), 2.0, 12.0),
        ("d", Some("ai"), 1.0, 16.0),
        ("d", Some("ai"), 2.0, 18.0),
    ]))
    .unwrap();
    for estimator in [
        HierarchicalEstimator::BuhlmannGisler,
        HierarchicalEstimator::Ohlsson,
    ] {
        let fit = Hierarchical::fit(&panel, estimator).unwrap();
        let close = |g: f64, want: f64| assert!((g - want).abs() < 1e-12, "{g} vs {want}");
        close(fit.between_entities(), 12.0);
        close(fit.entity_factors()[0], 12.0 / 13.0);
        close(fit.between_groups(), 43.5);
        close(fit.group_factors()[0], 0.87);
        close(fit.collective(), 9.0);
        close(fit.group_premiums()[0], 4.65);
        close(fit.group_premiums()[1], 13.35);
        close(fit.entity_premiums()[0], (24.0 + 4.65) / 13.0);
        close(fit.k().1.unwrap(), 2.0 / 12.0);
    }
    // The iterative estimator converges to a fixed point of its own equations.
    let it = Hierarchical::fit(&panel, HierarchicalEstimator::Iterative).unwrap();
    let z = it.entity_factors();
    let m = it.group_means();
    let fixed = (z[0] * (2.0 - m[0]).powi(2)
        + z[1] * (6.0 - m[0]).powi(2)
        + z[2] * (11.0 - m[1]).powi(2)
        + z[3] * (17.0 - m[1]).powi(2))
        / 2.0;
    assert!((fixed / it.between_entities() - 1.0).abs() < 1e-6);
    // No groups, one group, no group with two entities.
    let plain = Panel::from_records(&records(&[
        ("a", None, 1.0, 1.0),
        ("a", None, 2.0, 3.0),
        ("b", None, 1.0, 5.0),
        ("b", None, 2.0, 7.0),
    ]))
    .unwrap();
    assert!(Hierarchical::fit(&plain, HierarchicalEstimator::BuhlmannGisler).is_err());
    let lonely = Panel::from_records(&records(&[
        ("a", Some("x"), 1.0, 1.0),
        ("a", Some("x"), 2.0, 3.0),
        ("b", Some("y"), 1.0, 5.0),
        ("b", Some("y"), 2.0, 7.0),
    ]))
    .unwrap();
    let e = Hierarchical::fit(&lonely, HierarchicalEstimator::Ohlsson)
        .unwrap_err()
        .to_string();
    assert!(e.contains("2 entities in 2 groups"), "{e}");
}

#[test]
fn experience_factor_is_the_poisson_gamma_posterior_mean() {
    use kexian::rating::experience_factor;
    // Gamma(shape 1/α, rate 1/α) firm effect, N ~ Poisson(E·θ): posterior mean of θ is
    // (1/α + N)/(1/α + E) (conjugacy; e.g. Klugman–Panjer–Willmot, Loss Models, §17.3).
    for (e, n, a) in [
        (2.0, 5.0, 0.5),
        (0.3, 0.0, 2.0),
        (10.0, 3.0, 0.05),
        (1.0, 1.0, 0.0),
    ] {
        let (z, f) = experience_factor(e, n, a).unwrap();
        let posterior = if a > 0.0 {
            (1.0 / a + n) / (1.0 / a + e)
        } else {
            1.0
        };
        assert!((f - posterior).abs() < 1e-14, "{f} vs {posterior}");
        assert!((0.0..1.0).contains(&z));
    }
    assert!(experience_factor(0.0, 1.0, 0.5).is_err());
    assert!(experience_factor(1.0, -1.0, 0.5).is_err());
    assert!(experience_factor(1.0, 1.0, f64::NAN).is_err());
}
