//! Rating plans from a CSV table: statsmodels agreement, relativities reproducing the fitted
//! means, the monotone (阶梯式) score constraint, JSON round trips and row-level errors.
//! Data: data/glm_synthetic.csv; references: tests/data/glm_reference.json (both from
//! scripts/make_glm_reference.py).

use kexian::rating::{GlmFamily, PlanWarning, RatingPlan, RatingSpec};
use kexian::table::Table;
use serde_json::Value;

fn table() -> Table {
    Table::from_path(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data/glm_synthetic.csv"
    ))
    .unwrap()
}

fn reference(name: &str, field: &str) -> Vec<f64> {
    let r: Value = serde_json::from_str(include_str!("data/glm_reference.json")).unwrap();
    match &r[name][field] {
        Value::Array(a) => a.iter().map(|v| v.as_f64().unwrap()).collect(),
        v => vec![v.as_f64().unwrap()],
    }
}

fn spec(monotone: bool) -> RatingSpec {
    serde_json::from_value(serde_json::json!({
        "response": "claims",
        "exposure": "exposure",
        "factors": [
            {"kind": "score_tier", "column": "score", "monotone": monotone},
            {"kind": "categorical", "column": "sector", "base": "0"},
            {"kind": "numeric", "column": "log_revenue", "center": 17.0}
        ]
    }))
    .unwrap()
}

fn close(what: &str, got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "{what}");
    for (j, (g, w)) in got.iter().zip(want).enumerate() {
        assert!((g - w).abs() <= tol * w.abs(), "{what}[{j}]: {g} vs {w}");
    }
}

/// base × Π relativity(level of the row) × exp(β·x) × exposure, computed from the plan's
/// relativity table and the raw cells only.
fn by_relativities(plan: &RatingPlan, t: &Table, row: usize) -> f64 {
    let cell = |name: &str| t.text(row, t.column(name).unwrap()).to_owned();
    let score: f64 = cell("score").parse().unwrap();
    let tier = format!("T{}", ((score / 200.0).floor() as usize).min(4) + 1);
    let lrev: f64 = cell("log_revenue").parse().unwrap();
    let exposure: f64 = cell("exposure").parse().unwrap();
    plan.base()
        * plan.relativity("score", &tier).unwrap()
        * plan.relativity("sector", &cell("sector")).unwrap()
        * plan
            .relativity("log_revenue", "per unit")
            .unwrap()
            .powf(lrev - 17.0)
        * exposure
}

#[test]
fn plan_matches_statsmodels_and_its_relativities_reproduce_the_fitted_means() {
    let t = table();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec(false), &t).unwrap();
    assert_eq!(
        plan.columns(),
        [
            "intercept",
            "score=T2",
            "score=T3",
            "score=T4",
            "score=T5",
            "sector=1",
            "sector=2",
            "log_revenue"
        ]
    );
    // statsmodels GLM Poisson with ln(exposure) offset: 1e-6 relative (acceptance 1).
    close(
        "β",
        &plan.glm().coefficients,
        &reference("poisson", "coefficients"),
        1e-6,
    );
    close(
        "se",
        &plan.glm().std_errors,
        &reference("poisson", "std_errors"),
        1e-6,
    );
    let fitted = plan.predict(&t).unwrap();
    for (row, f) in fitted.iter().enumerate() {
        let r = by_relativities(&plan, &t, row);
        assert!((r / f - 1.0).abs() < 1e-12, "row {row}: {r} vs {f}");
    }
    let claims: f64 = (0..t.len())
        .map(|r| t.number(r, t.column("claims").unwrap()).unwrap())
        .sum();
    assert!((fitted.iter().sum::<f64>() / claims - 1.0).abs() < 1e-10);
    // The relativity table lists every level, base levels at exactly 1.
    let rel = plan.relativities();
    assert_eq!(rel.len(), 5 + 3 + 1);
    assert_eq!(rel[0].relativity, 1.0);
    assert_eq!(rel[5].relativity, 1.0);
    assert_eq!((rel[0].std_error, rel[0].interval), (0.0, (1.0, 1.0)));
    // On the relativity scale: SE exp(β)·SE(β) (delta method), 95% interval exp(β ± 1.96 SE(β)).
    for r in &rel {
        let (beta, se) = (r.relativity.ln(), r.log_std_error);
        assert!((r.std_error - r.relativity * se).abs() <= 1e-12 * r.relativity);
        assert!((r.interval.0 - (beta - 1.959963984540054 * se).exp()).abs() < 1e-12);
        assert!(r.interval.0 <= r.relativity && r.relativity <= r.interval.1);
    }
}

