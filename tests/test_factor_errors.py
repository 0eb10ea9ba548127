"""Bad input to kmo/bartlett/parallel_analysis/efa/cfa: evalkit errors naming the column or
the model problem, in both languages — never a bare traceback."""
from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import StatisticsError

HS = pd.read_csv(Path(__file__).parent / "reference" / "data" / "holzinger_swineford.csv")
MODEL = "visual =~ x1 + x2 + x3\ntextual =~ x4 + x5 + x6\nspeed =~ x7 + x8 + x9"

EXPLORATORY = {
    "kmo": lambda d: evalkit.kmo(d),
    "bartlett": lambda d: evalkit.bartlett(d),
    "parallel": lambda d: evalkit.parallel_analysis(d, n_iter=2, seed=1),
    "efa": lambda d: evalkit.efa(d, n_factors=2),
    "cfa": lambda d: evalkit.cfa(d, MODEL),
}


def _raises(fn, key, column=None):
    with pytest.raises(StatisticsError) as exc:
        fn()
    problem = exc.value.problems[0]
    assert problem.key == key, problem
    if column is not None:
        assert problem.column == column
    # both languages render, with the fix text
    assert "How to fix" in problem.message("en") or "fix" in problem.message("en").lower()
    assert problem.message("id") != problem.message("en")
    return problem


@pytest.mark.parametrize("name", sorted(EXPLORATORY))
def test_constant_item_is_named(name):
    d = HS.copy()
    d["x5"] = 3.0
    _raises(lambda: EXPLORATORY[name](d), "factor_constant_item", "x5")


@pytest.mark.parametrize("name", sorted(EXPLORATORY))
def test_non_numeric_column_is_named(name):
    d = HS.copy()
    d["x2"] = d["x2"].map(lambda v: "Setuju" if v > 5 else "Ragu-ragu")
    _raises(lambda: EXPLORATORY[name](d), "non_numeric_item", "x2")


@pytest.mark.parametrize("name", sorted(EXPLORATORY))
def test_infinite_value_is_named_with_its_row(name):
    d = HS.copy()
    d.loc[4, "x7"] = np.inf
    p = _raises(lambda: EXPLORATORY[name](d), "factor_non_finite", "x7")
    assert p.row == 6  # spreadsheet row: header is row 1


@pytest.mark.parametrize("name", sorted(EXPLORATORY))
def test_too_few_rows_for_the_items(name):
    p = _raises(lambda: EXPLORATORY[name](HS.head(8)), "factor_too_few_rows")
    assert p.params == {"n": 8, "k": 9}


def test_listwise_counts_complete_rows_only():
    d = HS.head(30).copy()
    d.loc[d.index[:25], "x1"] = np.nan  # 5 complete rows for 9 items
    _raises(lambda: evalkit.cfa(d, MODEL), "factor_too_few_rows")
    _raises(lambda: evalkit.efa(d, n_factors=2, missing="listwise"), "factor_too_few_rows")


def test_not_a_dataframe():
    _raises(lambda: evalkit.kmo(HS.to_numpy()), "not_a_dataframe")
    _raises(lambda: evalkit.cfa(HS.to_numpy(), MODEL), "not_a_dataframe")


def test_linearly_dependent_items_are_named():
    d = HS.copy()
    d["total"] = d[["x1", "x2", "x3"]].sum(axis=1)
    p = _raises(lambda: evalkit.efa(d, n_factors=2), "factor_singular")
    assert "total" in p.column and "x1" in p.column


def test_pairs_without_joint_answers():
    d = HS.head(60).copy()
    d.loc[d.index[:30], "x1"] = np.nan
    d.loc[d.index[30:], "x2"] = np.nan
    _raises(lambda: evalkit.kmo(d), "factor_pairwise_empty", "x1 × x2")


def test_bad_options():
    _raises(lambda: evalkit.efa(HS, 2, method="principal"), "bad_option")
    _raises(lambda: evalkit.efa(HS, 2, rotation="quartimax"), "bad_option")
    _raises(lambda: evalkit.efa(HS, 9), "factor_too_many_factors")
    _raises(lambda: evalkit.efa(HS, 0), "factor_too_many_factors")
    _raises(lambda: evalkit.efa(HS[["x1", "x2"]], 1), "factor_too_few_items")
    _raises(lambda: evalkit.parallel_analysis(HS, n_iter=0), "bad_option")
    _raises(lambda: evalkit.kmo(HS, ["x1", "nope"]), "unknown_items", "nope")
    _raises(lambda: evalkit.validate_instrument(HS, {"a": ["x1", "x2", "x3"]}, "sem"), "bad_option")


