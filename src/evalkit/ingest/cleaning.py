"""Named rules for what real exports contain besides data: missing-value codes, total and
footer rows, and formula text. Each rule leaves ``data/raw/`` as it is and says what it did
(a :class:`~evalkit.errors.Problem` of severity ``warning`` or ``info``, shown by
``evalkit validate`` and in the report's methods section).

Rules
-----
``missing_values``
    A cell whose whole text is one of the codes (compared case-insensitively, white space
    folded) is missing. Built in (:data:`DEFAULT_MISSING`): ``-``, ``–``, ``—``, ``TH``,
    ``T/H``, ``tidak hadir``, ``N/A``, ``#N/A``, ``NA``, ``n.a.``; ``program.yaml`` adds its own
    with ``missing_values: [...]`` at the top or in a file's section, and
    ``missing_values_defaults: false`` turns the built-in list off. Id and name columns are
    never recoded.
``total rows``
    A row holding a total label (:data:`TOTAL_LABELS`: ``JUMLAH``, ``TOTAL``, ``SUBTOTAL``,
    ``Jumlah Total``, ``Rata-rata``, ``Rerata``, ``Average`` …) in a text cell *and* an empty
    id (or, in files without ids, an empty category/indicator cell, or the label in the item
    cell itself) is not data: it is dropped. In cost sheets the stated total is compared with
    the sum of the rows above it (since the previous total row); a difference is a warning
    that shows both numbers.
``formula text``
    A cell holding formula text (``=AVERAGE(D6:D45)``: a CSV export of a sheet with formulas,
    or a spreadsheet saved without computed values) is never read as data: it becomes
    missing, with a warning naming the cell.
"""
from __future__ import annotations

import re

import numpy as np
import pandas as pd

from ..errors import Problem
from .readers import Table, parse_numbers

DEFAULT_MISSING = ("-", "–", "—", "--", "TH", "T/H", "T.H.", "tidak hadir", "N/A", "#N/A", "NA", "n.a.", "n/a",
                   "#DIV/0!", "#VALUE!", "#REF!")
TOTAL_LABELS = ("jumlah", "total", "subtotal", "sub total", "sub-total", "jumlah total", "grand total",
                "total keseluruhan", "jumlah keseluruhan", "jumlah biaya", "total biaya", "rata-rata", "rata rata",
                "rerata", "average", "mean", "nilai rata-rata", "rata-rata kelas")
_WS = re.compile(r"\s+")
_DIGIT = re.compile(r"[0-9]")


def uniques(s: pd.Series, cache: dict | None = None) -> tuple[np.ndarray, list]:
    """``(codes, distinct values)`` of a text column, in one pass: Arrow's dictionary
    encoding for Arrow-backed strings, else :func:`pandas.factorize` (code −1 = missing).
    Every rule below looks at each distinct value once, so a million-row column costs one
    encoding and a handful of Python calls.

    ``cache`` (a table's :attr:`~evalkit.ingest.readers.Table.encodings`): an Arrow column
    encoded before is not encoded again. The entry is keyed by the column's Arrow array and
    holds it, so the key cannot be reused by another array; a changed column is a new array.

    A ``Categorical`` column (the reader's columns of answers) is its own encoding: its codes
    and categories, with nothing to cache."""
    if isinstance(s.dtype, pd.CategoricalDtype):
        return s.cat.codes.to_numpy(), s.cat.categories.tolist()
    hit = cached(cache, s)
    if hit is not None:
        return hit
    enc = arrow_dictionary(s)
    if enc is not None:
        codes, dictionary = enc
        uniq = dictionary.to_pylist()
        if cache is not None:
            codes = remember(cache, s, codes, uniq)
        return codes, uniq
    codes, uniq = pd.factorize(s)
    return codes, list(uniq)


def cached(cache: dict | None, s: pd.Series, kind: str = "codes"):
    """What ``cache`` holds of kind ``kind`` for the Arrow column ``s`` (see :func:`uniques`),
    or ``None``."""
    arr = getattr(s.array, "_pa_array", None)
    if cache is None or arr is None:
        return None
    hit = cache.get((kind, id(arr)))
    return hit[1] if hit is not None and hit[0] is arr else None


def keep_in(cache: dict | None, s: pd.Series, value, kind: str = "codes") -> None:
    """Keep ``value`` (of kind ``kind``) for the Arrow column ``s`` in ``cache``, with the
    column's array itself, so that its key cannot be reused by another array."""
    arr = getattr(s.array, "_pa_array", None)
    if cache is not None and arr is not None:
        cache[(kind, id(arr))] = (arr, value)


