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
from dataclasses import dataclass, field
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
    #: the sheet row number of each data row, where rows were skipped (blank rows of a
    #: spreadsheet, title rows above the header); ``None``: consecutive after the header
    rows: np.ndarray | None = None
    #: the file's decimal separator when program.yaml declares it (``decimal: comma|dot``);
    #: ``None``: each column's own values decide (see :func:`parse_numbers`)
    decimal: str | None = None
    #: ``(codes, distinct values)`` of text columns already encoded by one rule, for the next
    #: rule over the same column (:func:`evalkit.ingest.cleaning.uniques`); keyed by the
    #: column's Arrow array, which it keeps, so a changed column is never served stale
    encodings: dict = field(default_factory=dict, repr=False, compare=False)
    #: the HMACs of a large id column started as soon as the file was read
    #: (:func:`evalkit.ingest.pseudonymize.prefetch_pseudonyms`), by column; kept by :meth:`take`
    prefetched: dict = field(default_factory=dict, repr=False, compare=False)

    def row_of(self, i: int) -> int:
        """The row number a spreadsheet shows for the ``i``-th data row (header counted)."""
        if self.rows is not None:
            return int(self.rows[int(i)])
        return self.header_row + 1 + int(i)

    def take(self, keep: np.ndarray) -> "Table":
        """The table with only the rows where ``keep`` is true; row numbers are kept."""
        keep = np.asarray(keep, dtype=bool)
        rows = (np.asarray(self.rows, dtype=np.int64) if self.rows is not None
                else np.arange(self.header_row + 1, self.header_row + 1 + len(self.df), dtype=np.int64))[keep]
        return Table(self.df[keep].reset_index(drop=True), self.file, self.header_row, rows, self.decimal,
                     prefetched=self.prefetched)


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


def _decodes_start(head: bytes, enc: str) -> bool:
    """Whether the first bytes of a file decode in ``enc`` (a character cut at the end is fine)."""
    import codecs

    try:
        codecs.getincrementaldecoder(enc)().decode(head)
        return True
    except UnicodeDecodeError:
        return False


def _layout(head: bytes, enc: str, expected) -> tuple[int, str]:
    """Rows to skip above the header, and the delimiter, from the file's first bytes."""
    sample = head.decode(enc, errors="ignore")[:20000]
    first = _sniff_delimiter(sample)
    skip = _header_line(sample, first, expected)
    delim = _sniff_delimiter("\n".join(sample.splitlines()[skip:])) if skip else first  # (same sample: same answer)
    return skip, delim


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


def _read_csv_arrow(path: Path, enc: str, delim: str, skip: int = 0, answers=None) -> pd.DataFrame | None:
    """The whole CSV as stripped text with Arrow's multi-threaded reader (every column a
    string column, quoted newlines allowed, empty cells → missing), or ``None`` when Arrow
    cannot read it (the pandas reader then gives the message). The columns stay Arrow
    strings in pandas (no copy).

    ``answers``: a test of a header (as the file writes it, trimmed) that says the column holds
    a questionnaire's answers — a handful of labels repeated on every row. Such a column is
    dictionary-encoded by the parser itself and arrives as a pandas ``Categorical`` of its
    trimmed answers (:func:`_answer_column`): the text of a million cells is never built, trimmed
    or encoded again, and the column costs one byte a row."""
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pacsv

    try:
        with open(path, "rb") as fh:
            head = fh.read(1 << 20).decode(enc, errors="replace")
        lines = head.splitlines()[skip:]
        header = next(csv.reader(lines[:1], delimiter=delim), None) if lines else None
        if not header:
            return None
        names = [h.strip() for h in header]
        if len(set(names)) != len(names):
            return None  # duplicate headers: the pandas reader renames them and read_table reports it
        # a line break inside a value needs quotes around it: a file without any quote
        # character (most exports of rated items) is read without looking for such breaks,
        # which lets Arrow split it into blocks anywhere (about twice as fast on a 1M-row file)
        quoted = _has_quote(path)
        read = pacsv.ReadOptions(skip_rows=skip + 1, column_names=[f"c{i}" for i in range(len(names))],
                                 encoding="utf8" if enc in ("utf-8", "utf-8-sig") else enc,
                                 block_size=1 << 24 if quoted else 1 << 22)
        parse = pacsv.ParseOptions(delimiter=delim, newlines_in_values=quoted)
        # empty cells (quoted or not) are missing straight from the parser
        # large_string: pandas' own Arrow string type (a plain string column would be cast, a copy)
        coded = {j for j, n in enumerate(names) if answers is not None and answers(n)}
        text, answer = pa.large_string(), pa.dictionary(pa.int32(), pa.large_string())
        conv = pacsv.ConvertOptions(column_types={f"c{i}": answer if i in coded else text for i in range(len(names))},
                                    null_values=[""], strings_can_be_null=True, quoted_strings_can_be_null=True)
        table = pacsv.read_csv(path, read_options=read, parse_options=parse, convert_options=conv)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, UnicodeDecodeError, OSError, StopIteration):
        return None
    cols = {}
    columns = table.columns
    del table  # each raw column is released as soon as its trimmed copy exists
    for j, name in enumerate(names):
        if j in coded:
            cols[name], columns[j] = _answer_column(columns[j]), None
            continue
        col, columns[j] = pc.utf8_trim_whitespace(columns[j]), None
        # a cell of white space only is empty once trimmed: missing too (looked for only
        # where some trimmed cell has length 0, which the offsets tell without reading text)
        if col.null_count < len(col) and pc.min(pc.binary_length(col)).as_py() == 0:
            col = pc.if_else(pc.equal(col, ""), None, col)
        cols[name] = pd.Series(pd.arrays.ArrowStringArray(col))
    release_arrow_memory()
    return pd.DataFrame(cols)


