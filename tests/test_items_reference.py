"""item_analysis(), item_validity(), reliability_table() against R and published r-table values."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalkit
from conftest import REFERENCE
from evalkit.errors import StatisticsError

TOL = 1e-6


def test_item_analysis_matches_r():
    ref = REFERENCE["item_analysis"]
    d = pd.read_csv("tests/reference/data/test_items.csv")
    res = evalkit.item_analysis(d)
    it = res.items
    for col in ("difficulty", "p_upper", "p_lower", "point_biserial", "point_biserial_rest"):
        np.testing.assert_allclose(it[col], ref[col], atol=TOL, err_msg=col)
    np.testing.assert_allclose(it["discrimination"], np.array(ref["p_upper"]) - ref["p_lower"], atol=TOL)
    assert res.kr20 == pytest.approx(ref["kr20"], abs=TOL)
    assert res.kr20 == pytest.approx(ref["alpha_psych"], abs=TOL)  # KR-20 is alpha on 0/1 items
    assert res.group_size == round(0.27 * 40)


def test_item_analysis_with_answer_key():
    d = pd.DataFrame({"q1": ["A", "a", "B", "C", "A"], "q2": ["D", "D", "D", "b", "D"], "q3": ["C", "B", "C", "C", "A"]})
    res = evalkit.item_analysis(d, key={"q1": "A", "q2": "D", "q3": "C"})
    assert res.items["difficulty"].tolist() == pytest.approx([0.6, 0.8, 0.6])


@pytest.mark.parametrize("p, band", [(0.29, "hard"), (0.30, "moderate"), (0.70, "moderate"), (0.71, "easy")])
def test_difficulty_bands(p, band):
    from evalkit.stats.items import DIFFICULTY, _band

    assert _band(p, DIFFICULTY) == band


@pytest.mark.parametrize("d, band", [(0.19, "poor"), (0.2, "marginal"), (0.3, "good"), (0.4, "very_good")])
def test_discrimination_bands(d, band):
    from evalkit.stats.items import DISCRIMINATION, _band

    assert _band(d, DISCRIMINATION) == band


def test_item_analysis_rejects_non_binary():
    with pytest.raises(StatisticsError, match="0/1"):
        evalkit.item_analysis(pd.DataFrame({"a": [0, 1, 2], "b": [1, 0, 1]}))


@pytest.mark.parametrize("n, published", [(12, 0.5760), (32, 0.3494), (102, 0.1946), (40, None)])
def test_critical_r_table(n, published):
    # published two-tailed .05 critical values of Pearson r for df = 10, 30, 100
    r = evalkit.critical_r(n)
    if published is None:
        assert r == pytest.approx(REFERENCE["item_analysis"]["r_critical_n40"], abs=1e-12)
    else:
        assert round(r, 4) == published


def test_item_validity_on_sample_scale():
    from evalkit.ingest import load_program

    df = load_program("data/raw/pkp-2026-angkatan-1").level1
    items = ["materi_1", "materi_2", "materi_3", "materi_4"]
    v = evalkit.item_validity(df, items, reverse="materi_3", scale=(1, 5))
    comp = df[items].dropna().copy()
    comp["materi_3"] = 6 - comp["materi_3"]
    total = comp.sum(axis=1)
    for i in items:
        assert v.loc[i, "r_item_total"] == pytest.approx(np.corrcoef(comp[i], total)[0, 1], abs=1e-12)
        assert v.loc[i, "r_item_rest"] == pytest.approx(np.corrcoef(comp[i], total - comp[i])[0, 1], abs=1e-12)
    assert (v["r_item_rest"] < v["r_item_total"]).all()
    assert "preferred" in v.attrs["note"]


def test_reliability_table_rows_equal_single_calls():
    d = pd.read_csv("tests/reference/data/bfi_ac.csv")
    scales = {"A": {"items": ["A1", "A2", "A3", "A4", "A5"], "reverse": ["A1"]},
              "C": {"items": ["C1", "C2", "C3", "C4", "C5"], "reverse": ["C4", "C5"]}}
    t = evalkit.reliability_table(d, scales, scale=(1, 6))
    assert t.loc["A", "alpha"] == pytest.approx(REFERENCE["reliability"]["bfi_agreeableness_pairwise"]["alpha"], abs=TOL)
    assert t.loc["C", "alpha"] == pytest.approx(REFERENCE["reliability"]["bfi_conscientiousness_pairwise"]["alpha"], abs=TOL)
    assert t.loc["C", "omega_total"] == pytest.approx(
        REFERENCE["reliability"]["bfi_conscientiousness_pairwise"]["omega_total"], abs=1e-5)
