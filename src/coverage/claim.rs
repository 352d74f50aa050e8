//! Per-claim and annual aggregate policy terms.

use super::Covered;
use crate::error::Result;
use crate::numerics::validate;
use crate::severity::Severity;
use serde::{Deserialize, Serialize};

/// How a per-claim deductible works.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeductibleKind {
    /// The deductible is subtracted from every claim (免赔额).
    #[default]
    Ordinary,
    /// Claims above the deductible are paid in full; smaller ones not at all.
    Franchise,
}

/// Per-claim policy terms (*Loss Models* §8.5).
///
/// ```
/// use kexian::coverage::ClaimTerms;
/// let terms = ClaimTerms::new(50_000.0, 1_000_000.0)?.with_share(0.8)?;
/// assert_eq!(terms.apply(30_000.0), 0.0);
/// assert_eq!(terms.apply(250_000.0), 0.8 * 200_000.0);
/// assert_eq!(terms.apply(5e6), 0.8 * 950_000.0);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ClaimTermsParams", into = "ClaimTermsParams")]
pub struct ClaimTerms {
    deductible: f64,
    limit: f64,
    share: f64,
    inflation: f64,
    kind: DeductibleKind,
}

/// JSON form of [`ClaimTerms`]; every field is optional.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ClaimTermsParams {
    /// Deductible d ≥ 0 (元).
    pub deductible: f64,
    /// Maximum covered loss u ≥ d (元), measured from ground up; `"unlimited"` for none.
    #[serde(with = "super::unlimited")]
    pub limit: f64,
    /// Insurer's coinsurance share α in \[0, 1\].
    pub share: f64,
    /// Inflation factor c ≥ 0 applied to every claim before the terms.
    pub inflation: f64,
    /// Ordinary or franchise deductible.
    pub kind: DeductibleKind,
}

impl Default for ClaimTermsParams {
    fn default() -> Self {
        ClaimTerms::default().into()
    }
}

impl TryFrom<ClaimTermsParams> for ClaimTerms {
    type Error = crate::Error;
    fn try_from(p: ClaimTermsParams) -> Result<Self> {
        ClaimTerms::new(p.deductible, p.limit)?
            .with_share(p.share)?
            .with_inflation(p.inflation)
            .map(|t| t.with_kind(p.kind))
    }
}

impl From<ClaimTerms> for ClaimTermsParams {
    fn from(t: ClaimTerms) -> Self {
        Self {
            deductible: t.deductible,
            limit: t.limit,
            share: t.share,
            inflation: t.inflation,
            kind: t.kind,
        }
    }
}

impl Default for ClaimTerms {
    /// Full cover: no deductible, no limit, 100% share, no inflation.
    fn default() -> Self {
        Self {
            deductible: 0.0,
            limit: f64::INFINITY,
            share: 1.0,
            inflation: 1.0,
            kind: DeductibleKind::Ordinary,
        }
    }
}

const MODEL: &str = "ClaimTerms";

impl ClaimTerms {
    /// Ordinary deductible `deductible` ≥ 0 and maximum covered loss `limit` ≥ deductible
    /// (元; `f64::INFINITY` for unlimited), full share, no inflation.
    pub fn new(deductible: f64, limit: f64) -> Result<Self> {
        validate::non_negative(MODEL, "deductible", deductible)?;
        validate::rule(
            MODEL,
            "limit",
            limit,
            limit >= deductible,
            ">= deductible (the maximum covered loss, from ground up)",
        )?;
        Ok(Self {
            deductible,
            limit,
            ..Self::default()
        })
    }

    /// Sets the insurer's coinsurance share in \[0, 1\].
    pub fn with_share(mut self, share: f64) -> Result<Self> {
        self.share = validate::probability(MODEL, "share", share)?;
        Ok(self)
    }

