//! `kexian`: price, simulate and backtest a technology-insurance portfolio from files.
//!
//! ```text
//! kexian quote    --portfolio data/portfolio.csv --config data/pricing.json [--out kexian-out]
//!                 [--assumptions my_assumptions.json] [--seed S] [--trials N] [--quiet]
//! kexian simulate --portfolio book.json --config data/pricing.json
//! kexian backtest --experience data/experience.csv --config data/pricing.json
//! kexian fit      --claims data/claims_cyber.csv --deductible-column deductible --limit-column limit
//! ```

use clap::{Parser, Subcommand, ValueEnum};
use kexian::Error;
use kexian::assumptions::Assumptions;
use kexian::backtest::rolling_backtest;
use kexian::fitting::{
    Bootstrap, ClaimData, SeverityFamily, mean_excess, mean_excess_plot, pp_plot, qq_plot,
    select_severity,
};
use kexian::portfolio::{Portfolio, PortfolioRun, PortfolioSpec};
use kexian::quote::{QuoteConfig, QuoteRun, Summary};
use kexian::simulation::Progress;
use kexian::table::Table;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

#[derive(Parser)]
#[command(
    name = "kexian",
    version,
    about = "Technology insurance pricing (科技保险定价)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Clone, Copy, ValueEnum)]
enum Lang {
    En,
    Zh,
}

