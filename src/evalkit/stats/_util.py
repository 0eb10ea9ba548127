"""Small helpers shared by the statistics modules."""
from __future__ import annotations

import html
import re

import pandas as pd


def html_table(df: pd.DataFrame, caption: str | None = None, digits: int = 3) -> str:
    """A DataFrame as an HTML table with floats rounded to ``digits`` and an optional caption."""
    fmt = df.copy()
    for c in fmt.columns:
        if pd.api.types.is_float_dtype(fmt[c]):
            fmt[c] = fmt[c].map(lambda v: "" if pd.isna(v) else f"{v:.{digits}f}")
    out = fmt.to_html(border=0, classes="evalkit-table", na_rep="")
    if caption:
        cap = f"<caption>{html.escape(caption)}</caption>"
        out = re.sub(r"(<table[^>]*>)", lambda m: m.group(1) + cap, out, count=1)
    return out


def warnings_html(warnings: list[str]) -> str:
    if not warnings:
        return ""
    items = "".join(f"<li>{html.escape(w)}</li>" for w in warnings)
    return f"<ul class=\"evalkit-warnings\">{items}</ul>"
