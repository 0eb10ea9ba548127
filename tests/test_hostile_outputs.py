"""Hostile input, safe output: a mutated copy of a sample program carries script, HTML,
Markdown-link and spreadsheet-formula payloads in every place a user writes text (survey
comments, program.yaml name/institution/cohort/description/intangibles, scale labels, a data
file's name, indicator names and goals, extra_costs keys). Every output is rendered and
attacked as its reader would open it:

* each HTML (report, index, dashboard) in headless Chromium, every link clicked: no dialog,
  no ``window.__x`` flag set by a payload, no script element, the CSP in place;
* the notebook's outputs: no live markup from user text;
* the XLSX unzipped: no ``<f>`` formula element anywhere, no cell text starting with ``=``;
* the DOCX: user text only as escaped run text, no field but SEQ/TOC, no hyperlink;
* the SVG figures: no script, no event handler, no foreign object;
* the program folder (data/raw) byte-identical, and outputs refused inside it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import yaml

from conftest import RAW, tree_checksums

pytestmark = pytest.mark.e2e


#: payloads that run script if a writer lets them through; each sets window.__x (or the
#: parent's) and raises a dialog
XSS = [
    "<script>window.__x=1;alert(1)</script>",
    '<iframe srcdoc="<script>parent.__x=1;alert(1)</script>"></iframe>',
    '<details open ontoggle="window.__x=1;alert(1)">x</details>',
    "</textarea><script>window.__x=1;alert(1)</script>",
    "</title><script>window.__x=1;alert(1)</script>",
    "[klik di sini](javascript:window.__x=1;alert(1))",
    '<img src=x onerror="window.__x=1;alert(1)">',
    "<svg onload=window.__x=1>",
    "</style><script>window.__x=1</script>",
    "`</code><script>window.__x=1</script>`",
]
FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://evil.example","x")', "+1+1", "-2+3", "@SUM(1+1)",
            "\t=1+1", "\r=1+1"]
FILE_NAME = "biaya`<img src=x onerror=window.__x=1>`.csv"


def _hostile_copy(dst_root: Path) -> Path:
    src = RAW / "pkp-2026-angkatan-1"
    dst = dst_root / "raw" / "hostile-program"
    shutil.copytree(src, dst)
    spec = yaml.safe_load((dst / "program.yaml").read_text(encoding="utf-8"))
    spec["name"] = "PKP </title><script>window.__x=1;alert(1)</script>"
    spec["institution"] = "=cmd|' /C calc'!A0 <iframe srcdoc=\"<script>parent.__x=1</script>\"></iframe>"
    spec["cohort"] = "<svg onload=window.__x=1> Angkatan"
    spec["description"] = "Latar [x](javascript:window.__x=1) <script>window.__x=1</script> **tebal**"
    spec["instruments"]["reaksi"]["scales"]["materi"]["label"] = {
        "id": '=HYPERLINK("http://evil.example")<script>window.__x=1</script>', "en": "+Materials<b onmouseover=x>"}
    spec["level5"]["intangibles"] = [XSS[2], XSS[5], "=1+1", "@SUM(A1)", "\t=1+1", "\r=2+2"]
    spec["level5"]["extra_costs"] = {"=cmd|' /C calc'!A0": 1000000, "+HYPERLINK(1)": 2000000, "@x": 500000,
                                     "-1+2": 250000}
    # a data file name that breaks out of a code span if the colophon trusts it
    (dst / "biaya.csv").rename(dst / FILE_NAME)
    spec["costs"]["file"] = FILE_NAME
    (dst / "program.yaml").write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    # survey comments
    f = dst / "evaluasi_penyelenggaraan.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    col = "Saran dan masukan"
    for i, p in enumerate(XSS + FORMULAS[:5]):  # tab and CR go into YAML text below
        df.loc[i % len(df), col] = p if i < len(df) else df.loc[i % len(df), col] + " " + p
    df.to_csv(f, index=False)
    # indicators: names, goals and units starting with formula characters
    f = dst / "indikator_kinerja.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df.loc[0, "indicator"] = FORMULAS[0]
    df.loc[1, "indicator"] = XSS[0]
    df.loc[0, "strategic_goal"] = "@SUM(1+1)"
    df.loc[1, "strategic_goal"] = XSS[6]
    df.loc[2, "indicator"] = "--><script>window.__x=1</script><!-- ]]><script>window.__x=1</script>"
    df.loc[0, "unit"] = "+1"
    df.to_csv(f, index=False)
    # instructor subject (free text)
    f = dst / "evaluasi_widyaiswara.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df["Mata Pelatihan"] = df["Mata Pelatihan"].where(df.index % 2 == 1, "=cmd|' /C calc'!A0")
    df.to_csv(f, index=False)
    return dst


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    from evalkit.report.index import build_index
    from evalkit.report.render import render_report

    root = tmp_path_factory.mktemp("hostile")
    program = _hostile_copy(root)
    before = tree_checksums(program)
    raw_before = tree_checksums(RAW)
    out = root / "reports"
    processed = root / "processed"
    render_report(program, out, formats="html,docx,xlsx", processed_dir=processed)
    render_report(program, out / "en", lang="en", formats="html,docx,xlsx")
    build_index(out, lang="id")
    dash = None
    if os.environ.get("EVALKIT_SKIP_DASHBOARD") != "1":
        from evalkit.report.dashboard import render_dashboard

        dash = render_dashboard(processed, out, lang="en")
    return {"program": program, "before": before, "raw_before": raw_before, "out": out,
            "folders": [out / program.name, out / "en" / program.name], "dashboard": dash, "processed": processed}


def _htmls(h):
    files = [f / "report.html" for f in h["folders"]] + [h["out"] / "index.html"]
    if h["dashboard"]:
        files.append(h["dashboard"])
    return files


def test_payloads_reached_the_outputs_as_text(hostile):
    """The attack is real: the payloads are in the report (shown as text, not dropped)."""
    html = (hostile["folders"][0] / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;window.__x=1" in html
    assert "ontoggle" in html and "&lt;details open ontoggle" in html
    assert "=cmd|" in html
    from bs4 import BeautifulSoup

    codes = [c.get_text() for c in BeautifulSoup(html, "html.parser").find_all("code")]
    assert FILE_NAME in codes  # the file name shown whole, as code


def _live_markup(html: str) -> list[str]:
    """Elements and attributes in ``html`` that could run script or load a document."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    bad = [f"<{t.name}>" for t in soup.find_all(["script", "iframe", "object", "embed", "svg", "details", "frame",
                                                  "base", "form", "textarea", "math", "link"])]
    for tag in soup.find_all(True):
        for attr, value in tag.attrs.items():
            v = " ".join(value) if isinstance(value, list) else str(value)
            if attr.lower().startswith("on") or attr.lower() in ("srcdoc", "formaction"):
                bad.append(f"{tag.name}[{attr}]")
            if attr.lower() in ("href", "src", "action", "xlink:href") and re.match(r"\s*(javascript|vbscript|data:text)", v, re.I):
                bad.append(f"{tag.name}[{attr}={v[:30]}]")
    return bad


