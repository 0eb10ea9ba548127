"""Word and Excel reports, figures with alt text, and reports/index.html."""
from __future__ import annotations

import json

import pandas as pd
import pytest

from evalkit.report.render import parse_formats
from evalkit.errors import ReportError

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def rendered(sample_reports):
    """smart-2026-angkatan-1 in English as the CLI rendered it, with its index (conftest)."""
    out, _, _ = sample_reports
    return out / "en" / "smart-2026-angkatan-1", out / "en"


def test_docx_has_the_reports_tables_headings_and_figures(rendered):
    from docx import Document

    folder, _ = rendered
    doc = Document(folder / "report.docx")
    text = "\n".join(p.text for p in doc.paragraphs)
    assert "Level 2 — Learning" in text and "Level 3 — Behaviour was not measured" in text
    assert "[" not in text.split("Contents")[1].split("\n")[1]  # links rendered as text
    html = (folder / "report.html").read_text()
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Table ")]
    assert len(captions) == html.count("<p class=\"evalkit-caption\">") and len(captions) >= 4
    # data tables repeat their header row on every page; layout tables (cover, verdict, signature) do not
    data = [t for t in doc.tables if t.rows[0]._tr.xpath("./w:trPr/w:tblHeader")]
    assert len(data) == len(captions)
    headers = [[c.text for c in t.rows[0].cells] for t in data]
    assert headers[0][:2] == ["Level", "Measure"]  # the scorecard is the first data table
    assert any(h[0] == "Dimension" for h in headers)
    assert len(doc.inline_shapes) >= 5
    alts = [s._inline.docPr.get("descr") for s in doc.inline_shapes]
    assert all(a and len(a) > 30 for a in alts)


def test_xlsx_has_a_readme_and_one_sheet_per_table(rendered):
    folder, _ = rendered
    sheets = pd.read_excel(folder / "report.xlsx", sheet_name=None, header=None)
    names = list(sheets)
    assert names[0] == "README"
    html = (folder / "report.html").read_text()
    assert len(names) - 1 == html.count("<p class=\"evalkit-caption\">")
    readme = sheets["README"].astype(str).to_string()
    for n in names[1:]:
        assert n in readme
    t1 = sheets[names[1]]
    assert str(t1.iloc[0, 0]).startswith("Table 1.")


def test_figures_saved_as_png_and_svg_with_alt_text(rendered):
    folder, _ = rendered
    figs = sorted((folder / "figures").iterdir())
    stems = {p.stem for p in figs}
    assert any("funnel" in s for s in stems) and any("likert" in s for s in stems)
    for stem in stems:
        assert (folder / "figures" / f"{stem}.png").stat().st_size > 10_000
        assert (folder / "figures" / f"{stem}.svg").read_text().lstrip().startswith("<?xml")
        assert len((folder / "figures" / f"{stem}.txt").read_text().strip()) > 30
    from PIL import Image

    dpi = Image.open(next(p for p in figs if p.suffix == ".png")).info.get("dpi")
    assert dpi and round(dpi[0]) == 300


def test_index_lists_programs_with_links(rendered):
    folder, out = rendered
    index = (out / "index.html").read_text()
    assert "smart-2026-angkatan-1/report.html" in index and "report.docx" in index and "report.xlsx" in index
    m = json.loads((folder / "metrics.json").read_text())
    assert m["program_name"] in index


def test_colophon_and_contents(rendered):
    folder, _ = rendered
    html = (folder / "report.html").read_text()
    assert "Colophon" in html and "evalkit report data/raw/smart-2026-angkatan-1 --out reports --lang en" in html
    m = json.loads((folder / "metrics.json").read_text())
    for i in m["inputs"]:
        assert i["sha256"] in html
    assert 'href="#Level-2-%E2%80%94-Learning"' in html and 'id="Level-2-%E2%80%94-Learning"' in html


def test_bad_format_is_refused():
    with pytest.raises(ReportError, match="pdf"):
        parse_formats("html,pdf")
    assert parse_formats("xlsx") == ["html", "xlsx"]
