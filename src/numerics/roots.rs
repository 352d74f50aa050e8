//! Inversion of monotone functions by Newton steps safeguarded with bisection.

/// Solves g(x) = 0 for a non-decreasing `g` on (`lo`, ∞) (or (`lo`, `hi`) when `hi` is finite),
/// where `g` returns (g(x), g′(x)). Starts at `guess`, expands the upper bracket by doubling when
/// needed, and stops at 4 ulp-level relative width or after 300 iterations. Returns NaN when no
/// sign change can be bracketed.
pub(crate) fn invert_monotone<G>(g: G, lo: f64, hi: f64, guess: f64) -> f64
where
    G: Fn(f64) -> (f64, f64),
{
    let (mut lo, mut hi) = (lo, hi);
    if !hi.is_finite() {
        // Expand from the guess (or 1) until g changes sign.
        let mut h = if guess.is_finite() && guess > lo {
            guess
        } else {
            lo.abs().max(1.0) + lo
        };
        let mut tries = 0;
        while g(h).0 < 0.0 {
            lo = h;
            h = if h > 0.0 { h * 2.0 } else { h.abs() + 1.0 };
            tries += 1;
            if tries > 2100 || !h.is_finite() {
                return f64::NAN;
            }
        }
        hi = h;
    }
    let mut x = if guess > lo && guess < hi {
        guess
    } else {
        midpoint(lo, hi)
    };
    for _ in 0..300 {
        let (v, d) = g(x);
        if v == 0.0 {
            return x;
        }
        if v < 0.0 {
            lo = x;
        } else {
            hi = x;
        }
        if hi - lo <= 4.0 * f64::EPSILON * hi.abs().max(f64::MIN_POSITIVE) {
            break;
        }
        let newton = x - v / d;
        x = if d > 0.0 && newton > lo && newton < hi {
            newton
        } else {
            midpoint(lo, hi)
        };
        if (x - lo).min(hi - x) <= f64::EPSILON * x.abs() && (hi - lo) < 1e-8 * x.abs() {
            // Newton has converged to a bracket end within rounding.
            break;
        }
    }
    x
}

/// Bisection point: geometric when the bracket spans orders of magnitude on (0, ∞).
fn midpoint(lo: f64, hi: f64) -> f64 {
    if lo > 0.0 && hi > 4.0 * lo {
        (lo * hi).sqrt()
    } else if lo == 0.0 && hi > 0.0 {
        // Roots near zero can be many orders of magnitude below `hi`: jump down, then the
        // geometric branch above closes in logarithmically.
        hi * 1e-9
    } else {
        0.5 * (lo + hi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_cube_root() {
        let x = invert_monotone(|x| (x * x * x - 10.0, 3.0 * x * x), 0.0, f64::INFINITY, 1.0);
        assert!((x - 10f64.cbrt()).abs() < 1e-14);
    }

    #[test]
    fn tiny_root() {
        let x = invert_monotone(|x| (x - 1e-200, 1.0), 0.0, 1.0, 0.5);
        assert!((x / 1e-200 - 1.0).abs() < 1e-12);
    }
}