def _answer_column(col) -> pd.Series:
    """A dictionary-encoded column of the parser as a pandas ``Categorical``: its categories
    the trimmed answers in the order they first appear, a cell of white space only missing,
    like every other column of :func:`_read_csv_arrow`. Each of the parser's blocks has a
    dictionary of its own (mostly the same few answers in another order); each block's codes
    are mapped onto the column's categories by one small lookup array, made once for each
    distinct block dictionary (its last slot, reached by a missing cell's −1, is −1), straight
    into codes of the smallest integer type that holds the categories.

    The parser's dictionaries hold only the values their block uses; a block sliced from a
    larger array (an offset) may hold others, and a column with one has its unused categories
    removed."""
    import pyarrow.compute as pc

    cats: dict[str, int] = {}
    remaps: dict[tuple, list] = {}
    keys = []
    for chunk in col.chunks:  # first the categories, from the blocks' (small) dictionaries
        raw = tuple(chunk.dictionary.to_pylist())
        if raw not in remaps:
            values = pc.utf8_trim_whitespace(chunk.dictionary).to_pylist()
            remaps[raw] = [-1 if v == "" else cats.setdefault(v, len(cats)) for v in values] + [-1]
        keys.append(raw)
    small = np.int8 if len(cats) < 127 else np.int16 if len(cats) < 32767 else np.int32
    lookup = {raw: np.array(r, dtype=small) for raw, r in remaps.items()}
    codes = np.empty(len(col), dtype=small)
    at = 0
    for chunk, raw in zip(col.chunks, keys):  # then each block's codes through its lookup array
        idx = chunk.indices
        if idx.null_count:
            idx = idx.fill_null(-1)
        # the indices' own buffer (int32, no copy); a null's slot was filled with −1 above
        ints = np.frombuffer(idx.buffers()[1], dtype=np.int32, count=len(idx) + idx.offset)[idx.offset:]
        np.take(lookup[raw], ints, out=codes[at:at + len(idx)], mode="wrap")  # −1 (missing): the last slot
        at += len(idx)
    categories = pd.Index(list(cats), dtype=pd.StringDtype("pyarrow"))
    out = pd.Categorical.from_codes(codes, categories=categories, validate=False)  # valid by construction
    if any(chunk.offset for chunk in col.chunks) and len(cats):
        if not np.bincount(codes.astype(np.intp) + 1, minlength=len(cats) + 1)[1:].all():
            out = out.remove_unused_categories()  # a dictionary entry no cell of its block uses
    return pd.Series(out)


def release_arrow_memory() -> None:
    """Hand back to the system the memory Arrow's pool keeps for reuse once arrays are freed.
    Without it, a freed text column stays in the process beside the numbers made from it
    (a 1M × 25 Google Forms export peaked at 1.1–1.3 GB, ~0.95 GB with it)."""
    import pyarrow as pa

    release = getattr(pa.default_memory_pool(), "release_unused", None)  # pyarrow ≥ 12
    if release is not None:
        release()