#[test]
fn monotone_plan_merges_tiers_and_matches_the_merged_statsmodels_fit() {
    let t = table();
    let free = RatingPlan::fit(GlmFamily::Poisson, &spec(false), &t).unwrap();
    let tier = |p: &RatingPlan, k: usize| p.relativity("score", &format!("T{k}")).unwrap();
    // Unconstrained, the tier 5 relativity is above tier 4's (risk rises with the score).
    assert!(tier(&free, 5) > tier(&free, 4));
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec(true), &t).unwrap();
    for k in 1..5 {
        assert!(tier(&plan, k + 1) <= tier(&plan, k), "tier {k}");
    }
    assert_eq!(tier(&plan, 4), tier(&plan, 5));
    assert!(plan.columns().contains(&"score=T4+T5".to_owned()));
    // statsmodels with one dummy for tiers 4+5: 1e-6 relative; deviance and AIC to 1e-8.
    close(
        "β",
        &plan.glm().coefficients,
        &reference("poisson_monotone", "coefficients"),
        1e-6,
    );
    close(
        "deviance",
        &[plan.glm().deviance],
        &reference("poisson_monotone", "deviance"),
        1e-8,
    );
    let fitted = plan.predict(&t).unwrap();
    for (row, f) in fitted.iter().enumerate() {
        assert!((by_relativities(&plan, &t, row) / f - 1.0).abs() < 1e-12);
    }
    // The constraint costs fit: the deviance cannot fall.
    assert!(plan.glm().deviance >= free.glm().deviance);
}

#[test]
fn plan_and_fit_round_trip_through_json() {
    let t = table();
    for family in [
        GlmFamily::Poisson,
        GlmFamily::NegativeBinomial { alpha: Some(0.5) },
    ] {
        let plan = RatingPlan::fit(family, &spec(true), &t).unwrap();
        let json = serde_json::to_string(&plan).unwrap();
        let back: RatingPlan = serde_json::from_str(&json).unwrap();
        assert_eq!(back, plan);
        assert_eq!(back.predict(&t).unwrap(), plan.predict(&t).unwrap());
        let glm_json = serde_json::to_string(plan.glm()).unwrap();
        assert_eq!(
            &serde_json::from_str::<kexian::rating::GlmFit>(&glm_json).unwrap(),
            plan.glm()
        );
        // A tampered plan (a coefficient dropped) is refused.
        let mut v: Value = serde_json::from_str(&json).unwrap();
        v["glm"]["coefficients"].as_array_mut().unwrap().pop();
        assert!(serde_json::from_value::<RatingPlan>(v).is_err());
    }
}

fn small(csv: &str) -> Table {
    Table::from_reader("firms.csv", csv.as_bytes()).unwrap()
}

