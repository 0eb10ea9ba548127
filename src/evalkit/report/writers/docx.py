"""Word from blocks: ``report.docx`` as a bureau or a journal accepts it.

* A4 with the margins of Indonesian official documents (``config/report.yaml``: 4 cm
  left, 3 cm top, right and bottom) and the institution's font from the same file;
* built-in styles: *Title*, *Heading 1–3* (so Word's table of contents works; a TOC
  field is placed where the report's contents are), *Caption*, *List Bullet*;
* tables in APA layout (rules above, below and under the header only), fitted to the
  text width, header row repeated on every page; a table wider than
  ``landscape_columns`` gets a landscape section of its own;
* numbered captions with Word ``SEQ`` fields: *Tabel n* / *Gambar n* (English *Table n* /
  *Figure n*), the same numbers and titles as in HTML and Excel;
* figures with alt text (``descr`` and ``title`` of the drawing).

User text enters Word only as run text (python-docx escapes XML); characters that XML
cannot hold are dropped, Markdown is reduced to bold/italic runs and link text.
"""
from __future__ import annotations

import copy
import io
import re
from pathlib import Path

from ... import atomic
from ..._config import load_config
from ..blocks import (Bullets, Callout, Figure, Heading, KeyValues, PageBreak, Paragraph, Signature, Table,
                      cell_kind, format_value)

_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def clean(text) -> str:
    """Text Word can store: XML-incompatible control characters removed."""
    return _XML_BAD.sub("", "" if text is None else str(text))


def settings() -> dict:
    return load_config("report")["docx"]


def _md_runs(paragraph, text: str):
    """Restricted Markdown → runs (bold, italic, code as plain text, links as their text)."""
    from ..writers.html import _md

    tokens = _md().parseInline(clean(text))
    bold = italic = False
    for tok in tokens:
        for ch in tok.children or []:
            if ch.type == "strong_open":
                bold = True
            elif ch.type == "strong_close":
                bold = False
            elif ch.type == "em_open":
                italic = True
            elif ch.type == "em_close":
                italic = False
            elif ch.type in ("text", "code_inline", "html_inline"):
                r = paragraph.add_run(clean(ch.content))
                r.bold, r.italic = bold or None, italic or None
            elif ch.type in ("softbreak", "hardbreak"):
                paragraph.add_run(" ")


def _field_start(p, instr: str) -> None:
    """Append to paragraph element ``p`` a complex field's begin, instruction and separator
    (its result follows; :func:`_field_char` ``"end"`` closes it, possibly paragraphs later)."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    p.append(_field_char("begin"))
    r = OxmlElement("w:r")
    it = OxmlElement("w:instrText")
    it.set(qn("xml:space"), "preserve")
    it.text = f" {instr} "
    r.append(it)
    p.append(r)
    p.append(_field_char("separate"))


def _field_char(kind: str):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    r = OxmlElement("w:r")
    f = OxmlElement("w:fldChar")
    f.set(qn("w:fldCharType"), kind)
    r.append(f)
    return r


def _field(paragraph, instr: str, result: str):
    """A complex Word field (``SEQ Tabel``, ``PAGE``) with its cached result text."""
    _field_start(paragraph._p, instr)
    run = paragraph.add_run(result)
    paragraph._p.append(_field_char("end"))
    return run


def _page_footer(doc, template: str) -> None:
    """Every page's footer, centred: ``template`` with its ``\\x00`` and ``\\x01`` replaced by
    the PAGE and NUMPAGES fields ("Halaman 3 dari 33"). Set on the first section; the later
    (landscape) sections are linked to it, as Word and LibreOffice link them by default."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para = doc.sections[0].footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    before, _, rest = template.partition("\x00")
    middle, _, after = rest.partition("\x01")
    for text, field in ((before, "PAGE"), (middle, "NUMPAGES"), (after, None)):
        if text:
            para.add_run(text)
        if field:
            _field(para, f"{field} \\* ARABIC", "1")
    for run in para.runs:
        run.font.size = Pt(9)


def _toc_entries(blocks) -> list[tuple[int, str]]:
    """``(Word heading level, text)`` of every heading a ``TOC \\o "1-3"`` field lists: the
    report's headings below its title (Heading 1–3); the cover's subtitle and the contents' own
    heading (style *TOC Heading*, which Word's TOC leaves out) are not listed."""
    return [(min(b.level - 1, 3), clean(b.text)) for b in blocks
            if isinstance(b, Heading) and b.level >= 2 and not getattr(b, "subtitle", False)
            and not getattr(b, "toc", False)]


