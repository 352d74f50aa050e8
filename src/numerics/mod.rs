//! Numerical building blocks at the bottom of the pipeline: special functions with guarded
//! domains, the normal quantile, root finding and adaptive quadrature. Nothing here knows about
//! insurance.

mod integrate;
mod linalg;
pub(crate) mod normal;
mod roots;
pub(crate) mod special;
mod summation;
pub(crate) mod validate;

pub use integrate::{gauss7, integrate};
pub(crate) use linalg::invert;
pub use normal::{normal_cdf, normal_quantile, normal_survival};
pub(crate) use roots::invert_monotone;
pub(crate) use summation::compensated_sum;
