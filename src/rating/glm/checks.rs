//! Input checks of a GLM fit: shapes, values and levels without claims.

use super::{GlmFamily, MODEL};
use crate::error::{Error, Result};
use crate::numerics::validate;
use ndarray::ArrayView2;

/// Validates everything `fit_glm` is given, naming the row, column or parameter at fault.
pub(super) fn check_inputs(
    family: GlmFamily,
    x: ArrayView2<f64>,
    y: &[f64],
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
    label: &dyn Fn(usize) -> String,
) -> Result<()> {
    let (n, p) = x.dim();
    match family {
        GlmFamily::Tweedie { power } => {
            let open = power > 1.0 && power < 2.0;
            validate::rule(MODEL, "power", power, open, "in the open interval (1, 2)")?;
        }
        GlmFamily::NegativeBinomial { alpha: Some(a) } => {
            validate::positive(MODEL, "alpha", a)?;
        }
        _ => {}
    }
    check_shape(x, y.len(), offset, weights)?;
    let counts = matches!(family, GlmFamily::NegativeBinomial { .. });
    for (i, &v) in y.iter().enumerate() {
        let ok = v.is_finite()
            && match family {
                GlmFamily::Gamma => v > 0.0,
                _ if counts => v >= 0.0 && v.fract() == 0.0,
                _ => v >= 0.0,
            };
        if !ok {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "y (row)",
                index: i,
                value: v,
                rule: "finite and >= 0 (> 0 for Gamma, whole counts for NegativeBinomial)",
            });
        }
    }
    if n <= p {
        return Err(Error::TooFew {
            model: MODEL,
            what: "rows (more rows than coefficients)",
            got: n,
            need: p + 1,
        });
    }
    claim_free_levels(x, y, label)
}

/// A level whose rows all have y = 0 has no MLE. Two cases: a 0/1 column whose rows with a 1
/// carry no claims (its coefficient runs to −∞), and — with an intercept — the base level of a
/// set of mutually exclusive 0/1 columns (the rows where all of them are 0): the intercept runs
/// to −∞ while those columns run to +∞. The sets are grown greedily in column order; any
/// mutually exclusive set makes a valid diagnosis.
fn claim_free_levels(x: ArrayView2<f64>, y: &[f64], label: &dyn Fn(usize) -> String) -> Result<()> {
    let (n, p) = x.dim();
    let indicator = |j: usize| {
        let col = x.column(j);
        col.iter().all(|&v| v == 0.0 || v == 1.0) && col.iter().any(|&v| v == 0.0)
    };
    let remedies = "merge it with a level that has claims (`merge` on a categorical factor), \
                    or drop its rows: the likelihood's supremum sets its relativity to 0, so \
                    fitting the other rows alone is the limiting fit";
    for j in (0..p).filter(|&j| indicator(j)) {
        let col = x.column(j);
        if col
            .iter()
            .zip(y)
            .filter(|(c, _)| **c == 1.0)
            .all(|(_, yv)| *yv == 0.0)
        {
            return Err(Error::NotIdentified {
                model: MODEL,
                reason: format!(
                    "{} is a level with no claims in any of its rows: its relativity is not \
                     estimable; {remedies}",
                    label(j)
                ),
            });
        }
    }
    let intercept = (0..p).any(|j| x.column(j).iter().all(|&v| v == 1.0));
    if !intercept {
        return Ok(());
    }
    let mut sets: Vec<(Vec<usize>, Vec<bool>)> = Vec::new();
    for j in (0..p).filter(|&j| indicator(j)) {
        let col = x.column(j);
        let free = sets
            .iter()
            .position(|(_, taken)| (0..n).all(|r| !(col[r] == 1.0 && taken[r])));
        let k = free.unwrap_or_else(|| {
            sets.push((Vec::new(), vec![false; n]));
            sets.len() - 1
        });
        sets[k].0.push(j);
        for r in 0..n {
            sets[k].1[r] |= col[r] == 1.0;
        }
    }
    for (columns, taken) in &sets {
        let base: Vec<usize> = (0..n).filter(|&r| !taken[r]).collect();
        if !base.is_empty() && base.iter().all(|&r| y[r] == 0.0) {
            let names: Vec<String> = columns.iter().map(|&j| label(j)).collect();
            return Err(Error::NotIdentified {
                model: MODEL,
                reason: format!(
                    "the base level of {} (the {} row(s) where all of them are 0, first row \
                     {}) has no claims: the intercept is not estimable (the design is not \
                     aliased); {remedies}",
                    names.join(", "),
                    base.len(),
                    base[0]
                ),
            });
        }
    }
    Ok(())
}

pub(super) fn check_shape(
    x: ArrayView2<f64>,
    n: usize,
    offset: Option<&[f64]>,
    weights: Option<&[f64]>,
) -> Result<()> {
    let rows = x.nrows();
    for (name, len) in [
        ("y", Some(n)),
        ("offset", offset.map(<[f64]>::len)),
        ("weights", weights.map(<[f64]>::len)),
    ] {
        if let Some(len) = len.filter(|&l| l != rows) {
            return Err(Error::LengthMismatch {
                model: MODEL,
                what: format!("the design's rows and `{name}`"),
                lengths: (rows, len),
            });
        }
    }
    for (i, row) in x.rows().into_iter().enumerate() {
        if let Some(&v) = row.iter().find(|v| !v.is_finite()) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: "x (row)",
                index: i,
                value: v,
                rule: "finite",
            });
        }
    }
    for (name, values, positive) in [("offset", offset, false), ("weights", weights, true)] {
        if let Some((i, &v)) = values.and_then(|v| {
            v.iter()
                .enumerate()
                .find(|(_, v)| !v.is_finite() || (positive && **v <= 0.0))
        }) {
            return Err(Error::InvalidElement {
                model: MODEL,
                parameter: if name == "offset" {
                    "offset (row)"
                } else {
                    "weights (row)"
                },
                index: i,
                value: v,
                rule: if positive { "finite and > 0" } else { "finite" },
            });
        }
    }
    Ok(())
}
