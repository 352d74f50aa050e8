//! Random valid books for property tests.

use kexian::book::{Cover, Firm};
use kexian::coverage::{ClaimTerms, CoverTerms};
use kexian::rating::Stage;
use proptest::prelude::*;

prop_compose! {
    pub fn firm(i: usize)(
        sector in 0usize..5, size in 0usize..4, score in 0.0f64..=1000.0,
        d in 0.0f64..2e5, l in prop_oneof![Just(None), (1e5f64..2e7).prop_map(Some)],
        share in 0.0f64..=1.0, rnd in 0usize..5, ip in 0usize..3, loan in prop_oneof![Just(None), (1e5f64..5e7).prop_map(Some)],
        cyber in any::<bool>(), patents in 0.0f64..500.0, monitoring in any::<bool>(),
        own in prop_oneof![Just(None), (0.01f64..3.0).prop_map(Some)],
        log_revenue in 14.0f64..20.0,
    ) -> Firm {
        let sectors = ["ic", "biomedicine", "ai", "low_altitude", "new_materials"];
        let sizes = ["micro", "small", "medium", "large"];
        let mut f = Firm::new(&format!("F{i}"), sectors[sector], sizes[size], Stage::Growth, score);
        f.patents = patents;
        let limit = l.map_or(f64::INFINITY, |l| d + l);
        let terms = Some(CoverTerms::claims(
            ClaimTerms::new(d, limit).unwrap().with_share(share).unwrap(),
        ));
        let cover = |product: &str| Cover { terms: terms.clone(), ..Cover::of(product) };
        let project = ["", "biomedicine_drug", "biomedicine_oncology", "ic_tapeout", "ai_software"][rnd];
        if !project.is_empty() {
            f.covers.push(Cover { project: Some(project.into()), ..cover("rnd_failure") });
        }
        match ip {
            1 => f.covers.push(Cover { exposure: Some(5e6), ..cover("patent_defence") }),
            2 => f.covers.push(Cover { exposure: Some(2e7), ..cover("patent_enforcement") }),
            _ => {}
        }
        if let Some(loan) = loan {
            let product = if i.is_multiple_of(2) { "ip_pledge" } else { "loan_performance" };
            f.covers.push(Cover { exposure: Some(loan), ..cover(product) });
        }
        if cyber || f.covers.is_empty() {
            f.covers.push(cover("cyber"));
        }
        if monitoring {
            f.measures.push("security_monitoring".into());
        }
        f.overrides.cyber_frequency = own;
        f.covariates.insert("log_revenue".into(), log_revenue);
        f
    }
}

pub fn book() -> impl Strategy<Value = Vec<Firm>> {
    (1usize..8).prop_flat_map(|n| (0..n).map(firm).collect::<Vec<_>>())
}
