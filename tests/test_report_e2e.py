"""End to end: the CLI renders reports; outputs are complete, code-free, PII-free, atomic;
data/raw/ is never written; failures are clear and leave no report that looks complete."""
from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pandas as pd
import pytest

from conftest import MINI, PROGRAMS, RAW, ROOT, tree_checksums
from evalkit.errors import ReportError
from evalkit.report.render import render_report

pytestmark = pytest.mark.e2e

EVALKIT = [sys.executable, "-m", "evalkit.cli"]
LEDGER = RAW / "institution" / "jp_ledger.csv"
REQUIRED_METRICS = ["program_id", "evalkit_version", "git_commit", "parameters", "inputs",
                    "level1.n_respondents", "level2.n_pairs", "level2.pre_mean", "level2.post_mean", "level2.t",
                    "level2.p_value", "level2.d_z", "level2.class_gain"]


def _get(d, dotted):
    for part in dotted.split("."):
        d = d[part]
    return d


def _run(*args):
    return subprocess.run([*EVALKIT, *map(str, args)], capture_output=True, text=True, cwd=ROOT)


@pytest.fixture(scope="session")
def rendered_samples(sample_reports):
    """Every sample program rendered once through the CLI, in both languages (conftest)."""
    return sample_reports


def test_every_sample_program_has_the_three_outputs(rendered_samples):
    out, _, _ = rendered_samples
    programs = [p.name for p in PROGRAMS]
    assert len(programs) >= 3
    for pid in programs:
        folder = out / pid
        for lang_dir in (out, out / "en"):
            folder = lang_dir / pid
            assert sorted(p.name for p in folder.iterdir()) == [
                "figures", "metrics.json", "report.docx", "report.html", "report.ipynb", "report.xlsx"]
            assert any((folder / "figures").glob("*.svg"))
        folder = out / pid
        m = json.loads((folder / "metrics.json").read_text())
        for key in REQUIRED_METRICS:
            _get(m, key)
        assert m["program_id"] == pid
        for s in m["level1"]["scales"].values():
            assert 1 <= s["mean"] <= 5 and s["alpha"] < 1
        assert {i["path"] for i in m["inputs"]} >= {"program.yaml"}
        nb = nbformat.read(folder / "report.ipynb", as_version=4)
        assert not any(o.get("output_type") == "error" for c in nb.cells for o in c.get("outputs", []))


def test_metrics_equal_the_statistics(rendered_samples):
    """metrics.json holds what evalkit.prepost computes from the raw file (no transcription)."""
    import evalkit

    out, _, _ = rendered_samples
    m = json.loads((out / "pkp-2026-angkatan-1" / "metrics.json").read_text())
    raw = pd.read_csv(RAW / "pkp-2026-angkatan-1" / "nilai_tes.csv", dtype={"NIP": str})
    res = evalkit.prepost(raw["Nilai Pre-test"], raw["Nilai Post-test"], max_score=100)
    assert m["level2"]["n_pairs"] == res.n
    assert m["level2"]["t"] == pytest.approx(res.tests.loc["paired_t", "statistic"], abs=1e-12)
    assert m["level2"]["class_gain"] == pytest.approx(res.gain["class_gain"], abs=1e-12)


def test_the_weak_cohort_reads_as_weak(rendered_samples):
    out, _, _ = rendered_samples
    strong = json.loads((out / "pkp-2026-angkatan-1" / "metrics.json").read_text())["level2"]
    weak = json.loads((out / "pkp-2026-angkatan-2" / "metrics.json").read_text())["level2"]
    assert strong["p_value"] < 0.001 and strong["d_z"] > 0.8
    assert weak["p_value"] > 0.05 and abs(weak["d_z"]) < 0.2 and weak["hake_band"] == "low"
    html = (out / "pkp-2026-angkatan-2" / "report.html").read_text()
    assert "tidak signifikan" in html


