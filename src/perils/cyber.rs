//! Cyber: incidents by type, each paid under its coverage section.

use super::{ClaimBatch, Peril, expectation};
use crate::coverage::ClaimTerms;
use crate::error::{Error, Result};
use crate::frequency::{Frequency, FrequencyModel};
use crate::numerics::kernels::{self, CodePath, open_unit};
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use rand::{Rng, RngExt, SeedableRng};
use rand_xoshiro::SplitMix64;
use serde::{Deserialize, Serialize};

/// A kind of cyber incident and how its ground-up loss arises.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum IncidentType {
    /// A data breach of R records costing exp(a)·R^b (sub-linear in records, b < 1: Jacobs
    /// 2014), paid under the liability section.
    DataBreach {
        /// Records breached.
        records: SeverityModel,
        /// a = ln(cost of a one-record breach), 元.
        log_cost_intercept: f64,
        /// b, the elasticity of cost in records (0 < b ≤ 1).
        cost_exponent: f64,
    },
    /// Ransomware: ransom and recovery cost, first-party section.
    Ransomware {
        /// Cost (元).
        cost: SeverityModel,
    },
    /// Incident response (forensics, notification, legal), first-party section.
    Response {
        /// Cost (元).
        cost: SeverityModel,
    },
    /// Business interruption: downtime beyond a waiting period times the hourly loss of
    /// income, BI section.
    BusinessInterruption {
        /// Downtime (hours).
        downtime_hours: SeverityModel,
        /// Income lost per hour of downtime (元).
        hourly_loss: f64,
        /// Waiting period (hours) before the cover responds.
        waiting_hours: f64,
    },
}

impl IncidentType {
    /// Ground-up loss as a function of the type's basic random quantity.
    fn loss_of(&self, x: f64) -> f64 {
        match *self {
            Self::DataBreach {
                log_cost_intercept: a,
                cost_exponent: b,
                ..
            } => kernels::exp(a + b * kernels::ln(x.max(1.0))),
            Self::Ransomware { .. } | Self::Response { .. } => x,
            Self::BusinessInterruption {
                hourly_loss,
                waiting_hours,
                ..
            } => hourly_loss * (x - waiting_hours).max(0.0),
        }
    }

    /// [`loss_of`](Self::loss_of) of each x in place, bit for bit, a data breach's ln and
    /// exp in vector kernels on `path` (`y` their scratch).
    fn losses(&self, x: &mut [f64], y: &mut Vec<f64>, path: CodePath) {
        match *self {
            Self::DataBreach {
                log_cost_intercept: a,
                cost_exponent: b,
                ..
            } => {
                x.iter_mut().for_each(|x| *x = x.max(1.0));
                y.resize(x.len(), 0.0);
                kernels::ln_all(x, y, path);
                for (x, &y) in x.iter_mut().zip(y.iter()) {
                    *x = a + b * y;
                }
                kernels::exp_all(x, path);
            }
            _ => x.iter_mut().for_each(|x| *x = self.loss_of(*x)),
        }
    }

    fn driver(&self) -> &SeverityModel {
        match self {
            Self::DataBreach { records, .. } => records,
            Self::Ransomware { cost } | Self::Response { cost } => cost,
            Self::BusinessInterruption { downtime_hours, .. } => downtime_hours,
        }
    }

    fn section<'a>(&self, s: &'a CyberSections) -> &'a ClaimTerms {
        match self {
            Self::DataBreach { .. } => &s.liability,
            Self::Ransomware { .. } | Self::Response { .. } => &s.first_party,
            Self::BusinessInterruption { .. } => &s.business_interruption,
        }
    }
}

/// Terms of the three coverage sections (each per incident).
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CyberSections {
    /// First party: incident response, ransomware.
    pub first_party: ClaimTerms,
    /// Business interruption.
    pub business_interruption: ClaimTerms,
    /// Liability: data breach costs.
    pub liability: ClaimTerms,
}

