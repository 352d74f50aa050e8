"""The commands of the ``kexian`` program as Python functions: one job assembly in Rust
(``kexian::job``) behind both, so the same files give the same quotes, tables and reports."""

from __future__ import annotations

import json
import os
from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Union

from . import _callback, _kexian, _read_json_arg, _rolling_frame
from ._tables import book, frame, table

PathLike = Union[str, "os.PathLike[str]"]


def _is_file(value: Any) -> bool:
    return isinstance(value, (str, os.PathLike)) and os.path.isfile(value)


def job(firms: Any, config: Any, assumptions: Any = None, experience: Any = None,
        trials: Optional[int] = None, seed: Optional[int] = None) -> Any:
    """The pricing job the ``kexian`` program would run: from the files themselves when
    ``firms``, ``config`` (and ``assumptions``) are paths and no experience is given (the
    configuration's rating plan then reads the experience file it names, relative to the
    configuration), else from the data given."""
    if (_is_file(firms) and _is_file(config) and experience is None
            and (assumptions is None or _is_file(assumptions))):
        return _kexian.Job.read(os.fspath(firms), os.fspath(config),
                                None if assumptions is None else os.fspath(assumptions),
                                trials, seed)
    config_dir = os.path.dirname(os.path.abspath(config)) if _is_file(config) else os.getcwd()
    return _kexian.Job.from_data(
        None if firms is None else book(firms), _read_json_arg(config), config_dir,
        _read_json_arg(assumptions), None if experience is None else table(experience),
        trials, seed)


def _charts(output: Any) -> Dict[str, str]:
    return {name: data.decode("utf-8") for name, data in output.files() if name.endswith(".svg")}


def _finish(output: Any, out: Optional[PathLike]) -> Dict[str, bytes]:
    if out is not None:
        output.write(os.fspath(out))
    return dict(output.files())


class QuoteResult(NamedTuple):
    """``kexian quote``: one row per firm with every premium component, the expected loss of
    each line (``expected_loss_<line>``), the subsidy of each rule (``subsidy_<rule>``) and
    the standard errors — the columns of quotes.csv, money in 元; one row per cover (the
    columns of covers.csv); the portfolio summary; the output set's files."""

    quotes: Any
    summary: Dict[str, Any]
    covers: Any = None
    files: Dict[str, bytes] = {}


def quote(firms: Any, config: Any, assumptions: Any = None, experience: Any = None,
          progress: Any = None, *, trials: Optional[int] = None, seed: Optional[int] = None,
          lang: str = "en", excel: bool = False, charts: bool = False,
          out: Optional[PathLike] = None,
          parts: Optional[Sequence[bytes]] = None) -> QuoteResult:
    """Quotes a book as ``kexian quote`` does. ``config`` is the pricing configuration (a
    path, dict or JSON); its rating plan's experience is read from the file it names unless
    ``experience`` (a DataFrame or CSV path) is given. ``out`` also writes the output set
    (quotes.csv, covers.csv, quotes.json, summary.json; exceedance.svg with ``charts``).
    ``parts``: every shard of :func:`quote_shard` with the same arguments (any order, e.g.
    from Dask workers), merged — bit for bit the single run's quotes (``kexian merge``)."""
    j = job(firms, config, assumptions, experience, trials, seed)
    if parts is None:
        j.check_budget()
    o = j.quote(lang, excel, False, charts, _callback(progress),
                None if parts is None else [bytes(p) for p in parts])
    files = _finish(o, out)
    run = json.loads(o.value_json())
    return QuoteResult(frame(o.table("quotes"), "firm"), run["summary"],
                       frame(o.table("covers")), files)


def quote_shard(index: int, count: int, firms: Any, config: Any, assumptions: Any = None,
                experience: Any = None, *, trials: Optional[int] = None,
                seed: Optional[int] = None) -> bytes:
    """Shard ``index`` of ``count`` (1-based) of the simulated years :func:`quote` runs with
    the same arguments (``kexian quote --shard``): a partial result for its ``parts``."""
    return job(firms, config, assumptions, experience, trials, seed).shard(index, count)