def forget(cache: dict, s: pd.Series) -> None:
    """Drop every entry ``cache`` holds for the column ``s`` (and with it the column's array)."""
    arr = getattr(s.array, "_pa_array", None)
    for k in [k for k in cache if k[1] == id(arr) and cache[k][0] is arr]:
        del cache[k]


def remember(cache: dict, s: pd.Series, codes: np.ndarray, uniq: list) -> np.ndarray:
    """Keep ``(codes, distinct values)`` of the Arrow column ``s`` in ``cache`` (see
    :func:`uniques`); the codes are kept in the smallest integer type that holds them (a
    five-label column: one byte a row, not eight). Returns the codes as kept."""
    if getattr(s.array, "_pa_array", None) is None:
        return codes
    small = np.int8 if len(uniq) < 127 else np.int16 if len(uniq) < 32767 else np.int32
    codes = codes.astype(small, copy=False)
    keep_in(cache, s, (codes, uniq))
    return codes


def arrow_dictionary(s: pd.Series):
    """``(codes, distinct values as an Arrow array)`` of an Arrow-backed column by Arrow's
    dictionary encoding (code −1 = missing), or ``None`` for any other column."""
    arr = getattr(s.array, "_pa_array", None)
    if arr is None:
        return None
    import pyarrow.compute as pc

    enc = pc.dictionary_encode(arr).combine_chunks()
    return enc.indices.fill_null(-1).to_numpy(zero_copy_only=False).astype(np.int64, copy=False), enc.dictionary


def _is_text(s: pd.Series) -> bool:
    return s.dtype == object or pd.api.types.is_string_dtype(s)


def _fold(v) -> str:
    return _WS.sub(" ", str(v)).strip().strip(":").strip().lower()


def missing_codes(spec, fs) -> list[str]:
    """The missing-value codes of one file: the file's own, else the program's, plus the
    built-in list unless ``missing_values_defaults: false``."""
    own = fs.missing_values if getattr(fs, "missing_values", None) is not None else (spec.missing_values or [])
    base = list(DEFAULT_MISSING) if spec.missing_values_defaults else []
    return base + [str(c) for c in own]


#: formula text as a spreadsheet writes it: a function call (``=AVERAGE(D6:D45)``, ``=SUM(…)``) or
#: a cell reference (``=D6*2``, ``=$D$6``). Other text starting with ``=`` (``=cmd|' /C calc'!A0``)
#: is kept as text; the writers store it as text, never as a formula.
_FORMULA = re.compile(r"^\s*=\s*(?:[A-Za-z_][A-Za-z0-9_.]*\s*\(|\$?[A-Za-z]{1,3}\$?\d+\b)")


def clean_cells(table: Table, codes: list[str], skip: set[str]) -> tuple[dict[str, dict[str, int]], list[Problem]]:
    """The missing-value and formula rules in one pass over each text column (each distinct
    value looked at once): cells equal to a code and cells holding formula text become NaN,
    in place. Returns ``({column: {code: n}}, formula warnings)``. Each Arrow column's codes,
    as it is after the rules, stay in ``table.encodings`` for the rules after this one."""
    lookup = {_fold(c): c for c in codes if str(c).strip()}
    counts: dict[str, dict[str, int]] = {}
    problems: list[Problem] = []
    df = table.df
    for col in list(df.columns):
        if col in skip or not _is_text(df[col]):
            continue
        s = df[col]
        codes_, uniq = uniques(s, table.encodings)
        hits, formulas = {}, []
        for j, u in enumerate(uniq):
            if not isinstance(u, str):
                continue
            f = _fold(u)
            if f in lookup:
                hits[j] = lookup[f]
            elif _FORMULA.match(u):
                formulas.append(j)
        if not hits and not formulas:
            continue
        if hits:
            per = pd.Series(codes_[np.isin(codes_, list(hits))]).map(hits).value_counts()
            counts[str(col)] = {str(k): int(v) for k, v in per.items()}
        if formulas:
            fm = np.isin(codes_, formulas)
            idx = np.flatnonzero(fm)
            problems.append(Problem("formula_cell", file=table.file, column=str(col), row=table.row_of(idx[0]),
                                    params={"n": int(len(idx))}, severity="warning"))
        gone = np.isin(codes_, list(hits) + formulas)
        df[col] = s.mask(gone)
        remember(table.encodings, df[col], np.where(gone, -1, codes_), uniq)  # those cells now missing
    return counts, problems


