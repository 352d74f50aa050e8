//! Rating factors and the design matrix they make from a table of firms.

use super::score::ScoreScale;
use crate::error::{Error, Result};
use crate::table::Table;
use ndarray::{Array2, ArrayView1};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

const MODEL: &str = "RatingSpec";

/// How one input column enters the linear predictor. The factor's name is its column name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum Factor {
    /// One 0/1 column per level other than the base. Levels are those seen in the training
    /// data; the base defaults to the level with the most exposure (the spec's exposure
    /// column; rows when there is none), ties going to the first in sorted order, as rating
    /// practice does, so that the other relativities are measured against the best-known
    /// level.
    Categorical {
        /// Column name.
        column: String,
        /// Base level (relativity 1).
        #[serde(default)]
        base: Option<String>,
        /// Levels read as another level (`{"B": "A"}`: rows of B are rated as A), e.g. to
        /// merge a level without claims into a neighbour. Targets must occur in the data and
        /// not be merged themselves.
        #[serde(default)]
        merge: BTreeMap<String, String>,
    },
    /// A numeric column cut into bands `<c₁`, `[c₁, c₂)`, …, `>=c_k`, then treated as
    /// categorical (bands seen in training only; base as for categorical factors).
    Banded {
        /// Column name.
        column: String,
        /// Strictly increasing cut-points.
        cuts: Vec<f64>,
        /// Base band label, e.g. `"[100, 500)"`.
        #[serde(default)]
        base: Option<String>,
    },
    /// A numeric covariate entering as `t(x) − center` with `t` its [`Transform`]; its
    /// relativity exp(β) is per unit of t(x).
    Numeric {
        /// Column name.
        column: String,
        /// identity (default), `ln` (x > 0) or `ln1p` (ln(1 + x), x ≥ 0: counts with zeros,
        /// such as patents).
        #[serde(default)]
        transform: Transform,
        /// Value subtracted so that the intercept refers to a typical firm.
        #[serde(default)]
        center: f64,
    },
    /// The 沪科积分 in tiers `T1`…`Tk` of `scale` (tiers seen in training). With `monotone`,
    /// adjacent tiers are merged until relativities do not increase with the score (阶梯式).
    ScoreTier {
        /// Column name.
        column: String,
        /// Scale and cut-points; default: the assumption set's scale in a quote
        /// ([`RatingSpec::with_scale`]), 0–1000 in five tiers otherwise.
        #[serde(default)]
        scale: Option<ScoreScale>,
        /// Force relativities to be non-increasing in the score.
        #[serde(default)]
        monotone: bool,
        /// Base tier (relativity 1), e.g. `"T3"` for the tier most firms are in; default the
        /// lowest tier seen.
        #[serde(default)]
        base: Option<String>,
    },
}

/// How a numeric factor's values enter the linear predictor.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Transform {
    /// x.
    #[default]
    Identity,
    /// ln x, x > 0.
    Ln,
    /// ln(1 + x), x ≥ 0.
    Ln1p,
}

impl Factor {
    /// The column (and factor) name.
    pub fn column(&self) -> &str {
        match self {
            Self::Categorical { column, .. }
            | Self::Banded { column, .. }
            | Self::Numeric { column, .. }
            | Self::ScoreTier { column, .. } => column,
        }
    }
}

/// Which columns of a table make the response, offset, weights and rating factors.
///
/// ```
/// use kexian::rating::RatingSpec;
/// let spec: RatingSpec = serde_json::from_str(r#"{
///     "response": "claims", "exposure": "exposure",
///     "factors": [
///         {"kind": "score_tier", "column": "score", "monotone": true},
///         {"kind": "categorical", "column": "sector", "base": "ic"},
///         {"kind": "numeric", "column": "revenue", "transform": "ln", "center": 17.0},
///         {"kind": "numeric", "column": "patents", "transform": "ln1p"}
///     ],
///     "interactions": [["sector", "revenue"]]
/// }"#)?;
/// assert_eq!(spec.factors.len(), 4);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RatingSpec {
    /// Rating factors (names must be unique).
    pub factors: Vec<Factor>,
    /// Pairs of factor names whose product columns are added.
    #[serde(default)]
    pub interactions: Vec<[String; 2]>,
    /// Response column (claim counts, average severity or loss).
    pub response: String,
    /// Exposure column (> 0); its log is the offset.
    #[serde(default)]
    pub exposure: Option<String>,
    /// Prior-weight column (> 0).
    #[serde(default)]
    pub weight: Option<String>,
}

