//! `kexian report`: the actuarial report (精算报告) as one self-contained HTML file — charts
//! inline, a CJK font stack with a fallback, print CSS — and a PDF through headless Chromium
//! where it is installed.

use super::text::{backtest_charts, json_bytes, loss_ratio_text, summary_text, yuan};
use super::{BacktestColumns, Job, JobResult, Output};
use crate::backtest::{LossRatioBacktest, RollingBacktest};
use crate::io::Language;
use crate::io::{FONT, TornadoBar, exceedance_chart, thousands, tornado_chart};
use crate::quote::QuoteRun;
use crate::rates::RateTable;
use crate::sensitivity::{ScenarioKind, Sensitivity};
use std::fmt::Write as _;
use std::path::Path;

type Res<T> = JobResult<T>;

/// What the report shows.
struct Pack<'a> {
    pub inputs: &'a Job,
    pub priced: &'a QuoteRun,
    pub rates: &'a [RateTable],
    pub sensitivity: &'a Sensitivity,
    pub backtest: Option<(&'a RollingBacktest, &'a LossRatioBacktest)>,
    pub backtest_charts: Vec<(&'static str, Vec<u8>)>,
    pub lang: Language,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A table: header cells and rows of cells (already escaped HTML).
fn table(head: &[&str], rows: &[Vec<String>]) -> String {
    let mut s = String::from("<table><thead><tr>");
    for h in head {
        let _ = write!(s, "<th>{}</th>", esc(h));
    }
    s += "</tr></thead><tbody>";
    for r in rows {
        s += "<tr>";
        for c in r {
            // Figures right, words left.
            let figure = c
                .trim_start_matches(['-', '+'])
                .starts_with(|x: char| x.is_ascii_digit());
            let _ = write!(
                s,
                "<td class=\"{}\">{c}</td>",
                if figure { "n" } else { "t" }
            );
        }
        s += "</tr>";
    }
    s + "</tbody></table>"
}

/// The report's HTML.
fn html(p: &Pack) -> Res<String> {
    let zh = p.lang == Language::Zh;
    let t = |en: &'static str, cn: &'static str| if zh { cn } else { en };
    let s = &p.priced.summary;
    let set = p.inputs.assumptions.set();
    let mut body = String::new();
    let mut section = |title: &str, content: String| {
        let _ = write!(body, "<section><h2>{}</h2>{content}</section>", esc(title));
    };
    // 1. Product and data.
    products_section(p, &mut section);
    // 2. Methods.
    section(t("2. Methods", "二、方法"), methods(zh));
    // 3. Assumptions.
    assumptions_section(p, &mut section);
    // 4. Results.
    results_section(p, &mut section);
    // 5. Rate tables.
    let l = &p.inputs.config.loadings;
    let loadings = format!(
        "<p>{}: {} {:.1}%, {} {:.1}%, {} {:.1}%, {} {:.1}%.</p>",
        t("Loadings", "附加费用"),
        t("expenses", "费用率"),
        l.expense_ratio * 100.0,
        t("commission", "佣金率"),
        l.commission_ratio * 100.0,
        t("profit", "利润率"),
        l.profit_ratio * 100.0,
        t(
            "cost of capital on allocated co-TVaR capital",
            "按共同尾部期望分配资本的资本成本率"
        ),
        l.cost_of_capital * 100.0
    );
    section(
        t("5. Rate tables", "五、费率表"),
        format!(
            "{loadings}<div class=\"rates\">{}</div>",
            rate_tables(p.rates, zh.then_some(&set.names_zh))
        ),
    );
    // 6. Exceedance curves.
    let curve = exceedance_chart(
        &s.exceedance_curve,
        &s.occurrence_curve,
        s.provenance.trials,
        p.lang,
    )?;
    section(
        t("6. Exceedance curves", "六、超越概率曲线"),
        format!("<figure>{curve}</figure>"),
    );
    // 7. Sensitivity, stress and parameter risk.
    section(
        t(
            "7. Sensitivity, stress and parameter risk",
            "七、敏感性、压力测试与参数风险",
        ),
        sensitivity(p.sensitivity, zh.then_some(set))?,
    );
    // 8. Checks.
    checks_section(p, &mut section);
    // 9. Subsidy budget by score tier.
    section(
        t(
            "9. Subsidy budget by 沪科积分 tier (阶梯式支持)",
            "九、按沪科积分档的补贴预算（阶梯式支持）",
        ),
        subsidies(p.priced, zh),
    );
    // 10. Backtest.
    if let Some((bt, lr)) = p.backtest {
        let figures: String = (p.backtest_charts.iter())
            .map(|(_, svg)| format!("<figure>{}</figure>", String::from_utf8_lossy(svg)))
            .collect();
        section(
            t("10. Backtest (产品回溯)", "十、产品回溯"),
            format!(
                "<pre>{}\n{}</pre><p>{} {:.3}</p>{figures}",
                esc(&bt.to_text()),
                esc(&loss_ratio_text(lr, p.lang)),
                t("Gini of the plan:", "费率方案基尼系数:"),
                bt.lorenz.gini
            ),
        );
    }
    // 11. Provenance.
    provenance_section(p, &mut section);
    let pv = &s.provenance;
    let title = t(
        "Actuarial report: technology insurance book",
        "精算报告：科技保险业务",
    );
    Ok(format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\"><title>{}</title><style>{}</style></head>\
         <body><header><h1>{}</h1><p>{} · {} {} · seed {}</p></header>{body}</body></html>\n",
        if zh { "zh-CN" } else { "en" },
        esc(title),
        css(),
        esc(title),
        esc(&set.name),
        thousands(pv.trials as f64),
        t("simulated years", "模拟年"),
        pv.seed
    ))
}

