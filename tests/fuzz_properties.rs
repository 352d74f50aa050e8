//! The fuzz targets' properties (`fuzz/properties.rs`) on stable: every loader answers Ok or a
//! clear Err on mutated corpus files and arbitrary bytes, never panicking. cargo-fuzz runs the
//! same properties for millions of inputs on nightly (`fuzz/`).

#[path = "../fuzz/properties.rs"]
mod properties;

use proptest::prelude::*;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files.iter().map(|p| std::fs::read(p).unwrap()).collect()
}

/// A corpus file with random edits (byte changes, insertions, deletions, a truncation), or
/// arbitrary bytes.
fn input(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seeds = corpus(target);
    let n = seeds.len();
    let edits = prop::collection::vec((0u8..4, any::<prop::sample::Index>(), any::<u8>()), 0..12);
    prop_oneof![
        4 => (0..n, edits).prop_map(move |(k, edits)| {
            let mut b = seeds[k].clone();
            for (op, at, byte) in edits {
                if b.is_empty() {
                    b.push(byte);
                    continue;
                }
                let i = at.index(b.len());
                match op {
                    0 => b[i] = byte,
                    1 => b.insert(i, byte),
                    2 => {
                        b.remove(i);
                    }
                    _ => b.truncate(i),
                }
            }
            b
        }),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, ..ProptestConfig::default() })]

    #[test]
    fn portfolio_csv(data in input("portfolio_csv")) { properties::portfolio_csv(&data) }

    #[test]
    fn experience_csv(data in input("experience_csv")) { properties::experience_csv(&data) }

    #[test]
    fn config_json(data in input("config_json")) { properties::config_json(&data) }

    #[test]
    fn assumptions_json(data in input("assumptions_json")) { properties::assumptions_json(&data) }

    #[test]
    fn model_json(data in input("model_json")) { properties::model_json(&data) }

    #[test]
    fn part_cbor(data in input("part_cbor")) { properties::part_cbor(&data) }
}

#[test]
fn the_corpus_files_themselves_load() {
    for f in corpus("assumptions_json") {
        kexian::assumptions::Assumptions::from_json("corpus", std::str::from_utf8(&f).unwrap())
            .unwrap();
    }
    for target in [
        "portfolio_csv",
        "experience_csv",
        "config_json",
        "model_json",
    ] {
        assert!(!corpus(target).is_empty(), "{target}");
    }
    // The part corpus holds genuine parts of its run: sealed, each merges.
    let parts = corpus("part_cbor");
    assert_eq!(parts.len(), 2);
    let sealed: Vec<Vec<u8>> = parts.iter().map(|p| kexian::simulation::seal(p)).collect();
    let (book, config) = properties::part_book();
    let part = kexian::portfolio::PortfolioPart::from_bytes(&sealed[1]).unwrap();
    assert_eq!(
        book.merge(&config, vec![part]).unwrap(),
        book.simulate(&config).unwrap()
    );
    let (model, config) = properties::part_cover();
    let part = kexian::aggregate::SimulationPart::from_bytes(&sealed[0]).unwrap();
    assert_eq!(
        model.merge(&config, vec![part]).unwrap(),
        model.simulate(&config).unwrap()
    );
}