def _has_quote(path: Path) -> bool:
    """Whether the file holds a double quote anywhere (the byte is the same in UTF-8 and cp1252)."""
    buf = bytearray(1 << 22)  # one buffer read into again and again (no new memory per piece)
    with open(path, "rb", buffering=0) as fh:
        while n := fh.readinto(buf):
            if buf.find(b'"', 0, n) >= 0:
                return True
    return False


def _read_csv_text(path: Path, enc: str, delim: str, skip: int = 0) -> pd.DataFrame:
    """The whole CSV as stripped text (empty cells → NaN), parsed and stripped in chunks of
    :data:`CHUNK_ROWS` rows straight from the file, so that neither the file's bytes nor a
    stripped copy of the whole table is ever held beside the table itself (pandas keeps
    text in compact Arrow-backed string columns)."""
    reader = pd.read_csv(path, sep=delim, dtype=str, keep_default_na=False, skipinitialspace=True,
                         encoding=enc, chunksize=CHUNK_ROWS, skiprows=skip or None,
                         index_col=False)  # a row with extra fields is an error, never an index
    chunks = [_strip(chunk) for chunk in reader]
    if not chunks:
        raise pd.errors.EmptyDataError("No columns to parse from file")
    return chunks[0] if len(chunks) == 1 else pd.concat(chunks, ignore_index=True)


