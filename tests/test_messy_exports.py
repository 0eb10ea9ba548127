"""Own exports, right numbers (issue #12): a messy Latsar CPNS class written by
``tests/fixtures/messy_program.py``; every expected figure is computed here with plain pandas
from the generator's truth, independently of evalkit."""
from __future__ import annotations

import sys

import numpy as np
import pandas as pd
import pytest

from conftest import FIXTURES, tree_checksums
from evalkit import evaluate, load_program
from evalkit.cli import main

sys.path.insert(0, str(FIXTURES))
from messy_program import ITEMS, write_messy_program  # noqa: E402


@pytest.fixture(scope="module")
def messy(tmp_path_factory):
    folder = tmp_path_factory.mktemp("raw") / "latsar-2026-angkatan-3"
    truth = write_messy_program(folder)
    return folder, truth


def test_respondents_resubmission_and_scale_means(messy):
    folder, truth = messy
    prog = load_program(folder)
    # 38 people answered; the resubmission (typed differently) is one respondent, the later one kept
    assert len(prog.level1) == 38
    t = pd.DataFrame.from_dict(truth["level1"], orient="index")[ITEMS]
    got = prog.level1[ITEMS].mean()
    assert np.allclose(got.to_numpy(), t.mean().to_numpy(), atol=1e-12)
    ev = evaluate(prog)
    materi = pd.concat([t["m1"], t["m2"], 6 - t["m3"]], axis=1).mean(axis=1).mean()
    assert ev.level1.scales["materi"].mean == pytest.approx(materi, abs=1e-12)
    assert ev.level1.n_respondents == 38


def test_pairs_and_means_with_absent_codes_rounded_nips_and_footer(messy):
    folder, truth = messy
    prog = load_program(folder)
    t = pd.DataFrame.from_dict(truth["level2"], orient="index", columns=["pre", "post"]).astype(float)
    pairs = t.dropna()
    assert len(prog.level2) == 40  # the footer row is not a participant
    ev = evaluate(prog)
    pp = ev.level2.prepost
    assert pp.n == len(pairs) == 37
    assert pp.pre_mean == pytest.approx(pairs["pre"].mean(), abs=1e-9)
    assert pp.post_mean == pytest.approx(pairs["post"].mean(), abs=1e-9)
    flow = prog.participant_flow()
    assert flow == {"enrolled": 40, "survey": 38, "pre": int(t["pre"].notna().sum()),
                    "post": int(t["post"].notna().sum()), "pairs": 37}


def test_cost_total_excludes_the_jumlah_row(messy):
    folder, truth = messy
    prog = load_program(folder)
    assert len(prog.costs) == len(truth["costs"])
    assert prog.costs["amount"].sum() == truth["cost_total"] == 352_000_000
    assert not [w for w in prog.warnings if w.key == "total_row_mismatch"]


def test_exact_warnings_and_row_numbers(messy):
    folder, truth = messy
    prog = load_program(folder)
    got = sorted((w.key, w.file, w.row) for w in prog.warnings if w.key != "missing_codes")
    excel_rows = sorted(6 + i for i in truth["excel_numbers"])
    expected = sorted(
        [("total_row_excluded", "nilai_latsar.xlsx", 46), ("total_row_excluded", "biaya.csv", 6),
         # the earlier submission of person 5 (survey row 5, header on row 1) was dropped
         ("duplicate_submission_dropped", "survei_google_forms.csv", 5)]
        + [("id_linked_by_name", "nilai_latsar.xlsx", r) for r in excel_rows]
        # person 4's supervisor rows (before, after: rows 10 and 11) carry a 1.99…E+17 NIP
        + [("id_linked_by_name", "penilaian_atasan.csv", r) for r in (10, 11)])
    assert got == expected
    dropped = next(w for w in prog.warnings if w.key == "duplicate_submission_dropped")
    assert dropped.params["kept_row"] == 8 and dropped.severity == "warning"
    codes = {(r.column, r.code): r.n for r in prog.missing.itertuples()}
    assert codes == {("Pre-test", "-"): 1, ("Post-test", "TH"): 1, ("Post-test", "T/H"): 1}


def test_linkage_summary(messy):
    folder, truth = messy
    prog = load_program(folder)
    lk = prog.linkage.set_index(["left", "right"])
    row = lk.loc[("survei_google_forms.csv", "nilai_latsar.xlsx")]
    assert (row.matched, row.only_left, row.only_right) == (38, 0, 2)
    # survey respondents among the five whose score-sheet NIPs were Excel numbers
    assert row.matched_by_name == len(truth["excel_numbers"] & set(truth["level1"]))
    l3 = lk.loc[("penilaian_atasan.csv", "nilai_latsar.xlsx")]
    assert (l3.matched, l3.only_left, l3.only_right) == (30, 0, 10)