/// The products, their lines, covers and sources.
fn products_section(p: &Pack, section: &mut dyn FnMut(&str, String)) {
    let zh = p.lang == Language::Zh;
    let t = |en: &'static str, cn: &'static str| if p.lang == Language::Zh { cn } else { en };
    let set = p.inputs.assumptions.set();
    let products: Vec<Vec<String>> = (p.rates.iter())
        .map(|r| {
            let product = set.products.iter().find(|x| x.name == r.product);
            vec![
                esc(if zh && !r.name_zh.is_empty() {
                    &r.name_zh
                } else {
                    &r.product
                }),
                esc(&r.line),
                thousands(r.covers.len() as f64),
                esc(product.map_or("", |x| x.source.as_str())),
            ]
        })
        .collect();
    section(
        t("1. Products and data", "一、产品与数据"),
        format!(
            "<p>{} {} {}; {} {}.</p>{}",
            t("The book:", "业务:"),
            thousands(p.inputs.firms.len() as f64),
            t("firms", "家企业"),
            thousands(p.rates.iter().map(|r| r.covers.len()).sum::<usize>() as f64),
            t("covers", "张保单"),
            table(
                &[
                    t("product", "产品"),
                    t("line", "险类"),
                    t("covers", "保单数"),
                    t("source of the assumptions", "假设来源")
                ],
                &products
            )
        ),
    );
}

/// The assumption set and its systemic events.
fn assumptions_section(p: &Pack, section: &mut dyn FnMut(&str, String)) {
    let t = |en: &'static str, cn: &'static str| if p.lang == Language::Zh { cn } else { en };
    let set = p.inputs.assumptions.set();
    let shocks: Vec<Vec<String>> = (set.shocks.iter())
        .map(|x| vec![esc(&x.name), format!("{:.4}", x.annual_rate)])
        .collect();
    section(
        t("3. Assumptions and their sources", "三、假设及其来源"),
        format!(
            "<p>{} <code>{}</code> ({}). {}</p>{}",
            t("Assumption set", "假设集"),
            esc(&set.name),
            esc(p.inputs.assumptions.source()),
            esc(&set.note),
            table(
                &[
                    t("systemic event", "系统性事件"),
                    t("annual rate", "年发生率")
                ],
                &shocks
            )
        ),
    );
}

