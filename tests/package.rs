//! Package terms (sections → policy → layers → annual aggregate) against hand-derived cases:
//! each case states its derivation from the formulas of `kexian::coverage::package`.

use approx::assert_relative_eq;
use kexian::coverage::{Package, PolicyDeductible};
use serde_json::{Value, json};

/// Two sections: `a` with deductible 10,000 and maximum covered loss 200,000; `b` with no
/// deductible, maximum covered loss 100,000 and share 80%; then `policy` (deductible, limit,
/// layers, annual limit) as given.
fn package(policy: Value) -> Package {
    let p = json!({"sections": [
        {"name": "a", "terms": {"deductible": 10000, "limit": 200000}},
        {"name": "b", "terms": {"limit": 100000, "share": 0.8}}]});
    serde_json::from_value(with(p, &policy)).unwrap()
}

/// Package JSON `p` with `changes`: `sections` replaced, every other key set in `policy`.
fn with(mut p: Value, changes: &Value) -> Value {
    for (k, v) in changes.as_object().unwrap() {
        if k == "sections" {
            p[k] = v.clone();
        } else {
            p["policy"][k] = v.clone();
        }
    }
    p
}

const PERCENT: &str =
    r#"{"kind": "percent_of_loss", "rate": 0.1, "minimum": 20000, "maximum": 50000}"#;

fn percent() -> Value {
    serde_json::from_str(PERCENT).unwrap()
}

/// Two layers: 100,000 xs 0 at 100% and 200,000 xs 100,000 at 50%.
fn layers() -> Value {
    json!([{"attachment": 100000, "limit": 200000, "share": 0.5},
           {"attachment": 0, "limit": 100000}])
}

fn close(got: &[f64], want: &[f64]) {
    assert_eq!(got.len(), want.len(), "{got:?} vs {want:?}");
    for (g, w) in got.iter().zip(want) {
        assert_relative_eq!(*g, *w, max_relative = 1e-12, epsilon = 1e-9);
    }
}