def read_table(path: Path, rel: str, *, sheet=None, expected: list[str] | None = None, answers=None) -> Table:
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
    answers : callable, optional
        ``answers(header) -> bool``: the columns of questionnaire answers, which a CSV read
        by Arrow gives as a pandas ``Categorical`` of their trimmed text (see
        :func:`_read_csv_arrow`); every other column, and every column of other readers, is
        text as before. The cells' values are the same either way.
    """
    from .safety import check_csv_header, check_file_size, check_xlsx, limit

    if not path.exists():
        raise ValidationError(Problem("missing_file", file=rel))
    suffix = path.suffix.lower()
    check_file_size(path, rel)
    if suffix in (".csv", ".txt", ".tsv"):
        with open(path, "rb") as fh:
            head = fh.read(65536)
        if not head.strip() and path.stat().st_size <= len(head):
            raise ValidationError(Problem("empty_file", file=rel))
        check_csv_header(path, rel)
        # the encoding is the first of ENCODINGS that decodes the whole file; when the start
        # is UTF-8, Arrow's reader (which checks every string column's UTF-8) decides for the
        # rest in the same pass, and only a file it refuses is decoded again here
        df, tried = None, None
        if _decodes_start(head, "utf-8-sig"):
            enc = tried = "utf-8-sig"
            skip, delim = _layout(head, enc, expected)
            df = _read_csv_arrow(path, enc, delim, skip, answers)
        if df is None:
            enc = _encoding(path)
            if enc != tried:
                skip, delim = _layout(head, enc, expected)
        try:
            if df is None and enc != tried:
                df = _read_csv_arrow(path, enc, delim, skip, answers)
            if df is None:
                df = _read_csv_text(path, enc, delim, skip)
        except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
            raise ValidationError(Problem("unreadable_csv", file=rel, params={"detail": str(exc).strip()})) from None
        table = Table(df, rel, skip + 1)
    elif suffix in (".xlsx", ".xlsm"):
        check_xlsx(path, rel)
        try:
            grid = pd.read_excel(path, sheet_name=sheet if sheet is not None else 0, header=None, dtype=object)
        except Exception as exc:  # openpyxl raises many types for a corrupt file
            detail = str(exc).strip() or type(exc).__name__
            raise ValidationError(Problem("unreadable_xlsx", file=rel, params={"detail": detail})) from None
        grid = grid.dropna(how="all").dropna(axis=1, how="all")
        if grid.empty:
            raise ValidationError(Problem("empty_file", file=rel))
        hdr = _find_header(grid, expected)
        header = [str(v).strip() if not pd.isna(v) else f"column_{j + 1}" for j, v in enumerate(grid.iloc[hdr])]
        body = grid.iloc[hdr + 1:].copy()
        rows = body.index.to_numpy(dtype=np.int64) + 1  # the sheet's own row numbers (1-based)
        body.columns = header
        body = body.map(_cell_text)
        table = Table(_strip(body.reset_index(drop=True)), rel, int(grid.index[hdr]) + 1, rows)
    elif suffix == ".xls":
        raise ValidationError(Problem("unknown_file_type", file=rel, params={"suffix": suffix}))
    elif suffix in (".sav", ".zsav"):
        table = _read_sav(path, rel)
    else:
        raise ValidationError(Problem("unknown_file_type", file=rel, params={"suffix": suffix or "(none)"}))
    if table.df.empty:
        raise ValidationError(Problem("empty_file", file=rel))
    if len(table.df) > limit("max_rows"):
        from .safety import _too_big

        raise _too_big(rel, "max_rows", len(table.df), limit("max_rows"))
    dup = table.df.columns[table.df.columns.duplicated()].tolist()
    if dup:
        raise ValidationError(Problem("duplicate_columns", file=rel, column=", ".join(map(str, dup))))
    return table


def _header_line(sample: str, delim: str, expected: list[str] | None) -> int:
    """0-based line of a CSV's header: the first of the first 15 lines that holds one of the
    ``expected`` names; without them, the first line with as many fields as the widest of
    those lines (title lines such as ``Rekap Nilai Latsar CPNS`` have one or two)."""
    lines = sample.splitlines()[:15]
    rows = list(csv.reader(lines, delimiter=delim))
    if not rows:
        return 0
    if expected:
        want = {str(e).strip().lower() for e in expected}
        for i, r in enumerate(rows):
            if want & {c.strip().lower() for c in r}:
                return i
    widths = [sum(1 for c in r if c.strip()) for r in rows]
    full = max(widths)
    if widths[0] >= full or full <= 1:
        return 0
    return next(i for i, w in enumerate(widths) if w >= full)


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
    """Spreadsheet cell → text, keeping integers exact where a spreadsheet number can hold them.

    A *number* cell with 16 or more digits (an 18-digit NIP typed into a General-format Excel
    column) has been rounded to a double's 15–17 significant digits, whatever digits it shows
    now: it is written in scientific notation (``1.99709012025061e+17``) so that ingest treats
    it as a rounded id (:func:`evalkit.ingest.nip.parse_id`), never as an exact key.
    """
    if v is None or (isinstance(v, float) and np.isnan(v)):
        return np.nan
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool) and abs(int(v)) >= 10 ** 15:
        return f"{float(v):.14e}"
    if isinstance(v, float) and v.is_integer() and abs(v) >= 1e15:
        return f"{v:.14e}"
    if isinstance(v, float) and v.is_integer():
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


def parse_numbers(values: pd.Series, *, money: bool = False, with_ambiguous: bool = False,
                  decimal: str | None = None):
    """Parse a column of numbers typed by people: ``(numbers, not_a_number)`` (and, with
    ``with_ambiguous=True``, a third mask of cells whose separator cannot be decided).

    The one definition of the rules :func:`parse_number` documents, applied to a whole column:

    * white space and no-break spaces are ignored; an ``Rp``/``IDR`` prefix and a trailing
      ``%`` are removed (``85 %`` → 85: percent cells stay in percent points);
    * a decimal comma (``72,5``) or dot (``72.5``); thousands grouped with dots
      (``1.234.500``, ``Rp 1.234.500,50``) or commas (``1,234,500``, ``1,234.5``);
    * a value with a single group of three digits (``1.234``, ``1,234``) is read by the
      column's convention: thousands in money columns, and in other columns whatever the
      column's other values show (a decimal comma elsewhere makes the dot a thousands
      separator, and so on). Without such evidence the cell is *ambiguous*: never guessed,
      it counts as not a number and is reported as ambiguous.

    ``decimal="comma"`` or ``"dot"`` (program.yaml's ``decimal:`` of a file) settles the
    convention for every column of the file: ``1.234`` is then 1234 or 1.234.

    ``not_a_number`` is True where a cell holds text that is not a number; empty cells are
    NaN in ``numbers`` and False in ``not_a_number``.

    Each distinct value is read once (:func:`pandas.factorize`; a million cells of test scores
    are a few dozen values): one by one in Python when there are at most
    :data:`PY_MAX_DISTINCT` of them, all ASCII once spaces are removed (every rule then means
    the same in Python's ``re`` as in Arrow's RE2), else by the vectorised rules.
    ``tests/test_properties.py`` checks the two paths against each other.
    """
    txt = values if isinstance(values.dtype, pd.StringDtype) else values.astype("string")
    codes, distinct = pd.factorize(txt)
    cells = list(distinct)
    if len(cells) <= PY_MAX_DISTINCT and all(_py_safe(c) for c in cells):
        num, bad, amb = _parse_distinct_py(cells, txt.dtype, money=money, decimal=decimal)
    else:
        num, bad, amb = _parse_distinct_vec(pd.Series(distinct), money=money, decimal=decimal)
    codes = np.asarray(codes, dtype=np.int64)  # −1: an empty cell, mapped to the slot appended last

    def cellwise(a, empty):
        return pd.Series(np.append(a, empty)[codes], index=values.index, name=values.name)

    numbers, bad = cellwise(num, np.nan), cellwise(bad, False)
    if with_ambiguous:
        return numbers, bad, cellwise(amb, False)
    return numbers, bad


#: columns of at most this many distinct values are parsed value by value in Python
PY_MAX_DISTINCT = 4096

_RP_RE = re.compile(r"(?i)^(?:Rp\.?|IDR)")
_PCT_RE = re.compile(r"%$")
_PLAIN = re.compile(r"\d+").fullmatch
_DOT_GROUPS = (re.compile(r"\d{1,3}(?:\.\d{3}){2,}").fullmatch, re.compile(r"\d{1,3}(?:\.\d{3})+,\d+").fullmatch)
_COMMA_GROUPS = (re.compile(r"\d{1,3}(?:,\d{3}){2,}").fullmatch, re.compile(r"\d{1,3}(?:,\d{3})+\.\d+").fullmatch)
_DEC_COMMA = re.compile(r"\d*,(?:\d{1,2}|\d{4,})").fullmatch
_DEC_DOT = re.compile(r"\d*\.(?:\d{1,2}|\d{4,})").fullmatch
_SINGLE_DOT = re.compile(r"\d{1,3}\.\d{3}").fullmatch
_SINGLE_COMMA = re.compile(r"\d{1,3},\d{3}").fullmatch
_NUMBER_PATTERN = _NUM_RE.pattern.lstrip("^").rstrip("$")
_NUMBER = re.compile(_NUMBER_PATTERN).fullmatch


def _py_safe(cell) -> bool:
    """Whether Python's ``re`` reads ``cell`` as Arrow's RE2 does for the rules below: ASCII
    once (no-break) spaces are removed, and no newline (before which Python's ``$`` matches)."""
    return cell.replace("\u00a0", "").isascii() and "\n" not in cell


def _parse_distinct_py(cells: list[str], dtype, *, money: bool, decimal: str | None):
    """:func:`parse_numbers`' rules applied to distinct, present cells one by one:
    ``(numbers, not_a_number, ambiguous)`` as NumPy arrays."""
    rows = []
    id_ev = en_ev = False
    for cell in cells:
        t = _PCT_RE.sub("", _RP_RE.sub("", cell.replace("\u00a0", "").replace(" ", "")))
        body = t[1:] if t[:1] in ("-", "+") else t
        dot_groups = any(f(body) for f in _DOT_GROUPS)
        comma_groups = any(f(body) for f in _COMMA_GROUPS)
        dec_comma, dec_dot = bool(_DEC_COMMA(body)), bool(_DEC_DOT(body))
        id_ev = id_ev or dot_groups or dec_comma
        en_ev = en_ev or comma_groups or dec_dot
        rows.append((t, body, dot_groups, comma_groups, bool(_SINGLE_DOT(body)), bool(_SINGLE_COMMA(body))))
    if decimal in ("comma", "dot"):
        id_ev, en_ev = decimal == "comma", decimal == "dot"
    outs, ok, amb, minus = [], [], [], []
    for t, body, dot_groups, comma_groups, single_dot, single_comma in rows:
        if money:
            th_dot, th_comma, ambiguous = single_dot, single_comma, False
        else:
            th_dot = single_dot and id_ev and not en_ev
            th_comma = single_comma and en_ev and not id_ev
            dec_single = (single_dot and en_ev and not id_ev) or (single_comma and id_ev and not en_ev)
            ambiguous = (single_dot or single_comma) and not (th_dot or th_comma or dec_single)
        out = body
        if dot_groups or th_dot:
            out = out.replace(".", "")
        if comma_groups or th_comma:
            out = out.replace(",", "")
        out = out.replace(",", ".")
        good = bool(_NUMBER(out)) and not ambiguous
        outs.append(out if good else None)
        ok.append(good)
        amb.append(ambiguous)
        minus.append(t.startswith("-"))
    # the strings are read by pandas' own number parser, as the vectorised rules read them
    num = pd.to_numeric(pd.Series(outs, dtype=dtype), errors="coerce").astype(float).to_numpy()
    num = np.where(np.array(minus, dtype=bool), -num, num)
    ok = np.array(ok, dtype=bool)
    return num, ~ok, np.array(amb, dtype=bool)


def _parse_distinct_vec(values: pd.Series, *, money: bool, decimal: str | None):
    """:func:`parse_numbers`' rules as Arrow string operations on a column of distinct,
    present cells: ``(numbers, not_a_number, ambiguous)`` as NumPy arrays."""
    txt = values.str.replace("\u00a0", "", regex=False).str.replace(" ", "", regex=False)
    txt = txt.str.replace(r"(?i)^(?:Rp\.?|IDR)", "", regex=True).str.replace(r"%$", "", regex=True)
    neg = txt.str.startswith("-").fillna(False) | txt.str.startswith("+").fillna(False)
    body = txt.where(~neg, txt.str.slice(1))
    minus = txt.str.startswith("-").fillna(False).to_numpy(dtype=bool)

    def full(rx):
        return body.str.fullmatch(rx).fillna(False).astype(bool)

    plain = full(r"\d+")
    if bool(plain.all()):
        # every cell is digits only (test scores, counts): no separator to decide, so the rules
        # below would change nothing; the same numbers without their dozen passes
        num = pd.to_numeric(body, errors="coerce").astype(float).to_numpy()
        nothing = np.zeros(len(values), dtype=bool)
        return np.where(minus, -num, num), nothing, nothing
    dot_groups = full(r"\d{1,3}(?:\.\d{3}){2,}") | full(r"\d{1,3}(?:\.\d{3})+,\d+")
    comma_groups = full(r"\d{1,3}(?:,\d{3}){2,}") | full(r"\d{1,3}(?:,\d{3})+\.\d+")
    dec_comma = full(r"\d*,(?:\d{1,2}|\d{4,})")
    dec_dot = full(r"\d*\.(?:\d{1,2}|\d{4,})")
    single_dot = full(r"\d{1,3}\.\d{3}")
    single_comma = full(r"\d{1,3},\d{3}")
    # the column's convention: "id" (dot groups thousands, comma is decimal) or "en"
    id_ev = bool(dot_groups.any() or dec_comma.any())
    en_ev = bool(comma_groups.any() or dec_dot.any())
    if decimal in ("comma", "dot"):  # declared in program.yaml: no evidence needed
        id_ev, en_ev = decimal == "comma", decimal == "dot"
    if money:
        # Rupiah amounts: a single group of three is thousands, whichever separator
        thousands_dot, thousands_comma = single_dot, single_comma
        amb = pd.Series(False, index=values.index)
    else:
        thousands_dot = single_dot & id_ev & ~en_ev
        thousands_comma = single_comma & en_ev & ~id_ev
        decimal_single = (single_dot & en_ev & ~id_ev) | (single_comma & id_ev & ~en_ev)
        amb = (single_dot | single_comma) & ~thousands_dot & ~thousands_comma & ~decimal_single
    out = body
    out = out.mask(dot_groups | thousands_dot, out.str.replace(".", "", regex=False))
    out = out.mask(comma_groups | thousands_comma, out.str.replace(",", "", regex=False))
    out = out.str.replace(",", ".", regex=False)
    ok = (out.str.fullmatch(_NUMBER_PATTERN).fillna(False).astype(bool) & ~amb).to_numpy(dtype=bool)
    num = pd.to_numeric(out.where(ok), errors="coerce").astype(float).to_numpy()
    return np.where(minus, -num, num), ~ok, amb.to_numpy(dtype=bool)