class FitResult(NamedTuple):
    """``kexian fit``: the selection (one row per family, best by AIC first), the best
    model (model.json), the charts (SVG text: pp.svg, qq.svg, mean_excess.svg), the files."""

    selection: Any
    model: Dict[str, Any]
    charts: Dict[str, str]
    files: Dict[str, bytes]


def fit(claims: Any, amount: str = "amount", deductible: Optional[str] = None,
        limit: Optional[str] = None, weight: Optional[str] = None,
        families: Optional[Sequence[str]] = None, bootstrap: int = 0, seed: int = 1,
        lang: str = "en", out: Optional[PathLike] = None) -> FitResult:
    """Fits severity families to claims (a DataFrame or CSV path; deductibles truncate,
    limits censor) as ``kexian fit`` does."""
    o = _kexian.fit(table(claims), amount, deductible, limit, weight, list(families or []),
                    bootstrap, seed, lang)
    files = _finish(o, out)
    rows = []
    for r in json.loads(o.value_json()):
        f, g = r.get("fit"), r.get("goodness") or {}
        stats = g.get("statistics") or {}
        row = {"family": r["family"]["family"], "error": r.get("error")}
        if f:
            row.update(log_likelihood=f["log_likelihood"], aic=f["aic"], bic=f["bic"],
                       parameters=f["parameters"], std_errors=f["std_errors"])
        row.update(stats)
        rows.append(row)
    import pandas as pd

    return FitResult(pd.DataFrame(rows), json.loads(files["model.json"]), _charts(o), files)


def fit_frequency(data: Any, count: str = "claims", exposure: Optional[str] = None,
                  families: Sequence[Union[str, Dict[str, Any]]] = ("poisson",
                                                                     "negative_binomial")):
    """Claim-count families fitted by maximum likelihood to column ``count`` of ``data`` (a
    DataFrame or CSV path) with exposures from column ``exposure``: a DataFrame, one row per
    family (best AIC first) with its parameters, standard errors, log-likelihood, AIC, BIC
    and the model (JSON) at unit exposure, or the error of a fit that failed. A family is a
    name (``"poisson"``) or a dict (``{"family": "binomial", "trials": 5}``)."""
    import pandas as pd

    spec = [f if isinstance(f, dict) else {"family": f} for f in families]
    rows = json.loads(_kexian.fit_frequency(table(data), count, json.dumps(spec), exposure))
    out = []
    for r in rows:
        row = {"family": r["family"]["family"], "error": r.get("error")}
        for k in ("parameters", "std_errors", "log_likelihood", "aic", "bic"):
            row[k] = r.get(k)
        row["model"] = json.dumps(r["model"]) if "model" in r else None
        out.append(row)
    return pd.DataFrame(out)


def fit_tail(claims: Any, threshold: float, amount: str = "amount",
             deductible: Optional[str] = None, limit: Optional[str] = None) -> Dict[str, Any]:
    """A generalized Pareto fitted to the claims above ``threshold`` (peaks over threshold;
    censored claims stay censored): the fit (parameters, standard errors, AIC, model)."""
    return json.loads(_kexian.fit_tail(table(claims), threshold, amount, deductible, limit))


def threshold_stability(claims: Any, thresholds: Sequence[float], amount: str = "amount",
                        deductible: Optional[str] = None, limit: Optional[str] = None):
    """GPD fits above each threshold: a DataFrame of ξ and the modified scale σ* = σ − ξu with
    their standard errors (stable above a well-chosen threshold)."""
    import pandas as pd

    return pd.DataFrame(json.loads(_kexian.threshold_stability(
        table(claims), [float(t) for t in thresholds], amount, deductible, limit)))


class BacktestResult(NamedTuple):
    """``kexian backtest``: the rolling backtest by test year and overall, the loss-ratio
    backtest (the columns of loss_ratio.csv), the charts (SVG text), the files."""

    rolling: Any
    loss_ratio: Any
    charts: Dict[str, str]
    files: Dict[str, bytes]


