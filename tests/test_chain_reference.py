"""Chain of evidence: correlations between levels against R's cor.test (Pearson, Spearman)."""
from __future__ import annotations

import pandas as pd
import pytest

from conftest import REFERENCE, ROOT
from evalkit.errors import StatisticsError
from evalkit.stats.chain import correlate_levels


def test_correlations_match_r_cor_test():
    data = pd.read_csv(ROOT / "tests" / "reference" / "data" / "chain_attitude.csv")
    got = correlate_levels(data).set_index(["x", "y"])
    for ref in REFERENCE["chain"]:
        row = got.loc[(ref["x"], ref["y"])]
        assert row["n"] == ref["n"]  # pairwise complete: one learning value is missing
        assert row["r"] == pytest.approx(ref["r"], abs=1e-12)
        assert [row["ci_low"], row["ci_high"]] == pytest.approx(ref["ci"], abs=1e-10)
        assert row["p_value"] == pytest.approx(ref["p_value"], rel=1e-8)
        assert row["rho"] == pytest.approx(ref["rho"], abs=1e-12)
        assert row["rho_p_value"] == pytest.approx(ref["rho_p_value"], rel=1e-8)


def test_too_few_pairs_or_no_variation_give_nan_not_an_error():
    d = pd.DataFrame({"a": [1, 2, 3, None, None], "b": [2, 1, 4, 5, 6], "c": [3, 3, 3, 3, 3]})
    out = correlate_levels(d)
    assert out["r"].isna().all() and out["n"].tolist() == [3, 3, 5]


def test_bad_input_is_named():
    with pytest.raises(StatisticsError, match="nope"):
        correlate_levels(pd.DataFrame({"a": [1.0, 2.0]}), ["a", "nope"])
