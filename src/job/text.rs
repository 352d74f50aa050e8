//! What the commands write: labels in English or Chinese, quotes.csv, the summary text, the
//! simulation statistics, and the atomic writing of an output set.

use super::{Job, JobResult};
use crate::Error;
use crate::backtest::{LossRatioBacktest, RollingBacktest};
use crate::io::{AeBar, Language, ae_chart, calibration_chart, lorenz_chart};
use crate::loss::Estimate;
use crate::portfolio::PortfolioRun;
use crate::pricing::PricedLine;
use crate::quote::{QuoteRun, Summary};
use std::path::Path;

/// Loss statistics of a portfolio run, each with its standard error.
pub fn simulation_text(run: &PortfolioRun, inputs: &Job, lang: Language) -> Result<String, Error> {
    let lb = |k| label(k, lang);
    let l = &run.losses;
    let wan = |x: f64| format!("{:>14.1} 万元", x / 1e4);
    let level = run.tvar_level;
    let mut out = format!(
        "{} ({} {}, seed {}, {} years; assumptions {})\n",
        lb("Portfolio"),
        inputs.firms.len(),
        lb("firms"),
        inputs.config.simulation.seed,
        inputs.config.simulation.trials,
        inputs.assumptions.set().name
    );
    out += &format!(
        "  {:<26}{:>20}{:>20}\n",
        "statistic", "value", "standard error"
    );
    for (k, e) in [
        ("mean", l.mean()?),
        ("standard deviation", l.std_dev()?),
        (&*format!("VaR {:.1}%", level * 100.0), l.var(level)?),
        (&*format!("TVaR {:.1}%", level * 100.0), l.tvar(level)?),
    ] {
        out += &format!("  {:<26}{}{}\n", k, wan(e.value), wan(e.std_error));
    }
    out += &format!("  {:<14}{:>18}\n", lb("return period"), lb("annual loss"));
    for rp in crate::simulation::RETURN_PERIODS {
        if rp <= run.totals.len() as f64 {
            out += &format!(
                "  {:<14}{}\n",
                format!("{rp:.0}"),
                wan(l.var(1.0 - 1.0 / rp)?.value)
            );
        }
    }
    Ok(out)
}

/// The loss-ratio backtest as a table: by year, by segment, all.
pub fn loss_ratio_text(lr: &LossRatioBacktest, lang: Language) -> String {
    let l = |k| label(k, lang);
    let mut out = format!(
        "{} ({} {}, {} {})\n  {}{}{}{}{}{}\n",
        l("Loss-ratio backtest"),
        l("losses"),
        lr.losses_column,
        l("segments"),
        lr.segment_column,
        pad(l("year / segment"), 18),
        pad_left(l("premium"), 16),
        pad_left(l("expected loss"), 16),
        pad_left(l("losses"), 16),
        pad_left(l("loss ratio"), 12),
        pad_left("A/E [95%]", 26),
    );
    let opt = |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |x| format!("{x:.3}"));
    for r in lr.years.iter().chain(&lr.segments).chain([&lr.overall]) {
        let ae = match (r.ratio, r.interval) {
            (Some(a), Some((lo, hi))) => format!("{a:.3} [{lo:.3}, {hi:.3}]"),
            _ => "—".into(),
        };
        out += &format!(
            "  {}{:>16.0}{:>16.0}{:>16.0}{:>12}{}\n",
            pad(&r.label, 18),
            r.premium,
            r.expected,
            r.losses,
            opt(r.loss_ratio),
            pad_left(&ae, 26)
        );
    }
    out
}

