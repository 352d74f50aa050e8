//! Python bindings of kexian (`kexian._kexian`): the typed Rust API behind JSON specifications,
//! numpy arrays for vectors, the GIL released during long runs, Ctrl-C and progress through
//! the library's observer, and every Rust error a `KexianError` carrying its fields. The
//! Pythonic layer (keyword constructors, pandas DataFrames) is `kexian/__init__.py`.
#![forbid(unsafe_code)]

use kexian::aggregate::{
    AggregateDistribution, Discretization, ExactMethod, LossModel, SimulationPart,
};
use kexian::assumptions::Assumptions;
use kexian::frequency::{Frequency as _, FrequencyModel};
use kexian::portfolio::{Portfolio as Book, PortfolioConfig, PortfolioPart, PortfolioRun};
use kexian::pricing::{LossDistribution, PremiumPrinciple};
use kexian::rand::{SeedableRng, Xoshiro256PlusPlus};
use kexian::rating::{BuhlmannStraub, Panel, StraubEstimator};
use kexian::rating::{GlmFamily, RatingPlan as Plan, RatingSpec};
use kexian::severity::{Severity as _, SeverityModel};
use kexian::simulation::{Progress, Shard, SimulatedLosses, SimulationConfig};
use numpy::{IntoPyArray, PyArray1, PyReadonlyArray1};
use pyo3::exceptions::{PyKeyboardInterrupt, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use serde::Serialize;
use serde::de::DeserializeOwned;
use std::ops::ControlFlow;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};

/// How often a long call looks for Ctrl-C.
const SIGNAL_POLL: std::time::Duration = std::time::Duration::from_millis(20);

mod fits;
mod jobs;

pyo3::create_exception!(
    _kexian,
    KexianError,
    PyValueError,
    "Any error of kexian (a ValueError)."
);
pyo3::create_exception!(
    _kexian,
    ParameterError,
    KexianError,
    "A parameter breaks a rule: `model`, `parameter`, `value`, `rule`."
);
pyo3::create_exception!(
    _kexian,
    DataError,
    KexianError,
    "Bad input data or configuration: `source`, `line`, `column` or `parameter` (the field)."
);
pyo3::create_exception!(
    _kexian,
    BudgetError,
    KexianError,
    "A call estimated above the memory or time budget (`kexian.set_budget`), refused before it starts."
);
pyo3::create_exception!(
    _kexian,
    ModelError,
    KexianError,
    "An inconsistent model or a statistic it cannot give (infinite moment, beyond the grid)."
);

/// A kexian error on its way to Python.
struct Failure(kexian::Error);

impl From<kexian::Error> for Failure {
    fn from(e: kexian::Error) -> Self {
        Self(e)
    }
}

impl From<Failure> for PyErr {
    fn from(Failure(e): Failure) -> Self {
        use kexian::Error as E;
        let message = e.to_string();
        // (class, model, parameter, value, rule, source, line, column)
        type Fields = (
            Option<String>,
            Option<String>,
            Option<f64>,
            Option<String>,
            Option<String>,
            Option<u64>,
            Option<String>,
        );
        fn fields(e: &kexian::Error) -> Fields {
            match e {
                E::InvalidParameter {
                    model,
                    parameter,
                    value,
                    rule,
                }
                | E::InvalidElement {
                    model,
                    parameter,
                    value,
                    rule,
                    ..
                } => (
                    Some((*model).into()),
                    Some((*parameter).into()),
                    Some(*value),
                    Some((*rule).into()),
                    None,
                    None,
                    None,
                ),
                E::Empty { model, parameter } => (
                    Some((*model).into()),
                    Some((*parameter).into()),
                    None,
                    Some("must not be empty".into()),
                    None,
                    None,
                    None,
                ),
                E::Inconsistent { model, .. } => {
                    (Some((*model).into()), None, None, None, None, None, None)
                }
                E::Data {
                    source_name,
                    line,
                    column,
                    ..
                } => (
                    None,
                    None,
                    None,
                    None,
                    Some(source_name.clone()),
                    Some(*line),
                    Some(column.clone()),
                ),
                E::Json {
                    source_name,
                    line,
                    column,
                    ..
                } => (
                    None,
                    None,
                    None,
                    None,
                    Some(source_name.clone()),
                    Some(*line as u64),
                    Some(column.to_string()),
                ),
                E::Field {
                    source_name, field, ..
                } => (
                    None,
                    Some(field.clone()),
                    None,
                    None,
                    Some(source_name.clone()),
                    None,
                    None,
                ),
                E::Rows { source_name, .. } => (
                    None,
                    None,
                    None,
                    None,
                    Some(source_name.clone()),
                    None,
                    None,
                ),
                E::InFile { source_name, error } => {
                    let mut f = fields(error);
                    f.4 = Some(source_name.clone());
                    f
                }
                E::Io { path, .. } => (None, None, None, None, Some(path.clone()), None, None),
                _ => (None, None, None, None, None, None, None),
            }
        }
        let root = match &e {
            E::InFile { error, .. } => error.as_ref(),
            other => other,
        };
        let err = match root {
            E::Cancelled { .. } => return PyKeyboardInterrupt::new_err(message),
            E::OverBudget { .. } => BudgetError::new_err(message),
            E::InvalidParameter { .. } | E::InvalidElement { .. } | E::Empty { .. } => {
                ParameterError::new_err(message)
            }
            E::Data { .. } | E::Rows { .. } | E::Json { .. } | E::Field { .. } | E::Io { .. } => {
                DataError::new_err(message)
            }
            _ => ModelError::new_err(message),
        };
        let (model, parameter, value, rule, source, line, column) = fields(&e);
        Python::attach(|py| {
            let v = err.value(py);
            let _ = v.setattr("model", model);
            let _ = v.setattr("parameter", parameter);
            let _ = v.setattr("value", value);
            let _ = v.setattr("rule", rule);
            let _ = v.setattr("source", source);
            let _ = v.setattr("line", line);
            let _ = v.setattr("column", column);
        });
        err
    }
}

