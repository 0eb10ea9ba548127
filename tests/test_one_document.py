"""One document, three formats: every sample rendered as HTML, Word and Excel from one block
list; every table and figure caption appears in all of them, and every number a reader sees
in a table is the same number in HTML, Word and Excel (Excel keeps the number itself, with a
number format; compared at the precision the report shows)."""
from __future__ import annotations

import re
import zipfile

import pytest

from conftest import PROGRAMS

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rendered(sample_reports):
    """The samples as the CLI rendered them (conftest): smart in English, the others in Indonesian."""
    out, _, _ = sample_reports
    folders = {}
    for p in PROGRAMS:
        lang = "en" if p.name.startswith("smart") else "id"
        folders[p.name] = ((out / "en" if lang == "en" else out) / p.name, lang)
    return folders


def html_tables(path):
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
    tables = []
    for div in soup.select("div.evalkit-apa"):
        caption = div.select_one("p.evalkit-caption").get_text(" ", strip=True)
        rows = [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in div.select("tbody tr")]
        head = [th.get_text(strip=True) for th in div.select("thead th")]
        tables.append((caption, head, rows))
    figures = [f.select_one("figcaption").get_text(" ", strip=True) for f in soup.select("figure.evalkit-figure")]
    return tables, figures


def docx_tables(path):
    from docx import Document

    doc = Document(path)
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption"]
    body_tables = []
    for t in doc.tables:
        rows = [[c.text for c in r.cells] for r in t.rows]
        body_tables.append(rows)
    return captions, body_tables


def xlsx_sheets(path):
    import openpyxl

    wb = openpyxl.load_workbook(path)
    return wb


def _number(text: str, lang: str):
    """The number in a report cell as written for ``lang`` → (value, decimals, is_percent, bound)."""
    s = text.strip()
    bound = "<" if s.startswith("<") else None
    s = s.lstrip("<> ").replace("Rp", "").replace("d_z =", "").strip()
    pct = s.endswith("%")
    s = s.rstrip("%").strip().replace("−", "-")
    if lang == "id":
        s = s.replace(".", "").replace(",", ".")
    else:
        s = s.replace(",", "")
    if s.startswith("-."):
        s = "-0" + s[1:]
    elif s.startswith("."):
        s = "0" + s
    if not re.fullmatch(r"-?\d+(\.\d+)?", s):
        return None
    decimals = len(s.split(".")[1]) if "." in s else 0
    return float(s), decimals, pct, bound


def test_captions_are_the_same_in_html_docx_and_xlsx(rendered):
    for pid, (folder, lang) in rendered.items():
        tables, figures = html_tables(folder / "report.html")
        captions, _ = docx_tables(folder / "report.docx")
        wb = xlsx_sheets(folder / "report.xlsx")
        html_caps = [c for c, _, _ in tables]
        assert len(html_caps) >= 8, pid
        prefix = "Tabel" if lang == "id" else "Table"
        fig_prefix = "Gambar" if lang == "id" else "Figure"
        assert [c for c in captions if c.startswith(prefix)] == html_caps, pid
        assert [c for c in captions if c.startswith(fig_prefix)] == figures, pid
        assert [ws["A1"].value for ws in wb.worksheets[1:]] == html_caps, pid
        # numbered in order, each once
        assert [int(re.match(rf"{prefix} (\d+)\.", c).group(1)) for c in html_caps] == list(range(1, len(html_caps) + 1))
        assert [int(re.match(rf"{fig_prefix} (\d+)\.", c).group(1)) for c in figures] == list(range(1, len(figures) + 1))


def test_every_table_cell_is_the_same_in_html_and_docx(rendered):
    for pid, (folder, lang) in rendered.items():
        tables, _ = html_tables(folder / "report.html")
        _, dtables = docx_tables(folder / "report.docx")
        # Word also has layout tables (cover identity, verdict box, signature): match by header
        data = [t for t in dtables if len(t) > 0]
        i = 0
        for caption, head, rows in tables:
            while i < len(data) and data[i][0] != head:
                i += 1
            assert i < len(data), (pid, caption)
            assert data[i][1:] == rows, (pid, caption)
            i += 1


