"""The bad-input corpus: malformed or quirky inputs, each with its expected outcome, through the
CLI (`evalkit validate`): a quirky input is read correctly (exit 0), a malformed one gives an
evalkit error naming file, column and row, with how to fix it, exit 1 and no traceback.

With the cases in tests/test_ingest.py (checked through the Python API) the corpus holds more
than 40 inputs."""
from __future__ import annotations

import shutil

import pandas as pd
import pytest

from conftest import MINI
from evalkit.cli import main


def edit(name, old, new):
    def f(folder):
        p = folder / name
        text = p.read_text(encoding="utf-8")
        assert old in text, (name, old)
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f


def write(name, content, encoding="utf-8"):
    def f(folder):
        (folder / name).write_bytes(content.encode(encoding) if isinstance(content, str) else content)
    return f


def both(*fs):
    def f(folder):
        for g in fs:
            g(folder)
    return f


def to_xlsx_with_title(folder):
    df = pd.read_csv(folder / "tes.csv", dtype=str)
    with pd.ExcelWriter(folder / "tes.xlsx") as xw:
        pd.DataFrame([["Rekap nilai"], ["Angkatan Uji"]]).to_excel(xw, header=False, index=False)
        df.to_excel(xw, index=False, startrow=3)
    edit("program.yaml", "file: tes.csv", "file: tes.xlsx")(folder)


def to_sav(folder):
    import pyreadstat

    df = pd.read_csv(folder / "reaksi.csv", dtype=str)
    labels = {1: "Sangat Tidak Setuju", 2: "Tidak Setuju", 3: "Ragu-ragu", 4: "Setuju", 5: "Sangat Setuju"}
    codes = {v: k for k, v in labels.items()}
    for c in ["m1", "m2", "m3", "p1", "p2", "p3"]:
        df[c] = df[c].map(codes).astype(float)
    pyreadstat.write_sav(df, str(folder / "reaksi.sav"),
                         variable_value_labels={c: labels for c in ["m1", "m2", "m3", "p1", "p2", "p3"]})
    edit("program.yaml", "file: reaksi.csv", "file: reaksi.sav")(folder)