def total_rows(table: Table, *, id_column: str | None, label_columns: list[str],
               empty_columns: list[str]) -> np.ndarray:
    """Boolean mask of total/footer rows (see the module docstring). A column that
    :func:`clean_cells` encoded is read from ``table.encodings``, not encoded again."""
    df = table.df
    if df.empty:
        return np.zeros(0, dtype=bool)
    labels = set(TOTAL_LABELS)
    has_label = np.zeros(len(df), dtype=bool)
    label_in_key = np.zeros(len(df), dtype=bool)
    for col in df.columns:
        s = df[col]
        if not _is_text(s):
            continue
        known = cached(table.encodings, s)
        if known is not None:
            codes_, uniq = known
            hit = [j for j, u in enumerate(uniq) if isinstance(u, str) and not _DIGIT.search(u) and _fold(u) in labels]
            m = np.isin(codes_, hit) if hit else None
        else:
            m = _label_rows(s, labels)
        if m is not None:
            has_label |= m
            if col in label_columns or col == id_column:
                label_in_key |= m
    if not has_label.any():
        return has_label
    empty = np.zeros(len(df), dtype=bool)
    if id_column and id_column in df.columns:
        empty |= df[id_column].isna().to_numpy()
    for c in empty_columns:
        if c in df.columns:
            empty |= df[c].isna().to_numpy()
    if not id_column and not empty_columns:
        empty[:] = True
    return has_label & (empty | label_in_key)


def _label_rows(s: pd.Series, labels: set[str]) -> np.ndarray | None:
    """Boolean mask of the cells of a text column that fold to a total label, or ``None``
    when none does. No total label has a digit, so a cell with one is never folded: in an
    Arrow column Arrow finds the cells without a digit first and only those are encoded (a
    million NIPs never reach a hash table or Python)."""
    arr = getattr(s.array, "_pa_array", None)
    if arr is not None:
        import pyarrow as pa
        import pyarrow.compute as pc

        plain = pc.invert(pc.match_substring_regex(arr, "[0-9]")).fill_null(False)
        rows = np.flatnonzero(plain.to_numpy(zero_copy_only=False))
        if not len(rows):
            return None
        enc = pc.dictionary_encode(arr.take(pa.array(rows))).combine_chunks()
        hit = [j for j, u in enumerate(enc.dictionary.to_pylist()) if isinstance(u, str) and _fold(u) in labels]
        if not hit:
            return None
        m = np.zeros(len(s), dtype=bool)
        m[rows[np.isin(enc.indices.fill_null(-1).to_numpy(zero_copy_only=False), hit)]] = True
        return m
    codes_, uniq = uniques(s)
    hit = [j for j, u in enumerate(uniq) if isinstance(u, str) and not _DIGIT.search(u) and _fold(u) in labels]
    return np.isin(codes_, hit) if hit else None


def drop_total_rows(table: Table, mask: np.ndarray, *, amount_column: str | None = None,
                    money: bool = True) -> tuple[Table, list[Problem]]:
    """The table without its total rows, and what was done: an ``info`` per dropped row, and
    for cost sheets (``amount_column``) a ``warning`` where the stated total differs from the
    sum of the rows above it."""
    notes: list[Problem] = []
    if not mask.any():
        return table, notes
    df = table.df
    amounts = None
    if amount_column and amount_column in df.columns:
        amounts, _ = parse_numbers(df[amount_column], money=money)
    start = 0
    for i in np.flatnonzero(mask):
        label = next((str(v).strip() for v in df.iloc[i] if isinstance(v, str) and _fold(v) in TOTAL_LABELS), "")
        notes.append(Problem("total_row_excluded", file=table.file, row=table.row_of(i),
                             params={"label": label}, severity="info"))
        if amounts is not None and not np.isnan(amounts.iloc[i]):
            above = ~mask[start:i]
            expected = float(np.nansum(amounts.iloc[start:i].to_numpy()[above]))
            stated = float(amounts.iloc[i])
            if abs(stated - expected) > max(0.5, 1e-9 * abs(expected)):
                notes.append(Problem("total_row_mismatch", file=table.file, column=amount_column,
                                     row=table.row_of(i), severity="warning",
                                     params={"label": label, "stated": f"{stated:,.0f}", "sum": f"{expected:,.0f}"}))
        start = i + 1
    return table.take(~mask), notes
