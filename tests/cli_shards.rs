//! The command line's sharded runs: the bundled book quoted as 4 shards and merged writes the
//! single run's files byte for byte; wrong sets of shards are refused with the reason.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/data");

fn kexian<S: AsRef<std::ffi::OsStr>>(dir: &Path, args: &[S]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kexian"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn ok<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(dir: &Path, args: &[S]) -> String {
    let out = kexian(dir, args);
    assert!(
        out.status.success(),
        "kexian {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn refused<S: AsRef<std::ffi::OsStr> + std::fmt::Debug>(dir: &Path, args: &[S]) -> String {
    let out = kexian(dir, args);
    assert!(!out.status.success(), "kexian {args:?} should fail");
    String::from_utf8(out.stderr).unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kexian-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

#[test]
fn four_shards_and_a_merge_write_the_single_runs_quotes() {
    let dir = scratch("shards");
    let portfolio = format!("{DATA}/portfolio.csv");
    let config = format!("{DATA}/pricing.json");
    let with = |extra: &[&str]| -> Vec<String> {
        let book = [
            "quote",
            "--portfolio",
            &portfolio,
            "--config",
            &config,
            "--quiet",
        ];
        book.iter().chain(extra).map(|s| s.to_string()).collect()
    };
    ok(&dir, &with(&["--out", "single", "--lang", "zh"]));
    for i in 1..=4 {
        let s = ok(
            &dir,
            &with(&[
                "--lang",
                "zh",
                "--shard",
                &format!("{i}/4"),
                "--out",
                &format!("part-{i}"),
            ]),
        );
        assert!(s.starts_with(&format!("shard {i}/4: years ")), "{s}");
    }
    // Merged in another order than written, on the inputs the command names.
    let merge = |parts: &[&str], out: &str| -> Vec<String> {
        let inputs = ["--portfolio", &portfolio, "--config", &config, "--out", out];
        let args = ["merge"].iter().chain(parts).chain(&inputs);
        args.map(|s| s.to_string()).collect()
    };
    ok(
        &dir,
        &merge(&["part-3", "part-1", "part-4", "part-2"], "merged"),
    );
    for f in ["quotes.csv", "quotes.json", "summary.json"] {
        let a = std::fs::read(dir.join("single").join(f)).unwrap();
        let b = std::fs::read(dir.join("merged").join(f)).unwrap();
        assert!(a == b, "{f} differs between the single and the merged run");
    }
    // A shard twice, a missing shard, a shard of another seed, another command.
    let e = refused(
        &dir,
        &merge(&["part-1", "part-2", "part-2", "part-3", "part-4"], "x"),
    );
    // Named by its file, not only by its blocks.
    assert!(
        e.contains("part-2 (shard 2/4): merge: the part for blocks") && e.contains("overlaps"),
        "{e}"
    );
    let e = refused(&dir, &merge(&["part-1", "part-2", "part-4"], "x"));
    assert!(e.contains("are missing"), "{e}");
    ok(
        &dir,
        &with(&[
            "--lang", "zh", "--shard", "3/4", "--seed", "7", "--out", "seed-7",
        ]),
    );
    let e = refused(&dir, &merge(&["part-1", "part-2", "seed-7", "part-4"], "x"));
    assert!(e.contains("other arguments"), "{e}");
    let e = refused(&dir, &merge(&["part-1", "no-such-part"], "x"));
    assert!(e.contains("no-such-part"), "{e}");
    let e = refused(&dir, &with(&["--shard", "5/4", "--out", "x"]));
    assert!(e.contains("1 ≤ index ≤ count"), "{e}");
    assert!(!dir.join("x").exists(), "a refused merge wrote nothing");
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_changed_input_is_refused_at_the_merge() {
    let dir = scratch("changed");
    let portfolio = dir.join("portfolio.csv");
    std::fs::copy(format!("{DATA}/portfolio.csv"), &portfolio).unwrap();
    let config = format!("{DATA}/pricing.json");
    let simulate = |extra: &[&str]| -> Vec<String> {
        let run = [
            "simulate",
            "--portfolio",
            "portfolio.csv",
            "--config",
            &config,
        ];
        let years = ["--trials", "8192"];
        run.iter()
            .chain(&years)
            .chain(extra)
            .map(|s| s.to_string())
            .collect()
    };
    for i in 1..=2 {
        ok(
            &dir,
            &simulate(&["--shard", &format!("{i}/2"), "--out", &format!("p{i}")]),
        );
    }
    let merge = |out: &str| {
        let args = ["merge", "p1", "p2", "--portfolio", "portfolio.csv"];
        let rest = ["--config", &config, "--out", out];
        args.iter()
            .chain(&rest)
            .map(|s| s.to_string())
            .collect::<Vec<_>>()
    };
    let merged = ok(&dir, &merge("sim"));
    let single = ok(&dir, &simulate(&["--out", "sim1"]));
    assert_eq!(merged, single);
    let text = std::fs::read_to_string(&portfolio)
        .unwrap()
        .replacen("414.4", "514.4", 1);
    std::fs::write(&portfolio, text).unwrap();
    let e = refused(&dir, &merge("sim2"));
    assert!(e.contains("differs from the"), "{e}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// A shard file names no path: damaged files, files crafted to name inputs or a charts
/// directory, and inputs that are not regular files are refused; nothing is written.
#[cfg(unix)]
#[test]
fn damaged_or_crafted_shard_files_and_irregular_inputs_are_refused() {
    use ciborium::Value;
    use kexian::simulation::{seal, unseal};
    let dir = scratch("crafted");
    let portfolio = format!("{DATA}/portfolio.csv");
    let config = format!("{DATA}/pricing.json");
    for i in 1..=2 {
        let shard = format!("{i}/2");
        let out = format!("p{i}");
        ok(
            &dir,
            &[
                "quote",
                "--portfolio",
                &portfolio,
                "--config",
                &config,
                "--trials",
                "4096",
                "--quiet",
                "--shard",
                &shard,
                "--out",
                &out,
            ],
        );
    }
    let merge = |p1: &str, portfolio: &str, config: &str| {
        let args = [
            "merge",
            p1,
            "p2",
            "--portfolio",
            portfolio,
            "--config",
            config,
        ];
        kexian(&dir, &[&args[..], &["--out", "merged"]].concat())
    };
    let bytes = std::fs::read(dir.join("p1/shard.cbor")).unwrap();
    // Random single-bit flips, through the command (each refused before decoding); the
    // library's tests flip every bit of the same seal.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    for _ in 0..40 {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        let bit = (state % (bytes.len() as u64 * 8)) as usize;
        let mut damaged = bytes.clone();
        damaged[bit / 8] ^= 1 << (bit % 8);
        std::fs::write(dir.join("damaged.cbor"), &damaged).unwrap();
        let o = merge("damaged.cbor", &portfolio, &config);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && e.contains("not a kexian shard"),
            "bit {bit}: {e}"
        );
    }
    // Crafted with a valid seal: a charts directory, an input path (a FIFO, /etc/shadow).
    let victim = dir.join("victim");
    std::fs::create_dir(&victim).unwrap();
    std::fs::write(victim.join("keep.txt"), "mine").unwrap();
    let fifo = dir.join("fifo");
    assert!(
        Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap()
            .success()
    );
    let victim_s = victim.display().to_string();
    let fifo_s = fifo.display().to_string();
    // Shard files crafted under a valid seal: `change` edits the decoded map; the merge of
    // the result fails, and its error is returned.
    type Map = Vec<(Value, Value)>;
    type Change<'a> = Box<dyn Fn(&mut Map) + 'a>;
    let crafted = |change: &dyn Fn(&mut Map)| -> String {
        let mut value: Value = ciborium::from_reader(unseal(&bytes).unwrap()).unwrap();
        change(value.as_map_mut().unwrap());
        let mut cbor = Vec::new();
        ciborium::into_writer(&value, &mut cbor).unwrap();
        std::fs::write(dir.join("crafted.cbor"), seal(&cbor)).unwrap();
        let o = merge("crafted.cbor", &portfolio, &config);
        assert!(!o.status.success());
        String::from_utf8_lossy(&o.stderr).into_owned()
    };
    fn field<'a>(map: &'a mut [(Value, Value)], key: &str) -> &'a mut Value {
        &mut map
            .iter_mut()
            .find(|(k, _)| k.as_text() == Some(key))
            .unwrap()
            .1
    }
    let victim_path = Value::from(victim_s.as_str());
    let fifo_path = Value::from(fifo_s.as_str());
    // A charts directory in the job, a book naming /etc/shadow, an input's path (a FIFO).
    let changes: [(&str, Change); 3] = [
        (
            "charts",
            Box::new(|m| {
                let quote = &mut field(m, "job").as_map_mut().unwrap()[0].1;
                let job = quote.as_map_mut().unwrap();
                job.push((Value::from("charts"), victim_path.clone()));
            }),
        ),
        (
            "book",
            Box::new(|m| m.push((Value::from("book"), Value::from("/etc/shadow")))),
        ),
        (
            "input path",
            Box::new(|m| {
                let first = &mut field(m, "inputs").as_array_mut().unwrap()[0];
                let input = first.as_map_mut().unwrap();
                input.push((Value::from("path"), fifo_path.clone()));
            }),
        ),
    ];
    for (what, change) in &changes {
        let e = crafted(change.as_ref());
        assert!(e.contains("unknown field"), "{what}: {e}");
    }
    // A negative year total is refused, naming the file and shard.
    let e = crafted(&|m| {
        let totals = field(field(m, "part").as_map_mut().unwrap(), "totals");
        totals.as_array_mut().unwrap()[0] = Value::from(-1);
    });
    assert!(
        e.contains("crafted.cbor (shard 1/2): merge: the part for blocks 0..1"),
        "{e}"
    );
    // The command's own inputs: a FIFO, a device and a directory are refused, not read.
    for (portfolio, config) in [
        (fifo_s.as_str(), config.as_str()),
        (portfolio.as_str(), "/dev/zero"),
        (portfolio.as_str(), DATA),
    ] {
        let o = merge("p1", portfolio, config);
        let e = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success() && e.contains("not a regular file"),
            "{e}"
        );
    }
    assert_eq!(
        std::fs::read_to_string(victim.join("keep.txt")).unwrap(),
        "mine"
    );
    assert_eq!(std::fs::read_dir(&victim).unwrap().count(), 1);
    assert!(
        !dir.join("merged").exists(),
        "a refused merge wrote nothing"
    );
    // The genuine parts still merge.
    let o = merge("p1", &portfolio, &config);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let _ = std::fs::remove_dir_all(&dir);
}
