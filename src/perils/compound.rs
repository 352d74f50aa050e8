//! The generic compound peril: a claim count, a claim size and per-claim terms.

use super::{Peril, shifted_payment_probability};
use crate::coverage::ClaimTerms;
use crate::error::{Error, Result};
use crate::frequency::{Frequency, FrequencyModel};
use crate::severity::SeverityModel;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Annual payment Σᵢ terms(Xᵢ) with N claims: E = E\[N\]·E\[terms(X)\], and
/// P(payment > 0) = 1 − P_N(1 − p) with p = P(terms(X) > 0) (thinning through the pgf).
///
/// ```
/// use kexian::perils::{CompoundPeril, Peril};
/// let p: CompoundPeril = serde_json::from_str(r#"{
///     "frequency": {"type": "poisson", "lambda": 0.1},
///     "severity": {"type": "exponential", "theta": 1000.0}}"#)?;
/// assert!((p.expected_payment()? - 100.0).abs() < 1e-9);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompoundPeril {
    /// Claims per year.
    pub frequency: FrequencyModel,
    /// Ground-up claim size (元).
    pub severity: SeverityModel,
    /// Per-claim terms (default: full cover).
    #[serde(default)]
    pub terms: ClaimTerms,
}

impl Peril for CompoundPeril {
    fn event_probability(&self) -> f64 {
        1.0 - self.frequency.pmf(0)
    }

    fn expected_occurrences(&self) -> f64 {
        self.frequency.mean()
    }

    #[inline]
    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        super::claims_total(self, rng)
    }

    #[inline]
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, mut visit: F) {
        for _ in 0..self.frequency.sample_positive(rng) {
            visit(self.terms.apply(self.severity.draw(rng)));
        }
    }

    fn expected_payment(&self) -> Result<f64> {
        let per_claim = self
            .terms
            .payment_moment(&self.severity, 1)
            .ok_or_else(|| Error::InfiniteMoment {
                quantity: "expected payment",
                reason: "the claim size has an infinite mean and the cover no limit".into(),
            })?;
        Ok(self.frequency.mean() * per_claim)
    }

    fn payment_probability(&self) -> Result<f64> {
        let p = shifted_payment_probability(&self.terms, &self.severity, 0.0);
        Ok(1.0 - self.frequency.pgf(1.0 - p))
    }
}
