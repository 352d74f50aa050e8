//! What a premium principle needs to know about a loss distribution.

use crate::aggregate::{AggregateDistribution, Approximation, Discrete};
use crate::error::{Error, Result};
use crate::numerics::{integrate, validate};
use crate::severity::Severity;
use crate::simulation::SimulatedLosses;

/// A non-negative loss distribution that premium principles can price.
pub trait LossDistribution {
    /// E\[X\] (error if infinite).
    fn mean(&self) -> Result<f64>;
    /// Var\[X\] (error if infinite).
    fn variance(&self) -> Result<f64>;
    /// VaR at `level` in (0, 1).
    fn var(&self, level: f64) -> Result<f64>;
    /// TVaR at `level` in (0, 1).
    fn tvar(&self, level: f64) -> Result<f64>;
    /// ∫₀^∞ g(S(x)) dx for a distortion g: \[0, 1\] → \[0, 1\] (∞ if it diverges).
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64>;
    /// E\[e^(aX)\] − 1 (∞ if it diverges), summed or integrated as such: at a small risk
    /// aversion a it is a·E\[X\] + …, which 1 + (that) would round away.
    fn exponential_excess(&self, a: f64) -> Result<f64>;
    /// E\[e^(aX)\] (∞ if it diverges).
    fn exponential_moment(&self, a: f64) -> Result<f64> {
        Ok(1.0 + self.exponential_excess(a)?)
    }
    /// P(X ≤ x).
    fn cdf(&self, x: f64) -> Result<f64>;
    /// CTE at `level`: E\[X | X > VaR\] (≥ TVaR; equal without an atom straddling the level).
    fn cte(&self, level: f64) -> Result<f64>;
    /// P(X = 0).
    fn zero_probability(&self) -> Result<f64>;
}

impl LossDistribution for Discrete {
    fn mean(&self) -> Result<f64> {
        located(self)?;
        Ok(self.moments().0)
    }
    fn variance(&self) -> Result<f64> {
        located(self)?;
        Ok(self.moments().1.powi(2))
    }
    fn var(&self, level: f64) -> Result<f64> {
        Discrete::var(self, level)
    }
    fn tvar(&self, level: f64) -> Result<f64> {
        Discrete::tvar(self, level)
    }
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64> {
        Ok(Discrete::distorted_expectation(self, g))
    }
    fn exponential_excess(&self, a: f64) -> Result<f64> {
        Ok(Discrete::exponential_excess(self, a))
    }
    fn cdf(&self, x: f64) -> Result<f64> {
        Ok(Discrete::cdf(self, x))
    }
    fn cte(&self, level: f64) -> Result<f64> {
        Discrete::cte(self, level)
    }
    fn zero_probability(&self) -> Result<f64> {
        Ok(Discrete::cdf(self, 0.0))
    }
}

/// Moments of a distribution with mass beyond its grid would be silently too small.
fn located(d: &Discrete) -> Result<()> {
    if d.unlocated_mass() > 1e-12 {
        return Err(Error::BeyondGrid {
            quantity: "moment",
            at: d.unlocated_mass(),
            located: 1.0 - d.unlocated_mass(),
        });
    }
    Ok(())
}

impl LossDistribution for AggregateDistribution {
    fn mean(&self) -> Result<f64> {
        self.distribution.mean()
    }
    fn variance(&self) -> Result<f64> {
        self.distribution.variance()
    }
    fn var(&self, level: f64) -> Result<f64> {
        self.distribution.var(level)
    }
    fn tvar(&self, level: f64) -> Result<f64> {
        self.distribution.tvar(level)
    }
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64> {
        LossDistribution::distorted_expectation(&self.distribution, g)
    }
    fn exponential_excess(&self, a: f64) -> Result<f64> {
        LossDistribution::exponential_excess(&self.distribution, a)
    }
    fn cdf(&self, x: f64) -> Result<f64> {
        Ok(self.distribution.cdf(x))
    }
    fn cte(&self, level: f64) -> Result<f64> {
        self.distribution.cte(level)
    }
    /// From the probability generating function (see
    /// [`Diagnostics::zero_probability`](crate::aggregate::Diagnostics)), not the first bucket.
    fn zero_probability(&self) -> Result<f64> {
        Ok(self.diagnostics.zero_probability)
    }
}

