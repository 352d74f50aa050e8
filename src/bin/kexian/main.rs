//! `kexian`: price, simulate and backtest a technology-insurance portfolio from files.
//!
//! ```text
//! kexian quote    --portfolio data/portfolio.csv --config data/pricing.json [--out kexian-out]
//!                 [--assumptions my_assumptions.json] [--seed S] [--trials N] [--quiet]
//! kexian simulate --portfolio book.json --config data/pricing.json
//! kexian quote    … --shard 2/8 --out part-2     (one shard of the run: a partial result)
//! kexian merge    part-* --portfolio … --config … --out kexian-out   (the parts → the run's outputs)
//! kexian backtest --experience data/experience.csv --config data/pricing.json
//! kexian fit      --claims data/claims_cyber.csv --deductible-column deductible --limit-column limit
//! ```

use clap::{Parser, Subcommand};
use kexian::Error;
use kexian::assumptions::Assumptions;
use kexian::backtest::{LossRatioBacktest, RollingBacktest, loss_ratio_backtest, rolling_backtest};
use kexian::fitting::Bootstrap;
use kexian::io::exceedance_chart;
use kexian::portfolio::Portfolio;
use kexian::portfolio::{PortfolioConfig, PortfolioRun};
use kexian::pricing::{LineMethod, LineSpec, price_line};
use kexian::quote::{InputFile, QuoteConfig};
use kexian::simulation::{Observer, Progress, Shard};
use kexian::table::Table;
use sha2::Digest;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod actuarial;
mod fit;
mod output;
mod pack;
mod push;
mod report;
mod shard;

use output::write_set;

use fit::fit;
use push::push;
use report::{
    Lang, backtest_charts, json_bytes, label, line_text, loss_ratio_csv, loss_ratio_text,
    quotes_csv, simulation_text, summary_text,
};
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