def test_every_number_is_the_same_number_in_excel(rendered):
    """Each number cell of each sheet equals the number the HTML shows in that place (to the
    decimals shown); no text cell in Excel holds a bare number."""
    checked = 0
    for pid, (folder, lang) in rendered.items():
        tables, _ = html_tables(folder / "report.html")
        wb = xlsx_sheets(folder / "report.xlsx")
        for (caption, head, rows), ws in zip(tables, wb.worksheets[1:]):
            xhead = [c.value for c in ws[3]]
            # map each Excel column to (HTML column, part of a CI pair)
            mapping, j = [], 0
            for h_i, h in enumerate(head):
                if j < len(xhead) and str(xhead[j]).strip() == h:
                    mapping.append((h_i, None))
                    j += 1
                else:  # a CI column: two Excel columns
                    mapping += [(h_i, 0), (h_i, 1)]
                    j += 2
            assert len(mapping) == len(xhead), (pid, caption, head, xhead)
            for r_i, row in enumerate(rows):
                xrow = [c for c in ws[4 + r_i]][:len(mapping)]
                for (h_i, part), cell in zip(mapping, xrow):
                    text = row[h_i]
                    if part is not None:
                        if text == "–":
                            assert cell.value is None
                            continue
                        text = text.strip("[]").split("; " if lang == "id" else ", ")[part]
                    v = cell.value
                    if isinstance(v, (int, float)):
                        parsed = _number(text, lang)
                        assert parsed is not None, (pid, caption, text, v)
                        value, decimals, pct, bound = parsed
                        shown = 100 * v if "%" in cell.number_format else v
                        assert pct == ("%" in cell.number_format), (pid, caption, text, cell.number_format)
                        if bound == "<":
                            assert shown < value
                        else:
                            assert abs(shown - value) <= 0.5 * 10 ** -decimals + 1e-9, (pid, caption, text, v)
                        if "Rp" in text:
                            assert "Rp" in cell.number_format
                        checked += 1
                    elif v is None:
                        assert text in ("–", ""), (pid, caption, text)
                    else:
                        assert _number(str(v), lang) is None or str(v) == text, (pid, caption, v)
    assert checked > 300


def test_excel_figures_are_number_cells(rendered):
    """≥ 95 % of the figure cells in every workbook are number cells (a figure cell: a number
    cell, or a text cell that is only a number written as text)."""
    for pid, (folder, lang) in rendered.items():
        wb = xlsx_sheets(folder / "report.xlsx")
        numbers = texts = 0
        for ws in wb.worksheets[1:]:
            for row in ws.iter_rows(min_row=4):
                for c in row:
                    if isinstance(c.value, bool) or c.value is None:
                        continue
                    if isinstance(c.value, (int, float)):
                        numbers += 1
                        assert c.number_format != "General", (pid, ws.title, c.coordinate)
                    elif re.search(r"\d", str(c.value)) and re.fullmatch(r"[\s\d.,%<>=\-–−\[\];Rp]+", str(c.value)):
                        texts += 1
        assert numbers / (numbers + texts) >= 0.95, (pid, numbers, texts)
        assert numbers >= 100, pid
        for ws in wb.worksheets[1:]:
            assert ws.freeze_panes == "A4", ws.title  # header row frozen
        readme = [str(c.value) for row in wb["README"].iter_rows() for c in row if c.value]
        assert any("Rp" in r for r in readme) and any("0.0%" in r for r in readme)


def test_docx_is_a4_with_official_margins_headings_and_alt_text(rendered):
    from docx import Document
    from docx.shared import Cm

    folder, lang = rendered["pkp-2026-angkatan-1"]
    doc = Document(folder / "report.docx")
    for s in doc.sections:
        short, long_ = sorted([s.page_width, s.page_height])
        assert abs(short - Cm(21)) < Cm(0.05) and abs(long_ - Cm(29.7)) < Cm(0.05)
        assert abs(s.left_margin - Cm(4)) < Cm(0.05) and abs(s.top_margin - Cm(3)) < Cm(0.05)
    styles = {p.style.name for p in doc.paragraphs}
    assert {"Title", "Heading 1", "Heading 2", "Caption"} <= styles
    heads = [p.text for p in doc.paragraphs if p.style.name == "Heading 1"]
    for h in ("Ringkasan eksekutif", "Pendahuluan", "Metodologi", "Profil peserta", "Kesimpulan", "Rekomendasi",
              "Keterbatasan", "Lampiran", "Pengesahan"):
        assert h in heads, h
    xml = zipfile.ZipFile(folder / "report.docx").read("word/document.xml").decode()
    assert "SEQ Tabel" in xml and "SEQ Gambar" in xml and "TOC \\o" in xml
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert alts and all(a and len(a) > 20 for a in alts)
    assert doc.styles["Normal"].font.name == "Arial"


