//! Premiums: principles that turn a loss distribution into a price.
//!
//! Pipeline position: `aggregate, simulation → pricing`. Every principle works on any
//! [`LossDistribution`]: an exact [`Discrete`](crate::aggregate::Discrete) result, a simulation
//! converted with [`SimulatedLosses::to_discrete`](crate::simulation::SimulatedLosses::to_discrete),
//! an empirical sample, or a closed-form severity wrapped in [`Continuous`].

mod distribution;
mod line;
mod principle;

pub use distribution::{Continuous, LossDistribution};
pub use line::{LineMethod, LineSpec, PricedLine, price_line};
pub use principle::{PremiumPrinciple, RiskMeasure};
