//! Errors that point at their input (issue 36): a `log_…` covariate given as the amount
//! itself is refused at its line, and files with CRLF line ends are located as LF ones.

use kexian::table::Table;

fn kexian(args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_kexian"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

/// The experience with `row`'s `log_revenue` (0-based data row) replaced by `value`, with
/// line ends `eol`.
fn experience(row: usize, value: &str, eol: &str) -> String {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv"))
        .unwrap();
    let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
    let col = lines[0]
        .split(',')
        .position(|h| h == "log_revenue")
        .unwrap();
    let mut cells: Vec<&str> = lines[row + 1].split(',').collect();
    cells[col] = value;
    lines[row + 1] = cells.join(",");
    lines.join(eol) + eol
}

/// Revenue in 元 under `log_revenue` made the revenue relativity 1.000 and moved premiums
/// without a word; it is now refused at its line, by the backtest and by the quote, with
/// LF and CRLF line ends alike (the CRLF line was one too low).
#[test]
fn an_amount_given_for_its_logarithm_is_refused_at_its_line() {
    let dir = std::env::temp_dir().join(format!("kexian-located-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    for eol in ["\n", "\r\n"] {
        let path = dir.join("experience.csv");
        std::fs::write(&path, experience(7, "123456789", eol)).unwrap();
        let o = kexian(&[
            "backtest",
            "--experience",
            path.to_str().unwrap(),
            "--config",
            "data/pricing.json",
            "--out",
            dir.join("out").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success());
        assert!(
            err.contains("line 9, column `log_revenue`: 123456789 is implausible for a logarithm"),
            "{eol:?}: {err}"
        );
    }
    // The same experience named by a configuration: the quote refuses it before simulating.
    let mut config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"))
            .unwrap(),
    )
    .unwrap();
    config["rating"]["experience"] = dir.join("experience.csv").to_str().unwrap().into();
    std::fs::write(dir.join("pricing.json"), config.to_string()).unwrap();
    let o = kexian(&[
        "quote",
        "--portfolio",
        "data/portfolio.csv",
        "--config",
        dir.join("pricing.json").to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(!o.status.success());
    assert!(
        err.contains("is implausible for a logarithm") && err.contains("log_revenue"),
        "{err}"
    );
    assert!(!dir.join("out").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn crlf_and_lf_tables_name_the_same_lines() {
    for eol in ["\n", "\r\n"] {
        let text = ["a,b", "1,2", "", "3,x", "\"multi", "line\",5", "6,y"].join(eol) + eol;
        let t = Table::from_reader("t.csv", text.as_bytes()).unwrap();
        let b = t.column("b").unwrap();
        let located: Vec<u64> = (0..t.len()).map(|r| t.line(r)).collect();
        assert_eq!(located, [2, 4, 5, 7], "{eol:?}");
        let e = t.number(1, b).unwrap_err().to_string();
        assert!(e.contains("t.csv, line 4, column `b`"), "{eol:?}: {e}");
        // A header `log_…` column holds logarithms.
        let t =
            Table::from_reader("t.csv", format!("log_x{eol}3{eol}4e8{eol}").as_bytes()).unwrap();
        assert_eq!(t.number(0, 0).unwrap(), 3.0);
        assert!(t.number(1, 0).unwrap_err().to_string().contains("line 3"));
    }
}

/// A negative patent-suit multiplier in the assumption set was blamed on the portfolio's
/// line 299 (where a firm met it); a cover paying nothing (share 0) failed with "Grid:
/// `tail_quantile` = 0". Both now name their own input and rule.
#[test]
fn assumption_and_cover_mistakes_name_their_own_field() {
    let dir = std::env::temp_dir().join(format!("kexian-located-a-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let mut set: serde_json::Value =
        serde_json::from_str(include_str!("../data/assumptions/shanghai_2025.json")).unwrap();
    set["ip"]["suits"]["size_multiplier"]["small"] = (-1.3).into();
    let path = dir.join("assumptions.json");
    std::fs::write(&path, set.to_string()).unwrap();
    let o = kexian(&[
        "quote",
        "--portfolio",
        "data/portfolio.csv",
        "--config",
        "data/pricing.json",
        "--assumptions",
        path.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains(
            "assumptions.json, field `ip.suits.size_multiplier.small`: -1.3 must be finite and >= 0"
        ),
        "{err}"
    );
    assert!(!err.contains("portfolio.csv"), "{err}");
    let spec = serde_json::json!({
        "model": {"frequency": {"type": "poisson", "lambda": 2.0},
                  "severity": {"type": "lognormal", "mu": 10.0, "sigma": 1.0},
                  "claim_terms": {"share": 0.0}},
        "method": {"kind": "exact"}
    });
    let path = dir.join("line.json");
    std::fs::write(&path, spec.to_string()).unwrap();
    let o = kexian(&[
        "price",
        "--model",
        path.to_str().unwrap(),
        "--out",
        dir.join("out").to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the cover pays nothing") && err.contains("share 0"),
        "{err}"
    );
    assert!(!err.contains("tail_quantile"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A shard of a quote ran the whole simulation and exited 0 on inputs its merge would
/// refuse (repeated experience rows, an `exposure` covariate); it now checks them first.
#[test]
fn a_quote_shard_refuses_what_its_merge_would() {
    let dir = std::env::temp_dir().join(format!("kexian-located-s-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let exp = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/experience.csv"))
        .unwrap();
    let mut lines: Vec<&str> = exp.lines().collect();
    lines.insert(2, lines[1]);
    std::fs::write(dir.join("experience.csv"), lines.join("\n") + "\n").unwrap();
    let mut config: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/pricing.json"))
            .unwrap(),
    )
    .unwrap();
    config["rating"]["experience"] = dir.join("experience.csv").to_str().unwrap().into();
    std::fs::write(dir.join("pricing.json"), config.to_string()).unwrap();
    let book = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/data/portfolio.csv"))
        .unwrap();
    let with_exposure: String = book
        .lines()
        .enumerate()
        .map(|(i, l)| format!("{l},{}\n", if i == 0 { "exposure" } else { "1" }))
        .collect();
    std::fs::write(dir.join("book.csv"), with_exposure).unwrap();
    for (portfolio, config, want) in [
        (
            "data/portfolio.csv",
            dir.join("pricing.json"),
            "repeats line 2",
        ),
        (
            "book.csv",
            "data/pricing.json".into(),
            "covariate `exposure`",
        ),
    ] {
        let portfolio = if portfolio == "book.csv" {
            dir.join(portfolio).to_str().unwrap().to_owned()
        } else {
            portfolio.to_owned()
        };
        let start = std::time::Instant::now();
        let o = kexian(&[
            "quote",
            "--portfolio",
            &portfolio,
            "--config",
            config.to_str().unwrap(),
            "--shard",
            "1/2",
            "--out",
            dir.join("part").to_str().unwrap(),
        ]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(!o.status.success() && err.contains(want), "{err}");
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
        assert!(!dir.join("part").exists());
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
