"""mcnemar() and compare_groups() against R (mcnemar.test, binom.test, lm) and published values."""
from __future__ import annotations

import pandas as pd
import pytest

import evalkit
from conftest import REFERENCE
from evalkit.errors import StatisticsError

TOL = 1e-6


def test_mcnemar_published_table():
    # (794, 150 / 86, 570): chi2 (corrected) 16.818, p 4.115e-05 (R mcnemar.test example)
    before = [True] * 944 + [False] * 656
    after = [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570
    r = evalkit.mcnemar(before, after)
    ref = REFERENCE["mcnemar"]["published"]
    assert r["statistic"] == pytest.approx(ref["statistic"], abs=TOL)
    assert r["p_value"] == pytest.approx(ref["p"], rel=1e-6)
    assert round(r["statistic"], 3) == 16.818 and f"{r['p_value']:.3e}" == "4.115e-05"
    assert (r["b"], r["c"]) == (150, 86)


def test_mcnemar_variants_match_r():
    ref = REFERENCE["mcnemar"]["simulated"]
    b, a = ref["before"], ref["after"]
    assert evalkit.mcnemar(b, a)["statistic"] == pytest.approx(ref["statistic"], abs=TOL)
    assert evalkit.mcnemar(b, a)["p_value"] == pytest.approx(ref["p"], rel=1e-6)
    unc = evalkit.mcnemar(b, a, correction=False)
    assert unc["statistic"] == pytest.approx(ref["statistic_uncorrected"], abs=TOL)
    assert unc["p_value"] == pytest.approx(ref["p_uncorrected"], rel=1e-6)
    assert evalkit.mcnemar(b, a, exact=True)["p_value"] == pytest.approx(ref["p_exact"], rel=1e-9)


def test_mcnemar_bad_input():
    with pytest.raises(StatisticsError, match="true/false or 0/1"):
        evalkit.mcnemar([1, 2, 3], [0, 1, 1])
    with pytest.raises(StatisticsError, match="differ in length"):
        evalkit.mcnemar([True, False], [True])


@pytest.mark.parametrize("group", ["klasikal", "daring"])
def test_compare_groups_matches_lm(group):
    d = pd.read_csv("tests/reference/data/comparison_groups.csv")
    res = evalkit.compare_groups(d, pre="pre", post="post", group="group", control="kontrol")
    ref = REFERENCE["compare_groups"][group]
    row = res.loc[group]
    for key in ("ancova_effect", "ancova_se", "did_effect", "did_se"):
        assert row[key] == pytest.approx(ref[key], abs=TOL), key
    for key in ("ancova_p", "did_p"):
        assert row[key] == pytest.approx(ref[key], rel=1e-6), key
    assert set(res.index) == {"klasikal", "daring"}


def test_compare_groups_flags_disagreement():
    d = pd.read_csv("tests/reference/data/comparison_groups.csv")
    res = evalkit.compare_groups(d, pre="pre", post="post", group="group", control="kontrol")
    for _, r in res.iterrows():
        expected = (r.ancova_effect > 0) != (r.did_effect > 0) or (r.ancova_p < .05) != (r.did_p < .05)
        assert r.disagree == expected


def test_compare_groups_unknown_control():
    d = pd.read_csv("tests/reference/data/comparison_groups.csv")
    with pytest.raises(StatisticsError, match="control group 'kontrl'"):
        evalkit.compare_groups(d, pre="pre", post="post", group="group", control="kontrl")