type Res<T> = PyResult<T>;

/// Runs `f`, turning a Rust panic into a `KexianError` (no panic reaches Python).
fn guard<T>(f: impl FnOnce() -> Res<T>) -> Res<T> {
    catch_unwind(AssertUnwindSafe(f)).unwrap_or_else(|p| {
        let what = p
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| p.downcast_ref::<&str>().map(|s| (*s).to_owned()))
            .unwrap_or_default();
        Err(KexianError::new_err(format!(
            "internal error (please report): {what}"
        )))
    })
}

/// Parses JSON through the validating constructors. A rule broken inside a model arrives as
/// serde's message `Model: parameter `p` = v is invalid: must be r`; it is raised as a
/// `ParameterError` with those fields.
fn from_json<T: DeserializeOwned>(what: &str, text: &str) -> Res<T> {
    kexian::io::parse_json(what, text).map_err(|e| match &e {
        kexian::Error::Json { message, .. } => {
            parameter_error(message).unwrap_or(Failure(e).into())
        }
        _ => Failure(e).into(),
    })
}

fn parameter_error(message: &str) -> Option<PyErr> {
    let (model, rest) = message.split_once(": parameter `")?;
    let (parameter, rest) = rest.split_once("` = ")?;
    let (value, rule) = rest.split_once(" is invalid: must be ")?;
    let err = ParameterError::new_err(message.to_owned());
    Python::attach(|py| {
        let v = err.value(py);
        let _ = v.setattr("model", model.rsplit(": ").next().unwrap_or(model));
        let _ = v.setattr("parameter", parameter);
        let _ = v.setattr("value", value.parse::<f64>().ok());
        let _ = v.setattr("rule", rule);
        let _ = v.setattr("source", py.None());
        let _ = v.setattr("line", py.None());
        let _ = v.setattr("column", py.None());
    });
    Some(err)
}

fn to_json<T: Serialize>(value: &T) -> Res<String> {
    serde_json::to_string(value).map_err(|e| KexianError::new_err(e.to_string()))
}

