"""Helpers behind the public API's input checks and result objects (no statistics here).

* :func:`check_finite` — ``inf``/``-inf`` in a used column is an evalkit error naming the
  column and the row (never silently used or dropped);
* :func:`note_dropped` — a function that drops rows says how many and why: the count goes
  into the result (``n_dropped``) and a :class:`DroppedRowsWarning` is issued;
* :class:`FrameResult` — a :class:`~evalkit.stats.result.Result` that also behaves like its
  main table (``res.loc[...]``, ``res["col"]``, ``res.attrs``), so that code written when the
  function returned a DataFrame keeps working.
"""
from __future__ import annotations

import sys
import warnings

import numpy as np
import pandas as pd

from .._config import load_config
from ..errors import Problem, StatisticsError
from .result import Result


class DroppedRowsWarning(UserWarning):
    """Rows (or targets) were left out of an analysis; the result's ``n_dropped`` counts them."""


def word(key: str, lang: str = "en", **params) -> str:
    """A word or sentence of the ``stats_api`` section of the translation table."""
    entry = load_config("translations").get("stats_api", {}).get(key) or {}
    text = entry.get(lang) or entry.get("en") or key
    return text.format(**params) if params else text


def is_numeric_item(dtype) -> bool:
    """Whether a column can hold item scores: numeric and not boolean."""
    return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)


def item_columns(data, items=None, *, numeric_default: bool = False) -> list:
    """The item columns of a wide frame, checked: ``data`` is a DataFrame, every item is one of
    its columns (``unknown_items``) and numeric (``non_numeric_item``). Without ``items``:
    every column, or with ``numeric_default`` only the numeric ones.

    Examples
    --------
    >>> import pandas as pd
    >>> item_columns(pd.DataFrame({"id": ["a"], "q1": [1], "q2": [2]}), numeric_default=True)
    ['q1', 'q2']
    """
    if not isinstance(data, pd.DataFrame):
        raise StatisticsError(Problem("not_a_dataframe", params={"what": type(data).__name__}))
    dtypes = data.dtypes
    if items is None:
        items = [c for c, dt in dtypes.items() if is_numeric_item(dt)] if numeric_default else list(data.columns)
    items = list(items)
    unknown = [i for i in items if i not in data.columns]
    if unknown:
        raise StatisticsError(Problem("unknown_items", column=", ".join(map(str, unknown)),
                                      params={"available": ", ".join(map(str, data.columns[:15]))}))
    for i in items:
        if not is_numeric_item(dtypes[i]):
            raise StatisticsError(Problem("non_numeric_item", column=str(i), params={"dtype": str(dtypes[i])}))
    return items


def check_finite(frame: pd.DataFrame, columns) -> None:
    """Raise :class:`StatisticsError` (``infinite_value``) at the first ``±inf`` in ``columns``.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> check_finite(pd.DataFrame({"a": [1.0, np.inf]}), ["a"])
    Traceback (most recent call last):
    ...
    evalkit.errors.StatisticsError: column 'a': infinite value (inf) in row 1
        How to fix: Replace inf/-inf by a number, or leave the cell empty (missing).
    """
    for c in columns:
        s = frame[c]
        if not pd.api.types.is_float_dtype(s):
            continue
        v = s.to_numpy()
        bad = np.isinf(v)
        if bad.any():
            i = int(np.argmax(bad))
            raise StatisticsError(Problem("infinite_value", column=str(c),
                                          params={"value": str(v[i]), "index": frame.index[i]}))


def check_finite_array(X: np.ndarray, columns, index) -> None:
    """As :func:`check_finite` for a 2-D float array whose columns are ``columns``."""
    bad = np.isinf(X)
    if bad.any():
        i, j = (int(a[0]) for a in np.nonzero(bad))
        raise StatisticsError(Problem("infinite_value", column=str(columns[j]),
                                      params={"value": str(X[i, j]), "index": index[i]}))


def note_dropped(n: int, why: str) -> str | None:
    """Warn that ``n`` rows were dropped and return the note (None when n = 0).

    The warning points at the first caller outside ``evalkit.stats``; evalkit's own
    pipeline (``evalkit.evaluation``, reports), which reports the counts itself, is not
    warned, so that reports show no warning blocks.
    """
    if not n:
        return None
    msg = word("dropped_rows", "en", n=n, why=why)
    frame, level = sys._getframe(1), 2
    while frame is not None and str(frame.f_globals.get("__name__", "")).startswith("evalkit.stats"):
        frame, level = frame.f_back, level + 1
    caller = str(frame.f_globals.get("__name__", "")) if frame is not None else ""
    if not (caller == "evalkit" or caller.startswith("evalkit.")):
        warnings.warn(msg, DroppedRowsWarning, stacklevel=level)
    return msg


class FrameResult(Result):
    """A result whose main table (attribute named by ``_frame``) also answers DataFrame calls."""

    _frame = "table"

    def to_frame(self) -> pd.DataFrame:
        return self.__dict__[self._frame].copy()

    def __getattr__(self, name):
        if name.startswith("__") or name == "_frame":
            raise AttributeError(name)
        table = self.__dict__.get(self._frame)
        if table is None:
            raise AttributeError(name)
        return getattr(table, name)

    def __getitem__(self, key):
        return self.__dict__[self._frame][key]

    def __len__(self):
        return len(self.__dict__[self._frame])

    def __iter__(self):
        return iter(self.__dict__[self._frame])

    def __contains__(self, key):
        return key in self.__dict__[self._frame]
