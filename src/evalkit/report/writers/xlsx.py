"""Excel from blocks: ``report.xlsx`` that computes.

One sheet per table (same number and caption as in HTML and Word) and a README sheet
first with the report's identity, the list of sheets and the definitions (each table's
note, and what each number format means). Every figure is a number cell with a number
format from ``config/report.yaml`` (``"Rp "#,##0``, ``0.00``, ``0.0%`` …); a confidence
interval becomes two number columns. Header rows are frozen, widths fitted.

No cell is ever a formula: the workbook is written by XlsxWriter with
``strings_to_formulas=False`` (and no string-to-number or URL guessing), and every text
cell passes :func:`~evalkit.report.writers.cells.safe_text` (an apostrophe before text
that starts with ``= + - @``, tab or CR).
"""
from __future__ import annotations

import re
from pathlib import Path

from ... import atomic
from ..._config import load_config
from ...i18n import t
from ..blocks import Table, cell_kind, is_missing
from .cells import safe_text
from .docx import clean


def _format_key(kind: str, digits: int) -> str | None:
    if kind == "int":
        return "int"
    if kind in ("number", "ci"):
        return {0: "number0", 1: "number1"}.get(digits, "number")
    if kind in ("coef", "ci_coef"):
        return "coef3" if digits >= 3 else "coef"
    if kind == "p":
        return "p"
    if kind == "percent":
        return "percent0" if digits == 0 else "percent"
    if kind == "money":
        return "money"
    return None


def sheet_name(i: int, title: str, used: set) -> str:
    """``T03 Judul tabel`` — unique, at most 31 characters, none of ``[]:*?/\\``."""
    base = re.sub(r"[\[\]\*\?/\\:']", "", clean(f"T{i:02d} {title}"))[:31].strip()
    name, j = base, 2
    while name.lower() in used:
        name = f"{base[:27]}~{j}"
        j += 1
    used.add(name.lower())
    return name


def expand_columns(table: Table, lang: str):
    """The table's columns for Excel: a CI column becomes two (lower, upper)."""
    out = []
    for j, c in enumerate(table.columns):
        if c.kind in ("ci", "ci_coef"):
            out.append((j, 0, f"{c.label} {t('doc.ci_low', lang)}", c))
            out.append((j, 1, f"{c.label} {t('doc.ci_high', lang)}", c))
        else:
            out.append((j, None, c.label, c))
    return out


def write_xlsx(blocks, path: Path, *, title: str, lang: str, meta: dict | None = None) -> Path:
    """Write every table of the block list to its own sheet, a README sheet first."""
    import xlsxwriter

    cfg = load_config("report")["xlsx"]["formats"]
    tables = [b for b in blocks if isinstance(b, Table)]
    used: set = {"readme"}
    names = [sheet_name(b.number, b.title, used) for b in tables]
    with atomic.atomic_path(Path(path)) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_numbers": False,
                                            "strings_to_urls": False, "nan_inf_to_errors": True})
        wb.set_properties({"title": safe_text(clean(title))[:255], "author": "evalkit"})
        bold = wb.add_format({"bold": True})
        head = wb.add_format({"bold": True, "bottom": 1, "top": 2, "text_wrap": True, "valign": "bottom"})
        head_num = wb.add_format({"bold": True, "bottom": 1, "top": 2, "text_wrap": True, "valign": "bottom",
                                  "align": "right"})
        italic = wb.add_format({"italic": True, "text_wrap": False})
        text_fmt = wb.add_format({"valign": "top"})
        fmts = {k: wb.add_format({"num_format": v, "valign": "top"}) for k, v in cfg.items()}

        def text(ws, r, c, value, fmt=None):
            ws.write_string(r, c, safe_text(clean(value)), fmt or text_fmt)

        # README
        ws = wb.add_worksheet("README")
        text(ws, 0, 0, title, bold)
        text(ws, 1, 0, t("doc.xlsx_intro", lang))
        r = 3
        for k, v in (meta or {}).items():
            text(ws, r, 0, k, bold)
            text(ws, r, 1, v)
            r += 1
        r += 1
        text(ws, r, 0, t("export.sheet", lang), head)
        text(ws, r, 1, t("export.table", lang), head)
        text(ws, r, 2, t("doc.xlsx_definitions", lang), head)
        r += 1
        for name, b in zip(names, tables):
            text(ws, r, 0, name)
            text(ws, r, 1, b.caption)
            if b.note:
                text(ws, r, 2, _plain(b.note))
            r += 1
        r += 1
        text(ws, r, 0, t("doc.xlsx_formats", lang), bold)
        r += 1
        for kind in ("int", "number", "coef", "p", "percent", "money"):
            text(ws, r, 0, kind)
            text(ws, r, 1, cfg[_format_key(kind, 2)])
            text(ws, r, 2, t(f"doc.kind_{kind}", lang))
            r += 1
        ws.set_column(0, 0, 30)
        ws.set_column(1, 1, 70)
        ws.set_column(2, 2, 90)

        for name, b in zip(names, tables):
            ws = wb.add_worksheet(name)
            text(ws, 0, 0, b.caption, bold)
            cols = expand_columns(b, lang)
            hr = 2
            widths = []
            for c_i, (_, _, label, col) in enumerate(cols):
                text(ws, hr, c_i, label, head if col.kind == "text" else head_num)
                widths.append(min(max(len(w) for w in (clean(label).split() or [""])) + 2, 40))
            for r_i, row in enumerate(b.rows, start=hr + 1):
                for c_i, (j, part, _, col) in enumerate(cols):
                    v, kind, digits, prefix, suffix = cell_kind(row[j], col)
                    if part is not None:
                        v = None if v is None else v[part]
                    if kind == "text":
                        s = "–" if is_missing(v) else str(v)
                        text(ws, r_i, c_i, s)
                        widths[c_i] = max(widths[c_i], min(len(s) + 2, 60))
                    elif is_missing(v):
                        ws.write_blank(r_i, c_i, None)
                    else:
                        num = float(v)
                        ws.write_number(r_i, c_i, num, fmts[_format_key(kind, digits)])
                        widths[c_i] = max(widths[c_i], min(len(f"{num:,.{max(digits, 0)}f}") + 5, 20))
            if b.note:
                text(ws, hr + len(b.rows) + 2, 0, _plain(b.note), italic)
            for c_i, w in enumerate(widths):
                ws.set_column(c_i, c_i, max(w, 8))
            ws.freeze_panes(hr + 1, 0)
            ws.set_row(hr, None, None)
        wb.close()
    return Path(path)


def _plain(text: str) -> str:
    """Restricted Markdown → plain words (for cells)."""
    s = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", str(text))
    return re.sub(r"(\*\*|\*|`)", "", s)