impl RatingSpec {
    /// The spec with `scale` for every score-tier factor that names none.
    pub fn with_scale(&self, scale: &ScoreScale) -> Self {
        let mut spec = self.clone();
        for f in &mut spec.factors {
            if let Factor::ScoreTier {
                scale: s @ None, ..
            } = f
            {
                *s = Some(scale.clone());
            }
        }
        spec
    }
}

/// A factor with the levels learned from training data, and how levels are grouped (groups
/// are runs of adjacent levels sharing one coefficient; the base group has none).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Encoded {
    pub(crate) factor: Factor,
    pub(crate) levels: Vec<String>,
    pub(crate) group: Vec<usize>,
    pub(crate) base: usize,
}

impl Encoded {
    fn groups(&self) -> usize {
        self.group.last().map_or(0, |g| g + 1)
    }

    /// Number of design columns.
    fn width(&self) -> usize {
        match self.factor {
            Factor::Numeric { .. } => 1,
            _ => self.groups() - 1,
        }
    }

    /// Design column index (within the factor) of a group; `None` for the base group.
    pub(crate) fn slot(&self, group: usize) -> Option<usize> {
        (group != self.base).then(|| group - usize::from(group > self.base))
    }

    pub(crate) fn names(&self) -> Vec<String> {
        let column = self.factor.column();
        match self.factor {
            Factor::Numeric { transform, .. } => vec![match transform {
                Transform::Identity => column.to_owned(),
                Transform::Ln => format!("ln({column})"),
                Transform::Ln1p => format!("ln(1+{column})"),
            }],
            _ => (0..self.groups())
                .filter(|&g| g != self.base)
                .map(|g| {
                    let members: Vec<&str> = self
                        .levels
                        .iter()
                        .zip(&self.group)
                        .filter(|(_, gg)| **gg == g)
                        .map(|(l, _)| l.as_str())
                        .collect();
                    format!("{column}={}", members.join("+"))
                })
                .collect(),
        }
    }

    /// The level label of a row (`None` for numeric factors) or its numeric value.
    fn read(&self, table: &Table, row: usize, col: usize) -> Result<Cell> {
        match &self.factor {
            Factor::Categorical { merge, .. } => {
                let level = table.text(row, col);
                Ok(Cell::Level(
                    merge.get(level).map_or(level, String::as_str).to_owned(),
                ))
            }
            Factor::Banded { cuts, .. } => {
                let v = table.number(row, col)?;
                Ok(Cell::Level(band_label(
                    cuts,
                    cuts.iter().take_while(|&&c| v >= c).count(),
                )))
            }
            Factor::ScoreTier { scale, .. } => {
                let default;
                let scale = match scale {
                    Some(s) => s,
                    None => {
                        default = ScoreScale::default();
                        &default
                    }
                };
                let v = table.number(row, col)?;
                let tier = scale
                    .tier(v)
                    .map_err(|e| table.error(row, col, &e.to_string()))?;
                Ok(Cell::Level(format!("T{tier}")))
            }
            Factor::Numeric {
                transform, center, ..
            } => {
                let v = match transform {
                    Transform::Identity => table.number(row, col)?,
                    Transform::Ln => table
                        .number_where(row, col, |v| v > 0.0, "> 0 (transform ln)")?
                        .ln(),
                    Transform::Ln1p => table
                        .number_where(row, col, |v| v >= 0.0, ">= 0 (transform ln1p)")?
                        .ln_1p(),
                };
                Ok(Cell::Value(v - center))
            }
        }
    }

    /// Writes this factor's design columns for a row; unknown levels are errors.
    fn encode(&self, cell: &Cell, out: &mut [f64]) -> std::result::Result<(), String> {
        out.fill(0.0);
        match cell {
            Cell::Value(v) => out[0] = *v,
            Cell::Level(level) => {
                let i = self.levels.iter().position(|l| l == level).ok_or_else(|| {
                    format!(
                        "level `{level}` was not in the training data (known: {})",
                        self.levels.join(", ")
                    )
                })?;
                if let Some(s) = self.slot(self.group[i]) {
                    out[s] = 1.0;
                }
            }
        }
        Ok(())
    }
}

enum Cell {
    Level(String),
    Value(f64),
}

fn band_label(cuts: &[f64], band: usize) -> String {
    match band {
        0 => format!("<{}", cuts[0]),
        b if b == cuts.len() => format!(">={}", cuts[b - 1]),
        b => format!("[{}, {})", cuts[b - 1], cuts[b]),
    }
}

/// The learned encoding of a [`RatingSpec`]: intercept, factor columns, interaction columns.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Encoder {
    pub(crate) factors: Vec<Encoded>,
    interactions: Vec<[usize; 2]>,
}

