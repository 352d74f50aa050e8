//! The package peril: a claim count, each claim on one section (drawn by the sections' shares
//! of the claims) with that section's ground-up severity, and a [`Package`]'s terms.

use super::{Peril, expectation};
use crate::coverage::Package;
use crate::error::{Error, Result};
use crate::frequency::{Frequency, FrequencyModel};
use crate::severity::{Severity, SeverityModel};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "PackagePeril";

/// The claims of one section: its share of the claims and its ground-up loss (元).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClaimSection {
    /// Share of the claims that fall on this section (the shares sum to 1).
    pub share: f64,
    /// Ground-up loss of one claim (元) before `scale`.
    pub severity: SeverityModel,
    /// The ground-up loss is `scale` × a draw of `severity` (default 1; e.g. a loss ratio
    /// times the insured value).
    #[serde(default = "one")]
    pub scale: f64,
}

fn one() -> f64 {
    1.0
}

/// Annual payment min(Σᵢ Y(sᵢ, Xᵢ), G): N claims, claim i on section sᵢ with probability
/// π_s, ground-up loss Xᵢ from that section's severity (times its scale), Y the package's occurrence payment
/// ([`Package::occurrence`]) and G its annual aggregate limit.
///
/// ```text
/// E[annual payment] = E[N] · Σ_s π_s E[Y(s, X_s)]                      (G = ∞)
///                   = E[min(S, G)], S by Panjer recursion on a grid   (G < ∞)
/// P(payment > 0)    = 1 − P_N(1 − Σ_s π_s P(Y(s, X_s) > 0))
/// ```
/// E\[Y(s, X_s)\] is the closed form of the section's claim terms when the package has no
/// policy terms, else adaptive quadrature of Y over X_s's quantile function.
///
/// ```
/// use kexian::perils::{PackagePeril, Peril};
/// let p: PackagePeril = serde_json::from_str(r#"{
///     "frequency": {"type": "poisson", "lambda": 0.5},
///     "sections": [{"share": 1.0, "severity": {"type": "exponential", "theta": 1000.0}}],
///     "package": {"sections": [{"name": "all"}], "policy": {"limit": 1000.0}}}"#)?;
/// // E[min(X, 1000)] = 1000 (1 − e⁻¹) for an exponential of mean 1000.
/// let want = 0.5 * 1000.0 * (1.0 - (-1.0f64).exp());
/// assert!((p.expected_payment()? - want).abs() < 1e-6 * want);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackagePeril {
    /// Claims per year.
    pub frequency: FrequencyModel,
    /// One per section of `package`, in its order.
    pub sections: Vec<ClaimSection>,
    /// The terms.
    pub package: Package,
}

/// Quantile points per section when the annual limit needs the payment's distribution.
const QUANTILES: usize = 20_000;
/// Grid cells below the annual limit.
const CELLS: usize = 2_000;

impl PackagePeril {
    /// Checks one claim section per package section and shares in \[0, 1\] that sum to 1.
    pub fn validate(&self) -> Result<()> {
        let inconsistent = |message: String| Error::Inconsistent {
            model: MODEL,
            message,
        };
        if self.sections.len() != self.package.sections().len() {
            return Err(inconsistent(format!(
                "{} claim sections for a package of {} sections",
                self.sections.len(),
                self.package.sections().len()
            )));
        }
        for s in &self.sections {
            crate::numerics::validate::probability(MODEL, "share", s.share)?;
            crate::numerics::validate::positive(MODEL, "scale", s.scale)?;
        }
        let total: f64 = self.sections.iter().map(|s| s.share).sum();
        if (total - 1.0).abs() > 1e-9 {
            return Err(inconsistent(format!(
                "the sections' shares of the claims sum to {total}, not 1"
            )));
        }
        Ok(())
    }

