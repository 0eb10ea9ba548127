"""Hostile program folders (issue #11, ingest half): paths that leave the folder, files that
are not files, resource bombs and personal data in free text. Every case must end in an
evalkit error naming the file and the limit (or the masked value), never a traceback or a
hang, and ``data/raw`` stays byte-identical."""
from __future__ import annotations

import os
import shutil
import zipfile

import pandas as pd
import pytest

from conftest import MINI, tree_checksums
from evalkit import load_program
from evalkit.cli import main


@pytest.fixture
def prog(tmp_path):
    dst = tmp_path / "raw" / "mini-program"
    shutil.copytree(MINI, dst)
    return dst


def _yaml(folder, old, new):
    p = folder / "program.yaml"
    text = p.read_text(encoding="utf-8")
    assert old in text
    p.write_text(text.replace(old, new, 1), encoding="utf-8")


def _validate(folder, capsys):
    rc = main(["validate", str(folder), "--lang", "en"])
    out = capsys.readouterr()
    assert "Traceback" not in out.out + out.err
    return rc, out.err + out.out


def test_symlinked_data_file_to_outside_is_refused(prog, tmp_path, capsys):
    outside = tmp_path / "secret.csv"
    shutil.copy(prog / "tes.csv", outside)
    (prog / "tes.csv").unlink()
    os.symlink(outside, prog / "tes.csv")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "outside the program folder or is a symbolic link" in out and "tes.csv" in out


def test_symlinked_subfolder_is_refused(prog, tmp_path, capsys):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shutil.copy(prog / "tes.csv", outside / "tes.csv")
    os.symlink(outside, prog / "sub")
    _yaml(prog, "file: tes.csv", "file: sub/tes.csv")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "symbolic link" in out


def test_symlinked_program_yaml_is_refused(prog, tmp_path, capsys):
    real = tmp_path / "program.yaml"
    shutil.move(prog / "program.yaml", real)
    os.symlink(real, prog / "program.yaml")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "symbolic link" in out


def test_device_file_is_refused_without_hanging(prog, capsys):
    (prog / "tes.csv").unlink()
    os.symlink("/dev/zero", prog / "tes.csv")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "tes.csv" in out


def test_fifo_is_not_a_regular_file(prog, capsys):
    (prog / "tes.csv").unlink()
    os.mkfifo(prog / "tes.csv")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "not a regular file" in out


@pytest.mark.parametrize("payload", ["[" * 5000 + "]" * 5000, "a:\n" + "".join("  " * i + "a:\n" for i in range(1, 200))])
def test_deeply_nested_yaml_is_a_limit_error(prog, capsys, payload):
    text = (prog / "program.yaml").read_text(encoding="utf-8")
    (prog / "program.yaml").write_text(text + "\ndescription: " + payload + "\n" if payload.startswith("[")
                                       else payload, encoding="utf-8")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "yaml_max_depth" in out and "EVALKIT_LIMIT_YAML_MAX_DEPTH" in out


def test_yaml_alias_bomb_is_a_limit_error(prog, capsys):
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{c}: &{c} [{', '.join(['*' + p] * 12)}]\n" for p, c in zip("abcdefghij", "bcdefghijk"))
    (prog / "program.yaml").write_text(bomb, encoding="utf-8")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "yaml_max_aliases" in out


def test_huge_declared_xlsx_dimension_is_refused_fast(prog, capsys):
    import openpyxl

    wb = openpyxl.Workbook()
    wb.active["XFD1048576"] = 1
    wb.save(prog / "tes.xlsx")
    _yaml(prog, "file: tes.csv", "file: tes.xlsx")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and ("max_rows" in out or "max_columns" in out) and "tes.xlsx" in out


