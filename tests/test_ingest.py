"""Ingest: program ids, reading real-world exports, validation that reports every problem
with file/column/row, pseudonymization, and data/raw never written."""
from __future__ import annotations

import re
import shutil

import pandas as pd
import pytest

from conftest import MINI, PROGRAMS, RAW, tree_checksums
from evalkit.errors import ProgramIdError, ValidationError
from evalkit.ingest import check_program_id, load_program
from evalkit.ingest.pseudonymize import pseudonym
from evalkit.ingest.readers import parse_number, read_table


@pytest.mark.parametrize("pid", ["pkp-2026-angkatan-1", "mot1", "a-b-c"])
def test_valid_program_ids(pid):
    assert check_program_id(pid) == pid


@pytest.mark.parametrize("pid", ["..", "../etc", "a/b", "PKP-2026", "pkp 2026", "-pkp", "pkp-", "pkp--1", "", "x" * 65,
                                 "pkp_2026"])
def test_invalid_program_ids(pid):
    with pytest.raises(ProgramIdError, match="not a valid program id"):
        check_program_id(pid)


def test_bad_folder_name_rejected_before_reading(tmp_path):
    bad = tmp_path / "Bad Name"
    shutil.copytree(MINI, bad)
    with pytest.raises(ProgramIdError):
        load_program(bad)


@pytest.mark.parametrize("program", [p.name for p in PROGRAMS])
def test_sample_programs_load_without_personal_data(program):
    folder = RAW / program
    data = load_program(folder)
    nips, names = _personal_values(folder)
    assert len(nips) >= 30 and len(names) >= 30
    for name in data.TABLES:
        df = getattr(data, name)
        if df is None:
            continue
        text = df.astype(str).to_csv()
        leaked = [v for v in nips | names if v in text]
        assert not leaked, f"{program}/{name} leaks {leaked[:3]}"


def _personal_values(folder):
    roster = pd.read_csv(folder / "peserta.csv", dtype=str)
    return set(roster["NIP"]), set(roster["Nama"])


def test_pseudonyms_link_participants_across_files():
    data = load_program(RAW / "pkp-2026-angkatan-1")
    roster = set(data.roster["participant"])
    assert set(data.level2["participant"]) == roster
    assert set(data.level1["participant"].dropna()) <= roster
    assert set(data.level3["participant"]) == roster
    nip = pd.read_csv(RAW / "pkp-2026-angkatan-1" / "peserta.csv", dtype=str)["NIP"].iloc[0]
    import evalkit.ingest.pseudonymize as ps

    assert pseudonym(nip, ps.get_key()) in roster
    assert re.fullmatch(r"P-[0-9a-f]{10}", data.roster["participant"].iloc[0])


def test_comments_mask_names_and_nips():
    data = load_program(MINI)
    comments = " ".join(data.level1_comments["comment"])
    assert "Bayu Prakoso" not in comments and "[nama]" in comments


def test_loading_never_writes_raw(tmp_path):
    before = tree_checksums(RAW)
    for p in PROGRAMS:
        load_program(p).write_processed(tmp_path / "processed")
    assert tree_checksums(RAW) == before
    assert (tmp_path / "processed" / "pkp-2026-angkatan-1" / "level1.parquet").exists()
    back = pd.read_parquet(tmp_path / "processed" / "pkp-2026-angkatan-1" / "level2.parquet")
    assert list(back.columns) == ["participant", "pre", "post"]


# --- the bad-input corpus of the foundation (issue 7 extends it) -------------------------------

