//! Output sets never cost a user's file: every command that writes refuses an `--out` (or
//! `--charts`) that kexian did not write, leaving every byte where it was; concurrent runs
//! into one `--out` each end with a complete set or the lock error, and a reader resolving
//! `out` always finds a complete set.
#![cfg(unix)]

mod common;

use common::sets::complete_set;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn data(name: &str) -> String {
    format!("{ROOT}/data/{name}")
}

fn scratch(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("kexian-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

fn kexian(dir: &Path, args: &[String]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kexian"))
        .current_dir(dir)
        .args(args)
        .output()
        .unwrap()
}

fn strings(args: &[&str]) -> Vec<String> {
    args.iter().map(|s| s.to_string()).collect()
}

/// Every entry below `dir` (links not followed): its kind and bytes, or a link's target.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, String> {
    let mut all = BTreeMap::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("link {}", std::fs::read_link(&p).unwrap().display())
            } else if meta.is_dir() {
                todo.push(p.clone());
                "dir".into()
            } else {
                format!("file {:?}", std::fs::read(&p).unwrap())
            };
            all.insert(p.strip_prefix(dir).unwrap().to_path_buf(), what);
        }
    }
    all
}

/// The quote of the bundled book over 2,000 years with `seed`, into `out`.
fn quote(seed: u64, out: &str) -> Vec<String> {
    quote_years(seed, 2000, out)
}

/// The quote of the bundled book over `years` years with `seed`, into `out`.
fn quote_years(seed: u64, years: u64, out: &str) -> Vec<String> {
    let (portfolio, config) = (data("portfolio.csv"), data("pricing.json"));
    let seed = seed.to_string();
    strings(&[
        "quote",
        "--portfolio",
        &portfolio,
        "--config",
        &config,
        "--trials",
        &years.to_string(),
        "--seed",
        &seed,
        "--quiet",
        "--out",
        out,
    ])
}

