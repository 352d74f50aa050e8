//! Sensitivity with common random numbers: a +10% frequency moves the book's simulated mean by
//! the closed-form change within its (small) standard error; stresses and steps re-price.

use kexian::assumptions::{Assumptions, Scenario};
use kexian::perils::Peril;
use kexian::quote::QuoteConfig;
use kexian::sensitivity::{ScenarioKind, sensitivity, steps};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn setup() -> (Vec<kexian::book::Firm>, Assumptions, QuoteConfig) {
    let firms = kexian::io::read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let mut config: QuoteConfig = kexian::io::read_config(format!("{DATA}/pricing.json")).unwrap();
    config.simulation.trials = 1 << 15;
    config.rating = None;
    (firms, Assumptions::bundled().unwrap(), config)
}

/// Σ over the book's perils of the closed-form expected payment under `a`.
fn closed_form(firms: &[kexian::book::Firm], a: &Assumptions) -> f64 {
    (a.underwrite_book(firms).unwrap().iter())
        .flat_map(|u| {
            u.policy
                .perils
                .iter()
                .map(|p| p.expected_payment().unwrap())
        })
        .sum()
}

#[test]
fn a_frequency_step_moves_the_mean_by_its_closed_form_within_its_standard_error() {
    let (firms, a, config) = setup();
    let scenario = Scenario::load("cyber frequency +10%", "cyber", 1.1, 1.0);
    let want = closed_form(&firms, &a.with_scenario(&scenario).unwrap()) - closed_form(&firms, &a);
    assert!(want > 0.0);
    let s = sensitivity(
        &firms,
        &a,
        &config,
        None,
        &[(scenario, ScenarioKind::Step)],
        0.1,
    )
    .unwrap();
    let r = &s.results[0];
    // Common random numbers: the change is measured far more precisely than either mean.
    assert!(
        r.mean.std_error < 0.1 * want,
        "s.e. {} for a change of {want}",
        r.mean.std_error
    );
    let z = (r.mean.change - want) / r.mean.std_error;
    assert!(
        z.abs() < 4.0,
        "change {} vs closed form {want}: z = {z:.2}",
        r.mean.change
    );
    assert!(r.premium.change > 0.0 && r.expected_loss.change > 0.0 && r.tvar.change > 0.0);
    assert!(r.premium.std_error > 0.0 && r.tvar.std_error > 0.0);
}

#[test]
fn steps_cover_every_held_product_each_shock_and_the_dependence_and_stresses_price() {
    let (firms, a, mut config) = setup();
    config.simulation.trials = 1 << 12;
    let all = steps(&a, &firms, 0.1);
    let names: Vec<&str> = all.iter().map(|(s, _)| s.name.as_str()).collect();
    for want in [
        "cyber frequency +10%",
        "rnd_failure severity +10%",
        "cloud_outage rate +10%",
        "dependence +10%",
    ] {
        assert!(names.contains(&want), "{want} in {names:?}");
    }
    let stress: Scenario = serde_json::from_str(
        r#"{"name": "ic R&D failures x1.5", "loads": [{"product": "rnd_failure", "sectors": ["ic"], "frequency": 1.5}]}"#,
    )
    .unwrap();
    let s = sensitivity(
        &firms,
        &a,
        &config,
        None,
        &[(stress, ScenarioKind::Stress)],
        0.1,
    )
    .unwrap();
    assert!(s.results[0].expected_loss.change > 0.0);
    // Unknown names are refused with the scenario's name.
    let bad = Scenario::load("typo", "cyberr", 1.1, 1.0);
    let e = a.with_scenario(&bad).unwrap_err().to_string();
    assert!(e.contains("cyberr"), "{e}");
}
