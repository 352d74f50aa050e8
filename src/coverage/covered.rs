//! The payment per loss as a severity in its own right.

use super::{ClaimTerms, DeductibleKind};
use crate::severity::Severity;
use rand::{Rng, RngExt};

/// The payment per loss Y = `terms`(X) of a ground-up severity X, itself a [`Severity`]: its
/// distribution functions, quantiles, moments and limited moments follow from X's
/// (*Loss Models* §8.5), so every method that takes a severity takes a covered one. With
/// d′ = d/c (c the inflation, α the share) and t the ground-up point of payment y:
///
/// ```text
/// ordinary:  t = d′ + y/(αc),  E[min(Y, y)]  = αc·(LEV(t) − LEV(d′)),
///            E[min(Y, y)²] = (αc)²·[LM₂(t) − LM₂(d′) − 2d′·(LEV(t) − LEV(d′))]
/// franchise: y ≤ αd: E[min(Y, y)] = y·S(d′),  E[min(Y, y)²] = y²·S(d′);
///            above:  t = y/(αc), αc·(LEV(t) − LEV(d′)) + αd·S(d′) and
///                    (αc)²·[LM₂(t) − LM₂(d′) + d′²·S(d′)]
/// ```
/// Y has atoms at 0 (losses below the deductible) and at the maximum payment (losses beyond
/// the limit).
///
/// ```
/// use kexian::coverage::{ClaimTerms, Covered};
/// use kexian::severity::{Exponential, Severity};
/// let x = Exponential::new(1000.0)?;
/// let y = Covered::new(&x, ClaimTerms::new(500.0, 3000.0)?);
/// // E[Y] = LEV(3000) − LEV(500) = 1000·(e^−0.5 − e^−3).
/// assert!((y.mean().unwrap() - 1000.0 * ((-0.5f64).exp() - (-3.0f64).exp())).abs() < 1e-9);
/// assert!((y.survival(100.0) - (-0.6f64).exp()).abs() < 1e-15);
/// assert_eq!(y.quantile(1.0), 2500.0);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Covered<'a, S: ?Sized> {
    severity: &'a S,
    terms: ClaimTerms,
    /// Whether anything is paid (inflation and share positive).
    active: bool,
    /// d′ = d/c and X's LEV, LM₂ and survival there.
    d: f64,
    lev_d: f64,
    lm2_d: f64,
    s_d: f64,
}

impl<'a, S: Severity + ?Sized> Covered<'a, S> {
    /// The payment of `severity` under `terms`.
    pub fn new(severity: &'a S, terms: ClaimTerms) -> Self {
        let active = terms.inflation() != 0.0 && terms.share() != 0.0;
        let d = if active {
            terms.deductible() / terms.inflation()
        } else {
            0.0
        };
        let at = |f: &dyn Fn(f64) -> f64| if active { f(d) } else { 0.0 };
        Self {
            severity,
            terms,
            active,
            d,
            lev_d: at(&|d| severity.limited_expected_value(d)),
            lm2_d: at(&|d| severity.limited_moment(2, d)),
            s_d: at(&|d| severity.survival(d)),
        }
    }

    /// The ground-up severity.
    pub fn severity(&self) -> &'a S {
        self.severity
    }

    /// The terms.
    pub fn terms(&self) -> &ClaimTerms {
        &self.terms
    }

    /// P(Y = max payment): the probability that a loss exhausts the limit (0 without one).
    pub fn limit_probability(&self) -> f64 {
        if self.terms.limit().is_infinite() || !self.active {
            return 0.0;
        }
        // P(cX ≥ u): the survival just below u/c (it includes an atom of X at u/c).
        self.severity
            .survival((self.terms.limit() / self.terms.inflation()).next_down())
    }

    /// αc and the ground-up point t of payment y ≤ cap beyond the franchise jump.
    fn ground_up(&self, y: f64) -> (f64, f64) {
        let ac = self.terms.share() * self.terms.inflation();
        match self.terms.kind() {
            DeductibleKind::Ordinary => (ac, self.d + y / ac),
            DeductibleKind::Franchise => (ac, y / ac),
        }
    }

    /// Whether y lies on the franchise's flat part (y ≤ αd: paid in full or not at all).
    fn flat(&self, y: f64) -> bool {
        self.terms.kind() == DeductibleKind::Franchise
            && y <= self.terms.share() * self.terms.deductible()
    }
}

impl<S: Severity + ?Sized> Severity for Covered<'_, S> {
    fn cdf(&self, y: f64) -> f64 {
        if y.is_nan() {
            return f64::NAN;
        }
        1.0 - self.survival(y)
    }

    fn survival(&self, y: f64) -> f64 {
        if y.is_nan() {
            return f64::NAN;
        }
        if y < 0.0 {
            return 1.0;
        }
        if y >= self.terms.max_payment() || !self.active {
            return 0.0;
        }
        if self.flat(y) {
            return self.s_d;
        }
        self.severity.survival(self.ground_up(y).1)
    }

    /// The density of the continuous part (the atoms at 0 and at the maximum payment excluded).
    fn density(&self, y: f64) -> f64 {
        if y.is_nan() {
            return f64::NAN;
        }
        if y <= 0.0 || y >= self.terms.max_payment() || !self.active || self.flat(y) {
            return 0.0;
        }
        let (ac, t) = self.ground_up(y);
        self.severity.density(t) / ac
    }

    /// Y's quantile is the payment of X's: the terms are non-decreasing in the loss.
    fn quantile(&self, level: f64) -> f64 {
        self.terms.apply(self.severity.quantile(level))
    }

    fn inverse_survival(&self, prob: f64) -> f64 {
        self.terms.apply(self.severity.inverse_survival(prob))
    }

    fn raw_moment(&self, k: u32) -> Option<f64> {
        self.terms.payment_moment(self.severity, k)
    }

    /// Closed forms for k = 1, 2 (above); the numerical default otherwise.
    fn limited_moment(&self, k: u32, limit: f64) -> f64 {
        if limit.is_nan() || limit < 0.0 {
            return f64::NAN;
        }
        if k == 0 {
            return 1.0;
        }
        if !self.active {
            return 0.0;
        }
        let y = limit.min(self.terms.max_payment());
        if k > 2 {
            return crate::severity::numerical_limited_moment(self, k, y);
        }
        let second = k == 2;
        if self.flat(y) {
            return if second { y * y } else { y } * self.s_d;
        }
        let (ac, t) = self.ground_up(y);
        let x = self.severity;
        let (lev, d) = (x.limited_expected_value(t) - self.lev_d, self.d);
        match (self.terms.kind(), second) {
            (DeductibleKind::Ordinary, false) => ac * lev,
            (DeductibleKind::Ordinary, true) => {
                ac * ac * (x.limited_moment(2, t) - self.lm2_d - 2.0 * d * lev)
            }
            (DeductibleKind::Franchise, false) => ac * lev + ac * d * self.s_d,
            (DeductibleKind::Franchise, true) => {
                ac * ac * (x.limited_moment(2, t) - self.lm2_d + d * d * self.s_d)
            }
        }
    }

    /// By inversion (so any severity, sized or not, can be covered).
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        self.quantile(rng.random::<f64>())
    }
}
