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
    assert!(e.contains("overlaps another part"), "{e}");
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
