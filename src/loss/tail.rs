//! The part of a loss distribution beyond a grid: a survival function tabulated on a geometric
//! grid of losses and interpolated as a power law between its points.

use serde::{Deserialize, Serialize};

/// Points per doubling of the loss: log-log interpolation is exact for Pareto tails and within
/// ≈ 1e-4 relative for lognormal ones (curvature of ln S in ln x ≈ 1/σ²).
const PER_DOUBLING: f64 = 16.0;

/// The survival function S(x) = P(X > x) for x ≥ `start`, from an asymptotic form (e.g. the
/// single-big-claim approximation 1 − P_N(F_Y(x)) of a compound sum) scaled to the mass the
/// grid leaves beyond its end. Between points S is a power law; past the last point (where
/// S < 1e-300 or x > 1e300) it continues with the last segment's exponent.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tail {
    /// (x, S(x)), x ascending from the start, S positive and non-increasing.
    points: Vec<(f64, f64)>,
    /// Exponent k of S(x) ∝ x^(−k) past the last point.
    index: f64,
}

impl Tail {
    /// The tail from `start` > 0, where it holds `mass` in (0, 1), shaped like `shape` (any
    /// positive, non-increasing function; only ratios shape(x)/shape(start) are used).
    /// `None` when the shape vanishes at the start (a bounded loss has no tail).
    pub fn from_shape(start: f64, mass: f64, shape: impl Fn(f64) -> f64) -> Option<Self> {
        let s0 = shape(start);
        if !(start > 0.0 && start.is_finite() && mass > 0.0 && s0 > 0.0 && s0.is_finite()) {
            return None;
        }
        let ratio = 2f64.powf(1.0 / PER_DOUBLING);
        let mut points = vec![(start, mass)];
        let mut x = start;
        while x < 1e300 {
            x *= ratio;
            let s = (mass * shape(x) / s0).min(points[points.len() - 1].1);
            if s.is_nan() || s <= 1e-300 {
                break;
            }
            points.push((x, s));
        }
        let index = match points.as_slice() {
            [.., (xa, sa), (xb, sb)] => (sa / sb).ln() / (xb / xa).ln(),
            // One point: the shape fell below 1e-300 within one step: a light tail.
            _ => f64::INFINITY,
        };
        Some(Self { points, index })
    }

    /// Where the tail starts (the grid's end).
    pub fn start(&self) -> f64 {
        self.points[0].0
    }

    /// P(X > start).
    pub fn mass(&self) -> f64 {
        self.points[0].1
    }

    /// Exponent k of the power law past the table (S ∝ x^(−k)).
    pub fn index(&self) -> f64 {
        self.index
    }

    /// The segment (xa, Sa, k) holding x ≥ start: S(x) = Sa·(x/xa)^(−k).
    fn segment(&self, x: f64) -> (f64, f64, f64) {
        let i = self.points.partition_point(|p| p.0 <= x).max(1);
        if i >= self.points.len() {
            let (xa, sa) = self.points[self.points.len() - 1];
            return (xa, sa, self.index);
        }
        let ((xa, sa), (xb, sb)) = (self.points[i - 1], self.points[i]);
        (xa, sa, (sa / sb).ln() / (xb / xa).ln())
    }

    /// S(x) for x ≥ start (the mass at the start below it).
    pub fn survival(&self, x: f64) -> f64 {
        if x <= self.start() {
            return self.mass();
        }
        let (xa, sa, k) = self.segment(x);
        sa * (x / xa).powf(-k)
    }

    /// The x with S(x) = p, for 0 < p ≤ mass.
    pub fn quantile(&self, p: f64) -> f64 {
        let i = self.points.partition_point(|q| q.1 > p).max(1);
        let (xa, sa, k) = if i >= self.points.len() {
            let (xa, sa) = self.points[self.points.len() - 1];
            (xa, sa, self.index)
        } else {
            self.segment(self.points[i - 1].0)
        };
        if sa <= p {
            return xa;
        }
        xa * (sa / p).powf(1.0 / k)
    }

