//! Rate tables (费率表): for each product of a quoted book, a base rate and factor tables —
//! sector, size band, stage, 沪科积分 tier, risk-reduction measures and the mechanism's own
//! variables (R&D project and stage, the loan's default probability, patents, log revenue) —
//! with increased-limit factors and deductible credits from layer expected values
//! ([`TermsTables`]) and the co-insurance share, such that
//!
//! expected loss ≈ base rate × Π relativities × exposure / per × (ILF(u) − D(d)) · α/α₀,
//!
//! checked cover by cover against the quote's expected loss (its closed form × the quote's
//! line factor, capped where the quote caps it), the residual shown and held to a stated
//! tolerance.
//!
//! Pipeline position: `quote → rates`. The relativities are a gamma GLM (log link) of the
//! covers' expected losses with offset ln(exposure × terms factor): relative errors weigh
//! alike, and a factor the model does not vary on comes out at 1 and is left out.

mod terms;

pub use terms::{BaseTerms, TermsFactor, TermsTables};

use crate::assumptions::{Assumptions, Mechanism, Product};
use crate::book::{Cover, Firm};
use crate::coverage::{ClaimTerms, CoverTerms};
use crate::error::{Error, Result};
use crate::perils::Peril;
use crate::quote::QuoteRun;
use crate::rating::{Factor, GlmFamily, RatingPlan, RatingSpec, Transform};
use crate::table::{Column, Table};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The expected payment of a reference risk under other terms.
pub(crate) type Pricer<'a> = dyn Fn(&CoverTerms) -> Result<f64> + 'a;

/// How rate tables are made and checked.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RateConfig {
    /// Largest |table / expected loss − 1| allowed for a cover (default 0.05).
    pub tolerance: f64,
    /// Units of exposure (元) a rate is quoted per, for products rated on one (default 1,000).
    pub per: f64,
}

impl Default for RateConfig {
    fn default() -> Self {
        Self {
            tolerance: 0.05,
            per: 1000.0,
        }
    }
}

/// One relativity of a rate table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateFactor {
    /// Factor: `sector`, `size`, `stage`, `score` (tiers), `measures`, `project_stage`,
    /// `terms`, or a numeric variable.
    pub factor: String,
    /// Level, or `per unit above c` for a numeric variable (the relativity is per unit of
    /// its transform above the centre c).
    pub level: String,
    /// Relativity (1 at the base level; 0 for a level that cannot pay in the term).
    pub relativity: f64,
}

/// One cover checked against its product's table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RatedCover {
    /// Firm.
    pub firm: String,
    /// The quote's expected loss by closed form: min(line factor × expected payment, the
    /// most the cover can pay) (元).
    pub expected_loss: f64,
    /// What the table gives, capped alike (元).
    pub table: f64,
    /// table / expected loss − 1 (0 when both are 0).
    pub residual: f64,
    /// The quote's simulated rated expected loss before the firm's own experience
    /// modification (元), which estimates `expected_loss`.
    pub quoted_expected_loss: f64,
}

/// A product's rate table and its check on the book.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RateTable {
    /// Product.
    pub product: String,
    /// Its Chinese name.
    pub name_zh: String,
    /// Its line.
    pub line: String,
    /// What the rate is per: `per` 元 of this exposure, or per policy when `None`.
    pub exposure: Option<String>,
    /// Units of exposure a rate is per (1 per policy).
    pub per: f64,
    /// Expected loss per `per` at every base level and the base terms (元).
    pub base_rate: f64,
    /// Relativities (base levels included).
    pub factors: Vec<RateFactor>,
    /// ILFs and deductible credits, when the covers carry per-claim terms.
    pub terms: Option<TermsTables>,
    /// Gross premium / expected loss of the product's covers in the book: the loading the
    /// quotes add (risk, reinsurance, expenses, commission, profit).
    pub loading: f64,
    /// The tolerance held.
    pub tolerance: f64,
    /// Largest |residual| over the covers.
    pub max_residual: f64,
    /// Every cover of the product in the book.
    pub covers: Vec<RatedCover>,
}

/// One cover of the book as the tables see it.
struct Row<'a> {
    firm: &'a Firm,
    cover: &'a Cover,
    /// Closed-form expected payment under the cover's terms.
    payment: f64,
    /// The quote's line factor × `payment`.
    expected: f64,
    cap: f64,
    quoted: f64,
    premium: f64,
}

