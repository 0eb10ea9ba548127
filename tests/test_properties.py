"""Property-based tests: random valid inputs never raise anything but evalkit errors, and
the statistics keep their invariants."""
from __future__ import annotations

import math
import warnings

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import evalkit
from evalkit.errors import EvalkitError

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def likert_frames(draw):
    n = draw(st.integers(3, 40))
    k = draw(st.integers(2, 7))
    cells = draw(st.lists(st.one_of(st.integers(1, 5), st.just(None)), min_size=n * k, max_size=n * k))
    data = np.array([np.nan if v is None else v for v in cells], float).reshape(n, k)
    return pd.DataFrame(data, columns=[f"i{j}" for j in range(k)])


@SETTINGS
@given(likert_frames(), st.sampled_from(["pairwise", "listwise"]))
def test_reliability_only_evalkit_errors_and_alpha_at_most_one(df, missing):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = evalkit.reliability(df, scale=(1, 5), missing=missing)
        except EvalkitError:
            return
    c = res.coefficients["estimate"]
    for name in ("alpha", "std_alpha", "lambda2", "lambda6", "omega_total", "split_half"):
        v = c[name]
        assert math.isnan(v) or v <= 1 + 1e-9, (name, v)
    assert res.n <= len(df)
    if res.k >= 3 and np.isfinite(res.alpha):
        assert res.items["alpha_if_deleted"].notna().all() or res.items["r_rest"].isna().any()


@SETTINGS
@given(likert_frames())
def test_alpha_if_deleted_is_alpha_without_the_item(df):
    df = df.dropna()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            res = evalkit.reliability(df, scale=(1, 5), omega_if_deleted=False)
        except EvalkitError:
            return
        if res.k < 3 or res.k != df.shape[1]:
            return
        for item in res.items.index:
            try:
                sub = evalkit.reliability(df.drop(columns=item), scale=(1, 5), omega_if_deleted=False)
            except EvalkitError:
                continue
            if sub.k == res.k - 1:
                a, b = res.items.loc[item, "alpha_if_deleted"], sub.alpha
                assert (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-9)  # relative: near-zero variance gives huge values


@SETTINGS
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(0, 100)), min_size=0, max_size=30))
def test_prepost_sign_flips_and_only_evalkit_errors(pairs):
    pre = [p for p, _ in pairs]
    post = [q for _, q in pairs]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            a = evalkit.prepost(pre, post, max_score=100, n_boot=0)
            b = evalkit.prepost(post, pre, max_score=100, n_boot=0)
        except EvalkitError:
            return
    ea, eb = a.effect_sizes["estimate"], b.effect_sizes["estimate"]
    for k in ("d_z", "d_rm", "d_av", "d_av_rms", "g_z"):
        if np.isfinite(ea[k]):
            assert abs(ea[k] + eb[k]) < 1e-9, k
    p = a.tests["p_value"].dropna()
    assert ((p >= 0) & (p <= 1 + 1e-12)).all()


@SETTINGS
@given(st.lists(st.tuples(st.booleans(), st.booleans()), min_size=1, max_size=80), st.booleans(), st.booleans())
def test_mcnemar_p_in_unit_interval(pairs, exact, correction):
    r = evalkit.mcnemar([a for a, _ in pairs], [b for _, b in pairs], exact=exact, correction=correction)
    assert 0 <= r["p_value"] <= 1


@SETTINGS
@given(st.floats(25, 100), st.floats(25, 100))
def test_ikm_grade_is_monotone(x, y):
    order = "DCBA"
    lo, hi = sorted((x, y))
    assert order.index(evalkit.ikm_grade(lo)) <= order.index(evalkit.ikm_grade(hi))


# ---------------------------------------------------------------- pseudonymization fast paths

_ids = st.one_of(st.none(), st.integers(0, 10**19), st.from_regex(r"\A[0-9]{18}\Z"), st.text(max_size=30),
                 st.from_regex(r"\A[0-9 .\-']{18,26}\Z"))


@SETTINGS
@given(st.binary(max_size=130), st.lists(st.binary(max_size=200), max_size=20))
def test_hmac_many_is_hmac_sha256(key, messages):
    """The precomputed-pad HMAC gives the bytes of the standard library's, for keys shorter
    and longer than the 64-byte block."""
    import hmac

    from evalkit.ingest.pseudonymize import hmac_sha256_many

    assert hmac_sha256_many(key, messages) == [hmac.digest(key, m, "sha256") for m in messages]


@SETTINGS
@given(st.lists(_ids, max_size=40), st.sampled_from([object, "string[pyarrow]", "string[python]"]))
def test_pseudonymize_series_is_pseudonym_of_each_cell(values, dtype):
    """The vectorised column path (Arrow or object) equals :func:`pseudonym` cell by cell."""
    from evalkit.ingest.pseudonymize import pseudonym, pseudonymize_series

    s = pd.Series(values, dtype=dtype)
    got = pseudonymize_series(s, b"key").tolist()
    assert got == [None if pd.isna(v) else pseudonym(v, b"key") for v in s]