/// The book's figures with their standard errors, the summary, levels and flows.
fn results_section(p: &Pack, section: &mut dyn FnMut(&str, String)) {
    let t = |en: &'static str, cn: &'static str| if p.lang == Language::Zh { cn } else { en };
    let s = &p.priced.summary;
    let se = &s.standard_errors;
    let level = p.inputs.config.tvar_level * 100.0;
    let rows = vec![
        vec![
            esc(t("rated expected loss", "定价期望损失")),
            yuan(s.rated_expected_loss),
            "".into(),
        ],
        vec![
            esc(t("simulated mean annual loss", "模拟年均损失")),
            yuan(s.expected_loss),
            yuan(se.expected_loss),
        ],
        vec![format!("VaR {level:.1}%"), yuan(s.var), yuan(se.var)],
        vec![format!("TVaR {level:.1}%"), yuan(s.tvar), yuan(se.tvar)],
        vec![
            esc(t("gross premium", "毛保费")),
            yuan(s.premium),
            "".into(),
        ],
        vec![esc(t("subsidy", "财政补贴")), yuan(s.subsidy), "".into()],
        vec![
            esc(t("firms pay", "企业自付")),
            yuan(s.firm_pays),
            "".into(),
        ],
    ];
    section(
        t("4. Results", "四、结果"),
        format!(
            "{}<h3>{}</h3><pre>{}</pre>",
            table(
                &[
                    t("figure", "指标"),
                    t("元", "元"),
                    t("standard error", "标准误")
                ],
                &rows
            ),
            t(
                "Summary, levels by line and money flows",
                "汇总、分险类水平与资金流"
            ),
            esc(&summary_text(s, p.lang))
        ),
    );
}

/// The committee's soundness checks.
fn checks_section(p: &Pack, section: &mut dyn FnMut(&str, String)) {
    let t = |en: &'static str, cn: &'static str| if p.lang == Language::Zh { cn } else { en };
    let s = &p.priced.summary;
    let checks: Vec<Vec<String>> = (s.checks.iter())
        .map(|c| {
            vec![
                esc(&c.name),
                esc(&c.rule),
                (if c.hard {
                    t("hard", "硬性")
                } else {
                    t("flag", "提示")
                })
                .into(),
                thousands(c.count as f64),
                esc(&c.examples.join("; ")),
            ]
        })
        .collect();
    section(
        t("8. Soundness checks", "八、定价合理性检查"),
        table(
            &[
                t("check", "检查"),
                t("rule", "规则"),
                t("kind", "类型"),
                t("count", "数量"),
                t("examples", "示例"),
            ],
            &checks,
        ),
    );
}

/// The run's version, method, seed, years and input files.
fn provenance_section(p: &Pack, section: &mut dyn FnMut(&str, String)) {
    let t = |en: &'static str, cn: &'static str| if p.lang == Language::Zh { cn } else { en };
    let s = &p.priced.summary;
    let pv = &s.provenance;
    let files: Vec<Vec<String>> = (pv.input_files.iter())
        .map(|f| {
            vec![
                esc(&f.role),
                esc(&f.path),
                thousands(f.bytes as f64),
                format!("<code>{}</code>", esc(&f.sha256)),
            ]
        })
        .collect();
    section(
        t("11. Provenance", "十一、溯源信息"),
        format!(
            "<p>kexian {} · {} · seed {} · {} {} · inputs sha256 <code>{}</code></p>{}",
            esc(&pv.crate_version),
            esc(&pv.method),
            pv.seed,
            thousands(pv.trials as f64),
            t("simulated years", "模拟年"),
            esc(&pv.inputs_digest),
            table(
                &[
                    t("input", "输入"),
                    t("path", "路径"),
                    t("bytes", "字节"),
                    "sha256"
                ],
                &files
            )
        ),
    );
}

