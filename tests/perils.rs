//! Peril models: simulated mean and payment probability against each model's closed form or
//! independent numerical integration (4 standard errors), presets against their cited
//! figures, and bad input.

use kexian::perils::{
    CompoundPeril, CyberRisk, Guarantee, LitigationKind, PatentLitigation, Peril, PerilModel,
    RndProject,
};
use rand::{RngExt, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;

/// Simulates `trials` years the way the portfolio engine does (an event year with
/// probability q, then the payment given an event) and checks mean and P(payment > 0)
/// against the peril's own closed form / integral within 4 standard errors.
fn check<P: Peril>(name: &str, p: &P, trials: usize, seed: u64) {
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
    let q = p.event_probability();
    let (mut sum, mut sum2, mut paid) = (0.0, 0.0, 0usize);
    for _ in 0..trials {
        let x = if rng.random::<f64>() < q {
            p.sample_given_event(&mut rng)
        } else {
            0.0
        };
        sum += x;
        sum2 += x * x;
        paid += usize::from(x > 0.0);
    }
    let n = trials as f64;
    let mean = sum / n;
    let se = ((sum2 / n - mean * mean) / n).sqrt();
    let want = p.expected_payment().unwrap();
    assert!(
        (mean - want).abs() <= 4.0 * se,
        "{name}: mean {mean} vs {want} (s.e. {se})"
    );
    let prob = paid as f64 / n;
    let want_p = p.payment_probability().unwrap();
    let se_p = (want_p * (1.0 - want_p) / n).sqrt();
    assert!(
        (prob - want_p).abs() <= 4.0 * se_p.max(1.0 / n),
        "{name}: P(pay) {prob} vs {want_p} (s.e. {se_p})"
    );
}

fn bundled() -> kexian::assumptions::Assumptions {
    kexian::assumptions::Assumptions::bundled().unwrap()
}

#[test]
fn rnd_presets_reproduce_their_figures_and_simulation_matches_the_formulas() {
    let drug = bundled().rnd_project("biomedicine_drug").unwrap();
    // BIO/Biomedtracker 2016: 63.2%, 30.7%, 58.1%, 85.3% → probability of approval.
    let rates: Vec<f64> = drug
        .spec()
        .stages
        .iter()
        .map(|s| s.success_probability)
        .collect();
    assert_eq!(rates, [0.632, 0.307, 0.581, 0.853]);
    assert!((drug.success_probability() - 0.632 * 0.307 * 0.581 * 0.853).abs() < 1e-15);
    // A one-year policy from the start sees no gate of the 1.5-year phase 1; the project's
    // term, the whole path.
    assert_eq!(drug.failure_probability(), 0.0);
    let mut whole = drug.spec().clone();
    whole.term = kexian::coverage::Term::Project;
    let whole = RndProject::new(whole).unwrap();
    assert!((whole.failure_probability() + whole.success_probability() - 1.0).abs() < 1e-15);
    check("biomedicine_drug over the project", &whole, 200_000, 9);
    let onc = bundled().rnd_project("biomedicine_oncology").unwrap();
    assert!((onc.success_probability() - 0.628 * 0.246 * 0.401 * 0.824).abs() < 1e-15);
    let ic = bundled().rnd_project("ic_tapeout").unwrap();
    assert_eq!(ic.spec().stages[1].success_probability, 0.14); // Wilson/Siemens 2024
    let a = bundled();
    for (k, preset) in a.set().rnd.projects.iter().enumerate() {
        assert!(!preset.source.is_empty());
        check(
            &preset.name,
            &a.rnd_project(&preset.name).unwrap(),
            200_000,
            10 + k as u64,
        );
    }
    assert!(
        bundled()
            .rnd_project("quantum")
            .unwrap_err()
            .to_string()
            .contains("biomedicine_drug")
    );
}

#[test]
fn rnd_exact_formula_by_hand_and_overrun_integral() {
    // Lab 2m (p 0.6), pilot 5m (p 0.5); budget 6m; deductible 1m, share 0.5.
    // Fail in lab w.p. 0.4: loss 2m → pays 0.5m; in pilot w.p. 0.3: loss min(6m, 7m) → 2.5m.
    let p: RndProject = serde_json::from_str(
        r#"{"stages": [{"name": "lab", "success_probability": 0.6, "cost": 2e6},
                       {"name": "pilot", "success_probability": 0.5, "cost": 5e6}],
            "budget": 6e6, "terms": {"deductible": 1e6, "share": 0.5}}"#,
    )
    .unwrap();
    assert!((p.expected_payment().unwrap() - (0.4 * 0.5e6 + 0.3 * 2.5e6)).abs() < 1e-6);
    assert!((p.payment_probability().unwrap() - 0.7).abs() < 1e-15);
    check("hand", &p, 100_000, 3);
    // With a heavy-tailed overrun and a deductible above the lab cost, the lab failure pays
    // only when the overrun exceeds 50%: P = 0.4·S_X(0.5) + 0.3.
    let q: RndProject = serde_json::from_str(
        r#"{"stages": [{"name": "lab", "success_probability": 0.6, "cost": 2e6},
                       {"name": "pilot", "success_probability": 0.5, "cost": 5e6}],
            "budget": 6e6, "terms": {"deductible": 3e6},
            "overrun": {"type": "pareto", "alpha": 1.8, "theta": 0.3}}"#,
    )
    .unwrap();
    let s = (0.3f64 / (0.3 + 0.5)).powf(1.8);
    assert!((q.payment_probability().unwrap() - (0.4 * s + 0.3)).abs() < 1e-12);
    check("overrun", &q, 200_000, 4);
}