    /// One claim's payment Y (元), before the annual limit.
    #[inline]
    pub fn sample_claim<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let s = if self.sections.len() == 1 {
            0
        } else {
            let u = rng.random::<f64>();
            let mut acc = 0.0;
            let last = self.sections.len() - 1;
            self.sections
                .iter()
                .position(|c| {
                    acc += c.share;
                    u < acc
                })
                .unwrap_or(last)
        };
        let c = &self.sections[s];
        self.package.occurrence(s, c.scale * c.severity.draw(rng))
    }

    /// λ when the claims are Poisson(λ) and the year has no aggregate limit (the claims'
    /// payments are then independent and superpose across a book).
    pub fn poisson_rate(&self) -> Option<f64> {
        match &self.frequency {
            FrequencyModel::Poisson(p) if self.package.annual_limit().is_infinite() => {
                Some(p.lambda())
            }
            _ => None,
        }
    }

    /// E\[Y(s, X_s)\] for section `s`.
    fn section_mean(&self, s: usize) -> Result<f64> {
        let ClaimSection {
            severity, scale, ..
        } = &self.sections[s];
        if self.package.is_sections_only() {
            let terms = self.package.sections()[s].terms;
            return terms
                .with_inflation(terms.inflation() * scale)?
                .payment_moment(severity, 1)
                .ok_or_else(|| Error::InfiniteMoment {
                    quantity: "expected payment",
                    reason: "the claim size has an infinite mean and the cover no limit".into(),
                });
        }
        if self.package.max_occurrence().is_infinite() && severity.mean().is_none() {
            return Err(Error::InfiniteMoment {
                quantity: "expected payment",
                reason: "the claim size has an infinite mean and the package no limit".into(),
            });
        }
        Ok(expectation(severity, |x| {
            self.package.occurrence(s, scale * x)
        }))
    }

    /// E\[min(S, G)\]: the payment Y discretised on a grid of step G/CELLS from the
    /// quantiles of each section's loss (mid-points of QUANTILES equal slices), rounded to
    /// the nearest cell and capped at G, then S by Panjer recursion (FFT for counts outside
    /// the (a, b) classes is not needed: the catalogue's counts are Poisson, negative
    /// binomial or binomial).
    fn capped_mean(&self) -> Result<f64> {
        let g = self.package.annual_limit();
        let h = g / CELLS as f64;
        let mut f = vec![0.0; CELLS + 1];
        for (s, c) in self.sections.iter().enumerate() {
            let w = c.share / QUANTILES as f64;
            for k in 0..QUANTILES {
                let u = (k as f64 + 0.5) / QUANTILES as f64;
                let y = (self.package)
                    .occurrence(s, c.scale * c.severity.quantile(u))
                    .min(g);
                f[((y / h).round() as usize).min(CELLS)] += w;
            }
        }
        let pmf = crate::frequency::compound::panjer(&self.frequency, &f, None)?;
        let below: f64 = pmf.iter().sum();
        let mean: f64 = pmf.iter().enumerate().map(|(k, p)| p * k as f64 * h).sum();
        Ok(mean + (1.0 - below).max(0.0) * g)
    }
}

impl Peril for PackagePeril {
    fn event_probability(&self) -> f64 {
        1.0 - self.frequency.pmf(0)
    }

    fn expected_occurrences(&self) -> f64 {
        self.frequency.mean()
    }

    #[inline]
    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let n = self.frequency.sample_positive(rng);
        let total: f64 = (0..n).map(|_| self.sample_claim(rng)).sum();
        self.package.annual(total)
    }

    /// Each claim's payment, the annual limit eroded in claim order.
    #[inline]
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, mut visit: F) {
        let mut left = self.package.annual_limit();
        for _ in 0..self.frequency.sample_positive(rng) {
            let paid = self.sample_claim(rng).min(left);
            left -= paid;
            visit(paid);
        }
    }

    fn expected_payment(&self) -> Result<f64> {
        if self.package.annual_limit().is_finite() {
            return self.capped_mean();
        }
        let mut per_claim = 0.0;
        for (s, c) in self.sections.iter().enumerate() {
            if c.share > 0.0 {
                per_claim += c.share * self.section_mean(s)?;
            }
        }
        Ok(self.frequency.mean() * per_claim)
    }

    fn payment_probability(&self) -> Result<f64> {
        let p: f64 = (self.sections.iter().enumerate())
            .filter(|(_, c)| c.share > 0.0)
            .map(|(s, c)| {
                c.share
                    * expectation(&c.severity, |x| {
                        f64::from(u8::from(self.package.occurrence(s, c.scale * x) > 0.0))
                    })
            })
            .sum();
        Ok(1.0 - self.frequency.pgf(1.0 - p))
    }
}
