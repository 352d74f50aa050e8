//! # kexian (科险) — technology insurance pricing
//!
//! Loss models for the technology-insurance lines of the 2025 Shanghai guidance
//! (沪金发〔2025〕40号): R&D failure (研发费用损失), intellectual property and cyber risk, built
//! along one pricing pipeline:
//!
//! ```text
//! numerics, budget ← severity ← frequency ← coverage ← perils ← aggregate, portfolio
//!     (simulation and loss: the Monte Carlo engine and its results; dependence: copulas)
//! rating (沪科积分) ← book (firms, covers) ← assumptions (products as data) ← quote
//!     ← rates, sensitivity ← job (the commands, shared by the CLI and Python)
//! beside them: fitting, pricing, backtest (产品回溯), io (charts), table (CSV)
//! ```
//!
//! Modules: claim-count ([`frequency`]) and claim-size ([`severity`]) distributions with
//! actuarial parameterisations (Klugman–Panjer–Willmot, *Loss Models*), accurate tails, limited
//! expected values, validated serde and fast seeded samplers; policy terms and reinsurance
//! layers ([`coverage`]); the deterministic parallel Monte Carlo engine ([`simulation`]) and the
//! collective risk model that drives it and computes it exactly ([`aggregate`]); copulas
//! ([`dependence`]); the technology perils — R&D failure, patent litigation, IP pledge, cyber —
//! with sourced presets ([`perils`]); joint simulation of portfolios with systemic shocks and
//! capital allocation ([`portfolio`]); premium principles ([`pricing`]); the 沪科积分, rating
//! factors, GLMs and credibility ([`rating`]); differentiated quotes with subsidies, pools and
//! reinsurance ([`quote`]); backtesting ([`backtest`]); CSV input ([`table`]); numerical
//! building blocks ([`numerics`]); one budget for memory and time ([`budget`]); the
//! commands as library calls on a job assembled from its files (`job`, feature `jobs`),
//! which the `kexian` binary and the Python package share.
//!
//! ## Quick start
//! ```
//! use kexian::frequency::{Frequency, NegativeBinomial};
//! use kexian::severity::{LogNormal, Severity};
//! use kexian::rand::{SeedableRng, Xoshiro256PlusPlus}; // the versions kexian uses
//!
//! // Cyber incidents: 0.3 a year with 50% mixing CV; cost lognormal with mean 175k, CV 4.8.
//! let n = NegativeBinomial::from_mean_mixing_cv(0.3, 0.5)?;
//! let x = LogNormal::from_mean_cv(175_000.0, 4.8)?;
//! let expected_annual_loss = n.mean() * x.mean().unwrap();
//! assert!((expected_annual_loss - 52_500.0).abs() < 1e-6);
//! // Expected loss to a 1m xs 50k layer per incident:
//! let layer = x.layer_expected_loss(50_000.0, 1_000_000.0);
//! assert!(layer > 0.0 && layer < x.mean().unwrap());
//! // Seeded, portable sampling:
//! let mut rng = Xoshiro256PlusPlus::seed_from_u64(7);
//! let claims = n.sample(&mut rng);
//! assert!(claims < 100);
//! # Ok::<(), kexian::Error>(())
//! ```
//!
//! ## Conventions
//! Money is `f64` in 元 (the currency's major unit); rates and probabilities are fractions;
//! quantile arguments are called `level`; frequencies are per exposure-year. Constructors
//! return [`Result`]; queries on valid models never panic (out-of-domain arguments give NaN).
#![forbid(unsafe_code)]
#![deny(missing_docs)]

/// The serde form of a validated type that keeps its specification: `TryFrom<spec>` through
/// the type's validating `new`, and `From<type>` giving the stored specification back.
macro_rules! spec_conversions {
    ($ty:ty, $spec:ty, $field:ident) => {
        impl TryFrom<$spec> for $ty {
            type Error = crate::Error;
            fn try_from(spec: $spec) -> crate::Result<Self> {
                <$ty>::new(spec)
            }
        }

        impl From<$ty> for $spec {
            fn from(v: $ty) -> Self {
                v.$field
            }
        }
    };
}

/// The byte form of a sharded run's part (a struct with `format`, `version` and `digest`
/// fields, CBOR through [`simulation`]'s codec): `digest`, `to_bytes`, `from_bytes`.
macro_rules! part_bytes {
    ($ty:ty, $format:expr) => {
        impl $ty {
            /// Its run's provenance digest (SHA-256, hex).
            pub fn digest(&self) -> &str {
                &self.digest
            }

            /// The part as bytes (CBOR, bit-exact), to store or send to the merging process.
            pub fn to_bytes(&self) -> crate::Result<Vec<u8>> {
                crate::simulation::encode(self)
            }

            /// A part from [`to_bytes`](Self::to_bytes); an error for other data or another
            /// version.
            pub fn from_bytes(bytes: &[u8]) -> crate::Result<Self> {
                crate::simulation::decode(bytes, $format, |p: &Self| (p.format.as_str(), p.version))
            }
        }
    };
}

pub mod aggregate;
pub mod assumptions;
pub mod backtest;
pub mod book;
pub mod budget;
pub mod coverage;
pub mod dependence;
pub mod error;
pub mod fitting;
pub mod frequency;
pub mod io;
#[cfg(feature = "jobs")]
pub mod job;
pub mod loss;
pub mod numerics;
pub mod perils;
pub mod portfolio;
pub mod pricing;
pub mod quote;
pub mod rates;
pub mod rating;
pub mod sensitivity;
pub mod severity;
pub mod simulation;
pub mod table;

pub use error::{Error, Result, Validate};

/// The random-number traits and generator in kexian's public signatures (samplers take any
/// [`rand::Rng`]; [`simulation::batch_rng`] returns a [`rand::Xoshiro256PlusPlus`]), re-exported
/// so that a downstream crate uses the very versions kexian was built with.
pub mod rand {
    pub use ::rand::{Rng, RngExt, SeedableRng};
    pub use rand_xoshiro::Xoshiro256PlusPlus;
}

/// The README's code example, compiled and run as a doc test.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
