"""`evalkit new`: from a messy Google Forms export and a score sheet to a valid program folder.

The exports are written here, by the test: Indonesian labels, negatively worded items, a
missing answer, NIPs with spaces, a duplicate submission with a later timestamp, a comment
with a quoted newline; a score sheet with apostrophe NIPs and decimal commas (semicolons, as
Indonesian Excel writes CSV).
"""
from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import yaml

from conftest import ROOT, tree_checksums
from evalkit.ingest.spec import Level1Spec, ProgramSpec
from evalkit.scaffold import find_todos, infer_file, new_program, sanitize_filename
from evalkit.scaffold.infer import choose_label_set, item_rest

EVALKIT = [sys.executable, "-m", "evalkit.cli"]

LABELS = ["Sangat Tidak Setuju", "Tidak Setuju", "Ragu-ragu", "Setuju", "Sangat Setuju"]
QUESTIONS = [
    ("Materi pelatihan sesuai dengan kebutuhan pekerjaan saya", "materi", False),
    ("Materi disusun secara sistematis", "materi", False),
    ("Materi terlalu padat dan sulit dipahami", "materi", True),
    ("Widyaiswara menguasai materi", "pengajar", False),
    ("Widyaiswara menyampaikan materi dengan jelas", "pengajar", False),
    ("Fasilitator memberi kesempatan bertanya", "pengajar", False),
    ("Panitia melayani peserta dengan baik", "penyelenggaraan", False),
    ("Jadwal pelatihan sesuai rencana", "penyelenggaraan", False),
    ("Informasi pelatihan disampaikan dengan jelas", "penyelenggaraan", False),
    ("Sarana kelas nyaman digunakan", "sarana", False),
    ("Koneksi internet sering terputus", "sarana", True),
    ("Peralatan pembelajaran berfungsi baik", "sarana", False),
]
N_PEOPLE = 24


def nip(i: int) -> str:
    return f"1985{(i % 12) + 1:02d}{(i % 27) + 1:02d}2010{(i % 2) + 1:02d}1{i:03d}"


def spaced(n: str) -> str:
    """A NIP as people type it: 19850101 201001 1 001."""
    return f"{n[:8]} {n[8:14]} {n[14]} {n[15:]}"