/// The rate tables of every product the quoted book holds, in catalogue order. `plan_line` is
/// the line the rating plan applies to (its experience modification is the firm's own and
/// stays out of the tables). Errors: a quote run of another book.
pub fn rate_tables(
    assumptions: &Assumptions,
    firms: &[Firm],
    run: &QuoteRun,
    plan_line: Option<&str>,
    config: &RateConfig,
) -> Result<Vec<RateTable>> {
    if !(config.tolerance > 0.0 && config.per > 0.0 && config.per.is_finite()) {
        return Err(Error::Inconsistent {
            model: "RateConfig",
            message: format!(
                "tolerance {} and per {} must be > 0 and finite",
                config.tolerance, config.per
            ),
        });
    }
    if run.quotes.len() != firms.len() {
        return Err(Error::Inconsistent {
            model: "rate_tables",
            message: format!("{} quotes for {} firms", run.quotes.len(), firms.len()),
        });
    }
    let mut by_product: BTreeMap<&str, Vec<Row>> = BTreeMap::new();
    for (firm, quote) in firms.iter().zip(&run.quotes) {
        let u = assumptions.underwrite(firm)?;
        if quote.firm != firm.id || quote.covers.len() != firm.covers.len() {
            return Err(Error::Inconsistent {
                model: "rate_tables",
                message: format!("the quote of `{}` is not of this book", quote.firm),
            });
        }
        for ((cover, peril), q) in firm.covers.iter().zip(&u.policy.perils).zip(&quote.covers) {
            let experience = if plan_line == Some(q.line.as_str()) {
                quote.experience_factor
            } else {
                1.0
            };
            let payment = peril.expected_payment()?;
            by_product.entry(&cover.product).or_default().push(Row {
                firm,
                cover,
                payment,
                expected: q.factor / experience * payment,
                cap: q.maximum_payment.unwrap_or(f64::INFINITY),
                quoted: q.expected_loss / experience,
                premium: q.premium,
            });
        }
    }
    (assumptions.products().iter())
        .filter_map(|p| by_product.remove(p.name.as_str()).map(|rows| (p, rows)))
        .map(|(p, rows)| product_table(assumptions, p, &rows, config))
        .collect()
}

fn product_table(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
    config: &RateConfig,
) -> Result<RateTable> {
    let (basis, per, units) = basis(product, rows, config);
    let (terms, terms_factor, mut factors) = terms_of(assumptions, product, rows)?;
    let offset: Vec<f64> = (units.iter().zip(&terms_factor))
        .map(|(u, t)| u / per * t)
        .collect();
    let candidates = candidates(assumptions, product, rows);
    // Levels that cannot pay (every cover in them expects 0) are rated 0, outside the fit.
    let mut zero: Vec<(usize, String)> = Vec::new();
    for (k, (_, values)) in candidates.iter().enumerate() {
        if let Values::Text(v) = values {
            for level in v {
                let all_zero = (v.iter().zip(rows))
                    .filter(|(l, _)| *l == level)
                    .all(|(_, r)| r.expected == 0.0);
                if all_zero && !zero.contains(&(k, level.clone())) {
                    zero.push((k, level.clone()));
                }
            }
        }
    }
    let rated_zero = |i: usize| {
        zero.iter().any(|(k, level)| match &candidates[*k].1 {
            Values::Text(v) => &v[i] == level,
            Values::Number(..) => false,
        })
    };
    let fit_rows: Vec<usize> = (0..rows.len())
        .filter(|&i| !rated_zero(i) && rows[i].expected > 0.0 && offset[i] > 0.0)
        .collect();
    let mut predicted = vec![0.0; rows.len()];
    let mut base_rate = 0.0;
    if !fit_rows.is_empty() {
        let table = design(&candidates, rows, &offset, &fit_rows)?;
        let (plan, spec) = fit(assumptions, &candidates, &table)?;
        base_rate = plan.base();
        for (i, p) in fit_rows.iter().zip(plan.predict(&table)?) {
            predicted[*i] = p;
        }
        factors.extend(relativities(&plan, &spec));
    }
    for (k, level) in &zero {
        factors.push(RateFactor {
            factor: candidates[*k].0.clone(),
            level: level.clone(),
            relativity: 0.0,
        });
    }
    let covers: Vec<RatedCover> = (rows.iter().zip(&predicted))
        .map(|(r, &p)| {
            let expected = r.expected.min(r.cap);
            let table = p.min(r.cap);
            RatedCover {
                firm: r.firm.id.clone(),
                expected_loss: expected,
                table,
                residual: if expected > 0.0 {
                    table / expected - 1.0
                } else if table == 0.0 {
                    0.0
                } else {
                    f64::INFINITY
                },
                quoted_expected_loss: r.quoted,
            }
        })
        .collect();
    let quoted: f64 = rows.iter().map(|r| r.quoted).sum();
    Ok(RateTable {
        product: product.name.clone(),
        name_zh: product.name_zh.clone(),
        line: product.line.clone(),
        exposure: basis,
        per,
        base_rate,
        factors,
        terms,
        loading: if quoted > 0.0 {
            rows.iter().map(|r| r.premium).sum::<f64>() / quoted
        } else {
            0.0
        },
        tolerance: config.tolerance,
        max_residual: covers.iter().map(|c| c.residual.abs()).fold(0.0, f64::max),
        covers,
    })
}