#[test]
fn ip_models_match_integration_and_closed_forms() {
    for (k, kind) in [LitigationKind::Defence, LitigationKind::Enforcement]
        .into_iter()
        .enumerate()
    {
        // 2,000 patents → λ ≈ 1.07 suits a year, so the test sees many suits.
        let mut cover = bundled()
            .patent_litigation(kind, 2000.0, 3.0e7, "ai", "medium")
            .unwrap();
        check(&format!("{kind:?}"), &cover, 200_000, 20 + k as u64);
        cover.terms =
            serde_json::from_str(r#"{"deductible": 2e5, "limit": 2e6, "share": 0.9}"#).unwrap();
        check(
            &format!("{kind:?} with terms"),
            &cover,
            200_000,
            30 + k as u64,
        );
    }
    // Drug patents are sued about twice as often (20.1 vs 10.7 per 1,000 over life).
    let drug = bundled()
        .patent_litigation(LitigationKind::Defence, 100.0, 1e6, "biomedicine", "medium")
        .unwrap();
    assert!((drug.suits_per_year - 100.0 * 20.1 / 1000.0 / 20.0).abs() < 1e-15);
    // Smaller owners are sued more per patent (size multipliers 1.5 … 0.7).
    let rate = |size: &str| {
        bundled()
            .patent_litigation(LitigationKind::Defence, 100.0, 1e6, "ai", size)
            .unwrap()
            .suits_per_year
    };
    assert!(
        rate("micro") > rate("small")
            && rate("small") > rate("medium")
            && rate("medium") > rate("large")
    );
    assert!(
        bundled()
            .patent_litigation(LitigationKind::Defence, 100.0, 1e6, "ai", "huge")
            .is_err()
    );
    let pledge = bundled().guarantee("ip_pledge", 5e6, 0.03).unwrap();
    check("pledge", &pledge, 400_000, 40);
    // Closed form: PD·(loan − E[min(V, loan)]) with V lognormal(median 6m, σ 0.9).
    let v = kexian::severity::LogNormal::new((6e6f64).ln(), 0.9).unwrap();
    use kexian::severity::Severity;
    let want = 0.03 * (5e6 - v.limited_expected_value(5e6));
    assert!((pledge.expected_payment().unwrap() - want).abs() < 1e-6 * want);
}

#[test]
fn cyber_presets_match_integration_for_every_size() {
    for (k, size) in ["micro", "small", "medium", "large"].iter().enumerate() {
        let mut risk = bundled().cyber_risk(size, "ai").unwrap();
        // Raise the frequency so that 2·10⁵ years see plenty of incidents.
        risk.incidents =
            serde_json::from_str(r#"{"type": "negative_binomial", "r": 1.0, "beta": 0.8}"#)
                .unwrap();
        check(size, &risk, 200_000, 50 + k as u64);
    }
    // Larger firms are breached more often (UK CSBS 2024: 48% → 74%).
    let p = |s: &str| bundled().cyber_risk(s, "ic").unwrap().event_probability();
    assert!(p("micro") < p("small") && p("small") < p("medium") && p("medium") < p("large"));
    assert!(bundled().cyber_risk("small", "shipping").is_err());
}

#[test]
fn compound_peril_matches_its_formulas() {
    let c: CompoundPeril = serde_json::from_str(
        r#"{"frequency": {"type": "negative_binomial", "r": 2.0, "beta": 0.3},
            "severity": {"type": "lognormal", "mu": 11.0, "sigma": 1.2},
            "terms": {"deductible": 5e4, "limit": 1e6, "share": 0.8}}"#,
    )
    .unwrap();
    check("compound", &c, 200_000, 60);
}

#[test]
fn bad_input_is_rejected_with_the_parameter_named() {
    let err = |json: &str| {
        serde_json::from_str::<RndProject>(json)
            .unwrap_err()
            .to_string()
    };
    assert!(err(r#"{"stages": [], "budget": 1e6}"#).contains("stages"));
    let e =
        err(r#"{"stages": [{"name": "a", "success_probability": 1.2, "cost": 1}], "budget": 1e6}"#);
    assert!(e.contains("success_probability"), "{e}");
    let e = err(
        r#"{"stages": [{"name": "a", "success_probability": 0.5, "cost": -1}], "budget": 1e6}"#,
    );
    assert!(e.contains("cost"), "{e}");
    assert!(
        err(r#"{"stages": [{"name": "a", "success_probability": 0.5, "cost": 1}], "budget": 0}"#)
            .contains("budget")
    );
    assert!(err(r#"{"stages": [{"name": "a", "success_probability": 0.5, "cost": 1, "colour": 2}], "budget": 1}"#).contains("colour"));
    let pledge = Guarantee {
        default_probability: 1.5,
        ..bundled().guarantee("ip_pledge", 1e6, 0.1).unwrap()
    };
    assert!(
        pledge
            .expected_payment()
            .unwrap_err()
            .to_string()
            .contains("default_probability")
    );
    let lit = PatentLitigation {
        lose: -0.1,
        ..bundled()
            .patent_litigation(LitigationKind::Defence, 10.0, 1e6, "ai", "small")
            .unwrap()
    };
    assert!(lit.validate().unwrap_err().to_string().contains("lose"));
    let mut cyber: CyberRisk = bundled().cyber_risk("small", "ai").unwrap();
    cyber.types.clear();
    assert!(cyber.validate().is_err());
    assert!(bundled().guarantee("ip_pledge", -1.0, 0.1).is_err());
}

#[test]
fn rnd_payments_by_inversion_have_the_closed_form_mean() {
    // The portfolio's R&D events are paid by inversion: u on [0, P(fail)) picks the failure,
    // v the overrun. Over 400,000 events the mean payment is within 4 standard errors of
    // E[payment] / P(fail) (the closed form over the overrun's quantile function), and the
    // batched payments equal the one-at-a-time ones bit for bit on both code paths.
    use kexian::numerics::kernels::{CodePath, Normals, counter, open_unit, unit};
    let p: RndProject = serde_json::from_str(
        r#"{"stages": [
              {"name": "lab", "success_probability": 0.6, "cost": 3e6, "years": 1},
              {"name": "pilot", "success_probability": 0.5, "cost": 6e6, "years": 1},
              {"name": "transfer", "success_probability": 0.7, "cost": 8e6, "years": 1}],
            "budget": 2e7, "term": "project", "discount_rate": 0.03,
            "overrun": {"type": "spliced", "threshold": 0.5,
              "body": {"type": "lognormal", "mu": -1.9, "sigma": 0.8},
              "tail": {"type": "single_parameter_pareto", "alpha": 1.5, "theta": 0.5}},
            "terms": {"deductible": 2e5, "limit": 1.5e7, "share": 0.8}}"#,
    )
    .unwrap();
    let q = p.event_probability();
    let n = 400_000u64;
    let u: Vec<f64> = (0..n).map(|k| q * unit(counter(3, k))).collect();
    let v: Vec<f64> = (0..n).map(|k| open_unit(counter(4, k))).collect();
    let one: Vec<f64> = u
        .iter()
        .zip(&v)
        .map(|(&u, &v)| p.payment_by_inversion(u, v).unwrap())
        .collect();
    for path in [CodePath::Widest, CodePath::Scalar] {
        let mut paid = v.clone();
        assert!(p.payments_by_inversion(&u, &mut paid, &mut Normals::default(), path));
        assert!(
            paid.iter()
                .zip(&one)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
    // The flag a run checks before gathering the uniforms agrees with the answer: yes here,
    // no for an overrun without a survival draw (gamma) and for cyber (drawn by generator).
    assert!(p.pays_by_inversion());
    let mut spec = serde_json::to_value(&p).unwrap();
    spec["overrun"] = serde_json::json!({"type": "gamma", "alpha": 2.0, "theta": 0.1});
    let gamma: RndProject = serde_json::from_value(spec).unwrap();
    assert!(!gamma.pays_by_inversion() && gamma.payment_by_inversion(0.01, 0.5).is_none());
    let cyber = bundled().cyber_risk("small", "ai").unwrap();
    assert!(!cyber.pays_by_inversion() && cyber.payment_by_inversion(0.01, 0.5).is_none());
    let mean = one.iter().sum::<f64>() / n as f64;
    let var = one.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let exact = p.expected_payment().unwrap() / q;
    assert!(
        (mean - exact).abs() < 4.0 * se,
        "mean {mean} vs {exact} ± {se}"
    );
}

#[test]
fn cyber_claims_in_a_batch_are_those_of_each_event_alone() {
    // Claims drawn together (types and survival levels replayed from each event's generator,
    // sizes and a breach's cost in vector kernels) equal each event's claims drawn one at a
    // time from SplitMix64 seeded by its key, bit for bit, on the scalar and widest paths.
    use kexian::numerics::kernels::{CodePath, splitmix64};
    use kexian::perils::ClaimBatch;
    use rand_xoshiro::SplitMix64;
    for (k, size) in ["micro", "small", "medium", "large"].iter().enumerate() {
        let mut risk = bundled().cyber_risk(size, "biomedicine").unwrap();
        risk.incidents =
            serde_json::from_str(r#"{"type": "negative_binomial", "r": 0.7, "beta": 2.5}"#)
                .unwrap();
        let keys: Vec<u64> = (0..3_000)
            .map(|e| splitmix64(k as u64 * 10_000 + e))
            .collect();
        for path in [CodePath::Scalar, CodePath::Widest] {
            let mut batch = ClaimBatch::default();
            assert!(risk.claims_in_batch(&keys, &mut batch, path));
            let mut claims = 0;
            for (e, &key) in keys.iter().enumerate() {
                let mut alone = Vec::new();
                risk.claims_given_event(&mut SplitMix64::seed_from_u64(key), |x| alone.push(x));
                let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(batch.event(e)), bits(&alone), "{size}, event {e}");
                claims += alone.len();
            }
            assert!(batch.event(keys.len()).is_empty());
            assert!(claims > keys.len() * 2, "{size}: {claims} claims");
        }
    }
    // A compound peril has no batched claims.
    let compound: PerilModel = serde_json::from_str(
        r#"{"peril": "compound", "frequency": {"type": "poisson", "lambda": 1.0},
            "severity": {"type": "exponential", "theta": 1000.0}}"#,
    )
    .unwrap();
    assert!(!compound.claims_in_batch(&[1, 2], &mut ClaimBatch::default(), CodePath::Scalar));
}

#[test]
fn guarantee_payments_by_inversion_have_the_closed_form_mean() {
    // An IP pledge's default is paid by inversion in the portfolio: u on [0, P(default in the
    // tenor)) picks the default's year (its discount), v the collateral's value. Over 400,000
    // defaults the mean payment is within 4 standard errors of E[payment] / P(default), and
    // the batched payments equal the one-at-a-time ones bit for bit on both code paths.
    use kexian::numerics::kernels::{CodePath, Normals, counter, open_unit, unit};
    let g = Guarantee {
        loan: 5e6,
        default_probability: 0.04,
        loss_given_default: 0.7,
        collateral: Some(
            serde_json::from_str(r#"{"type": "lognormal", "mu": 14.5, "sigma": 0.9}"#).unwrap(),
        ),
        share: 0.8,
        tenor: 3.0,
        discount_rate: 0.03,
    };
    let q = g.event_probability();
    let n = 400_000u64;
    let u: Vec<f64> = (0..n).map(|k| q * unit(counter(5, k))).collect();
    let v: Vec<f64> = (0..n).map(|k| open_unit(counter(6, k))).collect();
    let one: Vec<f64> = u
        .iter()
        .zip(&v)
        .map(|(&u, &v)| g.payment_by_inversion(u, v).unwrap())
        .collect();
    for path in [CodePath::Widest, CodePath::Scalar] {
        let mut paid = v.clone();
        assert!(g.payments_by_inversion(&u, &mut paid, &mut Normals::default(), path));
        assert!(
            paid.iter()
                .zip(&one)
                .all(|(a, b)| a.to_bits() == b.to_bits())
        );
    }
    assert!(g.pays_by_inversion());
    let gamma = Guarantee {
        collateral: Some(
            serde_json::from_str(r#"{"type": "gamma", "alpha": 2.0, "theta": 1e6}"#).unwrap(),
        ),
        ..g.clone()
    };
    assert!(!gamma.pays_by_inversion() && gamma.payment_by_inversion(0.01, 0.5).is_none());
    let mean = one.iter().sum::<f64>() / n as f64;
    let var = one.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let se = (var / n as f64).sqrt();
    let exact = g.expected_payment().unwrap() / q;
    assert!(
        (mean - exact).abs() < 4.0 * se,
        "mean {mean} vs {exact} ± {se}"
    );
    // Without collateral the payment is share·LGD·loan·vʲ: its mean checks the years' pick.
    let bare = Guarantee {
        collateral: None,
        ..g.clone()
    };
    let paid: Vec<f64> = u
        .iter()
        .map(|&u| bare.payment_by_inversion(u, 0.5).unwrap())
        .collect();
    let mean = paid.iter().sum::<f64>() / n as f64;
    let var = paid.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
    let exact = bare.expected_payment().unwrap() / q;
    let se = (var / n as f64).sqrt();
    assert!(
        se > 0.0 && (mean - exact).abs() < 4.0 * se,
        "mean {mean} vs {exact} ± {se}"
    );
}
