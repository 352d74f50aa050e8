//! Validation of an assumption set: every problem collected, each named by its field.

use crate::error::{Error, Result};
use std::collections::BTreeMap;

/// Collects the problems of a set as (field, message).
#[derive(Default)]
pub(crate) struct Check {
    problems: Vec<(String, String)>,
}

impl Check {
    pub(crate) fn rule(&mut self, field: &str, ok: bool, message: &str) {
        if !ok {
            self.problems.push((field.to_owned(), message.to_owned()));
        }
    }

    pub(crate) fn positive(&mut self, field: &str, v: f64) {
        self.rule(
            field,
            v.is_finite() && v > 0.0,
            &format!("{v} must be finite and > 0"),
        );
    }

    pub(crate) fn non_negative(&mut self, field: &str, v: f64) {
        self.rule(
            field,
            v.is_finite() && v >= 0.0,
            &format!("{v} must be finite and >= 0"),
        );
    }

    pub(crate) fn probability(&mut self, field: &str, v: f64) {
        self.rule(
            field,
            (0.0..=1.0).contains(&v),
            &format!("{v} must be in [0, 1]"),
        );
    }

    /// Names: at least one, none empty, no repeats.
    pub(crate) fn names<'a>(&mut self, field: &str, names: impl Iterator<Item = &'a String>) {
        let mut seen = std::collections::BTreeSet::new();
        for n in names {
            self.rule(field, !n.is_empty(), "names must not be empty");
            self.rule(
                field,
                seen.insert(n.as_str()),
                &format!("`{n}` is named twice"),
            );
        }
    }

    /// `map` has an entry for every name in `all`, and each is finite and ≥ 0 (they are
    /// multipliers, shares and amounts).
    pub(crate) fn every(
        &mut self,
        field: &str,
        map: &BTreeMap<String, f64>,
        all: &[String],
        kind: &str,
        what: &str,
    ) {
        for name in all {
            self.rule(
                field,
                map.contains_key(name),
                &format!("no entry for {kind} `{name}` (every {kind} needs {what})"),
            );
        }
        self.known(field, map.keys(), all, kind);
        for (k, v) in map {
            self.non_negative(&format!("{field}.{k}"), *v);
        }
    }

    /// Every key is one of `all`.
    pub(crate) fn known<'a>(
        &mut self,
        field: &str,
        keys: impl Iterator<Item = &'a String>,
        all: &[String],
        kind: &str,
    ) {
        for k in keys {
            self.rule(
                field,
                all.contains(k),
                &format!("unknown {kind} `{k}` (known: {})", all.join(", ")),
            );
        }
    }

    /// `Ok` if no problem; else one [`Error::Field`], or every problem in [`Error::Rows`].
    pub(crate) fn finish(self, source: &str) -> Result<()> {
        let mut problems = self.problems;
        match problems.len() {
            0 => Ok(()),
            1 => {
                let (field, message) = problems.remove(0);
                Err(Error::Field {
                    source_name: source.to_owned(),
                    field,
                    message,
                })
            }
            _ => Err(Error::Rows {
                source_name: source.to_owned(),
                errors: problems
                    .into_iter()
                    .map(|(f, m)| format!("field `{f}`: {m}"))
                    .collect(),
            }),
        }
    }
}
