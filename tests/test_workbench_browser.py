"""The workbench in a real browser: Playwright drives Debian's chromium against a workbench
(Voilà) served on 127.0.0.1 by the test; it uploads a messy Google Forms export and a score
sheet, corrects the mapping (one scale, one reverse-keyed item), creates the program, renders
the report and downloads HTML, DOCX and XLSX. The screenshots it takes are the ones in
docs/quickstart-evaluator.md (docs/img/workbench-*.png).

Where chromium is missing the test is skipped — except when EVALKIT_REQUIRE_BROWSER=1 (set by
.ci/run), where a missing browser fails the run (``make browser`` installs it).
"""
from __future__ import annotations

import json
import os
import shutil
import urllib.request
import zipfile
from pathlib import Path

import pytest
import yaml

from conftest import MINI, ROOT, chromium_or_skip, tree_checksums
from test_new import N_PEOPLE, write_messy_exports

pytestmark = pytest.mark.e2e

chromium_or_skip()  # skip the module (or, in CI, fail) without chromium; the browser fixture is in conftest
# the screenshots of docs/quickstart-evaluator.md are refreshed only on request
# (EVALKIT_UPDATE_SCREENSHOTS=1), so that a test run never changes tracked files
IMG = (ROOT / "docs" / "img") if os.environ.get("EVALKIT_UPDATE_SCREENSHOTS") else (ROOT / "tests" / "screenshots")


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A workbench over a fresh programs folder (holding one existing program) and the exports."""
    from evalkit.workbench.server import start

    root = tmp_path_factory.mktemp("workbench")
    raw = root / "raw"
    raw.mkdir()
    shutil.copytree(MINI, raw / "mini-program")
    exports = write_messy_exports(root / "exports")
    log = open(root / "voila.log", "w")
    server = start(raw, root / "reports", lang="id", log=log)
    yield {"server": server, "raw": raw, "out": root / "reports", "exports": exports, "root": root}
    server.stop()
    log.close()


def test_the_page_needs_the_token(site):
    server = site["server"]
    with_token = urllib.request.urlopen(server.url, timeout=60).read().decode()
    assert "application/vnd.jupyter.widget-view+json" in with_token
    for url in (f"http://127.0.0.1:{server.port}/", f"http://127.0.0.1:{server.port}/?token=wrong"):
        try:
            body = urllib.request.urlopen(url, timeout=60).read().decode()
        except urllib.error.HTTPError as exc:
            assert exc.code == 403
            continue
        assert "application/vnd.jupyter.widget-view+json" not in body
        assert "token" in body


def _upload(page, cls: str, path: Path) -> None:
    with page.expect_file_chooser() as chooser:
        page.click(cls)
    chooser.value.set_files(str(path))


def _row(page, text: str) -> int:
    rows = page.locator(".ek-map-row")
    hits = [i for i in range(rows.count()) if text in rows.nth(i).inner_text()]
    assert len(hits) == 1, (text, hits)
    return hits[0]


def test_upload_correct_render_download(site, browser, tmp_path):
    level1, level2 = site["exports"]
    exports_before = tree_checksums(level1.parent)
    existing_before = tree_checksums(site["raw"] / "mini-program")
    page = browser.new_page(viewport={"width": 1300, "height": 900}, accept_downloads=True)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(site["server"].url)
    page.wait_for_selector(".ek-infer", timeout=90_000)
    page.fill(".ek-program-id input", "pkp-2026-web")
    page.fill(".ek-name input", "Pelatihan Kepemimpinan Pengawas (uji web)")
    page.fill(".ek-institution input", "BPSDM Provinsi Contoh")
    _upload(page, ".ek-upload-level1", level1)
    _upload(page, ".ek-upload-level2", level2)
    page.wait_for_function("document.querySelector('.ek-upload-info').innerText.includes('nilai_tes.csv')",
                           timeout=30_000)
    page.click(".ek-infer")
    page.wait_for_selector(".ek-map-row", timeout=60_000)
    assert page.locator(".ek-map-row").count() == 17  # every column of the export has a row
    assert page.input_value(".ek-labels select") == "setuju5"
    # the corrections: one question into a scale of its own, one reverse-keyed candidate confirmed
    jadwal = _row(page, "Jadwal pelatihan sesuai rencana")
    assert page.input_value(f".ek-scale-{jadwal} input") == "penyelenggaraan"
    page.fill(f".ek-scale-{jadwal} input", "Jadwal")
    padat = _row(page, "Materi terlalu padat")
    assert "terlalu" in page.inner_text(f".ek-map-row >> nth={padat}")
    page.check(f".ek-reverse-{padat} input")
    IMG.mkdir(parents=True, exist_ok=True)
    page.evaluate("document.querySelector('.ek-lang').scrollIntoView()")
    page.wait_for_timeout(300)
    page.screenshot(path=str(IMG / "workbench-mapping.png"))
    page.click(".ek-create")
    page.wait_for_selector(".ek-valid", timeout=60_000)
    folder = site["raw"] / "pkp-2026-web"
    spec = yaml.safe_load((folder / "program.yaml").read_text("utf-8"))
    scales = spec["instruments"]["reaksi"]["scales"]
    assert scales["jadwal"]["items"] == ["jadwal_1"]
    assert scales["penyelenggaraan"]["items"] == ["penyelenggaraan_1", "penyelenggaraan_2"]
    assert scales["materi"]["reverse"] == ["materi_3"]
    assert spec["level1"]["columns"]["Jadwal pelatihan sesuai rencana"] == "jadwal_1"
    assert spec["level2"]["pre"] == "Nilai Pre Test"
    # uploads are stored only in the new program folder, under sanitised names
    assert sorted(p.name for p in folder.iterdir()) == ["Evaluasi_Penyelenggaraan_Jawaban.csv", "nilai_tes.csv",
                                                         "program.yaml"]
    assert (folder / "Evaluasi_Penyelenggaraan_Jawaban.csv").read_bytes() == level1.read_bytes()
    assert sorted(p.name for p in site["raw"].iterdir()) == ["mini-program", "pkp-2026-web"]
    page.click(".ek-render")
    page.wait_for_selector(".ek-download-html", timeout=600_000)
    assert "selesai" in page.inner_text(".ek-progress-text")  # the progress line ends with "done"
    downloads = {}
    for kind in ("html", "docx", "xlsx"):
        with page.expect_download() as dl:
            page.click(f".ek-download-{kind}")
        target = tmp_path / dl.value.suggested_filename
        dl.value.save_as(target)
        downloads[kind] = target
    assert downloads["html"].name == "pkp-2026-web-report.html"
    html = downloads["html"].read_text("utf-8")
    assert "Pelatihan Kepemimpinan Pengawas (uji web)" in html
    assert html == (site["out"] / "pkp-2026-web" / "report.html").read_text("utf-8")
    for kind in ("docx", "xlsx"):
        assert zipfile.is_zipfile(downloads[kind]), kind
    metrics = json.loads((site["out"] / "pkp-2026-web" / "metrics.json").read_text())
    assert metrics["level1"]["n_respondents"] == N_PEOPLE  # the repeated submission counted once
    page.evaluate("document.querySelector('.ek-h-current').scrollIntoView()")
    page.wait_for_timeout(500)
    page.screenshot(path=str(IMG / "workbench-report.png"))
    assert not errors, errors
    page.close()
    assert tree_checksums(level1.parent) == exports_before
    assert tree_checksums(site["raw"] / "mini-program") == existing_before


def test_open_an_existing_program_shows_its_problems(site, browser):
    """Opening a program whose file has a typo shows the problem in plain language."""
    bad = site["raw"] / "mini-typo"
    shutil.copytree(MINI, bad)
    spec = (bad / "program.yaml").read_text("utf-8")
    lvl2 = yaml.safe_load(spec)["level2"]["pre"]
    (bad / "program.yaml").write_text(spec.replace(f"pre: {lvl2}", "pre: Nilai Pretes"), "utf-8")
    page = browser.new_page(viewport={"width": 1300, "height": 900})
    page.goto(site["server"].url)
    page.wait_for_selector(".ek-programs select", timeout=90_000)
    page.select_option(".ek-programs select", "mini-typo")
    page.click(".ek-open")
    page.wait_for_selector(".ek-problems li", timeout=60_000)
    text = page.inner_text(".ek-validation")
    assert "Nilai Pretes" in text and "Cara memperbaiki" in text  # Bahasa Indonesia first
    assert page.is_disabled(".ek-render")
    page.click(".ek-lang button:has-text('English')")
    page.wait_for_function("document.querySelector('.ek-validation').innerText.includes('How to fix')",
                           timeout=30_000)
    page.close()
