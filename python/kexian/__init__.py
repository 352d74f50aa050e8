"""kexian (科险) — technology insurance pricing, from Python.

Loss models of R&D failure, intellectual property and cyber; exact (FFT, Panjer) and Monte Carlo
aggregation with standard errors; portfolios under an assumption set; rating plans, credibility,
quotes and backtests. The engine is the Rust library ``kexian``: results are bit-identical to
it for the same seed, long runs release the GIL, report progress and stop on Ctrl-C.

>>> import kexian
>>> model = kexian.LossModel(kexian.Poisson(2.0), kexian.LogNormal(10.0, 2.0),
...                          claim_terms={"deductible": 1e4, "limit": 1e6})
>>> sim = model.simulate(trials=100_000, seed=7)
>>> mean = sim.mean()
>>> abs(mean.value - model.analytic_mean()) < 4 * mean.std_error
True
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Callable, Dict, Iterable, List, NamedTuple, Optional, Sequence, Union

import numpy as np

from . import _kexian, _tables
from ._kexian import (BudgetError, DataError, KexianError, ModelError, ParameterError,
                      budget, set_budget)

__version__: str = _kexian.__version__

__all__ = [
    "KexianError", "ParameterError", "DataError", "ModelError", "BudgetError",
    "set_budget", "budget",
    "Estimate", "Severity", "LogNormal", "Gamma", "Weibull", "Exponential", "Pareto",
    "SingleParameterPareto", "GeneralizedPareto", "Burr", "LogLogistic", "Empirical",
    "Frequency", "Poisson", "NegativeBinomial", "Binomial", "Bernoulli", "Geometric",
    "LossModel", "Simulation", "ExactDistribution", "PortfolioResult",
    "RatingPlan", "simulate_portfolio", "simulate_portfolio_shard", "merge_portfolio",
    "price_line", "buhlmann_straub", "rolling_backtest",
    "QuoteResult", "quote", "quote_shard", "FitResult", "fit", "fit_frequency", "fit_tail",
    "threshold_stability", "BacktestResult", "backtest", "RatesResult",
    "rates", "ReportResult", "report", "Matches", "match_products",
]

Progress = Optional[Union[bool, Callable[[str, int, int], Any]]]
"""A progress callback ``f(stage, done, total)``, or True for a tqdm bar when tqdm is installed."""


def _deprecated(old: str, new: str) -> None:
    warnings.warn(f"`{old}` is deprecated: use `{new}`", DeprecationWarning, stacklevel=3)


class Estimate(NamedTuple):
    """A statistic and its Monte Carlo standard error (0 for exact results)."""

    value: float
    std_error: float


def _callback(progress: Progress) -> Optional[Callable[[str, int, int], Any]]:
    if progress is True:
        try:
            from tqdm.auto import tqdm  # type: ignore
        except ImportError:
            return None
        bars: Dict[str, Any] = {}

        def show(stage: str, done: int, total: int) -> None:
            bar = bars.get(stage)
            if bar is None:
                bar = bars[stage] = tqdm(total=total, desc=stage)
            bar.update(done - bar.n)
            if done >= total:
                bar.close()

        return show
    return progress or None


def _pandas():
    import pandas as pd  # imported lazily: only the DataFrame results need it

    return pd


def _apply(f: Callable[[np.ndarray], np.ndarray], x: Any, dtype: Any = float) -> Any:
    """Applies a vectorised Rust method to a scalar or array-like, keeping its shape. NaN is
    refused, and so is a count that is not a whole number >= 0 (never cast to one)."""
    values = np.asarray(x, dtype=float)
    if np.isnan(values).any():
        raise KexianError(f"argument {x!r}: NaN is not a value")
    if dtype is np.uint64:
        bad = values[(values < 0) | (values != np.floor(values)) | ~(values < 2.0**63)]
        if bad.size:
            raise KexianError(f"count {bad.reshape(-1)[0]!r}: a count is a whole number >= 0")
    arr = values.astype(dtype) if dtype is np.uint64 else values
    out = f(np.ascontiguousarray(arr.reshape(-1)))
    return out.reshape(arr.shape)[()] if arr.ndim == 0 else out.reshape(arr.shape)


def _json(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _read_json_arg(value: Any) -> Optional[str]:
    """A dict, a JSON string or a path to a JSON file, as JSON text (None stays None)."""
    if value is None:
        return None
    if isinstance(value, (str, os.PathLike)) and os.path.exists(value):
        with open(value, encoding="utf-8-sig") as fh:
            return fh.read()
    return _json(value)


class _Family:
    """A family built from the Rust JSON form ``{"type": family, **params}``."""

    _native: Any = None

    def __init__(self, family: str, **params: Any) -> None:
        self._inner = self._native.from_json(json.dumps({"type": family, **params}))

    @classmethod
    def from_json(cls, text: str) -> Any:
        """From the JSON used in Rust configuration files."""
        obj = cls.__new__(cls)
        obj._inner = cls._native.from_json(text)
        return obj

    def to_json(self) -> str:
        return self._inner.to_json()

    def to_dict(self) -> Dict[str, Any]:
        return json.loads(self._inner.to_json())

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.to_json()})"


class Severity(_Family):
    """A claim-size distribution: ``Severity("lognormal", mu=10, sigma=2)`` or a family class
    such as :class:`LogNormal`; the parameters are those of the Rust JSON form."""

    _native = _kexian.Severity

    def cdf(self, x: Any) -> Any:
        """P(X ≤ x)."""
        return _apply(self._inner.cdf, x)

    def sf(self, x: Any) -> Any:
        """P(X > x)."""
        return _apply(self._inner.sf, x)

    def pdf(self, x: Any) -> Any:
        """Density."""
        return _apply(self._inner.pdf, x)

    def ppf(self, q: Any) -> Any:
        """Quantile at level q."""
        return _apply(self._inner.ppf, q)

    def lev(self, limit: Any) -> Any:
        """Limited expected value E[min(X, limit)]."""
        return _apply(self._inner.lev, limit)

    def moment(self, k: int) -> Optional[float]:
        """E[X^k]; None when infinite."""
        return self._inner.moment(k)

    def mean(self) -> Optional[float]:
        return self._inner.moment(1)

    def var(self) -> Optional[float]:
        m1, m2 = self._inner.moment(1), self._inner.moment(2)
        return None if m1 is None or m2 is None else m2 - m1 * m1

    def layer_expected_loss(self, attachment: float, limit: float) -> float:
        """Expected loss to the layer ``limit`` xs ``attachment``."""
        return self._inner.layer_expected_loss(attachment, limit)

    def sample(self, n: int, seed: int) -> np.ndarray:
        """``n`` draws, reproducible from ``seed``."""
        return self._inner.sample(n, seed)


class LogNormal(Severity):
    def __init__(self, mu: float, sigma: float) -> None:
        super().__init__("lognormal", mu=mu, sigma=sigma)


class Gamma(Severity):
    def __init__(self, alpha: float, theta: float) -> None:
        super().__init__("gamma", alpha=alpha, theta=theta)


class Weibull(Severity):
    def __init__(self, tau: float, theta: float) -> None:
        super().__init__("weibull", tau=tau, theta=theta)


class Exponential(Severity):
    def __init__(self, theta: float) -> None:
        super().__init__("exponential", theta=theta)


class Pareto(Severity):
    """Pareto II (Lomax) of *Loss Models*: S(x) = (θ / (x + θ))^α."""

    def __init__(self, alpha: float, theta: float) -> None:
        super().__init__("pareto", alpha=alpha, theta=theta)


class SingleParameterPareto(Severity):
    def __init__(self, alpha: float, theta: float) -> None:
        super().__init__("single_parameter_pareto", alpha=alpha, theta=theta)


class GeneralizedPareto(Severity):
    def __init__(self, xi: float, sigma: float, location: float = 0.0) -> None:
        super().__init__("generalized_pareto", xi=xi, sigma=sigma, location=location)


class Burr(Severity):
    def __init__(self, alpha: float, gamma: float, theta: float) -> None:
        super().__init__("burr", alpha=alpha, gamma=gamma, theta=theta)


class LogLogistic(Severity):
    def __init__(self, gamma: float, theta: float) -> None:
        super().__init__("loglogistic", gamma=gamma, theta=theta)


class Empirical(Severity):
    def __init__(self, data: Sequence[float]) -> None:
        super().__init__("empirical", data=[float(x) for x in data])


class Frequency(_Family):
    """A claim-count distribution: ``Frequency("poisson", **{"lambda": 2})`` or a family class
    such as :class:`Poisson`."""

    _native = _kexian.Frequency

    def pmf(self, k: Any) -> Any:
        """P(N = k)."""
        return _apply(self._inner.pmf, k, dtype=np.uint64)

    def cdf(self, k: Any) -> Any:
        """P(N ≤ k)."""
        return _apply(self._inner.cdf, k, dtype=np.uint64)

    def mean(self) -> float:
        return self._inner.mean()

    def var(self) -> float:
        return self._inner.variance()

    def sample(self, n: int, seed: int) -> np.ndarray:
        """``n`` draws, reproducible from ``seed``."""
        return self._inner.sample(n, seed)


class Poisson(Frequency):
    def __init__(self, lam: float) -> None:
        super().__init__("poisson", **{"lambda": lam})


class NegativeBinomial(Frequency):
    """Negative binomial (r, β) of *Loss Models*: mean rβ, variance rβ(1 + β)."""

    def __init__(self, r: float, beta: float) -> None:
        super().__init__("negative_binomial", r=r, beta=beta)


class Binomial(Frequency):
    def __init__(self, m: int, q: float) -> None:
        super().__init__("binomial", m=m, q=q)


class Bernoulli(Frequency):
    def __init__(self, q: float) -> None:
        super().__init__("bernoulli", q=q)


class Geometric(Frequency):
    def __init__(self, beta: float) -> None:
        super().__init__("geometric", beta=beta)


def _principle(principle: Union[str, Dict[str, Any]], params: Dict[str, Any]) -> str:
    if isinstance(principle, str) and not principle.lstrip().startswith("{"):
        return json.dumps({"principle": principle, **params})
    return _json(principle)


def _curve(rows: Iterable[Sequence[float]], columns: List[str]):
    return _pandas().DataFrame(list(rows), columns=columns)


class Simulation:
    """Simulated annual losses; every statistic is an :class:`Estimate` (value, std_error)."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def trials(self) -> int:
        return self._inner.trials()

    def mean(self) -> Estimate:
        return Estimate(*self._inner.mean())

    def std_dev(self) -> Estimate:
        return Estimate(*self._inner.std_dev())

    def value_at_risk(self, level: float) -> Estimate:
        """VaR: the ``level`` quantile of the annual loss, with its standard error."""
        return Estimate(*self._inner.var(level))

    def var(self, level: float) -> Estimate:
        """Deprecated: :meth:`value_at_risk` (pandas' ``.var()`` is the variance)."""
        _deprecated("var", "value_at_risk")
        return self.value_at_risk(level)

    def tvar(self, level: float) -> Estimate:
        return Estimate(*self._inner.tvar(level))

    def statistics(self, levels: Sequence[float] = (0.99, 0.995)):
        """DataFrame of mean, standard deviation, VaR and TVaR with standard errors."""
        rows = [("mean", *self._inner.mean()), ("std_dev", *self._inner.std_dev())]
        rows += [(f"VaR {l}", *self._inner.var(l)) for l in levels]
        rows += [(f"TVaR {l}", *self._inner.tvar(l)) for l in levels]
        return _pandas().DataFrame(rows, columns=["statistic", "value", "std_error"]).set_index("statistic")

    def exceedance_curve(self):
        """DataFrame: return period (years), annual loss, standard error."""
        return _curve(self._inner.exceedance_curve(), ["return_period", "loss", "std_error"])

    def premium(self, principle: Union[str, Dict[str, Any]], **params: Any) -> float:
        """``premium("wang", **{"lambda": 0.25})`` or the principle's JSON/dict."""
        return self._inner.premium(_principle(principle, params))


