"""APA 7 tables for a manuscript, from any evalkit result or a DataFrame.

:func:`apa_table` lays a table out as the APA Publication Manual (7th ed., §7.8–7.21) asks:
the table number in bold, the title in italics on the next line, horizontal rules only
(above and below the column heads and at the bottom), no vertical rules, and a general
note below that starts with *Note.* Numbers follow APA §6.36: p values to three decimals
without a leading zero (``< .001`` below that), other statistics to two decimals, and a
confidence interval in one column as ``[LL, UL]``. Indonesian uses decimal commas and
separates the bounds with a semicolon.

It writes the table to DOCX (python-docx; Times New Roman 12 pt) and to HTML (every cell
escaped with :func:`html.escape`), and returns an :class:`ApaTable` that also shows itself
in a notebook.
"""
from __future__ import annotations

import html
import math
from pathlib import Path

import numpy as np
import pandas as pd

from ..i18n import check_lang, t
from ..stats.result import apa_num

_P_COLUMNS = ("p", "p_value", "pvalue", "p-val", "p_val")
_P_SUFFIXES = ("_p", "_p_value")


def _is_p(col: str) -> bool:
    c = str(col).lower()
    return c in _P_COLUMNS or c.endswith(_P_SUFFIXES) or c.startswith("p_")


def _p_cell(v, lang) -> str:
    if v is None or not np.isfinite(v):
        return "–"
    if v < 0.001:
        return "< " + apa_num(0.001, 3, lang, leading_zero=False)
    return apa_num(v, 3, lang, leading_zero=False)


def _num_cell(v, lang, digits) -> str:
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "–"
    if isinstance(v, (bool, np.bool_)):
        return str(bool(v))
    if isinstance(v, (int, np.integer)):
        return str(int(v))
    if isinstance(v, (float, np.floating)):
        if math.isinf(v):
            return "∞" if v > 0 else "\u2212∞"
        if float(v).is_integer() and abs(v) < 1e15 and digits == 0:
            return str(int(v))
        return apa_num(float(v), digits, lang)
    return str(v)


def _ci_pairs(columns) -> list[tuple[str, str, str]]:
    """(low, high, stem) for every ``ci_low``/``ci_high`` or ``X_ci_low``/``X_ci_high`` pair."""
    out = []
    for c in columns:
        s = str(c)
        if s.endswith("ci_low"):
            hi = s[: -len("ci_low")] + "ci_high"
            if hi in [str(x) for x in columns]:
                out.append((c, next(x for x in columns if str(x) == hi), s[: -len("ci_low")].rstrip("_")))
    return out


def format_frame(frame: pd.DataFrame, lang: str = "en", digits: int = 2, ci: float = 0.95) -> pd.DataFrame:
    """The frame with APA-formatted text cells; CI bound pairs merged into one column.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"estimate": [0.4567], "ci_low": [0.1], "ci_high": [0.81], "p_value": [0.00004]},
    ...                  index=["d_z"])
    >>> format_frame(f).iloc[0].tolist()
    ['0.46', '[0.10, 0.81]', '< .001']
    >>> format_frame(f, "id").iloc[0].tolist()
    ['0,46', '[0,10; 0,81]', '< ,001']
    """
    sep = "; " if lang == "id" else ", "
    level = f"{ci * 100:g}%"
    pairs = _ci_pairs(list(frame.columns))
    out = {}
    skip = {x for p in pairs for x in p[:2]}
    for c in frame.columns:
        if c in skip:
            pair = next((p for p in pairs if p[0] == c), None)
            if pair:
                lo, hi, stem = pair
                name = t("stats_api.ci_col", lang, level=level) + (f" ({stem})" if stem else "")
                out[name] = [f"[{_num_cell(a, lang, digits)}{sep}{_num_cell(b, lang, digits)}]"
                             for a, b in zip(frame[lo], frame[hi])]
            continue
        col = frame[c]
        if _is_p(c) and pd.api.types.is_numeric_dtype(col):
            out[str(c)] = [_p_cell(v, lang) for v in col]
        elif (pd.api.types.is_integer_dtype(col) or str(c) in ("n", "k", "df", "df1", "df2")
              or str(c).startswith("n_") or str(c).endswith("_df")):
            out[str(c)] = [_num_cell(v, lang, 0) if isinstance(v, (int, np.integer, float, np.floating))
                           and not (isinstance(v, float) and not float(v).is_integer()) else _num_cell(v, lang, 1)
                           for v in col]
        elif pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[str(c)] = [_num_cell(v, lang, digits) for v in col]
        else:
            out[str(c)] = ["–" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v) for v in col]
    res = pd.DataFrame(out, index=[str(i) for i in frame.index])
    res.index.name = str(frame.index.name) if frame.index.name is not None else ""
    return res