def backtest(experience: Any, config: Any, assumptions: Any = None, *, year: str = "year",
             min_train_years: int = 2, losses: str = "incurred", segment: str = "sector",
             lang: str = "en", out: Optional[PathLike] = None,
             progress: Any = None) -> BacktestResult:
    """The rolling and loss-ratio backtests of the configuration's rating plan on
    ``experience`` (a DataFrame or CSV path), as ``kexian backtest`` does."""
    j = job(None, config, assumptions, experience)
    o = j.backtest(year, min_train_years, losses, segment, lang, _callback(progress))
    files = _finish(o, out)
    bt, _ = json.loads(o.value_json())
    return BacktestResult(_rolling_frame(bt), frame(o.table("loss_ratio")), _charts(o), files)


class RatesResult(NamedTuple):
    """``kexian rates``: the rate tables (as rates.json), each cover's check (one row per
    cover: product, firm, expected loss, table, residual), the text, the files."""

    tables: List[Dict[str, Any]]
    check: Any
    text: str
    files: Dict[str, bytes]


def rates(firms: Any, config: Any, assumptions: Any = None, experience: Any = None, *,
          tolerance: float = 0.05, lang: str = "en", out: Optional[PathLike] = None,
          progress: Any = None, trials: Optional[int] = None,
          seed: Optional[int] = None) -> RatesResult:
    """The rate tables of the quoted book, each cover checked against its quote within
    ``tolerance`` (look at ``max_residual``; ``kexian rates`` fails outside it)."""
    j = job(firms, config, assumptions, experience, trials, seed)
    o = j.rates(tolerance, lang, _callback(progress))
    files = _finish(o, out)
    tables = json.loads(o.value_json())
    rows = [dict(product=t["product"], **c) for t in tables for c in t["covers"]]
    import pandas as pd

    return RatesResult(tables, pd.DataFrame(rows), o.text(), files)


class ReportResult(NamedTuple):
    """``kexian report``: report.html, report.pdf (None where Chromium is missing), the
    sensitivity (as sensitivity.json), the text, the files."""

    html: str
    pdf: Optional[bytes]
    sensitivity: Dict[str, Any]
    text: str
    files: Dict[str, bytes]


def report(firms: Any, config: Any, assumptions: Any = None, experience: Any = None, *,
           lang: str = "en", out: Optional[PathLike] = None, progress: Any = None,
           trials: Optional[int] = None, seed: Optional[int] = None) -> ReportResult:
    """The actuarial report of the book, as ``kexian report`` writes it (``trials`` and
    ``seed`` override the configuration's, as ``--trials`` and ``--seed`` do)."""
    j = job(firms, config, assumptions, experience, trials, seed)
    o = j.report(lang, _callback(progress))
    files = _finish(o, out)
    return ReportResult(files["report.html"].decode("utf-8"), files.get("report.pdf"),
                        json.loads(o.value_json()), o.text(), files)


class Matches(NamedTuple):
    """The two-way push (双向互推): eligible products a firm does not hold, by firm and by
    product, and the eligible pairs that could not be priced (with the reason)."""

    by_firm: Any
    by_product: Any
    unpriced: Any
    files: Dict[str, bytes] = {}


def match_products(firms: Any, config: Any = None, assumptions: Any = None, *,
                   out: Optional[PathLike] = None) -> Matches:
    """For each firm, the catalogue products it may buy and does not hold, ranked by need,
    with an indicative premium grossed up by the configuration's loadings (None: the bundled
    configuration's); for each product, the eligible firms (``kexian match``)."""
    o = _kexian.match_products(book(firms), _read_json_arg(config), _read_json_arg(assumptions))
    files = _finish(o, out)
    m = json.loads(o.value_json())
    import pandas as pd

    columns = ["firm", "product", "name_zh", "line", "expected_loss", "need", "premium",
               "firm_rank", "product_rank"]
    return Matches(pd.DataFrame(m["by_firm"], columns=columns),
                   pd.DataFrame(m["by_product"], columns=columns),
                   pd.DataFrame(m["unpriced"], columns=["firm", "product", "reason"]), files)


__all__: List[str] = ["QuoteResult", "quote", "quote_shard", "FitResult", "fit", "fit_frequency", "fit_tail",
                      "threshold_stability", "BacktestResult", "backtest",
                      "RatesResult", "rates", "ReportResult", "report", "Matches",
                      "match_products", "job"]