def test_html_has_no_code_and_embeds_images(rendered_samples):
    out, _, _ = rendered_samples
    html = (out / "pkp-2026-angkatan-1" / "report.html").read_text()
    for code in ("ProgramReport", "report.level1()", "program_dir =", "write_metrics", "import ", "PosixPath",
                 ".partial", "metrics.json"):
        assert code not in html, code
    assert "data:image/png;base64," in html
    assert "src=\"http" not in html and "cdnjs" not in html  # opens offline: nothing fetched
    assert "Level 1 — Reaksi" in html and "Level 4 — Hasil" in html


def test_report_shows_item_analysis_and_validity(rendered_samples):
    out, _, _ = rendered_samples
    html = (out / "pkp-2026-angkatan-1" / "report.html").read_text()
    assert "Analisis butir soal post-test" in html and "KR-20" in html and "S13" in html
    assert "uji validitas" in html and "r tabel" in html
    m = json.loads((out / "pkp-2026-angkatan-1" / "metrics.json").read_text())
    assert "S13" in m["level2"]["test_items"]["poor_items"]  # the item generated with no discrimination
    assert 0 < m["level2"]["test_items"]["kr20"] < 1
    assert all(0 < v["alpha"] < 1 for v in m["level3"]["aspects"].values())


def test_smart_report_has_assessment_path_and_mcnemar(rendered_samples):
    out, _, _ = rendered_samples
    html = (out / "smart-2026-angkatan-1" / "report.html").read_text()
    assert "Jalur asesmen" in html and "Kelulusan per modul" in html and "McNemar" in html  # funnel title is in the image
    m = json.loads((out / "smart-2026-angkatan-1" / "metrics.json").read_text())
    f = m["assessment"]["funnel"]
    assert f["enrolled"] == 40 and f["certified"] == f["exempted"] + f["certified_by_final"]
    assert m["costs"]["per_certified"] == pytest.approx(m["costs"]["total"] / f["certified"])
    assert m["level2"]["mcnemar"]["p_value"] < 0.05


def test_english_report_is_english(rendered_samples):
    out, _, _ = rendered_samples
    html = (out / "en" / "pkp-2026-angkatan-1" / "report.html").read_text()
    assert "Training Evaluation Report" in html and "Level 2 — Learning" in html
    assert "Laporan Evaluasi" not in html
    assert json.loads((out / "en" / "pkp-2026-angkatan-1" / "metrics.json").read_text())["parameters"]["lang"] == "en"


def test_levels_not_measured_are_said(rendered_samples):
    out, _, _ = rendered_samples
    html = (out / "mot-2026-angkatan-1" / "report.html").read_text()
    assert "Level 3 — Perilaku tidak diukur" in html and "Level 4 — Hasil tidak diukur" in html


def test_scorecard_tells_strong_from_weak_cohort(rendered_samples):
    out, _, _ = rendered_samples
    import re

    def status_row(pid, level):
        html = (out / "en" / pid / "report.html").read_text()
        table = html.split("Program scorecard", 1)[1].split("</table>", 1)[0]
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        cells = [re.findall(r"<td>(.*?)</td>", r, flags=re.S) for r in rows]
        return next(c for c in cells if c and c[0] == level)[-1]

    # the scorecard's status of a level is the verdict's (one judgement per level)
    import json

    for pid in ("pkp-2026-angkatan-1", "pkp-2026-angkatan-2"):
        v = json.loads((out / "en" / pid / "metrics.json").read_text())["verdict"]["levels"]
        for n in range(1, 6):
            assert status_row(pid, str(n)) == v[f"level{n}"]["status"].replace("_", " ")
    assert status_row("pkp-2026-angkatan-1", "2") == "partly met"   # pass rate 50 % against 80 %
    assert status_row("pkp-2026-angkatan-2", "2") == "not met"
    assert status_row("pkp-2026-angkatan-2", "4") == "not met"
    assert status_row("mot-2026-angkatan-1", "3") == "not measured"
    assert any((out / "en" / "mot-2026-angkatan-1" / "figures").glob("*scorecard.svg"))


def test_index_in_both_languages(rendered_samples):
    out, _, _ = rendered_samples
    assert "Laporan evaluasi pelatihan" in (out / "index.html").read_text()
    en = (out / "en" / "index.html").read_text()
    assert "Training evaluation reports" in en
    for p in PROGRAMS:
        assert f"{p.name}/report.html" in en