def test_english_headings(rendered):
    from docx import Document

    folder, lang = rendered["smart-2026-angkatan-1"]
    assert lang == "en"
    heads = [p.text for p in Document(folder / "report.docx").paragraphs if p.style.name == "Heading 1"]
    for h in ("Executive summary", "Introduction", "Methodology", "Participant profile", "Conclusions",
              "Recommendations", "Limitations", "Appendix", "Approval"):
        assert h in heads, h
    html = (folder / "report.html").read_text()
    assert "Post-Training Evaluation Report" in html and "Tabel" not in html


def test_wide_table_gets_a_landscape_section_and_fits_the_page(tmp_path):
    from docx import Document

    from evalkit.report.blocks import Column, Table
    from evalkit.report.writers.docx import settings, write_docx

    n = settings()["landscape_columns"] + 3
    wide = Table(1, "Tabel 1", "Lebar", [Column("Nama")] + [Column(f"K{i}", "number") for i in range(n - 1)],
                 [["baris"] + [1.5] * (n - 1)])
    narrow = Table(2, "Tabel 2", "Sempit", [Column("Nama"), Column("Nilai", "number")], [["a", 1.0]])
    write_docx([wide, narrow], tmp_path / "w.docx", title="t", lang="id")
    doc = Document(tmp_path / "w.docx")
    landscape = [s for s in doc.sections if s.page_width > s.page_height]
    assert len(landscape) == 1 and doc.sections[-1].page_width < doc.sections[-1].page_height
    for t, sec in zip(doc.tables, (landscape[0], doc.sections[-1])):
        width = sum(c.width for c in t.columns)
        assert width <= sec.page_width - sec.left_margin - sec.right_margin + 100


def test_executive_summary_opens_with_the_verdict_in_words(rendered):
    """The first thing under *Ringkasan eksekutif* is the verdict block; the strong cohort is
    judged (partly) effective, the weak one not effective; every key is worded (no raw
    criterion, reason or recommendation key reaches the reader)."""
    from bs4 import BeautifulSoup

    want = {"pkp-2026-angkatan-1": ("efektif", "efektif sebagian"), "pkp-2026-angkatan-2": ("tidak efektif",)}
    for pid, (folder, lang) in rendered.items():
        soup = BeautifulSoup((folder / "report.html").read_text(encoding="utf-8"), "html.parser")
        h = soup.find("h2", string="Ringkasan eksekutif" if lang == "id" else "Executive summary")
        box = h.find_next_sibling()
        assert "evalkit-callout" in box.get("class", []), pid
        text = box.get_text(" ", strip=True)
        if pid in want:
            first = box.select_one("li").get_text(" ", strip=True)
            assert any(f"Keseluruhan: {w} " in first + " " for w in want[pid]), (pid, first)
        body = soup.get_text(" ", strip=True)
        keys = re.findall(r"\b(?:l\d_[a-z_]+|rec_[a-z0-9_]+|concl_[a-z_]+|design_[a-z_]+|overall_[a-z_]+)\b", body)
        assert not keys, (pid, keys[:5])
        assert "(Kriteria:" in text or "(Criterion:" in text


def test_notebook_shows_the_same_blocks(rendered):
    """report.ipynb's outputs are the HTML writer's rendering of the same blocks: the same
    tables (captions and cells) and figures as report.html."""
    import json

    from bs4 import BeautifulSoup

    folder, _ = rendered["pkp-2026-angkatan-1"]
    nb = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
    html = "".join("".join(o.get("data", {}).get("text/html", "")) for c in nb["cells"] for o in c.get("outputs", []))
    soup = BeautifulSoup(html, "html.parser")
    nb_tables = [(d.select_one("p.evalkit-caption").get_text(" ", strip=True),
                  [[td.get_text(strip=True) for td in tr.find_all("td")] for tr in d.select("tbody tr")])
                 for d in soup.select("div.evalkit-apa")]
    tables, figures = html_tables(folder / "report.html")
    assert nb_tables == [(c, rows) for c, _, rows in tables]
    assert [f.select_one("figcaption").get_text(" ", strip=True) for f in soup.select("figure")] == figures


