//! The closed enum of frequency families that configurations deserialize into.

use super::{
    Bernoulli, Binomial, Complex64, Frequency, Geometric, Logarithmic, NegativeBinomial,
    PanjerClass, Poisson, ZeroModified,
};
use crate::error::Result;
use rand::Rng;
use serde::{Deserialize, Serialize};

/// Any built-in claim-count distribution, tagged by `"type"` in JSON:
///
/// ```
/// use kexian::frequency::{Frequency, FrequencyModel};
/// let n: FrequencyModel = serde_json::from_str(
///     r#"{"type": "zero_modified", "p0": 0.5, "base": {"type": "poisson", "lambda": 2.0}}"#,
/// ).unwrap();
/// assert_eq!(n.pmf(0), 0.5);
/// assert!(serde_json::from_str::<FrequencyModel>(r#"{"type": "poisson", "lambda": -1}"#).is_err());
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
#[non_exhaustive]
pub enum FrequencyModel {
    /// [`Poisson`].
    Poisson(Poisson),
    /// [`NegativeBinomial`].
    NegativeBinomial(NegativeBinomial),
    /// [`Binomial`].
    Binomial(Binomial),
    /// [`Bernoulli`].
    Bernoulli(Bernoulli),
    /// [`Geometric`].
    Geometric(Geometric),
    /// [`Logarithmic`].
    Logarithmic(Logarithmic),
    /// [`ZeroModified`] (zero-truncated when p0 = 0).
    ZeroModified(ZeroModified),
}

impl FrequencyModel {
    /// The count with its mean × `k` (k ≥ 0), keeping its family: Poisson λk; negative
    /// binomial r, βk (the same shape); binomial m, qk and Bernoulli qk (qk ≤ 1). Other
    /// families have no such scaling: an error naming the family.
    pub fn scaled(&self, k: f64) -> crate::error::Result<Self> {
        crate::numerics::validate::non_negative("FrequencyModel", "factor", k)?;
        Ok(match self {
            Self::Poisson(p) => Self::Poisson(Poisson::new(p.lambda() * k)?),
            Self::NegativeBinomial(n) => {
                Self::NegativeBinomial(NegativeBinomial::new(n.r(), n.beta() * k)?)
            }
            Self::Binomial(b) => Self::Binomial(Binomial::new(b.m(), b.q() * k)?),
            Self::Bernoulli(b) => Self::Bernoulli(Bernoulli::new(b.q() * k)?),
            _ if k == 1.0 => self.clone(),
            other => {
                return Err(crate::Error::Inconsistent {
                    model: "FrequencyModel",
                    message: format!(
                        "{other:?} cannot be scaled by {k}: use a Poisson, negative binomial, \
                         binomial or Bernoulli count"
                    ),
                });
            }
        })
    }
}

macro_rules! dispatch {
    ($self:ident, $d:ident => $call:expr) => {
        match $self {
            FrequencyModel::Poisson($d) => $call,
            FrequencyModel::NegativeBinomial($d) => $call,
            FrequencyModel::Binomial($d) => $call,
            FrequencyModel::Bernoulli($d) => $call,
            FrequencyModel::Geometric($d) => $call,
            FrequencyModel::Logarithmic($d) => $call,
            FrequencyModel::ZeroModified($d) => $call,
        }
    };
}

impl Frequency for FrequencyModel {
    fn pmf(&self, k: u64) -> f64 {
        dispatch!(self, d => d.pmf(k))
    }
    fn cdf(&self, k: u64) -> f64 {
        dispatch!(self, d => d.cdf(k))
    }
    fn mean(&self) -> f64 {
        dispatch!(self, d => d.mean())
    }
    fn variance(&self) -> f64 {
        dispatch!(self, d => d.variance())
    }
    fn pgf(&self, z: f64) -> f64 {
        dispatch!(self, d => d.pgf(z))
    }
    fn ln_pgf(&self, z: f64) -> f64 {
        dispatch!(self, d => d.ln_pgf(z))
    }
    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        dispatch!(self, d => d.pgf_complex(z))
    }
    fn pgf_increment(&self, z0: f64, dz: Complex64) -> Option<Complex64> {
        dispatch!(self, d => d.pgf_increment(z0, dz))
    }
    fn third_central_moment(&self) -> f64 {
        dispatch!(self, d => d.third_central_moment())
    }
    fn panjer_class(&self) -> Option<PanjerClass> {
        dispatch!(self, d => d.panjer_class())
    }
    fn thinned(&self, p: f64) -> Result<Self> {
        Ok(dispatch!(self, d => d.thinned(p)?.into()))
    }
    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        dispatch!(self, d => d.sample(rng))
    }
    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        dispatch!(self, d => d.sample_positive(rng))
    }
}

macro_rules! from_family {
    ($($family:ident),*) => {$(
        impl From<$family> for FrequencyModel {
            fn from(d: $family) -> Self {
                FrequencyModel::$family(d)
            }
        }
    )*};
}
from_family!(
    Poisson,
    NegativeBinomial,
    Binomial,
    Bernoulli,
    Geometric,
    Logarithmic,
    ZeroModified
);