/// Runs `work` without the GIL, telling `callback(stage, done, total)` the progress and
/// stopping on Ctrl-C (KeyboardInterrupt) or when the callback raises. The work runs on a
/// thread of its own while this (the main) thread looks for signals every `SIGNAL_POLL`:
/// Python sees a signal only on its main thread, and the observer is mostly called from
/// worker threads; the work stops at its observer's next call.
fn detached<T: Send, E: Into<kexian::job::JobError> + Send>(
    py: Python<'_>,
    callback: Option<Py<PyAny>>,
    work: impl FnOnce(kexian::simulation::Observer) -> Result<T, E> + Send,
) -> Res<T> {
    let raised: Mutex<Option<PyErr>> = Mutex::new(None);
    let stop = AtomicBool::new(false);
    let halt = |e: PyErr| {
        if let Ok(mut r) = raised.lock() {
            r.get_or_insert(e);
        }
        stop.store(true, Ordering::Relaxed);
    };
    let observer = |p: Progress| {
        if let Some(cb) = &callback
            && let Err(e) = Python::attach(|py| cb.call1(py, (p.stage, p.done, p.total)))
        {
            halt(e);
        }
        if stop.load(Ordering::Relaxed) {
            ControlFlow::Break(())
        } else {
            ControlFlow::Continue(())
        }
    };
    let result = std::thread::scope(|s| {
        let main = std::thread::current();
        let observer = &observer;
        let worker = s.spawn(move || {
            let result = catch_unwind(AssertUnwindSafe(|| work(observer)));
            main.unpark();
            result
        });
        // Woken by the worker's end (a token left before the park counts), else every poll.
        while !worker.is_finished() {
            py.detach(|| std::thread::park_timeout(SIGNAL_POLL));
            if let Err(e) = py.check_signals() {
                halt(e);
            }
        }
        worker.join().unwrap_or_else(Err)
    });
    let result = result.map_err(|_| KexianError::new_err("internal error (please report)"))?;
    let error = match result {
        Ok(v) => return Ok(v),
        Err(e) => e.into(),
    };
    match error.downcast_ref::<kexian::Error>() {
        Some(kexian::Error::Cancelled { .. }) => {
            match raised.lock().ok().and_then(|mut r| r.take()) {
                Some(e) => Err(e),
                None => Err(PyKeyboardInterrupt::new_err("cancelled")),
            }
        }
        _ => Err(jobs::job_error(error)),
    }
}

fn array<'py>(py: Python<'py>, v: Vec<f64>) -> Bound<'py, PyArray1<f64>> {
    v.into_pyarray(py)
}

/// A claim-size distribution (any family of `kexian.severity`, from its JSON).
#[pyclass(module = "kexian._kexian", frozen)]
struct Severity {
    inner: SeverityModel,
}

#[pymethods]
impl Severity {
    /// From JSON such as `{"type": "lognormal", "mu": 10, "sigma": 2}`.
    #[staticmethod]
    fn from_json(text: &str) -> Res<Self> {
        Ok(Self {
            inner: from_json("severity", text)?,
        })
    }
    /// The JSON form.
    fn to_json(&self) -> Res<String> {
        to_json(&self.inner)
    }
    /// Distribution function at each x.
    fn cdf<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
    ) -> Bound<'py, PyArray1<f64>> {
        x.as_array().mapv(|v| self.inner.cdf(v)).into_pyarray(py)
    }
    /// Survival function at each x.
    fn sf<'py>(&self, py: Python<'py>, x: PyReadonlyArray1<'py, f64>) -> Bound<'py, PyArray1<f64>> {
        x.as_array()
            .mapv(|v| self.inner.survival(v))
            .into_pyarray(py)
    }
    /// Density at each x.
    fn pdf<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray1<'py, f64>,
    ) -> Bound<'py, PyArray1<f64>> {
        x.as_array()
            .mapv(|v| self.inner.density(v))
            .into_pyarray(py)
    }
    /// Quantile at each level.
    fn ppf<'py>(
        &self,
        py: Python<'py>,
        q: PyReadonlyArray1<'py, f64>,
    ) -> Bound<'py, PyArray1<f64>> {
        q.as_array()
            .mapv(|v| self.inner.quantile(v))
            .into_pyarray(py)
    }
    /// Limited expected value E[min(X, u)] at each u.
    fn lev<'py>(
        &self,
        py: Python<'py>,
        u: PyReadonlyArray1<'py, f64>,
    ) -> Bound<'py, PyArray1<f64>> {
        u.as_array()
            .mapv(|v| self.inner.limited_expected_value(v))
            .into_pyarray(py)
    }
    /// E[X^k], None when infinite.
    fn moment(&self, k: u32) -> Option<f64> {
        self.inner.raw_moment(k)
    }
    /// Expected loss to the layer `limit` xs `attachment`.
    fn layer_expected_loss(&self, attachment: f64, limit: f64) -> f64 {
        self.inner.layer_expected_loss(attachment, limit)
    }
    /// `n` draws from a generator seeded by `seed`.
    fn sample<'py>(&self, py: Python<'py>, n: usize, seed: u64) -> Res<Bound<'py, PyArray1<f64>>> {
        check_draws(n)?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let v: Vec<f64> = (0..n).map(|_| self.inner.sample(&mut rng)).collect();
        Ok(array(py, v))
    }
}

/// Refuses `n` draws above the budget: 8 bytes and one claim's time each.
fn check_draws(n: usize) -> Result<(), Failure> {
    use kexian::budget::{Work, check};
    let work = Work::items(n as u64, 8).and(Work::claims(n as f64, 1));
    Ok(check("the sample", work, "draw fewer values")?)
}