fn css() -> String {
    format!(
        "body{{font-family:{FONT};margin:2em auto;max-width:60em;color:#111;line-height:1.45}}\
         h1{{font-size:1.9em;margin:0 0 .2em}} h2{{border-bottom:2px solid #4878a8;padding-bottom:.2em;margin-top:1.6em}}\
         table{{border-collapse:collapse;margin:.6em 0;font-size:.9em}} th,td{{border:1px solid #bbb;padding:.2em .5em;text-align:left}} td.n{{text-align:right;white-space:nowrap}}\
         th{{background:#e8eef5}} .rates th{{background:#fbe3c0}} pre{{font-size:.75em;background:#f6f6f6;padding:.6em;overflow-x:auto}}\
         figure{{margin:1em 0}} figure svg{{max-width:100%;height:auto}}\
         @media print{{body{{margin:0;max-width:none;font-size:10pt}} section{{break-inside:auto}} h2{{break-after:avoid}} figure,table{{break-inside:avoid}} @page{{size:A4;margin:15mm}}}}"
    )
}

fn methods(zh: bool) -> String {
    let items: [(&str, &str); 6] = [
        (
            "Each cover's annual loss is simulated from its peril (frequency × severity under its terms: a claim pays α·(min(X, u) − d)⁺), the book by event-driven Monte Carlo over rayon, bit-identical for any thread count; systemic events hit many firms at once and a copula ties the sectors' years.",
            "每张保单的年度损失由其风险模型模拟（频率 × 损失程度，按条款赔付 α·(min(X, u) − d)⁺），整体业务以事件驱动的蒙特卡罗方法并行模拟，任意线程数结果逐位一致；系统性事件同时影响多家企业，行业之间以 copula 相关。",
        ),
        (
            "Standard errors come from batch means over independent blocks of 2,048 years.",
            "标准误由 2,048 年一组的独立批次均值估计。",
        ),
        (
            "The level of each line is the credibility blend Z·A/E + 1 − Z of the model and the book's experience, n_full = 1,082·(1 + CV²) claims.",
            "各险类的水平为模型与业务经验的信度加权 Z·A/E + 1 − Z，完全信度 n_full = 1,082·(1 + CV²) 笔赔案。",
        ),
        (
            "Premium = (expected loss + cost of capital × (co-TVaR − mean) + reinsurance cost) / (1 − expense − commission − profit ratios), rounded.",
            "保费 = (期望损失 + 资本成本 × (共同尾部期望 − 均值) + 再保成本) / (1 − 费用率 − 佣金率 − 利润率)，取整。",
        ),
        (
            "Rate tables: a gamma GLM (log link) of the covers' expected losses on the rating variables with offset ln(exposure × terms factor); terms factor (ILF(u) − D(d))·α/α₀ from layer expected values.",
            "费率表：以各保单期望损失对费率因子作伽马 GLM（对数连接），偏移项为 ln(风险单位 × 条款系数)；条款系数 (ILF(u) − D(d))·α/α₀ 由分层期望值计算。",
        ),
        (
            "Sensitivity: each assumption moved by the step and re-priced with the same seed (common random numbers); differences carry batch-means standard errors.",
            "敏感性：各假设按步长变动后以相同随机种子重新定价（共同随机数），差值附批次均值标准误。",
        ),
    ];
    let mut s = String::from("<ol>");
    for (en, cn) in items {
        let _ = write!(s, "<li>{}</li>", esc(if zh { cn } else { en }));
    }
    s + "</ol>"
}

/// The factor names in Chinese.
fn factor_zh(factor: &str) -> &str {
    match factor {
        "sector" => "行业",
        "size" => "规模",
        "stage" => "发展阶段",
        "score" => "沪科积分档",
        "measures" => "风险减量措施",
        "project_stage" => "研发项目/阶段/已历年数",
        "amount_at_risk" => "涉案金额",
        "default_probability" => "违约概率 (对数)",
        "exposure" => "风险单位 (对数)",
        "log_revenue" => "营业收入对数",
        "terms" => "条款",
        other => other,
    }
}

