//! The commands of the `kexian` program as Python calls, on the library's one job assembly
//! (`kexian::job`): the same files mean the same job, and every table crosses the boundary as
//! typed columns (numpy arrays and lists of str), never CSV text.

use crate::{Failure, KexianError, Res, assumptions, detached, from_json};
use kexian::book::Firm;
use kexian::io::Language;
use kexian::job::{
    BacktestColumns, Cells, FitOptions, Frame, Job, JobError, JobFiles, Output, QuoteOptions,
};
use kexian::quote::QuoteConfig;
use kexian::table::{Column, Table};
use numpy::{IntoPyArray, PyReadonlyArray1};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyList};
use std::path::PathBuf;

/// A job error as a Python exception: a library error keeps its class and fields.
pub(crate) fn job_error(e: JobError) -> PyErr {
    match e.downcast::<kexian::Error>() {
        Ok(k) => Failure(*k).into(),
        Err(other) => KexianError::new_err(other.to_string()),
    }
}

/// Typed columns from Python: a list of `(name, values)`, values a float64 or int64 numpy
/// array or a list of str.
pub(crate) fn columns(list: &Bound<'_, PyList>) -> Res<Vec<(String, Column)>> {
    list.iter()
        .map(|item| {
            let (name, values): (String, Bound<'_, PyAny>) = item.extract()?;
            let column = if let Ok(a) = values.extract::<PyReadonlyArray1<'_, f64>>() {
                Column::Number(a.as_slice()?.to_vec())
            } else if let Ok(a) = values.extract::<PyReadonlyArray1<'_, i64>>() {
                Column::Integer(a.as_slice()?.to_vec())
            } else if let Ok(v) = values.extract::<Vec<String>>() {
                Column::Text(v)
            } else {
                return Err(KexianError::new_err(format!(
                    "column `{name}`: give a float64 or int64 numpy array or a list of str"
                )));
            };
            Ok((name, column))
        })
        .collect()
}

/// A table: `("path", path)` (a CSV file) or `("columns", [(name, values)])` named `source`.
pub(crate) fn table(source: &str, arg: &Bound<'_, PyAny>) -> Res<Table> {
    let (kind, payload): (String, Bound<'_, PyAny>) = arg.extract()?;
    match kind.as_str() {
        "path" => Table::from_path(payload.extract::<PathBuf>()?).map_err(|e| Failure(e).into()),
        "columns" => {
            Table::from_columns(source, columns(payload.cast()?)?).map_err(|e| Failure(e).into())
        }
        other => Err(KexianError::new_err(format!(
            "unknown table kind `{other}`"
        ))),
    }
}

/// A book: `("path", path)` (CSV, or a JSON policy list when it ends in .json), `("file",
/// (path, contents))` (a file read elsewhere, e.g. by a Dask client), `("json", text)` (a
/// policy list) or `("columns", [(name, values)])` (portfolio columns).
pub(crate) fn firms(arg: &Bound<'_, PyAny>) -> Res<Vec<Firm>> {
    let (kind, payload): (String, Bound<'_, PyAny>) = arg.extract()?;
    match kind.as_str() {
        "path" => kexian::io::read_portfolio(payload.extract::<PathBuf>()?),
        "json" => kexian::io::read_portfolio_json("firms", &payload.extract::<String>()?),
        "file" => {
            let (name, text): (String, String) = payload.extract()?;
            if name.to_lowercase().ends_with(".json") {
                kexian::io::read_portfolio_json(&name, &text)
            } else {
                Table::from_reader(&name, text.as_bytes())
                    .and_then(|t| kexian::io::read_portfolio_csv(&t))
            }
        }
        _ => {
            let t = table("DataFrame `firms`", arg)?;
            kexian::io::read_portfolio_csv(&t)
        }
    }
    .map_err(|e| Failure(e).into())
}

/// A `Frame` as a list of `(name, values)`: money and factors as float64 arrays (NaN where
/// there is none), counts as int64, flags as bool, text as lists of str.
fn frame<'py>(py: Python<'py>, f: &Frame) -> Res<Bound<'py, PyList>> {
    let items = f.columns.iter().map(|(name, cells)| {
        let values: Bound<'py, PyAny> = match cells {
            Cells::Money(v) | Cells::Factor(v) => {
                let v: Vec<f64> = v.iter().map(|x| x.unwrap_or(f64::NAN)).collect();
                v.into_pyarray(py).into_any()
            }
            Cells::Count(v) => {
                let v: Vec<i64> = v.iter().map(|&x| x as i64).collect();
                v.into_pyarray(py).into_any()
            }
            Cells::Flag(v) => v.clone().into_pyarray(py).into_any(),
            Cells::Text(v) => PyList::new(py, v)?.into_any(),
        };
        Ok((name.as_str(), values))
    });
    PyList::new(py, items.collect::<Res<Vec<_>>>()?)
}