/// Sets the process-wide budget every long call is checked against before it starts:
/// `memory` in bytes (default 80% of the machine's memory), `seconds` of running time
/// (default 3600); None restores a default.
#[pyfunction]
#[pyo3(signature = (memory=None, seconds=None))]
fn set_budget(memory: Option<u64>, seconds: Option<f64>) -> Res<()> {
    Ok(kexian::budget::set_limits(memory, seconds).map_err(Failure)?)
}

/// The current budget: `{"memory": bytes, "seconds": s}`.
#[pyfunction]
fn budget() -> std::collections::HashMap<&'static str, f64> {
    let l = kexian::budget::limits();
    [("memory", l.memory as f64), ("seconds", l.seconds)].into()
}

/// A claim-count distribution (any family of `kexian.frequency`, from its JSON).
#[pyclass(module = "kexian._kexian", frozen)]
struct Frequency {
    inner: FrequencyModel,
}

#[pymethods]
impl Frequency {
    /// From JSON such as `{"type": "poisson", "lambda": 2}`.
    #[staticmethod]
    fn from_json(text: &str) -> Res<Self> {
        Ok(Self {
            inner: from_json("frequency", text)?,
        })
    }
    /// The JSON form.
    fn to_json(&self) -> Res<String> {
        to_json(&self.inner)
    }
    /// P(N = k) at each k.
    fn pmf<'py>(
        &self,
        py: Python<'py>,
        k: PyReadonlyArray1<'py, u64>,
    ) -> Bound<'py, PyArray1<f64>> {
        k.as_array().mapv(|v| self.inner.pmf(v)).into_pyarray(py)
    }
    /// P(N ≤ k) at each k.
    fn cdf<'py>(
        &self,
        py: Python<'py>,
        k: PyReadonlyArray1<'py, u64>,
    ) -> Bound<'py, PyArray1<f64>> {
        k.as_array().mapv(|v| self.inner.cdf(v)).into_pyarray(py)
    }
    /// E[N].
    fn mean(&self) -> f64 {
        self.inner.mean()
    }
    /// Var[N].
    fn variance(&self) -> f64 {
        self.inner.variance()
    }
    /// `n` draws from a generator seeded by `seed`.
    fn sample<'py>(&self, py: Python<'py>, n: usize, seed: u64) -> Res<Bound<'py, PyArray1<u64>>> {
        check_draws(n)?;
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(seed);
        let v: Vec<u64> = (0..n).map(|_| self.inner.sample(&mut rng)).collect();
        Ok(v.into_pyarray(py))
    }
}

type Model = LossModel<FrequencyModel, SeverityModel>;

/// Annual losses of a cover: frequency, severity, claim and annual terms.
#[pyclass(module = "kexian._kexian", frozen)]
struct CoverModel {
    inner: Model,
}

