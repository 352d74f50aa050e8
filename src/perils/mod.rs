//! Technology perils: R&D failure (研发费用损失), intellectual property (patent litigation,
//! IP-pledge financing) and cyber, plus the generic compound peril.
//!
//! Pipeline position: `frequency, severity, coverage → perils → portfolio`. Each peril is an
//! annual loss model with its policy terms, exposing what both the portfolio engine and a
//! checker need: the probability that the year has an event, a sampler of the year's payment
//! given an event (so simulation cost follows the number of events, not of policy-years), and
//! the expected payment and payment probability by closed form or independent numerical
//! integration. Parameters with their sources come from the assumption set
//! ([`crate::assumptions`]).

mod compound;
mod cyber;
mod guarantee;
mod ip;
mod package;
mod rnd;

pub use compound::CompoundPeril;
pub use cyber::{CyberRisk, CyberSections, IncidentType};
pub use guarantee::Guarantee;
pub use ip::{LitigationKind, PatentLitigation, ValidityChallenge};
pub use package::{ClaimSection, PackagePeril};
pub use rnd::{Gates, RndProject, RndSpec, RndStage};

use crate::coverage::ClaimTerms;
use crate::error::Result;
use crate::frequency::FrequencyModel;
use crate::numerics::integrate;
use crate::numerics::kernels::{CodePath, Normals};
use crate::severity::{Severity, SeverityModel};
use rand::Rng;
use serde::{Deserialize, Serialize};

/// An annual loss model with its cover.
pub trait Peril {
    /// P(the year has at least one event). An event may still pay 0 (e.g. under the
    /// deductible).
    fn event_probability(&self) -> f64;
    /// The year's payment (元) given at least one event.
    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64;
    /// The year's occurrences given at least one event, each one's payment (元) to `visit`
    /// in order: every claim of a peril with a claim count, the year's one event otherwise.
    /// They sum to the year's payment ([`sample_given_event`](Self::sample_given_event) from
    /// the same generator state), an annual limit eroded claim by claim.
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, mut visit: F) {
        visit(self.sample_given_event(rng));
    }
    /// The year's payment (元) given an event, by inversion where the peril pays at most one
    /// occurrence a year: `u` uniform on \[0, [`event_probability`](Self::event_probability))
    /// (what decided the event), `v` uniform on (0, 1) (the survival level of a severity),
    /// with the library's own ln and exp ([`Severity::survival_draw`]). `None` for a peril
    /// drawn otherwise (from a generator, by
    /// [`claims_given_event`](Self::claims_given_event)).
    fn payment_by_inversion(&self, u: f64, v: f64) -> Option<f64> {
        let _ = (u, v);
        None
    }
    /// Whether [`payment_by_inversion`](Self::payment_by_inversion) answers (a run then
    /// gathers the events' uniforms for it; for any other peril it does not).
    fn pays_by_inversion(&self) -> bool {
        false
    }
    /// [`payment_by_inversion`](Self::payment_by_inversion) of each (u\[k\], v\[k\]) into
    /// v\[k\], bit for bit, in vector kernels on `path` where they serve; `false`, `v`
    /// unchanged, for a peril drawn otherwise.
    fn payments_by_inversion(
        &self,
        u: &[f64],
        v: &mut [f64],
        normals: &mut Normals,
        path: CodePath,
    ) -> bool {
        let _ = (u, v, normals, path);
        false
    }
    /// The claims of the events whose keys are `keys` into `batch`, event k's bit for bit
    /// those [`claims_given_event`](Self::claims_given_event) gives from SplitMix64 seeded
    /// by `keys[k]`, their sizes drawn together in vector kernels on `path`; `false` (and
    /// `batch` unspecified) for a peril without batched claims.
    fn claims_in_batch(&self, keys: &[u64], batch: &mut ClaimBatch, path: CodePath) -> bool {
        let _ = (keys, batch, path);
        false
    }
    /// Expected occurrences a year (what a simulated year costs): the claim count's mean
    /// for a peril that counts claims, the event probability otherwise.
    fn expected_occurrences(&self) -> f64 {
        self.event_probability()
    }
    /// Expected annual payment, exactly or by numerical integration.
    fn expected_payment(&self) -> Result<f64>;
    /// P(annual payment > 0), exactly or by numerical integration.
    fn payment_probability(&self) -> Result<f64>;
}

