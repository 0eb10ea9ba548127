"""prepost() against R (t.test, wilcox.test, pt) and published values."""
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
from evalkit.stats.prepost import hedges_j, normalized_gains

TOL = 1e-6


@pytest.mark.parametrize("case", ["sleep", "pkp_tests"])
def test_paired_tests_match_r(case):
    ref = REFERENCE["prepost"][case]
    res = evalkit.prepost(ref["pre"], ref["post"])
    t = res.tests.loc["paired_t"]
    assert res.n == ref["n"]
    assert t.statistic == pytest.approx(ref["t"], abs=TOL)
    assert t["df"] == ref["df"]
    assert t.p_value == pytest.approx(ref["p"], rel=1e-6)
    assert [t.ci_low, t.ci_high] == pytest.approx(ref["ci"], abs=TOL)
    w = res.tests.loc["wilcoxon"]
    assert w.statistic == ref["wilcoxon_V"]
    assert w.p_value == pytest.approx(ref["wilcoxon_p"], rel=1e-6)
    es = res.effect_sizes
    assert es.loc["d_z", "estimate"] == pytest.approx(ref["d_z"], abs=TOL)
    assert [es.loc["d_z", "ci_low"], es.loc["d_z", "ci_high"]] == pytest.approx(ref["d_z_ci"], abs=1e-5)
    assert es.loc["d_rm", "estimate"] == pytest.approx(ref["d_z"] * np.sqrt(2 * (1 - ref["r"])), abs=TOL)
    assert res.normality["W"] == pytest.approx(ref["shapiro_W"], abs=1e-5)


def test_sleep_published_values():
    # R's sleep data: t = 4.0621, df 9, p = 0.002833, CI [0.7001, 2.4599], d_z = 1.2846;
    # Wilcoxon (R, exact = FALSE): p = 0.009091
    ref = REFERENCE["prepost"]["sleep"]
    res = evalkit.prepost(ref["pre"], ref["post"])
    t = res.tests.loc["paired_t"]
    assert round(t.statistic, 4) == 4.0621
    assert round(t.p_value, 6) == 0.002833
    assert (round(t.ci_low, 4), round(t.ci_high, 4)) == (0.7001, 2.4599)
    assert round(res.effect_sizes.loc["d_z", "estimate"], 4) == 1.2846
    assert round(res.tests.loc["wilcoxon", "p_value"], 6) == 0.009091


def test_wilcoxon_exact_matches_r():
    ref = REFERENCE["prepost"]["exact_no_ties"]
    res = evalkit.prepost(ref["pre"], ref["post"], wilcoxon="exact")
    assert res.tests.loc["wilcoxon", "statistic"] == ref["V"]
    assert res.tests.loc["wilcoxon", "p_value"] == pytest.approx(ref["p"], rel=1e-9)


def test_d_av_published_mote():
    # MOTE: m1 5.57, m2 4.43, sd1 1.99, sd2 2.88 → d_av 0.4681725 (Lakens' average-SD d)
    m1, m2, s1, s2 = 5.57, 4.43, 1.99, 2.88
    assert abs(m1 - m2) / ((s1 + s2) / 2) == pytest.approx(0.4681725, abs=1e-7)
    # and our d_av uses exactly that denominator
    pre = np.array([1.0, 2, 3, 4, 5, 6, 7])
    post = pre * 1.5 + np.array([0.3, -0.2, 0.1, 0.0, -0.4, 0.2, 0.5])
    res = evalkit.prepost(pre, post)
    expected = (post - pre).mean() / ((pre.std(ddof=1) + post.std(ddof=1)) / 2)
    assert res.effect_sizes.loc["d_av", "estimate"] == pytest.approx(expected, abs=1e-12)


def test_hedges_j_exact():
    from math import gamma, sqrt

    for df in (5, 9, 30):
        assert hedges_j(df) == pytest.approx(gamma(df / 2) / (sqrt(df / 2) * gamma((df - 1) / 2)), rel=1e-12)


def test_gains_hand_checked():
    g = normalized_gains([40, 50, 100, 0], [70, 40, 100, 0], 100)
    # class gain: means 47.5 → 52.5, (52.5 − 47.5)/(100 − 47.5)
    assert g["class_gain"] == pytest.approx(5 / 52.5)
    # individual gains for pre < max: 30/60, −10/50, 0/100 → mean
    assert g["mean_individual_gain"] == pytest.approx((0.5 - 0.2 + 0) / 3)
    # Marx & Cummings c: 0.5, −10/50 = −0.2; ceiling and floor pairs excluded
    assert g["normalized_change"] == pytest.approx((0.5 - 0.2) / 2)
    assert g["n_excluded"] == 2
    assert evalkit.hake_band(0.7) == "high" and evalkit.hake_band(0.69999) == "medium"
    assert evalkit.hake_band(0.3) == "medium" and evalkit.hake_band(0.2999) == "low"


