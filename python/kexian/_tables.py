"""Tables across the boundary: pandas and polars DataFrames go to Rust as typed columns
(float64 and int64 numpy arrays, lists of str), never as CSV text; results come back the same
way."""

from __future__ import annotations

import json
import os
from typing import Any, List, Tuple

import numpy as np

Columns = List[Tuple[str, Any]]


def _is_polars(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "polars" and hasattr(data, "get_column")


def _is_pandas(data: Any) -> bool:
    return type(data).__module__.split(".")[0] == "pandas" and hasattr(data, "columns")


def is_frame(data: Any) -> bool:
    """Whether ``data`` is a pandas or polars DataFrame."""
    return _is_pandas(data) or _is_polars(data)


def _text(values: Any) -> List[str]:
    """Labels: a missing value (None, NaN) is an empty cell, as in a CSV file."""
    out = []
    for v in values:
        if v is None or (isinstance(v, float) and v != v):
            out.append("")
        else:
            out.append(str(v))
    return out


def columns(data: Any) -> Columns:
    """A pandas or polars DataFrame as ``[(name, values)]``: integers as int64 (exact, e.g.
    amounts in 分), other numbers as float64 (NaN: a missing cell), the rest as str."""
    out: Columns = []
    if _is_polars(data):
        for name in data.columns:
            s = data.get_column(name)
            dtype = s.dtype
            if dtype.is_integer() and s.null_count() == 0:
                out.append((name, s.to_numpy().astype(np.int64)))
            elif dtype.is_numeric():
                out.append((name, s.cast(float).fill_null(float("nan")).to_numpy()
                            .astype(np.float64)))
            else:
                out.append((name, _text(s.to_list())))
        return out
    for name in data.columns:
        col = data[name]
        kind = getattr(col.dtype, "kind", "O")
        if kind in "iu" and not col.isna().any():
            out.append((str(name), np.asarray(col, dtype=np.int64)))
        elif kind in "iuf":
            out.append((str(name), np.asarray(col.astype("float64"), dtype=np.float64)))
        else:
            out.append((str(name), _text(col.tolist())))
    return out


def table(data: Any) -> Tuple[str, Any]:
    """A table argument: a CSV path (read by Rust, so errors name the file and its line) or a
    DataFrame (typed columns; errors name the DataFrame and the line its CSV would have)."""
    if isinstance(data, (str, os.PathLike)):
        return "path", os.fspath(data)
    if is_frame(data):
        return "columns", columns(data)
    raise TypeError(f"a table is a CSV path or a pandas/polars DataFrame, not {type(data).__name__}")


def book(firms: Any) -> Tuple[str, Any]:
    """A book argument: a CSV or JSON policy-list path, a DataFrame of portfolio columns, a
    list of firm dicts or JSON text of one."""
    if is_frame(firms):
        return "columns", columns(firms)
    if isinstance(firms, os.PathLike) or (isinstance(firms, str) and os.path.exists(firms)):
        return "path", os.fspath(firms)
    if isinstance(firms, str):
        return "json", firms
    return "json", json.dumps(list(firms))


def frame(cols: Columns, index: Any = None):
    """``[(name, values)]`` from Rust as a pandas DataFrame (in order)."""
    import pandas as pd

    df = pd.DataFrame({name: values for name, values in cols})
    return df.set_index(index) if index is not None else df
