"""reliability(): warnings in plain words, NaN instead of lost results, clear errors, invariants."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

import evalkit
from evalkit.errors import StatisticsError


@pytest.fixture
def likert():
    rng = np.random.default_rng(42)
    f = rng.normal(size=300)
    return pd.DataFrame({f"q{i}": np.clip(np.round(3 + f + rng.normal(size=300)), 1, 5) for i in range(6)})


def test_undeclared_reverse_item_is_named(likert):
    d = likert.copy()
    d["q2"] = 6 - d["q2"]
    res = evalkit.reliability(d, scale=(1, 5))
    assert any("negative item–rest" in w and "q2" in w for w in res.warnings)
    fixed = evalkit.reliability(d, scale=(1, 5), reverse=["q2"])
    assert not any("negative item–rest" in w for w in fixed.warnings)
    assert fixed.alpha == pytest.approx(evalkit.reliability(likert, scale=(1, 5)).alpha, abs=1e-12)


def test_negative_alpha_explained():
    rng = np.random.default_rng(1)
    a = rng.normal(size=200)
    d = pd.DataFrame({"x": a, "y": -a + rng.normal(scale=0.3, size=200), "z": rng.normal(size=200)})
    res = evalkit.reliability(d)
    assert res.alpha < 0
    assert any("α is negative" in w and "reverse-keyed" in w for w in res.warnings)


def test_zero_variance_item_dropped_and_named(likert):
    d = likert.assign(const=3.0)
    res = evalkit.reliability(d)
    assert "const" not in res.items.index and res.k == 6
    assert any("no variance" in w and "const" in w for w in res.warnings)


def test_too_few_items_after_dropping_gives_nan_not_exception():
    d = pd.DataFrame({"a": [1.0, 2, 3, 4], "b": [2.0, 2, 2, 2], "c": [3.0, 3, 3, 3]})
    res = evalkit.reliability(d)
    assert math.isnan(res.alpha)
    assert any("fewer than 2 items" in w for w in res.warnings)


def test_singular_matrix_gives_nan_omega_and_lambda6_with_warning(likert):
    d = likert.assign(dup=likert["q0"] + likert["q1"])  # an exact linear combination
    res = evalkit.reliability(d)
    c = res.coefficients["estimate"]
    assert math.isnan(c["lambda6"]) and math.isnan(c["omega_total"])
    assert np.isfinite(c["alpha"])
    assert any("λ6 not computed" in w for w in res.warnings)
    assert any("ω not computed" in w for w in res.warnings)


@pytest.mark.parametrize("kwargs, key", [
    ({"items": ["q0", "nope"]}, "unknown_items"),
    ({"items": ["q0"]}, "too_few_items"),
    ({"reverse": ["zz"]}, "unknown_reverse"),
    ({"missing": "mean"}, "bad_option"),
    ({"ci_method": "wald"}, "bad_option"),
    ({"scale": (1, 3)}, "outside_scale"),
])
def test_invalid_input_raises_named_error(likert, kwargs, key):
    with pytest.raises(StatisticsError) as err:
        evalkit.reliability(likert, **kwargs)
    assert err.value.problems[0].key == key


def test_text_column_is_an_error_not_a_crash(likert):
    d = likert.assign(q9=["Setuju"] * len(likert))
    with pytest.raises(StatisticsError, match="not numeric"):
        evalkit.reliability(d, ["q0", "q1", "q9"])


def test_default_scale_uses_observed_range_with_note(likert):
    res = evalkit.reliability(likert, reverse=["q1"])
    assert any("observed range 1–5" in n for n in res.notes)


def test_result_does_not_depend_on_item_order(likert):
    a = evalkit.reliability(likert, reverse=["q3"], scale=(1, 5))
    cols = list(likert.columns)[::-1]
    b = evalkit.reliability(likert[cols], reverse=["q3"], scale=(1, 5))
    for c in ("alpha", "std_alpha", "lambda2", "lambda6", "omega_total", "average_r", "median_r"):
        assert a.coefficients.loc[c, "estimate"] == pytest.approx(b.coefficients.loc[c, "estimate"], abs=1e-9), c
    pd.testing.assert_frame_equal(a.items.sort_index(), b.items.sort_index(), atol=1e-6)


def test_alpha_if_deleted_equals_alpha_without_the_item(likert):
    res = evalkit.reliability(likert)
    for item in likert.columns:
        rest = evalkit.reliability(likert.drop(columns=item))
        assert res.items.loc[item, "alpha_if_deleted"] == pytest.approx(rest.alpha, abs=1e-12)
        assert res.items.loc[item, "omega_if_deleted"] == pytest.approx(
            rest.coefficients.loc["omega_total", "estimate"], abs=1e-6)


def test_bootstrap_is_seeded_and_covers_every_coefficient(likert):
    a = evalkit.reliability(likert, ci_method="bootstrap", n_boot=300, seed=7)
    b = evalkit.reliability(likert, ci_method="bootstrap", n_boot=300, seed=7)
    pd.testing.assert_frame_equal(a.coefficients, b.coefficients)
    c = a.coefficients
    assert (c["ci_low"] <= c["estimate"]).all() and (c["estimate"] <= c["ci_high"]).all()
    assert c["ci_method"].str.contains("bootstrap").all()


def test_summary_and_html(likert):
    res = evalkit.reliability(likert)
    text = res.summary()
    assert "alpha" in text and "r_rest" in text and "Feldt" in text
    html = res._repr_html_()
    assert "<table" in html and "Item statistics" in html