/// What a rate is per, the units of it, and each cover's units: granted patents for patent
/// litigation (suits arrive in proportion to them; the amount at risk sets the legal-cost
/// band), `per` 元 of the exposure for the other products rated on one, else the policy.
fn basis(product: &Product, rows: &[Row], config: &RateConfig) -> (Option<String>, f64, Vec<f64>) {
    match (&product.model, &product.exposure) {
        (Mechanism::Litigation { .. }, _) => (
            Some("granted patent".into()),
            1.0,
            rows.iter().map(|r| r.firm.patents).collect(),
        ),
        (_, Some(e)) => (
            Some(e.clone()),
            config.per,
            rows.iter()
                .map(|r| r.cover.exposure.unwrap_or(0.0))
                .collect(),
        ),
        (_, None) => (None, 1.0, vec![1.0; rows.len()]),
    }
}

/// The product's terms tables (per-claim terms) or its terms relativities (other terms),
/// each cover's terms factor, computed at a reference risk: the cover at the base terms
/// with the median expected payment.
fn terms_of(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
) -> Result<(Option<TermsTables>, Vec<f64>, Vec<RateFactor>)> {
    let terms: Vec<&CoverTerms> = rows
        .iter()
        .map(|r| product.terms(r.cover.terms.as_ref()))
        .collect();
    let label = |t: &CoverTerms| serde_json::to_string(t).unwrap_or_default();
    let base = mode(terms.iter().map(|t| label(t)));
    let mut reference: Vec<(f64, usize)> = (0..rows.len())
        .filter(|&i| label(terms[i]) == base && rows[i].expected > 0.0)
        .map(|i| (rows[i].expected, i))
        .collect();
    reference.sort_by(|a, b| a.0.total_cmp(&b.0));
    let Some(&(_, r)) = reference.get(reference.len() / 2) else {
        return Ok((None, vec![1.0; rows.len()], vec![]));
    };
    let price = |row: &Row, t: &CoverTerms| -> Result<f64> {
        let mut firm = row.firm.clone();
        firm.covers = vec![Cover {
            terms: Some(t.clone()),
            ..row.cover.clone()
        }];
        assumptions.underwrite(&firm)?.policy.perils[0].expected_payment()
    };
    let pricer = |t: &CoverTerms| price(&rows[r], t);
    // Each cover's own terms factor E(own terms) / E(base terms): the tables' where the
    // severity is the product's alone, the cover's own where it varies by class.
    let own = (rows.iter())
        .map(|row| {
            let at_base = price(row, terms[r])?;
            Ok(if at_base > 0.0 {
                row.payment / at_base
            } else {
                1.0
            })
        })
        .collect::<Result<Vec<f64>>>()?;
    if terms.iter().all(|t| t.is_claims_only()) {
        let claim: Vec<ClaimTerms> = terms.iter().map(|t| t.claim).collect();
        let sorted = |f: fn(&ClaimTerms) -> f64| {
            let mut v: Vec<f64> = claim.iter().map(f).collect();
            v.sort_by(f64::total_cmp);
            v.dedup();
            v
        };
        let tables = TermsTables::new(
            terms[r].claim,
            &sorted(ClaimTerms::limit),
            &sorted(ClaimTerms::deductible),
            &pricer,
        )?;
        let factor: Vec<f64> = claim
            .iter()
            .map(|c| tables.factor(c).unwrap_or(0.0))
            .collect();
        let by_table = (factor.iter().zip(&own)).all(|(a, b)| (a - b).abs() <= 1e-6 * b.abs());
        let tables = TermsTables { by_table, ..tables };
        return Ok((Some(tables), if by_table { factor } else { own }, vec![]));
    }
    let e0 = pricer(terms[r])?;
    let mut levels: Vec<RateFactor> = Vec::new();
    let mut factor = Vec::with_capacity(rows.len());
    for t in &terms {
        let name = label(t);
        let known = levels
            .iter()
            .find(|f| f.level == name)
            .map(|f| f.relativity);
        let relativity = match known {
            Some(x) => x,
            None => {
                let x = pricer(t)? / e0;
                levels.push(RateFactor {
                    factor: "terms".into(),
                    level: name,
                    relativity: x,
                });
                x
            }
        };
        factor.push(relativity);
    }
    Ok((None, factor, if levels.len() > 1 { levels } else { vec![] }))
}