#: Word's table of contents: heading levels 1–3, entries as links, no page numbers in web view
TOC_FIELD = 'TOC \\o "1-3" \\h \\z \\u'


def _toc(doc, entries, hint: str) -> None:
    """The table of contents: Word's ``TOC`` field, whose cached result (what a viewer that does
    not update fields shows — LibreOffice, a phone, a print preview) already lists the headings,
    indented by level, with ``hint`` (how to add the page numbers) as its last line. Word asks to
    update the fields when the document opens (``w:updateFields``) and writes the page numbers;
    the result then replaces all of it, hint included."""
    from docx.shared import Cm, Pt

    first = doc.add_paragraph()
    if not entries:
        _field(first, TOC_FIELD, hint)
        return
    _field_start(first._p, TOC_FIELD)
    paras = [first] + [doc.add_paragraph() for _ in entries]
    for para, (level, text) in zip(paras, entries + [(1, hint)]):
        run = para.add_run(text)
        if para is paras[-1]:
            run.italic = True
            run.font.size = Pt(9)
        para.paragraph_format.left_indent = Cm(0.6 * (level - 1))
        para.paragraph_format.space_after = Pt(2)
    paras[-1]._p.append(_field_char("end"))


def _caption(doc, prefix: str, title: str, seq: str):
    """``Tabel 3. Judul`` with the number as a SEQ field (Word renumbers on update)."""
    para = doc.add_paragraph(style="Caption")
    label, _, number = prefix.rpartition(" ")
    r = para.add_run(f"{label} ")
    r.bold = True
    _field(para, f"SEQ {seq} \\* ARABIC", number).bold = True
    r = para.add_run(". ")
    r.bold = True
    para.add_run(clean(title)).italic = True
    para.paragraph_format.keep_with_next = True
    return para


def _apa_borders(table):
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


def _repeat_header(row):
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trPr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    trPr.append(el)


#: a table of at most this many body rows is kept on one page (with its caption), when it fits
KEEP_TOGETHER_ROWS = 15


