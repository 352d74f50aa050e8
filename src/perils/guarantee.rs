//! Credit guarantees: IP-pledge financing (知识产权质押融资保证保险) and loan performance
//! guarantee insurance (贷款履约保证保险), one peril with two assumption entries.

use crate::error::Result;
use crate::numerics::kernels::{CodePath, Normals};
use crate::numerics::validate;
use crate::severity::{Severity, SeverityModel};
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

use super::{Peril, survival_draw_or_zero, survival_draws_or_zero};

/// A guarantee of a loan: if the borrower defaults (probability `default_probability` in the
/// year) the insurer pays `share` of the shortfall (LGD·loan − C)⁺, where LGD is the share of
/// the loan lost before collateral and C what the collateral (e.g. pledged patents) realises:
///
/// ```text
/// E = LGD·loan,  E[payment] = PD·share·(E − E[min(C, E)]),  P(payment > 0) = PD·F_C(E)
/// ```
/// Without collateral C = 0: every default pays share·E.
///
/// **Tenor.** A guarantee for the loan's tenor of n = ⌈`tenor`⌉ years (default 1) pays at the
/// first default: in year j with probability (1 − PD)^(j−1)·PD, valued at the policy's start
/// with vʲ, v = 1/(1 + r) (`discount_rate` r, default 0):
///
/// ```text
/// P(payment in the tenor) = 1 − (1 − PD)ⁿ,  E[payment] = Σⱼ (1 − PD)^(j−1)·PD·vʲ · share·(E − E[min(C, E)])
/// ```
///
/// ```
/// use kexian::perils::{Guarantee, Peril};
/// let loan = Guarantee { loan: 1.0e6, default_probability: 0.02, loss_given_default: 0.6,
///                        collateral: None, share: 0.8, tenor: 1.0, discount_rate: 0.0 };
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
    /// The loan's tenor the guarantee runs for (years, > 0; default 1).
    #[serde(default = "one")]
    pub tenor: f64,
    /// Annual rate payments are discounted at (≥ 0; default 0).
    #[serde(default)]
    pub discount_rate: f64,
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
        validate::positive(M, "tenor", self.tenor)?;
        validate::non_negative(M, "discount_rate", self.discount_rate)?;
        Ok(())
    }

    /// Policy years of the tenor, ⌈tenor⌉.
    pub fn policy_years(&self) -> usize {
        crate::coverage::Term::Years(self.tenor).policy_years(self.tenor)
    }

    /// P(the first default falls in policy year j), j = 1…n.
    pub fn default_by_year(&self) -> Vec<f64> {
        let p = self.default_probability;
        (0..self.policy_years())
            .map(|j| (1.0 - p).powi(j as i32) * p)
            .collect()
    }

    /// Undiscounted expected payment in each policy year of the tenor (元).
    pub fn expected_payments_by_year(&self) -> Result<Vec<f64>> {
        let per_default = self.per_default()?;
        Ok(self
            .default_by_year()
            .into_iter()
            .map(|q| q * per_default)
            .collect())
    }

    /// share·(E − E[min(C, E)]): the expected payment given a default.
    fn per_default(&self) -> Result<f64> {
        self.validate()?;
        let e = self.exposure();
        let lev = self
            .collateral
            .as_ref()
            .map_or(0.0, |c| c.limited_expected_value(e));
        Ok(self.share * (e - lev))
    }

    /// The exposure before collateral, LGD·loan (元).
    fn exposure(&self) -> f64 {
        self.loss_given_default * self.loan
    }

    /// The payment (元, discounted to the start) of a default in the policy year that `u`
    /// picks from the first-default probabilities `years` (u in \[0, Σ years); the last year
    /// when rounding leaves u beyond them), `recovered` 元 of collateral set against it:
    /// vʲ·share·(LGD·loan − C)₊, v = 1/(1 + discount rate).
    fn payment_at(&self, years: &[f64], mut u: f64, recovered: f64) -> f64 {
        let v = 1.0 / (1.0 + self.discount_rate);
        let mut discount = v;
        for (j, q) in years.iter().enumerate() {
            if u < *q || j + 1 == years.len() {
                discount = v.powi(j as i32 + 1);
                break;
            }
            u -= q;
        }
        discount * self.share * (self.exposure() - recovered).max(0.0)
    }
}

impl Peril for Guarantee {
    fn event_probability(&self) -> f64 {
        1.0 - (1.0 - self.default_probability).powi(self.policy_years() as i32)
    }

    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        // The default's year given one in the tenor (one year: no draw).
        let years = self.default_by_year();
        let u = if years.len() > 1 {
            rng.random::<f64>() * years.iter().sum::<f64>()
        } else {
            0.0
        };
        let recovered = self.collateral.as_ref().map_or(0.0, |c| c.sample(rng));
        self.payment_at(&years, u, recovered)
    }

    fn pays_by_inversion(&self) -> bool {
        self.collateral.as_ref().is_none_or(|c| c.invertible())
    }

    /// The default's year by `u`, the collateral's value C = S⁻¹(v).
    fn payment_by_inversion(&self, u: f64, v: f64) -> Option<f64> {
        let recovered = survival_draw_or_zero(self.collateral.as_ref(), v)?;
        Some(self.payment_at(&self.default_by_year(), u, recovered))
    }

    fn payments_by_inversion(
        &self,
        u: &[f64],
        v: &mut [f64],
        normals: &mut Normals,
        path: CodePath,
    ) -> bool {
        if !survival_draws_or_zero(self.collateral.as_ref(), v, normals, path) {
            return false;
        }
        let years = self.default_by_year();
        for (&u, x) in u.iter().zip(v.iter_mut()) {
            *x = self.payment_at(&years, u, *x);
        }
        true
    }

    fn expected_payment(&self) -> Result<f64> {
        let v = 1.0 / (1.0 + self.discount_rate);
        let mut discount = 1.0;
        Ok(self
            .expected_payments_by_year()?
            .into_iter()
            .map(|e| {
                discount *= v;
                discount * e
            })
            .sum())
    }

    fn payment_probability(&self) -> Result<f64> {
        self.validate()?;
        let e = self.exposure();
        let pays = if self.share > 0.0 && e > 0.0 {
            self.collateral.as_ref().map_or(1.0, |c| c.cdf(e))
        } else {
            0.0
        };
        Ok(self.event_probability() * pays)
    }
}
