//! Products as data: a product added in JSON alone, bought beside other covers with their own
//! terms and priced with the book; the bundled catalogue's new products against independent
//! simulations; the 首台套 subsidy bound to its cover; bad covers refused with their place.

use kexian::assumptions::{Assumptions, Underwritten};
use kexian::book::{Cover, Firm};
use kexian::coverage::{ClaimTerms, CoverTerms};
use kexian::perils::{Peril, PerilModel};
use kexian::quote::{Loadings, QuoteConfig, SubsidyRule, price, price_with};
use kexian::rating::Stage;
use rand::{RngExt, SeedableRng};
use rand_distr::{Distribution, LogNormal, Poisson};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde_json::{Value, json};

const BUNDLED: &str = include_str!("../data/assumptions/shanghai_2025.json");

fn loadings() -> Loadings {
    Loadings {
        cost_of_capital: 0.1,
        expense_ratio: 0.15,
        commission_ratio: 0.05,
        profit_ratio: 0.05,
        minimum_premium: 0.0,
        rounding: 0.0,
    }
}

fn claims(d: f64, l: f64, share: f64) -> Option<CoverTerms> {
    Some(CoverTerms::claims(
        ClaimTerms::new(d, l).unwrap().with_share(share).unwrap(),
    ))
}

/// The bundled set with one more product, written in JSON only: lab equipment breakdown,
/// Poisson(0.3) claims of exponential size with mean 200,000 元.
fn with_lab_equipment() -> Assumptions {
    let mut set: Value = serde_json::from_str(BUNDLED).unwrap();
    set["products"].as_array_mut().unwrap().push(json!({
        "name": "lab_equipment", "name_zh": "实验设备损坏保险", "line": "equipment",
        "model": {"mechanism": "compound", "frequency": {"type": "poisson", "lambda": 0.3},
                  "sections": [{"name": "breakdown", "share": 1.0,
                                "severity": {"type": "exponential", "theta": 2e5}}]},
        "terms": {"claim": {"deductible": 1e4, "limit": 5e5}}
    }));
    Assumptions::from_json("lab.json", &set.to_string()).unwrap()
}

