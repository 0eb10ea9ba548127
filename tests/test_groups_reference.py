"""mcnemar() and compare_groups() against R (mcnemar.test, binom.test, lm) and published values.

The joint-model references (MASS anorexia, an unequal-size data set with missing post
scores, the older comparison data set) come from tests/reference/make_groups_reference.R.
"""
from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from conftest import REFERENCE
from evalkit.errors import StatisticsError
from evalkit.stats._conventions import DroppedRowsWarning

TOL = 1e-6
GROUPS = json.loads((Path(__file__).parent / "reference" / "groups_reference.json").read_text())
DATA = Path(__file__).parent / "reference" / "data"


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
    # one joint model over the three groups (R lm(post ~ pre + group)), not pairwise fits
    d = pd.read_csv("tests/reference/data/comparison_groups.csv")
    res = evalkit.compare_groups(d, pre="pre", post="post", group="group", control="kontrol")
    ref = GROUPS["comparison_groups"]["coefficients"][group]
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


def _case(name):
    if name == "anorexia":
        d = pd.read_csv(DATA / "anorexia.csv")
        return d, dict(pre="Prewt", post="Postwt", group="Treat", control="Cont")
    d = pd.read_csv(DATA / "groups_unequal.csv")
    return d, dict(pre="pre", post="post", group="group", control="kontrol")


COEF_KEYS = ("ancova_effect", "ancova_se", "ancova_t", "ancova_ci_low", "ancova_ci_high",
             "did_effect", "did_se", "did_t", "did_ci_low", "did_ci_high")


@pytest.mark.filterwarnings("ignore::evalkit.stats._conventions.DroppedRowsWarning")
@pytest.mark.parametrize("name", ["anorexia", "unequal"])
def test_joint_ancova_matches_r(name):
    d, kw = _case(name)
    res = evalkit.compare_groups(d, **kw)
    ref = GROUPS[name]
    assert list(res.to_frame().index) == list(ref["coefficients"])
    for g, r in ref["coefficients"].items():
        row = res.loc[g]
        for key in COEF_KEYS:
            assert row[key] == pytest.approx(r[key], abs=TOL), (g, key)
        for key in ("ancova_p", "did_p"):
            assert row[key] == pytest.approx(r[key], rel=1e-6), (g, key)
        assert (row["n"], row["n_control"]) == (r["n"], r["n_control"])
    for key, mine in (("omnibus", res.omnibus), ("slopes", res.slopes), ("change_omnibus", res.change_omnibus)):
        assert mine["F"] == pytest.approx(ref[key]["F"], rel=1e-8), key
        assert (mine["df1"], mine["df2"]) == (ref[key]["df1"], ref[key]["df2"]), key
        assert mine["p_value"] == pytest.approx(ref[key]["p"], rel=1e-6), key
    assert res.omnibus["partial_eta2"] == pytest.approx(ref["omnibus"]["partial_eta2"], abs=1e-10)
    e2 = ref["effect_sizes"]["partial_eta2"]
    # effectsize finds the noncentrality bounds with optim(): agreement to its tolerance
    assert res.omnibus["partial_eta2_ci_low"] == pytest.approx(e2["ci_low"], abs=1e-4)
    assert res.omnibus["partial_eta2_ci_high"] == pytest.approx(e2["ci_high"], abs=1e-4)
    assert res.mean_pre == pytest.approx(ref["mean_pre"], abs=1e-10)
    assert res.pre_slope == pytest.approx(ref["pre_slope"], abs=TOL)
    assert res.n == ref["n"]
    for g, r in ref["adjusted_means"].items():
        for key in ("adjusted_mean", "se", "ci_low", "ci_high"):
            assert res.adjusted_means.loc[g, key] == pytest.approx(r[key], abs=TOL), (g, key)
    for g in ref["coefficients"]:
        for key, v in ref["effect_sizes"][g].items():
            assert res.loc[g, key] == pytest.approx(v, abs=1e-5), (g, key)


