//! Damaged or crafted partial results never merge into wrong numbers: every part is sealed
//! with the SHA-256 of its bytes (checked before decoding), and every decoded field is
//! range-checked against the book and the run.

mod common;
#[path = "../fuzz/properties.rs"]
#[allow(dead_code)]
mod properties;

use ciborium::Value;
use kexian::aggregate::{LossModel, SimulationPart};
use kexian::frequency::Poisson;
use kexian::portfolio::{Portfolio, PortfolioConfig, PortfolioPart};
use kexian::severity::LogNormal;
use kexian::simulation::{Shard, SimulationConfig, seal, unseal};

fn bundled() -> Portfolio {
    common::bundled_portfolio()
}

/// Two compound policies (the fuzz corpus's book): a small book whose second shard of a
/// 2,100-year run (52 years) is a part of a few hundred bytes.
fn small() -> Portfolio {
    properties::part_book().0
}

fn parts(book: &Portfolio, config: &PortfolioConfig, n: u64) -> Vec<Vec<u8>> {
    (1..=n)
        .map(|i| {
            let part = book
                .simulate_shard(config, Shard::new(i, n).unwrap(), None)
                .unwrap();
            part.to_bytes().unwrap()
        })
        .collect()
}

/// `bytes` with bit `bit` flipped.
fn flipped(bytes: &[u8], bit: usize) -> Vec<u8> {
    let mut b = bytes.to_vec();
    b[bit / 8] ^= 1 << (bit % 8);
    b
}

/// A deterministic stream of positions below `n` (xorshift).
fn positions(n: usize, count: usize) -> Vec<usize> {
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    (0..count)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            (state % n as u64) as usize
        })
        .collect()
}

/// Flips each of `bits` of part `which` of `bytes` and merges: each must be refused, or
/// (where a flip hit a byte no field uses) give the identical merge. Returns the refusals.
fn flip_and_merge(
    book: &Portfolio,
    config: &PortfolioConfig,
    bytes: &[Vec<u8>],
    which: usize,
    bits: &[usize],
) -> usize {
    let single = book.simulate(config).unwrap();
    let mut refused = 0;
    for &bit in bits {
        let damaged = flipped(&bytes[which], bit);
        let decoded: kexian::Result<Vec<PortfolioPart>> = bytes
            .iter()
            .enumerate()
            .map(|(i, b)| PortfolioPart::from_bytes(if i == which { &damaged } else { b }))
            .collect();
        match decoded.and_then(|parts| book.merge(config, parts)) {
            Err(_) => refused += 1,
            Ok(run) => assert!(run == single, "flip of bit {bit} merged into other results"),
        }
    }
    refused
}

#[test]
fn every_single_bit_flip_of_a_small_portfolio_part_is_refused() {
    let book = small();
    let config = PortfolioConfig::new(7, 2100).unwrap();
    let bytes = parts(&book, &config, 2);
    let bits: Vec<usize> = (0..bytes[1].len() * 8).collect();
    assert!(bits.len() > 2_000, "{} bits", bits.len());
    assert_eq!(flip_and_merge(&book, &config, &bytes, 1, &bits), bits.len());
    eprintln!("{} of {} bit flips refused", bits.len(), bits.len());
}

#[test]
fn random_bit_flips_of_a_large_portfolio_part_are_refused() {
    let book = bundled();
    let config = PortfolioConfig::new(2025, 8192).unwrap();
    let bytes = parts(&book, &config, 2);
    let bits = positions(bytes[0].len() * 8, 2_000);
    assert!(bytes[0].len() > 100_000, "{} bytes", bytes[0].len());
    assert_eq!(flip_and_merge(&book, &config, &bytes, 0, &bits), bits.len());
    eprintln!(
        "2,000 random flips of a {}-byte part refused",
        bytes[0].len()
    );
}

#[test]
fn every_single_bit_flip_of_a_simulation_part_is_refused() {
    let model = LossModel::new(
        Poisson::new(2.0).unwrap(),
        LogNormal::new(10.0, 2.0).unwrap(),
    );
    let config = SimulationConfig::new(3, 400)
        .unwrap()
        .with_batch_size(100)
        .unwrap();
    let bytes: Vec<Vec<u8>> = (1..=2)
        .map(|i| {
            let p = model
                .simulate_shard(&config, Shard::new(i, 2).unwrap())
                .unwrap();
            p.to_bytes().unwrap()
        })
        .collect();
    let single = model.simulate(&config).unwrap();
    let mut refused = 0;
    let bits = bytes[1].len() * 8;
    for bit in 0..bits {
        let damaged = flipped(&bytes[1], bit);
        let parts: kexian::Result<Vec<SimulationPart>> = [&bytes[0], &damaged]
            .iter()
            .map(|b| SimulationPart::from_bytes(b))
            .collect();
        match parts.and_then(|p| model.merge(&config, p)) {
            Err(_) => refused += 1,
            Ok(s) => assert!(s == single, "flip of bit {bit} merged into other results"),
        }
    }
    assert_eq!(refused, bits);
    eprintln!("{refused} of {bits} bit flips refused");
}

