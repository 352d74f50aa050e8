//! R&D risk in time: a policy covers the stage gates that fall in its term (issue 32,
//! acceptance 1). Every expected value below is derived by hand in its comment.

use kexian::perils::{Peril, RndProject};
use kexian::simulation::batch_rng;

/// Stages of 1, 2 and 1 years, success 0.6, 0.5, 0.8, costs 1, 2, 3 million (cumulative
/// C = 1, 3, 6 million), no overrun, full cover; the policy starts in the first year of the
/// second stage (τ = 1).
fn project(term: &str, gates: &str, rate: f64) -> RndProject {
    serde_json::from_str(&format!(
        r#"{{"stages": [
            {{"name": "a", "success_probability": 0.6, "cost": 1e6, "years": 1}},
            {{"name": "b", "success_probability": 0.5, "cost": 2e6, "years": 2}},
            {{"name": "c", "success_probability": 0.8, "cost": 3e6, "years": 1}}],
          "budget": 1e7, "stage": "b", "years_in_stage": 0,
          "term": {term}, "gates": "{gates}", "discount_rate": {rate}}}"#
    ))
    .unwrap()
}

#[test]
fn a_one_year_policy_pays_for_the_gates_of_its_year() {
    // End gates: stage b's gate falls 2 years after τ, outside the first policy year.
    let p = project("1", "end", 0.0);
    assert_eq!(p.failure_probability(), 0.0);
    assert_eq!(p.expected_payment().unwrap(), 0.0);
    // A year later (t = 1): the gate falls in the year, P = 1 − 0.5, payment C₂ = 3m.
    let mut later: serde_json::Value = serde_json::to_value(&p).unwrap();
    later["years_in_stage"] = 1.0.into();
    let later: RndProject = serde_json::from_value(later).unwrap();
    assert!((later.failure_probability() - 0.5).abs() < 1e-15);
    assert!((later.expected_payment().unwrap() - 1.5e6).abs() < 1e-6);
    // Constant hazard: stage b survives its first year w.p. 0.5^(1/2), so the year's failure
    // probability is 1 − √0.5 = 0.292893…, paying C₂ = 3m.
    let h = project("1", "hazard", 0.0);
    let q = 1.0 - 0.5f64.sqrt();
    assert!((h.failure_probability() - q).abs() < 1e-15);
    assert!((h.expected_payment().unwrap() - q * 3e6).abs() < 1e-6);
}

#[test]
fn a_project_term_policy_pays_for_the_whole_remaining_path() {
    // From stage b: fail at b w.p. 0.5 (3m), at c w.p. 0.5 · 0.2 = 0.1 (6m): P = 0.6,
    // E = 1.5m + 0.6m = 2.1m, whatever the timing within the stages.
    for gates in ["end", "hazard"] {
        let p = project("\"project\"", gates, 0.0);
        assert!((p.failure_probability() - 0.6).abs() < 1e-15, "{gates}");
        assert!(
            (p.expected_payment().unwrap() - 2.1e6).abs() < 1e-6,
            "{gates}"
        );
        assert_eq!(p.policy_years(), 3);
        let by_year = p.expected_payments_by_year().unwrap();
        assert!(
            (by_year.iter().sum::<f64>() - 2.1e6).abs() < 1e-6,
            "{gates}"
        );
    }
    // End gates by policy year: nothing in year 1, stage b's gate in year 2, c's in year 3.
    let by_year = project("\"project\"", "end", 0.0)
        .expected_payments_by_year()
        .unwrap();
    assert_eq!(by_year[0], 0.0);
    assert!((by_year[1] - 1.5e6).abs() < 1e-6);
    assert!((by_year[2] - 0.6e6).abs() < 1e-6);
    // From the project's start the path is the whole project: 1 − 0.6 · 0.5 · 0.8 = 0.76.
    let mut start: serde_json::Value =
        serde_json::to_value(project("\"project\"", "end", 0.0)).unwrap();
    start["stage"] = "a".into();
    let start: RndProject = serde_json::from_value(start).unwrap();
    assert!((start.failure_probability() - 0.76).abs() < 1e-15);
}

#[test]
fn the_term_premium_discounts_each_year_s_expected_payment() {
    // r = 5%, v = 1/1.05: PV = 1.5m·v² + 0.6m·v³ (payments at the end of the policy year).
    let p = project("\"project\"", "end", 0.05);
    let v: f64 = 1.0 / 1.05;
    let pv = 1.5e6 * v * v + 0.6e6 * v * v * v;
    assert!((p.expected_payment().unwrap() - pv).abs() < 1e-6 * pv);
    // Hazard timing: year 1 holds b's failures in its first year (1 − √0.5)·3m, year 2 the
    // rest of b, (√0.5 − 0.5)·3m, and year 3 c's 0.1·6m.
    let h = project("\"project\"", "hazard", 0.05);
    let s = 0.5f64.sqrt();
    let pv = (1.0 - s) * 3e6 * v + (s - 0.5) * 3e6 * v * v + 0.6e6 * v * v * v;
    assert!((h.expected_payment().unwrap() - pv).abs() < 1e-6 * pv);
    // The simulated payments are the discounted ones: the sample mean within 4 SE.
    let mut rng = batch_rng(32, 0);
    let n = 400_000;
    let (mut sum, mut sq) = (0.0, 0.0);
    for _ in 0..n {
        let x = if rand::RngExt::random::<f64>(&mut rng) < h.failure_probability() {
            h.sample_given_event(&mut rng)
        } else {
            0.0
        };
        sum += x;
        sq += x * x;
    }
    let mean = sum / n as f64;
    let se = ((sq / n as f64 - mean * mean) / n as f64).sqrt();
    assert!((mean - pv).abs() < 4.0 * se, "{mean} vs {pv} ± {se}");
}

