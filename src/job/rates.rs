//! The pricing pack: `kexian rates` (rate tables checked against the quotes).

use super::text::{json_bytes, yuan};
use super::{Job, JobResult, Output};
use crate::io::{Language, thousands};
use crate::quote::QuoteRun;
use crate::rates::{RateConfig, RateTable, rate_tables};
use std::fmt::Write as _;

type Res<T> = JobResult<T>;

/// The rate tables of the quoted book (`priced`: [`Job::price`]), each cover checked
/// against its quote within `tolerance`: rates.csv (the tables, long form), rates_check.csv
/// (each cover: expected loss, table, residual), rates.json and rates.txt. A table outside
/// the tolerance is returned (its `max_residual` says so), not refused.
pub fn rates(
    job: &Job,
    priced: &QuoteRun,
    tolerance: f64,
    lang: Language,
) -> Res<Output<Vec<RateTable>>> {
    let config = RateConfig {
        tolerance,
        ..RateConfig::default()
    };
    let plan_line = job.config.rating.as_ref().and_then(|r| r.line.as_deref());
    let tables = rate_tables(&job.assumptions, &job.firms, priced, plan_line, &config)?;
    let text = rates_text(&tables, lang);
    let files = vec![
        ("rates.csv", rates_csv(&tables)?),
        ("rates_check.csv", check_csv(&tables)?),
        ("rates.json", json_bytes(&tables)?),
        ("rates.txt", text.clone().into_bytes()),
    ];
    Ok(Output {
        value: tables,
        files,
        text,
    })
}

/// One row per table entry: product, table (`base`, a factor, `ilf`, `deductible_credit`,
/// `loading`), level, value.
fn rates_csv(tables: &[RateTable]) -> Res<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record(["product", "table", "level", "value"])?;
    for t in tables {
        let unit = match &t.exposure {
            Some(e) => format!("per {} 元 of {e}", t.per),
            None => "per policy".into(),
        };
        w.write_record([&t.product, "base", &unit, &t.base_rate.to_string()])?;
        for f in &t.factors {
            w.write_record([&t.product, &f.factor, &f.level, &f.relativity.to_string()])?;
        }
        for (name, rows) in t
            .terms
            .iter()
            .flat_map(|s| [("ilf", &s.limits), ("deductible_credit", &s.deductibles)])
        {
            for r in rows {
                w.write_record([
                    &t.product,
                    name,
                    &r.value.to_string(),
                    &r.factor.to_string(),
                ])?;
            }
        }
        w.write_record([
            &t.product,
            "loading",
            "premium / expected loss",
            &t.loading.to_string(),
        ])?;
    }
    Ok(w.into_inner()?)
}

fn check_csv(tables: &[RateTable]) -> Res<Vec<u8>> {
    let mut w = csv::Writer::from_writer(vec![]);
    w.write_record([
        "product",
        "firm",
        "expected_loss",
        "table",
        "residual",
        "quoted_expected_loss",
    ])?;
    for t in tables {
        for c in &t.covers {
            w.write_record([
                t.product.clone(),
                c.firm.clone(),
                format!("{:.2}", c.expected_loss),
                format!("{:.2}", c.table),
                format!("{:.6}", c.residual),
                format!("{:.2}", c.quoted_expected_loss),
            ])?;
        }
    }
    Ok(w.into_inner()?)
}

/// The tables as text.
fn rates_text(tables: &[RateTable], lang: Language) -> String {
    let zh = lang == Language::Zh;
    let mut s = String::new();
    for t in tables {
        let name = if zh && !t.name_zh.is_empty() {
            &t.name_zh
        } else {
            &t.product
        };
        let unit = match (&t.exposure, zh) {
            (Some(e), _) if t.per == 1.0 => format!("per {e}"),
            (Some(e), false) => format!("per {} 元 of {e}", thousands(t.per)),
            (Some(e), true) => format!("每 {} 元{e}", thousands(t.per)),
            (None, false) => "per policy".into(),
            (None, true) => "每保单".into(),
        };
        let _ = writeln!(
            s,
            "{name} ({}) — {}: {} 元 {unit}",
            t.line,
            if zh {
                "基准期望损失"
            } else {
                "base expected loss"
            },
            yuan(t.base_rate)
        );
        for f in &t.factors {
            let _ = writeln!(s, "  {:<22}{:<34}{:>10.4}", f.factor, f.level, f.relativity);
        }
        if let Some(terms) = &t.terms {
            let limit = terms.base.limit.map_or("unlimited".into(), yuan);
            let _ = writeln!(
                s,
                "  {} {} 元, {} {limit} 元, {} {:.0}%",
                if zh {
                    "基准免赔额"
                } else {
                    "base deductible"
                },
                yuan(terms.base.deductible),
                if zh { "限额" } else { "limit" },
                if zh { "份额" } else { "share" },
                terms.base.share * 100.0
            );
            if !terms.by_table {
                let _ = writeln!(
                    s,
                    "  {}",
                    if zh {
                        "（损失分布随风险类别而变：上表为参考风险；每张保单的条款系数按其自身的分层期望值同式计算）"
                    } else {
                        "(the severity varies by class: the tables are the reference risk's; each cover's terms factor is the same ratio of its own layer expected values)"
                    }
                );
            }
            for r in &terms.limits {
                let _ = writeln!(
                    s,
                    "  {:<22}{:>34}{:>10.4}",
                    if zh { "递增限额因子" } else { "ILF" },
                    if r.value.is_finite() {
                        yuan(r.value)
                    } else {
                        "unlimited".into()
                    },
                    r.factor
                );
            }
            for r in &terms.deductibles {
                let _ = writeln!(
                    s,
                    "  {:<22}{:>34}{:>10.4}",
                    if zh {
                        "免赔额折扣"
                    } else {
                        "deductible credit"
                    },
                    yuan(r.value),
                    r.factor
                );
            }
        }
        let _ = writeln!(
            s,
            "  {} {:.4}; {} {}: max |table / expected − 1| {:.3}% ({} {:.1}%)",
            if zh {
                "附加系数 (保费 / 期望损失)"
            } else {
                "loading (premium / expected loss)"
            },
            t.loading,
            t.covers.len(),
            if zh { "张保单" } else { "covers" },
            t.max_residual * 100.0,
            if zh { "容差" } else { "tolerance" },
            t.tolerance * 100.0
        );
    }
    s
}
