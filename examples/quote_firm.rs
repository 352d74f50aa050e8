//! Quote one firm from Rust, no files written: an AI company with a 沪科积分 of 720 buying
//! R&D-failure, patent-defence and cyber covers, priced under the bundled assumption set,
//! rating plan (fitted on the bundled experience) and Shanghai-style tiered subsidy. Prints
//! the quote with every component and checks that they add up, that the subsidy follows the
//! tier and that a weaker score costs more.
//!
//! `cargo run --release --example quote_firm`

use kexian::assumptions::Assumptions;
use kexian::book::{Cover, Firm};
use kexian::coverage::{ClaimTerms, CoverTerms};
use kexian::quote::{QuoteConfig, QuoteRun, price};
use kexian::rating::Stage;
use kexian::table::Table;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assumptions = Assumptions::bundled()?;
    let mut config: QuoteConfig = kexian::io::read_json(format!("{DATA}/pricing.json"))?;
    (config.reinsurance, config.pool) = (None, vec![]); // a standalone quote: no tower, no pool
    let experience = Table::from_path(format!("{DATA}/experience.csv"))?;
    let quote = |score: f64| -> Result<QuoteRun, kexian::Error> {
        let mut firm = Firm::new("SH-AI-001", "ai", "medium", Stage::Growth, score);
        firm.covariates.insert("log_revenue".into(), 17.8);
        firm.patents = 35.0;
        let terms = Some(CoverTerms::claims(
            ClaimTerms::new(5e4, 5e6)?.with_share(0.8)?,
        ));
        let cover = |product: &str| Cover {
            terms: terms.clone(),
            ..Cover::of(product)
        };
        firm.covers = vec![
            Cover {
                project: Some("ai_software".into()),
                ..cover("rnd_failure")
            },
            Cover {
                exposure: Some(8e6),
                ..cover("patent_defence")
            },
            cover("cyber"),
        ];
        price(&[firm], &assumptions, &config, Some(&experience), None)
    };
    let run = quote(720.0)?;
    let q = &run.quotes[0];
    println!(
        "Quote for {} ({} sector, 沪科积分 tier T{})",
        q.firm, q.sector, q.score_tier
    );
    for l in &q.lines {
        println!(
            "  expected loss, {:<8} {:>14.2} 元",
            l.line, l.expected_loss
        );
    }
    for r in &q.relativities {
        println!(
            "  relativity {:<24} {:<32} × {:.4}",
            r.factor, r.level, r.relativity
        );
    }
    for (name, value) in [
        ("expected loss 期望损失", q.expected_loss),
        ("risk load 风险附加", q.risk_load),
        ("expense 费用", q.expense),
        ("commission 佣金", q.commission),
        ("profit 利润", q.profit),
        ("minimum premium adj.", q.minimum_premium_adjustment),
        ("rounding adj.", q.rounding_adjustment),
        ("premium 保费", q.premium),
        ("subsidy 财政补贴", q.subsidy),
        ("firm pays 企业自付", q.firm_pays),
    ] {
        println!("  {name:<24} {value:>14.2} 元");
    }
    assert!((q.components_total() - q.premium).abs() <= 1e-9 * q.premium);
    // Tier 4 of the bundled scale: 40% of the premium, within the 30万元 cap.
    assert_eq!(q.score_tier, 4);
    assert!((q.subsidy - (0.4 * q.premium).min(300_000.0)).abs() < 1e-6);
    // The same firm with a tier-2 score pays more (the plan is monotone in the score).
    let weaker = quote(300.0)?;
    assert!(weaker.quotes[0].premium > q.premium);
    println!(
        "  same firm at score 300: premium {:.2} 元 (+{:.1}%)",
        weaker.quotes[0].premium,
        (weaker.quotes[0].premium / q.premium - 1.0) * 100.0
    );
    Ok(())
}
