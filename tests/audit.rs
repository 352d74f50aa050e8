//! Numbers an auditor signs: the money flows reconcile, the plan is rebalanced to the model,
//! the inputs digest covers every input, and the reported standard errors match the spread
//! of independent runs.

mod common;

use common::book::book;
use kexian::assumptions::Assumptions;
use kexian::book::Firm;
use kexian::coverage::Layer;
use kexian::io::read_portfolio;
use kexian::quote::{
    Loadings, PoolMember, QuoteConfig, QuoteRun, RatingConfig, Rebalance, Reinsurance,
    inputs_digest, price,
};
use kexian::table::Table;
use proptest::prelude::*;

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn experience() -> Table {
    Table::from_path(format!("{DATA}/experience.csv")).unwrap()
}

fn bundled_config() -> QuoteConfig {
    kexian::io::read_config(format!("{DATA}/pricing.json")).unwrap()
}

/// |a − b| ≤ `fen` 分 + 1e-9 relative: the flows are whole 分 computed from float inputs, so
/// a flow is within half a 分 of its formula, and within (1 + rate)/2 分 when the formula is
/// a rate times another rounded flow.
fn near(a: f64, b: f64, fen: f64, what: &str) -> Result<(), TestCaseError> {
    prop_assert!(
        (a - b).abs() <= fen / 100.0 + 1e-9 * b.abs(),
        "{what}: {a} against {b}"
    );
    Ok(())
}

/// Every identity of the flows, checked from the quotes and the configuration (not through
/// `Flows::reconcile`, which is checked too).
fn check_flows(run: &QuoteRun, config: &QuoteConfig) -> Result<(), TestCaseError> {
    let f = &run.summary.flows;
    f.reconcile()
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let premium: f64 = run.quotes.iter().map(|q| q.premium).sum();
    let el: f64 = run.quotes.iter().map(|q| q.expected_loss).sum();
    near(f.gross_premium, premium, 0.5, "gross premium")?;
    near(f.gross_expected_loss, el, 0.5, "gross expected loss")?;
    let ri = config.reinsurance.clone().unwrap_or(Reinsurance {
        aggregate_xol: vec![],
        per_risk_xol: vec![],
        loading: 0.0,
        quota_share: 0.0,
        ceding_commission: 0.0,
    });
    for t in [&f.per_risk_xol, &f.aggregate_xol] {
        near(
            t.premium,
            (1.0 + ri.loading) * t.expected_recoveries,
            1.0 + ri.loading / 2.0,
            "treaty premium",
        )?;
    }
    let qs = &f.quota_share;
    let net = f.gross_premium - f.per_risk_xol.premium - f.aggregate_xol.premium;
    near(
        qs.ceded_premium,
        ri.quota_share * net,
        0.5,
        "quota-share premium",
    )?;
    near(
        qs.ceding_commission,
        ri.ceding_commission * qs.ceded_premium,
        1.0,
        "commission",
    )?;
    near(
        qs.reinsurer_premium,
        qs.ceded_premium - qs.ceding_commission,
        0.0,
        "reinsurer",
    )?;
    let members: f64 = f.members.iter().map(|m| m.premium).sum();
    let commission: f64 = f.members.iter().map(|m| m.ceding_commission).sum();
    // The identities themselves hold to the 分 (1e-9 relative and better).
    let total = f.per_risk_xol.premium
        + f.aggregate_xol.premium
        + qs.reinsurer_premium
        + qs.ceding_commission
        + members;
    prop_assert!((total - f.gross_premium).abs() <= 1e-9 * f.gross_premium.max(1.0));
    prop_assert!((members + commission - f.retained_premium).abs() <= 1e-9 * premium.max(1.0));
    let losses = f.per_risk_xol.expected_recoveries
        + f.aggregate_xol.expected_recoveries
        + qs.expected_loss
        + f.members.iter().map(|m| m.expected_loss).sum::<f64>();
    prop_assert!((losses - f.gross_expected_loss).abs() <= 1e-9 * el.max(1.0));
    for (m, share) in f.members.iter().zip(config.pool.iter().map(|p| p.share)) {
        near(
            m.premium,
            share * (net - qs.ceded_premium),
            1.0,
            "member premium",
        )?;
    }
    Ok(())
}

