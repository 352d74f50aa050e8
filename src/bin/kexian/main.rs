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
use kexian::fitting::Bootstrap;
use kexian::io::Language;
use kexian::job::{
    BacktestColumns, FitOptions, Job, JobFiles, JobResult as Res, QuoteOptions, backtest, fit,
    json_bytes, line_text, load_assumptions, load_config, match_products, output, quote_priced,
};
use kexian::portfolio::{Portfolio, PortfolioRun};
use kexian::pricing::{LineMethod, LineSpec, price_line};
use kexian::quote::QuoteRun;
use kexian::simulation::{Observer, Progress, Shard};
use kexian::table::Table;
use std::io::{IsTerminal, Write};
use std::ops::ControlFlow;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicUsize, Ordering};

mod shard;

#[derive(Parser)]
#[command(
    name = "kexian",
    version,
    about = "Technology insurance pricing (科技保险定价)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Memory budget, e.g. `8G`, `512M` or bytes (default: 80% of the machine's memory); a
    /// call estimated above it is refused before it starts.
    #[arg(long, global = true, value_parser = parse_bytes)]
    memory_limit: Option<u64>,
    /// Time budget in seconds (default 3600); a call estimated above it (e.g. from an
    /// implausible claim rate) is refused before it starts, with the estimate.
    #[arg(long, global = true)]
    time_limit: Option<f64>,
    /// After the command, print the largest memory estimate it checked against the budget
    /// (a book's run, an exact grid) and the process's peak resident memory (bytes) to
    /// stderr.
    #[arg(long, global = true)]
    report_memory: bool,
}

/// The process's peak resident memory (bytes), from /proc/self/status.
fn peak_memory() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    Some(line.split_whitespace().nth(1)?.parse::<u64>().ok()? * 1024)
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
        lang: Language,
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
        /// No progress bar.
        #[arg(long)]
        quiet: bool,
        /// Language of labels.
        #[arg(long, value_enum, default_value = "en")]
        lang: Language,
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
        lang: Language,
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
        lang: Language,
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
        lang: Language,
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
        lang: Language,
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
    lang: Language,
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

/// How a book's run reports (it does not change its results).
#[derive(clap::Args, Clone)]
struct RunArgs {
    /// No progress bar (it is shown only when stderr is a terminal anyway).
    #[arg(long)]
    quiet: bool,
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

/// What `quote`, `simulate`, `rates` and `report` read, and whether to show progress.
pub(crate) struct Inputs {
    job: Job,
    quiet: bool,
}

impl std::ops::Deref for Inputs {
    type Target = Job;
    fn deref(&self) -> &Job {
        &self.job
    }
}

impl BookArgs {
    /// Reads and validates every input, checks `out` is writable and the run fits the
    /// memory budget: all before anything is simulated.
    fn load(self, out: &Path) -> Res<(Inputs, Portfolio)> {
        output::check(out)?;
        let InputArgs {
            portfolio,
            config,
            assumptions,
        } = self.inputs;
        let job = Job::read(&JobFiles {
            portfolio,
            config,
            assumptions,
            trials: self.trials,
            seed: self.seed,
        })?;
        let book = job.portfolio()?;
        job.check_budget(&book)?;
        let quiet = self.run.quiet;
        Ok((Inputs { job, quiet }, book))
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let report = cli.report_memory;
    let result = run(cli);
    if report {
        eprintln!(
            "memory: estimated {} bytes, peak {} bytes",
            kexian::budget::largest_estimate(),
            peak_memory().unwrap_or(0)
        );
    }
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Res<()> {
    kexian::budget::set_limits(cli.memory_limit, cli.time_limit)?;
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
                    let priced = inputs.price(bar.as_ref().map(|b| b as Observer))?;
                    quote(&inputs, priced, &out, &job)?
                }
            }
        }
        Command::Rates {
            book,
            out,
            tolerance,
            lang,
        } => rates(book, &out, tolerance, lang)?,
        Command::Report { book, out, lang } => {
            let (inputs, _) = book.load(&out)?;
            let bar = progress_bar(inputs.quiet);
            let report = kexian::job::report(&inputs, lang, bar.as_ref().map(|b| b as Observer))?;
            report.write(&out)?;
            println!("{} → {}", report.text, out.display());
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
        other => run_file_command(other)?,
    }
    Ok(())
}

/// The commands on files other than a book: price, backtest, match and fit.
fn run_file_command(command: Command) -> Res<()> {
    match command {
        Command::Price {
            model,
            seed,
            trials,
            out,
            quiet,
            lang,
        } => price(&model, (seed, trials), &out, quiet, lang)?,
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
        } => backtest_command(
            &experience,
            &config,
            assumptions.as_deref(),
            BacktestColumns {
                year: year_column,
                min_train_years,
                losses,
                segment,
            },
            (&out, quiet, lang),
        )?,
        Command::Match {
            portfolio,
            config,
            assumptions,
            out,
        } => {
            output::check(&out)?;
            let loadings = match config {
                Some(path) => Some(load_config(&path)?.0.loadings),
                None => None,
            };
            let firms = kexian::io::read_portfolio(&portfolio)?;
            let assumptions = load_assumptions(assumptions.as_deref())?;
            let portfolio = portfolio.display().to_string();
            let m = match_products(&firms, &portfolio, loadings.as_ref(), &assumptions)?;
            m.write(&out)?;
            println!("{} → {}", m.text, out.display());
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
            lang,
        } => fit_command(
            &claims,
            FitOptions {
                amount: amount_column,
                deductible: deductible_column,
                limit: limit_column,
                weight: weight_column,
                families: FitOptions::families_named(&families)?,
                bootstrap: (bootstrap > 0).then_some(Bootstrap {
                    replicates: bootstrap,
                    seed,
                    threads: None,
                }),
            },
            &out,
            lang,
        )?,
        _ => unreachable!("book commands run in `run`"),
    }
    Ok(())
}