def test_alignment_by_id_and_reliable_change():
    import pandas as pd

    pre = pd.Series([50, 60, 70, 80], index=["a", "b", "c", "x"])
    post = pd.Series([65, 58, 90, 75], index=["c", "b", "a", "y"])
    res = evalkit.prepost(pre, post, max_score=100, reliability=0.8)
    assert res.n == 3 and res.n_unmatched == 2
    p = res.participants
    assert p.loc["a", "post"] == 90 and p.loc["c", "post"] == 65
    s_diff = np.sqrt(2) * pre.loc[["a", "b", "c"]].std(ddof=1) * np.sqrt(0.2)
    assert p.loc["a", "rci"] == pytest.approx(40 / s_diff)
    assert p.loc["a", "change"] == ("improved" if 40 / s_diff > 1.96 else "unchanged")


def test_effect_sizes_change_sign_when_swapped():
    ref = REFERENCE["prepost"]["sleep"]
    a = evalkit.prepost(ref["pre"], ref["post"]).effect_sizes["estimate"]
    b = evalkit.prepost(ref["post"], ref["pre"]).effect_sizes["estimate"]
    signed = ["d_z", "d_rm", "d_av", "d_av_rms", "g_z", "rank_biserial"]
    np.testing.assert_allclose(a[signed], -b[signed], atol=1e-12)
    # CLES is a probability: swapping the roles gives its complement
    assert a["cles"] == pytest.approx(1 - b["cles"], abs=1e-12)


@pytest.mark.parametrize("pre, post, kw, key", [
    ([1, 2], [3], {}, "unequal_lengths"),
    ([1], [2], {}, "too_few_pairs"),
    ([10, 20, 30], [20, 120, 40], {"max_score": 100}, "score_above_max"),
    (["a", "b", "c"], [1, 2, 3], {}, "non_numeric_scores"),
])
def test_bad_input_raises_evalkit_error(pre, post, kw, key):
    with pytest.raises(StatisticsError) as err:
        evalkit.prepost(pre, post, **kw)
    assert err.value.problems[0].key == key


def test_duplicate_ids_rejected():
    import pandas as pd

    with pytest.raises(StatisticsError, match="duplicate"):
        evalkit.prepost(pd.Series([1, 2, 3], index=["a", "a", "b"]), pd.Series([1, 2, 3], index=["a", "b", "c"]))


def test_bootstrap_cis_of_d_rm_and_d_av():
    ref = REFERENCE["prepost"]["pkp_tests"]
    a = evalkit.prepost(ref["pre"], ref["post"], seed=3)
    b = evalkit.prepost(ref["pre"], ref["post"], seed=3)
    import pandas as pd

    pd.testing.assert_frame_equal(a.effect_sizes, b.effect_sizes)
    es = a.effect_sizes
    for k in ("d_rm", "d_av", "d_av_rms"):
        assert es.loc[k, "ci_low"] < es.loc[k, "estimate"] < es.loc[k, "ci_high"], k
        assert "bootstrap" in es.loc[k, "ci_method"]
    assert es.loc["d_z", "ci_method"] == "noncentral t"
    assert a.gain is None and evalkit.prepost(ref["pre"], ref["post"], max_score=100).gain["hake_band"] in (
        "low", "medium", "high")


# ---- alternative=, Wilcoxon V, rank-biserial, CLES (tests/reference/make_groups_reference.R) ----

GROUPS_REF = json.loads((Path(__file__).parent / "reference" / "groups_reference.json").read_text())
ALT = {"two-sided": "two.sided", "greater": "greater", "less": "less"}


def _alt_data():
    return pd.read_csv(Path(__file__).parent / "reference" / "data" / "prepost_alternative.csv")


def _bound(v, default):
    return default if v is None else v