def test_xlsx_zip_bomb_is_refused(prog, capsys):
    with zipfile.ZipFile(prog / "tes.xlsx", "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("[Content_Types].xml", "<Types/>")
        z.writestr("xl/worksheets/sheet1.xml", b"<worksheet>" + b" " * (60 * 1024 * 1024) + b"</worksheet>")
    _yaml(prog, "file: tes.csv", "file: tes.xlsx")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "xlsx_max_ratio" in out


def test_csv_with_a_million_columns_is_refused(prog, capsys):
    (prog / "tes.csv").write_text(",".join(f"c{i}" for i in range(1_000_000)) + "\n1\n", encoding="utf-8")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "max_columns" in out


def test_limit_can_be_raised_by_environment(prog, monkeypatch, capsys):
    monkeypatch.setenv("EVALKIT_LIMIT_MAX_FILE_MB", "0.0001")
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "max_file_mb" in out
    monkeypatch.setenv("EVALKIT_LIMIT_MAX_FILE_MB", "100")
    rc, out = _validate(prog, capsys)
    assert rc == 0


def test_program_name_over_the_limit_is_a_validation_error(prog, capsys):
    _yaml(prog, "name: Pelatihan Uji Coba", "name: " + "X" * 300)
    rc, out = _validate(prog, capsys)
    assert rc == 1 and "at most 200" in out


def test_personal_data_in_free_text_is_masked_everywhere(prog, tmp_path):
    nip = "198102022006042002"
    # a NIP with slashes and a name in upper case with a no-break space in a comment
    text = (prog / "reaksi.csv").read_text(encoding="utf-8")
    text = text.replace("Materi bagus", '"Terima kasih RINA\u00a0 MARLINA, NIP 19810202/200604/2/002"')
    (prog / "reaksi.csv").write_text(text, encoding="utf-8")
    prog_data = load_program(prog)
    comment = prog_data.level1_comments["comment"].iloc[0]
    assert "[nama]" in comment and "[NIP]" in comment and "RINA" not in comment and "2006" not in comment
    out = prog_data.write_processed(tmp_path / "processed")
    blob = "\n".join(pd.read_parquet(p).astype(str).to_csv() for p in out.glob("*.parquet"))
    assert nip not in blob and "Rina" not in blob


@pytest.mark.parametrize("typed", ["'198102022006042002", "198102022006042002\u200b", "１９８１０２０２２００６０４２００２",
                                   "19810202 200604 2 002"])
def test_one_person_one_pseudonym_however_the_nip_is_typed(prog, typed):
    plain = load_program(prog).level2.set_index("participant")
    text = (prog / "tes.csv").read_text(encoding="utf-8").replace("198102022006042002,", typed + ",")
    (prog / "tes.csv").write_text(text, encoding="utf-8")
    changed = load_program(prog).level2.set_index("participant")
    assert set(plain.index) == set(changed.index)


def test_roster_keeps_only_declared_columns(prog):
    (prog / "peserta.csv").write_text(
        "NIP,Nama,Jenis Kelamin,Atasan Langsung,Kontak,Keterangan\n"
        "198001012005011001,Ahmad Fauzi,L,Budi Hartono,ahmad@example.go.id,atasan NIP 197001012000011001\n"
        "198102022006042002,Rina Marlina,P,Budi Hartono,rina@example.go.id,-\n", encoding="utf-8")
    with open(prog / "program.yaml", "a", encoding="utf-8") as fh:
        fh.write("roster:\n  file: peserta.csv\n  id_column: NIP\n  name_columns: [Nama]\n"
                 "  profile: {sex: Jenis Kelamin}\n")
    r = load_program(prog).roster
    assert list(r.columns) == ["participant", "sex"]


def test_raw_folder_unchanged_by_a_hostile_run(prog, capsys, tmp_path):
    (prog / "reaksi.csv").write_text((prog / "reaksi.csv").read_text() + "=cmd|' /C calc'!A0,,,,,,,,,\n")
    before = tree_checksums(prog)
    _validate(prog, capsys)
    assert tree_checksums(prog) == before