def test_html_has_no_script_and_a_csp(hostile):
    for f in _htmls(hostile):
        text = f.read_text(encoding="utf-8")
        assert _live_markup(text) == [], f
        from bs4 import BeautifulSoup

        meta = BeautifulSoup(text, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert meta is not None and "script-src 'none'" in meta["content"], f
        assert "default-src 'none'" in meta["content"]


def test_nothing_runs_in_chromium_even_after_clicking_every_link(hostile, browser):
    for f in _htmls(hostile):
        page = browser.new_page()
        dialogs = []
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(f.as_uri())
        page.wait_for_load_state("load")
        page.wait_for_timeout(200)
        assert page.evaluate("window.__x") is None, f
        assert page.evaluate("document.scripts.length") == 0, f
        assert page.evaluate("document.querySelectorAll('iframe, object, embed').length") == 0, f
        hrefs = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
        for h in hrefs:
            assert h and re.match(r"^(#|https?:|mailto:|[\w%.-]+(/[\w%.-]+)*$)", h), (f, h)
        # also open every details element (ontoggle payloads need a toggle)
        page.evaluate("document.querySelectorAll('details').forEach(d => d.open = !d.open)")
        for i, h in enumerate(hrefs):
            if h.endswith((".docx", ".xlsx")):
                continue
            if page.url.split("#")[0] != f.as_uri():  # the last click left the report: open it again
                page.goto(f.as_uri())
            link = page.query_selector_all("a")[i]
            if not link.is_visible():  # a link that cannot be clicked (hidden) is no risk
                continue
            try:
                link.click(timeout=2000)
                page.wait_for_timeout(100)
            except Exception:  # covered by another element, or gone: no risk either
                continue
            assert page.evaluate("window.__x") is None, (f, h)
        assert not dialogs, (f, dialogs)
        page.close()


def test_notebook_outputs_carry_no_live_markup(hostile):
    for folder in hostile["folders"]:
        nb = json.loads((folder / "report.ipynb").read_text(encoding="utf-8"))
        outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
        html = "".join("".join(o.get("data", {}).get("text/html", "")) for o in outputs)
        assert "&lt;script&gt;" in html  # the payload is there, escaped
        assert _live_markup(html) == []
        # no markdown output that a notebook viewer would render with its own rules
        assert not any("text/markdown" in o.get("data", {}) for o in outputs)


def test_xlsx_has_no_formula_and_no_cell_starting_with_equals(hostile):
    import openpyxl

    for folder in hostile["folders"]:
        path = folder / "report.xlsx"
        with zipfile.ZipFile(path) as z:
            for name in z.namelist():
                if name.endswith(".xml"):
                    xml = z.read(name).decode("utf-8")
                    assert not re.search(r"<f[\s>/]", xml), (name, "formula element")
                    assert "ddeLink" not in xml and "externalLink" not in name
        wb = openpyxl.load_workbook(path)
        seen_payload = False
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if isinstance(c.value, str):
                        assert not c.value.startswith(("=", "+", "-", "@", "\t", "\r")), (ws.title, c.coordinate, c.value)
                        assert c.data_type != "f"
                        seen_payload |= c.value.startswith("'=cmd|")
        assert seen_payload  # the DDE payload is kept, as text


def test_docx_holds_user_text_only_as_text(hostile):
    from docx import Document

    for folder in hostile["folders"]:
        path = folder / "report.docx"
        Document(path)  # opens
        with zipfile.ZipFile(path) as z:
            xml = z.read("word/document.xml").decode("utf-8")
            rels = z.read("word/_rels/document.xml.rels").decode("utf-8")
        assert "&lt;script&gt;" in xml and "<script" not in xml
        instr = re.findall(r"<w:instrText[^>]*>([^<]*)</w:instrText>", xml)
        assert instr and all(i.strip().startswith(("SEQ ", "TOC ")) for i in instr), instr
        assert "w:fldSimple" not in xml and "<w:hyperlink" not in xml
        assert "javascript:" not in rels and "TargetMode=\"External\"" not in rels


def test_svg_figures_have_no_script_or_text_from_users(hostile):
    for folder in hostile["folders"]:
        svgs = list((folder / "figures").glob("*.svg"))
        assert svgs
        for f in svgs:
            import xml.etree.ElementTree as ET

            text = f.read_text(encoding="utf-8")
            root = ET.fromstring(text)  # well-formed: no payload broke out of a comment or attribute
            for el in root.iter():
                tag = el.tag.rsplit("}", 1)[-1]
                assert tag not in ("script", "foreignObject", "iframe", "a"), (f, tag)
                for attr, value in el.attrib.items():
                    name = attr.rsplit("}", 1)[-1]
                    assert not name.lower().startswith("on"), (f, attr)
                    assert not re.match(r"\s*javascript:", value, re.I), (f, attr)
            assert not re.search(r"<script\b", text, re.I), f


def test_raw_folders_unchanged_and_outputs_refused_inside_them(hostile):
    from evalkit.errors import ReportError
    from evalkit.report.render import render_report

    program = hostile["program"]
    assert tree_checksums(program) == hostile["before"]
    assert tree_checksums(RAW) == hostile["raw_before"]
    with pytest.raises(ReportError):
        render_report(program, program.parent / "out")
    with pytest.raises(ReportError):
        render_report(program, hostile["out"], processed_dir=program.parent / "processed")
    with pytest.raises(ReportError):
        render_report(program, hostile["out"], processed_dir=program / "processed")
    from evalkit.report.dashboard import render_dashboard
    from evalkit.report.render import guard_not_in_raw

    with pytest.raises(ReportError):
        render_dashboard(hostile["processed"], program.parent / "dashboard")
    with pytest.raises(ReportError):  # what `evalkit dashboard --processed` checks before writing the ledger
        guard_not_in_raw(program.parent / "processed")
    guard_not_in_raw(hostile["processed"])  # beside raw/: allowed
    assert tree_checksums(program) == hostile["before"]


def test_csv_writer_never_writes_a_formula(tmp_path):
    from evalkit.report.writers.cells import safe_csv, safe_text

    df = pd.DataFrame({"text": FORMULAS + ["Baik"], "n": list(range(len(FORMULAS) + 1))})
    path = safe_csv(df, tmp_path / "x.csv")
    back = pd.read_csv(path, dtype={"text": str})
    assert all(not v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in back["text"])
    assert back["n"].tolist() == list(range(len(FORMULAS) + 1))  # numbers stay numbers
    assert safe_text("-5") == "'-5" and safe_text("5") == "5"
