"""compare_cohorts() against R lme4::lmer (REML) and t.test."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalkit
from conftest import REFERENCE
from evalkit.errors import StatisticsError


@pytest.fixture(scope="module")
def res():
    d = pd.read_csv("tests/reference/data/cohorts.csv")
    return evalkit.compare_cohorts(d, pre="pre", post="post", cohort="cohort", max_score=100)


def test_per_cohort_t_matches_r(res):
    np.testing.assert_allclose(res.table["t"], REFERENCE["cohorts"]["per_cohort_t"], atol=1e-9)
    assert list(res.table.index) == [f"angkatan-{i}" for i in range(1, 6)]


@pytest.mark.parametrize("model", ["change", "ancova"])
def test_mixed_models_match_lme4(res, model):
    ref = REFERENCE["cohorts"][model]
    m = res.models.loc[model]
    # REML optimum found by different optimizers: agree to 1e-4
    assert m.estimate == pytest.approx(ref["estimate"], abs=1e-4)
    assert m.se == pytest.approx(ref["se"], abs=1e-4)
    assert m.cohort_var == pytest.approx(ref["var"][0], rel=1e-3)
    assert m.residual_var == pytest.approx(ref["var"][1], rel=1e-4)
    assert m.icc == pytest.approx(ref["var"][0] / (ref["var"][0] + ref["var"][1]), rel=1e-3)


def test_one_cohort_is_an_error():
    d = pd.DataFrame({"c": ["a"] * 5, "pre": [1, 2, 3, 4, 5], "post": [2, 3, 4, 5, 7]})
    with pytest.raises(StatisticsError, match="at least 2 cohorts"):
        evalkit.compare_cohorts(d, pre="pre", post="post", cohort="c")