#[pymethods]
impl CoverModel {
    /// From the JSON of a loss model (`frequency`, `severity`, `claim_terms`,
    /// `aggregate_terms`).
    #[staticmethod]
    fn from_json(text: &str) -> Res<Self> {
        Ok(Self {
            inner: from_json("loss model", text)?,
        })
    }
    /// The JSON form.
    fn to_json(&self) -> Res<String> {
        to_json(&self.inner)
    }
    /// The closed-form mean annual payment, when it exists.
    fn analytic_mean(&self) -> Option<f64> {
        self.inner.analytic_mean()
    }
    /// Monte Carlo: `trials` years from `seed` (`config_json`: a SimulationConfig), the GIL
    /// released; `progress(stage, done, total)` is called as batches complete.
    #[pyo3(signature = (config_json, progress=None))]
    fn simulate(
        &self,
        py: Python<'_>,
        config_json: &str,
        progress: Option<Py<PyAny>>,
    ) -> Res<Losses> {
        let config: SimulationConfig = from_json("simulation config", config_json)?;
        let model = &self.inner;
        let run = detached(py, progress, |o| model.simulate_with_progress(&config, o))?;
        Ok(Losses {
            inner: run.losses,
            run: None,
        })
    }
    /// Shard `index` of `count` (1-based) of the run `config_json`: its partial result as
    /// bytes, the GIL released.
    fn simulate_shard<'py>(
        &self,
        py: Python<'py>,
        config_json: &str,
        index: u64,
        count: u64,
    ) -> Res<Bound<'py, PyBytes>> {
        let config: SimulationConfig = from_json("simulation config", config_json)?;
        let model = &self.inner;
        let bytes = guard(|| {
            py.detach(|| {
                let shard = Shard::new(index, count)?;
                model.simulate_shard(&config, shard)?.to_bytes()
            })
            .map_err(|e| Failure(e).into())
        })?;
        Ok(PyBytes::new(py, &bytes))
    }
    /// Merges the partial results of every shard of the run `config_json` (any order): the
    /// single run's losses, bit for bit.
    fn merge(
        &self,
        py: Python<'_>,
        config_json: &str,
        parts: Vec<Bound<'_, PyBytes>>,
    ) -> Res<Losses> {
        let config: SimulationConfig = from_json("simulation config", config_json)?;
        let bytes: Vec<Vec<u8>> = parts.iter().map(|p| p.as_bytes().to_vec()).collect();
        let model = &self.inner;
        let run = guard(|| {
            py.detach(|| {
                let parts = bytes
                    .iter()
                    .map(|b| SimulationPart::from_bytes(b))
                    .collect::<kexian::Result<Vec<_>>>()?;
                let names = part_names(parts.iter().map(|p| p.batches()));
                model.merge(&config, parts).map_err(|e| e.in_part(&names))
            })
            .map_err(|e| Failure(e).into())
        })?;
        Ok(Losses {
            inner: run.losses,
            run: None,
        })
    }
    /// The exact distribution by FFT or Panjer on a recommended grid.
    #[pyo3(signature = (method_json="{\"method\": \"fft\", \"padding\": 2}", points=16384, tail_level=1.0 - 1e-10, progress=None))]
    fn exact(
        &self,
        py: Python<'_>,
        method_json: &str,
        points: usize,
        tail_level: f64,
        progress: Option<Py<PyAny>>,
    ) -> Res<Exact> {
        let method: ExactMethod = from_json("exact method", method_json)?;
        let model = &self.inner;
        let d = detached(py, progress, |o| -> kexian::Result<AggregateDistribution> {
            let grid = model.recommended_grid(points, tail_level)?;
            model.exact_distribution_with_progress(
                method,
                &grid,
                Discretization::default(),
                Some(o),
            )
        })?;
        Ok(Exact { inner: d })
    }
}

/// Simulated annual losses with standard errors.
#[pyclass(module = "kexian._kexian", frozen)]
struct Losses {
    inner: SimulatedLosses,
    /// The portfolio run the losses are of: its VaR and TVaR standard errors account for
    /// the copula blocks (the summary's, one per statistic).
    run: Option<std::sync::Arc<PortfolioRun>>,
}

fn estimate(e: kexian::Result<kexian::loss::Estimate>) -> Res<(f64, f64)> {
    let e = e.map_err(Failure)?;
    Ok((e.value, e.std_error))
}

#[pymethods]
impl Losses {
    /// Number of trials.
    fn trials(&self) -> u64 {
        self.inner.trials()
    }
    /// (mean, standard error).
    fn mean(&self) -> Res<(f64, f64)> {
        estimate(self.inner.mean())
    }
    /// (standard deviation, standard error).
    fn std_dev(&self) -> Res<(f64, f64)> {
        estimate(self.inner.std_dev())
    }
    /// (VaR at `level`, standard error).
    fn var(&self, level: f64) -> Res<(f64, f64)> {
        estimate(match &self.run {
            Some(r) => r.var_estimate(level),
            None => self.inner.var(level),
        })
    }
    /// (TVaR at `level`, standard error).
    fn tvar(&self, level: f64) -> Res<(f64, f64)> {
        estimate(match &self.run {
            Some(r) => r.tvar_estimate_at(level),
            None => self.inner.tvar(level),
        })
    }
    /// [(return period, loss, standard error)] at 2–1000 years.
    fn exceedance_curve(&self) -> Res<Vec<(f64, f64, f64)>> {
        let curve = match &self.run {
            Some(r) => r.exceedance_curve().map_err(Failure)?,
            None => self.inner.exceedance_curve(),
        };
        Ok(curve
            .into_iter()
            .map(|(rp, e)| (rp, e.value, e.std_error))
            .collect())
    }
    /// The premium by a principle given as JSON (e.g. `{"principle": "wang", "lambda": 0.25}`).
    fn premium(&self, principle_json: &str) -> Res<f64> {
        let p: PremiumPrinciple = from_json("premium principle", principle_json)?;
        let d = self.inner.to_discrete().map_err(Failure)?;
        Ok(p.premium(&d).map_err(Failure)?)
    }
    /// The JSON form of the statistics.
    fn to_json(&self) -> Res<String> {
        to_json(&self.inner)
    }
}

/// An exact (grid) distribution of annual losses.
#[pyclass(module = "kexian._kexian", frozen)]
struct Exact {
    inner: AggregateDistribution,
}