/// The most frequent value (ties: the first in sorted order).
fn mode(values: impl Iterator<Item = String>) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    counts
        .into_iter()
        .find(|(_, c)| *c == top)
        .map(|(v, _)| v)
        .unwrap_or_default()
}

/// A candidate rating variable's values over the product's covers.
enum Values {
    Text(Vec<String>),
    Number(Vec<f64>, Transform),
}

/// The variables the product's covers may vary on: the firm's, the measures that act on the
/// product, and the mechanism's own; each only if it takes more than one value.
fn candidates(assumptions: &Assumptions, product: &Product, rows: &[Row]) -> Vec<(String, Values)> {
    let text = |f: &dyn Fn(&Row) -> String| Values::Text(rows.iter().map(f).collect());
    let mut out = Vec::new();
    mechanism_variables(assumptions, product, rows, &mut out);
    out.extend([
        ("sector".to_owned(), text(&|r| r.firm.sector.clone())),
        ("size".to_owned(), text(&|r| r.firm.size.clone())),
        (
            "stage".to_owned(),
            text(&|r| r.firm.stage.as_str().to_owned()),
        ),
        (
            "score".to_owned(),
            Values::Number(
                rows.iter().map(|r| r.firm.score).collect(),
                Transform::Identity,
            ),
        ),
        (
            "measures".to_owned(),
            text(&|r| {
                let on: Vec<&str> = (r.firm.measures.iter())
                    .filter(|m| product.measures.contains(m))
                    .map(String::as_str)
                    .collect();
                if on.is_empty() {
                    "none".into()
                } else {
                    on.join("+")
                }
            }),
        ),
    ]);
    if rows
        .iter()
        .all(|r| r.firm.covariates.contains_key("log_revenue"))
    {
        out.push((
            "log_revenue".into(),
            Values::Number(
                rows.iter()
                    .map(|r| r.firm.covariates["log_revenue"])
                    .collect(),
                Transform::Identity,
            ),
        ));
    }
    out.retain(|(_, v)| match v {
        Values::Text(v) => v.iter().any(|x| x != &v[0]),
        Values::Number(v, _) => v.iter().any(|x| x != &v[0]),
    });
    out
}

/// The variables of the product's mechanism: the R&D project's type, stage and years in it;
/// the loan's default probability; the firm's patents.
fn mechanism_variables(
    assumptions: &Assumptions,
    product: &Product,
    rows: &[Row],
    out: &mut Vec<(String, Values)>,
) {
    let text = |f: &dyn Fn(&Row) -> String| Values::Text(rows.iter().map(f).collect());
    // Size of risk: an expected loss not proportional to the exposure (limits within it,
    // damages that grow more slowly) shows as an elasticity ≠ 0.
    let litigation = matches!(product.model, Mechanism::Litigation { .. });
    if product.exposure.is_some() && !litigation {
        out.push((
            "exposure".into(),
            Values::Number(
                rows.iter()
                    .map(|r| r.cover.exposure.unwrap_or(1.0))
                    .collect(),
                Transform::Ln,
            ),
        ));
    }
    match &product.model {
        Mechanism::StageGate => out.push((
            "project_stage".into(),
            text(&|r| {
                let c = r.cover;
                format!(
                    "{}/{}/{}",
                    c.project.as_deref().unwrap_or("-"),
                    c.stage.as_deref().unwrap_or("first"),
                    c.years_in_stage.unwrap_or(0.0)
                )
            }),
        )),
        Mechanism::Guarantee { .. }
            if rows.iter().all(|r| r.cover.default_probability.is_some()) =>
        {
            out.push((
                "default_probability".into(),
                Values::Number(
                    rows.iter()
                        .map(|r| r.cover.default_probability.unwrap_or(1.0))
                        .collect(),
                    Transform::Ln,
                ),
            ));
        }
        Mechanism::Litigation { .. } => {
            let ip = &assumptions.set().ip;
            let bands = &ip.legal_cost.bands_usd;
            out.push((
                "amount_at_risk".into(),
                text(&|r| {
                    let usd = r.cover.exposure.unwrap_or(0.0) / ip.usd_to_cny;
                    let last = bands.len().saturating_sub(1);
                    let k = bands.iter().position(|b| usd < b.below).unwrap_or(last);
                    let edge = |k: usize| crate::io::thousands(bands[k].below * ip.usd_to_cny);
                    match k {
                        0 => format!("< {} 元", edge(0)),
                        k if k == last => format!(">= {} 元", edge(k - 1)),
                        k => format!("{} – {} 元", edge(k - 1), edge(k)),
                    }
                }),
            ));
        }
        _ => {}
    }
}

