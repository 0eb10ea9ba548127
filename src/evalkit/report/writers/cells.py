"""Spreadsheet cells from user text: never a formula (OWASP, CSV injection).

A spreadsheet program treats a cell that starts with ``=``, ``+``, ``-`` or ``@`` (and,
in some programs, a tab or carriage return) as a formula, including DDE calls such as
``=cmd|' /C calc'!A0``. Every text cell that evalkit writes to XLSX or CSV passes
through :func:`safe_text`, which prefixes such text with an apostrophe as OWASP's
*CSV Injection* advice recommends; numbers are written as numbers and never pass here.

Examples
--------
>>> safe_text("=cmd|' /C calc'!A0")
"'=cmd|' /C calc'!A0"
>>> safe_text("-5 %"), safe_text("Baik")
("'-5 %", 'Baik')
"""
from __future__ import annotations

FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_text(text) -> str:
    """``text`` as a string that no spreadsheet reads as a formula."""
    s = "" if text is None else str(text)
    stripped = s.lstrip(" \u00a0\u200b\ufeff")
    if stripped[:1] in FORMULA_START or s[:1] in FORMULA_START:
        return "'" + s
    return s


def _csv_text(v: str) -> str:
    # a line break inside a cell would start a new row in many readers: a space instead
    return safe_text(v).replace("\r\n", " ").replace("\r", " ").replace("\n", " ")


def safe_csv(df, path, **kw):
    """Write a DataFrame as CSV with every text cell passed through :func:`safe_text` and
    line breaks inside cells replaced by spaces (numbers untouched); returns the path.

    Examples
    --------
    >>> import pandas as pd, io
    >>> buf = io.StringIO()
    >>> _ = safe_csv(pd.DataFrame({"a": ["=1+1", "ok\\r=2"], "n": [1, 2]}), buf)
    >>> buf.getvalue().splitlines()
    ['a,n', "'=1+1,1", 'ok =2,2']
    """
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: _csv_text(v) if isinstance(v, str) else v)
    out.columns = [_csv_text(str(c)) for c in out.columns]
    out.to_csv(path, index=False, **kw)
    return path
