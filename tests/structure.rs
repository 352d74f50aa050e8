//! The module structure: dependencies between top-level modules run one way (no import
//! circle), and the pipeline rooms stay small.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

const SRC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/src");

fn rust_files(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// Top-level module → the top-level modules its code names as `crate::module`.
fn graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for f in files {
        let rel = f.strip_prefix(SRC).unwrap();
        let top = rel
            .iter()
            .next()
            .unwrap()
            .to_string_lossy()
            .trim_end_matches(".rs")
            .to_owned();
        if top == "lib" || top == "bin" {
            continue;
        }
        // Code only: doc links may point anywhere.
        let text: String = std::fs::read_to_string(&f)
            .unwrap()
            .lines()
            .filter(|l| !l.trim_start().starts_with("//"))
            .collect::<Vec<_>>()
            .join("\n");
        let deps = g.entry(top.clone()).or_default();
        for (i, _) in text.match_indices("crate::") {
            let name: String = text[i + 7..]
                .chars()
                .take_while(|c| c.is_ascii_lowercase() || *c == '_')
                .collect();
            if !name.is_empty() && name != top && name != "error" {
                deps.insert(name);
            }
        }
    }
    g
}

#[test]
fn module_dependencies_have_no_circle() {
    let g = graph();
    assert!(g.contains_key("aggregate") && g.contains_key("simulation") && g.contains_key("loss"));
    // Depth-first search for a back edge.
    fn visit<'a>(
        g: &'a BTreeMap<String, BTreeSet<String>>,
        m: &'a str,
        path: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) {
        if let Some(k) = path.iter().position(|p| *p == m) {
            panic!("import circle: {} → {m}", path[k..].join(" → "));
        }
        if !done.insert(m) {
            return;
        }
        path.push(m);
        for d in g.get(m).into_iter().flatten() {
            visit(g, d, path, done);
        }
        path.pop();
    }
    let mut done = BTreeSet::new();
    for m in g.keys() {
        visit(&g, m, &mut Vec::new(), &mut done);
    }
    // The low results layer depends on no pipeline module.
    assert!(g["loss"].iter().all(|d| d == "numerics"), "{:?}", g["loss"]);
    assert!(!g["simulation"].contains("aggregate"));
}

#[test]
fn the_pipeline_rooms_stay_small() {
    for dir in [
        "quote",
        "portfolio",
        "assumptions",
        "book",
        "io",
        "rates",
        "sensitivity",
    ] {
        let mut files = Vec::new();
        rust_files(&Path::new(SRC).join(dir), &mut files);
        for f in files {
            let lines = std::fs::read_to_string(&f).unwrap().lines().count();
            assert!(lines <= 400, "{} has {lines} lines", f.display());
        }
    }
}