/// Rate tables; in Chinese (`names` given) with Chinese factor and level names.
fn rate_tables(
    rates: &[RateTable],
    names: Option<&std::collections::BTreeMap<String, String>>,
) -> String {
    let zh = names.is_some();
    let level = |l: &str| {
        names
            .and_then(|n| n.get(l))
            .map_or(l.to_owned(), String::clone)
    };
    let factor = |f: &str| {
        if zh {
            factor_zh(f).to_owned()
        } else {
            f.to_owned()
        }
    };
    let mut s = String::new();
    for r in rates {
        let name = if zh && !r.name_zh.is_empty() {
            &r.name_zh
        } else {
            &r.product
        };
        let unit = match &r.exposure {
            Some(e) if r.per == 1.0 => format!("per {e}"),
            Some(e) => format!("per {} 元 of {e}", thousands(r.per)),
            None => {
                if zh {
                    "每保单".into()
                } else {
                    "per policy".into()
                }
            }
        };
        let _ = write!(
            s,
            "<h3 class=\"rate-table\">{} ({})</h3><p>{}: {} 元 {}; {} {:.4}; max |{}| {:.3}% ({} {:.1}%)</p>",
            esc(name),
            esc(&r.line),
            if zh {
                "基准期望损失"
            } else {
                "base expected loss"
            },
            yuan(r.base_rate),
            esc(&unit),
            if zh { "附加系数" } else { "loading" },
            r.loading,
            if zh {
                "表 / 期望损失 − 1"
            } else {
                "table / expected loss − 1"
            },
            r.max_residual * 100.0,
            if zh { "容差" } else { "tolerance" },
            r.tolerance * 100.0
        );
        let mut rows: Vec<Vec<String>> = (r.factors.iter())
            .map(|f| {
                vec![
                    esc(&factor(&f.factor)),
                    esc(&level(&f.level)),
                    format!("{:.4}", f.relativity),
                ]
            })
            .collect();
        if let Some(terms) = &r.terms {
            for l in &terms.limits {
                rows.push(vec![
                    "ILF".into(),
                    thousands(l.value),
                    format!("{:.4}", l.factor),
                ]);
            }
            for d in &terms.deductibles {
                rows.push(vec![
                    (if zh {
                        "免赔额折扣"
                    } else {
                        "deductible credit"
                    })
                    .into(),
                    thousands(d.value),
                    format!("{:.4}", d.factor),
                ]);
            }
        }
        s += &table(
            &[
                if zh { "因子" } else { "factor" },
                if zh { "水平" } else { "level" },
                if zh { "系数" } else { "relativity" },
            ],
            &rows,
        );
    }
    s
}

/// A scenario's name in Chinese: product codes by their Chinese names, the moved quantity
/// translated.
fn scenario_zh(name: &str, set: &crate::assumptions::AssumptionSet) -> String {
    let mut out = name.to_owned();
    for p in &set.products {
        if !p.name_zh.is_empty() && out.starts_with(&format!("{} ", p.name)) {
            out = format!("{}{}", p.name_zh, &out[p.name.len()..]);
        }
    }
    for (en, cn) in [
        (" frequency ", " 频率 "),
        (" severity ", " 损失程度 "),
        (" rate ", " 发生率 "),
        ("dependence ", "相关性 "),
    ] {
        out = out.replace(en, cn);
    }
    out
}

