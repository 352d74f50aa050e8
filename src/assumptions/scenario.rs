//! Scenarios: what a sensitivity step or a stress moves in an assumption set — frequency and
//! severity loads on products (in all sectors or some), systemic-event rates, the strength of
//! the dependence across sectors.

use super::{Assumptions, Check, Modifier};
use crate::dependence::{Copula, CopulaSpec};
use crate::error::{Error, Result};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

fn one() -> f64 {
    1.0
}

/// Frequency and severity multipliers on a product's perils: a claim or event rate (a
/// stage's failure probability, a loan's default probability) × `frequency`, capped at 1
/// where it is a probability, and amounts × `severity`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Load {
    /// Product name.
    pub product: String,
    /// Only firms of these sectors (all if empty).
    #[serde(default)]
    pub sectors: Vec<String>,
    /// Frequency multiplier (> 0; default 1).
    #[serde(default = "one")]
    pub frequency: f64,
    /// Severity multiplier (> 0; default 1).
    #[serde(default = "one")]
    pub severity: f64,
}

impl Load {
    pub(super) fn check(&self, c: &mut Check, at: &str, set: &super::AssumptionSet) {
        c.known(
            &format!("{at}.product"),
            std::iter::once(&self.product),
            &set.products
                .iter()
                .map(|p| p.name.clone())
                .collect::<Vec<_>>(),
            "product",
        );
        c.known(
            &format!("{at}.sectors"),
            self.sectors.iter(),
            &set.sectors,
            "sector",
        );
        for (name, f) in [("frequency", self.frequency), ("severity", self.severity)] {
            c.rule(
                &format!("{at}.{name}"),
                f.is_finite() && f > 0.0,
                &format!("{f} must be finite and > 0"),
            );
        }
    }

    /// Applies the loads of `product` for a firm of `sector` to `m`.
    pub(super) fn apply(loads: &[Load], product: &str, sector: &str, m: Modifier) -> Modifier {
        (loads.iter())
            .filter(|l| {
                l.product == product
                    && (l.sectors.is_empty() || l.sectors.iter().any(|s| s == sector))
            })
            .fold(m, |m, l| Modifier {
                frequency: m.frequency * l.frequency,
                severity: m.severity * l.severity,
            })
    }
}

/// A named change to an assumption set.
///
/// ```
/// use kexian::assumptions::{Assumptions, Scenario};
/// let s: Scenario = serde_json::from_str(r#"{"name": "cyber events twice as frequent",
///     "shocks": {"cloud_outage": 2.0, "mass_vulnerability": 2.0, "ransomware_wave": 2.0}}"#)?;
/// let a = Assumptions::bundled()?;
/// let stressed = a.with_scenario(&s)?;
/// assert_eq!(stressed.shocks()[0].annual_rate, 2.0 * a.shocks()[0].annual_rate);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Scenario {
    /// Name, shown in the results.
    pub name: String,
    /// Loads on products.
    #[serde(default)]
    pub loads: Vec<Load>,
    /// Annual-rate multipliers of systemic events, by name (> 0).
    #[serde(default)]
    pub shocks: BTreeMap<String, f64>,
    /// Multiplier (> 0) on the copula's dependence: Gumbel θ − 1, Clayton θ, the
    /// off-diagonal correlations (kept below 1) of a Gaussian or t copula.
    #[serde(default = "one")]
    pub dependence: f64,
}

impl Scenario {
    /// A scenario that changes nothing yet.
    pub fn named(name: &str) -> Self {
        Self {
            name: name.to_owned(),
            loads: vec![],
            shocks: BTreeMap::new(),
            dependence: 1.0,
        }
    }

    /// A scenario that loads one product.
    pub fn load(name: &str, product: &str, frequency: f64, severity: f64) -> Self {
        Self {
            loads: vec![Load {
                product: product.to_owned(),
                sectors: vec![],
                frequency,
                severity,
            }],
            ..Self::named(name)
        }
    }
}

impl Assumptions {
    /// The set under `scenario`, validated again. Errors name the scenario and the field:
    /// unknown products, sectors or shocks, multipliers ≤ 0, a dependence change without a
    /// copula or one the copula refuses.
    pub fn with_scenario(&self, scenario: &Scenario) -> Result<Self> {
        let mut set = self.set.clone();
        let error = |message: String| Error::Inconsistent {
            model: "Scenario",
            message: format!("scenario `{}`: {message}", scenario.name),
        };
        set.loads.extend(scenario.loads.iter().cloned());
        for (name, &m) in &scenario.shocks {
            if !(m.is_finite() && m > 0.0) {
                return Err(error(format!("shocks.{name}: {m} must be finite and > 0")));
            }
            let shock = (set.shocks.iter_mut().find(|s| &s.name == name))
                .ok_or_else(|| error(format!("shocks: unknown systemic event `{name}`")))?;
            shock.annual_rate *= m;
        }
        let m = scenario.dependence;
        if m != 1.0 {
            if !(m.is_finite() && m > 0.0) {
                return Err(error(format!("dependence: {m} must be finite and > 0")));
            }
            let d = (set.dependence.as_mut())
                .ok_or_else(|| error("dependence: the set has no copula".into()))?;
            let spec = match d.copula.spec().clone() {
                CopulaSpec::Gumbel { theta, dimension } => CopulaSpec::Gumbel {
                    theta: 1.0 + (theta - 1.0) * m,
                    dimension,
                },
                CopulaSpec::Clayton { theta, dimension } => CopulaSpec::Clayton {
                    theta: theta * m,
                    dimension,
                },
                CopulaSpec::Gaussian { correlation } => CopulaSpec::Gaussian {
                    correlation: scaled(correlation, m),
                },
                CopulaSpec::StudentT { correlation, dof } => CopulaSpec::StudentT {
                    correlation: scaled(correlation, m),
                    dof,
                },
                independent => independent,
            };
            d.copula = Copula::new(spec).map_err(|e| error(format!("dependence: {e}")))?;
        }
        Self::checked(
            set,
            format!("{} under scenario `{}`", self.source, scenario.name),
        )
    }
}

/// Off-diagonal correlations × m, kept within ±0.99.
fn scaled(mut r: Vec<Vec<f64>>, m: f64) -> Vec<Vec<f64>> {
    for (i, row) in r.iter_mut().enumerate() {
        for (j, x) in row.iter_mut().enumerate() {
            if i != j {
                *x = (*x * m).clamp(-0.99, 0.99);
            }
        }
    }
    r
}
