"""Read data files the way people export them.

* CSV from Google Forms (UTF-8, comma), from Indonesian Excel (semicolon, decimal
  comma, Windows-1252 or UTF-8 with BOM);
* XLSX, also with a title row or two above the header.

Everything is read as text first: conversion to numbers happens in validation,
where a bad cell can be reported with its row. Reading as text also keeps the
leading digits of an 18-digit NIP that a float would round.
"""
from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from ..errors import Problem, ValidationError


@dataclass
class Table:
    """A data file read as text.

    ``row_of(i)`` gives the row number a spreadsheet shows for the i-th data row.
    """

    df: pd.DataFrame
    file: str
    header_row: int = 1

    def row_of(self, i: int) -> int:
        return self.header_row + 1 + int(i)


ENCODINGS = ("utf-8-sig", "cp1252")


CHUNK_BYTES = 1 << 24  # 16 MB: encoding check and parsing go through large files in pieces
CHUNK_ROWS = 200_000


def _encoding(path: Path) -> str:
    """The first of :data:`ENCODINGS` that decodes the whole file (latin-1 decodes anything).
    The file is checked in pieces, so a large export is never held as one string."""
    import codecs

    for enc in ENCODINGS:
        dec = codecs.getincrementaldecoder(enc)()
        try:
            with open(path, "rb") as fh:
                while chunk := fh.read(CHUNK_BYTES):
                    dec.decode(chunk)
            dec.decode(b"", final=True)
            return enc
        except UnicodeDecodeError:
            continue
    return "latin-1"


def _sniff_delimiter(sample: str) -> str:
    lines = [ln for ln in sample.splitlines()[:20] if ln.strip()]
    if not lines:
        return ","
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=",;\t|").delimiter
    except csv.Error:
        counts = {d: lines[0].count(d) for d in ",;\t"}
        return max(counts, key=counts.get)


def _strip(df: pd.DataFrame) -> pd.DataFrame:
    df.columns = [str(c).strip() for c in df.columns]
    out = df.apply(lambda s: s.str.strip() if s.dtype == object or pd.api.types.is_string_dtype(s) else s)
    return out.replace({"": np.nan})


def _read_csv_text(path: Path, enc: str, delim: str) -> pd.DataFrame:
    """The whole CSV as stripped text (empty cells → NaN), parsed and stripped in chunks of
    :data:`CHUNK_ROWS` rows straight from the file, so that neither the file's bytes nor a
    stripped copy of the whole table is ever held beside the table itself (pandas keeps
    text in compact Arrow-backed string columns)."""
    reader = pd.read_csv(path, sep=delim, dtype=str, keep_default_na=False, skipinitialspace=True,
                         encoding=enc, chunksize=CHUNK_ROWS)
    chunks = [_strip(chunk) for chunk in reader]
    if not chunks:
        raise pd.errors.EmptyDataError("No columns to parse from file")
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


def read_table(path: Path, rel: str, *, sheet=None, expected: list[str] | None = None) -> Table:
    """Read one CSV or XLSX file as text.

    Parameters
    ----------
    path : Path
        The file.
    rel : str
        Its name relative to the program folder, used in messages.
    sheet : str or int, optional
        Worksheet of an XLSX file (default: the first).
    expected : list of str, optional
        Column names the file should have; used to find the header row below a
        title row in spreadsheets.
    """
    if not path.exists():
        raise ValidationError(Problem("missing_file", file=rel))
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if not head.strip() and path.stat().st_size <= len(head):
            raise ValidationError(Problem("empty_file", file=rel))
        enc = _encoding(path)
        delim = _sniff_delimiter(head.decode(enc, errors="ignore")[:20000])
        try:
            df = _read_csv_text(path, enc, delim)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValidationError(Problem("unreadable_csv", file=rel, params={"detail": str(exc).strip()})) from None
        table = Table(df, rel, 1)
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        try:
            grid = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many types for a corrupt file
            raise ValidationError(Problem("unreadable_xlsx", file=rel, params={"detail": str(exc)})) from None
        grid = grid.dropna(how="all").dropna(axis=1, how="all")
        if grid.empty:
            raise ValidationError(Problem("empty_file", file=rel))
        hdr = _find_header(grid, expected)
        header = [str(v).strip() if not pd.isna(v) else f"column_{j + 1}" for j, v in enumerate(grid.iloc[hdr])]
        body = grid.iloc[hdr + 1:].copy()
        body.columns = header
        body = body.map(_cell_text)
        table = Table(_strip(body.reset_index(drop=True)), rel, int(grid.index[hdr]) + 1)
    elif suffix in (".sav", ".zsav"):
        table = _read_sav(path, rel)
    else:
        raise ValidationError(Problem("unknown_file_type", file=rel, params={"suffix": suffix or "(none)"}))
    if table.df.empty:
        raise ValidationError(Problem("empty_file", file=rel))
    dup = table.df.columns[table.df.columns.duplicated()].tolist()
    if dup:
        raise ValidationError(Problem("duplicate_columns", file=rel, column=", ".join(map(str, dup))))
    return table


