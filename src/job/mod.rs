//! Jobs: what the `kexian` commands do, as library calls that the command-line program and
//! the Python package share.
//!
//! A [`Job`] is a book, its assumption set, the pricing configuration and the experience the
//! configuration's rating plan is fitted on, assembled once — by [`Job::read`] from the files
//! a command names (the experience from the path the configuration gives, relative to the
//! configuration's directory) or by [`Job::new`] from data in memory. Each command is then a
//! function of the job that returns an [`Output`]: its result, the files of its output set
//! (written atomically by [`Output::write`]) and the text the command prints.
//!
//! ```
//! use kexian::job::{Job, JobFiles, QuoteOptions};
//! let files = JobFiles {
//!     trials: Some(4096), // instead of the configured 100,000 years
//!     ..JobFiles::new("data/portfolio.csv", "data/pricing.json")
//! };
//! let job = Job::read(&files)?; // the experience: the file pricing.json names
//! let quoted = kexian::job::quote(&job, &QuoteOptions::default(), None)?;
//! assert_eq!(quoted.value.quotes.len(), 300);
//! assert!(quoted.file("quotes.csv").is_some() && quoted.text.contains("300 quotes"));
//! // quoted.write("kexian-out".as_ref())? writes the output set as `kexian quote` does.
//! # Ok::<(), kexian::job::JobError>(())
//! ```

use crate::Error;
use crate::assumptions::Assumptions;
use crate::backtest::{
    BacktestSpec, LossRatioBacktest, RollingBacktest, loss_ratio_backtest, rolling_backtest,
};
use crate::book::Firm;
use crate::portfolio::{Portfolio, PortfolioRun};
use crate::quote::{InputFile, QuoteConfig, QuoteRun};
use crate::simulation::Observer;
use crate::table::Table;
use sha2::Digest;
use std::path::{Path, PathBuf};

mod commands;
mod fit;
mod matching;
pub mod output;
mod rates;
mod report;
mod table;
mod text;

pub use commands::quote_priced;
pub use commands::{QuoteOptions, backtest, quote, simulate};
pub use fit::{FitOptions, fit};
pub use matching::match_products;
pub use rates::rates;
pub use report::{chromium, report};
pub use table::{Cells, Frame, cover_table, loss_ratio_table, quote_table};
pub use text::{json_bytes, label, line_text, summary_text};

/// An error of a job: a library [`Error`] (downcast to act on it), or a message about the
/// files and directories the job reads and writes.
pub type JobError = Box<dyn std::error::Error + Send + Sync>;
/// A job's result.
pub type JobResult<T> = Result<T, JobError>;

/// The files a job reads, as a command names them.
#[derive(Debug, Clone)]
pub struct JobFiles {
    /// The book: CSV (one row per firm) or a JSON policy list (`.json`).
    pub portfolio: PathBuf,
    /// The pricing configuration (JSON).
    pub config: PathBuf,
    /// The assumption set (JSON; `None`: the bundled set).
    pub assumptions: Option<PathBuf>,
    /// Overrides the configured number of simulated years.
    pub trials: Option<u64>,
    /// Overrides the configured seed.
    pub seed: Option<u64>,
}

impl JobFiles {
    /// A book and its configuration, under the bundled assumptions.
    pub fn new(portfolio: impl Into<PathBuf>, config: impl Into<PathBuf>) -> Self {
        Self {
            portfolio: portfolio.into(),
            config: config.into(),
            assumptions: None,
            trials: None,
            seed: None,
        }
    }
}