class ApaTable:
    """An APA-layout table: ``cells`` (formatted text), ``number``, ``title``, ``note``,
    ``lang``, ``paths`` (the files written); :meth:`to_html`, :meth:`to_docx`."""

    def __init__(self, cells: pd.DataFrame, *, number: int, title: str, note: str | None, lang: str):
        self.cells, self.number, self.title, self.note, self.lang = cells, number, title, note, lang
        self.paths: dict[str, Path] = {}

    def _header(self) -> list[str]:
        return [self.cells.index.name or ""] + list(self.cells.columns)

    def _rows(self) -> list[list[str]]:
        return [[str(i)] + list(r) for i, r in zip(self.cells.index, self.cells.itertuples(index=False))]

    def html(self) -> str:
        """The table as a self-contained HTML fragment (escaped)."""
        e = html.escape
        rule = "border-top:1px solid black"
        head = "".join(f'<th style="{rule};border-bottom:1px solid black;padding:2px 8px;'
                       f'text-align:{"left" if j == 0 else "center"}">{e(h)}</th>'
                       for j, h in enumerate(self._header()))
        rows = self._rows()
        body = []
        for i, r in enumerate(rows):
            bottom = ";border-bottom:1px solid black" if i == len(rows) - 1 else ""
            body.append("<tr>" + "".join(
                f'<td style="padding:2px 8px;text-align:{"left" if j == 0 else "center"}{bottom}">{e(v)}</td>'
                for j, v in enumerate(r)) + "</tr>")
        note = (f'<p style="margin-top:4px"><em>{e(t("stats_api.note", self.lang))}</em> {e(self.note)}</p>'
                if self.note else "")
        return ('<div class="evalkit-apa-table" style="font-family:\'Times New Roman\',serif">'
                f'<p style="margin-bottom:0"><strong>{e(t("stats_api.table", self.lang, n=self.number))}</strong></p>'
                f'<p style="margin-top:0"><em>{e(self.title)}</em></p>'
                f'<table style="border-collapse:collapse"><thead><tr>{head}</tr></thead>'
                f'<tbody>{"".join(body)}</tbody></table>{note}</div>')

    def _repr_html_(self) -> str:
        return self.html()

    def to_html(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f'<!DOCTYPE html>\n<html lang="{self.lang}"><head><meta charset="utf-8">'
                        f"<title>{html.escape(self.title)}</title></head><body>{self.html()}</body></html>\n",
                        encoding="utf-8")
        self.paths["html"] = path
        return path

    def to_docx(self, path) -> Path:
        """Write the table to a Word document (one table, APA rules, Times New Roman 12 pt)."""
        from docx import Document
        from docx.enum.text import WD_ALIGN_PARAGRAPH
        from docx.oxml import OxmlElement
        from docx.oxml.ns import qn
        from docx.shared import Pt

        doc = Document()
        style = doc.styles["Normal"]
        style.font.name = "Times New Roman"
        style.font.size = Pt(12)
        doc.add_paragraph().add_run(t("stats_api.table", self.lang, n=self.number)).bold = True
        doc.add_paragraph().add_run(self.title).italic = True
        header, rows = self._header(), self._rows()
        table = doc.add_table(rows=1 + len(rows), cols=len(header))

        def border(cell, **sides):
            tcPr = cell._tc.get_or_add_tcPr()
            borders = OxmlElement("w:tcBorders")
            for side, on in sides.items():
                el = OxmlElement(f"w:{side}")
                el.set(qn("w:val"), "single" if on else "nil")
                el.set(qn("w:sz"), "8")
                el.set(qn("w:color"), "000000")
                borders.append(el)
            tcPr.append(borders)

        for i, r in enumerate([header] + rows):
            for j, v in enumerate(r):
                cell = table.cell(i, j)
                cell.text = str(v)
                para = cell.paragraphs[0]
                para.alignment = WD_ALIGN_PARAGRAPH.LEFT if j == 0 else WD_ALIGN_PARAGRAPH.CENTER
                border(cell, top=i == 0, bottom=i == 0 or i == len(rows), left=False, right=False)
        if self.note:
            p = doc.add_paragraph()
            p.add_run(t("stats_api.note", self.lang)).italic = True
            p.add_run(" " + self.note)
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        doc.save(path)
        self.paths["docx"] = path
        return path