def test_stated_total_that_differs_is_a_warning_with_both_numbers(tmp_path):
    folder = tmp_path / "raw" / "latsar-2026-angkatan-3"
    truth = write_messy_program(folder, stated_total=350_000_000)
    prog = load_program(folder)
    w = [w for w in prog.warnings if w.key == "total_row_mismatch"]
    assert len(w) == 1 and w[0].row == 6
    assert w[0].params["stated"] == "350,000,000" and w[0].params["sum"] == "352,000,000"
    assert prog.costs["amount"].sum() == truth["cost_total"]


def test_name_must_match_for_a_rounded_nip(tmp_path):
    folder = tmp_path / "raw" / "latsar-2026-angkatan-3"
    truth = write_messy_program(folder)
    import openpyxl

    wb = openpyxl.load_workbook(folder / "nilai_latsar.xlsx")
    ws = wb.active
    i = sorted(truth["excel_numbers"])[0]
    ws.cell(row=6 + i, column=3, value="Orang Lain Sama Sekali")
    wb.save(folder / "nilai_latsar.xlsx")
    from evalkit.errors import ValidationError

    with pytest.raises(ValidationError) as err:
        load_program(folder)
    p = next(p for p in err.value.problems if p.key == "id_rounded")
    assert (p.file, p.column, p.row) == ("nilai_latsar.xlsx", "NIP", 6 + i)


def test_validate_cli_exit_0_and_raw_untouched(messy, capsys):
    folder, truth = messy
    before = tree_checksums(folder)
    assert main(["validate", str(folder), "--lang", "en"]) == 0
    out = capsys.readouterr().out
    assert "participant flow: enrolled 40 → answered the survey 38" in out
    assert "survei_google_forms.csv ↔ nilai_latsar.xlsx: 38 matched (5 by name)" in out
    assert tree_checksums(folder) == before


def test_no_nip_or_name_reaches_processed_tables(messy, tmp_path):
    folder, truth = messy
    prog = load_program(folder)
    out = prog.write_processed(tmp_path / "processed")
    text = "\n".join(pd.read_parquet(p).astype(str).to_csv() for p in out.glob("*.parquet"))
    text += (out / "program.json").read_text(encoding="utf-8")
    for person in truth["people"]:
        assert person["nip"] not in text
        assert person["name"].lower() not in text.lower()
    # the comment with a quoted newline, a NIP and a name arrived masked
    comments = prog.level1_comments["comment"].tolist()
    assert any("[NIP]" in c and "[nama]" in c and "\n" in c for c in comments)


@pytest.mark.e2e
def test_report_has_right_respondents_and_no_personal_data(messy, tmp_path):
    import json
    import zipfile

    from evalkit import render_report

    folder, truth = messy
    before = tree_checksums(folder)
    rep = render_report(folder, tmp_path / "reports", formats="html,docx,xlsx")
    m = json.loads((rep / "metrics.json").read_text(encoding="utf-8"))
    assert m["level1"]["n_respondents"] == 38
    assert m["level2"]["n_pairs"] == 37
    blobs = []
    for f in rep.rglob("*"):
        if f.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(f) as z:
                blobs += [z.read(n).decode("utf-8", "ignore") for n in z.namelist()]
        elif f.is_file() and f.suffix in (".html", ".json", ".ipynb", ".svg"):
            blobs.append(f.read_text(encoding="utf-8", errors="ignore"))
    text = "\n".join(blobs)
    for person in truth["people"]:
        assert person["nip"] not in text
        assert person["name"] not in text
    assert tree_checksums(folder) == before
    # only supervisors rated: the report names no alumni self-ratings and no agreement table
    html = (rep / "report.html").read_text(encoding="utf-8")
    assert "atasan mereka" in html
    assert "alumni sendiri" not in html and "Kesepakatan alumni dan atasan" not in html
    # the participant flow and the linkage reach the report's methods section
    assert "nilai_latsar.xlsx" in html


@pytest.mark.parametrize("dtype", [object, "string[python]", "string[pyarrow]"])
def test_total_rows_found_among_ids_in_every_text_dtype(dtype):
    """The total-row rule skips, without folding, every value with a digit (no total label has
    one): the same rows are found whatever the column's storage."""
    from evalkit.ingest.cleaning import TOTAL_LABELS, total_rows
    from evalkit.ingest.readers import Table

    assert not any(ch.isdigit() for label in TOTAL_LABELS for ch in label)  # what makes the skip exact
    nip = ["198703152010012001", None, "Total 2", "199001012015031002", None, None]
    name = ["Ani", "  JUMLAH : ", "x", "Budi", "Rata-rata", "Jumlah1"]
    df = pd.DataFrame({"nip": pd.array(nip, dtype=dtype), "nama": pd.array(name, dtype=dtype)})
    mask = total_rows(Table(df, "peserta.csv"), id_column="nip", label_columns=[], empty_columns=[])
    assert mask.tolist() == [False, True, False, False, True, False]