    /// Sets the inflation factor c ≥ 0 (e.g. 1.05 for one year at 5%).
    pub fn with_inflation(mut self, inflation: f64) -> Result<Self> {
        self.inflation = validate::non_negative(MODEL, "inflation", inflation)?;
        Ok(self)
    }

    /// Sets the deductible kind.
    pub fn with_kind(mut self, kind: DeductibleKind) -> Self {
        self.kind = kind;
        self
    }

    /// Deductible d (元).
    pub fn deductible(&self) -> f64 {
        self.deductible
    }

    /// Maximum covered loss u (元).
    pub fn limit(&self) -> f64 {
        self.limit
    }

    /// Coinsurance share α.
    pub fn share(&self) -> f64 {
        self.share
    }

    /// Inflation factor c applied before the terms.
    pub fn inflation(&self) -> f64 {
        self.inflation
    }

    /// Ordinary or franchise deductible.
    pub fn kind(&self) -> DeductibleKind {
        self.kind
    }

    /// Whether these are the default full-cover terms.
    pub fn is_full_cover(&self) -> bool {
        *self == Self::default()
    }

    /// Payment for one ground-up loss `x` (元).
    #[inline]
    pub fn apply(&self, x: f64) -> f64 {
        self.share * self.apply_unscaled(self.inflation * x)
    }

    /// Whether inflation and share are both 1, so that [`apply`](Self::apply) is
    /// [`apply_unscaled`](Self::apply_unscaled) (multiplying by 1 changes no bits): a
    /// simulation loop can test this once instead of multiplying twice per claim.
    pub(crate) fn is_unscaled(&self) -> bool {
        self.inflation == 1.0 && self.share == 1.0
    }

    /// Whether [`apply`](Self::apply) is [`ordinary`] of the deductible and limit (unscaled
    /// terms with an ordinary deductible).
    pub(crate) fn is_ordinary(&self) -> bool {
        self.is_unscaled() && self.kind == DeductibleKind::Ordinary
    }

    /// What the deductible and limit leave of an (inflated) loss `x`: [`apply`](Self::apply)
    /// for terms that are [`is_unscaled`](Self::is_unscaled).
    #[inline(always)]
    pub(crate) fn apply_unscaled(&self, x: f64) -> f64 {
        match self.kind {
            DeductibleKind::Ordinary => ordinary(x, self.deductible, self.limit),
            DeductibleKind::Franchise => {
                if x > self.deductible {
                    lesser(x, self.limit)
                } else {
                    0.0
                }
            }
        }
    }

    /// E\[Y^k\] of the payment per loss, from the severity's limited moments LM(j, ·) at
    /// d′ = d/c and u′ = u/c (*Loss Models* Theorem 8.7 generalised):
    ///
    /// ```text
    /// ordinary:  E[Y^k] = (αc)^k Σ_{j=1..k} C(k,j)(−d′)^(k−j) (LM(j,u′) − LM(j,d′))
    /// franchise: E[Y^k] = (αc)^k (LM(k,u′) − LM(k,d′) + d′^k S(d′))
    /// ```
    /// `None` when the moment is infinite (no limit and a heavy tail).
    pub fn payment_moment<S: Severity + ?Sized>(&self, severity: &S, k: u32) -> Option<f64> {
        let c = self.inflation;
        if k == 0 {
            return Some(1.0);
        }
        if c == 0.0 || self.share == 0.0 {
            return Some(0.0);
        }
        let (d, u) = (self.deductible / c, self.limit / c);
        let lm_diff = |j: u32| -> Option<f64> {
            let (hi, lo) = (severity.limited_moment(j, u), severity.limited_moment(j, d));
            (hi.is_finite() && lo.is_finite()).then_some(hi - lo)
        };
        let value = match self.kind {
            DeductibleKind::Franchise => lm_diff(k)? + d.powi(k as i32) * severity.survival(d),
            DeductibleKind::Ordinary => {
                let mut total = 0.0;
                let mut binom = 1.0; // C(k, j), updated as j goes down from k
                for j in (1..=k).rev() {
                    total += binom * (-d).powi((k - j) as i32) * lm_diff(j)?;
                    binom = binom * f64::from(j) / f64::from(k - j + 1);
                }
                total
            }
        };
        Some((self.share * c).powi(k as i32) * value)
    }