/// A command's result: its value as JSON, its tables, its output set and its text.
#[pyclass(module = "kexian._kexian", frozen)]
pub(crate) struct JobOutput {
    value: String,
    tables: Vec<(&'static str, Frame)>,
    files: Vec<(&'static str, Vec<u8>)>,
    text: String,
}

impl JobOutput {
    fn new<T: serde::Serialize>(o: Output<T>, tables: Vec<(&'static str, Frame)>) -> Res<Self> {
        Ok(Self {
            value: crate::to_json(&o.value)?,
            tables,
            files: o.files,
            text: o.text,
        })
    }
}

#[pymethods]
impl JobOutput {
    /// The result as JSON.
    fn value_json(&self) -> &str {
        &self.value
    }
    /// What the command prints.
    fn text(&self) -> &str {
        &self.text
    }
    /// Table `name` (`quotes`, `covers`) as `[(column, values)]`.
    fn table<'py>(&self, py: Python<'py>, name: &str) -> Res<Bound<'py, PyList>> {
        match self.tables.iter().find(|(n, _)| *n == name) {
            Some((_, f)) => frame(py, f),
            None => Err(KexianError::new_err(format!("no table `{name}`"))),
        }
    }
    /// The output set's files as `[(name, bytes)]`.
    fn files<'py>(&self, py: Python<'py>) -> Vec<(&'static str, Bound<'py, PyBytes>)> {
        (self.files.iter())
            .map(|(n, b)| (*n, PyBytes::new(py, b)))
            .collect()
    }
    /// Writes the files as one output set in `out` (atomically, as the `kexian` program
    /// does; a directory kexian did not write is refused, never emptied).
    fn write(&self, out: PathBuf) -> Res<()> {
        kexian::job::output::write_set(&out, &self.files).map_err(KexianError::new_err)
    }
}

fn lang(name: &str) -> Res<Language> {
    match name {
        "en" => Ok(Language::En),
        "zh" => Ok(Language::Zh),
        other => Err(KexianError::new_err(format!(
            "lang `{other}`: use `en` or `zh`"
        ))),
    }
}

/// A pricing job: a book, its assumptions, the configuration and its experience.
#[pyclass(module = "kexian._kexian", frozen, name = "Job")]
pub(crate) struct PyJob {
    inner: Job,
}

#[pymethods]
impl PyJob {
    /// The job the `kexian` program reads from these files (the experience from the path
    /// the configuration gives).
    #[staticmethod]
    #[pyo3(signature = (portfolio, config, assumptions=None, trials=None, seed=None))]
    fn read(
        portfolio: PathBuf,
        config: PathBuf,
        assumptions: Option<PathBuf>,
        trials: Option<u64>,
        seed: Option<u64>,
    ) -> Res<Self> {
        let files = JobFiles {
            portfolio,
            config,
            assumptions,
            trials,
            seed,
        };
        Ok(Self {
            inner: Job::read(&files).map_err(job_error)?,
        })
    }