/// A closed-form severity used as a loss distribution; integrals are computed numerically
/// between quantile break points reaching S(x) = 1e-300.
#[derive(Debug, Clone, Copy)]
pub struct Continuous<'a, S: ?Sized>(pub &'a S);

fn infinite(quantity: &'static str) -> Error {
    Error::InfiniteMoment {
        quantity,
        reason: "the distribution's tail is too heavy".into(),
    }
}

impl<S: Severity + ?Sized> Continuous<'_, S> {
    /// ∫₀^∞ h(x) dx for h vanishing in the tail, split at quantiles down to S = 1e-300.
    fn tail_integral(&self, h: &dyn Fn(f64) -> f64) -> f64 {
        let d = self.0;
        let mut points = vec![0.0];
        for level in [0.01, 0.1, 0.5, 0.9] {
            points.push(d.quantile(level));
        }
        let mut p = 1e-2;
        while p >= 1e-300 {
            points.push(d.inverse_survival(p));
            p *= 1e-2;
        }
        piecewise_integral(points, h)
    }
}

/// ∫ h over the span of `points` (finite ones, any order), adaptively between consecutive
/// points to 1e-12.
fn piecewise_integral(mut points: Vec<f64>, h: &dyn Fn(f64) -> f64) -> f64 {
    points.retain(|x| x.is_finite());
    points.sort_by(f64::total_cmp);
    points.dedup();
    points
        .windows(2)
        .map(|w| integrate(h, w[0], w[1], 1e-12))
        .sum()
}

impl<S: Severity + ?Sized> LossDistribution for Continuous<'_, S> {
    fn mean(&self) -> Result<f64> {
        self.0.mean().ok_or_else(|| infinite("mean"))
    }
    fn variance(&self) -> Result<f64> {
        self.0.variance().ok_or_else(|| infinite("variance"))
    }
    fn var(&self, level: f64) -> Result<f64> {
        validate::open_probability("Continuous", "level", level)?;
        Ok(self.0.quantile(level))
    }
    fn tvar(&self, level: f64) -> Result<f64> {
        let v = self.var(level)?;
        let mean = self.mean()?;
        Ok(v + (mean - self.0.limited_expected_value(v)) / (1.0 - level))
    }
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64> {
        // The part beyond S = 1e-300 decides convergence: g(S) must vanish faster than 1/x.
        let total = self.tail_integral(&|x| g(self.0.survival(x)));
        let far = self.0.inverse_survival(1e-300);
        if far.is_finite() && g(1e-300) * far > 1e-6 * total {
            return Err(infinite("distorted expectation"));
        }
        Ok(total)
    }
    fn exponential_excess(&self, a: f64) -> Result<f64> {
        let d = self.0;
        // E[e^(aX)] − 1 = a∫ e^(ax) S(x) dx.
        let far = d.inverse_survival(1e-300);
        if a > 0.0 && (a * far).exp() * 1e-300 > 1e-12 {
            return Err(infinite("exponential moment"));
        }
        Ok(a * self.tail_integral(&|x| (a * x).exp() * d.survival(x)))
    }
    fn cdf(&self, x: f64) -> Result<f64> {
        validate::finite("Continuous", "x", x)?;
        Ok(self.0.cdf(x))
    }
    /// TVaR: a continuous distribution has no atom at its VaR.
    fn cte(&self, level: f64) -> Result<f64> {
        self.tvar(level)
    }
    fn zero_probability(&self) -> Result<f64> {
        Ok(self.0.cdf(0.0))
    }
}