def test_docx_writer_takes_an_overlong_title_and_control_characters(tmp_path):
    from docx import Document

    from evalkit.report.blocks import Heading, Paragraph
    from evalkit.report.writers.docx import write_docx
    from evalkit.report.writers.xlsx import write_xlsx

    name = "Pelatihan " * 40 + "\x07\x0b"
    write_docx([Heading(1, name), Paragraph(f"**{name}**")], tmp_path / "t.docx", title=name, lang="id")
    doc = Document(tmp_path / "t.docx")
    assert len(doc.core_properties.title) <= 255 and "\x07" not in doc.paragraphs[0].text
    write_xlsx([Heading(1, name)], tmp_path / "t.xlsx", title=name, lang="id", meta={"=x": name})


def test_docx_style_ids_looked_up_once_give_the_same_document(tmp_path, monkeypatch):
    """write_docx remembers each style name's id (python-docx scans every style per lookup):
    the document is the same as with python-docx's own lookup, for every style the writer uses."""
    from evalkit.report.blocks import Bullets, Callout, Column, Heading, Paragraph, Table
    from evalkit.report.writers import docx as writer

    blocks = [Heading(1, "Laporan", subtitle=False), Heading(2, "Program A", subtitle=True),
              Heading(2, "Isi", toc=True), Heading(2, "Ringkasan"), Heading(3, "Level 1"), Heading(4, "Materi"),
              Paragraph("**tebal** dan *miring*"), Bullets(["satu", "dua"]),
              Callout("note", "Catatan", ["- butir", "teks"]),
              Table(1, "Tabel 1", "Skor", [Column("Aspek"), Column("Rerata", "number")], [["a", 4.25], ["b", 3.5]],
                    note="*n* = 2")] * 3

    def document(path):
        with zipfile.ZipFile(path) as z:
            return z.read("word/document.xml")

    writer.write_docx(blocks, tmp_path / "remembered.docx", title="t", lang="id")
    monkeypatch.setattr(writer, "_remember_style_ids", lambda doc: None)
    writer.write_docx(blocks, tmp_path / "plain.docx", title="t", lang="id")
    remembered, plain = document(tmp_path / "remembered.docx"), document(tmp_path / "plain.docx")
    assert remembered == plain
    for style in (b"Title", b"Subtitle", b"TOCHeading", b"Heading1", b"Heading2", b"Heading3", b"Caption",
                  b"ListBullet"):
        assert b'w:pStyle w:val="' + style + b'"' in remembered, style


def test_docx_body_cells_copied_are_the_cells_python_docx_writes(tmp_path, monkeypatch):
    """Body cells after the first of their column and kind are copies with their own text:
    the same document.xml as formatting every cell through python-docx (mixed kinds in a
    column, empty cells, tabs and line breaks, control characters, a wide table)."""
    from evalkit.report.blocks import Column, Table, V
    from evalkit.report.writers import docx as writer

    cols = [Column("Aspek"), Column("Rerata", "number"), Column("n", "int"), Column("Catatan")]
    rows = [["a", 4.25, 10, "baris\nkedua"], ["b", None, 3, ""], ["c\td", V("—", "text"), 0, "x\x07y"],
            ["", V(0.5, "percent", 1), 7, "  spasi  "], ["e", 1e-9, -2, "=1+1"]] * 4
    wide = [Column(f"K{j}", "number") for j in range(11)]
    blocks = [Table(1, "Tabel 1", "Campuran", cols, rows, note="*n* = 20"),
              Table(2, "Tabel 2", "Lebar", wide, [[j * 1.5 + i for j in range(11)] for i in range(6)])]

    def document(path):
        with zipfile.ZipFile(path) as z:
            return z.read("word/document.xml")

    writer.write_docx(blocks, tmp_path / "copied.docx", title="t", lang="id")
    monkeypatch.setattr(writer, "_COPY_CELLS", False)
    writer.write_docx(blocks, tmp_path / "each.docx", title="t", lang="id")
    copied, each = document(tmp_path / "copied.docx"), document(tmp_path / "each.docx")
    assert copied == each
    assert copied.count(b"<w:tc>") == 21 * 4 + 7 * 11 and b"<w:br/>" in copied and b"<w:tab/>" in copied