#[test]
fn an_out_that_kexian_did_not_write_is_refused_by_every_command_and_left_byte_for_byte() {
    let base = scratch("user-files");
    let work = base.join("work");
    // A user's directory, a home-like directory, a file, a link to the user's directory, and
    // the working directory itself (`.`) and its parent (`..`), all holding files.
    std::fs::create_dir_all(work.join("user/inner")).unwrap();
    std::fs::write(work.join("user/thesis.txt"), "eight years of work").unwrap();
    std::fs::write(work.join("user/inner/file"), [0u8, 1, 2, 255]).unwrap();
    std::fs::create_dir_all(base.join("home/Documents")).unwrap();
    std::fs::write(base.join("home/.bashrc"), "export EDITOR=vi\n").unwrap();
    std::fs::write(base.join("home/Documents/cv.txt"), "curriculum").unwrap();
    std::fs::write(work.join("notes.txt"), "keep me").unwrap();
    std::os::unix::fs::symlink("user", work.join("link")).unwrap();
    std::os::unix::fs::symlink(base.join("home"), work.join("home-link")).unwrap();
    // A link of kexian's form whose store is a link to the user's directory.
    std::os::unix::fs::symlink("user", work.join(".posing.sets")).unwrap();
    std::os::unix::fs::symlink(".posing.sets/1", work.join("posing")).unwrap();
    // The two parts of a sharded quote, for `merge`.
    let (portfolio, config) = (data("portfolio.csv"), data("pricing.json"));
    for i in 1..=2 {
        let mut args = quote_years(1, 4096, &format!("parts/p{i}"));
        args.extend(strings(&["--shard", &format!("{i}/2")]));
        let o = kexian(&work, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    }
    let home = base.join("home").display().to_string();
    let targets = [
        "user",
        &home,
        ".",
        "..",
        "notes.txt",
        "link",
        "home-link",
        "user/.",
        "posing",
    ];
    let before = snapshot(&base);
    let merge = |out: &str| {
        strings(&[
            "merge",
            "parts/p1",
            "parts/p2",
            "--portfolio",
            &portfolio,
            "--config",
            &config,
            "--out",
            out,
        ])
    };
    type Args<'a> = Box<dyn Fn(&str) -> Vec<String> + 'a>;
    let commands: Vec<(&str, Args)> = vec![
        ("quote", Box::new(|t| quote(1, t))),
        (
            "quote --charts",
            Box::new(|t| {
                let mut a = quote(1, "fresh");
                a.extend(strings(&["--charts", t]));
                a
            }),
        ),
        (
            "simulate",
            Box::new(|t| {
                let mut a = quote(1, t);
                a[0] = "simulate".into();
                a
            }),
        ),
        (
            "price",
            Box::new(|t| {
                let model = data("line_cyber.json");
                strings(&[
                    "price", "--model", &model, "--trials", "1000", "--quiet", "--out", t,
                ])
            }),
        ),
        (
            "backtest",
            Box::new(|t| {
                let experience = data("experience.csv");
                strings(&[
                    "backtest",
                    "--experience",
                    &experience,
                    "--config",
                    &config,
                    "--quiet",
                    "--out",
                    t,
                ])
            }),
        ),
        (
            "fit",
            Box::new(|t| {
                let claims = data("claims_cyber.csv");
                strings(&[
                    "fit",
                    "--claims",
                    &claims,
                    "--deductible-column",
                    "deductible",
                    "--limit-column",
                    "limit",
                    "--families",
                    "lognormal",
                    "--out",
                    t,
                ])
            }),
        ),
        ("merge", Box::new(|t| merge(t))),
        (
            "merge --charts",
            Box::new(|t| {
                let mut a = merge("fresh");
                a.extend(strings(&["--charts", t]));
                a
            }),
        ),
    ];
    let mut refusals = 0;
    for (name, args) in &commands {
        for target in targets {
            let o = kexian(&work, &args(target));
            let err = String::from_utf8_lossy(&o.stderr);
            assert!(
                !o.status.success(),
                "{name} into `{target}` was not refused"
            );
            assert!(
                err.contains("refused") || err.contains("not a directory name"),
                "{name} into `{target}`: {err}"
            );
            assert!(
                snapshot(&base) == before,
                "{name} into `{target}` changed files: {err}"
            );
            refusals += 1;
        }
    }
    assert_eq!(refusals, commands.len() * targets.len());
    // The same commands into a new directory write their set, beside the user's files.
    for (name, args) in &commands {
        let o = kexian(&work, &args(&format!("new-{}", name.replace(' ', ""))));
        assert!(
            o.status.success(),
            "{name}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }
    let after = snapshot(&base);
    for (path, what) in &before {
        assert_eq!(after.get(path), Some(what), "{}", path.display());
    }
    // An empty directory loses nothing: it is replaced by the set.
    std::fs::create_dir(work.join("empty")).unwrap();
    let o = kexian(&work, &quote(1, "empty"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    complete_set(&work.join("empty")).unwrap();
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn concurrent_runs_into_one_out_each_end_complete_or_locked_and_readers_see_whole_sets() {
    let base = scratch("concurrent");
    let out = base.join("out");
    let o = kexian(&base, &quote(0, "out"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let done = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    // A reader resolves `out` once per read and reads the set it points to.
    let reader = {
        let (done, base, out) = (done.clone(), base.clone(), out.clone());
        std::thread::spawn(move || {
            let (mut reads, mut failures) = (0u64, Vec::new());
            while !done.load(std::sync::atomic::Ordering::Relaxed) {
                let set = base.join(std::fs::read_link(&out).unwrap());
                if let Err(e) = complete_set(&set) {
                    failures.push(format!("{}: {e}", set.display()));
                }
                reads += 1;
            }
            (reads, failures)
        })
    };
    let (mut locked, mut written) = (0, 0);
    for pair in 0..40u64 {
        let seeds = [2 * pair + 1, 2 * pair + 2];
        let children: Vec<_> = seeds
            .iter()
            .map(|&s| {
                Command::new(env!("CARGO_BIN_EXE_kexian"))
                    .current_dir(&base)
                    .args(quote(s, "out"))
                    .stdout(Stdio::null())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        let mut succeeded = Vec::new();
        for (child, seed) in children.into_iter().zip(seeds) {
            let o = child.wait_with_output().unwrap();
            if o.status.success() {
                succeeded.push(seed);
            } else {
                let err = String::from_utf8_lossy(&o.stderr);
                assert!(err.contains("another kexian run is writing"), "{err}");
                locked += 1;
            }
        }
        written += succeeded.len();
        // `out` is a complete set, and each run that succeeded left its set in the store.
        complete_set(&out).unwrap_or_else(|e| panic!("pair {pair}: {e}"));
        let mut seeds_in_store = Vec::new();
        for e in std::fs::read_dir(base.join(".out.sets")).unwrap() {
            let set = e.unwrap().path();
            complete_set(&set).unwrap_or_else(|e| panic!("pair {pair}: {e}"));
            let summary: serde_json::Value =
                serde_json::from_slice(&std::fs::read(set.join("summary.json")).unwrap()).unwrap();
            seeds_in_store.push(summary["provenance"]["seed"].as_u64().unwrap());
        }
        for s in &succeeded {
            assert!(
                seeds_in_store.contains(s),
                "pair {pair}: the set of seed {s} was deleted ({seeds_in_store:?})"
            );
        }
        assert!(seeds_in_store.len() <= 3, "{seeds_in_store:?}");
    }
    done.store(true, std::sync::atomic::Ordering::Relaxed);
    let (reads, failures) = reader.join().unwrap();
    assert!(
        failures.is_empty(),
        "{} of {reads} reads: {failures:?}",
        failures.len()
    );
    assert!(reads > 40, "the reader read only {reads} times");
    eprintln!("{written} runs wrote, {locked} hit the lock, {reads} reads all whole");
    // Runs wait for each other rather than fail, unless one writes for minutes.
    assert_eq!((written, locked), (80, 0));
    std::fs::remove_dir_all(&base).unwrap();
}

#[test]
fn a_run_that_cannot_get_the_lock_in_time_fails_saying_so_and_touches_nothing() {
    let base = scratch("locked");
    let o = kexian(&base, &quote(1, "out"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = snapshot(&base);
    // Another writer holds the store's lock.
    let store = std::fs::File::open(base.join(".out.sets")).unwrap();
    store.lock().unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_kexian"))
        .current_dir(&base)
        .env("KEXIAN_LOCK_WAIT", "1")
        .args(quote(2, "out"))
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        !o.status.success() && err.contains("another kexian run is writing"),
        "{err}"
    );
    assert!(err.contains(".out.sets"), "{err}");
    // Nothing changed: the refused run created no set.
    assert!(snapshot(&base) == before);
    store.unlock().unwrap();
    let o = kexian(&base, &quote(2, "out"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    complete_set(&base.join("out")).unwrap();
    std::fs::remove_dir_all(&base).unwrap();
}

/// The names and bytes of the files in the set `out` resolves to.
fn files_of(out: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(out)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).unwrap(),
            )
        })
        .collect()
}

/// A write that fails part-way — a file size limit fails it as a full disk does, at the
/// staging list, quotes.csv or quotes.json — leaves `out` at the previous complete set, byte
/// for byte, and removes what it wrote; the next run writes its set.
#[test]
fn a_write_that_fails_part_way_leaves_the_previous_set() {
    if Command::new("prlimit").arg("--version").output().is_err() {
        panic!("prlimit (util-linux) is needed for this test");
    }
    let base = scratch("write-fails");
    let out = base.join("out");
    let o = kexian(&base, &quote(1, "out"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let before = files_of(&out);
    let sizes: Vec<usize> = ["quotes.csv", "quotes.json"]
        .iter()
        .map(|f| before[*f].len())
        .collect();
    for limit in [
        20,
        100,
        sizes[0] / 2,
        sizes[0] - 1,
        sizes[0] + 1,
        sizes[1] - 1,
    ] {
        let args = quote(2, "out").join(" ");
        let script = format!(
            "trap '' XFSZ; exec prlimit --fsize={limit} -- '{}' {args}",
            env!("CARGO_BIN_EXE_kexian")
        );
        let o = Command::new("sh")
            .current_dir(&base)
            .args(["-c", &script])
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(
            !o.status.success(),
            "a write limited to {limit} bytes succeeded"
        );
        assert!(err.contains(".out.sets/"), "limit {limit}: {err}");
        assert!(
            files_of(&out) == before,
            "limit {limit}: out no longer holds the previous set"
        );
        complete_set(&out).unwrap();
    }
    let o = kexian(&base, &quote(2, "out"));
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    complete_set(&out).unwrap();
    let store: Vec<PathBuf> = std::fs::read_dir(base.join(".out.sets"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    assert!(store.len() <= 3, "{store:?}");
    for set in store {
        complete_set(&set).unwrap();
    }
    std::fs::remove_dir_all(&base).unwrap();
}

/// `--charts` naming `--out` (in any spelling) puts the chart into the quote's set: it held
/// only the chart, while the run reported its quotes written.
#[test]
fn charts_into_the_out_directory_join_its_set() {
    let base = scratch("charts-in-out");
    for charts in ["x", "./x", "x/"] {
        let mut args = quote(1, "x");
        args.extend(strings(&["--charts", charts]));
        let o = kexian(&base, &args);
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stdout).contains("300 quotes written"));
        complete_set(&base.join("x")).unwrap();
        let names: Vec<String> = files_of(&base.join("x")).into_keys().collect();
        assert_eq!(
            names,
            [
                "covers.csv",
                "exceedance.svg",
                "manifest.json",
                "quotes.csv",
                "quotes.json",
                "summary.json"
            ]
        );
    }
    std::fs::remove_dir_all(&base).unwrap();
}
