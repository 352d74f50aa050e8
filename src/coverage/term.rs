//! A policy's term: a number of years, or the insured project's remaining duration.

use serde::{Deserialize, Serialize};

/// How long a policy runs: `1` (a one-year policy, the default), any number of years (e.g. a
/// loan's tenor), or `"project"`: until the insured R&D project ends (its last stage gate).
///
/// ```
/// use kexian::coverage::Term;
/// let t: Term = serde_json::from_str("\"project\"")?;
/// assert_eq!(t, Term::Project);
/// assert_eq!(serde_json::from_str::<Term>("3")?, Term::Years(3.0));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Term {
    /// A term of this many years (> 0).
    Years(f64),
    /// The project's remaining duration.
    #[serde(with = "project")]
    Project,
}

impl Default for Term {
    fn default() -> Self {
        Self::Years(1.0)
    }
}

impl Term {
    /// Policy years the term spans, ⌈years⌉ (`remaining`: the project's remaining duration,
    /// for [`Term::Project`]); at least 1.
    pub fn policy_years(&self, remaining: f64) -> usize {
        let years = match self {
            Self::Years(y) => *y,
            Self::Project => remaining,
        };
        if years.is_finite() && years > 1.0 {
            years.ceil() as usize
        } else {
            1
        }
    }

    /// `Err(rule)` unless a number of years is finite and > 0.
    pub fn check(&self) -> std::result::Result<(), &'static str> {
        match self {
            Self::Years(y) if !(y.is_finite() && *y > 0.0) => {
                Err("a term is a number of years, finite and > 0, or \"project\"")
            }
            _ => Ok(()),
        }
    }
}

mod project {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str("project")
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<(), D::Error> {
        let s = String::deserialize(d)?;
        if s == "project" {
            Ok(())
        } else {
            Err(D::Error::custom(format!(
                "term `{s}`: a number of years or \"project\""
            )))
        }
    }
}