@SETTINGS
@given(st.lists(st.one_of(st.none(), st.from_regex(r"\A[+-]?[0-9]{1,12}\Z"), st.sampled_from(["1.234", "72,5", "x"])),
                min_size=1, max_size=30))
def test_parse_numbers_of_digit_columns_is_int(cells):
    """A column of digits only takes parse_numbers' short path; with one other cell the whole
    rule set runs. Either way each digits-only cell is Python's ``int`` of it."""
    from evalkit.ingest.readers import parse_numbers

    for dtype in (object, "string[pyarrow]"):
        nums, bad, amb = parse_numbers(pd.Series(cells, dtype=dtype, name="skor"), with_ambiguous=True)
        assert len(nums) == len(cells) and bad.dtype == bool and amb.dtype == bool
        for c, x, b in zip(cells, nums, bad):
            if c is None:
                assert math.isnan(x) and not b
            elif c.lstrip("+-").isdigit():
                assert x == float(int(c)) and not b


_number_cells = st.one_of(
    st.none(),
    st.text(alphabet="0123456789.,-+% eE", max_size=12),
    st.from_regex(r"\A(Rp\.? ?|IDR |rp)?-?[0-9]{1,3}([.,][0-9]{3}){0,3}([.,][0-9]{1,4})? ?%?\Z"),
    st.sampled_from(["1.234", "1,234", "72,5", "72.5", "Rp 9.500.000", "9\u00a0500", "x", "-", "TH", "٣", "5\n",
                     "\u00a01,5", "1e3", ".5", ",5", "+-1"]),
)


@SETTINGS
@given(st.lists(_number_cells, min_size=1, max_size=40), st.booleans(), st.sampled_from([None, "comma", "dot"]),
       st.sampled_from([object, "string[pyarrow]", "string[python]"]))
def test_parse_numbers_python_path_is_the_vectorised_rules(cells, money, decimal, dtype):
    """The value-by-value Python path (few distinct values) and the vectorised Arrow path
    (many) give the same numbers, bit for bit, and the same not-a-number and ambiguous cells."""
    from evalkit.ingest import readers

    s = pd.Series(cells, dtype=dtype, name="x")
    py = readers.parse_numbers(s, money=money, decimal=decimal, with_ambiguous=True)
    saved = readers.PY_MAX_DISTINCT
    readers.PY_MAX_DISTINCT = -1
    try:
        vec = readers.parse_numbers(s, money=money, decimal=decimal, with_ambiguous=True)
    finally:
        readers.PY_MAX_DISTINCT = saved
    np.testing.assert_array_equal(py[0].to_numpy(), vec[0].to_numpy())
    for a, b in zip(py, vec):
        assert a.index.equals(s.index) and a.name == "x"
    assert py[1].tolist() == vec[1].tolist() and py[2].tolist() == vec[2].tolist()
    assert py[1].dtype == bool and py[2].dtype == bool and py[0].dtype == float


_cleaning_cells = st.one_of(st.none(), st.sampled_from(["JUMLAH", " Total : ", "rata-rata", "TH", "-", "=SUM(A1:A3)",
                                                         "Setuju", "198703152010012001", "Jumlah 2", "n/a", "\u00a0TOTAL"]),
                            st.text(alphabet="aJT ml:h-=0", max_size=8))


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(_cleaning_cells, _cleaning_cells, _cleaning_cells), min_size=1, max_size=30),
       st.sampled_from([object, "string[pyarrow]", "string[python]"]), st.booleans())
def test_total_rows_with_the_cleaning_encodings_is_total_rows_alone(rows, dtype, with_id):
    """total_rows reading the columns' codes that clean_cells left in the table's cache finds
    the same rows as encoding each column itself (after the missing-value and formula rules)."""
    from evalkit.ingest.cleaning import DEFAULT_MISSING, clean_cells, total_rows
    from evalkit.ingest.readers import Table

    def table():
        cols = {name: pd.array([r[j] for r in rows], dtype=dtype) for j, name in enumerate(["nip", "item", "note"])}
        return Table(pd.DataFrame(cols), "x.csv")

    skip = {"nip"} if with_id else set()
    kw = dict(id_column="nip" if with_id else None, label_columns=["item"], empty_columns=[] if with_id else ["note"])
    shared, alone = table(), table()
    clean_cells(shared, list(DEFAULT_MISSING), skip)
    clean_cells(alone, list(DEFAULT_MISSING), skip)
    alone.encodings.clear()  # total_rows encodes each column itself
    pd.testing.assert_frame_equal(shared.df, alone.df)
    if dtype == "string[pyarrow]":  # Arrow columns: clean_cells left their codes for total_rows
        from evalkit.ingest.cleaning import cached

        assert all(cached(shared.encodings, shared.df[c]) is not None for c in ("item", "note"))
    found = total_rows(shared, **kw).tolist()
    assert found == total_rows(alone, **kw).tolist()
    # the rule itself, cell by cell (module docstring of evalkit.ingest.cleaning)
    from evalkit.ingest.cleaning import TOTAL_LABELS, _fold

    def label(v):
        return isinstance(v, str) and _fold(v) in TOTAL_LABELS

    df = alone.df.astype(object)
    expected = []
    for _, r in df.iterrows():
        any_label = any(label(v) for v in r)
        if with_id:
            key_ok = pd.isna(r["nip"]) or label(r["nip"]) or label(r["item"])
        else:
            key_ok = pd.isna(r["note"]) or label(r["item"])
        expected.append(any_label and key_ok)
    assert found == expected


