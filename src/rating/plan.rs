//! Rating plans: a GLM fitted on a [`RatingSpec`], read as a base rate times relativities.

use super::design::{Encoder, Factor, RatingSpec, numeric_column};
use super::glm::{GlmFamily, GlmFit, GlmOptions, fit_glm_labelled};
use crate::error::{Error, Result};
use crate::table::Table;
use ndarray::Array2;
use serde::{Deserialize, Serialize};

/// A fitted rating plan: expected response = base × Π relativities (× exposure).
///
/// ```
/// use kexian::rating::{GlmFamily, RatingPlan, RatingSpec};
/// use kexian::table::Table;
/// let csv = "claims,exposure,sector\n1,1,ic\n3,1,ic\n4,2,ai\n8,2,ai\n";
/// let table = Table::from_reader("firms.csv", csv.as_bytes())?;
/// let spec: RatingSpec = serde_json::from_str(
///     r#"{"response": "claims", "exposure": "exposure",
///         "factors": [{"kind": "categorical", "column": "sector", "base": "ic"}]}"#,
/// ).unwrap();
/// let plan = RatingPlan::fit(GlmFamily::Poisson, &spec, &table)?;
/// assert!((plan.base() - 2.0).abs() < 1e-9); // 4 claims in 2 years
/// assert!((plan.relativity("sector", "ai")? - 1.5).abs() < 1e-9);
/// assert!(plan.relativity("sector", "biomed").is_err());
/// # Ok::<(), kexian::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Unchecked")]
pub struct RatingPlan {
    spec: RatingSpec,
    encoder: Encoder,
    columns: Vec<String>,
    glm: GlmFit,
    warnings: Vec<PlanWarning>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Unchecked {
    spec: RatingSpec,
    encoder: Encoder,
    columns: Vec<String>,
    glm: GlmFit,
    #[serde(default)]
    warnings: Vec<PlanWarning>,
}

/// Something about a fitted plan that does not stop it but that its user should know.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum PlanWarning {
    /// Every training row falls in one level, so the factor has no column and rates nothing
    /// (e.g. scores of 0–100 on the default 0–1000 scale: all in T1).
    SingleLevel {
        /// Factor (column) name.
        factor: String,
        /// The one level seen.
        level: String,
    },
}

impl TryFrom<Unchecked> for RatingPlan {
    type Error = Error;
    fn try_from(u: Unchecked) -> Result<Self> {
        let names = u.encoder.names();
        let ok = names == u.columns
            && u.glm.coefficients.len() == names.len()
            && u.glm.coefficients.iter().all(|b| b.is_finite());
        if !ok {
            return Err(Error::Inconsistent {
                model: "RatingPlan",
                message: "the coefficients do not match the plan's columns".into(),
            });
        }
        Ok(Self {
            spec: u.spec,
            encoder: u.encoder,
            columns: u.columns,
            glm: u.glm,
            warnings: u.warnings,
        })
    }
}

/// One line of a plan's relativity table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Relativity {
    /// Factor (column) name, or `a:b` for an interaction.
    pub factor: String,
    /// Level label; `per unit` for numeric factors; the column for interactions.
    pub level: String,
    /// exp(β): 1 for the base level.
    pub relativity: f64,
    /// Standard error of the relativity, exp(β)·SE(β) (delta method; 0 for the base level).
    pub std_error: f64,
    /// Standard error of β, the log relativity (the GLM's).
    pub log_std_error: f64,
    /// 95% interval of the relativity, exp(β ± 1.96·SE(β)) (the Wald interval of β mapped to
    /// the relativity scale; \[1, 1\] for the base level).
    pub interval: (f64, f64),
}

impl Relativity {
    fn new(factor: String, level: String, beta: f64, se: f64) -> Self {
        let z = crate::numerics::normal_quantile(0.975);
        let relativity = beta.exp();
        Self {
            factor,
            level,
            relativity,
            std_error: relativity * se,
            log_std_error: se,
            interval: ((beta - z * se).exp(), (beta + z * se).exp()),
        }
    }
}

