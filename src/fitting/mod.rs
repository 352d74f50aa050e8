//! Fitting loss models to an insurer's own claims.
//!
//! Pipeline position: `severity, frequency → fitting`; its results are ordinary
//! [`SeverityModel`](crate::severity::SeverityModel) and
//! [`FrequencyModel`](crate::frequency::FrequencyModel) values, ready for an assumption set.
//! Claims arrive left-truncated at deductibles, right-censored at limits, individual or
//! grouped and weighted ([`ClaimData`]); [`fit_severity`] maximises the likelihood with
//! standard errors from the observed information; [`fit_frequency`] fits claim counts with
//! exposure; [`goodness_of_fit`] gives Kolmogorov–Smirnov, Anderson–Darling and
//! Cramér–von Mises statistics with seeded parametric-bootstrap p-values (χ² for grouped
//! data); [`select_severity`] ranks candidate families by AIC; [`mean_excess`], [`hill`],
//! [`fit_tail`] and [`threshold_stability`] look at the tail, and [`splice`] joins a fitted
//! body and tail; [`crate::io::pp_plot`], [`crate::io::qq_plot`] and [`crate::io::mean_excess_plot`] draw the diagnostics as
//! SVG.

mod claims;
mod fit;
mod frequency;
mod gof;
mod optimize;
mod product_limit;
mod severity;
mod tail;

pub use claims::{Claim, ClaimData, Observed};
pub use fit::Fit;
pub use frequency::{CountData, FrequencyFamily, FrequencyFit, fit_frequency};
pub use gof::{
    Bootstrap, BootstrapPValues, ChiSquare, EdfStatistics, GoodnessOfFit, SelectionRow,
    edf_statistics, goodness_of_fit, select_severity,
};
pub use product_limit::{ProductLimitPoint, product_limit};
pub use severity::{SeverityFamily, SeverityFit, fit_severity, log_likelihood};
pub use tail::{
    HillEstimate, MeanExcess, ThresholdRow, fit_tail, hill, mean_excess, splice,
    threshold_stability,
};
