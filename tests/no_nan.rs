//! No NaN or infinite number can reach an output: random valid books and settings, priced
//! end to end, give quotes and summaries whose every number is finite (and no `null`, which
//! is how JSON would carry a NaN).

mod common;

use common::book::book;
use kexian::assumptions::Assumptions;
use kexian::quote::{Loadings, QuoteConfig, price};
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