    /// Largest possible payment α·(u − d) (ordinary) or α·u (franchise), in 元.
    pub fn max_payment(&self) -> f64 {
        match self.kind {
            DeductibleKind::Ordinary => self.share * (self.limit - self.deductible),
            DeductibleKind::Franchise => self.share * self.limit,
        }
    }

    /// The payment per loss under these terms as a severity ([`Covered`]).
    pub fn covering<S: Severity + ?Sized>(self, severity: &S) -> Covered<'_, S> {
        Covered::new(severity, self)
    }
}

/// Annual aggregate terms: the insurer pays min((S − D)₊, L) of the year's total S.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "AggregateTermsParams", into = "AggregateTermsParams")]
pub struct AggregateTerms {
    deductible: f64,
    limit: f64,
}

/// JSON form of [`AggregateTerms`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AggregateTermsParams {
    /// Annual aggregate deductible D ≥ 0 (元).
    #[serde(default)]
    pub deductible: f64,
    /// Annual aggregate limit L > 0 (元) of what is paid after the deductible;
    /// `"unlimited"` (the default) for none.
    #[serde(default = "infinite", with = "super::unlimited")]
    pub limit: f64,
}

fn infinite() -> f64 {
    f64::INFINITY
}

impl TryFrom<AggregateTermsParams> for AggregateTerms {
    type Error = crate::Error;
    fn try_from(p: AggregateTermsParams) -> Result<Self> {
        AggregateTerms::new(p.deductible, p.limit)
    }
}

impl From<AggregateTerms> for AggregateTermsParams {
    fn from(t: AggregateTerms) -> Self {
        Self {
            deductible: t.deductible,
            limit: t.limit,
        }
    }
}

impl Default for AggregateTerms {
    /// No annual deductible, no annual limit.
    fn default() -> Self {
        Self {
            deductible: 0.0,
            limit: f64::INFINITY,
        }
    }
}

impl AggregateTerms {
    /// Annual deductible `deductible` ≥ 0 and annual limit `limit` > 0 (元, may be ∞).
    pub fn new(deductible: f64, limit: f64) -> Result<Self> {
        validate::non_negative("AggregateTerms", "deductible", deductible)?;
        validate::rule(
            "AggregateTerms",
            "limit",
            limit,
            limit > 0.0,
            "> 0 (f64::INFINITY for none)",
        )?;
        Ok(Self { deductible, limit })
    }

    /// Whether there is neither an annual deductible nor an annual limit.
    pub fn is_none(&self) -> bool {
        *self == Self::default()
    }

    /// min((s − D)₊, L).
    #[inline]
    pub fn apply(&self, s: f64) -> f64 {
        (s - self.deductible).clamp(0.0, self.limit)
    }

    /// The annual deductible D (元).
    pub fn deductible(&self) -> f64 {
        self.deductible
    }

    /// D + L: every annual loss at or above it pays the limit (∞ without a limit).
    pub fn exhaustion_point(&self) -> f64 {
        self.deductible + self.limit
    }
}

/// What an ordinary deductible `d` and a maximum covered loss `l` leave of a loss `x`:
/// min(x, l) − min(x, d) (元).
#[inline(always)]
pub(crate) fn ordinary(x: f64, d: f64, l: f64) -> f64 {
    lesser(x, l) - lesser(x, d)
}

/// min(x, bound) for a bound that is never NaN: one comparison (`f64::min` also tests x
/// for NaN, which gives the bound here too).
#[inline(always)]
fn lesser(x: f64, bound: f64) -> f64 {
    if x < bound { x } else { bound }
}
