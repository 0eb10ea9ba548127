"""The researcher-facing API: one result convention, no silent wrong input, data= forms.

Every analysis result has to_frame / summary / apa (with a CI) / _repr_html_; inf is an
evalkit error naming column and row; long-format frames are never read as items; every
function that drops rows says how many (n_dropped) and warns.
"""
from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import StatisticsError
from evalkit.stats._conventions import DroppedRowsWarning

DATA = Path(__file__).parent / "reference" / "data"


@pytest.fixture(scope="module")
def likert():
    rng = np.random.default_rng(3)
    f = rng.normal(size=120)
    return pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=120)), 1, 5) for i in range(1, 6)})


@pytest.fixture(scope="module")
def long(likert):
    return (likert.rename_axis("Subj").reset_index()
            .melt(id_vars="Subj", var_name="Items", value_name="Scores"))


def _ratings():
    m = [[9, 2, 5, 8], [6, 1, 3, 2], [8, 4, 6, 8], [7, 1, 2, 6], [10, 5, 6, 9], [6, 2, 4, 7]]
    return pd.DataFrame([(t, j, float(m[t][j])) for t in range(6) for j in range(4)], columns=["t", "j", "x"])


def _results(likert):
    pp = pd.read_csv(DATA / "prepost_alternative.csv")
    an = pd.read_csv(DATA / "anorexia.csv")
    tests = pd.read_csv(DATA / "test_items.csv")
    items = [c for c in tests.columns if c.lower().startswith(("q", "item", "soal"))] or list(tests.columns)
    cohorts = pd.read_csv(DATA / "cohorts.csv")
    return {
        "reliability": evalkit.reliability(data=likert, items=list(likert.columns), scale=(1, 5)),
        "prepost": evalkit.prepost(data=pp, pre="pre", post="post", n_boot=200, seed=1),
        "compare_groups": evalkit.compare_groups(an, pre="Prewt", post="Postwt", group="Treat", control="Cont"),
        "icc": evalkit.icc(data=_ratings(), targets="t", raters="j", ratings="x"),
        "mcnemar": evalkit.mcnemar([True] * 30 + [False] * 20, [True] * 22 + [False] * 8 + [True] * 15 + [False] * 5),
        "item_analysis": evalkit.item_analysis(tests[items]),
        "compare_cohorts": evalkit.compare_cohorts(cohorts, pre="pre", post="post", cohort="cohort"),
    }


CI_EN = re.compile(r"95% CI \[[^\]]+, [^\]]+\]")
CI_ID = re.compile(r"IK 95% \[[^\]]+; [^\]]+\]")


def test_every_result_follows_the_convention(likert):
    for name, res in _results(likert).items():
        assert isinstance(res, evalkit.stats.result.Result), name
        frame = res.to_frame()
        assert isinstance(frame, pd.DataFrame) and len(frame) > 0, name
        text = res.summary()
        assert isinstance(text, str) and len(text.splitlines()) > 3, name
        en, id_ = res.apa(), res.apa(lang="id")
        assert CI_EN.search(en), (name, en)
        assert CI_ID.search(id_), (name, id_)
        assert re.search(r"\.\d", en) and not re.search(r"\.\d", id_), (name, id_)  # decimal commas
        html = res._repr_html_()
        assert "<table" in html, name


def test_apa_sentences_carry_statistic_df_p_and_effect_size(likert):
    res = _results(likert)
    assert re.match(r"t\(33\) = 6\.36, p < \.001, d_z = 1\.09, 95% CI \[0\.66, 1\.51\]$", res["prepost"].apa())
    assert res["prepost"].apa(test="wilcoxon").startswith("V = 470, p < .001, r_rb = .90, 95% CI [.78, .95]")
    assert res["icc"].apa().startswith("ICC(A,1) = .29, 95% CI [.02, .76], F(5, 15) = 11.03")
    assert res["compare_groups"].apa().startswith("F(2, 68) = 7.87")
    assert res["reliability"].apa().startswith("Cronbach's α = .")


def test_old_access_still_works(likert):
    res = _results(likert)
    assert res["icc"].loc["ICC2", "estimate"] == pytest.approx(0.29, abs=0.005)
    assert res["icc"].attrs["n"] == 6
    assert res["mcnemar"]["b"] == 8 and "p_value" in res["mcnemar"]
    assert res["compare_groups"].loc["CBT", "ancova_effect"] == res["compare_groups"].to_frame().loc["CBT", "ancova_effect"]
    assert set(res["compare_groups"].index) == {"CBT", "FT"}


# ---- inf ------------------------------------------------------------------------------------