def test_anorexia_matches_r_lm_coefficients_exactly_as_in_the_issue():
    d, kw = _case("anorexia")
    res = evalkit.compare_groups(d, **kw)
    lm = GROUPS["anorexia"]["lm_coefficients"]
    assert res.loc["CBT", "ancova_effect"] == pytest.approx(lm["TreatCBT"], abs=TOL)
    assert res.loc["FT", "ancova_effect"] == pytest.approx(lm["TreatFT"], abs=TOL)
    assert res.model.loc["Prewt", "estimate"] == pytest.approx(lm["Prewt"], abs=TOL)


def test_unequal_groups_note_dropped_rows():
    d, kw = _case("unequal")
    with pytest.warns(DroppedRowsWarning, match="5 row"):
        res = evalkit.compare_groups(d, **kw)
    assert res.n_dropped == int(d["post"].isna().sum()) == 5
    assert res.n == len(d) - 5
    assert any("5 row" in n for n in res.notes)


def test_compare_groups_result_convention():
    d, kw = _case("anorexia")
    res = evalkit.compare_groups(d, **kw)
    frame = res.to_frame()
    for col in ("n", "n_control", "ancova_effect", "ancova_se", "ancova_p", "ancova_ci_low", "ancova_ci_high",
                "did_effect", "did_se", "did_p", "did_ci_low", "did_ci_high", "baseline_diff", "disagree",
                "note", "cohen_d", "hedges_g"):
        assert col in frame.columns, col
    apa = res.apa()
    assert apa.startswith("F(2, 68) = 7.87, p < .001, η²p = .19, 95% CI [.04, .34]")
    assert "CBT vs Cont: adjusted difference = 4.10, 95% CI [0.32, 7.88], t(68) = 2.16, p = .034" in apa
    assert "IK 95%" in res.apa("id") and "4,10" in res.apa("id")
    s = res.summary()
    assert "Homogeneity of slopes" in s and "Adjusted means" in s and "Treatment('Cont')" in s
    assert "<table" in res._repr_html_()
    # the slopes of anorexia differ (R: p = .0067): the result says so
    assert any("slopes differ" in n for n in res.notes)


def test_compare_groups_inf_and_collinear_pretest():
    d, kw = _case("anorexia")
    bad = d.copy()
    bad.loc[5, "Prewt"] = np.inf
    with pytest.raises(StatisticsError, match="infinite") as e:
        evalkit.compare_groups(bad, **kw)
    assert e.value.column == "Prewt"
    const = d.assign(Prewt=80.0)
    with pytest.raises(StatisticsError, match="constant or collinear"):
        evalkit.compare_groups(const, **kw)


def test_mcnemar_result_has_every_variant():
    ref = GROUPS["mcnemar"]
    before = [True] * 944 + [False] * 656
    after = [True] * 794 + [False] * 150 + [True] * 86 + [False] * 570
    r = evalkit.mcnemar(before, after)
    assert not isinstance(r, dict)
    assert r.chi2_corrected == pytest.approx(ref["chi2_corrected"], rel=1e-10)
    assert r.p_corrected == pytest.approx(ref["p_corrected"], rel=1e-8)
    assert r.chi2_uncorrected == pytest.approx(ref["chi2_uncorrected"], rel=1e-10)
    assert r.p_uncorrected == pytest.approx(ref["p_uncorrected"], rel=1e-8)
    assert r.p_exact == pytest.approx(ref["p_exact"], rel=1e-8)
    assert r.odds_ratio == pytest.approx(ref["odds_ratio"], rel=1e-12)
    assert r.or_ci_low == pytest.approx(ref["or_ci_low"], rel=1e-6)
    assert r.or_ci_high == pytest.approx(ref["or_ci_high"], rel=1e-6)
    f = r.to_frame()
    assert f.loc["exact_binomial", "p_value"] == r.p_exact
    assert f.loc["chi2_corrected", "p_value"] == r["p_value"]
    assert r.apa() == "χ²(1) = 16.82, p < .001, OR = 0.57, 95% CI [0.43, 0.75]"
    assert r.apa("id") == "χ²(1) = 16,82, p < ,001, OR = 0,57, IK 95% [0,43; 0,75]"
    assert math.isfinite(r["statistic"]) and r.get("b") == 150