def test_no_nip_or_name_in_any_output(rendered_samples):
    out, processed, _ = rendered_samples
    values = set()
    for prog in PROGRAMS:
        roster = pd.read_csv(prog / "peserta.csv", dtype=str)
        values |= set(roster["NIP"]) | set(roster["Nama"])
    ledger = pd.read_csv(LEDGER, dtype=str)
    values |= set(ledger["NIP"]) | set(ledger["Nama"])
    assert len(values) > 500
    # both runs' processed tables (conftest.sample_reports: processed/ and processed-id/)
    folders = [out, processed, *processed.parent.glob("processed-*")]
    assert len(folders) == 3
    files = [p for folder in folders for p in folder.rglob("*") if p.is_file()]
    assert any(p.suffix == ".parquet" for p in files) and any(p.suffix == ".html" for p in files)
    for f in files:
        if f.suffix == ".parquet":
            text = pd.read_parquet(f).astype(str).to_csv()
        elif f.suffix == ".xlsx":
            text = "\n".join(df.astype(str).to_csv() for df in pd.read_excel(f, sheet_name=None, header=None).values())
        elif f.suffix == ".docx":
            from docx import Document

            doc = Document(f)
            text = "\n".join([p.text for p in doc.paragraphs] +
                              [c.text for t in doc.tables for row in t.rows for c in row.cells])
        elif f.suffix in (".png", ".svg"):
            continue
        else:
            text = f.read_text(encoding="utf-8", errors="ignore")
        leaked = [v for v in values if v in text]
        assert not leaked, f"{f} leaks {leaked[:3]}"


def test_raw_data_unchanged_by_rendering(rendered_samples):
    _, _, before = rendered_samples
    assert tree_checksums(RAW) == before


def test_single_program_cli_and_fixture(tmp_path, mini_copy):
    r = _run("report", mini_copy, "--out", tmp_path / "out", "--lang", "en")
    assert r.returncode == 0, r.stderr
    assert (tmp_path / "out" / "mini-program" / "report.html").exists()
    html = (tmp_path / "out" / "mini-program" / "report.html").read_text()
    assert "Level 3 — Behaviour was not measured" in html
    assert not any(p.name.endswith(".partial") for p in (tmp_path / "out").iterdir())


def test_validation_error_printed_without_traceback(tmp_path, mini_copy):
    p = mini_copy / "tes.csv"
    p.write_text(p.read_text().replace("45,47", "45,147"))
    r = _run("report", mini_copy, "--out", tmp_path / "out")
    assert r.returncode == 1
    assert "Traceback" not in r.stderr
    assert "tes.csv" in r.stderr and "'post'" in r.stderr and "10" in r.stderr
    assert not (tmp_path / "out" / "mini-program").exists()


def test_bad_program_id_cli(tmp_path):
    bad = tmp_path / "Program Baru"
    bad.mkdir()
    (bad / "program.yaml").write_text("name: x\ninstitution: y\n")
    r = _run("report", bad, "--out", tmp_path / "out")
    assert r.returncode == 1 and "Traceback" not in r.stderr and "not a valid program id" in r.stderr


def test_output_inside_raw_refused(mini_copy):
    with pytest.raises(ReportError, match="inside data/raw"):
        render_report(mini_copy, mini_copy.parent / "reports")


def test_failing_notebook_leaves_no_complete_looking_report(tmp_path, mini_copy):
    out = tmp_path / "out"
    render_report(mini_copy, out, lang="en")
    good = (out / "mini-program" / "report.html").read_text()
    nb = nbformat.read(ROOT / "notebooks" / "program_report.ipynb", as_version=4)
    nb.cells.insert(5, nbformat.v4.new_code_cell("raise RuntimeError('boom in section')"))
    broken = tmp_path / "broken.ipynb"
    nbformat.write(nb, broken)
    with pytest.raises(ReportError) as err:
        render_report(mini_copy, out, lang="en", notebook=broken)
    msg = str(err.value)
    assert "mini-program" in msg and "boom in section" in msg and "cell" in msg
    # the last complete report is untouched, the failed run is kept aside, no partial folder remains
    assert (out / "mini-program" / "report.html").read_text() == good
    assert (out / "_failed" / "mini-program" / "report.ipynb").exists()
    assert "boom in section" in (out / "_failed" / "mini-program" / "error.txt").read_text()
    assert not [p for p in out.iterdir() if p.name.startswith(".")]


