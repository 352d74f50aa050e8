//! Every configuration and model type survives a JSON round trip unchanged (property tests
//! over random valid values, infinite limits included: they are written `"unlimited"`).

use kexian::aggregate::LossModel;
use kexian::assumptions::Assumptions;
use kexian::book::Firm;
use kexian::coverage::{AggregateTerms, ClaimTerms, Layer};
use kexian::frequency::FrequencyModel;
use kexian::perils::PerilModel;
use kexian::portfolio::{Portfolio, PortfolioConfig};
use kexian::quote::{QuoteConfig, SubsidyRule};
use kexian::rating::{RatingSpec, ScoreScale};
use kexian::severity::SeverityModel;
use kexian::simulation::SimulationConfig;
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

/// `value` read as `T`, written, read again: equal, and written the same both times.
fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(value: Value) -> T {
    let first: T = serde_json::from_value(value.clone()).unwrap_or_else(|e| panic!("{e}: {value}"));
    let text = serde_json::to_string(&first).unwrap();
    let second: T = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"));
    assert_eq!(first, second, "{text}");
    assert_eq!(text, serde_json::to_string(&second).unwrap());
    second
}

fn money() -> impl Strategy<Value = f64> {
    0.0f64..1e7
}

fn limit() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!("unlimited")),
        (1.0f64..1e8).prop_map(|x| json!(x))
    ]
}

fn claim_terms() -> impl Strategy<Value = Value> {
    (
        money(),
        prop_oneof![Just(None), (1.0f64..1e8).prop_map(Some)],
        0.0f64..=1.0,
        0.5f64..2.0,
        any::<bool>(),
    )
        .prop_map(|(d, l, share, inflation, franchise)| {
            let limit = l.map_or(json!("unlimited"), |l| json!(d + l));
            let kind = if franchise { "franchise" } else { "ordinary" };
            json!({"deductible": d, "limit": limit, "share": share, "inflation": inflation,
                   "kind": kind})
        })
}

fn severity() -> impl Strategy<Value = Value> {
    let pos = || 0.2f64..20.0;
    let scale = || 1.0f64..1e6;
    prop_oneof![
        (-2.0f64..16.0, 0.1f64..3.0)
            .prop_map(|(mu, s)| json!({"type": "lognormal", "mu": mu, "sigma": s})),
        (pos(), scale()).prop_map(|(a, t)| json!({"type": "gamma", "alpha": a, "theta": t})),
        (pos(), scale()).prop_map(|(a, t)| json!({"type": "weibull", "tau": a, "theta": t})),
        scale().prop_map(|t| json!({"type": "exponential", "theta": t})),
        (pos(), scale()).prop_map(|(a, t)| json!({"type": "pareto", "alpha": a, "theta": t})),
        (pos(), scale())
            .prop_map(|(a, t)| json!({"type": "single_parameter_pareto", "alpha": a, "theta": t})),
        (-0.4f64..0.9, scale(), 0.0f64..1e4).prop_map(
            |(x, s, l)| json!({"type": "generalized_pareto", "xi": x, "sigma": s, "location": l})
        ),
        (pos(), pos(), scale())
            .prop_map(|(a, g, t)| json!({"type": "burr", "alpha": a, "gamma": g, "theta": t})),
        (pos(), scale()).prop_map(|(g, t)| json!({"type": "loglogistic", "gamma": g, "theta": t})),
        prop::collection::vec(1.0f64..1e6, 1..20)
            .prop_map(|d| json!({"type": "empirical", "data": d})),
    ]
}

fn frequency() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0.0f64..50.0).prop_map(|l| json!({"type": "poisson", "lambda": l})),
        (0.1f64..20.0, 0.01f64..10.0)
            .prop_map(|(r, b)| json!({"type": "negative_binomial", "r": r, "beta": b})),
        (1u64..100, 0.0f64..=1.0).prop_map(|(m, q)| json!({"type": "binomial", "m": m, "q": q})),
        (0.0f64..=1.0).prop_map(|q| json!({"type": "bernoulli", "q": q})),
        (0.01f64..10.0).prop_map(|b| json!({"type": "geometric", "beta": b})),
    ]
}