def _edit(folder, name, old, new):
    p = folder / name
    p.write_text(p.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")


def test_every_problem_reported_at_once_with_file_column_row(mini_copy):
    _edit(mini_copy, "reaksi.csv", "Ragu-ragu,Setuju,Ragu-ragu", "Ragu-ragu,Setujuu,Ragu-ragu")  # row 4, m2
    _edit(mini_copy, "tes.csv", "45,47", "45,147")  # row 10, post
    _edit(mini_copy, "tes.csv", "199011112015031011", "198001012005011001")  # duplicate id, row 12
    _edit(mini_copy, "reaksi.csv", "Setuju,Setuju,Ragu-ragu,Setuju,Setuju,Setuju,", "Setuju,Setuju,7,Setuju,Setuju,Setuju,")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    probs = {(p.key, p.file, p.column, p.row) for p in err.value.problems}
    assert ("unknown_label", "reaksi.csv", "m2", 4) in probs
    assert ("out_of_range", "tes.csv", "post", 10) in probs
    assert ("duplicate_id", "tes.csv", "NIP", 12) in probs
    assert ("out_of_scale", "reaksi.csv", "m3", 12) in probs
    text = str(err.value)
    assert "did you mean 'Setuju'" in text and "How to fix" in text
    assert "Found 4 problems" in text


def test_misspelled_label_suggests_nearest(mini_copy):
    _edit(mini_copy, "reaksi.csv", "Sangat Setuju,Setuju,Sangat Tidak Setuju", "Sangat Stuju,Setuju,Sangat Tidak Setuju")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    (p,) = err.value.problems
    assert (p.key, p.column, p.row) == ("unknown_label", "m1", 3)
    assert p.params["suggestion"] == "Sangat Setuju"
    assert "baris 3" in err.value.render("id") and "mungkin maksudnya: 'Sangat Setuju'" in err.value.render("id")


def test_labels_match_ignoring_case_and_spaces(mini_copy):
    _edit(mini_copy, "reaksi.csv", "Sangat Setuju,Setuju,Sangat Tidak Setuju", "sangat  setuju,SETUJU,Sangat Tidak Setuju")
    data = load_program(mini_copy)
    assert data.level1.loc[1, "m1"] == 5 and data.level1.loc[1, "m2"] == 4


def test_text_in_numeric_column(mini_copy):
    _edit(mini_copy, "tes.csv", "62,80", "enam puluh,80")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert (p.key, p.file, p.column, p.row) == ("not_a_number", "tes.csv", "pre", 3)


def test_missing_column_suggests_nearest(mini_copy):
    _edit(mini_copy, "tes.csv", "NIP,Nama,pre,post", "NIP,Nama,pre,postt")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert (p.key, p.column) == ("missing_column", "post") and p.params["suggestion"] == "postt"


def test_yaml_syntax_error_names_the_line(mini_copy):
    _edit(mini_copy, "program.yaml", "jp: 40", "jp: [40")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert p.key == "yaml_syntax" and p.file == "program.yaml" and p.row is not None


def test_unknown_key_in_yaml(mini_copy):
    _edit(mini_copy, "program.yaml", "level2:", "lavel2:")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    assert any(p.key == "yaml_unknown_key" and "lavel2" in p.column for p in err.value.problems)


def test_missing_file_named_in_yaml(mini_copy):
    (mini_copy / "tes.csv").unlink()
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    assert [(p.key, p.file) for p in err.value.problems] == [("missing_file", "tes.csv")]


def test_empty_file(mini_copy):
    (mini_copy / "tes.csv").write_text("")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    assert err.value.problems[0].key == "empty_file"


def test_path_outside_program_folder_rejected(mini_copy):
    _edit(mini_copy, "program.yaml", "file: tes.csv", "file: ../tes.csv")
    with pytest.raises(ValidationError, match="inside the program folder"):
        load_program(mini_copy)


def test_nip_in_scientific_notation_linked_by_name(mini_copy):
    _edit(mini_copy, "tes.csv", "198102022006042002,", "1.98102E+17,")
    prog = load_program(mini_copy)
    linked = [w for w in prog.warnings if w.key == "id_linked_by_name"]
    assert [(w.file, w.row) for w in linked] == [("tes.csv", 3)]
    # the rounded id joined the same person as the survey's exact NIP
    assert prog.linkage.loc[0, "matched_by_name"] == 1


def test_nip_in_scientific_notation_without_matching_name_is_an_error(mini_copy):
    _edit(mini_copy, "tes.csv", "1.98102E+17,Rina Marlina", "1.98102E+17,Budi Santoso")
    _edit(mini_copy, "tes.csv", "198102022006042002,Rina Marlina", "1.98102E+17,Budi Santoso")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    assert any(p.key == "id_rounded" and p.row == 3 and p.column == "NIP" for p in err.value.problems)


def test_semicolon_cp1252_decimal_comma(mini_copy):
    text = (mini_copy / "tes.csv").read_text().replace(",", ";").replace("55;78", "55,5;78").replace(
        "Ahmad Fauzi", "Ahmad Fauzi Ramé")
    (mini_copy / "tes.csv").write_bytes(text.encode("cp1252"))
    data = load_program(mini_copy)
    assert data.level2.loc[0, "pre"] == 55.5


def test_utf8_bom_csv(mini_copy):
    raw = (mini_copy / "tes.csv").read_bytes()
    (mini_copy / "tes.csv").write_bytes(b"\xef\xbb\xbf" + raw)
    assert list(load_program(mini_copy).level2.columns) == ["participant", "pre", "post"]


def test_xlsx_with_title_row(tmp_path):
    df = pd.DataFrame({"NIP": ["198001012005011001", "198102022006042002"], "pre": [50, 60], "post": [70, 65]})
    path = tmp_path / "x.xlsx"
    with pd.ExcelWriter(path) as xw:
        pd.DataFrame([["Rekap nilai angkatan I"]]).to_excel(xw, header=False, index=False)
        df.to_excel(xw, index=False, startrow=2)
    table = read_table(path, "x.xlsx", expected=["NIP"])
    assert list(table.df.columns) == ["NIP", "pre", "post"]
    assert table.df["NIP"].tolist() == df["NIP"].tolist()
    assert table.row_of(0) == 4  # title row 1, blank row 2, header row 3


@pytest.mark.parametrize("text, money, expected", [
    ("3,5", False, 3.5), ("72.25", False, 72.25), ("abc", False, None), ("Rp 9.500.000", True, 9500000.0),
    ("9,500,000", True, 9500000.0), ("1.234,5", True, 1234.5), ("", False, None), ("1e3", False, 1000.0),
])
def test_parse_number(text, money, expected):
    assert parse_number(text, money=money) == expected


@pytest.mark.parametrize("money", [False, True])
def test_vectorized_parser_agrees_with_the_single_value_parser(money):
    from evalkit.ingest.readers import parse_numbers

    cells = ["3,5", "72.25", "abc", "Rp 9.500.000", "9,500,000", "1.234,5", "1e3", " 7 ", "-2", "+.5", "5.",
             "1,234.50", "nan", "inf", "12 000", "Rp.150.000", "IDR 65,000", None]
    nums, bad = parse_numbers(pd.Series(cells, dtype=object), money=money)
    for c, v, b in zip(cells, nums, bad):
        expected = None if c is None else parse_number(c, money=money)
        if expected is None:
            assert pd.isna(v) and b == (c is not None), c
        else:
            assert v == expected and not b, c


def test_many_bad_rows_are_counted_not_listed(mini_copy):
    lines = (mini_copy / "tes.csv").read_text().splitlines()
    bad = [",".join([f"1980010120050110{i:02d}", "Nama", "lima", "7"]) for i in range(40)]
    (mini_copy / "tes.csv").write_text("\n".join([lines[0], *lines[1:], *bad, lines[1]]) + "\n")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    probs = err.value.problems
    nan = [p for p in probs if p.key == "not_a_number"]
    assert len(nan) == 5 and nan[0].row == 14  # header row 1, 12 rows, first bad row is row 14
    more = [p for p in probs if p.key == "more_rows"]
    assert any(p.params["n"] == 35 and p.params["what"] == "not_a_number" for p in more)
    dup = [p for p in probs if p.key == "duplicate_id"]
    # row 15 (generated id ...011001) and the last row (a copy of row 2) both repeat row 2's NIP
    assert [(p.row, p.params["first_row"]) for p in dup] == [(15, 2), (54, 2)]


def test_test_items_without_id_column_names_the_section(mini_copy):
    (mini_copy / "jawaban.csv").write_text("NIP,S1,S2\n198001012005011001,A,B\n")
    y = (mini_copy / "program.yaml").read_text() + "test_items:\n  file: jawaban.csv\n  key: {S1: A, S2: B}\n"
    (mini_copy / "program.yaml").write_text(y)
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = err.value.problems[0]
    assert p.key == "needs_id" and "test_items section needs an id_column" in str(err.value)


@pytest.mark.parametrize("decimal, expected", [(None, None), ("comma", 1234.0), ("dot", 1.234)])
def test_ambiguous_number_is_an_error_until_the_file_declares_its_decimal_separator(mini_copy, decimal, expected):
    text = (mini_copy / "tes.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    cells = lines[1].split(",")
    cells[2] = '"1.234"'
    lines[1] = ",".join(cells)
    (mini_copy / "tes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    if decimal:
        _edit(mini_copy, "program.yaml", "  pre: pre\n", f"  pre: pre\n  decimal: {decimal}\n")
        _edit(mini_copy, "program.yaml", "  max_score: 100", "  max_score: 2000")  # 1.234 read as 1234 is in range
    if expected is None:
        with pytest.raises(ValidationError) as err:
            load_program(mini_copy)
        p = next(p for p in err.value.problems if p.key == "ambiguous_number")
        assert (p.file, p.column, p.row) == ("tes.csv", "pre", 2)
        assert "decimal: comma" in p.message("en")
    else:
        pre = load_program(mini_copy).level2["pre"]
        assert pre.iloc[0] == pytest.approx(expected)


@pytest.mark.parametrize("enc", ["utf-8", "cp1252"])
def test_csv_read_the_same_with_and_without_quotes(tmp_path, enc):
    """A file without any quote character is read without looking for line breaks inside
    values (faster); with quotes, a quoted line break stays in its cell. Both give the rows."""
    from evalkit.ingest import readers

    plain = "NIP,Nama,q1\n197803152005011002, Ani ,Setuju\n197803152005011003,Budi,\n197803152005011004,Cut,Sangat Setuju\n"
    quoted = plain.replace(",Budi,", ',"Budi\nSusanto, S.Pd.",').replace("Cut", '"Çut ""C"""')
    assert readers._has_quote(tmp_path.joinpath("q.csv").write_bytes(quoted.encode(enc)) and tmp_path / "q.csv")
    assert not readers._has_quote(tmp_path.joinpath("p.csv").write_bytes(plain.encode(enc)) and tmp_path / "p.csv")
    for name, names in (("p.csv", ["Ani", "Budi", "Cut"]), ("q.csv", ["Ani", "Budi\nSusanto, S.Pd.", 'Çut "C"'])):
        table = read_table(tmp_path / name, name, expected=["NIP"])
        assert table.df["Nama"].tolist() == names
        assert table.df["NIP"].tolist() == ["197803152005011002", "197803152005011003", "197803152005011004"]
        assert table.df["q1"].isna().tolist() == [False, True, False]
        assert [table.row_of(i) for i in range(3)] == [2, 3, 4]


def test_encoding_cache_serves_only_the_column_it_encoded():
    """A table's encodings are keyed by the Arrow array: the same column is encoded once; a
    column replaced by other values (a rule changed it) is encoded again, never served stale."""
    from evalkit.ingest.cleaning import uniques

    cache: dict = {}
    s = pd.Series(pd.array(["Setuju", None, "Tidak Setuju", "Setuju"], dtype="string[pyarrow]"))
    codes, uniq = uniques(s, cache)
    assert [uniq[c] if c >= 0 else None for c in codes] == ["Setuju", None, "Tidak Setuju", "Setuju"]
    again, uniq_again = uniques(s, cache)
    assert again is codes and uniq_again is uniq and len(cache) == 1  # served, not encoded again
    changed = pd.Series(pd.array(["Ragu-ragu", "Setuju", None, None], dtype="string[pyarrow]"))
    codes2, uniq2 = uniques(changed, cache)
    assert [uniq2[c] if c >= 0 else None for c in codes2] == ["Ragu-ragu", "Setuju", None, None]
    plain = pd.Series(["a", None, "a"], dtype=object)  # not Arrow: encoded each time, nothing kept
    assert uniques(plain, cache)[0].tolist() == [0, -1, 0] and len(cache) == 2


def test_plain_nip_numbers_are_worked_out_once_per_column():
    """Duplicate ids, resubmissions and pseudonyms ask about the same id column: the table's
    cache answers the second time (also "not plain NIPs"), and never for another column."""
    from evalkit.ingest.nip import plain_nip_numbers

    cache: dict = {}
    s = pd.Series(pd.array(["199602042025061002", None, "199602042025061002"], dtype="string[pyarrow]"))
    first = plain_nip_numbers(s, cache)
    assert first.tolist() == [199602042025061002, -1, 199602042025061002]
    assert plain_nip_numbers(s, cache) is first
    other = pd.Series(pd.array(["1996 0204 2025 06 1 002"], dtype="string[pyarrow]"))
    assert plain_nip_numbers(other, cache) is None and plain_nip_numbers(other, cache) is None
    assert len({k[1] for k in cache}) == 2 and {k[0] for k in cache} == {"nip", "nipbytes"}  # two columns
    changed = pd.Series(pd.array(["199602042025061003", None, None], dtype="string[pyarrow]"))
    assert plain_nip_numbers(changed, cache).tolist() == [199602042025061003, -1, -1]


def test_input_manifest_lists_every_file_with_its_sha256_in_order():
    """The files' SHA-256s are taken on a second thread while they are read: the manifest must
    still be each file's digest, program.yaml first, then the files as program.yaml names them."""
    import hashlib

    from evalkit.ingest.spec import parse_spec

    prog = load_program(MINI)
    spec = parse_spec(MINI / "program.yaml")
    names = ["program.yaml"] + [fs.file for fs in spec.file_specs().values()]
    assert list(prog.inputs) == list(dict.fromkeys(names))
    for name, digest in prog.inputs.items():
        assert digest == hashlib.sha256((MINI / name).read_bytes()).hexdigest()


# ---------------------------------------------------------------- columns of answers as categories

def test_answer_column_maps_every_block_onto_one_set_of_categories():
    """Each parser block has its own dictionary (other order, untrimmed variants, a cell of
    spaces): the Categorical holds each cell's trimmed text, white space only as missing,
    whatever block it came from and wherever the block's slice starts."""
    import pyarrow as pa

    from evalkit.ingest.readers import _answer_column

    def block(values):
        return pa.array(values, type=pa.large_string()).dictionary_encode()

    chunks = [block(["Setuju", None, " Setuju", "Ragu-ragu"]),
              block(["Ragu-ragu", "   ", "Setuju ", "Sangat  Setuju"]),
              block(["x", "Tidak Setuju", "Setuju", None, "Ragu-ragu"]).slice(1),  # a block with an offset
              block([None, None])]
    col = pa.chunked_array(chunks)
    got = _answer_column(col)
    expected = [None if v is None or not v.strip() else v.strip()
                for c in chunks for v in c.dictionary_decode().to_pylist()]
    assert isinstance(got.dtype, pd.CategoricalDtype)
    assert [None if pd.isna(v) else v for v in got.tolist()] == expected
    assert got.cat.categories.tolist() == ["Setuju", "Ragu-ragu", "Sangat  Setuju", "Tidak Setuju"]  # first seen
    assert got.cat.codes.dtype == "int8"
    assert _answer_column(pa.chunked_array([], type=pa.dictionary(pa.int32(), pa.large_string()))).empty


@pytest.mark.parametrize("quoted, enc", [(False, "utf-8"), (True, "utf-8"), (False, "cp1252"), (True, "cp1252")])
def test_answer_columns_read_as_categories_hold_the_same_cells(tmp_path, quoted, enc):
    """read_table with ``answers`` gives the Likert columns as Categoricals of exactly the cells
    the text path gives (trimmed; empty and white-space-only cells missing); other columns stay text."""
    rows = ["NIP,q1,q2,Saran", "197803152005011002, Setuju ,Sangat Setuju,ok", "197803152005011003,   ,Setuju,",
            "197803152005011004,Setuju,,bagus", "197803152005011005,TH,Ragu-ragu  ,-"]
    if quoted:
        rows[1] = rows[1].replace(",ok", ',"baris\nkedua"')
    if enc == "cp1252":  # an answer with a letter outside ASCII, as Indonesian Excel saves it
        rows[3] = rows[3].replace("Setuju,,", "Setuju sekali (é),,")
    (tmp_path / "r.csv").write_text("\n".join(rows) + "\n", encoding=enc)
    text = read_table(tmp_path / "r.csv", "r.csv", expected=["NIP"])
    coded = read_table(tmp_path / "r.csv", "r.csv", expected=["NIP"], answers=lambda h: h in {"q1", "q2"})
    for col in ("q1", "q2"):
        assert isinstance(coded.df[col].dtype, pd.CategoricalDtype)
        assert coded.df[col].astype(object).where(coded.df[col].notna(), None).tolist() == \
            text.df[col].astype(object).where(text.df[col].notna(), None).tolist()
    assert not isinstance(coded.df["Saran"].dtype, pd.CategoricalDtype)
    assert coded.df["NIP"].tolist() == text.df["NIP"].tolist()
    assert ("Setuju sekali (é)" in coded.df["q1"].cat.categories) == (enc == "cp1252")


def test_load_program_is_the_same_with_answers_read_as_text(tmp_path, monkeypatch):
    """The whole ingest of a messy program (resubmissions, missing-value codes, untrimmed
    labels, quoted newlines, rounded NIPs) gives the same tables, notices and linkage whether
    the Likert columns arrive as Categoricals (the default) or as text."""
    import sys

    from conftest import FIXTURES
    from evalkit.ingest import program as P

    sys.path.insert(0, str(FIXTURES))
    from messy_program import write_messy_program

    folder = tmp_path / "latsar-2026-angkatan-9"
    write_messy_program(folder)
    survey = folder / "survei_google_forms.csv"  # untrimmed labels and a code for "not answered"
    text = survey.read_text(encoding="utf-8")
    assert text.count(",Setuju,") > 3 and text.count(",Ragu-ragu,") > 2
    survey.write_text(text.replace(",Setuju,", ", Setuju ,", 3).replace(",Ragu-ragu,", ",-,", 2), encoding="utf-8")
    assert P._answer_headers(load_program.__globals__["parse_spec"](folder / "program.yaml"),
                             load_program.__globals__["parse_spec"](folder / "program.yaml").level1) is not None
    fast = load_program(folder)
    assert fast.missing["n"].sum() > 0  # the code was counted
    monkeypatch.setattr(P, "_answer_headers", lambda spec, fs: None)
    slow = load_program(folder)
    for name in P.ProgramData.TABLES:
        a, b = getattr(fast, name), getattr(slow, name)
        assert (a is None) == (b is None), name
        if a is not None:
            pd.testing.assert_frame_equal(a, b, obj=name)
    assert [str(w) for w in fast.warnings] == [str(w) for w in slow.warnings]
    pd.testing.assert_frame_equal(fast.missing, slow.missing)
    pd.testing.assert_frame_equal(fast.linkage, slow.linkage)


def test_unknown_answer_is_reported_at_its_row_from_a_categorical_column(mini_copy):
    """A typo in a Likert column read as a Categorical is still an error naming file, column
    and row, with the suggestion."""
    _edit(mini_copy, "reaksi.csv", "Ragu-ragu,Setuju,Ragu-ragu", "Ragu-ragu,Setujuu,Ragu-ragu")
    with pytest.raises(ValidationError) as err:
        load_program(mini_copy)
    p = next(p for p in err.value.problems if p.key == "unknown_label")
    assert (p.file, p.column, p.row) == ("reaksi.csv", "m2", 4)
    assert p.params["suggestion"] == "Setuju"


# ---------------------------------------------------------------- HMACs shared with a second process

@pytest.mark.parametrize("fixed", [False, True])
def test_hmac_digests_with_a_second_process_are_the_standard_librarys(fixed):
    import hmac

    import numpy as np

    from evalkit.ingest._hmac import hmac_digests

    msgs = [b"%018d" % (197803152005011002 + 7919 * i) for i in range(1001)]
    if not fixed:
        msgs += [b"", b"p-017", "Çut".encode(), b"x" * 300]
    given = np.array(msgs, dtype="S18") if fixed else msgs
    key = b"k" * 70  # longer than the block: hashed first
    want = b"".join(hmac.digest(key, m, "sha256") for m in msgs)
    assert hmac_digests(key, given, parallel=True) == want
    assert hmac_digests(key, given, parallel=False) == want


def test_hmac_digests_when_the_second_process_fails(monkeypatch, tmp_path):
    """A second process that cannot start, or that dies, answers short or hangs, never costs a
    wrong or missing pseudonym: what it did not send is hashed in this process, which never
    waits for it (a hanging one is stopped as soon as this process is done)."""
    import time

    import hmac

    from evalkit.ingest import _hmac

    msgs = [b"%018d" % (197803152005011002 + i) for i in range(500)]
    want = b"".join(hmac.digest(b"key", m, "sha256") for m in msgs)
    monkeypatch.setattr(_hmac.sys, "executable", str(tmp_path / "no-such-python"))
    assert _hmac.hmac_digests(b"key", msgs, parallel=True) == want
    monkeypatch.undo()
    short = tmp_path / "short.py"
    short.write_text("import sys\nsys.stdin.buffer.read()\nsys.stdout.buffer.write(b'x' * 31)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(short))
    assert _hmac.hmac_digests(b"key", msgs, parallel=True) == want
    dies = tmp_path / "dies.py"
    dies.write_text("import os\nos._exit(3)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(dies))
    assert _hmac.hmac_digests(b"key", msgs, parallel=True) == want
    hangs = tmp_path / "hangs.py"
    hangs.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(hangs))
    started = time.monotonic()
    assert _hmac.hmac_digests(b"key", msgs, parallel=True) == want
    assert time.monotonic() - started < 30  # not the 60 s the second process sleeps


def test_nip_codes_are_factorized_once_and_find_duplicates():
    """The duplicate check, resubmissions and pseudonyms share one factorization of an id
    column of plain NIPs (kept in the table's cache); a duplicate is still found."""
    from evalkit.ingest.nip import plain_nip_codes
    from evalkit.ingest.readers import Table
    from evalkit.ingest.validate import check_ids

    s = pd.Series(["197803152005011002", None, "197803152005011003", "197803152005011002"], dtype="string[pyarrow]")
    cache: dict = {}
    codes, uniq = plain_nip_codes(s, cache)
    assert codes.tolist() == [0, 1, 2, 0] and uniq.tolist() == [197803152005011002, -1, 197803152005011003]
    assert plain_nip_codes(s, cache)[0] is codes  # served from the cache
    table = Table(pd.DataFrame({"NIP": s}), "x.csv")
    table.encodings = cache
    problems: list = []
    check_ids(table.df, table, "NIP", problems)
    assert [(p.key, p.row, p.params.get("first_row")) for p in problems] == [("missing_id", 3, None),
                                                                             ("duplicate_id", 5, 2)]


def test_prefetched_pseudonyms_are_the_pseudonyms(monkeypatch):
    """HMACs started when the file is read serve the column as read, a column with rows
    dropped since (a subset, in another order) and NIPs they do not cover (hashed then)."""
    from evalkit.ingest import _hmac
    from evalkit.ingest.pseudonymize import prefetch_pseudonyms, pseudonym, pseudonymize_series

    monkeypatch.setattr(_hmac, "PARALLEL_MIN", 1)
    nips = [f"19780315200501{i:04d}" for i in range(40)]
    s = pd.Series(nips + [None, nips[3]], dtype="string[pyarrow]")
    job = prefetch_pseudonyms(s, b"key", {})
    assert job is not None and job[1].child is not None  # a second process hashes its share
    want = [None if v is None else pseudonym(v, b"key") for v in s.astype(object).where(s.notna(), None)]
    assert pseudonymize_series(s, b"key", {}, prefetched=job).tolist() == want
    later = pd.Series(nips[30:0:-3] + ["197803152005019999"], dtype="string[pyarrow]")  # subset + one new NIP
    assert pseudonymize_series(later, b"key", {}, prefetched=job).tolist() == [pseudonym(v, b"key") for v in later]
    assert prefetch_pseudonyms(pd.Series(["P-017"], dtype="string[pyarrow]"), b"key", {}) is None  # not NIPs


def test_load_program_with_prefetched_pseudonyms_is_the_same(mini_copy, monkeypatch):
    """A program whose survey has a resubmission (a row dropped after the file was read, so the
    early HMACs cover more NIPs than the column keeps) gives the same tables whether its ids'
    HMACs were started early in a second process or not."""
    from evalkit.ingest import _hmac
    from evalkit.ingest import program as P

    survey = mini_copy / "reaksi.csv"
    lines = survey.read_text(encoding="utf-8").splitlines()
    again = lines[2].replace("2026/01/16 1:03:40 PM", "2026/01/16 3:03:40 PM").replace(",Setuju,Setuju,", ",Ragu-ragu,Setuju,", 1)
    assert again != lines[2]
    survey.write_text("\n".join(lines + [again]) + "\n", encoding="utf-8")  # the same NIP, submitted later
    monkeypatch.setattr(_hmac, "PARALLEL_MIN", 1)
    started = []
    real = P.prefetch_pseudonyms
    monkeypatch.setattr(P, "prefetch_pseudonyms", lambda *a: started.append(real(*a)) or started[-1])
    early = load_program(mini_copy)
    assert sum(j is not None for j in started) == 2  # the survey's and the test scores' ids
    assert any("resubmission" in str(w).lower() or "duplicate" in str(w).lower() for w in early.warnings)
    monkeypatch.setattr(P, "prefetch_pseudonyms", lambda *a: None)
    plain = load_program(mini_copy)
    for name in P.ProgramData.TABLES:
        a, b = getattr(early, name), getattr(plain, name)
        assert (a is None) == (b is None)
        if a is not None:
            pd.testing.assert_frame_equal(a, b, obj=name)


def test_hmac_digests_from_both_ends_meet_anywhere(monkeypatch, tmp_path):
    """This process hashes from the last message backwards a chunk at a time until it reaches
    what the second process has sent: the digests are those of ``hmac.digest`` whatever the
    chunk size and wherever the two meet — a second process that sends a prefix and then
    hangs (this one hashes the rest, without waiting for it), or one that hashes everything."""
    import hmac
    import time

    import numpy as np

    from evalkit.ingest import _hmac

    msgs = [b"%018d" % (197803152005011002 + 7 * i) for i in range(1000)]
    want = b"".join(hmac.digest(b"key", m, "sha256") for m in msgs)
    for chunk in (1, 5, 64, 5000):
        monkeypatch.setattr(_hmac, "CHUNK", chunk)
        for given in (msgs, np.array(msgs, dtype="S18")):
            assert _hmac.hmac_digests(b"key", given, parallel=True) == want
    prefix = tmp_path / "prefix.py"  # the first 300 digests, right, then nothing more
    prefix.write_text("import sys, time\nsys.stdin.buffer.read()\n"
                      f"sys.stdout.buffer.write({want[:32 * 300]!r})\nsys.stdout.buffer.flush()\ntime.sleep(60)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(prefix))
    monkeypatch.setattr(_hmac, "CHUNK", 64)

    def arrived(job, n):
        deadline = time.monotonic() + 20
        while job._received[0] < 32 * n and time.monotonic() < deadline:
            time.sleep(0.01)

    job = _hmac.Digests(b"key", msgs)
    arrived(job, 300)  # the prefix is there before this process starts from the end
    hashed = []
    real = job._hash
    monkeypatch.setattr(job, "_hash", lambda part: hashed.append(len(part)) or real(part))
    started = time.monotonic()
    assert job.result() == want
    assert sum(hashed) == 700 and time.monotonic() - started < 30  # the rest only, never below; no waiting
    late = tmp_path / "late.py"  # the first 300, then (a second later) all the others
    late.write_text("import sys, time\nsys.stdin.buffer.read()\n"
                    f"sys.stdout.buffer.write({want[:32 * 300]!r})\nsys.stdout.buffer.flush()\ntime.sleep(0.5)\n"
                    f"sys.stdout.buffer.write({want[32 * 300:]!r})\nsys.stdout.buffer.flush()\ntime.sleep(60)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(late))
    job = _hmac.Digests(b"key", msgs)
    arrived(job, 300)
    real, child = job._hash, job.child
    monkeypatch.setattr(job, "_hash", lambda part: time.sleep(2) or real(part))  # the rest arrives meanwhile
    assert job.result() == want  # the second process's digests past where this one stopped are left out
    assert child.poll() is not None  # and the process, still sleeping, was stopped


def test_a_dropped_hmac_job_stops_its_process(tmp_path, monkeypatch):
    from evalkit.ingest import _hmac

    hangs = tmp_path / "hangs.py"
    hangs.write_text("import time\ntime.sleep(60)\n")
    monkeypatch.setattr(_hmac.os.path, "abspath", lambda p: str(hangs))
    job = _hmac.Digests(b"key", [b"x"] * 10, share=1.0)
    child = job.child
    assert child.poll() is None
    del job
    assert child.wait(timeout=10) != 0  # killed, not left waiting on its pipe


def test_an_ingest_error_stops_the_early_hmac_processes(mini_copy, monkeypatch):
    """When validation fails after a large id column's HMACs were started, every such job is
    closed before the error reaches the caller (a second process still running is killed)."""
    from evalkit.ingest import _hmac
    from evalkit.ingest import program as P

    monkeypatch.setattr(_hmac, "PARALLEL_MIN", 1)
    started = []
    real = P.prefetch_pseudonyms
    monkeypatch.setattr(P, "prefetch_pseudonyms", lambda *a: started.append(real(*a)) or started[-1])
    _edit(mini_copy, "reaksi.csv", "Ragu-ragu,Setuju,Ragu-ragu", "Ragu-ragu,Setujuu,Ragu-ragu")
    with pytest.raises(ValidationError):
        load_program(mini_copy)
    jobs = [job for _, job in filter(None, started)]
    assert jobs
    for job in jobs:
        assert job.child is None  # closed by load_program: killed, or already done, and let go


def test_nip_digits_refuses_a_number_no_nip_has():
    import numpy as np

    from evalkit.ingest.nip import nip_digits

    assert nip_digits(np.array([42])).tolist() == [b"000000000000000042"]
    for bad in (-1, 10 ** 18):
        with pytest.raises(ValueError, match="from 0 to 10\\^18 - 1"):
            nip_digits(np.array([bad], dtype=np.int64))