/// The tornado chart and the table of every scenario; in Chinese when the set is given.
fn sensitivity(sens: &Sensitivity, set: Option<&crate::assumptions::AssumptionSet>) -> Res<String> {
    let zh = set.is_some();
    let label = |name: &str| set.map_or(name.to_owned(), |s| scenario_zh(name, s));
    let steps: Vec<TornadoBar> = (sens.results.iter())
        .filter(|r| r.kind == ScenarioKind::Step)
        .map(|r| TornadoBar {
            label: label(&r.name),
            change: r.premium.change,
            std_error: r.premium.std_error,
        })
        .collect();
    let mut s = String::new();
    if !steps.is_empty() {
        let svg = tornado_chart(
            &steps,
            &format!(
                "{} {:+}%",
                if zh {
                    "保费敏感性：各假设变动"
                } else {
                    "Premium sensitivity: each assumption"
                },
                sens.step * 100.0
            ),
            if zh {
                "保费变动 (万元)"
            } else {
                "change in premium (万元)"
            },
        )?;
        let _ = write!(s, "<figure>{svg}</figure>");
    }
    let kind = |k: ScenarioKind| match (k, zh) {
        (ScenarioKind::Step, false) => "step",
        (ScenarioKind::Step, true) => "步长",
        (ScenarioKind::Stress, false) => "stress",
        (ScenarioKind::Stress, true) => "压力",
        (ScenarioKind::Parameter, false) => "parameter risk",
        (ScenarioKind::Parameter, true) => "参数风险",
    };
    let pm = |c: &crate::sensitivity::Change| format!("{} ± {}", yuan(c.change), yuan(c.std_error));
    let rows: Vec<Vec<String>> = (sens.results.iter())
        .map(|r| {
            vec![
                esc(&label(&r.name)),
                kind(r.kind).into(),
                pm(&r.premium),
                pm(&r.expected_loss),
                pm(&r.tvar),
            ]
        })
        .collect();
    let head = if zh {
        [
            "情景",
            "类型",
            "保费变动 ± 标准误",
            "期望损失变动",
            "TVaR 变动",
        ]
    } else {
        [
            "scenario",
            "kind",
            "Δ premium ± s.e.",
            "Δ expected loss",
            "Δ TVaR",
        ]
    };
    s += &table(&head, &rows);
    Ok(s)
}

fn subsidies(priced: &QuoteRun, zh: bool) -> String {
    let mut tiers: std::collections::BTreeMap<usize, (usize, f64, f64)> = Default::default();
    for q in &priced.quotes {
        let e = tiers.entry(q.score_tier).or_default();
        *e = (e.0 + 1, e.1 + q.premium, e.2 + q.subsidy);
    }
    let rows: Vec<Vec<String>> = (tiers.iter())
        .map(|(t, (n, p, s))| {
            vec![
                format!("T{t}"),
                thousands(*n as f64),
                yuan(*p),
                yuan(*s),
                format!("{:.1}%", 100.0 * s / p.max(1e-9)),
            ]
        })
        .collect();
    let head = if zh {
        ["积分档", "企业数", "保费 (元)", "补贴 (元)", "补贴占比"]
    } else {
        [
            "tier",
            "firms",
            "premium (元)",
            "subsidy (元)",
            "subsidy share",
        ]
    };
    table(&head, &rows)
}

