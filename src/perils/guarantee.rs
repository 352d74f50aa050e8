//! Credit guarantees: IP-pledge financing (知识产权质押融资保证保险) and loan performance
//! guarantee insurance (贷款履约保证保险), one peril with two assumption entries.

use crate::error::Result;
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use rand::Rng;
use serde::{Deserialize, Serialize};

use super::Peril;

/// A guarantee of a loan: if the borrower defaults (probability `default_probability` in the
/// year) the insurer pays `share` of the shortfall (LGD·loan − C)⁺, where LGD is the share of
/// the loan lost before collateral and C what the collateral (e.g. pledged patents) realises:
///
/// ```text
/// E = LGD·loan,  E[payment] = PD·share·(E − E[min(C, E)]),  P(payment > 0) = PD·F_C(E)
/// ```
/// Without collateral C = 0: every default pays share·E.
///
/// ```
/// use kexian::perils::{Guarantee, Peril};
/// let loan = Guarantee { loan: 1.0e6, default_probability: 0.02, loss_given_default: 0.6,
///                        collateral: None, share: 0.8 };
/// assert!((loan.expected_payment()? - 0.02 * 0.8 * 0.6e6).abs() < 1e-6);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Guarantee {
    /// Outstanding loan at default (元, > 0).
    pub loan: f64,
    /// Annual default probability, in \[0, 1\].
    pub default_probability: f64,
    /// Share of the loan lost at default before collateral, in \[0, 1\] (default 1).
    #[serde(default = "one")]
    pub loss_given_default: f64,
    /// What the collateral realises at default (元); none: unsecured.
    #[serde(default)]
    pub collateral: Option<SeverityModel>,
    /// Insurer's share of the shortfall, in \[0, 1\] (default 1).
    #[serde(default = "one")]
    pub share: f64,
}

fn one() -> f64 {
    1.0
}

impl Guarantee {
    /// Checks the loan, probabilities and shares.
    pub fn validate(&self) -> Result<()> {
        const M: &str = "Guarantee";
        validate::positive(M, "loan", self.loan)?;
        validate::probability(M, "default_probability", self.default_probability)?;
        validate::probability(M, "loss_given_default", self.loss_given_default)?;
        validate::probability(M, "share", self.share)?;
        Ok(())
    }

    /// The exposure before collateral, LGD·loan (元).
    fn exposure(&self) -> f64 {
        self.loss_given_default * self.loan
    }
}

impl Peril for Guarantee {
    fn event_probability(&self) -> f64 {
        self.default_probability
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        let recovered = self.collateral.as_ref().map_or(0.0, |c| c.sample(rng));
        self.share * (self.exposure() - recovered).max(0.0)
    }

    fn expected_payment(&self) -> Result<f64> {
        self.validate()?;
        let e = self.exposure();
        let lev = self
            .collateral
            .as_ref()
            .map_or(0.0, |c| c.limited_expected_value(e));
        Ok(self.default_probability * self.share * (e - lev))
    }

    fn payment_probability(&self) -> Result<f64> {
        self.validate()?;
        let e = self.exposure();
        let pays = if self.share > 0.0 && e > 0.0 {
            self.collateral.as_ref().map_or(1.0, |c| c.cdf(e))
        } else {
            0.0
        };
        Ok(self.default_probability * pays)
    }
}