/// `bytes` (a sealed part) decoded as CBOR, changed by `change`, encoded and sealed again:
/// a part crafted with a valid seal.
fn craft(bytes: &[u8], change: impl FnOnce(&mut Vec<(Value, Value)>)) -> Vec<u8> {
    let mut value: Value = ciborium::from_reader(unseal(bytes).unwrap()).unwrap();
    change(value.as_map_mut().expect("a part is a map"));
    let mut out = Vec::new();
    ciborium::into_writer(&value, &mut out).unwrap();
    seal(&out)
}

/// The field `key` of a CBOR map.
fn field<'a>(map: &'a mut [(Value, Value)], key: &str) -> &'a mut Value {
    map.iter_mut()
        .find(|(k, _)| k.as_text() == Some(key))
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no field {key}"))
}

fn array(v: &mut Value) -> &mut Vec<Value> {
    v.as_array_mut().expect("an array")
}

#[test]
fn crafted_portfolio_parts_are_refused() {
    let book = bundled();
    let config = PortfolioConfig::new(2025, 8192).unwrap();
    let bytes = parts(&book, &config, 2);
    let merge = |first: Vec<u8>| {
        PortfolioPart::from_bytes(&first)
            .and_then(|p| book.merge(&config, vec![p, PortfolioPart::from_bytes(&bytes[1])?]))
            .map(|_| ())
    };
    merge(bytes[0].clone()).unwrap();
    let set = |key: &'static str, i: usize, x: i64| {
        move |m: &mut Vec<(Value, Value)>| array(field(m, key))[i] = Value::from(x)
    };
    type Change = Box<dyn FnOnce(&mut Vec<(Value, Value)>)>;
    let cases: Vec<(&str, Change, &str)> = vec![
        (
            "a negative year total (−5e12 元)",
            Box::new(set("totals", 0, -500_000_000_000_000)),
            "",
        ),
        (
            "a year total of i64::MAX",
            Box::new(set("totals", 3, i64::MAX)),
            "2^53",
        ),
        (
            "a batch sum of i64::MAX",
            Box::new(set("batch_sums", 5, i64::MAX - 1)),
            "",
        ),
        (
            "a negative per-risk recovery",
            Box::new(set("per_risk", 0, -1)),
            "",
        ),
        (
            "one 分 more in a peril's sum",
            Box::new(|m: &mut Vec<(Value, Value)>| {
                let v = &mut array(field(m, "peril_totals"))[0];
                let x = i128::from(v.as_integer().unwrap()) as i64;
                *v = Value::from(x + 1);
            }),
            "",
        ),
        (
            "a copula move that is not a permutation",
            Box::new(|m: &mut Vec<(Value, Value)>| {
                let perm = array(&mut array(field(m, "permutations"))[0]);
                perm[1] = perm[0].clone();
            }),
            "",
        ),
        (
            "a copula move into another block",
            Box::new(|m: &mut Vec<(Value, Value)>| {
                let perm = array(&mut array(field(m, "permutations"))[0]);
                let (a, b) = (perm[0].clone(), perm[2048].clone());
                perm[0] = b;
                perm[2048] = a;
            }),
            "",
        ),
        (
            "a wrong inner version",
            Box::new(|m: &mut Vec<(Value, Value)>| *field(m, "version") = Value::from(1)),
            "version 1",
        ),
        (
            "a tail year of another part",
            Box::new(|m: &mut Vec<(Value, Value)>| {
                let policies = array(field(m, "policies"));
                let mut tails = policies
                    .iter_mut()
                    .map(|p| array(field(p.as_map_mut().unwrap(), "tail")));
                let tail = tails.find(|t| !t.is_empty()).unwrap();
                array(&mut tail[0])[0] = Value::from(8000);
            }),
            "",
        ),
        (
            "a field naming a file",
            Box::new(|m: &mut Vec<(Value, Value)>| {
                m.push((Value::from("input"), Value::from("/etc/shadow")));
            }),
            "unknown field",
        ),
    ];
    for (what, change, says) in cases {
        let e = merge(craft(&bytes[0], change)).expect_err(what).to_string();
        assert!(e.contains(says), "{what}: {e}");
    }
    // Bytes after the CBOR's end, under a valid seal.
    let mut payload = unseal(&bytes[0]).unwrap().to_vec();
    payload.push(0);
    let e = merge(seal(&payload)).unwrap_err().to_string();
    assert!(e.contains("bytes after its end"), "{e}");
}
