//! What every loader must do with arbitrary input: answer Ok or a clear Err, never panic or
//! hang. Shared by the cargo-fuzz targets (`fuzz_targets/`, nightly) and the stable proptest
//! version (`tests/fuzz_properties.rs`, run in CI).

use kexian::aggregate::{LossModel, SimulationPart};
use kexian::assumptions::Assumptions;
use kexian::frequency::{Frequency, FrequencyModel};
use kexian::portfolio::{Portfolio, PortfolioConfig, PortfolioPart};
use kexian::quote::QuoteConfig;
use kexian::rating::{GlmFamily, RatingPlan, RatingSpec};
use kexian::severity::{Severity, SeverityModel};
use kexian::simulation::SimulationConfig;
use kexian::table::Table;

/// A portfolio CSV: read, then underwritten under the bundled assumptions.
pub fn portfolio_csv(data: &[u8]) {
    let Ok(table) = Table::from_reader("fuzz.csv", data) else {
        return;
    };
    if let (Ok(firms), Ok(a)) = (
        kexian::io::read_portfolio_csv(&table),
        Assumptions::bundled(),
    ) {
        let _ = a.underwrite_book(&firms);
    }
}

/// An experience CSV: a rating plan fitted on it and used to predict it.
pub fn experience_csv(data: &[u8]) {
    let Ok(table) = Table::from_reader("fuzz.csv", data) else {
        return;
    };
    if table.len() > 2_000 {
        return;
    }
    let spec: RatingSpec = serde_json::from_str(
        r#"{"response": "claims", "exposure": "exposure",
            "factors": [{"kind": "score_tier", "column": "score", "monotone": true},
                        {"kind": "categorical", "column": "sector"},
                        {"kind": "numeric", "column": "log_revenue", "center": 17.0}]}"#,
    )
    .expect("a valid spec");
    if let Ok(plan) = RatingPlan::fit(GlmFamily::Poisson, &spec, &table) {
        let _ = plan.predict(&table);
    }
}

/// Pricing configurations, rating specs and single-cover specs.
pub fn config_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(c) = kexian::io::parse_json::<QuoteConfig>("fuzz.json", text) {
        let _ = c.validate();
    }
    let _ = kexian::io::parse_json::<RatingSpec>("fuzz.json", text);
    if let Ok(spec) = kexian::io::parse_json::<kexian::pricing::LineSpec>("fuzz.json", text) {
        let _ = kexian::Validate::validate(&spec);
    }
}

/// Assumption sets: validated, then a firm of each sector and size underwritten.
pub fn assumptions_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(a) = Assumptions::from_json("fuzz.json", text) else {
        return;
    };
    let set = a.set();
    for (sector, size) in set.sectors.iter().zip(set.sizes.iter().cycle()).take(8) {
        let mut firm = kexian::book::Firm::new(
            "F",
            sector,
            size,
            kexian::rating::Stage::Growth,
            set.score_scale.range().0,
        );
        firm.covers = (set.products.iter())
            .map(|p| kexian::book::Cover {
                exposure: p.exposure.as_ref().map(|_| 1e6),
                project: set.rnd.projects.first().map(|r| r.name.clone()),
                ..kexian::book::Cover::of(&p.name)
            })
            .collect();
        let _ = a.underwrite(&firm);
    }
}

/// Loss models and families: queried, aggregated on a small grid and simulated when cheap.
pub fn model_json(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(s) = kexian::io::parse_json::<SeverityModel>("fuzz.json", text) {
        for x in [0.0, 1.0, 1e3, 1e9] {
            let _ = (s.cdf(x), s.survival(x), s.limited_expected_value(x));
        }
        let _ = (s.quantile(0.5), s.mean());
    }
    if let Ok(n) = kexian::io::parse_json::<FrequencyModel>("fuzz.json", text) {
        let _ = (n.pmf(3), n.cdf(3), n.mean());
    }
    let Ok(m) =
        kexian::io::parse_json::<LossModel<FrequencyModel, SeverityModel>>("fuzz.json", text)
    else {
        return;
    };
    let _ = (m.analytic_mean(), m.analytic_variance());
    if let Ok(grid) = m.recommended_grid(256, 0.999) {
        let _ = m.exact_distribution(
            kexian::aggregate::ExactMethod::Fft { padding: 2 },
            &grid,
            kexian::aggregate::Discretization::MeanPreserving,
        );
    }
    // Simulate only covers with a modest claim count (a fuzzed Poisson(1e9) is not a bug).
    if m.frequency().mean() <= 100.0
        && let Ok(c) = kexian::simulation::SimulationConfig::new(1, 64)
    {
        let _ = m.simulate(&c);
    }
}

/// The book and run of the `part_cbor` corpus: two compound policies, 2,048 years, seed 1.
pub fn part_book() -> (Portfolio, PortfolioConfig) {
    let book = serde_json::from_str(
        r#"{"policies": [
            {"id": "A", "sector": "ai", "perils": [{"peril": "compound",
             "frequency": {"type": "poisson", "lambda": 0.4},
             "severity": {"type": "lognormal", "mu": 12.0, "sigma": 1.5}}]},
            {"id": "B", "sector": "biotech", "perils": [{"peril": "compound",
             "frequency": {"type": "poisson", "lambda": 0.2},
             "severity": {"type": "exponential", "theta": 300000.0}}]}]}"#,
    )
    .expect("a valid book");
    (book, PortfolioConfig::new(1, 2048).expect("a valid run"))
}

/// The cover and run of the `part_cbor` corpus: Poisson(2) × lognormal(10, 2), 400 trials
/// in batches of 100, seed 1.
pub fn part_cover() -> (LossModel<FrequencyModel, SeverityModel>, SimulationConfig) {
    let model = serde_json::from_str(
        r#"{"frequency": {"type": "poisson", "lambda": 2.0},
            "severity": {"type": "lognormal", "mu": 10.0, "sigma": 2.0}}"#,
    )
    .expect("a valid model");
    let config = SimulationConfig::new(1, 400)
        .and_then(|c| c.with_batch_size(100))
        .expect("a valid run");
    (model, config)
}

/// A partial result's CBOR, crafted and then sealed (so the seal passes and the decoder and
/// the merge's range checks see it): merged into the corpus run as a portfolio part or a
/// cover's part, it gives Ok or a clear Err, never a panic.
pub fn part_cbor(data: &[u8]) {
    let sealed = kexian::simulation::seal(data);
    if let Ok(part) = PortfolioPart::from_bytes(&sealed) {
        let (book, config) = part_book();
        let _ = book.merge(&config, vec![part]);
    }
    if let Ok(part) = SimulationPart::from_bytes(&sealed) {
        let (model, config) = part_cover();
        let _ = model.merge(&config, vec![part]);
    }
}