/// The claims (元) of a batch of events ([`Peril::claims_in_batch`]) and its working arrays.
#[derive(Debug, Default)]
pub struct ClaimBatch {
    claims: Vec<f64>,
    ends: Vec<u32>,
    kinds: Vec<u32>,
    starts: Vec<usize>,
    next: Vec<usize>,
    at: Vec<u32>,
    x: Vec<f64>,
    y: Vec<f64>,
    normals: Normals,
}

impl ClaimBatch {
    /// The claims (元, in order) of event `k` of the batch (empty beyond the last event).
    pub fn event(&self, k: usize) -> &[f64] {
        let from = if k == 0 {
            Some(&0)
        } else {
            self.ends.get(k - 1)
        };
        let (Some(&from), Some(&to)) = (from, self.ends.get(k)) else {
            return &[];
        };
        &self.claims[from as usize..to as usize]
    }

    fn clear(&mut self) {
        self.claims.clear();
        self.ends.clear();
        self.kinds.clear();
    }
}

/// S⁻¹(v) of an optional severity (an overrun, a collateral; 0 without one), `None` for a
/// severity without a survival draw.
fn survival_draw_or_zero(severity: Option<&SeverityModel>, v: f64) -> Option<f64> {
    severity.map_or(Some(0.0), |s| s.survival_draw(v))
}

/// [`survival_draw_or_zero`] of each v in place, in vector kernels on `path`; `false` (and
/// `v` unchanged) for a severity without a survival draw.
fn survival_draws_or_zero(
    severity: Option<&SeverityModel>,
    v: &mut [f64],
    normals: &mut Normals,
    path: CodePath,
) -> bool {
    match severity {
        Some(s) => s.survival_draws(v, normals, path),
        None => {
            v.fill(0.0);
            true
        }
    }
}

/// The year's payment as the sum of its occurrences ([`Peril::claims_given_event`]), for the
/// perils that count claims.
#[inline]
fn claims_total<P: Peril + ?Sized, R: Rng + ?Sized>(peril: &P, rng: &mut R) -> f64 {
    let mut total = 0.0;
    peril.claims_given_event(rng, |x| total += x);
    total
}

/// Any peril, for configuration files and portfolios (JSON tag `peril`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "peril", rename_all = "snake_case")]
pub enum PerilModel {
    /// [`RndProject`].
    RndFailure(RndProject),
    /// [`PatentLitigation`].
    PatentLitigation(PatentLitigation),
    /// [`Guarantee`] (IP pledge, loan performance).
    Guarantee(Guarantee),
    /// [`CyberRisk`].
    Cyber(CyberRisk),
    /// [`CompoundPeril`].
    Compound(CompoundPeril),
    /// [`PackagePeril`].
    Package(PackagePeril),
}

impl PerilModel {
    /// Checks the parameters that deserialization does not (probabilities, rates, mixes);
    /// R&D projects and compound perils are validated when built.
    pub fn validate(&self) -> Result<()> {
        match self {
            Self::PatentLitigation(x) => x.validate(),
            Self::Guarantee(x) => x.validate(),
            Self::Cyber(x) => x.validate(),
            Self::Package(x) => x.validate(),
            Self::RndFailure(_) | Self::Compound(_) => Ok(()),
        }
    }