    /// A job from data: `firms` a book (see `firms`; None: none, for a backtest), `config_json` the configuration whose
    /// relative paths are read from `config_dir`, `experience` a table (None: the file the
    /// configuration's rating plan names, as the program reads it).
    #[staticmethod]
    #[pyo3(signature = (firms, config_json, config_dir, assumptions_json=None, experience=None, trials=None, seed=None))]
    fn from_data(
        firms: Option<&Bound<'_, PyAny>>,
        config_json: &str,
        config_dir: PathBuf,
        assumptions_json: Option<&str>,
        experience: Option<&Bound<'_, PyAny>>,
        trials: Option<u64>,
        seed: Option<u64>,
    ) -> Res<Self> {
        let config: QuoteConfig = from_json("pricing configuration", config_json)?;
        let experience = match experience {
            Some(t) => Some(table("DataFrame `experience`", t)?),
            None => None,
        };
        let firms = match firms {
            Some(f) => self::firms(f)?,
            None => vec![],
        };
        let inner = Job::configured(
            firms,
            assumptions(assumptions_json)?,
            config,
            config_dir,
            experience,
            (trials, seed),
        )
        .map_err(job_error)?;
        Ok(Self { inner })
    }

    /// Refuses a run above the budget (`kexian.set_budget`).
    fn check_budget(&self) -> Res<()> {
        let book = self.inner.portfolio().map_err(Failure)?;
        Ok(self.inner.check_budget(&book).map_err(Failure)?)
    }

    /// Shard `index` of `count` (1-based) of the job's simulated years: a partial result
    /// for [`Self::quote`]'s `parts` (`kexian quote --shard`).
    fn shard<'py>(&self, py: Python<'py>, index: u64, count: u64) -> Res<Bound<'py, PyBytes>> {
        self.inner.check().map_err(Failure)?;
        let job = &self.inner;
        let bytes = detached(py, None, |obs| {
            let shard = kexian::simulation::Shard::new(index, count)?;
            let config = job.config.portfolio();
            job.portfolio()?
                .simulate_shard(&config, shard, Some(obs))?
                .to_bytes()
        })?;
        Ok(PyBytes::new(py, &bytes))
    }

    /// `kexian quote`: tables `quotes` and `covers`, the QuoteRun as JSON; with `parts`
    /// (every shard's [`Self::shard`], any order), priced from their merge, bit for bit the
    /// single run's quotes (`kexian merge`).
    #[pyo3(signature = (lang="en", excel=false, gzip=false, charts=false, progress=None, parts=None))]
    #[allow(clippy::too_many_arguments)]
    fn quote(
        &self,
        py: Python<'_>,
        lang: &str,
        excel: bool,
        gzip: bool,
        charts: bool,
        progress: Option<Py<PyAny>>,
        parts: Option<Vec<Vec<u8>>>,
    ) -> Res<JobOutput> {
        let options = QuoteOptions {
            lang: self::lang(lang)?,
            excel,
            gzip,
            charts,
        };
        let job = &self.inner;
        let o = detached(py, progress, |obs| match parts {
            None => kexian::job::quote(job, &options, Some(obs)),
            Some(bytes) => {
                let parts = (bytes.iter())
                    .map(|b| kexian::portfolio::PortfolioPart::from_bytes(b))
                    .collect::<kexian::Result<Vec<_>>>()?;
                let names = crate::part_names(parts.iter().map(|p| p.blocks()));
                let priced = job.price_with(|book, config| {
                    book.merge(config, parts).map_err(|e| e.in_part(&names))
                })?;
                kexian::job::quote_priced(job, priced, &options)
            }
        })?;
        let tables = vec![
            ("quotes", kexian::job::quote_table(&o.value)),
            ("covers", kexian::job::cover_table(&o.value)),
        ];
        JobOutput::new(o, tables)
    }

    /// `kexian rates`: the rate tables (JSON) of the quoted book.
    #[pyo3(signature = (tolerance=0.05, lang="en", progress=None))]
    fn rates(
        &self,
        py: Python<'_>,
        tolerance: f64,
        lang: &str,
        progress: Option<Py<PyAny>>,
    ) -> Res<JobOutput> {
        let lang = self::lang(lang)?;
        let job = &self.inner;
        let o = detached(py, progress, |obs| {
            let priced = job.price(Some(obs))?;
            kexian::job::rates(job, &priced, tolerance, lang)
        })?;
        JobOutput::new(o, vec![])
    }

    /// `kexian report`: report.html (and report.pdf where Chromium is installed) and the
    /// sensitivity (JSON).
    #[pyo3(signature = (lang="en", progress=None))]
    fn report(&self, py: Python<'_>, lang: &str, progress: Option<Py<PyAny>>) -> Res<JobOutput> {
        let lang = self::lang(lang)?;
        let job = &self.inner;
        let o = detached(py, progress, |obs| {
            kexian::job::report(job, lang, Some(obs))
        })?;
        JobOutput::new(o, vec![])
    }

    /// `kexian backtest`: the rolling and loss-ratio backtests (JSON, a pair).
    #[pyo3(signature = (year="year", min_train_years=2, losses="incurred", segment="sector", lang="en", progress=None))]
    #[allow(clippy::too_many_arguments)]
    fn backtest(
        &self,
        py: Python<'_>,
        year: &str,
        min_train_years: usize,
        losses: &str,
        segment: &str,
        lang: &str,
        progress: Option<Py<PyAny>>,
    ) -> Res<JobOutput> {
        let columns = BacktestColumns {
            year: year.into(),
            min_train_years,
            losses: losses.into(),
            segment: segment.into(),
        };
        let lang = self::lang(lang)?;
        let job = &self.inner;
        let o = detached(py, progress, |obs| {
            kexian::job::backtest(job, &columns, lang, Some(obs))
        })?;
        let tables = vec![("loss_ratio", kexian::job::loss_ratio_table(&o.value.1))];
        JobOutput::new(o, tables)
    }
}

