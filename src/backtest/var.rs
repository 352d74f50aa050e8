//! VaR backtests: Kupiec's proportion of failures, Christoffersen's independence and
//! conditional coverage, and the Basel traffic light.

use super::{check_lengths, chi_square_critical, chi_square_survival};
use crate::error::{Error, Result};
use crate::frequency::{Binomial, Frequency};
use crate::numerics::validate;
use serde::{Deserialize, Serialize};

const MODEL: &str = "VarBacktest";

/// The level of a VaR, stated one way or the other so that neither is computed from the
/// other in floating point: `Exceedance(0.04)` gives exactly 10 expected exceedances in 250
/// periods, where `1 − 0.96` would give 10.000000000000009.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VarLevel {
    /// Confidence level of the VaR, in (0, 1), e.g. 0.99; exceedance probability 1 − level.
    Confidence(f64),
    /// Probability of an exceedance, in (0, 1), e.g. 0.01.
    Exceedance(f64),
}

impl VarLevel {
    /// The exceedance probability p (validated).
    pub fn exceedance_probability(self) -> Result<f64> {
        match self {
            Self::Confidence(c) => Ok(1.0 - validate::open_probability(MODEL, "level", c)?),
            Self::Exceedance(p) => validate::open_probability(MODEL, "exceedance", p),
        }
    }
}

/// Basel plus factors of the yellow zone for 5 to 9 exceedances in 250 days at 99% (Basel
/// Committee 1996, *Supervisory framework for the use of "backtesting"*, Table 2).
const BASEL_PLUS: [f64; 5] = [0.40, 0.50, 0.65, 0.75, 0.85];

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

/// The Basel capital consequence of a zone: plus factor and multiplier 3 + plus.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct BaselPenalty {
    /// Zone of the exceedance count.
    pub zone: Zone,
    /// Plus factor: 0 in green, 0.40–0.85 in yellow, 1 in red.
    pub plus_factor: f64,
    /// Capital multiplier 3 + plus factor.
    pub multiplier: f64,
}

/// First-order Markov transition counts of the exceedance sequence (Christoffersen 1998):
/// n_ab = periods in state a followed by state b (1 = exceedance).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Transitions {
    /// No exceedance followed by none.
    pub n00: usize,
    /// No exceedance followed by one.
    pub n01: usize,
    /// Exceedance followed by none.
    pub n10: usize,
    /// Exceedance followed by one.
    pub n11: usize,
    /// π01 = n01/(n00 + n01) (0 if the row is empty).
    pub pi01: f64,
    /// π11 = n11/(n10 + n11) (0 if the row is empty).
    pub pi11: f64,
    /// π = (n01 + n11)/(all transitions).
    pub pi: f64,
}

/// Everything a VaR backtest reports.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VarBacktest {
    /// Number of periods.
    pub observations: usize,
    /// Periods whose loss exceeded the VaR.
    pub exceedances: usize,
    /// VaR level as given.
    pub level: VarLevel,
    /// Exceedance probability p.
    pub exceedance_probability: f64,
    /// observations × p.
    pub expected_exceedances: f64,
    /// Transition counts and probabilities behind the independence test.
    pub transitions: Transitions,
    /// Kupiec (1995) proportion of failures, 1 df.
    pub kupiec: LrTest,
    /// Christoffersen (1998) independence (first-order Markov), 1 df.
    pub independence: LrTest,
    /// Conditional coverage = Kupiec + independence, 2 df.
    pub conditional_coverage: LrTest,
    /// Basel zone of the exceedance count.
    pub zone: Zone,
    /// Plus factor and multiplier of the zone ([`basel_penalty`]).
    pub penalty: BaselPenalty,
    /// P(X ≤ exceedances) for X ~ Binomial(observations, p).
    pub cumulative_probability: f64,
    /// The exceedance counts Kupiec's test does not reject at 95%: [lower, upper].
    pub kupiec_region_95: (usize, usize),
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
/// use kexian::backtest::{var_backtest, VarLevel, Zone};
/// let mut hits = vec![false; 250];
/// for i in [10, 80, 150] { hits[i] = true; }
/// let bt = var_backtest(&hits, VarLevel::Confidence(0.99))?;
/// assert_eq!((bt.exceedances, bt.zone), (3, Zone::Green));
/// assert!(bt.kupiec.p_value > 0.05);
/// assert_eq!(bt.transitions.n01, 3);
/// assert_eq!(var_backtest(&hits, VarLevel::Exceedance(0.04))?.expected_exceedances, 10.0);
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn var_backtest(exceedances: &[bool], level: VarLevel) -> Result<VarBacktest> {
    let p = level.exceedance_probability()?;
    let n = exceedances.len();
    if n < 2 {
        return Err(Error::TooFew {
            model: MODEL,
            what: "observations",
            got: n,
            need: 2,
        });
    }
    let x = exceedances.iter().filter(|&&h| h).count();
    let nf = n as f64;
    let kupiec = LrTest::new(kupiec_statistic(n, x, p), 1);
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
    let count = |v: f64| v as usize;
    Ok(VarBacktest {
        observations: n,
        exceedances: x,
        level,
        exceedance_probability: p,
        expected_exceedances: nf * p,
        transitions: Transitions {
            n00: count(n00),
            n01: count(n01),
            n10: count(n10),
            n11: count(n11),
            pi01: p01,
            pi11: p11,
            pi,
        },
        kupiec,
        independence,
        conditional_coverage,
        zone,
        penalty: basel_penalty(n, x, level)?,
        cumulative_probability,
        kupiec_region_95: kupiec_region(n, level, 0.95)?,
    })
}