#[test]
fn the_bundled_summary_reconciles_to_the_fen() {
    let firms = read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let config = bundled_config();
    let run = price(
        &firms,
        &Assumptions::bundled().unwrap(),
        &config,
        Some(&experience()),
        None,
    )
    .unwrap();
    check_flows(&run, &config).unwrap();
    let f = &run.summary.flows;
    assert_eq!(f.members.len(), 3);
    assert!(f.quota_share.ceding_commission > 0.0 && f.per_risk_xol.expected_recoveries > 0.0);
}

fn layer(attachment: f64, limit: f64) -> Layer {
    serde_json::from_value(serde_json::json!({"attachment": attachment, "limit": limit})).unwrap()
}

prop_compose! {
    fn settings()(
        seed in any::<u64>(), coc in 0.0f64..0.3, expense in 0.0f64..0.3,
        rounding in prop_oneof![Just(0.0), Just(10.0)],
        per_risk in prop_oneof![Just(None), (1e4f64..1e6, 1e5f64..1e7).prop_map(Some)],
        aggregate in prop_oneof![Just(None), (1e4f64..1e7, 1e5f64..1e8).prop_map(Some)],
        loading in 0.0f64..0.5, quota_share in 0.0f64..=1.0, commission in 0.0f64..0.4,
        pool in prop::collection::vec(1u32..100, 0..4),
        rated in any::<bool>(), alpha in 0.0f64..0.5, max_share in 0.0f64..=1.0,
        rebalance in prop_oneof![Just("credibility"), Just("model"), Just("none")],
    ) -> QuoteConfig {
        let loadings = Loadings {
            cost_of_capital: coc,
            expense_ratio: expense,
            commission_ratio: 0.05,
            profit_ratio: 0.05,
            minimum_premium: 0.0,
            rounding,
        };
        let mut c = QuoteConfig::new(seed, 400, loadings).unwrap();
        c.reinsurance = Some(Reinsurance {
            per_risk_xol: per_risk.map(|(a, l)| vec![layer(a, l)]).unwrap_or_default(),
            aggregate_xol: aggregate.map(|(a, l)| vec![layer(a, l)]).unwrap_or_default(),
            loading,
            quota_share,
            ceding_commission: commission,
        });
        let weight: u32 = pool.iter().sum();
        c.pool = pool
            .iter()
            .enumerate()
            .map(|(i, &w)| PoolMember { name: format!("M{i}"), share: f64::from(w) / f64::from(weight) })
            .collect();
        // Shares must add to 1 within 1e-9: put the float residue on the first member.
        if let Some(first) = c.pool.first_mut() {
            let rest: f64 = pool.iter().skip(1).map(|&w| f64::from(w) / f64::from(weight)).sum();
            first.share = 1.0 - rest;
        }
        if rated {
            let mut rating: RatingConfig = bundled_config().rating.unwrap();
            rating.credibility_alpha = alpha;
            rating.rebalance = serde_json::from_value(serde_json::json!(rebalance)).unwrap();
            c.rating = Some(rating);
        }
        c.subsidies = bundled_config().subsidies;
        c.subsidy_max_share = max_share;
        c
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Random books and settings (issue 32, acceptance 3): every flow identity holds, the
    /// hard checks never fail (no cover's expected loss above what it can pay, subsidies
    /// within the firm's cap, components that add up, premium ≥ expected loss ≥ 0), checked
    /// here by hand as well as by the run; each line is brought to its level (the model's, or
    /// the credibility blend with the experience), unless a cover was capped.
    #[test]
    fn random_books_reconcile_level_and_pass_the_hard_checks(firms in book(), config in settings()) {
        let firms: Vec<Firm> = firms;
        let run = price(&firms, &Assumptions::bundled().unwrap(), &config, Some(&experience()), None)
            .unwrap();
        check_flows(&run, &config)?;
        for c in &run.summary.checks {
            prop_assert!(!c.hard || c.count == 0, "{}: {} ({:?})", c.name, c.count, c.examples);
        }
        let mut capped = false;
        for q in &run.quotes {
            for c in &q.covers {
                if let Some(m) = c.maximum_payment {
                    prop_assert!(c.expected_loss <= m, "{} {}: {} > {m}", q.firm, c.product, c.expected_loss);
                }
                capped |= c.capped;
            }
            prop_assert!(q.subsidy >= 0.0 && q.subsidy <= config.subsidy_max_share * q.premium + 1e-6);
            prop_assert!((q.components_total() - q.premium).abs() <= 1e-9 * q.premium.max(1.0));
            prop_assert!(q.expected_loss >= 0.0 && q.premium >= q.expected_loss);
        }
        let rebalance = config.rating.as_ref().map(|r| r.rebalance);
        for v in &run.summary.levels {
            let level = match rebalance {
                None | Some(Rebalance::Credibility) => (run.summary.experience.iter())
                    .find(|x| x.line == v.line)
                    .map_or(1.0, |x| x.level),
                Some(Rebalance::Model) => 1.0,
                Some(_) => continue,
            };
            let want = v.model_expected_loss * level;
            if !capped {
                prop_assert!((v.rated_expected_loss - want).abs() <= 1e-9 * want.max(1e-300),
                             "{}: {} vs {want}", v.line, v.rated_expected_loss);
            }
        }
    }
}

#[test]
fn the_inputs_digest_changes_with_every_input_and_only_with_them() {
    let firms = read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let assumptions = Assumptions::bundled().unwrap();
    let mut config = bundled_config();
    config.simulation.trials = 2_000;
    let text = std::fs::read_to_string(format!("{DATA}/experience.csv")).unwrap();
    let table = |t: &str| Table::from_reader("experience.csv", t.as_bytes()).unwrap();
    let digest = |f: &[Firm], a: &Assumptions, c: &QuoteConfig, e: &str| {
        inputs_digest(f, a, c, Some(&table(e))).unwrap()
    };
    let base = digest(&firms, &assumptions, &config, &text);
    assert_eq!(base.len(), 64);
    assert_eq!(
        base,
        digest(&firms, &assumptions, &config, &text),
        "same inputs"
    );
    // The experience table's source name is not content.
    let renamed = Table::from_reader("elsewhere.csv", text.as_bytes()).unwrap();
    assert_eq!(
        base,
        inputs_digest(&firms, &assumptions, &config, Some(&renamed)).unwrap()
    );
    let mut changed = Vec::new();
    // A firm's score.
    let mut f = firms.clone();
    f[7].score += 0.1;
    changed.push(digest(&f, &assumptions, &config, &text));
    // One claim in the experience (the first firm-year with none gets one).
    let claim = text.replacen(",1.0,0,0.00\n", ",1.0,1,0.00\n", 1);
    assert!(claim != text, "no claim-free firm-year to change");
    changed.push(digest(&firms, &assumptions, &config, &claim));
    // An assumption.
    let json = std::fs::read_to_string(format!("{DATA}/assumptions/shanghai_2025.json")).unwrap();
    let bumped = json.replacen("\"usd_to_cny\": 7.1", "\"usd_to_cny\": 7.2", 1);
    assert!(
        bumped != json,
        "the assumption to change is not in the file"
    );
    let other = Assumptions::from_json("bumped.json", &bumped).unwrap();
    changed.push(digest(&firms, &other, &config, &text));
    // The configuration: seed, trials, a loading.
    for change in [
        |c: &mut QuoteConfig| c.simulation.seed += 1,
        |c: &mut QuoteConfig| c.simulation.trials += 1,
        |c: &mut QuoteConfig| c.loadings.expense_ratio += 0.001,
    ] {
        let mut c = config.clone();
        change(&mut c);
        changed.push(digest(&firms, &assumptions, &c, &text));
    }
    for (i, d) in changed.iter().enumerate() {
        assert_ne!(d, &base, "change {i}");
    }
    // The digest is on the summary and on every quote.
    let run = price(&firms, &assumptions, &config, Some(&table(&text)), None).unwrap();
    assert_eq!(run.summary.provenance.inputs_digest, base);
    assert!(run.quotes.iter().all(|q| q.inputs_digest == base));
}

/// The spread of TVaR 99.5%, the largest co-TVaR and the largest policy mean over 60
/// independent runs (seeds 1–60) of the bundled book, and the root mean square of the
/// standard errors those runs report.
fn spread_and_reported(book: &kexian::portfolio::Portfolio) -> [(f64, f64); 3] {
    let mut pconfig = bundled_config().portfolio();
    pconfig.simulation.trials = 100_000;
    let first = book.simulate(&pconfig).unwrap();
    let largest = |f: fn(&kexian::portfolio::PolicyResult) -> f64| {
        (0..first.policies.len())
            .max_by(|&a, &b| f(&first.policies[a]).total_cmp(&f(&first.policies[b])))
            .unwrap()
    };
    let (i_tail, i_mean) = (largest(|p| p.allocated_tvar), largest(|p| p.mean));
    let mut xs = [vec![], vec![], vec![]];
    for seed in 1..=60 {
        pconfig.simulation.seed = seed;
        let run = book.simulate(&pconfig).unwrap();
        let t = run.tvar_estimate().unwrap();
        xs[0].push((t.value, t.std_error));
        let p = &run.policies[i_tail];
        xs[1].push((p.allocated_tvar, p.allocated_tvar_std_error));
        let p = &run.policies[i_mean];
        xs[2].push((p.mean, p.mean_std_error));
    }
    xs.map(|x| {
        let n = x.len() as f64;
        let mean = x.iter().map(|x| x.0).sum::<f64>() / n;
        let spread = (x.iter().map(|x| (x.0 - mean).powi(2)).sum::<f64>() / (n - 1.0)).sqrt();
        let reported = (x.iter().map(|x| x.1 * x.1).sum::<f64>() / n).sqrt();
        (spread, reported)
    })
}

const STATISTICS: [&str; 3] = ["TVaR 99.5%", "largest co-TVaR", "largest policy mean"];

/// The bundled book as a portfolio, with its copula or without it.
fn bundled_book(copula: bool) -> kexian::portfolio::Portfolio {
    let firms = read_portfolio(format!("{DATA}/portfolio.csv")).unwrap();
    let (_, book) = Assumptions::bundled()
        .unwrap()
        .portfolio(&firms, bundled_config().per_risk_xol())
        .unwrap();
    let mut spec = kexian::portfolio::PortfolioSpec::from(book);
    if !copula {
        spec.dependence = None;
    }
    kexian::portfolio::Portfolio::new(spec).unwrap()
}

/// Independent sectors: the reported standard errors (batch means of the influence
/// functions over independent blocks) match the spread of 60 seeds within 30%. With 60
/// runs the sample standard deviation is itself uncertain by about 1/√118 ≈ 9% (30 seeds,
/// ≈ 13%, were too few: with the per-block streams seeds 1–30 gave 1.32× for the largest
/// co-TVaR and seeds 31–60 1.16×).
#[test]
fn reported_standard_errors_match_the_spread_of_sixty_seeds() {
    for (what, (spread, reported)) in STATISTICS
        .iter()
        .zip(spread_and_reported(&bundled_book(false)))
    {
        println!("{what}: spread {spread:.1}, reported {reported:.1}");
        assert!(
            (reported / spread - 1.0).abs() < 0.3,
            "{what}: reported standard error {reported:.1} against a spread of {spread:.1}"
        );
    }
}

/// With the copula, the rank reorder inside each block makes the run's TVaR less variable
/// than its blocks' batch means say: the reported error is conservative (measured: 1.16×
/// the spread of 60 seeds at 10^5 years; 1.43× of 30 seeds with the streams before they
/// were per block), never well below it.
#[test]
fn with_the_copula_the_reported_tvar_error_is_conservative() {
    let [(spread, reported), ..] = spread_and_reported(&bundled_book(true));
    println!("TVaR 99.5% with the copula: spread {spread:.1}, reported {reported:.1}");
    assert!(
        reported >= 0.9 * spread && reported <= 1.6 * spread,
        "reported {reported:.1} against a spread of {spread:.1}"
    );
}