#[test]
fn bad_rows_and_unknown_levels_are_reported_by_line() {
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec(false), &table()).unwrap();
    let header = "score,sector,log_revenue,exposure\n";
    let err = |rows: &str| {
        plan.predict(&small(&format!("{header}{rows}")))
            .unwrap_err()
            .to_string()
    };
    let e = err("500,1,17,1\n500,7,17,1\n");
    assert!(
        e.contains("line 3") && e.contains("`7`") && e.contains("sector"),
        "{e}"
    );
    let e = err("500,1,NaN,1\n");
    assert!(e.contains("line 2") && e.contains("log_revenue"), "{e}");
    let e = err("500,1,17,1\n500,1,17,-0.5\n");
    assert!(e.contains("line 3") && e.contains("exposure"), "{e}");
    let e = err("1200,1,17,1\n");
    assert!(e.contains("line 2") && e.contains("score"), "{e}");
    let e = plan
        .predict(&small("score,log_revenue\n500,17\n"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("`sector`") && e.contains("no such column"),
        "{e}"
    );
    // Cells and lines outside the table are empty, not a panic.
    let t = small("a,b\n1,2\n");
    assert_eq!((t.text(5, 0), t.text(0, 9), t.line(7)), ("", "", 0));
    // Ragged rows are refused when the table is read.
    let e = Table::from_reader("firms.csv", "a,b\n1,2\n3\n".as_bytes()).unwrap_err();
    assert!(e.to_string().contains("line 3"), "{e}");
    // Predictions without the exposure column are per unit of exposure.
    let per_unit = plan
        .predict(&small("score,sector,log_revenue\n500,0,17\n"))
        .unwrap();
    assert!(
        (per_unit[0] / (plan.base() * plan.relativity("score", "T3").unwrap()) - 1.0).abs() < 1e-12
    );
}

#[test]
fn training_data_errors_name_the_level_or_row() {
    let fit = |csv: &str, spec: &RatingSpec| {
        RatingPlan::fit(GlmFamily::Poisson, spec, &small(csv))
            .unwrap_err()
            .to_string()
    };
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector"}]}"#,
    )
    .unwrap();
    // A sector with no claims at all: not estimable, reported by name.
    let csv = "claims,exposure,sector\n1,1,ic\n2,1,ic\n0,1,ai\n0,2,ai\n3,1,ic\n";
    let e = fit(csv, &spec);
    assert!(
        e.contains("level `ai` of `sector`") && e.contains("no claims"),
        "{e}"
    );
    let e = fit("claims,exposure,sector\n1,1,ic\n2,-1,ai\n", &spec);
    assert!(e.contains("line 3") && e.contains("exposure"), "{e}");
    let e = fit("claims,exposure,sector\n1,1,ic\n-2,1,ai\n", &spec);
    assert!(e.contains("line 3") && e.contains("claims"), "{e}");
    let e = fit("claims,exposure,sector\n", &spec);
    assert!(e.contains("empty"), "{e}");
    // Unknown fields in a spec, duplicate factors and unknown interaction names.
    assert!(
        serde_json::from_str::<RatingSpec>(r#"{"response": "y", "factors": [], "offset": "e"}"#)
            .is_err()
    );
    let dup: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "categorical", "column": "sector"},
            {"kind": "numeric", "column": "sector"}]}"#,
    )
    .unwrap();
    assert!(fit("claims,sector\n1,a\n2,b\n", &dup).contains("twice"));
    let bad_base: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "categorical", "column": "sector", "base": "zz"}]}"#,
    )
    .unwrap();
    assert!(fit("claims,sector\n1,a\n2,b\n", &bad_base).contains("zz"));
}

#[test]
fn banded_factors_and_interactions_build_the_expected_columns() {
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "banded", "column": "log_revenue", "cuts": [16.0, 18.0]},
                        {"kind": "categorical", "column": "sector", "base": "0"}],
            "interactions": [["log_revenue", "sector"]]}"#,
    )
    .unwrap();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec, &table()).unwrap();
    // Base band = the most frequent one, [16, 18).
    assert_eq!(plan.relativity("log_revenue", "[16, 18)").unwrap(), 1.0);
    assert_eq!(plan.columns().len(), 1 + 2 + 2 + 4);
    assert!(
        plan.columns()
            .contains(&"log_revenue=<16:sector=2".to_owned())
    );
    let fitted = plan.predict(&table()).unwrap();
    assert!(fitted.iter().all(|f| f.is_finite() && *f > 0.0));
}