impl RatingPlan {
    /// Fits `family` to the table's response with the spec's factors, offset ln(exposure)
    /// and weights. Score-tier factors marked `monotone` have adjacent tiers merged (first
    /// violation first, then refit) until their relativities do not increase with the score;
    /// a tier without any claims is merged into the tier below (the lowest into the one
    /// above) before fitting. Every refit is a full GLM fit, so the plan reproduces its fitted
    /// means exactly. Any other level without claims, the base included, is an error naming
    /// it, with the remedies (a `merge` on the factor, or dropping its rows); a factor with
    /// one level is a [`PlanWarning`].
    pub fn fit(family: GlmFamily, spec: &RatingSpec, table: &Table) -> Result<Self> {
        let mut encoder = Encoder::learn(spec, table)?;
        let y = numeric_column(table, &spec.response, |v| v >= 0.0, ">= 0")?;
        let offset = match &spec.exposure {
            Some(e) => Some(
                numeric_column(table, e, |v| v > 0.0, "> 0")?
                    .into_iter()
                    .map(f64::ln)
                    .collect::<Vec<_>>(),
            ),
            None => None,
        };
        let weights = match &spec.weight {
            Some(w) => Some(numeric_column(table, w, |v| v > 0.0, "> 0")?),
            None => None,
        };
        let warnings: Vec<PlanWarning> = encoder
            .factors
            .iter()
            .filter(|f| !matches!(f.factor, Factor::Numeric { .. }) && f.levels.len() == 1)
            .map(|f| PlanWarning::SingleLevel {
                factor: f.factor.column().to_owned(),
                level: f.levels[0].clone(),
            })
            .collect();
        loop {
            let x = encoder.design(table)?;
            let empty = empty_groups(&encoder, &x, &y);
            if let Some(&(k, g, _)) = empty.iter().find(|(k, _, _)| {
                matches!(
                    encoder.factors[*k].factor,
                    Factor::ScoreTier { monotone: true, .. }
                )
            }) {
                encoder.merge(k, g.saturating_sub(1));
                continue;
            }
            if !empty.is_empty() {
                let all: Vec<String> = empty
                    .iter()
                    .map(|&(k, g, rows)| claim_free(&encoder, k, g, rows))
                    .collect();
                return Err(Error::Inconsistent {
                    model: "RatingPlan",
                    message: all.join("\n"),
                });
            }
            let columns = encoder.names();
            let label = |j: usize| format!("column `{}`", columns[j]);
            let glm = fit_glm_labelled(
                family,
                x.view(),
                &y,
                offset.as_deref(),
                weights.as_deref(),
                &GlmOptions::default(),
                &label,
            )?;
            let plan = Self {
                spec: spec.clone(),
                encoder: encoder.clone(),
                columns,
                glm,
                warnings: warnings.clone(),
            };
            match plan.first_monotone_violation() {
                Some((k, g)) => encoder.merge(k, g),
                None => return Ok(plan),
            }
        }
    }

    /// The first adjacent pair of groups (factor, group) of a monotone score factor whose
    /// relativity rises with the score.
    fn first_monotone_violation(&self) -> Option<(usize, usize)> {
        let mut start = 1;
        for (k, f) in self.encoder.factors.iter().enumerate() {
            let names = f.names().len();
            if let Factor::ScoreTier { monotone: true, .. } = f.factor {
                let coef = |g: usize| f.slot(g).map_or(0.0, |s| self.glm.coefficients[start + s]);
                let groups = f.group.last().map_or(0, |g| g + 1);
                if let Some(g) = (0..groups.saturating_sub(1)).find(|&g| coef(g + 1) > coef(g)) {
                    return Some((k, g));
                }
            }
            start += names;
        }
        None
    }

    /// Warnings raised while fitting.
    pub fn warnings(&self) -> &[PlanWarning] {
        &self.warnings
    }

    /// The fitted GLM (coefficients in [`columns`](Self::columns) order).
    pub fn glm(&self) -> &GlmFit {
        &self.glm
    }

    /// Design column names.
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The spec the plan was fitted on.
    pub fn spec(&self) -> &RatingSpec {
        &self.spec
    }

    /// Expected response of a firm at every base level with centred numeric factors at 0,
    /// per unit of exposure: exp(intercept).
    pub fn base(&self) -> f64 {
        self.glm.coefficients[0].exp()
    }

    /// Relativity of a level of a factor (merged levels share theirs); for a numeric factor
    /// pass `"per unit"`. Errors name unknown factors and levels.
    pub fn relativity(&self, factor: &str, level: &str) -> Result<f64> {
        self.relativities()
            .into_iter()
            .find(|r| r.factor == factor && r.level == level)
            .map(|r| r.relativity)
            .ok_or_else(|| Error::Unknown {
                model: "RatingPlan",
                kind: "level",
                name: level.to_owned(),
                context: format!(" of factor `{factor}` in the plan"),
            })
    }

    /// The full relativity table: every level of every factor (base levels with 1), then
    /// numeric and interaction terms per unit.
    pub fn relativities(&self) -> Vec<Relativity> {
        let beta = &self.glm.coefficients;
        let se = &self.glm.std_errors;
        let mut out = Vec::new();
        let mut start = 1;
        for f in &self.encoder.factors {
            let column = f.factor.column().to_owned();
            if let Factor::Numeric { .. } = f.factor {
                out.push(Relativity::new(
                    column,
                    "per unit".into(),
                    beta[start],
                    se[start],
                ));
                start += 1;
                continue;
            }
            for (level, &g) in f.levels.iter().zip(&f.group) {
                let (b, s) = f
                    .slot(g)
                    .map_or((0.0, 0.0), |k| (beta[start + k], se[start + k]));
                out.push(Relativity::new(column.clone(), level.clone(), b, s));
            }
            start += f.names().len();
        }
        for j in start..self.columns.len() {
            let name = &self.columns[j];
            out.push(Relativity::new(
                name.clone(),
                "per unit".into(),
                beta[j],
                se[j],
            ));
        }
        out
    }