#[pymethods]
impl Exact {
    /// Grid values (元).
    fn values<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.inner.distribution.values().to_vec())
    }
    /// Their probabilities.
    fn probabilities<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.inner.distribution.probs().to_vec())
    }
    /// Mean.
    fn mean(&self) -> Res<f64> {
        Ok(self.inner.mean().map_err(Failure)?)
    }
    /// Variance.
    fn variance(&self) -> Res<f64> {
        Ok(self.inner.variance().map_err(Failure)?)
    }
    /// VaR at `level`.
    fn var(&self, level: f64) -> Res<f64> {
        Ok(self.inner.var(level).map_err(Failure)?)
    }
    /// TVaR at `level`.
    fn tvar(&self, level: f64) -> Res<f64> {
        Ok(self.inner.tvar(level).map_err(Failure)?)
    }
    /// [(return period, loss)].
    fn exceedance_curve(&self) -> Vec<(f64, f64)> {
        self.inner.exceedance_curve()
    }
    /// The premium by a principle given as JSON.
    fn premium(&self, principle_json: &str) -> Res<f64> {
        let p: PremiumPrinciple = from_json("premium principle", principle_json)?;
        Ok(p.premium(&self.inner).map_err(Failure)?)
    }
    /// Diagnostic warnings (grid reach, accuracy).
    fn warnings(&self) -> Vec<String> {
        self.inner
            .diagnostics
            .warnings
            .iter()
            .map(ToString::to_string)
            .collect()
    }
}

fn assumptions(json: Option<&str>) -> Res<Assumptions> {
    Ok(match json {
        Some(text) => Assumptions::from_json("assumptions", text),
        None => Assumptions::bundled(),
    }
    .map_err(Failure)?)
}

/// A simulated book: totals and per-policy vectors aligned by trial.
#[pyclass(module = "kexian._kexian", frozen)]
struct PortfolioResult {
    book: Book,
    config: PortfolioConfig,
    run: std::sync::Arc<PortfolioRun>,
}

#[pymethods]
impl PortfolioResult {
    /// Policy ids in book order.
    fn ids(&self) -> Vec<String> {
        self.book.policies().iter().map(|p| p.id.clone()).collect()
    }
    /// Portfolio payment per trial (元).
    fn totals<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        array(py, self.run.totals.clone())
    }
    /// Policy `id`'s payment per trial in integer 分: over all policies they sum to
    /// `totals × 100` exactly.
    fn policy_cents<'py>(&self, py: Python<'py>, id: &str) -> Res<Bound<'py, PyArray1<i64>>> {
        let v = self
            .book
            .policy_cents(id, &self.config, &self.run)
            .map_err(Failure)?;
        Ok(v.into_pyarray(py))
    }
    /// Policy `id`'s standalone payments per trial (元): drawn from its own streams whatever
    /// the run's engine (`Portfolio::standalone_losses`).
    fn standalone_losses<'py>(&self, py: Python<'py>, id: &str) -> Res<Bound<'py, PyArray1<f64>>> {
        let v = (self.book)
            .standalone_losses(id, &self.config, &self.run)
            .map_err(Failure)?;
        Ok(v.into_pyarray(py))
    }
    /// TVaR at the run's level.
    fn tvar(&self) -> f64 {
        self.run.tvar
    }
    /// The portfolio statistics with standard errors.
    fn losses(&self) -> Losses {
        Losses {
            inner: self.run.losses.clone(),
            run: Some(self.run.clone()),
        }
    }
    /// JSON of the per-policy results (mean, peril means, co-TVaR).
    fn policies_json(&self) -> Res<String> {
        to_json(&self.run.policies)
    }
}

/// Simulates a book (`firms`: see `jobs::firms`) under an assumption set
/// (JSON; None: the bundled set) with `config_json` (a PortfolioConfig).
#[pyfunction]
#[pyo3(signature = (firms, config_json, assumptions_json=None, progress=None))]
fn simulate_portfolio(
    py: Python<'_>,
    firms: &Bound<'_, PyAny>,
    config_json: &str,
    assumptions_json: Option<&str>,
    progress: Option<Py<PyAny>>,
) -> Res<PortfolioResult> {
    let (book, config) = portfolio_run(firms, config_json, assumptions_json)?;
    let run = detached(py, progress, |o| {
        book.simulate_with_progress(&config, Some(o))
    })?;
    Ok(PortfolioResult {
        book,
        config,
        run: std::sync::Arc::new(run),
    })
}

