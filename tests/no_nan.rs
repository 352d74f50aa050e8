//! No NaN or infinite number can reach an output: random valid books and settings, priced
//! end to end, give quotes and summaries whose every number is finite (and no `null`, which
//! is how JSON would carry a NaN).

use kexian::assumptions::Assumptions;
use kexian::book::{Firm, GuaranteeCover, IpCover};
use kexian::coverage::ClaimTerms;
use kexian::perils::LitigationKind;
use kexian::quote::{Loadings, QuoteConfig, price};
use kexian::rating::Stage;
use proptest::prelude::*;
use serde_json::Value;

fn all_finite(v: &Value, path: &str) -> Result<(), String> {
    match v {
        Value::Null => Err(format!("null at {path}")),
        Value::Number(n) => match n.as_f64() {
            Some(x) if x.is_finite() => Ok(()),
            _ => Err(format!("{n} at {path}")),
        },
        Value::Array(a) => a
            .iter()
            .enumerate()
            .try_for_each(|(i, x)| all_finite(x, &format!("{path}[{i}]"))),
        Value::Object(o) => o
            .iter()
            .try_for_each(|(k, x)| all_finite(x, &format!("{path}.{k}"))),
        _ => Ok(()),
    }
}

prop_compose! {
    fn firm(i: usize)(
        sector in 0usize..5, size in 0usize..4, score in 0.0f64..=1000.0,
        d in 0.0f64..2e5, l in prop_oneof![Just(None), (1e5f64..2e7).prop_map(Some)],
        share in 0.0f64..=1.0, rnd in 0usize..5, ip in 0usize..3, loan in prop_oneof![Just(None), (1e5f64..5e7).prop_map(Some)],
        cyber in any::<bool>(), patents in 0.0f64..500.0, monitoring in any::<bool>(),
        own in prop_oneof![Just(None), (0.01f64..3.0).prop_map(Some)],
    ) -> Firm {
        let sectors = ["ic", "biomedicine", "ai", "low_altitude", "new_materials"];
        let sizes = ["micro", "small", "medium", "large"];
        let mut f = Firm::new(&format!("F{i}"), sectors[sector], sizes[size], Stage::Growth, score);
        f.patents = patents;
        let limit = l.map_or(f64::INFINITY, |l| d + l);
        f.covers.terms = ClaimTerms::new(d, limit).unwrap().with_share(share).unwrap();
        f.covers.rnd = ["", "biomedicine_drug", "biomedicine_oncology", "ic_tapeout", "ai_software"]
            .get(rnd).filter(|s| !s.is_empty()).map(|s| (*s).to_owned());
        f.covers.ip = match ip {
            1 => Some(IpCover { kind: LitigationKind::Defence, amount_at_risk: 5e6 }),
            2 => Some(IpCover { kind: LitigationKind::Enforcement, amount_at_risk: 2e7 }),
            _ => None,
        };
        if let Some(loan) = loan {
            f.covers.guarantees.push(GuaranteeCover {
                product: if i.is_multiple_of(2) { "ip_pledge" } else { "loan_performance" }.into(),
                loan,
                default_probability: None,
            });
        }
        f.covers.cyber = cyber || (f.covers.rnd.is_none() && f.covers.ip.is_none() && loan.is_none());
        if monitoring {
            f.measures.push("security_monitoring".into());
        }
        f.overrides.cyber_frequency = own;
        f
    }
}

fn book() -> impl Strategy<Value = Vec<Firm>> {
    (1usize..8).prop_flat_map(|n| (0..n).map(firm).collect::<Vec<_>>())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    #[test]
    fn quotes_and_summaries_are_finite(
        firms in book(), seed in any::<u64>(), coc in 0.0f64..0.3,
        ratios in prop::collection::vec(0.0f64..0.3, 3), minimum in 0.0f64..5e3,
        rounding in prop_oneof![Just(0.0), Just(10.0), Just(100.0)],
    ) {
        let loadings = Loadings {
            cost_of_capital: coc,
            expense_ratio: ratios[0],
            commission_ratio: ratios[1],
            profit_ratio: ratios[2],
            minimum_premium: minimum,
            rounding,
        };
        let config = QuoteConfig::new(seed, 400, loadings).unwrap();
        let run = price(&firms, &Assumptions::bundled().unwrap(), &config, None, None).unwrap();
        let v = serde_json::to_value(&run).unwrap();
        if let Err(e) = all_finite(&v, "run") {
            panic!("{e}");
        }
        for q in &run.quotes {
            prop_assert!((q.components_total() - q.premium).abs() <= 1e-9 * q.premium.max(1.0));
            prop_assert!(q.premium >= 0.0 && q.firm_pays >= 0.0);
        }
    }
}