/// A firm's cyber risk: material incidents per year (negative binomial by size and sector),
/// each of a type drawn with the given weights, paid under that type's section.
///
/// ```text
/// E[payment] = E[N] Σ_types w_t E[section_t(loss_t)],
/// P(payment > 0) = 1 − P_N(1 − Σ_t w_t P(section_t(loss_t) > 0))
/// ```
/// The per-incident expectations are integrals over each driver's quantile function.
///
/// Frequency guide (UK Cyber Security Breaches Survey 2024): firms reporting a breach or
/// attack in a year — micro 48%, small 58%, medium 70%, large 74%; ~13% of those report a
/// material outcome. Severity guide: NetDiligence SME incident response mean $175K, median
/// $36K (lognormal μ ≈ 10.49, σ ≈ 1.78 in USD).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CyberRisk {
    /// Material incidents per year.
    pub incidents: FrequencyModel,
    /// (weight, type) pairs; weights ≥ 0, normalised to sum 1.
    pub types: Vec<(f64, IncidentType)>,
    /// Section terms.
    #[serde(default)]
    pub sections: CyberSections,
}

impl CyberRisk {
    /// Checks the incident mix.
    pub fn validate(&self) -> Result<()> {
        const M: &str = "CyberRisk";
        if self.types.is_empty() {
            return Err(Error::Empty {
                model: M,
                parameter: "types",
            });
        }
        for (i, (w, t)) in self.types.iter().enumerate() {
            if !(w.is_finite() && *w >= 0.0) {
                return Err(Error::InvalidElement {
                    model: M,
                    parameter: "types.weight",
                    index: i,
                    value: *w,
                    rule: "finite and >= 0",
                });
            }
            match *t {
                IncidentType::DataBreach {
                    log_cost_intercept,
                    cost_exponent,
                    ..
                } => {
                    validate::finite(M, "log_cost_intercept", log_cost_intercept)?;
                    let ok = cost_exponent > 0.0 && cost_exponent <= 1.0;
                    validate::rule(M, "cost_exponent", cost_exponent, ok, "in (0, 1]")?;
                }
                IncidentType::BusinessInterruption {
                    hourly_loss,
                    waiting_hours,
                    ..
                } => {
                    validate::non_negative(M, "hourly_loss", hourly_loss)?;
                    validate::non_negative(M, "waiting_hours", waiting_hours)?;
                }
                _ => {}
            }
        }
        if self.total_weight() <= 0.0 {
            return Err(Error::Inconsistent {
                model: M,
                message: "incident type weights sum to 0".into(),
            });
        }
        Ok(())
    }

    fn total_weight(&self) -> f64 {
        self.types.iter().map(|(w, _)| w).sum()
    }

    /// An incident's type (its index), by the weights from one uniform of `rng`.
    fn pick<R: Rng + ?Sized>(&self, rng: &mut R) -> usize {
        let mut u = rng.random::<f64>() * self.total_weight();
        for (k, (w, _)) in self.types.iter().enumerate() {
            if u < *w {
                return k;
            }
            u -= w;
        }
        self.types.len() - 1
    }

