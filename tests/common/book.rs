//! Random valid books for property tests.

use kexian::book::{Firm, GuaranteeCover, IpCover};
use kexian::coverage::ClaimTerms;
use kexian::perils::LitigationKind;
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
        f.covariates.insert("log_revenue".into(), log_revenue);
        f
    }
}

pub fn book() -> impl Strategy<Value = Vec<Firm>> {
    (1usize..8).prop_flat_map(|n| (0..n).map(firm).collect::<Vec<_>>())
}