#[test]
fn a_position_outside_the_project_is_refused() {
    let mut v: serde_json::Value = serde_json::to_value(project("1", "end", 0.0)).unwrap();
    v["years_in_stage"] = 2.0.into();
    let e = serde_json::from_value::<RndProject>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(e.contains("years_in_stage"), "{e}");
    v["years_in_stage"] = 0.0.into();
    v["stage"] = "z".into();
    let e = serde_json::from_value::<RndProject>(v.clone())
        .unwrap_err()
        .to_string();
    assert!(e.contains("stage `z`"), "{e}");
    v["stage"] = "b".into();
    v["term"] = (-1.0).into();
    let e = serde_json::from_value::<RndProject>(v)
        .unwrap_err()
        .to_string();
    assert!(e.contains("term"), "{e}");
}

#[test]
fn a_project_term_cover_is_quoted_for_its_term_with_an_annual_equivalent() {
    use kexian::assumptions::Assumptions;
    use kexian::quote::{Loadings, QuoteConfig, price};
    // An ai_software project (lab, pilot, transfer: 1 year each) in its pilot, insured to its
    // end: two policy years, payments discounted at 3%.
    let mut set = Assumptions::bundled().unwrap().set().clone();
    set.discount_rate = 0.03;
    set.shocks.clear();
    set.dependence = None;
    for p in &mut set.products {
        p.shocks.clear();
    }
    let assumptions = Assumptions::new(set).unwrap();
    let firm: kexian::book::Firm = serde_json::from_str(
        r#"{"id": "T1", "sector": "ai", "size": "small", "stage": "growth", "score": 600,
            "covers": [{"product": "rnd_failure", "project": "ai_software", "stage": "pilot",
                        "term": "project"}]}"#,
    )
    .unwrap();
    let u = assumptions.underwrite(&firm).unwrap();
    let peril = &u.policy.perils[0];
    assert_eq!(peril.term(), (2, 0.03));
    let kexian::perils::PerilModel::RndFailure(project) = peril else {
        panic!("an R&D peril")
    };
    // The pilot's gate in year 1 (w.p. 0.5), the transfer's in year 2 (w.p. 0.5 · 0.3).
    assert!((project.failure_probability() - 0.65).abs() < 1e-15);
    let by_year = project.expected_payments_by_year().unwrap();
    let pv = by_year[0] / 1.03 + by_year[1] / 1.03f64.powi(2);
    assert!((peril.expected_payment().unwrap() - pv).abs() < 1e-6 * pv);
    let loadings: Loadings = serde_json::from_str(
        r#"{"cost_of_capital": 0.1, "expense_ratio": 0.15, "commission_ratio": 0.05,
            "profit_ratio": 0.05}"#,
    )
    .unwrap();
    let config = QuoteConfig::new(3, 50_000, loadings).unwrap();
    let q = &price(&[firm], &assumptions, &config, None, None)
        .unwrap()
        .quotes[0];
    let c = &q.covers[0];
    assert_eq!(c.term_years, 2);
    // The level annual premium worth the term premium: premium / (1 + 1/1.03).
    let annual = c.annual_equivalent.unwrap();
    assert!((annual - c.premium / (1.0 + 1.0 / 1.03)).abs() < 1e-9 * annual);
    // Simulated against the discounted expected payment: within 4 standard errors.
    let z = (q.model_expected_loss - pv) / q.standard_errors.expected_loss;
    assert!(z.abs() < 4.0, "z = {z}");
}

#[test]
fn a_stage_without_a_project_or_on_another_product_is_refused() {
    use kexian::assumptions::Assumptions;
    let csv = "firm,sector,size,stage,score,rnd_stage\nF1,ai,small,growth,600,pilot\n";
    let table = kexian::table::Table::from_reader("book.csv", csv.as_bytes()).unwrap();
    let e = kexian::io::read_portfolio_csv(&table)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("line 2") && e.contains("need an `rnd_project`"),
        "{e}"
    );
    let firm: kexian::book::Firm = serde_json::from_str(
        r#"{"id": "T1", "sector": "ai", "size": "small", "stage": "growth", "score": 600,
            "covers": [{"product": "cyber", "stage": "pilot"}]}"#,
    )
    .unwrap();
    let e = Assumptions::bundled()
        .unwrap()
        .underwrite(&firm)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("covers[0].stage") && e.contains("no R&D project"),
        "{e}"
    );
    let firm: kexian::book::Firm = serde_json::from_str(
        r#"{"id": "T1", "sector": "ai", "size": "small", "stage": "growth", "score": 600,
            "covers": [{"product": "cyber", "term": 3}]}"#,
    )
    .unwrap();
    let e = Assumptions::bundled()
        .unwrap()
        .underwrite(&firm)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("covers[0].term") && e.contains("one-year cover"),
        "{e}"
    );
}