# (name, mutation, expected exit code, expected text in the message (or None), where: file, column, row)
CASES = [
    ("semicolon-cp1252-decimal-comma", lambda f: write("tes.csv", (f / "tes.csv").read_text().replace(",", ";")
                                                       .replace("55;78", "55,5;78").replace("Ahmad Fauzi", "Ahmad Fauzi Ramé"),
                                                       "cp1252")(f), 0, None, None),
    ("utf8-bom", lambda f: write("reaksi.csv", b"\xef\xbb\xbf" + (f / "reaksi.csv").read_bytes())(f), 0, None, None),
    ("tab-delimited", lambda f: write("tes.csv", (f / "tes.csv").read_text().replace(",", "\t"))(f), 0, None, None),
    ("crlf-line-endings", lambda f: write("tes.csv", (f / "tes.csv").read_text().replace("\n", "\r\n"))(f), 0, None, None),
    ("xlsx-with-title-rows", to_xlsx_with_title, 0, None, None),
    ("spss-sav-with-value-labels", to_sav, 0, None, None),
    ("header-case-and-spaces", edit("tes.csv", "NIP,Nama,pre,post", "nip , Nama,PRE,Post"), 0, None, None),
    ("labels-lowercase", edit("reaksi.csv", "Setuju,Setuju,Tidak Setuju", "setuju,SETUJU,tidak setuju"), 0, None, None),
    ("misspelled-label", edit("reaksi.csv", "Setuju,Setuju,Tidak Setuju", "Setuju,Stuju,Tidak Setuju"), 1,
     "did you mean 'Setuju'", ("reaksi.csv", "'m2'", "row 2")),
    ("label-outside-set", edit("reaksi.csv", "Setuju,Setuju,Tidak Setuju", "Setuju,Mungkin,Tidak Setuju"), 1,
     "unknown label 'Mungkin'", ("reaksi.csv", "'m2'", "row 2")),
    ("number-outside-scale", edit("reaksi.csv", "Setuju,Setuju,Tidak Setuju", "Setuju,9,Tidak Setuju"), 1,
     "outside the scale 1–5", ("reaksi.csv", "'m2'", "row 2")),
    ("score-above-max", edit("tes.csv", "62,80", "62,180"), 1, "outside 0–100", ("tes.csv", "'post'", "row 3")),
    ("negative-score", edit("tes.csv", "62,80", "-5,80"), 1, "outside 0–100", ("tes.csv", "'pre'", "row 3")),
    ("text-in-score", edit("tes.csv", "62,80", "62,delapan puluh"), 1, "is not a number", ("tes.csv", "'post'", "row 3")),
    ("duplicate-participant", edit("tes.csv", "198102022006042002,Rina", "198001012005011001,Rina"), 1,
     "duplicate id (already in row 2)", ("tes.csv", "'NIP'", "row 3")),
    ("duplicate-score-row", edit("tes.csv", "198102022006042002", "198001012005011001"), 1,
     "duplicate id", ("tes.csv", "'NIP'", "row 3")),
    ("duplicate-respondent-with-duplicates-error", lambda f: (
        edit("reaksi.csv", "198102022006042002", "198001012005011001")(f),
        edit("program.yaml", "  comment_columns: [Saran]", "  comment_columns: [Saran]\n  duplicates: error")(f)), 1,
     "duplicate id", ("reaksi.csv", "'NIP'", "row 3")),
    ("missing-participant-id", edit("tes.csv", "198102022006042002,Rina", ",Rina"), 1, "participant id is empty",
     ("tes.csv", "'NIP'", "row 3")),
    ("nip-scientific-notation-other-name", edit("tes.csv", "198102022006042002,Rina", "1.98102E+17,Budi"), 1,
     "Excel number", ("tes.csv", "'NIP'", "row 3")),
    ("missing-column", edit("tes.csv", "NIP,Nama,pre,post", "NIP,Nama,pre,nilai_akhir"), 1, "column not found",
     ("tes.csv", "'post'", None)),
    ("duplicate-columns", edit("tes.csv", "NIP,Nama,pre,post", "NIP,Nama,pre,pre"), 1, None, ("tes.csv", None, None)),
    ("empty-file", write("tes.csv", ""), 1, "empty", ("tes.csv", None, None)),
    ("header-only", write("tes.csv", "NIP,Nama,pre,post\n"), 1, "empty", ("tes.csv", None, None)),
    ("missing-file", lambda f: (f / "tes.csv").unlink(), 1, "does not exist", ("tes.csv", None, None)),
    ("unsupported-file-type", both(edit("program.yaml", "file: tes.csv", "file: tes.pdf"),
                                   write("tes.pdf", b"%PDF-1.4")), 1, "not supported", ("tes.pdf", None, None)),
    ("corrupt-xlsx", both(edit("program.yaml", "file: tes.csv", "file: tes.xlsx"), write("tes.xlsx", b"not a zip")),
     1, "Excel file cannot be read", ("tes.xlsx", None, None)),
    ("yaml-syntax-error", edit("program.yaml", "jp: 40", "jp: [40"), 1, "YAML syntax error", ("program.yaml", None, "row")),
    ("yaml-unknown-key", edit("program.yaml", "level2:", "lavel2:"), 1, "unknown key", ("program.yaml", None, None)),
    ("yaml-bad-value", edit("program.yaml", "delivery_mode: classroom", "delivery_mode: kelas"), 1, "invalid value",
     ("program.yaml", "'delivery_mode'", None)),
    ("yaml-undefined-instrument", edit("program.yaml", "  instrument: reaksi", "  instrument: survei"), 1,
     "not defined under instruments", ("program.yaml", None, None)),
    ("yaml-reverse-not-in-items", edit("program.yaml", "reverse: [m3]", "reverse: [m9]"), 1,
     "not among this scale's items", ("program.yaml", None, None)),
    ("yaml-file-outside-folder", edit("program.yaml", "file: tes.csv", "file: ../tes.csv"), 1,
     "inside the program folder", ("program.yaml", None, None)),
    ("yaml-not-a-mapping", write("program.yaml", "- just\n- a list\n"), 1, "key: value", ("program.yaml", None, None)),
    ("yaml-empty-dates-wrong-order", edit("program.yaml", "end_date: 2026-01-16", "end_date: 2025-01-16"), 1,
     "end_date is before start_date", ("program.yaml", None, None)),
    ("several-problems-at-once", both(edit("tes.csv", "62,80", "62,180"), edit("reaksi.csv", "Setuju,Setuju,Tidak Setuju",
                                                                            "Setuju,Stuju,Tidak Setuju")), 1,
     "Found 2 problems", ("tes.csv", "'post'", "row 3")),
]


@pytest.mark.parametrize("name, mutate, code, text, where", CASES, ids=[c[0] for c in CASES])
def test_corpus_case(tmp_path, capsys, name, mutate, code, text, where):
    folder = tmp_path / "raw" / "mini-program"
    shutil.copytree(MINI, folder)
    mutate(folder)
    rc = main(["validate", str(folder)])
    out = capsys.readouterr()
    assert rc == code, out.err + out.out
    assert "Traceback" not in out.err + out.out
    if code:
        assert "How to fix" in out.err
        if text:
            assert text in out.err, out.err
        f, col, row = where
        assert f"file {f}" in out.err
        if col:
            assert f"column {col}" in out.err
        if row:
            assert row in out.err


@pytest.mark.parametrize("bad", ["PKP-2026", "Program Baru", "pkp_2026", "pkp--1"])
def test_bad_program_ids_through_the_cli(tmp_path, capsys, bad):
    folder = tmp_path / "raw" / bad
    folder.mkdir(parents=True)
    (folder / "program.yaml").write_text("name: x\ninstitution: y\n")
    rc = main(["validate", str(folder)])
    out = capsys.readouterr()
    assert rc == 1 and "Traceback" not in out.err and "not a valid program id" in out.err


def test_corpus_has_at_least_40_inputs():
    import re
    from pathlib import Path

    here = Path(__file__).parent
    api_cases = len(re.findall(r"^def test_", (here / "test_ingest.py").read_text(), flags=re.M))
    assert len(CASES) + 4 + api_cases >= 40