@pytest.mark.parametrize("alternative", list(ALT))
def test_alternative_matches_r(alternative):
    ref = GROUPS_REF["prepost"][ALT[alternative]]
    d = _alt_data()
    res = evalkit.prepost(data=d, pre="pre", post="post", alternative=alternative, n_boot=0)
    t, w = res.tests.loc["paired_t"], res.tests.loc["wilcoxon"]
    assert t.statistic == pytest.approx(ref["t"], abs=1e-10)
    assert t.df == ref["df"]
    assert t.p_value == pytest.approx(ref["p"], rel=1e-8)
    assert t.ci_low == pytest.approx(_bound(ref["ci_low"], -math.inf), abs=1e-8)
    assert t.ci_high == pytest.approx(_bound(ref["ci_high"], math.inf), abs=1e-8)
    assert w.statistic == ref["V"]
    assert w.p_value == pytest.approx(ref["wilcoxon_p"], rel=1e-8)
    rb = res.effect_sizes.loc["rank_biserial"]
    assert rb.estimate == pytest.approx(ref["rank_biserial"], abs=1e-12)
    assert rb.ci_low == pytest.approx(ref["rank_biserial_ci_low"], abs=1e-8)
    assert rb.ci_high == pytest.approx(ref["rank_biserial_ci_high"], abs=1e-8)
    assert res.alternative == alternative
    if alternative != "two-sided":
        assert "(" + alternative + ")" in res.apa()


def test_d_conventions_match_effectsize_and_pingouin():
    import pingouin as pg

    d = _alt_data()
    hand = GROUPS_REF["prepost"]["by_hand"]
    es_ref = GROUPS_REF["prepost"]["effectsize_cohens_d_paired"]
    res = evalkit.prepost(data=d, pre="pre", post="post", n_boot=0)
    e = res.effect_sizes
    # d_z = R effectsize::cohens_d(post, pre, paired = TRUE), with its CI
    assert e.loc["d_z", "estimate"] == pytest.approx(es_ref["estimate"], abs=1e-10)
    assert e.loc["d_z", "ci_low"] == pytest.approx(es_ref["ci_low"], abs=1e-6)
    assert e.loc["d_z", "ci_high"] == pytest.approx(es_ref["ci_high"], abs=1e-6)
    assert e.loc["d_z", "estimate"] == pytest.approx(pg.compute_effsize(d.post, d.pre, paired=True, eftype="cohen_dz"))
    # d_av_rms = pingouin compute_effsize(paired=True), default eftype
    assert e.loc["d_av_rms", "estimate"] == pytest.approx(hand["d_av_rms"], abs=1e-12)
    assert e.loc["d_av_rms", "estimate"] == pytest.approx(pg.compute_effsize(d.post, d.pre, paired=True), abs=1e-12)
    # rank-biserial and CLES: R by hand and pingouin's wilcoxon(post, pre)
    pw = pg.wilcoxon(d.post, d.pre)
    assert e.loc["rank_biserial", "estimate"] == pytest.approx(hand["rank_biserial"], abs=1e-12)
    assert e.loc["rank_biserial", "estimate"] == pytest.approx(pw["RBC"].iloc[0], abs=1e-12)
    assert e.loc["cles", "estimate"] == pytest.approx(hand["cles"], abs=1e-12)
    assert e.loc["cles", "estimate"] == pytest.approx(pw["CLES"].iloc[0], abs=1e-12)
    # V is R's sum of positive ranks (pingouin's two-sided W is the smaller sum)
    assert res.tests.loc["wilcoxon", "statistic"] == hand["r_plus"]
    assert pw["W_val"].iloc[0] == hand["r_minus"]


def test_data_form_equals_array_form():
    d = _alt_data()
    a = evalkit.prepost(d["pre"].to_numpy(), d["post"].to_numpy(), n_boot=0)
    b = evalkit.prepost(data=d, pre="pre", post="post", n_boot=0)
    pd.testing.assert_frame_equal(a.tests, b.tests)
    pd.testing.assert_frame_equal(a.effect_sizes, b.effect_sizes)


def test_prepost_inf_is_an_error_naming_column_and_row():
    d = _alt_data().astype({"post": float})
    d.loc[7, "post"] = -np.inf
    with pytest.raises(StatisticsError, match="infinite") as e:
        evalkit.prepost(data=d, pre="pre", post="post")
    assert e.value.column == "post" and "row 7" in str(e.value)
    with pytest.raises(StatisticsError, match="infinite"):
        evalkit.prepost(d["pre"].to_numpy(), d["post"].to_numpy())


def test_bad_alternative():
    with pytest.raises(StatisticsError, match="alternative"):
        evalkit.prepost([1, 2, 3], [2, 3, 5], alternative="bigger")