    pub(super) fn sample_incident<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let chosen = &self.types[self.pick(rng)].1;
        let x = chosen.driver().draw(rng);
        chosen.section(&self.sections).apply(chosen.loss_of(x))
    }

    /// Expected payment per incident.
    pub fn expected_payment_per_incident(&self) -> f64 {
        self.per_incident(|t| {
            let terms = t.section(&self.sections);
            expectation(t.driver(), |x| terms.apply(t.loss_of(x)))
        })
    }

    /// P(an incident pays anything): the loss must exceed d/c under the type's section.
    pub fn incident_payment_probability(&self) -> f64 {
        self.per_incident(|t| {
            let terms = t.section(&self.sections);
            if terms.share() == 0.0 || terms.limit() <= terms.deductible() {
                return 0.0;
            }
            let d = terms.deductible() / terms.inflation();
            let survival = |x: f64| if x < 0.0 { 1.0 } else { t.driver().survival(x) };
            match *t {
                IncidentType::DataBreach {
                    log_cost_intercept: a,
                    cost_exponent: b,
                    ..
                } => {
                    // exp(a)·max(R, 1)^b > d ⇔ R > exp((ln d − a)/b) (when that exceeds 1).
                    let r = ((d.ln() - a) / b).exp();
                    if r < 1.0 { 1.0 } else { survival(r) }
                }
                IncidentType::BusinessInterruption {
                    hourly_loss,
                    waiting_hours,
                    ..
                } => {
                    if hourly_loss == 0.0 {
                        0.0
                    } else {
                        survival(waiting_hours + d / hourly_loss)
                    }
                }
                _ => survival(d),
            }
        })
    }

    fn per_incident(&self, f: impl Fn(&IncidentType) -> f64) -> f64 {
        let total = self.total_weight();
        self.types.iter().map(|(w, t)| w / total * f(t)).sum()
    }
}

impl Peril for CyberRisk {
    fn event_probability(&self) -> f64 {
        1.0 - self.incidents.pmf(0)
    }

    fn expected_occurrences(&self) -> f64 {
        self.incidents.mean()
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        super::claims_total(self, rng)
    }

    #[inline]
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, mut visit: F) {
        for _ in 0..self.incidents.sample_positive(rng) {
            visit(self.sample_incident(rng));
        }
    }

    /// Pass 1 replays each event's generator for its incidents' types and survival levels,
    /// pass 2 draws each type's sizes and losses in vector kernels (the same bits as
    /// [`SeverityModel::draw`] and the type's loss one at a time).
    fn claims_in_batch(&self, keys: &[u64], b: &mut ClaimBatch, path: CodePath) -> bool {
        if !self.types.iter().all(|(_, t)| t.driver().invertible()) {
            return false;
        }
        b.clear();
        for &key in keys {
            let mut rng = SplitMix64::seed_from_u64(key);
            for _ in 0..self.incidents.sample_positive(&mut rng) {
                b.kinds.push(self.pick(&mut rng) as u32);
                b.claims.push(open_unit(rng.next_u64()));
            }
            b.ends.push(b.claims.len() as u32);
        }
        // The claims grouped by type (a counting sort: no branch on the type per claim).
        let types = self.types.len();
        b.starts.clear();
        b.starts.resize(types + 1, 0);
        for &kind in &b.kinds {
            b.starts[kind as usize + 1] += 1;
        }
        for k in 0..types {
            b.starts[k + 1] += b.starts[k];
        }
        let n = b.claims.len();
        b.at.resize(n, 0);
        b.x.resize(n, 0.0);
        b.next.clear();
        b.next.extend_from_slice(&b.starts[..types]);
        for (c, (&kind, &s)) in b.kinds.iter().zip(&b.claims).enumerate() {
            let p = &mut b.next[kind as usize];
            (b.at[*p], b.x[*p]) = (c as u32, s);
            *p += 1;
        }
        for (k, (_, t)) in self.types.iter().enumerate() {
            let range = b.starts[k]..b.starts[k + 1];
            let x = &mut b.x[range.clone()];
            t.driver().survival_draws(x, &mut b.normals, path);
            t.losses(x, &mut b.y, path);
            let terms = t.section(&self.sections);
            for (&c, &x) in b.at[range].iter().zip(x.iter()) {
                b.claims[c as usize] = terms.apply(x);
            }
        }
        true
    }

    fn expected_payment(&self) -> Result<f64> {
        self.validate()?;
        Ok(self.incidents.mean() * self.expected_payment_per_incident())
    }

    fn payment_probability(&self) -> Result<f64> {
        self.validate()?;
        Ok(1.0
            - self
                .incidents
                .pgf(1.0 - self.incident_payment_probability()))
    }
}