/// `kexian fit`: severity families fitted to `claims` (a table), ranked by AIC.
#[pyfunction]
#[pyo3(signature = (claims, amount="amount", deductible=None, limit=None, weight=None, families=vec![], bootstrap=0, seed=1, lang="en"))]
#[allow(clippy::too_many_arguments)]
pub(crate) fn fit(
    py: Python<'_>,
    claims: &Bound<'_, PyAny>,
    amount: &str,
    deductible: Option<String>,
    limit: Option<String>,
    weight: Option<String>,
    families: Vec<String>,
    bootstrap: usize,
    seed: u64,
    lang: &str,
) -> Res<JobOutput> {
    let table = table("DataFrame `claims`", claims)?;
    let options = FitOptions {
        amount: amount.into(),
        deductible,
        limit,
        weight,
        families: FitOptions::families_named(&families).map_err(job_error)?,
        bootstrap: (bootstrap > 0).then_some(kexian::fitting::Bootstrap {
            replicates: bootstrap,
            seed,
            threads: None,
        }),
    };
    let lang = self::lang(lang)?;
    let o = py
        .detach(|| kexian::job::fit(&table, &options, lang))
        .map_err(job_error)?;
    JobOutput::new(o, vec![])
}

/// `kexian match`: the two-way push of a book; `config` a pricing configuration (JSON; its
/// loadings gross up the premiums; None: the bundled configuration's).
#[pyfunction]
#[pyo3(signature = (firms, config=None, assumptions_json=None))]
pub(crate) fn match_products(
    firms: &Bound<'_, PyAny>,
    config: Option<&str>,
    assumptions_json: Option<&str>,
) -> Res<JobOutput> {
    let loadings = match config {
        Some(c) => Some(from_json::<QuoteConfig>("pricing configuration", c)?.loadings),
        None => None,
    };
    let book = self::firms(firms)?;
    let name = match firms.extract::<(String, PathBuf)>() {
        Ok((kind, path)) if kind == "path" => path.display().to_string(),
        _ => "DataFrame `firms`".into(),
    };
    let a = assumptions(assumptions_json)?;
    let o = kexian::job::match_products(&book, &name, loadings.as_ref(), &a).map_err(job_error)?;
    JobOutput::new(o, vec![])
}