/// The table the GLM reads: the candidates and the offset over `fit_rows`.
fn design(
    candidates: &[(String, Values)],
    rows: &[Row],
    offset: &[f64],
    fit_rows: &[usize],
) -> Result<Table> {
    let mut columns = vec![
        (
            "expected_loss".to_owned(),
            Column::Number(fit_rows.iter().map(|&i| rows[i].expected).collect()),
        ),
        (
            "offset".to_owned(),
            Column::Number(fit_rows.iter().map(|&i| offset[i]).collect()),
        ),
    ];
    for (name, values) in candidates {
        columns.push((
            name.clone(),
            match values {
                Values::Text(v) => Column::Text(fit_rows.iter().map(|&i| v[i].clone()).collect()),
                Values::Number(v, _) => Column::Number(fit_rows.iter().map(|&i| v[i]).collect()),
            },
        ));
    }
    Table::from_columns("rate table", columns)
}

/// The gamma GLM over the candidates, added one at a time in order: a candidate is kept if
/// it varies within the fitted covers, is not aliased with those kept, and moves some
/// relativity by more than 0.5%.
fn fit(
    assumptions: &Assumptions,
    candidates: &[(String, Values)],
    table: &Table,
) -> Result<(RatingPlan, RatingSpec)> {
    let spec = |factors: Vec<Factor>| RatingSpec {
        factors,
        interactions: vec![],
        response: "expected_loss".into(),
        exposure: Some("offset".into()),
        weight: None,
    };
    let mut kept = spec(vec![]);
    let mut plan = RatingPlan::fit(GlmFamily::Gamma, &kept, table)?;
    for (name, values) in candidates {
        let c = table.column(name)?;
        if (0..table.len()).all(|i| table.text(i, c) == table.text(0, c)) {
            continue;
        }
        let factor = match (name.as_str(), values) {
            ("score", _) => Factor::ScoreTier {
                column: name.clone(),
                scale: Some(assumptions.scale().clone()),
                monotone: false,
                base: None,
            },
            (_, Values::Text(_)) => Factor::Categorical {
                column: name.clone(),
                base: None,
                merge: BTreeMap::new(),
            },
            (_, Values::Number(v, transform)) => Factor::Numeric {
                column: name.clone(),
                transform: *transform,
                center: centre(v, *transform),
            },
        };
        let mut factors = kept.factors.clone();
        factors.push(factor);
        let trial = spec(factors);
        // Aliased with the factors kept (or not estimable): the table has no room for it.
        let Ok(p) = RatingPlan::fit(GlmFamily::Gamma, &trial, table) else {
            continue;
        };
        let moves = (p.relativities().iter())
            .any(|r| &r.factor == name && (r.relativity - 1.0).abs() > 5e-3);
        if moves {
            (kept, plan) = (trial, p);
        }
    }
    Ok((plan, kept))
}

/// The centre of a numeric variable: the mean of its transform, rounded to 2 decimals.
fn centre(v: &[f64], transform: Transform) -> f64 {
    let t = |x: f64| match transform {
        Transform::Identity => x,
        Transform::Ln => x.ln(),
        Transform::Ln1p => x.ln_1p(),
    };
    let mean = v.iter().map(|&x| t(x)).sum::<f64>() / v.len() as f64;
    (mean * 100.0).round() / 100.0
}

fn relativities(plan: &RatingPlan, spec: &RatingSpec) -> Vec<RateFactor> {
    (plan.relativities().into_iter())
        .map(|r| {
            let centre = spec.factors.iter().find_map(|f| match f {
                Factor::Numeric { column, center, .. } if *column == r.factor => Some(*center),
                _ => None,
            });
            RateFactor {
                level: centre.map_or(r.level, |c| format!("per unit above {c}")),
                factor: r.factor,
                relativity: r.relativity,
            }
        })
        .collect()
}