#[test]
fn score_scales_validate_and_tier_scores() {
    use kexian::rating::{InnovationScore, ScoreScale, Stage, SubIndicators};
    let s: ScoreScale =
        serde_json::from_str(r#"{"min": 0, "max": 100, "cuts": [60, 85]}"#).unwrap();
    assert_eq!(
        (s.tiers(), s.tier(59.99).unwrap(), s.tier(85.0).unwrap()),
        (3, 1, 3)
    );
    assert_eq!(s.tier_bounds(2), Some((60.0, 85.0)));
    assert_eq!(s.tier_bounds(4), None);
    for bad in [
        r#"{"min": 0, "max": 100, "cuts": [60, 50]}"#,
        r#"{"min": 0, "max": 100, "cuts": [100]}"#,
        r#"{"min": 10, "max": 0, "cuts": []}"#,
        r#"{"min": 0, "max": 100, "cuts": [], "tiers": 5}"#,
    ] {
        assert!(serde_json::from_str::<ScoreScale>(bad).is_err(), "{bad}");
    }
    assert!(s.tier(f64::NAN).is_err() && s.tier(-1.0).is_err());
    let firm = InnovationScore::new(72.0, &s)
        .unwrap()
        .with_stage(Stage::StartUp)
        .with_indicators(SubIndicators {
            rd_intensity: 0.12,
            patents: 8.0,
            rd_staff_share: 0.4,
            revenue_growth: 0.3,
        })
        .unwrap();
    assert_eq!(
        (firm.tier(), firm.stage().unwrap().label_zh()),
        (2, "初创期")
    );
    let bad = SubIndicators {
        rd_intensity: 0.1,
        patents: 1.0,
        rd_staff_share: 1.5,
        revenue_growth: 0.0,
    };
    let e = InnovationScore::new(72.0, &s)
        .unwrap()
        .with_indicators(bad)
        .unwrap_err();
    assert!(e.to_string().contains("rd_staff_share"), "{e}");
}

#[test]
fn monotone_plans_merge_a_claim_free_tier_downwards() {
    let csv = "claims,exposure,score\n3,1,100\n2,1,150\n1,1,300\n2,1,350\n0,1,700\n0,1,750\n";
    let t = small(csv);
    let spec = |monotone: bool| -> RatingSpec {
        serde_json::from_value(serde_json::json!({
            "response": "claims", "exposure": "exposure",
            "factors": [{"kind": "score_tier", "column": "score", "monotone": monotone}]
        }))
        .unwrap()
    };
    let e = RatingPlan::fit(GlmFamily::Poisson, &spec(false), &t).unwrap_err();
    assert!(e.to_string().contains("level `T4` of `score`"), "{e}");
    assert!(e.to_string().contains("monotone"), "{e}");
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec(true), &t).unwrap();
    assert_eq!(plan.columns(), ["intercept", "score=T2+T4"]);
    // T2+T4: 3 claims in 4 years against T1's 5 in 2.
    let r = plan.relativity("score", "T4").unwrap();
    assert!((r - 0.75 / 2.5).abs() < 1e-9, "{r}");
}

#[test]
fn a_claim_free_base_level_is_named_with_remedies() {
    // Level B is the base (most exposure) and has no claims.
    let t = small("claims,exposure,sector\n0,3,B\n0,3,B\n2,1,A\n1,1,A\n3,1,C\n1,1,C\n");
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector"}]}"#,
    )
    .unwrap();
    for family in [
        GlmFamily::Poisson,
        GlmFamily::Tweedie { power: 1.5 },
        GlmFamily::NegativeBinomial { alpha: None },
    ] {
        let e = RatingPlan::fit(family, &spec, &t).unwrap_err().to_string();
        assert!(
            e.contains("level `B` of `sector` (the base level) has no claims"),
            "{e}"
        );
        assert!(
            e.contains(r#""merge": {"B": "A"}"#) && !e.contains("aliased"),
            "{e}"
        );
    }
    // Every claim-free level is reported, not only the first.
    let two = small(
        "claims,exposure,sector,size\n0,3,B,s\n0,3,B,m\n2,1,A,m\n1,1,A,m\n3,1,C,m\n1,1,C,m\n",
    );
    let spec2: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector"},
                        {"kind": "categorical", "column": "size"}]}"#,
    )
    .unwrap();
    let e = RatingPlan::fit(GlmFamily::Poisson, &spec2, &two)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("level `B` of `sector`") && e.contains("level `s` of `size`"),
        "{e}"
    );
    // The remedy named in the message works: B rated as A.
    let merged: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector", "merge": {"B": "A"}}]}"#,
    )
    .unwrap();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &merged, &t).unwrap();
    // A (with B's rows): 3 claims in 8 years is the base; C: 4 claims in 2 years.
    assert!((plan.base() - 3.0 / 8.0).abs() < 1e-9, "{}", plan.base());
    assert!((plan.relativity("sector", "C").unwrap() - (2.0 / (3.0 / 8.0))).abs() < 1e-8);
    let bad: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "categorical", "column": "sector",
            "merge": {"B": "Z"}}]}"#,
    )
    .unwrap();
    let e = RatingPlan::fit(GlmFamily::Poisson, &bad, &t)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`Z` does not occur"), "{e}");
}