fn simulation() -> impl Strategy<Value = Value> {
    (
        any::<u64>(),
        2u64..1_000_000_000,
        1u64..100_000,
        prop_oneof![Just(None), (0.5f64..0.999).prop_map(Some)],
        any::<bool>(),
        prop_oneof![Just(None), (1usize..64).prop_map(Some)],
    )
        .prop_map(|(seed, trials, batch, tail, condition, threads)| {
            let retention = tail.map_or(
                json!({"kind": "all"}),
                |l| json!({"kind": "tail", "min_level": l}),
            );
            let vr = if condition {
                "condition_on_claims"
            } else {
                "none"
            };
            json!({"seed": seed, "trials": trials, "batch_size": batch, "retention": retention,
                   "variance_reduction": vr, "threads": threads})
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn terms_layers_and_models_round_trip(
        terms in claim_terms(), d in money(), l in limit(), sev in severity(), freq in frequency(),
        attachment in money(), layer in 1.0f64..1e7, reinstatements in 0u32..4,
    ) {
        let t: ClaimTerms = round_trip(terms.clone());
        if terms["limit"] == json!("unlimited") {
            prop_assert!(t.limit().is_infinite());
            prop_assert!(serde_json::to_string(&t).unwrap().contains("\"limit\":\"unlimited\""));
        }
        let annual = json!({"deductible": d, "limit": l});
        let a: AggregateTerms = round_trip(annual);
        prop_assert!(a.deductible() == d);
        round_trip::<Layer>(json!({"attachment": attachment, "limit": layer, "share": 0.5,
                                   "reinstatements": reinstatements, "reinstatement_premium": 1.0}));
        round_trip::<SeverityModel>(sev.clone());
        round_trip::<FrequencyModel>(freq.clone());
        round_trip::<LossModel<FrequencyModel, SeverityModel>>(
            json!({"frequency": freq, "severity": sev, "claim_terms": terms,
                   "aggregate_terms": {"deductible": d, "limit": l}}));
        round_trip::<PerilModel>(json!({"peril": "compound", "frequency": freq, "severity": sev,
                                        "terms": terms}));
    }

    #[test]
    fn settings_round_trip(
        sim in simulation(), level in 0.9f64..0.999, ratios in prop::collection::vec(0.0f64..0.3, 3),
        shares in prop::collection::vec(0.0f64..=1.0, 5), cuts in prop::collection::btree_set(1u32..99, 0..6),
    ) {
        let s: SimulationConfig = round_trip(sim.clone());
        s.validate().unwrap();
        round_trip::<PortfolioConfig>(json!({"simulation": sim, "tvar_level": level}));
        let mut q: Value = serde_json::from_str(
            &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json")).unwrap()).unwrap();
        q["simulation"] = sim;
        q["tvar_level"] = json!(level);
        q["loadings"]["expense_ratio"] = json!(ratios[0]);
        q["loadings"]["commission_ratio"] = json!(ratios[1]);
        q["loadings"]["profit_ratio"] = json!(ratios[2]);
        q["subsidies"][0]["shares"] = json!(shares);
        let config: QuoteConfig = round_trip(q);
        config.validate().unwrap();
        let cuts: Vec<f64> = cuts.into_iter().map(f64::from).collect();
        let scale: ScoreScale = round_trip(json!({"min": 0.0, "max": 100.0, "cuts": cuts}));
        prop_assert_eq!(scale.tiers(), cuts.len() + 1);
        let k = scale.tiers();
        round_trip::<SubsidyRule>(json!({"rule": "score_tiered", "scale": scale, "shares": vec![0.1; k],
                                         "per_policy_cap": 1e5, "per_firm_year_cap": 2e5}));
    }

    #[test]
    fn firms_and_portfolios_round_trip(
        score in 0.0f64..1000.0, terms in claim_terms(), pd in prop_oneof![Just(None), (0.0f64..=1.0).prop_map(Some)],
        own in prop_oneof![Just(None), (0.01f64..5.0).prop_map(Some)], loan in 1.0f64..1e8,
        freq in frequency(), sev in severity(), n in 1usize..6,
    ) {
        let firm = json!({"id": "F1", "sector": "人形机器人", "size": "小微", "stage": "growth",
            "score": score, "covariates": {"log_revenue": 17.1}, "patents": 3,
            "covers": [{"product": "研发损失险", "project": "流片", "terms": {"claim": terms}},
                       {"product": "专利责任险", "exposure": 1e6, "terms": {"claim": terms, "policy": {
                        "deductible": {"kind": "percent_of_loss", "rate": 0.1, "minimum": 1e3},
                        "limit": 5e6, "layers": [{"attachment": 1e5, "limit": 1e6, "share": 0.5}],
                        "annual_limit": 8e6}}},
                       {"product": "履约贷款", "exposure": loan, "default_probability": pd},
                       {"product": "网络安全险", "terms": {"sections": {"liability": terms}}}],
            "measures": ["安全监测"], "overrides": {"cyber_frequency": own}});
        round_trip::<Firm>(firm);
        let policies: Vec<Value> = (0..n).map(|i| json!({"id": format!("P{i}"), "sector": "ai",
            "perils": [{"peril": "compound", "frequency": freq, "severity": sev, "terms": terms},
                       {"peril": "guarantee", "loan": loan, "default_probability": pd.unwrap_or(0.1),
                        "loss_given_default": 0.6}]})).collect();
        round_trip::<Portfolio>(json!({"policies": policies, "per_risk_xol": [{"attachment": 1e6, "limit": 1e6}]}));
    }
}

#[test]
fn assumption_sets_and_rating_specs_round_trip() {
    for path in [
        "data/assumptions/shanghai_2025.json",
        "tests/data/insurer_b/assumptions.json",
    ] {
        let a = Assumptions::from_path(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let again: Assumptions = round_trip(serde_json::to_value(&a).unwrap());
        assert_eq!(again.set(), a.set());
        // The last legal-cost band is unlimited and written so.
        assert!(
            serde_json::to_string(&a)
                .unwrap()
                .contains("\"below\":\"unlimited\"")
        );
    }
    let q: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"))
            .unwrap(),
    )
    .unwrap();
    round_trip::<RatingSpec>(q["rating"]["spec"].clone());
    // "unlimited" is the only word an amount accepts.
    let e = serde_json::from_value::<ClaimTerms>(json!({"limit": "infinite"})).unwrap_err();
    assert!(
        e.to_string().contains("give a number or \"unlimited\""),
        "{e}"
    );
}