/// Shard `index` of `count` (1-based) of [`simulate_portfolio`]'s run: its partial result
/// as bytes.
#[pyfunction]
#[pyo3(signature = (firms, config_json, index, count, assumptions_json=None))]
fn simulate_portfolio_shard<'py>(
    py: Python<'py>,
    firms: &Bound<'_, PyAny>,
    config_json: &str,
    index: u64,
    count: u64,
    assumptions_json: Option<&str>,
) -> Res<Bound<'py, PyBytes>> {
    let (book, config) = portfolio_run(firms, config_json, assumptions_json)?;
    let bytes = guard(|| {
        py.detach(|| {
            let shard = Shard::new(index, count)?;
            book.simulate_shard(&config, shard, None)?.to_bytes()
        })
        .map_err(|e| Failure(e).into())
    })?;
    Ok(PyBytes::new(py, &bytes))
}

/// Each part's range and its place in the caller's list (`parts[i]`), for [`kexian::Error::in_part`].
pub(crate) fn part_names<T: TryInto<u64>>(
    ranges: impl Iterator<Item = std::ops::Range<T>>,
) -> Vec<(std::ops::Range<u64>, String)> {
    let wide = |x: T| x.try_into().unwrap_or(u64::MAX);
    (ranges.enumerate())
        .map(|(i, r)| (wide(r.start)..wide(r.end), format!("parts[{i}]")))
        .collect()
}

/// Merges the partial results of every shard of [`simulate_portfolio`]'s run (any order):
/// the single run's result, bit for bit.
#[pyfunction]
#[pyo3(signature = (firms, config_json, parts, assumptions_json=None))]
fn merge_portfolio(
    py: Python<'_>,
    firms: &Bound<'_, PyAny>,
    config_json: &str,
    parts: Vec<Bound<'_, PyBytes>>,
    assumptions_json: Option<&str>,
) -> Res<PortfolioResult> {
    let (book, config) = portfolio_run(firms, config_json, assumptions_json)?;
    let bytes: Vec<Vec<u8>> = parts.iter().map(|p| p.as_bytes().to_vec()).collect();
    let run = guard(|| {
        py.detach(|| {
            let parts = bytes
                .iter()
                .map(|b| PortfolioPart::from_bytes(b))
                .collect::<kexian::Result<Vec<_>>>()?;
            let names = part_names(parts.iter().map(|p| p.blocks()));
            book.merge(&config, parts).map_err(|e| e.in_part(&names))
        })
        .map_err(|e| Failure(e).into())
    })?;
    Ok(PortfolioResult {
        book,
        config,
        run: std::sync::Arc::new(run),
    })
}

/// The book of `firms` under the assumption set, and the run settings.
fn portfolio_run(
    firms: &Bound<'_, PyAny>,
    config_json: &str,
    assumptions_json: Option<&str>,
) -> Res<(Book, PortfolioConfig)> {
    let a = assumptions(assumptions_json)?;
    let firms = jobs::firms(firms)?;
    let config: PortfolioConfig = from_json("portfolio config", config_json)?;
    let (_, book) = a.portfolio(&firms, vec![]).map_err(Failure)?;
    Ok((book, config))
}

/// Prices one cover from a LineSpec JSON; returns the PricedLine as JSON.
#[pyfunction]
#[pyo3(signature = (spec_json, progress=None))]
fn price_line(py: Python<'_>, spec_json: &str, progress: Option<Py<PyAny>>) -> Res<String> {
    let spec: kexian::pricing::LineSpec = from_json("line spec", spec_json)?;
    let priced = detached(py, progress, |o| {
        kexian::pricing::price_line(&spec, Some(o))
    })?;
    to_json(&priced)
}

/// A fitted rating plan.
#[pyclass(module = "kexian._kexian", frozen)]
struct RatingPlan {
    inner: Plan,
}

#[pymethods]
impl RatingPlan {
    /// Fits `spec_json` (a RatingSpec) with `family_json` (e.g. `"poisson"`) on
    /// the table `data` (see `jobs::table`).
    #[staticmethod]
    fn fit(data: &Bound<'_, PyAny>, spec_json: &str, family_json: &str) -> Res<Self> {
        let spec: RatingSpec = from_json("rating spec", spec_json)?;
        let family: GlmFamily = from_json("GLM family", family_json)?;
        guard(|| {
            let table = jobs::table("DataFrame `data`", data)?;
            Ok(Self {
                inner: Plan::fit(family, &spec, &table).map_err(Failure)?,
            })
        })
    }
    /// Predicted response for each row of the table.
    fn predict<'py>(
        &self,
        py: Python<'py>,
        data: &Bound<'py, PyAny>,
    ) -> Res<Bound<'py, PyArray1<f64>>> {
        let table = jobs::table("DataFrame `data`", data)?;
        Ok(array(py, self.inner.predict(&table).map_err(Failure)?))
    }
    /// The relativity table as JSON.
    fn relativities_json(&self) -> Res<String> {
        to_json(&self.inner.relativities())
    }
    /// Base (intercept) level.
    fn base(&self) -> f64 {
        self.inner.base()
    }
    /// The plan as JSON.
    fn to_json(&self) -> Res<String> {
        to_json(&self.inner)
    }
}