def test_reliability_inf_is_an_error_naming_column_and_row(likert):
    for v in (np.inf, -np.inf):
        d = likert.copy()
        d.loc[17, "q3"] = v
        with pytest.raises(StatisticsError, match="infinite") as e:
            evalkit.reliability(d)
        assert e.value.column == "q3" and "row 17" in str(e.value)
        with pytest.raises(StatisticsError, match="infinite"):
            evalkit.reliability(d, scale=(1, 5))
    d = likert.copy()
    d.loc[2, "q1"] = np.nan
    d.loc[40, "q2"] = np.inf
    with pytest.raises(StatisticsError, match="row 40") as e:
        evalkit.reliability(d)
    assert e.value.column == "q2"


def test_inf_elsewhere_is_an_error():
    r = _ratings()
    r.loc[3, "x"] = np.inf
    with pytest.raises(StatisticsError, match="infinite"):
        evalkit.icc(r, targets="t", raters="j", ratings="x")
    c = pd.read_csv(DATA / "cohorts.csv").astype({"post": float})
    c.loc[0, "post"] = np.inf
    with pytest.raises(StatisticsError, match="infinite"):
        evalkit.compare_cohorts(c, pre="pre", post="post", cohort="cohort")


# ---- long format ------------------------------------------------------------------------------

def test_long_frame_passed_as_wide_is_refused_with_the_long_call(long):
    with pytest.raises(StatisticsError) as e:
        evalkit.reliability(long)
    msg = str(e.value)
    assert "long format" in msg
    assert 'reliability(data=df, items="Items", scores="Scores", subject="Subj")' in msg
    with pytest.raises(StatisticsError, match="long format"):
        evalkit.reliability(data=long, items=["Subj", "Scores"])


def test_numeric_long_frame_is_refused_too(long):
    num = long.assign(Items=long["Items"].str[1:].astype(int)).rename(
        columns={"Subj": "person", "Items": "item", "Scores": "score"})
    with pytest.raises(StatisticsError, match="long format"):
        evalkit.reliability(num)


def test_long_data_accepted_explicitly_as_pingouin(likert, long):
    import pingouin as pg

    wide = evalkit.reliability(likert, scale=(1, 5))
    res = evalkit.reliability(data=long, items="Items", scores="Scores", subject="Subj", scale=(1, 5))
    assert res.alpha == pytest.approx(wide.alpha, abs=1e-12)
    assert list(res.items.index) == list(likert.columns)
    a, _ = pg.cronbach_alpha(data=long, items="Items", scores="Scores", subject="Subj")
    assert res.alpha == pytest.approx(a, abs=1e-12)
    assert any("long data pivoted" in n for n in res.notes)
    dup = pd.concat([long, long.iloc[:1]])
    with pytest.raises(StatisticsError, match="more than one score"):
        evalkit.reliability(data=dup, items="Items", scores="Scores", subject="Subj")
    with pytest.raises(StatisticsError, match="together"):
        evalkit.reliability(data=long, items="Items", scores="Scores")


def test_id_column_is_never_an_item(likert):
    d = likert.assign(id=np.arange(len(likert)))
    with pytest.raises(StatisticsError, match="looks like a respondent id"):
        evalkit.reliability(d)
    # naming the items is the way out
    assert evalkit.reliability(d, items=list(likert.columns)).alpha == pytest.approx(
        evalkit.reliability(likert).alpha)


def test_wide_frames_are_not_mistaken_for_long(likert):
    small = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 2, 2], "c": [3.0, 3, 3, 3]})
    evalkit.reliability(small)  # no long-format error
    evalkit.reliability(likert[["q1", "q2", "q3"]])
    evalkit.reliability(likert[["q1", "q2", "q3", "q4"]].iloc[:10])


# ---- dropped rows -------------------------------------------------------------------------------

def test_icc_reports_dropped_targets_and_nan_policy():
    r = _ratings()
    r = r[~((r["t"] == 2) & (r["j"] == 1))]  # target 2 lacks rater 1
    r.loc[0, "x"] = np.nan  # target 0 lacks rater 0
    with pytest.warns(DroppedRowsWarning, match="2 row"):
        res = evalkit.icc(data=r, targets="t", raters="j", ratings="x")
    assert res.n_dropped == 2 and res.n == 4 and res.attrs["n"] == 4
    with pytest.raises(StatisticsError, match="nan_policy"):
        evalkit.icc(data=r, targets="t", raters="j", ratings="x", nan_policy="raise")
    with pytest.raises(StatisticsError, match="nan_policy"):
        evalkit.icc(data=r, targets="t", raters="j", ratings="x", nan_policy="drop")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert evalkit.icc(data=_ratings(), targets="t", raters="j", ratings="x").n_dropped == 0


