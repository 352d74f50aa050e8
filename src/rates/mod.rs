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
mod variables;

pub use terms::{BaseTerms, TermsFactor, TermsTables};

use terms::terms_of;
use variables::{Values, candidates, design, fit, relativities};

use crate::assumptions::{Assumptions, Product, RatedBy};
use crate::book::{Cover, Firm};
use crate::coverage::CoverTerms;
use crate::error::{Error, Result};
use crate::perils::Peril;
use crate::quote::QuoteRun;
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
pub(crate) struct Row<'a> {
    pub(crate) firm: &'a Firm,
    pub(crate) cover: &'a Cover,
    /// Closed-form expected payment under the cover's terms.
    pub(crate) payment: f64,
    /// The quote's line factor × `payment`.
    pub(crate) expected: f64,
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
    match (product.model.rated_by(), &product.exposure) {
        (RatedBy::Patents, _) => (
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
