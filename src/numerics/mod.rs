//! Numerical building blocks at the bottom of the pipeline: special functions with guarded
//! domains, the normal quantile, root finding, adaptive quadrature and the alias method. Nothing here knows about
//! insurance.

mod alias;
mod integrate;
pub mod kernels;
mod linalg;
pub(crate) mod normal;
mod roots;
pub(crate) mod special;
mod summation;
pub(crate) mod validate;

pub use alias::alias_table;
pub use integrate::{gauss7, integrate};
pub(crate) use linalg::{cholesky, cholesky_solve, invert, spd_inverse};
pub use normal::{normal_cdf, normal_quantile, normal_survival};
pub(crate) use roots::invert_monotone;
pub(crate) use summation::compensated_sum;
