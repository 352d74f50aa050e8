//! Policy terms: what the insurer pays of each claim and of the year's total.
//!
//! Pipeline position: `severity → coverage → aggregate`. Per-claim terms follow
//! *Loss Models* §8.5: with inflation factor c, deductible d, maximum covered loss u and
//! coinsurance share α, the payment per loss X is
//!
//! ```text
//! ordinary:   Y = α·(min(cX, u) − min(cX, d))
//! franchise:  Y = α·min(cX, u)·1{cX > d}
//! E[Y] (ordinary) = α·c·(LEV(u/c) − LEV(d/c))
//! ```
//! Annual terms apply to the year's total S: min((S − D)₊, L). Reinsurance layers apply to each
//! claim's payment: ceded = share·min((Y − a)₊, l), with at most (1 + reinstatements)·l per year.
//! A [`Package`] combines sections, per-occurrence policy terms, layers and an annual
//! aggregate limit in one cover (综合保险方案; formulas in its module).
//! In JSON an unlimited amount is the string `"unlimited"` (or the field left out).

mod claim;
mod covered;
mod layer;
mod package;
mod term;
mod terms;
pub(crate) mod unlimited;

pub(crate) use claim::ordinary;
pub use claim::{AggregateTerms, ClaimTerms, DeductibleKind};
pub use covered::Covered;
pub use layer::{Layer, Tower};
pub use package::{
    OccurrencePayment, Package, PackageParams, PolicyDeductible, PolicyTerms, Section,
};
pub use term::Term;
pub use terms::CoverTerms;