    /// λ when the peril's claims arrive as Poisson(λ) a year and its annual payment is the sum
    /// of independent per-claim payments ([`sample_claim`](Self::sample_claim)): a compound
    /// peril or a cyber risk with a Poisson count, patent litigation. Such perils of a book
    /// superpose into one stream of claims (thinning: a Poisson(Σλ) count, each claim the
    /// peril's with probability λ/Σλ). `None` for at most one event a year (R&D failure,
    /// guarantee) and for other counts.
    pub fn poisson_rate(&self) -> Option<f64> {
        let poisson = |f: &FrequencyModel| match f {
            FrequencyModel::Poisson(p) => Some(p.lambda()),
            _ => None,
        };
        match self {
            Self::Compound(c) => poisson(&c.frequency),
            Self::Cyber(c) => poisson(&c.incidents),
            Self::PatentLitigation(p) => Some(p.suits_per_year),
            Self::Package(p) => p.poisson_rate(),
            Self::RndFailure(_) | Self::Guarantee(_) => None,
        }
    }

    /// The most one occurrence can pay (元; ∞ when a claim is unlimited): the claim terms'
    /// maximum, the budget or loan under its terms, the package's most per occurrence, the
    /// sum of the cyber sections' maxima.
    pub fn occurrence_limit(&self) -> f64 {
        match self {
            Self::Compound(c) => c.terms.max_payment(),
            Self::PatentLitigation(p) => p.terms.max_payment(),
            Self::Cyber(c) => {
                let s = &c.sections;
                [s.first_party, s.business_interruption, s.liability]
                    .iter()
                    .map(ClaimTerms::max_payment)
                    .sum()
            }
            Self::Package(p) => p.package.max_occurrence().min(p.package.annual_limit()),
            Self::RndFailure(r) => r.spec().terms.apply(r.spec().budget),
            Self::Guarantee(g) => g.share * g.loss_given_default * g.loan,
        }
    }

    /// The most the cover can pay in its term (元; ∞ when unbounded): one occurrence's
    /// most for an R&D failure or a default (one event), the annual limit of a package,
    /// the largest claim count times one occurrence's most for a bounded count (binomial,
    /// Bernoulli), else ∞.
    pub fn maximum_payment(&self) -> f64 {
        let most = self.occurrence_limit();
        let times = |f: &FrequencyModel| match f {
            FrequencyModel::Bernoulli(_) => most,
            FrequencyModel::Binomial(b) => b.m() as f64 * most,
            _ => f64::INFINITY,
        };
        match self {
            Self::RndFailure(_) | Self::Guarantee(_) => most,
            Self::Compound(c) => times(&c.frequency),
            Self::Package(p) => times(&p.frequency).min(p.package.annual_limit()),
            Self::Cyber(c) => times(&c.incidents),
            Self::PatentLitigation(_) => f64::INFINITY,
        }
    }

    /// The policy years of the cover's term and the rate its payments are discounted at:
    /// (1, 0) for the one-year covers.
    pub fn term(&self) -> (usize, f64) {
        match self {
            Self::RndFailure(r) => (r.policy_years(), r.spec().discount_rate),
            Self::Guarantee(g) => (g.policy_years(), g.discount_rate),
            _ => (1, 0.0),
        }
    }

    /// One claim's payment (元) of a peril with a [`poisson_rate`](Self::poisson_rate) (for
    /// the others, the year's payment given an event).
    #[inline(always)]
    pub fn sample_claim<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        match self {
            Self::Compound(c) => c.terms.apply(c.severity.draw(rng)),
            Self::Cyber(c) => c.sample_incident(rng),
            Self::PatentLitigation(p) => p.sample_suit(rng),
            Self::Package(p) if p.poisson_rate().is_some() => p.sample_claim(rng),
            Self::RndFailure(_) | Self::Guarantee(_) | Self::Package(_) => {
                self.sample_given_event(rng)
            }
        }
    }
}

macro_rules! dispatch {
    ($self:ident, $p:ident => $call:expr) => {
        match $self {
            PerilModel::RndFailure($p) => $call,
            PerilModel::PatentLitigation($p) => $call,
            PerilModel::Guarantee($p) => $call,
            PerilModel::Cyber($p) => $call,
            PerilModel::Compound($p) => $call,
            PerilModel::Package($p) => $call,
        }
    };
}

