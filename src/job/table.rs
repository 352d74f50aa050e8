//! The table form of quotes: one row per firm (every premium component, the expected loss
//! of each line, the subsidy of each rule, standard errors) and one row per cover. The same
//! columns make quotes.csv and covers.csv and the Python DataFrames.

use super::JobResult;
use super::text::label;
use crate::io::Language;
use crate::quote::QuoteRun;
use std::collections::BTreeSet;

/// A column's values, typed.
#[derive(Debug, Clone, PartialEq)]
pub enum Cells {
    /// Labels and ids.
    Text(Vec<String>),
    /// 元 (written with 2 decimals, to the 分); `None`: none (e.g. an unlimited cover).
    Money(Vec<Option<f64>>),
    /// Factors and ratios (written with 6 decimals); `None`: none.
    Factor(Vec<Option<f64>>),
    /// Whole numbers.
    Count(Vec<u64>),
    /// Yes or no.
    Flag(Vec<bool>),
}

impl Cells {
    fn cell(&self, row: usize) -> String {
        // + 0.0 turns −0.0 into 0.0.
        let opt = |v: Option<f64>, places: usize| {
            v.map_or_else(String::new, |x| format!("{:.*}", places, x + 0.0))
        };
        match self {
            Self::Text(v) => v[row].clone(),
            Self::Money(v) => opt(v[row], 2),
            Self::Factor(v) => opt(v[row], 6),
            Self::Count(v) => v[row].to_string(),
            Self::Flag(v) => v[row].to_string(),
        }
    }

    fn len(&self) -> usize {
        match self {
            Self::Text(v) => v.len(),
            Self::Money(v) | Self::Factor(v) => v.len(),
            Self::Count(v) => v.len(),
            Self::Flag(v) => v.len(),
        }
    }
}

/// Named, typed columns of equal length.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Frame {
    /// (name, values) in order.
    pub columns: Vec<(String, Cells)>,
}

impl Frame {
    /// Rows.
    pub fn len(&self) -> usize {
        self.columns.first().map_or(0, |(_, c)| c.len())
    }

    /// Whether it has no rows.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The CSV text: headers labelled in `lang`; with `bom`, preceded by the UTF-8
    /// byte-order mark Excel needs to read it as UTF-8.
    pub fn csv(&self, lang: Language, bom: bool) -> JobResult<Vec<u8>> {
        let start = if bom { "\u{feff}".into() } else { Vec::new() };
        let mut w = csv::Writer::from_writer(start);
        w.write_record(self.columns.iter().map(|(n, _)| label(n, lang)))?;
        for r in 0..self.len() {
            w.write_record(self.columns.iter().map(|(_, c)| c.cell(r)))?;
        }
        Ok(w.into_inner().map_err(|e| e.to_string())?)
    }

    fn push(&mut self, name: impl Into<String>, cells: Cells) {
        self.columns.push((name.into(), cells));
    }
}

/// One row per quote: firm, sector, score tier; the premium's components from the model's
/// expected loss to the rounding (they add up to the premium); subsidy, what the firm pays
/// and the risk-reduction credit; the standard errors; the number of covers and of capped
/// ones; `expected_loss_<line>` for each line and `subsidy_<rule>` for each subsidy rule
/// of the book; the covers' flags; the inputs digest.
pub fn quote_table(run: &QuoteRun) -> Frame {
    let q = &run.quotes;
    let mut f = Frame::default();
    let money = |get: fn(&crate::quote::Quote) -> f64| {
        Cells::Money(q.iter().map(|x| Some(get(x))).collect())
    };
    f.push(
        "firm",
        Cells::Text(q.iter().map(|x| x.firm.clone()).collect()),
    );
    f.push(
        "sector",
        Cells::Text(q.iter().map(|x| x.sector.clone()).collect()),
    );
    f.push(
        "score_tier",
        Cells::Count(q.iter().map(|x| x.score_tier as u64).collect()),
    );
    f.push("model_expected_loss", money(|x| x.model_expected_loss));
    f.push(
        "rating_factor",
        Cells::Factor(q.iter().map(|x| Some(x.rating_factor)).collect()),
    );
    f.push(
        "experience_factor",
        Cells::Factor(q.iter().map(|x| Some(x.experience_factor)).collect()),
    );
    type Get = fn(&crate::quote::Quote) -> f64;
    let components: [(&str, Get); 16] = [
        ("expected_loss", |x| x.expected_loss),
        ("capital", |x| x.capital),
        ("risk_load", |x| x.risk_load),
        ("reinsurance_cost", |x| x.reinsurance_cost),
        ("expense", |x| x.expense),
        ("commission", |x| x.commission),
        ("profit", |x| x.profit),
        ("minimum_premium_adjustment", |x| {
            x.minimum_premium_adjustment
        }),
        ("rounding_adjustment", |x| x.rounding_adjustment),
        ("premium", |x| x.premium),
        ("subsidy", |x| x.subsidy),
        ("firm_pays", |x| x.firm_pays),
        ("risk_reduction_credit", |x| x.risk_reduction_credit),
        ("expected_loss_std_error", |x| {
            x.standard_errors.expected_loss
        }),
        ("capital_std_error", |x| x.standard_errors.capital),
        ("premium_std_error", |x| x.standard_errors.premium),
    ];
    for (name, get) in components {
        f.push(name, money(get));
    }
    f.push(
        "covers",
        Cells::Count(q.iter().map(|x| x.covers.len() as u64).collect()),
    );
    f.push(
        "covers_capped",
        Cells::Count(
            q.iter()
                .map(|x| x.covers.iter().filter(|c| c.capped).count() as u64)
                .collect(),
        ),
    );
    let lines: BTreeSet<&str> = q
        .iter()
        .flat_map(|x| x.lines.iter().map(|l| l.line.as_str()))
        .collect();
    for line in lines {
        let by_firm = q.iter().map(|x| {
            Some((x.lines.iter().filter(|l| l.line == line)).fold(0.0, |s, l| s + l.expected_loss))
        });
        f.push(
            format!("expected_loss_{line}"),
            Cells::Money(by_firm.collect()),
        );
    }
    let rules: BTreeSet<&str> = q
        .iter()
        .flat_map(|x| x.subsidies.iter().map(|(r, _)| r.as_str()))
        .collect();
    for rule in rules {
        let by_firm = q.iter().map(|x| {
            Some((x.subsidies.iter().filter(|(r, _)| r == rule)).fold(0.0, |s, (_, a)| s + a))
        });
        f.push(format!("subsidy_{rule}"), Cells::Money(by_firm.collect()));
    }
    let flags = q.iter().map(|x| {
        let each = x
            .covers
            .iter()
            .filter_map(|c| c.flag.as_ref().map(|flag| format!("{}: {flag}", c.product)));
        each.collect::<Vec<_>>().join("; ")
    });
    f.push("flags", Cells::Text(flags.collect()));
    f.push(
        "inputs_digest",
        Cells::Text(q.iter().map(|x| x.inputs_digest.clone()).collect()),
    );
    f
}

