//! A payment distribution as the moment-matching discretisations see it: per cell
//! (jh, (j + 1)h) the integrals of its survival function, per node its survival and atom.

use crate::coverage::Covered;
use crate::severity::Severity;

/// Cells below this index use the limited moments (the survival function may vary on a scale
/// finer than the cell there); quadrature beyond.
const CLOSED_FORM_CELLS: usize = 4;

/// Cell integrals K₀ⱼ = ∫ S/h and K₁ⱼ = ∫ 2(z − jh)·S/h² over cell j, S(z) = P(Y > z); node
/// survivals P(Y > jh) and atoms P(Y = jh) (j ≥ 1: the limit, when it is a node). Linear in
/// the distribution, so a mixture's cells are the weighted sums of its components' cells.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Cells {
    /// Bucket width h.
    pub h: f64,
    /// K₀ per cell.
    pub k0: Vec<f64>,
    /// K₁ per cell.
    pub k1: Vec<f64>,
    /// P(Y > jh) per node (one more than cells).
    pub survival: Vec<f64>,
    /// P(Y = jh) per node for j ≥ 1.
    pub atoms: Vec<f64>,
}

impl Cells {
    /// Zero cells (for accumulating a mixture).
    pub fn zero(h: f64, cells: usize) -> Self {
        Self {
            h,
            k0: vec![0.0; cells],
            k1: vec![0.0; cells],
            survival: vec![0.0; cells + 1],
            atoms: vec![0.0; cells + 1],
        }
    }

    /// The first `cells` cells of the payment per loss `payment`. Closed forms from the
    /// payment's limited moments in the first cells, in the cell holding the limit and for
    /// severities without a density; elsewhere 7-point Gauss–Legendre on S, whose relative
    /// accuracy does not degrade in the far tail (differences of limited moments there are
    /// rounding noise). Cells past the limit are 0.
    pub fn of_payment<S: Severity + ?Sized>(
        payment: &Covered<'_, S>,
        h: f64,
        cells: usize,
        second: bool,
    ) -> Self {
        let lev = |y: f64| payment.limited_expected_value(y);
        let lm2 = |y: f64| {
            if second {
                payment.limited_moment(2, y)
            } else {
                0.0
            }
        };
        let survival = |y: f64| payment.survival(y);
        let cap = payment.terms().max_payment();
        let smooth = !payment.severity().density(1.0).is_nan();
        let mut out = Self::zero(h, cells);
        // Limited moments at the cell's left end, when the previous cell computed them.
        let mut carried: Option<(f64, f64)> = None;
        for j in 0..cells {
            let (x, y) = (j as f64 * h, (j + 1) as f64 * h);
            if x >= cap {
                break;
            }
            let s = survival(x);
            out.survival[j] = s;
            // Differences of limited moments lose log10(E[Y]/(h·S)) digits: fine in the bulk
            // for the first moment, not for the second nor in the far tail.
            let closed = !smooth || j < CLOSED_FORM_CELLS || cap < y || (!second && s >= 1e-3);
            // (∫ S, ∫ 2(z − x)·S) over the cell.
            let (k0, k1) = if closed {
                let (lev_x, lm2_x) = carried.unwrap_or_else(|| (lev(x), lm2(x)));
                let (lev_y, lm2_y) = (lev(y), lm2(y));
                carried = Some((lev_y, lm2_y));
                let d1 = lev_y - lev_x;
                (d1, lm2_y - lm2_x - 2.0 * x * d1)
            } else {
                carried = None;
                crate::numerics::gauss7(x, y)
                    .iter()
                    .fold((0.0, 0.0), |(k0, k1), &(z, w)| {
                        let ws = w * survival(z);
                        (k0 + ws, k1 + 2.0 * (z - x) * ws)
                    })
            };
            out.k0[j] = k0 / h;
            out.k1[j] = if second { k1 / (h * h) } else { 0.0 };
        }
        out.survival[cells] = survival(cells as f64 * h);
        // The limit on a node: its atom P(Y = cap).
        let node = (cap / h).round();
        if cap.is_finite() && node >= 1.0 && node <= cells as f64 && node * h == cap {
            out.atoms[node as usize] = payment.limit_probability();
        }
        out
    }

    /// P(Y ≥ jh).
    fn at_least(&self, j: usize) -> f64 {
        self.survival[j] + self.atoms[j]
    }

    /// Order-1 local moment matching on the first `m` nodes: fⱼ = K₀ⱼ₋₁ − K₀ⱼ, f₀ = 1 − K₀₀
    /// (the limited expected value's second difference; atoms fall on their nodes).
    pub fn mean_preserving(&self, m: usize) -> Vec<f64> {
        let mut f = vec![0.0; m];
        f[0] = 1.0 - self.k0[0];
        for (fj, k) in f[1..].iter_mut().zip(self.k0.windows(2)) {
            *fj = (k[0] - k[1]).max(0.0);
        }
        f
    }

    /// Order-2 local moment matching on the first `m` nodes (needs m + 1 cells). For the pair
    /// of cells (a, a + 2h) with I = K₀ₐ + K₀ₐ₊₁ and J = K₁ₐ + K₁ₐ₊₁ + 2K₀ₐ₊₁, the open
    /// interval's mass goes to a, a + h and a + 2h as
    /// p₀ = S(a) − 3I/2 + J/2, p₁ = 2I − J, p₂ = (J − I)/2 − P(Y ≥ a + 2h)
    /// (the quadratic Lagrange weights); where one would be negative, order 1 on each cell:
    /// x + h gets K₀ − P(Y ≥ x + h) and x gets S(x) − K₀. Atoms sit on their nodes.
    pub fn moment_matching(&self, m: usize) -> Vec<f64> {
        let mut f = vec![0.0; m + 2];
        f[0] = 1.0 - self.survival[0];
        for a in (0..m).step_by(2) {
            let (k0a, k0b) = (self.k0[a], self.k0[a + 1]);
            let big_i = k0a + k0b;
            let big_j = self.k1[a] + self.k1[a + 1] + 2.0 * k0b;
            let p0 = self.survival[a] - 1.5 * big_i + 0.5 * big_j;
            let p1 = 2.0 * big_i - big_j;
            let p2 = 0.5 * (big_j - big_i) - self.at_least(a + 2);
            if p0 >= 0.0 && p1 >= 0.0 && p2 >= 0.0 {
                // An atom at the middle node lies inside the pair: p₁ holds it.
                f[a] += p0;
                f[a + 1] += p1;
                f[a + 2] += p2;
            } else {
                f[a] += (self.survival[a] - k0a).max(0.0);
                f[a + 1] += (k0a - self.at_least(a + 1)).max(0.0)
                    + self.atoms[a + 1]
                    + (self.survival[a + 1] - k0b).max(0.0);
                f[a + 2] += (k0b - self.at_least(a + 2)).max(0.0);
            }
            f[a + 2] += self.atoms[a + 2];
        }
        f.truncate(m);
        f
    }
}