#[test]
fn a_json_only_product_is_priced_with_the_book_under_each_covers_own_terms() {
    let a = with_lab_equipment();
    // Firm A: the new product (50,000 deductible, 300,000 maximum covered loss, 80%) beside
    // cyber 500,000 xs 5,000,000 and R&D 0 xs 10,000,000 (full share).
    let mut f1 = Firm::new("A", "ai", "small", Stage::Growth, 655.0);
    f1.covers = vec![
        Cover {
            terms: claims(5e4, 3e5, 0.8),
            ..Cover::of("lab_equipment")
        },
        Cover {
            terms: claims(5e6, 5.5e6, 1.0),
            ..Cover::of("cyber")
        },
        Cover {
            project: Some("ai_software".into()),
            terms: claims(0.0, 1e7, 1.0),
            ..Cover::of("rnd_failure")
        },
    ];
    // Firm B: the new product alone with the same terms (its policy standard error is the
    // product's); firm C: the new product with its default terms and cyber.
    let mut f2 = Firm::new("B", "ic", "medium", Stage::Mature, 420.0);
    f2.covers = vec![f1.covers[0].clone()];
    let mut f3 = Firm::new("C", "biomedicine", "micro", Stage::StartUp, 300.0);
    f3.covers = vec![Cover::of("lab_equipment"), Cover::of("cyber")];
    let firms = [f1, f2, f3];

    // Each cover's terms are the ones given.
    let u: Vec<Underwritten> = a.underwrite_book(&firms).unwrap();
    let PerilModel::Package(lab) = &u[0].policy.perils[0] else {
        panic!("the compound mechanism gives a package peril")
    };
    let t = lab.package.sections()[0].terms;
    assert_eq!((t.deductible(), t.limit(), t.share()), (5e4, 3e5, 0.8));
    let PerilModel::Cyber(cyber) = &u[0].policy.perils[1] else {
        panic!("cyber")
    };
    assert_eq!(cyber.sections.liability.deductible(), 5e6);
    assert_eq!(cyber.sections.first_party.limit(), 5.5e6);
    let PerilModel::RndFailure(rnd) = &u[0].policy.perils[2] else {
        panic!("R&D")
    };
    let t = rnd.spec().terms;
    assert_eq!((t.deductible(), t.limit()), (0.0, 1e7));
    let PerilModel::Package(default) = &u[2].policy.perils[0] else {
        panic!("package")
    };
    let t = default.package.sections()[0].terms;
    assert_eq!((t.deductible(), t.limit(), t.share()), (1e4, 5e5, 1.0));
    assert_eq!(u[0].lines, ["equipment", "cyber", "rnd"]);

    // Closed form: E = λ · α · (LEV(u) − LEV(d)), LEV(x) = θ(1 − e^{−x/θ}) for the exponential
    // (Loss Models §3.1): 0.3 · 0.8 · 200,000 · (e^{−0.25} − e^{−1.5}).
    let theta: f64 = 2e5;
    let want = 0.3 * 0.8 * theta * ((-5e4 / theta).exp() - (-3e5 / theta).exp());
    assert!((lab.expected_payment().unwrap() / want - 1.0).abs() < 1e-9);

    // Priced with the book: per-risk treaty, aggregate treaty, pool and a subsidy on the new
    // line all apply.
    let mut config = QuoteConfig::new(31, 200_000, loadings()).unwrap();
    config.reinsurance = Some(
        serde_json::from_value(json!({
            "per_risk_xol": [{"attachment": 2e6, "limit": 3e6}],
            "aggregate_xol": [{"attachment": 2e7, "limit": 1e7}],
            "loading": 0.3, "quota_share": 0.2, "ceding_commission": 0.3}))
        .unwrap(),
    );
    config.pool = serde_json::from_value(json!([
        {"name": "lead", "share": 0.6}, {"name": "B", "share": 0.4}]))
    .unwrap();
    config.subsidies = vec![SubsidyRule::FlatShare {
        line: "equipment".into(),
        share: 0.3,
        per_policy_cap: 1e9,
    }];
    let mut book = None;
    let run = price_with(&firms, &a, &config, None, |portfolio, settings| {
        let run = portfolio.simulate(settings)?;
        book = Some(run.clone());
        Ok(run)
    })
    .unwrap();
    let book = book.unwrap();
    let b = &book.policies[1];
    let se = b.mean_std_error;
    assert!(se > 0.0 && se < 0.02 * want, "SE {se}");
    assert!(
        (b.mean - want).abs() < 4.0 * se,
        "B: {} vs {want} (SE {se})",
        b.mean
    );
    let a_lab = book.policies[0].peril_means[0];
    assert!(
        (a_lab - want).abs() < 4.0 * se,
        "A: {a_lab} vs {want} (SE {se})"
    );
    for q in &run.quotes {
        let line: f64 = (q.lines.iter().filter(|l| l.line == "equipment"))
            .map(|l| l.expected_loss)
            .sum();
        let subsidy = q.subsidies[0].1;
        let want = 0.3 * q.premium * line / q.expected_loss;
        assert!((subsidy - want).abs() < 1e-6 * q.premium, "{}", q.firm);
        assert!(subsidy > 0.0);
    }
    run.summary.flows.reconcile().unwrap();
    assert_eq!(run.summary.flows.members.len(), 2);
}