impl Encoder {
    /// Learns levels and bases from the training table.
    pub(crate) fn learn(spec: &RatingSpec, table: &Table) -> Result<Self> {
        if table.is_empty() {
            return Err(Error::Empty {
                model: MODEL,
                parameter: "table rows",
            });
        }
        let exposure = match &spec.exposure {
            Some(e) => numeric_column(table, e, |v| v > 0.0, "> 0")?,
            None => vec![1.0; table.len()],
        };
        let mut factors: Vec<Encoded> = Vec::with_capacity(spec.factors.len());
        for factor in &spec.factors {
            let column = factor.column();
            if factors.iter().any(|f| f.factor.column() == column) {
                return Err(inconsistent(format!("factor `{column}` is listed twice")));
            }
            if let Factor::Banded { cuts, .. } = factor {
                let increasing = cuts.windows(2).all(|w| w[0] < w[1]);
                if cuts.is_empty() || !increasing || cuts.iter().any(|c| !c.is_finite()) {
                    return Err(inconsistent(format!(
                        "bands of `{column}` need finite, strictly increasing cuts"
                    )));
                }
            }
            let mut encoded = Encoded {
                factor: factor.clone(),
                levels: vec![],
                group: vec![],
                base: 0,
            };
            let col = table.column(column)?;
            if let Factor::Numeric { center, .. } = factor {
                crate::numerics::validate::finite(MODEL, "center", *center)?;
                for row in 0..table.len() {
                    encoded.read(table, row, col)?;
                }
            } else {
                if let Factor::Categorical { merge, .. } = factor {
                    check_merge(table, col, column, merge)?;
                }
                // (level, exposure) in first-seen order, then sorted.
                let mut counts: Vec<(String, f64)> = vec![];
                for (row, e) in exposure.iter().enumerate() {
                    if let Cell::Level(l) = encoded.read(table, row, col)? {
                        match counts.iter_mut().find(|(k, _)| *k == l) {
                            Some((_, n)) => *n += e,
                            None => counts.push((l, *e)),
                        }
                    }
                }
                sort_levels(factor, &mut counts);
                encoded.levels = counts.iter().map(|(l, _)| l.clone()).collect();
                encoded.group = (0..counts.len()).collect();
                encoded.base = match factor {
                    Factor::Categorical { base: Some(b), .. }
                    | Factor::Banded { base: Some(b), .. }
                    | Factor::ScoreTier { base: Some(b), .. } => {
                        encoded.levels.iter().position(|l| l == b).ok_or_else(|| {
                            inconsistent(format!(
                                "base level `{b}` of `{column}` does not occur in the data \
                                 (levels: {})",
                                encoded.levels.join(", ")
                            ))
                        })?
                    }
                    Factor::ScoreTier { .. } => 0,
                    _ => {
                        let most = counts.iter().map(|(_, n)| *n).fold(0.0, f64::max);
                        counts.iter().position(|(_, n)| *n == most).unwrap_or(0)
                    }
                };
            }
            factors.push(encoded);
        }
        let find = |name: &str| {
            factors
                .iter()
                .position(|f| f.factor.column() == name)
                .ok_or_else(|| inconsistent(format!("interaction names unknown factor `{name}`")))
        };
        let interactions = spec
            .interactions
            .iter()
            .map(|[a, b]| {
                let pair = [find(a)?, find(b)?];
                if pair[0] == pair[1] {
                    return Err(inconsistent(format!("`{a}` cannot interact with itself")));
                }
                Ok(pair)
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Self {
            factors,
            interactions,
        })
    }

    /// The input column behind design column `j` (`None` for the intercept and interactions).
    pub(crate) fn source_column(&self, j: usize) -> Option<&str> {
        let mut start = 1;
        for f in &self.factors {
            let width = f.names().len();
            if (start..start + width).contains(&j) {
                return Some(f.factor.column());
            }
            start += width;
        }
        None
    }

    /// Column names: `intercept`, factor columns, then interaction columns `a:b`.
    pub(crate) fn names(&self) -> Vec<String> {
        let mut names = vec!["intercept".to_owned()];
        for f in &self.factors {
            names.extend(f.names());
        }
        for &[a, b] in &self.interactions {
            for na in self.factors[a].names() {
                for nb in self.factors[b].names() {
                    names.push(format!("{na}:{nb}"));
                }
            }
        }
        names
    }

    /// The design matrix of a table; unknown levels and bad cells are errors naming the line.
    pub(crate) fn design(&self, table: &Table) -> Result<Array2<f64>> {
        let widths: Vec<usize> = self.factors.iter().map(Encoded::width).collect();
        let starts: Vec<usize> = widths
            .iter()
            .scan(1, |s, w| {
                let start = *s;
                *s += w;
                Some(start)
            })
            .collect();
        let columns: Vec<usize> = self
            .factors
            .iter()
            .map(|f| table.column(f.factor.column()))
            .collect::<Result<_>>()?;
        let total = self.names().len();
        let mut x = Array2::<f64>::zeros((table.len(), total));
        let mut out = vec![0.0; total];
        for row in 0..table.len() {
            out[0] = 1.0;
            for (k, f) in self.factors.iter().enumerate() {
                let cell = f.read(table, row, columns[k])?;
                let slice = &mut out[starts[k]..starts[k] + widths[k]];
                f.encode(&cell, slice)
                    .map_err(|m| table.error(row, columns[k], &m))?;
            }
            let mut next = starts.last().map_or(1, |s| s + widths[widths.len() - 1]);
            for &[a, b] in &self.interactions {
                for i in 0..widths[a] {
                    for j in 0..widths[b] {
                        out[next] = out[starts[a] + i] * out[starts[b] + j];
                        next += 1;
                    }
                }
            }
            x.row_mut(row).assign(&ArrayView1::from(&out));
        }
        Ok(x)
    }

    /// For one row: (factor, level or value, relativity) per factor, then one line per
    /// interaction term, with relativities exp(β·x) from `beta` (intercept excluded).
    pub(crate) fn explain_row(
        &self,
        table: &Table,
        row: usize,
        beta: &[f64],
    ) -> Result<Vec<(String, String, f64)>> {
        let x = self.design(&table.select(&[row]))?;
        let mut out = Vec::new();
        let mut start = 1;
        for f in &self.factors {
            let width = f.names().len();
            let col = table.column(f.factor.column())?;
            let label = match f.read(table, row, col)? {
                Cell::Level(l) => l,
                Cell::Value(v) => format!("{v}"),
            };
            let eta: f64 = (start..start + width).map(|j| beta[j] * x[[0, j]]).sum();
            out.push((f.factor.column().to_owned(), label, eta.exp()));
            start += width;
        }
        let names = self.names();
        for (j, name) in names.iter().enumerate().skip(start) {
            out.push((
                name.clone(),
                format!("{}", x[[0, j]]),
                (beta[j] * x[[0, j]]).exp(),
            ));
        }
        Ok(out)
    }

    /// Merges group `g` of factor `k` with group `g + 1`.
    pub(crate) fn merge(&mut self, k: usize, g: usize) {
        let f = &mut self.factors[k];
        for grp in &mut f.group {
            if *grp > g {
                *grp -= 1;
            }
        }
        if f.base > g {
            f.base -= 1;
        }
    }
}

/// A merge map's targets must occur in the column and not be merged themselves.
fn check_merge(
    table: &Table,
    col: usize,
    column: &str,
    merge: &BTreeMap<String, String>,
) -> Result<()> {
    for (from, to) in merge {
        if merge.contains_key(to) || from == to {
            return Err(inconsistent(format!(
                "merge of `{column}`: `{from}` → `{to}` is a chain or a loop (merge into a level \
                 that is not merged itself)"
            )));
        }
        if !(0..table.len()).any(|row| table.text(row, col) == to) {
            return Err(inconsistent(format!(
                "merge of `{column}`: target level `{to}` does not occur in the data"
            )));
        }
    }
    Ok(())
}

/// Sorts levels: bands and tiers in their natural order, categories alphabetically.
fn sort_levels(factor: &Factor, counts: &mut [(String, f64)]) {
    match factor {
        Factor::Banded { cuts, .. } => {
            let order = |l: &str| (0..=cuts.len()).position(|b| band_label(cuts, b) == l);
            counts.sort_by_key(|(l, _)| order(l));
        }
        Factor::ScoreTier { .. } => {
            counts.sort_by_key(|(l, _)| l[1..].parse::<usize>().unwrap_or(usize::MAX));
        }
        _ => counts.sort_by(|a, b| a.0.cmp(&b.0)),
    }
}

fn inconsistent(message: String) -> Error {
    Error::Inconsistent {
        model: MODEL,
        message,
    }
}

/// A numeric column of `table` as a vector, each cell checked by `ok` (rule text for errors).
pub(crate) fn numeric_column(
    table: &Table,
    name: &str,
    ok: impl Fn(f64) -> bool,
    rule: &str,
) -> Result<Vec<f64>> {
    let col = table.column(name)?;
    (0..table.len())
        .map(|row| table.number_where(row, col, &ok, rule))
        .collect()
}