#[derive(Subcommand)]
enum Command {
    /// Quote every firm of a portfolio: writes quotes.csv, quotes.json and summary.json.
    Quote {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory.
        #[arg(long, default_value = "kexian-out")]
        out: PathBuf,
        /// Language of labels in the CSV and the summary.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Simulate the portfolio (no quoting): its loss statistics with standard errors and
    /// exceedance curve on stdout and in `out`/simulation.json.
    Simulate {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory.
        #[arg(long, default_value = "kexian-sim")]
        out: PathBuf,
    },
    /// Rolling backtest of the configured rating plan on multi-year experience.
    Backtest {
        /// Experience CSV (firm-years).
        #[arg(long)]
        experience: PathBuf,
        /// Pricing configuration (JSON) holding the rating plan.
        #[arg(long)]
        config: PathBuf,
        /// Years used before the first test year.
        #[arg(long, default_value_t = 2)]
        min_train_years: usize,
        /// Year column.
        #[arg(long, default_value = "year")]
        year_column: String,
        /// Assumption set (JSON) whose score scale the plan's score tiers use (default: the
        /// bundled set).
        #[arg(long)]
        assumptions: Option<PathBuf>,
    },
    /// Fit severity families to claims (ML with truncation and censoring), rank them by AIC
    /// and write the best as model.json, with the selection table and diagnostic charts.
    Fit {
        /// Claims CSV: one ground-up amount per row.
        #[arg(long)]
        claims: PathBuf,
        /// Amount column.
        #[arg(long, default_value = "amount")]
        amount_column: String,
        /// Deductible column (left truncation).
        #[arg(long)]
        deductible_column: Option<String>,
        /// Limit column (amounts at or above it are censored).
        #[arg(long)]
        limit_column: Option<String>,
        /// Weight column.
        #[arg(long)]
        weight_column: Option<String>,
        /// Families, comma-separated (default: lognormal, gamma, weibull, exponential,
        /// pareto, burr, loglogistic).
        #[arg(long, value_delimiter = ',')]
        families: Vec<String>,
        /// Bootstrap replicates for the goodness-of-fit p-values (0: none).
        #[arg(long, default_value_t = 0)]
        bootstrap: usize,
        /// Seed of the bootstrap.
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// Output directory.
        #[arg(long, default_value = "kexian-fit")]
        out: PathBuf,
    },
}

/// The book, its assumptions and the run settings, shared by `quote` and `simulate`.
#[derive(clap::Args)]
struct BookArgs {
    /// Portfolio: CSV (one row per firm; see data/README.md) or a JSON policy list (.json).
    #[arg(long)]
    portfolio: PathBuf,
    /// Pricing configuration (JSON).
    #[arg(long)]
    config: PathBuf,
    /// Assumption set (JSON; default: the bundled data/assumptions/shanghai_2025.json).
    #[arg(long)]
    assumptions: Option<PathBuf>,
    /// Override the configured number of simulated years.
    #[arg(long)]
    trials: Option<u64>,
    /// Override the configured seed.
    #[arg(long)]
    seed: Option<u64>,
    /// No progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    quiet: bool,
}

/// What `quote` and `simulate` read.
struct Inputs {
    firms: Vec<kexian::book::Firm>,
    assumptions: Assumptions,
    config: QuoteConfig,
    dir: PathBuf,
    quiet: bool,
}

impl BookArgs {
    fn load(self) -> Result<Inputs, Box<dyn std::error::Error>> {
        let (mut config, dir) = load_config(&self.config)?;
        config.simulation.trials = self.trials.unwrap_or(config.simulation.trials);
        config.simulation.seed = self.seed.unwrap_or(config.simulation.seed);
        config.validate()?;
        Ok(Inputs {
            firms: kexian::io::read_portfolio(&self.portfolio)?,
            assumptions: load_assumptions(self.assumptions.as_deref())?,
            config,
            dir,
            quiet: self.quiet,
        })
    }
}

fn load_assumptions(path: Option<&Path>) -> Result<Assumptions, Error> {
    match path {
        Some(p) => Assumptions::from_path(p),
        None => Assumptions::bundled(),
    }
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<(), Box<dyn std::error::Error>> {
    match cli.command {
        Command::Quote { book, out, lang } => {
            let priced = price(&book.load()?)?;
            write_set(
                &out,
                &[
                    ("quotes.csv", quotes_csv(&priced, lang)?),
                    ("quotes.json", serde_json::to_vec_pretty(&priced.quotes)?),
                    ("summary.json", serde_json::to_vec_pretty(&priced.summary)?),
                ],
            )?;
            print!("{}", summary_text(&priced.summary, lang));
            println!(
                "{} {} → {}",
                priced.quotes.len(),
                label("quotes written", lang),
                out.display()
            );
        }
        Command::Simulate { book, out } => {
            let inputs = book.load()?;
            let run = simulate(&inputs)?;
            let text = simulation_text(&run, &inputs)?;
            let summary = serde_json::json!({
                "losses": run.losses,
                "tvar": run.tvar,
                "tvar_level": run.tvar_level,
                "seed": inputs.config.simulation.seed,
                "trials": inputs.config.simulation.trials,
                "assumptions": format!("{} ({})", inputs.assumptions.set().name, inputs.assumptions.source()),
            });
            write_set(
                &out,
                &[("simulation.json", serde_json::to_vec_pretty(&summary)?)],
            )?;
            print!("{text}");
        }
        Command::Backtest {
            experience,
            config,
            min_train_years,
            year_column,
            assumptions,
        } => {
            let (cfg, _) = load_config(&config)?;
            let rating = cfg.rating.ok_or("the configuration has no rating plan")?;
            let scale = load_assumptions(assumptions.as_deref())?.scale().clone();
            let table = Table::from_path(&experience)?;
            let bt = rolling_backtest(
                &table,
                &rating.spec.with_scale(&scale),
                rating.family,
                &year_column,
                min_train_years,
            )?;
            print!("{}", bt.to_text());
        }
        Command::Fit {
            claims,
            amount_column,
            deductible_column,
            limit_column,
            weight_column,
            families,
            bootstrap,
            seed,
            out,
        } => fit(
            &claims,
            [
                Some(amount_column.as_str()),
                deductible_column.as_deref(),
                limit_column.as_deref(),
                weight_column.as_deref(),
            ],
            &families,
            (bootstrap > 0).then_some(Bootstrap {
                replicates: bootstrap,
                seed,
                threads: None,
            }),
            &out,
        )?,
    }
    Ok(())
}

/// `kexian fit`: the selection table on stdout; model.json (the best family by AIC),
/// selection.json and the P–P, Q–Q and mean-excess charts in `out`.
fn fit(
    claims: &Path,
    [amount, deductible, limit, weight]: [Option<&str>; 4],
    families: &[String],
    bootstrap: Option<Bootstrap>,
    out: &Path,
) -> Result<(), Box<dyn std::error::Error>> {
    let table = Table::from_path(claims)?;
    let data = ClaimData::from_table(
        &table,
        amount.unwrap_or("amount"),
        deductible,
        limit,
        weight,
    )?;
    let families: Vec<SeverityFamily> = if families.is_empty() {
        SeverityFamily::STANDARD.to_vec()
    } else {
        families
            .iter()
            .map(|f| {
                serde_json::from_value(serde_json::json!({ "family": f.trim() }))
                    .map_err(|_| format!("unknown or incomplete family `{f}` (known: lognormal, gamma, weibull, exponential, pareto, burr, loglogistic)"))
            })
            .collect::<Result<_, _>>()?
    };
    let rows = select_severity(&data, &families, bootstrap)?;
    println!(
        "{:<12} {:>12} {:>10} {:>10} {:>15} {:>15} {:>15}  parameters (± standard error)",
        "family", "loglik", "AIC", "BIC", "KS", "AD", "CvM"
    );
    for row in &rows {
        match (&row.fit, &row.goodness) {
            (Some(f), Some(g)) => {
                let stat = |get: fn(&kexian::fitting::EdfStatistics) -> f64,
                            p: fn(
                    &kexian::fitting::BootstrapPValues,
                ) -> kexian::simulation::Estimate| {
                    let s = g
                        .statistics
                        .map_or("—".to_owned(), |s| format!("{:.3}", get(&s)));
                    match g.p_values {
                        Some(pv) => {
                            let e = p(&pv);
                            format!("{s} (p {:.2}±{:.2})", e.value, e.std_error)
                        }
                        None => s,
                    }
                };
                let params: Vec<String> = f
                    .family
                    .parameter_names()
                    .iter()
                    .zip(&f.parameters)
                    .zip(&f.std_errors)
                    .map(|((n, v), se)| format!("{n} {v:.6} ± {se:.3}"))
                    .collect();
                println!(
                    "{:<12} {:>12.3} {:>10.2} {:>10.2} {:>15} {:>15} {:>15}  {}",
                    f.family.name(),
                    f.log_likelihood,
                    f.aic,
                    f.bic,
                    stat(|s| s.kolmogorov_smirnov, |p| p.kolmogorov_smirnov),
                    stat(|s| s.anderson_darling, |p| p.anderson_darling),
                    stat(|s| s.cramer_von_mises, |p| p.cramer_von_mises),
                    params.join(", ")
                );
            }
            _ => println!(
                "{:<12} failed: {}",
                row.family.name(),
                row.error.as_deref().unwrap_or("")
            ),
        }
    }
    let best = rows
        .first()
        .and_then(|r| r.fit.as_ref())
        .ok_or("no family could be fitted")?;
    let amounts: Vec<f64> = data
        .claims()
        .iter()
        .filter_map(|c| match c.observed {
            kexian::fitting::Observed::Exact { value } => Some(value),
            _ => None,
        })
        .collect();
    // The selection names what it was computed from.
    let claims_bytes = std::fs::metadata(claims).map(|m| m.len()).unwrap_or(0);
    let selection = serde_json::json!({
        "kexian": env!("CARGO_PKG_VERSION"),
        "inputs": {
            "claims": claims.display().to_string(),
            "claims_bytes": claims_bytes,
            "claims_rows": data.claims().len(),
            "columns": {"amount": amount, "deductible": deductible, "limit": limit, "weight": weight},
            "families": rows.iter().map(|r| r.family.name()).collect::<Vec<_>>(),
            "bootstrap": bootstrap,
        },
        "selection": rows,
    });
    let mut files = vec![
        ("model.json", serde_json::to_vec_pretty(&best.model)?),
        ("selection.json", serde_json::to_vec_pretty(&selection)?),
        ("pp.svg", pp_plot(best, &data).into_bytes()),
        ("qq.svg", qq_plot(best, &data).into_bytes()),
    ];
    if let Ok(me) = mean_excess(&amounts, 10) {
        files.push(("mean_excess.svg", mean_excess_plot(&me).into_bytes()));
    }
    write_set(out, &files)?;
    println!(
        "best by AIC: {} → {}",
        best.family.name(),
        out.join("model.json").display()
    );
    Ok(())
}

fn load_config(path: &Path) -> Result<(QuoteConfig, PathBuf), Error> {
    let cfg: QuoteConfig = kexian::io::read_json(path)?;
    cfg.validate()?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    Ok((cfg, dir))
}

/// A progress bar on stderr, only when stderr is a terminal and not `--quiet`.
fn progress_bar(quiet: bool) -> Option<impl Fn(Progress) + Sync> {
    if quiet || !std::io::stderr().is_terminal() {
        return None;
    }
    let last = AtomicUsize::new(usize::MAX);
    Some(move |p: Progress| {
        let pct = (p.done * 100 / p.total.max(1)) as usize;
        if last.swap(pct, Ordering::Relaxed) != pct {
            let filled = pct / 4;
            eprint!(
                "\r[{}{}] {pct:3}%",
                "#".repeat(filled),
                ".".repeat(25 - filled)
            );
            if pct == 100 {
                eprintln!();
            }
            let _ = std::io::stderr().flush();
        }
    })
}

fn price(inputs: &Inputs) -> Result<QuoteRun, Error> {
    let cfg = &inputs.config;
    let experience = match &cfg.rating {
        Some(r) => Some(Table::from_path(inputs.dir.join(&r.experience))?),
        None => None,
    };
    let bar = progress_bar(inputs.quiet);
    kexian::quote::price(
        &inputs.firms,
        &inputs.assumptions,
        cfg,
        experience.as_ref(),
        bar.as_ref().map(|b| b as &(dyn Fn(Progress) + Sync)),
    )
}

fn simulate(inputs: &Inputs) -> Result<PortfolioRun, Error> {
    let policies = inputs
        .assumptions
        .underwrite_book(&inputs.firms)?
        .into_iter()
        .map(|u| u.policy)
        .collect();
    let cfg = &inputs.config;
    let book = Portfolio::new(PortfolioSpec {
        policies,
        shocks: inputs.assumptions.shocks().to_vec(),
        dependence: inputs.assumptions.dependence().cloned(),
        per_risk_xol: vec![],
    })?;
    let bar = progress_bar(inputs.quiet);
    book.simulate_with_progress(
        &cfg.portfolio(),
        bar.as_ref().map(|b| b as &(dyn Fn(Progress) + Sync)),
    )
}

/// Loss statistics of a portfolio run, each with its standard error.
fn simulation_text(run: &PortfolioRun, inputs: &Inputs) -> Result<String, Error> {
    let l = &run.losses;
    let wan = |x: f64| format!("{:>14.1} 万元", x / 1e4);
    let level = run.tvar_level;
    let mut out = format!(
        "Portfolio ({} firms, seed {}, {} years; assumptions {})\n",
        inputs.firms.len(),
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
    out += &format!("  {:<14}{:>18}\n", "return period", "annual loss");
    for rp in kexian::simulation::RETURN_PERIODS {
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

fn label(key: &str, lang: Lang) -> &str {
    if let Lang::En = lang {
        return key;
    }
    match key {
        "firm" => "企业",
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
        "shares" => "份额",
        other => other,
    }
}

const CSV_FIELDS: [&str; 18] = [
    "firm",
    "sector",
    "score_tier",
    "model_expected_loss",
    "rating_factor",
    "experience_factor",
    "expected_loss",
    "risk_load",
    "reinsurance_cost",
    "expense",
    "commission",
    "profit",
    "minimum_premium_adjustment",
    "rounding_adjustment",
    "premium",
    "subsidy",
    "firm_pays",
    "risk_reduction_credit",
];

/// Writes a set of output files so that a reader sees the previous set or the new one, never a
/// mix: the files go to a fresh directory beside `out`, each synced to disk, and that
/// directory then replaces `out` by renames. Errors name the path.
fn write_set(out: &Path, files: &[(&str, Vec<u8>)]) -> Result<(), String> {
    let at = |p: &Path, e: std::io::Error| format!("{}: {e}", p.display());
    let parent = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    std::fs::create_dir_all(&parent).map_err(|e| at(&parent, e))?;
    let name = out
        .file_name()
        .ok_or_else(|| format!("{}: not a directory name", out.display()))?
        .to_string_lossy()
        .into_owned();
    let staging = parent.join(format!(".{name}.new-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    std::fs::create_dir(&staging).map_err(|e| at(&staging, e))?;
    for (file, bytes) in files {
        let path = staging.join(file);
        let mut f = std::fs::File::create(&path).map_err(|e| at(&path, e))?;
        f.write_all(bytes).map_err(|e| at(&path, e))?;
        f.sync_all().map_err(|e| at(&path, e))?;
    }
    let old = parent.join(format!(".{name}.old-{}", std::process::id()));
    if out.exists() {
        if !out.is_dir() {
            return Err(format!("{}: exists and is not a directory", out.display()));
        }
        std::fs::rename(out, &old).map_err(|e| at(out, e))?;
    }
    std::fs::rename(&staging, out).map_err(|e| at(out, e))?;
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

fn quotes_csv(run: &QuoteRun, lang: Lang) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut w = csv::Writer::from_writer(Vec::new());
    w.write_record(CSV_FIELDS.iter().map(|f| label(f, lang)))?;
    for q in &run.quotes {
        let money = |x: f64| format!("{x:.2}");
        w.write_record([
            q.firm.clone(),
            q.sector.clone(),
            q.score_tier.to_string(),
            money(q.model_expected_loss),
            format!("{:.6}", q.rating_factor),
            format!("{:.6}", q.experience_factor),
            money(q.expected_loss),
            money(q.risk_load),
            money(q.reinsurance_cost),
            money(q.expense),
            money(q.commission),
            money(q.profit),
            money(q.minimum_premium_adjustment),
            money(q.rounding_adjustment),
            money(q.premium),
            money(q.subsidy),
            money(q.firm_pays),
            money(q.risk_reduction_credit),
        ])?;
    }
    Ok(w.into_inner().map_err(|e| e.to_string())?)
}

fn summary_text(s: &Summary, lang: Lang) -> String {
    let l = |k| label(k, lang);
    let wan = |x: f64| format!("{:>14.1} 万元", x / 1e4);
    let mut out = format!(
        "{} ({} {}, seed {}, {} years, TVaR {:.1}%)\n",
        l("Portfolio"),
        s.firms,
        l("firms"),
        s.provenance.seed,
        s.provenance.trials,
        s.provenance.tvar_level * 100.0
    );
    for (k, v) in [
        ("expected annual loss", s.expected_loss),
        ("standard deviation", s.std_dev),
        ("VaR", s.var),
        ("TVaR", s.tvar),
        ("capital (TVaR − mean)", s.capital),
        ("total premium", s.premium),
        ("government subsidy", s.subsidy),
        ("paid by firms", s.firm_pays),
        (
            "expected ceded to aggregate XoL",
            s.reinsurance_expected_ceded,
        ),
        ("reinsurance cost", s.reinsurance_cost),
    ] {
        out += &format!("  {:<34}{}\n", l(k), wan(v));
    }
    out += &format!("  {:<14}{:>18}\n", l("return period"), l("annual loss"));
    for (rp, x) in &s.exceedance_curve {
        out += &format!("  {:<14}{}\n", format!("{rp:.0}"), wan(*x));
    }
    if !s.shares.is_empty() {
        out += &format!("  {}\n", l("shares"));
        for sh in &s.shares {
            out += &format!(
                "    {:<24} {:>5.1}%  {} {}\n",
                sh.name,
                sh.share * 100.0,
                wan(sh.premium),
                wan(sh.expected_loss)
            );
        }
    }
    out += &format!(
        "  kexian {} · {} · parameters {}\n",
        s.provenance.crate_version, s.provenance.method, s.provenance.parameter_hash
    );
    out
}
