//! Hachemeister's regression credibility model: each entity's ratios follow its own linear
//! trend in the period, and the trends are credibility-weighted towards a collective one.

use super::{Panel, converge, relative_change};
use crate::error::{Error, Result};
use crate::numerics::invert;
use ndarray::{Array1, Array2, array};
use serde::{Deserialize, Serialize};

const MODEL: &str = "Hachemeister";

/// A fitted Hachemeister (1975) model with regressors (1, t), t the period, and the intercept
/// at the time origin t = 0 (R actuar's `cm(..., regformula = ~time)`, `adj.intercept =
/// FALSE`):
///
/// ```text
/// entity i: weighted least squares b_i = (X_iᵀW_iX_i)⁻¹X_iᵀW_i y_i, V_i = (X_iᵀW_iX_i)⁻¹,
///           σ̂_i² = Σ w r² / (n_i − 2);  σ̂² = mean σ̂_i²
/// iterate from Z_i = I, β = mean b_i (Goovaerts & Hoogstad 1987):
///   A = Σ Z_i (b_i − β)(b_i − β)ᵀ / (I − 1) (symmetrised),  Z_i = A (A + σ̂² V_i)⁻¹,
///   β = (Σ Z_i)⁻¹ Σ Z_i b_i,  until every β changes by < √ε relative
/// then A and Z_i once more at the final β;  credibility trend b̃_i = β + Z_i (b_i − β)
/// ```
/// The premium of entity i for period t is (1, t)·b̃_i.
///
/// Each entity needs at least three periods (two trend parameters and a residual).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hachemeister {
    entities: Vec<String>,
    collective: Vec<f64>,
    between: Vec<Vec<f64>>,
    within: f64,
    individual: Vec<Vec<f64>>,
    factors: Vec<Vec<Vec<f64>>>,
    adjusted: Vec<Vec<f64>>,
}

impl Hachemeister {
    /// Fits the model to a panel (groups ignored), the period as the regressor.
    pub fn fit(panel: &Panel) -> Result<Self> {
        let entities = panel.entities().len();
        if entities < 2 {
            return Err(Error::TooFew {
                model: MODEL,
                what: "entities",
                got: entities,
                need: 2,
            });
        }
        let mut individual = Vec::with_capacity(entities);
        let mut inverse_info = Vec::with_capacity(entities);
        let mut residual = Vec::with_capacity(entities);
        for i in 0..entities {
            let (t, y, w) = (&panel.periods()[i], &panel.ratios()[i], &panel.weights()[i]);
            if t.len() < 3 {
                return Err(inconsistent(format!(
                    "entity `{}` has {} period(s): a trend and its residual variance need at \
                     least three",
                    panel.entities()[i],
                    t.len()
                )));
            }
            let info = (0..t.len()).fold(Array2::<f64>::zeros((2, 2)), |m, k| {
                m + array![[w[k], w[k] * t[k]], [w[k] * t[k], w[k] * t[k] * t[k]]]
            });
            let rhs = (0..t.len()).fold(Array1::<f64>::zeros(2), |v, k| {
                v + array![w[k] * y[k], w[k] * t[k] * y[k]]
            });
            let v = invert(&info).ok_or_else(|| {
                inconsistent(format!(
                    "entity `{}`: its periods do not identify a trend",
                    panel.entities()[i]
                ))
            })?;
            let b = v.dot(&rhs);
            let rss: f64 = (0..t.len())
                .map(|k| w[k] * (y[k] - b[0] - b[1] * t[k]).powi(2))
                .sum();
            residual.push(rss / (t.len() - 2) as f64);
            individual.push(b);
            inverse_info.push(v);
        }
        let within = residual.iter().sum::<f64>() / entities as f64;
        let mut z = vec![Array2::<f64>::eye(2); entities];
        let mut beta = individual.iter().fold(Array1::zeros(2), |s, b| s + b) / entities as f64;
        let between_at = |beta: &Array1<f64>, z: &[Array2<f64>]| {
            let mut a = Array2::<f64>::zeros((2, 2));
            for (b, zi) in individual.iter().zip(z) {
                let d = b - beta;
                let outer = Array2::from_shape_fn((2, 2), |(r, c)| d[r] * d[c]);
                a = a + zi.dot(&outer);
            }
            a /= (entities - 1) as f64;
            (&a + &a.t()) / 2.0
        };
        let factors_at = |a: &Array2<f64>| -> Option<Vec<Array2<f64>>> {
            inverse_info
                .iter()
                .map(|v| invert(&(a + &(v * within))).map(|m| a.dot(&m)))
                .collect()
        };
        let singular = || inconsistent("the between covariance became singular".into());
        converge(MODEL, "between-covariance estimator", || {
            let previous = beta.clone();
            let a = between_at(&beta, &z);
            z = factors_at(&a).ok_or_else(singular)?;
            let total = z.iter().fold(Array2::zeros((2, 2)), |s, zi| s + zi);
            let weighted = z
                .iter()
                .zip(&individual)
                .fold(Array1::zeros(2), |s, (zi, b)| s + zi.dot(b));
            beta = invert(&total).ok_or_else(singular)?.dot(&weighted);
            Ok(relative_change(beta.iter().zip(&previous)))
        })?;
        let a = between_at(&beta, &z);
        let z = factors_at(&a).ok_or_else(singular)?;
        let adjusted = z
            .iter()
            .zip(&individual)
            .map(|(zi, b)| (&beta + &zi.dot(&(b - &beta))).to_vec())
            .collect();
        let rows = |m: &Array2<f64>| m.rows().into_iter().map(|r| r.to_vec()).collect();
        Ok(Self {
            entities: panel.entities().to_vec(),
            collective: beta.to_vec(),
            between: rows(&a),
            within,
            individual: individual.iter().map(|b| b.to_vec()).collect(),
            factors: z.iter().map(rows).collect(),
            adjusted,
        })
    }

    /// Entity ids.
    pub fn entities(&self) -> &[String] {
        &self.entities
    }

    /// Collective trend β = (intercept at t = 0, slope per period).
    pub fn collective(&self) -> &[f64] {
        &self.collective
    }

    /// Between-entity covariance A of the trends (2 × 2, rows).
    pub fn between_covariance(&self) -> &[Vec<f64>] {
        &self.between
    }

    /// Within-entity variance σ̂² per unit weight.
    pub fn within_variance(&self) -> f64 {
        self.within
    }

    /// Each entity's own weighted least-squares trend b_i.
    pub fn individual(&self) -> &[Vec<f64>] {
        &self.individual
    }

    /// Each entity's credibility matrix Z_i (2 × 2, rows).
    pub fn factors(&self) -> &[Vec<Vec<f64>>] {
        &self.factors
    }

    /// Each entity's credibility trend b̃_i.
    pub fn coefficients(&self) -> &[Vec<f64>] {
        &self.adjusted
    }

    /// Credibility premiums (1, t)·b̃_i of every entity for period `t`.
    pub fn premiums(&self, t: f64) -> Vec<f64> {
        self.adjusted.iter().map(|b| b[0] + b[1] * t).collect()
    }
}

fn inconsistent(message: String) -> Error {
    Error::Inconsistent {
        model: MODEL,
        message,
    }
}