    /// Why each row of `table` is rated as it is: for every factor, the row's level (or
    /// value) and its relativity, then interaction terms; the product of the relativities
    /// times [`base`](Self::base) is the row's prediction per unit of exposure.
    pub fn explain(&self, table: &Table) -> Result<Vec<Vec<(String, String, f64)>>> {
        (0..table.len())
            .map(|row| self.encoder.explain_row(table, row, &self.glm.coefficients))
            .collect()
    }

    /// Expected response for each row of `table` (new firms or the training data): base ×
    /// relativities, times exposure when the spec's exposure column is in the table. Unknown
    /// levels, bad numbers and off-scale scores are errors naming the line.
    pub fn predict(&self, table: &Table) -> Result<Vec<f64>> {
        let x = self.encoder.design(table)?;
        let offset = match &self.spec.exposure {
            Some(e) if table.column(e).is_ok() => Some(
                numeric_column(table, e, |v| v > 0.0, "> 0")?
                    .into_iter()
                    .map(f64::ln)
                    .collect::<Vec<_>>(),
            ),
            _ => None,
        };
        let predicted = self.glm.predict(x.view(), offset.as_deref())?;
        // exp(xβ) overflows (or underflows to a useless 0) only for covariates far outside
        // the training data, typically a unit mistake: say which factor drove it.
        if let Some(row) = predicted.iter().position(|p| !(p.is_finite() && *p > 0.0)) {
            let beta = &self.glm.coefficients;
            let (j, _) = (1..beta.len())
                .map(|j| (j, (beta[j] * x[[row, j]]).abs()))
                .fold((0, -1.0), |best, c| if c.1 > best.1 { c } else { best });
            let factor = self.columns[j].as_str();
            let column = self
                .encoder
                .source_column(j)
                .and_then(|c| table.column(c).ok())
                .unwrap_or(0);
            return Err(table.error(
                row,
                column,
                &format!(
                    "the rating plan's prediction is {} (term `{factor}` contributes \
                     exp({:.3e})): the value is far outside the training data — check its \
                     unit (e.g. a revenue in 元 where its logarithm is expected)",
                    predicted[row],
                    beta[j] * x[[row, j]]
                ),
            ));
        }
        Ok(predicted)
    }
}

/// Every group of a level factor (with more than one group) whose rows carry no response:
/// (factor, group, rows).
fn empty_groups(encoder: &Encoder, x: &Array2<f64>, y: &[f64]) -> Vec<(usize, usize, usize)> {
    let mut out = Vec::new();
    let mut start = 1;
    for (k, f) in encoder.factors.iter().enumerate() {
        let width = f.names().len();
        let groups = f.group.last().map_or(0, |g| g + 1);
        if !matches!(f.factor, Factor::Numeric { .. }) && groups > 1 {
            let mut rows = vec![0usize; groups];
            let mut total = vec![0.0; groups];
            for (r, yr) in y.iter().enumerate() {
                let g = (0..groups)
                    .find(|&g| f.slot(g).is_some_and(|j| x[[r, start + j]] == 1.0))
                    .unwrap_or(f.base);
                rows[g] += 1;
                total[g] += yr;
            }
            out.extend(
                (0..groups)
                    .filter(|&g| rows[g] > 0 && total[g] == 0.0)
                    .map(|g| (k, g, rows[g])),
            );
        }
        start += width;
    }
    out
}

/// The message for a level group without claims, naming it and the remedies.
fn claim_free(encoder: &Encoder, k: usize, g: usize, rows: usize) -> String {
    let f = &encoder.factors[k];
    let members: Vec<&str> = f
        .levels
        .iter()
        .zip(&f.group)
        .filter(|(_, gg)| **gg == g)
        .map(|(l, _)| l.as_str())
        .collect();
    let neighbour = f
        .levels
        .iter()
        .zip(&f.group)
        .find(|(_, gg)| **gg != g)
        .map_or("another level", |(l, _)| l.as_str());
    let role = if g == f.base { " (the base level)" } else { "" };
    let merge = match f.factor {
        Factor::Categorical { .. } => format!(
            "merge it with a level that has claims, e.g. \"merge\": {{\"{}\": \"{neighbour}\"}} \
             on the factor",
            members[0]
        ),
        Factor::ScoreTier { .. } => {
            "merge tiers: `\"monotone\": true` merges a claim-free tier into its neighbour, or \
             use a scale with fewer tiers"
                .to_owned()
        }
        _ => "merge bands: use fewer cuts".to_owned(),
    };
    format!(
        "level `{}` of `{}`{role} has no claims in any of its {rows} row(s): its relativity \
         is not estimable (the maximum-likelihood fit does not exist). Remedies: {merge}; or \
         drop its rows (the limiting fit gives it relativity 0)",
        members.join("+"),
        f.factor.column(),
    )
}