# --------------------------------------------------------------------------- CFA model problems

def test_unknown_item_in_model():
    _raises(lambda: evalkit.cfa(HS, "f =~ x1 + x2 + x10"), "unknown_items", "x10")


@pytest.mark.parametrize("model, reason", [
    ("f ~ x1 + x2", "only =~ and ~~"),
    ("f =~ x1 + + x2", "+"),
    ("", "empty model"),
    ("f =~ x1 + x2 + x1", "x1 twice"),
    ("f =~ x1 + x2 + x3\nx1 ~~ g", "g is not in the model"),
])
def test_syntax_errors_name_the_line(model, reason):
    p = _raises(lambda: evalkit.cfa(HS, model), "cfa_syntax")
    assert reason in p.params["reason"]


def test_single_indicator_factor_is_not_identified():
    p = _raises(lambda: evalkit.cfa(HS, "f1 =~ x1 + x2 + x3\nf2 =~ x4"), "cfa_single_indicator", "f2")
    assert p.params == {"factor": "f2", "item": "x4"}


def test_more_free_parameters_than_moments():
    p = _raises(lambda: evalkit.cfa(HS, "f =~ x1 + x2"), "cfa_negative_df")
    assert p.params == {"npar": 4, "moments": 3}


def test_uncorrelated_two_indicator_factors_are_not_identified():
    # 8 free parameters for 10 moments, yet each factor alone has 4 parameters for 3 moments
    p = _raises(lambda: evalkit.cfa(HS, "f1 =~ x1 + x2\nf2 =~ x3 + x4\nf1 ~~ 0*f2"), "cfa_not_identified")
    assert p.params["rank"] < p.params["npar"] == 8


def test_free_marker_without_fixed_variance_has_no_scale():
    _raises(lambda: evalkit.cfa(HS, "f =~ NA*x1 + x2 + x3 + x4"), "cfa_no_scale", "f")


def test_non_convergence_is_an_error():
    p = _raises(lambda: evalkit.cfa(HS, MODEL, max_iter=1), "cfa_not_converged")
    assert p.params == {"iterations": 1}


def test_two_correlated_two_indicator_factors_are_identified():
    res = evalkit.cfa(HS, "f1 =~ x1 + x2\nf2 =~ x4 + x5")
    assert res.fit["df"] == 1


def test_improper_solution_is_reported_not_hidden():
    # r12 = .9, r13 = .6, r23 = .3: the just-identified one-factor solution has
    # λ1² = r12·r13/r23 = 1.8, so θ1 = 1 − 1.8 = −0.8 (a Heywood case; lavaan warns and reports it)
    target = np.array([[1, .9, .6], [.9, 1, .3], [.6, .3, 1]])
    z = np.random.default_rng(0).normal(size=(200, 3))
    z -= z.mean(0)
    z = z @ np.linalg.inv(np.linalg.cholesky(z.T @ z / 200)).T @ np.linalg.cholesky(target).T
    res = evalkit.cfa(pd.DataFrame(z, columns=["a", "b", "c"]), "f =~ a + b + c")
    theta_a = res.params.query("lhs == 'a' and op == '~~' and rhs == 'a'")["est"].iloc[0]
    assert theta_a == pytest.approx(-0.8, abs=1e-6)
    assert res.fit["df"] == 0 and res.fit["chisq"] == pytest.approx(0, abs=1e-8)
    assert any("negative variance of a" in n for n in res.notes)


def test_principal_axis_with_a_negative_eigenvalue_is_refused():
    # three principal axes for six noisy items of one factor: the third eigenvalue of the
    # reduced matrix turns negative, where psych would return NaN loadings with a warning
    rng = np.random.default_rng(11)
    X = np.round(np.clip(rng.normal(size=(40, 1)) @ rng.normal(size=(1, 6)) + rng.normal(size=(40, 6)) + 3, 1, 5))
    d = pd.DataFrame(X, columns=list("abcdef"))
    p = _raises(lambda: evalkit.efa(d, 3, "pa"), "efa_not_converged")
    assert p.params["method"] == "pa"
    res = evalkit.efa(d, 3, "minres")  # the same data with minres: a solution, its problems noted
    assert np.isfinite(res.loadings.to_numpy()).all()