/// Prices the book, makes its rate tables, sensitivity (steps, the configured stresses, the
/// parameter risk of the configured fit) and backtests, and writes report.html (and
/// report.pdf where Chromium is installed) to `out`.
pub fn report(
    inputs: &Job,
    lang: Language,
    observer: Option<crate::simulation::Observer>,
) -> Res<Output<Sensitivity>> {
    let config = &inputs.config;
    let priced = inputs.price(observer)?;
    let plan_line = config.rating.as_ref().and_then(|r| r.line.as_deref());
    let rates = crate::rates::rate_tables(
        &inputs.assumptions,
        &inputs.firms,
        &priced,
        plan_line,
        &crate::rates::RateConfig::default(),
    )?;
    let settings = config
        .sensitivity
        .clone()
        .unwrap_or(crate::quote::SensitivityConfig {
            step: 0.1,
            stresses: vec![],
            parameter_risk: None,
        });
    let mut scenarios =
        crate::sensitivity::steps(&inputs.assumptions, &inputs.firms, settings.step);
    scenarios.extend(
        settings
            .stresses
            .iter()
            .map(|s| (s.clone(), ScenarioKind::Stress)),
    );
    if let Some(risk) = &settings.parameter_risk {
        let table = crate::table::Table::from_path(inputs.dir.join(&risk.claims))?;
        let data = crate::fitting::ClaimData::from_table(
            &table,
            &risk.amount_column,
            risk.deductible_column.as_deref(),
            risk.limit_column.as_deref(),
            None,
        )?;
        let fit = crate::fitting::fit_severity(risk.family, &data)?;
        scenarios.extend(crate::sensitivity::parameter_scenarios(
            &fit,
            &risk.product,
        )?);
    }
    let experience = inputs.experience.as_ref();
    let sensitivity = crate::sensitivity::sensitivity(
        &inputs.firms,
        &inputs.assumptions,
        config,
        experience,
        &scenarios,
        settings.step,
    )?;
    let backtests = match experience {
        Some(_) => Some(inputs.backtests(&BacktestColumns::default(), None)?),
        None => None,
    };
    let backtest_charts = match &backtests {
        Some((bt, lr)) => backtest_charts(bt, lr, lang, &inputs.assumptions.set().names_zh)?,
        None => vec![],
    };
    let pack = Pack {
        inputs,
        priced: &priced,
        rates: &rates,
        sensitivity: &sensitivity,
        backtest: backtests.as_ref().map(|(b, l)| (b, l)),
        backtest_charts,
        lang,
    };
    let page = html(&pack)?;
    // The PDF is printed from the HTML on disk, in a directory of its own.
    // A new directory (never one that exists: only what this run wrote is removed).
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    let scratch =
        std::env::temp_dir().join(format!(".kexian-report-{}-{nanos}", std::process::id()));
    std::fs::create_dir(&scratch).map_err(|e| format!("{}: {e}", scratch.display()))?;
    let html_path = scratch.join("report.html");
    std::fs::write(&html_path, &page)?;
    let printed = pdf(&html_path);
    for name in ["report.html", "report.pdf"] {
        std::fs::remove_file(scratch.join(name)).ok();
    }
    std::fs::remove_dir(&scratch).ok();
    let mut files = vec![
        ("report.html", page.into_bytes()),
        ("sensitivity.json", json_bytes(&sensitivity)?),
    ];
    let mut text = format!("report ({} scenarios)", sensitivity.results.len());
    match printed {
        Ok(bytes) => files.push(("report.pdf", bytes)),
        Err(why) => text = format!("report.pdf not written: {why}\n{text}"),
    }
    Ok(Output {
        value: sensitivity,
        files,
        text,
    })
}

/// The first Chromium on the path, if any.
pub fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    [
        "chromium",
        "chromium-browser",
        "google-chrome",
        "google-chrome-stable",
    ]
    .iter()
    .flat_map(|name| std::env::split_paths(&path).map(move |d| d.join(name)))
    .find(|p| p.is_file())
}

/// The PDF of the HTML file at `html` by headless Chromium (print CSS, A4), or why not.
fn pdf(html: &Path) -> Result<Vec<u8>, String> {
    let browser = chromium().ok_or("no Chromium on the PATH (install `chromium` for the PDF)")?;
    let dir = html.parent().ok_or("no directory")?;
    let target = dir.join("report.pdf");
    let output = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--no-pdf-header-footer",
        ])
        .arg(format!("--print-to-pdf={}", target.display()))
        .arg(format!(
            "file://{}",
            std::path::absolute(html)
                .map_err(|e| e.to_string())?
                .display()
        ))
        .output()
        .map_err(|e| format!("{}: {e}", browser.display()))?;
    std::fs::read(&target).map_err(|e| {
        format!(
            "{} wrote no PDF ({e}): {}",
            browser.display(),
            String::from_utf8_lossy(&output.stderr)
        )
    })
}