/// The backtest's charts: Lorenz curve, A/E of claims by test year, A/E of losses by
/// segment, calibration.
/// In Chinese, segments are named by the assumption set's `names_zh`.
pub fn backtest_charts(
    bt: &RollingBacktest,
    lr: &LossRatioBacktest,
    lang: Language,
    names_zh: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<(&'static str, Vec<u8>)>, Error> {
    let years: Vec<AeBar> = bt.years.iter().map(|y| AeBar::from(&y.ae)).collect();
    let segments: Vec<AeBar> = (lr.segments.iter().map(AeBar::from))
        .map(|mut bar| {
            if let (Language::Zh, Some(name)) = (lang, names_zh.get(&bar.label)) {
                bar.label.clone_from(name);
            }
            bar
        })
        .collect();
    let mut charts = vec![
        ("lorenz.svg", lorenz_chart(&bt.lorenz, lang)?),
        (
            "ae_claims_by_year.svg",
            ae_chart(
                &years,
                label("Claims: actual versus expected by test year", lang),
                label("test year", lang),
                lang,
            )?,
        ),
        (
            "ae_losses_by_segment.svg",
            ae_chart(
                &segments,
                label("Losses: actual versus expected by segment", lang),
                label(&lr.segment_column, lang),
                lang,
            )?,
        ),
    ];
    if let Some(c) = &bt.overall.calibration {
        charts.push(("calibration.svg", calibration_chart(c, lang)?));
    }
    Ok(charts
        .into_iter()
        .map(|(n, s)| (n, s.into_bytes()))
        .collect())
}

/// The label of `key` in `lang` (a key without a Chinese label is its own label).
pub fn label(key: &str, lang: Language) -> &str {
    if let Language::En = lang {
        return key;
    }
    match key {
        "firm" => "企业",
        "test year" => "测试年度",
        "sector" => "行业",
        "score_tier" => "沪科积分档",
        "model_expected_loss" => "模型期望损失",
        "rating_factor" => "费率因子",
        "experience_factor" => "经验因子",
        "expected_loss" => "期望损失",
        "risk_load" => "风险附加",
        "reinsurance_cost" => "再保成本",
        "expense" => "费用",
        "commission" => "佣金",
        "profit" => "利润",
        "minimum_premium_adjustment" => "最低保费调整",
        "rounding_adjustment" => "取整调整",
        "premium" => "保费",
        "subsidy" => "财政补贴",
        "firm_pays" => "企业自付",
        "risk_reduction_credit" => "风险减量抵扣",
        "quotes written" => "份报价已写入",
        "Portfolio" => "组合",
        "firms" => "企业数",
        "expected annual loss" => "年度期望损失",
        "standard deviation" => "标准差",
        "capital (TVaR − mean)" => "资本 (TVaR − 均值)",
        "total premium" => "总保费",
        "government subsidy" => "政府补贴",
        "paid by firms" => "企业自付",
        "expected ceded to aggregate XoL" => "累积超赔分出期望",
        "expected per-risk XoL recoveries" => "险位超赔摊回期望",
        "reinsurance cost" => "再保成本",
        "return period" => "重现期",
        "annual loss" => "年度损失",
        "rated expected loss" => "费率化期望损失",
        "largest occurrence" => "单次事故最大损失",
        "money flows (元)" => "资金流向 (元)",
        "expected loss" => "期望损失",
        "gross" => "总额",
        "per-risk XoL reinsurer (premium, recoveries)" => "险位超赔再保人 (保费, 摊回)",
        "aggregate XoL reinsurer (premium, recoveries)" => "累积超赔再保人 (保费, 摊回)",
        "quota share: ceded" => "成数再保: 分出",
        "level by line" => "分险种水平",
        "line" => "险种",
        "model" => "模型",
        "rated" => "费率化",
        "multiplier" => "调整系数",
        "model against experience" => "模型与经验对比",
        "claims" => "赔案数",
        "incurred" => "已发生赔款",
        "A/E (95%)" => "实际/预期 (95%)",
        "credibility" => "可信度",
        "level" => "水平",
        "checks" => "审核检查",
        "hard" => "硬性",
        "flag" => "提示",
        "ceding commission (to the pool)" => "分保佣金 (归共保体)",
        "(the rows below gross add up to gross, to the 分)" => {
            "(总额以下各行合计等于总额, 精确到分)"
        }
        "premium_std_error" => "保费标准误",
        "Loss-ratio backtest" => "赔付率回溯",
        "losses" => "损失",
        "segments" => "分组",
        "year / segment" => "年度 / 分组",
        "loss ratio" => "赔付率",
        "Claims: actual versus expected by test year" => "赔案数: 各检验年度实际与预期",
        "Losses: actual versus expected by segment" => "损失: 各分组实际与预期",
        "inputs_digest" => "输入摘要",
        "statistic" => "统计量",
        "value" => "数值",
        "standard error" => "标准误",
        "mean" => "均值",
        "capital" => "资本",
        "expected_loss_std_error" => "期望损失标准误",
        "capital_std_error" => "资本标准误",
        "covers" => "保障数",
        "covers_capped" => "封顶保障数",
        "flags" => "提示",
        "product" => "产品",
        "factor" => "因子",
        "maximum_payment" => "最高赔付",
        "capped" => "是否封顶",
        "occurrence_limit" => "每次事故限额",
        "rate_on_line" => "限额费率",
        "term_years" => "保险期间 (年)",
        "annual_equivalent" => "年化等值保费",
        other => other,
    }
}

/// quotes.csv: [`super::quote_table`]; with `bom`, preceded by the UTF-8 byte-order mark
/// Excel needs to read it as UTF-8.
pub fn quotes_csv(run: &QuoteRun, lang: Language, bom: bool) -> JobResult<Vec<u8>> {
    super::quote_table(run).csv(lang, bom)
}

/// `text` left-aligned in `width` terminal columns (CJK characters take two).
pub fn pad(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{text}{}", " ".repeat(width.saturating_sub(used)))
}

/// `text` right-aligned in `width` terminal columns.
fn pad_left(text: &str, width: usize) -> String {
    let used = unicode_width::UnicodeWidthStr::width(text);
    format!("{}{text}", " ".repeat(width.saturating_sub(used)))
}

/// "± x 万元" when a standard error exceeds 1% of its value, else nothing.
fn plus_minus(value: f64, se: f64) -> String {
    if se > 0.01 * value.abs() {
        format!(" ± {:.1} 万元", se / 1e4)
    } else {
        String::new()
    }
}

/// An amount in 元 with thousands separators and 分.
pub fn yuan(x: f64) -> String {
    let text = format!("{:.2}", x.abs());
    let (whole, cents) = text.split_once('.').unwrap_or((&text, "00"));
    let mut grouped = String::new();
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    format!("{}{grouped}.{cents}", if x < 0.0 { "-" } else { "" })
}

/// The portfolio summary of a quote run as text: the book's figures with their standard
/// errors, the levels by line, the money flows and the checks.
pub fn summary_text(s: &Summary, lang: Language) -> String {
    let l = |k| label(k, lang);
    let wan = |x: f64| format!("{:>14.1} 万元", x / 1e4);
    let e = &s.standard_errors;
    let mut out = format!(
        "{} ({} {}, seed {}, {} years, TVaR {:.1}%)\n",
        l("Portfolio"),
        s.firms,
        l("firms"),
        s.provenance.seed,
        s.provenance.trials,
        s.provenance.tvar_level * 100.0
    );
    for (k, v, se) in [
        ("expected annual loss", s.expected_loss, e.expected_loss),
        ("standard deviation", s.std_dev, e.std_dev),
        ("VaR", s.var, e.var),
        ("TVaR", s.tvar, e.tvar),
        ("capital (TVaR − mean)", s.capital, e.capital),
        ("total premium", s.premium, e.premium),
        ("rated expected loss", s.rated_expected_loss, 0.0),
        ("government subsidy", s.subsidy, 0.0),
        ("paid by firms", s.firm_pays, 0.0),
        ("reinsurance cost", s.reinsurance_cost, 0.0),
    ] {
        out += &format!("  {}{}{}\n", pad(l(k), 34), wan(v), plus_minus(v, se));
    }
    out += &levels_text(s, lang);
    out += &format!(
        "  {}{}{}\n",
        pad(l("return period"), 16),
        pad_left(l("annual loss"), 17),
        pad_left(l("largest occurrence"), 30)
    );
    for (p, o) in s.exceedance_curve.iter().zip(&s.occurrence_curve) {
        let aggregate = format!("{}{}", wan(p.loss), plus_minus(p.loss, p.std_error));
        out += &format!(
            "  {}{}{}{}\n",
            pad(&format!("{:.0}", p.return_period), 16),
            pad(&aggregate, 30),
            wan(o.loss),
            plus_minus(o.loss, o.std_error)
        );
    }
    out += &flows_text(&s.flows, lang);
    out += &format!(
        "  kexian {} · {} · inputs sha256 {}\n",
        s.provenance.crate_version, s.provenance.method, s.provenance.inputs_digest
    );
    out
}

/// The level of each line, the model against the experience, and the committee's checks.
fn levels_text(s: &Summary, lang: Language) -> String {
    let l = |k| label(k, lang);
    let wan = |x: f64| format!("{:>14.1} 万元", x / 1e4);
    let mut out = format!(
        "  {}\n  {}{}{}{}\n",
        l("level by line"),
        pad(l("line"), 16),
        pad_left(l("model"), 20),
        pad_left(l("rated"), 20),
        pad_left(l("multiplier"), 12)
    );
    for v in &s.levels {
        out += &format!(
            "  {}{}{}{:>12.4}\n",
            pad(&v.line, 16),
            wan(v.model_expected_loss),
            wan(v.rated_expected_loss),
            v.multiplier
        );
    }
    if !s.experience.is_empty() {
        out += &format!(
            "  {}\n  {}{}{}{}{}{}{}\n",
            l("model against experience"),
            pad(l("line"), 16),
            pad_left(l("claims"), 8),
            pad_left(l("incurred"), 20),
            pad_left(l("model"), 20),
            pad_left(l("A/E (95%)"), 24),
            pad_left(l("credibility"), 12),
            pad_left(l("level"), 10)
        );
        for x in &s.experience {
            let ae = match (x.ratio, x.interval) {
                (Some(r), Some((lo, hi))) => format!("{r:.2} [{lo:.2}, {hi:.2}]"),
                (Some(r), None) => format!("{r:.2}"),
                _ => "-".into(),
            };
            out += &format!(
                "  {}{:>8}{}{}{:>24}{:>12.3}{:>10.3}{}\n",
                pad(&x.line, 16),
                x.claims,
                wan(x.incurred),
                wan(x.expected),
                ae,
                x.credibility,
                x.level,
                if x.outside { "  !" } else { "" }
            );
        }
    }
    out += &format!("  {}\n", l("checks"));
    for c in &s.checks {
        out += &format!(
            "  {:>5} {}{:>6}  {}\n",
            if c.hard { l("hard") } else { l("flag") },
            pad(&c.name, 32),
            c.count,
            c.rule
        );
    }
    out
}

/// The money-flow table: every row below `gross` adds up to it, to the 分.
fn flows_text(f: &crate::quote::Flows, lang: Language) -> String {
    let l = |k| label(k, lang);
    let row = |name: &str, premium: f64, loss: f64| {
        format!(
            "  {}{:>20}{:>20}\n",
            pad(name, 48),
            yuan(premium),
            yuan(loss)
        )
    };
    let qs = &f.quota_share;
    let mut out = format!(
        "  {}{}{}\n",
        pad(l("money flows (元)"), 48),
        pad_left(l("premium"), 20),
        pad_left(l("expected loss"), 20)
    );
    out += &row(l("gross"), f.gross_premium, f.gross_expected_loss);
    out += &row(
        l("per-risk XoL reinsurer (premium, recoveries)"),
        f.per_risk_xol.premium,
        f.per_risk_xol.expected_recoveries,
    );
    out += &row(
        l("aggregate XoL reinsurer (premium, recoveries)"),
        f.aggregate_xol.premium,
        f.aggregate_xol.expected_recoveries,
    );
    let commission = if qs.ceded_premium > 0.0 {
        qs.ceding_commission / qs.ceded_premium
    } else {
        0.0
    };
    out += &row(
        &format!(
            "{} {:.1}%, {} {:.1}%",
            l("quota share: ceded"),
            qs.share * 100.0,
            l("commission"),
            commission * 100.0
        ),
        qs.reinsurer_premium,
        qs.expected_loss,
    );
    out += &row(
        l("ceding commission (to the pool)"),
        qs.ceding_commission,
        0.0,
    );
    for m in &f.members {
        out += &row(
            &format!("{} {:.1}%", m.name, m.share * 100.0),
            m.premium,
            m.expected_loss,
        );
    }
    out += &format!(
        "  {}\n",
        l("(the rows below gross add up to gross, to the 分)")
    );
    out
}

/// A priced cover: statistics with standard errors, premiums, warnings.
pub fn line_text(p: &PricedLine, model: &Path, lang: Language) -> String {
    let lb = |k| label(k, lang);
    let row = |k: &str, e: &Estimate| format!("  {k:<26}{:>18.2}{:>18.2}\n", e.value, e.std_error);
    let mut out = format!("{} ({})\n", model.display(), p.method);
    out += &format!(
        "  {:<26}{:>18}{:>18}\n",
        lb("statistic"),
        lb("value"),
        lb("standard error")
    );
    out += &row(lb("mean"), &p.mean);
    out += &row(lb("standard deviation"), &p.std_dev);
    for (l, e) in &p.var {
        out += &row(&format!("VaR {:.2}%", l * 100.0), e);
    }
    for (l, e) in &p.tvar {
        out += &row(&format!("TVaR {:.2}%", l * 100.0), e);
    }
    for (name, premium) in &p.premiums {
        out += &format!("  {} {name}: {premium:.2}\n", lb("premium"));
    }
    for w in &p.warnings {
        out += &format!("  warning: {w}\n");
    }
    out
}

/// Pretty JSON of an output, with every −0.0 written as 0 (a sign on zero means nothing to a
/// reader of money figures). Non-finite numbers cannot occur: serde_json has no way to write
/// them and the library returns errors instead of NaN.
pub fn json_bytes<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, serde_json::Error> {
    json_to(Vec::new(), value)
}

/// [`json_bytes`] written to `out` as it is produced (into a compressor, say, so that the
/// whole text is never held), which is returned.
pub fn json_to<W: std::io::Write, T: serde::Serialize>(
    mut out: W,
    value: &T,
) -> Result<W, serde_json::Error> {
    let mut ser = serde_json::Serializer::with_formatter(&mut out, PositiveZero::default());
    value.serialize(&mut ser)?;
    Ok(out)
}

/// serde_json's pretty formatter writing −0.0 as 0.0, streamed (no `Value` tree of the whole
/// output in memory).
#[derive(Default)]
struct PositiveZero(serde_json::ser::PrettyFormatter<'static>);

macro_rules! delegate {
    ($($name:ident),*) => {$(
        fn $name<W: ?Sized + std::io::Write>(&mut self, w: &mut W) -> std::io::Result<()> {
            self.0.$name(w)
        }
    )*};
}

impl serde_json::ser::Formatter for PositiveZero {
    delegate!(
        begin_array,
        end_array,
        begin_object,
        end_object,
        end_array_value,
        end_object_value
    );
    delegate!(begin_object_value);

    fn begin_array_value<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_array_value(w, first)
    }

    fn begin_object_key<W: ?Sized + std::io::Write>(
        &mut self,
        w: &mut W,
        first: bool,
    ) -> std::io::Result<()> {
        self.0.begin_object_key(w, first)
    }

    fn write_f64<W: ?Sized + std::io::Write>(&mut self, w: &mut W, x: f64) -> std::io::Result<()> {
        self.0.write_f64(w, if x == 0.0 { 0.0 } else { x })
    }
}