/// What a product pays of one claim on section `s` with ground-up loss `x`, written here from
/// the formulas of `kexian::coverage::package` (a second implementation of the terms).
fn pays(terms: &Value, section: &str, x: f64) -> f64 {
    let num = |v: &Value, k: &str, d: f64| v.get(k).and_then(Value::as_f64).unwrap_or(d);
    let claim = terms
        .get("sections")
        .and_then(|s| s.get(section))
        .or_else(|| terms.get("claim"))
        .cloned()
        .unwrap_or(json!({}));
    let (d, u, share) = (
        num(&claim, "deductible", 0.0),
        num(&claim, "limit", f64::INFINITY),
        num(&claim, "share", 1.0),
    );
    let y = share * (x.min(u) - x.min(d));
    let policy = terms.get("policy").cloned().unwrap_or(json!({}));
    let policy_d = match policy.get("deductible") {
        Some(p) if p["kind"] == "percent_of_loss" => (num(p, "rate", 0.0) * x)
            .max(num(p, "minimum", 0.0))
            .min(num(p, "maximum", f64::INFINITY)),
        Some(p) => num(p, "amount", 0.0),
        None => 0.0,
    };
    (y - policy_d)
        .max(0.0)
        .min(num(&policy, "limit", f64::INFINITY))
}

/// The example firms of `data/README.md` (catalogue): their expected annual payment for each
/// new product from the library equals an independent 10⁶-year simulation written here, within
/// 4 standard errors.
#[test]
fn each_new_bundled_product_matches_an_independent_simulation() {
    let a = Assumptions::bundled().unwrap();
    let set: Value = serde_json::from_str(BUNDLED).unwrap();
    let products = set["products"].as_array().unwrap();
    assert!(products.len() >= 12, "{} products", products.len());
    // (product, sector, stage, exposure, count factor the firm's keys give by the product's
    // documented factors)
    let examples = [
        ("first_set_cover", "ic", Stage::Growth, Some(2e7), 1.0),
        ("rnd_liability", "biomedicine", Stage::Growth, None, 2.0),
        ("tech_transfer", "ai", Stage::StartUp, Some(5e6), 1.3),
        ("data_ip", "ai", Stage::Growth, None, (0.3f64 * 0.5).exp()),
        ("supply_chain", "ic", Stage::Growth, None, 1.5),
        ("key_personnel", "ai", Stage::Mature, Some(3e6), 1.0),
        ("clinical_trial", "biomedicine", Stage::Growth, None, 1.0),
        ("going_global", "low_altitude", Stage::Growth, None, 1.0),
    ];
    let mut rng = Xoshiro256PlusPlus::seed_from_u64(2026);
    for (name, sector, stage, exposure, factor) in examples {
        let p = products.iter().find(|p| p["name"] == name).unwrap();
        let mut firm = Firm::new("X", sector, "medium", stage, 650.0);
        firm.covariates.insert("log_revenue".into(), 17.5);
        firm.covers = vec![Cover {
            exposure,
            ..Cover::of(name)
        }];
        let u = a.underwrite(&firm).unwrap();
        let library = u.policy.perils[0].expected_payment().unwrap();

        let model = &p["model"];
        let scale = if model["severity_per_exposure"] == true {
            exposure.unwrap()
        } else {
            1.0
        };
        let sections: Vec<(String, f64, LogNormal<f64>)> = model["sections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                let sev = &s["severity"];
                let d = LogNormal::new(sev["mu"].as_f64().unwrap(), sev["sigma"].as_f64().unwrap());
                (
                    s["name"].as_str().unwrap().to_owned(),
                    s["share"].as_f64().unwrap(),
                    d.unwrap(),
                )
            })
            .collect();
        let f = &model["frequency"];
        let terms = &p["terms"];
        let annual = terms["policy"]
            .get("annual_limit")
            .and_then(Value::as_f64)
            .unwrap_or(f64::INFINITY);
        let years = 1_000_000;
        let (mut sum, mut sum2) = (0.0, 0.0);
        for _ in 0..years {
            let n = match f["type"].as_str().unwrap() {
                "poisson" => Poisson::new(f["lambda"].as_f64().unwrap() * factor)
                    .unwrap()
                    .sample(&mut rng) as u64,
                "bernoulli" => u64::from(rng.random::<f64>() < f["q"].as_f64().unwrap() * factor),
                other => panic!("{other}"),
            };
            let mut year = 0.0;
            for _ in 0..n {
                let v: f64 = rng.random();
                let mut acc = 0.0;
                let (s, _, d) = sections
                    .iter()
                    .find(|(_, share, _)| {
                        acc += share;
                        v < acc
                    })
                    .unwrap_or(sections.last().unwrap());
                year += pays(terms, s, scale * d.sample(&mut rng));
            }
            let year = year.min(annual);
            sum += year;
            sum2 += year * year;
        }
        let mean = sum / years as f64;
        let se = ((sum2 / years as f64 - mean * mean) / years as f64).sqrt();
        eprintln!("{name}: library {library:.2}, simulated {mean:.2} (SE {se:.2})");
        assert!(
            (library - mean).abs() < 4.0 * se,
            "{name}: library {library} vs simulated {mean} (SE {se})"
        );
        assert!(se < 0.02 * mean, "{name}: SE {se} of {mean}");
    }
}