/// Everything a pricing job reads, validated.
#[derive(Debug, Clone)]
pub struct Job {
    /// The book.
    pub firms: Vec<Firm>,
    /// The assumption set.
    pub assumptions: Assumptions,
    /// The pricing configuration (trials and seed overridden as asked).
    pub config: QuoteConfig,
    /// The experience the configuration's rating plan is fitted on (present exactly when it
    /// has one).
    pub experience: Option<Table>,
    /// The directory the configuration's relative paths are read from.
    pub dir: PathBuf,
    /// (role, path) of every file read, for the provenance.
    pub files: Vec<(&'static str, PathBuf)>,
}

impl Job {
    /// Reads and validates every file of a job: the book, the configuration (with the
    /// overrides), the assumption set and the experience the configuration names.
    pub fn read(files: &JobFiles) -> JobResult<Self> {
        let (config, dir) = load_config(&files.config)?;
        let mut job = Self::configured(
            crate::io::read_portfolio(&files.portfolio)?,
            load_assumptions(files.assumptions.as_deref())?,
            config,
            dir,
            None,
            (files.trials, files.seed),
        )?;
        let mut read = vec![
            ("portfolio", files.portfolio.clone()),
            ("config", files.config.clone()),
        ];
        read.extend(files.assumptions.clone().map(|p| ("assumptions", p)));
        job.files.splice(0..0, read);
        Ok(job)
    }

    /// A job from a configuration whose relative paths are read from `dir`, its simulated
    /// years and seed overridden by `(trials, seed)` where given: the experience is
    /// `experience`, else the file the configuration's rating plan names (then recorded
    /// among the files read).
    pub fn configured(
        firms: Vec<Firm>,
        assumptions: Assumptions,
        mut config: QuoteConfig,
        dir: PathBuf,
        experience: Option<Table>,
        (trials, seed): (Option<u64>, Option<u64>),
    ) -> JobResult<Self> {
        config.simulation.trials = trials.unwrap_or(config.simulation.trials);
        config.simulation.seed = seed.unwrap_or(config.simulation.seed);
        let mut files = vec![];
        let experience = match (experience, &config.rating) {
            (None, Some(r)) => {
                let path = dir.join(&r.experience);
                files.push(("experience", path.clone()));
                Some(Table::from_path(path)?)
            }
            (given, _) => given,
        };
        let mut job = Self::new(firms, assumptions, config, experience)?;
        job.dir = dir;
        job.files = files;
        Ok(job)
    }

    /// A job from data in memory: the configuration's relative paths (claims for the
    /// parameter risk) are read from the working directory. The experience must be given
    /// exactly when the configuration has a rating plan.
    pub fn new(
        firms: Vec<Firm>,
        assumptions: Assumptions,
        config: QuoteConfig,
        experience: Option<Table>,
    ) -> JobResult<Self> {
        config.validate()?;
        match (&config.rating, &experience) {
            (Some(r), None) => {
                return Err(format!(
                    "the configuration's rating plan is fitted on experience (`rating.experience` \
                     = `{}`): give the experience table",
                    r.experience
                )
                .into());
            }
            (None, Some(_)) => {
                return Err(
                    "an experience table was given, but the configuration has no \
                            rating plan (`rating`) to fit on it"
                        .into(),
                );
            }
            _ => {}
        }
        Ok(Self {
            firms,
            assumptions,
            config,
            experience,
            dir: PathBuf::new(),
            files: vec![],
        })
    }

    /// The book as a portfolio under the assumptions, with the configured per-risk treaty.
    pub fn portfolio(&self) -> Result<Portfolio, Error> {
        Ok(self
            .assumptions
            .portfolio(&self.firms, self.config.per_risk_xol())?
            .1)
    }

    /// Checks the whole job as its quote would, before and after the simulation, without
    /// simulating ([`crate::quote::check`]): a quote's shard runs it first.
    pub fn check(&self) -> Result<(), Error> {
        crate::quote::check(
            &self.firms,
            &self.assumptions,
            &self.config,
            self.experience.as_ref(),
        )
    }

    /// Refuses a run of the book estimated above the budget ([`crate::budget`]), before
    /// anything is simulated.
    pub fn check_budget(&self, book: &Portfolio) -> Result<(), Error> {
        book.check_budget(&self.config.portfolio())
    }

    /// The quotes of the book from the portfolio run `simulate` makes, with the files read
    /// in the provenance.
    pub fn price_with(
        &self,
        simulate: impl FnOnce(
            &Portfolio,
            &crate::portfolio::PortfolioConfig,
        ) -> Result<PortfolioRun, Error>,
    ) -> JobResult<QuoteRun> {
        let mut priced = crate::quote::price_with(
            &self.firms,
            &self.assumptions,
            &self.config,
            self.experience.as_ref(),
            simulate,
        )?;
        priced.summary.provenance.input_files = self.input_files()?;
        Ok(priced)
    }

