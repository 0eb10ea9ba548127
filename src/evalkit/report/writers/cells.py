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


def safe_csv(df, path, **kw):
    """Write a DataFrame as CSV with every text cell passed through :func:`safe_text`
    (numbers untouched); returns the path."""
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if out[c].dtype == object or pd.api.types.is_string_dtype(out[c]):
            out[c] = out[c].map(lambda v: v if v is None or (isinstance(v, float) and v != v)
                                else safe_text(v) if isinstance(v, str) else v)
    out.columns = [safe_text(c) for c in out.columns]
    out.to_csv(path, index=False, **kw)
    return path