#[test]
fn the_first_set_subsidy_reaches_only_the_premium_of_its_cover() {
    let a = Assumptions::bundled().unwrap();
    let mut with = Firm::new("W", "ic", "medium", Stage::Growth, 650.0);
    with.covers = vec![
        Cover::of("cyber"),
        Cover {
            exposure: Some(2e7),
            ..Cover::of("first_set_cover")
        },
    ];
    let mut without = Firm::new("O", "ic", "medium", Stage::Growth, 650.0);
    without.covers = vec![Cover::of("cyber")];
    let mut config = QuoteConfig::new(5, 50_000, loadings()).unwrap();
    config.subsidies = vec![SubsidyRule::FirstSet {
        share: 0.8,
        max_rate: 0.03,
        product: "first_set_cover".into(),
    }];
    let run = price(&[with, without], &a, &config, None, None).unwrap();
    let (w, o) = (&run.quotes[0], &run.quotes[1]);
    let cover_premium = w.premium * w.lines[1].expected_loss / w.expected_loss;
    assert_eq!(w.lines[1].line, "first_set");
    let want = 0.8 * cover_premium.min(0.03 * 2e7);
    assert!((w.subsidy - want).abs() < 1e-6, "{} vs {want}", w.subsidy);
    assert!(
        w.subsidy < 0.8 * w.premium - 1.0,
        "the cyber premium is not subsidised"
    );
    assert_eq!(o.subsidy, 0.0);
    // A rule naming a product the catalogue lacks is refused.
    config.subsidies = vec![SubsidyRule::FirstSet {
        share: 0.8,
        max_rate: 0.03,
        product: "first_sett".into(),
    }];
    let e = price(&[o.clone_firm()], &a, &config, None, None)
        .unwrap_err()
        .to_string();
    assert!(e.contains("unknown product `first_sett`"), "{e}");
}

trait CloneFirm {
    fn clone_firm(&self) -> Firm;
}

impl CloneFirm for kexian::quote::Quote {
    fn clone_firm(&self) -> Firm {
        let mut f = Firm::new(&self.firm, &self.sector, "medium", Stage::Growth, 650.0);
        f.covers = vec![Cover::of("cyber")];
        f
    }
}