def _read_sav(path: Path, rel: str) -> Table:
    """SPSS .sav: value labels are applied (so coded Likert answers arrive as their labels, and
    the program's label set maps them), numbers without labels are kept as numbers."""
    import pyreadstat

    try:
        df, _meta = pyreadstat.read_sav(str(path), apply_value_formats=True, formats_as_category=False)
    except Exception as exc:  # pyreadstat raises its own error types for unreadable files
        raise ValidationError(Problem("unreadable_sav", file=rel, params={"detail": str(exc)})) from None
    df = df.astype(object).map(_cell_text)
    return Table(_strip(df), rel, 1)


def _cell_text(v) -> object:
    """Spreadsheet cell → text, keeping integers (NIPs) exact."""
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, float) and v.is_integer() and abs(v) < 1e15:
        return str(int(v))
    if isinstance(v, (pd.Timestamp,)):
        return v.isoformat()
    return str(v)


def _find_header(grid: pd.DataFrame, expected: list[str] | None) -> int:
    """Position of the header row: the first row holding the expected column
    names, else the first row with as many filled cells as the widest row."""
    width = grid.notna().sum(axis=1)
    look = min(len(grid), 15)
    if expected:
        want = {e.strip().lower() for e in expected}
        for i in range(look):
            cells = {str(v).strip().lower() for v in grid.iloc[i] if not pd.isna(v)}
            if want & cells and len(want & cells) >= max(1, len(want) // 2):
                return i
    full = width.max()
    for i in range(look):
        if width.iloc[i] >= full:
            return i
    return 0


_NUM_RE = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")


def parse_number(text: str, *, money: bool = False) -> float | None:
    """Parse a number typed by a person; ``None`` if it is not one.

    Decimal commas are accepted (``3,5``); in money columns dots and commas that
    group thousands (``Rp 9.500.000``, ``9,500,000``) are removed.

    Examples
    --------
    >>> parse_number("3,5"), parse_number("Rp 9.500.000", money=True), parse_number("abc")
    (3.5, 9500000.0, None)
    """
    numbers, _ = parse_numbers(pd.Series([str(text)], dtype=object), money=money)
    x = numbers.iloc[0]
    return None if np.isnan(x) else float(x)


def parse_numbers(values: pd.Series, *, money: bool = False) -> tuple[pd.Series, pd.Series]:
    """Parse a column of numbers typed by people: ``(numbers, not_a_number)``.

    The one definition of the rules :func:`parse_number` documents (decimal commas; in money
    columns an ``Rp``/``IDR`` prefix and thousands separators), applied to a whole column at once.

    ``not_a_number`` is True where a cell holds text that is not a number; empty cells are
    NaN in ``numbers`` and False in ``not_a_number``.
    """
    present = values.notna()
    txt = values.astype("string").str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    if money:
        txt = txt.str.replace(r"(?i)^(?:Rp\.?|IDR)", "", regex=True)
        grouped = txt.str.fullmatch(r"\d{1,3}(?:[.,]\d{3})+").fillna(False)
        id_dec = txt.str.fullmatch(r"\d{1,3}(?:\.\d{3})+,\d+").fillna(False)
        en_dec = txt.str.fullmatch(r"\d{1,3}(?:,\d{3})+\.\d+").fillna(False)
        txt = txt.mask(grouped, txt.str.replace(r"[.,]", "", regex=True))
        txt = txt.mask(id_dec, txt.str.replace(".", "", regex=False).str.replace(",", ".", regex=False))
        txt = txt.mask(en_dec, txt.str.replace(",", "", regex=False))
    ok = txt.str.fullmatch(_NUM_RE.pattern.lstrip("^").rstrip("$")).fillna(False)
    numbers = pd.to_numeric(txt.where(ok).str.replace(",", ".", regex=False), errors="coerce").astype(float)
    return numbers, (present & ~ok).astype(bool)