class ExactDistribution:
    """An exact (grid) distribution of annual losses."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    def values(self) -> np.ndarray:
        return self._inner.values()

    def probabilities(self) -> np.ndarray:
        return self._inner.probabilities()

    def mean(self) -> float:
        return self._inner.mean()

    def variance(self) -> float:
        return self._inner.variance()

    def value_at_risk(self, level: float) -> float:
        """VaR: the ``level`` quantile of the annual loss."""
        return self._inner.var(level)

    def var(self, level: float) -> float:
        """Deprecated: :meth:`value_at_risk` (pandas' ``.var()`` is the variance)."""
        _deprecated("var", "value_at_risk")
        return self.value_at_risk(level)

    def tvar(self, level: float) -> float:
        return self._inner.tvar(level)

    def exceedance_curve(self):
        return _curve(self._inner.exceedance_curve(), ["return_period", "loss"])

    def premium(self, principle: Union[str, Dict[str, Any]], **params: Any) -> float:
        return self._inner.premium(_principle(principle, params))

    @property
    def warnings(self) -> List[str]:
        return self._inner.warnings()


class LossModel:
    """Annual losses of a cover: a frequency, a severity, per-claim terms (``deductible``,
    ``limit``, ``share``, ``inflation``, ``kind``) and annual terms (``deductible``, ``limit``)."""

    def __init__(self, frequency: Frequency, severity: Severity,
                 claim_terms: Optional[Dict[str, Any]] = None,
                 aggregate_terms: Optional[Dict[str, Any]] = None) -> None:
        spec: Dict[str, Any] = {"frequency": frequency.to_dict(), "severity": severity.to_dict()}
        if claim_terms:
            spec["claim_terms"] = claim_terms
        if aggregate_terms:
            spec["aggregate_terms"] = aggregate_terms
        self._inner = _kexian.CoverModel.from_json(json.dumps(spec))

    def to_json(self) -> str:
        return self._inner.to_json()

    def analytic_mean(self) -> Optional[float]:
        return self._inner.analytic_mean()

    def simulate(self, trials: int, seed: int, threads: Optional[int] = None,
                 batch_size: Optional[int] = None, condition_on_claims: bool = False,
                 tail_level: Optional[float] = None, progress: Progress = None) -> Simulation:
        """Monte Carlo over ``trials`` years (bit-identical for any thread count). With
        ``tail_level`` only the losses above that quantile are kept (bounded memory; VaR, TVaR
        and the exceedance curve at or above it)."""
        config = _simulation_config(trials, seed, threads, batch_size, condition_on_claims,
                                    tail_level)
        return Simulation(self._inner.simulate(config, _callback(progress)))

    def simulate_shard(self, index: int, count: int, trials: int, seed: int,
                       threads: Optional[int] = None, batch_size: Optional[int] = None,
                       condition_on_claims: bool = False,
                       tail_level: Optional[float] = None) -> bytes:
        """Shard ``index`` of ``count`` (1-based) of the run :meth:`simulate` makes with the
        same arguments: a partial result (bytes) for :meth:`merge`."""
        config = _simulation_config(trials, seed, threads, batch_size, condition_on_claims,
                                    tail_level)
        return self._inner.simulate_shard(config, index, count)

    def merge(self, parts: Sequence[bytes], trials: int, seed: int,
              threads: Optional[int] = None, batch_size: Optional[int] = None,
              condition_on_claims: bool = False,
              tail_level: Optional[float] = None) -> Simulation:
        """The run's result from the parts of all its shards (any order), bit for bit the
        result of :meth:`simulate`; parts of other runs, duplicates and gaps are refused."""
        config = _simulation_config(trials, seed, threads, batch_size, condition_on_claims,
                                    tail_level)
        return Simulation(self._inner.merge(config, list(parts)))

    def exact(self, method: str = "fft", points: int = 1 << 14, tail_level: float = 1 - 1e-10,
              padding: int = 2, progress: Progress = None) -> ExactDistribution:
        """The exact distribution on a recommended grid (``fft`` or ``panjer``; Panjer's
        O(points²) recursion reports progress and stops on Ctrl-C)."""
        m = {"method": method, "padding": padding} if method == "fft" else {"method": method}
        return ExactDistribution(self._inner.exact(json.dumps(m), points, tail_level,
                                                   _callback(progress)))


def _simulation_config(trials: int, seed: int, threads: Optional[int],
                       batch_size: Optional[int], condition_on_claims: bool,
                       tail_level: Optional[float]) -> str:
    config: Dict[str, Any] = {"seed": seed, "trials": trials, "threads": threads}
    if tail_level is not None:
        config["retention"] = {"kind": "tail", "min_level": tail_level}
    if batch_size is not None:
        config["batch_size"] = batch_size
    if condition_on_claims:
        config["variance_reduction"] = "condition_on_claims"
    return json.dumps(config)


class PortfolioResult:
    """A simulated book: totals and per-policy vectors aligned by trial."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @property
    def ids(self) -> List[str]:
        return self._inner.ids()

    def totals(self) -> np.ndarray:
        """Portfolio payment per trial (元)."""
        return self._inner.totals()

    def policy_cents(self, policy_id: str) -> np.ndarray:
        """One policy's payment per trial in integer 分: over all policies they sum to
        ``totals() * 100`` exactly."""
        return self._inner.policy_cents(policy_id)

    def policy_losses(self, policy_id: str) -> np.ndarray:
        """One policy's payment per trial (元)."""
        return self._inner.policy_cents(policy_id) / 100.0

    def standalone_losses(self, policy_id: str) -> np.ndarray:
        """A sample of one policy's standalone annual payments (元), one per trial, drawn from
        its own streams whatever the run's engine: its cost is the policy's own events. Under
        ``engine="streams"`` it is ``policy_losses``; under superposition another sample of
        the same distribution."""
        return self._inner.standalone_losses(policy_id)

    @property
    def tvar(self) -> float:
        return self._inner.tvar()

    def losses(self) -> Simulation:
        return Simulation(self._inner.losses())

    def allocation(self):
        """DataFrame per policy: mean, systemic mean, per-risk recoveries, co-TVaR."""
        rows = json.loads(self._inner.policies_json())
        df = _pandas().DataFrame(rows).drop(columns=["peril_means"]).set_index("id")
        return df


def simulate_portfolio(firms: Any, trials: int, seed: int, assumptions: Any = None,
                       tvar_level: float = 0.995, threads: Optional[int] = None,
                       progress: Progress = None,
                       engine: str = "superposition") -> PortfolioResult:
    """Simulates a book under an assumption set (dict, JSON text or path; None: bundled).
    ``engine``: ``"superposition"`` (the book's Poisson perils as one claim stream, fastest) or
    ``"streams"`` (every peril its own stream: adding a firm leaves the others' draws as they
    were)."""
    return PortfolioResult(_kexian.simulate_portfolio(
        _tables.book(firms), _portfolio_config(trials, seed, tvar_level, threads, engine),
        _read_json_arg(assumptions), _callback(progress)))


def _portfolio_config(trials: int, seed: int, tvar_level: float, threads: Optional[int],
                      engine: str = "superposition") -> str:
    return json.dumps({"simulation": {"seed": seed, "trials": trials, "threads": threads},
                       "tvar_level": tvar_level, "engine": engine})


def simulate_portfolio_shard(index: int, count: int, firms: Any, trials: int, seed: int,
                             assumptions: Any = None, tvar_level: float = 0.995,
                             threads: Optional[int] = None,
                             engine: str = "superposition") -> bytes:
    """Shard ``index`` of ``count`` (1-based) of the run :func:`simulate_portfolio` makes with
    the same arguments (its blocks of 2,048 years): a partial result for
    :func:`merge_portfolio`."""
    return _kexian.simulate_portfolio_shard(
        _tables.book(firms), _portfolio_config(trials, seed, tvar_level, threads, engine), index, count,
        _read_json_arg(assumptions))


def merge_portfolio(parts: Sequence[bytes], firms: Any, trials: int, seed: int,
                    assumptions: Any = None, tvar_level: float = 0.995,
                    threads: Optional[int] = None,
                    engine: str = "superposition") -> PortfolioResult:
    """The run's result from the parts of all its shards (any order), bit for bit the result
    of :func:`simulate_portfolio`; parts of other runs, duplicates and gaps are refused."""
    return PortfolioResult(_kexian.merge_portfolio(
        _tables.book(firms), _portfolio_config(trials, seed, tvar_level, threads, engine), list(parts),
        _read_json_arg(assumptions)))


def price_line(spec: Any, progress: Progress = None) -> Dict[str, Any]:
    """Prices one cover from its specification (dict, JSON or path; see ``kexian price``)."""
    return json.loads(_kexian.price_line(_read_json_arg(spec), _callback(progress)))


class RatingPlan:
    """A GLM rating plan: base × relativities."""

    def __init__(self, inner: Any) -> None:
        self._inner = inner

    @classmethod
    def fit(cls, data: Any, spec: Dict[str, Any], family: Union[str, Dict[str, Any]] = "poisson") -> "RatingPlan":
        """Fits ``spec`` (a RatingSpec dict) on a DataFrame; ``family`` as in Rust JSON, e.g.
        ``"poisson"``, ``"gamma"`` or ``{"tweedie": {"power": 1.5}}``."""
        return cls(_kexian.RatingPlan.fit(_tables.table(data), _json(spec), json.dumps(family)))

    def predict(self, data: Any) -> np.ndarray:
        return self._inner.predict(_tables.table(data))

    @property
    def base(self) -> float:
        return self._inner.base()

    def relativities(self):
        """DataFrame: factor, level, relativity and its standard error and interval."""
        return _pandas().DataFrame(json.loads(self._inner.relativities_json()))

    def to_json(self) -> str:
        return self._inner.to_json()


def buhlmann_straub(data: Any, entity: str, period: str, ratio: str, weight: str,
                    iterative: bool = False) -> Dict[str, Any]:
    """Bühlmann–Straub credibility from a long DataFrame; the entity table is a DataFrame."""
    fit = json.loads(_kexian.buhlmann_straub(
        [str(x) for x in data[entity]], [float(x) for x in data[period]],
        [float(x) for x in data[ratio]], [float(x) for x in data[weight]], iterative))
    fit["table"] = _pandas().DataFrame({"entity": fit.pop("entities"), "factor": fit.pop("factors"),
                                        "premium": fit.pop("premiums")}).set_index("entity")
    return fit


def rolling_backtest(data: Any, spec: Dict[str, Any], family: Union[str, Dict[str, Any]] = "poisson",
                     year_column: str = "year", min_train_years: int = 2):
    """Out-of-sample refits by year: DataFrame of A/E, deviance, Gini per test year and overall."""
    return _rolling_frame(json.loads(_kexian.rolling_backtest(
        _tables.table(data), _json(spec), json.dumps(family), year_column, min_train_years)))


def _rolling_frame(bt: Dict[str, Any]):
    """A rolling backtest (JSON) as a DataFrame: a row per test year and overall."""
    rows = []
    for year in bt["years"] + [bt["overall"]]:
        ae = year["ae"]
        rows.append({"label": year["label"], "train_rows": year["train_rows"],
                     "test_rows": year["test_rows"], "actual": ae["actual"],
                     "expected": ae["expected"], "ratio": ae["ratio"],
                     "deviance": ae["deviance"], "gini": year["gini"]})
    return _pandas().DataFrame(rows)


from ._jobs import (  # noqa: E402  (they use the helpers above)
    BacktestResult, FitResult, Matches, QuoteResult, RatesResult, ReportResult, backtest, fit,
    fit_frequency, fit_tail, match_products, quote, quote_shard, rates, report,
    threshold_stability,
)