def _rows_hold_together(table, keep_together: bool) -> None:
    """No row of ``table`` is split across two pages (``w:cantSplit``: a long row goes to the
    next page whole); with ``keep_together``, each row's paragraphs are also kept with the next
    row (``w:keepNext``, Word's and LibreOffice's way to keep a table on one page), so that a
    short table is not cut after its first rows. A table taller than a page is still cut (by
    rows), as the two programs do when it cannot fit."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    trs = table._tbl.tr_lst
    for i, tr in enumerate(trs):
        trPr = tr.get_or_add_trPr()
        if trPr.find(qn("w:cantSplit")) is None:
            trPr.insert(0, OxmlElement("w:cantSplit"))
        if keep_together and i < len(trs) - 1:
            for p in tr.iter(qn("w:p")):
                p.get_or_add_pPr().keepNext_val = True


def _new_section(doc, landscape: bool):
    from docx.enum.section import WD_ORIENT, WD_SECTION
    from docx.shared import Cm

    cfg = settings()
    sec = doc.add_section(WD_SECTION.NEW_PAGE)
    w, h = Cm(21.0), Cm(29.7)
    sec.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = (h, w) if landscape else (w, h)
    m = cfg["margins_cm"]
    sec.left_margin, sec.right_margin = Cm(m["left"]), Cm(m["right"])
    sec.top_margin, sec.bottom_margin = Cm(m["top"]), Cm(m["bottom"])
    return sec


def _text_width(doc):
    sec = doc.sections[-1]
    return sec.page_width - sec.left_margin - sec.right_margin


def _font_size(b: Table) -> float:
    n = len(b.columns)
    return 8 if n > 8 else 9 if n > 5 else 10


def column_widths(b: Table, texts, width: int, font_pt: float):
    """Column widths (EMU) that fill ``width``: a number column as wide as its widest cell,
    a text column at least as wide as its longest word (capped) and more as its text is
    longer; ``None`` entries never. Raises nothing: when even the minimum is wider than the
    page, the columns shrink in proportion (the caller chose landscape before that)."""
    minimum, desired = _widths_cm(b, texts, font_pt)
    total_w = width / 360000  # EMU → cm
    if sum(desired) <= total_w:
        extra = total_w - sum(desired)
        text_cols = [j for j, c in enumerate(b.columns) if c.kind == "text"] or list(range(len(desired)))
        weights = [desired[j] if j in text_cols else 0 for j in range(len(desired))]
        out = [d + extra * w / sum(weights) for d, w in zip(desired, weights)]
    elif sum(minimum) <= total_w:
        room = total_w - sum(minimum)
        slack = [d - m for d, m in zip(desired, minimum)]
        out = [m + room * s_ / sum(slack) for m, s_ in zip(minimum, slack)] if sum(slack) else minimum
    else:
        out = [m * total_w / sum(minimum) for m in minimum]
    return [w * 360000 for w in out]


_EM_WIDTHS: dict[str, dict[int, int]] = {}


def _em_widths(bold: bool) -> dict[int, int]:
    """Advance widths (1/1000 em) of the printable ASCII characters in Helvetica (regular or
    bold), read from the Adobe core-font metrics that matplotlib ships (``pdfcorefonts/*.afm``):
    the metrics of Arial and of Liberation Sans, which is metric-compatible with Arial and is
    what LibreOffice shows in its place."""
    name = "Helvetica-Bold" if bold else "Helvetica"
    if name not in _EM_WIDTHS:
        import matplotlib

        widths: dict[int, int] = {}
        try:
            path = Path(matplotlib.get_data_path()) / "fonts" / "pdfcorefonts" / f"{name}.afm"
            for line in path.read_text(encoding="latin-1").splitlines():
                if line.startswith("C "):  # C <code> ; WX <width> ; N <name> ; B ...
                    fields = dict(f.strip().split(" ", 1) for f in line.split(";") if f.strip())
                    code = int(fields["C"])
                    if 32 <= code <= 126:
                        widths[code] = int(fields["WX"])
        except (OSError, ValueError, KeyError):
            widths = {}
        _EM_WIDTHS[name] = widths
    return _EM_WIDTHS[name]


def _word_cm(word: str, font_pt: float, bold: bool = False) -> float:
    """Printed width (cm) of ``word`` in Arial at ``font_pt``: per-character metrics, 0.6 em
    for a character outside ASCII, and 4 % to spare for hinting and rounding."""
    em = _em_widths(bold)
    return sum(em.get(ord(ch), 600) for ch in word) / 1000 * font_pt * 0.03528 * 1.04


def _widths_cm(b: Table, texts, font_pt: float):
    """Each column's minimum and desired width (cm). The minimum of a column holds its widest
    word, measured with Arial's metrics (the header's words in bold), so that no word is broken
    inside — "Sebelum", "Matched", "Responses" over a narrow number column included (a text
    column at most 16 average characters, a number column 14: a longer word wraps); the rest
    is estimated at an average character width."""
    char = 0.55 * font_pt * 0.03528  # average character width in cm
    pad = 0.45  # left + right cell margins
    minimum, desired = [], []
    for j, c in enumerate(b.columns):
        cells = [r[j] for r in texts]
        longest_cell = max([len(x) for x in cells] or [1])
        longest_word = max([len(w) for x in cells + [clean(c.label)] for w in x.split()] or [1])
        widest_word = max([_word_cm(w, font_pt) for x in cells for w in x.split()]
                          + [_word_cm(w, font_pt, bold=True) for w in clean(c.label).split()] or [0.0])
        if c.kind == "text":
            lo = min(longest_word, 16)
            hi = max(lo, min(longest_cell, 42))
            lo_cm = min(max(lo * char, widest_word), 16 * char)
        else:
            lo = max(longest_cell, min(longest_word, 10))
            hi = max(lo, min(len(clean(c.label)), 14))
            lo_cm = max(lo * char, min(widest_word, 14 * char))
        minimum.append(lo_cm + pad)
        desired.append(max(hi * char, lo_cm) + pad)
    return minimum, desired


def needs_landscape(b: Table, lang: str, portrait_width_cm: float, max_columns: int) -> bool:
    """A table goes on a landscape page when it has more than ``max_columns`` columns or
    its narrowest layout does not fit the portrait text width."""
    if len(b.columns) > max_columns:
        return True
    texts = [[format_value(v, c, lang) for v, c in zip(row, b.columns)] for row in b.rows]
    minimum, _ = _widths_cm(b, texts, _font_size(b))
    return sum(minimum) > portrait_width_cm


#: body cells copied from the first formatted cell of their column and kind (see ``_table``);
#: ``False`` formats every cell through python-docx (the tests compare the two)
_COPY_CELLS = True


def _table(doc, b: Table, lang: str, font_size):
    from docx.enum.table import WD_TABLE_ALIGNMENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Emu, Pt
    from docx.table import _Cell

    _caption(doc, b.prefix, b.title, "Tabel" if lang == "id" else "Table")
    cols = b.columns
    table = doc.add_table(rows=1, cols=len(cols))
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    table.autofit = False
    texts = [[format_value(v, c, lang) for v, c in zip(row, cols)] for row in b.rows]
    widths = [Emu(int(w)) for w in column_widths(b, texts, _text_width(doc), font_size.pt)]
    def row_cells(row):
        # the cells of one row from its own <w:tc> elements: python-docx's ``_Row.cells``
        # walks the whole table each time (quadratic in the rows); no cell here is merged
        return [_Cell(tc, table) for tc in row._tr.tc_lst]

    hdr = table.rows[0]
    _repeat_header(hdr)
    rows = [row_cells(hdr)]
    for j, (cell, c) in enumerate(zip(rows[0], cols)):
        cell.text = clean(c.label)
        for r in cell.paragraphs[0].runs:
            r.bold = True
        if c.kind != "text":
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    def format_cell(cell, w):
        cell.width = w
        for par in cell.paragraphs:
            par.paragraph_format.space_after = Pt(0)
            for run in par.runs:
                run.font.size = font_size

    for cell, w in zip(rows[0], widths):
        format_cell(cell, w)
    # a body cell is one paragraph with one run (``_Cell.text``); its width, alignment, spacing
    # and font size depend only on its column and whether it is a number. The first such cell
    # is formatted through python-docx, later ones are copies of it with their own text (the
    # run's text set as python-docx sets it): the same XML, without python-docx's search for
    # each property's place among an element's children (~0.4 ms a cell)
    made: dict = {}

    def copied(key, text):
        tc = copy.deepcopy(made[key])
        tc.p_lst[0].r_lst[0].text = clean(text)
        return tc

    for row, trow in zip(b.rows, texts):
        keys = [(j, cell_kind(v, c)[1] != "text") for j, (v, c) in enumerate(zip(row, cols))]
        if _COPY_CELLS and all(k in made for k in keys):  # a row of copies (``Table.add_row``: a
            tr = table._tbl.add_tr()                       # bare ``w:tr``, then one ``w:tc`` a column)
            for k, s in zip(keys, trow):
                tr.append(copied(k, s))
            continue
        cells = row_cells(table.add_row())
        for cell, k, s, w in zip(cells, keys, trow, widths):
            if _COPY_CELLS and k in made:
                cell._tc.getparent().replace(cell._tc, copied(k, s))
                continue
            cell.text = clean(s)
            if k[1]:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
            format_cell(cell, w)
            made[k] = copy.deepcopy(cell._tc)
    for col, w in zip(table.columns, widths):
        col.width = w
    _rows_hold_together(table, keep_together=len(b.rows) <= KEEP_TOGETHER_ROWS)
    _apa_borders(table)
    if b.note:
        note = doc.add_paragraph()
        _md_runs(note, b.note)
        for r in note.runs:
            r.italic = True
            r.font.size = Pt(9)


def _remember_style_ids(doc) -> None:
    """Look each style name up once per document. python-docx resolves a style name on
    every ``add_paragraph(style=…)``/``paragraph.style = …`` by scanning every style of the
    document, and again to find the default style (~1.5 ms a paragraph: 0.2 s for a report's
    headings, captions and list items). No style is added or renamed while a report is
    written, so a name's id does not change; the same XML results."""
    part = doc.part
    lookup = part.get_style_id
    ids: dict = {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):
            return lookup(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in ids:
            ids[key] = lookup(style_or_name, style_type)
        return ids[key]

    part.get_style_id = get_style_id


def write_docx(blocks, path: Path, *, title: str, lang: str, font: str | None = None) -> Path:
    """Write the block list as ``report.docx`` (atomically)."""
    from docx import Document
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn
    from docx.shared import Cm, Pt

    cfg = settings()
    doc = Document()
    _remember_style_ids(doc)
    doc.core_properties.title = clean(title)[:255]
    doc.core_properties.author = "evalkit"
    doc.core_properties.language = "id-ID" if lang == "id" else "en-GB"
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    m = cfg["margins_cm"]
    sec.left_margin, sec.right_margin = Cm(m["left"]), Cm(m["right"])
    sec.top_margin, sec.bottom_margin = Cm(m["top"]), Cm(m["bottom"])
    font = font or cfg["font"]
    for name in ("Normal", "Title", "Subtitle", "Heading 1", "Heading 2", "Heading 3", "Caption", "List Bullet"):
        st = doc.styles[name]
        st.font.name = font
        rpr = st.element.get_or_add_rPr()
        rfonts = rpr.find(qn("w:rFonts"))
        if rfonts is None:
            rfonts = OxmlElement("w:rFonts")
            rpr.append(rfonts)
        for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
            rfonts.set(qn(attr), font)
        for attr in ("w:asciiTheme", "w:hAnsiTheme", "w:cstheme", "w:eastAsiaTheme"):
            rfonts.attrib.pop(qn(attr), None)
    doc.styles["Normal"].font.size = Pt(cfg["font_size_pt"])
    from docx.shared import RGBColor

    cap = doc.styles["Caption"]
    cap.font.size = Pt(cfg["font_size_pt"] - 1)
    cap.font.color.rgb = RGBColor(0, 0, 0)
    cap.font.italic = False
    cap.font.bold = False
    # Word refreshes fields (TOC, SEQ) when the document is opened
    upd = OxmlElement("w:updateFields")
    upd.set(qn("w:val"), "true")
    doc.settings.element.append(upd)

    from ...i18n import t as tr

    _page_footer(doc, tr("report_labels.page", lang, page="\x00", pages="\x01"))
    first_heading = True
    skip_links = False
    for b in blocks:
        if skip_links and isinstance(b, Bullets):  # the HTML contents' links: Word has its TOC field
            skip_links = False
            continue
        skip_links = False
        if isinstance(b, Heading):
            text = clean(b.text)
            if b.level == 1:
                h = doc.add_paragraph(text, style="Title")
            elif getattr(b, "subtitle", False):
                h = doc.add_paragraph(text, style="Subtitle")
            elif getattr(b, "toc", False) and "TOC Heading" in [st.name for st in doc.styles]:
                h = doc.add_paragraph(text, style="TOC Heading")  # a heading Word's TOC leaves out
            else:
                h = doc.add_heading(text, level=min(b.level - 1, 3))
            if b.page_break and not first_heading:
                h.paragraph_format.page_break_before = True
            first_heading = False
            if getattr(b, "toc", False):
                _toc(doc, _toc_entries(blocks), tr("report_labels.toc_update", lang))
                skip_links = True
        elif isinstance(b, Paragraph):
            from .html import paragraphs

            for para in paragraphs(b.text):
                _md_runs(doc.add_paragraph(), para)
        elif isinstance(b, Bullets):
            for item in b.items:
                _md_runs(doc.add_paragraph(style="List Bullet"), item)
        elif isinstance(b, KeyValues):
            t = doc.add_table(rows=0, cols=2)
            for k, v in b.pairs:
                cells = t.add_row().cells
                cells[0].text = clean(k)
                cells[0].paragraphs[0].runs[0].bold = True
                cells[1].text = clean(v)
            for row in t.rows:
                row.cells[0].width = Cm(5)
                row.cells[1].width = _text_width(doc) - Cm(5)
        elif isinstance(b, Callout):
            t = doc.add_table(rows=1, cols=1)
            t.style = doc.styles["Table Grid"]
            cell = t.rows[0].cells[0]
            cell.width = _text_width(doc)
            p = cell.paragraphs[0]
            p.add_run(clean(b.title)).bold = True
            for line in b.lines:
                _md_runs(cell.add_paragraph(style="List Bullet"), line)
            doc.add_paragraph()
        elif isinstance(b, Table):
            m = cfg["margins_cm"]
            landscape = needs_landscape(b, lang, 21.0 - m["left"] - m["right"], cfg["landscape_columns"])
            if landscape:
                _new_section(doc, landscape=True)
            _table(doc, b, lang, Pt(_font_size(b)))
            if landscape:
                _new_section(doc, landscape=False)
        elif isinstance(b, Figure):
            _caption(doc, b.prefix, b.title, "Gambar" if lang == "id" else "Figure")
            doc.add_picture(io.BytesIO(b.png), width=min(_text_width(doc), Cm(16)))
            doc.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
            inline = doc.inline_shapes[-1]._inline
            inline.docPr.set("descr", clean(b.alt))
            inline.docPr.set("title", clean(b.title)[:255])
        elif isinstance(b, Signature):
            # the place/date line in a row of its own, so that the roles, the signature space and
            # the name/NIP lines stand level in every column however the date line wraps
            t = doc.add_table(rows=2, cols=len(b.roles))
            t.rows[0].cells[-1].paragraphs[0].add_run(clean(b.place_date))
            for j, (cell, role) in enumerate(zip(t.rows[1].cells, b.roles)):
                cell.paragraphs[0].add_run(clean(role)).bold = True
                for _ in range(4):
                    cell.add_paragraph()
                cell.add_paragraph(f"{clean(b.name_label)}: ____________________")
                cell.add_paragraph(f"{clean(b.id_label)}: ____________________")
        elif isinstance(b, PageBreak):
            doc.add_page_break()
    with atomic.atomic_path(Path(path)) as tmp:
        doc.save(tmp)
    return Path(path)
