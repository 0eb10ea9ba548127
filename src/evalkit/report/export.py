"""Write a report's blocks (headings, paragraphs, APA tables, figures) to Word and Excel.

:class:`~evalkit.report.sections.ProgramReport` records every block it shows; these writers
turn the same blocks into

* ``report.docx`` — real Word tables (APA layout: bold numbered title above, italic note
  below, horizontal rules only), headings, paragraphs and figures with alt text, ready to
  paste into a manuscript;
* ``report.xlsx`` — one sheet per table, plus a README sheet listing them.

Both are written atomically.
"""
from __future__ import annotations

import io
import re
from pathlib import Path

import pandas as pd

from .. import atomic
from ..i18n import t


def _runs(paragraph, text: str):
    """Add markdown-ish text to a python-docx paragraph: **bold** and *italic* become runs,
    links keep their text, code marks are dropped."""
    text = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text).replace("`", "")
    for part in re.split(r"(\*\*[^*]+\*\*|\*[^*]+\*)", text):
        if not part:
            continue
        if part.startswith("**") and part.endswith("**"):
            paragraph.add_run(part[2:-2]).bold = True
        elif part.startswith("*") and part.endswith("*"):
            paragraph.add_run(part[1:-1]).italic = True
        else:
            paragraph.add_run(part)


def _apa_borders(table):
    """Top and bottom rule of the table and a rule under the header row (APA style)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    def border(cell, **sides):
        tcPr = cell._tc.get_or_add_tcPr()
        borders = tcPr.find(qn("w:tcBorders"))
        if borders is None:
            borders = OxmlElement("w:tcBorders")
            tcPr.append(borders)
        for side, val in sides.items():
            el = OxmlElement(f"w:{side}")
            el.set(qn("w:val"), val)
            el.set(qn("w:sz"), "8")
            el.set(qn("w:color"), "000000")
            borders.append(el)

    for cell in table.rows[0].cells:
        border(cell, top="single", bottom="single")
    for cell in table.rows[-1].cells:
        border(cell, bottom="single")


def write_docx(blocks: list[tuple], path: Path, *, title: str, lang: str) -> Path:
    """Write the report as a Word document."""
    from docx import Document
    from docx.shared import Inches, Pt

    doc = Document()
    doc.core_properties.title = title
    doc.core_properties.author = "evalkit"
    style = doc.styles["Normal"]
    style.font.name = "Calibri"
    style.font.size = Pt(11)
    for block in blocks:
        kind = block[0]
        if kind == "heading":
            doc.add_heading(block[2], level=min(block[1], 4) - (0 if block[1] > 1 else 1))
        elif kind == "markdown":
            for para in re.split(r"\n\s*\n", block[1]):
                lines = [ln for ln in para.split("\n") if ln.strip()]
                if lines and all(ln.lstrip().startswith("- ") for ln in lines):
                    for ln in lines:
                        _runs(doc.add_paragraph(style="List Bullet"), ln.lstrip()[2:])
                elif lines:
                    _runs(doc.add_paragraph(), " ".join(ln.strip() for ln in lines))
        elif kind == "table":
            _, caption, df, note = block
            cap = doc.add_paragraph()
            cap.add_run(caption).bold = True
            table = doc.add_table(rows=1, cols=len(df.columns))
            for cell, col in zip(table.rows[0].cells, df.columns):
                cell.text = str(col)
                for r in cell.paragraphs[0].runs:
                    r.bold = True
            for _, row in df.iterrows():
                cells = table.add_row().cells
                for cell, v in zip(cells, row):
                    cell.text = "" if pd.isna(v) else str(v)
            _apa_borders(table)
            for row in table.rows:
                for cell in row.cells:
                    for par in cell.paragraphs:
                        for run in par.runs:
                            run.font.size = Pt(9 if len(df.columns) > 5 else 10)
            if note:
                doc.add_paragraph().add_run(note).italic = True
        elif kind == "figure":
            _, stem, png, alt, fig_title = block
            doc.add_picture(io.BytesIO(png), width=Inches(6.3))
            inline = doc.inline_shapes[-1]._inline
            inline.docPr.set("descr", alt)
            inline.docPr.set("title", fig_title or stem)
            cap = doc.add_paragraph()
            cap.add_run(fig_title or stem).italic = True
    with atomic.atomic_path(Path(path)) as tmp:
        doc.save(tmp)
    return Path(path)


def _sheet_name(i: int, title: str, used: set) -> str:
    base = re.sub(r"[\[\]\*\?/\\:]", "", f"T{i:02d} {title.split('. ', 1)[-1]}")[:31]
    name, j = base, 2
    while name in used:
        name = f"{base[:28]}~{j}"
        j += 1
    used.add(name)
    return name


def write_xlsx(blocks: list[tuple], path: Path, *, title: str, lang: str, meta: dict | None = None) -> Path:
    """Write every table of the report to its own sheet, with a README sheet first."""
    tables = [b for b in blocks if b[0] == "table"]
    used: set = set()
    names = [_sheet_name(i, b[1], used) for i, b in enumerate(tables, 1)]
    readme = [[title], [t("export.readme_intro", lang)], []]
    for k, v in (meta or {}).items():
        readme.append([k, v])
    readme += [[], [t("export.sheet", lang), t("export.table", lang)]]
    readme += [[n, b[1]] for n, b in zip(names, tables)]
    with atomic.atomic_path(Path(path)) as tmp:
        with pd.ExcelWriter(tmp, engine="openpyxl") as xw:
            pd.DataFrame(readme).to_excel(xw, sheet_name="README", index=False, header=False)
            for name, (_, caption, df, note) in zip(names, tables):
                df.to_excel(xw, sheet_name=name, index=False, startrow=2)
                ws = xw.sheets[name]
                ws.cell(row=1, column=1, value=caption)
                if note:
                    ws.cell(row=len(df) + 5, column=1, value=note)
                for col in ws.columns:
                    width = max(len(str(c.value or "")) for c in col[2:]) if len(col) > 2 else 10
                    ws.column_dimensions[col[0].column_letter].width = min(max(10, width + 2), 60)
            xw.sheets["README"].column_dimensions["A"].width = 28
            xw.sheets["README"].column_dimensions["B"].width = 80
    return Path(path)
