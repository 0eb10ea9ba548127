"""The reports in a real browser: headless Chromium (Debian's package) opens report.html and
index.html, and the test fails on console errors, page errors or broken images; it saves
screenshots under tests/screenshots/ to check the layout by eye.

The browser is Debian's ``chromium`` (``make browser`` or ``.ci/run`` install it). Where it is
missing the test is skipped — except when EVALKIT_REQUIRE_BROWSER=1 (set by .ci/run), where a
missing browser fails the run.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from conftest import ROOT, chromium_or_skip

pytestmark = pytest.mark.e2e

chromium_or_skip()  # skip the module (or, in CI, fail) without chromium; the browser fixture is in conftest
SHOTS = ROOT / "tests" / "screenshots"


@pytest.fixture(scope="module")
def reports(sample_reports, tmp_path_factory):
    """pkp-2026-angkatan-1 in Indonesian and smart-2026-angkatan-1 in English — copies of the
    run's shared sample reports (rendered once by the CLI; never changed here) — and their
    index, in a folder of their own."""
    from evalkit.report.index import build_index

    shared, _, _ = sample_reports
    out = tmp_path_factory.mktemp("browser")
    for pid, src in (("pkp-2026-angkatan-1", shared), ("smart-2026-angkatan-1", shared / "en")):
        shutil.copytree(src / pid, out / pid)
    build_index(out, lang="id")
    return out


def _open(browser, path: Path, shot: str):
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    problems = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(path.as_uri())
    page.wait_for_load_state("load")
    broken = page.evaluate("Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0))"
                           ".map(i => i.alt || i.src.slice(0, 40))")
    no_alt = page.evaluate("Array.from(document.images).filter(i => !i.alt).length")
    n_images = page.evaluate("document.images.length")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / shot), full_page=True)
    page.close()
    return problems, broken, no_alt, n_images


@pytest.mark.parametrize("pid, n_min", [("pkp-2026-angkatan-1", 5), ("smart-2026-angkatan-1", 5)])
def test_report_opens_cleanly(reports, browser, pid, n_min):
    problems, broken, no_alt, n = _open(browser, reports / pid / "report.html", f"{pid}.png")
    assert not problems, problems
    assert not broken, broken
    assert no_alt == 0
    assert n >= n_min


def test_index_opens_cleanly_and_links_work(reports, browser):
    problems, broken, _, _ = _open(browser, reports / "index.html", "index.png")
    assert not problems and not broken
    page = browser.new_page()
    page.goto((reports / "index.html").as_uri())
    hrefs = page.evaluate("Array.from(document.querySelectorAll('a')).map(a => a.getAttribute('href'))")
    page.close()
    assert len(hrefs) >= 2
    for h in hrefs:
        assert (reports / h).exists(), h


def test_print_to_pdf_gives_a_clean_document(reports, browser):
    """The print stylesheet: the browser's print-to-PDF renders every section, no code."""
    page = browser.new_page()
    page.goto((reports / "pkp-2026-angkatan-1" / "report.html").as_uri())
    page.emulate_media(media="print")
    hidden_inputs = page.evaluate("Array.from(document.querySelectorAll('.jp-InputArea'))"
                                  ".filter(e => getComputedStyle(e).display !== 'none').length")
    pdf = page.pdf(format="A4", print_background=True)
    page.close()
    SHOTS.mkdir(exist_ok=True)
    (SHOTS / "pkp-2026-angkatan-1.pdf").write_bytes(pdf)
    assert hidden_inputs == 0
    import re

    assert pdf[:4] == b"%PDF"
    assert len(re.findall(rb"/Type\s*/Page(?!s)", pdf)) >= 5  # every section printed, not one cut page


@pytest.mark.parametrize("pid", ["pkp-2026-angkatan-1", "smart-2026-angkatan-1"])
def test_no_table_is_cut_at_the_page_edge_in_print(reports, browser, pid):
    """In print, at the width of an A4 page's text (21 cm − 4.5 cm of margins, ``@page`` in
    report.css), every table fits; tables marked landscape fit a landscape A4 page."""
    widths = {"portrait": round((21 - 4.5) / 2.54 * 96), "landscape": round((29.7 - 4) / 2.54 * 96)}
    for kind, px in widths.items():
        page = browser.new_page(viewport={"width": px, "height": 1100})
        page.goto((reports / pid / "report.html").as_uri())
        page.emulate_media(media="print")
        sel = ".evalkit-apa.landscape" if kind == "landscape" else ".evalkit-apa:not(.landscape)"
        over = page.evaluate(f"""Array.from(document.querySelectorAll('{sel}')).map(d => {{
            const t = d.querySelector('table');
            return [d.querySelector('.evalkit-caption').textContent, t.scrollWidth, document.body.clientWidth];
        }}).filter(x => x[1] > x[2] + 1)""")
        imgs = page.evaluate("Array.from(document.images).filter(i => i.getBoundingClientRect().right > "
                             "document.body.clientWidth + 1).length")
        page.close()
        assert not over, (kind, over)
        assert imgs == 0