#[test]
fn bad_covers_are_refused_naming_the_file_the_cover_and_the_field() {
    let a = Assumptions::bundled().unwrap();
    let book = |cover: Value| {
        json!([{"id": "F1", "sector": "ai", "size": "small", "stage": "growth", "score": 600,
                "covers": [{"product": "cyber"}, cover]}])
        .to_string()
    };
    let refused = |cover: Value, words: &[&str]| {
        let e = match kexian::io::read_portfolio_json("book.json", &book(cover)) {
            Err(e) => e.to_string(),
            Ok(firms) => a.underwrite_book(&firms).unwrap_err().to_string(),
        };
        for w in words {
            assert!(e.contains(w), "`{w}` not in: {e}");
        }
    };
    refused(
        json!({"product": "cyber_plus"}),
        &[
            "book.json firms[0]",
            "covers[1].product",
            "unknown product `cyber_plus`",
        ],
    );
    refused(
        json!({"product": "first_set_cover"}),
        &["book.json firms[0]", "covers[1].exposure", "insured value"],
    );
    refused(
        json!({"product": "rnd_liability", "terms": {"claim": {"deductible": 5e5, "limit": 1e5}}}),
        &[
            "book.json",
            "[0].covers[1].terms.claim",
            "limit",
            ">= deductible",
        ],
    );
    refused(
        json!({"product": "going_global", "terms": {"sections": {"ip_overseas": {"limit": 1e6}}}}),
        &[
            "book.json firms[0]",
            "covers[1].terms",
            "no section `ip_overseas`",
            "ip_abroad",
        ],
    );
    refused(
        json!({"product": "going_global", "terms": {"policy": {"layers": [
            {"attachment": 0, "limit": 1e6}, {"attachment": 5e5, "limit": 1e6}]}}}),
        &["book.json firms[0]", "covers[1].terms", "overlaps"],
    );
    refused(
        json!({"product": "first_set_cover", "exposure": 0.0}),
        &["covers[1]", "exposure", "> 0"],
    );
    refused(
        json!({"product": "ip_pledge", "exposure": 0.0}),
        &["covers[1]", "exposure (the loan)", "> 0"],
    );
    // NaN has no JSON form: serde_json writes null, which is a missing exposure.
    refused(
        json!({"product": "key_personnel", "exposure": f64::NAN}),
        &["covers[1].exposure", "sum insured"],
    );
    refused(
        json!({"product": "going_global", "exposure": 1e6}),
        &["covers[1].exposure", "not rated on an exposure"],
    );
    refused(
        json!({"product": "cyber", "terms": {"policy": {"annual_limit": 1e6}}}),
        &["covers[1].terms", "per-claim terms only"],
    );
}

#[test]
fn the_two_way_push_offers_eligible_products_ranked_by_need() {
    let a = Assumptions::bundled().unwrap();
    let firm = |id: &str, sector: &str, log_revenue: Option<f64>, covers: &[&str]| {
        let mut f = Firm::new(id, sector, "small", Stage::Growth, 650.0);
        if let Some(r) = log_revenue {
            f.covariates.insert("log_revenue".into(), r);
        }
        f.covers = covers.iter().map(|p| Cover::of(p)).collect();
        f
    };
    let firms = [
        firm("BIO", "biomedicine", Some(16.0), &["cyber"]),
        firm("AI", "ai", Some(18.0), &["cyber", "data_ip"]),
        firm("IC", "ic", None, &["cyber"]),
    ];
    let m = kexian::quote::match_book(&firms, &a, &loadings()).unwrap();
    let offered = |f: &str, p: &str| m.by_firm.iter().find(|x| x.firm == f && x.product == p);
    // Eligibility: clinical-trial cover for biomedicine only; nothing a firm holds.
    assert!(offered("BIO", "clinical_trial").is_some());
    assert!(offered("AI", "clinical_trial").is_none());
    assert!(offered("IC", "clinical_trial").is_none());
    assert!(m.by_firm.iter().all(|x| x.product != "cyber"));
    assert!(offered("AI", "data_ip").is_none() && offered("BIO", "data_ip").is_some());
    // Eligible but not priceable, with the reason: data IP is rated on log revenue, which IC
    // lacks; the R&D cover needs a project type.
    let why = |f: &str, p: &str| {
        m.unpriced
            .iter()
            .find(|x| x.firm == f && x.product == p)
            .map(|x| x.reason.clone())
            .unwrap_or_default()
    };
    assert!(
        why("IC", "data_ip").contains("log_revenue"),
        "{}",
        why("IC", "data_ip")
    );
    assert!(why("BIO", "rnd_failure").contains("project"));
    // Each offer's EL is its cover's closed form; the premium grosses it up by 1/(1 − 25%).
    for x in &m.by_firm {
        let f = firms.iter().find(|f| f.id == x.firm).unwrap();
        let p = a.product(&x.product).unwrap();
        let mut alone = f.clone();
        alone.covers = vec![Cover {
            exposure: p.offer.exposure,
            ..Cover::of(&x.product)
        }];
        let el = a.underwrite(&alone).unwrap().policy.perils[0]
            .expected_payment()
            .unwrap();
        assert!(
            (x.expected_loss - el).abs() <= 1e-9 * el,
            "{}/{}",
            x.firm,
            x.product
        );
        assert!((x.premium - el / 0.75).abs() <= 1e-9 * el);
        let revenue = f.covariates.get("log_revenue").map(|r| r.exp());
        assert_eq!(x.need, revenue.map(|r| el / r));
    }
    // Ranks: a firm's offers by EL, a product's firms by need (EL / revenue).
    for f in &firms {
        let mut own: Vec<_> = m.by_firm.iter().filter(|x| x.firm == f.id).collect();
        own.sort_by_key(|x| x.firm_rank);
        assert!(
            own.windows(2)
                .all(|w| w[0].expected_loss >= w[1].expected_loss)
        );
        assert_eq!(
            own.iter().map(|x| x.firm_rank).collect::<Vec<_>>(),
            (1..=own.len()).collect::<Vec<_>>()
        );
    }
    // R&D liability: biomedicine's count factor 2 and a revenue e² times smaller put BIO first.
    let rl: Vec<_> = m
        .by_product
        .iter()
        .filter(|x| x.product == "rnd_liability")
        .collect();
    assert_eq!(
        rl.iter().map(|x| x.firm.as_str()).collect::<Vec<_>>(),
        ["BIO", "AI", "IC"]
    );
    assert_eq!(
        rl.iter().map(|x| x.product_rank).collect::<Vec<_>>(),
        [1, 2, 3]
    );
    assert_eq!(m.by_product.len(), m.by_firm.len());
    let e = kexian::quote::match_book(&[], &a, &loadings()).unwrap_err();
    assert!(e.to_string().contains("firms"), "{e}");
}