/// `kexian rates`: the rate tables of the quoted book, refused when a table misses its
/// quotes by more than `tolerance`.
fn rates(book: BookArgs, out: &Path, tolerance: f64, lang: Language) -> Res<()> {
    let (inputs, _) = book.load(out)?;
    let bar = progress_bar(inputs.quiet);
    let priced = inputs.price(bar.as_ref().map(|b| b as Observer))?;
    let tables = kexian::job::rates(&inputs, &priced, tolerance, lang)?;
    tables.write(out)?;
    print!("{}", tables.text);
    let outside = (tables.value.iter())
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
    Ok(())
}

/// `kexian price`: one cover from its spec, the seed and trials overridden if given.
fn price(
    model: &Path,
    (seed, trials): (Option<u64>, Option<u64>),
    out: &Path,
    quiet: bool,
    lang: Language,
) -> Res<()> {
    output::check(out)?;
    let mut spec: LineSpec = kexian::io::read_config(model)?;
    if let LineMethod::MonteCarlo { simulation } = &mut spec.method {
        simulation.seed = seed.unwrap_or(simulation.seed);
        simulation.trials = trials.unwrap_or(simulation.trials);
    } else if seed.is_some() || trials.is_some() {
        return Err("--seed and --trials apply to a monte_carlo method only".into());
    }
    let bar = progress_bar(quiet);
    let priced = price_line(&spec, bar.as_ref().map(|b| b as Observer))?;
    let mut record = serde_json::to_value(&priced)?;
    record["model"] = serde_json::Value::String(model.display().to_string());
    output::write_set(out, &[("priced.json", json_bytes(&record)?)])?;
    print!("{}", line_text(&priced, model, lang));
    Ok(())
}

/// `kexian backtest`: the rolling and loss-ratio backtests of the configured plan on the
/// experience.
fn backtest_command(
    experience: &Path,
    config: &Path,
    assumptions: Option<&Path>,
    columns: BacktestColumns,
    (out, quiet, lang): (&Path, bool, Language),
) -> Res<()> {
    output::check(out)?;
    let (cfg, _) = load_config(config)?;
    let job = Job::new(
        vec![],
        load_assumptions(assumptions)?,
        cfg,
        Some(Table::from_path(experience)?),
    )?;
    let bar = progress_bar(quiet);
    let done = backtest(&job, &columns, lang, bar.as_ref().map(|b| b as Observer))?;
    done.write(out)?;
    print!("{}", done.text);
    Ok(())
}

/// `kexian fit`: severity families fitted to the claims, ranked, the best written.
fn fit_command(claims: &Path, options: FitOptions, out: &Path, lang: Language) -> Res<()> {
    output::check(out)?;
    let fitted = fit(&Table::from_path(claims)?, &options, lang)?;
    fitted.write(out)?;
    println!("{} → {}", fitted.text, out.join("model.json").display());
    Ok(())
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

/// Writes the quotes' output set (and the charts, where `job` asks) and prints the summary.
fn quote(inputs: &Inputs, priced: QuoteRun, out: &Path, job: &QuoteJob) -> Res<()> {
    let options = QuoteOptions {
        lang: job.lang,
        excel: job.excel,
        gzip: job.gzip,
        charts: job.charts.is_some(),
    };
    let mut done = quote_priced(inputs, priced, &options)?;
    match &job.charts {
        // One set when the charts go to `out` itself.
        Some(dir) if !same_path(dir, out) => {
            let chart = done.files.pop().ok_or("no chart")?;
            done.write(out)?;
            output::write_set(dir, &[chart])?;
        }
        _ => done.write(out)?,
    }
    println!("{} → {}", done.text, out.display());
    Ok(())
}

/// Whether `a` and `b` name the same path (made absolute, `.` components dropped).
fn same_path(a: &Path, b: &Path) -> bool {
    let norm = |p: &Path| std::path::absolute(p).map(|p| p.components().collect::<PathBuf>());
    matches!((norm(a), norm(b)), (Ok(x), Ok(y)) if x == y)
}

/// Writes the run's statistics to stdout and `out`/simulation.json.
fn simulate(inputs: &Inputs, run: &PortfolioRun, out: &Path, lang: Language) -> Res<()> {
    let done = kexian::job::simulate(inputs, run, lang)?;
    done.write(out)?;
    print!("{}", done.text);
    Ok(())
}