impl Peril for PerilModel {
    fn event_probability(&self) -> f64 {
        dispatch!(self, p => p.event_probability())
    }
    fn expected_occurrences(&self) -> f64 {
        dispatch!(self, p => p.expected_occurrences())
    }
    #[inline]
    fn sample_given_event<R: Rng + ?Sized>(&self, rng: &mut R) -> f64 {
        dispatch!(self, p => p.sample_given_event(rng))
    }
    #[inline]
    fn claims_given_event<R: Rng + ?Sized, F: FnMut(f64)>(&self, rng: &mut R, visit: F) {
        dispatch!(self, p => p.claims_given_event(rng, visit))
    }
    #[inline]
    fn payment_by_inversion(&self, u: f64, v: f64) -> Option<f64> {
        dispatch!(self, p => p.payment_by_inversion(u, v))
    }
    fn pays_by_inversion(&self) -> bool {
        dispatch!(self, p => p.pays_by_inversion())
    }
    fn payments_by_inversion(
        &self,
        u: &[f64],
        v: &mut [f64],
        normals: &mut Normals,
        path: CodePath,
    ) -> bool {
        dispatch!(self, p => p.payments_by_inversion(u, v, normals, path))
    }
    fn claims_in_batch(&self, keys: &[u64], batch: &mut ClaimBatch, path: CodePath) -> bool {
        dispatch!(self, p => p.claims_in_batch(keys, batch, path))
    }
    fn expected_payment(&self) -> Result<f64> {
        dispatch!(self, p => p.expected_payment())
    }
    fn payment_probability(&self) -> Result<f64> {
        dispatch!(self, p => p.payment_probability())
    }
}

/// E\[h(X)\] = ∫₀¹ h(Q(u)) du for a bounded h, by adaptive quadrature (relative 1e-10).
pub(crate) fn expectation(severity: &SeverityModel, h: impl Fn(f64) -> f64) -> f64 {
    integrate(|u| h(severity.quantile(u)), 0.0, 1.0, 1e-10)
}

/// E\[terms.apply(X + y)\] for a loss X ≥ 0 shifted by y ≥ 0, from X's limited expected
/// value: with m′ = m/c − y, E\[min(c(X + y), m)\] = c(y + LEV(m′)) when m′ > 0, else m.
pub(crate) fn expected_shifted_payment(terms: &ClaimTerms, x: &SeverityModel, y: f64) -> f64 {
    let c = terms.inflation();
    let capped = |m: f64| {
        if m.is_infinite() {
            return c * (y + x.mean().unwrap_or(f64::INFINITY));
        }
        let t = m / c - y;
        if t > 0.0 {
            c * (y + x.limited_expected_value(t))
        } else {
            m
        }
    };
    let (d, l) = (terms.deductible(), terms.limit());
    let paid = match terms.kind() {
        crate::coverage::DeductibleKind::Ordinary => capped(l) - capped(d),
        crate::coverage::DeductibleKind::Franchise => {
            // E[1{c(X+y) > d} min(c(X+y), l)] = E[min(c(X+y), l)] − E[c(X+y) 1{c(X+y) ≤ d}].
            let t = d / c - y;
            let below = if t > 0.0 {
                c * (x.limited_expected_value(t) - t * x.survival(t) + y * x.cdf(t))
            } else {
                0.0
            };
            capped(l) - below
        }
    };
    terms.share() * paid
}

/// P(terms.apply(X + y) > 0) = P(c(X + y) > d) when anything can be paid.
pub(crate) fn shifted_payment_probability(terms: &ClaimTerms, x: &SeverityModel, y: f64) -> f64 {
    if terms.share() == 0.0 || terms.limit() <= terms.deductible() {
        return 0.0;
    }
    let t = terms.deductible() / terms.inflation() - y;
    if t < 0.0 { 1.0 } else { x.survival(t) }
}
