"""icc() against R psych::ICC and Shrout & Fleiss's (1979) published example."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import evalkit
from conftest import REFERENCE
from evalkit.errors import StatisticsError

ORDER = ["ICC1", "ICC2", "ICC3", "ICC1k", "ICC2k", "ICC3k"]


def long(m):
    return pd.DataFrame([(t, j, v) for t, row in enumerate(m) for j, v in enumerate(row)], columns=["t", "j", "x"])


@pytest.mark.parametrize("case", ["shrout_fleiss", "two_raters"])
def test_icc_matches_psych(case):
    ref = REFERENCE["icc"][case]
    if case == "shrout_fleiss":
        d = long(ref["data"])
    else:
        w = pd.read_csv("tests/reference/data/icc_two_raters.csv")
        d = w.melt(id_vars="participant", var_name="j", value_name="x").rename(columns={"participant": "t"})
    r = evalkit.icc(d, targets="t", raters="j", ratings="x").loc[ORDER]
    for ours, theirs in (("estimate", "estimate"), ("F", "F"), ("ci_low", "lower"), ("ci_high", "upper")):
        np.testing.assert_allclose(r[ours], ref[theirs], atol=1e-9, err_msg=ours)
    np.testing.assert_allclose(r["p_value"], ref["p"], rtol=1e-6, atol=1e-15)


def test_shrout_fleiss_published_values():
    r = evalkit.icc(long(REFERENCE["icc"]["shrout_fleiss"]["data"]), targets="t", raters="j", ratings="x")
    assert [round(float(v), 2) for v in r.loc[ORDER, "estimate"]] == [0.17, 0.29, 0.71, 0.44, 0.62, 0.91]


def test_icc_bad_input():
    d = long([[1, 2], [3, 4]])
    with pytest.raises(StatisticsError):
        evalkit.icc(pd.concat([d, d]), targets="t", raters="j", ratings="x")
    with pytest.raises(StatisticsError):
        evalkit.icc(d, targets="t", raters="nope", ratings="x")


def test_level3_combined_score_uses_the_weights_and_agreement_is_icc2():
    from evalkit.evaluation import evaluate
    from evalkit.ingest import load_program

    ev = evaluate(load_program("data/raw/pkp-2026-angkatan-1"))
    l3 = ev.level3
    assert l3.weights == {"alumni": 0.4, "atasan": 0.6}  # config/level3.yaml
    t = l3.table
    for aspect, row in l3.combined.iterrows():
        for time in ("before", "after"):
            expected = 0.4 * t.loc[(aspect, "alumni"), time] + 0.6 * t.loc[(aspect, "atasan"), time]
            assert row[time] == pytest.approx(expected, abs=1e-12)
    a = l3.agreement.loc[("komitmen", "after")]
    assert 0 < a.icc2 < 1 and a.ci_low < a.icc2 < a.ci_high and a.n == 36


def test_program_weights_override(tmp_path):
    import shutil

    from evalkit.evaluation import evaluate
    from evalkit.ingest import load_program

    dst = tmp_path / "pkp-2026-angkatan-1"
    shutil.copytree("data/raw/pkp-2026-angkatan-1", dst)
    y = (dst / "program.yaml").read_text().replace("  after: Sesudah\n", "  after: Sesudah\n  weights: {atasan: 1, alumni: 1}\n")
    (dst / "program.yaml").write_text(y)
    l3 = evaluate(load_program(dst)).level3
    t = l3.table
    row = l3.combined.loc["komitmen"]
    assert row["after"] == pytest.approx((t.loc[("komitmen", "alumni"), "after"] + t.loc[("komitmen", "atasan"), "after"]) / 2)