/// One row per cover of every quote: firm, product, line; the model's expected payment, the
/// factor, the rated expected loss, the most the cover can pay in its term and whether the
/// expected loss was capped at it; the occurrence limit (limit × share); the premium
/// attributed, the rate on line; the term (years) and its level annual premium; the flag.
pub fn cover_table(run: &QuoteRun) -> Frame {
    let rows: Vec<(&str, &crate::quote::CoverQuote)> = (run.quotes.iter())
        .flat_map(|q| q.covers.iter().map(move |c| (q.firm.as_str(), c)))
        .collect();
    let text = |get: fn(&crate::quote::CoverQuote) -> String| {
        Cells::Text(rows.iter().map(|(_, c)| get(c)).collect())
    };
    let money = |get: fn(&crate::quote::CoverQuote) -> Option<f64>| {
        Cells::Money(rows.iter().map(|(_, c)| get(c)).collect())
    };
    let mut f = Frame::default();
    f.push(
        "firm",
        Cells::Text(rows.iter().map(|(firm, _)| (*firm).to_owned()).collect()),
    );
    f.push("product", text(|c| c.product.clone()));
    f.push("line", text(|c| c.line.clone()));
    f.push(
        "model_expected_loss",
        money(|c| Some(c.model_expected_loss)),
    );
    f.push(
        "factor",
        Cells::Factor(rows.iter().map(|(_, c)| Some(c.factor)).collect()),
    );
    f.push("expected_loss", money(|c| Some(c.expected_loss)));
    f.push("maximum_payment", money(|c| c.maximum_payment));
    f.push(
        "capped",
        Cells::Flag(rows.iter().map(|(_, c)| c.capped).collect()),
    );
    f.push("occurrence_limit", money(|c| c.occurrence_limit));
    f.push("premium", money(|c| Some(c.premium)));
    f.push(
        "rate_on_line",
        Cells::Factor(rows.iter().map(|(_, c)| c.rate_on_line).collect()),
    );
    f.push(
        "term_years",
        Cells::Count(rows.iter().map(|(_, c)| c.term_years as u64).collect()),
    );
    f.push("annual_equivalent", money(|c| c.annual_equivalent));
    f.push("flag", text(|c| c.flag.clone().unwrap_or_default()));
    f
}

/// One row per year, segment and the total of a loss-ratio backtest: kind (`year`,
/// `segment`, `all`), label, rows, premium, expected and actual losses (元), the loss ratio,
/// actual/expected and its 95% interval.
pub fn loss_ratio_table(lr: &crate::backtest::LossRatioBacktest) -> Frame {
    let rows: Vec<(&str, &crate::backtest::LossRatioRow)> = [
        ("year", lr.years.as_slice()),
        ("segment", lr.segments.as_slice()),
        ("all", std::slice::from_ref(&lr.overall)),
    ]
    .into_iter()
    .flat_map(|(kind, rows)| rows.iter().map(move |r| (kind, r)))
    .collect();
    let get = |f: fn(&crate::backtest::LossRatioRow) -> Option<f64>| -> Vec<Option<f64>> {
        rows.iter().map(|(_, r)| f(r)).collect()
    };
    let mut f = Frame::default();
    f.push(
        "kind",
        Cells::Text(rows.iter().map(|(k, _)| (*k).to_owned()).collect()),
    );
    f.push(
        "label",
        Cells::Text(rows.iter().map(|(_, r)| r.label.clone()).collect()),
    );
    f.push(
        "rows",
        Cells::Count(rows.iter().map(|(_, r)| r.rows as u64).collect()),
    );
    f.push("premium", Cells::Money(get(|r| Some(r.premium))));
    f.push("expected", Cells::Money(get(|r| Some(r.expected))));
    f.push("losses", Cells::Money(get(|r| Some(r.losses))));
    f.push("loss_ratio", Cells::Factor(get(|r| r.loss_ratio)));
    f.push("ae", Cells::Factor(get(|r| r.ratio)));
    f.push("ae_low", Cells::Factor(get(|r| r.interval.map(|i| i.0))));
    f.push("ae_high", Cells::Factor(get(|r| r.interval.map(|i| i.1))));
    f
}