    /// ∫_from^∞ x^j·S(x) dx for from ≥ start (∞ when the power law past the table is too
    /// heavy for it).
    pub fn survival_moment(&self, from: f64, j: i32) -> f64 {
        let from = from.max(self.start());
        let jf = f64::from(j);
        // ∫_a^b x^j·Sa·(x/a)^(−k) dx = Sa·a^(j+1)·L·e1((j + 1 − k)L), L = ln(b/a).
        let piece = |a: f64, sa: f64, b: f64, k: f64| -> f64 {
            let l = (b / a).ln();
            sa * a.powi(j + 1) * l * exp_m1_over((jf + 1.0 - k) * l)
        };
        let mut total = 0.0;
        let start = self.points.partition_point(|p| p.0 <= from);
        let mut a = from;
        let mut sa = self.survival(from);
        for &(b, sb) in &self.points[start.min(self.points.len())..] {
            let k = (sa / sb).ln() / (b / a).ln();
            total += if k.is_finite() {
                piece(a, sa, b, k)
            } else {
                0.0
            };
            (a, sa) = (b, sb);
        }
        // Past the table: Sa·a^(j+1)/(k − j − 1) when k > j + 1.
        if self.index > jf + 1.0 {
            total + sa * a.powi(j + 1) / (self.index - jf - 1.0)
        } else if sa * a.powi(j + 1) < 1e-300 {
            total
        } else {
            f64::INFINITY
        }
    }

    /// ∫_start^∞ g(S(x)) dx for a distortion g with g(0) = 0: 4-point Gauss–Legendre in ln x on
    /// each segment, the power law past the table by the same rule on doubling intervals until
    /// S < 1e-300.
    pub fn distorted(&self, g: &dyn Fn(f64) -> f64) -> f64 {
        // ∫_a^b g(S(x)) dx = ∫ g(S(e^t)) e^t dt over t ∈ [ln a, ln b].
        let segment = |a: f64, b: f64| -> f64 {
            gauss4(a.ln(), b.ln(), |t| {
                let x = t.exp();
                g(self.survival(x)) * x
            })
        };
        let mut total: f64 = self
            .points
            .windows(2)
            .map(|p| segment(p[0].0, p[1].0))
            .sum();
        let (mut a, _) = self.points[self.points.len() - 1];
        while self.survival(a) > 1e-300 && a < 1e300 {
            total += segment(a, 2.0 * a);
            a *= 2.0;
        }
        if a >= 1e300 && g(self.survival(a)) > 0.0 {
            return f64::INFINITY;
        }
        total
    }

    /// E\[e^(aX); X > start\] = e^(a·start)·S(start) + ∫ a·e^(ax)·S(x) dx, by
    /// 4-point Gauss–Legendre on each segment; ∞ when it overflows or when the table ends
    /// (S < 1e-300) with e^(ax)·S(x) not negligible (a power-law tail has no exponential
    /// moment).
    pub fn exponential_moment(&self, a: f64) -> f64 {
        let mut total = (a * self.start()).exp() * self.mass();
        for p in self.points.windows(2) {
            total += gauss4(p[0].0, p[1].0, |x| a * (a * x).exp() * self.survival(x));
        }
        let (x, s) = self.points[self.points.len() - 1];
        if !total.is_finite() || a * x + s.ln() > -600.0 {
            return f64::INFINITY;
        }
        total
    }
}

/// 4-point Gauss–Legendre nodes and weights on [−1, 1].
const GAUSS4: [(f64, f64); 4] = [
    (-0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
    (-0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
    (0.339_981_043_584_856_3, 0.652_145_154_862_546_1),
    (0.861_136_311_594_052_6, 0.347_854_845_137_453_9),
];

/// ∫ₐᵇ f by the 4-point Gauss–Legendre rule.
fn gauss4(a: f64, b: f64, f: impl Fn(f64) -> f64) -> f64 {
    let (c, h) = (0.5 * (a + b), 0.5 * (b - a));
    GAUSS4.iter().map(|&(u, w)| w * f(c + h * u)).sum::<f64>() * h
}

/// (e^y − 1)/y, 1 at y = 0.
fn exp_m1_over(y: f64) -> f64 {
    if y.abs() < 1e-10 {
        1.0 + 0.5 * y
    } else {
        y.exp_m1() / y
    }
}