def test_cli_folder_of_programs_goes_on_after_a_failure(tmp_path):
    raw = tmp_path / "raw"
    import shutil

    shutil.copytree(MINI, raw / "a-good")
    shutil.copytree(MINI, raw / "b-bad")
    (raw / "b-bad" / "tes.csv").unlink()
    r = _run("report", raw, "--out", tmp_path / "out")
    assert r.returncode == 1
    assert (tmp_path / "out" / "a-good" / "report.html").exists()
    assert not (tmp_path / "out" / "b-bad").exists()
    assert "1 of 2 program(s) rendered; failed: b-bad" in r.stdout


def test_dashboard_answers_from_processed_tables(rendered_samples):
    """The dashboard's figures, recomputed independently from the raw files with pandas."""
    out, processed, _ = rendered_samples
    html = (out / "institution_dashboard.html").read_text(encoding="utf-8")
    for heading in ("All programs", "Cohorts over the years", "Costs by delivery mode", "20 JP a year"):
        assert heading in html
    assert "<pre" not in html and "def " not in html  # no code
    # JP compliance: every employee of the ledger in every year, 0 JP where absent
    led = pd.read_csv(LEDGER, dtype={"NIP": str})
    per = led.groupby(["NIP", "Tahun"])["JP"].sum().unstack(fill_value=0)
    below_2026 = int((per[2026] < 20).sum())
    import re

    cells = re.findall(r"<td[^>]*>([^<]*)</td>", html)
    assert f"{len(per)}" in cells and f"{below_2026}" in cells
    # online cost per participant: the SMART program's cost lines / its roster
    smart = RAW / "smart-2026-angkatan-1"
    total = pd.read_csv(smart / "biaya.csv")["amount"].sum()
    assert total == 13_731_988  # the published online total (docs/sample-data.md)
    from evalkit import store

    con = store.connect(processed)
    online = con.sql("SELECT sum(amount) / any_value(participants) AS pp FROM costs JOIN programs USING (program_id) "
                     "WHERE delivery_mode = 'online'").df()["pp"].iloc[0]
    n = len(pd.read_csv(smart / "peserta.csv"))
    assert online == pytest.approx(total / n)
    assert f"Rp {online:,.0f}" in html
    # the store sees every program and its metrics
    assert sorted(con.sql("SELECT program_id FROM programs").df()["program_id"]) == sorted(p.name for p in PROGRAMS)
    l1 = con.sql("SELECT program_id, value FROM metrics WHERE metric = 'level1.overall_mean'").df()
    for pid, v in zip(l1["program_id"], l1["value"]):
        m = json.loads((out / "en" / pid / "metrics.json").read_text())
        assert v == pytest.approx(m["level1"]["overall_mean"])


def test_roi_section_and_logic_model_in_the_report(rendered_samples):
    out, _, _ = rendered_samples
    m = json.loads((out / "pkp-2026-angkatan-1" / "metrics.json").read_text())
    html = (out / "en" / "pkp-2026-angkatan-1" / "report.html").read_text(encoding="utf-8")
    assert "Level 5 — Return on investment (ROI)" in html and "Fully loaded costs" in html
    assert f"{m['level5']['roi_pct']:.1f}%" in html
    assert "Logic model and performance tree" in html and "Achievement band" in html
    assert "Results per instructor (widyaiswara)" in html and "WI-04" in html
    figs = {p.name for p in (out / "pkp-2026-angkatan-1" / "figures").glob("*.svg")}
    assert any("logic-model" in f for f in figs) and any("performance-tree" in f for f in figs)
    assert any("level5" in f for f in figs)
    mot = (out / "en" / "mot-2026-angkatan-1" / "report.html").read_text(encoding="utf-8")
    import re

    assert not re.search(r"<h2[^>]*>Level 5 — Return on investment", mot)  # no estimates: no section (the scorecard says so)
    assert "ROI (Phillips), first year" in mot and "not measured" in mot