_plain_nips = st.one_of(st.none(), st.sampled_from(["199602042025061002", "000000000000000042", "999999999999999999"]),
                        st.from_regex(r"\A[0-9]{18}\Z"))


@SETTINGS
@given(st.lists(_plain_nips, max_size=40), st.sampled_from([object, "string[pyarrow]", "string[python]"]))
def test_plain_nip_columns_as_numbers_give_the_same_pseudonyms_and_duplicates(values, dtype):
    """A column of plain 18-digit NIPs goes through their numbers (Arrow columns): the same
    pseudonyms as :func:`pseudonym` cell by cell, and the same duplicate rows as pandas finds
    on the text."""
    from evalkit.ingest.nip import nip_digits, plain_nip_numbers
    from evalkit.ingest.pseudonymize import pseudonym, pseudonymize_series
    from evalkit.ingest.readers import Table
    from evalkit.ingest.validate import check_ids

    s = pd.Series(values, dtype=dtype)
    numbers = plain_nip_numbers(s)
    if dtype == "string[pyarrow]" and s.notna().any():
        assert numbers is not None and nip_digits(numbers[s.notna().to_numpy()]).tolist() == [v.encode() for v in s.dropna()]
    assert pseudonymize_series(s, b"key").tolist() == [None if pd.isna(v) else pseudonym(v, b"key") for v in s]
    fast, slow = [], []
    check_ids(pd.DataFrame({"NIP": s}), Table(pd.DataFrame({"NIP": s}), "x.csv"), "NIP", fast)
    as_text = pd.Series(values, dtype=object)
    check_ids(pd.DataFrame({"NIP": as_text}), Table(pd.DataFrame({"NIP": as_text}), "x.csv"), "NIP", slow)
    assert [(p.key, p.row, p.params) for p in fast] == [(p.key, p.row, p.params) for p in slow]


#: near misses of a plain NIP: 18 bytes that are not 18 digits (a space, a dash, Arabic-Indic or
#: full-width digits: two and three bytes each), and 17 and 19 digits (given together, their
#: bytes add up to two NIPs')
_near_misses = st.sampled_from(["19960204 202506100", "1996-0204202506100", "١" * 9, "２" * 6, "19960204202506100x",
                                ("19960204202506100", "1996020420250610023")])


@st.composite
def _nip_columns(draw):
    values = draw(st.lists(_plain_nips, max_size=30))
    for miss in draw(st.lists(_near_misses, max_size=2)):
        for v in (miss if isinstance(miss, tuple) else (miss,)):
            values.insert(draw(st.integers(0, len(values))), v)
    return values


@SETTINGS
@given(_nip_columns(), st.integers(0, 5), st.integers(1, 4), st.booleans())
def test_plain_nip_bytes_are_the_cells_the_regular_expression_accepts(values, skip, pieces, large):
    """The byte test on the Arrow buffers (offsets all 18, bytes all digits) accepts exactly
    the columns whose filled cells all match ``^[0-9]{18}$``, in chunks, sliced (an offset) or
    not, in either string type, and gives their bytes in row order."""
    import re

    import pyarrow as pa

    from evalkit.ingest.nip import plain_nip_bytes

    typ = pa.large_string() if large else pa.string()
    whole = pa.array([None] * skip + values, type=typ).slice(skip)  # an array with an offset
    cut = sorted({0, len(values), *[len(values) * i // pieces for i in range(pieces)]})
    arr = pa.chunked_array([whole.slice(a, b - a) for a, b in zip(cut, cut[1:])] or [whole], type=typ)
    s = pd.Series(pd.arrays.ArrowStringArray(arr.cast(pa.large_string())))
    s.array._pa_array = arr  # the reader's column, whatever its string type
    filled = [v for v in values if v is not None]
    plain = bool(filled) and all(re.fullmatch(r"[0-9]{18}", v, flags=re.ASCII) for v in filled)
    got = plain_nip_bytes(s)
    assert (got is not None) == plain
    if plain:
        assert got.tolist() == [v.encode() for v in filled]