#[derive(Subcommand)]
enum Command {
    /// Quote every firm of a portfolio: writes quotes.csv, quotes.json and summary.json.
    Quote {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory (with `--shard`, the directory of the shard's partial result).
        #[arg(long, default_value = "kexian-out")]
        out: PathBuf,
        #[command(flatten)]
        job: QuoteJob,
        /// Run only shard i of n (1 ≤ i ≤ n) of the simulated years and write its partial
        /// result to `out`; `kexian merge` turns all n into the outputs of the single run.
        #[arg(long, value_parser = parse_shard)]
        shard: Option<Shard>,
    },
    /// Simulate the portfolio (no quoting): its loss statistics with standard errors and
    /// exceedance curve on stdout and in `out`/simulation.json.
    Simulate {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory (with `--shard`, the directory of the shard's partial result).
        #[arg(long, default_value = "kexian-sim")]
        out: PathBuf,
        /// Language of labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
        /// Run only shard i of n (as for `quote`).
        #[arg(long, value_parser = parse_shard)]
        shard: Option<Shard>,
    },
    /// Merge the partial results of every shard of a `quote --shard` or `simulate --shard`
    /// run (in any order) and write what the single run writes. Reads the inputs this
    /// command names (never paths from the parts) and refuses inputs whose contents differ
    /// from what the shards read, damaged parts, parts of other runs, a shard given twice and
    /// incomplete sets.
    Merge {
        /// The shards' output directories (or their shard.cbor files).
        #[arg(required = true)]
        parts: Vec<PathBuf>,
        #[command(flatten)]
        inputs: InputArgs,
        #[command(flatten)]
        run: RunArgs,
        /// Output directory.
        #[arg(long)]
        out: PathBuf,
        /// Also write the charts of a `quote` run (as `quote --charts`).
        #[arg(long)]
        charts: Option<PathBuf>,
    },
    /// Price a single cover from a one-file spec (frequency, severity, claim and annual terms,
    /// method exact or Monte Carlo, levels, premium principles): its statistics with standard
    /// errors on stdout and in `out`/priced.json.
    Price {
        /// The cover (JSON; see kexian::pricing::LineSpec).
        #[arg(long)]
        model: PathBuf,
        /// Override the seed of a Monte Carlo method.
        #[arg(long)]
        seed: Option<u64>,
        /// Override the trials of a Monte Carlo method.
        #[arg(long)]
        trials: Option<u64>,
        /// Output directory.
        #[arg(long, default_value = "kexian-price")]
        out: PathBuf,
        /// Memory budget (as for `quote`).
        #[arg(long, value_parser = parse_bytes)]
        memory_limit: Option<u64>,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Language of labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
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
        /// Column of the losses that followed (元), for the loss-ratio backtest.
        #[arg(long, default_value = "incurred")]
        losses: String,
        /// Column whose levels are the segments of the loss-ratio backtest.
        #[arg(long, default_value = "sector")]
        segment: String,
        /// Output directory: backtest.txt, backtest.json, loss_ratio.csv, loss_ratio.json and
        /// the charts (Lorenz curve, A/E of claims by year and of losses by segment,
        /// calibration; SVG).
        #[arg(long, default_value = "kexian-backtest")]
        out: PathBuf,
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Language of labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
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
        /// Language of the charts' labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Rate tables (费率表) of the quoted book: for each product a base rate, factor tables,
    /// increased-limit factors and deductible credits, each cover checked against its quote's
    /// expected loss. Writes rates.csv, rates_check.csv, rates.json and rates.txt.
    Rates {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory.
        #[arg(long, default_value = "kexian-rates")]
        out: PathBuf,
        /// Largest |table / expected loss − 1| allowed for a cover.
        #[arg(long, default_value_t = 0.05)]
        tolerance: f64,
        /// Language of labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// The actuarial report (精算报告): products and data, methods, assumptions, results with
    /// standard errors, rate tables, exceedance curves, sensitivity, stress and parameter
    /// risk (tornado chart), soundness checks, flows, subsidies by score tier, backtest and
    /// provenance: report.html (self-contained) and report.pdf (headless Chromium, where
    /// installed), with sensitivity.json.
    Report {
        #[command(flatten)]
        book: BookArgs,
        /// Output directory.
        #[arg(long, default_value = "kexian-report")]
        out: PathBuf,
        /// Language of the report.
        #[arg(long, value_enum, default_value = "en")]
        lang: Lang,
    },
    /// Two-way push (双向互推): for each firm, the catalogue products it may buy and does not
    /// hold, ranked by need, with an indicative premium; for each product, the eligible
    /// firms. Writes matches_by_firm.csv, matches_by_product.csv and matches.json.
    Match {
        /// Portfolio: CSV or a JSON policy list.
        #[arg(long)]
        portfolio: PathBuf,
        /// Pricing configuration whose loadings gross up the premiums (default: the
        /// bundled data/pricing.json's).
        #[arg(long)]
        config: Option<PathBuf>,
        /// Assumption set with the catalogue (default: the bundled one).
        #[arg(long)]
        assumptions: Option<PathBuf>,
        /// Output directory.
        #[arg(long, default_value = "kexian-match")]
        out: PathBuf,
    },
}

/// How `quote` writes its outputs.
#[derive(clap::Args, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct QuoteJob {
    /// Language of labels in the CSV and the summary.
    #[arg(long, value_enum, default_value = "en")]
    lang: Lang,
    /// Start quotes.csv with a UTF-8 byte-order mark, so Excel reads its Chinese
    /// headers and names (always with `--lang zh`).
    #[arg(long)]
    excel: bool,
    /// Also write the charts (exceedance curve with its standard-error band, SVG) to
    /// this directory (into the output set itself when it names `--out`).
    #[arg(long)]
    #[serde(skip)]
    charts: Option<PathBuf>,
    /// Write quotes.csv.gz and quotes.json.gz (gzip, RFC 1952) instead of quotes.csv and
    /// quotes.json: for big books (summary.json stays plain).
    #[arg(long)]
    #[serde(default)]
    gzip: bool,
}

fn parse_shard(text: &str) -> Result<Shard, String> {
    Shard::parse(text).map_err(|e| e.to_string())
}

/// The files a book's run reads, shared by `quote`, `simulate` and `merge`.
#[derive(clap::Args, Clone)]
struct InputArgs {
    /// Portfolio: CSV (one row per firm; see data/README.md) or a JSON policy list (.json).
    #[arg(long)]
    portfolio: PathBuf,
    /// Pricing configuration (JSON).
    #[arg(long)]
    config: PathBuf,
    /// Assumption set (JSON; default: the bundled data/assumptions/shanghai_2025.json).
    #[arg(long)]
    assumptions: Option<PathBuf>,
}

/// The book, its assumptions and the run settings, shared by `quote` and `simulate`.
#[derive(clap::Args, Clone)]
struct BookArgs {
    #[command(flatten)]
    inputs: InputArgs,
    /// Override the configured number of simulated years.
    #[arg(long)]
    trials: Option<u64>,
    /// Override the configured seed.
    #[arg(long)]
    seed: Option<u64>,
    #[command(flatten)]
    run: RunArgs,
}

/// How a book's run reports and how much memory it may take (neither changes its results).
#[derive(clap::Args, Clone)]
struct RunArgs {
    /// No progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    quiet: bool,
    /// Memory budget, e.g. `8G`, `512M` or bytes (default: 80% of the machine's memory); a
    /// run estimated above it is refused before it starts.
    #[arg(long, value_parser = parse_bytes)]
    memory_limit: Option<u64>,
}

/// Bytes from `8G`, `512M`, `64K` (powers of 1024, an optional `iB`/`B`) or a plain number.
fn parse_bytes(text: &str) -> Result<u64, String> {
    let t = text.trim().trim_end_matches("iB").trim_end_matches('B');
    let (digits, unit) = match t.char_indices().last() {
        Some((i, c)) if c.is_ascii_alphabetic() => (&t[..i], c.to_ascii_uppercase()),
        _ => (t, ' '),
    };
    let shift = match unit {
        ' ' => 0,
        'K' => 10,
        'M' => 20,
        'G' => 30,
        'T' => 40,
        _ => return Err(format!("`{text}`: use a number of bytes or K, M, G, T")),
    };
    let n: f64 = digits
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a size (e.g. 8G, 512M)"))?;
    if !(n.is_finite() && n > 0.0) {
        return Err(format!("`{text}` must be positive"));
    }
    Ok((n * (1u64 << shift) as f64) as u64)
}

/// 80% of the machine's memory (from /proc/meminfo), or 16 GiB when unknown.
fn default_memory_limit() -> u64 {
    let total = std::fs::read_to_string("/proc/meminfo").ok().and_then(|m| {
        let line = m.lines().find(|l| l.starts_with("MemTotal:"))?;
        let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
        Some(kib * 1024)
    });
    total.map_or(16 << 30, |t| t / 5 * 4)
}

/// Refuses a run estimated above the budget, naming both and the remedies.
fn check_memory(estimate: u64, limit: Option<u64>, remedies: &str) -> Result<(), String> {
    let limit = limit.unwrap_or_else(default_memory_limit);
    if estimate > limit {
        return Err(format!(
            "the run needs about {}, above the memory budget of {} (--memory-limit): {remedies}",
            size(estimate),
            size(limit)
        ));
    }
    Ok(())
}

/// `bytes` in the largest binary unit that leaves at least 1 (e.g. `2.0 GiB`, `1.0 KiB`).
fn size(bytes: u64) -> String {
    let units = ["bytes", "KiB", "MiB", "GiB", "TiB"];
    let k = ((64 - bytes.leading_zeros()).saturating_sub(1) / 10).min(4);
    match k {
        0 => format!("{bytes} bytes"),
        _ => format!(
            "{:.1} {}",
            bytes as f64 / (1u64 << (10 * k)) as f64,
            units[k as usize]
        ),
    }
}

/// What `quote` and `simulate` read.
pub(crate) struct Inputs {
    firms: Vec<kexian::book::Firm>,
    assumptions: Assumptions,
    config: QuoteConfig,
    dir: PathBuf,
    quiet: bool,
    /// (role, path) of every file read.
    files: Vec<(&'static str, PathBuf)>,
}

impl BookArgs {
    /// Reads and validates every input, checks `out` is writable and the run fits the
    /// memory budget: all before anything is simulated.
    fn load(self, out: &Path) -> Result<(Inputs, Portfolio), Box<dyn std::error::Error>> {
        output::check(out)?;
        let limit = self.run.memory_limit;
        let inputs = self.read()?;
        let book = book_portfolio(&inputs)?;
        check_memory(
            book.memory_estimate(&inputs.config.portfolio()),
            limit,
            "simulate fewer years (--trials), or split the book",
        )?;
        Ok((inputs, book))
    }

    fn read(self) -> Result<Inputs, Box<dyn std::error::Error>> {
        let InputArgs {
            portfolio,
            config: config_path,
            assumptions,
        } = self.inputs;
        let (mut config, dir) = load_config(&config_path)?;
        config.simulation.trials = self.trials.unwrap_or(config.simulation.trials);
        config.simulation.seed = self.seed.unwrap_or(config.simulation.seed);
        config.validate()?;
        let mut files = vec![("portfolio", portfolio.clone()), ("config", config_path)];
        files.extend(assumptions.clone().map(|p| ("assumptions", p)));
        if let Some(r) = &config.rating {
            files.push(("experience", dir.join(&r.experience)));
        }
        Ok(Inputs {
            firms: kexian::io::read_portfolio(&portfolio)?,
            assumptions: load_assumptions(assumptions.as_deref())?,
            config,
            dir,
            quiet: self.run.quiet,
            files,
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
        Command::Quote {
            book,
            out,
            job,
            shard,
        } => {
            if let Some(dir) = &job.charts {
                if shard.is_some() {
                    return Err("--charts goes with the merge of a sharded run, not a shard".into());
                }
                output::check(dir)?;
            }
            let (inputs, portfolio) = book.load(&out)?;
            match shard {
                Some(s) => shard::write(&inputs, &portfolio, s, shard::Job::Quote(job), &out)?,
                None => {
                    let bar = progress_bar(inputs.quiet);
                    quote(&inputs, &out, &job, |book, config| {
                        book.simulate_with_progress(config, bar.as_ref().map(|b| b as Observer))
                    })?
                }
            }
        }
        Command::Rates {
            book,
            out,
            tolerance,
            lang,
        } => {
            let (inputs, _) = book.load(&out)?;
            let priced = price_book(&inputs)?;
            let tables = pack::rates(&inputs, &priced, &out, tolerance, lang)?;
            let outside = (tables.iter())
                .filter(|t| t.max_residual > t.tolerance)
                .map(|t| format!("{} ({:.2}%)", t.product, t.max_residual * 100.0))
                .collect::<Vec<_>>();
            if !outside.is_empty() {
                return Err(format!(
                    "rate tables outside the tolerance {:.2}%: {} (see rates_check.csv in {})",
                    tolerance * 100.0,
                    outside.join(", "),
                    out.display()
                )
                .into());
            }
        }
        Command::Report { book, out, lang } => {
            let (inputs, _) = book.load(&out)?;
            actuarial::report(&inputs, &out, lang)?;
        }
        Command::Simulate {
            book,
            out,
            lang,
            shard,
        } => {
            let (inputs, portfolio) = book.load(&out)?;
            match shard {
                Some(s) => shard::write(&inputs, &portfolio, s, shard::Job::Simulate(lang), &out)?,
                None => {
                    let bar = progress_bar(inputs.quiet);
                    let run = portfolio.simulate_with_progress(
                        &inputs.config.portfolio(),
                        bar.as_ref().map(|b| b as Observer),
                    )?;
                    simulate(&inputs, &run, &out, lang)?;
                }
            }
        }
        Command::Merge {
            parts,
            inputs,
            run,
            out,
            charts,
        } => shard::merge(&parts, inputs, run, &out, charts)?,
        Command::Price {
            model,
            seed,
            trials,
            out,
            quiet,
            lang,
            memory_limit,
        } => {
            output::check(&out)?;
            let mut spec: LineSpec = kexian::io::read_config(&model)?;
            if let LineMethod::MonteCarlo { simulation } = &mut spec.method {
                simulation.seed = seed.unwrap_or(simulation.seed);
                simulation.trials = trials.unwrap_or(simulation.trials);
            } else if seed.is_some() || trials.is_some() {
                return Err("--seed and --trials apply to a monte_carlo method only".into());
            }
            if let LineMethod::MonteCarlo { simulation } = &spec.method {
                let mut all = *simulation;
                all.retention = kexian::simulation::Retention::All;
                check_memory(
                    all.memory_estimate(),
                    memory_limit,
                    "simulate fewer years (--trials), or use the exact method",
                )?;
            }
            let bar = progress_bar(quiet);
            let priced = price_line(&spec, bar.as_ref().map(|b| b as Observer))?;
            let mut record = serde_json::to_value(&priced)?;
            record["model"] = serde_json::Value::String(model.display().to_string());
            write_set(&out, &[("priced.json", json_bytes(&record)?)])?;
            print!("{}", line_text(&priced, &model, lang));
        }
        Command::Backtest {
            experience,
            config,
            min_train_years,
            year_column,
            assumptions,
            losses,
            segment,
            out,
            quiet,
            lang,
        } => {
            output::check(&out)?;
            let (cfg, _) = load_config(&config)?;
            let assumptions = load_assumptions(assumptions.as_deref())?;
            let scale = assumptions.scale().clone();
            let table = Table::from_path(&experience)?;
            let (bt, lr) = backtests(
                &cfg,
                &scale,
                &table,
                &year_column,
                min_train_years,
                (&losses, &segment),
                quiet,
            )?;
            let text = format!("{}\n{}", bt.to_text(), loss_ratio_text(&lr, lang));
            let mut files = vec![
                ("backtest.txt", text.clone().into_bytes()),
                ("backtest.json", json_bytes(&bt)?),
                ("loss_ratio.csv", loss_ratio_csv(&lr)?),
                ("loss_ratio.json", json_bytes(&lr)?),
            ];
            files.extend(backtest_charts(
                &bt,
                &lr,
                lang,
                &assumptions.set().names_zh,
            )?);
            write_set(&out, &files)?;
            print!("{text}");
        }
        Command::Match {
            portfolio,
            config,
            assumptions,
            out,
        } => push(
            &portfolio,
            config.as_deref(),
            load_assumptions(assumptions.as_deref())?,
            &out,
        )?,
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
            lang,
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
            lang,
        )?,
    }
    Ok(())
}

fn load_config(path: &Path) -> Result<(QuoteConfig, PathBuf), Error> {
    let cfg: QuoteConfig = kexian::io::read_config(path)?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    Ok((cfg, dir))
}

/// A progress bar on stderr, only when stderr is a terminal and not `--quiet`.
fn progress_bar(quiet: bool) -> Option<impl Fn(Progress) -> ControlFlow<()> + Sync> {
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
        ControlFlow::Continue(())
    })
}

/// Prices the book with the portfolio run `simulate` makes, and writes quotes.csv,
/// quotes.json, summary.json (and the charts) as `job` says.
fn quote(
    inputs: &Inputs,
    out: &Path,
    job: &QuoteJob,
    simulate: impl FnOnce(&Portfolio, &PortfolioConfig) -> Result<PortfolioRun, Error>,
) -> Result<(), Box<dyn std::error::Error>> {
    let priced = price_with(inputs, simulate)?;
    let lang = job.lang;
    let bom = job.excel || matches!(lang, Lang::Zh);
    let (csv, json) = (quotes_csv(&priced, lang, bom)?, json_bytes(&priced.quotes)?);
    let summary = ("summary.json", json_bytes(&priced.summary)?);
    let mut files = if job.gzip {
        vec![
            ("quotes.csv.gz", gzip(&csv)?),
            ("quotes.json.gz", gzip(&json)?),
            summary,
        ]
    } else {
        vec![("quotes.csv", csv), ("quotes.json", json), summary]
    };
    let charts = match &job.charts {
        Some(dir) => {
            let s = &priced.summary;
            let curve = exceedance_chart(
                &s.exceedance_curve,
                &s.occurrence_curve,
                inputs.config.simulation.trials,
                lang.into(),
            )?;
            Some((dir, ("exceedance.svg", curve.into_bytes())))
        }
        None => None,
    };
    match charts {
        // One set when the charts go to `out` itself.
        Some((dir, chart)) if same_path(dir, out) => {
            files.push(chart);
            write_set(out, &files)?;
        }
        Some((dir, chart)) => {
            write_set(out, &files)?;
            write_set(dir, &[chart])?;
        }
        None => write_set(out, &files)?,
    }
    print!("{}", summary_text(&priced.summary, lang));
    println!(
        "{} {} → {}",
        priced.quotes.len(),
        label("quotes written", lang),
        out.display()
    );
    Ok(())
}

/// The quotes of the book, the simulation run by `simulate`, the input files in the
/// provenance.
fn price_with(
    inputs: &Inputs,
    simulate: impl FnOnce(&Portfolio, &PortfolioConfig) -> Result<PortfolioRun, Error>,
) -> Result<kexian::quote::QuoteRun, Error> {
    let cfg = &inputs.config;
    let experience = match &cfg.rating {
        Some(r) => Some(Table::from_path(inputs.dir.join(&r.experience))?),
        None => None,
    };
    let mut priced = kexian::quote::price_with(
        &inputs.firms,
        &inputs.assumptions,
        cfg,
        experience.as_ref(),
        simulate,
    )?;
    priced.summary.provenance.input_files = input_files(inputs)?;
    Ok(priced)
}

/// The rolling backtest of the configuration's rating plan and its loss-ratio backtest on
/// the experience `table` (firm-years, unique).
fn backtests(
    cfg: &QuoteConfig,
    scale: &kexian::rating::ScoreScale,
    table: &Table,
    year_column: &str,
    min_train_years: usize,
    (losses, segment): (&str, &str),
    quiet: bool,
) -> Result<(RollingBacktest, LossRatioBacktest), Box<dyn std::error::Error>> {
    let rating = cfg
        .rating
        .as_ref()
        .ok_or("the configuration has no rating plan")?;
    table.check_unique(&[rating.firm_column.as_str(), year_column, "line"])?;
    let spec = rating.spec.with_scale(scale);
    let bt = rolling_backtest(
        table,
        &spec,
        rating.family,
        year_column,
        min_train_years,
        progress_bar(quiet).as_ref().map(|b| b as Observer),
    )?;
    let ratios =
        cfg.loadings.expense_ratio + cfg.loadings.commission_ratio + cfg.loadings.profit_ratio;
    let lr = loss_ratio_backtest(
        table,
        &spec,
        rating.family,
        year_column,
        min_train_years,
        (losses, segment),
        ratios,
        None,
    )?;
    Ok((bt, lr))
}

/// The quotes of the book with a progress bar.
pub(crate) fn price_book(inputs: &Inputs) -> Result<kexian::quote::QuoteRun, Error> {
    let bar = progress_bar(inputs.quiet);
    price_with(inputs, |book, config| {
        book.simulate_with_progress(config, bar.as_ref().map(|b| b as Observer))
    })
}

/// Whether `a` and `b` name the same path (made absolute, `.` components dropped).
fn same_path(a: &Path, b: &Path) -> bool {
    let norm = |p: &Path| std::path::absolute(p).map(|p| p.components().collect::<PathBuf>());
    matches!((norm(a), norm(b)), (Ok(x), Ok(y)) if x == y)
}

/// `bytes` gzip-compressed (default level).
fn gzip(bytes: &[u8]) -> std::io::Result<Vec<u8>> {
    use std::io::Write;
    let mut z = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    z.write_all(bytes)?;
    z.finish()
}

/// Writes the run's statistics to stdout and `out`/simulation.json.
fn simulate(
    inputs: &Inputs,
    run: &PortfolioRun,
    out: &Path,
    lang: Lang,
) -> Result<(), Box<dyn std::error::Error>> {
    let text = simulation_text(run, inputs, lang)?;
    let summary = serde_json::json!({
        "losses": run.losses,
        "tvar": run.tvar,
        "tvar_level": run.tvar_level,
        "seed": inputs.config.simulation.seed,
        "trials": inputs.config.simulation.trials,
        "assumptions": format!("{} ({})", inputs.assumptions.set().name, inputs.assumptions.source()),
        "input_files": input_files(inputs)?,
    });
    write_set(out, &[("simulation.json", json_bytes(&summary)?)])?;
    print!("{text}");
    Ok(())
}

/// Every file read, with its size and SHA-256.
fn input_files(inputs: &Inputs) -> Result<Vec<InputFile>, Error> {
    inputs
        .files
        .iter()
        .map(|(role, path)| {
            let bytes = kexian::io::read_bytes(path)?;
            Ok(InputFile {
                role: (*role).into(),
                path: path.display().to_string(),
                bytes: bytes.len() as u64,
                sha256: format!("{:x}", sha2::Sha256::digest(&bytes)),
            })
        })
        .collect()
}

/// The book as a portfolio under its assumptions, with the configured per-risk treaty.
fn book_portfolio(inputs: &Inputs) -> Result<Portfolio, Error> {
    Ok(inputs
        .assumptions
        .portfolio(&inputs.firms, inputs.config.per_risk_xol())?
        .1)
}