def write_messy_exports(folder: Path, seed: int = 7) -> tuple[Path, Path]:
    """The Google Forms export and the score sheet; returns their paths."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    header = (["Timestamp", "Alamat email", "Nama Lengkap", "NIP"] + [q for q, _, _ in QUESTIONS]
              + ["Saran dan masukan untuk penyelenggaraan berikutnya"])
    rows = []
    for i in range(N_PEOPLE):
        level = rng.normal(0.0, 1.0)
        answers = []
        for _, _, negative in QUESTIONS:
            x = 3.6 + 0.8 * level + rng.normal(0, 0.55)
            if negative:
                x = 6 - x
            answers.append(LABELS[int(np.clip(round(x), 1, 5)) - 1])
        who = spaced(nip(i)) if i % 4 == 0 else nip(i)
        rows.append([f"2026/03/1{i % 9} 0{i % 9}:1{i % 6}:00 PM GMT+7", f"peserta{i}@contoh.go.id",
                     f"Peserta {i}", who] + answers + [""])
    rows[3][4 + 1] = ""                                   # a missing answer
    rows[5][-1] = 'Ruang "kelas B" panas,\nAC mati'       # a comment with quotes and a newline
    rows[8][-1] = "Materi bagus, perlu studi lapangan"
    rows[11][-1] = "Konsumsi terlambat datang"
    again = list(rows[2])                                 # the same person submits again, later
    again[0] = "2026/03/19 09:59:00 PM GMT+7"
    again[3] = spaced(nip(2))
    again[4] = "Sangat Setuju"
    rows.append(again)
    level1 = folder / "Evaluasi Penyelenggaraan (Jawaban).csv"
    with open(level1, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([header] + rows)
    scores = folder / "nilai tes.csv"
    with open(scores, "w", newline="", encoding="utf-8-sig") as f:
        w = csv.writer(f, delimiter=";")
        w.writerow(["No", "NIP", "Nama", "Nilai Pre Test", "Nilai Post Test"])
        for i in range(N_PEOPLE):
            pre = 55 + rng.normal(0, 8)
            post = pre + 12 + rng.normal(0, 6)
            w.writerow([i + 1, "'" + nip(i), f"Peserta {i}", f"{pre:.1f}".replace(".", ","),
                        f"{min(post, 100):.1f}".replace(".", ",")])
    return level1, scores


@pytest.fixture
def exports(tmp_path):
    return write_messy_exports(tmp_path / "exports")


@pytest.fixture
def created(tmp_path, exports):
    """`evalkit new` run as a user would, without a terminal."""
    level1, level2 = exports
    raw = tmp_path / "data" / "raw"
    before = tree_checksums(level1.parent)
    proc = subprocess.run(EVALKIT + ["new", str(raw / "pkp-2026-uji"), "--level1", str(level1), "--level2",
                                     str(level2), "--name", "PKP Uji", "--institution", "BPSDM Contoh"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, cwd=tmp_path,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert tree_checksums(level1.parent) == before  # the exports are copied, never changed
    return raw / "pkp-2026-uji", proc


def test_new_writes_a_program_that_validates(created):
    folder, proc = created
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "evalkit report" in proc.stdout  # the next command
    v = subprocess.run(EVALKIT + ["validate", str(folder)], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert v.returncode == 0, v.stdout + v.stderr


def test_the_inferred_mapping(created, exports):
    folder, proc = created
    assert proc.returncode == 0, proc.stdout + proc.stderr
    spec = yaml.safe_load((folder / "program.yaml").read_text("utf-8"))
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["Evaluasi_Penyelenggaraan_Jawaban.csv", "nilai_tes.csv", "program.yaml"])
    assert (folder / "Evaluasi_Penyelenggaraan_Jawaban.csv").read_bytes() == exports[0].read_bytes()
    assert spec["name"] == "PKP Uji" and spec["institution"] == "BPSDM Contoh"
    l1 = spec["level1"]
    assert l1["id_column"] == "NIP"
    assert l1["timestamp_column"] == "Timestamp"
    assert set(l1["name_columns"]) == {"Alamat email", "Nama Lengkap"}
    assert l1["comment_columns"] == ["Saran dan masukan untuk penyelenggaraan berikutnya"]
    ins = spec["instruments"][l1["instrument"]]
    assert ins["labels"] == "setuju5" and ins["scale"] == [1, 5]
    by_scale = {k: v["items"] for k, v in ins["scales"].items()}
    assert list(by_scale) == ["materi", "pengajar", "penyelenggaraan", "sarana"]
    expected = {}
    for q, scale, _ in QUESTIONS:
        expected[q] = f"{scale}_{sum(1 for v in expected.values() if v.startswith(scale + '_')) + 1}"
    assert l1["columns"] == expected
    # reverse-keyed candidates are listed beside reverse:, never applied
    assert all(v["reverse"] == [] for v in ins["scales"].values())
    text = (folder / "program.yaml").read_text("utf-8")
    rev_lines = [ln for ln in text.splitlines() if ln.strip().startswith("reverse:") and "materi_3" in ln]
    assert rev_lines and "'terlalu'" in rev_lines[0]
    rev_lines = [ln for ln in text.splitlines() if ln.strip().startswith("reverse:") and "sarana_2" in ln]
    assert rev_lines and "'sering terputus'" in rev_lines[0]
    assert "pengajar_" not in " ".join(ln for ln in text.splitlines() if "reverse:" in ln)
    # the repeated submission: the later one counts (once the loader knows duplicates)
    if "duplicates" in Level1Spec.model_fields:
        assert l1["duplicates"] == "keep_last"
        assert l1.get("timestamp", l1["timestamp_column"]) == "Timestamp"
    else:
        assert "keep_last" in text and "TODO" in text
    assert "missing_values" not in spec  # only the default code (an empty cell) was found
    l2 = spec["level2"]
    assert (l2["id_column"], l2["pre"], l2["post"], l2["max_score"]) == ("NIP", "Nilai Pre Test",
                                                                        "Nilai Post Test", 100)
    assert l2["name_columns"] == ["Nama"]


def test_validate_lists_the_todos(tmp_path, exports):
    """Without --name and --institution the program still validates; the TODOs are listed."""
    folder = tmp_path / "raw" / "tanpa-nama"
    res = new_program(folder, {"level1": exports[0]}, lang="en")
    todos = find_todos(folder)
    assert [p.key for p in todos][:2] == ["todo_left", "todo_left"]
    assert any("institution" in p.params["text"] for p in todos)
    assert res.todos == todos
    v = subprocess.run(EVALKIT + ["validate", str(folder)], capture_output=True, text=True,
                       env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert "TODO" in v.stdout and "institution" in v.stdout


def test_new_never_overwrites(tmp_path, exports):
    folder = tmp_path / "raw" / "ada-isinya"
    folder.mkdir(parents=True)
    (folder / "program.yaml").write_text("name: x\n")
    r = subprocess.run(EVALKIT + ["new", str(folder), "--level1", str(exports[0])], capture_output=True, text=True,
                       stdin=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.returncode == 1
    assert "tidak pernah menimpa" in r.stderr and "Traceback" not in r.stderr
    assert (folder / "program.yaml").read_text() == "name: x\n"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["ada-isinya"]  # no staging folder left


def test_bad_program_id_and_missing_file(tmp_path, exports):
    r = subprocess.run(EVALKIT + ["new", str(tmp_path / "Bad Name"), "--level1", str(exports[0])],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.returncode == 1 and "Traceback" not in r.stderr
    r = subprocess.run(EVALKIT + ["new", str(tmp_path / "ok-id"), "--level1", str(tmp_path / "nope.csv")],
                       capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.returncode == 1 and "--level1" in r.stderr and not (tmp_path / "ok-id").exists()


def test_interactive_confirmation(tmp_path, exports):
    """On a terminal every reverse-keyed candidate is asked; a 'y' puts it under reverse:."""
    asked = []

    def ask(question):
        asked.append(question)
        return "y" if "materi_3" in question else ""

    folder = tmp_path / "raw" / "tanya-jawab"
    res = new_program(folder, {"level1": exports[0]}, {"name": "X", "institution": "Y"}, yes=False, ask=ask,
                      lang="en")
    spec = yaml.safe_load((folder / "program.yaml").read_text())
    scales = spec["instruments"]["reaksi"]["scales"]
    assert scales["materi"]["reverse"] == ["materi_3"]
    assert scales["sarana"]["reverse"] == []
    assert sum("Reverse-keyed?" in q for q in asked) == 2, asked
    text = (folder / "program.yaml").read_text()
    assert "the user said these are not reverse-keyed: sarana_2" in text
    assert not any("not confirmed" in m for m in res.messages)
    assert res.ok, [p.message() for p in res.problems]


def test_title_rows_grid_headers_and_total_rows(tmp_path):
    """A spreadsheet-style CSV: two title rows, grid headers `Group [item]`, a JUMLAH row,
    numeric answers 1–5 and a missing-value code beyond the defaults."""
    src = tmp_path / "survei.csv"
    rows = [["LAPORAN EVALUASI PENYELENGGARAAN"], ["Angkatan II Tahun 2026"],
            ["NIP", "Penilaian materi [Relevan]", "Penilaian materi [Mutakhir]", "Kualitas pengajar [Jelas]",
             "Kualitas pengajar [Tidak tepat waktu]"]]
    rng = np.random.default_rng(3)
    for i in range(12):
        row = [nip(i)] + [str(int(rng.integers(3, 6))) for _ in range(4)]
        rows.append(row)
    rows[5][2] = "?"
    rows[6][3] = "?"
    rows.append(["JUMLAH", "48", "47", "50", "30"])
    with open(src, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    fp = infer_file(src, "level1")
    assert fp.header_row == 3 and fp.n_rows == 12 and fp.total_rows == [16]
    assert fp.labels is None and fp.scale_range == (1, 5)
    assert [(c.scale, c.item) for c in fp.by_role("item")] == [
        ("materi", "materi_1"), ("materi", "materi_2"), ("pengajar", "pengajar_1"), ("pengajar", "pengajar_2")]
    assert fp.by_role("item")[3].reverse_reason  # 'tidak' in the grid's item text
    assert fp.missing_codes == {"?": 2}
    res = new_program(tmp_path / "raw" / "grid-1", {"level1": src}, {"name": "G", "institution": "B"})
    copy = (tmp_path / "raw" / "grid-1" / "survei.csv").read_text().splitlines()
    assert copy[0].startswith("NIP,")  # the title rows are left out of the copy ...
    assert (tmp_path / "raw" / "grid-1" / "survei.original.csv").read_bytes() == src.read_bytes()  # ... kept here
    text = (tmp_path / "raw" / "grid-1" / "program.yaml").read_text()
    if "missing_values" in ProgramSpec.model_fields:
        assert yaml.safe_load(text)["missing_values"] == ["?"]
        assert res.ok, [p.message() for p in res.problems]
    else:
        assert "TODO" in text and "'?'" in text


def test_a_form_mixing_agreement_and_satisfaction(tmp_path):
    """No single set holds every answer: the two sets on the same range are written inline."""
    src = tmp_path / "campur.csv"
    rng = np.random.default_rng(5)
    setuju, puas = LABELS, ["Sangat Tidak Puas", "Tidak Puas", "Cukup Puas", "Puas", "Sangat Puas"]
    rows = [["NIP", "Materi relevan", "Materi jelas", "Saya puas dengan layanan panitia"]]
    for i in range(15):
        rows.append([nip(i), setuju[rng.integers(2, 5)], setuju[rng.integers(2, 5)], puas[rng.integers(1, 5)]])
    with open(src, "w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    res = new_program(tmp_path / "raw" / "campur-1", {"level1": src}, {"name": "C", "institution": "B"})
    assert res.ok, [p.message() for p in res.problems]
    spec = yaml.safe_load((tmp_path / "raw" / "campur-1" / "program.yaml").read_text())
    assert spec["instruments"]["reaksi"]["labels"] == "setuju5_puas5"
    inline = spec["label_sets"]["setuju5_puas5"]
    assert inline["Sangat Setuju"] == 5 and inline["Cukup Puas"] == 3 and inline["Ragu-ragu"] == 3


def test_label_set_choice():
    assert choose_label_set({"sangat setuju", "setuju", "netral", "tidak setuju"})[0] == "setuju5"
    assert choose_label_set({"agak setuju", "setuju", "netral"})[0] == "setuju7"
    assert choose_label_set({"puas", "sangat puas", "cukup puas"})[0] == "puas5"
    assert choose_label_set({"baik", "sangat baik", "kurang baik"})[0] == "baik4"
    assert choose_label_set({"buruk", "baik", "cukup"})[0] == "buruk_baik5"
    assert choose_label_set({"tidak setuju", "kurang setuju", "setuju", "sangat setuju"})[0] == "setuju4_kurang"
    assert choose_label_set({"sangat tidak setuju", "kurang setuju", "setuju", "sangat setuju"})[0] == "setuju5"
    assert choose_label_set({"kurang baik", "cukup baik", "baik", "sangat baik"})[0] == "baik4_cukup"
    assert choose_label_set({"sangat mantap"})[0] is None


def test_item_rest_matches_the_definition():
    """Corrected item–rest correlation against its definition computed by hand (numpy)."""
    rng = np.random.default_rng(1)
    import pandas as pd

    x = pd.DataFrame(rng.integers(1, 6, size=(40, 4)).astype(float), columns=list("abcd"))
    r = item_rest(x)
    for c in x.columns:
        rest = x.drop(columns=c).sum(axis=1)
        assert abs(r[c] - np.corrcoef(x[c], rest)[0, 1]) < 1e-12


def test_sanitize_filename():
    assert sanitize_filename("a/b/../Nilai Tes Akhir!.XLSX") == "Nilai_Tes_Akhir.xlsx"
    assert sanitize_filename(".htaccess") == "htaccess"
    assert "/" not in sanitize_filename("..\\..\\etc\\passwd")


@pytest.mark.e2e
def test_report_counts_each_respondent_once(created, tmp_path):
    """The report of the new program: 24 respondents (25 submissions, one repeated with its NIP
    written with spaces the second time: the later one is kept)."""
    folder, proc = created
    assert proc.returncode == 0, proc.stdout + proc.stderr
    out = tmp_path / "reports"
    r = subprocess.run(EVALKIT + ["report", str(folder), "--out", str(out)], capture_output=True, text=True,
                       cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert r.returncode == 0, r.stdout + r.stderr
    metrics = json.loads((out / "pkp-2026-uji" / "metrics.json").read_text())
    assert metrics["level1"]["n_respondents"] == N_PEOPLE
    assert metrics["level2"]["n_pairs"] == N_PEOPLE  # apostrophe NIPs, decimal commas