#[test]
fn kexian_match_writes_both_lists_for_the_bundled_book() {
    let out = std::env::temp_dir().join(format!("kexian-match-{}", std::process::id()));
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args([
            "match",
            "--portfolio",
            concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"),
        ])
        .arg("--out")
        .arg(&out)
        .status()
        .unwrap();
    assert!(status.success());
    let by_firm = std::fs::read_to_string(out.join("matches_by_firm.csv")).unwrap();
    let by_product = std::fs::read_to_string(out.join("matches_by_product.csv")).unwrap();
    assert!(by_firm.starts_with("firm,product,name_zh,line,expected_loss,need,premium"));
    assert_eq!(by_firm.lines().count(), by_product.lines().count());
    assert!(by_firm.lines().count() > 300, "every firm has offers");
    assert!(by_firm.contains("clinical_trial") && by_product.contains("going_global"));
    let json: Value =
        serde_json::from_str(&std::fs::read_to_string(out.join("matches.json")).unwrap()).unwrap();
    assert!(
        json["portfolio"]
            .as_str()
            .unwrap()
            .ends_with("portfolio.csv")
    );
    // Cleanup: the output set is a link to kexian's store beside it.
    let store = out.with_file_name(format!(
        ".{}.sets",
        out.file_name().unwrap().to_string_lossy()
    ));
    std::fs::remove_file(&out).ok();
    std::fs::remove_dir_all(&store).ok();
}

#[test]
fn a_bad_cover_stops_the_quote_before_anything_is_written() {
    let dir = std::env::temp_dir().join(format!("kexian-bad-cover-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let book = dir.join("book.json");
    std::fs::write(
        &book,
        json!([{"id": "F1", "sector": "ai", "size": "small", "stage": "growth", "score": 600,
                "covers": [{"product": "cyber"},
                           {"product": "going_global",
                            "terms": {"sections": {"ip_overseas": {"limit": 1e6}}}}]}])
        .to_string(),
    )
    .unwrap();
    let out = dir.join("out");
    let run = std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args([
            "quote",
            "--config",
            concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"),
        ])
        .arg("--portfolio")
        .arg(&book)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(!run.status.success());
    let e = String::from_utf8_lossy(&run.stderr);
    for w in [
        "book.json firms[0]",
        "covers[1].terms",
        "no section `ip_overseas`",
    ] {
        assert!(e.contains(w), "`{w}` not in: {e}");
    }
    assert!(!out.exists(), "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}
