//! VaR backtests: Kupiec's proportion of failures, Christoffersen's independence and
//! conditional coverage, and the Basel traffic light.

use super::{check_lengths, chi_square_survival};
use crate::error::{Error, Result};
use crate::frequency::{Binomial, Frequency};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

const MODEL: &str = "VarBacktest";

/// A likelihood-ratio test result.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct LrTest {
    /// −2 ln(likelihood ratio), ≥ 0.
    pub statistic: f64,
    /// Degrees of freedom of the asymptotic χ².
    pub degrees_of_freedom: usize,
    /// P(χ²_df ≥ statistic).
    pub p_value: f64,
}

impl LrTest {
    fn new(statistic: f64, degrees_of_freedom: usize) -> Self {
        // Rounding can leave −1e−16 where the likelihoods coincide.
        let statistic = statistic.max(0.0);
        Self {
            statistic,
            degrees_of_freedom,
            p_value: chi_square_survival(statistic, degrees_of_freedom as f64),
        }
    }
}

/// Basel traffic-light zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Zone {
    /// P(X ≤ x) < 95%.
    Green,
    /// 95% ≤ P(X ≤ x) < 99.99%.
    Yellow,
    /// P(X ≤ x) ≥ 99.99%.
    Red,
}

/// Everything a VaR backtest reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarBacktest {
    /// Number of periods.
    pub observations: usize,
    /// Periods whose loss exceeded the VaR.
    pub exceedances: usize,
    /// VaR level (e.g. 0.99).
    pub level: f64,
    /// observations × (1 − level).
    pub expected_exceedances: f64,
    /// Kupiec (1995) proportion of failures, 1 df.
    pub kupiec: LrTest,
    /// Christoffersen (1998) independence (first-order Markov), 1 df.
    pub independence: LrTest,
    /// Conditional coverage = Kupiec + independence, 2 df.
    pub conditional_coverage: LrTest,
    /// Basel zone of the exceedance count.
    pub zone: Zone,
    /// P(X ≤ exceedances) for X ~ Binomial(observations, 1 − level).
    pub cumulative_probability: f64,
}

/// x ln y with 0 ln 0 = 0.
fn xlogy(x: f64, y: f64) -> f64 {
    if x == 0.0 { 0.0 } else { x * y.ln() }
}

/// Backtests a VaR at `level` from the exceedance indicators in time order (at least two).
///
/// Edge cases: with no exceedance (or only exceedances) the independence statistic is 0
/// (a constant sequence carries no evidence of clustering), and Kupiec's statistic is
/// −2n ln(level) (resp. −2n ln(1 − level)). A transition row never visited (no exceedance
/// before the last period) contributes 0, with 0 ln 0 = 0 throughout.
///
/// ```
/// use kexian::backtest::{var_backtest, Zone};
/// let mut hits = vec![false; 250];
/// for i in [10, 80, 150] { hits[i] = true; }
/// let bt = var_backtest(&hits, 0.99)?;
/// assert_eq!((bt.exceedances, bt.zone), (3, Zone::Green));
/// assert!(bt.kupiec.p_value > 0.05);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn var_backtest(exceedances: &[bool], level: f64) -> Result<VarBacktest> {
    validate::open_probability(MODEL, "level", level)?;
    let n = exceedances.len();
    if n < 2 {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!("{n} observations: need at least two"),
        });
    }
    let x = exceedances.iter().filter(|&&h| h).count();
    let (nf, xf, p) = (n as f64, x as f64, 1.0 - level);
    let phat = xf / nf;
    let kupiec = LrTest::new(
        -2.0 * (xlogy(nf - xf, 1.0 - p) + xlogy(xf, p))
            + 2.0 * (xlogy(nf - xf, 1.0 - phat) + xlogy(xf, phat)),
        1,
    );
    let mut t = [[0.0f64; 2]; 2];
    for w in exceedances.windows(2) {
        t[usize::from(w[0])][usize::from(w[1])] += 1.0;
    }
    let [[n00, n01], [n10, n11]] = t;
    let pi = (n01 + n11) / (n00 + n01 + n10 + n11);
    let ratio = |a: f64, b: f64| if a + b > 0.0 { b / (a + b) } else { 0.0 };
    let (p01, p11) = (ratio(n00, n01), ratio(n10, n11));
    let restricted = xlogy(n00 + n10, 1.0 - pi) + xlogy(n01 + n11, pi);
    let markov = xlogy(n00, 1.0 - p01) + xlogy(n01, p01) + xlogy(n10, 1.0 - p11) + xlogy(n11, p11);
    let independence = LrTest::new(-2.0 * (restricted - markov), 1);
    let conditional_coverage = LrTest::new(kupiec.statistic + independence.statistic, 2);
    let (zone, cumulative_probability) = traffic_light(n, x, level)?;
    Ok(VarBacktest {
        observations: n,
        exceedances: x,
        level,
        expected_exceedances: nf * p,
        kupiec,
        independence,
        conditional_coverage,
        zone,
        cumulative_probability,
    })
}

/// Exceedance indicators `loss > var` (equal lengths, finite values).
pub fn exceedances(losses: &[f64], var: &[f64]) -> Result<Vec<bool>> {
    check_lengths(MODEL, losses.len(), var.len())?;
    losses
        .iter()
        .zip(var)
        .enumerate()
        .map(|(i, (&l, &v))| {
            for (name, x) in [("losses", l), ("var", v)] {
                super::experience::element(i, name, x, x.is_finite(), "finite")?;
            }
            Ok(l > v)
        })
        .collect()
}

/// Basel zone (Basel Committee 1996, *Supervisory framework for the use of "backtesting"*)
/// of `exceedances` in `observations` periods of a VaR at `level`, with P(X ≤ exceedances).
pub fn traffic_light(observations: usize, exceedances: usize, level: f64) -> Result<(Zone, f64)> {
    validate::open_probability(MODEL, "level", level)?;
    if exceedances > observations || observations == 0 {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!("{exceedances} exceedances in {observations} observations"),
        });
    }
    let c = Binomial::new(observations as u64, 1.0 - level)?.cdf(exceedances as u64);
    let zone = if c < 0.95 {
        Zone::Green
    } else if c < 0.9999 {
        Zone::Yellow
    } else {
        Zone::Red
    };
    Ok((zone, c))
}

/// The zone boundaries for `observations` periods at `level`: the largest green count and
/// the largest yellow count (250 days at 99%: 4 and 9, so red from 10).
pub fn traffic_light_table(observations: usize, level: f64) -> Result<(usize, usize)> {
    let mut green = None;
    for x in 0..=observations {
        match traffic_light(observations, x, level)?.0 {
            Zone::Green => green = Some(x),
            Zone::Yellow => {}
            Zone::Red => {
                let g = green.unwrap_or(0);
                return Ok((g, x.saturating_sub(1).max(g)));
            }
        }
    }
    Ok((green.unwrap_or(0), observations))
}