/// Simulated losses: every statistic is the simulation's estimate (its standard error is on
/// the [`SimulatedLosses`] methods); distortion and exponential premiums need every year kept
/// ([`Retention::All`](crate::simulation::Retention)).
impl LossDistribution for SimulatedLosses {
    fn mean(&self) -> Result<f64> {
        Ok(SimulatedLosses::mean(self)?.value)
    }
    fn variance(&self) -> Result<f64> {
        Ok(self.std_dev()?.value.powi(2))
    }
    fn var(&self, level: f64) -> Result<f64> {
        Ok(SimulatedLosses::var(self, level)?.value)
    }
    fn tvar(&self, level: f64) -> Result<f64> {
        Ok(SimulatedLosses::tvar(self, level)?.value)
    }
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64> {
        LossDistribution::distorted_expectation(&self.to_discrete()?, g)
    }
    fn exponential_excess(&self, a: f64) -> Result<f64> {
        LossDistribution::exponential_excess(&self.to_discrete()?, a)
    }
    fn cdf(&self, x: f64) -> Result<f64> {
        Ok(1.0 - self.exceedance_probability(x)?.value)
    }
    fn cte(&self, level: f64) -> Result<f64> {
        Ok(SimulatedLosses::cte(self, level)?.value)
    }
    fn zero_probability(&self) -> Result<f64> {
        Ok(self.probability_of_zero().value)
    }
}

/// A moment approximation (normal, normal power, shifted gamma) as the loss max(S, 0): its
/// mean and variance are the approximation's own (the mass it puts below zero is negligible
/// where it is fit to use); cdf, quantiles, CTE and premiums are those of the loss censored
/// at zero, the integrals taken numerically between its quantiles up to 1 − 10⁻¹⁴.
impl LossDistribution for Approximation {
    fn mean(&self) -> Result<f64> {
        Ok(self.moments().0)
    }
    fn variance(&self) -> Result<f64> {
        Ok(self.moments().1.powi(2))
    }
    fn var(&self, level: f64) -> Result<f64> {
        Ok(Approximation::var(self, level)?.max(0.0))
    }
    fn tvar(&self, level: f64) -> Result<f64> {
        Ok(Approximation::tvar(self, level)?.max(0.0))
    }
    fn distorted_expectation(&self, g: &dyn Fn(f64) -> f64) -> Result<f64> {
        approximation_integral(self, &|x| g(1.0 - self.cdf(x)))
    }
    fn exponential_excess(&self, a: f64) -> Result<f64> {
        // E[e^(aZ)] − 1 = a∫₀^∞ e^(ax) S(x) dx.
        Ok(a * approximation_integral(self, &|x| (a * x).exp() * (1.0 - self.cdf(x)))?)
    }
    fn cdf(&self, x: f64) -> Result<f64> {
        validate::finite("Approximation", "x", x)?;
        Ok(if x < 0.0 {
            0.0
        } else {
            Approximation::cdf(self, x)
        })
    }
    /// TVaR: the approximations are continuous above zero.
    fn cte(&self, level: f64) -> Result<f64> {
        LossDistribution::tvar(self, level)
    }
    fn zero_probability(&self) -> Result<f64> {
        Ok(Approximation::cdf(self, 0.0))
    }
}

/// ∫₀^∞ h(x) dx over the approximation's quantiles 0.5, 0.9, 1 − 10⁻², …, 1 − 10⁻¹⁴.
fn approximation_integral(a: &Approximation, h: &dyn Fn(f64) -> f64) -> Result<f64> {
    let mut points = vec![0.0];
    for level in [0.5, 0.9, 0.99, 1e-4, 1e-6, 1e-8, 1e-10, 1e-12, 1e-14]
        .map(|l: f64| if l >= 0.5 { l } else { 1.0 - l })
    {
        points.push(Approximation::var(a, level)?.max(0.0));
    }
    Ok(piecewise_integral(points, h))
}
