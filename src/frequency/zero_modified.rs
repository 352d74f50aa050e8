//! Zero-truncated and zero-modified versions of the (a, b, 0) families: the (a, b, 1) class.

use super::table::InverseTable;
use super::{Complex64, Frequency, FrequencyModel, PanjerClass, PanjerKind};
use crate::error::{Error, Result};
use crate::numerics::validate;
use rand::{Rng, RngExt};
use serde::{Deserialize, Serialize};

const MODEL: &str = "ZeroModified";

/// A zero-modified (a, b, 0) distribution (*Loss Models* §6.6): the base distribution with
/// its probability at zero replaced by `p0` (p0 = 0: zero-truncated).
///
/// ```text
/// P(N = 0) = p0,   P(N = k) = (1 − p0)/(1 − q0) · qₖ   for k ≥ 1   (q = base, q0 = base p₀)
/// P(z) = p0 + (1 − p0)·(Q(z) − q0)/(1 − q0)
/// ```
/// Same a and b as the base, (a, b, 1) class. Thinning thins the base and sets
/// 1 − p0′ = (1 − p0)(1 − q0′)/(1 − q0).
///
/// ```
/// use kexian::frequency::{Frequency, FrequencyModel, Poisson, ZeroModified};
/// let zt = ZeroModified::truncated(FrequencyModel::Poisson(Poisson::new(1.5)?))?;
/// assert_eq!(zt.pmf(0), 0.0);
/// assert!((zt.mean() - 1.5 / (1.0 - (-1.5f64).exp())).abs() < 1e-12);
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "ZeroModifiedParams", into = "ZeroModifiedParams")]
pub struct ZeroModified {
    base: Box<FrequencyModel>,
    p0: f64,
    /// (1 − p0)/(1 − q0), 0 when p0 = 1.
    factor: f64,
    table: Option<InverseTable>,
}

/// JSON parameters of [`ZeroModified`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZeroModifiedParams {
    /// An (a, b, 0) distribution: poisson, negative_binomial, binomial, bernoulli, geometric.
    pub base: FrequencyModel,
    /// The new P(N = 0) in \[0, 1\]; 0 truncates.
    pub p0: f64,
}

impl TryFrom<ZeroModifiedParams> for ZeroModified {
    type Error = Error;
    fn try_from(p: ZeroModifiedParams) -> Result<Self> {
        Self::new(p.base, p.p0)
    }
}

impl From<ZeroModified> for ZeroModifiedParams {
    fn from(z: ZeroModified) -> Self {
        Self {
            base: *z.base,
            p0: z.p0,
        }
    }
}

impl ZeroModified {
    /// Zero-modifies the (a, b, 0) `base` to have P(N = 0) = `p0` in \[0, 1\]. The base must put
    /// some probability on positive counts unless `p0` = 1.
    pub fn new(base: FrequencyModel, p0: f64) -> Result<Self> {
        validate::probability(MODEL, "p0", p0)?;
        if base.panjer_class().map(|c| c.kind) != Some(PanjerKind::AB0) {
            return Err(Error::Inconsistent {
                model: MODEL,
                message: "the base must be an (a, b, 0) distribution: poisson, \
                          negative_binomial, binomial, bernoulli or geometric"
                    .into(),
            });
        }
        let q0 = base.pmf(0);
        let factor = if p0 == 1.0 {
            0.0
        } else {
            validate::rule(
                MODEL,
                "base.pmf(0)",
                q0,
                q0 < 1.0,
                "< 1: the base must allow positive counts",
            )?;
            (1.0 - p0) / (1.0 - q0)
        };
        let mean = factor * base.mean();
        let mut model = Self {
            base: Box::new(base),
            p0,
            factor,
            table: None,
        };
        model.table = InverseTable::build(|k| model.pmf(k), mean);
        Ok(model)
    }

    /// The zero-truncated version of `base` (p0 = 0).
    pub fn truncated(base: FrequencyModel) -> Result<Self> {
        Self::new(base, 0.0)
    }

    /// The (a, b, 0) base distribution.
    pub fn base(&self) -> &FrequencyModel {
        &self.base
    }

    /// P(N = 0).
    pub fn p0(&self) -> f64 {
        self.p0
    }
}

impl Frequency for ZeroModified {
    fn pmf(&self, k: u64) -> f64 {
        if k == 0 {
            self.p0
        } else {
            self.factor * self.base.pmf(k)
        }
    }

    fn cdf(&self, k: u64) -> f64 {
        if k == 0 {
            return self.p0;
        }
        (self.p0 + self.factor * (self.base.cdf(k) - self.base.pmf(0))).clamp(self.p0, 1.0)
    }

    fn mean(&self) -> f64 {
        self.factor * self.base.mean()
    }

    fn variance(&self) -> f64 {
        let bm = self.base.mean();
        let second = self.factor * (self.base.variance() + bm * bm);
        let m = self.mean();
        (second - m * m).max(0.0)
    }

    fn pgf(&self, z: f64) -> f64 {
        self.p0 + self.factor * (self.base.pgf(z) - self.base.pmf(0))
    }

    fn pgf_complex(&self, z: Complex64) -> Option<Complex64> {
        let base = self.base.pgf_complex(z)?;
        Some(self.p0 + self.factor * (base - self.base.pmf(0)))
    }

    fn panjer_class(&self) -> Option<PanjerClass> {
        self.base.panjer_class().map(|c| PanjerClass {
            kind: PanjerKind::AB1,
            ..c
        })
    }

    fn thinned(&self, p: f64) -> Result<Self> {
        validate::probability(MODEL, "p", p)?;
        let base = self.base.thinned(p)?;
        let kept = self.factor * (1.0 - base.pmf(0));
        Self::new(base, (1.0 - kept).clamp(0.0, 1.0))
    }

    #[inline]
    fn sample<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        if let Some(t) = &self.table {
            return t.sample(rng, |k| self.pmf(k));
        }
        // Large mean, so the base rarely gives 0: P(N = 0) = p0, else base given N > 0 by
        // rejection.
        let u: f64 = rng.random();
        if u < self.p0 {
            return 0;
        }
        loop {
            let k = self.base.sample(rng);
            if k > 0 {
                return k;
            }
        }
    }

    #[inline]
    fn sample_positive<R: Rng + ?Sized>(&self, rng: &mut R) -> u64 {
        match &self.table {
            Some(t) => t.sample_positive(rng, |k| self.pmf(k)),
            None => self.base.sample_positive(rng),
        }
    }
}