/// Kupiec's proportion-of-failures statistic −2 ln[(1−p)^{n−x} p^x / (1−x/n)^{n−x} (x/n)^x].
/// A test on no observations.
fn no_observations() -> Error {
    Error::TooFew {
        model: MODEL,
        what: "observations",
        got: 0,
        need: 1,
    }
}

fn kupiec_statistic(n: usize, x: usize, p: f64) -> f64 {
    let (nf, xf) = (n as f64, x as f64);
    let phat = xf / nf;
    (-2.0 * (xlogy(nf - xf, 1.0 - p) + xlogy(xf, p))
        + 2.0 * (xlogy(nf - xf, 1.0 - phat) + xlogy(xf, phat)))
    .max(0.0)
}

/// The non-rejection region of Kupiec's test at `confidence` (e.g. 0.95): the exceedance
/// counts x in `observations` periods whose statistic is at most the χ²₁ critical value,
/// as [lower, upper] (the statistic is convex in x, so the region is an interval around
/// n·p). 250 days at 99% and 95%: [1, 6] (no exceedance at all is also a rejection).
///
/// ```
/// use kexian::backtest::{kupiec_region, VarLevel};
/// assert_eq!(kupiec_region(250, VarLevel::Confidence(0.99), 0.95)?, (1, 6));
/// # Ok::<(), kexian::Error>(())
/// ```
pub fn kupiec_region(
    observations: usize,
    level: VarLevel,
    confidence: f64,
) -> Result<(usize, usize)> {
    let p = level.exceedance_probability()?;
    if observations == 0 {
        return Err(no_observations());
    }
    let critical = chi_square_critical(1.0, confidence)?;
    let accepted = |x: usize| kupiec_statistic(observations, x, p) <= critical;
    let mode = ((observations as f64 * p).floor() as usize).min(observations);
    let mut lower = mode;
    while lower > 0 && accepted(lower - 1) {
        lower -= 1;
    }
    let mut upper = mode;
    while upper < observations && accepted(upper + 1) {
        upper += 1;
    }
    Ok((lower, upper))
}

/// The Basel plus factor and multiplier for `exceedances` in `observations` periods. For 250
/// periods at 99% this is the Basel Committee's table (green 0–4: 0; yellow 5–9: 0.40, 0.50,
/// 0.65, 0.75, 0.85; red: 1). Other sample sizes and levels are mapped onto that table by
/// cumulative probability: a yellow count takes the plus factor of the largest Basel count
/// whose cumulative probability under Binomial(250, 1%) does not exceed its own.
pub fn basel_penalty(
    observations: usize,
    exceedances: usize,
    level: VarLevel,
) -> Result<BaselPenalty> {
    let (zone, c) = traffic_light(observations, exceedances, level)?;
    let plus_factor = match zone {
        Zone::Green => 0.0,
        Zone::Red => 1.0,
        Zone::Yellow => {
            let basel = Binomial::new(250, 0.01)?;
            (5..=9u64)
                .zip(BASEL_PLUS)
                .filter(|(k, _)| basel.cdf(*k) <= c * (1.0 + 1e-12))
                .map(|(_, plus)| plus)
                .last()
                .unwrap_or(BASEL_PLUS[0])
        }
    };
    Ok(BaselPenalty {
        zone,
        plus_factor,
        multiplier: 3.0 + plus_factor,
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
pub fn traffic_light(
    observations: usize,
    exceedances: usize,
    level: VarLevel,
) -> Result<(Zone, f64)> {
    let p = level.exceedance_probability()?;
    if exceedances > observations || observations == 0 {
        return Err(Error::Inconsistent {
            model: MODEL,
            message: format!("{exceedances} exceedances in {observations} observations"),
        });
    }
    let c = Binomial::new(observations as u64, p)?.cdf(exceedances as u64);
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
/// the largest yellow count (250 days at 99%: 4 and 9, so red from 10). Found by bisection on
/// the binomial cdf, so any number of observations answers at once.
pub fn traffic_light_table(observations: usize, level: VarLevel) -> Result<(usize, usize)> {
    let p = level.exceedance_probability()?;
    if observations == 0 {
        return Err(no_observations());
    }
    let binomial = Binomial::new(observations as u64, p)?;
    // The largest x in [0, n] with cdf(x) < bound (0 if none: zone boundaries start at 0).
    let last_below = |bound: f64| -> usize {
        if binomial.cdf(0) >= bound {
            return 0;
        }
        let (mut lo, mut hi) = (0usize, observations);
        while lo < hi {
            let mid = lo + (hi - lo).div_ceil(2);
            if binomial.cdf(mid as u64) < bound {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        lo
    };
    let green = last_below(0.95);
    let yellow = last_below(0.9999).max(green);
    Ok((green, yellow))
}