#[test]
fn bases_transforms_and_single_level_warnings() {
    let t = small(
        "claims,exposure,sector,patents,score\n\
         1,1,ai,0,850\n2,1,ai,3,420\n1,5,ic,1,430\n4,5,ic,0,610\n3,1,bio,7,820\n0,1,bio,2,450\n",
    );
    // Default base: the level with the most exposure (ic: 10 years), not the first name (ai).
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "categorical", "column": "sector"},
                        {"kind": "numeric", "column": "patents", "transform": "ln1p"}]}"#,
    )
    .unwrap();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec, &t).unwrap();
    assert_eq!(plan.relativity("sector", "ic").unwrap(), 1.0);
    assert!(plan.columns().contains(&"ln(1+patents)".to_owned()));
    assert!(plan.warnings().is_empty());
    // ln(1 + x) enters the design: the fitted means solve the score equations with it.
    let fitted = plan.predict(&t).unwrap();
    let claims = [1.0, 2.0, 1.0, 4.0, 3.0, 0.0];
    let patents = [0.0_f64, 3.0, 1.0, 0.0, 7.0, 2.0];
    let score: f64 = (0..6)
        .map(|i| patents[i].ln_1p() * (claims[i] - fitted[i]))
        .sum();
    assert!(score.abs() < 1e-8, "{score}");
    // ln of a zero count is refused with the line and the rule.
    let ln: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "numeric", "column": "patents",
            "transform": "ln"}]}"#,
    )
    .unwrap();
    let e = RatingPlan::fit(GlmFamily::Poisson, &ln, &t)
        .unwrap_err()
        .to_string();
    assert!(e.contains("line 2") && e.contains("transform ln"), "{e}");
    // A chosen score-tier base: T3 (400–600) has relativity 1, T5 is measured against it.
    let tiers: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "score_tier", "column": "score", "base": "T3"}]}"#,
    )
    .unwrap();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &tiers, &t).unwrap();
    assert_eq!(plan.relativity("score", "T3").unwrap(), 1.0);
    // T3: 3 claims in 7 years; T5: 4 claims in 2 years.
    let want = (4.0 / 2.0) / (3.0 / 7.0);
    assert!((plan.relativity("score", "T5").unwrap() - want).abs() < 1e-8);
    let unknown: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "score_tier", "column": "score",
            "base": "T2"}]}"#,
    )
    .unwrap();
    let e = RatingPlan::fit(GlmFamily::Poisson, &unknown, &t)
        .unwrap_err()
        .to_string();
    assert!(e.contains("`T2`") && e.contains("T3, T4, T5"), "{e}");
    // Scores of 0–100 on the default 0–1000 scale all fall in T1: the factor drops out with
    // a warning instead of silently.
    let low = small("claims,score\n1,10\n2,50\n0,99\n3,70\n");
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "factors": [{"kind": "score_tier", "column": "score"}]}"#,
    )
    .unwrap();
    let plan = RatingPlan::fit(GlmFamily::Poisson, &spec, &low).unwrap();
    assert_eq!(
        plan.warnings(),
        &[PlanWarning::SingleLevel {
            factor: "score".into(),
            level: "T1".into()
        }]
    );
}