def test_docx_text_column_holds_its_widest_word():
    """A short column of wide words ("Outcome": O and m are wide letters) is made wide enough
    for the word as Arial prints it, so that no word is broken inside ("Outcom|e"); an average
    character width alone makes it too narrow."""
    from evalkit.report.blocks import Column, Table
    from evalkit.report.writers.docx import _word_cm, column_widths

    assert _word_cm("mmmm", 10) > 2 * _word_cm("iiii", 10) > 0  # real metrics, not a count of letters
    # Helvetica/Arial: "Outcome" is 4.057 em; at 10 pt that is 1.43 cm (+4 % to spare)
    assert abs(_word_cm("Outcome", 10) - 4.057 * 10 * 0.03528 * 1.04) < 1e-9
    long_text = "Persentase proyek perubahan yang berjalan sesuai rencana aksi peserta"
    b = Table(1, "Tabel 1", "t", [Column("Indikator"), Column("Level"), Column("Sasaran strategis"),
                                   Column("Capaian", "number")],
              [[long_text, "Outcome", long_text, 101.0], [long_text, "Output", long_text, 90.0]])
    texts = [[str(x) for x in r] for r in b.rows]
    width = int(16.5 / 2.54 * 914400)  # an A4 portrait text width, EMU
    widths = column_widths(b, texts, width, 10)
    cm = [w / 360000 for w in widths]
    assert cm[1] - 0.45 >= _word_cm("Outcome", 10)
    assert abs(sum(cm) - 16.5) < 1e-6  # the columns still fill the text width


def test_docx_number_column_holds_its_header_words():
    """A narrow number column under a header of long bold words ("Sebelum", "Sesudah",
    "Responses") is made wide enough for each word in bold Arial, so that LibreOffice does not
    break "Sebelu|m"; the values alone would make it about four characters wide."""
    from evalkit.report.blocks import Column, Table
    from evalkit.report.writers.docx import _word_cm, column_widths

    b = Table(1, "Tabel 1", "t", [Column("Aspek"), Column("Sebelum", "number"), Column("Sesudah", "number"),
                                   Column("Responses", "number")],
              [["Berorientasi pelayanan", 3.2, 4.1, 12.0], ["Akuntabel", 3.5, 4.0, 9.0]])
    texts = [[str(x) for x in r] for r in b.rows]
    width = int(16.5 / 2.54 * 914400)
    cm = [w / 360000 for w in column_widths(b, texts, width, 10)]
    for j, word in ((1, "Sebelum"), (2, "Sesudah"), (3, "Responses")):
        assert cm[j] - 0.45 + 1e-9 >= _word_cm(word, 10, bold=True) > 4 * 0.55 * 10 * 0.03528
    assert abs(sum(cm) - 16.5) < 1e-6


def test_docx_rows_are_never_split_and_short_tables_stay_together(tmp_path):
    """Every row of every table carries ``w:cantSplit`` (no row broken across pages); a short
    table's rows are kept with the next (``w:keepNext`` on each paragraph but the last row's),
    a long one's are not (it may run over pages, by whole rows)."""
    import zipfile

    from lxml import etree

    from evalkit.report.blocks import Column, Table
    from evalkit.report.writers.docx import KEEP_TOGETHER_ROWS, write_docx

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    cols = [Column("Aspek"), Column("Nilai", "number")]
    short = Table(1, "Tabel 1", "short", cols, [[f"aspek {i}", float(i)] for i in range(4)])
    long = Table(2, "Tabel 2", "long", cols, [[f"aspek {i}", float(i)] for i in range(KEEP_TOGETHER_ROWS + 5)])
    write_docx([short, long], tmp_path / "t.docx", title="t", lang="id")
    root = etree.fromstring(zipfile.ZipFile(tmp_path / "t.docx").read("word/document.xml"))
    tables = root.iter(f"{W}tbl")
    for tbl, n_body, kept in zip(tables, (4, KEEP_TOGETHER_ROWS + 5), (True, False)):
        trs = tbl.findall(f"{W}tr")
        assert len(trs) == n_body + 1
        assert all(tr.find(f"{W}trPr/{W}cantSplit") is not None for tr in trs)
        keep = [all(p.find(f"{W}pPr/{W}keepNext") is not None for p in tr.iter(f"{W}p")) for tr in trs]
        assert keep == ([True] * n_body + [False] if kept else [False] * (n_body + 1))


