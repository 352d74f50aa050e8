//! Quote one firm: an AI company with a 沪科积分 of 720 buying R&D-failure, patent-defence
//! and cyber covers, priced against the bundled rating plan and experience, with the
//! Shanghai-style tiered subsidy. Prints the quote with every component and checks that they
//! add up and that the firm's better score lowers its price.
//!
//! `cargo run --release --example quote_firm`

use kexian::quote::{QuoteConfig, price_portfolio};
use kexian::table::Table;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn firm(score: f64) -> Result<Table, kexian::Error> {
    let csv = format!(
        "firm,sector,stage,size,score,log_revenue,patents,rnd_project,ip_cover,amount_at_risk,\
         pledge_loan,pledge_pd,cyber,deductible,limit,share,first_set_value\n\
         SH-AI-001,ai,growth,medium,{score},17.8,35,ai_software,defence,8000000,0,0,1,\
         50000,5000000,0.8,0\n"
    );
    Table::from_reader("firm.csv", csv.as_bytes())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut config: QuoteConfig =
        serde_json::from_str(&std::fs::read_to_string(format!("{DATA}/pricing.json"))?)?;
    // A standalone quote: no portfolio accumulation, no pool or tower.
    config.shocks.clear();
    config.dependence = None;
    config.reinsurance = None;
    config.pool.clear();
    let experience = Table::from_path(format!("{DATA}/experience.csv"))?;
    let run = price_portfolio(&firm(720.0)?, Some(&experience), &config, None)?;
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
    // Tier 4 of the default scale: 40% of the premium, within the 30万元 cap.
    assert_eq!(q.score_tier, 4);
    assert!((q.subsidy - (0.4 * q.premium).min(300_000.0)).abs() < 1e-6);
    // The same firm with a tier-2 score pays more (the plan is monotone in the score).
    let weaker = price_portfolio(&firm(300.0)?, Some(&experience), &config, None)?;
    assert!(weaker.quotes[0].premium > q.premium);
    println!(
        "  same firm at score 300: premium {:.2} 元 (+{:.1}%)",
        weaker.quotes[0].premium,
        (weaker.quotes[0].premium / q.premium - 1.0) * 100.0
    );
    Ok(())
}