    /// The quotes of the book, `observer` told of the simulation's progress.
    pub fn price(&self, observer: Option<Observer>) -> JobResult<QuoteRun> {
        self.price_with(|book, config| book.simulate_with_progress(config, observer))
    }

    /// Every file read, with its size and SHA-256.
    pub fn input_files(&self) -> Result<Vec<InputFile>, Error> {
        self.files
            .iter()
            .map(|(role, path)| {
                let bytes = crate::io::read_bytes(path)?;
                Ok(InputFile {
                    role: (*role).into(),
                    path: path.display().to_string(),
                    bytes: bytes.len() as u64,
                    sha256: format!("{:x}", sha2::Sha256::digest(&bytes)),
                })
            })
            .collect()
    }

    /// The rolling backtest of the rating plan and its loss-ratio backtest on the
    /// experience (firm-years, unique): `year` the year column, `losses` and `segment` the
    /// loss-ratio backtest's columns.
    pub fn backtests(
        &self,
        spec: &BacktestColumns,
        observer: Option<Observer>,
    ) -> JobResult<(RollingBacktest, LossRatioBacktest)> {
        let (rating, table) = match (&self.config.rating, &self.experience) {
            (Some(r), Some(t)) => (r, t),
            _ => return Err("the configuration has no rating plan".into()),
        };
        table.check_unique(&[rating.firm_column.as_str(), &spec.year, "line"])?;
        let plan = rating.spec.with_scale(self.assumptions.scale());
        let backtest = BacktestSpec {
            plan: &plan,
            family: rating.family,
            year_column: &spec.year,
            min_train_years: spec.min_train_years,
        };
        let bt = rolling_backtest(table, &backtest, observer)?;
        let l = &self.config.loadings;
        let lr = loss_ratio_backtest(
            table,
            &backtest,
            (&spec.losses, &spec.segment),
            l.expense_ratio + l.commission_ratio + l.profit_ratio,
            None,
        )?;
        Ok((bt, lr))
    }
}

/// The experience columns and window of the backtests.
#[derive(Debug, Clone, PartialEq)]
pub struct BacktestColumns {
    /// The year column.
    pub year: String,
    /// Years of the first training window.
    pub min_train_years: usize,
    /// The incurred losses of the loss-ratio backtest.
    pub losses: String,
    /// Its segments.
    pub segment: String,
}

impl Default for BacktestColumns {
    fn default() -> Self {
        Self {
            year: "year".into(),
            min_train_years: 2,
            losses: "incurred".into(),
            segment: "sector".into(),
        }
    }
}

/// A command's result, the files of its output set and the text it prints.
#[derive(Debug, Clone)]
pub struct Output<T> {
    /// The result.
    pub value: T,
    /// The output set: (file name, contents).
    pub files: Vec<(&'static str, Vec<u8>)>,
    /// What the command prints.
    pub text: String,
}

impl<T> Output<T> {
    /// Writes the files as one output set in `out` (atomically; see [`output`]).
    pub fn write(&self, out: &Path) -> JobResult<()> {
        Ok(output::write_set(out, &self.files)?)
    }

    /// The contents of file `name`, if the set has it.
    pub fn file(&self, name: &str) -> Option<&[u8]> {
        self.files
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, b)| b.as_slice())
    }
}

/// A pricing configuration and the directory its relative paths are read from.
pub fn load_config(path: &Path) -> Result<(QuoteConfig, PathBuf), Error> {
    let cfg: QuoteConfig = crate::io::read_config(path)?;
    let dir = path.parent().map_or_else(PathBuf::new, Path::to_path_buf);
    Ok((cfg, dir))
}

/// The assumption set at `path`, or the bundled one.
pub fn load_assumptions(path: Option<&Path>) -> Result<Assumptions, Error> {
    match path {
        Some(p) => Assumptions::from_path(p),
        None => Assumptions::bundled(),
    }
}