/// Code lines of a file (comments dropped: docs may name anything).
fn code(path: &Path) -> String {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .filter(|l| !l.trim_start().starts_with("//"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_mechanisms_live_in_one_room() {
    let room = Path::new(SRC).join("assumptions/mechanism");
    let arms = ["compound", "stage_gate", "litigation", "guarantee", "cyber"];
    for arm in arms {
        assert!(
            room.join(format!("{arm}.rs")).is_file(),
            "mechanism {arm} has its file"
        );
    }
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    for f in files {
        // Only the room matches on the mechanism type.
        if !f.starts_with(&room) {
            assert!(
                !code(&f).contains("Mechanism::"),
                "{} matches on Mechanism",
                f.display()
            );
        }
    }
}

#[test]
fn no_product_name_is_in_the_code() {
    let set: serde_json::Value =
        serde_json::from_str(include_str!("../data/assumptions/shanghai_2025.json")).unwrap();
    let names: Vec<String> = set["products"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| format!("\"{}\"", p["name"].as_str().unwrap()))
        .collect();
    assert!(names.len() >= 12);
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    // The portfolio CSV's columns buy named products: that file is the CSV format's vocabulary.
    let csv_vocabulary = Path::new(SRC).join("io/portfolio.rs");
    for f in files.into_iter().filter(|f| *f != csv_vocabulary) {
        let text = code(&f);
        for n in &names {
            assert!(
                !text.contains(n.as_str()),
                "{} names product {n}",
                f.display()
            );
        }
    }
}

/// Each function (rustfmt layout: from its `fn` line to the `}` at the same indent) with
/// its length in lines, for every file under `src/`.
fn functions() -> Vec<(usize, String)> {
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    let mut out = Vec::new();
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let body = line.trim_start();
            let indent = &line[..line.len() - body.len()];
            let head = body
                .trim_start_matches("pub ")
                .trim_start_matches("pub(crate) ")
                .trim_start_matches("pub(super) ")
                .trim_start_matches("const ");
            if !head.starts_with("fn ") || line.trim_end().ends_with(';') {
                continue;
            }
            let close = format!("{indent}}}");
            let end = (i..lines.len()).find(|&j| lines[j] == close).unwrap_or(i);
            let name: String = head[3..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            out.push((end - i + 1, format!("{}:{} {name}", f.display(), i + 1)));
        }
    }
    out
}

#[test]
fn no_function_is_over_120_lines() {
    let all = functions();
    assert!(all.len() > 500, "found only {} functions", all.len());
    let long: Vec<_> = all.iter().filter(|(n, _)| *n > 120).collect();
    assert!(long.is_empty(), "functions over 120 lines: {long:?}");
}

/// Within each module directory, the sibling files' references to each other (`super::x`,
/// `crate::<module>::x`) run one way.
#[test]
fn submodules_have_no_import_circle() {
    let mut dirs = Vec::new();
    let mut files = Vec::new();
    rust_files(Path::new(SRC), &mut files);
    for f in &files {
        if f.file_name().is_some_and(|n| n == "mod.rs") {
            dirs.push(f.parent().unwrap().to_path_buf());
        }
    }
    assert!(dirs.len() > 10);
    for dir in dirs {
        let module = dir
            .strip_prefix(SRC)
            .unwrap()
            .to_string_lossy()
            .replace('/', "::");
        let siblings: BTreeMap<String, std::path::PathBuf> = std::fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter_map(|p| {
                let name = if p.is_dir() {
                    p.join("mod.rs")
                        .is_file()
                        .then(|| p.file_name()?.to_str().map(str::to_owned))??
                } else {
                    let stem = p.file_stem()?.to_str()?.to_owned();
                    (p.extension()? == "rs" && stem != "mod").then_some(stem)?
                };
                Some((name, p))
            })
            .collect();
        let mut g: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (name, path) in &siblings {
            let mut texts = Vec::new();
            if path.is_dir() {
                let mut inner = Vec::new();
                rust_files(path, &mut inner);
                texts.extend(inner.iter().map(|p| code(p)));
            } else {
                texts.push(code(path));
            }
            let deps = g.entry(name.clone()).or_default();
            for text in texts {
                for other in siblings.keys().filter(|o| *o != name) {
                    for prefix in ["super::", &format!("crate::{module}::")] {
                        let needle = format!("{prefix}{other}");
                        if text.match_indices(&needle).any(|(i, _)| {
                            !text[i + needle.len()..]
                                .starts_with(|c: char| c.is_alphanumeric() || c == '_')
                        }) {
                            deps.insert(other.clone());
                        }
                    }
                }
            }
        }
        for (a, deps) in &g {
            for b in deps {
                // A two-file circle, or a longer one through b.
                let mut seen = BTreeSet::new();
                let mut stack = vec![b.clone()];
                while let Some(m) = stack.pop() {
                    assert!(&m != a, "import circle in {module}: {a} → {b} → … → {a}");
                    if seen.insert(m.clone()) {
                        stack.extend(g.get(&m).into_iter().flatten().cloned());
                    }
                }
            }
        }
    }
}