def test_docx_pages_are_numbered_in_every_section(tmp_path):
    """Every page's footer reads "Halaman N dari M" (PAGE and NUMPAGES fields), landscape
    sections included (linked to the first section's footer); English: "Page N of M"."""
    import zipfile

    from docx import Document

    from evalkit.report.blocks import Column, Table
    from evalkit.report.writers.docx import settings, write_docx

    n = settings()["landscape_columns"] + 3
    wide = Table(1, "Tabel 1", "Lebar", [Column("Nama")] + [Column(f"K{i}", "number") for i in range(n - 1)],
                 [["baris"] + [1.5] * (n - 1)])
    narrow = Table(2, "Tabel 2", "Sempit", [Column("Nama"), Column("Nilai", "number")], [["a", 1.0]])
    for lang, words in (("id", ("Halaman ", " dari ")), ("en", ("Page ", " of "))):
        path = tmp_path / f"{lang}.docx"
        write_docx([narrow, wide, narrow], path, title="t", lang=lang)
        doc = Document(path)
        assert len(doc.sections) >= 3  # portrait, landscape, portrait
        assert all(s.footer.is_linked_to_previous for s in doc.sections[1:])
        footer = doc.sections[0].footer.paragraphs[0]
        assert footer.text.startswith(words[0]) and words[1] in footer.text
        parts = [n for n in zipfile.ZipFile(path).namelist() if n.startswith("word/footer")]
        xml = zipfile.ZipFile(path).read(parts[0]).decode()
        assert len(parts) == 1 and " PAGE " in xml.replace("\\* ARABIC", "") and "NUMPAGES" in xml


def test_docx_table_of_contents_lists_the_headings_before_word_updates_it(tmp_path):
    """The TOC field's cached result (what LibreOffice or a preview shows) lists every heading
    below the title, indented by level, and ends with the update hint; begin, separate and end
    of the one field enclose them, across paragraphs."""
    import zipfile

    from lxml import etree

    from evalkit.report.blocks import Heading, Paragraph
    from evalkit.report.writers.docx import write_docx

    W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
    blocks = [Heading(1, "Laporan"), Heading(2, "Sampul", subtitle=True), Heading(2, "Daftar isi", toc=True),
              Heading(2, "Ringkasan"), Paragraph("teks"), Heading(3, "Latar belakang"), Heading(2, "Level 1 — Reaksi")]
    write_docx(blocks, tmp_path / "t.docx", title="t", lang="id")
    body = etree.fromstring(zipfile.ZipFile(tmp_path / "t.docx").read("word/document.xml")).find(f"{W}body")
    paras = body.findall(f"{W}p")
    kinds = [[f.get(f"{W}fldCharType") for f in p.iter(f"{W}fldChar")] for p in paras]
    start = next(i for i, k in enumerate(kinds) if k[:2] == ["begin", "separate"])
    end = next(i for i, k in enumerate(kinds) if "end" in k and i >= start)
    assert "TOC" in "".join(paras[start].itertext())
    shown = ["".join(t.text or "" for t in p.iter(f"{W}t")) for p in paras[start:end + 1]]
    assert shown[:3] == ["Ringkasan", "Latar belakang", "Level 1 — Reaksi"]
    assert "Perbarui" in shown[-1] and len(shown) == 4  # the hint, last; subtitle and "Daftar isi" left out
    ind = [p.find(f"{W}pPr/{W}ind") for p in paras[start:end]]
    assert ind[1] is not None and int(ind[1].get(f"{W}left")) > 0  # the level-2 heading indented