/// Bühlmann–Straub credibility from long-format columns; returns the fit as JSON.
#[pyfunction]
#[pyo3(signature = (entity, period, ratio, weight, iterative=false))]
fn buhlmann_straub(
    entity: Vec<String>,
    period: Vec<f64>,
    ratio: Vec<f64>,
    weight: Vec<f64>,
    iterative: bool,
) -> Res<String> {
    let panel = Panel::from_columns::<String, String>(&entity, None, &period, &ratio, &weight)
        .map_err(Failure)?;
    let estimator = if iterative {
        StraubEstimator::Iterative
    } else {
        StraubEstimator::Unbiased
    };
    let fit = BuhlmannStraub::fit(&panel, estimator).map_err(Failure)?;
    to_json(&serde_json::json!({
        "collective": fit.collective(),
        "between_variance": fit.between_variance(),
        "within_variance": fit.within_variance(),
        "entities": fit.entities(),
        "factors": fit.factors(),
        "premiums": fit.premiums(),
    }))
}

/// Rolling out-of-sample backtest of a rating plan on multi-year experience (a table);
/// returns the result as JSON.
#[pyfunction]
fn rolling_backtest(
    data: &Bound<'_, PyAny>,
    spec_json: &str,
    family_json: &str,
    year_column: &str,
    min_train_years: usize,
) -> Res<String> {
    let spec: RatingSpec = from_json("rating spec", spec_json)?;
    let family: GlmFamily = from_json("GLM family", family_json)?;
    let table = jobs::table("DataFrame `experience`", data)?;
    let backtest = kexian::backtest::BacktestSpec {
        plan: &spec,
        family,
        year_column,
        min_train_years,
    };
    let bt = kexian::backtest::rolling_backtest(&table, &backtest, None).map_err(Failure)?;
    to_json(&bt)
}

/// Raises the error a Rust panic would become (for testing the guard).
#[pyfunction]
fn _panic_for_test() -> Res<()> {
    guard(|| -> Res<()> { panic!("test panic") })
}

/// The extension module.
#[pymodule]
fn _kexian(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("KexianError", py.get_type::<KexianError>())?;
    m.add("ParameterError", py.get_type::<ParameterError>())?;
    m.add("DataError", py.get_type::<DataError>())?;
    m.add("ModelError", py.get_type::<ModelError>())?;
    m.add("BudgetError", py.get_type::<BudgetError>())?;
    m.add_function(wrap_pyfunction!(set_budget, m)?)?;
    m.add_function(wrap_pyfunction!(budget, m)?)?;
    m.add_class::<Severity>()?;
    m.add_class::<Frequency>()?;
    m.add_class::<CoverModel>()?;
    m.add_class::<Losses>()?;
    m.add_class::<Exact>()?;
    m.add_class::<PortfolioResult>()?;
    m.add_class::<RatingPlan>()?;
    m.add_function(wrap_pyfunction!(simulate_portfolio, m)?)?;
    m.add_function(wrap_pyfunction!(simulate_portfolio_shard, m)?)?;
    m.add_function(wrap_pyfunction!(merge_portfolio, m)?)?;
    m.add_function(wrap_pyfunction!(price_line, m)?)?;
    m.add_function(wrap_pyfunction!(buhlmann_straub, m)?)?;
    m.add_function(wrap_pyfunction!(rolling_backtest, m)?)?;
    m.add_function(wrap_pyfunction!(_panic_for_test, m)?)?;
    m.add_class::<jobs::PyJob>()?;
    m.add_class::<jobs::JobOutput>()?;
    m.add_function(wrap_pyfunction!(jobs::fit, m)?)?;
    m.add_function(wrap_pyfunction!(jobs::match_products, m)?)?;
    m.add_function(wrap_pyfunction!(fits::fit_frequency, m)?)?;
    m.add_function(wrap_pyfunction!(fits::fit_tail, m)?)?;
    m.add_function(wrap_pyfunction!(fits::threshold_stability, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