/// (what, policy terms, losses by section, y_s, P, layer payments, paid)
type Case = (&'static str, Value, [f64; 2], [f64; 2], f64, Vec<f64>, f64);

#[test]
fn package_terms_match_hand_derived_cases() {
    let cases: Vec<Case> = vec![
        // 1. y_a = min(50k, 200k) − min(50k, 10k) = 40,000; no policy terms: P = Z = 40,000.
        (
            "section deductible",
            json!({}),
            [50e3, 0.0],
            [40e3, 0.0],
            40e3,
            vec![],
            40e3,
        ),
        // 2. y_a = min(500k, 200k) − 10k = 190,000 (the section's maximum covered loss).
        (
            "section limit",
            json!({}),
            [500e3, 0.0],
            [190e3, 0.0],
            190e3,
            vec![],
            190e3,
        ),
        // 3. y_b = 0.8 · (min(150k, 100k) − 0) = 80,000.
        (
            "section share",
            json!({}),
            [0.0, 150e3],
            [0.0, 80e3],
            80e3,
            vec![],
            80e3,
        ),
        // 4. 8k < 10k: y_a = 0, nothing is paid.
        (
            "below the section deductible",
            json!({}),
            [8e3, 0.0],
            [0.0, 0.0],
            0.0,
            vec![],
            0.0,
        ),
        // 5. Z = 40k + 0.8·50k = 80k; flat D = 30k: P = 50,000.
        (
            "flat policy deductible",
            json!({"deductible": {"kind": "flat", "amount": 30000}}),
            [50e3, 50e3],
            [40e3, 40e3],
            50e3,
            vec![],
            50e3,
        ),
        // 6. Z = 80k below D = 100k: P = (80k − 100k)₊ = 0.
        (
            "flat policy deductible above the sections' payments",
            json!({"deductible": {"kind": "flat", "amount": 100000}}),
            [50e3, 50e3],
            [40e3, 40e3],
            0.0,
            vec![],
            0.0,
        ),
        // 7. X = 100k, 10% = 10k < minimum 20k: D = 20k (the minimum binds); Z = 80k: P = 60k.
        (
            "percent deductible, minimum binding",
            json!({"deductible": percent()}),
            [50e3, 50e3],
            [40e3, 40e3],
            60e3,
            vec![],
            60e3,
        ),
        // 8. X = 300k, 10% = 30k within [20k, 50k]: D = 30k; y_a = 190k: P = 160k.
        (
            "percent deductible, neither bound binding",
            json!({"deductible": percent()}),
            [300e3, 0.0],
            [190e3, 0.0],
            160e3,
            vec![],
            160e3,
        ),
        // 9. X = 700k, 10% = 70k > maximum 50k: D = 50k; Z = 190k + 0.8·100k = 270k: P = 220k.
        (
            "percent deductible, maximum binding",
            json!({"deductible": percent()}),
            [300e3, 400e3],
            [190e3, 80e3],
            220e3,
            vec![],
            220e3,
        ),
        // 10. As 9 with a policy limit of 150k: P = min(220k, 150k) = 150k.
        (
            "policy limit binding",
            json!({"deductible": percent(), "limit": 150000}),
            [300e3, 400e3],
            [190e3, 80e3],
            150e3,
            vec![],
            150e3,
        ),
        // 11. As 8 with a policy limit of 200k: P = min(160k, 200k) = 160k.
        (
            "policy limit not binding",
            json!({"deductible": percent(), "limit": 200000}),
            [300e3, 0.0],
            [190e3, 0.0],
            160e3,
            vec![],
            160e3,
        ),
        // 12. P = 220k (as 9): P_1 = min(220k, 100k) = 100k; P_2 = 0.5 · min(220k − 100k,
        // 200k) = 60k; Y = 160k.
        (
            "two layers with shares",
            json!({"deductible": percent(), "layers": layers()}),
            [300e3, 400e3],
            [190e3, 80e3],
            220e3,
            vec![100e3, 60e3],
            160e3,
        ),
        // 13. P = 60k (as 7): P_1 = 60k, P_2 = 0.5 · (60k − 100k)₊ = 0.
        (
            "two layers, the upper one not reached",
            json!({"deductible": percent(), "layers": layers()}),
            [50e3, 50e3],
            [40e3, 40e3],
            60e3,
            vec![60e3, 0.0],
            60e3,
        ),
        // 14. No policy deductible: P = Z = 190k + 80k = 270k; P_1 = min(270k, 100k) =
        // 100k, P_2 = 0.5 · min(170k, 200k) = 85k; Y = 185k.
        (
            "two layers under full policy terms",
            json!({"layers": layers()}),
            [300e3, 400e3],
            [190e3, 80e3],
            270e3,
            vec![100e3, 85e3],
            185e3,
        ),
        // 15. A franchise section deductible: 50k > 10k pays min(50k, 200k) = 50k in full.
        (
            "franchise section deductible",
            json!({"sections": [
                {"name": "a", "terms": {"deductible": 10000, "limit": 200000, "kind": "franchise"}},
                {"name": "b", "terms": {"limit": 100000, "share": 0.8}}]}),
            [50e3, 0.0],
            [50e3, 0.0],
            50e3,
            vec![],
            50e3,
        ),
    ];
    assert!(cases.len() >= 15);
    for (what, policy, losses, sections, p, layer_payments, paid) in cases {
        let r = package(policy).apply(&losses).unwrap();
        close(&r.sections, &sections);
        close(&[r.policy], &[p]);
        close(&r.layers, &layer_payments);
        close(&[r.paid], &[paid]);
        // The allocation: one row per layer (or P), pro rata to y_s, each row adding up to
        // its payment.
        let rows = if layer_payments.is_empty() {
            vec![p]
        } else {
            layer_payments
        };
        let z: f64 = sections.iter().sum();
        assert_eq!(r.allocated.len(), rows.len(), "{what}");
        for (row, want) in r.allocated.iter().zip(&rows) {
            let expected: Vec<f64> = sections
                .iter()
                .map(|y| if z > 0.0 { want * y / z } else { 0.0 })
                .collect();
            close(row, &expected);
            assert_relative_eq!(row.iter().sum::<f64>(), *want, max_relative = 1e-12);
        }
    }
}

#[test]
fn the_allocation_of_two_layers_is_pro_rata_to_the_sections() {
    // Case 12: y = (190k, 80k), Z = 270k; P_1 = 100k → (70,370.37…, 29,629.62…); P_2 = 60k →
    // 60k · 19/27 = 42,222.22… and 60k · 8/27 = 17,777.77….
    let r = package(json!({"deductible": percent(), "layers": layers()}))
        .apply(&[300e3, 400e3])
        .unwrap();
    close(&r.allocated[0], &[1.9e9 / 27e3, 8e8 / 27e3]);
    close(&r.allocated[1], &[60e3 * 19.0 / 27.0, 60e3 * 8.0 / 27.0]);
}

#[test]
fn the_annual_aggregate_limit_caps_the_years_payments() {
    // Two occurrences of case 12 (160k each) against G = 250k: min(320k, 250k) = 250k; one
    // occurrence stays under it: 160k.
    let p = package(json!({"deductible": percent(), "layers": layers(), "annual_limit": 250000}));
    let one = p.apply(&[300e3, 400e3]).unwrap().paid;
    assert_relative_eq!(p.annual(one + one), 250e3);
    assert_relative_eq!(p.annual(one), 160e3, max_relative = 1e-12);
    assert_eq!(p.annual_limit(), 250e3);
}

#[test]
fn the_policy_deductible_follows_its_rule() {
    let d: PolicyDeductible = serde_json::from_str(PERCENT).unwrap();
    assert_eq!(d.amount(100e3), 20e3);
    assert_eq!(d.amount(300e3), 30e3);
    assert_eq!(d.amount(700e3), 50e3);
    assert_eq!(PolicyDeductible::default().amount(1e6), 0.0);
}

#[test]
fn bad_packages_and_occurrences_are_refused_with_the_field() {
    let bad = |policy: Value| -> String {
        let p = json!({"sections": [
            {"name": "a", "terms": {"deductible": 10000, "limit": 200000}},
            {"name": "b"}]});
        serde_json::from_value::<Package>(with(p, &policy))
            .unwrap_err()
            .to_string()
    };
    let cases = [
        (
            json!({"layers": [{"attachment": 0, "limit": 100000},
                              {"attachment": 50000, "limit": 100000}]}),
            "overlaps",
        ),
        (
            json!({"sections": [{"name": "a", "terms": {"deductible": 10000, "limit": 5000}}]}),
            "limit",
        ),
        (
            json!({"sections": [{"name": "a"}, {"name": "a"}]}),
            "repeated",
        ),
        (json!({"sections": []}), "at least one section"),
        (
            json!({"deductible": {"kind": "percent_of_loss", "rate": 1.5}}),
            "deductible.rate",
        ),
        (
            json!({"deductible": {"kind": "percent_of_loss", "rate": 0.1, "minimum": 5000,
                                  "maximum": 1000}}),
            "deductible.maximum",
        ),
        (json!({"limit": 0}), "limit"),
        (json!({"annual_limit": -1}), "annual_limit"),
        (
            json!({"layers": [{"attachment": 0, "limit": 100, "reinstatements": 1}]}),
            "reinstatements",
        ),
        (json!({"policy_limit": 5}), "unknown field"),
    ];
    for (policy, says) in cases {
        let e = bad(policy.clone());
        assert!(e.contains(says), "{policy}: {e}");
    }
    let p = package(json!({}));
    let e = p.apply(&[1.0]).unwrap_err().to_string();
    assert!(e.contains("1 losses for a package of 2 sections"), "{e}");
    for x in [f64::NAN, -1.0, f64::INFINITY] {
        assert!(p.apply(&[x, 0.0]).is_err(), "{x}");
    }
    assert_eq!(p.section("b"), Some(1));
    assert_eq!(p.section("c"), None);
}

#[test]
fn a_package_round_trips_through_json() {
    let p = package(
        json!({"deductible": percent(), "layers": layers(), "limit": 300000,
                           "annual_limit": 1000000}),
    );
    let text = serde_json::to_string(&p).unwrap();
    assert_eq!(serde_json::from_str::<Package>(&text).unwrap(), p);
    // Layers are kept in attachment order.
    assert_eq!(p.layers()[0].attachment(), 0.0);
    assert_eq!(p.sections()[1].name, "b");
}

/// The engines' per-claim path (`Package::occurrence`, a claim on one section) pays what
/// `apply` pays for the same occurrence, under every kind of policy term.
#[test]
fn the_engines_per_claim_path_pays_what_apply_pays() {
    let policies = [
        json!({}),
        json!({"deductible": {"kind": "flat", "amount": 15000}, "limit": 150000}),
        json!({"deductible": percent()}),
        json!({"deductible": percent(), "layers": layers()}),
        json!({"limit": 90000, "layers": layers(), "annual_limit": 250000}),
    ];
    for policy in policies {
        let p = package(policy.clone());
        for k in 0..400 {
            let x = 1.7f64.powi(k % 40) * (1.0 + f64::from(k) / 400.0);
            for s in 0..2 {
                let mut losses = [0.0; 2];
                losses[s] = x;
                let want = p.apply(&losses).unwrap().paid;
                assert_eq!(p.occurrence(s, x), want, "{policy}: section {s}, loss {x}");
            }
        }
        assert!(p.max_occurrence() >= p.apply(&[1e12, 1e12]).unwrap().paid);
    }
}
