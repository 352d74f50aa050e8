//! Risk-reduction services (风险减量服务) as documented modifiers of frequency and severity.

use super::Check;
use serde::{Deserialize, Serialize};

/// A measure a firm can document (security monitoring, backups, patent watch, …) and its
/// effect on the products that list it: their frequency × `frequency_factor`, their severity ×
/// `severity_factor`, both in (0, 1]. Measures on the same product multiply.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RiskReduction {
    /// Measure name, referred to by firms.
    pub name: String,
    /// Frequency factor in (0, 1] (default 1).
    #[serde(default = "one")]
    pub frequency_factor: f64,
    /// Severity factor in (0, 1] (default 1).
    #[serde(default = "one")]
    pub severity_factor: f64,
    /// Source or rationale.
    #[serde(default)]
    pub source: String,
}

fn one() -> f64 {
    1.0
}

/// Combined factors of the measures on one peril.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Modifier {
    pub frequency: f64,
    pub severity: f64,
}

impl Modifier {
    /// No modification.
    pub const NONE: Self = Self {
        frequency: 1.0,
        severity: 1.0,
    };

    /// The product of `measures`' factors.
    pub(crate) fn of<'a>(measures: impl IntoIterator<Item = &'a RiskReduction>) -> Self {
        measures.into_iter().fold(Self::NONE, |acc, m| Self {
            frequency: acc.frequency * m.frequency_factor,
            severity: acc.severity * m.severity_factor,
        })
    }
}

impl RiskReduction {
    pub(super) fn check(&self, c: &mut Check, at: &str) {
        c.rule(
            &format!("{at}.name"),
            !self.name.is_empty(),
            "must not be empty",
        );
        for (name, f) in [
            ("frequency_factor", self.frequency_factor),
            ("severity_factor", self.severity_factor),
        ] {
            c.rule(
                &format!("{at}.{name}"),
                f > 0.0 && f <= 1.0,
                &format!("{f} must be in (0, 1]"),
            );
        }
    }
}
