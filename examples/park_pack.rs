//! Price a 普惠 SME pack: a technology park buys cyber cover for 40 member firms, each with a
//! 50万元 per-firm limit, under one pooled annual aggregate limit of 300万元. The pack is
//! priced for the group and allocated to members; the pooled limit must make it cheaper than
//! the members' covers without it.
//!
//! `cargo run --release --example park_pack`

use kexian::assumptions::Assumptions;
use kexian::coverage::{AggregateTerms, ClaimTerms};
use kexian::perils::{CyberSections, PerilModel};
use kexian::portfolio::{Policy, Portfolio, PortfolioConfig, PortfolioSpec};
use kexian::quote::{Loadings, price_pack};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let assumptions = Assumptions::bundled()?;
    let sectors = ["ai", "ic", "biomedicine", "new_materials"];
    let terms = ClaimTerms::new(10_000.0, 500_000.0)?;
    let mut policies = Vec::new();
    for i in 0..40 {
        let sector = sectors[i % 4];
        let mut cyber =
            assumptions.cyber_risk(if i % 3 == 0 { "small" } else { "micro" }, sector)?;
        cyber.sections = CyberSections {
            first_party: terms,
            business_interruption: terms,
            liability: terms,
        };
        policies.push(Policy {
            id: format!("park-{i:02}"),
            sector: sector.into(),
            group: None,
            perils: vec![PerilModel::Cyber(cyber)],
            shocks: None,
        });
    }
    let members = Portfolio::new(PortfolioSpec {
        policies,
        shocks: vec![],
        dependence: None,
        per_risk_xol: vec![],
    })?;
    let run = members.simulate(&PortfolioConfig::new(88, 200_000)?)?;
    let loadings = Loadings {
        cost_of_capital: 0.10,
        expense_ratio: 0.12,
        commission_ratio: 0.03,
        profit_ratio: 0.05,
        minimum_premium: 0.0,
        rounding: 0.0,
    };
    let pooled = price_pack(&run, &AggregateTerms::new(0.0, 3_000_000.0)?, &loadings)?;
    let unpooled = price_pack(&run, &AggregateTerms::default(), &loadings)?;
    println!("Park pack, 40 members, 200,000 simulated years");
    println!(
        "  expected loss before the pooled limit {:>12.0} 元",
        pooled.expected_loss_before_pool
    );
    println!(
        "  expected loss after the 300万 limit   {:>12.0} 元",
        pooled.expected_loss
    );
    println!(
        "  TVaR 99.5% of the pooled payment      {:>12.0} 元",
        pooled.tvar
    );
    println!(
        "  group premium                         {:>12.0} 元",
        pooled.premium
    );
    println!(
        "  (without the pooled limit             {:>12.0} 元)",
        unpooled.premium
    );
    for (id, share, premium) in pooled.members.iter().take(4) {
        println!("  member {id}: {:.2}% → {premium:.0} 元", share * 100.0);
    }
    // The pooled limit caps the tail: lower expected loss, TVaR at most the limit, cheaper.
    assert!(pooled.expected_loss <= pooled.expected_loss_before_pool);
    assert!(pooled.tvar <= 3_000_000.0 + 1e-6);
    assert!(pooled.premium < unpooled.premium);
    let allocated: f64 = pooled.members.iter().map(|m| m.2).sum();
    assert!((allocated - pooled.premium).abs() <= 1e-9 * pooled.premium);
    Ok(())
}