def test_icc_text_ratings_are_an_error_not_dropped():
    r = _ratings().astype({"x": object})
    r.loc[5, "x"] = "tujuh"
    with pytest.raises(StatisticsError, match="tujuh"):
        evalkit.icc(r, targets="t", raters="j", ratings="x")


def test_reliability_and_item_analysis_note_dropped_rows(likert):
    d = likert.copy()
    d.loc[[3, 4], "q1"] = np.nan
    d.loc[9, :] = np.nan
    with pytest.warns(DroppedRowsWarning, match="3 row"):
        res = evalkit.reliability(d, missing="listwise")
    assert res.n_dropped == 3 and res.n == len(d) - 3
    with pytest.warns(DroppedRowsWarning, match="1 row"):
        assert evalkit.reliability(d).n_dropped == 1  # pairwise: only the empty row
    t = pd.DataFrame({"a": [1, 0, 1, 1, 0, np.nan], "b": [1, 1, 0, 1, 0, 1], "c": [0, 1, 1, 1, 0, 0]})
    with pytest.warns(DroppedRowsWarning, match="1 row"):
        it = evalkit.item_analysis(t)
    assert it.n_dropped == 1 and it.n == 5


def test_internal_callers_are_not_warned():
    # evalkit's own pipeline counts the rows itself: no warning blocks in reports
    from evalkit.stats._conventions import note_dropped

    g = {"__name__": "evalkit.evaluation", "note_dropped": note_dropped}
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert exec("out = note_dropped(3, 'x')", g) is None and g["out"].startswith("3 row")


# ---- apa_table ------------------------------------------------------------------------------------

def test_apa_table_writes_docx_and_escaped_html(tmp_path):
    from docx import Document

    an = pd.read_csv(DATA / "anorexia.csv").replace({"Treat": {"FT": "<b>FT</b>"}})
    res = evalkit.compare_groups(an, pre="Prewt", post="Postwt", group="Treat", control="Cont")
    tab = evalkit.apa_table(res, lang="id", path=tmp_path / "tabel1.docx", number=2)
    assert tab.paths == {"docx": tmp_path / "tabel1.docx", "html": tmp_path / "tabel1.html"}
    html = (tmp_path / "tabel1.html").read_text()
    assert "&lt;b&gt;FT&lt;/b&gt;" in html and "<b>FT</b>" not in html
    assert "Tabel 2" in html and "Catatan." in html and "IK 95%" in html
    doc = Document(tmp_path / "tabel1.docx")
    texts = [p.text for p in doc.paragraphs]
    assert texts[0] == "Tabel 2" and doc.paragraphs[0].runs[0].bold
    cells = [c.text for c in doc.tables[0].rows[0].cells]
    assert "ancova_effect" in cells and "IK 95% (ancova)" in cells
    body = next([c.text for c in r.cells] for r in doc.tables[0].rows if r.cells[0].text == "CBT")
    assert "4,10" in body and ",034" in body
    f = evalkit.apa_table(pd.DataFrame({"p_value": [0.0004, 0.2]}, index=["x", "y"]), path=tmp_path / "f")
    assert f.cells["p_value"].tolist() == ["< .001", ".200"]
    assert (tmp_path / "f.docx").exists() and (tmp_path / "f.html").exists()
    with pytest.raises(TypeError):
        evalkit.apa_table([1, 2, 3])


def test_compare_cohorts_constant_or_collinear_pretest_is_an_evalkit_error():
    c = pd.read_csv(DATA / "cohorts.csv")
    with pytest.raises(StatisticsError, match="constant or collinear"):
        evalkit.compare_cohorts(c.assign(pre=50), pre="pre", post="post", cohort="cohort")
    with pytest.raises(StatisticsError, match="constant or collinear"):
        evalkit.compare_cohorts(c.assign(pre=c["post"] - 4), pre="pre", post="post", cohort="cohort")
    res = evalkit.compare_cohorts(data=c, pre="pre", post="post", cohort="cohort")
    assert res.n_dropped == 0 and "ICC = " in res.apa()


def test_small_wide_pilot_frames_are_not_mistaken_for_long():
    # 6 respondents × 4 items whose first two items happen to cross completely
    d = pd.DataFrame({"q1": [1.0, 1, 2, 2, 3, 3], "q2": [4.0, 5, 4, 5, 4, 5],
                      "q3": [2.0, 3, 3, 4, 4, 5], "q4": [1.0, 2, 2, 3, 3, 5]})
    assert np.isfinite(evalkit.reliability(d).alpha)