def apa_table(result_or_frame, lang: str = "en", path=None, *, title: str | None = None,
              note: str | None = None, number: int = 1, digits: int = 2) -> ApaTable:
    """An APA 7 table of a result (its ``to_frame()``) or of a DataFrame, written to DOCX and HTML.

    Parameters
    ----------
    result_or_frame : evalkit result or DataFrame
        A result's table is its ``to_frame()``; its title its ``title``, and its APA sentence
        (``apa(lang)``) becomes the note unless ``note`` is given.
    lang : {"en", "id"}
        Language of the labels and of the number format (Indonesian: decimal commas).
    path : str or Path, optional
        Where to write: ``path`` with the suffixes ``.docx`` and ``.html`` (a given suffix is
        replaced), e.g. ``out/table1`` → ``out/table1.docx`` and ``out/table1.html``.
    title, note : str, optional
    number : int
        The table's number ("Table 1").
    digits : int
        Decimals of statistics other than p.

    Returns
    -------
    ApaTable
        With ``cells``, ``html()``, ``paths`` (``{"docx": …, "html": …}`` when written).

    Examples
    --------
    >>> import evalkit
    >>> res = evalkit.prepost([0.7, -1.6, -0.2, -1.2, -0.1, 3.4, 3.7, 0.8, 0.0, 2.0],
    ...                       [1.9, 0.8, 1.1, 0.1, -0.1, 4.4, 5.5, 1.6, 4.6, 3.4], n_boot=0)
    >>> tab = apa_table(res)
    >>> tab.cells.loc["paired_t", ["statistic", "p_value", "95% CI"]].tolist()
    ['4.06', '.003', '[0.70, 2.46]']
    >>> "<strong>Table 1</strong>" in tab.html()
    True
    """
    lang = check_lang(lang)
    if isinstance(result_or_frame, pd.DataFrame):
        frame, default_title, apa, level = result_or_frame, "", None, 0.95
    elif hasattr(result_or_frame, "to_frame"):
        frame = result_or_frame.to_frame()
        default_title = getattr(result_or_frame, "title", "") or ""
        level = getattr(result_or_frame, "ci", 0.95) or 0.95
        try:
            apa = result_or_frame.apa(lang)
        except (NotImplementedError, TypeError):
            apa = None
    else:
        raise TypeError(f"apa_table() needs an evalkit result or a DataFrame, not {type(result_or_frame).__name__}")
    cells = format_frame(frame, lang, digits, level if isinstance(level, float) else 0.95)
    tab = ApaTable(cells, number=number, title=title if title is not None else default_title,
                   note=note if note is not None else apa, lang=lang)
    if path is not None:
        base = Path(path)
        if base.suffix.lower() in (".docx", ".html", ".htm"):
            base = base.with_suffix("")
        tab.to_docx(base.with_name(base.name + ".docx"))
        tab.to_html(base.with_name(base.name + ".html"))
    return tab
